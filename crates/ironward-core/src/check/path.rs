//! `path`: the request matches no route of the application.
//!
//! The adapter supplies the routing outcome in [`Request::route`](crate::request::Request):
//! [`RouteMatch::NotFound`] is a finding at location `path` with payload `METHOD /path` (the
//! once-decoded path, pyrasp's shape). [`RouteMatch::Unknown`] — the adapter has no route
//! table — finds nothing, and so do matched routes (a disallowed method is the `method`
//! check's). With `NATIVE_ROUTE_STATUS` the engine answers a blocking finding with 404.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::request::RouteMatch;
use crate::verdict::Finding;

/// The `path` check: unknown routes.
#[derive(Debug)]
pub(crate) struct UnknownRoute;

impl UnknownRoute {
    /// The check (it has no configuration).
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(UnknownRoute)
    }
}

/// `METHOD /path`, the payload of the route checks.
pub(crate) fn method_and_path(ctx: &RequestContext<'_, '_>) -> String {
    format!("{} {}", ctx.request.method, ctx.path)
}

impl Check for UnknownRoute {
    fn id(&self) -> CheckId {
        CheckId::Path
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if ctx.request.route == RouteMatch::NotFound {
            findings.push(Finding::new(CheckId::Path, "path", &method_and_path(ctx)));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::check::CheckId;
    use crate::config::{Config, Level, SecurityChecks};
    use crate::engine::Engine;
    use crate::request::{Request, RouteMatch};

    #[test]
    fn only_not_found_routes_fire() {
        let mut c = Config::default();
        c.security_checks = SecurityChecks::default();
        c.security_checks.set(CheckId::Path, Level::Block);
        let engine = Engine::new(c).unwrap();
        let cases = [
            (RouteMatch::NotFound, Some("GET /a b/x")),
            (RouteMatch::Unknown, None),
            (RouteMatch::Matched, None),
            (RouteMatch::MethodNotAllowed, None),
        ];
        for (route, want) in cases {
            let mut req = Request::new("GET", "/a%20b/x?q=1");
            req.route = route;
            let v = engine.inspect_request(&req);
            let got = v.findings.first().map(|f| (f.location, f.payload.as_str()));
            assert_eq!(got, want.map(|p| ("path", p)), "{route:?}");
            if want.is_some() {
                assert_eq!(v.response.map(|r| r.status), Some(404));
            }
        }
    }
}
