//! Management from the dashboard, on a real server on loopback driven by a browser-like client
//! (see `support`): applications and agent keys created through the forms (the key
//! then connects, and is refused once revoked), API tokens (one works as a bearer of the admin
//! API, then gets 401 once revoked; a read one cannot write), the password change (the old
//! password refused, the other sessions ended, this one kept), sign out everywhere, users
//! added and removed; every form refused with 403 without its CSRF token, and refused with
//! its errors on the page (linked to the fields with `aria-describedby`) when invalid.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod support;

use ironward_server::keys::hash_key;
use ironward_server::{ServerOptions, Store};
use support::{Answer, Client, Db, PASSWORD, TestServer, pyrasp_connect};

/// A JSON request with an optional bearer token: status and body.
fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: &str,
) -> (u16, String) {
    let auth = bearer.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    let answer = server.json(method, path, &headers, Some(body.as_bytes().to_vec()));
    (answer.status, answer.body)
}

/// A connect as an agent sends it: its status.
fn connect(server: &TestServer, key: &str) -> u16 {
    let body = pyrasp_connect(key).to_string();
    call(server, "POST", "/api/v1/connect", None, &body).0
}

/// The value of the read-only field that shows a new secret once.
fn secret(answer: &Answer) -> String {
    let marker = "id=\"secret\" type=\"text\" readonly value=\"";
    let start = answer.body.find(marker).expect("a secret field") + marker.len();
    answer.body[start..].split('"').next().unwrap().to_owned()
}

/// Follows the `303` of a form that created a secret to the page that shows it once (200,
/// `no-store`); that page and its path.
fn shown_once(client: &mut Client<'_>, created: &Answer) -> (Answer, String) {
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.header("location").expect("a location").to_owned();
    let page = client.get(&location);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(page.body.contains("shown only once"));
    (page, location)
}

/// Reloading the page of a secret shown once: 410, the secret not in it.
fn assert_gone(client: &mut Client<'_>, location: &str, secret: &str) {
    let again = client.get(location);
    assert_eq!(again.status, 410, "{}", again.body);
    assert_eq!(again.header("cache-control"), Some("no-store"));
    assert!(again.body.contains("This secret was shown once"));
    assert!(!again.body.contains(secret));
}

/// Whether the field `id` is marked invalid and described by its error.
fn field_has_error(body: &str, id: &str) -> bool {
    let described = [
        format!("aria-describedby=\"{id}-error\""),
        format!("aria-describedby=\"{id}-hint {id}-error\""),
    ];
    body.contains(&format!("<span class=\"field-error\" id=\"{id}-error\">"))
        && described.iter().any(|d| body.contains(d.as_str()))
        && body.contains("aria-invalid=\"true\"")
}

