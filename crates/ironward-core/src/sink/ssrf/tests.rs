//! Table tests of the SSRF sink detector: outbound targets whose host came from the request
//! and reaches an internal address or a metadata service (must fire), targets the code chose
//! or that reach public addresses (must not), and property tests (nothing panics; public
//! resolved addresses never fire).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::{check, check_request, host_span};
use crate::input::tests_support::run;
use crate::request::Request;
use crate::sink::Reason::{self, InternalAddress as Internal, MetadataService as Metadata};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

/// A user URL passed as is (`requests.get(url)`), not yet resolved: (target, reason).
const USER_URLS: &[(&str, Reason)] = &[
    ("http://127.0.0.1/admin", Internal),
    ("http://127.1/", Internal),
    ("http://127.0.1/", Internal),
    ("http://2130706433/", Internal),
    ("http://0x7f.1/", Internal),
    ("http://0x7f000001/", Internal),
    ("http://0x7f.0x0.0x0.0x1/", Internal),
    ("http://0177.0.0.1/", Internal),
    ("http://0177.1/", Internal),
    ("http://017700000001/", Internal),
    ("http://0/", Internal),
    ("http://0.0.0.0:8080/", Internal),
    ("http://[::]/", Internal),
    ("http://[::1]/", Internal),
    ("http://[::1]:6379/", Internal),
    ("http://[0:0:0:0:0:0:0:1]/", Internal),
    ("http://[::ffff:7f00:1]/", Internal),
    ("http://[::ffff:127.0.0.1]/", Internal),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", Internal),
    ("http://[::127.0.0.1]/", Internal),
    ("http://[64:ff9b::10.0.0.5]/", Internal),
    ("http://[2002:7f00:1::]/", Internal),
    ("http://[fe80::1%25eth0]/", Internal),
    ("http://[fd12:3456::1]/", Internal),
    ("http://[fc00::1]/", Internal),
    ("http://10.0.0.5/", Internal),
    ("http://10.1/", Internal),
    ("http://172.16.0.1/", Internal),
    ("http://172.31.255.254/", Internal),
    ("http://192.168.1.1/", Internal),
    ("http://100.64.0.1/", Internal),
    ("http://169.254.1.1/", Internal),
    ("http://%31%32%37.0.0.1/", Internal),
    ("http://１２７.０.０.１/", Internal),
    ("http://127.0.0.1./", Internal),
    ("http://localhost/", Internal),
    ("http://LOCALHOST:8080/", Internal),
    ("http://api.localhost/", Internal),
    ("http://127.0.0.1.nip.io/", Internal),
    ("http://evil.com@127.0.0.1/", Internal),
    ("http://user:pass@evil.com@127.0.0.1:80/", Internal),
    ("http://127.0.0.1#@evil.com", Internal),
    ("http://127.0.0.1?@evil.com/", Internal),
    ("http://127.0.0.1\\@evil.com/", Internal),
    ("http:/\\127.0.0.1/", Internal),
    ("http:127.0.0.1/", Internal),
    ("HTTP://127.0.0.1/", Internal),
    ("  http://127.0.0.1/  ", Internal),
    ("//127.0.0.1/x", Internal),
    ("https://[::1]:8443/", Internal),
    ("ws://[::1]:8080/socket", Internal),
    ("gopher://127.0.0.1:6379/_FLUSHALL", Internal),
    ("dict://127.0.0.1:11211/stat", Internal),
    ("ftp://10.0.0.7/", Internal),
    ("http://169.254.169.254/latest/meta-data/", Metadata),
    ("http://169.254.169.254.:80/", Metadata),
    ("http://0xa9fea9fe/", Metadata),
    ("http://2852039166/", Metadata),
    ("http://0251.0376.0251.0376/", Metadata),
    ("http://169.254.43518/", Metadata),
    ("http://[::ffff:169.254.169.254]/", Metadata),
    ("http://[::ffff:a9fe:a9fe]/", Metadata),
    ("http://[fd00:ec2::254]/latest/meta-data/", Metadata),
    ("http://100.100.100.200/latest/meta-data/", Metadata),
    ("http://192.0.0.192/opc/v2/instance/", Metadata),
    ("http://169.254.170.2/v2/credentials", Metadata),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        Metadata,
    ),
    (
        "http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/",
        Metadata,
    ),
    ("http://metadata.goog/computeMetadata/v1/", Metadata),
    ("http://metadata/computeMetadata/v1/", Metadata),
    ("http://instance-data/latest/", Metadata),
    ("http://instance-data.ec2.internal/latest/", Metadata),
    ("http://metadata.azure.com/metadata/instance", Metadata),
    ("http://evil.com@169.254.169.254/", Metadata),
];

