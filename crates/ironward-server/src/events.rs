//! Parsing of the security events agents ship to `POST /api/v1/events` and
//! `POST /api/v1/ingest/{token}`: pyrasp's `json` document
//! (`{"time","application","log_data":[check, ip, country, details]}`, which Ironward's agents
//! write too with `LOG_FORMAT=json`) and its `pcb` document
//! (`{"application","log_type","log_data":[check, ip, country, user, details]}`, no time), one
//! per body (pyrasp and `ironward-agent`'s HTTP transport send one record per request), a JSON
//! array of them (batches) or newline-delimited documents.
//!
//! Times: pyrasp writes its *local* time without a zone, Ironward UTC; a record's time is read
//! as UTC and kept when it is within [`CLOCK_TOLERANCE`] of the server's clock, else the
//! receiving time is used (the raw time stays in the detail).

use crate::store::NewEvent;
use base64::Engine as _;
use serde_json::Value;

/// How far a record's time may be from the server's clock and still be believed (seconds).
pub const CLOCK_TOLERANCE: i64 = 15 * 60;

/// Longest text kept for a payload, path or other string field (bytes); longer is cut.
pub const MAX_FIELD_BYTES: usize = 8 * 1024;

/// Why a body holds no events.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// Not JSON, or not a document of a known shape (the message says which record).
    #[error("{0}")]
    Invalid(String),
    /// More records than allowed in one request.
    #[error("more than {0} events in one request")]
    TooMany(usize),
}

/// Parses a body into events, at most `max` of them; `now` is the receiving time.
pub fn parse_body(body: &[u8], max: usize, now: i64) -> Result<Vec<NewEvent>, ParseError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ParseError::Invalid("the body is not UTF-8".into()))?;
    let trimmed = text.trim();
    let documents: Vec<Value> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| ParseError::Invalid(format!("not JSON: {e}")))?
    } else {
        let mut docs = Vec::new();
        for (i, line) in trimmed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if docs.len() >= max {
                return Err(ParseError::TooMany(max));
            }
            docs.push(
                serde_json::from_str(line)
                    .map_err(|e| ParseError::Invalid(format!("record {i}: not JSON: {e}")))?,
            );
        }
        docs
    };
    if documents.len() > max {
        return Err(ParseError::TooMany(max));
    }
    documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            parse_document(doc, now).map_err(|e| ParseError::Invalid(format!("record {i}: {e}")))
        })
        .collect()
}

fn text(value: Option<&Value>) -> Option<String> {
    let s = value?.as_str()?;
    if s.is_empty() {
        return None;
    }
    Some(cut(s))
}

fn cut(s: &str) -> String {
    if s.len() <= MAX_FIELD_BYTES {
        return s.to_owned();
    }
    let mut end = MAX_FIELD_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The payload as text: decoded when it is base64 of UTF-8 (pyrasp always, Ironward by default),
/// else as sent.
fn payload(value: Option<&Value>) -> Option<String> {
    let raw = value?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(cut(&decoded.unwrap_or_else(|| raw.to_owned())))
}

/// pyrasp's `%Y/%m/%d %H:%M:%S` read as UTC, in epoch seconds.
fn parse_time(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(' ')?;
    let mut d = date.split('/').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let days = crate::dashboard::time::days_from_civil(y, m, day);
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

/// One document.
fn parse_document(doc: &Value, now: i64) -> Result<NewEvent, String> {
    let data = doc
        .get("log_data")
        .and_then(Value::as_array)
        .ok_or("no log_data array (expected pyrasp's json or pcb document)")?;
    let pcb = doc.get("log_type").is_some() || data.len() == 5;
    let details = data
        .get(if pcb { 4 } else { 3 })
        .and_then(Value::as_object)
        .ok_or("log_data has no details object")?;
    let check = text(data.first()).ok_or("log_data has no check name")?;
    if check.len() > 64
        || !check
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!("invalid check name {check:?}"));
    }
    let ip =
        text(data.get(1)).and_then(|s| s.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()));
    let time = doc
        .get("time")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .filter(|t| (t - now).abs() <= CLOCK_TOLERANCE)
        .unwrap_or(now);
    let codes = details
        .get("codes")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|v| v.as_str())
                .take(16)
                .map(cut)
                .collect()
        })
        .unwrap_or_default();
    let mut detail = Value::Object(details.clone());
    if let Some(t) = doc.get("time") {
        detail["time"] = t.clone();
    }
    if let Some(a) = doc.get("application") {
        detail["application"] = a.clone();
    }
    Ok(NewEvent {
        time,
        check,
        ip,
        country: text(data.get(2)),
        action: details.get("action").and_then(Value::as_i64),
        location: text(details.get("location")),
        payload: payload(details.get("payload")),
        path: text(details.get("path")),
        engine: text(details.get("engine")),
        score: details.get("score").and_then(Value::as_f64),
        codes,
        detail: Some(cut(&detail.to_string())),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000;

    fn json_doc(time: &str) -> String {
        format!(
            r#"{{"time":"{time}","application":"Web Server","log_data":["sqli","8.8.8.8","United States",{{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006"],"path":"/search"}}]}}"#
        )
    }

    #[test]
    fn pyrasp_json_and_pcb_documents_parse() {
        let t = "2026/11/18 11:06:40";
        let at = parse_time(t).unwrap();
        let events = parse_body(json_doc(t).as_bytes(), 10, at + 5).unwrap();
        let e = &events[0];
        assert_eq!(e.check, "sqli");
        assert_eq!(e.ip.as_deref(), Some("8.8.8.8"));
        assert_eq!(e.payload.as_deref(), Some("' or 1=1 --"));
        assert_eq!(e.time, at);
        assert_eq!(e.action, Some(2));
        assert_eq!(e.codes, ["T1190", "PCB006"]);
        let pcb = r#"{"application":"a","log_type":"security","log_data":["xss","::1","Private",null,{"location":"body","payload":"<b>","action":1,"codes":[],"path":"/"}]}"#;
        let e = &parse_body(pcb.as_bytes(), 10, NOW).unwrap()[0];
        assert_eq!((e.check.as_str(), e.time), ("xss", NOW));
        assert_eq!(e.payload.as_deref(), Some("<b>"), "not base64: kept");
    }

    #[test]
    fn batches_and_lines_parse_within_the_limit() {
        let doc = json_doc("2026/11/18 11:06:40");
        let array = format!("[{doc},{doc},{doc}]");
        assert_eq!(parse_body(array.as_bytes(), 3, NOW).unwrap().len(), 3);
        assert_eq!(
            parse_body(array.as_bytes(), 2, NOW),
            Err(ParseError::TooMany(2))
        );
        let lines = format!("{doc}\n\n{doc}\n");
        let events = parse_body(lines.as_bytes(), 3, NOW).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].time, NOW, "a time far from the clock is replaced");
    }

    #[test]
    fn malformed_records_are_refused() {
        for bad in [
            "",
            "x",
            "{}",
            r#"{"log_data":[]}"#,
            r#"{"log_data":["sqli","1.1.1.1","",{}],"x":1}x"#,
            r#"{"log_data":["s q","1.1.1.1","",{}]}"#,
            "[1]",
            "\u{0}",
        ] {
            assert!(
                parse_body(bad.as_bytes(), 10, NOW).is_err() || bad.is_empty(),
                "{bad:?}"
            );
        }
        assert!(parse_body(&[0xff, 0xfe], 10, NOW).is_err());
        assert!(parse_time("2026/13/01 00:00:00").is_none());
        assert_eq!(parse_time("1970/01/01 00:00:10"), Some(10));
    }
}
