//! Parsing of one JSON value by the [`ValueKind`] of its key: scalars, enums, levels and the
//! `SECURITY_CHECKS` object here; lists in `lists.rs` and `nets.rs`.
//!
//! Each parser returns either the typed value or every problem it found, worded as
//! "expected …, got …" so the operator sees the type or range and the bad value together.

use super::error::{expected, quote};
use super::keys::{FloatRange, IntRange, ValueKind};
use super::model::{BlockAction, BodyLimitAction, Level, LogFormat, LogProtocol, PatternRule};
use super::suggest::{closest, did_you_mean};
use super::{lists, nets};
use crate::check::CheckId;
use crate::sink::Sink;
use serde_json::Value;

/// A parsed, validated value, ready to be stored in its field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Bool(bool),
    Str(String),
    OptStr(Option<String>),
    Strings(Vec<String>),
    Int(u64),
    Float(f64),
    Action(BlockAction),
    BodyLimit(BodyLimitAction),
    Format(LogFormat),
    Protocol(LogProtocol),
    Rules(Vec<PatternRule>),
    Nets(Vec<ipnet::IpNet>),
    Checks(Vec<(CheckId, Level)>),
    Sinks(Vec<(Sink, Level)>),
}

/// Largest float accepted as an integer: every integer up to it is exact in an `f64`.
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// Parses `v` as `kind`. Warnings (values that were normalised) go to `notes`.
pub(crate) fn parse(
    kind: &ValueKind,
    v: &Value,
    notes: &mut Vec<String>,
) -> Result<Parsed, Vec<String>> {
    let wrong = || vec![expected(&kind.expected(), v)];
    match kind {
        ValueKind::Bool => v.as_bool().map(Parsed::Bool).ok_or_else(wrong),
        ValueKind::Str => v
            .as_str()
            .map(|s| Parsed::Str(s.to_owned()))
            .ok_or_else(wrong),
        ValueKind::OptStr => match v {
            Value::Null => Ok(Parsed::OptStr(None)),
            Value::String(s) if s.is_empty() => Ok(Parsed::OptStr(None)),
            Value::String(s) => Ok(Parsed::OptStr(Some(s.clone()))),
            _ => Err(wrong()),
        },
        ValueKind::Strings => lists::strings(v, kind, |s| Ok(s.to_owned())).map(Parsed::Strings),
        ValueKind::LowerStrings => lists::strings(v, kind, lower_name).map(Parsed::Strings),
        ValueKind::Extensions => lists::strings(v, kind, extension).map(Parsed::Strings),
        ValueKind::Int(r) => int(v, *r).map(Parsed::Int).map_err(|e| vec![e]),
        ValueKind::Float(r) => float(v, *r).map(Parsed::Float).map_err(|e| vec![e]),
        ValueKind::Action => choice(v, kind, ACTIONS).map(Parsed::Action),
        ValueKind::BodyLimitAction => choice(v, kind, BODY_LIMIT_ACTIONS).map(Parsed::BodyLimit),
        ValueKind::LogFormat => choice(v, kind, FORMATS).map(Parsed::Format),
        ValueKind::LogProtocol => choice(v, kind, PROTOCOLS).map(Parsed::Protocol),
        ValueKind::Regexes => lists::regexes(v, kind).map(Parsed::Strings),
        ValueKind::Patterns(default) => {
            lists::patterns(v, kind, *default, false).map(Parsed::Rules)
        }
        ValueKind::HeaderPatterns => {
            lists::patterns(v, kind, super::model::MatchKind::Match, true).map(Parsed::Rules)
        }
        ValueKind::Nets => nets::nets(v, kind, notes).map(Parsed::Nets),
        ValueKind::Checks => checks(v).map(Parsed::Checks),
        ValueKind::Sinks => sinks(v).map(Parsed::Sinks),
    }
}

const ACTIONS: &[(&str, BlockAction)] = &[
    ("block", BlockAction::Block),
    ("redirect", BlockAction::Redirect),
];