/// Targets built from a piece of the request, with resolved addresses:
/// (target, resolved, input, reason).
const BUILT: &[(&str, &[&str], &str, Reason)] = &[
    // A user URL resolved to a private address.
    (
        "https://files.example.net/a.png",
        &["10.0.0.5"],
        "https://files.example.net/a.png",
        Internal,
    ),
    // DNS rebinding: the name looks public, the address is loopback.
    (
        "http://rebind.example/x",
        &["127.0.0.1"],
        "rebind.example",
        Internal,
    ),
    ("rebind.example", &["127.0.0.1"], "rebind.example", Internal),
    ("rebind.example:80", &["::1"], "rebind.example", Internal),
    (
        "https://rebind.example/",
        &["93.184.216.34", "127.0.0.1"],
        "https://rebind.example/",
        Internal,
    ),
    (
        "http://rebind.example/",
        &["::ffff:10.0.0.1"],
        "rebind.example",
        Internal,
    ),
    (
        "http://rebind.example/",
        &["169.254.169.254"],
        "http://rebind.example/",
        Metadata,
    ),
    (
        "http://rebind.example/",
        &["fd00:ec2::254"],
        "rebind.example",
        Metadata,
    ),
    // `"http://" + host + "/api"`.
    (
        "http://10.0.0.5/api/users",
        &["10.0.0.5"],
        "10.0.0.5",
        Internal,
    ),
    (
        "http://db.internal:5984/_all_dbs",
        &["10.2.0.9"],
        "db.internal:5984",
        Internal,
    ),
    // `"http://api.example.com" + path` with path `@127.0.0.1/x`.
    (
        "http://api.example.com@127.0.0.1/x",
        &["127.0.0.1"],
        "@127.0.0.1/x",
        Internal,
    ),
    // `"https://" + tenant + ".example.com/"` with tenant `127.0.0.1#`.
    (
        "https://127.0.0.1#.example.com/",
        &[],
        "127.0.0.1#",
        Internal,
    ),
    (
        "https://127.0.0.1/.example.com/",
        &["127.0.0.1"],
        "127.0.0.1/",
        Internal,
    ),
    // `"https://api.example.com" + path` with path `.evil.com/x`: labels appended.
    (
        "https://api.example.com.evil.com/x",
        &["127.0.0.1"],
        ".evil.com/x",
        Internal,
    ),
    (
        "https://api.example.com.evil.com",
        &["10.1.2.3"],
        ".evil.com",
        Internal,
    ),
    // `"http://[" + ip + "]/"`.
    ("http://[::1]/", &[], "::1", Internal),
    // The application re-serialised the user's URL.
    (
        "http://localhost:8080/admin",
        &["127.0.0.1"],
        "HTTP://LOCALHOST.:8080/admin",
        Internal,
    ),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        &["169.254.169.254"],
        "http://Metadata.Google.Internal/computeMetadata/v1/?recursive=true",
        Metadata,
    ),
    // A URL parser re-serialised the user's address literal (`url`, reqwest).
    (
        "http://127.0.0.1:8080/admin",
        &[],
        "http://2130706433:8080/admin",
        Internal,
    ),
    (
        "http://127.0.0.1:8080/admin",
        &[],
        "http://0x7f000001:8080/admin",
        Internal,
    ),
    (
        "http://127.0.0.1:8080/admin",
        &[],
        "http://127.1:8080/admin",
        Internal,
    ),
    (
        "http://127.0.0.1:8080/admin",
        &[],
        "http://0177.0.0.1:8080/admin",
        Internal,
    ),
    ("http://10.0.0.5/", &[], "//0xa000005", Internal),
    ("http://127.0.0.1/", &[], "http://127.1:80/", Internal),
    (
        "http://169.254.169.254/latest/",
        &[],
        "http://0xa9fea9fe/latest/",
        Metadata,
    ),
    (
        "http://[::1]:8080/",
        &[],
        "http://[0:0:0:0:0:0:0:1]:8080/",
        Internal,
    ),
    // Bare hosts given to `getaddrinfo`.
    ("127.1", &[], "127.1", Internal),
    ("2130706433", &[], "2130706433", Internal),
    ("0x7f.1", &[], "0x7f.1", Internal),
    ("0177.0.0.1", &[], "0177.0.0.1", Internal),
    ("017700000001", &[], "017700000001", Internal),
    ("::1", &[], "::1", Internal),
    ("fe80::1", &[], "fe80::1", Internal),
    ("[::1]:22", &[], "[::1]", Internal),
    ("localhost:6379", &["127.0.0.1"], "localhost", Internal),
    (
        "metadata.google.internal",
        &[],
        "metadata.google.internal",
        Metadata,
    ),
    ("metadata:80", &[], "metadata", Metadata),
    (
        "169.254.169.254",
        &["169.254.169.254"],
        "169.254.169.254",
        Metadata,
    ),
];

