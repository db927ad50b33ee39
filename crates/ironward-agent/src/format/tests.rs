//! Golden tests: one fixed event rendered in every format, compared to exact strings. These
//! shapes are frozen (format version 1).

use super::*;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::event::EventContext;
use ironward_core::verdict::Finding;

fn event_with(check: CheckId, location: &'static str, payload: &str, level: Level) -> Event {
    let mut f = Finding::new(check, location, payload).with_score(0.99);
    f.level = level;
    let ctx = EventContext {
        app: "Web Server",
        source_ip: "8.8.8.8".parse().ok(),
        method: "GET",
        path: "/search",
        unix_ms: 1_795_000_000_123,
    };
    Event::new(&f, &ctx)
}

/// The golden event: `' or 1=1 --` in the query string, blocked and blacklisted.
fn golden() -> Event {
    event_with(
        CheckId::Sqli,
        "qs_values",
        "' or 1=1 --",
        Level::BlockBlacklist,
    )
}

fn formatter(format: LogFormat, base64: bool) -> Formatter {
    let mut c = Config::default();
    c.log_format = format;
    c.log_payload_base64 = base64;
    Formatter::new(&c)
}

fn render(format: LogFormat, base64: bool, e: &Event, country: &str) -> String {
    String::from_utf8(formatter(format, base64).render(e, country)).unwrap()
}

#[test]
fn golden_syslog() {
    assert_eq!(
        render(LogFormat::Syslog, true, &golden(), "US"),
        r#"[2026/11/18 11:06:40] "Web Server" - "sqli" - "8.8.8.8" - "United States" - "T1190 - PCB006 - IW006" - "2" - "qs_values:JyBvciAxPTEgLS0=""#
    );
}

#[test]
fn golden_json() {
    assert_eq!(
        render(LogFormat::Json, true, &golden(), "US"),
        r#"{"time":"2026/11/18 11:06:40","application":"Web Server","log_data":["sqli","8.8.8.8","United States",{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006","IW006"],"path":"/search"}]}"#
    );
}

#[test]
fn golden_pcb() {
    assert_eq!(
        render(LogFormat::Pcb, true, &golden(), "US"),
        r#"{"application":"Web Server","log_type":"security","log_data":["sqli","8.8.8.8","United States",null,{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006","IW006"],"path":"/search"}]}"#
    );
}

#[test]
fn golden_rfc5424() {
    assert_eq!(
        render(LogFormat::Rfc5424, true, &golden(), "US"),
        r#"<108>1 2026-11-18T11:06:40.123Z - Web_Server - sqli [ironward@32473 check="sqli" location="qs_values" action="block_and_blacklist" level="2" codes="T1190 PCB006 IW006" ip="8.8.8.8" country="US" method="GET" path="/search"] SQL Injection blocked and blacklisted: qs_values -> JyBvciAxPTEgLS0="#
    );
}

#[test]
fn golden_rfc3164() {
    assert_eq!(
        render(LogFormat::Rfc3164, true, &golden(), "US"),
        "<108>Nov 18 11:06:40 - Web_Server: SQL Injection blocked and blacklisted: qs_values -> \
         JyBvciAxPTEgLS0= check=sqli level=2 ip=8.8.8.8 country=US codes=T1190,PCB006,IW006 \
         path=/search"
    );
}

#[test]
fn format_and_hostname() {
    let f = formatter(LogFormat::Rfc5424, true).with_hostname("web 01.example");
    assert_eq!(f.format(), LogFormat::Rfc5424);
    let mut e = golden();
    e.level = 3;
    e.action = Action::Monitor;
    let s = String::from_utf8(f.render(&e, "")).unwrap();
    assert!(s.starts_with("<109>1 2026-11-18T11:06:40.123Z web_01.example Web_Server - sqli "));
    assert!(!s.contains("country="));
    assert!(s.ends_with("SQL Injection detected: qs_values -> JyBvciAxPTEgLS0="));
    let f = formatter(LogFormat::Rfc3164, true).with_hostname("web01");
    let s = String::from_utf8(f.render(&e, "")).unwrap();
    assert!(
        s.starts_with("<109>Nov 18 11:06:40 web01 Web_Server: "),
        "{s}"
    );
}

#[test]
fn block_severity_and_padded_day() {
    let mut e = golden();
    e.action = Action::Block;
    e.level = 1;
    e.time = "2026-03-05T01:02:03.000Z".to_owned();
    let s = render(LogFormat::Rfc3164, true, &e, "");
    assert!(s.starts_with("<108>Mar  5 01:02:03 - Web_Server: SQL Injection blocked: "));
}

