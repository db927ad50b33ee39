//! Tests of the body readings: JSON of any declared type and encoding, charsets, multipart
//! ambiguities, text and binary bodies, gRPC, and the query read in the body's charset.

use crate::input::tests_support::run;
use crate::input::{Inputs, Location};
use crate::request::{Headers, Request};

fn post<'a>(ct: Option<&'a str>, body: &'a [u8]) -> Inputs<'a> {
    let mut h = Headers::new();
    if let Some(ct) = ct {
        h.push("Content-Type", ct.as_bytes());
    }
    run(&Request::new("POST", "/submit")
        .with_headers(h)
        .with_body(body))
}

/// True when some input at `loc` holds exactly `value`.
fn has(inputs: &Inputs<'_>, loc: Location, value: &str) -> bool {
    inputs.at(loc).any(|i| i.value == value)
}

const ATTACK: &str = "1' UNION SELECT password FROM users--";

#[test]
fn json_whatever_the_declared_type() {
    let body = br#"{"q": "1' UNION SELECT password FROM users--"}"#;
    for ct in [
        Some("text/plain"),
        None,
        Some("application/octet-stream"),
        Some("text/xml"),
    ] {
        let inputs = post(ct, body);
        assert!(has(&inputs, Location::JsonValues, ATTACK), "{ct:?}");
        assert!(has(&inputs, Location::JsonKeys, "q"), "{ct:?}");
        assert!(inputs.body_error.is_none(), "{ct:?}");
    }
    // A BOM is skipped, as json.loads(bytes) does; no format error.
    let bom = [b"\xEF\xBB\xBF".as_slice(), body].concat();
    let inputs = post(Some("application/json"), &bom);
    assert!(has(&inputs, Location::JsonValues, ATTACK));
    assert!(inputs.body_error.is_none());
}

#[test]
fn json_in_other_encodings() {
    let text = r#"{"q": "1' UNION SELECT password FROM users--"}"#;
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let utf32le: Vec<u8> = text
        .chars()
        .flat_map(|c| u32::from(c).to_le_bytes())
        .collect();
    for (body, ct) in [
        (&utf16le, Some("application/json")),
        (&utf16be, Some("application/json")),
        (&utf32le, Some("application/json")),
        (&utf16le, Some("text/plain")),
        (&utf16le, None),
    ] {
        let inputs = post(ct, body);
        assert!(
            has(&inputs, Location::JsonValues, ATTACK),
            "{ct:?} {:?}",
            &body[..4]
        );
        assert!(inputs.body_error.is_none());
    }
    let utf7 = br#"{"q": "1+ACc- UNION SELECT password FROM users--"}"#;
    let inputs = post(Some("application/json; charset=utf-7"), utf7);
    assert!(has(&inputs, Location::JsonValues, ATTACK));
}

#[test]
fn forms_in_a_charset() {
    // Django decodes the whole body in the charset, then each %XX run.
    let inputs = post(
        Some("application/x-www-form-urlencoded; charset=utf-7"),
        b"q=1+ACc-%20UNION%20SELECT%20password%20FROM%20users--",
    );
    assert!(has(&inputs, Location::PostValues, ATTACK));
    let inputs = post(
        Some("application/x-www-form-urlencoded; charset=utf-16-le"),
        b"q=1%27%00",
    );
    assert!(
        inputs
            .at(Location::PostValues)
            .any(|i| i.value.contains("1'"))
    );
    // An undecodable charset is a body error.
    let inputs = post(
        Some("application/x-www-form-urlencoded; charset=cp037"),
        b"q=1",
    );
    assert!(inputs.body_error.is_some());
}

#[test]
fn query_in_the_body_charset() {
    let mut h = Headers::new();
    h.push("Content-Type", b"text/plain; charset=utf-7");
    let req = Request::new(
        "GET",
        "/s?q=1%2B%41%43%63%2D%20UNION%20SELECT%20password%20FROM%20users--",
    )
    .with_headers(h);
    let inputs = run(&req);
    assert!(has(&inputs, Location::QsValues, ATTACK));
}

