//! Table tests of the `ztaa` check through the engine (with a manual clock), and of its
//! configuration errors.

use super::MAX_TOKEN_BYTES;
use crate::check::CheckId;
use crate::clock::ManualClock;
use crate::config::{Config, Level, SecurityChecks};
use crate::engine::{Engine, EngineError};
use crate::request::{Headers, Request};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::Arc;

/// The engine's time: 2027-01-15T08:00:00Z, a whole second.
const NOW: i64 = 1_800_000_000;
const K1: &str = "first-key-0123456789abcdef0123456789abcdef0123456789abcdef01234567";
const K2: &str = "second-key-0123456789abcdef0123456789abcdef0123456789abcdef0123456";
const WRONG: &str = "wrong-key-0123456789abcdef0123456789abcdef0123456789abcdef012345678";

fn config(edit: impl FnOnce(&mut Config)) -> Config {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Ztaa, Level::Block);
    c.ztaa_keys = vec![K1.to_owned(), K2.to_owned()];
    edit(&mut c);
    c
}

fn engine(edit: impl FnOnce(&mut Config)) -> Engine {
    Engine::builder(config(edit))
        .clock(Arc::new(ManualClock::new(NOW * 1000)))
        .build()
        .unwrap()
}

/// A token signed by `key` with `alg` (an HMAC algorithm).
fn signed(alg: Algorithm, key: &str, claims: &Value) -> String {
    let key = EncodingKey::from_secret(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(alg), claims, &key).unwrap()
}

/// An HS512 token signed by `key`.
fn hs512(key: &str, claims: &Value) -> String {
    signed(Algorithm::HS512, key, claims)
}

/// A token with a header of our own, signed with HMAC-SHA-512 by `key` whatever it claims.
fn forged(header: &Value, key: &str, claims: &Value) -> String {
    let message = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let key = EncodingKey::from_secret(key.as_bytes()).unwrap();
    let sig = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS512).unwrap();
    format!("{message}.{sig}")
}

/// Valid claims: expiring in an hour.
fn good() -> Value {
    json!({"sub": "alice", "exp": NOW + 3600, "latest": true, "browser": "Firefox 140"})
}

/// The first finding on a request with `headers`, as (location, payload).
fn run(engine: &Engine, headers: &[(&str, &str)]) -> Option<(&'static str, String)> {
    let headers: Headers<'_> = headers.iter().copied().collect();
    let v = engine.inspect_request(&Request {
        method: "GET",
        path: "/app",
        headers,
        ..Request::default()
    });
    assert!(v.internal_error.is_none(), "{:?}", v.internal_error);
    v.findings
        .into_iter()
        .next()
        .map(|f| (f.location, f.payload))
}

/// One table row: its name, the request's headers, the finding's payload (`None`: it passes).
type Row<'a> = (&'a str, Vec<(&'a str, String)>, Option<&'a str>);

