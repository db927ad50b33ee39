//! Integration tests: a real actix-web server on loopback, protected by Ironward, driven with
//! raw HTTP/1.1 over `std::net::TcpStream`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod differential;
mod events;
/// The differential tables' payloads, request builders, configurations and runner, shared
/// with the other adapter's table.
#[path = "../../../tests/shared/http_differential.rs"]
mod http_differential;
mod metrics;
/// The metrics route tests' configuration and series reader.
#[path = "../../../tests/shared/metrics_route.rs"]
mod metrics_route;
mod reload;
mod robustness;
mod routes;
/// The reload tests' check counting each request's inspections.
#[path = "../../../tests/shared/seen_check.rs"]
mod seen_check;
mod support;
mod tcp;
