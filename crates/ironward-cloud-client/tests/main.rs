//! The agent against the real `ironward server` on loopback (SQLite in a temp dir): two agents
//! of one application receive configuration changes and share blacklist entries; a wrong key,
//! a server killed and restarted on the same port, and a start with the server down on a
//! cached configuration; four worker processes sharing one key.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

mod chaos;
mod fleet;
mod shared_key;
