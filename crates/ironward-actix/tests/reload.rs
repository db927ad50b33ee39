//! Hot reload through a real actix-web server on loopback (two workers): the configuration is
//! replaced many times under concurrent load and every request is inspected exactly once and
//! answered; the new configuration applies to the next request; the blacklist carries over.

use crate::seen_check::Seen;
use crate::support::{Server, request, send, serve};
use actix_web::App;
use actix_web::web::{self, Bytes};
use ironward_actix::Ironward;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::reload::SharedEngine;
use ironward_core::{Config, Engine};
use std::sync::Arc;
use std::thread;

fn config(xss: Level) -> Config {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Flood, Level::Off);
    c.security_checks.set(CheckId::Xss, xss);
    c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    c
}

/// Serves `/search` and `/echo` behind the middleware on two workers; stopped on drop.
fn start(shared: SharedEngine) -> Server {
    serve(2, move || {
        App::new()
            .wrap(Ironward::new(shared.clone()))
            .route("/search", web::get().to(|| async { "results" }))
            .route("/echo", web::post().to(|body: Bytes| async move { body }))
    })
}

const XSS: &str = "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";

#[test]
fn reconfigure_under_load_drops_nothing_and_inspects_once() {
    let seen = Arc::new(Seen::default());
    let engine = Engine::builder(config(Level::BlockBlacklist))
        .add_shared_check(seen.clone())
        .build()
        .unwrap();
    let shared = SharedEngine::new(engine);
    let server = start(shared.clone());
    let addr = server.addr;
    let clients: Vec<_> = (0..6)
        .map(|c| {
            thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let id = format!("{c}-{i}");
                        let h = [("X-Req-Id", id.as_str())];
                        let reply = if i % 2 == 0 {
                            send(addr, &request("GET", &format!("/search?p={i}"), &h, b""))
                        } else {
                            send(addr, &request("POST", "/echo", &h, id.as_bytes()))
                        };
                        (id, reply.status, reply.body)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for n in 0..20 {
        let level = if n % 2 == 0 {
            Level::Off
        } else {
            Level::BlockBlacklist
        };
        shared.reconfigure(config(level)).unwrap();
        thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut answered = 0;
    for c in clients {
        for (id, status, body) in c.join().unwrap() {
            assert_eq!(status, 200, "{id}");
            assert!(body == b"results" || body == id.as_bytes(), "{id}");
            answered += 1;
        }
    }
    assert_eq!(answered, 240);
    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 240, "every request inspected");
    assert!(seen.values().all(|n| *n == 1), "none inspected twice");
}

#[test]
fn the_next_request_gets_the_new_level_and_the_blacklist_stays() {
    let shared = SharedEngine::new(Engine::new(config(Level::BlockBlacklist)).unwrap());
    let server = start(shared.clone());
    let get = |path: &str, ip: &str| {
        send(
            server.addr,
            &request("GET", path, &[("X-Forwarded-For", ip)], b""),
        )
        .status
    };
    assert_eq!(get(XSS, "203.0.113.1"), 403);
    assert_eq!(get("/search", "203.0.113.1"), 403, "blacklisted (level 2)");
    shared.reconfigure(config(Level::Off)).unwrap();
    assert_eq!(
        get(XSS, "198.51.100.2"),
        200,
        "the new level, from the next request"
    );
    assert_eq!(
        get("/search", "203.0.113.1"),
        403,
        "the blacklist carried over"
    );
    assert_eq!(get("/search", "198.51.100.3"), 200);
}
