//! Hostile and malformed requests and responses: each one gets a verdict (a finding or a
//! bounded skip), never a panic (`internal_error`) or an unbounded allocation, and what the
//! limits cut is reported in `verdict.limits`.
//!
//! Every case runs through three engines: the default configuration; every check at level 1
//! with `CHARS_*` and `DLP_*` on ("strict", stops at the first finding); and every check at
//! level 3 with the same switches plus a probe check that extracts the inputs ("monitor", so
//! that every check sees every input and `verdict.limits` is always filled). The cut expected
//! of each case is asserted on the extraction (`Engine::extract`) and on the monitor verdict;
//! the other verdicts must report the same, or nothing when no check needed the inputs.
//!
//! Timings are printed (`-- --nocapture`), not asserted. Each case should take well under a
//! second in release builds.
#![allow(clippy::print_stdout)]

use flate2::Compression;
use flate2::write::GzEncoder;
use ironward_core::check::{Check, CheckId, RequestContext};
use ironward_core::config::{Config, Level};
use ironward_core::engine::Engine;
use ironward_core::input::LimitReport;
use ironward_core::request::{Body, Header, Headers, Request, Response};
use ironward_core::verdict::{Finding, Verdict};
use std::io::Write as _;
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Instant;

/// Touches the inputs so that extraction (and its limit report) always happens.
#[derive(Debug)]
struct Probe;

impl Check for Probe {
    fn id(&self) -> CheckId {
        CheckId::Bots
    }
    fn check_request(&self, ctx: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
        let _ = ctx.inputs();
    }
}

fn all_on(level: Level) -> Config {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, level);
    }
    c.chars_cyrillic = true;
    c.chars_invisible = true;
    c.chars_nonprintable = true;
    c.set_dlp_families(true);
    // ztaa needs a key to build. No request here carries a token, so where a finding stops the
    // pipeline it would refuse every request before any other check ran: it is on only in the
    // monitor engine (which sees every bad header value go through the token parser).
    c.ztaa_keys = vec!["bad-input-key-".repeat(5)];
    if level != Level::Monitor {
        c.security_checks.set(CheckId::Ztaa, Level::Off);
    }
    c
}

struct Engines {
    default: Engine,
    strict: Engine,
    monitor: Engine,
}

static ENGINES: LazyLock<Engines> = LazyLock::new(|| Engines {
    default: Engine::new(Config::default()).unwrap(),
    strict: Engine::new(all_on(Level::Block)).unwrap(),
    // The monitor engine inspects bodies past MAX_BODY_BYTES (BODY_LIMIT_ACTION monitor); the
    // others answer them 413 before extraction.
    monitor: Engine::builder(Config {
        body_limit_action: ironward_core::config::BodyLimitAction::Monitor,
        ..all_on(Level::Monitor)
    })
    .add_check(Box::new(Probe))
    .build()
    .unwrap(),
});

fn peer() -> IpAddr {
    "203.0.113.77".parse().unwrap()
}

/// `GET target` from the test peer with a `Host` header.
fn get(target: &str) -> Request<'_> {
    Request::new("GET", target)
        .with_headers(Headers(vec![host()]))
        .with_peer(peer())
}

fn host() -> Header<'static> {
    Header::new("Host", "shop.example")
}

fn check_verdict(case: &str, engine: &str, v: &Verdict, max_findings: usize) {
    assert!(
        v.internal_error.is_none(),
        "{case} [{engine}]: internal error {:?} (a check panicked)",
        v.internal_error
    );
    assert!(
        v.findings.len() <= max_findings,
        "{case} [{engine}]: {} findings",
        v.findings.len()
    );
}

fn summary(v: &Verdict) -> String {
    let checks: Vec<&str> = v.findings.iter().map(|f| f.check.key()).collect();
    format!("{} {:?}", v.action.as_str(), checks)
}

