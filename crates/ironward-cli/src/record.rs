//! The JSON Lines records `scan` reads.
//!
//! - `{"text": "..."}`: one user-supplied value, inspected as query parameter `q` of `GET /`;
//! - `{"method", "path", "query", "headers", "body", "peer_ip"}`: a request (`query` and `body`
//!   raw, as on the wire; `headers` an object of strings or arrays of strings, or a list of
//!   `[name, value]` pairs; `path` may carry the query after `?`; optional `route` —
//!   `matched`, `not_found` or `method_not_allowed`, what the application's router said — and
//!   `accepts`, the body content types the route takes);
//! - `{"response": {"status", "headers", "body"}, "request": {...}}`: a response, for the
//!   outbound checks, with the request it answers (optional: without it, only the outbound
//!   checks run, on a clean inbound verdict).
//!
//! A request or response may give its body as `body_base64` instead of `body` (a JSON string
//! cannot carry raw bytes: a JPEG upload or a gzip body is replayed exactly that way).
//!
//! Extra fields are ignored; `label` is read only by [`parse_labelled`] (for `eval`).
//!
//! [`inspect`] turns a parsed record into the engine's request (and response) and returns the
//! verdict, so that `scan` and `eval` judge a record the same way.

use ironward_core::Engine;
use ironward_core::request::{Body, Header, Headers, Request, Response, RouteMatch, split_target};
use ironward_core::verdict::Verdict;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

/// Headers in the order they were written.
#[derive(Debug, Default)]
pub(crate) struct HeaderList(pub(crate) Vec<(String, String)>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for HeaderList {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header values or a list of [name, value] pairs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderList, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, OneOrMany>()? {
                    match value {
                        OneOrMany::One(v) => out.push((name, v)),
                        OneOrMany::Many(vs) => {
                            out.extend(vs.into_iter().map(|v| (name.clone(), v)))
                        }
                    }
                }
                Ok(HeaderList(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeaderList, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = seq.next_element::<(String, String)>()? {
                    out.push((name, value));
                }
                Ok(HeaderList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A request record (or the `request` of a response record).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RequestRecord<'a> {
    #[serde(borrow, default)]
    pub(crate) method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) query: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(crate) headers: HeaderList,
    #[serde(borrow, default)]
    pub(crate) body: Option<Cow<'a, str>>,
    /// The body as base64 (for binary bodies); wins over `body`.
    #[serde(borrow, default)]
    pub(crate) body_base64: Option<Cow<'a, str>>,
    /// `body_base64` decoded (set by [`parse_labelled`]).
    #[serde(skip)]
    pub(crate) body_bytes: Option<Vec<u8>>,
    #[serde(default)]
    pub(crate) peer_ip: Option<IpAddr>,
    /// What the application's router said: `matched`, `not_found`, `method_not_allowed`.
    #[serde(default)]
    pub(crate) route: Option<RouteRecord>,
    /// Body content types the route accepts.
    #[serde(default)]
    pub(crate) accepts: Vec<String>,
}

/// The `route` field of a request record.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RouteRecord {
    /// The path matched a route that allows the method.
    Matched,
    /// The path matched no route.
    NotFound,
    /// The path matched a route that does not allow the method.
    MethodNotAllowed,
}

/// A response record's response.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseRecord<'a> {
    pub(crate) status: u16,
    #[serde(default)]
    pub(crate) headers: HeaderList,
    #[serde(borrow, default)]
    pub(crate) body: Option<Cow<'a, str>>,
    /// The body as base64 (for binary bodies); wins over `body`.
    #[serde(borrow, default)]
    pub(crate) body_base64: Option<Cow<'a, str>>,
    /// `body_base64` decoded (set by [`parse_labelled`]).
    #[serde(skip)]
    pub(crate) body_bytes: Option<Vec<u8>>,
}

/// Decodes a `body_base64` field (standard alphabet, padding optional, blanks ignored).
fn base64_body(field: Option<&str>) -> Result<Option<Vec<u8>>, String> {
    use base64::Engine as _;
    let Some(text) = field else {
        return Ok(None);
    };
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(clean)
        .map(Some)
        .map_err(|e| format!("body_base64: {e}"))
}

/// The `label` field as written: a string, or anything else (`eval` reports the latter).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum LabelValue<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Other(IgnoredAny),
}

/// Any record, before we know its kind.
#[derive(Debug, Deserialize)]
struct AnyRecord<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    label: Option<LabelValue<'a>>,
    #[serde(borrow, default)]
    response: Option<ResponseRecord<'a>>,
    #[serde(borrow, default)]
    request: Option<RequestRecord<'a>>,
    #[serde(borrow, flatten)]
    inline: RequestRecord<'a>,
}

