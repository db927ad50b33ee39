//! The Prometheus metrics route (`METRICS_PATH`, `METRICS_ALLOW`) and the response-status
//! counter.
//!
//! A scrape is answered before any inspection (the engine's
//! [`metrics_route`](ironward_core::Engine::metrics_route) decides), and is neither inspected nor
//! counted; the inner service never sees it. Every other response the layer sends (the
//! application's or a block response) is counted by status class.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use ironward_core::Request;
use ironward_core::metrics::CONTENT_TYPE as PROMETHEUS;

use crate::body::{ResponseBody, full};
use crate::convert;
use crate::layer::Shared;

/// The metrics response when `parts` is an allowed scrape of `METRICS_PATH`.
pub(crate) fn scrape(
    shared: &Shared,
    parts: &http::request::Parts,
) -> Option<http::Response<ResponseBody>> {
    let engine = &shared.engine;
    let path = &engine.config().metrics_path;
    if path.is_empty() || parts.uri.path() != path {
        return None;
    }
    let request = Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        headers: convert::headers(&parts.headers),
        peer_ip: convert::peer_ip(&parts.extensions),
        ..Request::default()
    };
    let text = engine.metrics_route(&request)?;
    let mut res = http::Response::new(full(Bytes::from(text)));
    *res.status_mut() = StatusCode::OK;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROMETHEUS));
    convert::set_server(res.headers_mut(), shared.server.as_ref());
    Some(res)
}

/// Counts the status of a response the layer sends, and returns it.
pub(crate) fn sent(
    shared: &Shared,
    res: http::Response<ResponseBody>,
) -> http::Response<ResponseBody> {
    shared
        .engine
        .metrics()
        .record_response_status(res.status().as_u16());
    res
}