fn check_table(engine: &Engine, rows: &[Row<'_>]) {
    let mut wrong = Vec::new();
    for (name, headers, want) in rows {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let got = run(engine, &headers);
        let got_reason = got.as_ref().map(|(_, p)| p.as_str());
        if got_reason != *want {
            wrong.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn tokens_are_judged() {
    let e = engine(|_| {});
    let h = |v: String| vec![("pcb-ztaa", v)];
    let no_exp = json!({"sub": "alice"});
    let none_header = json!({"alg": "none", "typ": "JWT"});
    let none_token = format!(
        "{}.{}.",
        B64.encode(none_header.to_string()),
        B64.encode(good().to_string())
    );
    let rows: Vec<Row<'_>> = vec![
        ("valid, first key", h(hs512(K1, &good())), None),
        ("valid, second key (rotation)", h(hs512(K2, &good())), None),
        (
            "header name in another case",
            vec![("PCB-Ztaa", hs512(K1, &good()))],
            None,
        ),
        (
            "surrounding blanks",
            h(format!("  {} ", hs512(K1, &good()))),
            None,
        ),
        ("missing header", vec![], Some("missing token")),
        (
            "another header",
            vec![("authorization", hs512(K1, &good()))],
            Some("missing token"),
        ),
        ("empty header", h(String::new()), Some("missing token")),
        (
            "repeated header",
            vec![
                ("pcb-ztaa", hs512(K1, &good())),
                ("pcb-ztaa", hs512(K1, &good())),
            ],
            Some("header repeated"),
        ),
        ("wrong key", h(hs512(WRONG, &good())), Some("bad signature")),
        (
            "HS256 with a good key",
            h(signed(Algorithm::HS256, K1, &good())),
            Some("algorithm is not HS512"),
        ),
        (
            "HS384 with a good key",
            h(signed(Algorithm::HS384, K1, &good())),
            Some("algorithm is not HS512"),
        ),
        (
            "RS256 header, HMAC signature by a good key (confusion)",
            h(forged(&json!({"alg": "RS256"}), K1, &good())),
            Some("algorithm is not HS512"),
        ),
        (
            "ES512 header, HMAC signature by a good key",
            h(forged(&json!({"alg": "ES256"}), K1, &good())),
            Some("algorithm is not HS512"),
        ),
        (
            "alg none, no signature",
            h(none_token),
            Some("malformed token"),
        ),
        (
            "alg none, signed",
            h(forged(&none_header, K1, &good())),
            Some("malformed token"),
        ),
        (
            "unknown critical header",
            h(forged(
                &json!({"alg": "HS512", "crit": ["x"], "x": 1}),
                K1,
                &good(),
            )),
            Some("malformed token"),
        ),
        (
            "claims not an object",
            h(forged(&json!({"alg": "HS512"}), K1, &json!([1, 2]))),
            Some("malformed token"),
        ),
        ("garbage", h("not a token".into()), Some("malformed token")),
        ("two parts", h("abc.def".into()), Some("malformed token")),
        (
            "bad base64",
            h("@@@.@@@.@@@".into()),
            Some("malformed token"),
        ),
        (
            "signature cut",
            h(hs512(K1, &good())[..200].to_owned()),
            Some("bad signature"),
        ),
        (
            "claims edited after signing",
            h({
                let t = hs512(K1, &good());
                let parts: Vec<&str> = t.split('.').collect();
                let evil = B64.encode(json!({"sub": "admin", "exp": NOW + 3600}).to_string());
                format!("{}.{evil}.{}", parts[0], parts[2])
            }),
            Some("bad signature"),
        ),
        (
            "over-long header",
            h("a".repeat(MAX_TOKEN_BYTES + 1)),
            Some("token too long"),
        ),
        (
            "expired an hour ago",
            h(hs512(K1, &json!({"exp": NOW - 3600}))),
            Some("expired"),
        ),
        (
            "nbf in an hour",
            h(hs512(K1, &json!({"exp": NOW + 7200, "nbf": NOW + 3600}))),
            Some("not yet valid"),
        ),
        (
            "nbf passed",
            h(hs512(K1, &json!({"exp": NOW + 7200, "nbf": NOW - 10}))),
            None,
        ),
        (
            "no exp (required)",
            h(hs512(K1, &no_exp)),
            Some("no exp claim"),
        ),
        (
            "exp a string",
            h(hs512(K1, &json!({"exp": "tomorrow"}))),
            Some("exp claim is not a number"),
        ),
        (
            "exp null",
            h(hs512(K1, &json!({"exp": null}))),
            Some("exp claim is not a number"),
        ),
        (
            "nbf a string",
            h(hs512(K1, &json!({"exp": NOW + 60, "nbf": "now"}))),
            Some("nbf claim is not a number"),
        ),
        (
            "exp a float",
            h(hs512(K1, &json!({"exp": NOW as f64 + 0.5}))),
            None,
        ),
    ];
    check_table(&e, &rows);
}

#[test]
fn findings_say_where_and_never_show_the_token() {
    let e = engine(|_| {});
    let token = hs512(WRONG, &good());
    let (location, payload) = run(&e, &[("pcb-ztaa", &token)]).unwrap();
    assert_eq!(location, "ztaa_jwt");
    assert_eq!(payload, "bad signature");
    let headers: Headers<'_> = [("pcb-ztaa", token.as_str())].into_iter().collect();
    let v = e.inspect_request(&Request {
        method: "GET",
        path: "/",
        headers,
        ..Request::default()
    });
    assert!(v.is_blocked());
    assert_eq!(v.findings[0].check, CheckId::Ztaa);
}

#[test]
fn leeway_edges() {
    // Default leeway: 30 s. Valid strictly before exp + 30, from nbf - 30 on.
    let e = engine(|_| {});
    let t = |claims: Value| vec![("pcb-ztaa", hs512(K1, &claims))];
    let rows: Vec<Row<'_>> = vec![
        ("exp now - 29", t(json!({"exp": NOW - 29})), None),
        ("exp now - 30", t(json!({"exp": NOW - 30})), Some("expired")),
        ("exp now", t(json!({"exp": NOW})), None),
        (
            "nbf now + 30",
            t(json!({"exp": NOW + 99, "nbf": NOW + 30})),
            None,
        ),
        (
            "nbf now + 31",
            t(json!({"exp": NOW + 99, "nbf": NOW + 31})),
            Some("not yet valid"),
        ),
    ];
    check_table(&e, &rows);
    // No leeway: expired at exp itself, valid from nbf exactly.
    let strict = engine(|c| c.ztaa_leeway = 0);
    let rows: Vec<Row<'_>> = vec![
        ("exp now + 1", t(json!({"exp": NOW + 1})), None),
        ("exp now", t(json!({"exp": NOW})), Some("expired")),
        ("nbf now", t(json!({"exp": NOW + 9, "nbf": NOW})), None),
        (
            "nbf now + 1",
            t(json!({"exp": NOW + 9, "nbf": NOW + 1})),
            Some("not yet valid"),
        ),
    ];
    check_table(&strict, &rows);
}

#[test]
fn exp_may_be_optional() {
    let e = engine(|c| c.ztaa_require_exp = false);
    let t = |claims: Value| vec![("pcb-ztaa", hs512(K1, &claims))];
    let rows: Vec<Row<'_>> = vec![
        ("no exp", t(json!({"sub": "alice"})), None),
        // A present exp is still honoured.
        ("expired", t(json!({"exp": NOW - 3600})), Some("expired")),
        (
            "nbf in the future",
            t(json!({"nbf": NOW + 3600})),
            Some("not yet valid"),
        ),
    ];
    check_table(&e, &rows);
}