#[test]
fn applications_and_agent_keys_from_the_forms() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    let mut admin = Client::new(&server);
    let csrf = admin.sign_in();

    // Create an application: CSRF first, then validation, then success.
    let apps = admin.get("/apps");
    assert!(
        apps.body.contains("<label for=\"app-name\">Name</label>"),
        "{}",
        apps.body
    );
    let refused = admin.post("/apps", &[("name", "shop"), ("template", "monitor")]);
    assert_eq!(refused.status, 403);
    assert!(server.app("shop").is_none());
    let invalid = admin.post(
        "/apps",
        &[("csrf", &csrf), ("name", "no spaces"), ("template", "nope")],
    );
    assert_eq!(invalid.status, 422);
    assert!(
        field_has_error(&invalid.body, "app-name"),
        "{}",
        invalid.body
    );
    assert!(
        invalid.body.contains("unknown template")
            || invalid.body.contains("invalid application name")
    );
    assert!(
        invalid.body.contains("<a href=\"#app-name\">"),
        "the summary links to the field"
    );
    assert!(
        invalid.body.contains("value=\"no spaces\""),
        "the draft is kept"
    );
    let created = admin.post(
        "/apps",
        &[("csrf", &csrf), ("name", "shop"), ("template", "monitor")],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        created.header("location"),
        Some("/apps?app=shop&created=shop")
    );
    let app = server.app("shop").unwrap();
    assert_eq!(app.template, "monitor");
    let again = admin.post(
        "/apps",
        &[("csrf", &csrf), ("name", "shop"), ("template", "default")],
    );
    assert_eq!(again.status, 422);
    assert!(again.body.contains("exists already"));

    // A key: shown once on the answer, stored hashed, connects.
    assert_eq!(admin.post("/apps/shop/keys", &[]).status, 403);
    assert_eq!(
        admin.post("/apps/nope/keys", &[("csrf", &csrf)]).status,
        404
    );
    let created = admin.post("/apps/shop/keys", &[("csrf", &csrf)]);
    assert!(
        !created.body.contains("iwk_"),
        "the POST's answer holds no key"
    );
    let (answer, location) = shown_once(&mut admin, &created);
    assert!(location.starts_with("/keys/shown/"), "{location}");
    let key = secret(&answer);
    assert!(key.starts_with("iwk_") && key.len() == 68, "{key}");
    assert!(
        answer
            .body
            .contains(&format!("http://{}/api/v1/connect", server.addr))
    );
    let agents = server.agents(Some("shop"));
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].key_hash, hash_key(&key));
    // Reloading the page (or going back to it) shows no key and creates none.
    assert_gone(&mut admin, &location, &key);
    assert_eq!(server.agents(Some("shop")).len(), 1);
    assert_eq!(connect(&server, &key), 200);
    let listing = admin.get("/apps?app=shop");
    assert!(!listing.body.contains(&key), "the key is never shown again");
    let id = agents[0].id().to_owned();
    let revoke = format!("/agents/{id}/revoke");
    assert!(listing.body.contains(&format!("href=\"{revoke}\"")));

    // Revoke: a confirmation page, CSRF, then the key is refused.
    let confirm = admin.get(&revoke);
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains(&format!("action=\"{revoke}\"")));
    assert_eq!(admin.post(&revoke, &[]).status, 403);
    assert_eq!(
        connect(&server, &key),
        200,
        "not revoked without the CSRF token"
    );
    let done = admin.post(&revoke, &[("csrf", &csrf)]);
    assert_eq!(done.status, 303);
    assert_eq!(connect(&server, &key), 403);
    assert!(
        admin
            .get(&format!("/apps?app=shop&revoked={id}"))
            .body
            .contains("revoked")
    );
    assert_eq!(
        admin.post(&revoke, &[("csrf", &csrf)]).status,
        404,
        "already revoked"
    );

    // Signed out: every management form redirects to sign-in and changes nothing.
    let mut visitor = Client::new(&server);
    for path in [
        "/apps",
        "/apps/shop/keys",
        "/tokens",
        "/users",
        "/account/password",
    ] {
        let answer = visitor.post(path, &[("csrf", &csrf), ("name", "x")]);
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.header("location"), Some("/"), "{path}");
    }
    assert_eq!(server.agents(None).len(), 1);
}

#[test]
fn a_secret_is_shown_once_to_the_session_that_made_it() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    server.key("shop");
    let mut admin = Client::new(&server);
    let csrf = admin.sign_in();
    let mut other = Client::new(&server);
    other.sign_in();
    let created = admin.post("/apps/shop/keys", &[("csrf", &csrf)]);
    let location = created.header("location").unwrap().to_owned();
    // Another session, the token path of the same slot and a signed-out visitor get nothing
    // and use nothing up.
    assert_eq!(other.get(&location).status, 410);
    let slot = location.trim_start_matches("/keys/shown/");
    assert_eq!(admin.get(&format!("/tokens/shown/{slot}")).status, 410);
    let visitor = Client::new(&server).get(&location);
    assert_eq!(visitor.status, 303);
    assert_eq!(visitor.header("location"), Some("/"));
    let (page, _) = shown_once(&mut admin, &created);
    let key = secret(&page);
    assert_gone(&mut admin, &location, &key);
    // Two keys, the one made before and this one: the reloads created nothing.
    let agents = server.agents(None);
    assert_eq!(agents.len(), 2);
    assert!(agents.iter().any(|a| a.key_hash == hash_key(&key)));
}

