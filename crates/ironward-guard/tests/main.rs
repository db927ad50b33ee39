//! Integration tests of the guards with real things: an axum app behind `IronwardLayer` on a
//! loopback TCP server, an actix-web app behind `Ironward` through actix's test service, SQLite
//! through sqlx, `std::process::Command`, `std::fs`, and `reqwest` with the guarded resolver;
//! the deliberately vulnerable axum example (`examples/vulnerable_axum.rs`), every exploit with
//! and without the layer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod actix;
mod axum_app;
/// An axum application on a loopback port.
#[path = "../../../tests/shared/axum_loopback.rs"]
mod axum_loopback;
mod support;
mod vulnerable_axum;
