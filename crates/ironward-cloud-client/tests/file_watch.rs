//! Hot reload of the local configuration file, on a real axum server on loopback behind the
//! tower layer: the file is rewritten while clients send requests; the new level applies to
//! the following requests, an invalid file is refused and the old level kept, and no request
//! fails or is inspected twice. Then the same with the management agent: a change from the
//! real `ironward server` and a change of the file both hold.

use crate::axum_loopback::serve_router;
use crate::seen_check::Seen;
use crate::support::{TestServer, wait_until};
use ironward_cloud_client::{
    CloudClient, CloudOptions, EngineHooks, LocalLayers, WatchOptions, watch_config,
};
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::reload::SharedEngine;
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The file's text: XSS at `xss`, flood off, loopback trusted as a proxy (so each test
/// client has its own IP in `X-Forwarded-For`).
fn file(xss: u8) -> String {
    json!({
        "SECURITY_CHECKS": {"xss": xss, "flood": 0},
        "TRUSTED_PROXIES": ["127.0.0.1/32"],
    })
    .to_string()
}

const XSS: &str = "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";

async fn serve(shared: SharedEngine) -> SocketAddr {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "hello" }))
        .layer(IronwardLayer::new(shared));
    serve_router(app).await
}

/// `GET path` from `ip`; the status.
async fn get(addr: SocketAddr, path: &str, ip: &str, id: &str) -> u16 {
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: {ip}\r\nX-Req-Id: {id}\r\n\
             Connection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let head = String::from_utf8_lossy(&out);
        head.split(' ').nth(1).unwrap().parse().unwrap()
    })
    .await
    .expect("answered in time")
}

/// Waits (polling with real requests) until `GET XSS` from fresh IPs answers `status`.
async fn until_xss(addr: SocketAddr, status: u16, tag: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for n in 0.. {
        let ip = format!("198.51.100.{}", n % 250 + 1);
        if get(addr, XSS, &ip, &format!("{tag}-{n}")).await == status {
            return;
        }
        assert!(Instant::now() < deadline, "{tag}: never {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits without blocking the runtime's threads.
async fn wait_async(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_file_applies_to_the_next_requests_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rasp.json");
    std::fs::write(&path, file(1)).unwrap();
    let seen = Arc::new(Seen::default());
    let config = Config::from_json_str(&file(1)).unwrap().config;
    let engine = Engine::builder(config)
        .add_shared_check(seen.clone())
        .build()
        .unwrap();
    let shared = SharedEngine::new(engine);
    let addr = serve(shared.clone()).await;
    let watch = watch_config(
        &path,
        shared.clone(),
        WatchOptions::new(Duration::from_millis(100)),
    )
    .unwrap();

    // Benign traffic all along: four clients until the end.
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|c| {
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let id = format!("load-{c}-{i}");
                    let status = get(addr, "/?page=2", &format!("192.0.2.{}", c + 1), &id).await;
                    statuses.push((id, status));
                    i += 1;
                }
                statuses
            })
        })
        .collect();

    assert_eq!(get(addr, XSS, "203.0.113.1", "x-0").await, 403);
    // Turned off in the file: the next requests pass.
    std::fs::write(&path, file(0)).unwrap();
    until_xss(addr, 200, "off").await;
    assert_eq!(shared.generation(), 1, "one reconfiguration for one change");
    for n in 0..3 {
        assert_eq!(
            get(addr, XSS, "203.0.113.2", &format!("after-{n}")).await,
            200
        );
    }

    // An invalid file (a level out of range), then a truncated one: refused, level kept.
    std::fs::write(&path, file(9)).unwrap();
    wait_async("the refusal", || watch.status().refused == 1).await;
    let half = file(1);
    std::fs::write(&path, &half[..half.len() / 2]).unwrap();
    wait_async("the second refusal", || watch.status().refused == 2).await;
    assert_eq!(shared.generation(), 1);
    assert_eq!(
        get(addr, XSS, "203.0.113.3", "kept").await,
        200,
        "old level kept"
    );
    let errors = watch.status().refused_config.unwrap();
    assert!(!errors.is_empty());

    // A valid write is applied again.
    std::fs::write(&path, file(1)).unwrap();
    until_xss(addr, 403, "on").await;
    assert_eq!(shared.generation(), 2);
    assert_eq!(watch.status().applied, 2);

    stop.store(true, Ordering::Relaxed);
    let mut answered = 0;
    for l in load {
        for (id, status) in l.await.unwrap() {
            assert_eq!(status, 200, "{id}");
            answered += 1;
        }
    }
    assert!(answered > 20, "the load ran ({answered} requests)");
    let seen = seen.0.lock().unwrap();
    let load_seen = seen.keys().filter(|k| k.starts_with("load-")).count();
    assert_eq!(load_seen, answered, "every request inspected");
    assert!(seen.values().all(|n| *n == 1), "none inspected twice");
    watch.stop();
}

/// With the management agent: the server's layer and the file's changes are layered together.
#[test]
fn the_agent_watches_the_file_and_keeps_the_remote_layer() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let key = server.key("shop");
    server.set("shop", &["SECURITY_CHECKS.decoy=0"]);
    let path = dir.path().join("rasp.json");
    std::fs::write(
        &path,
        json!({"SECURITY_CHECKS": {"xss": 2}, "CONFIG_RELOAD_INTERVAL": 0.1,
               "CLOUD_TIMEOUT_MS": 1000})
        .to_string(),
    )
    .unwrap();
    let local = LocalLayers::from_file(&path, Some("default".into()), None).unwrap();
    let config = local.load(None).unwrap().config;
    let shared = SharedEngine::new(Engine::new(config.clone()).unwrap());
    let hooks = Arc::new(EngineHooks::new(shared.clone(), local));
    let options = CloudOptions::new(server.connect_url(), key).with_config(&config);
    let client = CloudClient::start(options, hooks).unwrap();
    assert!(client.config_watch().is_some(), "the file is watched");
    let level = |c| shared.load().config().security_checks.level(c);
    wait_until(10, "the connect", || level(CheckId::Decoy) == Level::Off);
    std::fs::write(
        &path,
        json!({"SECURITY_CHECKS": {"xss": 0}, "CONFIG_RELOAD_INTERVAL": 0.1,
               "CLOUD_TIMEOUT_MS": 1000})
        .to_string(),
    )
    .unwrap();
    wait_until(10, "the file change", || level(CheckId::Xss) == Level::Off);
    assert_eq!(level(CheckId::Decoy), Level::Off, "the remote layer stays");
    assert_eq!(client.config_watch().unwrap().status().applied, 1);
    client.stop();
}
