//! Route validation with axum's router as the route table (`IronwardLayer::axum_router`).

use std::net::SocketAddr;
use std::sync::Arc;

use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;

use crate::axum_loopback::serve_router;
use crate::support::{app, send};

async fn serve_with_routes(config: Config) -> SocketAddr {
    let engine = Arc::new(Engine::new(config).expect("valid config"));
    let app = app().layer(IronwardLayer::new(engine).axum_router());
    serve_router(app).await
}

#[tokio::test]
async fn unknown_routes_are_found_by_the_path_check() {
    let mut config = Config::default();
    config.blacklist_override = true;
    let addr = serve_with_routes(config.clone()).await;
    // Matched routes carry MatchedPath: they pass.
    let ok = send(addr, "GET / HTTP/1.1", b"").await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.text(), "hello world");
    let ok = send(addr, "GET /search?q=shoes HTTP/1.1", b"").await;
    assert_eq!(ok.status, 200);
    // An unknown route reaches the fallback without MatchedPath: the `path` check (level 1 by
    // default) blocks it, answered 404 like the application would (NATIVE_ROUTE_STATUS).
    let missing = send(addr, "GET /no-such-page HTTP/1.1", b"").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.text(), "Not Found");

    // With NATIVE_ROUTE_STATUS off, pyrasp's behaviour: the block response.
    config.native_route_status = false;
    let addr = serve_with_routes(config).await;
    let missing = send(addr, "GET /no-such-page HTTP/1.1", b"").await;
    assert_eq!(missing.status, 403);
    assert_eq!(missing.text(), "Blocked");
}

#[tokio::test]
async fn without_the_flag_unknown_routes_are_left_to_the_app() {
    let mut config = Config::default();
    config.blacklist_override = true;
    let addr = crate::support::serve(config).await;
    // The route check cannot tell: axum's own 404 (empty body) comes back.
    let missing = send(addr, "GET /no-such-page HTTP/1.1", b"").await;
    assert_eq!(missing.status, 404);
    assert_ne!(missing.text(), "Not Found");
}
