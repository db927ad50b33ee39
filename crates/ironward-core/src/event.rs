//! Security events: the frozen, versioned record of one finding, for logs, webhooks and the
//! management server.
//!
//! The schema is versioned by [`EVENT_SCHEMA_VERSION`]; a golden test pins its JSON shape. Add
//! fields only with a new version. Transports and formats (syslog lines, pyrasp's JSON) live in
//! the agent crate and are built from this record.

use crate::check::CheckId;
use crate::mcp::McpDetail;
use crate::sink::SinkDetail;
use crate::verdict::{Action, Finding};
use serde::Serialize;
use std::net::IpAddr;
use time::OffsetDateTime;

/// The version of the [`Event`] JSON schema.
///
/// - 1: the request and response checks' events.
/// - 2: adds `sink` (an object: `sink`, `operation`, `reason`, optional `caller` and
///   `request_check`) to the events of the sink checks; other events are unchanged but for
///   the version.
/// - 3: adds `mcp` (an object: `tool`, `side` `tool`/`host`, `phase` `arguments`/`result`) to
///   the events of MCP tool calls ([`Engine::tool_call_events`](crate::Engine::tool_call_events)),
///   whose `method` is `tools/call` and whose `path` is the tool's name; other events are
///   unchanged but for the version.
pub const EVENT_SCHEMA_VERSION: u32 = 3;

/// One security event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Schema version ([`EVENT_SCHEMA_VERSION`]).
    pub version: u32,
    /// When it happened, RFC 3339 in UTC with milliseconds.
    pub time: String,
    /// `APP_NAME`.
    pub app: String,
    /// The check key (`sqli`…), pyrasp's event type.
    pub check: CheckId,
    /// The attack name (`SQL Injection`…).
    pub attack: &'static str,
    /// The client IP, when known.
    pub source_ip: Option<IpAddr>,
    /// The request method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// Where the payload was found.
    pub location: &'static str,
    /// The payload, in clear (transports encode it as configured).
    pub payload: String,
    /// The detector's score, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The detection engine, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<&'static str>,
    /// What was done.
    pub action: Action,
    /// pyrasp's numeric level (0–3) for this check.
    pub level: u8,
    /// MITRE ATT&CK ids, then pyrasp's PCB code, then the Ironward code.
    pub codes: Vec<&'static str>,
    /// For a sink check's event: where the input arrived and what it changed (schema 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<SinkDetail>,
    /// For an MCP tool call's event: the tool, the side and the phase (schema 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp: Option<McpDetail>,
}

/// The request context an event needs beyond the finding.
#[derive(Debug, Clone, Copy)]
pub struct EventContext<'a> {
    /// `APP_NAME`.
    pub app: &'a str,
    /// The client IP.
    pub source_ip: Option<IpAddr>,
    /// The request method.
    pub method: &'a str,
    /// The request path.
    pub path: &'a str,
    /// Milliseconds since the Unix epoch.
    pub unix_ms: i64,
}

/// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds
/// (`2026-11-23T10:00:00.123Z`).
pub fn rfc3339_ms(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            ms
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

impl Event {
    /// The event for one finding.
    pub fn new(finding: &Finding, ctx: &EventContext<'_>) -> Event {
        let check = finding.check;
        let mut codes: Vec<&'static str> = check.mitre().to_vec();
        codes.push(check.pcb_code());
        codes.push(check.ironward_code());
        Event {
            version: EVENT_SCHEMA_VERSION,
            time: rfc3339_ms(ctx.unix_ms),
            app: ctx.app.to_owned(),
            check,
            attack: check.attack_name(),
            source_ip: ctx.source_ip,
            method: ctx.method.to_owned(),
            path: ctx.path.to_owned(),
            location: finding.location,
            payload: finding.payload.clone(),
            score: finding.score,
            engine: finding.engine,
            action: finding.action(),
            level: if check == CheckId::Blacklist {
                2
            } else {
                finding.level.as_u8()
            },
            codes,
            sink: finding.sink.as_deref().cloned(),
            mcp: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Level;

    #[test]
    fn time_format() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
    }

    /// Golden test: the JSON shape of a request event is version 1's with `"version":3`.
    #[test]
    fn golden_event_v3_request() {
        let mut f = Finding::new(CheckId::Sqli, "qs_values", "' or 1=1 --").with_score(0.99);
        f.level = Level::BlockBlacklist;
        let ctx = EventContext {
            app: "Web Server",
            source_ip: "203.0.113.7".parse().ok(),
            method: "GET",
            path: "/search",
            unix_ms: 1_795_000_000_123,
        };
        let json = serde_json::to_string(&Event::new(&f, &ctx)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"version":3,"time":"2026-11-18T11:06:40.123Z","app":"Web Server","check":"sqli","attack":"SQL Injection","source_ip":"203.0.113.7","method":"GET","path":"/search","location":"qs_values","payload":"' or 1=1 --","score":0.99,"action":"block_and_blacklist","level":2,"codes":["T1190","PCB006","IW006"]}"#
        );
    }

    /// Golden test: the JSON shape of a sink event (schema 2, unchanged in 3) is frozen.
    #[test]
    fn golden_event_v3_sink() {
        use crate::sink::{Reason, Sink};
        let mut f = Finding::new(CheckId::Sqli, "qs_values", "' OR 1=1 --");
        f.level = Level::BlockBlacklist;
        f.sink = Some(Box::new(SinkDetail {
            sink: Sink::Sql,
            operation: "SELECT * FROM t WHERE a = '' OR 1=1 --'".into(),
            reason: Reason::Quote,
            caller: Some("app.py:42".into()),
            request_check: Some(CheckId::Sqli),
        }));
        let ctx = EventContext {
            app: "Web Server",
            source_ip: "203.0.113.7".parse().ok(),
            method: "GET",
            path: "/search",
            unix_ms: 1_795_000_000_123,
        };
        let json = serde_json::to_string(&Event::new(&f, &ctx)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"version":3,"time":"2026-11-18T11:06:40.123Z","app":"Web Server","check":"sqli","attack":"SQL Injection","source_ip":"203.0.113.7","method":"GET","path":"/search","location":"qs_values","payload":"' OR 1=1 --","action":"block_and_blacklist","level":2,"codes":["T1190","PCB006","IW006"],"sink":{"sink":"sql","operation":"SELECT * FROM t WHERE a = '' OR 1=1 --'","reason":"quote","caller":"app.py:42","request_check":"sqli"}}"#
        );
    }

    /// Golden test: the JSON shape of an MCP tool-call event (schema 3) is frozen.
    #[test]
    fn golden_event_v3_mcp() {
        use crate::mcp::{McpPhase, McpSide};
        let mut f = Finding::new(CheckId::Command, "mcp_values", "; cat /etc/passwd")
            .with_engine("structure");
        f.level = Level::Block;
        let ctx = EventContext {
            app: "MCP Server",
            source_ip: None,
            method: "tools/call",
            path: "run_report",
            unix_ms: 1_795_000_000_123,
        };
        let mut e = Event::new(&f, &ctx);
        e.mcp = Some(McpDetail::new(
            "run_report",
            McpSide::Tool,
            McpPhase::Arguments,
        ));
        let json = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"version":3,"time":"2026-11-18T11:06:40.123Z","app":"MCP Server","check":"command","attack":"Command Injection","source_ip":null,"method":"tools/call","path":"run_report","location":"mcp_values","payload":"; cat /etc/passwd","engine":"structure","action":"block","level":1,"codes":["T1190","T1059","PCB009","IW009"],"mcp":{"tool":"run_report","side":"tool","phase":"arguments"}}"#
        );
    }
}
