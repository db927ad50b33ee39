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
    let (target, query) = match raw {
        Some(raw) => match origin_form(&raw) {
            Some(t) => (Text::Own(t), None),
            None => (Text::Py(raw), None),
        },
        None => {
            let mut path = String::new();
            for key in ["SCRIPT_NAME", "PATH_INFO"] {
                if let Some(p) = text(key)? {
                    encode_path(&p, &mut path);
                }
            }
            if path.is_empty() {
                path.push('/');
            }
            let query = text("QUERY_STRING")?.map_or(Text::Own(String::new()), Text::Py);
            (Text::Own(path), Some(query))
        }
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
        target,
        query,
        headers,
        peer,
        version,
        body,
        body_len,
        route: route_match(route),
    })
}

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

/// Appends a WSGI path (characters = raw bytes, PEP 3333) percent-encoding what cannot be
/// in a path on the wire (controls, spaces, `?`, `#`, non-ASCII); `%` is kept as is.
fn encode_path(wsgi: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut push = |b: u8| {
        let keep = b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'"' | b'<' | b'>');
        if keep {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    };
    for c in wsgi.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => push(b),
            Err(_) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    push(b);
                }
            }
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
        encode_path("/a b/\u{e9}?/%2e", &mut p);
        assert_eq!(p, "/a%20b/%E9%3F/%2e");
        assert_eq!(header_name("X_FORWARDED_FOR"), "x-forwarded-for");
    }
}
