//! The load generator of the memory and soak runs (`scripts/soak.sh`): keep-alive HTTP/1.1
//! connections to a server on loopback, each request with its client address in
//! `X-Forwarded-For` (the server trusts 127.0.0.1 as a proxy), and the resident memory and
//! open file descriptors of the server's process tree (the process and every descendant, so a
//! gunicorn or uvicorn master with its workers) read from `/proc` as the load goes.
//!
//! ```sh
//! cargo run --release --manifest-path bench/soak/Cargo.toml --bin soak_client -- \
//!     --addr 127.0.0.1:18190 --pid 1234 --mode ips --requests 1000000 \
//!     --rate-table-max 50000 --blacklist-max 50000
//! cargo run --release --manifest-path bench/soak/Cargo.toml --bin soak_client -- \
//!     --addr 127.0.0.1:18190 --pid 1234 --mode soak --seconds 600
//! ```
//!
//! Every loop is bounded in count and in time and stops by itself: `--requests` caps the
//! requests (both modes), `--seconds` is the soak's length, `--max-seconds` the longest an
//! `ips` run may take (it then stops and fails). Only `--addr` is contacted.
//!
//! ## `--mode ips`: one distinct client address per request
//! Request `i` comes from `11.0.0.0 + i`. Of every 20 requests: 10 benign `GET
//! /api/items?q=…` (expected 200), 2 benign JSON `POST /echo` (200), 3 `GET /missing/<i>`
//! (404: counted by `brute`), 5 attacks — SQL injection, XSS, command injection, path
//! traversal, SQL injection in a JSON body — (403, and the address is blacklisted). So every
//! request adds an address to the `flood` table, 40 % add one to the `brute` table and 25 % one
//! to the blacklist: the tables are all full after `max(R, R / 0.40, B / 0.25)` requests
//! (`R` = `--rate-table-max`, `B` = `--blacklist-max`), and every one of them has replaced its
//! whole contents once after twice as many. Memory is sampled at fixed request counts (10 k,
//! 100 k, every tenth of the run, the two points above, the end); the run fails when the sample
//! at the end exceeds the first sample taken after the second point by more than `--margin`
//! (10 %). Why the second point: the tables are `HashMap`s whose evictions leave tombstones, and
//! the first time the tombstones use up the map's growth allowance it doubles its bucket array
//! once (afterwards it rehashes in place: the live entries stay under half the capacity) — a
//! one-time step of about the tables' own size just after they fill, not a growth. The growth
//! since the tables filled is printed too.
//!
//! ## `--mode soak`: mixed traffic for `--seconds`
//! Request `i` comes from address `i mod --pool` of a pool (65,536 by default, rounded down to a
//! multiple of 20 so that an address always sends the same kind of request), cycled in turn.
//! Of every 20 requests: 12 benign (`GET /`, `GET /api/items?q=…`, JSON `POST /echo`: 200) and
//! one `GET /missing/<i>` (404) from `10.0.0.0 + i mod pool`; 3 attacks (403) from
//! `172.16.0.0 + i mod pool`; 2 probes of a missing page from 32 "brute force" addresses (404
//! until `brute` blacklists them, then 403) and 2 `GET /` from 32 "flooding" addresses (200
//! until `flood` blacklists them, then 403). A pool address sends one request per cycle
//! (`pool / rate` seconds), so it stays far below the flood ratio while the rate is under
//! `pool` × 50 / 60 per second, and the server's per-address state stops growing once it holds
//! the pool or its tables are full. Memory and descriptors are sampled every
//! `--sample-seconds`; the warm-up ends at the first sample taken after both `--warmup` of the
//! run (20 %, at least 10 s) and `--warmup-requests` requests (0), which is the baseline; the
//! run fails when the last sample exceeds it by more than `--margin` (RSS) or `--fd-slack`
//! descriptors (`--conns`: a connection may be between close and reopen when sampled), or when
//! the server's process count changes.
//!
//! Both modes fail on any transport error, any 5xx, and any status a request's kind does not
//! expect (a benign request must get 200). The last line is `SOAK_RESULT key=value …`, which
//! the script turns into its summary table; the exit status is 0 for PASS and 1 for FAIL.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ips,
    Soak,
}

