//! Fuzzes the SQL and HTML structural analyses and the models: they must never panic, and a
//! finding always names its rule (and only a finding does), whatever the input.
#![no_main]

use ironward_ml::{Strength, embedded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    for s in [ironward_ml::sql::analyze(&value), ironward_ml::html::analyze(&value)] {
        assert_eq!(s.strength == Strength::None, s.reason.is_empty());
    }
    for model in [embedded::sqli(), embedded::xss()].into_iter().flatten() {
        let p = model.score(&value);
        assert!((0.0..=1.0).contains(&p));
    }
});
