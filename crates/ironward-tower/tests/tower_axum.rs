//! The layer in front of an axum router, over real TCP.

use ironward_core::Config;
use ironward_core::check::CheckId;
use ironward_core::config::Level;

use crate::support::{send, serve};

#[tokio::test]
async fn benign_get_passes_intact() {
    let addr = serve(Config::default()).await;
    let r = send(addr, "GET /search?q=shoes&page=2 HTTP/1.1", b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "results");
}

#[tokio::test]
async fn json_body_reaches_handler_intact() {
    let addr = serve(Config::default()).await;
    let body = br#"{"name":"Ada","tags":["a","b"],"n":42}"#;
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/json",
        body,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, body);
}

#[tokio::test]
async fn form_body_reaches_handler_intact() {
    let addr = serve(Config::default()).await;
    let body = b"user=ada&comment=hello+there%21";
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
        body,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, body);
}

#[tokio::test]
async fn decoy_path_is_blocked() {
    let addr = serve(Config::default()).await;
    let r = send(addr, "GET /.env HTTP/1.1", b"").await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Blocked"), "{}", r.text());
}

#[tokio::test]
async fn command_injection_in_query_is_blocked() {
    let addr = serve(Config::default()).await;
    let r = send(addr, "GET /search?q=;cat%20/etc/passwd HTTP/1.1", b"").await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn header_attack_is_blocked() {
    let addr = serve(Config::default()).await;
    let r = send(
        addr,
        "GET / HTTP/1.1\r\nUser-Agent: ${jndi:ldap://x/a}",
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn attack_in_body_is_blocked() {
    let addr = serve(Config::default()).await;
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
        b"cmd=;cat /etc/passwd",
    )
    .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn monitor_level_passes() {
    let mut config = Config::default();
    config.security_checks.set(CheckId::Command, Level::Monitor);
    config
        .security_checks
        .set(CheckId::PathTraversal, Level::Monitor);
    let addr = serve(config).await;
    let r = send(addr, "GET /search?q=;cat%20/etc/passwd HTTP/1.1", b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "results");
}

#[tokio::test]
async fn leaked_card_number_is_blocked() {
    let mut config = Config::default();
    config.security_checks.set(CheckId::Dlp, Level::Block);
    config.dlp_cc_numbers = true;
    let addr = serve(config).await;
    let r = send(addr, "GET /leak HTTP/1.1", b"").await;
    assert_ne!(r.status, 200, "{r:?}");
    assert!(!r.text().contains("4111"), "{r:?}");
}

#[tokio::test]
async fn server_header_is_rewritten() {
    let mut config = Config::default();
    config.change_server = true;
    config.server_header = "Apache".to_owned();
    let addr = serve(config).await;
    let r = send(addr, "GET / HTTP/1.1", b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("server").as_deref(), Some("Apache"));
    let blocked = send(addr, "GET /.env HTTP/1.1", b"").await;
    assert_eq!(blocked.header("server").as_deref(), Some("Apache"));
}

#[tokio::test]
async fn body_over_the_cap_reaches_handler_intact_with_body_limit_monitor() {
    // BODY_LIMIT_ACTION=monitor: the first MAX_BODY_BYTES are inspected, the rest streams
    // through (the default, block, answers 413: see differential.rs).
    let mut config = Config::default();
    config.max_body_bytes = 1024;
    config.body_limit_action = ironward_core::config::BodyLimitAction::Monitor;
    let addr = serve(config).await;
    let body: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/octet-stream",
        &body,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), body.len());
    assert_eq!(r.body, body);
}
