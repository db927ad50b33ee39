//! Tests of `ssrf`: attacks that must fire, look-alikes that must not, and figures on the
//! shared datasets, the repository's corpus and generated values, with their floor and
//! ceilings.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::check::test_support::{corpus, dataset, first_finding, flagged};

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
        // Every numeric spelling of loopback, bare, in URL-typed fields.
        ("next", "127.1"),
        ("url", "127.0.1"),
        ("uri", "2130706433"),
        ("callback", "0x7f.1"),
        ("redirect", "0177.0.0.1"),
        ("dest", "017700000001"),
        ("host", "7F000001"),
        ("target", "::1"),
        ("feed", "::ffff:7f00:1"),
        ("webhook", "::ffff:127.0.0.1"),
        ("url", "0:0:0:0:0:0:0:1"),
        ("url", "0000:0000:0000:0000:0000:0000:0000:0001"),
        ("url", "[::1]:6379"),
        ("next", "127.1:8080/admin"),
        ("next", "a@127.1"),
        ("next", "127.1."),
        ("next", "%31%32%37%2E%31"),
        ("redirect_uri", "10.1:8080"),
        ("redirect_uri", "192.168.1"),
        ("continue", "0xa9fea9fe"),
        ("domain", "localhost"),
        ("next", "LOCALHOST"),
        ("next", "lOcAlHoSt"),
        ("url", "METADATA"),
        // Cloud metadata, with or without a scheme.
        ("url", "169.254.169.254"),
        ("url", "2852039166"),
        ("url", "a9fea9fe/latest/meta-data/"),
        ("url", "instance-data"),
        ("url", "metadata"),
        ("url", "metadata.google.internal."),
        ("url", "100.100.100.200/latest/meta-data/"),
        ("url", "192.0.0.192"),
        ("url", "metadata.packet.net"),
        ("url", "metadata.platformequinix.com/metadata"),
        ("url", "fd00:ec2::254"),
        ("note", "metadata.packet.net"),
        ("url", "http://a@127.1/"),
        ("url", "http://7F000001/"),
        ("url", "http://metadata.platformequinix.com/metadata"),
        ("url", "//0x7f.1/"),
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
        // Numbers in URL-typed fields that are not addresses: pages, versions, dates, times,
        // Unix times, amounts, phone numbers, ids, tokens.
        ("next", "0"),
        ("next", "12"),
        ("page_url", "10.15.7"),
        ("target", "10.0"),
        ("next", "10.03.2024"),
        ("next", "01.02.2024"),
        ("target", "12:30"),
        ("target", "12:30:45"),
        ("next", "1684301234"),
        ("next", "1733400000000"),
        ("target", "192.16"),
        ("callback", "2135551234"),
        ("callback", "7147006462"),
        ("callback", "01214567234"),
        ("next", "167812345"),
        ("next", "00000001"),
        ("next", "7f3a9b2c"),
        ("next", "deadbeef"),
        ("host", "2001:db8::1"),
        ("url", "::ffff:8.8.8.8"),
        ("url", "134744072"),
        ("url", "0x08080808"),
        ("url", "/account"),
        ("next", "localhost-docs.example.com"),
        ("target", "_blank"),
        ("target", "Metadata"),
        ("target", "Localhost"),
        ("next", "0.0014"),
        ("next", "0.197:10"),
        ("next", "10.013:1"),
        ("next", "rrf@0.14"),
        ("target", "127.0"),
        ("target", "127.0.6533.89"),
        ("target", "2139223552"),
        // IP-like values and versions in other fields.
        ("version", "1.2.3.4"),
        ("q", "127.1"),
        ("q", "::1"),
        ("q", "2130706433"),
        ("id", "7F000001"),
        ("note", "localhost is where the dev server runs"),
        ("server_ip", "192.168.1.10"),
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
        "domain",
        "continue",
        "forward_to",
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
        let f = flagged(name, values, |v| fire_named(&c, param, v).is_some());
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
    let benign = flagged("benign.jsonl as q", &benign_rows, |v| {
        fire_named(&c, "q", v).is_some()
    });
    // Measured 93 / 95 (97.89 %), one row of slack; benign 0 / 139,967.
    assert!(
        detected as f64 >= 0.96 * attacks.len() as f64,
        "ssrf.jsonl: {detected} / {} detected",
        attacks.len()
    );
    assert!(benign.len() <= 1, "benign.jsonl: {benign:?}");
}

/// Generated attacks in URL-typed parameters (`generated.rs`: every spelling of an internal
/// or metadata host × the ways it is written × the parameter names): the share detected, with
/// its floor; and generated benign values of the same parameters, none flagged.
#[test]
#[allow(clippy::print_stdout)]
fn generated_url_parameters() {
    let c = check();
    let attacks = generated::attacks();
    let missed: Vec<_> = attacks
        .iter()
        .filter(|p| fire_named(&c, p.name, &p.value).is_none())
        .collect();
    let detected = attacks.len() - missed.len();
    println!(
        "generated attacks in URL parameters: {detected} / {} detected ({:.2} %)",
        attacks.len(),
        100.0 * detected as f64 / attacks.len() as f64
    );
    for m in &missed {
        println!("  missed: {}={:?}", m.name, m.value);
    }
    let benign = generated::benign(20_000);
    let flagged: Vec<_> = benign
        .iter()
        .filter(|p| fire_named(&c, p.name, &p.value).is_some())
        .collect();
    println!(
        "generated benign URL parameters: {} / {} flagged",
        flagged.len(),
        benign.len()
    );
    for f in flagged.iter().take(40) {
        println!("  flagged: {}={:?}", f.name, f.value);
    }
    // Measured 3,129 / 3,225 (97.02 %): the misses are short and long numbers in 0/8 and
    // 10/8 without a port (`10.1`, `167772161`, `0`), where pages, versions, decimals and ids
    // fall, and long numbers with no zero byte in the middle (`3232235777`).
    assert!(
        detected as f64 >= 0.969 * attacks.len() as f64,
        "generated attacks: {detected} / {}",
        attacks.len()
    );
    assert!(flagged.is_empty(), "generated benign flagged: {flagged:?}");
}
