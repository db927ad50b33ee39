//! `LOG_FORMAT=rfc5424`: an RFC 5424 message:
//!
//! `<108>1 2026-11-18T11:06:40.123Z - Web_Server - sqli [ironward@32473 check="sqli" location="qs_values" action="block_and_blacklist" level="2" codes="T1190 PCB006 IW006" ip="8.8.8.8" country="US" method="GET" path="/search"] SQL Injection blocked and blacklisted: qs_values -> JyBvciAxPTEgLS0=`
//!
//! - PRI: facility 13 (log audit); severity warning (4) for block and blacklist, notice (5) for
//!   monitor.
//! - TIMESTAMP: the event time (RFC 3339, UTC, milliseconds). HOSTNAME: `-` unless set with
//!   [`Formatter::with_hostname`]. APP-NAME: `APP_NAME` as printable ASCII without spaces
//!   (others become `_`), at most 48 characters, `-` when empty. PROCID: `-`. MSGID: the check
//!   key.
//! - Structured data `ironward@32473`: 32473 is the IANA *example* enterprise number (RFC
//!   5612); it is not registered to Ironward, so collectors must not rely on it being unique.
//!   Values escape `"`, `\` and `]` with `\`, and control characters as `\xNN`. `ip` and
//!   `country` are omitted when unknown or when resolution is off. `country` is the ISO code.
//! - MSG: a short human line, without a BOM (MSG-ANY).

use super::{Formatter, escape_line, human_line, ip_text, pri, sanitize_token};
use ironward_core::event::Event;
use std::fmt::Write as _;

/// The SD-ID of Ironward's structured data.
pub(super) const SD_ID: &str = "ironward@32473";

/// Renders the message.
pub(super) fn render(fmt: &Formatter, event: &Event, country: &str) -> String {
    let app = sanitize_token(&fmt.app_name, 48, false);
    let app = if app.is_empty() { "-".to_owned() } else { app };
    let mut sd = format!("[{SD_ID}");
    let mut param = |name: &str, value: &str| {
        let _ = write!(sd, " {name}=\"{}\"", escape_line(value, &['"', ']']));
    };
    param("check", event.check.key());
    param("location", event.location);
    param("action", event.action.as_str());
    param("level", &event.level.to_string());
    param("codes", &event.codes.join(" "));
    let ip = ip_text(event);
    if !ip.is_empty() {
        param("ip", &ip);
    }
    if !country.is_empty() {
        param("country", country);
    }
    param("method", &event.method);
    param("path", &event.path);
    sd.push(']');
    format!(
        "{}1 {} {} {} - {} {} {}",
        pri(event.action),
        event.time,
        fmt.hostname(),
        app,
        event.check.key(),
        sd,
        human_line(fmt, event)
    )
}
