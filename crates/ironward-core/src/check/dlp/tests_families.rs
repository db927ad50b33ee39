//! Tests of the DLP families: true positives and near misses, per family.
#![allow(clippy::unwrap_used)]

use super::luhn;
use super::patterns::{FAMILIES, Family};
use super::scan::Scanner;

/// The label of the first family that fires with every family on.
fn label(body: &str) -> Option<&'static str> {
    let s = Scanner::new(0x7f).unwrap();
    s.scan(body.as_bytes(), false, false)
        .map(|l| l.family.label())
}

/// Whether one family alone fires.
fn fires(family: Family, body: &str) -> bool {
    let s = Scanner::new(family.bit()).unwrap();
    s.scan(body.as_bytes(), false, false).is_some()
}

#[test]
fn rules_compile_and_anchors_fit_teddy() {
    let rules = super::patterns::Rules::compile().unwrap();
    assert!(rules.anchors.len() <= 64, "{} anchors", rules.anchors.len());
    assert!(rules.rules.len() <= 64);
    for f in FAMILIES {
        assert!(Scanner::new(f.bit()).is_ok());
    }
}

#[test]
fn phones() {
    for p in [
        "call +33 6 12 34 56 78 now",
        "tel: +44 20 7946 0958",
        "+1 (202) 555-0123",
        "\"phone\":\"+4930123456789\"",
        "0044 20 7946 0958",
        "011 44 20 7946 0958",
        "+81-3-1234-5678",
    ] {
        assert!(fires(Family::Phone, p), "{p}");
    }
    for p in [
        "order 1000200030004000",         // a long digit run with 00: pyrasp's FP
        "id 004930123456789",             // bare 00-prefixed run: a padded id
        "1e+10 and 2+3345678901",         // exponent, arithmetic
        "+1 (102) 555-0123",              // invalid NANP area code
        "+999 1234 5678",                 // unassigned country code
        "SKU +33612345678abc",            // runs into a word
        "2024-01-15T10:30:00+01:00",      // timestamp offset
        "+3.14159265358979",              // a signed decimal
        "tz +0100, build 20240115103000", // short codes and timestamps
    ] {
        assert!(!fires(Family::Phone, p), "{p}");
    }
}

#[test]
fn cards() {
    for c in [
        "card 4111111111111111 ok",
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "2223003122003222",
        "amex 3782 822463 10005",
        "378282246310005",
        "6011111111111117",
        "3530111333300000",
        "\"pan\":\"4012888888881881\"",
    ] {
        assert!(fires(Family::Card, c), "{c}");
        assert_eq!(label(c), Some("Credit Card"), "{c}");
    }
    for c in [
        "4111111111111112",       // Luhn-invalid
        "order 1234567890123456", // no network, Luhn-invalid
        "41111111111111111111",   // inside a longer digit run
        "x4111111111111111",      // glued to a word
        "0.4111111111111111",     // a decimal
        "1700000000000",          // a millisecond timestamp
        "4111 1111 1111 111",     // wrong grouping
    ] {
        assert!(!fires(Family::Card, c), "{c}");
    }
    assert!(luhn::luhn_valid(b"79927398713"));
    assert!(!luhn::luhn_valid(b"79927398710"));
}

#[test]
fn private_keys() {
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        "MIIEow".repeat(12)
    );
    assert!(fires(Family::PrivateKey, &pem));
    let json = format!(
        "{{\"k\":\"-----BEGIN PRIVATE KEY-----\\n{}\\n\"}}",
        "MIIEvQ".repeat(12)
    );
    assert!(fires(Family::PrivateKey, &json));
    let openssh = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\r\n{}",
        "b3BlbnNz".repeat(8)
    );
    assert!(fires(Family::PrivateKey, &openssh));
    assert!(fires(
        Family::PrivateKey,
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none"
    ));
    let public = format!("-----BEGIN PUBLIC KEY-----\n{}", "MIIBIj".repeat(12));
    assert!(!fires(Family::PrivateKey, &public));
    assert!(!fires(
        Family::PrivateKey,
        "<p>A key starts with -----BEGIN PRIVATE KEY-----.</p>"
    ));
}

#[test]
fn hashes() {
    let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    assert!(fires(Family::Hash, bcrypt));
    assert!(fires(
        Family::Hash,
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
    ));
    assert!(fires(
        Family::Hash,
        "pbkdf2_sha256$600000$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzAB="
    ));
    let md5 = "5f4dcc3b5aa765d61d8327deb882cf99";
    assert!(fires(
        Family::Hash,
        &format!("{{\"password_hash\": \"{md5}\"}}")
    ));
    assert!(fires(Family::Hash, &format!("pwd={md5}&u=1")));
    assert!(fires(Family::Hash, &format!("\"hash\":\"{md5}\"")));
    assert!(fires(
        Family::Hash,
        &format!("PASSWORD: {}", "ab".repeat(32))
    ));
    // Near misses: ids and integrity digests are hex too.
    for body in [
        format!("{{\"request_id\": \"{md5}\"}}"),
        "{\"id\": \"550e8400-e29b-41d4-a716-446655440000\"}".to_owned(),
        "{\"id\": \"550e8400e29b41d4a716446655440000\"}".to_owned(),
        format!(
            "{{\"checksum\": \"{md5}\", \"sha256\": \"{}\"}}",
            "ab".repeat(32)
        ),
        format!("{{\"file_hash\": \"{md5}\", \"etag\": \"{md5}\"}}"),
        format!("{{\"password\": \"{}\"}}", "ab".repeat(17)), // 34 hex: no digest length
        format!("{{\"passport_hash\": \"{md5}\"}}"),
    ] {
        assert!(!fires(Family::Hash, &body), "{body}");
    }
}

