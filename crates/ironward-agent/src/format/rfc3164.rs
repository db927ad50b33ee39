//! `LOG_FORMAT=rfc3164`: an RFC 3164 (BSD) message:
//!
//! `<108>Nov 18 11:06:40 - Web_Server: SQL Injection blocked and blacklisted: qs_values -> JyBvciAxPTEgLS0= check=sqli level=2 ip=8.8.8.8 country=US codes=T1190,PCB006,IW006 path=/search`
//!
//! - PRI as RFC 5424 (facility 13; warning for block, notice for monitor).
//! - TIMESTAMP `Mmm dd hh:mm:ss` in UTC (day padded with a space; RFC 3164 has no year).
//! - HOSTNAME: `-` unless set with [`Formatter::with_hostname`].
//! - TAG: `APP_NAME` with characters other than `A-Za-z0-9-_.` turned into `_`, at most 32,
//!   `ironward` when empty.
//! - MSG: the human line, then `key=value` pairs (values escaped for one line; `ip` and
//!   `country` omitted when unknown). Records are not cut to RFC 3164's 1024 bytes.

use super::{Formatter, Stamp, escape_line, human_line, ip_text, pri, sanitize_token};
use ironward_core::event::Event;
use std::fmt::Write as _;

/// Renders the message.
pub(super) fn render(fmt: &Formatter, event: &Event, country: &str) -> String {
    let tag = sanitize_token(&fmt.app_name, 32, true);
    let tag = if tag.is_empty() {
        "ironward".to_owned()
    } else {
        tag
    };
    let mut msg = human_line(fmt, event);
    let mut pair = |name: &str, value: &str| {
        let _ = write!(msg, " {name}={}", escape_line(value, &[' ', '=']));
    };
    pair("check", event.check.key());
    pair("level", &event.level.to_string());
    let ip = ip_text(event);
    if !ip.is_empty() {
        pair("ip", &ip);
    }
    if !country.is_empty() {
        pair("country", country);
    }
    pair("codes", &event.codes.join(","));
    pair("path", &event.path);
    format!(
        "{}{} {} {}: {}",
        pri(event.action),
        Stamp::parse(&event.time).bsd(),
        fmt.hostname(),
        tag,
        msg
    )
}