#[derive(Debug, Clone)]
struct Opts {
    addr: String,
    mode: Mode,
    label: String,
    requests: u64,
    seconds: u64,
    conns: usize,
    pid: Option<u32>,
    margin: f64,
    fd_slack: i64,
    rate_table_max: u64,
    blacklist_max: u64,
    max_seconds: u64,
    sample_seconds: u64,
    warmup: f64,
    warmup_requests: u64,
    timeout: Duration,
    pool: u64,
}

const USAGE: &str = "usage: soak_client --addr HOST:PORT [--mode ips|soak] [--label NAME] \
[--requests N] [--seconds S] [--conns C] [--pid PID] [--margin 0.10] [--fd-slack N] \
[--rate-table-max R] [--blacklist-max B] [--max-seconds S] [--sample-seconds S] \
[--warmup 0.2] [--warmup-requests N] [--timeout-seconds S] [--pool N]";

fn parse_opts() -> Result<Opts, Error> {
    let mut o = Opts {
        addr: String::new(),
        mode: Mode::Ips,
        label: String::new(),
        requests: 0,
        seconds: 60,
        conns: 4,
        pid: None,
        margin: 0.10,
        fd_slack: -1,
        rate_table_max: 100_000,
        blacklist_max: 100_000,
        max_seconds: 3600,
        sample_seconds: 0,
        warmup: 0.2,
        warmup_requests: 0,
        timeout: Duration::from_secs(30),
        pool: 1 << 16,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--addr" => o.addr.clone_from(value),
            "--mode" => {
                o.mode = match value.as_str() {
                    "ips" => Mode::Ips,
                    "soak" => Mode::Soak,
                    _ => return Err(format!("--mode: ips or soak, not {value}").into()),
                }
            }
            "--label" => o.label.clone_from(value),
            "--requests" => o.requests = value.parse().map_err(|e| bad(&e))?,
            "--seconds" => o.seconds = value.parse().map_err(|e| bad(&e))?,
            "--conns" => o.conns = value.parse().map_err(|e| bad(&e))?,
            "--pid" => o.pid = Some(value.parse().map_err(|e| bad(&e))?),
            "--margin" => o.margin = value.parse().map_err(|e| bad(&e))?,
            "--fd-slack" => o.fd_slack = value.parse().map_err(|e| bad(&e))?,
            "--rate-table-max" => o.rate_table_max = value.parse().map_err(|e| bad(&e))?,
            "--blacklist-max" => o.blacklist_max = value.parse().map_err(|e| bad(&e))?,
            "--max-seconds" => o.max_seconds = value.parse().map_err(|e| bad(&e))?,
            "--sample-seconds" => o.sample_seconds = value.parse().map_err(|e| bad(&e))?,
            "--warmup" => o.warmup = value.parse().map_err(|e| bad(&e))?,
            "--pool" => o.pool = value.parse().map_err(|e| bad(&e))?,
            "--warmup-requests" => o.warmup_requests = value.parse().map_err(|e| bad(&e))?,
            "--timeout-seconds" => {
                o.timeout = Duration::from_secs(value.parse().map_err(|e| bad(&e))?);
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}").into()),
        }
    }
    if o.addr.is_empty() {
        return Err(format!("--addr is required\n{USAGE}").into());
    }
    if o.conns == 0 {
        return Err("--conns must be at least 1".into());
    }
    if o.pool < 20 || o.pool > 1 << 22 {
        return Err("--pool must be between 20 and 4194304".into());
    }
    o.pool -= o.pool % 20;
    if o.requests == 0 {
        o.requests = match o.mode {
            Mode::Ips => 1_000_000,
            // A count bound for the soak too (far above what 2 cores serve in its time).
            Mode::Soak => 200_000_000,
        };
    }
    if o.label.is_empty() {
        o.label = match o.mode {
            Mode::Ips => "ips".to_owned(),
            Mode::Soak => "soak".to_owned(),
        };
    }
    if o.fd_slack < 0 {
        // A descriptor per client connection may be between close and reopen when sampled.
        o.fd_slack = i64::try_from(o.conns).unwrap_or(i64::MAX);
    }
    if o.sample_seconds == 0 {
        o.sample_seconds = (o.seconds / 20).clamp(1, 30);
    }
    if o.mode == Mode::Soak {
        o.max_seconds = o.seconds;
    }
    Ok(o)
}

