//! Seeded, reproducible values for `ssrf` in URL-typed parameters: every spelling of a
//! loopback, private, link-local or metadata host (dotted, short, decimal, hex, octal, bare
//! hex, IPv6 compressed, expanded and IPv4-mapped, cloud metadata names) × the ways it is
//! written (bare, port, path, user part, trailing dot, percent-encoding, with or without a
//! scheme) × URL-like parameter names; and benign values those parameters carry (page
//! numbers, ids, Unix times, versions, browser versions, dates, times, decimals, ratios,
//! phone numbers, bit masks, tokens, labels, paths, public hosts in the same spellings).

use std::net::Ipv4Addr;

/// A generated parameter: its name and its value.
#[derive(Debug, Clone)]
pub(super) struct Param {
    pub name: &'static str,
    pub value: String,
}

/// URL-typed parameter names, as applications spell them.
pub(super) const URL_PARAMS: &[&str] = &[
    "url",
    "uri",
    "callback",
    "redirect",
    "next",
    "dest",
    "host",
    "target",
    "feed",
    "webhook",
    "imageUrl",
    "redirect_uri",
    "callback_url",
    "returnUrl",
    "webhook_url",
    "target_host",
    "proxy",
    "src",
    "link",
    "endpoint",
    "goto",
    "destination",
    "feedUrl",
];

/// A small seeded generator (PCG-style LCG), the same on every platform.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % n.max(1)
    }

    fn word(&mut self) -> u32 {
        let hi = self.below(1 << 16) as u32;
        let lo = self.below(1 << 16) as u32;
        (hi << 16) | lo
    }

    fn name(&mut self) -> &'static str {
        URL_PARAMS[self.below(URL_PARAMS.len())]
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Internal IPv4 addresses attackers aim at: loopback, private ranges, link-local, the
/// unspecified address and the cloud metadata endpoints (AWS, Azure, GCP, Oracle and
/// DigitalOcean `169.254.169.254`, ECS `169.254.170.2`, Alibaba `100.100.100.200`, Oracle
/// `192.0.0.192`).
const TARGETS: &[[u8; 4]] = &[
    [127, 0, 0, 1],
    [127, 0, 1, 3],
    [10, 0, 0, 1],
    [10, 10, 1, 5],
    [172, 16, 0, 1],
    [172, 31, 0, 10],
    [192, 168, 0, 1],
    [192, 168, 1, 1],
    [169, 254, 169, 254],
    [169, 254, 170, 2],
    [100, 100, 100, 200],
    [192, 0, 0, 192],
    [0, 0, 0, 0],
];

/// A host spelling and whether it is an IPv6 address (bracketed in a URL or before a port).
struct Host {
    text: String,
    v6: bool,
}

fn v4(text: String) -> Host {
    Host { text, v6: false }
}

fn v6(text: String) -> Host {
    Host { text, v6: true }
}

/// Every spelling of one IPv4 address.
fn spellings(o: [u8; 4]) -> Vec<Host> {
    let [a, b, c, d] = o;
    let n = u32::from(Ipv4Addr::from(o));
    let hi = u16::from_be_bytes([a, b]);
    let lo = u16::from_be_bytes([c, d]);
    let tail24 = n & 0x00ff_ffff;
    let tail16 = n & 0xffff;
    vec![
        v4(format!("{a}.{b}.{c}.{d}")),
        v4(format!("{a}.{tail24}")),
        v4(format!("{a}.{b}.{tail16}")),
        v4(format!("{n}")),
        v4(format!("0x{n:08x}")),
        v4(format!("0x{n:08X}")),
        v4(format!("0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}")),
        v4(format!("0x{a:x}.{tail24}")),
        v4(format!("0{a:o}.{b}.{c}.{d}")),
        v4(format!("0{a:o}.0{b:o}.0{c:o}.0{d:o}")),
        v4(format!("0{n:o}")),
        v4(format!("{n:08X}")),
        v6(format!("::ffff:{a}.{b}.{c}.{d}")),
        v6(format!("::ffff:{hi:x}:{lo:x}")),
        v6(format!("0:0:0:0:0:ffff:{hi:x}:{lo:x}")),
        v6(format!("0000:0000:0000:0000:0000:ffff:{hi:04x}:{lo:04x}")),
    ]
}

/// Internal IPv6 hosts and metadata names.
fn other_hosts() -> Vec<Host> {
    let mut out: Vec<Host> = [
        "::1",
        "0:0:0:0:0:0:0:1",
        "0000:0000:0000:0000:0000:0000:0000:0001",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fd00:ec2::254",
    ]
    .into_iter()
    .map(|h| v6(h.to_owned()))
    .collect();
    out.extend(
        [
            "localhost",
            "LOCALHOST",
            "metadata.google.internal",
            "metadata",
            "instance-data",
            "metadata.packet.net",
            "metadata.platformequinix.com",
        ]
        .into_iter()
        .map(|h| v4(h.to_owned())),
    );
    out
}

fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Every way of writing `host` into a parameter value.
fn decorations(h: &Host, rng: &mut Rng) -> Vec<String> {
    let t = h.text.as_str();
    let bracketed = if h.v6 { format!("[{t}]") } else { t.to_owned() };
    let port = *rng.pick(&[80, 443, 8080, 6379, 2375]);
    let path = *rng.pick(&[
        "/",
        "/admin",
        "/latest/meta-data/",
        "/computeMetadata/v1/",
        "/x?y=1",
    ]);
    let scheme = *rng.pick(&["http", "https", "HTTP", "gopher"]);
    let user = *rng.pick(&["a", "trusted.example.com", "user:pass"]);
    let mut out = vec![
        t.to_owned(),
        format!("{bracketed}:{port}"),
        format!("{bracketed}{path}"),
        format!("{bracketed}:{port}{path}"),
        format!("{user}@{bracketed}"),
        format!("{scheme}://{bracketed}/"),
        format!("{scheme}://{bracketed}:{port}{path}"),
        format!("{scheme}://{user}@{bracketed}{path}"),
        format!("http://a@{bracketed}/"),
        format!("//{bracketed}{path}"),
        format!("http://{bracketed}"),
        format!("http://{}/", percent_all(&bracketed)),
    ];
    if !h.v6 {
        out.push(format!("{t}."));
        out.push(format!("http://{t}./"));
        out.push(percent_all(t));
    } else {
        out.push(bracketed.clone());
    }
    out
}

/// Every internal host spelling × every decoration, each under a URL-typed name drawn by a
/// seeded generator (about 3,400 values).
pub(super) fn attacks() -> Vec<Param> {
    let mut rng = Rng(0x55_7f00_0001);
    let mut hosts: Vec<Host> = TARGETS.iter().flat_map(|&o| spellings(o)).collect();
    hosts.extend(other_hosts());
    let mut out = Vec::new();
    for h in &hosts {
        for value in decorations(h, &mut rng) {
            out.push(Param {
                name: rng.name(),
                value,
            });
        }
    }
    out
}

/// What URL-typed parameters carry on ordinary requests, `n` values.
pub(super) fn benign(n: usize) -> Vec<Param> {
    let mut rng = Rng(0xbe_9199);
    let public = [
        [8, 8, 8, 8],
        [1, 1, 1, 1],
        [93, 184, 216, 34],
        [203, 0, 113, 7],
        [151, 101, 1, 69],
    ];
    let names = [
        "example.com",
        "www.example.org",
        "cdn.example-cdn.net",
        "localhost-docs.example.com",
        "metadata-editor.example.com",
        "internal.example.com",
        "api.example.io:8443",
    ];
    let paths = [
        "/",
        "/account",
        "/cart?step=2",
        "/search?q=router+10.0.0.1",
        "/a/b/c",
    ];
    let words = [
        "_self",
        "_blank",
        "true",
        "false",
        "home",
        "next",
        "metadata-panel",
        "jsonp_cb",
    ];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let value = match rng.below(25) {
            // Small decimals, ratios, browser versions, bit masks, labels.
            20 => format!("0.{:04}", rng.below(10_000)),
            21 => format!(
                "{}.{:03}:{}",
                rng.below(3),
                rng.below(1000),
                1 + rng.below(20)
            ),
            22 => format!(
                "{}.0.{}.{}",
                100 + rng.below(40),
                1000 + rng.below(6000),
                rng.below(200)
            ),
            23 => format!("{}", (rng.word() >> 16) << 16),
            24 => (*rng.pick(&["Metadata", "Next", "Target", "Localhost", "Instance-Data"]))
                .to_owned(),
            0 => format!("{}", 1 + rng.below(500)),
            1 => format!("{}", rng.below(1_000_000_000)),
            // Unix times (2015 to 2027), in seconds and milliseconds.
            2 => format!("{}", 1_420_000_000 + rng.below(380_000_000)),
            3 => format!(
                "{}{:03}",
                1_420_000_000 + rng.below(380_000_000),
                rng.below(1000)
            ),
            4 => format!("{}.{}.{}", rng.below(20), rng.below(20), rng.below(300)),
            5 => format!("{}.{}", rng.below(100), rng.below(20)),
            6 => format!(
                "{:02}.{:02}.20{}",
                1 + rng.below(28),
                1 + rng.below(12),
                10 + rng.below(20)
            ),
            7 => format!("{:02}:{:02}", rng.below(24), rng.below(60)),
            8 => format!(
                "{:02}:{:02}:{:02}",
                rng.below(24),
                rng.below(60),
                rng.below(60)
            ),
            // Phone numbers, digits only (a callback number).
            9 => format!("{}{:07}", 200 + rng.below(800), rng.below(10_000_000)),
            10 => format!("{:08x}", rng.word()),
            11 => format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:08x}{:04x}",
                rng.word(),
                rng.below(0x10000),
                rng.below(0x1000),
                rng.below(0x1000),
                rng.word(),
                rng.below(0x10000)
            ),
            12 => (*rng.pick(&paths)).to_owned(),
            13 => format!("https://{}{}", rng.pick(&names), rng.pick(&paths)),
            14 => format!("{}{}", rng.pick(&names), rng.pick(&paths)),
            15 => {
                let sp = spellings(*rng.pick(&public));
                let h = rng.pick(&sp);
                if h.v6 {
                    format!("[{}]", h.text)
                } else {
                    h.text.clone()
                }
            }
            16 => format!(
                "jQuery{}_{}",
                rng.below(1 << 30),
                1_700_000_000_000 + rng.below(1 << 30)
            ),
            17 => (*rng.pick(&words)).to_owned(),
            18 => format!("v{}.{}.{}", rng.below(20), rng.below(20), rng.below(20)),
            _ => format!("{}.{:02}", rng.below(5000), rng.below(100)),
        };
        out.push(Param {
            name: rng.name(),
            value,
        });
    }
    out
}
