//! `method`: the method is not allowed on the matched route.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `method` check.
#[derive(Debug)]
pub(crate) struct MethodNotAllowed;

impl MethodNotAllowed {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(MethodNotAllowed)
    }
}

impl Check for MethodNotAllowed {
    fn id(&self) -> CheckId {
        CheckId::Method
    }
}
