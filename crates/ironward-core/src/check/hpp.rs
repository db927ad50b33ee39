//! `hpp`: HTTP parameter pollution.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `hpp` check.
#[derive(Debug)]
pub(crate) struct ParameterPollution;

impl ParameterPollution {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(ParameterPollution)
    }
}

impl Check for ParameterPollution {
    fn id(&self) -> CheckId {
        CheckId::Hpp
    }
}
