//! The agent against the real `ironward server` on loopback (SQLite in a temp dir): two agents
//! of one application receive configuration changes and share blacklist entries; a wrong key,
//! a server killed and restarted on the same port, and a start with the server down on a
//! cached configuration; four worker processes sharing one key; the local configuration file
//! rewritten under a real axum server (`file_watch.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// An axum application on a loopback port.
#[path = "../../../tests/shared/axum_loopback.rs"]
mod axum_loopback;
mod support;

mod chaos;
mod file_watch;
mod fleet;
/// The reload tests' check counting each request's inspections.
#[path = "../../../tests/shared/seen_check.rs"]
mod seen_check;
mod shared_key;