fn multipart(parts: &str) -> Vec<u8> {
    parts.replace('\n', "\r\n").into_bytes()
}

#[test]
fn multipart_parts_read_as_fields_by_some_framework() {
    let ct = Some("multipart/form-data; boundary=B");
    let cases = [
        // Two Content-Disposition headers: a file first, a field second.
        "--B\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\nContent-Disposition: form-data; name=\"q\"\n\n1' UNION SELECT password FROM users--\n--B--\n",
        // A field first, a file second.
        "--B\nContent-Disposition: form-data; name=\"q\"\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\n\n1' UNION SELECT password FROM users--\n--B--\n",
        // Empty file names.
        "--B\nContent-Disposition: form-data; name=\"q\"; filename=\"\"\n\n1' UNION SELECT password FROM users--\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"; filename=\n\n1' UNION SELECT password FROM users--\n--B--\n",
        // filename* empty or malformed.
        "--B\nContent-Disposition: form-data; name=\"q\"; filename*=\n\n1' UNION SELECT password FROM users--\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"; filename*=a.txt\n\n1' UNION SELECT password FROM users--\n--B--\n",
        // What multer reads as a field: filename* alone or first, FILENAME in capitals.
        "--B\nContent-Disposition: form-data; name=\"q\"; filename*=UTF-8''a.txt\n\n1' UNION SELECT password FROM users--\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"; filename*=UTF-8''a.txt; filename=\"a.txt\"\n\n1' UNION SELECT password FROM users--\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"; FILENAME=\"a.txt\"\n\n1' UNION SELECT password FROM users--\n--B--\n",
    ];
    for body in cases {
        let b = multipart(body);
        let inputs = post(ct, &b);
        assert!(has(&inputs, Location::PostValues, ATTACK), "{body}");
    }
    // A real file's content is not a field value.
    let b = multipart(
        "--B\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\n\nsome text\n--B--\n",
    );
    let inputs = post(ct, &b);
    assert!(!has(&inputs, Location::PostValues, "some text"));
    assert_eq!(inputs.files.len(), 1);
}

#[test]
fn multipart_transfer_encodings_and_charsets() {
    let ct = Some("multipart/form-data; boundary=B");
    for body in [
        "--B\nContent-Disposition: form-data; name=\"q\"\nContent-Transfer-Encoding: quoted-printable\n\n1=27 UNION SELECT password FROM users--\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"\nContent-Transfer-Encoding: base64\n\nMScgVU5JT04gU0VMRUNUIHBhc3N3b3JkIEZST00gdXNlcnMtLQ==\n--B--\n",
        "--B\nContent-Disposition: form-data; name=\"q\"\nContent-Type: text/plain; charset=utf-7\n\n1+ACc- UNION SELECT password FROM users--\n--B--\n",
    ] {
        let b = multipart(body);
        let inputs = post(ct, &b);
        assert!(has(&inputs, Location::PostValues, ATTACK), "{body}");
    }
    // The request's charset applies to every field (Django).
    let b = multipart(
        "--B\nContent-Disposition: form-data; name=\"q\"\n\n1+ACc- UNION SELECT password FROM users--\n--B--\n",
    );
    let inputs = post(Some("multipart/form-data; boundary=B; charset=utf-7"), &b);
    assert!(has(&inputs, Location::PostValues, ATTACK));
}

#[test]
fn every_boundary_is_read() {
    let body = multipart(
        "--A\nContent-Disposition: form-data; name=\"decoy\"\n\n--B\nContent-Disposition: form-data; name=\"q\"\n\n1' UNION SELECT password FROM users--\n--B--\n\n--A--\n",
    );
    for ct in [
        "multipart/form-data; boundary=A; boundary=B",
        "multipart/form-data; boundary=B; boundary=A",
        "multipart/form-data; boundary=A; boundary*=utf-8''B",
    ] {
        let inputs = post(Some(ct), &body);
        assert!(has(&inputs, Location::PostValues, ATTACK), "{ct}");
    }
}