#[test]
fn latest_claim_with_browser_version() {
    let e = engine(|c| c.ztaa_browser_version = true);
    let t = |claims: Value| vec![("pcb-ztaa", hs512(K1, &claims))];
    let exp = NOW + 60;
    let cases = [
        (json!({"exp": exp, "latest": true}), None),
        (
            json!({"exp": exp, "latest": false, "browser": "Chrome 99"}),
            Some("latest: false; browser: Chrome 99"),
        ),
        (
            json!({"exp": exp, "browser": "Chrome 99"}),
            Some("latest: missing; browser: Chrome 99"),
        ),
        // Only `true` counts (pyrasp took any truthy value).
        (
            json!({"exp": exp, "latest": 1}),
            Some("latest: 1; browser: unknown"),
        ),
        (
            json!({"exp": exp, "latest": "true"}),
            Some("latest: \"true\"; browser: unknown"),
        ),
    ];
    for (claims, want) in cases {
        let got = run(
            &e,
            &t(claims.clone())
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect::<Vec<_>>(),
        );
        match want {
            None => assert_eq!(got, None, "{claims}"),
            Some(p) => assert_eq!(got, Some(("browser_version", p.to_owned())), "{claims}"),
        }
    }
    // Without ZTAA_BROWSER_VERSION the claim does not matter.
    let off = engine(|_| {});
    let tok = hs512(K1, &json!({"exp": exp, "latest": false}));
    assert_eq!(run(&off, &[("pcb-ztaa", &tok)]), None);
}

