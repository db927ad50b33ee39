//! Tests of [`extract`](super::extract) over whole requests: locations, bodies by content
//! type, exceptions, whitelisted headers, every limit, and a never-panics property.

use super::*;
use crate::config::{MatchKind, PatternRule};
use crate::input::tests_support::run;
use crate::input::{BodyKind, ParamSource};
use crate::request::Headers;
use proptest::prelude::*;

fn with<'a>(req: &Request<'a>, limits: Limits, white: &[&str], except: &[&str]) -> Inputs<'a> {
    let rules = |v: &[&str]| {
        let r: Vec<PatternRule> = v
            .iter()
            .map(|p| PatternRule {
                pattern: (*p).into(),
                kind: MatchKind::Match,
            })
            .collect();
        PatternSet::new(&r).unwrap()
    };
    let (w, e) = (rules(white), rules(except));
    let opts = ExtractOptions {
        limits,
        decode_b64: true,
        whitelist_headers: &w,
        exceptions: &e,
    };
    extract(req, &opts)
}

fn post<'a>(ct: &'a str, body: &'a [u8], headers: &mut Headers<'a>) -> Request<'a> {
    headers.push("Content-Type", ct.as_bytes());
    Request::new("POST", "/submit")
        .with_headers(headers.clone())
        .with_body(body)
}

/// True for an input that is not a decoded variant (whose presence depends on the decoders).
fn base(i: &Input<'_>) -> bool {
    [
        Transforms::HTML,
        Transforms::ESCAPE,
        Transforms::BASE64,
        Transforms::JWT,
    ]
    .iter()
    .all(|t| !i.transforms.contains(*t))
        && (i.location == Location::Cookies || !i.transforms.contains(Transforms::PERCENT))
}

fn pairs<'i>(inputs: &'i Inputs<'_>, loc: Location) -> Vec<(&'i str, &'i str)> {
    inputs
        .at(loc)
        .filter(|i| base(i))
        .map(|i| (i.name.as_deref().unwrap_or("-"), &*i.value))
        .collect()
}

fn items_at<'i>(inputs: &'i Inputs<'_>, loc: Location) -> Vec<&'i str> {
    inputs
        .at(loc)
        .filter(|i| base(i))
        .map(|i| &*i.value)
        .collect()
}

#[test]
fn path_segments_keep_encoded_slashes() {
    let inputs = run(&Request::new("GET", "/static/..%2f..%2fetc%2fpasswd/x"));
    assert_eq!(
        items_at(&inputs, Location::Path),
        ["static", "../../etc/passwd", "x"]
    );
    assert!(inputs.at(Location::Path).all(|i| i.transforms.is_empty()));
}

#[test]
fn bodies_by_content_type() {
    let json = br#"{"user":{"name":"bob","tags":["a",1,2.5,true,false,null]},"n":-3}"#;
    type Case<'c> = (
        &'c str,
        &'c [u8],
        BodyKind,
        &'c [&'c str],
        &'c [&'c str],
        bool,
    );
    let cases: &[Case<'_>] = &[
        (
            "application/json",
            json,
            BodyKind::Json,
            &["user", "name", "tags", "n"],
            // Numbers, booleans and null are not extracted.
            &["bob", "a"],
            false,
        ),
        (
            "application/problem+json",
            b"[\"x\", {\"k\": \"v\"}]",
            BodyKind::Json,
            &["k"],
            &["x", "v"],
            false,
        ),
        (
            "application/json",
            b"\"scalar\"",
            BodyKind::Json,
            &[],
            &["scalar"],
            false,
        ),
        // JSON of another declared type is read as JSON too (force=True readers).
        (
            "text/plain",
            json,
            BodyKind::Other,
            &["user", "name", "tags", "n"],
            &["bob", "a"],
            false,
        ),
        (
            "application/json",
            b"{\"a\": \"1\",}",
            BodyKind::Json,
            &["a"],
            &["1", "{\"a\": \"1\",}"],
            true,
        ),
        (
            "application/json",
            b"{\"a\":\"x\"} trailing",
            BodyKind::Json,
            &["a"],
            &["x", "{\"a\":\"x\"} trailing"],
            true,
        ),
        (
            "application/json",
            b"{\"a\":\"\xff\"}",
            BodyKind::Json,
            &["a"],
            &["\u{fffd}", "{\"a\":\"\u{fffd}\"}"],
            true,
        ),
        (
            "application/xml",
            b"<a>1</a>",
            BodyKind::Xml,
            &[],
            &[],
            false,
        ),
        (
            "application/x-www-form-urlencoded",
            b"{\"a\":\"b\"}=",
            BodyKind::Form,
            &["a"],
            &["b"],
            false,
        ),
    ];
    for (ct, body, kind, keys, values, error) in cases {
        let mut h = Headers::new();
        let inputs = run(&post(ct, body, &mut h));
        assert_eq!(inputs.body_kind, *kind, "{ct}");
        assert_eq!(items_at(&inputs, Location::JsonKeys), *keys, "{ct}");
        assert_eq!(items_at(&inputs, Location::JsonValues), *values, "{ct}");
        assert_eq!(
            inputs.body_error.is_some(),
            *error,
            "{ct} {:?}",
            inputs.body_error
        );
    }
    let mut h = Headers::new();
    let inputs = run(&post("application/json", json, &mut h));
    let name_of = |v: &str| {
        inputs
            .at(Location::JsonValues)
            .find(|i| i.value == v)
            .unwrap()
            .name
            .clone()
    };
    assert_eq!(name_of("bob").as_deref(), Some("name"));
    assert_eq!(name_of("a").as_deref(), Some("tags"));
    assert!(matches!(
        inputs.at(Location::JsonValues).next().unwrap().value,
        Cow::Borrowed(_)
    ));
}

