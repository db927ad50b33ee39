//! Input extraction: every value of a request that a detector may look at, tagged with the
//! payload location pyrasp uses (`qs_values`, `json_keys`, `cookies`…).
//!
//! Extraction borrows from the request whenever a value needs no decoding, decodes each value
//! once, adds decoded variants (deeper percent-decoding, HTML entities, backslash escapes,
//! base64, JWT segments, JSON found inside values) as separate inputs, and stops at the limits
//! of [`Limits`](crate::limits::Limits), counting what it left out in a [`LimitReport`].

pub mod charset;
pub mod content_type;
pub mod cookies;
mod dedup;
mod extract;
pub mod headers;
pub mod json;
mod location;
pub mod multipart;
pub mod path;
pub mod protobuf;
pub mod query;
pub mod referer;
mod shape;
mod xml;

pub use extract::{ExtractOptions, extract};
mod body;

pub use location::Location;
pub use shape::Shape;

use crate::decode::Transforms;
use serde::Serialize;
use std::borrow::Cow;

/// One value a detector may inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input<'a> {
    /// Where it came from.
    pub location: Location,
    /// The parameter, header, cookie or JSON key name it belongs to, when there is one.
    pub name: Option<Cow<'a, str>>,
    /// The value (already decoded once the way its transport encodes it: form decoding for
    /// query and form values, none for headers).
    pub value: Cow<'a, str>,
    /// Further decodings applied to reach this value (empty for the value as extracted).
    pub transforms: Transforms,
    /// The byte classes of `value`, computed once here so that each detector can skip, in one
    /// instruction, a value that holds none of its trigger bytes.
    pub shape: Shape,
}

/// Where a request parameter came from (for parameter-pollution analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamSource {
    /// The query string.
    Query,
    /// An `application/x-www-form-urlencoded` body.
    Form,
    /// A text field of a `multipart/form-data` body.
    Multipart,
}

/// A decoded `name=value` pair of the query string or a form body, duplicates kept in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    /// Where it came from.
    pub source: ParamSource,
    /// The decoded name.
    pub name: Cow<'a, str>,
    /// The decoded value.
    pub value: Cow<'a, str>,
}

/// An uploaded file's metadata (the content itself is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta<'a> {
    /// The form field name.
    pub field: Cow<'a, str>,
    /// The file name exactly as the client sent it (`filename*` preferred, RFC 5987-decoded).
    pub filename: Option<Cow<'a, str>>,
    /// The plain `filename` parameter when `filename*` was sent too (servers differ in which
    /// one they read, so checks look at both).
    pub raw_filename: Option<Cow<'a, str>>,
    /// The part's declared content type.
    pub content_type: Option<Cow<'a, str>>,
    /// The size of the part's content in bytes (within the inspected body).
    pub size: u64,
    /// The first bytes of the content (at most [`FILE_HEAD_BYTES`]), for content sniffing.
    pub head: &'a [u8],
}

/// How many leading bytes of an uploaded file [`FileMeta::head`] keeps.
pub const FILE_HEAD_BYTES: usize = 512;

/// The kind of body, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// No body.
    #[default]
    None,
    /// `application/json` or `+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// `text/xml`, `application/xml` or `+xml` (not parsed into inputs).
    Xml,
    /// Anything else (not parsed into inputs).
    Other,
}

/// Why a body did not parse as its declared content type (for the `format` check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyError {
    /// The declared kind.
    pub kind: BodyKind,
    /// What is wrong, in a few words.
    pub reason: String,
}

/// What extraction left out or cut because of a limit. All zero for an ordinary request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LimitReport {
    /// The body was longer than `MAX_BODY_BYTES` (or than what the adapter buffered): only a
    /// prefix was inspected.
    pub body_truncated: bool,
    /// Inputs not kept because `MAX_INPUTS` was reached (params, files and multipart parts
    /// beyond that bound are counted here too).
    pub inputs_dropped: u32,
    /// Values cut at `MAX_VALUE_LENGTH`.
    pub values_truncated: u32,
    /// JSON subtrees not walked because `MAX_JSON_DEPTH` was reached.
    pub json_depth_exceeded: u32,
    /// Values whose percent-decoding still changed after `MAX_DECODE_ROUNDS`.
    pub decode_rounds_capped: u32,
    /// Decodings not attempted because `MAX_DECODE_DEPTH` was reached.
    pub decode_depth_capped: u32,
    /// Values that had more decoded forms than `decode::MAX_VARIANTS`; the rest were not kept.
    pub decode_variants_capped: u32,
}

impl LimitReport {
    /// True when nothing was left out.
    pub fn is_clean(&self) -> bool {
        *self == LimitReport::default()
    }
}

/// Everything extracted from one request.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The inputs, in extraction order.
    pub items: Vec<Input<'a>>,
    /// Query and form parameters, decoded once, duplicates kept.
    pub params: Vec<Param<'a>>,
    /// Uploaded files.
    pub files: Vec<FileMeta<'a>>,
    /// The body kind.
    pub body_kind: BodyKind,
    /// Set when the body does not parse as its declared kind.
    pub body_error: Option<BodyError>,
    /// What limits cut.
    pub limits: LimitReport,
}

impl<'a> Inputs<'a> {
    /// The inputs found at one location.
    pub fn at(&self, location: Location) -> impl Iterator<Item = &Input<'a>> {
        self.items.iter().filter(move |i| i.location == location)
    }

    /// The inputs the injection detectors score.
    pub fn scored(&self) -> impl Iterator<Item = &Input<'a>> {
        self.items.iter().filter(|i| i.location.is_scored())
    }
}

/// Helpers shared by the extractors' tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{ExtractOptions, Inputs, Location, extract};
    use crate::limits::Limits;
    use crate::pattern::PatternSet;
    use crate::request::Request;

    /// Extracts a request with default limits and no exceptions.
    pub(crate) fn run<'a>(req: &Request<'a>) -> Inputs<'a> {
        let none = PatternSet::default();
        let opts = ExtractOptions {
            limits: Limits::default(),
            decode_b64: true,
            whitelist_headers: &none,
            exceptions: &none,
        };
        extract(req, &opts)
    }

    /// Extracts a GET with this query string.
    pub(crate) fn extract_query(query: &str) -> Inputs<'_> {
        run(&Request {
            method: "GET",
            path: "/",
            query,
            ..Request::default()
        })
    }

    /// The values at one location, in order.
    pub(crate) fn items_at<'i>(inputs: &'i Inputs<'_>, location: Location) -> Vec<&'i str> {
        inputs.at(location).map(|i| &*i.value).collect()
    }
}
