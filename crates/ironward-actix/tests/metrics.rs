//! The metrics route on a real actix-web server: served before inspection to allowed clients
//! only, and the counters it shows follow the traffic.

use crate::metrics_route::{config, value};
use crate::support::{request, send, start};

#[test]
fn the_route_serves_the_counters_to_the_loopback() {
    let server = start(config(&["127.0.0.1/32"]));
    let addr = server.addr;
    assert_eq!(send(addr, &request("GET", "/", &[], b"")).status, 200);
    let attack = "/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E";
    assert_eq!(send(addr, &request("GET", attack, &[], b"")).status, 403);

    let scrape = send(addr, &request("GET", "/metrics", &[], b""));
    assert_eq!(scrape.status, 200);
    assert_eq!(
        scrape.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = scrape.text();
    assert_eq!(value(&text, "ironward_requests_total"), 2.0);
    assert_eq!(value(&text, "ironward_blocked_total"), 1.0);
    assert_eq!(value(&text, "ironward_responses_total{code=\"2xx\"}"), 1.0);
    assert_eq!(value(&text, "ironward_responses_total{code=\"4xx\"}"), 1.0);
    assert_eq!(
        value(
            &text,
            "ironward_inspection_duration_seconds_count{phase=\"request\"}"
        ),
        2.0
    );
    // Any other request is inspected and counted (this client is blacklisted by its attack);
    // the scrapes are not.
    assert_eq!(send(addr, &request("GET", "/nope", &[], b"")).status, 403);
    let text = send(addr, &request("GET", "/metrics", &[], b"")).text();
    assert_eq!(value(&text, "ironward_requests_total"), 3.0);
}

#[test]
fn other_clients_get_an_ordinary_request() {
    let server = start(config(&["192.0.2.0/24"]));
    let r = send(server.addr, &request("GET", "/metrics", &[], b""));
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("ironward_"));

    let mut c = config(&["192.0.2.0/24"]);
    c.trust_proxy_headers = true;
    c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let server = start(c);
    let via = [("X-Forwarded-For", "192.0.2.9")];
    let r = send(server.addr, &request("GET", "/metrics", &via, b""));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("# TYPE ironward_requests_total counter"));
}
