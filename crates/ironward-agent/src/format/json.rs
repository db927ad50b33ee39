//! `LOG_FORMAT=json`: pyrasp's JSON document:
//!
//! `{"time":"2026/11/18 11:06:40","application":"Web Server","log_data":["sqli","8.8.8.8","United States",{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006","IW006"],"path":"/search"}]}`
//!
//! `action` is pyrasp's numeric level (0–3; blacklist hits are 2). `engine` and `score` appear
//! only when the detector has them, `sink` (the sink, operation, reason, caller and
//! request-side check: `docs/sinks.md`) only in a sink check's event, and `mcp` (tool, side,
//! phase: `docs/mcp.md`) only in an MCP tool call's event. Time is UTC,
//! `%Y/%m/%d %H:%M:%S`.

use super::{Formatter, Stamp, ip_text};
use ironward_core::event::Event;
use ironward_core::mcp::McpDetail;
use ironward_core::sink::SinkDetail;
use serde::Serialize;

/// The details object shared with the `pcb` document.
#[derive(Serialize)]
pub(super) struct Details<'a> {
    location: &'a str,
    payload: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    engine: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
    action: u8,
    codes: &'a [&'static str],
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sink: Option<&'a SinkDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mcp: Option<&'a McpDetail>,
}

impl<'a> Details<'a> {
    /// The details of one event.
    pub(super) fn new(fmt: &Formatter, event: &'a Event) -> Details<'a> {
        Details {
            location: event.location,
            payload: fmt.payload(event),
            engine: event.engine,
            score: event.score,
            action: event.level,
            codes: &event.codes,
            path: &event.path,
            sink: event.sink.as_ref(),
            mcp: event.mcp.as_ref(),
        }
    }
}

/// One element of `log_data`: a string or the details object.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Item<'a> {
    /// A string field.
    Text(String),
    /// pyrasp's `user` slot of the pcb document, always null.
    Null(Option<()>),
    /// The details object.
    Details(Details<'a>),
}

#[derive(Serialize)]
struct Document<'a> {
    time: String,
    application: &'a str,
    log_data: [Item<'a>; 4],
}

/// Renders the document.
pub(super) fn render(fmt: &Formatter, event: &Event, country: &str) -> String {
    let doc = Document {
        time: Stamp::parse(&event.time).pyrasp(),
        application: &fmt.app_name,
        log_data: [
            Item::Text(event.check.key().to_owned()),
            Item::Text(ip_text(event)),
            Item::Text(country.to_owned()),
            Item::Details(Details::new(fmt, event)),
        ],
    };
    serde_json::to_string(&doc).unwrap_or_default()
}