const BODY_LIMIT_ACTIONS: &[(&str, BodyLimitAction)] = &[
    ("block", BodyLimitAction::Block),
    ("monitor", BodyLimitAction::Monitor),
];

const FORMATS: &[(&str, LogFormat)] = &[
    ("syslog", LogFormat::Syslog),
    ("rfc5424", LogFormat::Rfc5424),
    ("rfc3164", LogFormat::Rfc3164),
    ("json", LogFormat::Json),
    ("pcb", LogFormat::Pcb),
];

const PROTOCOLS: &[(&str, LogProtocol)] = &[
    ("udp", LogProtocol::Udp),
    ("tcp", LogProtocol::Tcp),
    ("http", LogProtocol::Http),
    ("https", LogProtocol::Https),
    ("file", LogProtocol::File),
    ("stdout", LogProtocol::Stdout),
];

/// One of a few names, compared case-insensitively (pyrasp writes `"Syslog"`, `"UDP"`).
fn choice<T: Copy>(v: &Value, kind: &ValueKind, options: &[(&str, T)]) -> Result<T, Vec<String>> {
    let found = v.as_str().and_then(|s| {
        options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
            .map(|(_, t)| *t)
    });
    found.ok_or_else(|| vec![expected(&kind.expected(), v)])
}

/// An integer in `r`; an integral float (`60.0`) counts as an integer.
pub(crate) fn int(v: &Value, r: IntRange) -> Result<u64, String> {
    let n = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=MAX_EXACT_FLOAT).contains(f))
                // Exact: the value is integral and below 2^53.
                .map(|f| f as u64)
        }),
        _ => None,
    };
    n.filter(|n| (r.min..=r.max).contains(n))
        .ok_or_else(|| expected(&ValueKind::Int(r).expected(), v))
}

fn float(v: &Value, r: FloatRange) -> Result<f64, String> {
    v.as_f64()
        .filter(|f| f.is_finite() && *f >= r.min && *f <= r.max)
        .ok_or_else(|| expected(&ValueKind::Float(r).expected(), v))
}

/// A check level, 0 to 3.
pub(crate) fn level(v: &Value) -> Result<Level, String> {
    v.as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .and_then(Level::from_u8)
        .ok_or_else(|| {
            expected(
                "a level: 0 (off), 1 (block), 2 (block and blacklist) or 3 (monitor)",
                v,
            )
        })
}

/// A configurable check by its `SECURITY_CHECKS` name.
pub(crate) fn check_by_name(name: &str) -> Result<CheckId, String> {
    match CheckId::from_key(name) {
        Some(CheckId::Blacklist) => Err(
            "\"blacklist\" is not a configurable check; BLACKLIST_OVERRIDE turns the blacklist off"
                .to_owned(),
        ),
        Some(c) => Ok(c),
        None => {
            let near = closest(name, CheckId::configurable().map(CheckId::key));
            Err(format!(
                "unknown check {}{}",
                quote(name),
                did_you_mean(near)
            ))
        }
    }
}

