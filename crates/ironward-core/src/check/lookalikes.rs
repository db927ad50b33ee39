//! Seeded generators of benign requests for the false-positive classes found on real browsing
//! traffic (issue 12), and the test that the default configuration flags none of them.
//!
//! Each class is a kind of value in a location, written from its structure, not copied from
//! a site: tracking and analytics payloads (JSON arrays and objects serialised into strings,
//! sensor data and other long opaque tokens with punctuation, in bodies and cookies),
//! rich-text HTML from editors in JSON, no-op `javascript:` URLs, GraphQL documents, search
//! phrases that look like SQL in a referer, ordinary words that are also command names as JSON
//! keys, opaque ids with a scheme-like prefix, PHP serialized arrays in cookies, ellipsised DOM
//! paths, serializer type hints (`$type`), quantities with a prime mark, dash rules, and bodies
//! whose bytes do not match their declared type. The generators are deterministic (a fixed
//! seed), so a failure names a value that can be replayed.
//!
//! Each check's own table tests hold the attacks of the same shapes that must still fire.

#![allow(clippy::unwrap_used)]

use crate::check::CheckId;
use crate::config::{Config, Level};
use crate::engine::Engine;
use crate::request::{Headers, Request};

/// A small deterministic generator (PCG-style LCG).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// A number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    /// One of `items`.
    pub(crate) fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items[self.below(items.len())]
    }

    /// `len` characters drawn from `alphabet`.
    pub(crate) fn token(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }
}

/// Printable ASCII without `"` and `\` (JSON strings carry those escaped; a token generator of
/// a sensor script avoids them).
const PRINTABLE: &[u8] =
    b" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
/// The characters of cookie tokens (no `;`, `,`, space or `"`).
const COOKIE: &[u8] =
    b"!#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
const WORDS: &[&str] = &[
    "shoes", "summer", "sale", "order", "cart", "price", "blue", "size", "delivery", "return",
    "gift", "card", "new", "best", "select", "update", "drop", "union", "table", "from", "where",
    "and", "or", "date", "time", "sleep", "kill", "ping", "exec", "top", "set", "insert",
];

/// One benign request of a class, owned (the engine borrows from it).
pub(crate) struct Sample {
    pub(crate) class: &'static str,
    pub(crate) method: &'static str,
    pub(crate) target: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: String,
}

