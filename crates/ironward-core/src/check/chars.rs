//! `chars`: suspicious characters (homoglyphs, invisible, non-printable).
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `chars` check.
#[derive(Debug)]
pub(crate) struct SuspiciousChars;

impl SuspiciousChars {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(SuspiciousChars)
    }
}

impl Check for SuspiciousChars {
    fn id(&self) -> CheckId {
        CheckId::Chars
    }
}