/// Safe: (target, resolved, inputs).
fn benign() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        // The application's own internal address; the user's URL names another address, or
        // a number that is no address of it.
        (
            "http://10.0.0.5:9200/_search",
            vec![],
            vec![
                "http://0xa000006/",
                "//10.0.0.50",
                "http://167772165.example/",
            ],
        ),
        // The same address on another port: the user's URL is not what is requested.
        (
            "http://127.0.0.1:9000/render",
            vec![],
            vec!["http://2130706433/", "https://127.1:8443/"],
        ),
        // Public hosts from the request, public addresses.
        (
            "https://example.com/a.png",
            vec!["93.184.216.34"],
            vec!["https://example.com/a.png"],
        ),
        (
            "https://example.com/",
            vec!["2606:2800:220:1:248:1893:25c8:1946"],
            vec!["example.com"],
        ),
        ("example.com", vec!["93.184.216.34"], vec!["example.com"]),
        (
            "example.com:443",
            vec!["93.184.216.34"],
            vec!["example.com:443"],
        ),
        (
            "https://example.org/x",
            vec![],
            vec!["https://example.org/x"],
        ),
        ("http://8.8.8.8/", vec![], vec!["http://8.8.8.8/"]),
        (
            "http://[2001:4860:4860::8888]/",
            vec![],
            vec!["http://[2001:4860:4860::8888]/"],
        ),
        (
            "http://internal.example.com/",
            vec!["203.0.113.10"],
            vec!["internal.example.com"],
        ),
        (
            "http://metadata.example.com/",
            vec!["198.51.100.7"],
            vec!["metadata.example.com"],
        ),
        (
            "https://user:pw@example.com/",
            vec!["93.184.216.34"],
            vec!["user:pw", "https://user:pw@example.com/"],
        ),
        // Internal destinations the code chose: the inputs fill the path or the query.
        (
            "http://10.0.0.5:9200/_search?q=shoes",
            vec!["10.0.0.5"],
            vec!["shoes", "_search"],
        ),
        (
            "http://search.internal:9200/idx/_doc/42",
            vec!["10.0.0.5"],
            vec!["42", "idx"],
        ),
        (
            "http://localhost:8080/render?url=https://example.com",
            vec!["127.0.0.1"],
            vec!["https://example.com", "example.com"],
        ),
        (
            "http://127.0.0.1:5000/users/alice",
            vec!["127.0.0.1"],
            vec!["alice", "users/alice", "/users/alice"],
        ),
        (
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/web",
            vec!["169.254.169.254"],
            vec!["web", "iam"],
        ),
        (
            "http://metadata.google.internal/computeMetadata/v1/instance/attributes/env",
            vec![],
            vec!["env", "attributes/env"],
        ),
        (
            "http://127.0.0.1:8080/#section",
            vec!["127.0.0.1"],
            vec!["#section", "section"],
        ),
        // A proper part of the code's own host: a page number, a label, a port.
        (
            "http://10.0.0.5:9200/",
            vec!["10.0.0.5"],
            vec!["10", "10.0", "0.5", ":9200", "9200", "0.0"],
        ),
        (
            "http://api.internal/v1/items?id=5",
            vec!["10.0.0.7"],
            vec!["api", "internal", "v1"],
        ),
        ("http://[fd00::5]:8080/", vec![], vec!["fd00", "00::5"]),
        ("127.0.0.1", vec!["127.0.0.1"], vec!["127", "0.1"]),
        // Inputs absent from the target, or too short.
        (
            "http://169.254.169.254/latest/meta-data/",
            vec![],
            vec!["shoes", "blue", "http://example.com/"],
        ),
        ("http://127.0.0.1/", vec!["127.0.0.1"], vec!["1", "/", ""]),
        ("http://localhost/", vec![], vec![]),
        // No host at all.
        (
            "mailto:root@127.0.0.1",
            vec![],
            vec!["mailto:root@127.0.0.1"],
        ),
        ("file:///etc/passwd", vec![], vec!["file:///etc/passwd"]),
        ("", vec!["127.0.0.1"], vec!["127.0.0.1"]),
        // A name the application resolved to public addresses: names decide nothing.
        (
            "http://db.internal/",
            vec!["203.0.113.5"],
            vec!["db.internal"],
        ),
        (
            "http://127.0.0.1.nip.io/",
            vec!["203.0.113.5"],
            vec!["127.0.0.1.nip.io"],
        ),
    ]
}

