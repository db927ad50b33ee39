//! # Ironward agent
//!
//! Ships Ironward's security events: it formats each [`Event`](ironward_core::event::Event)
//! (pyrasp's syslog line, RFC 5424, RFC 3164, pyrasp's JSON and `pcb` documents) and sends it
//! over UDP, TCP, HTTP(S) webhooks, to a rotating file or to standard output — from a
//! background thread fed by a bounded queue, so that the request path never waits on I/O.
//! Webhooks can take events in batches (`LOG_BATCH_SIZE`: one request for many events).
//! Serverless hosts use the synchronous mode instead. Countries are resolved offline.
//!
//! This crate does I/O; `ironward-core` stays pure. Every adapter uses it the same way:
//! build an [`Agent`](agent::Agent) from the configuration once, then hand it the events of
//! each verdict.
//!
//! ## Example
//! ```
//! use ironward_agent::agent::Agent;
//! use ironward_agent::format::Formatter;
//! use ironward_core::{Config, Engine, Request};
//!
//! let mut config = Config::default();
//! config.log_format = ironward_core::config::LogFormat::Json;
//! let engine = Engine::new(config.clone()).expect("valid configuration");
//! let request = Request::new("GET", "/.git/config").with_peer("203.0.113.7".parse().expect("IP"));
//! let verdict = engine.inspect_request(&request);
//! let events = engine.events(&request, &verdict);
//!
//! // What a log server receives: pyrasp's JSON document, payload in base64.
//! let record = Formatter::new(&config).render(&events[0], "Private");
//! let doc: serde_json::Value = serde_json::from_slice(&record).expect("JSON");
//! assert_eq!(doc["log_data"][0], "decoy");
//!
//! // LOG_ENABLED is false by default: the agent ignores events, and starts no thread.
//! let agent = Agent::start(&config).expect("agent");
//! for event in events {
//!     agent.submit(event);
//! }
//! assert!(!agent.is_enabled());
//! ```

pub mod agent;
pub mod console;
pub mod country;
pub mod format;
pub mod transport;
mod worker;
