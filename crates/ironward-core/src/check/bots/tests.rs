//! Table tests of the bots check on real default header sets, in wire order.
//!
//! Tool requests were captured on the wire (a raw socket server printing each request) from
//! curl 7.88.1, Wget 1.21.3, python-requests 2.34.2, Python 3.11's urllib, Go 1.19's
//! net/http, Node 20's fetch, and Chromium 156 in headless mode driven by itself
//! (`--headless --dump-dom`), by puppeteer-core and by playwright-core: the three headless
//! navigations were byte-identical but for the path. Browser requests are the shapes of the
//! 100-site corpus (Chrome 127 on Windows) and of current Firefox and Safari.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use super::fingerprint::Shape;
use super::*;
use crate::check::test_support::run_request;
use crate::config::{Config, Level};
use crate::engine::Engine;
use crate::request::{Headers, Request};

const CHROME_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, \
                         like Gecko) Chrome/127.0.0.0 Safari/537.36";
const HEADLESS_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like \
                           Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
const NAV_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,\
                          image/avif,image/webp,image/apng,*/*;q=0.8,\
                          application/signed-exchange;v=b3;q=0.7";

/// A request: method, HTTP version, headers in wire order.
struct Case {
    name: &'static str,
    version: &'static str,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
}

fn case(name: &'static str, headers: &[(&'static str, &'static str)]) -> Case {
    Case {
        name,
        version: "1.1",
        method: "GET",
        headers: headers.to_vec(),
    }
}

impl Case {
    fn version(mut self, v: &'static str) -> Self {
        self.version = v;
        self
    }

    fn method(mut self, m: &'static str) -> Self {
        self.method = m;
        self
    }

    fn request(&self) -> Request<'_> {
        let mut r = Request::new(self.method, "/");
        r.version = self.version;
        r.with_headers(self.headers.iter().copied().collect::<Headers<'_>>())
    }
}

fn headless_navigation(name: &'static str) -> Case {
    case(
        name,
        &[
            ("Host", "127.0.0.1:18431"),
            ("Connection", "keep-alive"),
            ("sec-ch-ua", r#""Not:A-Brand";v="8", "Chromium";v="156""#),
            ("sec-ch-ua-mobile", "?0"),
            ("sec-ch-ua-platform", "\"Linux\""),
            ("Upgrade-Insecure-Requests", "1"),
            ("User-Agent", HEADLESS_UA),
            ("Accept", NAV_ACCEPT),
            ("Sec-Fetch-Site", "none"),
            ("Sec-Fetch-Mode", "navigate"),
            ("Sec-Fetch-User", "?1"),
            ("Sec-Fetch-Dest", "document"),
            ("Accept-Encoding", "gzip, deflate, br, zstd"),
            ("Accept-Language", "en-US,en;q=0.9"),
        ],
    )
}

/// Default requests of scripted clients, each with the rule it must break.
fn tools() -> Vec<(Case, &'static str)> {
    let host = ("Host", "127.0.0.1:18431");
    vec![
        (
            case(
                "curl",
                &[host, ("User-Agent", "curl/7.88.1"), ("Accept", "*/*")],
            ),
            "scripted",
        ),
        (
            case(
                "curl --http1.0",
                &[host, ("User-Agent", "curl/7.88.1"), ("Accept", "*/*")],
            )
            .version("1.0"),
            "http10",
        ),
        (
            case(
                "curl --http2 (no Host: :authority)",
                &[("user-agent", "curl/7.88.1"), ("accept", "*/*")],
            )
            .version("2"),
            "scripted",
        ),
        (
            case(
                "curl -b",
                &[
                    host,
                    ("User-Agent", "curl/7.88.1"),
                    ("Accept", "*/*"),
                    ("Cookie", "session=abc"),
                ],
            ),
            "few_headers",
        ),
        (
            case(
                "wget",
                &[
                    host,
                    ("User-Agent", "Wget/1.21.3"),
                    ("Accept", "*/*"),
                    ("Accept-Encoding", "identity"),
                    ("Connection", "Keep-Alive"),
                ],
            ),
            "scripted",
        ),
        (
            case(
                "python-requests",
                &[
                    host,
                    ("User-Agent", "python-requests/2.34.2"),
                    ("Accept-Encoding", "gzip, deflate"),
                    ("Accept", "*/*"),
                    ("Connection", "keep-alive"),
                ],
            ),
            "scripted",
        ),
        (
            case(
                "python-requests POST json",
                &[
                    host,
                    ("User-Agent", "python-requests/2.34.2"),
                    ("Accept-Encoding", "gzip, deflate"),
                    ("Accept", "*/*"),
                    ("Connection", "keep-alive"),
                    ("Content-Length", "13"),
                    ("Content-Type", "application/json"),
                ],
            )
            .method("POST"),
            "scripted",
        ),
        (
            case(
                "python urllib",
                &[
                    ("Accept-Encoding", "identity"),
                    host,
                    ("User-Agent", "Python-urllib/3.11"),
                    ("Connection", "close"),
                ],
            ),
            "scripted",
        ),
        (
            case(
                "Go net/http",
                &[
                    host,
                    ("User-Agent", "Go-http-client/1.1"),
                    ("Accept-Encoding", "gzip"),
                ],
            ),
            "scripted",
        ),
        (
            case(
                "Node fetch (undici): language * and a lone sec-fetch-mode",
                &[
                    ("host", "127.0.0.1:18431"),
                    ("connection", "keep-alive"),
                    ("accept", "*/*"),
                    ("accept-language", "*"),
                    ("sec-fetch-mode", "cors"),
                    ("user-agent", "node"),
                    ("accept-encoding", "gzip, deflate"),
                ],
            ),
            "scripted",
        ),
        (headless_navigation("chromium --headless"), "headless"),
        (headless_navigation("puppeteer-core"), "headless"),
        (headless_navigation("playwright-core"), "headless"),
        (
            case(
                "empty cookie",
                &[
                    host,
                    ("User-Agent", CHROME_UA),
                    ("Accept", "*/*"),
                    ("Accept-Language", "en-US"),
                    ("Cookie", ""),
                ],
            ),
            "cookie_malformed",
        ),
        (
            case(
                "cookie without any pair",
                &[
                    host,
                    ("User-Agent", CHROME_UA),
                    ("Accept", "*/*"),
                    ("Accept-Language", "en-US"),
                    ("Cookie", ";=x; ;"),
                ],
            ),
            "cookie_malformed",
        ),
        (
            case(
                "no user agent",
                &[
                    host,
                    ("Accept", "*/*"),
                    ("Accept-Language", "en"),
                    ("Referer", "https://example.com/"),
                ],
            ),
            "no_user_agent",
        ),
        (
            case(
                "h2 client with a cookie and a language",
                &[
                    ("user-agent", "okhttp/4.12.0"),
                    ("accept", "application/json"),
                    ("accept-language", "en-US"),
                    ("accept-encoding", "gzip"),
                    ("content-type", "application/json"),
                    ("cookie", "sid=1"),
                ],
            )
            .version("2"),
            "h2_few_headers",
        ),
    ]
}

