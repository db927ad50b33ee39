//! Conversions between `http` types and the engine's borrowed request and response, and the
//! block response.

use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION, SERVER};
use http::{HeaderMap, HeaderValue, StatusCode, Version};
use ironward_core::config::BlockAction;
use ironward_core::request::{Headers, Request, Response, RouteMatch};
use ironward_core::verdict::BlockResponse;

use crate::body::{ResponseBody, full};

/// The version as the engine reports it.
pub(crate) fn version(v: Version) -> &'static str {
    match v {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// Every header, borrowed, in map order (duplicates kept).
pub(crate) fn headers(map: &HeaderMap) -> Headers<'_> {
    Headers(
        map.iter()
            .map(|(n, v)| ironward_core::request::Header {
                name: n.as_str(),
                value: v.as_bytes(),
            })
            .collect(),
    )
}

/// The TCP peer: axum's `ConnectInfo<SocketAddr>`, or a bare `SocketAddr` extension (plain
/// hyper users can insert one).
pub(crate) fn peer_ip(ext: &http::Extensions) -> Option<IpAddr> {
    if let Some(ci) = ext.get::<axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(ci.0.ip());
    }
    ext.get::<SocketAddr>().map(SocketAddr::ip)
}

/// `Matched` when axum matched a route (`MatchedPath`); otherwise `NotFound` when axum's router
/// is known to be the route table ([`IronwardLayer::axum_router`](crate::IronwardLayer::axum_router)),
/// else `Unknown`.
pub(crate) fn route(ext: &http::Extensions, axum_router: bool) -> RouteMatch {
    if ext.get::<axum::extract::MatchedPath>().is_some() {
        RouteMatch::Matched
    } else if axum_router {
        RouteMatch::NotFound
    } else {
        RouteMatch::Unknown
    }
}

/// The engine's view of a request head and its (possibly partial) buffered body.
pub(crate) fn request<'a>(
    parts: &'a http::request::Parts,
    body: &'a [u8],
    body_len: Option<u64>,
    axum_router: bool,
) -> Request<'a> {
    Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: headers(&parts.headers),
        peer_ip: peer_ip(&parts.extensions),
        version: version(parts.version),
        body,
        body_len,
        route: route(&parts.extensions, axum_router),
        accepts: &[],
    }
}

/// The engine's view of a response head, without body.
pub(crate) fn response(parts: &http::response::Parts) -> Response<'_> {
    Response {
        status: parts.status.as_u16(),
        headers: headers(&parts.headers),
        body: ironward_core::request::Body::Empty,
    }
}

/// The `Content-Length` header, when valid.
pub(crate) fn content_length(map: &HeaderMap) -> Option<u64> {
    map.get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Sets the `Server` header when the engine asks for it.
pub(crate) fn set_server(map: &mut HeaderMap, server: Option<&str>) {
    if let Some(v) = server.and_then(|s| HeaderValue::from_str(s).ok()) {
        map.insert(SERVER, v);
    }
}

/// The response sent instead of the application's: the configured status and HTML body, or a
/// redirect with `Location`.
pub(crate) fn block_response(
    block: &BlockResponse,
    server: Option<&str>,
) -> http::Response<ResponseBody> {
    let status = StatusCode::from_u16(block.status).unwrap_or(StatusCode::FORBIDDEN);
    let mut res = match block.action {
        BlockAction::Redirect => {
            let mut r = http::Response::new(full(Bytes::new()));
            if let Ok(loc) = HeaderValue::from_str(&block.content) {
                r.headers_mut().insert(LOCATION, loc);
            }
            r
        }
        BlockAction::Block => {
            let mut r = http::Response::new(full(Bytes::from(block.content.clone())));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    };
    *res.status_mut() = status;
    set_server(res.headers_mut(), server);
    res
}

/// A plain-text error response (e.g. 400 for an unreadable request body).
pub(crate) fn plain(
    status: StatusCode,
    text: &'static str,
    server: Option<&str>,
) -> http::Response<ResponseBody> {
    let mut r = http::Response::new(full(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    set_server(r.headers_mut(), server);
    r
}
