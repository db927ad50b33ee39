//! `path`: the request matches no route of the application (the adapter supplies the route table).
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `path` check.
#[derive(Debug)]
pub(crate) struct UnknownRoute;

impl UnknownRoute {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(UnknownRoute)
    }
}

impl Check for UnknownRoute {
    fn id(&self) -> CheckId {
        CheckId::Path
    }
}