/// Runs a request through the three engines. `expect` names the cut expected and tests the
/// extraction's limit report (`None`: nothing in particular is expected).
/// The cut a case expects: its name, and a test of the extraction's limit report.
type Expect<'s> = Option<(&'s str, fn(&LimitReport) -> bool)>;

fn request_case(case: &str, req: &Request<'_>, expect: Expect<'_>) {
    let e = &*ENGINES;
    let started = Instant::now();
    let inputs = e.monitor.extract(req);
    let extract_time = started.elapsed();
    let limits = e.monitor.limits();
    assert!(inputs.items.len() <= limits.max_inputs, "{case}: inputs");
    assert!(inputs.params.len() <= limits.max_inputs, "{case}: params");
    assert!(
        inputs
            .items
            .iter()
            .all(|i| i.value.len() <= limits.max_value_length),
        "{case}: a value is longer than MAX_VALUE_LENGTH"
    );
    let expected = inputs.limits;
    drop(inputs);
    if let Some((what, ok)) = expect {
        assert!(
            ok(&expected),
            "{case}: expected {what} in the limit report, got {expected:?}"
        );
    }
    let mut line = format!("{case:<44} extract {:>8.1?}", extract_time);
    for (name, engine) in [
        ("default", &e.default),
        ("strict", &e.strict),
        ("monitor", &e.monitor),
    ] {
        let t = Instant::now();
        let v = engine.inspect_request(req);
        let took = t.elapsed();
        engine.reset_state();
        check_verdict(case, name, &v, engine.limits().max_findings);
        if name == "monitor" {
            assert_eq!(
                v.limits, expected,
                "{case} [monitor]: verdict.limits differs from the extraction's report"
            );
        } else {
            assert!(
                v.limits.is_clean() || v.limits == expected,
                "{case} [{name}]: verdict.limits {:?}, extraction {expected:?}",
                v.limits
            );
        }
        line.push_str(&format!(" | {name} {took:>8.1?} {}", summary(&v)));
    }
    println!("{line}\n    limits: {expected:?}");
}

/// Runs a response through the three engines, after a plain inbound verdict.
fn response_case(case: &str, response: &Response<'_>) {
    let e = &*ENGINES;
    let req = Request::new("GET", "/report").with_peer(peer());
    let mut line = format!("{case:<44}");
    for (name, engine) in [
        ("default", &e.default),
        ("strict", &e.strict),
        ("monitor", &e.monitor),
    ] {
        let inbound = Verdict {
            client_ip: Some(peer()),
            ..Verdict::default()
        };
        let t = Instant::now();
        let v = engine.inspect_response(&req, &inbound, response);
        let took = t.elapsed();
        engine.reset_state();
        check_verdict(case, name, &v, engine.limits().max_findings);
        line.push_str(&format!(" | {name} {took:>8.1?} {}", summary(&v)));
    }
    println!("{line}");
}

const MB: usize = 1024 * 1024;

fn truncated(l: &LimitReport) -> bool {
    l.body_truncated
}
fn values_cut(l: &LimitReport) -> bool {
    l.values_truncated > 0
}
fn dropped(l: &LimitReport) -> bool {
    l.inputs_dropped > 0
}
fn anything(l: &LimitReport) -> bool {
    !l.is_clean()
}

#[test]
fn giant_header_value() {
    let big = "a".repeat(MB);
    let h = Headers(vec![host(), Header::new("X-Big", &big)]);
    let req = Request::new("GET", "/").with_headers(h).with_peer(peer());
    request_case(
        "1 MB header value",
        &req,
        Some(("values_truncated", values_cut)),
    );

    // The same in the headers each location parses on its own.
    let cookie = "c=".to_owned() + &"%41".repeat(MB / 3);
    let referer = "https://shop.example/?q=".to_owned() + &"b".repeat(MB);
    let h = Headers(vec![
        host(),
        Header::new("Cookie", &cookie),
        Header::new("Referer", &referer),
        Header::new("User-Agent", &big),
    ]);
    let req = Request::new("GET", "/").with_headers(h).with_peer(peer());
    request_case(
        "1 MB cookie, referer, user agent",
        &req,
        Some(("values_truncated", values_cut)),
    );

    // 100k cookies.
    let many: String = (0..100_000).map(|i| format!("c{i}=v{i}; ")).collect();
    let h = Headers(vec![host(), Header::new("Cookie", &many)]);
    let req = Request::new("GET", "/").with_headers(h).with_peer(peer());
    request_case("100k cookies", &req, Some(("inputs_dropped", dropped)));
}

