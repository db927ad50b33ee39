//! The inputs of one request, owned, as the sink checks need them for as long as the
//! application handles the request.
//!
//! The request-side pipeline borrows the request; a sink check runs later, when the handler
//! builds a query or opens a file, after the adapter's view of the request is gone. An adapter
//! therefore keeps a [`SinkRequest`] in the request's context (a `contextvars` variable in
//! Python, a task-local in Rust) and hands it to [`Engine::check_sink`](crate::Engine::check_sink).
//!
//! The values live in one string buffer with a small index entry each: two allocations per
//! request however many inputs it has.

use super::MIN_INPUT_LEN;
use crate::check::CheckId;
use crate::input::Inputs;
use crate::verdict::Finding;
use std::net::IpAddr;
use std::ops::Range;

/// One input of a [`SinkRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Its bytes in [`SinkRequest::text`].
    range: Range<u32>,
    /// Where it came from (`qs_values`, `json_values`…).
    location: &'static str,
    /// The request-side check that flagged this value, if one did (at any level).
    flagged_by: Option<CheckId>,
}

/// The user inputs of one request and what the sink checks report about it.
///
/// Built by [`Engine::inspect_request_for_sinks`](crate::Engine::inspect_request_for_sinks)
/// (or [`SinkRequest::from_inputs`]); cheap to move, `Send + Sync`, immutable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SinkRequest {
    text: String,
    entries: Vec<Entry>,
    /// User-supplied objects that carry query operators (`{"$ne": …}`), for the NoSQL sink.
    pub(crate) user_objects: Vec<serde_json::Value>,
    /// The client IP the engine settled on.
    pub client_ip: Option<IpAddr>,
    /// The request method.
    pub method: String,
    /// The request path (as received).
    pub path: String,
}

impl SinkRequest {
    /// The sink view of extracted inputs. Values shorter than [`MIN_INPUT_LEN`] bytes are left
    /// out (no detector reports them), and a value equal to the one before it (the same text
    /// found again in a decoded form) is kept once. `findings` (the request verdict's) mark the
    /// values a request-side check flagged, for events.
    pub fn from_inputs(
        inputs: &Inputs<'_>,
        findings: &[Finding],
        client_ip: Option<IpAddr>,
        method: &str,
        path: &str,
    ) -> SinkRequest {
        let kept = || {
            inputs
                .items
                .iter()
                .filter(|i| i.value.len() >= MIN_INPUT_LEN && i.value.len() <= u32::MAX as usize)
        };
        let mut text = String::with_capacity(kept().map(|i| i.value.len()).sum());
        let mut entries: Vec<Entry> = Vec::with_capacity(kept().count());
        for input in kept() {
            let value: &str = &input.value;
            if entries.last().is_some_and(|e| {
                text.get(e.range.start as usize..e.range.end as usize) == Some(value)
            }) {
                continue;
            }
            let location = input.location.as_str();
            let flagged_by = findings
                .iter()
                .find(|f| {
                    f.location == location && !f.payload.is_empty() && value.starts_with(&f.payload)
                })
                .map(|f| f.check);
            let (Ok(start), Ok(end)) = (
                u32::try_from(text.len()),
                u32::try_from(text.len() + value.len()),
            ) else {
                break;
            };
            text.push_str(value);
            entries.push(Entry {
                range: start..end,
                location,
                flagged_by,
            });
        }
        SinkRequest {
            text,
            entries,
            user_objects: Vec::new(),
            client_ip,
            method: method.to_owned(),
            path: path.to_owned(),
        }
    }

    /// A sink view of plain strings, for tools, tests and callers outside a request pipeline
    /// (every value's location is `input`).
    pub fn from_values<I, S>(values: I) -> SinkRequest
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut r = SinkRequest::default();
        for v in values {
            let v = v.as_ref();
            let (Ok(start), Ok(end)) = (
                u32::try_from(r.text.len()),
                u32::try_from(r.text.len() + v.len()),
            ) else {
                break;
            };
            r.text.push_str(v);
            r.entries.push(Entry {
                range: start..end,
                location: "input",
                flagged_by: None,
            });
        }
        r
    }

    /// Adds the user-supplied operator objects the NoSQL sink compares filters with.
    #[must_use]
    pub fn with_user_objects(mut self, objects: Vec<serde_json::Value>) -> SinkRequest {
        self.user_objects = objects;
        self
    }

    /// The input values, in extraction order; the detectors' `input_index` counts in it.
    pub fn values(&self) -> impl Iterator<Item = &str> + Clone {
        self.entries.iter().map(|e| {
            self.text
                .get(e.range.start as usize..e.range.end as usize)
                .unwrap_or("")
        })
    }

    /// The number of input values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the request has no input a sink check could find.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.user_objects.is_empty()
    }

    /// Where the input at `index` came from (`qs_values`…), `None` past the end.
    pub fn location(&self, index: usize) -> Option<&'static str> {
        self.entries.get(index).map(|e| e.location)
    }

    /// The request-side check that flagged the input at `index`, if one did.
    pub fn flagged_by(&self, index: usize) -> Option<CheckId> {
        self.entries.get(index).and_then(|e| e.flagged_by)
    }

    /// The user-supplied objects carrying query operators.
    pub fn user_objects(&self) -> &[serde_json::Value] {
        &self.user_objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::Engine;
    use crate::request::Request;

    #[test]
    fn keeps_values_with_their_locations_and_flags() {
        let req = Request::new("GET", "/s?q=%27+OR+1%3D1&x=a&n=42");
        let engine = Engine::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        let inputs = engine.extract(&req);
        let f = Finding::new(CheckId::Sqli, "qs_values", "' OR 1=1");
        let s = SinkRequest::from_inputs(&inputs, &[f], None, "GET", "/s");
        let values: Vec<&str> = s.values().collect();
        assert!(values.contains(&"' OR 1=1"), "{values:?}");
        assert!(values.contains(&"42"));
        assert!(!values.contains(&"a"), "1-byte values are left out");
        let i = values
            .iter()
            .position(|v| *v == "' OR 1=1")
            .unwrap_or(usize::MAX);
        assert_eq!(s.location(i), Some("qs_values"));
        assert_eq!(s.flagged_by(i), Some(CheckId::Sqli));
        let n = values.iter().position(|v| *v == "42").unwrap_or(usize::MAX);
        assert_eq!(s.flagged_by(n), None);
        assert_eq!(s.location(values.len()), None);
    }

    #[test]
    fn from_values() {
        let s = SinkRequest::from_values(["ab", "", "cd"]);
        assert_eq!(s.values().collect::<Vec<_>>(), ["ab", "", "cd"]);
        assert_eq!(s.len(), 3);
        assert!(!s.is_empty());
        assert!(SinkRequest::default().is_empty());
    }
}
