//! gRPC calls (tonic and other gRPC servers behind the layer): a blocked call is answered the
//! gRPC way, not with the HTML block page.
//!
//! A gRPC client reads any response body as length-prefixed messages: the HTML block page
//! (`Blocked`) would be misread as a frame (tonic reports `Internal: invalid compression
//! flag`). So a request whose `Content-Type` is `application/grpc…` gets a trailers-only
//! response instead: HTTP 200, `content-type: application/grpc`, no body, and `grpc-status`
//! mapped from the configured block status as gRPC's HTTP-to-gRPC table does (403 →
//! `PERMISSION_DENIED`, 404 → `UNIMPLEMENTED`, 401 → `UNAUTHENTICATED`, 413 (a body over
//! `MAX_BODY_BYTES`) → `RESOURCE_EXHAUSTED`, 429/502/503/504 →
//! `UNAVAILABLE`, 400 → `INTERNAL`, anything else → `UNKNOWN`), with the block content as
//! `grpc-message` (percent-encoded as the protocol requires).

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::body::{ResponseBody, full};
use crate::convert::set_server;

/// `grpc-status`.
const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
/// `grpc-message`.
const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");
/// The longest `grpc-message` sent, in bytes of the text before encoding.
const MAX_MESSAGE: usize = 512;

/// True when the request is a gRPC call (`application/grpc`, `application/grpc+proto`,
/// `application/grpc-web`…).
pub(crate) fn is_grpc(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .get(..16)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"application/grpc"))
    })
}

/// The gRPC status code for an HTTP status, per gRPC's HTTP-to-gRPC mapping; 413 (a body over
/// `MAX_BODY_BYTES`, `BODY_LIMIT_ACTION=block`) is `RESOURCE_EXHAUSTED`, what gRPC servers
/// answer a message over their size limit.
pub(crate) fn code(status: StatusCode) -> u8 {
    match status.as_u16() {
        400 => 13,             // INTERNAL
        401 => 16,             // UNAUTHENTICATED
        403 => 7,              // PERMISSION_DENIED
        404 => 12,             // UNIMPLEMENTED
        413 => 8,              // RESOURCE_EXHAUSTED: a body over MAX_BODY_BYTES
        429 | 502..=504 => 14, // UNAVAILABLE
        _ => 2,                // UNKNOWN
    }
}

/// `grpc-message`: the text (cut to [`MAX_MESSAGE`] bytes at a character boundary) with
/// every byte outside printable ASCII, and `%`, percent-encoded.
fn message(text: &str) -> HeaderValue {
    let mut end = text.len().min(MAX_MESSAGE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end);
    for &b in &text.as_bytes()[..end] {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The trailers-only response for a blocked gRPC call (or one the layer could not serve).
pub(crate) fn response(
    status: StatusCode,
    text: &str,
    server: Option<&HeaderValue>,
) -> http::Response<ResponseBody> {
    let mut r = http::Response::new(full(Bytes::new()));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    h.insert(GRPC_STATUS, HeaderValue::from(u16::from(code(status))));
    h.insert(GRPC_MESSAGE, message(text));
    set_server(h, server);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_requests_are_recognised_by_their_content_type() {
        let mut h = HeaderMap::new();
        assert!(!is_grpc(&h));
        for (ct, want) in [
            ("application/grpc", true),
            ("application/grpc+proto", true),
            ("Application/GRPC-web", true),
            ("application/json", false),
            ("application/grp", false),
        ] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
            assert_eq!(is_grpc(&h), want, "{ct}");
        }
    }

    #[test]
    fn http_statuses_map_to_grpc_codes() {
        let code = |s: u16| code(StatusCode::from_u16(s).unwrap_or_default());
        assert_eq!(code(403), 7);
        assert_eq!(code(404), 12);
        assert_eq!(code(413), 8);
        assert_eq!(code(405), 2);
        assert_eq!(code(401), 16);
        assert_eq!(code(400), 13);
        assert_eq!(code(429), 14);
        assert_eq!(code(503), 14);
        assert_eq!(code(302), 2);
    }

    #[test]
    fn the_block_response_is_trailers_only() {
        let r = response(StatusCode::FORBIDDEN, "Blocké 100%\n", None);
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        assert_eq!(
            h.get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/grpc"[..])
        );
        assert_eq!(h.get("grpc-status").map(|v| v.as_bytes()), Some(&b"7"[..]));
        assert_eq!(
            h.get("grpc-message").map(|v| v.as_bytes()),
            Some(&b"Block%C3%A9 100%25%0A"[..])
        );
        let long = "é".repeat(MAX_MESSAGE);
        let v = message(&long);
        assert_eq!(v.len(), MAX_MESSAGE / 2 * 6);
    }
}