#[test]
fn user_urls_fire() {
    let mut fired = 0;
    for &(url, reason) in USER_URLS {
        let f = check(url, &[], ["page", url]);
        let f = f.unwrap_or_else(|| panic!("{url:?} did not fire"));
        assert_eq!(f.reason, reason, "{url:?}");
        assert_eq!(f.input_index, 1);
        assert_eq!(url.get(f.span.clone()), Some(url));
        fired += 1;
    }
    println!("sink ssrf: user URLs fired {fired}/{}", USER_URLS.len());
}

#[test]
fn built_targets_fire() {
    let mut fired = 0;
    for &(target, resolved, input, reason) in BUILT {
        let f = check(target, &ips(resolved), ["shoes", input, "x"]);
        let f = f.unwrap_or_else(|| panic!("{target:?} with {input:?} did not fire"));
        assert_eq!(f.reason, reason, "{target:?} with {input:?}");
        assert_eq!(f.input_index, 1, "{target:?}");
        assert_eq!(f.input, input);
        fired += 1;
    }
    println!("sink ssrf: built targets fired {fired}/{}", BUILT.len());
}

#[test]
fn benign_targets_never_fire() {
    let cases = benign();
    let mut passed = 0;
    for (target, resolved, inputs) in &cases {
        let f = check(target, &ips(resolved), inputs);
        assert!(f.is_none(), "{target:?} with {inputs:?}: {f:?}");
        passed += 1;
    }
    println!("sink ssrf: benign targets passed {passed}/{}", cases.len());
}

#[test]
fn the_host_is_read_like_whatwg() {
    let host = |t: &str| host_span(t).map(|s| t[s.written].to_owned());
    for (target, expected) in [
        ("http://example.com/x", Some("example.com")),
        ("http://a@b@example.com:80/x", Some("example.com")),
        ("http://127.0.0.1#@evil.com", Some("127.0.0.1")),
        ("http://good.com\\@127.0.0.1/", Some("good.com")),
        ("gopher://good.com\\@127.0.0.1/", Some("127.0.0.1")),
        ("http:\\\\//example.com", Some("example.com")),
        ("//example.com/a", Some("example.com")),
        ("http://[::1]:80/", Some("[::1]")),
        ("[fe80::1%eth0]:22", Some("[fe80::1%eth0]")),
        ("::1", Some("::1")),
        ("2001:db8::1", Some("2001:db8::1")),
        ("abcd::1", Some("abcd::1")),
        ("localhost:8080", Some("localhost")),
        ("localhost", Some("localhost")),
        ("example.com/path", Some("example.com")),
        ("redis://cache:6379/0", Some("cache")),
        ("mailto:a@b.com", None),
        ("urn:isbn:123", None),
        ("http:///", None),
        ("http://user@/", None),
        ("", None),
        ("   ", None),
    ] {
        assert_eq!(host(target).as_deref(), expected, "{target:?}");
    }
}

