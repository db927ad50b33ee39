//! # Ironward core
//!
//! The engine of Ironward, a runtime application self-protection (RASP) library: it inspects
//! a framework-neutral HTTP [`Request`] and [`Response`] and returns a [`Verdict`] — allow, monitor,
//! block, or block and blacklist — with the findings that led to it and the response to send.
//!
//! This crate is pure: no I/O, no threads, no async, no framework or Python types. Adapters
//! (tower, actix-web, the Python package) translate their request types into
//! [`request::Request`], which borrows everything, and act on the verdict. Configuration uses
//! pyrasp's JSON keys and defaults ([`config`]).
//!
//! ## Pipeline
//! Client IP (trusted proxies only) → whitelist → blacklist → ignored paths → checks in
//! order, with inputs extracted and decoded lazily, once ([`input`], [`decode`]). See
//! [`engine`] for the exact semantics and [`check`] for how a check plugs in.
//!
//! ## Example
//! ```
//! use ironward_core::config::Config;
//! use ironward_core::engine::Engine;
//! use ironward_core::request::{Headers, Request};
//! use ironward_core::verdict::Action;
//!
//! let engine = Engine::new(Config::default()).expect("the default configuration is valid");
//!
//! // A scanner probing for secrets hits a default decoy route: blocked, and blacklisted.
//! let peer = "203.0.113.9".parse().expect("an IP");
//! let probe = Request::new("GET", "/.env").with_peer(peer);
//! let verdict = engine.inspect_request(&probe);
//! assert_eq!(verdict.action, Action::BlockAndBlacklist);
//! assert_eq!(verdict.response.as_ref().map(|r| r.status), Some(403));
//!
//! // Its next request, however harmless, is refused while the blacklist entry lasts.
//! let headers: Headers<'_> = [("Host", "shop.example")].into_iter().collect();
//! let next = Request::new("GET", "/products?page=2").with_peer(peer).with_headers(headers);
//! assert!(engine.inspect_request(&next).is_blocked());
//!
//! // Another client is not affected.
//! let other = Request::new("GET", "/products?page=2").with_peer("198.51.100.1".parse().expect("an IP"));
//! assert_eq!(engine.inspect_request(&other).action, Action::Allow);
//! ```
#![forbid(unsafe_code)]

pub mod check;
pub mod clock;
pub mod config;
pub mod decode;
pub mod engine;
pub mod event;
pub mod input;
pub mod ip;
pub mod limits;
pub mod mcp;
pub mod metrics;
pub mod pattern;
pub mod reference;
pub mod reload;
pub mod request;
pub mod routes;
pub mod sink;
pub mod state;
pub mod verdict;

pub use config::Config;
pub use engine::Engine;
pub use mcp::{McpSide, ToolCall};
pub use request::{Request, Response};
pub use routes::Routes;
pub use verdict::{Action, Finding, Verdict};
