//! Integration tests: a real axum server on loopback, protected by the layer, driven with raw
//! HTTP/1.1 over TCP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// An axum application on a loopback port.
#[path = "../../../tests/shared/axum_loopback.rs"]
mod axum_loopback;
mod differential;
/// The differential tables' payloads, request builders, configurations and runner, shared
/// with the other adapter's table.
#[path = "../../../tests/shared/http_differential.rs"]
mod http_differential;
mod metrics;
/// The metrics route tests' configuration and series reader.
#[path = "../../../tests/shared/metrics_route.rs"]
mod metrics_route;
mod plain_hyper;
mod reload;
mod robustness;
mod routes;
/// The reload tests' check counting each request's inspections.
#[path = "../../../tests/shared/seen_check.rs"]
mod seen_check;
mod support;
mod tonic;
mod tower_axum;
mod ztaa;
