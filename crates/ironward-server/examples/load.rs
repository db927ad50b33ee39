//! Load test of `ironward server` (issue 14): simulated agents beaconing on a fixed interval,
//! events shipped one per request as pyrasp's HTTP log transport does, and a trickle of admin
//! event queries, all open-loop (each request has an intended start time; latency is measured
//! from it, so a stalled server is not hidden by a slowed client). Prints p50/p99/max per kind.
//!
//! The server runs in this process on its own 2-thread runtime, behind its own protection layer
//! as `ironward server` runs it; the clients run on another runtime. Only loopback is used.
//!
//! ```text
//! cargo run --release -p ironward-server --example load -- \
//!     [--agents 10000] [--beacon-interval 30] [--events-per-sec 1000] [--queries-per-sec 5] \
//!     [--seconds 60] [--database postgres://…] [--strict]
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ironward_server::keys::{generate_key, hash_key, ingest_token};
use ironward_server::{ServerOptions, SqlStore, Store, auth, create_key, serve};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Args {
    agents: usize,
    beacon_interval: f64,
    events_per_sec: f64,
    queries_per_sec: f64,
    seconds: f64,
    database: Option<String>,
    /// Exit with status 1 when any request failed (the CI smoke).
    strict: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        agents: 10_000,
        beacon_interval: 30.0,
        events_per_sec: 1000.0,
        queries_per_sec: 5.0,
        seconds: 60.0,
        database: None,
        strict: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--strict" {
            args.strict = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = || value.parse::<f64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--agents" => args.agents = value.parse().map_err(|e| format!("{flag}: {e}"))?,
            "--beacon-interval" => args.beacon_interval = num()?,
            "--events-per-sec" => args.events_per_sec = num()?,
            "--queries-per-sec" => args.queries_per_sec = num()?,
            "--seconds" => args.seconds = num()?,
            "--database" => args.database = Some(value),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(args)
}