/// One parsed input line.
#[derive(Debug)]
pub(crate) enum Record<'a> {
    /// A lone value.
    Text(Cow<'a, str>),
    /// A request.
    Request(RequestRecord<'a>),
    /// A response, with the request it answers when given.
    Response(ResponseRecord<'a>, Option<RequestRecord<'a>>),
}

/// The `label` field of a record.
#[derive(Debug, PartialEq)]
pub(crate) enum Label<'a> {
    /// Absent or `null`.
    Missing,
    /// A string (possibly empty).
    Text(Cow<'a, str>),
    /// Present but not a string.
    NotAString,
}

/// Parses one line.
pub(crate) fn parse(line: &str) -> Result<Record<'_>, String> {
    parse_labelled(line).map(|(record, _)| record)
}

/// Parses one line, with its `label` field.
pub(crate) fn parse_labelled(line: &str) -> Result<(Record<'_>, Label<'_>), String> {
    let any: AnyRecord<'_> = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let label = match any.label {
        None => Label::Missing,
        Some(LabelValue::Text(t)) => Label::Text(t),
        Some(LabelValue::Other(_)) => Label::NotAString,
    };
    if let Some(mut resp) = any.response {
        resp.body_bytes = base64_body(resp.body_base64.as_deref())?;
        let mut request = any.request;
        if let Some(r) = request.as_mut() {
            r.body_bytes = base64_body(r.body_base64.as_deref())?;
        }
        return Ok((Record::Response(resp, request), label));
    }
    if let Some(text) = any.text {
        return Ok((Record::Text(text), label));
    }
    if any.inline.method.is_some() || any.inline.path.is_some() {
        let mut inline = any.inline;
        inline.body_bytes = base64_body(inline.body_base64.as_deref())?;
        return Ok((Record::Request(inline), label));
    }
    Err("the record has none of \"text\", \"method\"/\"path\" or \"response\"".to_owned())
}

/// Inspects one record and returns its verdict; `report` sees the request and the verdict
/// (the combined one for a response record) before it is returned.
///
/// A `{"text": …}` record becomes `GET /?q=<value>` with a `Host` header set to the first of
/// `HOSTS` (or `localhost`), so that only the value is judged. A response record's request is
/// inspected first, then the response; the verdict holds the findings of both and the stronger
/// action. The engine's state is left as the inspection made it: callers that judge records
/// independently call [`Engine::reset_state`] afterwards.
pub(crate) fn inspect(
    engine: &Engine,
    rec: &Record<'_>,
    mut report: impl FnMut(&Request<'_>, &Verdict),
) -> Verdict {
    match rec {
        Record::Text(value) => {
            let mut target = String::with_capacity(value.len() + 8);
            target.push_str("/?q=");
            target.extend(form_urlencoded::byte_serialize(value.as_bytes()));
            // A valid Host (the first of HOSTS), so that only the value is judged.
            let host = engine
                .config()
                .hosts
                .first()
                .map_or("localhost", String::as_str);
            let headers = Headers(vec![Header::new("Host", host)]);
            let request = Request::new("GET", &target).with_headers(headers);
            let verdict = engine.inspect_request(&request);
            report(&request, &verdict);
            verdict
        }
        Record::Request(r) => with_request(r, |req| {
            let verdict = engine.inspect_request(req);
            report(req, &verdict);
            verdict
        }),
        Record::Response(resp, req) => {
            let empty = RequestRecord::default();
            let given = req.is_some();
            let req = req.as_ref().unwrap_or(&empty);
            with_request(req, |request| {
                // Without a request, only the outbound checks run: the synthetic request is
                // not judged (it would fail `spoofing` with `HOSTS`, for one).
                let inbound = if given {
                    engine.inspect_request(request)
                } else {
                    Verdict::default()
                };
                let headers = headers_of(&resp.headers);
                let body = match &resp.body_bytes {
                    Some(b) => b.as_slice(),
                    None => resp.body.as_deref().unwrap_or("").as_bytes(),
                };
                let response = Response {
                    status: resp.status,
                    headers,
                    body: if body.is_empty() {
                        Body::Empty
                    } else {
                        Body::Full(body)
                    },
                };
                let mut outbound = engine.inspect_response(request, &inbound, &response);
                merge(&mut outbound, inbound);
                report(request, &outbound);
                outbound
            })
        }
    }
}

/// Folds the request's verdict into the response's: findings of both, the stronger action.
fn merge(outbound: &mut Verdict, inbound: Verdict) {
    let mut findings = inbound.findings;
    findings.append(&mut outbound.findings);
    outbound.findings = findings;
    if inbound.action > outbound.action {
        outbound.action = inbound.action;
        outbound.response = inbound.response;
    }
    outbound.limits = inbound.limits;
    outbound.internal_error = outbound.internal_error.take().or(inbound.internal_error);
}

fn headers_of(list: &HeaderList) -> Headers<'_> {
    Headers(list.0.iter().map(|(n, v)| Header::new(n, v)).collect())
}