#[test]
fn text_and_binary_bodies() {
    let inputs = post(Some("text/plain"), ATTACK.as_bytes());
    assert!(has(&inputs, Location::PostValues, ATTACK));
    let inputs = post(None, ATTACK.as_bytes());
    assert!(has(&inputs, Location::PostValues, ATTACK));
    let inputs = post(
        Some("text/plain; charset=utf-7"),
        b"1+ACc- UNION SELECT password FROM users--",
    );
    assert!(has(&inputs, Location::PostValues, ATTACK));
    let inputs = post(
        Some("application/octet-stream"),
        b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
    );
    assert_eq!(inputs.at(Location::PostValues).count(), 0);
    // Text with control bytes is binary (gzip, PDF, protobuf read as Latin-1).
    let inputs = post(None, "\u{1f}\u{8b}\u{8}\0\0\0\0\0\0\n../../x".as_bytes());
    assert_eq!(inputs.at(Location::PostValues).count(), 0);
    let inputs = post(
        Some("text/plain"),
        b"line one\r\n\tline two ../../etc/passwd",
    );
    assert_eq!(inputs.at(Location::PostValues).count(), 1);
    // Malformed JSON of an undeclared type: its literals and its text.
    let inputs = post(
        Some("text/plain"),
        br#"{"q": "1' UNION SELECT password FROM users--",}"#,
    );
    assert!(has(&inputs, Location::JsonValues, ATTACK));
    assert!(inputs.body_error.is_none());
}

#[test]
fn grpc_string_fields() {
    let s = ATTACK.as_bytes();
    let mut msg = vec![0x0A, u8::try_from(s.len()).unwrap()];
    msg.extend_from_slice(s);
    let mut frame = vec![0u8];
    frame.extend_from_slice(&u32::try_from(msg.len()).unwrap().to_be_bytes());
    frame.extend_from_slice(&msg);
    let inputs = post(Some("application/grpc"), &frame);
    assert!(has(&inputs, Location::PostValues, ATTACK));
    let inputs = post(Some("application/x-protobuf"), &msg);
    assert!(has(&inputs, Location::PostValues, ATTACK));
    // Compressed frames (grpc-encoding: gzip).
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&msg).unwrap();
    let packed = gz.finish().unwrap();
    let mut frame = vec![1u8];
    frame.extend_from_slice(&u32::try_from(packed.len()).unwrap().to_be_bytes());
    frame.extend_from_slice(&packed);
    let mut h = Headers::new();
    h.push("Content-Type", b"application/grpc+proto");
    h.push("grpc-encoding", b"gzip");
    let inputs = run(&Request::new("POST", "/svc/M")
        .with_headers(h)
        .with_body(&frame));
    assert!(has(&inputs, Location::PostValues, ATTACK));
}

#[test]
fn multipart_escaped_names_and_file_names() {
    let ct = Some("multipart/form-data; boundary=B");
    let b = multipart(
        "--B\nContent-Disposition: form-data; name=\"\\U\\N\\I\\O\\N\"\n\nv\n--B\nContent-Disposition: form-data; name=\"f\"; filename=\"\\.\\.\\/x.p\\hp\"\n\nx\n--B--\n",
    );
    let inputs = post(ct, &b);
    assert!(has(&inputs, Location::PostVariables, "UNION"));
    assert!(has(&inputs, Location::PostVariables, "\\U\\N\\I\\O\\N"));
    // The file name stays as sent for the upload check; its unescaped form is inspected.
    assert_eq!(
        inputs.files[0].filename.as_deref(),
        Some("\\.\\.\\/x.p\\hp")
    );
    assert!(has(&inputs, Location::Files, "../x.php"));
}
