//! The JSON Lines records `scan` reads.
//!
//! - `{"text": "..."}`: one user-supplied value, inspected as query parameter `q` of `GET /`;
//! - `{"method", "path", "query", "headers", "body", "peer_ip"}`: a request (`query` and `body`
//!   raw, as on the wire; `headers` an object of strings or arrays of strings, or a list of
//!   `[name, value]` pairs; `path` may carry the query after `?`; optional `route` —
//!   `matched`, `not_found` or `method_not_allowed`, what the application's router said — and
//!   `accepts`, the body content types the route takes);
//! - `{"response": {"status", "headers", "body"}, "request": {...}}`: a response, for the
//!   outbound checks, with the request it answers (optional).
//!
//! Extra fields (such as `label`) are ignored.

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
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
}

/// Any record, before we know its kind.
#[derive(Debug, Deserialize)]
struct AnyRecord<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
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

/// Parses one line.
pub(crate) fn parse(line: &str) -> Result<Record<'_>, String> {
    let any: AnyRecord<'_> = serde_json::from_str(line).map_err(|e| e.to_string())?;
    if let Some(resp) = any.response {
        return Ok(Record::Response(resp, any.request));
    }
    if let Some(text) = any.text {
        return Ok(Record::Text(text));
    }
    if any.inline.method.is_some() || any.inline.path.is_some() {
        return Ok(Record::Request(any.inline));
    }
    Err("the record has none of \"text\", \"method\"/\"path\" or \"response\"".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
    fn errors() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"label":"benign"}"#).is_err());
        assert!(parse(r#"{"text":5}"#).is_err());
        assert!(parse(r#"{"method":"GET","peer_ip":"nope"}"#).is_err());
    }
}
