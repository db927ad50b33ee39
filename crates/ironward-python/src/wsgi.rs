//! Requests as the adapters hand them over, owned so that the engine can run with the GIL
//! released: from raw pieces (`Engine.inspect_request`) or read natively from a WSGI `environ`
//! (`Engine.inspect_wsgi`, used by Flask, Django and plain WSGI apps).
//!
//! The engine wants the path and query as on the wire. WSGI servers give the raw request
//! target in `RAW_URI` or `REQUEST_URI` (gunicorn, werkzeug); without them (Django's test
//! client, some servers) the target is rebuilt from `SCRIPT_NAME`, `PATH_INFO` (whose
//! characters are the raw bytes, PEP 3333) and `QUERY_STRING`, re-encoding only the bytes that
//! cannot appear in a path, so nothing is decoded twice.

use ironward_core::request::{Header, Headers, Request, RouteMatch, split_target};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyDict, PyString};
use std::net::IpAddr;

/// Text borrowed from Python or owned.
#[derive(Debug)]
pub(crate) enum Text {
    /// A Python string, kept alive.
    Py(PyBackedStr),
    /// An owned string.
    Own(String),
}

impl Text {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Text::Py(s) => s,
            Text::Own(s) => s,
        }
    }
}

/// A request the engine can inspect without the GIL.
#[derive(Debug)]
pub(crate) struct OwnedRequest {
    pub(crate) method: Text,
    /// The request target: path and query, or the path alone when `query` is set.
    pub(crate) target: Text,
    pub(crate) query: Option<Text>,
    pub(crate) headers: Vec<(Text, Text)>,
    pub(crate) peer: Option<IpAddr>,
    pub(crate) version: String,
    pub(crate) body: Option<PyBackedBytes>,
    pub(crate) body_len: Option<u64>,
    pub(crate) route: RouteMatch,
}

impl OwnedRequest {
    /// The path, without the query.
    pub(crate) fn path(&self) -> &str {
        match &self.query {
            Some(_) => self.target.as_str(),
            None => split_target(self.target.as_str()).0,
        }
    }

    /// Runs `f` with the engine's borrowed view of the request.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Request<'_>) -> T) -> T {
        let (path, query) = match &self.query {
            Some(q) => (self.target.as_str(), q.as_str()),
            None => split_target(self.target.as_str()),
        };
        let headers = Headers(
            self.headers
                .iter()
                .map(|(n, v)| Header::new(n.as_str(), v.as_str()))
                .collect(),
        );
        let request = Request {
            method: self.method.as_str(),
            path: if path.is_empty() { "/" } else { path },
            query,
            headers,
            peer_ip: self.peer,
            version: &self.version,
            body: self.body.as_deref().unwrap_or_default(),
            body_len: self.body_len,
            route: self.route,
            accepts: &[],
        };
        f(&request)
    }
}

/// The route code of the Python API as the engine's `RouteMatch`.
pub(crate) fn route_match(code: u8) -> RouteMatch {
    match code {
        crate::ROUTE_MATCHED => RouteMatch::Matched,
        crate::ROUTE_NOT_FOUND => RouteMatch::NotFound,
        crate::ROUTE_METHOD_NOT_ALLOWED => RouteMatch::MethodNotAllowed,
        _ => RouteMatch::Unknown,
    }
}

/// Parses a peer address as servers give it: `1.2.3.4`, `::1`, `[::1]`, `fe80::1%eth0`.
pub(crate) fn parse_peer(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    let t = t
        .strip_prefix('[')
        .and_then(|s| s.split_once(']'))
        .map_or(t, |(ip, _)| ip);
    let t = t.split_once('%').map_or(t, |(ip, _)| ip);
    t.parse().ok()
}

