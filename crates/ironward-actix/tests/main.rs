//! Integration tests: a real actix-web server on loopback, protected by Ironward, driven with
//! raw HTTP/1.1 over `std::net::TcpStream`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod differential;
mod events;
mod metrics;
mod reload;
mod robustness;
mod routes;
mod support;
mod tcp;
