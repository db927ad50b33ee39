//! Guards on real rmcp servers and clients: over stdio (the example server as a child
//! process) and over streamable HTTP (rmcp's server transport on a loopback port, rmcp's
//! reqwest client).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod demo;
mod http;
mod stdio;
mod support;
