//! `decoy`: requests for paths no legitimate visitor asks for (`/.env`, `/.git/config`,
//! `/wp-login.php`…). Scanners probe them first, so a hit is a strong signal; by default the
//! client is blacklisted (level 2).
//!
//! The path is compared after one round of percent-decoding, so `/%2eenv` is `/.env`. All
//! `DECOY_ROUTES` entries are compiled once into a [`PatternSet`].
//!
//! **A route the application serves is never a decoy.** pyrasp's default list end-matches
//! `/login`, `/admin` and `.php`, which real applications serve: when the adapter's router
//! matched the path (`RouteMatch::Matched`, or `MethodNotAllowed`: the path exists with other
//! methods), the request is the application's, whatever `DECOY_ROUTES` says. Only paths the
//! router does not serve, or requests whose adapter knows no routes (`Unknown`, e.g. `scan`
//! without a `route` field), are compared with the list. An application with a catch-all route
//! (an SPA fallback) serves every path, so its decoys never fire: list such apps' decoys as
//! routes that answer 404 outside the catch-all, or rely on the other checks.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::pattern::PatternSet;
use crate::request::RouteMatch;
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
        if matches!(
            ctx.request.route,
            RouteMatch::Matched | RouteMatch::MethodNotAllowed
        ) {
            return;
        }
        if self.routes.is_match(ctx.path) {
            findings.push(Finding::new(CheckId::Decoy, "path", ctx.path));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::test_support::run_request;
    use crate::request::Request;

    #[test]
    fn served_routes_are_never_decoys() {
        let config = Config::default();
        let check = Decoy::new(&config).unwrap();
        for (path, route, fires) in [
            ("/login", RouteMatch::Unknown, true),
            ("/login", RouteMatch::NotFound, true),
            ("/login", RouteMatch::Matched, false),
            ("/account/admin", RouteMatch::Matched, false),
            ("/index.php", RouteMatch::MethodNotAllowed, false),
            ("/.env", RouteMatch::NotFound, true),
            ("/.env", RouteMatch::Matched, false),
            ("/search", RouteMatch::Unknown, false),
        ] {
            let mut req = Request::new("GET", path);
            req.route = route;
            let got = !run_request(&check, &config, &req).is_empty();
            assert_eq!(got, fires, "{path} {route:?}");
        }
    }
}
