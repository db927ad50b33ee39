//! The event reporter (`Ironward::on_event`) over real TCP: request verdicts, response
//! verdicts and leaks found in streamed responses.

use std::sync::{Arc, Mutex};

use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::event::Event;
use ironward_core::{Action, Config};

use crate::support::{CARD, Server, request, send, send_raw, start_with};

/// A server whose events land in the returned list.
fn serve(config: Config) -> (Server, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let server = start_with(
        config,
        move |mw| {
            let sink = Arc::clone(&sink);
            mw.on_event(move |e| sink.lock().expect("lock").push(e))
        },
        false,
    );
    (server, events)
}

fn config() -> Config {
    let mut c = Config::default();
    c.blacklist_override = true;
    c
}

#[test]
fn benign_requests_report_nothing() {
    let (server, events) = serve(config());
    let reply = send(
        server.addr,
        &request("GET", "/search?q=running+shoes", &[], b""),
    );
    assert_eq!(reply.status, 200);
    assert!(events.lock().expect("lock").is_empty());
}

#[test]
fn a_blocked_request_is_reported_with_the_peer() {
    let (server, events) = serve(config());
    let reply = send(
        server.addr,
        &request("GET", "/search?q=;cat%20/etc/passwd", &[], b""),
    );
    assert_eq!(reply.status, 403);
    let events = events.lock().expect("lock");
    assert!(!events.is_empty());
    assert!(
        events.iter().any(|e| e.check == CheckId::Command),
        "{events:?}"
    );
    let e = &events[0];
    assert_eq!(e.method, "GET");
    assert_eq!(e.path, "/search");
    assert_eq!(
        e.source_ip.map(|ip| ip.to_string()).as_deref(),
        Some("127.0.0.1")
    );
    assert_ne!(e.action, Action::Allow);
}

#[test]
fn a_monitored_request_passes_and_is_reported() {
    let mut c = config();
    c.security_checks.set(CheckId::Command, Level::Monitor);
    let (server, events) = serve(c);
    let reply = send(server.addr, &request("GET", "/verdict?q=;whoami", &[], b""));
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (200, "action=monitor")
    );
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].check, CheckId::Command);
    assert_eq!(events[0].action, Action::Monitor);
}

#[test]
fn a_leak_in_a_buffered_response_is_reported() {
    let mut c = config();
    c.dlp_cc_numbers = true;
    c.security_checks.set(CheckId::Dlp, Level::Block);
    let (server, events) = serve(c);
    let reply = send(server.addr, &request("GET", "/card", &[], b""));
    assert_eq!(reply.status, 403);
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].check, CheckId::Dlp);
    assert_eq!(events[0].path, "/card");
}

#[test]
fn a_leak_in_a_streamed_response_is_reported() {
    let mut c = config();
    c.dlp_cc_numbers = true;
    c.security_checks.set(CheckId::Dlp, Level::Block);
    let (server, events) = serve(c);
    let raw = send_raw(server.addr, &request("GET", "/stream", &[], b""));
    assert!(!String::from_utf8_lossy(&raw).contains(&CARD[9..]));
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].check, CheckId::Dlp);
    assert_eq!(
        (events[0].method.as_str(), events[0].path.as_str()),
        ("GET", "/stream")
    );
}