#[test]
fn ten_thousand_headers() {
    let names: Vec<String> = (0..10_000).map(|i| format!("X-Header-{i}")).collect();
    let values: Vec<String> = (0..10_000).map(|i| format!("value {i}")).collect();
    let mut h = vec![host()];
    h.extend(names.iter().zip(&values).map(|(n, v)| Header::new(n, v)));
    let req = Request::new("GET", "/")
        .with_headers(Headers(h))
        .with_peer(peer());
    request_case("10k headers", &req, Some(("inputs_dropped", dropped)));

    // 10k copies of one header.
    let h: Vec<Header<'_>> = std::iter::once(host())
        .chain((0..10_000).map(|_| Header::new("X-Same", "same value")))
        .collect();
    let req = Request::new("GET", "/")
        .with_headers(Headers(h))
        .with_peer(peer());
    request_case("10k identical headers", &req, None);
}

#[test]
fn hundred_thousand_parameters() {
    let target = "/?".to_owned() + &"a=b&".repeat(100_000);
    let req = get(&target);
    request_case("100k a=b& pairs", &req, Some(("inputs_dropped", dropped)));

    let target: String = "/?".to_owned()
        + &(0..100_000)
            .map(|i| format!("a{i}=b{i}&"))
            .collect::<String>();
    let req = get(&target);
    request_case(
        "100k distinct pairs",
        &req,
        Some(("inputs_dropped", dropped)),
    );

    let body = "a=b&".repeat(100_000);
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "application/x-www-form-urlencoded"),
    ]);
    let req = Request::new("POST", "/form")
        .with_headers(h)
        .with_body(body.as_bytes())
        .with_peer(peer());
    request_case("100k form pairs", &req, Some(("inputs_dropped", dropped)));
}

#[test]
fn invalid_utf8_everywhere() {
    let bad: &[u8] = b"\xff\xfe\xc0\xaf\xed\xa0\x80 caf\xe9 \xf4\x90\x80\x80";
    let cookie: &[u8] = b"sid=\xff\xfe; x=\xc3\x28";
    let bodies: [(&[u8], &[u8]); 6] = [
        (b"application/x-www-form-urlencoded", b"a=\xff\xfe&\xc3\x28=%80%ff"),
        (b"application/json", b"{\"a\": \"\xff\xfe\", \"\xc3\x28\": [\"\x80\"]}"),
        (b"multipart/form-data; boundary=XyZ",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"\xff\"; filename=\"\xfe.jpg\"\r\n\r\n\xff\xd8\r\n--XyZ--\r\n",
        ),
        (b"text/plain; charset=\xff", b"\xff\xfe\xfd"),
        (b"application/xml", b"<a>\xff\xfe</a>"),
        (b"\xff\xfe/\xfd", b"\x00\xff"),
    ];
    for (ct, body) in bodies {
        let mut h = Headers(vec![host()]);
        h.push("Content-Type", ct);
        h.push("X-Bad", bad);
        h.push("Cookie", cookie);
        h.push("User-Agent", bad);
        h.push("Referer", b"https://x.example/\xff?\xfe=\xfd#\xfc");
        let req = Request::new(
            "POST",
            "/%ff%fe/%c0%af%c0%ae/x?q=%ff%fe&%c3%28=%80&r=%ed%a0%80",
        )
        .with_headers(h)
        .with_body(body)
        .with_peer(peer());
        request_case(
            &format!("invalid UTF-8, body {}", String::from_utf8_lossy(ct)),
            &req,
            None,
        );
    }
}

