//! Plain hyper, no axum: a `tower::service_fn` handler wrapped with the layer and a user route
//! list (`IronwardLayer::routes`), served by `hyper::server::conn::http1` on loopback, the
//! client address passed as a `SocketAddr` request extension.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::event::Event;
use ironward_core::{Config, Engine};
use ironward_tower::{IronwardLayer, RequestBody, Routes};
use tokio::net::TcpListener;
use tower::{Layer, Service, ServiceExt};

use crate::support::send;

/// The application: `/` says hello, `/echo` echoes the body, anything else is the app's 404.
async fn handler(
    req: http::Request<RequestBody>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let res = match parts.uri.path() {
        "/" => http::Response::new(Full::new(Bytes::from_static(b"hello hyper"))),
        "/echo" => {
            let bytes = body
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            http::Response::new(Full::new(bytes))
        }
        _ => {
            let mut r = http::Response::new(Full::new(Bytes::from_static(b"app 404")));
            *r.status_mut() = http::StatusCode::NOT_FOUND;
            r
        }
    };
    Ok(res)
}

/// Serves the handler behind the layer; returns the address and the events reported.
async fn serve(config: Config) -> (SocketAddr, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let routes = Routes::new().route("/", &["GET"]).route_accepting(
        "/echo",
        &["POST"],
        &["application/json"],
    );
    let layer = IronwardLayer::new(Arc::new(Engine::new(config).expect("valid config")))
        .routes(routes)
        .on_event(move |e| sink.lock().expect("lock").push(e));
    let svc = layer.layer(tower::service_fn(handler));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let svc = svc.clone();
            // hyper's service: the peer as an extension, then the protected tower service.
            let hyper_svc = hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
                req.extensions_mut().insert(peer);
                svc.clone().oneshot(req)
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper_svc)
                    .await;
            });
        }
    });
    (addr, events)
}

fn config() -> Config {
    let mut c = Config::default();
    c.blacklist_override = true;
    c.security_checks.set(CheckId::Method, Level::Block);
    c
}

#[tokio::test]
async fn benign_requests_pass_with_bodies_intact() {
    let (addr, events) = serve(config()).await;
    let r = send(addr, "GET / HTTP/1.1", b"").await;
    assert_eq!((r.status, r.text().as_str()), (200, "hello hyper"));
    assert_eq!(r.header("server").as_deref(), Some("Apache"));
    let json = br#"{"item":"shoes","qty":2}"#;
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/json",
        json,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json);
    assert!(events.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn attacks_are_blocked_and_reported_with_the_peer() {
    let (addr, events) = serve(config()).await;
    let r = send(addr, "GET /?q=;cat+/etc/passwd HTTP/1.1", b"").await;
    assert_eq!((r.status, r.text().as_str()), (403, "Blocked"));
    assert_eq!(r.header("server").as_deref(), Some("Apache"));
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].source_ip.map(|ip| ip.to_string()).as_deref(),
        Some("127.0.0.1")
    );
}

#[tokio::test]
async fn the_route_list_feeds_the_path_method_and_format_checks() {
    // `format` monitors by default (protocol hygiene): set to block to see its answer.
    let mut c = config();
    c.security_checks.set(CheckId::Format, Level::Block);
    let (addr, _) = serve(c).await;
    // No route: the `path` check answers 404 before the application sees it.
    let r = send(addr, "GET /no-such-page HTTP/1.1", b"").await;
    assert_eq!((r.status, r.text().as_str()), (404, "Not Found"));
    // A known path with a method its route does not allow: the `method` check, 405.
    let r = send(addr, "DELETE / HTTP/1.1", b"").await;
    assert_eq!((r.status, r.text().as_str()), (405, "Method Not Allowed"));
    // `/echo` accepts JSON only: a form body is refused by the `format` check.
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
        b"a=1",
    )
    .await;
    assert_eq!((r.status, r.text().as_str()), (403, "Blocked"));
}

#[tokio::test]
async fn without_a_route_list_routes_are_left_to_the_app() {
    let engine = Arc::new(Engine::new(config()).expect("valid config"));
    let mut svc = IronwardLayer::new(engine).layer(tower::service_fn(handler));
    let req = http::Request::get("/no-such-page")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let res = ServiceExt::<http::Request<Full<Bytes>>>::ready(&mut svc)
        .await
        .expect("ready")
        .call(req)
        .await
        .expect("response");
    assert_eq!(res.status(), 404);
    let body = res.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(&body[..], b"app 404");
}