/// Real browser request shapes that must pass.
fn browsers() -> Vec<Case> {
    let mut chrome_nav = headless_navigation("Chrome navigation, first visit");
    chrome_nav.headers[6] = ("User-Agent", CHROME_UA);
    vec![
        chrome_nav,
        case(
            "Chrome XHR with cookie and referer",
            &[
                ("Host", "www.example.com"),
                ("Connection", "keep-alive"),
                ("sec-ch-ua-platform", "\"Windows\""),
                ("User-Agent", CHROME_UA),
                ("Accept", "application/json"),
                ("sec-ch-ua-mobile", "?0"),
                ("Sec-Fetch-Site", "same-origin"),
                ("Sec-Fetch-Mode", "cors"),
                ("Sec-Fetch-Dest", "empty"),
                ("Referer", "https://www.example.com/cart"),
                ("Accept-Encoding", "gzip, deflate, br, zstd"),
                ("Accept-Language", "he-IL,he;q=0.9"),
                ("Cookie", "sid=9f8e7d; consent=1; _ga=GA1.2.3.4"),
            ],
        ),
        case(
            "Chrome background request (no language, no cookie)",
            &[
                ("Host", "clientservices.googleapis.com"),
                ("Connection", "keep-alive"),
                ("If-None-Match", "abc"),
                ("A-IM", "x-bm,gzip"),
                ("Sec-Fetch-Site", "none"),
                ("Sec-Fetch-Mode", "no-cors"),
                ("Sec-Fetch-Dest", "empty"),
                ("User-Agent", CHROME_UA),
                ("Accept-Encoding", "gzip, deflate, br, zstd"),
            ],
        ),
        case(
            "Firefox over plain HTTP (no fetch metadata)",
            &[
                ("Host", "shop.example"),
                (
                    "User-Agent",
                    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                ),
                ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
                ("Accept-Language", "fr-FR,fr;q=0.8,en-US;q=0.5"),
                ("Accept-Encoding", "gzip, deflate"),
                ("Connection", "keep-alive"),
                ("Upgrade-Insecure-Requests", "1"),
                ("Priority", "u=0, i"),
            ],
        ),
        case(
            "Safari navigation",
            &[
                ("Host", "shop.example"),
                ("Sec-Fetch-Dest", "document"),
                (
                    "User-Agent",
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
                     (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                ),
                ("Accept", "text/html,*/*;q=0.8"),
                ("Sec-Fetch-Site", "none"),
                ("Sec-Fetch-Mode", "navigate"),
                ("Accept-Language", "en-GB,en;q=0.9"),
                ("Priority", "u=0, i"),
                ("Accept-Encoding", "gzip, deflate, br"),
                ("Connection", "keep-alive"),
            ],
        ),
        case(
            "Chrome over HTTP/2 (no Host header)",
            &[
                ("sec-ch-ua-platform", "\"Windows\""),
                ("user-agent", CHROME_UA),
                ("accept", "*/*"),
                ("sec-fetch-site", "same-origin"),
                ("sec-fetch-mode", "cors"),
                ("sec-fetch-dest", "empty"),
                ("accept-encoding", "gzip, deflate, br, zstd"),
            ],
        )
        .version("2"),
    ]
}

fn bots_config(level: Level) -> Config {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Bots, level);
    c
}

