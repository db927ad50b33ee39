//! Tests of `ssrf`: attacks that must fire, look-alikes that must not, and figures on the
//! shared datasets, the repository's corpus and generated values, with their floor and
//! ceilings.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::check::test_support::{corpus, dataset, first_finding};

fn check() -> Ssrf {
    Ssrf::new(&Config::default()).unwrap()
}

/// Runs the check on a request for `target` (path and query), as the engine would.
fn fire_target(check: &Ssrf, target: &str) -> Option<Finding> {
    first_finding(check, target)
}

/// Runs the check on `GET /?<name>=<value>`.
fn fire_named(check: &Ssrf, name: &str, value: &str) -> Option<Finding> {
    let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    fire_target(check, &format!("/?{name}={encoded}"))
}

/// Runs the check on `GET /?q=<value>` (what `ironward scan {"text": …}` does).
fn fire(check: &Ssrf, value: &str) -> Option<Finding> {
    fire_named(check, "q", value)
}

#[test]
fn url_values_with_internal_hosts_fire() {
    let c = check();
    let attacks = [
        "http://127.0.0.1/",
        "http://localhost:8080/admin",
        "https://LOCALHOST./",
        "http://0.0.0.0:80",
        "http://0/",
        "http://[::]:80/",
        "http://[::1]/",
        "http://[0000::1]:80/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://instance-data/latest/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f000001/",
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "http://0xA9.0xFE.0xA9.0xFE/",
        "http://425.510.425.510/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:169.254.169.254]/",
        "http://[fe80::1%25eth0]/",
        "http://[fc00::1]/",
        "http://trusted.com@127.0.0.1/",
        "http://127.0.0.1#@trusted.com/",
        "http://trusted.com\\@127.0.0.1/",
        "http://127.0.0.1:80\\@trusted.com/",
        "http://localhost@trusted.com/",
        "http://127.0.0.1.nip.io/",
        "http://app.10-0-0-1.sslip.io/",
        "http://127.0.0.1.xip.io/",
        "http://localtest.me/",
        "http://sub.lvh.me:3000/",
        "http://db.internal:5432/",
        "http://printer.local/",
        "http:\\\\127.0.0.1\\",
        "http:/127.0.0.1/",
        "http:127.0.0.1/",
        "//127.0.0.1/x",
        "HTTP://127.0.0.1/",
        "http://%31%32%37.0.0.1/",
        "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/",
        "https://good.example/redirect?to=http://127.0.0.1/",
        "https://307.r3dir.me/--to/?url=http://example.com",
        "http://7f000001.c0a80001.rbndr.us/",
        // Non-HTTP schemes.
        "gopher://127.0.0.1:6379/_INFO",
        "gopher://example.com/",
        "dict://example.com:11211/stat",
        "file:///etc/passwd",
        "ldap://example.com/dc=x",
        "tftp://example.com/x",
        "jar:http://example.com/x.jar!/",
        "netdoc:///etc/passwd",
        // Metadata embedded in text.
        "fetch http://169.254.169.254/latest/meta-data/ please",
        "x gopher://host/_y",
    ];
    for value in attacks {
        assert!(fire(&c, value).is_some(), "{value:?} should fire");
    }
}

#[test]
fn bare_hosts_fire_in_url_fields() {
    let c = check();
    for (name, value) in [
        ("url", "127.0.0.1"),
        ("url", "localhost:8080/admin"),
        ("webhook_url", "10.0.0.5:8080"),
        ("redirect", "192.168.0.1/x"),
        ("imageSrc", "[::1]:80"),
        ("callback", "0x7f000001"),
        ("host", "metadata.google.internal"),
        ("dest", "admin@127.0.0.1"),
        ("q", "169.254.169.254"),
        ("ip", "169.254.169.254/latest/meta-data"),
        ("q", "metadata.google.internal"),
        ("note", "[fd00:ec2::254]"),
    ] {
        assert!(
            fire_named(&c, name, value).is_some(),
            "{name}={value:?} should fire"
        );
    }
}

