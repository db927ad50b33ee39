//! `headers`: headers the application never expects and attackers use (`FORBIDDEN_HEADERS`,
//! e.g. `x-original-url` to bypass a front proxy's path rules). Names compare
//! case-insensitively; headers excluded by `WHITELIST_HEADERS` are not inspected.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::pattern::PatternSet;
use crate::verdict::Finding;

/// The forbidden-header check.
#[derive(Debug)]
pub(crate) struct ForbiddenHeaders {
    forbidden: Vec<String>,
    whitelisted: PatternSet,
}

impl ForbiddenHeaders {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let whitelisted =
            PatternSet::new(&config.whitelist_headers).map_err(|source| EngineError::Regex {
                key: "WHITELIST_HEADERS",
                source,
            })?;
        let forbidden = config
            .forbidden_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        Ok(ForbiddenHeaders {
            forbidden,
            whitelisted,
        })
    }
}

impl Check for ForbiddenHeaders {
    fn id(&self) -> CheckId {
        CheckId::Headers
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if self.forbidden.is_empty() {
            return;
        }
        for h in ctx.request.headers.iter() {
            if self
                .forbidden
                .iter()
                .any(|f| f.eq_ignore_ascii_case(h.name))
            {
                let lower = h.name.to_ascii_lowercase();
                if !self.whitelisted.is_match(&lower) {
                    findings.push(Finding::new(CheckId::Headers, "headers_names", &lower));
                    return;
                }
            }
        }
    }
}
