//! Fuzzes the path sink detector: the text's first line is the base (an empty line means no
//! base), the second the path, each further line an input. Asserts that nothing panics and
//! that a finding's span is a range of the path; inputs cut from the path itself are tried
//! too, so that they occur.
#![no_main]

use ironward_core::sink::path;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let base = lines.next().filter(|b| !b.is_empty());
    let p = lines.next().unwrap_or_default();
    let inputs: Vec<&str> = lines.collect();
    if let Some(f) = path::check(base, p, &inputs) {
        assert!(p.get(f.span.clone()).is_some());
    }
    let cuts: Vec<&str> = inputs
        .iter()
        .filter_map(|i| {
            let a = i.len() % (p.len() + 1);
            let b = (a + i.len() % 23).min(p.len());
            p.get(a..b)
        })
        .chain([p])
        .collect();
    if let Some(f) = path::check(base, p, &cuts) {
        assert!(p.get(f.span.clone()).is_some());
    }
});
