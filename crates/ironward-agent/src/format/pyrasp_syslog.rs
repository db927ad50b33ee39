//! `LOG_FORMAT=syslog`: pyrasp's own line (not an RFC syslog message):
//!
//! `[2026/11/18 11:06:40] "Web Server" - "sqli" - "8.8.8.8" - "United States" - "T1190 - PCB006 - IW006" - "2" - "qs_values:JyBvciAxPTEgLS0="`
//!
//! Time is UTC. Every quoted field is escaped for one line: `\` → `\\`, `"` → `\"`, control
//! characters → `\xNN` (pyrasp did not escape; with base64 payloads, the default, the payload
//! needs none).

use super::{Formatter, Stamp, escape_line, ip_text};
use ironward_core::event::Event;

/// Renders the pyrasp line.
pub(super) fn render(fmt: &Formatter, event: &Event, country: &str) -> String {
    let q = |s: &str| escape_line(s, &['"']);
    let codes = event.codes.join(" - ");
    format!(
        "[{}] \"{}\" - \"{}\" - \"{}\" - \"{}\" - \"{}\" - \"{}\" - \"{}:{}\"",
        Stamp::parse(&event.time).pyrasp(),
        q(&fmt.app_name),
        event.check.key(),
        ip_text(event),
        q(country),
        q(&codes),
        event.level,
        q(event.location),
        q(&fmt.payload(event)),
    )
}
