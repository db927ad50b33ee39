//! Requests over real TCP: benign traffic passes intact, attacks get the configured response,
//! monitor mode passes, DLP blocks a leaking response, the `Server` header is rewritten.

use crate::support::{CARD, request, send, send_raw, start};
use ironward_core::Config;
use ironward_core::check::CheckId;
use ironward_core::config::{BlockAction, Level};

#[test]
fn benign_get_passes_intact_with_the_server_header_rewritten() {
    let server = start(Config::default());
    let reply = send(server.addr, &request("GET", "/?page=2&sort=name", &[], b""));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "hello world");
    assert_eq!(reply.header("server"), Some("Apache"));
}

#[test]
fn json_post_body_arrives_intact() {
    let server = start(Config::default());
    let body = br#"{"name":"Ada Lovelace","tags":["math","poetry"],"n":42}"#;
    let raw = request(
        "POST",
        "/echo",
        &[("Content-Type", "application/json")],
        body,
    );
    let reply = send(server.addr, &raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, body);
    assert_eq!(
        reply.header("x-echo-content-type"),
        Some("application/json")
    );
}

/// Posts `body` with this `Content-Type` to `/echo`: the handler gets it byte for byte.
fn assert_echoed(ct: &str, body: &[u8]) {
    let server = start(Config::default());
    let reply = send(
        server.addr,
        &request("POST", "/echo", &[("Content-Type", ct)], body),
    );
    assert_eq!(reply.status, 200, "{ct}");
    assert_eq!(reply.body, body, "{ct}");
}

#[test]
fn form_post_body_arrives_intact() {
    assert_echoed(
        "application/x-www-form-urlencoded",
        b"user=ada&comment=hello+world%21&remember=on",
    );
}

#[test]
fn multipart_body_arrives_intact() {
    assert_echoed(
        "multipart/form-data; boundary=XyZ",
        b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nsome notes\r\n--XyZ--\r\n",
    );
}

#[test]
fn chunked_upload_beyond_the_cap_is_streamed_through_intact_with_body_limit_monitor() {
    let mut config = Config::default();
    config.max_body_bytes = 1024;
    config.body_limit_action = ironward_core::config::BodyLimitAction::Monitor;
    let server = start(config);
    let body: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut raw = b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.chunks(7_000) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let reply = send(server.addr, &raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), body.len());
    assert!(reply.body == body);
}

#[test]
fn decoy_path_is_blocked() {
    let server = start(Config::default());
    let reply = send(server.addr, &request("GET", "/.env", &[], b""));
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("Blocked"), "{}", reply.text());
    assert_eq!(reply.header("server"), Some("Apache"));
}

#[test]
fn command_injection_in_the_query_is_blocked() {
    let server = start(Config::default());
    let reply = send(
        server.addr,
        &request("GET", "/search?q=;cat%20/etc/passwd", &[], b""),
    );
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("Blocked"));
}

#[test]
fn command_injection_in_a_json_body_is_blocked() {
    let server = start(Config::default());
    let body = br#"{"q":";cat /etc/passwd"}"#;
    let raw = request(
        "POST",
        "/echo",
        &[("Content-Type", "application/json")],
        body,
    );
    let reply = send(server.addr, &raw);
    assert_eq!(reply.status, 403);
}

#[test]
fn log4shell_user_agent_is_blocked() {
    let server = start(Config::default());
    let raw = request("GET", "/", &[("User-Agent", "${jndi:ldap://x/a}")], b"");
    let reply = send(server.addr, &raw);
    assert_eq!(reply.status, 403);
}

#[test]
fn monitor_level_passes_and_reports() {
    let mut config = Config::default();
    config.security_checks.set(CheckId::Command, Level::Monitor);
    let server = start(config);
    let reply = send(server.addr, &request("GET", "/verdict?q=;whoami", &[], b""));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "action=monitor");
    // `/etc/passwd` also trips path traversal: monitoring one check does not hide another.
    let reply = send(
        server.addr,
        &request("GET", "/verdict?q=;cat%20/etc/passwd", &[], b""),
    );
    assert_eq!(reply.status, 403);
}

#[test]
fn monitor_level_on_every_firing_check_passes() {
    let mut config = Config::default();
    config.security_checks.set(CheckId::Command, Level::Monitor);
    config
        .security_checks
        .set(CheckId::PathTraversal, Level::Monitor);
    let server = start(config);
    let reply = send(
        server.addr,
        &request("GET", "/verdict?q=;cat%20/etc/passwd", &[], b""),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "action=monitor");
}

#[test]
fn redirect_block_action_sends_location() {
    let mut config = Config::default();
    config.block_action = BlockAction::Redirect;
    config.block_status_code = 302;
    config.block_action_content = "https://example.invalid/blocked".to_owned();
    config.security_checks.set(CheckId::Command, Level::Block);
    let server = start(config);
    let reply = send(
        server.addr,
        &request("GET", "/search?q=;cat%20/etc/passwd", &[], b""),
    );
    assert_eq!(reply.status, 302);
    assert_eq!(
        reply.header("location"),
        Some("https://example.invalid/blocked")
    );
}

#[test]
fn leaked_card_number_is_blocked_with_dlp_on() {
    let mut config = Config::default();
    config.dlp_cc_numbers = true;
    config.security_checks.set(CheckId::Dlp, Level::Block);
    let server = start(config);
    let reply = send(server.addr, &request("GET", "/card", &[], b""));
    assert_eq!(reply.status, 403);
    assert!(!reply.text().contains(CARD));
    assert_eq!(reply.header("server"), Some("Apache"));
}

#[test]
fn streamed_leak_split_across_chunks_is_cut() {
    // DLP off: the streamed body arrives whole, the card in it.
    let server = start(Config::default());
    let reply = send(server.addr, &request("GET", "/stream", &[], b""));
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains(CARD), "{}", reply.text());
    // DLP at monitor level: the finding is not blocking, the stream goes through whole.
    let mut config = Config::default();
    config.dlp_cc_numbers = true;
    config.security_checks.set(CheckId::Dlp, Level::Monitor);
    let server = start(config.clone());
    let reply = send(server.addr, &request("GET", "/stream", &[], b""));
    assert!(reply.text().contains(CARD), "{}", reply.text());
    // DLP blocking: the second chunk (which completes the card) is never sent.
    config.security_checks.set(CheckId::Dlp, Level::Block);
    let server = start(config);
    let raw = send_raw(server.addr, &request("GET", "/stream", &[], b""));
    let text = String::from_utf8_lossy(&raw);
    // actix may not have flushed the head and first chunk before the cut: the connection can
    // close with nothing sent at all. Either way the card never completes.
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 200"),
        "{text}"
    );
    assert!(!text.contains(&CARD[9..]), "{text}");
    assert!(
        !text.ends_with("0\r\n\r\n"),
        "the stream must not end normally: {text}"
    );
}

#[test]
fn leaked_card_number_passes_with_dlp_off() {
    let server = start(Config::default());
    let reply = send(server.addr, &request("GET", "/card", &[], b""));
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains(CARD));
}

#[test]
fn server_header_left_alone_when_change_server_is_off() {
    let mut config = Config::default();
    config.change_server = false;
    let server = start(config);
    let reply = send(server.addr, &request("GET", "/", &[], b""));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("server"), None);
}
