//! Errors and warnings produced while loading a configuration.
//!
//! Loading never stops at the first problem: every layer and every key is checked and all
//! errors are returned together, each naming the layer (file name, `params`, `template`) and the
//! key, so an operator can fix a file in one pass. Bad values are shown as JSON, cut short when
//! long, so that a multi-megabyte value cannot flood a log line.

use serde_json::Value;
use std::fmt;
use std::io::Write;

/// Longest rendering of a user value (or key) inside a message, in bytes.
const MAX_SHOWN: usize = 60;

/// Something accepted but worth telling the operator: a deprecated key, an ignored value, a
/// value that was normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The key as written (empty for a warning about the whole layer).
    pub key: String,
    /// What happened and what to write instead.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

/// One problem that makes a configuration unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key as written (empty for a problem with the whole layer, such as a JSON syntax
    /// error).
    pub key: String,
    /// The layer the value came from: the file name, `params`, or `template`.
    pub layer: String,
    /// What is wrong, with the expected type or range and the bad value.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.layer.is_empty() {
            write!(f, "{}: ", self.layer)?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every error found while loading a configuration (never empty when returned by `load`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_all(.0))]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The errors, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    /// How many errors there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

fn render_all(errors: &[ConfigError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

/// A writer that keeps the first `max` bytes and then refuses more, which stops
/// `serde_json::to_writer` early on a huge value.
struct Capped {
    buf: Vec<u8>,
    max: usize,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.max.saturating_sub(self.buf.len());
        if room == 0 {
            return Err(std::io::Error::other("full"));
        }
        let n = room.min(data.len());
        self.buf
            .extend_from_slice(data.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A user value rendered as JSON for a message, cut to a readable length.
pub(crate) fn show(v: &Value) -> String {
    let mut w = Capped {
        buf: Vec::new(),
        max: MAX_SHOWN + 4,
    };
    let complete = serde_json::to_writer(&mut w, v).is_ok();
    let text = String::from_utf8_lossy(&w.buf).into_owned();
    if complete && text.len() <= MAX_SHOWN {
        text
    } else {
        format!("{}…", cut(&text, MAX_SHOWN))
    }
}

/// A user string (a key, a pattern) quoted for a message, cut to a readable length.
pub(crate) fn quote(s: &str) -> String {
    show(&Value::String(clip(s)))
}

/// A user string cut to a readable length (with `…` when cut).
pub(crate) fn clip(s: &str) -> String {
    if s.len() <= MAX_SHOWN {
        s.to_owned()
    } else {
        format!("{}…", cut(s, MAX_SHOWN))
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// The standard message for a value of the wrong type or out of range.
pub(crate) fn expected(what: &str, got: &Value) -> String {
    format!("expected {what}, got {}", show(got))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_joins_layer_key_and_message() {
        let e = ConfigError {
            key: "BLOCK_STATUS_CODE".into(),
            layer: "rasp.json".into(),
            message: expected("an integer from 100 to 599", &json!("abc")),
        };
        assert_eq!(
            e.to_string(),
            "rasp.json: BLOCK_STATUS_CODE: expected an integer from 100 to 599, got \"abc\""
        );
        let whole = ConfigError {
            key: String::new(),
            layer: "params".into(),
            message: "x".into(),
        };
        assert_eq!(whole.to_string(), "params: x");
        let all = ConfigErrors(vec![e, whole]);
        assert_eq!(all.to_string().lines().count(), 2);
        let w = ConfigWarning {
            key: "GTFO_MSG".into(),
            message: "deprecated".into(),
        };
        assert_eq!(w.to_string(), "GTFO_MSG: deprecated");
    }

    #[test]
    fn long_values_are_cut() {
        let long = json!("é".repeat(1000));
        let s = show(&long);
        assert!(s.len() < 80, "{s}");
        assert!(s.ends_with('…'));
        let big = Value::Array(vec![json!(1); 100_000]);
        assert!(show(&big).len() < 80);
        assert_eq!(show(&json!([1, 2])), "[1,2]");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert!(clip(&"x".repeat(500)).ends_with('…'));
    }
}