#[test]
fn the_request_path_is_checked() {
    let c = check();
    assert!(fire_target(&c, "/proxy/http://127.0.0.1/admin").is_some());
    assert!(fire_target(&c, "/proxy/http%3A%2F%2F169.254.169.254/").is_some());
    assert!(fire_target(&c, "/fetch/169.254.169.254/latest").is_some());
    assert_eq!(fire_target(&c, "/proxy/https://example.com/a"), None);
    assert_eq!(fire_target(&c, "/api/v1/items/10.0.0.1"), None);
}

#[test]
fn findings_name_the_location_and_the_value() {
    let f = fire(&check(), "http://127.0.0.1/").unwrap();
    assert_eq!(f.check, CheckId::Ssrf);
    assert_eq!(f.location, "qs_values");
    assert_eq!(f.payload, "http://127.0.0.1/");
    assert_eq!(f.engine, Some("rule"));
}

#[test]
fn look_alikes_pass() {
    let c = check();
    let benign = [
        "https://example.com/",
        "https://example.com:8443/a/b?c=d#e",
        "https://user:pass@example.com/",
        "https://www.google.com/search?q=127.0.0.1",
        "http://8.8.8.8/",
        "http://1.1.1.1:53/",
        "https://203.0.113.7/",
        "http://[2001:db8::1]/",
        "https://example.com/?next=/account",
        "https://example.com/redirect?url=https%3A%2F%2Fother.example.org%2F",
        "https://internal.example.com/",
        "https://localhost.example.com/",
        "https://mylocalhost.com/",
        "http://example.local.com/",
        "ftp://ftp.example.org/pub/file.tgz",
        "mailto:bob@example.com",
        "see http://localhost:3000 for the dev server",
        "10.0.1",
        "10.0.0.5",
        "2024.10.01",
        "127.1",
        "2130706433",
        "0",
        "$1,299.00",
        "12:30",
        "C:\\Users\\me",
        "v10.0.0.1",
        "metadata",
        "instance-data",
        "localhost",
        "Version 192.168.1.1 of the spec",
        "urn:isbn:0451450523",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://nip.io/",
        "https://8.8.8.8.nip.io/",
    ];
    for value in benign {
        assert_eq!(fire(&c, value), None, "{value:?} should pass");
    }
    for (name, value) in [
        ("ip", "10.0.0.5"),
        ("server_ip", "192.168.1.10"),
        ("next", "2"),
        ("next", "10.0.1"),
        ("url", "2024.10.01"),
        ("version", "127.0.0.1"),
        ("image", "photo.jpg"),
        ("url", "https://example.com/a.png"),
        ("link", "example.com"),
        ("host", "api.example.com:443"),
        ("callback", "handleResponse"),
    ] {
        assert_eq!(fire_named(&c, name, value), None, "{name}={value:?}");
    }
}

#[test]
fn url_like_names() {
    for name in [
        "url",
        "imageUrl",
        "REDIRECT_URI",
        "webhook",
        "next",
        "target_host",
    ] {
        assert!(urlish_name(name), "{name}");
    }
    for name in ["q", "ip", "name", "version", "email"] {
        assert!(!urlish_name(name), "{name}");
    }
}

#[test]
fn odd_input_never_panics() {
    let c = check();
    for value in [
        "",
        ":",
        "://",
        "http://",
        "http://@",
        "http://[",
        "http://[::1",
        "//",
        "\\\\",
        "http:",
        "a://b@",
        "http://é",
        "http://0x",
        "http://.",
        "http://..",
        "0x",
        "[",
        "@",
        "é://x",
    ] {
        let _ = c.is_attack(value, None);
        let _ = c.is_attack(value, Some("url"));
    }
}