#[test]
fn form_body() {
    let mut h = Headers::new();
    let inputs = run(&post(
        "application/x-www-form-urlencoded",
        b"a=1&a=2&b=x+y",
        &mut h,
    ));
    assert_eq!(items_at(&inputs, Location::PostVariables), ["a", "b"]);
    assert_eq!(
        pairs(&inputs, Location::PostValues),
        [("a", "1"), ("a", "2"), ("b", "x y")]
    );
    assert!(inputs.params.iter().all(|p| p.source == ParamSource::Form));
    assert_eq!(inputs.params.len(), 3);
}

#[test]
fn multipart_body() {
    let body = "--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi <b>\r\n\
        --B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"../../x.php\"\r\n\
        Content-Type: application/x-php\r\n\r\n<?php system($_GET[1]); ?>\r\n\
        --B\nContent-Disposition: form-data; name=\"doc\"; filename=\"e.txt\"; \
        filename*=UTF-8''%E2%82%AC.txt\n\nabc\n--B--\r\n";
    let mut h = Headers::new();
    let inputs = run(&post(
        "multipart/form-data; boundary=B",
        body.as_bytes(),
        &mut h,
    ));
    assert_eq!(inputs.body_kind, BodyKind::Multipart);
    assert_eq!(inputs.body_error, None);
    assert_eq!(pairs(&inputs, Location::PostValues), [("title", "hi <b>")]);
    assert_eq!(inputs.params.len(), 1);
    assert_eq!(
        inputs.params.first().map(|p| p.source),
        Some(ParamSource::Multipart)
    );
    assert_eq!(
        pairs(&inputs, Location::Files),
        [
            ("up", "../../x.php"),
            ("up", "application/x-php"),
            ("doc", "€.txt"),
            ("doc", "e.txt"),
        ]
    );
    let files: Vec<_> = inputs
        .files
        .iter()
        .map(|f| (&*f.field, f.filename.as_deref(), f.size))
        .collect();
    assert_eq!(
        files,
        [("up", Some("../../x.php"), 26), ("doc", Some("€.txt"), 3)]
    );

    // Missing final boundary: the parts found are kept, and the body is reported.
    let cut = "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n' or 1=1";
    let mut h = Headers::new();
    let inputs = run(&post(
        "multipart/form-data; boundary=B",
        cut.as_bytes(),
        &mut h,
    ));
    assert_eq!(items_at(&inputs, Location::PostValues), ["' or 1=1"]);
    assert!(inputs.body_error.is_some());
    // No boundary at all.
    let mut h = Headers::new();
    let inputs = run(&post("multipart/form-data", cut.as_bytes(), &mut h));
    assert!(inputs.body_error.is_some());
    assert!(inputs.params.is_empty());
}

