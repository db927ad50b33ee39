//! The extraction entry point, [`extract`], and the sink every extractor writes into.
//!
//! [`extract`] walks the request once: the path, the query string, the headers (cookies, user
//! agent and referer each with their own splitter) and the body, parsed only as the kind its
//! `Content-Type` declares. Every value goes through one sink, which is where the rules that
//! must hold for all locations live, so that no extractor can forget one:
//!
//! - values matching `EXCEPTIONS` are dropped, with everything decoded from them;
//! - a value longer than `max_value_length` is cut at a char boundary (still borrowed);
//! - a `(location, value)` pair already extracted is not added again;
//! - after `max_inputs` inputs, nothing is added or decoded any more, only counted;
//! - each kept value gets its decoded variants ([`decode::variants`]) and, when it holds a JSON
//!   object or array, that JSON's keys and values, all bounded by the decode limits.
//!
//! Nothing that a limit cuts is silent: it is counted in [`LimitReport`](super::LimitReport).

use super::charset::Charset;
use super::dedup::DedupIndex;
use super::{FileMeta, Input, Inputs, Location, Param, Shape};
use super::{headers, json, path, query};
use crate::decode::{self, DecodeOptions, DecodeStats, Transforms};
use crate::limits::Limits;
use crate::pattern::PatternSet;
use crate::request::Request;
use std::borrow::Cow;

/// Options for [`extract`].
#[derive(Debug, Clone, Copy)]
pub struct ExtractOptions<'c> {
    /// Engine limits.
    pub limits: Limits,
    /// `DECODE_B64`: also try base64 decodings of values.
    pub decode_b64: bool,
    /// Header names (lowercase) excluded from inspection entirely (`WHITELIST_HEADERS`).
    pub whitelist_headers: &'c PatternSet,
    /// Values never inspected, dropped from every location (`EXCEPTIONS`).
    pub exceptions: &'c PatternSet,
}

/// Extracts every inspectable value of a request, borrowing from it wherever a value needs no
/// decoding. Never panics, whatever the bytes; the work is bounded by `opts.limits`.
pub fn extract<'a>(req: &Request<'a>, opts: &ExtractOptions<'_>) -> Inputs<'a> {
    let mut sink = Sink::new(opts);
    path::extract(&mut sink, req.path);
    query::extract(&mut sink, req.query.as_bytes(), super::ParamSource::Query);
    if !req.query.is_empty() {
        query_in_charset(&mut sink, req);
    }
    headers::extract(&mut sink, &req.headers, opts.whitelist_headers);
    // A body holds about one input per 16 bytes: reserve once rather than grow and copy.
    let room = sink.limits.max_inputs.saturating_sub(sink.out.items.len());
    let expected = req.body.len().min(sink.limits.max_body_bytes) / 16;
    sink.out.items.reserve(expected.min(room));
    super::body::extract(&mut sink, req);
    sink.finish()
}

/// Django decodes the query string with the request's declared `charset`: with a non-UTF-8
/// one, the query's values are read that way too.
fn query_in_charset(sink: &mut Sink<'_, '_>, req: &Request<'_>) {
    let Some(ct) = req.headers.get("content-type") else {
        return;
    };
    let ct = headers::latin1(ct);
    let Some(cs) = super::content_type::parse(&ct).charset.map(Charset::lookup) else {
        return;
    };
    if !cs.is_utf8() && cs != Charset::Unknown {
        super::body::pairs_in_charset(sink, req.query, cs, Location::QsValues);
    }
}

/// Below this many inputs, duplicates are found by a linear scan; above, through a hash index.
const LINEAR_DEDUP: usize = 24;

/// The bytes a percent, HTML-entity or backslash escape starts with.
const ESCAPES: Shape = Shape::of_bytes(b"%&\\");

/// What a JSON object or array opens with.
const JSON_OPENERS: Shape = Shape::of_bytes(b"{[");

/// False when no decoder of [`decode::variants`] can change a value of this shape and length:
/// no escape, and no base64 candidate (plain base64 holds a capital, a `data:` URI a `:`, a JWT
/// its `.` separators, and all are at least [`decode::base64::MIN_CANDIDATE_LEN`] long).
/// Most values (`sport`, `42`, prose) are thus left without a call.
fn may_decode(shape: Shape, len: usize, base64: bool) -> bool {
    shape.any(ESCAPES)
        || (base64
            && len >= decode::base64::MIN_CANDIDATE_LEN
            && shape.any(Shape::UPPER.union(Shape::of_bytes(b":."))))
}

