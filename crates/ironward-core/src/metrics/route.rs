//! The metrics route (`METRICS_PATH`, `METRICS_ALLOW`), decided once here for every adapter.
//!
//! An adapter asks [`Engine::metrics_route`] before inspecting a request: `Some(text)` means
//! "answer `200` with this text and [`CONTENT_TYPE`](super::CONTENT_TYPE), do not inspect, do
//! not call the application"; `None` means the request is an ordinary one. A request to the
//! path from a client outside `METRICS_ALLOW` is ordinary: inspected and passed on, so that the
//! route is invisible to the clients it is not meant for (no `403` telling them it exists).

use crate::engine::Engine;
use crate::request::Request;

impl Engine {
    /// The Prometheus text to answer `request` with, when it is a scrape of the metrics route:
    /// `GET` or `HEAD` of exactly `METRICS_PATH` (the query is ignored) from a client IP in
    /// `METRICS_ALLOW` (settled as for inspection: forwarded only through `TRUSTED_PROXIES`).
    /// `None` otherwise, at once when `METRICS_PATH` is empty (the default).
    ///
    /// # Example
    /// ```
    /// use ironward_core::{Config, Engine, Request};
    ///
    /// let mut config = Config::default();
    /// config.metrics_path = "/metrics".to_owned();
    /// let engine = Engine::new(config).expect("engine");
    /// let local = Request::new("GET", "/metrics").with_peer("127.0.0.1".parse().expect("IP"));
    /// let text = engine.metrics_route(&local).expect("a scrape");
    /// assert!(text.contains("# TYPE ironward_requests_total counter"));
    /// // Anyone else gets an ordinary request (the default METRICS_ALLOW is the loopback).
    /// let remote = Request::new("GET", "/metrics").with_peer("203.0.113.7".parse().expect("IP"));
    /// assert!(engine.metrics_route(&remote).is_none());
    /// ```
    pub fn metrics_route(&self, request: &Request<'_>) -> Option<String> {
        let path = &self.config().metrics_path;
        if path.is_empty() || request.path != path {
            return None;
        }
        if !matches!(request.method, "GET" | "HEAD") {
            return None;
        }
        let ip = self.client_ip(request)?;
        self.config()
            .metrics_allow
            .iter()
            .any(|net| net.contains(&ip))
            .then(|| self.metrics_text())
    }

    /// Everything the metrics route serves, in the Prometheus text format: this engine's
    /// [`Metrics`](super::Metrics) snapshot, then the health of a shared state store
    /// (`ironward_shared_state_up`, `…_outages_total`, `…_local_updates_total`; absent with the
    /// default in-process state).
    pub fn metrics_text(&self) -> String {
        let mut out = self.metrics().snapshot().to_prometheus();
        let state = self.state();
        super::prometheus::write_shared_state(
            &mut out,
            state.mode(),
            state.outages(),
            state.local_fallbacks(),
        );
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::Config;
    use crate::engine::Engine;
    use crate::request::{Headers, Request};

    fn engine(path: &str, allow: &[&str]) -> Engine {
        let mut c = Config::default();
        c.metrics_path = path.to_owned();
        c.metrics_allow = allow.iter().map(|n| n.parse().unwrap()).collect();
        c.trusted_proxies = vec!["10.0.0.1/32".parse().unwrap()];
        c.trust_proxy_headers = true;
        Engine::new(c).unwrap()
    }

    #[test]
    fn the_route_answers_allowed_scrapes_only() {
        let e = engine("/metrics", &["127.0.0.0/8", "192.0.2.0/24"]);
        let local = "127.0.0.1".parse().unwrap();
        let ok = |method, target: &str, peer| {
            e.metrics_route(&Request::new(method, target).with_peer(peer))
                .is_some()
        };
        assert!(ok("GET", "/metrics", local));
        assert!(ok("HEAD", "/metrics", local));
        assert!(ok("GET", "/metrics?x=1", local));
        assert!(ok("GET", "/metrics", "192.0.2.77".parse().unwrap()));
        assert!(!ok("POST", "/metrics", local));
        assert!(!ok("GET", "/metrics/", local));
        assert!(!ok("GET", "/Metrics", local));
        assert!(!ok("GET", "/other", local));
        assert!(!ok("GET", "/metrics", "203.0.113.7".parse().unwrap()));
        // No peer: not allowed.
        assert!(e.metrics_route(&Request::new("GET", "/metrics")).is_none());
        // A scrape is not an inspection.
        assert_eq!(e.metrics().snapshot().requests, 0);
    }

    #[test]
    fn in_process_state_adds_no_shared_state_series() {
        let e = engine("/metrics", &["127.0.0.0/8"]);
        let text = e.metrics_text();
        assert_eq!(text, e.metrics().snapshot().to_prometheus());
        assert!(!text.contains("ironward_shared_state"));
    }

    #[test]
    fn forwarded_clients_count_only_through_trusted_proxies() {
        let e = engine("/metrics", &["192.0.2.0/24"]);
        let headers: Headers<'_> = [("X-Forwarded-For", "192.0.2.5")].into_iter().collect();
        let via = |peer: &str| {
            e.metrics_route(
                &Request::new("GET", "/metrics")
                    .with_peer(peer.parse().unwrap())
                    .with_headers(headers.clone()),
            )
            .is_some()
        };
        assert!(via("10.0.0.1"));
        assert!(!via("10.0.0.2"));
    }

    #[test]
    fn no_path_no_route() {
        let e = engine("", &["0.0.0.0/0"]);
        let r = Request::new("GET", "/").with_peer("127.0.0.1".parse().unwrap());
        assert!(e.metrics_route(&r).is_none());
    }
}
