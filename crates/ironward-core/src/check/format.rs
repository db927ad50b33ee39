//! `format`: a body that does not parse as its declared content type, or a type the route does not accept.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `format` check.
#[derive(Debug)]
pub(crate) struct Format;

impl Format {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Format)
    }
}

impl Check for Format {
    fn id(&self) -> CheckId {
        CheckId::Format
    }
}