/// Reads a request from a WSGI environ.
///
/// The path and query are the ones the application reads: the query from `QUERY_STRING`
/// (what `request.args` and `request.GET` parse) and the path from `SCRIPT_NAME` +
/// `PATH_INFO` (what routers match). The raw target (`RAW_URI`, `REQUEST_URI`) is used only
/// where it says more: its path when it decodes to exactly `SCRIPT_NAME` + `PATH_INFO` (it
/// keeps `%2F` and the like), and its query's pairs when they are not in `QUERY_STRING`
/// (a middleware rewrote it: both are inspected, each pair once). A test client or a server
/// that leaves the query out of `REQUEST_URI` therefore cannot hide it from the engine.
pub(crate) fn from_environ(
    environ: &Bound<'_, PyDict>,
    body: Option<PyBackedBytes>,
    body_len: Option<u64>,
    route: u8,
) -> PyResult<OwnedRequest> {
    let text = |key: &str| -> PyResult<Option<PyBackedStr>> {
        match environ.get_item(key)? {
            Some(v) if v.is_instance_of::<PyString>() => Ok(Some(v.extract()?)),
            _ => Ok(None),
        }
    };
    let method = text("REQUEST_METHOD")?.map_or(Text::Own("GET".to_owned()), Text::Py);
    let raw = match text("RAW_URI")? {
        Some(r) if !r.is_empty() => Some(r),
        _ => text("REQUEST_URI")?.filter(|r| !r.is_empty()),
    };
    let raw_origin = raw.as_ref().and_then(|r| origin_form(r));
    let (raw_path, raw_query) = match (&raw_origin, &raw) {
        (Some(o), _) => split_target(o),
        (None, Some(r)) => split_target(r),
        (None, None) => ("", ""),
    };
    let script = text("SCRIPT_NAME")?;
    let path_info = text("PATH_INFO")?;
    let path = if script.is_none() && path_info.is_none() {
        // No parsed path at all (a hand-made environ): the raw one is all there is.
        if raw_path.is_empty() {
            "/".to_owned()
        } else {
            raw_path.to_owned()
        }
    } else {
        let app = wsgi_bytes(&[script.as_deref(), path_info.as_deref()]);
        if !raw_path.is_empty() && percent_decoded_eq(raw_path, &app) {
            raw_path.to_owned()
        } else {
            let mut p = String::with_capacity(app.len() + 8);
            encode_bytes(&app, PATH_KEEP, &mut p);
            if p.is_empty() {
                p.push('/');
            }
            p
        }
    };
    let query = match text("QUERY_STRING")? {
        Some(qs) => {
            let extra = !raw_query.is_empty() && raw_query != &*qs;
            if qs.is_ascii() && !extra {
                Text::Py(qs)
            } else {
                let mut q = String::with_capacity(qs.len() + raw_query.len() + 1);
                encode_bytes(&wsgi_bytes(&[Some(&qs)]), QUERY_KEEP, &mut q);
                if extra {
                    append_missing_pairs(&mut q, raw_query);
                }
                Text::Own(q)
            }
        }
        None => Text::Own(raw_query.to_owned()),
    };
    let peer = text("REMOTE_ADDR")?.and_then(|a| parse_peer(&a));
    let version = text("SERVER_PROTOCOL")?
        .map(|p| p.strip_prefix("HTTP/").unwrap_or(&p).to_owned())
        .unwrap_or_else(|| "1.1".to_owned());
    let mut headers = Vec::with_capacity(16);
    for (k, v) in environ.iter() {
        if !k.is_instance_of::<PyString>() || !v.is_instance_of::<PyString>() {
            continue;
        }
        let key: PyBackedStr = k.extract()?;
        let name = if let Some(rest) = key.strip_prefix("HTTP_") {
            header_name(rest)
        } else if &*key == "CONTENT_TYPE" {
            "content-type".to_owned()
        } else if &*key == "CONTENT_LENGTH" {
            "content-length".to_owned()
        } else {
            continue;
        };
        let value: PyBackedStr = v.extract()?;
        if value.is_empty() && !key.starts_with("HTTP_") {
            continue;
        }
        headers.push((Text::Own(name), Text::Py(value)));
    }
    Ok(OwnedRequest {
        method,
        target: Text::Own(path),
        query: Some(query),
        headers,
        peer,
        version,
        body,
        body_len,
        route: route_match(route),
    })
}

/// The bytes of WSGI strings, concatenated. PEP 3333 strings hold one byte per character
/// (`\u0000`–`\u00ff`); a framework that builds its environ from already decoded text
/// (Django under ASGI) may hold any character. The strings are taken as bytes when every
/// character is a byte and the bytes are UTF-8 (a WSGI server's), as UTF-8 text otherwise.
fn wsgi_bytes(parts: &[Option<&str>]) -> Vec<u8> {
    let len = parts.iter().flatten().map(|s| s.len()).sum();
    let mut out = Vec::with_capacity(len);
    for s in parts.iter().flatten() {
        out.extend(s.chars().map_while(|c| u8::try_from(u32::from(c)).ok()));
    }
    let all_bytes = out.len()
        == parts
            .iter()
            .flatten()
            .map(|s| s.chars().count())
            .sum::<usize>();
    if all_bytes && std::str::from_utf8(&out).is_ok() {
        return out;
    }
    out.clear();
    for s in parts.iter().flatten() {
        out.extend_from_slice(s.as_bytes());
    }
    out
}

