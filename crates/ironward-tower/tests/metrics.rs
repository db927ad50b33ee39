//! The metrics route on a real axum server: served before inspection to allowed clients only,
//! and the counters it shows follow the traffic.

use ironward_core::Config;

use crate::metrics_route::{config, value};
use crate::support::{send, serve};

#[tokio::test]
async fn the_route_serves_the_counters_to_the_loopback() {
    let addr = serve(config(&["127.0.0.1/32"])).await;
    assert_eq!(send(addr, "GET / HTTP/1.1", b"").await.status, 200);
    let attack = send(
        addr,
        "GET /search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E HTTP/1.1",
        b"",
    )
    .await;
    assert_eq!(attack.status, 403);

    let scrape = send(addr, "GET /metrics HTTP/1.1", b"").await;
    assert_eq!(scrape.status, 200);
    assert_eq!(
        scrape.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = scrape.text();
    // The scrape itself is neither inspected nor counted.
    assert_eq!(value(&text, "ironward_requests_total"), 2.0);
    assert_eq!(value(&text, "ironward_blocked_total"), 1.0);
    assert_eq!(value(&text, "ironward_attacks_total"), 1.0);
    let xss = "ironward_verdicts_total{check=\"xss\",action=\"block_and_blacklist\"}";
    let sqli = "ironward_verdicts_total{check=\"sqli\",action=\"block_and_blacklist\"}";
    assert_eq!(value(&text, xss) + value(&text, sqli), 1.0, "{text}");
    assert_eq!(value(&text, "ironward_responses_total{code=\"2xx\"}"), 1.0);
    assert_eq!(value(&text, "ironward_responses_total{code=\"4xx\"}"), 1.0);
    assert_eq!(
        value(
            &text,
            "ironward_inspection_duration_seconds_count{phase=\"request\"}"
        ),
        2.0
    );

    // HEAD: the same head, no body.
    let head = send(addr, "HEAD /metrics HTTP/1.1", b"").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Other methods are ordinary requests: here refused, since the attack above blacklisted
    // this client (the scrapes were served all the same: they come before the blacklist).
    assert_eq!(send(addr, "POST /metrics HTTP/1.1", b"x").await.status, 403);
}

#[tokio::test]
async fn other_clients_get_an_ordinary_request() {
    // The loopback is not allowed: /metrics is inspected and reaches the app, which has no
    // such route.
    let addr = serve(config(&["192.0.2.0/24"])).await;
    let r = send(addr, "GET /metrics HTTP/1.1", b"").await;
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("ironward_"));

    // Unless a trusted proxy forwards for an allowed client.
    let mut c = config(&["192.0.2.0/24"]);
    c.trust_proxy_headers = true;
    c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let addr = serve(c).await;
    let r = send(
        addr,
        "GET /metrics HTTP/1.1\r\nX-Forwarded-For: 192.0.2.9",
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("# TYPE ironward_requests_total counter"));
}

#[tokio::test]
async fn no_path_no_route() {
    let addr = serve(Config::default()).await;
    assert_eq!(send(addr, "GET /metrics HTTP/1.1", b"").await.status, 404);
}
