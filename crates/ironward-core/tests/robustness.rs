//! Property tests of the whole engine: whatever the request, inspection returns a verdict
//! (never a panic), respects every limit, and reports what the limits cut.

use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::request::{Header, Headers, Request, Response};
use proptest::prelude::*;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let mut c = Config::default();
    c.max_inputs = 40;
    c.max_value_length = 64;
    c.max_body_bytes = 512;
    c.max_json_depth = 4;
    c.hosts = vec!["shop.example".into()];
    Engine::new(c).unwrap()
});

const CONTENT_TYPES: [&str; 6] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    "text/plain",
    "application/problem+json; charset=utf-8",
    "multipart/form-data",
];

fn interesting() -> impl Strategy<Value = String> {
    // Strings made of the characters decoders and parsers care about.
    proptest::string::string_regex(r#"[a-zA-Z0-9%&;=+/\\{}\[\]":,.'<>\-_ \r\nXyZ]{0,300}"#).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_bounded_verdict(
        method in "[A-Z]{0,8}",
        target in interesting(),
        header_values in proptest::collection::vec(interesting(), 0..6),
        ct in 0usize..CONTENT_TYPES.len(),
        body in proptest::collection::vec(any::<u8>(), 0..800),
        text_body in interesting(),
        use_text in any::<bool>(),
    ) {
        let names = ["Host", "Cookie", "Referer", "User-Agent", "X-Forwarded-For", "X-Custom"];
        let mut headers: Vec<Header<'_>> = header_values
            .iter()
            .zip(names.iter())
            .map(|(v, n)| Header::new(n, v))
            .collect();
        headers.push(Header::new("Content-Type", CONTENT_TYPES[ct]));
        let body: &[u8] = if use_text { text_body.as_bytes() } else { &body };
        let req = Request::new(&method, &target).with_headers(Headers(headers)).with_body(body);

        let inputs = ENGINE.extract(&req);
        let limits = ENGINE.limits();
        prop_assert!(inputs.items.len() <= limits.max_inputs);
        prop_assert!(inputs.params.len() <= limits.max_inputs);
        for i in &inputs.items {
            prop_assert!(i.value.len() <= limits.max_value_length);
        }
        if body.len() > limits.max_body_bytes {
            prop_assert!(inputs.limits.body_truncated);
        }

        let v = ENGINE.inspect_request(&req);
        prop_assert!(v.internal_error.is_none());
        prop_assert!(v.findings.len() <= limits.max_findings);
        let r = ENGINE.inspect_response(&req, &v, &Response::new(500).with_body(body));
        prop_assert!(r.internal_error.is_none());
        ENGINE.reset_state();
    }
}