// ------------------------------------------------------------------------------------------
// Traffic

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    /// A benign request: 200.
    Benign,
    /// A page that does not exist, from a benign address: 404.
    Missing,
    /// An attack: 403 (and the address is blacklisted).
    Attack,
    /// A probe from a brute-forcing address: 404, then 403 once `brute` blacklisted it.
    Brute,
    /// A request from a flooding address: 200, then 403 once `flood` blacklisted it.
    Flood,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Benign => "benign",
            Kind::Missing => "missing",
            Kind::Attack => "attack",
            Kind::Brute => "brute",
            Kind::Flood => "flood",
        }
    }

    fn expects(self, status: u16) -> bool {
        match self {
            Kind::Benign => status == 200,
            Kind::Missing => status == 404,
            Kind::Attack => status == 403,
            Kind::Brute => status == 404 || status == 403,
            Kind::Flood => status == 200 || status == 403,
        }
    }
}

struct Planned {
    kind: Kind,
    post: bool,
    path: String,
    ip: Ipv4Addr,
    body: Bytes,
}

const WORDS: [&str; 8] = [
    "shoes",
    "blue%20jacket",
    "size%2042",
    "caf%C3%A9",
    "garden+chair",
    "red",
    "usb-c%20cable",
    "gift%20card",
];

/// The attacks, as `(post, path, body)`.
const ATTACKS: [(bool, &str, &str); 5] = [
    (
        false,
        "/api/items?q=1%27%20UNION%20SELECT%20password%20FROM%20users--",
        "",
    ),
    (
        false,
        "/api/items?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
        "",
    ),
    (false, "/api/items?q=%3Bcat%20%2Fetc%2Fpasswd", ""),
    (
        false,
        "/api/items?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "",
    ),
    (
        true,
        "/echo",
        "{\"q\": \"1' UNION SELECT password FROM users--\"}",
    ),
];

fn word(i: u64) -> &'static str {
    WORDS[usize::try_from(i % WORDS.len() as u64).unwrap_or(0)]
}

fn benign_get(i: u64, ip: Ipv4Addr) -> Planned {
    Planned {
        kind: Kind::Benign,
        post: false,
        path: format!("/api/items?q={}-{i}&page={}", word(i), i % 7),
        ip,
        body: Bytes::new(),
    }
}

fn benign_post(i: u64, ip: Ipv4Addr) -> Planned {
    Planned {
        kind: Kind::Benign,
        post: true,
        path: "/echo".to_owned(),
        ip,
        body: Bytes::from(format!(
            "{{\"name\": \"user-{i}\", \"qty\": {}, \"note\": \"deliver after 5pm\"}}",
            i % 9 + 1
        )),
    }
}

fn missing(i: u64, ip: Ipv4Addr, kind: Kind) -> Planned {
    Planned {
        kind,
        post: false,
        path: format!("/missing/{i}"),
        ip,
        body: Bytes::new(),
    }
}

fn attack(i: u64, ip: Ipv4Addr) -> Planned {
    let (post, path, body) = ATTACKS[usize::try_from(i % ATTACKS.len() as u64).unwrap_or(0)];
    Planned {
        kind: Kind::Attack,
        post,
        path: path.to_owned(),
        ip,
        body: Bytes::from_static(body.as_bytes()),
    }
}