#[test]
fn header_name_is_configurable() {
    let e = engine(|c| c.ztaa_header = "X-Access-Token".into());
    let tok = hs512(K1, &good());
    assert_eq!(run(&e, &[("x-access-token", &tok)]), None);
    assert_eq!(
        run(&e, &[("pcb-ztaa", &tok)]),
        Some(("ztaa_jwt", "missing token".to_owned()))
    );
}

#[test]
fn monitor_level_reports_and_lets_through() {
    let e = engine(|c| c.security_checks.set(CheckId::Ztaa, Level::Monitor));
    let v = e.inspect_request(&Request::new("GET", "/"));
    assert!(!v.is_blocked());
    assert_eq!(v.findings.len(), 1);
}

#[test]
fn ztaa_without_keys_does_not_build() {
    for level in [Level::Block, Level::BlockBlacklist, Level::Monitor] {
        let c = config(|c| {
            c.ztaa_keys.clear();
            c.security_checks.set(CheckId::Ztaa, level);
        });
        let err = Engine::new(c).unwrap_err();
        assert!(
            matches!(
                &err,
                EngineError::Config {
                    key: "ZTAA_KEYS",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("ZTAA_KEYS is empty"), "{err}");
    }
    let c = config(|c| c.ztaa_keys = vec![K1.into(), String::new()]);
    assert!(Engine::new(c).is_err());
    let c = config(|c| c.ztaa_header = " ".into());
    assert!(Engine::new(c).is_err());
    // Off, no key is fine (the default).
    assert!(Engine::new(Config::default()).is_ok());
}

#[test]
fn ztaa_config_errors_name_the_layer_and_the_fix() {
    let err = Config::from_json_str(r#"{"SECURITY_CHECKS": {"ztaa": 1}}"#).unwrap_err();
    let text = err.to_string();
    assert_eq!(err.len(), 1, "{text}");
    assert!(
        text.starts_with(
            "config file: ZTAA_KEYS: the ztaa check is on (level 1) but ZTAA_KEYS is empty"
        ),
        "{text}"
    );
    assert!(text.contains("set SECURITY_CHECKS.ztaa to 0"), "{text}");
    let err = Config::from_json_str(r#"{"SECURITY_CHECKS": {"ztaa": 2}, "ZTAA_KEYS": ["k", ""]}"#)
        .unwrap_err();
    assert!(err.to_string().contains("key 2 is empty"), "{err}");
    // Off: keys may be empty, and the keys are no longer "no effect yet".
    let ok = Config::from_json_str(r#"{"ZTAA_KEYS": [], "ZTAA_HEADER": "x-t"}"#).unwrap();
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
}

#[test]
fn ztaa_config_keys_load_and_short_keys_warn() {
    let text = format!(
        r#"{{"SECURITY_CHECKS": {{"ztaa": 1}}, "ZTAA_KEYS": ["{K1}", "short"],
            "ZTAA_LEEWAY": 5, "ZTAA_REQUIRE_EXP": false, "ZTAA_BROWSER_VERSION": true}}"#
    );
    let l = Config::from_json_str(&text).unwrap();
    assert_eq!(l.config.ztaa_leeway, 5);
    assert!(!l.config.ztaa_require_exp);
    let w: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("ZTAA_KEYS: key 2 is 5 bytes long"),
        "{w:?}"
    );
    assert!(!w[0].contains("short"), "the key is never shown: {w:?}");
    let err = Config::from_json_str(r#"{"ZTAA_LEEWAY": 7200}"#).unwrap_err();
    assert!(err.to_string().contains("ZTAA_LEEWAY"), "{err}");
}

#[test]
fn ztaa_templates_keep_it_off() {
    for t in crate::config::Template::ALL {
        assert_eq!(
            Config::template(t).security_checks.level(CheckId::Ztaa),
            Level::Off,
            "{t:?}"
        );
    }
}

#[test]
fn ztaa_debug_hides_the_keys() {
    let c = config(|_| {});
    let z = super::Ztaa::new(&c).unwrap();
    let d = format!("{z:?}");
    assert!(!d.contains("first-key") && d.contains("keys: 2"), "{d}");
}
