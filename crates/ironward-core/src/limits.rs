//! Engine limits, taken from the configuration once when the engine is built.
//!
//! Every bound on work per request lives here, so that a hostile request of any size or shape
//! costs a bounded amount of time and memory. What goes past a limit is counted in a
//! [`LimitReport`](crate::input::LimitReport) and reported with the verdict, never dropped
//! silently.

use crate::config::Config;

/// The limits the engine applies to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request body bytes inspected.
    pub max_body_bytes: usize,
    /// Inputs (names, values, decoded variants) kept per request.
    pub max_inputs: usize,
    /// Bytes of one value inspected.
    pub max_value_length: usize,
    /// JSON nesting depth walked.
    pub max_json_depth: usize,
    /// Percent-decoding rounds per value.
    pub max_decode_rounds: usize,
    /// Nested decodings (base64 in base64, JSON in a value…).
    pub max_decode_depth: usize,
    /// Findings kept per request.
    pub max_findings: usize,
    /// Entries in the blacklist.
    pub blacklist_max_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from_config(&Config::default())
    }
}

impl Limits {
    /// The limits of a configuration.
    pub fn from_config(c: &Config) -> Self {
        let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        Limits {
            max_body_bytes: n(c.max_body_bytes),
            max_inputs: n(c.max_inputs),
            max_value_length: n(c.max_value_length),
            max_json_depth: n(c.max_json_depth),
            max_decode_rounds: n(c.max_decode_rounds),
            max_decode_depth: n(c.max_decode_depth),
            max_findings: n(c.max_findings),
            blacklist_max_size: n(c.blacklist_max_size),
        }
    }
}