#[test]
fn api_tokens_work_as_bearers_until_revoked() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    let mut admin = Client::new(&server);
    let csrf = admin.sign_in();
    let page = admin.get("/tokens");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No token yet."));

    assert_eq!(
        admin
            .post(
                "/tokens",
                &[("name", "ci"), ("scope", "write"), ("expires", "30")]
            )
            .status,
        403
    );
    let invalid = admin.post(
        "/tokens",
        &[
            ("csrf", &csrf),
            ("name", " "),
            ("scope", "root"),
            ("expires", "30"),
        ],
    );
    assert_eq!(invalid.status, 422);
    assert!(
        field_has_error(&invalid.body, "token-name"),
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains("Scope: choose read or write."));

    let created = admin.post(
        "/tokens",
        &[
            ("csrf", &csrf),
            ("name", "deploy"),
            ("scope", "write"),
            ("expires", "30"),
        ],
    );
    let (page, location) = shown_once(&mut admin, &created);
    assert!(location.starts_with("/tokens/shown/"), "{location}");
    let token = secret(&page);
    assert!(token.starts_with("iwt_"), "{token}");
    assert!(page.body.contains("it expires on ") && !page.body.contains("UTC UTC"));
    assert_gone(&mut admin, &location, &token);
    let created = admin.post(
        "/tokens",
        &[
            ("csrf", &csrf),
            ("name", "grafana"),
            ("scope", "read"),
            ("expires", "0"),
        ],
    );
    let read = secret(&shown_once(&mut admin, &created).0);
    assert_eq!(
        server
            .runtime
            .block_on(server.store.tokens())
            .unwrap()
            .len(),
        2,
        "the reload created no token"
    );

    // The list shows names, scopes and use, never the secrets.
    let (status, _) = call(&server, "GET", "/api/v1/apps", Some(&token), "");
    assert_eq!(status, 200);
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/apps",
        Some(&token),
        r#"{"name":"blog"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/apps",
        Some(&read),
        r#"{"name":"wiki"}"#,
    );
    assert_eq!(status, 403, "a read token cannot write");
    let list = admin.get("/tokens");
    assert!(list.body.contains("deploy") && list.body.contains("grafana"));
    assert!(!list.body.contains(&token) && !list.body.contains(&read));
    assert!(
        list.body.contains("just now") || list.body.contains(" ago"),
        "last use shown"
    );

    let tokens = server.runtime.block_on(server.store.tokens()).unwrap();
    let row = tokens.iter().find(|t| t.name == "deploy").unwrap();
    assert_eq!(row.user_name, "admin");
    assert_eq!(row.token_hash, hash_key(&token));
    let revoke = format!("/tokens/{}/revoke", row.id);
    assert!(
        admin
            .get(&revoke)
            .body
            .contains(&format!("action=\"{revoke}\""))
    );
    assert_eq!(admin.post(&revoke, &[]).status, 403);
    assert_eq!(
        call(&server, "GET", "/api/v1/apps", Some(&token), "").0,
        200
    );
    assert_eq!(admin.post(&revoke, &[("csrf", &csrf)]).status, 303);
    assert_eq!(
        call(&server, "GET", "/api/v1/apps", Some(&token), "").0,
        401
    );
    assert_eq!(call(&server, "GET", "/api/v1/apps", Some(&read), "").0, 200);
    assert!(admin.get("/tokens").body.contains("revoked"));
}

both_databases!(
    password_change_and_sign_out_everywhere,
    password_change_and_sign_out_everywhere_sqlite,
    password_change_and_sign_out_everywhere_postgres
);