impl Sample {
    fn get(class: &'static str, target: String) -> Self {
        Sample {
            class,
            method: "GET",
            target,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    fn post(class: &'static str, target: &str, content_type: &str, body: String) -> Self {
        Sample {
            class,
            method: "POST",
            target: target.to_owned(),
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
        }
    }

    fn with(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The request, borrowing from the sample.
    pub(crate) fn request(&self) -> Request<'_> {
        let mut h = Headers::new();
        h.push("Host", b"shop.example");
        for (n, v) in &self.headers {
            h.push(n, v.as_bytes());
        }
        Request::new(self.method, &self.target)
            .with_headers(h)
            .with_body(self.body.as_bytes())
    }
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn json_str(v: &str) -> String {
    serde_json::Value::String(v.to_owned()).to_string()
}

/// Analytics arrays and objects serialised into strings, in JSON bodies and query values.
fn tracking(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..300 {
        let mut parts = Vec::new();
        for _ in 0..(8 + r.below(20)) {
            parts.push(match r.below(5) {
                0 => "\"-\"".to_owned(),
                1 => format!("\"{}\"", r.pick(&["", "-", "--", "n/a", "true", "1x1"])),
                2 => format!("{}", [1920, 1080, 1040, 969, 24, 0, 300][r.below(7)]),
                3 => "null".to_owned(),
                _ => format!("{}", r.below(100_000)),
            });
        }
        let array = format!("[{}]", parts.join(","));
        let object = format!(
            "{{\"ev\":\"{}\",\"ts\":{},\"sz\":[{},{}],\"ref\":\"-\",\"tags\":[\"{}\",\"{}\"]}}",
            r.pick(&["pageview", "click", "scroll", "add_to_cart"]),
            1_700_000_000_000u64 + r.below(1_000_000_000) as u64,
            r.below(4000),
            r.below(3000),
            r.pick(WORDS),
            r.pick(WORDS)
        );
        out.push(Sample::get(
            "tracking arrays in a query",
            format!("/ct?{}", query(&[("dt", &array), ("e", &object)])),
        ));
        out.push(Sample::post(
            "tracking arrays in JSON",
            "/collect",
            "application/json",
            format!(
                "{{\"d\":{},\"o\":{},\"raw\":{array}}}",
                json_str(&array),
                json_str(&object)
            ),
        ));
    }
}

/// Sensor data and session blobs: long random tokens with punctuation, in JSON and cookies.
fn opaque_tokens(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..300 {
        let len = 300 + r.below(1500);
        let sensor = format!(
            "{};{};{};{};{},{},{},{},{},{};{}",
            r.below(4),
            r.below(9_000_000),
            r.below(9_000_000),
            r.below(9_000_000),
            r.below(60),
            r.below(30),
            r.below(2),
            r.below(2),
            r.below(6),
            r.below(100),
            r.token(PRINTABLE, len)
        );
        out.push(Sample::post(
            "sensor data in JSON",
            "/s/p",
            "text/plain;charset=UTF-8",
            format!("{{\"sensor_data\":{}}}", json_str(&sensor)),
        ));
        let (n1, n2) = (200 + r.below(400), 100 + r.below(200));
        let cookie = format!(
            "sid={}; bm={}~{}; pref={}",
            r.token(COOKIE, n1),
            r.token(b"0123456789ABCDEF", 32),
            r.token(COOKIE, n2),
            r.token(COOKIE, 40)
        );
        out.push(Sample::get("opaque cookie tokens", "/px".to_owned()).with("Cookie", cookie));
    }
}

/// Rich text as editors send it, in JSON.
fn rich_text(r: &mut Rng, out: &mut Vec<Sample>) {
    let hosts = [
        "example.com",
        "cdn.example.org",
        "www.shop.example.co.uk",
        "images.example.net",
    ];
    for _ in 0..400 {
        let (w1, w2, w3) = (r.pick(WORDS), r.pick(WORDS), r.pick(WORDS));
        let host = hosts[r.below(hosts.len())];
        let html = match r.below(8) {
            0 => format!("<p>{w1} <strong>{w2}</strong> {w3}</p>"),
            1 => format!(
                "<p>See <a href=\"https://{host}/{w1}/{w2}?id={}&amp;ref=mail\" target=\"_blank\" rel=\"noopener noreferrer\">{w3}</a>.</p>",
                r.below(10_000)
            ),
            2 => format!(
                "<p><img src=\"https://{host}/img/{w1}-{}.jpg\" alt=\"{w2} {w3}\" width=\"{}\" height=\"{}\"></p>",
                r.below(999),
                100 + r.below(900),
                100 + r.below(900)
            ),
            3 => format!("<h2>{w1}</h2><ul><li>{w2}</li><li><em>{w3}</em></li></ul><p><br></p>"),
            4 => format!(
                "<p style=\"text-align: center;\"><span style=\"color: #{:06x}; font-size: {}px;\">{w1}</span></p>",
                r.below(0xff_ffff),
                10 + r.below(20)
            ),
            5 => format!(
                "<div class=\"ql-editor\"><p class=\"ql-align-justify\">{w1} {w2}</p><blockquote>{w3}</blockquote></div>"
            ),
            6 => format!(
                "<table><tbody><tr><td colspan=\"2\">{w1}</td></tr><tr><td>{}</td><td>{w2}</td></tr></tbody></table>",
                r.below(100)
            ),
            _ => format!(
                "<p style=\"font-family: 'Open Sans', sans-serif; color: rgb({}, {}, {});\">{w1} <a href=\"mailto:{w2}@{host}\">{w3}</a> <a href=\"/{w1}/{w2}\">more</a></p>",
                r.below(256),
                r.below(256),
                r.below(256)
            ),
        };
        out.push(Sample::post(
            "rich-text HTML in JSON",
            "/api/posts",
            "application/json",
            format!(
                "{{\"title\":{},\"body\":{}}}",
                json_str(w1),
                json_str(&html)
            ),
        ));
    }
    out.push(Sample::post(
        "rich-text HTML in JSON",
        "/api/pages",
        "application/json",
        "{\"doctype\":\"<!DOCTYPE html>\"}".to_owned(),
    ));
}

/// `href`s of links handled by script, as analytics report them.
fn noop_js_urls(r: &mut Rng, out: &mut Vec<Sample>) {
    let urls = [
        "javascript:void(0);",
        "javascript:void(0)",
        "javascript: void(0)",
        "javascript:;",
        "javascript:void(null);",
        "javascript:void 0",
        "javascript:",
        "JavaScript:void(0);",
        "javascript:undefined",
    ];
    for _ in 0..100 {
        let u = r.pick(&urls);
        out.push(Sample::get(
            "no-op javascript: URLs",
            format!(
                "/g/collect?{}",
                query(&[
                    ("en", "click"),
                    ("ep.link_url", u),
                    ("c", &format!("{{\"c_url\":{}}}", json_str(u))),
                ])
            ),
        ));
        out.push(Sample::post(
            "no-op javascript: URLs",
            "/events",
            "application/json",
            format!(
                "{{\"href\":{},\"text\":{}}}",
                json_str(u),
                json_str(r.pick(WORDS))
            ),
        ));
    }
}

/// GraphQL documents with and without variables.
fn graphql(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..200 {
        let (f1, f2) = (
            r.pick(&["name", "email", "price", "title"]),
            r.pick(&["id", "createdAt", "status"]),
        );
        let q = match r.below(5) {
            0 => format!("query {{ user(id: {}) {{ {f1} {f2} }} }}", r.below(1000)),
            1 => "mutation AddItem($id: ID!, $qty: Int = 1) { addToCart(productId: $id, quantity: $qty) { cart { id total } errors { field message } } }".to_owned(),
            2 => format!(
                "query Search($term: String!, $first: Int) {{ search(term: $term, first: $first, orderBy: {{field: PRICE, direction: DESC}}) {{ edges {{ node {{ ... on Product {{ id {f1} }} }} }} }} }}"
            ),
            3 => "fragment P on Product { id name price } query { products(where: {name_contains: \"select\"}) { ...P } }".to_owned(),
            _ => format!("{{ order(id: \"{}\") {{ {f1} items {{ sku {f2} }} }} }}", r.below(99_999)),
        };
        let vars = format!(
            "{{\"id\":\"{}\",\"qty\":{},\"term\":{},\"first\":{}}}",
            r.below(1000),
            1 + r.below(5),
            json_str(&format!("{} {}", r.pick(WORDS), r.pick(WORDS))),
            r.below(50)
        );
        out.push(Sample::post(
            "GraphQL documents",
            "/graphql",
            "application/json",
            format!(
                "{{\"operationName\":null,\"query\":{},\"variables\":{vars}}}",
                json_str(&q)
            ),
        ));
        out.push(Sample::get(
            "GraphQL documents",
            format!("/graphql?{}", query(&[("query", &q), ("variables", &vars)])),
        ));
    }
}

/// Search phrases that read like SQL, in the referer of a search engine.
fn referer_searches(r: &mut Rng, out: &mut Vec<Sample>) {
    let phrases = [
        "select from where sql tutorial",
        "union select example",
        "drop table if exists",
        "how to update table set column",
        "insert into values multiple rows",
        "order by desc limit 10",
        "delete from table where id",
        "sql join on two tables",
    ];
    for _ in 0..100 {
        let p = r.pick(&phrases);
        let referer = format!(
            "https://www.search.example/search?{}",
            query(&[("q", p), ("oq", p), ("hl", "en")])
        );
        out.push(
            Sample::get("SQL-like searches in a referer", "/blog/sql".to_owned())
                .with("Referer", referer),
        );
    }
}

/// JSON keys that are also command names.
fn command_word_keys(r: &mut Rng, out: &mut Vec<Sample>) {
    let keys = [
        "date", "time", "id", "kill", "sleep", "ping", "cat", "sort", "who", "top", "head", "more",
        "less", "find", "join", "shutdown", "exec", "type", "env", "set", "test", "tail", "wait",
        "watch", "echo", "touch", "nice",
    ];
    for _ in 0..100 {
        let mut fields = Vec::new();
        for _ in 0..(4 + r.below(8)) {
            let k = r.pick(&keys);
            let v = match r.below(4) {
                0 => format!("{}", r.below(10_000)),
                1 => json_str(&format!("2024-0{}-1{}", 1 + r.below(9), r.below(10))),
                2 => "true".to_owned(),
                _ => json_str(r.pick(WORDS)),
            };
            fields.push(format!("{}:{v}", json_str(k)));
        }
        out.push(Sample::post(
            "command names as JSON keys",
            "/api/events",
            "application/json",
            format!("{{{}}}", fields.join(",")),
        ));
    }
}

/// Opaque ids with a scheme-like prefix, and abbreviated DOM paths.
fn scheme_ids_and_paths(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..100 {
        let id = match r.below(6) {
            0 => "data://undefined:undefinedundefined".to_owned(),
            1 => format!("data://session/{}", r.below(100_000)),
            2 => format!("urn:uuid:{}", r.token(b"0123456789abcdef", 32)),
            3 => format!("app://{}/{}", r.pick(WORDS), r.below(999)),
            4 => format!(
                "blob:https://shop.example/{}",
                r.token(b"0123456789abcdef-", 36)
            ),
            _ => format!("ms-{}:{}", r.pick(WORDS), r.below(999)),
        };
        let dom: Vec<&str> = (0..(4 + r.below(12)))
            .map(|_| r.pick(&["DIV", "SPAN", "FORM", "INPUT", "UL", "LI", "A", "SECTION"]))
            .collect();
        let path = format!(".../HTML/BODY/{}", dom.join("/"));
        out.push(Sample::post(
            "scheme-like ids and DOM paths",
            "/browser/blobs",
            "text/plain",
            format!("{{\"id\":{},\"xpath\":{}}}", json_str(&id), json_str(&path)),
        ));
    }
}

/// Plugins' PHP serialized arrays (lists of ids, settings) in cookies.
fn php_arrays(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..100 {
        let n = 1 + r.below(5);
        let items: String = (0..n)
            .map(|i| format!("i:{i};i:{};", r.below(2_000_000)))
            .collect();
        let settings = format!(
            "a:2:{{s:4:\"view\";s:4:\"grid\";s:5:\"items\";i:{};}}",
            r.below(100)
        );
        out.push(
            Sample::get(
                "PHP serialized arrays in cookies",
                "/wp-content/themes/x.css".to_owned(),
            )
            .with(
                "Cookie",
                format!(
                    "recently_viewed=a:{n}:{{{items}}}; prefs={}",
                    percent_encoding::utf8_percent_encode(
                        &settings,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                ),
            ),
        );
    }
}

/// Serializer type hints, quantities with a prime mark, dash rules.
fn small_shapes(r: &mut Rng, out: &mut Vec<Sample>) {
    for _ in 0..100 {
        out.push(Sample::post(
            "type hints, primes, dash rules",
            "/shell/actions",
            "application/json",
            format!(
                "{{\"application\":{{\"$type\":\"{}\",\"path\":\"C:\\\\Program Files\\\\App\\\\app.exe\"}},\"cart\":{{\"$type\":\"Shop.Models.Cart, Shop\",\"items\":{}}}}}",
                r.pick(&["win32", "uwp", "Shop.Item, Shop"]),
                r.below(9)
            ),
        ));
        out.push(Sample::get(
            "type hints, primes, dash rules",
            format!(
                "/v1/pixel?{}",
                query(&[
                    ("$type", r.pick(&["MUM_ID", "PAGE", "VISIT"])),
                    ("$value", &format!("vec:{}", r.below(1_000_000))),
                    ("height", &format!("{}'", 4 + r.below(4))),
                    ("minute", &format!("{}'", r.below(120))),
                    ("slot", &"-".repeat(3 + r.below(4))),
                    ("pos", &format!("{}---", r.below(9))),
                ])
            ),
        ));
    }
}

/// Bodies whose bytes do not match their declared type: base64 or text sent as JSON.
fn mislabelled_bodies(r: &mut Rng, out: &mut Vec<Sample>) {
    use base64::Engine as _;
    for _ in 0..50 {
        let inner = format!(
            "{{\"tkn\":null,\"sesn\":{{\"sw\":{},\"sh\":{}}},\"ua\":\"Mozilla/5.0\"}}",
            r.below(4000),
            r.below(3000)
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        out.push(Sample::post(
            "mislabelled bodies",
            "/beacon/gt",
            "application/json;charset=UTF-8",
            b64,
        ));
        out.push(Sample::post(
            "mislabelled bodies",
            "/beacon/et",
            "application/json",
            format!("t={}&v={}", r.below(1_000_000), r.pick(WORDS)),
        ));
    }
}

/// Every generated sample, in a fixed order.
pub(crate) fn samples() -> Vec<Sample> {
    let mut r = Rng::new(12);
    let mut out = Vec::new();
    for generate in [
        tracking,
        opaque_tokens,
        rich_text,
        noop_js_urls,
        graphql,
        referer_searches,
        command_word_keys,
        scheme_ids_and_paths,
        php_arrays,
        small_shapes,
        mislabelled_bodies,
    ] {
        generate(&mut r, &mut out);
    }
    out
}

/// The default configuration, decoys aside (no generated path is a decoy; `scan` records
/// without routes keep pyrasp's decoy list, judged elsewhere).
fn engine() -> Engine {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Decoy, Level::Off);
    Engine::new(c).unwrap()
}

/// Share of a class that `command` may still flag (random tokens with punctuation hold a
/// shell-like stretch now and then; that check has its own campaign): near zero, not zero.
const COMMAND_TOLERANCE: f64 = 0.01;

/// No generated benign request gets a finding of any level (except `format`'s, monitored, on
/// the mislabelled bodies, and `command`'s within [`COMMAND_TOLERANCE`]).
#[test]
#[allow(clippy::print_stdout)]
fn generated_real_traffic_classes_pass() {
    let engine = engine();
    let mut failures = Vec::new();
    let mut per_class: Vec<(&str, usize, usize, usize)> = Vec::new();
    for s in samples() {
        let v = engine.inspect_request(&s.request());
        engine.reset_state();
        let unexpected: Vec<_> = v
            .findings
            .iter()
            .filter(|f| !(s.class == "mislabelled bodies" && f.check == CheckId::Format))
            .collect();
        let command_only =
            !unexpected.is_empty() && unexpected.iter().all(|f| f.check == CheckId::Command);
        let bad = !unexpected.is_empty();
        match per_class.iter_mut().find(|(c, _, _, _)| *c == s.class) {
            Some(e) => {
                e.1 += 1;
                e.2 += usize::from(bad);
                e.3 += usize::from(command_only);
            }
            None => per_class.push((s.class, 1, usize::from(bad), usize::from(command_only))),
        }
        if command_only {
            continue;
        }
        if bad && failures.len() < 20 {
            failures.push(format!(
                "[{}] {} {} {:?}: {:?}",
                s.class,
                s.method,
                s.target.chars().take(120).collect::<String>(),
                s.body.chars().take(200).collect::<String>(),
                unexpected
                    .iter()
                    .map(|f| (
                        f.check.key(),
                        f.location,
                        f.engine,
                        f.payload.chars().take(120).collect::<String>()
                    ))
                    .collect::<Vec<_>>()
            ));
        }
    }
    for (class, n, bad, command) in &per_class {
        println!("{class:<34} {bad} / {n} flagged ({command} by command alone)");
        if *command as f64 > COMMAND_TOLERANCE * *n as f64 {
            failures.push(format!("[{class}] command flagged {command} / {n}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A mislabelled body is reported by `format` at monitor level (3) by default and let
/// through, while an XML entity declaration is blocked by `code_injection`.
#[test]
fn hygiene_is_monitored_and_xxe_blocked() {
    let engine = Engine::new(Config::default()).unwrap();
    let mislabelled = Sample::post("", "/beacon", "application/json", "eyJhIjoxfQ==".to_owned());
    let v = engine.inspect_request(&mislabelled.request());
    engine.reset_state();
    assert!(!v.action.is_block(), "{v:?}");
    assert!(
        v.findings
            .iter()
            .any(|f| f.check == CheckId::Format && f.level == Level::Monitor),
        "{v:?}"
    );
    let xxe = Sample::post(
        "",
        "/soap",
        "application/xml",
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"
            .to_owned(),
    );
    let v = engine.inspect_request(&xxe.request());
    assert!(v.action.is_block(), "{v:?}");
    let f = v.blocking_finding().unwrap();
    assert_eq!((f.check, f.engine), (CheckId::CodeInjection, Some("xxe")));
}