#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Sends one request at `at` (sleeping until then) and records its latency from `at`.
async fn fire(
    client: Http,
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    at: Instant,
    stats: Arc<Mutex<Stats>>,
) {
    tokio::time::sleep_until(at.into()).await;
    let mut request = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let ok = match request
        .header("content-type", "application/json")
        .body(Full::new(body))
    {
        Ok(req) => match client.request(req).await {
            Ok(resp) => {
                let status = resp.status();
                let drained = resp.into_body().collect().await.is_ok();
                status.is_success() && drained
            }
            Err(_) => false,
        },
        Err(_) => false,
    };
    let took = at.elapsed();
    let mut s = stats.lock().unwrap_or_else(|e| e.into_inner());
    if ok {
        s.latencies.push(took);
    } else {
        s.errors += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let dir = tempfile::tempdir()?;
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let store = server_rt.block_on(SqlStore::open_any(args.database.as_deref(), dir.path()))?;
    let store = Arc::new(store);
    let backend = format!("{:?}", store.backend());
    // Agents: keys made directly in the store (creating 10,000 through the API is not the test).
    let t0 = Instant::now();
    let run = format!("load{}", std::process::id());
    let keys: Vec<String> = server_rt.block_on(async {
        let first = create_key(&*store, &run, None).await?;
        let mut keys = vec![first];
        while keys.len() < args.agents {
            let key = generate_key().map_err(|e| e.to_string())?;
            let h = hash_key(&key);
            store.add_agent(&run, &h, ironward_server::now()).await?;
            store
                .set_ingest_hash(&h, &hash_key(&ingest_token(&key)))
                .await?;
            keys.push(key);
        }
        Ok::<_, Box<dyn std::error::Error>>(keys)
    })?;
    let token = server_rt.block_on(async {
        auth::ensure_admin(&*store, Some("load-test-password")).await?;
        auth::create_token(&*store, auth::ADMIN_USER, "load", auth::Scope::Read, None).await
    })?;
    eprintln!(
        "{} agents created in {:.1} s ({backend})",
        keys.len(),
        t0.elapsed().as_secs_f64()
    );

    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let options = ServerOptions {
        protection: Some(Arc::new(ironward_server::protection::engine(None, None)?)),
        max_connections: 4096,
        ..ServerOptions::default()
    };
    let served = Arc::clone(&store);
    server_rt.spawn(async move { serve(listener, served, &options, std::future::pending()).await });

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let beacons = Arc::new(Mutex::new(Stats::default()));
    let events = Arc::new(Mutex::new(Stats::default()));
    let queries = Arc::new(Mutex::new(Stats::default()));
    let now_text = || {
        // pyrasp's UTC-ish time; the server replaces times far from its clock anyway.
        "2026/12/06 00:00:00".to_owned()
    };
    let event_body = Bytes::from(format!(
        r#"{{"time":"{}","application":"load","log_data":["sqli","203.0.113.7","United States",{{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006"],"path":"/search"}}]}}"#,
        now_text()
    ));
    let seconds = args.seconds;
    client_rt.block_on(async {
        let client: Http = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(512)
            .build_http();
        let start = Instant::now() + Duration::from_millis(200);
        let end = start + Duration::from_secs_f64(seconds);
        let mut handles = Vec::new();
        // Beacons: agent i at offset i/N of the interval, then every interval.
        let n = keys.len().max(1) as f64;
        for (i, key) in keys.iter().enumerate() {
            let mut at = start + Duration::from_secs_f64(args.beacon_interval * i as f64 / n);
            let body = Bytes::from(format!(
                r#"{{"key":"{key}","version":"0.10.2","telemetry":{{"cpu":12.5,"memory":40.0,"requests":{{"success":100,"errors":1,"attacks":2}}}},"blacklist":[]}}"#
            ));
            while at < end {
                handles.push(tokio::spawn(fire(
                    client.clone(),
                    "POST",
                    format!("http://{addr}/api/v1/beacon"),
                    Vec::new(),
                    body.clone(),
                    at,
                    Arc::clone(&beacons),
                )));
                at += Duration::from_secs_f64(args.beacon_interval);
            }
        }
        // Events: evenly spaced, each from the next agent, to its LOG_PATH.
        if args.events_per_sec > 0.0 {
            let step = Duration::from_secs_f64(1.0 / args.events_per_sec);
            let mut at = start;
            let mut i = 0usize;
            while at < end {
                let path = format!("/api/v1/ingest/{}", ingest_token(&keys[i % keys.len()]));
                handles.push(tokio::spawn(fire(
                    client.clone(),
                    "POST",
                    format!("http://{addr}{path}"),
                    Vec::new(),
                    event_body.clone(),
                    at,
                    Arc::clone(&events),
                )));
                at += step;
                i += 1;
            }
        }
        // Admin queries: the dashboard's event list of the application.
        if args.queries_per_sec > 0.0 {
            let step = Duration::from_secs_f64(1.0 / args.queries_per_sec);
            let mut at = start;
            while at < end {
                handles.push(tokio::spawn(fire(
                    client.clone(),
                    "GET",
                    format!("http://{addr}/api/v1/events?app={run}&limit=50"),
                    vec![("authorization", format!("Bearer {}", token.0))],
                    Bytes::new(),
                    at,
                    Arc::clone(&queries),
                )));
                at += step;
            }
        }
        for h in handles {
            let _ = h.await;
        }
    });
    println!(
        "backend {backend}, {} agents every {} s, {} events/s, {} queries/s, {} s",
        keys.len(),
        args.beacon_interval,
        args.events_per_sec,
        args.queries_per_sec,
        args.seconds
    );
    for (name, stats) in [
        ("beacon", &beacons),
        ("event", &events),
        ("query", &queries),
    ] {
        let mut s = stats.lock().unwrap_or_else(|e| e.into_inner());
        s.latencies.sort();
        let ok = s.latencies.len();
        println!(
            "{name:>7}: {ok} ok ({:.0}/s), {} errors, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ok as f64 / args.seconds,
            s.errors,
            percentile(&s.latencies, 0.50).as_secs_f64() * 1000.0,
            percentile(&s.latencies, 0.99).as_secs_f64() * 1000.0,
            s.latencies
                .last()
                .copied()
                .unwrap_or_default()
                .as_secs_f64()
                * 1000.0,
        );
    }
    server_rt.block_on(store.close());
    let failed: u64 = [&beacons, &events, &queries]
        .iter()
        .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).errors)
        .sum();
    if args.strict && failed > 0 {
        eprintln!("{failed} requests failed");
        std::process::exit(1);
    }
    Ok(())
}
