//! Fuzzes the configuration loader (`config::load`, `Config::from_json_str`).
//!
//! The first byte picks the mode:
//! - even: the rest is the text of a configuration file, as is (JSON, `//` comments, BOM,
//!   `{"config": {...}}` wrapper);
//! - odd: the rest drives a generator of JSON objects whose keys are real configuration keys
//!   (`KNOWN_KEYS`, deprecated aliases, `SECURITY_CHECKS`, `SECURITY_CHECKS.<check>`, the
//!   `config` wrapper) and whose values are of every JSON type (regexes, networks, levels,
//!   status codes, huge and negative numbers…), loaded as the file layer, as the params layer
//!   or both (one of the three, picked by the second byte, which picks the template too).
//!
//! Asserts: no panic; errors are values (a non-empty list, each with a message); loading is
//! deterministic; a configuration that loads builds an engine, which inspects a request without
//! an internal error (so no accepted value can make the engine fail).
#![no_main]

use ironward_core::check::CheckId;
use ironward_core::config::{ALIASES, Config, ConfigSources, KNOWN_KEYS, Template, load};
use ironward_core::engine::Engine;
use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{check_inputs, check_verdict, peer};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};

/// Strings a configuration value is often made of.
const WORDS: [&str; 24] = [
    "",
    "block",
    "redirect",
    "json",
    "syslog",
    "udp",
    "tcp",
    "^/admin",
    "(",
    "a{1000}{1000}",
    "[a-",
    "\\p{Greek}+",
    "10.0.0.0/8",
    "::1/129",
    "192.0.2.1",
    "x-forwarded-for",
    ".php",
    "regex",
    "starts",
    "contains",
    "https://example.com/x",
    "default",
    "0",
    "1.5",
];

/// A byte reader that yields zeros once exhausted.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
    fn raw_str(&mut self) -> String {
        let n = usize::from(self.byte() % 32).min(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }
    fn key(&mut self) -> String {
        let b = self.byte();
        match b % 8 {
            0..=3 => KNOWN_KEYS[usize::from(self.byte()) % KNOWN_KEYS.len()].to_owned(),
            4 => ALIASES[usize::from(self.byte()) % ALIASES.len()]
                .old
                .to_owned(),
            5 => "SECURITY_CHECKS".to_owned(),
            6 => {
                let all = CheckId::ALL;
                format!(
                    "SECURITY_CHECKS.{}",
                    all[usize::from(self.byte()) % all.len()].key()
                )
            }
            _ => {
                if b & 8 != 0 {
                    "config".to_owned()
                } else {
                    self.raw_str()
                }
            }
        }
    }
    fn value(&mut self, depth: u32) -> Value {
        let b = self.byte();
        match b % 12 {
            0 => Value::Null,
            1 => Value::Bool(b & 16 != 0),
            2 => Value::from(self.byte() % 5),
            3 => Value::from(i64::from(self.byte()) * 97 - 200),
            4 => Value::from(u64::MAX - u64::from(self.byte())),
            5 => Value::from(i64::MIN + i64::from(self.byte())),
            6 => Number::from_f64(f64::from(self.byte()) / 7.0 - 3.0)
                .map_or(Value::Null, Value::Number),
            7 => Value::String(WORDS[usize::from(self.byte()) % WORDS.len()].to_owned()),
            8 => Value::String(self.raw_str()),
            9 if depth < 3 => {
                let n = usize::from(self.byte() % 5);
                Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
            }
            10 if depth < 3 => {
                // A check table, as in SECURITY_CHECKS.
                let mut m = Map::new();
                for _ in 0..self.byte() % 6 {
                    let all = CheckId::ALL;
                    let k = all[usize::from(self.byte()) % all.len()].key().to_owned();
                    m.insert(k, self.value(depth + 1));
                }
                Value::Object(m)
            }
            11 if depth < 3 => Value::Object(self.object(depth + 1)),
            _ => Value::from(u16::from(self.byte()) * 3),
        }
    }
    fn object(&mut self, depth: u32) -> Map<String, Value> {
        let mut m = Map::new();
        let n = if depth == 0 { 24 } else { 4 };
        for _ in 0..n {
            if self.done() {
                break;
            }
            let k = self.key();
            let v = self.value(depth);
            m.insert(k, v);
        }
        m
    }
}

fn template_name(b: u8) -> Option<&'static str> {
    let all = Template::ALL;
    match usize::from(b) % (all.len() + 2) {
        i if i < all.len() => Some(all[i].name()),
        i if i == all.len() => Some("nonexistent"),
        _ => None,
    }
}

/// Loads, asserting the invariants; on success builds an engine and inspects a request.
fn check(sources: &ConfigSources<'_>) {
    let first = load(sources);
    let again = load(sources);
    assert_eq!(first, again, "loading is not deterministic");
    match first {
        Ok(loaded) => {
            for w in &loaded.warnings {
                let _ = w.to_string();
            }
            exercise(loaded.config);
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "Err with no error");
            for e in &errors.0 {
                assert!(!e.message.is_empty(), "error without a message");
                let _ = e.to_string();
            }
        }
    }
}

fn exercise(config: Config) {
    let engine = match Engine::new(config) {
        Ok(e) => e,
        Err(e) => panic!("a configuration that loads does not build an engine: {e}"),
    };
    let body = br#"{"q": "1' OR '1'='1", "n": [1, {"x": "<script>"}]}"#;
    let headers = Headers(vec![
        Header::new("host", "example.com"),
        Header::new("content-type", "application/json"),
        Header::new("cookie", "a=\"\\x\"; sid=abc"),
        Header::new("x-forwarded-for", "198.51.100.7"),
    ]);
    let req = Request::new("POST", "/admin/a?id=1&id=2&u=http://169.254.169.254/")
        .with_headers(headers)
        .with_body(body)
        .with_peer(peer());
    check_inputs(&engine.extract(&req), engine.limits());
    let v = engine.inspect_request(&req);
    check_verdict(&engine, &v);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let text = String::from_utf8_lossy(rest);
        let loaded = Config::from_json_str(&text);
        if let Err(errors) = &loaded {
            assert!(!errors.0.is_empty(), "Err with no error");
        }
        check(&ConfigSources {
            template: template_name(mode / 2),
            file: Some(&text),
            file_name: Some("fuzz.json"),
            params: None,
        });
        return;
    }
    let mut bytes = Bytes(rest);
    let sel = bytes.byte();
    let template = template_name(sel / 3);
    let file = Value::Object(bytes.object(0));
    let params = Value::Object(bytes.object(0));
    let text = file.to_string();
    let (file, params) = match sel % 3 {
        0 => (Some(text.as_str()), None),
        1 => (None, Some(&file)),
        _ => (Some(text.as_str()), Some(&params)),
    };
    check(&ConfigSources {
        template,
        file,
        file_name: file.map(|_| "fuzz.json"),
        params,
    });
});
