//! Integration tests of ironward-agent: the transports and the background worker against real
//! listeners on 127.0.0.1 (ephemeral ports, bounded waits).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
mod t_agent;
mod t_batch;
mod t_file;
mod t_http;
mod t_tcp;
mod t_udp;
