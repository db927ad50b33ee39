//! Tests of the `hpp` check through the engine: query strings, forms and multipart bodies.

use crate::check::CheckId;
use crate::config::{Config, Level, SecurityChecks};
use crate::engine::Engine;
use crate::request::{Headers, Request};

fn engine() -> Engine {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Hpp, Level::Block);
    Engine::new(c).unwrap()
}

/// `(location, payload, engine)` of the first finding.
type Found = Option<(&'static str, String, Option<&'static str>)>;

fn run(engine: &Engine, target: &str, ct: &str, body: &str) -> Found {
    let headers: Headers<'_> = [("Content-Type", ct)].into_iter().collect();
    let req = Request::new("POST", target)
        .with_headers(headers)
        .with_body(body.as_bytes());
    let v = engine.inspect_request(&req);
    v.findings
        .first()
        .map(|f| (f.location, f.payload.clone(), f.engine))
}

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn benign_repetitions_pass() {
    let e = engine();
    let cases: &[(&str, &str)] = &[
        ("/?tag=a&tag=b&tag=c", ""),
        ("/?a=1&a=2", ""),
        ("/?tag[]=x&tag[]=y", ""),
        // A multi-select and checkboxes.
        ("/s", "colour=red&colour=green&size=M&size=L"),
        // The same value in the query and the body.
        ("/s?lang=en", "lang=en&q=shoes"),
        // Values that each carry structure on their own are not pollution.
        ("/?q=<script>alert(1)</script>&q=x", ""),
        ("/?q=1 union select 2&q=3", ""),
        // SQL words as ordinary tags.
        ("/?tag=union&tag=select&tag=from", ""),
        ("/?f=select one&f=from a list", ""),
        ("/?glob=docs/*&glob=*/readme", ""),
        ("/?q=a < b&q=c > d", ""),
        ("/?name=java&name=script", ""),
        ("/?opt=on&opt=off", ""),
    ];
    for (target, body) in cases {
        assert_eq!(run(&e, target, FORM, body), None, "{target} {body}");
    }
}

#[test]
fn query_and_body_disagreeing() {
    let e = engine();
    let cases: &[(&str, &str, &str)] = &[
        ("/t?id=1", "id=2", "id"),
        ("/t?ID=1", "id=1&Id=2", "ID"),
        ("/t?role=user", "role=admin", "role"),
    ];
    for (target, body, name) in cases {
        let want = Some(("qs_variables", (*name).to_owned(), None));
        assert_eq!(run(&e, target, FORM, body), want, "{target} {body}");
    }
}

#[test]
fn structure_assembled_by_joining() {
    let e = engine();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "/?id=1/*&id=*/union/*&id=*/select+password/*&id=*/from+users",
            "",
            "qs_variables",
            "id=1/*,*/union/*,*/select password/*,*/from users",
        ),
        (
            "/?q=<scr&q=ipt>alert(1)</scr&q=ipt>",
            "",
            "qs_variables",
            "q=<scr,ipt>alert(1)</scr,ipt>",
        ),
        (
            "/?u=java&u=script:alert(1)",
            "",
            "qs_variables",
            "u=java,script:alert(1)",
        ),
        (
            "/?x=<img src=1 one&x=rror=alert(1)>",
            "",
            "qs_variables",
            "x=<img src=1 one,rror=alert(1)>",
        ),
        (
            "/p",
            "id=1+union+&id=select+2",
            "post_variables",
            "id=1 union ,select 2",
        ),
        (
            "/p",
            "id=1/*&id=*/or 1=1",
            "post_variables",
            "id=1/*,*/or 1=1",
        ),
    ];
    for (target, body, loc, payload) in cases {
        let want = Some((*loc, (*payload).to_owned(), Some("structure")));
        assert_eq!(run(&e, target, FORM, body), want, "{target} {body}");
    }
}

#[test]
fn multipart_fields_count_as_body() {
    let e = engine();
    let body = "--B\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n2\r\n--B--\r\n";
    let ct = "multipart/form-data; boundary=B";
    assert_eq!(
        run(&e, "/m?id=1", ct, body),
        Some(("qs_variables", "id".to_owned(), None))
    );
    assert_eq!(run(&e, "/m?id=2", ct, body), None);
}

#[test]
fn many_params_without_duplicates() {
    let e = engine();
    let q: Vec<String> = (0..200).map(|i| format!("p{i}={i}")).collect();
    let target = format!("/?{}", q.join("&"));
    assert_eq!(run(&e, &target, FORM, ""), None);
    let target = format!("{target}&p7=<scr&p7=ipt>");
    assert!(run(&e, &target, FORM, "").is_some());
}

proptest::proptest! {
    #[test]
    fn features_never_panic(s in "[</*>a-z ,:=\t]{0,60}|\\PC{0,40}") {
        let _ = super::structure::features(&s);
    }
}

/// A hang guard, not a speed test: this takes 0.3 s in a debug build and a few milliseconds
/// in release (2026-12-05); quadratic work on these 40,000-byte values would take far longer.
/// The time itself is measured by the `pipeline` bench (`inspect_request/hpp_pathological`).
#[test]
fn pathological_values_stay_linear() {
    let e = engine();
    let v = "/*".repeat(20_000);
    let target = format!("/?q={v}&q={v}&q=%3C{}", "o".repeat(20_000));
    let started = std::time::Instant::now();
    let _ = run(&e, &target, FORM, "");
    assert!(started.elapsed().as_secs() < 10);
}
