//! `decoy`: requests for paths no legitimate visitor asks for (`/.env`, `/.git/config`,
//! `/wp-login.php`…). Scanners probe them first, so a hit is a strong signal; by default the
//! client is blacklisted (level 2).
//!
//! The path is compared after one round of percent-decoding, so `/%2eenv` is `/.env`. All
//! `DECOY_ROUTES` entries are compiled once into a [`PatternSet`].

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::pattern::PatternSet;
use crate::verdict::Finding;

/// The decoy-route check.
#[derive(Debug)]
pub(crate) struct Decoy {
    routes: PatternSet,
}

impl Decoy {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let routes =
            PatternSet::new(&config.decoy_routes).map_err(|source| EngineError::Regex {
                key: "DECOY_ROUTES",
                source,
            })?;
        Ok(Decoy { routes })
    }
}

impl Check for Decoy {
    fn id(&self) -> CheckId {
        CheckId::Decoy
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if self.routes.is_match(ctx.path) {
            findings.push(Finding::new(CheckId::Decoy, "path", ctx.path));
        }
    }
}