fn multipart(body: &[u8], boundary: &str) -> (String, Vec<u8>) {
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.to_vec(),
    )
}

#[test]
fn truncated_multipart() {
    let full: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0 partial jpeg";
    for cut in [full.len(), 60, 20, 7, 3] {
        let (ct, body) = multipart(&full[..cut], "XyZ");
        let h = Headers(vec![host(), Header::new("Content-Type", &ct)]);
        let req = Request::new("POST", "/upload")
            .with_headers(h)
            .with_body(&body)
            .with_peer(peer());
        request_case(&format!("truncated multipart ({cut} bytes)"), &req, None);
    }
    // Cut in the middle of the part headers, and a declared length longer than the buffer.
    let body: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"a";
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "multipart/form-data; boundary=XyZ"),
    ]);
    let mut req = Request::new("POST", "/upload")
        .with_headers(h)
        .with_body(body)
        .with_peer(peer());
    req.body_len = Some(10_000_000);
    request_case(
        "multipart cut in part headers, body_len 10 MB",
        &req,
        Some(("body_truncated", truncated)),
    );
    // No boundary parameter at all.
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "multipart/form-data"),
    ]);
    let req = Request::new("POST", "/upload")
        .with_headers(h)
        .with_body(full)
        .with_peer(peer());
    request_case("multipart without boundary", &req, None);
}

#[test]
fn multipart_with_100k_parts() {
    let mut body = Vec::with_capacity(6 * MB);
    for i in 0..100_000 {
        write!(
            body,
            "--XyZ\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv{i}\r\n"
        )
        .unwrap();
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "multipart/form-data; boundary=XyZ"),
    ]);
    let req = Request::new("POST", "/upload")
        .with_headers(h)
        .with_body(&body)
        .with_peer(peer());
    request_case(
        "multipart, 100k parts",
        &req,
        Some(("body_truncated and inputs_dropped", |l| {
            l.body_truncated && l.inputs_dropped > 0
        })),
    );

    // 20k empty file parts, no final delimiter (a body under MAX_BODY_BYTES).
    let mut body = Vec::new();
    for _ in 0..20_000 {
        body.extend_from_slice(
            b"--B\r\nContent-Disposition: form-data; name=f; filename=a.jpg\r\n\r\n\r\n",
        );
    }
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "multipart/form-data; boundary=B"),
    ]);
    let req = Request::new("POST", "/upload")
        .with_headers(h)
        .with_body(&body)
        .with_peer(peer());
    request_case(
        "multipart, 20k file parts, unterminated",
        &req,
        Some(("inputs_dropped", dropped)),
    );
}

#[test]
fn billion_laughs_xml() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    let mut prev = "lol".to_owned();
    for i in 1..=9 {
        let name = format!("lol{i}");
        let refs: String = std::iter::repeat_n(format!("&{prev};"), 10).collect();
        doc.push_str(&format!(" <!ENTITY {name} \"{refs}\">\n"));
        prev = name;
    }
    doc.push_str(&format!("]>\n<lolz>&{prev};</lolz>\n"));
    for ct in ["application/xml", "text/xml", "application/soap+xml"] {
        let h = Headers(vec![host(), Header::new("Content-Type", ct)]);
        let req = Request::new("POST", "/api")
            .with_headers(h)
            .with_body(doc.as_bytes())
            .with_peer(peer());
        request_case(&format!("billion laughs as {ct}"), &req, None);
    }
    // The same document inside a query value and a JSON string.
    let mut target = String::from("/?xml=");
    target.extend(form_urlencoded::byte_serialize(doc.as_bytes()));
    let req = get(&target);
    request_case("billion laughs in a query value", &req, None);
}

