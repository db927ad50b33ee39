//! # Ironward agent
//!
//! Ships Ironward's security events: it formats each [`Event`](ironward_core::event::Event)
//! (pyrasp's syslog line, RFC 5424, RFC 3164, pyrasp's JSON and `pcb` documents) and sends it
//! over UDP, TCP, HTTP(S) webhooks, to a rotating file or to standard output — from a
//! background thread fed by a bounded queue, so that the request path never waits on I/O.
//! Serverless hosts use the synchronous mode instead. Countries are resolved offline.
//!
//! This crate does I/O; `ironward-core` stays pure. Every adapter uses it the same way:
//! build an [`Agent`](agent::Agent) from the configuration once, then hand it the events of
//! each verdict.

pub mod agent;
pub mod console;
pub mod country;
pub mod format;
pub mod transport;