#[test]
fn json_inside_values() {
    let req = Request::new(
        "GET",
        "/?q={\"$ne\":null}&r=%5B%22a%22%2C%7B%22k%22%3A%22v%22%7D%5D&s={bad}",
    );
    let inputs = run(&req);
    assert_eq!(
        items_at(&inputs, Location::QsValues),
        ["{\"$ne\":null}", "[\"a\",{\"k\":\"v\"}]", "{bad}"]
    );
    assert_eq!(
        pairs(&inputs, Location::JsonKeys),
        [("-", "$ne"), ("-", "k")]
    );
    assert_eq!(
        pairs(&inputs, Location::JsonValues),
        [("r", "a"), ("k", "v")]
    );
    assert!(
        inputs
            .at(Location::JsonKeys)
            .all(|i| i.transforms.contains(Transforms::JSON))
    );
    // Nested JSON strings are bounded by MAX_DECODE_DEPTH (2 by default).
    let inner = r#"{"a":"{\"b\":\"{\\\"c\\\":\\\"{}\\\"}\"}"}"#;
    let mut h = Headers::new();
    h.push("X-Data", inner.as_bytes());
    let inputs = run(&Request::new("GET", "/").with_headers(h));
    assert_eq!(items_at(&inputs, Location::JsonKeys), ["a", "b"]);
    assert!(inputs.limits.decode_depth_capped >= 1);
}

#[test]
fn headers_cookies_referer() {
    let h: Headers<'_> = [
        ("Host", "shop.example"),
        ("User-Agent", "sqlmap/1.7"),
        ("Cookie", "sid=a=b; theme=dark; x; pref=%3Cscript%3E"),
        ("Referer", "https://evil.example/p/a%20b?x=1&y=%27#frag%3C"),
        ("X-Api-Key", "secret"),
        ("X-Dup", "1"),
        ("X-Dup", "2"),
    ]
    .into_iter()
    .collect();
    let inputs = with(
        &Request::new("GET", "/").with_headers(h),
        Limits::default(),
        &["x-api-key"],
        &[],
    );
    assert_eq!(
        items_at(&inputs, Location::HeadersNames),
        ["Host", "User-Agent", "Cookie", "Referer", "X-Dup"]
    );
    // A plain `Host` value carries nothing a detector looks for: only its name is kept.
    assert_eq!(
        pairs(&inputs, Location::HeadersValues),
        [("X-Dup", "1"), ("X-Dup", "2")]
    );
    assert_eq!(items_at(&inputs, Location::UserAgent), ["sqlmap/1.7"]);
    assert_eq!(
        pairs(&inputs, Location::Cookies),
        [
            ("sid", "a=b"),
            ("theme", "dark; x"),
            ("pref", "%3Cscript%3E"),
            ("pref", "<script>"),
            // Django's reading: every `;` ends a cookie.
            ("theme", "dark"),
            ("-", "x"),
        ]
    );
    let pct = inputs
        .at(Location::Cookies)
        .find(|i| i.value == "<script>")
        .unwrap();
    assert!(pct.transforms.contains(Transforms::PERCENT));
    assert_eq!(
        pairs(&inputs, Location::Referer),
        [
            ("-", "https://evil.example/p/a%20b?x=1&y=%27#frag%3C"),
            ("-", "/p/a b"),
            ("-", "p"),
            ("-", "a b"),
            ("-", "frag<"),
            ("-", "x"),
            ("x", "1"),
            ("-", "y"),
            ("y", "'"),
        ]
    );
}

#[test]
fn exceptions_drop_values_everywhere() {
    let mut h = Headers::new();
    h.push("X-Trace", b"ok");
    h.push("Cookie", b"c=ok; d=keep");
    let req = Request::new("GET", "/ok/x?ok=ok&k=%7B%22ok%22%3A%22v%22%7D").with_headers(h);
    let inputs = with(&req, Limits::default(), &[], &["ok"]);
    assert!(
        inputs.items.iter().all(|i| i.value != "ok"),
        "{:?}",
        inputs.items
    );
    assert_eq!(items_at(&inputs, Location::Path), ["x"]);
    assert_eq!(items_at(&inputs, Location::JsonValues), ["v"]);
    assert_eq!(items_at(&inputs, Location::Cookies), ["keep"]);
    assert_eq!(inputs.params.len(), 2, "params are kept for HPP analysis");
}

#[test]
fn duplicates_are_dropped_per_location() {
    let q: String = (0..60)
        .map(|i| format!("a{}=v&b=v{}&", i % 30, i % 7))
        .collect();
    let req = Request::new("GET", "/v/v").with_body(b"");
    let req = Request { query: &q, ..req };
    let inputs = run(&req);
    assert_eq!(items_at(&inputs, Location::Path), ["v"]);
    assert_eq!(inputs.at(Location::QsVariables).count(), 31);
    assert_eq!(inputs.at(Location::QsValues).count(), 8);
    assert_eq!(inputs.params.len(), 120);
}