#[test]
fn deep_json() {
    let open = "[".repeat(100_000);
    let closed = open.clone() + &"]".repeat(100_000);
    let objects = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
    for (name, body) in [
        ("deep JSON, 100k [ unclosed", &open),
        ("deep JSON, 100k [ closed", &closed),
        ("deep JSON, 100k nested objects", &objects),
    ] {
        let h = Headers(vec![
            host(),
            Header::new("Content-Type", "application/json"),
        ]);
        let req = Request::new("POST", "/api")
            .with_headers(h)
            .with_body(body.as_bytes())
            .with_peer(peer());
        request_case(name, &req, Some(("a cut", anything)));
    }
    // Deep JSON inside a query value.
    let mut target = String::from("/?j=");
    target.extend(form_urlencoded::byte_serialize(
        ("[".repeat(5_000) + &"]".repeat(5_000)).as_bytes(),
    ));
    let req = get(&target);
    request_case("deep JSON in a query value", &req, None);
}

#[test]
fn json_with_a_million_keys() {
    let mut body = String::with_capacity(16 * MB);
    body.push('{');
    for i in 0..1_000_000 {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!("\"k{i}\":{i}"));
    }
    body.push('}');
    let h = Headers(vec![
        host(),
        Header::new("Content-Type", "application/json"),
    ]);
    let req = Request::new("POST", "/api")
        .with_headers(h.clone())
        .with_body(body.as_bytes())
        .with_peer(peer());
    request_case(
        "JSON with 1M keys (14 MB)",
        &req,
        Some(("body_truncated and inputs_dropped", |l| {
            l.body_truncated && l.inputs_dropped > 0
        })),
    );
    // A complete document under MAX_BODY_BYTES with as many keys as fit.
    let end = body[..MB - 16].rfind(',').unwrap();
    let small = body[..end].to_owned() + "}";
    let req = Request::new("POST", "/api")
        .with_headers(h)
        .with_body(small.as_bytes())
        .with_peer(peer());
    request_case(
        "JSON with ~75k keys (< 1 MiB)",
        &req,
        Some(("inputs_dropped", dropped)),
    );
}

#[test]
fn fifty_megabyte_body() {
    let body = "field=value&".repeat(50 * MB / 12);
    let mut h = Headers(vec![
        host(),
        Header::new("Content-Type", "application/x-www-form-urlencoded"),
    ]);
    let mut req = Request::new("POST", "/form")
        .with_headers(h.clone())
        .with_body(body.as_bytes())
        .with_peer(peer());
    req.body_len = Some(body.len() as u64);
    request_case(
        "50 MB form body, body_len set",
        &req,
        Some(("body_truncated", truncated)),
    );

    // The adapter buffered 64 KiB of a 50 MB body.
    let mut req = Request::new("POST", "/form")
        .with_headers(h.clone())
        .with_body(&body.as_bytes()[..64 * 1024])
        .with_peer(peer());
    req.body_len = Some(50_000_000);
    request_case(
        "64 KiB buffered of a 50 MB body",
        &req,
        Some(("body_truncated", truncated)),
    );

    // 50 MB of binary with no content type.
    let binary: Vec<u8> = (0..50 * MB).map(|i| (i * 7 % 251) as u8).collect();
    h = Headers(vec![host()]);
    let mut req = Request::new("POST", "/blob")
        .with_headers(h)
        .with_body(&binary)
        .with_peer(peer());
    req.body_len = Some(binary.len() as u64);
    request_case(
        "50 MB binary, no content type",
        &req,
        Some(("body_truncated", truncated)),
    );
}