/// Builds the engine's request from a request record and hands it to `f`.
fn with_request<T>(r: &RequestRecord<'_>, f: impl FnOnce(&Request<'_>) -> T) -> T {
    let target = r.path.as_deref().unwrap_or("/");
    let (path, target_query) = split_target(target);
    let query = r
        .query
        .as_deref()
        .map(|q| q.strip_prefix('?').unwrap_or(q))
        .unwrap_or(target_query);
    let body = match &r.body_bytes {
        Some(b) => b.as_slice(),
        None => r.body.as_deref().unwrap_or("").as_bytes(),
    };
    let accepts: Vec<&str> = r.accepts.iter().map(String::as_str).collect();
    let request = Request {
        method: r.method.as_deref().unwrap_or("GET"),
        path: if path.is_empty() { "/" } else { path },
        query,
        headers: headers_of(&r.headers),
        peer_ip: r.peer_ip,
        version: "1.1",
        body,
        body_len: None,
        route: match r.route {
            None => RouteMatch::Unknown,
            Some(RouteRecord::Matched) => RouteMatch::Matched,
            Some(RouteRecord::NotFound) => RouteMatch::NotFound,
            Some(RouteRecord::MethodNotAllowed) => RouteMatch::MethodNotAllowed,
        },
        accepts: &accepts,
    };
    f(&request)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn binary_bodies_and_response_only_records() {
        let config = ironward_core::Config {
            hosts: vec!["shop.example".into()],
            ..ironward_core::Config::default()
        };
        let engine = Engine::new(config).unwrap();
        // base64 bodies reach the engine as bytes.
        let rec = parse(
            r#"{"method":"POST","path":"/u","headers":{"content-type":"text/plain","host":"shop.example"},"body_base64":"MScgVU5JT04gU0VMRUNUIHBhc3N3b3JkIEZST00gdXNlcnMtLQ=="}"#,
        )
        .unwrap();
        let v = inspect(&engine, &rec, |_, _| {});
        assert!(v.findings.iter().any(|f| f.check.key() == "sqli"), "{v:?}");
        assert!(parse(r#"{"path":"/","body_base64":"not base64!"}"#).is_err());
        // A response alone: only the outbound checks, no `spoofing` on a synthetic request.
        let rec = parse(r#"{"response":{"status":200,"headers":{"content-type":"text/html"},"body_base64":"aGVsbG8="}}"#).unwrap();
        let v = inspect(&engine, &rec, |_, _| {});
        assert!(v.findings.is_empty(), "{v:?}");
    }

    #[test]
    fn kinds() {
        assert!(
            matches!(parse(r#"{"text":"x","label":"benign"}"#), Ok(Record::Text(t)) if t == "x")
        );
        let r = parse(r#"{"method":"GET","path":"/a","headers":{"A":"1","B":["2","3"]}}"#).unwrap();
        match r {
            Record::Request(r) => assert_eq!(r.headers.0.len(), 3),
            other => panic!("{other:?}"),
        }
        let r = parse(
            r#"{"response":{"status":200,"body":"hi"},"request":{"method":"GET","path":"/"}}"#,
        );
        assert!(matches!(r, Ok(Record::Response(_, Some(_)))));
        let r = parse(r#"{"path":"/x","headers":[["A","1"],["a","2"]]}"#).unwrap();
        assert!(matches!(r, Record::Request(r) if r.headers.0.len() == 2));
    }

    #[test]
    fn labels() {
        let (_, l) = parse_labelled(r#"{"text":"x","label":"sqli"}"#).unwrap();
        assert_eq!(l, Label::Text("sqli".into()));
        let (_, l) = parse_labelled(r#"{"text":"x"}"#).unwrap();
        assert_eq!(l, Label::Missing);
        let (_, l) = parse_labelled(r#"{"text":"x","label":null}"#).unwrap();
        assert_eq!(l, Label::Missing);
        let (_, l) = parse_labelled(r#"{"text":"x","label":{"a":[1]}}"#).unwrap();
        assert_eq!(l, Label::NotAString);
        let (r, l) = parse_labelled(r#"{"path":"/a","label":"decoy","source":"me"}"#).unwrap();
        assert!(matches!(r, Record::Request(r) if r.path.as_deref() == Some("/a")));
        assert_eq!(l, Label::Text("decoy".into()));
        // `scan` ignores labels of any type.
        assert!(parse(r#"{"text":"x","label":5}"#).is_ok());
    }

    #[test]
    fn inspect_judges_each_kind() {
        let engine = Engine::new(ironward_core::Config::default()).unwrap();
        let mut seen = 0;
        let v = inspect(&engine, &parse(r#"{"text":"hello"}"#).unwrap(), |req, _| {
            assert_eq!(req.query, "q=hello");
            seen += 1;
        });
        assert!(v.findings.is_empty());
        let v = inspect(&engine, &parse(r#"{"path":"/.env"}"#).unwrap(), |_, _| {
            seen += 1
        });
        assert!(v.is_blocked());
        let line = r#"{"response":{"status":200},"request":{"path":"/.git/HEAD"}}"#;
        let v = inspect(&engine, &parse(line).unwrap(), |_, _| seen += 1);
        assert!(v.is_blocked());
        assert_eq!(seen, 3);
    }

    #[test]
    fn errors() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"label":"benign"}"#).is_err());
        assert!(parse(r#"{"text":5}"#).is_err());
        assert!(parse(r#"{"method":"GET","peer_ip":"nope"}"#).is_err());
    }
}
