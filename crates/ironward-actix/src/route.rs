//! What the middleware tells the engine about routing, for the `path`, `method` and `format`
//! checks.
//!
//! An `App`-level middleware runs before actix routes the request, but the application's
//! resource map is complete by then. The outcome comes from the user's route list
//! ([`Ironward::routes`](crate::Ironward::routes)) when there is one; else, with
//! [`Ironward::actix_router`](crate::Ironward::actix_router), from actix's resource map:
//! `NotFound` when no resource matches the path, `Unknown` when one does (the map holds
//! patterns, not methods or guards, so whether the method is allowed is not known). Without
//! either, `Unknown`: the route checks do nothing.
//!
//! Both look at the path actix routes on (`req.match_info()`: percent-decoded except `%2F`,
//! `%25` and `+`), not the raw one, so that `/s%65arch` is the `/search` resource actix will
//! serve, not an unknown route.

use actix_web::dev::ServiceRequest;
use ironward_core::request::RouteMatch;

use crate::middleware::Shared;

/// The route outcome and the content types the matched route accepts (empty: any).
pub(crate) fn route<'a>(
    req: &ServiceRequest,
    shared: &'a Shared,
) -> (RouteMatch, &'a [&'static str]) {
    let path = req.match_info().as_str();
    if let Some(routes) = &shared.routes {
        let hit = routes.lookup(req.method().as_str(), path);
        return (hit.outcome, hit.accepts);
    }
    if shared.actix_router && !req.resource_map().has_resource(path) {
        return (RouteMatch::NotFound, &[]);
    }
    (RouteMatch::Unknown, &[])
}
