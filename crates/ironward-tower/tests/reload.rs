//! Hot reload through a real axum server on loopback: the configuration is replaced many
//! times under concurrent load (GETs and POSTs with bodies) and every request is inspected
//! exactly once, by one engine, and answered; the new configuration applies to the next
//! request; the blacklist carries over.

use std::net::SocketAddr;
use std::sync::Arc;

use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::reload::SharedEngine;
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;

use crate::axum_loopback::serve_router;
use crate::seen_check::Seen;
use crate::support::{app, send};

fn config(xss: Level) -> Config {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Flood, Level::Off);
    c.security_checks.set(CheckId::Xss, xss);
    c
}

async fn serve(shared: SharedEngine) -> SocketAddr {
    let app = app().layer(IronwardLayer::new(shared));
    serve_router(app).await
}

const XSS: &str = "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconfigure_under_load_drops_nothing_and_inspects_once() {
    let seen = Arc::new(Seen::default());
    let engine = Engine::builder(config(Level::BlockBlacklist))
        .add_shared_check(seen.clone())
        .build()
        .unwrap();
    let shared = SharedEngine::new(engine);
    let addr = serve(shared.clone()).await;

    // Eight clients, fifty requests each, half of them with a body, while the XSS level
    // flips between 2 and 0 twenty times.
    let clients: Vec<_> = (0..8)
        .map(|c| {
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..50 {
                    let id = format!("{c}-{i}");
                    let reply = if i % 2 == 0 {
                        send(
                            addr,
                            &format!("GET /search?page={i} HTTP/1.1\r\nX-Req-Id: {id}"),
                            b"",
                        )
                        .await
                    } else {
                        send(
                            addr,
                            &format!("POST /echo HTTP/1.1\r\nX-Req-Id: {id}"),
                            id.as_bytes(),
                        )
                        .await
                    };
                    statuses.push((id, reply.status, reply.body));
                }
                statuses
            })
        })
        .collect();
    let flipper = {
        let shared = shared.clone();
        tokio::spawn(async move {
            for n in 0..20 {
                let level = if n % 2 == 0 {
                    Level::Off
                } else {
                    Level::BlockBlacklist
                };
                let next = config(level);
                let shared = shared.clone();
                tokio::task::spawn_blocking(move || shared.reconfigure(next).unwrap())
                    .await
                    .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    let mut answered = 0;
    for c in clients {
        for (id, status, body) in c.await.unwrap() {
            assert_eq!(status, 200, "{id}");
            // A GET gets the handler's answer, a POST its own body back, whole.
            assert!(body == b"results" || body == id.as_bytes(), "{id}");
            answered += 1;
        }
    }
    flipper.await.unwrap();
    assert_eq!(answered, 400);
    assert_eq!(shared.generation(), 20);
    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 400, "every request inspected");
    assert!(seen.values().all(|n| *n == 1), "none inspected twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_request_gets_the_new_level_and_the_blacklist_stays() {
    let shared = SharedEngine::new(Engine::new(config(Level::BlockBlacklist)).unwrap());
    let addr = serve(shared.clone()).await;
    let get = |path: &str, ip: &str| format!("GET {path} HTTP/1.1\r\nX-Forwarded-For: {ip}");
    // Loopback is not a trusted proxy by default: trust it so that each test client has an IP.
    let mut c = config(Level::BlockBlacklist);
    c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    shared.reconfigure(c.clone()).unwrap();

    assert_eq!(send(addr, &get(XSS, "203.0.113.1"), b"").await.status, 403);
    // 203.0.113.1 is blacklisted now (level 2).
    assert_eq!(send(addr, &get("/", "203.0.113.1"), b"").await.status, 403);
    c.security_checks.set(CheckId::Xss, Level::Off);
    shared.reconfigure(c).unwrap();
    // The next request runs on the new engine: XSS no longer blocks…
    assert_eq!(send(addr, &get(XSS, "198.51.100.2"), b"").await.status, 200);
    // …and the blacklist carried over.
    assert_eq!(send(addr, &get("/", "203.0.113.1"), b"").await.status, 403);
    assert_eq!(send(addr, &get("/", "198.51.100.3"), b"").await.status, 200);
    // A configuration that does not build is refused; the running engine stays.
    let mut bad = config(Level::BlockBlacklist);
    bad.ignore_paths = vec!["(".into()];
    assert!(shared.reconfigure(bad).is_err());
    assert_eq!(send(addr, &get(XSS, "198.51.100.4"), b"").await.status, 200);
}
