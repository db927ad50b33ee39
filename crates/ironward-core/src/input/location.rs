//! Where an input came from: pyrasp's payload locations, plus Ironward's `files`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The payload location of an input, as named in pyrasp's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A path segment.
    Path,
    /// A header name.
    HeadersNames,
    /// A header value (other than cookies, user agent and referer).
    HeadersValues,
    /// A cookie value (or name).
    Cookies,
    /// The `User-Agent` header.
    UserAgent,
    /// The `Referer` header and the parts of its URL.
    Referer,
    /// A query-string parameter name.
    QsVariables,
    /// A query-string parameter value.
    QsValues,
    /// A form (urlencoded or multipart text) field name.
    PostVariables,
    /// A form (urlencoded or multipart text) field value.
    PostValues,
    /// A JSON object key, at any depth (also from JSON found inside values).
    JsonKeys,
    /// A JSON scalar, at any depth (also from JSON found inside values).
    JsonValues,
    /// Uploaded file metadata: the file name and declared content type.
    Files,
    /// An MCP tool call's argument (names and scalar values at any depth), pyrasp's
    /// `mcp_values`: what a tool receives, inspected before it runs.
    McpValues,
}

impl Location {
    /// The location's name, as in events.
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::HeadersNames => "headers_names",
            Location::HeadersValues => "headers_values",
            Location::Cookies => "cookies",
            Location::UserAgent => "user_agent",
            Location::Referer => "referer",
            Location::QsVariables => "qs_variables",
            Location::QsValues => "qs_values",
            Location::PostVariables => "post_variables",
            Location::PostValues => "post_values",
            Location::JsonKeys => "json_keys",
            Location::JsonValues => "json_values",
            Location::Files => "files",
            Location::McpValues => "mcp_values",
        }
    }

    /// True for the locations that carry user-chosen values which the injection detectors
    /// (SQLi, XSS, command, traversal…) score. Header names are collected but not scored, as
    /// in pyrasp.
    pub const fn is_scored(self) -> bool {
        !matches!(self, Location::HeadersNames)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