fn password_change_and_sign_out_everywhere(db: Db) {
    let server = TestServer::dashboard(db, ServerOptions::default());
    let mut here = Client::new(&server);
    let csrf = here.sign_in();
    let mut elsewhere = Client::new(&server);
    elsewhere.sign_in();
    let new = "a brand new admin password";

    let page = here.get("/account");
    assert!(
        page.body
            .contains("<label for=\"pw-current\">Current password</label>")
    );
    assert!(page.body.contains("autocomplete=\"current-password\""));
    let form = |current: &str, new: &str, confirm: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("current".to_owned(), current.to_owned()),
            ("new".to_owned(), new.to_owned()),
            ("confirm".to_owned(), confirm.to_owned()),
        ]
    };
    let post = |client: &mut Client<'_>, fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        client.post("/account/password", &pairs)
    };
    let mut no_csrf = form(PASSWORD, new, new);
    no_csrf.remove(0);
    assert_eq!(post(&mut here, no_csrf).status, 403);
    let wrong = post(&mut here, form("not the password", new, new));
    assert_eq!(wrong.status, 422);
    assert!(field_has_error(&wrong.body, "pw-current"), "{}", wrong.body);
    assert!(!wrong.body.contains(new), "passwords are not sent back");
    let short = post(&mut here, form(PASSWORD, "short", "short"));
    assert_eq!(short.status, 422);
    assert!(short.body.contains("at least 12 characters"));
    assert!(
        short
            .body
            .contains("aria-describedby=\"pw-new-hint pw-new-error\""),
        "{}",
        short.body
    );
    let mismatch = post(&mut here, form(PASSWORD, new, "something else entirely"));
    assert!(field_has_error(&mismatch.body, "pw-confirm"));

    let done = post(&mut here, form(PASSWORD, new, new));
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/account?changed=1"));
    let after = here.get("/account?changed=1");
    assert_eq!(after.status, 200, "this browser stays signed in");
    assert!(after.body.contains("Password changed"));
    assert_eq!(
        elsewhere.get("/account").status,
        303,
        "the other session ended"
    );
    let mut third = Client::new(&server);
    assert_eq!(
        third.sign_in_as("admin", PASSWORD).status,
        401,
        "old password refused"
    );
    assert_eq!(third.sign_in_as("admin", new).status, 303);

    // Sign out everywhere: this session and the third one end.
    let csrf = after.csrf();
    assert_eq!(here.post("/account/signout-everywhere", &[]).status, 403);
    let out = here.post("/account/signout-everywhere", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    assert_eq!(here.get("/account").status, 303);
    assert_eq!(third.get("/account").status, 303);
}

both_databases!(
    users_are_added_and_removed,
    users_are_added_and_removed_sqlite,
    users_are_added_and_removed_postgres
);

fn users_are_added_and_removed(db: Db) {
    let server = TestServer::dashboard(db, ServerOptions::default());
    let mut admin = Client::new(&server);
    let csrf = admin.sign_in();
    let page = admin.get("/users");
    assert!(page.body.contains("admin (you)"));
    assert!(
        !page.body.contains("href=\"/users/admin/remove\""),
        "no removing yourself"
    );
    for refused in [
        admin.get("/users/admin/remove"),
        admin.post("/users/admin/remove", &[("csrf", &csrf)]),
    ] {
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("You cannot remove yourself"));
        assert!(refused.body.contains("admin (you)"), "the users page again");
    }
    assert_eq!(admin.get("/users/nobody/remove").status, 404);

    let password = "the ops team's password";
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "ops"),
        ("password", password),
        ("confirm", password),
    ];
    assert_eq!(admin.post("/users", &fields[1..]).status, 403);
    let invalid = admin.post(
        "/users",
        &[
            ("csrf", &csrf),
            ("name", "a b"),
            ("password", "x"),
            ("confirm", "y"),
        ],
    );
    assert_eq!(invalid.status, 422);
    for id in ["user-name", "user-password", "user-confirm"] {
        assert!(field_has_error(&invalid.body, id), "{id}");
    }
    assert_eq!(admin.post("/users", &fields).status, 303);
    assert_eq!(admin.post("/users", &fields).status, 422, "exists");

    let mut ops = Client::new(&server);
    assert_eq!(ops.sign_in_as("ops", password).status, 303);
    assert_eq!(ops.get("/account").status, 200);
    assert!(
        admin
            .get("/users/ops/remove")
            .body
            .contains("action=\"/users/ops/remove\"")
    );
    assert_eq!(admin.post("/users/ops/remove", &[]).status, 403);
    assert_eq!(
        admin.post("/users/ops/remove", &[("csrf", &csrf)]).status,
        303
    );
    assert_eq!(ops.get("/account").status, 303, "their session ended");
    assert!(
        server
            .runtime
            .block_on(server.store.user("ops"))
            .unwrap()
            .is_none()
    );
}
