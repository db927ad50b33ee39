//! The framework-neutral request and response the engine inspects.
//!
//! Adapters build these from their own types without copying: every field borrows. A header
//! value is bytes, because HTTP allows non-UTF-8 header values (they are read as Latin-1, as
//! pyrasp does). The path and query are raw, as on the wire: the engine does the decoding, once,
//! so that every adapter decodes the same way.

use std::net::IpAddr;

/// One header as received: the name (any case) and the raw value bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// Header name, in any case.
    pub name: &'a str,
    /// Raw value bytes.
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// A header from a name and a textual value.
    pub fn new(name: &'a str, value: &'a str) -> Self {
        Header {
            name,
            value: value.as_bytes(),
        }
    }
}

/// The headers of a request or response, in wire order, duplicates kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers<'a>(pub Vec<Header<'a>>);

impl<'a> Headers<'a> {
    /// An empty header list.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// Appends a header.
    pub fn push(&mut self, name: &'a str, value: &'a [u8]) {
        self.0.push(Header { name, value });
    }

    /// The first value of a header, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.0
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// The first value of a header as text, if it is UTF-8.
    pub fn get_str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every value of a header, by case-insensitive name.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.0
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// Iterates over the headers in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header<'a>> {
        self.0.iter()
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for Headers<'a> {
    fn from_iter<T: IntoIterator<Item = (&'a str, &'a str)>>(iter: T) -> Self {
        Headers(iter.into_iter().map(|(n, v)| Header::new(n, v)).collect())
    }
}

/// What the adapter knows about routing, for the route and method checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RouteMatch {
    /// The adapter has no route table (the route checks do nothing).
    #[default]
    Unknown,
    /// The path matched a route and the method is allowed on it.
    Matched,
    /// The path matched a route but the method is not allowed on it.
    MethodNotAllowed,
    /// The path matched no route.
    NotFound,
}

/// An HTTP request, as the engine sees it. Every field borrows from the adapter.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The path as on the wire (percent-encoded), without the query string.
    pub path: &'a str,
    /// The raw query string, without the `?`.
    pub query: &'a str,
    /// The headers, in order.
    pub headers: Headers<'a>,
    /// The address of the TCP peer (the proxy, when there is one).
    pub peer_ip: Option<IpAddr>,
    /// The HTTP version, e.g. `1.1` (informational).
    pub version: &'a str,
    /// The buffered body: at most what the adapter chose to buffer.
    pub body: &'a [u8],
    /// The full body length when the adapter knows it and did not buffer all of it.
    pub body_len: Option<u64>,
    /// What the adapter's router said about this request.
    pub route: RouteMatch,
    /// The body content types the matched route accepts (`application/json`…); empty when the
    /// adapter does not know, which accepts any.
    pub accepts: &'a [&'a str],
}

impl<'a> Request<'a> {
    /// A request with a method and a target (`/path?query`); everything else empty.
    pub fn new(method: &'a str, target: &'a str) -> Self {
        let (path, query) = split_target(target);
        Request {
            method,
            path,
            query,
            version: "1.1",
            ..Request::default()
        }
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers<'a>) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Sets the peer address.
    pub fn with_peer(mut self, peer: IpAddr) -> Self {
        self.peer_ip = Some(peer);
        self
    }

    /// The `Content-Type` header, if it is text.
    pub fn content_type(&self) -> Option<&'a str> {
        self.headers.get_str("content-type")
    }
}

/// Splits a request target into its path and its query (without the `?`). A fragment, which a
/// client should never send, is dropped.
pub fn split_target(target: &str) -> (&str, &str) {
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    }
}

/// A response body: whole, or as the chunks of a stream seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Body<'a> {
    /// No body, or one the adapter does not inspect.
    #[default]
    Empty,
    /// The whole body.
    Full(&'a [u8]),
    /// Chunks of a streamed body, in order.
    Chunks(&'a [&'a [u8]]),
}

impl Body<'_> {
    /// Total length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Body::Empty => 0,
            Body::Full(b) => b.len(),
            Body::Chunks(c) => c.iter().map(|c| c.len()).sum(),
        }
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An HTTP response, as the engine sees it.
#[derive(Debug, Clone, Default)]
pub struct Response<'a> {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Headers<'a>,
    /// The body.
    pub body: Body<'a>,
}

impl<'a> Response<'a> {
    /// A response with a status and nothing else.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            ..Response::default()
        }
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers<'a>) -> Self {
        self.headers = headers;
        self
    }

    /// Sets a whole body.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Body::Full(body);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_split() {
        assert_eq!(split_target("/a/b?x=1&y=2"), ("/a/b", "x=1&y=2"));
        assert_eq!(split_target("/a"), ("/a", ""));
        assert_eq!(split_target("/a?"), ("/a", ""));
        assert_eq!(split_target("/a?x=1#frag"), ("/a", "x=1"));
        assert_eq!(split_target("/a?x=?y"), ("/a", "x=?y"));
    }

    #[test]
    fn headers_are_case_insensitive() {
        let h: Headers<'_> = [("Content-Type", "text/html"), ("X-A", "1"), ("x-a", "2")]
            .into_iter()
            .collect();
        assert_eq!(h.get_str("content-type"), Some("text/html"));
        assert_eq!(h.get_all("X-a").count(), 2);
        let r = Request::new("POST", "/x?q=1").with_headers(h);
        assert_eq!(r.content_type(), Some("text/html"));
        assert_eq!(r.query, "q=1");
    }

    #[test]
    fn body_lengths() {
        let chunks: [&[u8]; 2] = [b"ab", b"cde"];
        assert_eq!(Body::Chunks(&chunks).len(), 5);
        assert!(Body::Empty.is_empty());
        assert_eq!(Body::Full(b"x").len(), 1);
    }
}
