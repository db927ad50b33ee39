//! Table tests of the NoSQL sink detector: filters that hold operators the request carried
//! (must fire), filters whose operators the code wrote (must not), the collection of user
//! objects from JSON bodies and bracket parameters, and property tests (nothing panics; no
//! user object never fires; hostile nesting stays bounded).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::{
    MAX_DEPTH, MAX_INPUT_REPORTED, MAX_USER_OBJECTS, check, check_request, check_with_strings,
    user_objects,
};
use crate::input::tests_support::run;
use crate::request::Request;
use crate::sink::{Reason, Sink};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A request: the JSON body, the query or form pairs, the string inputs.
struct Req {
    body: Option<Value>,
    pairs: Vec<(&'static str, &'static str)>,
    strings: Vec<&'static str>,
}

fn body(v: Value) -> Req {
    Req {
        body: Some(v),
        pairs: vec![],
        strings: vec![],
    }
}

fn pairs(p: &[(&'static str, &'static str)]) -> Req {
    Req {
        body: None,
        pairs: p.to_vec(),
        strings: vec![],
    }
}

fn strings(s: &[&'static str]) -> Req {
    Req {
        body: None,
        pairs: vec![],
        strings: s.to_vec(),
    }
}

fn run_check(filter: &Value, req: &Req) -> Option<crate::sink::SinkFinding> {
    let objects = user_objects(req.body.as_ref(), req.pairs.iter().copied());
    check_with_strings(filter, &objects, &req.strings)
}

/// Filters built from a request that carried operators: (what, filter, request).
fn exploits() -> Vec<(&'static str, Value, Req)> {
    vec![
        (
            "login bypass, $ne",
            json!({"user": "admin", "password": {"$ne": null}}),
            body(json!({"user": "admin", "password": {"$ne": null}})),
        ),
        (
            "login bypass, $gt",
            json!({"username": {"$gt": ""}, "password": {"$gt": ""}}),
            body(json!({"username": {"$gt": ""}, "password": {"$gt": ""}})),
        ),
        (
            "$regex",
            json!({"user": {"$regex": "^adm", "$options": "i"}, "active": true}),
            body(json!({"user": {"$regex": "^adm", "$options": "i"}})),
        ),
        (
            "the whole body as the filter, $where",
            json!({"user": "a", "$where": "sleep(1000)"}),
            body(json!({"user": "a", "$where": "sleep(1000)"})),
        ),
        (
            "$or nested in the code's $and",
            json!({"$and": [{"tenant": "t1"}, {"$or": [{"a": 1}, {"b": 2}]}]}),
            body(json!({"$or": [{"a": 1}, {"b": 2}]})),
        ),
        (
            "operators merged into the code's own",
            json!({"age": {"$gt": 0, "$lt": 200}}),
            body(json!({"age": {"$gt": 0}})),
        ),
        (
            "nested user object used alone",
            json!({"c": {"$exists": true}}),
            body(json!({"a": {"b": {"c": {"$exists": true}}}})),
        ),
        (
            "$expr from the body",
            json!({"$expr": {"$eq": ["$password", "$username"]}}),
            body(json!({"filter": {"$expr": {"$eq": ["$password", "$username"]}}})),
        ),
        (
            "aggregation pipeline",
            json!([{"$match": {"user": {"$ne": null}}}, {"$limit": 10}]),
            body(json!({"user": {"$ne": null}})),
        ),
        (
            "bracket $ne (qs, PHP)",
            json!({"user": "admin", "password": {"$ne": "x"}}),
            pairs(&[("user", "admin"), ("password[$ne]", "x")]),
        ),
        (
            "bracket a[b][$gt]",
            json!({"a": {"b": {"$gt": "1"}}}),
            pairs(&[("a[b][$gt]", "1")]),
        ),
        (
            "bracket a[b][$gt], inner object used",
            json!({"b": {"$gt": "1"}}),
            pairs(&[("a[b][$gt]", "1")]),
        ),
        (
            "bracket $in[] merged",
            json!({"role": {"$in": ["admin", "root"]}}),
            pairs(&[("role[$in][]", "admin"), ("role[$in][]", "root")]),
        ),
        (
            "bracket $in with indices",
            json!({"role": {"$in": ["a", "b"]}}),
            pairs(&[("role[$in][0]", "a"), ("role[$in][1]", "b")]),
        ),
        (
            "bracket $regex and $options merged",
            json!({"name": {"$regex": "^a", "$options": "i"}}),
            pairs(&[("name[$regex]", "^a"), ("name[$options]", "i")]),
        ),
        (
            "bracket $or of objects",
            json!({"$or": [{"user": "a"}, {"admin": "true"}]}),
            pairs(&[("q[$or][0][user]", "a"), ("q[$or][1][admin]", "true")]),
        ),
        (
            "bracket values cast by the ODM",
            json!({"age": {"$gt": 0}, "active": {"$ne": false}, "n": {"$in": [1, 2.5]}}),
            pairs(&[
                ("age[$gt]", "0"),
                ("active[$ne]", "false"),
                ("n[$in][]", "1"),
                ("n[$in][]", "2.5"),
            ]),
        ),
        (
            "PHP array index before the operator",
            json!({"user": {"$ne": "1"}}),
            pairs(&[("user[0][$ne]", "1")]),
        ),
        (
            "top-level $where parameter",
            json!({"user": "a", "$where": "1==1"}),
            pairs(&[("user", "a"), ("$where", "1==1")]),
        ),
        (
            "JSON filter in a parameter",
            json!({"age": {"$gt": 0}}),
            pairs(&[("filter", r#"{"age":{"$gt":0}}"#)]),
        ),
        (
            "$where string concatenation, quote",
            json!({"$where": "this.name == 'x' || '1'=='1'"}),
            strings(&["x' || '1'=='1"]),
        ),
        (
            "$where numeric concatenation",
            json!({"$where": "this.age > 1; sleep(5000)"}),
            strings(&["1; sleep(5000)"]),
        ),
        (
            "$where function body",
            json!({"$where": "function() { return this.user == '' || true || ''; }"}),
            strings(&["' || true || '"]),
        ),
        (
            "$function body",
            json!({"$expr": {"$function": {"body": "function(n) { return n == 'a' || 1 }", "args": ["$name"], "lang": "js"}}}),
            strings(&["a' || 1"]),
        ),
        (
            "$accumulator",
            json!([{"$group": {"_id": 1, "x": {"$accumulator": {"init": "function() { return process.exit() }", "accumulate": "function(s) { return s }", "accumulateArgs": [], "merge": "function(a) { return a }", "lang": "js"}}}}]),
            strings(&["process.exit()"]),
        ),
        (
            "$expr field path from the request",
            json!({"$expr": {"$gt": ["$balance.secret", 0]}}),
            strings(&["balance.secret"]),
        ),
    ]
}

/// Filters that must not fire: (what, filter, request).
fn benign() -> Vec<(&'static str, Value, Req)> {
    vec![
        (
            "code's operator, user value",
            json!({"age": {"$gt": 18}}),
            body(json!({"age": 18})),
        ),
        (
            "user strings equal to operators, as values",
            json!({"name": "$ne", "tags": {"$in": ["$ne", "$gt"]}}),
            Req {
                body: None,
                pairs: vec![("name", "$ne"), ("tag", "$gt")],
                strings: vec!["$ne", "$gt"],
            },
        ),
        (
            "plain login",
            json!({"user": "admin", "password": "hunter2"}),
            body(json!({"user": "admin", "password": "hunter2"})),
        ),
        (
            "user object not used by the filter",
            json!({"q": "a"}),
            body(json!({"q": {"$regex": "a"}})),
        ),
        (
            "same operator, other value",
            json!({"age": {"$gt": 18}}),
            body(json!({"age": {"$gt": 5}})),
        ),
        (
            "a string that spells another number",
            json!({"age": {"$gt": 10}}),
            pairs(&[("age[$gt]", "1"), ("x[$ne]", "true")]),
        ),
        (
            "same value under another operator",
            json!({"age": {"$lt": 5}}),
            pairs(&[("age[$gt]", "5")]),
        ),
        (
            "$where with a name pasted",
            json!({"$where": "this.name == 'alice'"}),
            strings(&["alice", "this"]),
        ),
        (
            "$where with a number and words pasted",
            json!({"$where": "this.age > 18 && this.city == 'New York'"}),
            strings(&["18", "New York", "São Paulo"]),
        ),
        (
            "code strings in plain values",
            json!({"comment": "x' || '1'=='1", "$and": [{"a": 1}]}),
            strings(&["x' || '1'=='1"]),
        ),
        (
            "code operator, input absent",
            json!({"$where": "this.a == this.b"}),
            strings(&["1; sleep(5000)", "' || '"]),
        ),
        (
            "bracket names without operators",
            json!({"user": {"name": "x"}}),
            pairs(&[("user[name]", "x"), ("a[0]", "b")]),
        ),
        (
            "malformed bracket",
            json!({"a": {"$ne": "x"}}),
            pairs(&[("a[$ne", "x"), ("b]$ne[", "x")]),
        ),
        (
            "body without operators, code's $or",
            json!({"$or": [{"owner": "alice"}, {"public": true}]}),
            body(json!({"owner": "alice", "public": true})),
        ),
        (
            "JSON parameter without operators",
            json!({"age": 3}),
            pairs(&[("filter", r#"{"age":3}"#)]),
        ),
        ("no request at all", json!({"a": {"$ne": 1}}), pairs(&[])),
        (
            "one-byte string input",
            json!({"$where": "this.a > 1"}),
            strings(&[">", "1"]),
        ),
    ]
}

#[test]
fn exploits_fire() {
    let cases = exploits();
    let mut fired = 0;
    for (what, filter, req) in &cases {
        let f = run_check(filter, req).unwrap_or_else(|| panic!("{what}: did not fire"));
        assert_eq!(
            (f.sink, f.reason),
            (Sink::NoSql, Reason::QueryOperator),
            "{what}"
        );
        assert_eq!(f.span, 0..0);
        fired += 1;
    }
    println!("sink nosql: exploits fired {fired}/{}", cases.len());
}

#[test]
fn benign_filters_never_fire() {
    let cases = benign();
    let mut passed = 0;
    for (what, filter, req) in &cases {
        let f = run_check(filter, req);
        assert!(f.is_none(), "{what}: {f:?}");
        passed += 1;
    }
    println!("sink nosql: benign filters passed {passed}/{}", cases.len());
}

#[test]
fn user_objects_are_collected() {
    let b = json!({"a": {"$or": [{"x": {"$ne": 1}}]}, "b": [{"$gt": 2}], "c": "$ne"});
    assert_eq!(
        user_objects(Some(&b), []),
        vec![
            json!({"$or": [{"x": {"$ne": 1}}]}),
            json!({"$ne": 1}),
            json!({"$gt": 2})
        ]
    );
    let got = user_objects(
        None,
        [
            ("user[$ne]", "x"),
            ("a[b][$gt]", "1"),
            ("a[b][$lt]", "9"),
            ("r[$in][]", "1"),
            ("r[$in][]", "2"),
            ("$where", "1"),
            ("q[$or][0][u]", "a"),
            ("plain", "v"),
            ("arr[]", "v"),
        ],
    );
    assert_eq!(
        got,
        vec![
            json!({"$ne": "x"}),
            json!({"$gt": "1", "$lt": "9"}),
            json!({"$in": ["1", "2"]}),
            json!({"$where": "1"}),
            json!({"$or": [{"u": "a"}]}),
        ]
    );
    // Duplicates are kept once.
    let b = json!([{"$ne": 1}, {"$ne": 1}]);
    assert_eq!(user_objects(Some(&b), []).len(), 1);
}

#[test]
fn the_finding_names_the_user_object() {
    let b = json!({"q": "x", "p": {"$gt": ""}});
    let objects = user_objects(Some(&b), []);
    let f = check(&json!({"p": {"$gt": ""}}), &objects).unwrap();
    assert_eq!((f.input.as_str(), f.input_index), (r#"{"$gt":""}"#, 0));
    // A long user object is cut to 1 KiB on a character boundary.
    let long = "é".repeat(2000);
    let b = json!({"p": {"$regex": long}});
    let objects = user_objects(Some(&b), []);
    let f = check(&b, &objects).unwrap();
    assert!(f.input.len() <= MAX_INPUT_REPORTED && f.input.len() > 1000);
    // Objects without `$` keys passed by the caller are skipped, indices kept.
    let list = [json!({"a": 1}), json!("$ne"), json!({"$ne": 1})];
    let f = check(&json!({"x": {"$ne": 1}}), &list).unwrap();
    assert_eq!(f.input_index, 2);
}

#[test]
fn check_request_reads_params_and_values() {
    let req = Request::new("GET", "/login?user=admin&password%5B%24ne%5D=x");
    let inputs = run(&req);
    let f = check_request(
        &json!({"user": "admin", "password": {"$ne": "x"}}),
        None,
        &inputs,
    );
    assert_eq!(f.map(|f| f.input), Some(r#"{"$ne":"x"}"#.to_owned()));
    let body = json!({"name": {"$regex": ".*"}});
    let f = check_request(&json!({"name": {"$regex": ".*"}}), Some(&body), &inputs);
    assert!(f.is_some());
    assert!(check_request(&json!({"user": "admin", "password": "x"}), None, &inputs).is_none());
    let req = Request::new("GET", "/find?name=a%27%20%7C%7C%20%271");
    let inputs = run(&req);
    let f = check_request(&json!({"$where": "this.name == 'a' || '1'"}), None, &inputs);
    assert_eq!(f.map(|f| f.input), Some("a' || '1".to_owned()));
}

/// `depth` objects nested under `"$a"` keys.
fn nested(depth: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        let mut m = serde_json::Map::new();
        m.insert("$a".to_owned(), v);
        v = Value::Object(m);
    }
    v
}

#[test]
fn hostile_nesting_stays_bounded() {
    // Deeper than any walk goes; built and dropped on a big stack.
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let deep = nested(20_000);
            let objects = user_objects(Some(&deep), []);
            assert!(objects.len() <= MAX_USER_OBJECTS);
            // Only objects at most MAX_DEPTH levels deep are copied.
            assert!(objects.iter().all(|o| depth_of(o) <= MAX_DEPTH + 1));
            let _ = check(&deep, &objects);
            let _ = check_with_strings(&deep, [&json!({"$b": 1})], ["a.b"]);
            drop(deep);
        })
        .unwrap();
    handle.join().unwrap();
    // Wide: many operator objects, bounded count and time.
    let wide = Value::Array((0..200_000).map(|i| json!({"$gt": i})).collect());
    let filter = Value::Array((0..200_000).map(|i| json!({"x": {"$lt": i}})).collect());
    let start = std::time::Instant::now();
    let objects = user_objects(Some(&wide), []);
    assert_eq!(objects.len(), MAX_USER_OBJECTS);
    assert!(check(&filter, &objects).is_none());
    let took = start.elapsed();
    println!("sink nosql: 200,000-object body and filter: {took:?}");
    assert!(took < std::time::Duration::from_secs(10));
}

fn depth_of(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth_of).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

/// Arbitrary JSON, keys biased towards operators.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z$' |=();.]{0,8}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof!["\\$[a-z]{1,6}", "[a-z]{1,4}", any::<String>()],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// JSON without any `$` key.
fn plain_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z$]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("[a-z]{1,4}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn never_panics(
        filter in json_value(),
        body in proptest::option::of(json_value()),
        names in proptest::collection::vec(prop_oneof!["[a-z$\\[\\]0-9]{0,12}", any::<String>()], 0..6),
        values in proptest::collection::vec(prop_oneof!["[a-z$' {}\":\\[\\]0-9]{0,16}", any::<String>()], 0..6),
    ) {
        let pairs: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        let objects = user_objects(body.as_ref(), pairs);
        prop_assert!(objects.len() <= MAX_USER_OBJECTS);
        prop_assert!(objects.iter().all(|o| o.as_object().is_some_and(|m| m.keys().any(|k| k.starts_with('$')))));
        if let Some(f) = check_with_strings(&filter, &objects, &values) {
            prop_assert!(f.input.len() <= MAX_INPUT_REPORTED);
        }
        // A filter made of a user object fires.
        if let Some(first) = objects.first() {
            prop_assert!(check(first, &objects).is_some());
        }
    }

    #[test]
    fn no_user_objects_never_fire(filter in json_value(), body in plain_json(), names in proptest::collection::vec("[a-z\\[\\]0-9]{0,10}", 0..4)) {
        prop_assert_eq!(check(&filter, []), None);
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "$ne")).collect();
        let objects = user_objects(Some(&body), pairs);
        prop_assert!(objects.is_empty());
        prop_assert_eq!(check(&filter, &objects), None);
    }
}
