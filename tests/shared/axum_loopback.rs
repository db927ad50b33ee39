//! An axum application on a loopback port, for the tests of `ironward-tower`, `ironward-guard`
//! and `ironward-cloud-client` (included with `#[path]`): the peer address reaches the layer
//! and the handlers (`ConnectInfo`); the server runs until the test's runtime ends.

use std::net::SocketAddr;

/// Serves `app` on 127.0.0.1 at a free port; returns the address.
pub(crate) async fn serve_router(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    addr
}