fn verdict(check: &Bots, config: &Config, c: &Case) -> Option<Finding> {
    run_request(check, config, &c.request()).into_iter().next()
}

#[test]
fn default_tools_are_flagged_by_their_rule() {
    let config = bots_config(Level::Block);
    let check = Bots::new(&config);
    let wrong: Vec<String> = tools()
        .iter()
        .filter_map(|(c, rule)| {
            let got = verdict(&check, &config, c).map(|f| f.location);
            (got != Some(*rule)).then(|| format!("{}: expected {rule}, got {got:?}", c.name))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn browsers_pass() {
    let config = bots_config(Level::Block);
    let check = Bots::new(&config);
    for c in browsers() {
        assert_eq!(verdict(&check, &config, &c), None, "{}", c.name);
    }
}

#[test]
fn browsers_with_many_headers_pass_up_to_the_limit() {
    let config = bots_config(Level::Block);
    let check = Bots::new(&config);
    let mut c = browsers().remove(1);
    let names: Vec<&'static str> = (0..40)
        .map(|i| &*Box::leak(format!("X-Custom-{i}").into_boxed_str()))
        .collect();
    for n in &names[..MAX_HEADERS - 11] {
        c.headers.push((n, "1"));
    }
    assert_eq!(Shape::of(&c.request()).count, MAX_HEADERS);
    assert_eq!(verdict(&check, &config, &c), None);
    c.headers.push((names[39], "1"));
    let f = verdict(&check, &config, &c).unwrap();
    assert_eq!(f.location, "too_many_headers");
    assert_eq!(f.payload, "iw1_ge11cr49heil");
}

#[test]
fn allowed_agents_are_never_flagged() {
    let probe = case(
        "kube-probe",
        &[
            ("Host", "10.0.0.7:8080"),
            ("User-Agent", "kube-probe/1.29"),
            ("Accept", "*/*"),
            ("Connection", "close"),
        ],
    );
    let health = case(
        "ALB health check",
        &[
            ("Host", "10.0.0.7"),
            ("Connection", "close"),
            ("User-Agent", "ELB-HealthChecker/2.0"),
        ],
    );
    let mut config = bots_config(Level::Block);
    let check = Bots::new(&config);
    assert_eq!(verdict(&check, &config, &probe), None);
    assert_eq!(verdict(&check, &config, &health), None);
    // Any case; an empty list allows none.
    config.bots_allowed_agents = vec!["KUBE-PROBE".into(), "  ".into()];
    let check = Bots::new(&config);
    assert_eq!(verdict(&check, &config, &probe), None);
    assert!(verdict(&check, &config, &health).is_some());
    config.bots_allowed_agents.clear();
    let check = Bots::new(&config);
    assert_eq!(
        verdict(&check, &config, &probe).map(|f| f.location),
        Some("scripted")
    );
}

#[test]
fn http10_through_a_trusted_proxy_is_the_proxys_version() {
    let c = case(
        "nginx default upstream",
        &[
            ("Host", "app"),
            ("X-Forwarded-For", "203.0.113.9"),
            ("Connection", "close"),
            ("User-Agent", CHROME_UA),
            ("Accept", "text/html"),
            ("Accept-Language", "en-US"),
            ("Sec-Fetch-Site", "none"),
            ("Sec-Fetch-Mode", "navigate"),
            ("Sec-Fetch-Dest", "document"),
        ],
    )
    .version("1.0");
    let shape = Shape::of(&c.request());
    assert_eq!(rule(&shape, false), Some("http10"));
    assert_eq!(rule(&shape, true), None);
}

/// The text form is stable: these exact strings are a contract (logs, dashboards). The
/// expected values come from an independent implementation of the spec in Python (see
/// docs/checks.md).
#[test]
fn golden_fingerprints() {
    let firefox = case(
        "golden",
        &[
            ("Host", "example.com"),
            (
                "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            ),
            ("Accept", "text/html"),
            ("Accept-Language", "en-US,en;q=0.9"),
            ("Referer", "https://example.com/"),
            ("Cookie", "sid=abc123; theme=dark"),
        ],
    );
    assert_eq!(
        fingerprint(&firefox.request()).as_str(),
        "iw1_ge11cr04enus_7859c1d1ccf5_6d41258bbaa7_1e46cad2cd72"
    );
    let curl = case(
        "curl",
        &[
            ("Host", "127.0.0.1:8080"),
            ("User-Agent", "curl/7.88.1"),
            ("Accept", "*/*"),
        ],
    );
    let fp = fingerprint(&curl.request());
    assert_eq!(
        fp.as_str(),
        "iw1_ge11nn030000_665cd68293e1_000000000000_000000000000"
    );
    assert_eq!(fp.summary(), "iw1_ge11nn030000");
    assert_eq!(fp.to_string().len(), fingerprint::TEXT_LEN);
    let empty = Request::new("DELETE", "/");
    assert_eq!(
        fingerprint(&empty).as_str(),
        "iw1_de11nn000000_000000000000_000000000000_000000000000"
    );
}

#[test]
fn payload_is_the_summary_or_the_whole_fingerprint() {
    let (curl, _) = tools().remove(0);
    let mut config = bots_config(Level::Block);
    let f = verdict(&Bots::new(&config), &config, &curl).unwrap();
    assert_eq!(f.payload, "iw1_ge11nn030000");
    assert_eq!(f.engine, Some("shape"));
    config.log_ja4h_fingerprint = true;
    let f = verdict(&Bots::new(&config), &config, &curl).unwrap();
    assert_eq!(f.payload, fingerprint(&curl.request()).as_str());
}

#[test]
fn the_engine_blocks_curl_at_level_1_and_monitors_at_level_3() {
    let (curl, _) = tools().remove(0);
    let engine = Engine::new(bots_config(Level::Block)).unwrap();
    let v = engine.inspect_request(&curl.request());
    assert!(v.action.is_block(), "{v:?}");
    let engine = Engine::new(bots_config(Level::Monitor)).unwrap();
    let v = engine.inspect_request(&curl.request());
    assert_eq!(v.action, crate::verdict::Action::Monitor);
    let engine = Engine::new(Config::default()).unwrap();
    assert!(engine.inspect_request(&curl.request()).findings.is_empty());
}

/// The 100-site corpus of real browsing (shared/datasets/traffic): no request a browser made
/// for a page is flagged. The requests that are flagged all come from the operating system's
/// and security agents' background clients that the capture also recorded (Windows BITS and
/// CryptoAPI, Chrome's component updater, endpoint-protection agents): automated clients,
/// and the only ones.
#[test]
fn corpus_browser_requests_pass() {
    use std::io::Read;
    let path = format!(
        "{}/../../../shared/datasets/traffic/wcp-benign-100-sites.jsonl.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("corpus {path} is missing ({e}): `shared/` must be beside"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    let config = bots_config(Level::Block);
    let check = Bots::new(&config);
    let (mut total, mut flagged, mut browser_flagged) = (0, 0, Vec::new());
    let mut by_rule = std::collections::BTreeMap::<(&str, String), usize>::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let method = v["method"].as_str().unwrap_or("GET");
        let headers: Headers<'_> = v["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
            .collect();
        let req = Request::new(method, "/").with_headers(headers);
        total += 1;
        if let Some(f) = run_request(&check, &config, &req).into_iter().next() {
            flagged += 1;
            let shape = Shape::of(&req);
            let ua = req.headers.get_str("user-agent").unwrap_or("");
            let agent: String = ua.chars().take_while(|c| *c != '/').take(24).collect();
            *by_rule.entry((f.location, agent)).or_default() += 1;
            let page = shape.fetch_metadata || (ua.starts_with("Mozilla/") && shape.referer);
            if page {
                browser_flagged.push((f.location, ua.to_owned()));
            }
        }
    }
    eprintln!("bots on the 100-site corpus: {flagged} / {total} flagged");
    for ((rule, agent), n) in &by_rule {
        eprintln!("  {n:>4}  {rule:<16} {agent:?}");
    }
    assert_eq!(total, 64_576);
    assert!(browser_flagged.is_empty(), "{browser_flagged:?}");
    // The background clients: see docs/checks.md for the breakdown.
    assert!(flagged <= 553, "{flagged} flagged");
}