/// A hard cap on nested JSON-in-value parsing, whatever `max_decode_depth` says, to bound the
/// stack.
const MAX_JSON_IN_VALUE_DEPTH: usize = 8;

/// Where every extractor puts what it finds; enforces exceptions, truncation, deduplication
/// and the input cap, and adds decoded variants.
pub(crate) struct Sink<'a, 'o> {
    /// The result being built.
    pub(crate) out: Inputs<'a>,
    /// The limits.
    pub(crate) limits: Limits,
    exceptions: Option<&'o PatternSet>,
    dopts: DecodeOptions,
    stats: DecodeStats,
    index: Option<DedupIndex>,
}

/// A point to roll the sink back to when a parse fails halfway.
pub(crate) struct Mark {
    items: usize,
    report: super::LimitReport,
    stats: DecodeStats,
}

impl<'a, 'o> Sink<'a, 'o> {
    /// An empty sink.
    pub(crate) fn new(opts: &'o ExtractOptions<'_>) -> Self {
        let l = opts.limits;
        Sink {
            out: Inputs {
                items: Vec::with_capacity(l.max_inputs.min(32)),
                ..Inputs::default()
            },
            limits: l,
            exceptions: (!opts.exceptions.is_empty()).then_some(opts.exceptions),
            dopts: DecodeOptions {
                max_rounds: l.max_decode_rounds,
                max_depth: l.max_decode_depth,
                base64: opts.decode_b64,
                max_len: l.max_value_length,
            },
            stats: DecodeStats::default(),
            index: None,
        }
    }