#[test]
fn clear_payloads_are_escaped() {
    let payload = "a\"b\\c]d\ne\u{1b}f é";
    let e = event_with(CheckId::Xss, "body_values", payload, Level::Block);
    let s = render(LogFormat::Syslog, false, &e, "Private");
    assert!(!s.contains('\n') && !s.contains('\u{1b}'));
    assert!(
        s.ends_with(r#" - "1" - "body_values:a\"b\\c]d\x0Ae\x1Bf é""#),
        "{s}"
    );
    assert!(s.contains(r#" - "Private" - "#));

    let s = render(LogFormat::Rfc5424, false, &e, "FR");
    assert!(!s.contains('\n') && !s.contains('\u{1b}'));
    assert!(s.contains(r#"country="FR""#));
    assert!(
        s.ends_with(r#"XSS blocked: body_values -> a"b\\c]d\x0Ae\x1Bf é"#),
        "{s}"
    );

    let s = render(LogFormat::Rfc3164, false, &e, "FR");
    assert!(!s.contains('\n') && !s.contains('\u{1b}'));

    for format in [LogFormat::Json, LogFormat::Pcb] {
        let s = render(format, false, &e, "FR");
        assert!(!s.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let details = v["log_data"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(details["payload"], payload);
        assert_eq!(details["action"], 1);
        assert_eq!(v["log_data"][2], "France");
    }
}

#[test]
fn sd_values_escape_quote_backslash_bracket() {
    let mut c = Config::default();
    c.log_format = LogFormat::Rfc5424;
    let f = Formatter::new(&c);
    let mut e = golden();
    e.path = "/a\"b\\c]d".to_owned();
    let s = String::from_utf8(f.render(&e, "US")).unwrap();
    assert!(s.contains(r#"path="/a\"b\\c\]d"]"#), "{s}");
}

#[test]
fn app_name_sanitised() {
    let mut c = Config::default();
    c.app_name = format!("Mon appli é {}", "x".repeat(100));
    c.log_format = LogFormat::Rfc5424;
    let s = String::from_utf8(Formatter::new(&c).render(&golden(), "")).unwrap();
    let app = s.split(' ').nth(3).unwrap();
    assert_eq!(app.len(), 48);
    assert!(app.starts_with("Mon_appli___xxx"));
    c.log_format = LogFormat::Rfc3164;
    let s = String::from_utf8(Formatter::new(&c).render(&golden(), "")).unwrap();
    let tag = s.split(' ').nth(4).unwrap();
    assert_eq!(tag.len(), 33, "{tag}"); // 32 + ':'
    c.app_name = String::new();
    let s = String::from_utf8(Formatter::new(&c).render(&golden(), "")).unwrap();
    assert!(s.contains(" - ironward: "));
}

#[test]
fn engine_and_missing_ip() {
    let mut e = golden();
    e.engine = Some("ml");
    e.source_ip = None;
    e.score = None;
    let s = render(LogFormat::Json, true, &e, "");
    assert!(s.contains(r#""log_data":["sqli","","",{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","engine":"ml","action":2,"#), "{s}");
    let s = render(LogFormat::Rfc5424, true, &e, "");
    assert!(!s.contains(" ip="));
}

#[test]
fn times() {
    assert_eq!(
        Stamp::parse("2026-11-18T11:06:40.123Z").pyrasp(),
        "2026/11/18 11:06:40"
    );
    assert_eq!(Stamp::parse("garbage").pyrasp(), "1970/01/01 00:00:00");
    assert_eq!(
        Stamp::parse("2026-12-31T23:59:59Z").bsd(),
        "Dec 31 23:59:59"
    );
}

#[test]
fn display_country_names() {
    assert_eq!(display_country("US"), "United States");
    assert_eq!(display_country("Private"), "Private");
    assert_eq!(display_country(""), "");
    assert_eq!(display_country("ZZ"), "ZZ");
}

#[test]
fn golden_json_mcp_event() {
    use ironward_core::mcp::{McpDetail, McpPhase, McpSide};
    let mut e = golden();
    e.method = "tools/call".to_owned();
    e.path = "read_file".to_owned();
    e.location = "mcp_values";
    e.mcp = Some(McpDetail::new(
        "read_file",
        McpSide::Tool,
        McpPhase::Arguments,
    ));
    let json = render(LogFormat::Json, true, &e, "US");
    assert!(
        json.ends_with(
            r#""path":"read_file","mcp":{"tool":"read_file","side":"tool","phase":"arguments"}}]}"#
        ),
        "{json}"
    );
    let pcb = render(LogFormat::Pcb, true, &e, "US");
    assert!(
        pcb.contains(r#""mcp":{"tool":"read_file","side":"tool","phase":"arguments"}"#),
        "{pcb}"
    );
}

#[test]
fn golden_json_sink_event() {
    use ironward_core::sink::{Reason, Sink, SinkDetail};
    let mut e = golden();
    e.engine = Some("sink");
    e.score = None;
    e.sink = Some(SinkDetail {
        sink: Sink::Sql,
        operation: "SELECT 1 FROM t WHERE a = '' or 1=1 --'".to_owned(),
        reason: Reason::Quote,
        caller: Some("app.py:12".to_owned()),
        request_check: Some(CheckId::Sqli),
    });
    assert_eq!(
        render(LogFormat::Json, true, &e, "US"),
        r#"{"time":"2026/11/18 11:06:40","application":"Web Server","log_data":["sqli","8.8.8.8","United States",{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","engine":"sink","action":2,"codes":["T1190","PCB006","IW006"],"path":"/search","sink":{"sink":"sql","operation":"SELECT 1 FROM t WHERE a = '' or 1=1 --'","reason":"quote","caller":"app.py:12","request_check":"sqli"}}]}"#
    );
}
