//! The metric families of [`super::ServerMetrics`]: their names, help texts and labels, built
//! and registered once, every fixed label combination at 0; and the label values a response
//! maps to.

use super::{AGENT_OUTCOMES, DURATION_BUCKETS, INGEST_REFUSALS, PRUNED_KINDS};
use axum::http::StatusCode;
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

/// The metric families.
#[derive(Debug)]
pub(super) struct Families {
    pub(super) registry: Registry,
    pub(super) http_requests: IntCounterVec,
    pub(super) http_duration: HistogramVec,
    pub(super) connects: IntCounterVec,
    pub(super) beacons: IntCounterVec,
    pub(super) events_ingested: IntCounter,
    pub(super) ingest_refused: IntCounterVec,
    pub(super) agents_active: IntGauge,
    pub(super) instances_active: IntGauge,
    pub(super) store_errors: IntCounter,
    pub(super) retention_runs: IntCounterVec,
    pub(super) retention_pruned: IntCounterVec,
    pub(super) sign_in_failures: IntCounter,
    pub(super) sign_in_limited: IntCounter,
}

fn counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    label: &str,
    values: &[&str],
) -> prometheus::Result<IntCounterVec> {
    let family = IntCounterVec::new(Opts::new(name, help), &[label])?;
    for value in values {
        family.with_label_values(&[*value]);
    }
    registry.register(Box::new(family.clone()))?;
    Ok(family)
}

fn counter(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    let c = IntCounter::new(name, help)?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

fn gauge(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntGauge> {
    let g = IntGauge::new(name, help)?;
    registry.register(Box::new(g.clone()))?;
    Ok(g)
}

impl Families {
    pub(super) fn new() -> prometheus::Result<Self> {
        let r = Registry::new();
        let info = IntGaugeVec::new(
            Opts::new(
                "ironward_server_build_info",
                "The server's version, as a label; the value is always 1.",
            ),
            &["version"],
        )?;
        info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        r.register(Box::new(info))?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "ironward_server_http_requests_total",
                "HTTP requests answered, by route template and status class.",
            ),
            &["route", "code"],
        )?;
        r.register(Box::new(http_requests.clone()))?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "ironward_server_http_request_duration_seconds",
                "Time from the request reaching its route to the response headers, by route template.",
            )
            .buckets(DURATION_BUCKETS.to_vec()),
            &["route"],
        )?;
        r.register(Box::new(http_duration.clone()))?;
        Ok(Self {
            http_requests,
            http_duration,
            connects: counter_vec(
                &r,
                "ironward_server_connects_total",
                "Agent connects (POST /api/v1/connect), by outcome.",
                "outcome",
                &AGENT_OUTCOMES,
            )?,
            beacons: counter_vec(
                &r,
                "ironward_server_beacons_total",
                "Agent beacons (POST /api/v1/beacon), by outcome.",
                "outcome",
                &AGENT_OUTCOMES,
            )?,
            events_ingested: counter(
                &r,
                "ironward_server_events_ingested_total",
                "Security events stored from agents.",
            )?,
            ingest_refused: counter_vec(
                &r,
                "ironward_server_ingest_refused_total",
                "Event ingest requests refused (none of their events stored), by reason.",
                "reason",
                &INGEST_REFUSALS,
            )?,
            agents_active: gauge(
                &r,
                "ironward_server_agents_active",
                "Agent keys (not revoked) that connected or beaconed within the active window (--metrics-active-minutes).",
            )?,
            instances_active: gauge(
                &r,
                "ironward_server_agent_instances_active",
                "Agent processes with an instance id seen within the active window.",
            )?,
            store_errors: counter(
                &r,
                "ironward_server_store_errors_total",
                "Requests and background tasks that failed on the database.",
            )?,
            retention_runs: counter_vec(
                &r,
                "ironward_server_retention_runs_total",
                "Retention rounds, by outcome.",
                "outcome",
                &["ok", "failed"],
            )?,
            retention_pruned: counter_vec(
                &r,
                "ironward_server_retention_pruned_total",
                "Rows removed by retention rounds: events, expired blacklist entries, expired sessions, forgotten instances.",
                "kind",
                &PRUNED_KINDS,
            )?,
            sign_in_failures: counter(
                &r,
                "ironward_server_sign_in_failures_total",
                "Sign-ins refused for a wrong user name or password.",
            )?,
            sign_in_limited: counter(
                &r,
                "ironward_server_sign_in_rate_limited_total",
                "Sign-ins refused by the rate limiter without checking the password.",
            )?,
            registry: r,
        })
    }
}

/// The status class label of a response (`2xx`, …, `other`).
pub(super) fn class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "other",
    }
}

/// The `outcome` of a connect or beacon answered with `status`.
pub(super) fn agent_outcome(status: StatusCode) -> &'static str {
    match status.as_u16() {
        200..=299 => "ok",
        403 => "invalid_key",
        404 => "not_found",
        413 => "too_large",
        400..=499 => "bad_request",
        _ => "error",
    }
}
