//! `upload`: file uploads that break the upload policy.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `upload` check.
#[derive(Debug)]
pub(crate) struct Upload;

impl Upload {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Upload)
    }
}

impl Check for Upload {
    fn id(&self) -> CheckId {
        CheckId::Upload
    }
}
