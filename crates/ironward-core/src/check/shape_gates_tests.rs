//! The shape gates of the value checks are exact in one direction: a value a check skips on
//! its [`Shape`] alone is one its detector does not flag. Checked on every row of the shared
//! datasets, the repository's benign corpus and generated values shaped to reach the gates.

#![allow(clippy::unwrap_used)]

use super::code_injection::{self, CodeInjection};
use super::command::CommandInjection;
use super::path_traversal::{self, PathTraversal};
use super::sqli::{self, Sqli};
use super::ssrf::Ssrf;
use super::test_support::{corpus, dataset};
use super::xss::{self, Xss};
use crate::config::Config;
use crate::input::Shape;
use proptest::prelude::*;

struct Checks {
    sqli: Sqli,
    xss: Xss,
    command: CommandInjection,
    path: PathTraversal,
    ssrf: Ssrf,
    code: CodeInjection,
}

impl Checks {
    fn new() -> Checks {
        let c = Config::default();
        Checks {
            sqli: Sqli::new(&c).unwrap(),
            xss: Xss::new(&c).unwrap(),
            command: CommandInjection::new(&c).unwrap(),
            path: PathTraversal::new(&c).unwrap(),
            ssrf: Ssrf::new(&c).unwrap(),
            code: CodeInjection::new(&c).unwrap(),
        }
    }

    /// The gates that wrongly skip `value` (empty when every gate is exact on it).
    fn wrong_skips(&self, value: &str) -> Vec<&'static str> {
        let shape = Shape::of(value);
        let mut wrong = Vec::new();
        if sqli::skips(shape) && self.sqli.detect(value).is_some() {
            wrong.push("sqli");
        }
        if xss::skips(shape) && self.xss.detect(value).is_some() {
            wrong.push("xss");
        }
        if self.command.skips(shape, value) && self.command.detect(value).is_some() {
            wrong.push("command");
        }
        if path_traversal::skips(shape, value) && self.path.is_attack(value, false) {
            wrong.push("path_traversal");
        }
        if code_injection::skips(shape, value) && self.code.detect(value).is_some() {
            wrong.push("code_injection");
        }
        // Every byte class at once: the gate lets everything through.
        let all = Shape::of_bytes(&(0..=255).collect::<Vec<u8>>());
        for name in [None, Some("url")] {
            if self.ssrf.is_attack_shaped(value, shape, name)
                != self.ssrf.is_attack_shaped(value, all, name)
            {
                wrong.push("ssrf");
            }
        }
        wrong
    }
}

#[test]
fn gates_never_skip_a_flagged_value_of_the_datasets() {
    let checks = Checks::new();
    let mut values = corpus();
    for name in [
        "sqli.jsonl",
        "xss.jsonl",
        "cmdi.jsonl",
        "path_traversal.jsonl",
        "ssrf.jsonl",
        "anomalous.jsonl",
        "benign.jsonl",
    ] {
        values.extend(dataset(name));
    }
    let wrong: Vec<_> = values
        .iter()
        .filter_map(|v| {
            let w = checks.wrong_skips(v);
            (!w.is_empty()).then_some((v, w))
        })
        .take(20)
        .collect();
    assert!(wrong.is_empty(), "gates skipped flagged values: {wrong:?}");
}

#[test]
fn gates_on_hand_picked_values() {
    let checks = Checks::new();
    for v in [
        "whoami",
        "ysoserial",
        "id",
        "ifconfig",
        "ipconfig",
        "localhost",
        "2130706433",
        "0x7f000001",
        "7F000001",
        "metadata",
        "sport",
        "price_asc",
        "0x2e0x2e",
        "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ",
        "Trail running shoe model 3",
        "SKU-00001",
        "a ysoserial payload",
        "the default_member_access, again",
    ] {
        assert!(
            checks.wrong_skips(v).is_empty(),
            "{v}: {:?}",
            checks.wrong_skips(v)
        );
    }
}

/// Built once for the generated cases.
static CHECKS: std::sync::LazyLock<Checks> = std::sync::LazyLock::new(Checks::new);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Word-only values (the ones the gates skip most) and values of a few other bytes.
    #[test]
    fn gates_are_exact_on_generated_values(
        v in prop_oneof![
            "[a-zA-Z0-9_]{1,14}",
            "[a-zA-Z0-9_ $xX.-]{1,14}",
            "(whoami|id|uname|ls|cat|sleep|ping|nc|wget|curl|ysoserial|localhost)[a-z0-9_]{0,3}",
            "[a-zA-Z0-9_ ,'\"-]{1,30}",
            "[a-z ,-]{0,10}(ysoserial|templatesimpl|jdbcrowsetimpl|rO0ABXNyABdqYXZh|aced0005deadbeef|gASVfooBarBaz1|DEFAULT_MEMBER_ACCESS|registerUndefinedFilterCallback)[a-z ,-]{0,10}",
        ]
    ) {
        let checks = &*CHECKS;
        prop_assert!(checks.wrong_skips(&v).is_empty(), "{:?}: {:?}", v, checks.wrong_skips(&v));
    }
}
