//! Integration tests of the `ironward` binary: real processes, real files, real pipes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod demo;
mod eval;
mod events_batch;
mod prompt;
mod running_server;
mod server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ironward"));
    c.env_remove("IRONWARD_CONF")
        .env_remove("PYRASP_CONF")
        .env_remove("CONF_FILE");
    c
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn temp(name: &str, content: &str) -> PathBuf {
    // Cargo gives integration tests a scratch directory inside the target directory.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ironward-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn run_stdin(args: &[&str], stdin: &str) -> Output {
    let mut cmd = bin();
    cmd.args(args);
    feed(cmd, stdin)
}

/// Runs `cmd` with `stdin` as its standard input; its output.
fn feed(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_readme_main_job_runs() {
    let root = repo();
    let out = bin()
        .args(["scan", "--config"])
        .arg(root.join("examples/scan/rasp.json"))
        .arg(root.join("examples/scan/requests.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts = lines(&out);
    let input = std::fs::read_to_string(root.join("examples/scan/requests.jsonl")).unwrap();
    assert_eq!(
        verdicts.len(),
        input.lines().filter(|l| !l.trim().is_empty()).count()
    );
    assert!(verdicts.iter().any(|v| v["blocked"] == true));
    assert!(verdicts.iter().any(|v| v["blocked"] == false));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("records/s"), "{stderr}");
}

#[test]
fn scan_keeps_order_reports_bad_lines_and_exits_2() {
    let input = concat!(
        "{\"text\": \"hello\"}\n",
        "not json\n",
        "\n",
        "{\"method\": \"GET\", \"path\": \"/.env\", \"peer_ip\": \"203.0.113.1\"}\n",
        "{\"label\": \"benign\"}\n",
        "{\"method\": \"GET\", \"path\": \"/\", \"peer_ip\": \"203.0.113.1\"}\n",
    );
    let out = run_stdin(&["scan", "-q"], input);
    assert_eq!(out.status.code(), Some(2));
    let v = lines(&out);
    assert_eq!(v.len(), 5);
    assert_eq!(v[0]["blocked"], false);
    assert!(v[1]["error"].is_string());
    assert_eq!(v[2]["findings"][0]["check"], "decoy");
    assert_eq!(v[2]["action"], "block_and_blacklist");
    assert!(v[3]["error"].as_str().unwrap().contains("none of"));
    // Records are independent: the blacklisting in record 3 does not block record 5.
    assert_eq!(v[4]["blocked"], false);
    assert!(
        out.stderr.is_empty(),
        "quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn scan_reads_responses_and_writes_to_a_file() {
    let input = "{\"response\": {\"status\": 200, \"headers\": {\"Content-Type\": \"text/plain\"}, \"body\": \"ok\"}}\n\
                 {\"response\": {\"status\": 404}, \"request\": {\"method\": \"GET\", \"path\": \"/.git/HEAD\"}}\n";
    let src = temp("responses.jsonl", input);
    let dst = src.with_file_name("verdicts.jsonl");
    let out = bin()
        .arg("scan")
        .arg(&src)
        .arg("-o")
        .arg(&dst)
        .arg("-q")
        .output()
        .unwrap();
    assert!(out.status.success());
    let written = std::fs::read_to_string(&dst).unwrap();
    let v: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["action"], "allow");
    assert_eq!(v[1]["findings"][0]["check"], "decoy");
}

#[test]
fn scan_uses_the_config_from_the_environment() {
    let conf = temp("env.json", r#"{"SECURITY_CHECKS.decoy": 3}"#);
    let mut cmd = bin();
    cmd.args(["scan", "-q"]).env("PYRASP_CONF", &conf);
    let out = feed(cmd, "{\"path\": \"/.env\"}\n");
    let v = lines(&out);
    assert_eq!(v[0]["action"], "monitor");
    assert_eq!(v[0]["blocked"], false);
}

#[test]
fn check_config_prints_the_effective_configuration() {
    let out = bin()
        .arg("check-config")
        .arg(repo().join("examples/scan/rasp.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(conf["APP_NAME"], "Example Shop");
    assert_eq!(conf["SECURITY_CHECKS"]["spoofing"], 2);
    assert_eq!(
        conf["SECURITY_CHECKS"]["sqli"], 2,
        "unlisted checks keep their default level"
    );
    assert_eq!(conf["FLOOD_RATIO"], 50);
}

#[test]
fn check_config_names_bad_keys_and_exits_1() {
    let bad = temp(
        "bad.json",
        r#"{"BLOCK_STATUS_CODE": "abc", "FLOOD_RATO": 5, "SECURITY_CHECKS": {"sqli": 7}}"#,
    );
    let out = bin().arg("check-config").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BLOCK_STATUS_CODE"), "{err}");
    assert!(
        err.contains("FLOOD_RATIO"),
        "suggests the closest key: {err}"
    );
    assert!(err.contains("sqli"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn check_config_accepts_old_keys_with_warnings() {
    let old = temp(
        "old.json",
        "{\n  \"GTFO_MSG\": \"Go away\",\n  \"DENY_STATUS_CODE\": 406,\n  //-- Cloud Operations --//\n  \"MIN_XSS_LEN\": 16\n}\n",
    );
    let out = bin().arg("check-config").arg(&old).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BLOCK_ACTION_CONTENT"), "{err}");
    assert!(err.contains("XSS_PROBA"), "{err}");
    let conf: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(conf["BLOCK_STATUS_CODE"], 406);
    assert_eq!(conf["BLACKLIST_ACTION_CONTENT"], "Go away");
}

#[test]
fn missing_files_are_clear_errors() {
    let out = bin()
        .args(["scan", "/nonexistent/in.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    let out = bin()
        .args(["check-config", "/nonexistent/rasp.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn set_arguments_are_the_highest_layer() {
    let conf = temp(
        "set.json",
        r#"{"BLOCK_STATUS_CODE": 451, "APP_NAME": "File"}"#,
    );
    let out = bin()
        .arg("check-config")
        .arg(&conf)
        .args([
            "--set",
            "BLOCK_STATUS_CODE=406",
            "--set",
            "APP_NAME=Shop",
            "--set",
            "SECURITY_CHECKS.decoy=3",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["BLOCK_STATUS_CODE"], 406);
    assert_eq!(c["APP_NAME"], "Shop");
    assert_eq!(c["SECURITY_CHECKS"]["decoy"], 3);

    let out = run_stdin(
        &["scan", "-q", "--set", "SECURITY_CHECKS.decoy=0"],
        "{\"path\": \"/.env\"}\n",
    );
    assert_eq!(lines(&out)[0]["action"], "allow");

    let out = bin().args(["scan", "--set", "NOEQUALS"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KEY=VALUE"));
}

#[test]
fn scan_ships_events_to_a_real_udp_listener() {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = sock.local_addr().unwrap().port();
    let conf = temp(
        "udp.json",
        &format!(
            r#"{{"LOG_ENABLED": true, "LOG_PROTOCOL": "udp", "LOG_SERVER": "127.0.0.1", "LOG_PORT": {port}, "LOG_FORMAT": "json", "APP_NAME": "Shop"}}"#
        ),
    );
    let input = "{\"text\": \"hello\"}\n{\"method\": \"GET\", \"path\": \"/.env\", \"peer_ip\": \"203.0.113.4\"}\n";
    let out = run_stdin(&["scan", "--config", conf.to_str().unwrap()], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 submitted, 1 shipped"), "{stderr}");

    let mut buf = [0u8; 65_536];
    let n = sock.recv(&mut buf).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert_eq!(doc["application"], "Shop");
    assert_eq!(doc["log_data"][0], "decoy");
    assert_eq!(doc["log_data"][1], "203.0.113.4");
    assert_eq!(doc["log_data"][3]["location"], "path");
    // pyrasp's payload encoding: base64 of "/.env".
    assert_eq!(doc["log_data"][3]["payload"], "Ly5lbnY=");
}

#[test]
fn scan_writes_events_to_a_file_and_prints_attack_lines() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ironward-cli-log");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("events.log");
    let _ = std::fs::remove_file(&log);
    let conf = temp(
        "file.json",
        &format!(
            r#"{{"LOG_ENABLED": true, "LOG_PROTOCOL": "file", "LOG_PATH": {:?}, "LOG_FORMAT": "rfc5424", "VERBOSE": 10, "LOG_PAYLOAD_BASE64": false}}"#,
            log.display().to_string()
        ),
    );
    let out = run_stdin(
        &["scan", "--config", conf.to_str().unwrap()],
        "{\"text\": \"; cat /etc/passwd\"}\n",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[!] Command Injection: qs_values -> ; cat /etc/passwd"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Starting Ironward"),
        "banner at VERBOSE 10: {stderr}"
    );
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(written.starts_with("<108>1 "), "{written}");
    assert!(written.contains("check=\"command\""), "{written}");
    assert!(written.contains("; cat /etc/passwd"), "{written}");
}
