//! A route table the user supplies, for adapters that cannot see the application's router
//! (plain hyper, tonic and other tower stacks, actix-web): it tells the `path` and `method`
//! checks whether a request matches a route and whether its method is allowed there
//! ([`RouteMatch`]), and the `format` check which body content types the route accepts
//! ([`Request::accepts`](crate::request::Request::accepts)). It lives in the core so that
//! every adapter reads the same table with the same semantics.
//!
//! Templates follow axum 0.8: literal segments, `{name}` for one segment, `{*name}` for the
//! rest of the path (last only); the older `:name` and `*name` forms are read the same way.
//! Matching compares the raw (percent-encoded) path segment by segment, as routers do, without
//! allocating; the table is scanned in order, so its cost grows with the number of routes (a
//! few hundred routes cost well under a microsecond).

use crate::request::RouteMatch;

/// One segment of a route template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must equal the path segment.
    Literal(String),
    /// Any one segment (`{id}`, `:id`).
    Param,
    /// The rest of the path, possibly empty (`{*rest}`, `*rest`); always last.
    Rest,
}

/// One route: a template, its methods and the content types its body may have.
#[derive(Debug, Clone)]
struct Route {
    segments: Vec<Segment>,
    /// Allowed methods, uppercase; empty allows any.
    methods: Vec<String>,
    accepts: Vec<&'static str>,
}

/// The routes of an application, given to an adapter (`ironward_tower::IronwardLayer::routes`,
/// `ironward_actix::Ironward::routes`), which looks each request up with [`Routes::lookup`].
///
/// ```
/// use ironward_core::Routes;
/// use ironward_core::request::RouteMatch;
///
/// let routes = Routes::new()
///     .route("/", &["GET"])
///     .route("/users/{id}", &["GET", "DELETE"])
///     .route_accepting("/api/orders", &["POST"], &["application/json"])
///     .route("/static/{*file}", &[]); // any method
/// assert_eq!(routes.len(), 4);
/// assert_eq!(routes.lookup("GET", "/users/7").outcome, RouteMatch::Matched);
/// assert_eq!(routes.lookup("POST", "/users/7").outcome, RouteMatch::MethodNotAllowed);
/// assert_eq!(routes.lookup("GET", "/nope").outcome, RouteMatch::NotFound);
/// let hit = routes.lookup("POST", "/api/orders");
/// assert_eq!(hit.accepts, &["application/json"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<Route>,
}

/// What the table says about one request: the outcome for
/// [`Request::route`](crate::request::Request::route) and the content types for
/// [`Request::accepts`](crate::request::Request::accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteLookup<'r> {
    /// The outcome for the `path` and `method` checks.
    pub outcome: RouteMatch,
    /// The content types the matched route accepts (empty: any).
    pub accepts: &'r [&'static str],
}

impl Routes {
    /// An empty table (every request is an unknown route).
    pub fn new() -> Self {
        Routes::default()
    }

    /// Adds a route: a path template and the methods allowed on it (empty: any method). A
    /// route allowing `GET` also allows `HEAD`, as HTTP servers answer it.
    #[must_use]
    pub fn route(self, template: &str, methods: &[&str]) -> Self {
        self.route_accepting(template, methods, &[])
    }

    /// Adds a route whose request bodies must have one of these media types
    /// (`application/json`…), for the `format` check; empty accepts any.
    #[must_use]
    pub fn route_accepting(
        mut self,
        template: &str,
        methods: &[&str],
        accepts: &[&'static str],
    ) -> Self {
        self.routes.push(Route {
            segments: parse(template),
            methods: methods.iter().map(|m| m.to_ascii_uppercase()).collect(),
            accepts: accepts.to_vec(),
        });
        self
    }

    /// The number of routes.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// True when there is no route.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Looks a request up: the first route whose template matches the path and allows the
    /// method gives `Matched` (with its content types); a path some route matches but none
    /// with this method gives `MethodNotAllowed`; otherwise `NotFound`. `path` is the raw
    /// (percent-encoded) path, without the query; methods compare case-sensitively.
    pub fn lookup(&self, method: &str, path: &str) -> RouteLookup<'_> {
        let mut path_matched = false;
        for r in &self.routes {
            if !matches(&r.segments, path) {
                continue;
            }
            if allows(&r.methods, method) {
                return RouteLookup {
                    outcome: RouteMatch::Matched,
                    accepts: &r.accepts,
                };
            }
            path_matched = true;
        }
        RouteLookup {
            outcome: if path_matched {
                RouteMatch::MethodNotAllowed
            } else {
                RouteMatch::NotFound
            },
            accepts: &[],
        }
    }
}

