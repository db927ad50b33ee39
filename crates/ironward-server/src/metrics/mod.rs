//! The server's own Prometheus metrics (`--metrics`): HTTP requests and their duration by route
//! template, agent connects and beacons, events ingested and refused, agents active, store
//! errors, retention rounds and sign-in failures, served on `GET /metrics` to the clients of
//! `--metrics-allow` (the loopback by default) in the Prometheus text format 0.0.4. Everyone
//! else gets 404, as if the route did not exist.
//!
//! Built on the `prometheus` crate (its `TextEncoder` writes the 0.0.4 text format the agents'
//! metrics use; `prometheus-client` writes only OpenMetrics). Names follow Prometheus'
//! conventions: the `ironward_server_` prefix, base units (seconds), `_total` on counters, and
//! every fixed label combination written from the start at 0. Route labels are the router's
//! templates (`/api/v1/apps/{app}/config`), never raw paths, so their number is bounded.
//!
//! Counting is cheap (atomic counters behind the crate's label maps); the two gauges that need
//! the database (agents and instances active) are refreshed by a scrape at most every
//! [`ACTIVE_CACHE`], and the sign-in counters are read from the [`SignInLimiter`].

mod families;

use crate::auth::SignInLimiter;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use families::{Families, agent_outcome, class};
pub use ipnet::IpNet;
use prometheus::{Encoder, TextEncoder};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The path of the metrics route.
pub const METRICS_PATH: &str = "/metrics";
/// The `Content-Type` of the metrics text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// Default `--metrics-active-minutes`: the window of `ironward_server_agents_active`.
pub const DEFAULT_ACTIVE_WINDOW: Duration = Duration::from_secs(600);
/// How long the active-agent gauges are reused between scrapes before the database is asked
/// again (two counts; Prometheus scrapes every 15–60 s).
pub const ACTIVE_CACHE: Duration = Duration::from_secs(15);
/// Buckets of `ironward_server_http_request_duration_seconds`, from 1 ms to the default
/// request timeout and past it.
pub const DURATION_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Outcomes of connects and beacons (the `outcome` label).
pub const AGENT_OUTCOMES: [&str; 6] = [
    "ok",
    "invalid_key",
    "not_found",
    "bad_request",
    "too_large",
    "error",
];
/// Reasons an ingest request is refused (the `reason` label).
pub const INGEST_REFUSALS: [&str; 4] = ["unauthorized", "invalid", "too_large", "error"];
/// What a retention round removes (the `kind` label).
pub const PRUNED_KINDS: [&str; 4] = ["events", "blacklist", "sessions", "instances"];

/// Where the metrics route is served and what its gauges look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsOptions {
    /// The client IPs (TCP peers) and networks allowed to scrape; others get 404.
    pub allow: Vec<IpNet>,
    /// `ironward_server_agents_active` counts the agent keys heard from within this window.
    pub active_window: Duration,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        Self {
            allow: loopback(),
            active_window: DEFAULT_ACTIVE_WINDOW,
        }
    }
}

/// The default `--metrics-allow`: `127.0.0.0/8` and `::1/128`.
pub fn loopback() -> Vec<IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Parses `--metrics-allow` items: CIDR blocks or single IPs (`10.0.5.17` is `10.0.5.17/32`).
pub fn parse_allow(item: &str) -> Result<IpNet, String> {
    let item = item.trim();
    item.parse::<IpNet>()
        .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("not an IP address or CIDR block: {item:?}"))
}

/// A response extension set by the handlers whose request failed on the store: counted in
/// `ironward_server_store_errors_total` by the HTTP middleware.
#[derive(Debug, Clone, Copy)]
pub struct StoreFailed;