/// The `SECURITY_CHECKS` object: check name → level.
fn checks(v: &Value) -> Result<Vec<(CheckId, Level)>, Vec<String>> {
    let Value::Object(map) = v else {
        return Err(vec![expected(&ValueKind::Checks.expected(), v)]);
    };
    let mut out = Vec::with_capacity(map.len());
    let mut errors = Vec::new();
    for (name, lv) in map {
        match (check_by_name(name), level(lv)) {
            (Ok(c), Ok(l)) => out.push((c, l)),
            (Err(e), _) => errors.push(e),
            (Ok(c), Err(e)) => errors.push(format!("{c}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A sink by its `SINK_CHECKS` name.
pub(crate) fn sink_by_name(name: &str) -> Result<Sink, String> {
    Sink::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .ok_or_else(|| {
            let near = closest(name, Sink::ALL.map(Sink::as_str));
            format!("unknown sink {}{}", quote(name), did_you_mean(near))
        })
}

/// The `SINK_CHECKS` object: sink name → level.
fn sinks(v: &Value) -> Result<Vec<(Sink, Level)>, Vec<String>> {
    let Value::Object(map) = v else {
        return Err(vec![expected(&ValueKind::Sinks.expected(), v)]);
    };
    let mut out = Vec::with_capacity(map.len());
    let mut errors = Vec::new();
    for (name, lv) in map {
        match (sink_by_name(name), level(lv)) {
            (Ok(s), Ok(l)) => out.push((s, l)),
            (Err(e), _) => errors.push(e),
            (Ok(s), Err(e)) => errors.push(format!("{}: {e}", s.as_str())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn lower_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err("empty header name".to_owned())
    } else {
        Ok(t.to_ascii_lowercase())
    }
}

fn extension(s: &str) -> Result<String, String> {
    let t = s.trim().trim_start_matches('.');
    if t.is_empty() {
        Err(format!("{} is not an extension", quote(s)))
    } else {
        Ok(t.to_lowercase())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::keys::{PROBA, STATUS};
    use serde_json::json;

    fn p(kind: ValueKind, v: Value) -> Result<Parsed, Vec<String>> {
        parse(&kind, &v, &mut Vec::new())
    }

    #[test]
    fn scalars() {
        assert_eq!(p(ValueKind::Int(STATUS), json!(302)), Ok(Parsed::Int(302)));
        assert_eq!(
            p(ValueKind::Int(STATUS), json!(302.0)),
            Ok(Parsed::Int(302))
        );
        for bad in [
            json!(99),
            json!(600),
            json!(-1),
            json!(302.5),
            json!("403"),
            json!(null),
        ] {
            assert!(p(ValueKind::Int(STATUS), bad).is_err());
        }
        assert_eq!(p(ValueKind::Float(PROBA), json!(1)), Ok(Parsed::Float(1.0)));
        assert!(p(ValueKind::Float(PROBA), json!(1.01)).is_err());
        assert_eq!(p(ValueKind::OptStr, json!("")), Ok(Parsed::OptStr(None)));
        assert_eq!(p(ValueKind::Bool, json!(true)), Ok(Parsed::Bool(true)));
        assert!(p(ValueKind::Bool, json!(1)).is_err());
    }

    #[test]
    fn enums_ignore_case() {
        assert_eq!(
            p(ValueKind::LogFormat, json!("Syslog")),
            Ok(Parsed::Format(LogFormat::Syslog))
        );
        assert_eq!(
            p(ValueKind::LogProtocol, json!("UDP")),
            Ok(Parsed::Protocol(LogProtocol::Udp))
        );
        assert_eq!(
            p(ValueKind::Action, json!("Redirect")),
            Ok(Parsed::Action(BlockAction::Redirect))
        );
        let e = p(ValueKind::Action, json!("drop")).unwrap_err();
        assert_eq!(
            e,
            vec!["expected one of \"block\", \"redirect\", got \"drop\"".to_owned()]
        );
    }

    #[test]
    fn lists_normalise() {
        assert_eq!(
            p(ValueKind::Extensions, json!([".JPG", "png"])),
            Ok(Parsed::Strings(vec!["jpg".into(), "png".into()]))
        );
        assert_eq!(
            p(ValueKind::LowerStrings, json!(["X-Debug"])),
            Ok(Parsed::Strings(vec!["x-debug".into()]))
        );
        assert!(p(ValueKind::Extensions, json!(["."])).is_err());
    }

    #[test]
    fn checks_collect_every_problem() {
        let e = p(
            ValueKind::Checks,
            json!({"sqlx": 2, "xss": 7, "blacklist": 1}),
        )
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e.iter().any(|m| m.contains("did you mean \"sqli\"")));
        assert!(e.iter().any(|m| m.starts_with("xss: expected a level")));
        assert!(e.iter().any(|m| m.contains("BLACKLIST_OVERRIDE")));
        let ok = p(ValueKind::Checks, json!({"path_traversal": 3})).unwrap();
        assert_eq!(
            ok,
            Parsed::Checks(vec![(CheckId::PathTraversal, Level::Monitor)])
        );
    }
}
