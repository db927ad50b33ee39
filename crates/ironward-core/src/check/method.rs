//! `method`: the path matched a route, but the method is not allowed on it.
//!
//! The adapter supplies the routing outcome in [`Request::route`](crate::request::Request):
//! [`RouteMatch::MethodNotAllowed`] is a finding at location `method` with payload
//! `METHOD /path` (the once-decoded path). Every other outcome finds nothing; an adapter
//! without a route table reports [`RouteMatch::Unknown`]. With `NATIVE_ROUTE_STATUS` the
//! engine answers a blocking finding with 405. (pyrasp had the key but never implemented it.)

use super::path::method_and_path;
use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::request::RouteMatch;
use crate::verdict::Finding;

/// The `method` check: methods the matched route does not allow.
#[derive(Debug)]
pub(crate) struct MethodNotAllowed;

impl MethodNotAllowed {
    /// The check (it has no configuration).
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(MethodNotAllowed)
    }
}

impl Check for MethodNotAllowed {
    fn id(&self) -> CheckId {
        CheckId::Method
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if ctx.request.route == RouteMatch::MethodNotAllowed {
            findings.push(Finding::new(
                CheckId::Method,
                "method",
                &method_and_path(ctx),
            ));
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
    fn only_disallowed_methods_fire() {
        let mut c = Config::default();
        c.security_checks = SecurityChecks::default();
        c.security_checks.set(CheckId::Method, Level::Block);
        let engine = Engine::new(c).unwrap();
        let cases = [
            (RouteMatch::MethodNotAllowed, Some("DELETE /users/1")),
            (RouteMatch::Unknown, None),
            (RouteMatch::Matched, None),
            (RouteMatch::NotFound, None),
        ];
        for (route, want) in cases {
            let mut req = Request::new("DELETE", "/users/1");
            req.route = route;
            let v = engine.inspect_request(&req);
            let got = v.findings.first().map(|f| (f.location, f.payload.as_str()));
            assert_eq!(got, want.map(|p| ("method", p)), "{route:?}");
            if want.is_some() {
                assert_eq!(v.response.map(|r| r.status), Some(405));
            }
        }
    }
}
