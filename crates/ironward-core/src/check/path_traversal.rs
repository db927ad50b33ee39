//! `path_traversal`: path traversal and local file inclusion.
//!
//! (Being implemented: this file is a placeholder that finds nothing.)

use super::{Check, CheckId};
use crate::config::Config;
use crate::engine::EngineError;

/// The `path_traversal` check.
#[derive(Debug)]
pub(crate) struct PathTraversal;

impl PathTraversal {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(PathTraversal)
    }
}

impl Check for PathTraversal {
    fn id(&self) -> CheckId {
        CheckId::PathTraversal
    }
}