#[test]
fn percent_encoding_soup() {
    let target = "/?q=".to_owned() + &"%25".repeat(MB / 3);
    let req = get(&target);
    request_case(
        "%25%25%25… 1 MB",
        &req,
        Some(("values_truncated", values_cut)),
    );

    // %252525…: every round of decoding peels one level.
    let target = "/?q=%".to_owned() + &"25".repeat(MB / 2);
    let req = get(&target);
    request_case(
        "%252525… 1 MB",
        &req,
        Some(("values_truncated and decode_rounds_capped", |l| {
            l.values_truncated > 0 && l.decode_rounds_capped > 0
        })),
    );

    // A short one, within MAX_VALUE_LENGTH: only the rounds are capped.
    let target = "/?q=%".to_owned() + &"25".repeat(20) + "2e%2e%2f";
    let req = get(&target);
    request_case(
        "%25 x20 then ../",
        &req,
        Some(("decode_rounds_capped", |l| l.decode_rounds_capped > 0)),
    );

    // Broken escapes, overlong UTF-8 and %u forms, 1 MB.
    let soup = "%%u%uZZZZ%c0%ae%e0%80%ae%f0%80%80%ae%u002e%2".repeat(MB / 44);
    let target = "/".to_owned() + &soup[..4096] + "?q=" + &soup;
    let req = get(&target);
    request_case(
        "broken escapes 1 MB",
        &req,
        Some(("values_truncated", values_cut)),
    );
}

#[test]
fn base64_nested_twenty_times() {
    use base64::Engine as _;
    let mut v = String::from("; cat /etc/passwd #");
    for _ in 0..20 {
        v = base64::engine::general_purpose::STANDARD.encode(v.as_bytes());
    }
    let mut target = String::from("/?t=");
    target.extend(form_urlencoded::byte_serialize(v.as_bytes()));
    let cookie = format!("session={v}");
    let h = Headers(vec![
        host(),
        Header::new("Authorization", &v),
        Header::new("Cookie", &cookie),
    ]);
    let req = Request::new("GET", &target)
        .with_headers(h)
        .with_peer(peer());
    request_case(
        &format!("base64 x20 ({} bytes)", v.len()),
        &req,
        Some(("decode_depth_capped", |l| l.decode_depth_capped > 0)),
    );

    // base64url of JSON of base64…, as a JWT-shaped token.
    let mut inner = String::from("{\"cmd\":\"id\"}");
    for _ in 0..20 {
        let json = format!("{{\"v\":\"{inner}\"}}");
        inner = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.as_bytes());
        if inner.len() > 8 * 1024 {
            break;
        }
    }
    let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{inner}.c2lnbmF0dXJl");
    let target = format!("/?token={jwt}");
    let req = get(&target);
    request_case("JWT of nested base64 JSON", &req, None);
}

#[test]
fn one_megabyte_query_value() {
    let value: String = (0..MB / 8)
        .map(|i| format!("w{:06} ", i % 1_000_000))
        .collect();
    let mut target = String::from("/?q=");
    target.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    let req = get(&target);
    request_case(
        "1 MB single query value",
        &req,
        Some(("values_truncated", values_cut)),
    );

    // Multi-byte characters across the cut.
    let value = "é€😀".repeat(MB / 9);
    let mut target = String::from("/?q=");
    target.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    let req = get(&target);
    request_case(
        "1 MB multi-byte query value",
        &req,
        Some(("values_truncated", values_cut)),
    );

    // A 1 MB path: one segment repeated (deduplicated, nothing to cut), then distinct ones.
    let target = "/".to_owned() + &"seg/".repeat(MB / 4);
    let req = get(&target);
    request_case("1 MB path, one segment repeated", &req, None);
    let mut target = String::with_capacity(MB + 16);
    let mut i = 0;
    while target.len() < MB {
        target.push_str(&format!("/s{i}"));
        i += 1;
    }
    let req = get(&target);
    request_case(
        "1 MB path, distinct segments",
        &req,
        Some(("inputs_dropped", dropped)),
    );
}

/// Text with the shapes DLP looks for (phone and card numbers, hashes, key-like strings),
/// repeated up to `len` bytes.
fn dlp_text(len: usize) -> Vec<u8> {
    let block = "<tr><td>Order 4111 1111 1111 1111</td><td>+1 (555) 010-0199</td>\
                 <td>5f4dcc3b5aa765d61d8327deb882cf99</td><td>AKIAIOSFODNN7EXAMPLE</td>\
                 <td>$6$rounds=5000$saltsalt$abcdefghijklmnopqrstuv</td>\
                 <td>1234 5678 9012 3456 7890 1234 5678 9012</td></tr>\n";
    block.as_bytes().iter().copied().cycle().take(len).collect()
}

