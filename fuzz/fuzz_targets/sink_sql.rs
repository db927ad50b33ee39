//! Fuzzes the SQL sink detector: the first line is the query, each further line an input (the
//! first byte of the data picks the dialect). Asserts that nothing panics and that a finding's
//! span is a range of the query that holds the input.
#![no_main]

use ironward_core::sink::{Dialect, sql};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let dialect = match pick % 4 {
        0 => Dialect::Sqlite,
        1 => Dialect::Postgres,
        2 => Dialect::MySql,
        _ => Dialect::Generic,
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let query = lines.next().unwrap_or_default();
    let inputs: Vec<&str> = lines.collect();
    if let Some(f) = sql::check(query, dialect, &inputs) {
        assert_eq!(query.get(f.span.clone()), Some(f.input.as_str()));
    }
    // Inputs cut from the query itself, so that they occur.
    let cuts: Vec<&str> = inputs
        .iter()
        .filter_map(|i| {
            let a = i.len() % (query.len() + 1);
            let b = (a + i.len() % 23).min(query.len());
            query.get(a..b)
        })
        .collect();
    if let Some(f) = sql::check(query, dialect, &cuts) {
        assert_eq!(query.get(f.span.clone()), Some(f.input.as_str()));
    }
});
