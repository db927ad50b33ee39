//! Fuzzes the NoSQL sink detector: the data is text whose first line is the filter (JSON;
//! anything else is used as a JSON string), the second the request's JSON body (if it
//! parses), and each further line a `name=value` parameter (also a string input). Asserts
//! that nothing panics, that the user objects are bounded and carry a `$` key, and that a
//! filter equal to a user object fires.
#![no_main]

use ironward_core::sink::nosql;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let filter = serde_json::from_str::<Value>(first).unwrap_or_else(|_| Value::from(first));
    let body = lines
        .next()
        .and_then(|l| serde_json::from_str::<Value>(l).ok());
    let pairs: Vec<(&str, &str)> = lines
        .map(|l| l.split_once('=').unwrap_or((l, "")))
        .collect();
    let objects = nosql::user_objects(body.as_ref(), pairs.iter().copied());
    assert!(objects.len() <= nosql::MAX_USER_OBJECTS);
    assert!(objects.iter().all(|o| o
        .as_object()
        .is_some_and(|m| m.keys().any(|k| k.starts_with('$')))));
    let strings = pairs.iter().flat_map(|(n, v)| [*n, *v]);
    if let Some(f) = nosql::check_with_strings(&filter, &objects, strings) {
        assert!(f.input.len() <= nosql::MAX_INPUT_REPORTED);
    }
    if let Some(first) = objects.first() {
        assert!(nosql::check(first, &objects).is_some());
    }
});