/// The segments of a template (`/a/{id}/` → `a`, param, empty).
fn parse(template: &str) -> Vec<Segment> {
    let body = template.strip_prefix('/').unwrap_or(template);
    let mut out = Vec::new();
    for s in body.split('/') {
        let param = (s.starts_with('{') && s.ends_with('}') && s.len() >= 2)
            .then(|| &s[1..s.len() - 1])
            .or_else(|| s.strip_prefix(':').map(|_| ""));
        let seg = match param {
            Some(p) if p.starts_with('*') => Segment::Rest,
            Some(_) => Segment::Param,
            None if s.starts_with('*') => Segment::Rest,
            None => Segment::Literal(s.to_owned()),
        };
        let rest = seg == Segment::Rest;
        out.push(seg);
        if rest {
            break;
        }
    }
    out
}

/// True when the path (raw, with its leading `/`) fits the template.
fn matches(segments: &[Segment], path: &str) -> bool {
    let body = path.strip_prefix('/').unwrap_or(path);
    let mut parts = body.split('/');
    for seg in segments {
        match seg {
            Segment::Rest => return true,
            Segment::Param => match parts.next() {
                Some(p) if !p.is_empty() => {}
                _ => return false,
            },
            Segment::Literal(l) => match parts.next() {
                Some(p) if p == l => {}
                _ => return false,
            },
        }
    }
    parts.next().is_none()
}

/// True when the route allows the method (`HEAD` rides on `GET`).
fn allows(methods: &[String], method: &str) -> bool {
    methods.is_empty()
        || methods
            .iter()
            .any(|m| m == method || (method == "HEAD" && m == "GET"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Routes {
        Routes::new()
            .route("/", &["GET"])
            .route("/users/{id}", &["get", "DELETE"])
            .route("/users/:id/posts", &["POST"])
            .route_accepting("/api/orders", &["POST"], &["application/json"])
            .route("/static/{*file}", &[])
            .route("/files/*path", &["PUT"])
    }

    fn outcome(method: &str, path: &str) -> RouteMatch {
        table().lookup(method, path).outcome
    }

    #[test]
    fn templates_match_like_axum() {
        assert_eq!(outcome("GET", "/"), RouteMatch::Matched);
        assert_eq!(outcome("HEAD", "/"), RouteMatch::Matched);
        assert_eq!(outcome("GET", "/users/42"), RouteMatch::Matched);
        assert_eq!(outcome("DELETE", "/users/42"), RouteMatch::Matched);
        assert_eq!(outcome("POST", "/users/42/posts"), RouteMatch::Matched);
        assert_eq!(outcome("TRACE", "/static/a/b.css"), RouteMatch::Matched);
        assert_eq!(outcome("GET", "/static/"), RouteMatch::Matched);
        assert_eq!(outcome("PUT", "/files/x/y"), RouteMatch::Matched);
        assert_eq!(outcome("GET", "/users/"), RouteMatch::NotFound);
        assert_eq!(outcome("GET", "/users/42/"), RouteMatch::NotFound);
        assert_eq!(outcome("GET", "/users"), RouteMatch::NotFound);
        assert_eq!(outcome("GET", "/nope"), RouteMatch::NotFound);
        assert_eq!(outcome("GET", "/api/orders/1"), RouteMatch::NotFound);
    }

    #[test]
    fn a_wrong_method_on_a_known_path_is_not_allowed() {
        assert_eq!(outcome("POST", "/"), RouteMatch::MethodNotAllowed);
        assert_eq!(outcome("PUT", "/users/1"), RouteMatch::MethodNotAllowed);
        assert_eq!(outcome("GET", "/api/orders"), RouteMatch::MethodNotAllowed);
        assert_eq!(outcome("get", "/"), RouteMatch::MethodNotAllowed);
    }

    #[test]
    fn the_matched_route_gives_its_content_types() {
        let t = table();
        let hit = t.lookup("POST", "/api/orders");
        assert_eq!(hit.outcome, RouteMatch::Matched);
        assert_eq!(hit.accepts, &["application/json"]);
        assert!(t.lookup("GET", "/").accepts.is_empty());
        assert!(Routes::new().is_empty());
        assert_eq!(
            Routes::new().lookup("GET", "/").outcome,
            RouteMatch::NotFound
        );
    }

    proptest::proptest! {
        /// Any table, any method, any path (the path is attacker input): no panic, and a
        /// path built from a literal template's own segments always finds it.
        #[test]
        fn lookup_is_total_and_literal_templates_match_themselves(
            templates in proptest::collection::vec("[a-z{}:*/]{0,12}", 0..6),
            segs in proptest::collection::vec("[a-z0-9%.-]{1,6}", 0..5),
            method in "[A-Z]{0,7}",
            path in "\\PC{0,40}",
        ) {
            let mut t = Routes::new();
            for tpl in &templates {
                t = t.route(tpl, &["GET"]);
            }
            let _ = t.lookup(&method, &path);
            let literal = format!("/{}", segs.join("/"));
            let own = Routes::new().route(&literal, &["GET"]);
            proptest::prop_assert_eq!(own.lookup("GET", &literal).outcome, RouteMatch::Matched);
            proptest::prop_assert_eq!(own.lookup("HEAD", &literal).outcome, RouteMatch::Matched);
        }
    }
}
