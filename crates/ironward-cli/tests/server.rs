//! `ironward server`: `key create` and `config set` on a temp data directory, then the real
//! server on a free loopback port answering a connect with that key (raw HTTP/1.1).

use super::bin;
use super::running_server::{Server, data_dir, request};
use std::net::SocketAddr;

/// `POST path` with a JSON body: status code and body.
fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, serde_json::Value) {
    request(addr, "POST", path, None, body)
}

#[test]
fn key_create_config_set_and_connect() {
    let dir = data_dir("cli");
    let dir_arg = dir.to_str().unwrap();
    let out = bin()
        .args([
            "server",
            "key",
            "create",
            "--data-dir",
            dir_arg,
            "--app",
            "shop",
        ])
        .args(["--template", "monitor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.lines().last().unwrap().to_owned();
    assert!(key.starts_with("iwk_") && key.len() == 68, "{stdout}");

    let bad = bin()
        .args([
            "server",
            "config",
            "set",
            "--data-dir",
            dir_arg,
            "--app",
            "shop",
        ])
        .arg("check_blacklist=1")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("check_blacklist"));
    let good = bin()
        .args([
            "server",
            "config",
            "set",
            "--data-dir",
            dir_arg,
            "--app",
            "shop",
        ])
        .arg("SECURITY_CHECKS.xss=0")
        .output()
        .unwrap();
    assert!(good.status.success(), "{good:?}");

    let server = Server::start(dir_arg);
    let addr = server.addr;

    let connect =
        format!(r#"{{"key": "{key}", "version": "0.10.2", "platform": "Flask", "routes": {{}}}}"#);
    let (status, body) = post(addr, "/api/v1/connect", &connect);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["template"], "monitor");
    assert_eq!(body["data"]["config"]["SECURITY_CHECKS.xss"], 0);
    assert_eq!(
        body["data"]["config"]["BEACON_URL"],
        format!("http://{addr}/api/v1/beacon")
    );
    let (status, body) = post(
        addr,
        "/api/v1/beacon",
        r#"{"key": null, "version": "0.10.2"}"#,
    );
    assert_eq!(status, 403);
    assert_eq!(body["data"], serde_json::json!({}));
    drop(server);
}

#[test]
fn admin_password_and_token_create() {
    let dir = data_dir("admin");
    let dir_arg = dir.to_str().unwrap();
    // No user yet: a token needs one.
    let out = bin()
        .args(["server", "token", "create", "--data-dir", dir_arg])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user named"));
    // A too-short IRONWARD_ADMIN_PASSWORD is refused; without it a password is generated and
    // printed once, alone on the last line.
    let out = bin()
        .args(["server", "admin", "reset-password", "--data-dir", dir_arg])
        .env("IRONWARD_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = bin()
        .args(["server", "admin", "reset-password", "--data-dir", dir_arg])
        .env_remove("IRONWARD_ADMIN_PASSWORD")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let password = stdout.lines().last().unwrap();
    assert_eq!(password.len(), 24, "{stdout}");
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
    // A write token, alone on the last line; an unknown scope is refused.
    let out = bin()
        .args([
            "server",
            "token",
            "create",
            "--data-dir",
            dir_arg,
            "--scope",
            "write",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap();
    assert!(token.starts_with("iwt_") && token.len() == 68, "{stdout}");
    let out = bin()
        .args([
            "server",
            "token",
            "create",
            "--data-dir",
            dir_arg,
            "--scope",
            "root",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
