//! Fuzzes the decoders: `variants` must terminate, stay within its bounds, never repeat itself
//! and never panic, whatever the input.
#![no_main]

use ironward_core::decode::{DecodeOptions, DecodeStats, variants};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let opts = DecodeOptions { max_rounds: 3, max_depth: 2, base64: true, max_len: 512 };
    let mut stats = DecodeStats::default();
    let mut seen: Vec<String> = Vec::new();
    variants(&value, &opts, &mut stats, &mut |v, _| {
        assert!(v.len() <= opts.max_len + 4);
        assert!(v != *value);
        assert!(!seen.contains(&v));
        seen.push(v);
    });
    assert!(seen.len() <= 64);
});
