//! `brute`: too many error responses (and inbound route, host, header, format hits) for one client IP.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `brute` check.
#[derive(Debug)]
pub(crate) struct Brute;

impl Brute {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Brute)
    }
}

impl Check for Brute {
    fn id(&self) -> CheckId {
        CheckId::Brute
    }
}
