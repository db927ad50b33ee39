//! Event formats: a [`Formatter`] built once from the configuration renders one
//! [`Event`] as one record, without framing or trailing newline (transports frame).
//!
//! | `LOG_FORMAT` | Shape | Country |
//! |---|---|---|
//! | `syslog` | pyrasp's own line (not an RFC syslog message) | name |
//! | `json` | pyrasp's JSON document | name |
//! | `pcb` | pyrasp's `pcb` document (no time field) | name |
//! | `rfc5424` | RFC 5424 message with structured data | ISO code |
//! | `rfc3164` | RFC 3164 (BSD) message | ISO code |
//!
//! # Frozen formats
//!
//! The byte shape of every format is **frozen** at [`FORMAT_VERSION`] and pinned by golden
//! tests (one fixed event rendered in every format, compared to exact strings). Log pipelines
//! parse these records: change a shape only with a new format version, documented in
//! `docs/logging.md`.
//!
//! # Common rules
//!
//! - Times are UTC (Ironward has no time-zone database; pyrasp used local time).
//! - The payload is standard base64 when `LOG_PAYLOAD_BASE64` is true (the default, as pyrasp);
//!   otherwise it is written in clear, escaped as the format requires: JSON escaping for the
//!   JSON documents, `\xNN` for control characters in the line formats, so that a record never
//!   contains a raw newline.
//! - DLP payloads are already the category label unless `DLP_LOG_LEAKED_DATA` (the core does
//!   that); nothing changes here.

mod json;
mod pcb;
mod pyrasp_syslog;
mod rfc3164;
mod rfc5424;

use crate::country::country_name;
use base64::Engine as _;
use ironward_core::config::{Config, LogFormat};
use ironward_core::event::Event;
use ironward_core::verdict::Action;
use std::fmt::Write as _;

/// The version of the record shapes produced by [`Formatter`]; bumped on any change.
pub const FORMAT_VERSION: u32 = 1;

/// Renders events in the configured `LOG_FORMAT`.
#[derive(Debug, Clone)]
pub struct Formatter {
    format: LogFormat,
    app_name: String,
    payload_base64: bool,
    hostname: Option<String>,
}

impl Formatter {
    /// A formatter for the configuration's `LOG_FORMAT`, `APP_NAME`, `LOG_PAYLOAD_BASE64`.
    pub fn new(config: &Config) -> Formatter {
        Formatter {
            format: config.log_format,
            app_name: config.app_name.clone(),
            payload_base64: config.log_payload_base64,
            hostname: None,
        }
    }

    /// Sets the HOSTNAME field of the RFC formats (default: `-`, the RFC 5424 nil value).
    /// It is sanitised to printable ASCII without spaces, at most 255 characters.
    #[must_use]
    pub fn with_hostname(mut self, hostname: &str) -> Formatter {
        let h = sanitize_token(hostname, 255, false);
        self.hostname = if h.is_empty() { None } else { Some(h) };
        self
    }

    /// The format in use.
    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// One event as one record (no trailing newline). `country` is the resolved country of
    /// the source IP as returned by [`crate::country::country`] (an ISO code, `Private` or
    /// `Unknown`), or `""` when resolution is off. pyrasp's formats write the country name.
    pub fn render(&self, event: &Event, country: &str) -> Vec<u8> {
        let text = match self.format {
            LogFormat::Syslog => pyrasp_syslog::render(self, event, &display_country(country)),
            LogFormat::Json => json::render(self, event, &display_country(country)),
            LogFormat::Pcb => pcb::render(self, event, &display_country(country)),
            LogFormat::Rfc5424 => rfc5424::render(self, event, country),
            LogFormat::Rfc3164 => rfc3164::render(self, event, country),
        };
        text.into_bytes()
    }

    /// The payload as shipped: base64, or the raw text (each format escapes it).
    fn payload(&self, event: &Event) -> String {
        if self.payload_base64 {
            base64::engine::general_purpose::STANDARD.encode(event.payload.as_bytes())
        } else {
            event.payload.clone()
        }
    }

    /// The HOSTNAME of the RFC formats.
    fn hostname(&self) -> &str {
        self.hostname.as_deref().unwrap_or("-")
    }
}

/// The country as pyrasp's formats write it: the English name for an ISO code, anything else
/// (`Private`, `Unknown`, `""`, an unknown code) unchanged.
fn display_country(country: &str) -> String {
    country_name(country).unwrap_or(country).to_owned()
}