/// The server's metrics: counted by the handlers, rendered by the metrics route.
#[derive(Debug)]
pub struct ServerMetrics {
    /// `None` only if the families could not be built (never with these names; a test checks).
    families: Option<Families>,
    /// When the active gauges were last read from the database.
    active_read: Mutex<Option<Instant>>,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerMetrics {
    /// Every family at 0.
    pub fn new() -> Self {
        let families = Families::new()
            .map_err(|e| crate::report(&format!("metrics disabled: {e}")))
            .ok();
        Self {
            families,
            active_read: Mutex::new(None),
        }
    }

    fn with(&self, count: impl FnOnce(&Families)) {
        if let Some(f) = &self.families {
            count(f);
        }
    }

    /// Counts an HTTP response of `route` (a template) that took `elapsed`.
    pub fn http(&self, route: &str, status: StatusCode, elapsed: Duration) {
        self.with(|f| {
            f.http_requests
                .with_label_values(&[route, class(status)])
                .inc();
            f.http_duration
                .with_label_values(&[route])
                .observe(elapsed.as_secs_f64());
        });
    }

    /// Counts a connect answered with `status`.
    pub fn connect(&self, status: StatusCode) {
        self.with(|f| f.connects.with_label_values(&[agent_outcome(status)]).inc());
    }

    /// Counts a beacon answered with `status`.
    pub fn beacon(&self, status: StatusCode) {
        self.with(|f| f.beacons.with_label_values(&[agent_outcome(status)]).inc());
    }

    /// Counts `n` events stored.
    pub fn events_ingested(&self, n: u64) {
        self.with(|f| f.events_ingested.inc_by(n));
    }

    /// Counts an ingest request refused with `status`.
    pub fn ingest_refused(&self, status: StatusCode) {
        let reason = match status.as_u16() {
            401 | 403 => "unauthorized",
            413 => "too_large",
            400..=499 => "invalid",
            _ => "error",
        };
        self.with(|f| f.ingest_refused.with_label_values(&[reason]).inc());
    }

    /// Counts a failure of the database.
    pub fn store_error(&self) {
        self.with(|f| f.store_errors.inc());
    }

    /// Counts a retention round: what it removed, or its failure.
    pub fn retention(&self, outcome: Result<&crate::retention::Pruned, ()>) {
        self.with(|f| match outcome {
            Ok(p) => {
                f.retention_runs.with_label_values(&["ok"]).inc();
                for (kind, n) in
                    PRUNED_KINDS
                        .iter()
                        .zip([p.events, p.blacklist, p.sessions, p.instances])
                {
                    f.retention_pruned.with_label_values(&[*kind]).inc_by(n);
                }
            }
            Err(()) => {
                f.retention_runs.with_label_values(&["failed"]).inc();
                f.store_errors.inc();
            }
        });
    }

    /// Whether the active gauges are older than [`ACTIVE_CACHE`] (and marks them read now, so
    /// that concurrent scrapes do not all query).
    pub(crate) fn active_due(&self, now: Instant) -> bool {
        let mut last = self.active_read.lock().unwrap_or_else(|e| e.into_inner());
        match *last {
            Some(t) if now.saturating_duration_since(t) < ACTIVE_CACHE => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }

    /// Sets the active gauges.
    pub fn set_active(&self, agents: i64, instances: i64) {
        self.with(|f| {
            f.agents_active.set(agents);
            f.instances_active.set(instances);
        });
    }

    /// Brings the sign-in counters up to the limiter's.
    fn sync_sign_in(&self, limiter: &SignInLimiter) {
        self.with(|f| {
            let (failures, limited) = (limiter.failures(), limiter.refusals());
            f.sign_in_failures
                .inc_by(failures.saturating_sub(f.sign_in_failures.get()));
            f.sign_in_limited
                .inc_by(limited.saturating_sub(f.sign_in_limited.get()));
        });
    }

    /// The metrics in the Prometheus text format 0.0.4, the sign-in counters read from
    /// `limiter` first.
    pub fn render(&self, limiter: &SignInLimiter) -> String {
        self.sync_sign_in(limiter);
        let Some(f) = &self.families else {
            return String::new();
        };
        let mut out = Vec::with_capacity(8 * 1024);
        if let Err(e) = TextEncoder::new().encode(&f.registry.gather(), &mut out) {
            crate::report(&format!("cannot render the metrics: {e}"));
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The HTTP middleware: counts every response by route template and status class, its
/// duration, and the store failures the handlers flagged ([`StoreFailed`]).
pub(crate) async fn track(
    State(metrics): State<Arc<ServerMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.http(&route, response.status(), started.elapsed());
    if response.extensions().get::<StoreFailed>().is_some() {
        metrics.store_error();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_build_and_render_every_fixed_series() {
        let m = ServerMetrics::new();
        assert!(m.families.is_some());
        m.http("/api/v1/beacon", StatusCode::OK, Duration::from_millis(3));
        m.beacon(StatusCode::FORBIDDEN);
        m.ingest_refused(StatusCode::PAYLOAD_TOO_LARGE);
        let text = m.render(&SignInLimiter::default());
        for line in [
            "# TYPE ironward_server_http_requests_total counter",
            "ironward_server_http_requests_total{code=\"2xx\",route=\"/api/v1/beacon\"} 1",
            "ironward_server_http_request_duration_seconds_bucket{route=\"/api/v1/beacon\",le=\"0.005\"} 1",
            "ironward_server_beacons_total{outcome=\"invalid_key\"} 1",
            "ironward_server_beacons_total{outcome=\"ok\"} 0",
            "ironward_server_ingest_refused_total{reason=\"too_large\"} 1",
            "ironward_server_retention_pruned_total{kind=\"instances\"} 0",
            "ironward_server_sign_in_failures_total 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }

    #[test]
    fn allow_items_are_ips_or_blocks() {
        assert_eq!(parse_allow("10.0.5.17").map(|n| n.prefix_len()), Ok(32));
        assert_eq!(parse_allow(" ::1 ").map(|n| n.prefix_len()), Ok(128));
        assert_eq!(parse_allow("10.0.0.0/8").map(|n| n.prefix_len()), Ok(8));
        assert!(parse_allow("ten").is_err());
    }

    #[test]
    fn active_gauges_are_cached() {
        let m = ServerMetrics::new();
        let t = Instant::now();
        assert!(m.active_due(t));
        assert!(!m.active_due(t + Duration::from_secs(1)));
        assert!(m.active_due(t + ACTIVE_CACHE));
    }
}
