//! `flood`: too many requests from one client IP on `BRUTE_AND_FLOOD_PATHS`.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `flood` check.
#[derive(Debug)]
pub(crate) struct Flood;

impl Flood {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Flood)
    }
}

impl Check for Flood {
    fn id(&self) -> CheckId {
        CheckId::Flood
    }
}
