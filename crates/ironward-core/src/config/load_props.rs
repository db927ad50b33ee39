//! Tests of [`load`](super::load) over many inputs: values are normalised, a serialised
//! configuration loads back unchanged, and arbitrary JSON for any key never makes the loader
//! panic; it either loads or yields errors naming that key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::load_tests::{with_file, with_params};
use super::*;
use proptest::prelude::*;
use serde_json::{Value, json};

#[test]
fn values_are_normalised() {
    let c = with_params(&json!({
        "FORBIDDEN_HEADERS": ["X-Debug"], "UPLOAD_EXTENSIONS": [".PNG"], "UPLOAD_MAX_SIZE": 0,
        "WHITELIST": ["10.0.0.1", "2001:db8::/32"], "TRUSTED_PROXIES": ["192.168.0.0/16"],
        "BEACON_URL": "", "FLOOD_DELAY": 30.0, "WHITELIST_HEADERS": ["Authorization"]
    }))
    .unwrap()
    .config;
    assert_eq!(c.forbidden_headers, vec!["x-debug".to_owned()]);
    assert_eq!(c.upload_extensions, vec!["png".to_owned()]);
    assert_eq!(c.upload_max_size, 0.0);
    assert_eq!(
        c.whitelist
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["10.0.0.1/32", "2001:db8::/32"]
    );
    assert_eq!(c.trusted_proxies.len(), 1);
    assert_eq!((c.beacon_url, c.flood_delay), (None, 30));
    assert_eq!(
        c.whitelist_headers,
        vec![PatternRule {
            pattern: "authorization".into(),
            kind: MatchKind::Match
        }]
    );
}

fn assert_round_trip(c: &Config) {
    let v = serde_json::to_value(c).unwrap();
    let back = with_params(&v).unwrap();
    assert_eq!(&back.config, c);
    // The only warnings are those of the keys that have no effect yet.
    let keys = |w: &[ConfigWarning]| w.iter().map(|w| w.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&back.warnings), keys(&inert_warnings(c)));
    let text = serde_json::to_string_pretty(c).unwrap();
    assert_eq!(&Config::from_json_str(&text).unwrap().config, c);
}

#[test]
fn serialised_config_loads_back_unchanged() {
    for t in Template::ALL {
        assert_round_trip(&Config::template(t));
    }
    let custom = with_params(&json!({
        "WHITELIST": ["10.0.0.0/8", "::1"], "TRUSTED_PROXIES": ["172.16.0.0/12"],
        "WHITELIST_HEADERS": [["^x-trace", "regex"], "Cookie"], "EXCEPTIONS": ["a", ["b", "ends"]],
        "BEACON_URL": "https://example.invalid/beacon", "BLOCK_ACTION": "redirect",
        "BLOCK_STATUS_CODE": 302, "BLOCK_ACTION_CONTENT": "https://example.invalid/blocked",
        "XSS_PROBA": 0.123456789, "UPLOAD_MAX_SIZE": 2.5, "LOG_FORMAT": "rfc5424",
        "LOG_PROTOCOL": "stdout", "SECURITY_CHECKS": {"ssrf": 3}
    }))
    .unwrap()
    .config;
    let v = serde_json::to_value(&custom).unwrap();
    assert_eq!(
        v["WHITELIST_HEADERS"],
        json!([["(?i)^x-trace", "regex"], ["cookie", "match"]])
    );
    assert_eq!(v["WHITELIST"], json!(["10.0.0.0/8", "::1/128"]));
    assert_eq!(v["SECURITY_CHECKS"]["ssrf"], json!(3));
    assert_round_trip(&custom);
}

/// Arbitrary JSON, biased towards values that are almost right for some key.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0u64..1000).prop_map(|n| json!(n)),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "[a-zA-Z0-9./:^$()*?+|\\[\\]{}\\\\-]{0,16}".prop_map(Value::String),
        prop::sample::select(vec![
            "redirect",
            "block",
            "10.0.0.0/8",
            "10.1",
            "::1",
            "sqli",
            "regex",
            "starts",
            "SYSLOG",
            "udp",
            "",
            "(",
            "^/",
            "a{99999}",
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn every_key() -> Vec<String> {
    let mut keys: Vec<String> = KNOWN_KEYS.iter().map(|k| (*k).to_owned()).collect();
    keys.extend(ALIASES.iter().map(|a| a.old.to_owned()));
    keys.extend([
        "SECURITY_CHECKS.sqli".to_owned(),
        "SECURITY_CHECKS.nope".to_owned(),
    ]);
    keys
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn any_value_for_any_key_is_ok_or_names_the_key(
        key in prop::sample::select(every_key()),
        value in any_json(),
    ) {
        let params = json!({ key.clone(): value });
        if let Err(errors) = with_params(&params) {
            prop_assert!(!errors.is_empty());
            for e in errors.iter() {
                prop_assert_eq!(&e.key, &key);
                prop_assert_eq!(e.layer.as_str(), "params");
            }
        }
    }

    #[test]
    fn any_file_text_never_panics(text in "[{}\\[\\]\":,/ \na-zA-Z0-9_.\\\\-]{0,120}") {
        let _ = with_file(&text);
    }
}
