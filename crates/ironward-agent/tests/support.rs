//! Shared helpers: configurations, events, bounded waits.

use ironward_agent::format::Formatter;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, LogFormat, LogProtocol};
use ironward_core::event::{Event, EventContext};
use ironward_core::verdict::Finding;
use std::time::{Duration, Instant};

/// A logging configuration towards 127.0.0.1:`port`.
pub(crate) fn config(protocol: LogProtocol, port: u16) -> Config {
    let mut c = Config::default();
    c.log_enabled = true;
    c.log_server = "127.0.0.1".to_owned();
    c.log_port = port;
    c.log_protocol = protocol;
    c.log_format = LogFormat::Json;
    c.resolve_country = false;
    c.log_payload_base64 = false;
    c.log_timeout_ms = 500;
    c.log_queue_size = 1_000;
    c
}

/// Event number `i` (its payload carries `i`).
pub(crate) fn event(i: usize) -> Event {
    event_with(i, "")
}

/// Event number `i` with `extra` appended to its payload.
pub(crate) fn event_with(i: usize, extra: &str) -> Event {
    let payload = format!("' or {i}={i} -- {extra}");
    let finding = Finding::new(CheckId::Sqli, "qs_values", &payload);
    let ctx = EventContext {
        app: "Test App",
        source_ip: "127.0.0.1".parse().ok(),
        method: "GET",
        path: "/search",
        unix_ms: 1_795_000_000_000 + i as i64,
    };
    Event::new(&finding, &ctx)
}

/// The record the agent renders for `event` under `config` (country resolution off).
pub(crate) fn render(config: &Config, event: &Event) -> Vec<u8> {
    Formatter::new(config).render(event, "")
}

/// Polls `cond` every 5 ms until it holds or `timeout` elapses.
pub(crate) fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub(crate) fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