/// True when `raw` (percent-encoded) decodes to exactly `decoded`.
fn percent_decoded_eq(raw: &str, decoded: &[u8]) -> bool {
    let b = raw.as_bytes();
    let (mut i, mut j) = (0, 0);
    while i < b.len() {
        let byte = match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                i += 3;
                (h << 4) | l
            }
            (c, _, _) => {
                i += 1;
                c
            }
        };
        if decoded.get(j) != Some(&byte) {
            return false;
        }
        j += 1;
    }
    j == decoded.len()
}

/// The value of a hexadecimal digit.
fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Appends to a query the `&`-separated pairs of `raw` it does not hold already.
fn append_missing_pairs(query: &mut String, raw: &str) {
    let present: Vec<String> = query.split('&').map(str::to_owned).collect();
    for pair in raw.split('&') {
        if pair.is_empty() || present.iter().any(|p| p == pair) {
            continue;
        }
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(pair);
    }
}

/// Bytes a rebuilt path keeps as they are (the others are percent-encoded; `%` is kept, so
/// nothing is decoded twice).
fn path_keep(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'"' | b'<' | b'>')
}

/// Bytes a rebuilt query keeps as they are.
fn query_keep(b: u8) -> bool {
    b.is_ascii_graphic() && b != b'#'
}

const PATH_KEEP: fn(u8) -> bool = path_keep;
const QUERY_KEEP: fn(u8) -> bool = query_keep;

/// `HTTP_X_FORWARDED_FOR` → `x-forwarded-for`.
fn header_name(rest: &str) -> String {
    rest.bytes()
        .map(|b| match b {
            b'_' => '-',
            b => char::from(b.to_ascii_lowercase()),
        })
        .collect()
}

/// An absolute-form target (`http://host/path?q`) reduced to its origin form (`/path?q`);
/// None when the target is already in origin form.
fn origin_form(raw: &str) -> Option<String> {
    let lower = raw
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower.starts_with("http://") {
        raw.get(7..)?
    } else if lower.starts_with("https://") {
        raw.get(8..)?
    } else {
        return None;
    };
    let start = rest.find(['/', '?']).unwrap_or(rest.len());
    let tail = rest.get(start..).unwrap_or_default();
    Some(if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    })
}

/// Appends bytes, percent-encoding those `keep` refuses (controls, spaces, non-ASCII…).
fn encode_bytes(bytes: &[u8], keep: fn(u8) -> bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers() {
        assert_eq!(parse_peer("10.0.0.1"), "10.0.0.1".parse().ok());
        assert_eq!(parse_peer("[::1]:80"), "::1".parse().ok());
        assert_eq!(parse_peer("fe80::1%eth0"), "fe80::1".parse().ok());
        assert_eq!(parse_peer("unix:/x"), None);
    }

    #[test]
    fn targets() {
        assert_eq!(origin_form("/a?b"), None);
        assert_eq!(origin_form("http://h/a?b").as_deref(), Some("/a?b"));
        assert_eq!(origin_form("HTTPS://h?x=1").as_deref(), Some("/?x=1"));
        let mut p = String::new();
        // Not UTF-8 as bytes (a lone \u{e9}): text, encoded as UTF-8.
        encode_bytes(&wsgi_bytes(&[Some("/a b/\u{e9}?/%2e")]), PATH_KEEP, &mut p);
        assert_eq!(p, "/a%20b/%C3%A9%3F/%2e");
        // UTF-8 bytes, one per character (PEP 3333): kept as bytes.
        assert_eq!(
            wsgi_bytes(&[Some("/s"), Some("/\u{c3}\u{a9}")]),
            "/s/\u{e9}".as_bytes()
        );
        assert_eq!(wsgi_bytes(&[Some("/\u{20ac}")]), "/\u{20ac}".as_bytes());
        assert_eq!(header_name("X_FORWARDED_FOR"), "x-forwarded-for");
    }

    #[test]
    fn raw_and_parsed() {
        assert!(percent_decoded_eq("/a%2Fb", b"/a/b"));
        assert!(percent_decoded_eq("/a%2", b"/a%2"));
        assert!(percent_decoded_eq("/%C3%A9", "/\u{e9}".as_bytes()));
        assert!(!percent_decoded_eq("/a/b", b"/a/b/"));
        assert!(!percent_decoded_eq("/a/../b", b"/b"));
        let mut q = "a=1&b=2".to_owned();
        append_missing_pairs(&mut q, "b=2&c=3&&a=1");
        assert_eq!(q, "a=1&b=2&c=3");
        let mut q = String::new();
        append_missing_pairs(&mut q, "x=1");
        assert_eq!(q, "x=1");
    }
}