/// Benign URL-ish values of our own (seeded, reproducible).
fn generated_benign() -> Vec<String> {
    let hosts = [
        "example.com",
        "www.example.org",
        "api.github.com",
        "cdn.jsdelivr.net",
        "8.8.8.8",
        "1.1.1.1",
        "203.0.113.42",
        "93.184.216.34",
        "[2001:db8::42]",
        "[2606:4700:4700::1111]",
        "shop.example.co.uk",
        "images.example-cdn.com",
        "localhost-docs.example.com",
        "internal-tools.example.com",
    ];
    let paths = [
        "",
        "/",
        "/a/b",
        "/img/logo.png",
        "/search?q=x",
        "/x?url=https://example.org/",
    ];
    let mut out = Vec::new();
    let mut seed: u64 = 0xfeed;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    for _ in 0..20_000 {
        let h = hosts[next(hosts.len())];
        let p = paths[next(paths.len())];
        let value = match next(10) {
            0 => format!("https://{h}{p}"),
            1 => format!("http://{h}:{}{p}", 1024 + next(60000)),
            2 => format!("https://user{}:secret@{h}{p}", next(100)),
            3 => format!("{}.{}.{}", next(20), next(10), next(30)),
            4 => format!(
                "20{}.{:02}.{:02}",
                10 + next(20),
                1 + next(12),
                1 + next(28)
            ),
            5 => format!("${}.{:02}", next(5000), next(100)),
            6 => format!("//{h}{p}"),
            7 => format!("Visit https://{h}{p} today"),
            8 => format!("{h}:{}", 1 + next(65535)),
            _ => format!("v{}.{}.{}", next(10), next(10), next(10)),
        };
        out.push(value);
    }
    out
}

/// Runs `fire_named(param, value)` on every value; returns the flagged ones and prints the
/// figure and the first 20.
#[allow(clippy::print_stdout)]
fn flagged<'v>(c: &Ssrf, name: &str, values: &'v [String], param: &str) -> Vec<&'v String> {
    let flagged: Vec<&String> = values
        .iter()
        .filter(|v| fire_named(c, param, v).is_some())
        .collect();
    println!(
        "{name}: {} / {} flagged ({:.3} %)",
        flagged.len(),
        values.len(),
        100.0 * flagged.len() as f64 / values.len() as f64
    );
    for f in flagged.iter().take(20) {
        println!("  flagged: {f:?}");
    }
    flagged
}

/// No value of the repository's benign corpus or of the generated URL-ish values is flagged,
/// whether the parameter is `q` or `url`.
#[test]
fn corpus_and_generated_values_pass() {
    let c = check();
    let (corpus, generated) = (corpus(), generated_benign());
    for (name, values, param) in [
        ("corpus/benign as q", &corpus, "q"),
        ("corpus/benign as url", &corpus, "url"),
        ("generated as q", &generated, "q"),
        ("generated as url", &generated, "url"),
    ] {
        let f = flagged(&c, name, values, param);
        assert!(f.is_empty(), "{name}: {} flagged: {f:?}", f.len());
    }
}

/// Detection and false-positive figures on the shared datasets, asserted:
/// `cargo test --release -p ironward-core --lib check::ssrf -- --include-ignored --nocapture`.
/// Ignored (about 15 s in a debug build): `tests/detection.rs` asserts the same data through
/// the engine in every run.
#[test]
#[ignore = "measurement on every row of the shared datasets; tests/detection.rs covers them in every run"]
#[allow(clippy::print_stdout)]
fn measure() {
    let c = check();
    let attacks = dataset("ssrf.jsonl");
    let missed: Vec<&String> = attacks.iter().filter(|t| fire(&c, t).is_none()).collect();
    let detected = attacks.len() - missed.len();
    println!(
        "ssrf.jsonl: {detected} / {} detected ({:.2} %)",
        attacks.len(),
        100.0 * detected as f64 / attacks.len() as f64
    );
    for m in &missed {
        println!("  missed: {m:?}");
    }
    let benign_rows = dataset("benign.jsonl");
    let benign = flagged(&c, "benign.jsonl as q", &benign_rows, "q");
    // Measured 93 / 95 (97.89 %), one row of slack; benign 0 / 139,967.
    assert!(
        detected as f64 >= 0.96 * attacks.len() as f64,
        "ssrf.jsonl: {detected} / {} detected",
        attacks.len()
    );
    assert!(benign.len() <= 1, "benign.jsonl: {benign:?}");
}