/// `base + n` as an address (wrapping within the 32-bit space).
fn addr(base: [u8; 4], n: u64) -> Ipv4Addr {
    let n = u32::try_from(n & 0xffff_ffff).unwrap_or(0);
    Ipv4Addr::from(u32::from(Ipv4Addr::from(base)).wrapping_add(n))
}

fn plan_ips(i: u64) -> Planned {
    let ip = addr([11, 0, 0, 0], i);
    match i % 20 {
        0..=9 => benign_get(i, ip),
        10..=11 => benign_post(i, ip),
        12..=14 => missing(i, ip, Kind::Missing),
        _ => attack(i, ip),
    }
}

/// Shares of [`plan_ips`]'s traffic that the `brute` table and the blacklist see.
const IPS_BRUTE_SHARE: f64 = 0.40;
const IPS_ATTACK_SHARE: f64 = 0.25;

/// `pool` is a multiple of 20, so an address always gets the same kind of request.
fn plan_soak(i: u64, pool: u64) -> Planned {
    let benign_ip = addr([10, 0, 0, 0], i % pool);
    match i % 20 {
        0..=5 => benign_get(i, benign_ip),
        6..=8 => Planned {
            kind: Kind::Benign,
            post: false,
            path: "/".to_owned(),
            ip: benign_ip,
            body: Bytes::new(),
        },
        9..=11 => benign_post(i, benign_ip),
        12 => missing(i, benign_ip, Kind::Missing),
        13..=15 => attack(i / 20 * 3 + i % 20 - 13, addr([172, 16, 0, 0], i % pool)),
        16..=17 => missing(i, addr([198, 18, 0, 0], (i / 20) % 32), Kind::Brute),
        _ => Planned {
            kind: Kind::Flood,
            post: false,
            path: "/".to_owned(),
            ip: addr([198, 19, 0, 0], (i / 20) % 32),
            body: Bytes::new(),
        },
    }
}

// ------------------------------------------------------------------------------------------
// /proc