#[test]
fn limits_are_counted() {
    let dflt = Limits::default();
    // max_inputs: 10 kept; the rest counted without being decoded.
    let q: String = (0..50).map(|i| format!("n{i}=v{i}&")).collect();
    let req = Request {
        query: &q,
        ..Request::new("GET", "/")
    };
    let inputs = with(
        &req,
        Limits {
            max_inputs: 10,
            ..dflt
        },
        &[],
        &[],
    );
    assert_eq!(inputs.items.len(), 10);
    assert_eq!(inputs.params.len(), 10);
    assert_eq!(inputs.limits.inputs_dropped, 90 + 40);

    // max_value_length: cut at a char boundary, borrowed, flagged.
    let req = Request::new("GET", "/?a=abcdefgh&b=%C3%A9%C3%A9%C3%A9");
    let inputs = with(
        &req,
        Limits {
            max_value_length: 5,
            ..dflt
        },
        &[],
        &[],
    );
    assert_eq!(items_at(&inputs, Location::QsValues), ["abcde", "éé"]);
    assert_eq!(inputs.limits.values_truncated, 2);
    let first = inputs.at(Location::QsValues).next().unwrap();
    assert!(first.transforms.contains(Transforms::TRUNCATED));
    assert!(matches!(first.value, Cow::Borrowed(_)));

    // max_json_depth.
    let mut h = Headers::new();
    let deep = br#"{"a":{"b":{"c":{"d":"deep"}}},"e":"top"}"#;
    let inputs = with(
        &post("application/json", deep, &mut h),
        Limits {
            max_json_depth: 2,
            ..dflt
        },
        &[],
        &[],
    );
    assert_eq!(items_at(&inputs, Location::JsonKeys), ["a", "b", "e"]);
    assert_eq!(items_at(&inputs, Location::JsonValues), ["top"]);
    assert_eq!(inputs.limits.json_depth_exceeded, 1);
    assert_eq!(inputs.body_error, None);

    // serde_json's own recursion limit: an error, not a crash.
    let deep = "[".repeat(100_000);
    let mut h = Headers::new();
    let inputs = run(&post("application/json", deep.as_bytes(), &mut h));
    assert!(inputs.body_error.is_some());
    // The malformed body is still inspected as one (cut) value.
    let body: Vec<_> = inputs.at(Location::JsonValues).collect();
    assert_eq!(body.len(), 1);
    assert!(body[0].transforms.contains(Transforms::TRUNCATED));

    // max_body_bytes: a truncated JSON body falls back to its complete string literals.
    let big = br#"{"k1": "v1", "k2": ["<script>", 5], "k3": "cut here"}"#;
    let mut h = Headers::new();
    let inputs = with(
        &post("application/json", big, &mut h),
        Limits {
            max_body_bytes: 38,
            ..dflt
        },
        &[],
        &[],
    );
    assert!(inputs.limits.body_truncated);
    assert_eq!(inputs.body_error, None);
    assert_eq!(items_at(&inputs, Location::JsonKeys), ["k1", "k2"]);
    assert_eq!(items_at(&inputs, Location::JsonValues), ["v1", "<script>"]);

    // An adapter that did not buffer the whole body.
    let mut h = Headers::new();
    let req = Request {
        body_len: Some(10_000),
        ..post("application/json", br#"{"a": "b"}"#, &mut h)
    };
    let inputs = run(&req);
    assert!(inputs.limits.body_truncated);
    assert_eq!(items_at(&inputs, Location::JsonValues), ["b"]);
    assert!(!inputs.limits.is_clean());
}

#[test]
fn plain_get_borrows() {
    let h: Headers<'_> = [("Host", "a.example"), ("Accept", "*/*")]
        .into_iter()
        .collect();
    let req = Request::new("GET", "/a/b?x=1&y=two&z=3").with_headers(h);
    let inputs = run(&req);
    assert!(
        inputs
            .items
            .iter()
            .filter(|i| base(i))
            .all(|i| matches!(i.value, Cow::Borrowed(_)))
    );
    assert!(inputs.limits.is_clean());
    assert_eq!(inputs.body_kind, BodyKind::None);
}

/// Arbitrary request parts.
/// Path, query, headers, body and content type.
type Parts = (String, String, Vec<(String, Vec<u8>)>, Vec<u8>, String);

fn arb_request() -> impl Strategy<Value = Parts> {
    let header_name = prop_oneof![
        Just("Cookie".to_owned()),
        Just("Referer".to_owned()),
        Just("User-Agent".to_owned()),
        "[A-Za-z-]{1,12}",
    ];
    let ct = prop_oneof![
        Just("application/json".to_owned()),
        Just("application/x-www-form-urlencoded".to_owned()),
        Just("multipart/form-data; boundary=b".to_owned()),
        Just("text/plain".to_owned()),
        ".{0,30}",
    ];
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "(--b\r?\n(Content-Disposition: form-data; name=\"[a-z%]{0,3}\"(; filename\\*?=[^\n]{0,8})?\r?\n)?\r?\n[{}\\[\\]\":,a-z0-9 %]{0,20}\r?\n){0,4}(--b--)?"
            .prop_map(String::into_bytes),
        "[{}\\[\\]\":,a-z0-9 \\\\]{0,200}".prop_map(String::into_bytes),
    ];
    (
        "[/a-z%0-9.+{}\"]{0,40}",
        "[a-z%0-9=&+{}\\[\\]\":,]{0,80}",
        proptest::collection::vec(
            (header_name, proptest::collection::vec(any::<u8>(), 0..60)),
            0..6,
        ),
        body,
        ct,
    )
}

