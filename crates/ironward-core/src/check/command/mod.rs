//! `command`: OS command injection.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use crate::check::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `command` check.
#[derive(Debug)]
pub(crate) struct CommandInjection;

impl CommandInjection {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(CommandInjection)
    }
}

impl Check for CommandInjection {
    fn id(&self) -> CheckId {
        CheckId::Command
    }
}
