//! Conversions between `http` types and the engine's borrowed request and response, and the
//! block response (HTML or redirect; gRPC calls get a gRPC status, see [`grpc`]).

use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION, SERVER};
use http::{HeaderMap, HeaderValue, StatusCode, Version};
use ironward_core::config::BlockAction;
use ironward_core::request::{Headers, Request, Response, RouteMatch};
use ironward_core::verdict::BlockResponse;

use crate::body::{ResponseBody, full};
use crate::grpc;
use crate::layer::Shared;

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

/// Every header, borrowed, in map order (duplicates kept): one allocation, of the right size.
pub(crate) fn headers(map: &HeaderMap) -> Headers<'_> {
    let mut out = Vec::with_capacity(map.len());
    out.extend(map.iter().map(|(n, v)| ironward_core::request::Header {
        name: n.as_str(),
        value: v.as_bytes(),
    }));
    Headers(out)
}

/// The TCP peer: axum's `ConnectInfo<SocketAddr>`, tonic's `TcpConnectInfo` (feature
/// `tonic`), or a bare `SocketAddr` extension (plain hyper users can insert one).
pub(crate) fn peer_ip(ext: &http::Extensions) -> Option<IpAddr> {
    #[cfg(feature = "axum")]
    if let Some(ci) = ext.get::<axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(ci.0.ip());
    }
    #[cfg(feature = "tonic")]
    if let Some(addr) = ext
        .get::<tonic::transport::server::TcpConnectInfo>()
        .and_then(tonic::transport::server::TcpConnectInfo::remote_addr)
    {
        return Some(addr.ip());
    }
    ext.get::<SocketAddr>().map(SocketAddr::ip)
}

/// The route outcome and the accepted content types: from the user's route list when there is
/// one; else `Matched` when axum matched a route (`MatchedPath`), `NotFound` when axum's
/// router is known to be the route table
/// ([`IronwardLayer::axum_router`](crate::IronwardLayer::axum_router)), else `Unknown`.
pub(crate) fn route<'a>(
    parts: &http::request::Parts,
    shared: &'a Shared,
) -> (RouteMatch, &'a [&'static str]) {
    if let Some(routes) = &shared.routes {
        let hit = routes.lookup(parts.method.as_str(), parts.uri.path());
        return (hit.outcome, hit.accepts);
    }
    #[cfg(feature = "axum")]
    if parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .is_some()
    {
        return (RouteMatch::Matched, &[]);
    }
    if shared.axum_router {
        (RouteMatch::NotFound, &[])
    } else {
        (RouteMatch::Unknown, &[])
    }
}

/// The engine's view of a request head and its (possibly partial) buffered body.
pub(crate) fn request<'a>(
    parts: &'a http::request::Parts,
    body: &'a [u8],
    body_len: Option<u64>,
    shared: &'a Shared,
) -> Request<'a> {
    let (route, accepts) = route(parts, shared);
    Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: headers(&parts.headers),
        peer_ip: peer_ip(&parts.extensions),
        version: version(parts.version),
        body,
        body_len,
        route,
        accepts,
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

/// Sets the `Server` header when the engine asks for it (the value was validated once, when
/// the layer was applied: a clone is a reference count).
pub(crate) fn set_server(map: &mut HeaderMap, server: Option<&HeaderValue>) {
    if let Some(v) = server {
        map.insert(SERVER, v.clone());
    }
}

/// The response sent instead of the application's: the configured status and HTML body, or a
/// redirect with `Location`; for a gRPC call, the gRPC status that status maps to
/// ([`grpc::response`]).
pub(crate) fn block_response(
    block: &BlockResponse,
    server: Option<&HeaderValue>,
    grpc: bool,
) -> http::Response<ResponseBody> {
    let status = StatusCode::from_u16(block.status).unwrap_or(StatusCode::FORBIDDEN);
    if grpc {
        return grpc::response(status, &block.content, server);
    }
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

/// A plain-text error response (e.g. 400 for an unreadable request body); for a gRPC call,
/// the gRPC status it maps to.
pub(crate) fn plain(
    status: StatusCode,
    text: &'static str,
    server: Option<&HeaderValue>,
    grpc: bool,
) -> http::Response<ResponseBody> {
    if grpc {
        return grpc::response(status, text, server);
    }
    let mut r = http::Response::new(full(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    set_server(r.headers_mut(), server);
    r
}