#[test]
fn the_first_controlling_input_is_reported_with_its_span() {
    let t = "http://a.example/?u=127.0.0.1&h=127.0.0.1";
    // `127.0.0.1` occurs only in the query.
    assert!(check(t, &ips(&["127.0.0.1"]), ["127.0.0.1"]).is_none());
    let t = "http://127.0.0.1:8080/?next=127.0.0.1";
    let f = check(t, &[], ["x", "8080", "127.0.0.1"]).unwrap();
    assert_eq!((f.input_index, f.span), (2, 7..16));
    // A periodic input whose first occurrence is a proper part of the host.
    let f = check("http://aaa/", &ips(&["10.0.0.1"]), ["aa", "aaa"]).unwrap();
    assert_eq!(f.input, "aaa");
}

#[test]
fn check_request_reads_the_extracted_values() {
    let req = Request::new("GET", "/preview?url=http%3A%2F%2F127.1%2Fadmin&page=2");
    let inputs = run(&req);
    let f = check_request("http://127.1/admin", &[], &inputs).unwrap();
    assert_eq!(
        (f.input.as_str(), f.reason),
        ("http://127.1/admin", Internal)
    );
    assert!(check_request("http://127.0.0.1:9000/render?page=2", &[], &inputs).is_none());
}

/// A public IPv4 address (outside every internal, reserved and metadata range).
fn public_v4() -> impl Strategy<Value = IpAddr> {
    (
        prop_oneof![
            1u8..=9,
            11u8..=99,
            101u8..=126,
            128u8..=168,
            173u8..=191,
            193u8..=197,
            199u8..=223
        ],
        any::<[u8; 3]>(),
    )
        .prop_map(|(a, [b, c, d])| IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
}

/// A global unicast IPv6 address (2000::/3, 6to4 aside).
fn public_v6() -> impl Strategy<Value = IpAddr> {
    (0x2003u16..=0x3fff, any::<[u16; 7]>())
        .prop_map(|(a, [b, c, d, e, f, g, h])| IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)))
}

fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        any::<[u16; 8]>().prop_map(|s| IpAddr::V6(Ipv6Addr::from(s))),
        public_v4(),
    ]
}

/// URL-ish text, to reach the parser's branches more often than arbitrary strings do.
fn urlish() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9.:/\\\\@#?\\[\\]%x -]{0,40}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics(
        target in prop_oneof![any::<String>(), urlish()],
        resolved in proptest::collection::vec(any_ip(), 0..4),
        inputs in proptest::collection::vec(prop_oneof![any::<String>(), urlish()], 0..5),
        cut in 0usize..64,
    ) {
        let _ = check(&target, &resolved, &inputs);
        // Pieces of the target, so that inputs occur.
        let piece = target.get(cut.min(target.len())..).unwrap_or_default();
        if let Some(f) = check(&target, &resolved, [piece, target.as_str()]) {
            prop_assert!(target.get(f.span.clone()).is_some());
        }
    }

    #[test]
    fn public_resolved_addresses_never_fire(
        scheme in prop_oneof![Just("http://"), Just("https://"), Just("//"), Just("")],
        user in proptest::option::of("[a-z]{1,6}"),
        name in "[a-z][a-z0-9-]{0,10}(\\.[a-z0-9-]{1,8}){0,2}",
        tld in prop_oneof![Just("com"), Just("net"), Just("org"), Just("io")],
        port in proptest::option::of(1u16..),
        path in "(/[a-zA-Z0-9._~-]{0,8}){0,3}",
        resolved in proptest::collection::vec(prop_oneof![public_v4(), public_v6()], 1..4),
        noise in proptest::collection::vec(any::<String>(), 0..3),
    ) {
        let user = user.map(|u| format!("{u}@")).unwrap_or_default();
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let host = format!("{name}.{tld}");
        let target = format!("{scheme}{user}{host}{port}{path}");
        let mut inputs = vec![target.clone(), host.clone(), format!("{host}{port}")];
        inputs.extend(noise);
        prop_assert_eq!(check(&target, &resolved, &inputs), None);
    }

    #[test]
    fn no_inputs_never_fire(target in prop_oneof![any::<String>(), urlish()], resolved in proptest::collection::vec(any_ip(), 0..3)) {
        prop_assert_eq!(check(&target, &resolved, Vec::<String>::new()), None);
    }
}
