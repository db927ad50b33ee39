//! Tests of the `upload` check through the engine, with multipart bodies.

use crate::check::CheckId;
use crate::config::{Config, Level, SecurityChecks};
use crate::engine::Engine;
use crate::request::{Headers, Request};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";

fn engine(edit: impl FnOnce(&mut Config)) -> Engine {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Upload, Level::Block);
    edit(&mut c);
    Engine::new(c).unwrap()
}

/// A multipart body with one file part per `(filename header value, content)`.
fn body(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n");
    for (name, content) in files {
        b.extend_from_slice(b"--B\r\nContent-Disposition: form-data; name=\"up\"; ");
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(b"\r\nContent-Type: application/octet-stream\r\n\r\n");
        b.extend_from_slice(content);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"--B--\r\n");
    b
}

fn run(engine: &Engine, files: &[(&str, &[u8])]) -> Option<(&'static str, String)> {
    let b = body(files);
    let headers: Headers<'_> = [("Content-Type", "multipart/form-data; boundary=B")]
        .into_iter()
        .collect();
    let req = Request::new("POST", "/upload")
        .with_headers(headers)
        .with_body(&b);
    let v = engine.inspect_request(&req);
    v.findings
        .iter()
        .find(|f| f.location != "body_limit")
        .map(|f| (f.location, f.payload.clone()))
}

#[test]
fn policy_rules() {
    // Files over UPLOAD_MAX_SIZE are longer than MAX_BODY_BYTES: inspected with the limit at
    // `monitor` (at `block` they get 413 before the upload check).
    let e = engine(|c| {
        c.upload_extensions.push("txt".into());
        c.body_limit_action = crate::config::BodyLimitAction::Monitor;
    });
    let big = vec![0xFF_u8; 2_000_001];
    let mut big_png = PNG.to_vec();
    big_png.resize(2_000_001, 0);
    type Case<'c> = (&'c str, &'c [u8], Option<(&'c str, &'c str)>);
    let cases: &[Case<'_>] = &[
        ("filename=\"cat.png\"", PNG, None),
        ("filename=\"photo.jpg\"", JPEG, None),
        ("filename=\"report.final.PDF\"", PDF, None),
        ("filename=\"notes.txt\"", b"just text", None),
        // An unfilled file input.
        ("filename=\"\"", b"", None),
        (
            "filename=\"../../x.png\"",
            PNG,
            Some(("filename", "../../x.png")),
        ),
        ("filename=\"a\\b.png\"", PNG, Some(("filename", "a\\b.png"))),
        (
            "filename*=UTF-8''..%2Fx.png",
            PNG,
            Some(("filename", "../x.png")),
        ),
        (
            "filename*=UTF-8''x%00.png",
            PNG,
            Some(("filename", "x\0.png")),
        ),
        ("filename=\"big.png\"", &big_png, Some(("size", "big.png"))),
        ("filename=\"big.txt\"", &big, Some(("size", "big.txt"))),
        (
            "filename=\"shell.php\"",
            b"<?php",
            Some(("extension", "shell.php")),
        ),
        (
            "filename=\"README\"",
            b"text",
            Some(("extension", "README")),
        ),
        ("filename=\"x.png.\"", PNG, Some(("extension", "x.png."))),
        (
            "filename=\"x.php.png\"",
            b"<?php system($_GET[0]);",
            Some(("content", "x.php.png")),
        ),
        ("filename=\"x.jpg\"", PNG, Some(("content", "x.jpg"))),
        (
            "filename=\"x.txt\"",
            b"#!/bin/sh\nrm -rf /",
            Some(("content", "x.txt")),
        ),
        (
            "filename=\"x.txt\"",
            b"MZ\x90\0\x03\0\0\0",
            Some(("content", "x.txt")),
        ),
    ];
    for (name, content, want) in cases {
        let got = run(&e, &[(name, content)]);
        let want = want.map(|(l, p)| (l, p.to_owned()));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn uploads_can_be_forbidden_and_sniffing_turned_off() {
    let e = engine(|c| c.upload_files = false);
    assert_eq!(
        run(&e, &[("filename=\"cat.png\"", PNG)]),
        Some(("upload", "cat.png".to_owned()))
    );
    assert_eq!(run(&e, &[("filename=\"\"", b"")]), None);
    let e = engine(|c| c.upload_sniff = false);
    assert_eq!(run(&e, &[("filename=\"x.jpg\"", PNG)]), None);
    let e = engine(|c| c.upload_extensions = vec![".PNG".into()]);
    assert_eq!(run(&e, &[("filename=\"A.Png\"", PNG)]), None);
}

#[test]
fn every_file_is_checked() {
    let e = engine(|_| {});
    let got = run(
        &e,
        &[("filename=\"a.png\"", PNG), ("filename=\"b.exe\"", b"MZ")],
    );
    assert_eq!(got, Some(("extension", "b.exe".to_owned())));
}

proptest::proptest! {
    #[test]
    fn sniffing_never_panics(head in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
                             ext in "[a-z]{0,5}") {
        let _ = (super::sniff::dangerous(&head), super::sniff::mismatch(&ext, &head));
    }
}
