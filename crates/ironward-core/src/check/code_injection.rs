//! `code_injection`: JNDI lookups, expression languages, template injection, PHP code, serialized objects.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `code_injection` check.
#[derive(Debug)]
pub(crate) struct CodeInjection;

impl CodeInjection {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(CodeInjection)
    }
}

impl Check for CodeInjection {
    fn id(&self) -> CheckId {
        CheckId::CodeInjection
    }
}
