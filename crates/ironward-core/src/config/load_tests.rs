//! End-to-end tests of [`load`](super::load): templates, layering, pyrasp 0.6 files, every kind
//! of error message, wrapped documents. The round trip and the property tests are in
//! `load_props.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::Engine;
use crate::check::CheckId;
use serde_json::{Value, json};

/// The example configuration of pyrasp 0.6's documentation, comment line included.
const PYRASP_06_EXAMPLE: &str = r#"{
    "HOSTS" : ["mysite.mydomain.com"],
    "APP_NAME" : "Web Server",
    "GTFO_MSG" : "<html><head /><body><h1>You have been blocked</h1></body></html>",
    "DENY_STATUS_CODE": 403,

    "VERBOSE" : 10,
    "DECODE_B64" : true,

    "SECURITY_CHECKS" : {
        "path": 2, "headers": 2, "flood": 2, "spoofing": 2, "decoy": 2,
        "sqli": 2, "xss": 2, "hpp": 2, "command": 2, "dlp": 2
    },

    "WHITELIST": [],
    "IGNORE_PATHS" : ["^/css","^/js","^/img"],

    "BRUTE_AND_FLOOD_PATHS" : ["^/"],
    "FLOOD_DELAY" : 60,
    "FLOOD_RATIO" : 50,
    "ERROR_FLOOD_DELAY" : 10,
    "ERROR_FLOOD_RATIO" : 100,

    "BLACKLIST_DELAY" : 3600,
    "BLACKLIST_OVERRIDE" : false,

    "DECOY_ROUTES" : [
        "/admin", "/login", "/logs", "/version",
        "/cgi-bin/", "/remote/", "/.env", "/owa/",
        "/autodiscover", "/Autodiscover", "/.git/", "/.aws/ ", "/.well-known/"
    ],

    "XSS_PROBA" : 0.80,
    "MIN_XSS_LEN": 16,
    "SQLI_PROBA" : 0.725,
    "MIN_SQLI_LEN": 8,

    "DLP_PHONE_NUMBERS": false,
    "DLP_CC_NUMBERS": false,
    "DLP_PRIVATE_KEYS": false,
    "DLP_HASHES": false,
    "DLP_WINDOWS_CREDS": false,
    "DLP_LINUX_CREDS": false,

    "LOG_ENABLED": false,
    "LOG_FORMAT": "Syslog",
    "LOG_SERVER": "127.0.0.1",
    "LOG_PORT": 514,
    "LOG_PROTOCOL": "UDP",
    "LOG_PATH": "",
    "RESOLBVE_COUNTRY": false,

    "CHANGE_SERVER": true,
    "SERVER_HEADER": "Apache",

    //-- Cloud Operations --//
    "BEACON": false,
    "TELEMETRY_DATA": false,
    "BEACON_URL": "",
    "BEACON_DELAY": 30
}"#;

pub(super) fn with_params(params: &Value) -> Result<Loaded, ConfigErrors> {
    load(&ConfigSources {
        params: Some(params),
        ..ConfigSources::default()
    })
}

pub(super) fn with_file(text: &str) -> Result<Loaded, ConfigErrors> {
    load(&ConfigSources {
        file: Some(text),
        file_name: Some("rasp.json"),
        ..Default::default()
    })
}

