//! `GET /metrics` (`--metrics`): the server's own metrics ([`crate::metrics`]), then the
//! metrics of the Ironward layer that protects it (`ironward_*`, `docs/metrics.md`), in the
//! Prometheus text format 0.0.4. Only clients whose TCP peer address is in `--metrics-allow`
//! get them; everyone else, and everyone when the route is off, gets an empty 404.

use super::ApiState;
use crate::metrics::CONTENT_TYPE;
use crate::store::Store;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// `GET /metrics`.
pub(crate) async fn metrics<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Response {
    let Some(route) = &state.metrics_route else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let allowed = peer.is_some_and(|p| {
        let ip = p.0.0.ip().to_canonical();
        route.allow.iter().any(|net| net.contains(&ip))
    });
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    if state.metrics.active_due(Instant::now()) {
        let window = i64::try_from(route.active_window.as_secs()).unwrap_or(i64::MAX);
        let since = crate::now().saturating_sub(window);
        match tokio::time::timeout(state.request_timeout, state.store.active_agents(since)).await {
            Ok(Ok((agents, instances))) => state.metrics.set_active(agents, instances),
            Ok(Err(e)) => {
                crate::report(&format!("metrics: storage error: {e}"));
                state.metrics.store_error();
            }
            Err(_) => crate::report("metrics: counting active agents timed out"),
        }
    }
    let mut text = state.metrics.render(&state.limiter);
    if let Some(engine) = &state.protection {
        text.push_str(&engine.metrics_text());
    }
    let mut response = (StatusCode::OK, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}
