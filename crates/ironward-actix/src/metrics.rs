//! The Prometheus metrics route (`METRICS_PATH`, `METRICS_ALLOW`) and the response-status
//! counter.
//!
//! A scrape is answered before the body is read or anything inspected (the engine's
//! [`metrics_route`](ironward_core::Engine::metrics_route) decides); it is neither inspected nor
//! counted, and the application never sees it. Every other response the middleware sends (the
//! application's, a block response, an error) is counted by status class.

use actix_web::HttpResponse;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use ironward_core::metrics::CONTENT_TYPE;
use ironward_core::request::Headers;
use ironward_core::{Engine, Request};

/// The metrics response when `req` is an allowed scrape of `METRICS_PATH`.
pub(crate) fn scrape(req: &ServiceRequest, engine: &Engine) -> Option<HttpResponse<BoxBody>> {
    let path = &engine.config().metrics_path;
    if path.is_empty() || req.path() != path {
        return None;
    }
    let mut headers = Headers::new();
    for (name, value) in req.headers() {
        headers.push(name.as_str(), value.as_bytes());
    }
    let request = Request {
        method: req.method().as_str(),
        path: req.path(),
        headers,
        peer_ip: req.peer_addr().map(|a| a.ip()),
        ..Request::default()
    };
    let text = engine.metrics_route(&request)?;
    let mut res = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)))
        .body(text);
    if let Some(server) = engine
        .server_header()
        .and_then(|s| HeaderValue::from_str(s).ok())
    {
        res.headers_mut().insert(header::SERVER, server);
    }
    Some(res)
}

/// Counts the status of what the middleware answers (an error by the status it renders as).
pub(crate) fn sent(engine: &Engine, out: &Result<ServiceResponse<BoxBody>, actix_web::Error>) {
    let status = match out {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    engine.metrics().record_response_status(status.as_u16());
}
