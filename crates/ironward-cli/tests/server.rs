//! `ironward server`: `key create`, `config set`, `key list` and `key revoke` on a temp data
//! directory, then the real server on a free loopback port answering a connect with that key
//! (raw HTTP/1.1), and refusing it once revoked.

use super::bin;
use super::running_server::{Server, data_dir, request};
use std::net::SocketAddr;
use std::process::Output;

/// `POST path` with a JSON body: status code and body.
fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, serde_json::Value) {
    request(addr, "POST", path, None, body)
}

/// `ironward server <command…> --data-dir <dir> <rest…>`.
fn server_cmd(command: &[&str], dir: &str, rest: &[&str]) -> Output {
    bin()
        .arg("server")
        .args(command)
        .args(["--data-dir", dir])
        .args(rest)
        .output()
        .unwrap()
}

/// A connect as pyrasp sends it, with `key`: status code and body.
fn connect(addr: SocketAddr, key: &str) -> (u16, serde_json::Value) {
    let body =
        format!(r#"{{"key": "{key}", "version": "0.10.2", "platform": "Flask", "routes": {{}}}}"#);
    post(addr, "/api/v1/connect", &body)
}

/// Standard output as text.
fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn key_create_config_set_and_connect() {
    let dir = data_dir("cli");
    let dir_arg = dir.to_str().unwrap();
    let out = server_cmd(
        &["key", "create"],
        dir_arg,
        &["--app", "shop", "--template", "monitor"],
    );
    assert!(out.status.success(), "{out:?}");
    let key = stdout(&out).lines().last().unwrap().to_owned();
    assert!(key.starts_with("iwk_") && key.len() == 68, "{out:?}");

    let config_set =
        |setting: &str| server_cmd(&["config", "set"], dir_arg, &["--app", "shop", setting]);
    let bad = config_set("check_blacklist=1");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("check_blacklist"));
    let good = config_set("SECURITY_CHECKS.xss=0");
    assert!(good.status.success(), "{good:?}");

    let server = Server::start(dir_arg);
    let addr = server.addr;

    let (status, body) = connect(addr, &key);
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
    let printed = stdout(&out);
    let password = printed.lines().last().unwrap();
    assert_eq!(password.len(), 24, "{printed}");
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
    // A write token, alone on the last line; an unknown scope is refused.
    let token_create = |scope: &str| server_cmd(&["token", "create"], dir_arg, &["--scope", scope]);
    let out = token_create("write");
    assert!(out.status.success(), "{out:?}");
    let token = stdout(&out).lines().last().unwrap().to_owned();
    assert!(token.starts_with("iwt_") && token.len() == 68, "{out:?}");
    assert!(!token_create("root").status.success());
}

#[test]
fn key_list_and_revoke_refuse_the_next_connect() {
    let dir = data_dir("keys");
    let dir_arg = dir.to_str().unwrap();
    let create = |app: &str| {
        let out = server_cmd(&["key", "create"], dir_arg, &["--app", app]);
        assert!(out.status.success(), "{out:?}");
        stdout(&out).lines().last().unwrap().to_owned()
    };
    let (shop, blog) = (create("shop"), create("blog"));
    let list = |rest: &[&str]| {
        let out = server_cmd(&["key", "list"], dir_arg, rest);
        assert!(out.status.success(), "{out:?}");
        stdout(&out)
    };
    let id = |key: &str| ironward_server::keys::hash_key(key)[..16].to_owned();
    let (shop_id, blog_id) = (id(&shop), id(&blog));

    // Both keys by id (never the secret), never used yet; `--app` filters.
    let all = list(&[]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 3, "{all}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("LAST USED"),
        "{all}"
    );
    assert!(!all.contains(&shop) && !all.contains(&blog), "{all}");
    let row = |table: &str, id: &str| -> String {
        table
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} in {table}"))
            .to_owned()
    };
    let shop_row = row(&all, &shop_id);
    assert!(
        shop_row.contains(" shop ") && shop_row.contains(" UTC"),
        "{shop_row}"
    );
    assert!(
        shop_row.contains("never") && shop_row.ends_with(" no"),
        "{shop_row}"
    );
    let only_blog = list(&["--app", "blog"]);
    assert_eq!(only_blog.lines().count(), 2, "{only_blog}");
    assert!(only_blog.contains(&blog_id) && !only_blog.contains(&shop_id));

    // The server runs: a connect is recorded as a use; a revoke from the CLI refuses the next
    // one, the other key keeps working.
    let server = Server::start(dir_arg);
    assert_eq!(connect(server.addr, &shop).0, 200);
    assert!(!row(&list(&[]), &shop_id).contains("never"));
    let revoke = |id: &str| server_cmd(&["key", "revoke"], dir_arg, &[id]);
    let done = revoke(&shop_id.to_ascii_uppercase());
    assert!(done.status.success(), "{done:?}");
    assert!(stdout(&done).contains(&format!(
        "agent key {shop_id} of application \"shop\" revoked"
    )));
    let (status, body) = connect(server.addr, &shop);
    assert_eq!(status, 403, "{body}");
    assert_eq!(connect(server.addr, &blog).0, 200);
    let revoked_row = row(&list(&[]), &shop_id);
    assert!(
        !revoked_row.ends_with(" no") && revoked_row.ends_with(" UTC"),
        "{revoked_row}"
    );

    // Revoking again, an unknown id or a malformed one: exit code 1 and why.
    for (id, why) in [
        (shop_id.as_str(), "already revoked"),
        ("0123456789abcdef", "no agent key with id"),
        ("shop", "no agent key with id"),
    ] {
        let out = revoke(id);
        assert_eq!(out.status.code(), Some(1), "{id}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{id}: {stderr}");
    }
    drop(server);
}