#[test]
fn windows_credentials() {
    let nt = "31d6cfe0d16ae931b73c59d7e0c089c0";
    let lm = "aad3b435b51404eeaad3b435b51404ee";
    assert!(fires(
        Family::Windows,
        &format!("Administrator:500:{lm}:{nt}:::\n")
    ));
    assert!(fires(
        Family::Windows,
        &format!("CORP\\bob:1104:{}:{nt}:::", "ab".repeat(16))
    ));
    assert!(fires(Family::Windows, &format!("{lm}:{nt}")));
    assert!(fires(Family::Windows, &format!("$DCC2$10240#bob#{nt}")));
    let v1 = format!(
        "bob::CORP:{}:{}:1122334455667788",
        "ab".repeat(24),
        "cd".repeat(24)
    );
    assert!(fires(Family::Windows, &v1));
    let v2 = format!("bob::CORP:1122334455667788:{nt}:{}", "0101".repeat(20));
    assert!(fires(Family::Windows, &v2));
    assert_eq!(label(&v2), Some("Windows Credentials"));
    for body in [
        "std::vector<int> x; a::b::c",
        "ip ::1 and fe80::1",
        "a::b:c:d:::",
    ] {
        assert!(!fires(Family::Windows, body), "{body}");
    }
}

#[test]
fn linux_credentials() {
    let sha512 = format!("$6$rounds=5000$saltsalt${}", "a".repeat(86));
    assert!(fires(
        Family::Linux,
        &format!("root:{sha512}:19000:0:99999:7:::")
    ));
    assert!(fires(Family::Linux, &sha512));
    assert!(fires(Family::Linux, "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"));
    assert!(fires(
        Family::Linux,
        &format!("$y$j9T$F5Jx5fExrKuPp53xLKQ..1${}", "B".repeat(43))
    ));
    let shadow_bcrypt =
        "alice:$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW:19000:0:";
    assert!(fires(Family::Linux, shadow_bcrypt));
    assert_eq!(
        label(&format!("root:{sha512}:19000:0:99999:7:::")),
        Some("Linux Credentials")
    );
    for body in [
        "price $1$ each",
        "root:x:0:0:root:/root:/bin/bash",
        "s/(a)(b)/$1$2/",
    ] {
        assert!(!fires(Family::Linux, body), "{body}");
    }
}

#[test]
fn api_keys() {
    let a36 = "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6";
    for body in [
        "AKIAQYLPMN5HHHFPZAM2".to_owned(),
        format!(
            "aws_secret_access_key = {}",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY1"
                .get(..40)
                .unwrap()
        ),
        format!("key=AIza{}", &a36[..35]),
        "{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMII\"}".to_owned(),
        format!(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==",
            "Ab1+".repeat(22).get(..86).unwrap()
        ),
        format!("token ghp_{a36}"),
        format!("github_pat_{}_{}", &a36[..22], "x".repeat(59)),
        "glpat-abcdefghij0123456789".to_owned(),
        format!("xoxb-123456789012-1234567890123-{}", &a36[..24]),
        format!("sk_live_{}", &a36[..24]),
        format!("npm_{a36}"),
        format!("pypi-AgEIcHlwaS5vcmc{}", "A".repeat(60)),
        format!("dckr_pat_{}", &a36[..27]),
        format!("sk-proj-{}", "Ab1_".repeat(20)),
        format!("sk-{}T3BlbkFJ{}", &a36[..20], &a36[..20]),
        format!("sk-ant-api03-{}AA", "Ab1-".repeat(23)),
        format!("hf_{}", &a36[..34]),
        format!("SG.{}.{}", &a36[..22], "x".repeat(43)),
        format!("TWILIO_AUTH_TOKEN={}", "0123456789abcdef".repeat(2)),
        format!("GOCSPX-{}", &a36[..28]),
        format!("shpat_{}", "0123456789abcdef".repeat(2)),
    ] {
        assert!(fires(Family::Api, &body), "{body}");
        assert!(label(&body).is_some(), "{body}");
    }
    for body in [
        "AKIAIOSFODNN7EXAMPLE".to_owned(), // AWS's documented example
        "the sk- prefix, a task-list and sk-learn".to_owned(), // "sk-" in prose
        format!("sk_test_{}", &a36[..24]), // Stripe test key
        "ghp_short".to_owned(),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl".to_owned(), // JWT
        "{\"type\": \"service_account\", \"client_email\": \"x@y\"}".to_owned(),
    ] {
        assert!(!fires(Family::Api, &body), "{body}");
    }
}

#[test]
fn order_first_family_wins() {
    let body = format!("4111111111111111 and ghp_{}", "a".repeat(36));
    assert_eq!(label(&body), Some("Credit Card"));
    let body = format!("ghp_{} then +33 6 12 34 56 78", "a".repeat(36));
    assert_eq!(label(&body), Some("Phone Number"));
}

#[test]
fn word_skipping_is_exact() {
    let body: Vec<u8> = (0u8..=255).collect();
    for start in 0..body.len() {
        let slow = start
            + body[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .unwrap_or(body.len() - start);
        assert_eq!(
            super::digits::skip_word_for_tests(&body, start),
            slow,
            "{start}"
        );
    }
}