    /// The finished result, with the decode statistics added to the limit report.
    pub(crate) fn finish(mut self) -> Inputs<'a> {
        let l = &mut self.out.limits;
        l.decode_rounds_capped = l
            .decode_rounds_capped
            .saturating_add(self.stats.rounds_capped);
        l.decode_depth_capped = l
            .decode_depth_capped
            .saturating_add(self.stats.depth_capped);
        l.decode_variants_capped = l
            .decode_variants_capped
            .saturating_add(self.stats.variants_capped);
        self.out
    }

    /// True when no more inputs can be added.
    pub(crate) fn full(&self) -> bool {
        self.out.items.len() >= self.limits.max_inputs
    }

    /// Counts `n` inputs left out because of the cap.
    pub(crate) fn dropped(&mut self, n: u32) {
        let d = &mut self.out.limits.inputs_dropped;
        *d = d.saturating_add(n);
    }

    /// Records a query or form parameter (bounded by `max_inputs`).
    pub(crate) fn param(&mut self, p: Param<'a>) {
        if self.out.params.len() < self.limits.max_inputs {
            self.out.params.push(p);
        } else {
            self.dropped(1);
        }
    }

    /// Records an uploaded file (bounded by `max_inputs`).
    pub(crate) fn file(&mut self, f: FileMeta<'a>) {
        if self.out.files.len() < self.limits.max_inputs {
            self.out.files.push(f);
        } else {
            self.dropped(1);
        }
    }

    /// Adds a value with its decoded variants and the JSON found in it. `depth` is the number
    /// of JSON-in-value decodings that led to it (0 for a value read from the request).
    pub(crate) fn value(
        &mut self,
        location: Location,
        name: Option<Cow<'a, str>>,
        value: Cow<'a, str>,
        transforms: Transforms,
        depth: usize,
    ) {
        if value.is_empty() {
            return;
        }
        let Some(idx) = self.plain(location, name, value, transforms) else {
            return;
        };
        self.expand(idx, depth);
    }

    /// Adds one value as is: no variants. Returns its index when it was added.
    pub(crate) fn plain(
        &mut self,
        location: Location,
        name: Option<Cow<'a, str>>,
        value: Cow<'a, str>,
        mut transforms: Transforms,
    ) -> Option<usize> {
        if self.exceptions.is_some_and(|e| e.is_match(&value)) {
            return None;
        }
        if self.full() {
            self.dropped(1);
            return None;
        }
        let max = self.limits.max_value_length;
        let mut cut = false;
        let value = if value.len() > max {
            cut = true;
            transforms |= Transforms::TRUNCATED;
            let at = value.floor_char_boundary(max);
            match value {
                Cow::Borrowed(s) => Cow::Borrowed(s.get(..at).unwrap_or("")),
                Cow::Owned(mut s) => {
                    s.truncate(at);
                    Cow::Owned(s)
                }
            }
        } else {
            value
        };
        let shape = Shape::of(&value);
        let hash = self.duplicate_check(location, shape, &value)?;
        if cut {
            let t = &mut self.out.limits.values_truncated;
            *t = t.saturating_add(1);
        }
        let idx = self.out.items.len();
        self.out.items.push(Input {
            location,
            name,
            value,
            transforms,
            shape,
        });
        if let (Some(index), Some(h)) = (self.index.as_mut(), hash) {
            index.insert(&self.out.items, h, idx);
        }
        Some(idx)
    }

    /// `None` when `(location, value)` is already there; otherwise `Some` with the value's hash
    /// when the hash index is in use.
    fn duplicate_check(
        &mut self,
        location: Location,
        shape: Shape,
        value: &str,
    ) -> Option<Option<u64>> {
        let items = &self.out.items;
        if items.len() < LINEAR_DEDUP {
            // Location and shape first: most pairs differ there, without touching the bytes.
            let dup = items
                .iter()
                .any(|i| i.location == location && i.shape == shape && *i.value == *value);
            return if dup { None } else { Some(None) };
        }
        let index = self.index.get_or_insert_with(|| DedupIndex::new(items));
        let h = index.hash(location, value);
        if index.find(items, h, location, value) {
            None
        } else {
            Some(Some(h))
        }
    }

    /// Adds the decoded variants of the input at `idx` and the JSON found in it and in them.
    fn expand(&mut self, idx: usize, depth: usize) {
        if self.full() {
            return;
        }
        let mut found: Vec<(String, Transforms)> = Vec::new();
        let Some(item) = self.out.items.get(idx) else {
            return;
        };
        let (location, tf) = (item.location, item.transforms);
        if may_decode(item.shape, item.value.len(), self.dopts.base64) {
            decode::variants(&item.value, &self.dopts, &mut self.stats, &mut |s, t| {
                found.push((s, t));
            });
        }
        self.json_in(idx, depth);
        for (s, t) in found {
            let name = self.out.items.get(idx).and_then(|i| i.name.clone());
            if let Some(j) = self.plain(location, name, Cow::Owned(s), tf | t) {
                self.json_in(j, depth);
            }
        }
    }

    /// Walks the JSON object or array held by the input at `idx`, if it holds one.
    fn json_in(&mut self, idx: usize, depth: usize) {
        let Some(item) = self.out.items.get(idx) else {
            return;
        };
        if item.transforms.contains(Transforms::TRUNCATED)
            || !item.shape.any(JSON_OPENERS)
            || !json::looks_like_json(&item.value)
        {
            return;
        }
        if depth >= self.limits.max_decode_depth.min(MAX_JSON_IN_VALUE_DEPTH) {
            let c = &mut self.out.limits.decode_depth_capped;
            *c = c.saturating_add(1);
            return;
        }
        let tf = item.transforms | Transforms::JSON;
        let name = item.name.clone();
        match &item.value {
            Cow::Borrowed(s) => {
                let s: &'a str = s;
                json::in_borrowed(self, s, name, tf, depth + 1);
            }
            Cow::Owned(s) => {
                let s = s.clone();
                json::in_owned(self, &s, name, tf, depth + 1);
            }
        }
    }

    /// A point to roll back to.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            items: self.out.items.len(),
            report: self.out.limits,
            stats: self.stats,
        }
    }

    /// Forgets everything added since `mark` (a parse failed halfway).
    pub(crate) fn rollback(&mut self, mark: Mark) {
        if self.out.items.len() != mark.items {
            self.out.items.truncate(mark.items);
            self.index = None;
        }
        let truncated = self.out.limits.body_truncated;
        self.out.limits = mark.report;
        self.out.limits.body_truncated = truncated;
        self.stats = mark.stats;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "extract_tests.rs"]
mod tests;