#[test]
fn five_megabyte_response_with_dlp() {
    let body = dlp_text(5 * MB);
    let h: Headers<'_> = [("Content-Type", "text/html; charset=utf-8")]
        .into_iter()
        .collect();
    let resp = Response::new(200).with_headers(h.clone()).with_body(&body);
    response_case("5 MB HTML response", &resp);

    // The same as 5 MB of digits and separators only (worst case for number patterns).
    let digits: Vec<u8> = b"1234 5678-9012 "
        .iter()
        .copied()
        .cycle()
        .take(5 * MB)
        .collect();
    let resp = Response::new(200)
        .with_headers(h.clone())
        .with_body(&digits);
    response_case("5 MB of digit groups", &resp);

    // As 80k chunks of a stream.
    let chunks: Vec<&[u8]> = body.chunks(64).collect();
    let resp = Response {
        status: 200,
        headers: h,
        body: Body::Chunks(&chunks),
    };
    response_case("5 MB response in 64-byte chunks", &resp);

    // A 5 MB response with an error status, for the brute-force counter.
    let h: Headers<'_> = [("Content-Type", "text/plain")].into_iter().collect();
    let resp = Response::new(500).with_headers(h).with_body(&body);
    response_case("5 MB 500 response", &resp);
}

fn gzip_of_zeros(len: usize) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; MB];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len());
        enc.write_all(&zeros[..n]).unwrap();
        left -= n;
    }
    enc.finish().unwrap()
}

#[test]
fn gzip_bomb_response() {
    let t = Instant::now();
    let bomb = gzip_of_zeros(100 * MB);
    println!(
        "gzip bomb: 100 MB of zeros in {} bytes, built in {:.1?}",
        bomb.len(),
        t.elapsed()
    );
    let h: Headers<'_> = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        .into_iter()
        .collect();
    let resp = Response::new(200).with_headers(h.clone()).with_body(&bomb);
    response_case("gzip bomb (100 MB of zeros)", &resp);

    // Declared gzip, but deflate, garbage, or cut short.
    let garbage: &[u8] = b"\x1f\x8b\x08\x00garbage that is not deflate";
    let resp = Response::new(200)
        .with_headers(h.clone())
        .with_body(garbage);
    response_case("gzip header then garbage", &resp);
    let resp = Response::new(200)
        .with_headers(h.clone())
        .with_body(&bomb[..bomb.len() / 2]);
    response_case("gzip bomb cut in half", &resp);

    // Stacked encodings and a bomb in chunks.
    let h2: Headers<'_> = [
        ("Content-Type", "application/json"),
        ("Content-Encoding", "gzip, gzip"),
    ]
    .into_iter()
    .collect();
    let twice = {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&bomb).unwrap();
        enc.finish().unwrap()
    };
    let resp = Response::new(200).with_headers(h2).with_body(&twice);
    response_case("gzip of the gzip bomb, gzip, gzip", &resp);
    let chunks: Vec<&[u8]> = bomb.chunks(1024).collect();
    let resp = Response {
        status: 200,
        headers: h,
        body: Body::Chunks(&chunks),
    };
    response_case("gzip bomb in 1 KiB chunks", &resp);

    // Brotli and deflate declared, but garbage.
    for enc in ["br", "deflate", "zstd", "gzip, br, deflate"] {
        let h: Headers<'_> = [("Content-Type", "text/html"), ("Content-Encoding", enc)]
            .into_iter()
            .collect();
        let resp = Response::new(200).with_headers(h).with_body(garbage);
        response_case(&format!("{enc} declared, garbage body"), &resp);
    }
}
