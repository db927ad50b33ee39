//! `dlp`: sensitive data leaving in responses.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use crate::check::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `dlp` check.
#[derive(Debug)]
pub(crate) struct Dlp;

impl Dlp {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Dlp)
    }
}

impl Check for Dlp {
    fn id(&self) -> CheckId {
        CheckId::Dlp
    }
}
