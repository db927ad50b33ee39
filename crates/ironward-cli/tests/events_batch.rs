//! Batched events end to end: the real `ironward server` sends batching keys to an Ironward
//! agent's connect (one with an `instance` id) and not to pyrasp's; `ironward scan`, whose
//! agent ships with those keys, posts its events in batches to the server's ingest endpoint;
//! every event lands in the server's events table (read back through the admin API).

use super::bin;
use super::running_server::{Server, data_dir, request};
use std::io::Write;
use std::process::Stdio;

/// The last line of a successful `ironward server …` command.
fn last_line(args: &[&str]) -> String {
    let out = bin()
        .args(["server"])
        .args(args)
        .env_remove("IRONWARD_ADMIN_PASSWORD")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_owned()
}

#[test]
fn an_ironward_agent_ships_batches_that_land_in_the_events_table() {
    let dir = data_dir("events-batch");
    let dir_arg = dir.to_str().unwrap();
    let key = last_line(&["key", "create", "--data-dir", dir_arg, "--app", "shop"]);
    last_line(&["admin", "reset-password", "--data-dir", dir_arg]);
    let token = last_line(&["token", "create", "--data-dir", dir_arg]);

    let server = Server::start(dir_arg);
    let addr = server.addr;

    // pyrasp (no instance id): where to ship, but no batching keys.
    let pyrasp = format!(r#"{{"key": "{key}", "version": "0.10.2", "platform": "Flask"}}"#);
    let (status, body) = request(addr, "POST", "/api/v1/connect", None, &pyrasp);
    assert_eq!(status, 200, "{body}");
    let config = &body["data"]["config"];
    assert!(config["LOG_PATH"].is_string(), "{config}");
    for k in ["LOG_BATCH_SIZE", "LOG_BATCH_WAIT_MS", "LOG_BATCH_MAX_BYTES"] {
        assert!(config.get(k).is_none(), "{k} sent to pyrasp: {config}");
    }

    // An Ironward agent: batches of 100 (under --max-events-per-request, 1000 by default).
    let ironward = format!(
        r#"{{"key": "{key}", "version": "0.1.0", "platform": "ironward", "instance": "0123456789abcdef0123456789abcdef"}}"#
    );
    let (status, body) = request(addr, "POST", "/api/v1/connect", None, &ironward);
    assert_eq!(status, 200, "{body}");
    let mut config = body["data"]["config"].clone();
    assert_eq!(config["LOG_BATCH_SIZE"], 100, "{config}");
    assert_eq!(config["LOG_BATCH_WAIT_MS"], 1_000);
    assert_eq!(config["LOG_BATCH_MAX_BYTES"], 1024 * 1024 - 1024);
    assert_eq!(config["LOG_FORMAT"], "json");

    // `ironward scan` with that configuration: its agent ships every finding to the server.
    config["BEACON"] = false.into();
    let conf = dir.join("agent.json");
    std::fs::write(&conf, config.to_string()).unwrap();
    let input: String = (0..250)
        .map(|i| format!("{{\"text\": \"' or {i}={i} --\"}}\n"))
        .collect();
    let mut child = bin()
        .args(["scan", "--config", conf.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("events:"))
        .unwrap_or_else(|| panic!("no events summary in {stderr}"));
    // events: N submitted, N shipped, 0 dropped (queue full), 0 failed
    let numbers: Vec<u64> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [submitted, shipped, dropped, failed] = numbers[..] else {
        panic!("{summary}");
    };
    assert!(submitted >= 250, "{summary}");
    assert_eq!((shipped, dropped, failed), (submitted, 0, 0), "{summary}");

    // Every event is in the events table.
    let mut stored = 0;
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/events?app=shop&limit=500{cursor}");
        let (status, body) = request(addr, "GET", &path, Some(&token), "");
        assert_eq!(status, 200, "{body}");
        stored += body["events"].as_array().unwrap().len() as u64;
        match body["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(stored, shipped);
}
