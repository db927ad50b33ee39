//! `ssrf`: server-side request forgery.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `ssrf` check.
#[derive(Debug)]
pub(crate) struct Ssrf;

impl Ssrf {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Ssrf)
    }
}

impl Check for Ssrf {
    fn id(&self) -> CheckId {
        CheckId::Ssrf
    }
}