proptest! {
    #[test]
    fn never_panics_and_stays_bounded(
        (path, query, headers, body, ct) in arb_request(),
        max_inputs in 0usize..20,
        max_value_length in 0usize..24,
        max_body_bytes in 0usize..400,
        max_json_depth in 0usize..4,
        declared in proptest::option::of(0u64..1000),
    ) {
        let mut h = Headers::new();
        h.push("Content-Type", ct.as_bytes());
        for (n, v) in &headers {
            h.push(n, v);
        }
        let req = Request {
            method: "POST", path: &path, query: &query, headers: h, body: &body, body_len: declared,
            ..Request::default()
        };
        let limits = Limits {
            max_inputs, max_value_length, max_body_bytes, max_json_depth, ..Limits::default()
        };
        let inputs = with(&req, limits, &["x-skip"], &["ex"]);
        prop_assert!(inputs.items.len() <= max_inputs);
        prop_assert!(inputs.params.len() <= max_inputs);
        prop_assert!(inputs.files.len() <= max_inputs);
        for i in &inputs.items {
            prop_assert!(i.value.len() <= max_value_length, "{:?}", i);
            prop_assert!(i.value != "ex" || i.transforms.contains(Transforms::TRUNCATED));
        }
        let unbounded = with(&req, Limits::default(), &[], &[]);
        prop_assert!(unbounded.items.len() <= Limits::default().max_inputs);
    }
}

/// The decoded variants of `value` with default options (base64 on).
fn variant_count(value: &str) -> usize {
    let opts = DecodeOptions {
        max_rounds: 4,
        max_depth: 4,
        base64: true,
        max_len: 65_536,
    };
    let mut n = 0;
    decode::variants(value, &opts, &mut DecodeStats::default(), &mut |_, _| {
        n += 1
    });
    n
}

/// `may_decode` is exact in one direction: a value it leaves out has no variant. On every row
/// of the shared datasets that hold encoded values, and on base64, JWT and escape shapes.
#[test]
fn may_decode_never_skips_a_value_with_variants() {
    let mut values = crate::check::test_support::corpus();
    for name in [
        "xss.jsonl",
        "sqli.jsonl",
        "path_traversal.jsonl",
        "anomalous.jsonl",
    ] {
        values.extend(crate::check::test_support::dataset(name));
    }
    values.extend(
        [
            "PHNjcmlwdD4=",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
            "data:text/html;base64,PHNjcmlwdD4=",
            "%3Cscript%3E",
            "&lt;b&gt;",
            "\\x3cscript",
        ]
        .map(str::to_owned),
    );
    let wrong: Vec<_> = values
        .iter()
        .filter(|v| !may_decode(Shape::of(v), v.len(), true) && variant_count(v) > 0)
        .take(10)
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

proptest! {
    #[test]
    fn may_decode_is_exact_on_generated_values(v in "[a-zA-Z0-9+/=_.:;, -]{0,40}") {
        prop_assert!(may_decode(Shape::of(&v), v.len(), true) || variant_count(&v) == 0, "{:?}", v);
    }
}