/// The process and all its descendants.
fn process_tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid …`: comm may hold spaces and parentheses.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = vec![root];
    let mut next = 0;
    while next < out.len() {
        if let Some(c) = children.get(&out[next]) {
            out.extend(c);
        }
        next += 1;
    }
    out
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn fd_count(pid: u32) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}

#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    requests: u64,
    secs: f64,
    rss_kib: u64,
    fds: u64,
    procs: usize,
}

fn sample(pid: Option<u32>, requests: u64, start: Instant) -> Sample {
    let mut s = Sample {
        requests,
        secs: start.elapsed().as_secs_f64(),
        ..Sample::default()
    };
    if let Some(pid) = pid {
        for p in process_tree(pid) {
            // A process may end between the listing and the read: it then counts as nothing.
            if let Some(kib) = rss_kib(p) {
                s.rss_kib += kib;
                s.fds += fd_count(p).unwrap_or(0);
                s.procs += 1;
            }
        }
    }
    s
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_sample(what: &str, s: &Sample) {
    let rate = if s.secs > 0.0 {
        s.requests as f64 / s.secs
    } else {
        0.0
    };
    println!(
        "{what:>14}: {:>9} requests, {:>7.1} s, RSS {:>7.1} MiB ({} process{}), {:>3} fds, {:>6.0} req/s so far",
        s.requests,
        s.secs,
        mib(s.rss_kib),
        s.procs,
        if s.procs == 1 { "" } else { "es" },
        s.fds,
        rate
    );
}

// ------------------------------------------------------------------------------------------
// Load

#[derive(Debug, Default)]
struct Stats {
    /// (kind, status) → count.
    statuses: HashMap<(Kind, u16), u64>,
    errors: u64,
    unexpected: u64,
    server_errors: u64,
    connections: u64,
    first_problems: Vec<String>,
}

impl Stats {
    fn problem(&mut self, text: String) {
        if self.first_problems.len() < 10 {
            self.first_problems.push(text);
        }
    }

    fn merge(&mut self, other: Stats) {
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.errors += other.errors;
        self.unexpected += other.unexpected;
        self.server_errors += other.server_errors;
        self.connections += other.connections;
        for p in other.first_problems {
            self.problem(p);
        }
    }
}

struct Shared {
    opts: Opts,
    start: Instant,
    deadline: Instant,
    next: AtomicU64,
    done: AtomicU64,
    stop: AtomicBool,
    timed_out: AtomicBool,
    checkpoints: Vec<u64>,
    samples: Mutex<Vec<Sample>>,
}

async fn connect(addr: &str) -> Result<SendRequest<Full<Bytes>>, Error> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when either side closes; its error, if any, shows on the next request.
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends one request; `Ok((status, close))`, `close` when the server ends the connection.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    p: &Planned,
    host: &str,
) -> Result<(u16, bool), Error> {
    let mut b = hyper::Request::builder()
        .method(if p.post { "POST" } else { "GET" })
        .uri(p.path.as_str())
        .header("host", host)
        .header("user-agent", "ironward-soak/1")
        .header("accept", "*/*")
        .header("x-forwarded-for", p.ip.to_string());
    if p.post {
        b = b.header("content-type", "application/json");
    }
    let resp = sender
        .send_request(b.body(Full::new(p.body.clone()))?)
        .await?;
    let status = resp.status().as_u16();
    let close = resp
        .headers()
        .get("connection")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
    resp.into_body().collect().await?;
    Ok((status, close))
}

async fn worker(shared: Arc<Shared>) -> Stats {
    let mut stats = Stats::default();
    let mut conn: Option<SendRequest<Full<Bytes>>> = None;
    let o = &shared.opts;
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        if Instant::now() >= shared.deadline {
            if o.mode == Mode::Ips {
                shared.timed_out.store(true, Ordering::Relaxed);
            }
            shared.stop.store(true, Ordering::Relaxed);
            break;
        }
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= o.requests {
            break;
        }
        let p = match o.mode {
            Mode::Ips => plan_ips(i),
            Mode::Soak => plan_soak(i, o.pool),
        };
        if let Some(s) = conn.as_mut()
            && s.ready().await.is_err()
        {
            conn = None;
        }
        if conn.is_none() {
            match tokio::time::timeout(o.timeout, connect(&o.addr)).await {
                Ok(Ok(s)) => {
                    stats.connections += 1;
                    conn = Some(s);
                }
                Ok(Err(e)) => {
                    stats.errors += 1;
                    stats.problem(format!("request {i}: connect: {e}"));
                }
                Err(_) => {
                    stats.errors += 1;
                    stats.problem(format!("request {i}: connect: timed out"));
                }
            }
        }
        if let Some(s) = conn.as_mut() {
            match tokio::time::timeout(o.timeout, send(s, &p, &o.addr)).await {
                Ok(Ok((status, close))) => {
                    *stats.statuses.entry((p.kind, status)).or_default() += 1;
                    if status >= 500 {
                        stats.server_errors += 1;
                    }
                    if !p.kind.expects(status) {
                        stats.unexpected += 1;
                        stats.problem(format!(
                            "request {i} ({}, {} {} from {}): status {status}",
                            p.kind.name(),
                            if p.post { "POST" } else { "GET" },
                            p.path,
                            p.ip
                        ));
                    }
                    if close {
                        conn = None;
                    }
                }
                Ok(Err(e)) => {
                    stats.errors += 1;
                    stats.problem(format!("request {i} ({}): {e}", p.path));
                    conn = None;
                }
                Err(_) => {
                    stats.errors += 1;
                    stats.problem(format!("request {i} ({}): timed out", p.path));
                    conn = None;
                }
            }
        } else {
            // Could not connect: do not spin.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let done = shared.done.fetch_add(1, Ordering::Relaxed) + 1;
        if shared.checkpoints.binary_search(&done).is_ok() {
            let s = sample(o.pid, done, shared.start);
            print_sample("checkpoint", &s);
            shared
                .samples
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(s);
        }
    }
    stats
}

/// The request counts at which an `ips` run samples memory.
fn ips_checkpoints(o: &Opts, bound_at: u64) -> Vec<u64> {
    let n = o.requests;
    let mut v: Vec<u64> = [
        10_000, 50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 750_000,
    ]
    .into_iter()
    .chain([bound_at, 2 * bound_at, n])
    .chain((1..10).map(|k| n / 10 * k))
    .filter(|&c| c > 0 && c <= n)
    .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let opts = match parse_opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak_client: {e}");
            std::process::exit(2);
        }
    };
    std::process::exit(match run(opts).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("soak_client: {e}");
            2
        }
    });
}

async fn run(o: Opts) -> Result<bool, Error> {
    // Every table is full after this many requests (ips mode).
    let bound_at = (o.rate_table_max as f64)
        .max(o.rate_table_max as f64 / IPS_BRUTE_SHARE)
        .max(o.blacklist_max as f64 / IPS_ATTACK_SHARE)
        .ceil() as u64;
    let checkpoints = match o.mode {
        Mode::Ips => ips_checkpoints(&o, bound_at),
        Mode::Soak => Vec::new(),
    };
    let start = Instant::now();
    let run_for = match o.mode {
        Mode::Ips => o.max_seconds,
        Mode::Soak => o.seconds,
    };
    let shared = Arc::new(Shared {
        opts: o.clone(),
        start,
        deadline: start + Duration::from_secs(run_for),
        next: AtomicU64::new(0),
        done: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        timed_out: AtomicBool::new(false),
        checkpoints,
        samples: Mutex::new(Vec::new()),
    });
    match o.mode {
        Mode::Ips => println!(
            "[{}] {} requests, one client address each, {} connections to {}; \
             tables full after {bound_at} requests (RATE_TABLE_MAX_SIZE {}, BLACKLIST_MAX_SIZE {})",
            o.label, o.requests, o.conns, o.addr, o.rate_table_max, o.blacklist_max
        ),
        Mode::Soak => println!(
            "[{}] soak: {} s of mixed traffic, {} connections to {}, a sample every {} s",
            o.label, o.seconds, o.conns, o.addr, o.sample_seconds
        ),
    }
    let first = sample(o.pid, 0, start);
    print_sample("start", &first);

    // The soak's sampler: every `sample_seconds` until the workers stop.
    let sampler = (o.mode == Mode::Soak).then(|| {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let every = Duration::from_secs(shared.opts.sample_seconds);
            let mut next = shared.start + every;
            while !shared.stop.load(Ordering::Relaxed) && next < shared.deadline {
                tokio::time::sleep_until(next.into()).await;
                next += every;
                if shared.stop.load(Ordering::Relaxed) {
                    break;
                }
                let s = sample(
                    shared.opts.pid,
                    shared.done.load(Ordering::Relaxed),
                    shared.start,
                );
                print_sample("sample", &s);
                shared
                    .samples
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(s);
            }
        })
    });

    let workers: Vec<_> = (0..o.conns)
        .map(|_| tokio::spawn(worker(Arc::clone(&shared))))
        .collect();
    let mut stats = Stats::default();
    for w in workers {
        stats.merge(w.await?);
    }
    shared.stop.store(true, Ordering::Relaxed);
    if let Some(s) = sampler {
        s.abort();
    }
    let done = shared.done.load(Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    let mut samples = shared
        .samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    // The soak's last word on descriptors: once the client has closed its connections (and
    // the server has had a second to notice), the server should hold what it held at start.
    let after_load = if o.mode == Mode::Soak {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let s = sample(o.pid, done, start);
        print_sample("after the load", &s);
        Some(s)
    } else {
        None
    };
    samples.sort_by(|a, b| a.secs.total_cmp(&b.secs));

    // Status table.
    let mut keys: Vec<_> = stats.statuses.keys().copied().collect();
    keys.sort();
    println!("[{}] responses by kind and status:", o.label);
    for k in keys {
        println!(
            "    {:<8} {}: {}",
            k.0.name(),
            k.1,
            stats.statuses.get(&k).copied().unwrap_or(0)
        );
    }
    for p in &stats.first_problems {
        println!("    problem: {p}");
    }

    let mut failures: Vec<String> = Vec::new();
    if stats.errors > 0 {
        failures.push(format!("{} transport errors", stats.errors));
    }
    if stats.server_errors > 0 {
        failures.push(format!("{} responses 5xx", stats.server_errors));
    }
    if stats.unexpected > 0 {
        failures.push(format!("{} unexpected statuses", stats.unexpected));
    }
    if shared.timed_out.load(Ordering::Relaxed) {
        failures.push(format!(
            "stopped at --max-seconds {} after {done} of {} requests",
            o.max_seconds, o.requests
        ));
    }

    let mut fields: Vec<(String, String)> = vec![
        ("label".into(), o.label.clone()),
        (
            "mode".into(),
            match o.mode {
                Mode::Ips => "ips",
                Mode::Soak => "soak",
            }
            .into(),
        ),
        ("requests".into(), done.to_string()),
        ("seconds".into(), format!("{elapsed:.0}")),
        (
            "rps".into(),
            format!("{:.0}", done as f64 / elapsed.max(1e-9)),
        ),
        ("errors".into(), stats.errors.to_string()),
        ("5xx".into(), stats.server_errors.to_string()),
        ("unexpected".into(), stats.unexpected.to_string()),
        ("connections".into(), stats.connections.to_string()),
    ];
    let at = |n: u64| samples.iter().find(|s| s.requests == n).copied();
    let fmt_mib =
        |s: Option<Sample>| s.map_or("-".to_owned(), |s| format!("{:.1}", mib(s.rss_kib)));
    if o.pid.is_some() {
        match o.mode {
            Mode::Ips => {
                fields.push(("rss_start_mib".into(), fmt_mib(Some(first))));
                fields.push(("rss_10k_mib".into(), fmt_mib(at(10_000))));
                fields.push(("rss_100k_mib".into(), fmt_mib(at(100_000))));
                let full = samples.iter().find(|s| s.requests >= bound_at).copied();
                let base = samples.iter().find(|s| s.requests >= 2 * bound_at).copied();
                let end = at(o.requests);
                fields.push((
                    "bound_at".into(),
                    full.map_or("-".to_owned(), |s| s.requests.to_string()),
                ));
                fields.push(("rss_bound_mib".into(), fmt_mib(full)));
                fields.push((
                    "settled_at".into(),
                    base.map_or("-".to_owned(), |s| s.requests.to_string()),
                ));
                fields.push(("rss_settled_mib".into(), fmt_mib(base)));
                fields.push(("rss_end_mib".into(), fmt_mib(end)));
                match (full, base, end) {
                    (Some(f), Some(b), Some(e)) if b.requests < e.requests => {
                        let growth = e.rss_kib as f64 / b.rss_kib.max(1) as f64 - 1.0;
                        let from_full = e.rss_kib as f64 / f.rss_kib.max(1) as f64 - 1.0;
                        fields.push(("growth_pct".into(), format!("{:.1}", growth * 100.0)));
                        fields.push((
                            "growth_from_bound_pct".into(),
                            format!("{:.1}", from_full * 100.0),
                        ));
                        println!(
                            "[{}] RSS {:.1} MiB when the tables filled ({} requests), {:.1} MiB once they had been churned through ({} requests), {:.1} MiB after {} requests: {:+.1} % since the churn (margin {:.0} %), {:+.1} % since they filled",
                            o.label,
                            mib(f.rss_kib),
                            f.requests,
                            mib(b.rss_kib),
                            b.requests,
                            mib(e.rss_kib),
                            e.requests,
                            growth * 100.0,
                            o.margin * 100.0,
                            from_full * 100.0
                        );
                        if growth > o.margin {
                            failures.push(format!(
                                "RSS grew {:.1} % after the tables were full and churned (margin {:.0} %)",
                                growth * 100.0,
                                o.margin * 100.0
                            ));
                        }
                    }
                    _ => {
                        fields.push(("growth_pct".into(), "-".into()));
                        println!(
                            "[{}] the tables are full and churned only after {} requests: flatness not checked",
                            o.label,
                            2 * bound_at
                        );
                    }
                }
            }
            Mode::Soak => {
                let warm = (o.seconds as f64 * o.warmup).max(10.0);
                let after: Vec<Sample> = samples
                    .iter()
                    .filter(|s| s.secs >= warm && s.requests >= o.warmup_requests)
                    .copied()
                    .collect();
                let warm = after.first().map_or(warm, |s| s.secs);
                if let (Some(b), Some(e)) = (after.first().copied(), after.last().copied()) {
                    let mid_t = (b.secs + e.secs) / 2.0;
                    let m = after
                        .iter()
                        .min_by(|x, y| (x.secs - mid_t).abs().total_cmp(&(y.secs - mid_t).abs()))
                        .copied()
                        .unwrap_or(b);
                    let growth = e.rss_kib as f64 / b.rss_kib.max(1) as f64 - 1.0;
                    let fd_growth = e.fds as i64 - b.fds as i64;
                    let peak = after.iter().map(|s| s.rss_kib).max().unwrap_or(0);
                    fields.push(("rss_start_mib".into(), fmt_mib(Some(first))));
                    fields.push(("rss_warm_mib".into(), fmt_mib(Some(b))));
                    fields.push(("rss_mid_mib".into(), fmt_mib(Some(m))));
                    fields.push(("rss_end_mib".into(), fmt_mib(Some(e))));
                    fields.push(("rss_peak_mib".into(), format!("{:.1}", mib(peak))));
                    fields.push(("growth_pct".into(), format!("{:.1}", growth * 100.0)));
                    fields.push(("fds_start".into(), first.fds.to_string()));
                    fields.push(("fds_warm".into(), b.fds.to_string()));
                    fields.push(("fds_mid".into(), m.fds.to_string()));
                    fields.push(("fds_end".into(), e.fds.to_string()));
                    fields.push(("procs".into(), e.procs.to_string()));
                    if let Some(a) = after_load {
                        fields.push(("rss_after_mib".into(), fmt_mib(Some(a))));
                        fields.push(("fds_after".into(), a.fds.to_string()));
                        let left = a.fds as i64 - first.fds as i64;
                        if left > o.fd_slack {
                            failures.push(format!(
                                "{left} more descriptors open once the load stopped than at start (slack {})",
                                o.fd_slack
                            ));
                        }
                    }
                    println!(
                        "[{}] after the warm-up ({warm:.0} s): RSS {:.1} → {:.1} → {:.1} MiB ({:+.1} %, margin {:.0} %), fds {} → {} → {} (slack {})",
                        o.label,
                        mib(b.rss_kib),
                        mib(m.rss_kib),
                        mib(e.rss_kib),
                        growth * 100.0,
                        o.margin * 100.0,
                        b.fds,
                        m.fds,
                        e.fds,
                        o.fd_slack
                    );
                    if growth > o.margin {
                        failures.push(format!(
                            "RSS grew {:.1} % after the warm-up (margin {:.0} %)",
                            growth * 100.0,
                            o.margin * 100.0
                        ));
                    }
                    if fd_growth > o.fd_slack {
                        failures.push(format!(
                            "open descriptors grew by {fd_growth} after the warm-up (slack {})",
                            o.fd_slack
                        ));
                    }
                    if e.procs != b.procs {
                        failures.push(format!(
                            "the server's process count changed from {} to {} (a worker died?)",
                            b.procs, e.procs
                        ));
                    }
                } else {
                    failures.push(format!(
                        "no memory sample after the warm-up ({warm:.0} s and {} requests)",
                        o.warmup_requests
                    ));
                }
            }
        }
    }
    let pass = failures.is_empty();
    for f in &failures {
        println!("[{}] FAIL: {f}", o.label);
    }
    fields.push(("verdict".into(), if pass { "PASS" } else { "FAIL" }.into()));
    let line: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("SOAK_RESULT {}", line.join(" "));
    Ok(pass)
}