/// The source IP as text, `""` when unknown.
fn ip_text(event: &Event) -> String {
    event.source_ip.map(|ip| ip.to_string()).unwrap_or_default()
}

/// A UTC date and time split from the event's RFC 3339 time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Stamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS…` (the shape of `Event::time`); the epoch when malformed.
    fn parse(time: &str) -> Stamp {
        Self::try_parse(time).unwrap_or(Stamp {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
        })
    }

    fn try_parse(time: &str) -> Option<Stamp> {
        let b = time.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            let s = time.get(r)?;
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let small = |r| num(r).and_then(|v| u8::try_from(v).ok());
        let stamp = Stamp {
            year: num(0..4)?,
            month: small(5..7)?,
            day: small(8..10)?,
            hour: small(11..13)?,
            minute: small(14..16)?,
            second: small(17..19)?,
        };
        if (1..=12).contains(&stamp.month) && (1..=31).contains(&stamp.day) {
            Some(stamp)
        } else {
            None
        }
    }

    /// pyrasp's `%Y/%m/%d %H:%M:%S`.
    fn pyrasp(self) -> String {
        format!(
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// RFC 3164's `Mmm dd hh:mm:ss` (day padded with a space).
    fn bsd(self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS
            .get(usize::from(self.month).saturating_sub(1))
            .copied()
            .unwrap_or("Jan");
        format!(
            "{month} {:>2} {:02}:{:02}:{:02}",
            self.day, self.hour, self.minute, self.second
        )
    }
}

/// Escapes text for a single-line record: `\` → `\\`, control characters (C0, DEL, C1) →
/// `\xNN` (or `\u{NNNN}` above U+00FF), and each character of `extra` → `\` + the character.
fn escape_line(s: &str, extra: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\\' || extra.contains(&c) {
            out.push('\\');
            out.push(c);
        } else {
            push_char(&mut out, c);
        }
    }
    out
}

/// Escapes control characters of console text as `\xNN` (backslashes kept as they are).
pub(crate) fn escape_console(s: &str) -> String {
    if s.chars().any(is_escaped_control) {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            push_char(&mut out, c);
        }
        out
    } else {
        s.to_owned()
    }
}

/// Control characters that never reach a record raw.
fn is_escaped_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Pushes `c`, as `\xNN` / `\u{NNNN}` when it is a control character.
fn push_char(out: &mut String, c: char) {
    if is_escaped_control(c) {
        let v = u32::from(c);
        if v <= 0xff {
            let _ = write!(out, "\\x{v:02X}");
        } else {
            let _ = write!(out, "\\u{{{v:04X}}}");
        }
    } else {
        out.push(c);
    }
}

/// Printable ASCII without spaces (RFC 5424 PRINTUSASCII), at most `max` characters; other
/// characters become `_`. With `tag_only`, only `A-Za-z0-9`, `-`, `_`, `.` are kept (RFC 3164
/// TAG). Empty input gives `""`.
fn sanitize_token(s: &str, max: usize, tag_only: bool) -> String {
    s.chars()
        .map(|c| {
            let ok = if tag_only {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
            } else {
                c.is_ascii_graphic()
            };
            if ok { c } else { '_' }
        })
        .take(max)
        .collect()
}

/// The verb of the human line for an action.
fn action_verb(action: Action) -> &'static str {
    match action {
        Action::Allow => "allowed",
        Action::Monitor => "detected",
        Action::Block => "blocked",
        Action::BlockAndBlacklist => "blocked and blacklisted",
    }
}

/// The short human line of the RFC formats: `SQL Injection blocked: qs_values -> <payload>`
/// (payload escaped for one line).
fn human_line(fmt: &Formatter, event: &Event) -> String {
    format!(
        "{} {}: {} -> {}",
        event.attack,
        action_verb(event.action),
        escape_line(event.location, &[]),
        escape_line(&fmt.payload(event), &[])
    )
}

/// RFC 5424 severity for an action: block and blacklist → warning (4), monitor → notice (5),
/// allow → informational (6).
fn severity(action: Action) -> u8 {
    match action {
        Action::Block | Action::BlockAndBlacklist => 4,
        Action::Monitor => 5,
        Action::Allow => 6,
    }
}

/// The syslog facility of the RFC formats: 13, "log audit".
const FACILITY: u8 = 13;

/// `<PRI>` for an action.
fn pri(action: Action) -> String {
    format!(
        "<{}>",
        u16::from(FACILITY) * 8 + u16::from(severity(action))
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