#[test]
fn templates_by_name() {
    for t in Template::ALL {
        for name in [t.name().to_owned(), t.name().to_uppercase()] {
            let got = load(&ConfigSources {
                template: Some(&name),
                ..Default::default()
            })
            .unwrap();
            assert_eq!(got.config, Config::template(t), "{name}");
            assert_eq!(got.config.security_checks, t.levels());
        }
    }
    let e = load(&ConfigSources {
        template: Some("audti"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: unknown template \"audti\"; did you mean \"audit\"? \
         (templates: default, audit, monitor, llm, mcp, sink)"
    );
}

#[test]
fn layers_apply_in_order() {
    let file = r#"{"FLOOD_RATIO": 20, "VERBOSE": 5,
                   "SECURITY_CHECKS": {"sqli": 1, "xss": 1}, "SECURITY_CHECKS.hpp": 0}"#;
    let params = json!({"FLOOD_RATIO": 30, "SECURITY_CHECKS.sqli": 3});
    let sources = ConfigSources {
        template: Some("audit"),
        file: Some(file),
        file_name: Some("rasp.json"),
        params: Some(&params),
    };
    let c = load(&sources).unwrap().config;
    assert_eq!(c.flood_ratio, 30, "params beat the file");
    assert_eq!(c.verbose, 5, "the file beats the template");
    assert_eq!(c.error_flood_ratio, 10, "the template beats the defaults");
    let level = |k| c.security_checks.level(k);
    assert_eq!(
        level(CheckId::Sqli),
        Level::Monitor,
        "dotted params beat the file's object"
    );
    assert_eq!(level(CheckId::Xss), Level::Block);
    assert_eq!(level(CheckId::Hpp), Level::Off);
    assert_eq!(
        level(CheckId::Method),
        Level::BlockBlacklist,
        "unlisted checks keep the template's"
    );
}

#[test]
fn security_checks_merge_per_check() {
    let c = with_file(r#"{"SECURITY_CHECKS": {"sqli": 0}}"#)
        .unwrap()
        .config;
    let mut want = Config::default().security_checks;
    want.set(CheckId::Sqli, Level::Off);
    assert_eq!(c.security_checks, want);
}

#[test]
fn pyrasp_06_example_loads_with_warnings_only() {
    let got = with_file(PYRASP_06_EXAMPLE).unwrap();
    let c = &got.config;
    let blocked = "<html><head /><body><h1>You have been blocked</h1></body></html>";
    assert_eq!(c.block_action_content, blocked);
    assert_eq!(c.blacklist_action_content, blocked);
    assert_eq!((c.block_status_code, c.blacklist_status_code), (403, 403));
    assert!(!c.resolve_country);
    assert_eq!(
        (c.log_format, c.log_protocol),
        (LogFormat::Syslog, LogProtocol::Udp)
    );
    assert_eq!(c.beacon_url, None);
    assert_eq!(c.sqli_proba, 0.725);
    assert_eq!(
        c.security_checks.level(CheckId::Headers),
        Level::BlockBlacklist
    );
    assert_eq!(c.security_checks.level(CheckId::Bots), Level::Off);
    assert_eq!(c.decoy_routes.len(), 13);
    assert!(c.decoy_routes.iter().all(|r| r.kind == MatchKind::Starts));
    let warned: Vec<&str> = got.warnings.iter().map(|w| w.key.as_str()).collect();
    for k in [
        "GTFO_MSG",
        "DENY_STATUS_CODE",
        "MIN_XSS_LEN",
        "MIN_SQLI_LEN",
        "RESOLBVE_COUNTRY",
    ] {
        assert!(warned.contains(&k), "no warning for {k}: {warned:?}");
    }
    assert_eq!(got.warnings.len(), 5, "{:?}", got.warnings);
    assert!(
        got.warnings
            .iter()
            .all(|w| w.message.ends_with("(in rasp.json)"))
    );
}

#[test]
fn aliases_yield_to_new_keys() {
    let same = with_file(r#"{"GTFO_MSG": "old", "BLOCK_ACTION_CONTENT": "new"}"#).unwrap();
    assert_eq!(same.config.block_action_content, "new");
    assert_eq!(same.config.blacklist_action_content, "old");
    assert!(
        same.warnings[0]
            .message
            .contains("BLOCK_ACTION_CONTENT also given here")
    );
    let params = json!({"BLOCK_STATUS_CODE": 410});
    let layered = load(&ConfigSources {
        file: Some(r#"{"DENY_STATUS_CODE": 404, "BRUTE_AND_FLOOD_PATH": ["^/login"]}"#),
        params: Some(&params),
        ..Default::default()
    })
    .unwrap()
    .config;
    assert_eq!(
        (layered.block_status_code, layered.blacklist_status_code),
        (410, 404)
    );
    assert_eq!(layered.brute_and_flood_paths, vec!["^/login".to_owned()]);
    let e = with_params(&json!({"MIN_XSS_LEN": -1, "GTFO_MSG": 3})).unwrap_err();
    let keys: Vec<&str> = e.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["GTFO_MSG", "MIN_XSS_LEN"],
        "one error per alias, not per target"
    );
}

/// Each kind of error, with the message an operator sees.
#[test]
fn error_messages() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"block_status_code": 403}),
            "rasp.json: block_status_code: unknown key; did you mean \"BLOCK_STATUS_CODE\"?",
        ),
        (
            json!({"FLOOD_RATE": 3}),
            "rasp.json: FLOOD_RATE: unknown key; did you mean \"FLOOD_RATIO\"?",
        ),
        (
            json!({"BLOCK_STATUS_CODE": "abc"}),
            "rasp.json: BLOCK_STATUS_CODE: expected an integer from 100 to 599, got \"abc\"",
        ),
        (
            json!({"LOG_PORT": 70000}),
            "rasp.json: LOG_PORT: expected an integer from 1 to 65535, got 70000",
        ),
        (
            json!({"FLOOD_DELAY": 0}),
            "rasp.json: FLOOD_DELAY: expected an integer from 1 to 315360000, got 0",
        ),
        (
            json!({"XSS_PROBA": 1.5}),
            "rasp.json: XSS_PROBA: expected a number from 0 to 1, got 1.5",
        ),
        (
            json!({"DECODE_B64": "yes"}),
            "rasp.json: DECODE_B64: expected true or false, got \"yes\"",
        ),
        (
            json!({"LOG_FORMAT": "xml"}),
            "rasp.json: LOG_FORMAT: expected one of \"syslog\", \"rfc5424\", \"rfc3164\", \"json\", \"pcb\", got \"xml\"",
        ),
        (
            json!({"IGNORE_PATHS": ["^/ok", "("]}),
            "rasp.json: IGNORE_PATHS: entry 1: invalid regex \"(\": unclosed group",
        ),
        (
            json!({"DECOY_ROUTES": [["x", "begins"]]}),
            "rasp.json: DECOY_ROUTES: entry 0: unknown match kind \"begins\", expected regex, starts, contains, match or ends",
        ),
        (
            json!({"WHITELIST": ["10.1"]}),
            "rasp.json: WHITELIST: entry 0: \"10.1\" is not an IP address or CIDR block (pyrasp matched address prefixes as text; Ironward matches networks); did you mean \"10.1.0.0/16\"?",
        ),
        (
            json!({"BLOCK_ACTION": "redirect"}),
            "rasp.json: BLOCK_ACTION: \"redirect\" needs a 3xx BLOCK_STATUS_CODE (such as 302 or 307), got 403",
        ),
        (
            json!({"BLACKLIST_ACTION": "REDIRECT", "BLACKLIST_STATUS_CODE": 200}),
            "rasp.json: BLACKLIST_ACTION: \"redirect\" needs a 3xx BLACKLIST_STATUS_CODE (such as 302 or 307), got 200",
        ),
        (
            json!({"SECURITY_CHECKS": {"sqli": 4}}),
            "rasp.json: SECURITY_CHECKS: sqli: expected a level: 0 (off), 1 (block), 2 (block and blacklist) or 3 (monitor), got 4",
        ),
        (
            json!({"SECURITY_CHECKS": {"sqlii": 2}}),
            "rasp.json: SECURITY_CHECKS: unknown check \"sqlii\"; did you mean \"sqli\"?",
        ),
        (
            json!({"SECURITY_CHECKS": [2]}),
            "rasp.json: SECURITY_CHECKS: expected an object mapping check names to levels 0-3, got [2]",
        ),
        (
            json!({"SECURITY_CHECKS.xsss": 2}),
            "rasp.json: SECURITY_CHECKS.xsss: unknown check \"xsss\"; did you mean \"xss\"?",
        ),
        (
            json!({"SECURITY_CHECK.xss": 2}),
            "rasp.json: SECURITY_CHECK.xss: unknown key; did you mean \"SECURITY_CHECKS.xss\"?",
        ),
        (
            json!({"Sqli": 2}),
            "rasp.json: Sqli: unknown key; did you mean \"SECURITY_CHECKS.sqli\"?",
        ),
        (
            json!({"BODY_LIMIT_ACTION": "drop"}),
            "rasp.json: BODY_LIMIT_ACTION: expected one of \"block\", \"monitor\", got \"drop\"",
        ),
        (
            json!({"BEACON_URL": 5}),
            "rasp.json: BEACON_URL: expected a string or null, got 5",
        ),
    ];
    for (doc, want) in cases {
        let e = with_file(&doc.to_string()).unwrap_err();
        assert_eq!(e.to_string(), *want);
    }
    assert!(with_file(r#"{"BLOCK_ACTION": "redirect", "BLOCK_STATUS_CODE": 302}"#).is_ok());
}

#[test]
fn body_limit_action_any_case() {
    assert_eq!(Config::default().body_limit_action, BodyLimitAction::Block);
    for (v, want) in [
        ("block", BodyLimitAction::Block),
        ("MONITOR", BodyLimitAction::Monitor),
        (" Monitor", BodyLimitAction::Monitor),
    ] {
        let got = with_params(&json!({ "BODY_LIMIT_ACTION": v })).unwrap();
        assert_eq!(got.config.body_limit_action, want, "{v}");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    }
    assert!(with_params(&json!({"BODY_LIMIT_ACTION": 1})).is_err());
}

#[test]
fn every_error_is_reported_at_once() {
    let params = json!({"LOG_PORT": 0, "NOPE": 1});
    let e = load(&ConfigSources {
        template: Some("nope"),
        file: Some(r#"{"VERBOSE": -1, "WHITELIST": ["x", "10.0.0.1", "y"], "HOSTS": "a"}"#),
        file_name: Some("rasp.json"),
        params: Some(&params),
    })
    .unwrap_err();
    let layers: Vec<&str> = e.iter().map(|e| e.layer.as_str()).collect();
    assert_eq!(
        layers,
        vec![
            "template",
            "rasp.json",
            "rasp.json",
            "rasp.json",
            "rasp.json",
            "params",
            "params"
        ]
    );
    assert_eq!(e.to_string().lines().count(), 7);
}

#[test]
fn file_level_errors() {
    for (text, want) in [
        (
            "",
            "rasp.json: the file is empty; expected a JSON object of configuration keys",
        ),
        (
            "[]",
            "rasp.json: expected a JSON object of configuration keys, got an array",
        ),
        (
            "{\n \"VERBOSE\": 1,\n}",
            "rasp.json: invalid JSON at line 3, column 1: trailing comma",
        ),
    ] {
        assert_eq!(with_file(text).unwrap_err().to_string(), want);
    }
    let e = with_params(&json!("x")).unwrap_err().to_string();
    assert_eq!(
        e,
        "params: expected a JSON object of configuration keys, got a string"
    );
}

#[test]
fn wrapped_config() {
    let got = with_file(r#"{"config": {"VERBOSE": 10}, "blacklist": {"1.2.3.4": 0}}"#).unwrap();
    assert_eq!(got.config.verbose, 10);
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(got.warnings[0].key, "blacklist");
}

/// A value of `spec`'s kind that differs from `default`.
fn other_value(spec: &KeySpec, default: &Value) -> Value {
    match spec.kind {
        ValueKind::Bool => json!(!default.as_bool().unwrap()),
        ValueKind::Str => json!("x-other"),
        ValueKind::OptStr => json!("https://example.com/beacon"),
        ValueKind::Strings => json!(["k"]),
        ValueKind::Int(r) if default.as_u64() == Some(r.max) => json!(r.min),
        ValueKind::Int(r) => json!(r.max),
        ref k => panic!("no other value for {} ({k:?})", spec.name),
    }
}

/// Every key and check level of `INERT_KEYS` set away from its default loads with exactly one
/// warning, naming it, the layer and "no effect"; set to its default, none.
#[test]
fn inert_keys_warn_once_when_set() {
    let defaults = serde_json::to_value(Config::default()).unwrap();
    let mut all_defaults = serde_json::Map::new();
    for k in INERT_KEYS {
        let (values, default) = match k.check() {
            Some(_) => (vec![json!(1), json!(2), json!(3)], json!(0)),
            None => {
                let spec = key_spec(k.key).unwrap();
                let d = defaults[k.key].clone();
                (vec![other_value(spec, &d)], d)
            }
        };
        for v in values {
            let got = with_file(&json!({ k.key: v }).to_string()).unwrap();
            assert_eq!(got.warnings.len(), 1, "{} = {v}: {:?}", k.key, got.warnings);
            let w = &got.warnings[0];
            assert_eq!(w.key, k.key);
            assert!(w.message.contains("no effect"), "{w}");
            assert!(w.message.ends_with("(in rasp.json)"), "{w}");
            if let Some(n) = k.issue {
                assert!(w.message.contains(&format!("(issue {n})")), "{w}");
            }
        }
        all_defaults.insert(k.key.to_owned(), default);
    }
    let got = with_file(&Value::Object(all_defaults).to_string()).unwrap();
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert!(with_file("{}").unwrap().warnings.is_empty());
}

/// Templates that turn an inert check or key on say so, naming the template; a file that sets
/// it back to its default silences the warning.
#[test]
fn inert_settings_of_templates_warn() {
    let warned = |template: &str, file: &str| -> Vec<String> {
        load(&ConfigSources {
            template: Some(template),
            file: Some(file),
            file_name: Some("rasp.json"),
            params: None,
        })
        .unwrap()
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect()
    };
    // Every check of every template has its effect now (prompt since issue 16): templates
    // are quiet, and a file that sets an inert key is named.
    for t in ["default", "audit", "monitor", "llm", "mcp", "sink"] {
        assert!(warned(t, "{}").is_empty(), "{t}");
    }
    assert!(
        warned("llm", r#"{"BEACON": true}"#).is_empty(),
        "issue 14 gave it its effect"
    );
    let w = warned("llm", r#"{"ML_CACHE_SIZE": 5}"#);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].ends_with("(in rasp.json)"), "{w:?}");
    assert!(warned("llm", r#"{"PROMPT_BATCH_SIZE": 8}"#).is_empty());
    assert!(warned("default", "{}").is_empty());
}

/// Every key that takes user regexes compiles them within the size limit: a pattern whose
/// compiled program would be too big is refused at load time, naming the key, the pattern and
/// the limit; a normal pattern loads.
#[test]
fn user_regexes_are_size_limited() {
    let big_patterns = [r"(a{1000}){1000}", &r"\w{5000}".repeat(4)];
    type List = fn(&str) -> Value;
    let keys: [(&str, List); 6] = [
        ("IGNORE_PATHS", |p| json!([p])),
        ("PROMPT_ROUTES", |p| json!([p])),
        ("BRUTE_AND_FLOOD_PATHS", |p| json!([p])),
        ("DECOY_ROUTES", |p| json!([[p, "regex"]])),
        ("EXCEPTIONS", |p| json!([[p, "regex"]])),
        ("WHITELIST_HEADERS", |p| json!([[p, "regex"]])),
    ];
    for (key, list) in keys {
        for big in big_patterns {
            let e = with_file(&json!({ key: list(big) }).to_string()).unwrap_err();
            assert_eq!(e.len(), 1, "{key} {big}: {e}");
            let m = e.to_string();
            assert!(
                m.starts_with(&format!("rasp.json: {key}: entry 0: regex ")),
                "{m}"
            );
            assert!(m.contains(&big[..8]), "names the pattern: {m}");
            assert!(m.contains("is too big"), "{m}");
            assert!(m.contains("size limit of 4194304 bytes (4 MiB)"), "{m}");
        }
        let ok = with_file(&json!({ key: list(r"^/v\d+/(debug|trace)$") }).to_string());
        assert!(ok.is_ok(), "{key}: {ok:?}");
        Engine::new(ok.unwrap().config).unwrap();
    }
}

/// The regexes of the configuration run on `regex`, which never backtracks: a pattern that
/// is catastrophic for a backtracking engine matches a long hostile value in one pass (a
/// backtracking engine would not finish this test).
#[test]
fn user_regexes_run_in_linear_time() {
    let c = with_file(r#"{"IGNORE_PATHS": ["^/(a+)+$", "^/(a|aa)*c$"]}"#)
        .unwrap()
        .config;
    let set = crate::pattern::compile_regex_set(&c.ignore_paths)
        .unwrap()
        .unwrap();
    let hostile = format!("/{}!", "a".repeat(64 * 1024));
    assert!(!set.is_match(&hostile));
    assert!(set.is_match(&format!("/{}", "a".repeat(64 * 1024))));
}

/// The remote layer of a management server sits between the file and the explicit params:
/// it overrides the file (whole keys, or one check with the dotted form) and params override
/// it; its errors name the layer `remote`.
#[test]
fn the_remote_layer_sits_between_file_and_params() {
    let params = json!({"XSS_PROBA": 0.9});
    let sources = ConfigSources {
        template: Some("default"),
        file: Some(r#"{"XSS_PROBA": 0.2, "FLOOD_RATIO": 10, "SECURITY_CHECKS": {"sqli": 1}}"#),
        file_name: Some("rasp.json"),
        params: Some(&params),
    };
    let remote = json!({"XSS_PROBA": 0.5, "FLOOD_RATIO": 20, "SECURITY_CHECKS.xss": 0});
    let c = load_with_remote(&sources, Some(&remote)).unwrap().config;
    assert_eq!((c.xss_proba, c.flood_ratio), (0.9, 20));
    assert_eq!(c.security_checks.level(CheckId::Xss), Level::Off);
    assert_eq!(c.security_checks.level(CheckId::Sqli), Level::Block);
    let e = load_with_remote(&sources, Some(&json!({"FLOOD_RATIO": "x"}))).unwrap_err();
    assert!(e.to_string().starts_with("remote: FLOOD_RATIO"), "{e}");
    assert_eq!(
        load_with_remote(&sources, None).unwrap().config.flood_ratio,
        10
    );
}
