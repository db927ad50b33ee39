//! The dashboard on a real server on loopback (behind its own protection layer), driven by a
//! real HTTP client (ureq, redirects not followed, cookies kept by hand), on SQLite always and
//! on PostgreSQL when `IRONWARD_PG_DSN` is set: sign-in and sign-out, the login form's CSRF,
//! redirects when signed out, security headers, CSRF refusal on every form, escaping of attack
//! payloads, every page, event filters and keyset pages, the configuration editor (saved, and
//! refused with the loader's errors) reaching an agent's beacon, and the blacklist forms.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod support;

use ironward_server::ServerOptions;
use ironward_server::auth;
use ironward_server::store::NewEvent;
use serde_json::{Value, json};
use support::{Client, Db, PASSWORD, TestServer};

fn event(check: &str, ip: &str, time: i64, payload: &str) -> NewEvent {
    NewEvent {
        time,
        check: check.to_owned(),
        ip: Some(ip.to_owned()),
        action: Some(2),
        location: Some("qs_values".to_owned()),
        payload: Some(payload.to_owned()),
        path: Some("/search".to_owned()),
        ..NewEvent::default()
    }
}

/// Event ids linked from a listing, in order.
fn listed_ids(body: &str) -> Vec<i64> {
    body.split("<a href=\"/events/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

const PAGES: [&str; 10] = [
    "/events",
    "/events/1",
    "/apps",
    "/apps/shop/config",
    "/blacklist",
    "/blacklist?app=shop",
    "/?range=7d&app=shop",
    "/tokens",
    "/users",
    "/account",
];

#[test]
fn signed_out_visitors_get_the_form_and_redirects_and_cannot_write() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    server.key("shop");
    let mut visitor = Client::new(&server);
    let home = visitor.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.body
            .contains("<form class=\"signin\" method=\"post\" action=\"/signin\">")
    );
    assert!(home.body.contains("<label for=\"password\">"));
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(home.header(name), Some(value), "{name}");
    }
    let csp = home.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"));
    let login = home
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("ironward_login="))
        .unwrap();
    assert!(login.contains("HttpOnly") && login.contains("SameSite=Strict"));
    assert_eq!(
        visitor.get("/?range=7d").status,
        200,
        "the sign-in form, whatever the query"
    );
    let confirm_pages = [
        "/agents/1/revoke",
        "/tokens/1/revoke",
        "/users/admin/remove",
        "/keys/shown/00",
        "/tokens/shown/00",
    ];
    for page in PAGES
        .iter()
        .filter(|p| !p.starts_with("/?"))
        .chain(&confirm_pages)
    {
        let answer = visitor.get(page);
        assert_eq!(answer.status, 303, "{page}");
        assert_eq!(answer.header("location"), Some("/"), "{page}");
    }
    // No anonymous write: every form redirects to the sign-in form and changes nothing.
    let csrf = home.csrf();
    for (path, form) in [
        (
            "/blacklist",
            vec![
                ("csrf", csrf.as_str()),
                ("app", "shop"),
                ("ip", "198.51.100.1"),
            ],
        ),
        (
            "/blacklist/remove",
            vec![
                ("csrf", csrf.as_str()),
                ("app", "shop"),
                ("ip", "198.51.100.1"),
            ],
        ),
        (
            "/apps/shop/config",
            vec![
                ("csrf", csrf.as_str()),
                ("template", "monitor"),
                ("other", "{}"),
            ],
        ),
        ("/signout", vec![("csrf", csrf.as_str())]),
        ("/apps", vec![("csrf", csrf.as_str()), ("name", "intruder")]),
        ("/apps/shop/keys", vec![("csrf", csrf.as_str())]),
        ("/agents/1/revoke", vec![("csrf", csrf.as_str())]),
        (
            "/tokens",
            vec![("csrf", csrf.as_str()), ("name", "intruder")],
        ),
        ("/tokens/1/revoke", vec![("csrf", csrf.as_str())]),
        (
            "/users",
            vec![
                ("csrf", csrf.as_str()),
                ("name", "intruder"),
                ("password", "a long enough password"),
            ],
        ),
        ("/users/admin/remove", vec![("csrf", csrf.as_str())]),
        (
            "/account/password",
            vec![
                ("csrf", csrf.as_str()),
                ("current", PASSWORD),
                ("password", "another long password"),
            ],
        ),
        ("/account/signout-everywhere", vec![("csrf", csrf.as_str())]),
    ] {
        let answer = visitor.post(path, &form);
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.header("location"), Some("/"));
    }
    let app = server.app("shop").unwrap();
    assert_eq!((app.template.as_str(), app.config_version), ("default", 1));
    assert!(server.blacklist("shop").is_empty());
    assert!(server.app("intruder").is_none());
    let agents = server.agents(None);
    assert_eq!(agents.len(), 1, "no key made, none revoked");
    assert!(agents.iter().all(|a| a.revoked_at.is_none()));
    // The admin's password is unchanged, and no token or user was added.
    let mut admin = Client::new(&server);
    admin.sign_in();
    assert!(!admin.get("/tokens").body.contains("intruder"));
    assert!(!admin.get("/users").body.contains("intruder"));
    // The stylesheet is served to anyone (the sign-in page needs it).
    let css = visitor.get("/static/dashboard.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));
}

#[test]
fn sign_in_and_out_with_the_form() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    let mut user = Client::new(&server);
    let form = user.get("/");
    let csrf = form.csrf();
    // Without the form's token (login CSRF), or with the token but another cookie: refused.
    let refused = user.post("/signin", &[("user", "admin"), ("password", PASSWORD)]);
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("expired"));
    let mut stranger = Client::new(&server);
    let refused = stranger.post(
        "/signin",
        &[("csrf", &csrf), ("user", "admin"), ("password", PASSWORD)],
    );
    assert_eq!(refused.status, 403);
    // A wrong password is said inline, and no session is opened.
    let wrong = user.sign_in_as("admin", "not the password");
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("role=\"alert\"")
            && wrong.body.contains("Wrong user name or password.")
    );
    assert!(!user.jar.contains_key(auth::SESSION_COOKIE));
    // The right one: a session cookie, HttpOnly and SameSite=Strict (no Secure over http).
    let done = user.sign_in_as("admin", PASSWORD);
    assert_eq!(done.status, 303);
    let session = done
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("ironward_session=iws_"))
        .unwrap()
        .to_owned();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(!session.contains("Secure"));
    let overview = user.get("/");
    assert!(overview.body.contains("<h1>Overview</h1>"));
    let csrf = overview.csrf();
    // Sign-out needs the CSRF token; then the session is gone server-side too.
    let refused = user.post("/signout", &[("csrf", "0000")]);
    assert_eq!(refused.status, 403);
    assert_eq!(user.get("/events").status, 200);
    let stolen = user.jar.clone();
    let out = user.post("/signout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    assert!(
        out.cookies()
            .iter()
            .any(|c| c.starts_with("ironward_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(user.get("/events").status, 303);
    let mut replay = Client::new(&server);
    replay.jar = stolen;
    assert_eq!(replay.get("/events").status, 303);
}

#[test]
fn cookies_are_secure_behind_https() {
    let server = TestServer::dashboard(
        Db::Sqlite,
        ServerOptions {
            public_url: Some("https://rasp.example.com".into()),
            ..ServerOptions::default()
        },
    );
    let mut user = Client::new(&server);
    let done = user.sign_in_as("admin", PASSWORD);
    let session = done
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("ironward_session="))
        .unwrap();
    assert!(session.ends_with("; Secure"), "{session}");
}

fn every_page_and_escaping(db: Db) {
    let server = TestServer::dashboard(db, ServerOptions::default());
    let key = server.connected_key("shop");
    server.agent_call(
        "/api/v1/beacon",
        &json!({"key": key, "version": "0.10.2",
            "telemetry": {"cpu": 12.5, "memory": 40.0, "requests": {"success": 3, "errors": 1, "attacks": 2}},
            "blacklist": []}),
    );
    let now = ironward_server::now();
    let xss = r#"<script>alert("pwned")</script><img src=x onerror=alert(1)>"#;
    let mut hostile = event("xss", "8.8.8.8", now - 60, xss);
    hostile.path = Some(r#"/"><svg onload=alert(2)>"#.into());
    hostile.detail =
        Some(json!({"payload": xss, "note": "</pre><script>alert(3)</script>"}).to_string());
    server.insert(
        "shop",
        &[hostile, event("sqli", "10.0.0.7", now - 30, "' OR 1=1 --")],
    );
    let mut user = Client::new(&server);
    user.sign_in();
    let id = listed_ids(&user.get("/events?check=xss").body)[0];
    for page in PAGES
        .iter()
        .map(|p| p.replace("/events/1", &format!("/events/{id}")))
    {
        let answer = user.get(&page);
        assert_eq!(answer.status, 200, "{page}: {}", answer.body);
        assert!(
            answer
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
        // Accessible structure: one h1, a main landmark, labelled navigation.
        assert_eq!(answer.body.matches("<h1>").count(), 1, "{page}");
        assert!(answer.body.contains("<main id=\"main\""));
        assert!(answer.body.contains("<nav aria-label=\"Main\">"));
        // Attack payloads are displayed inert, everywhere.
        for raw in [
            "<script>alert",
            "<img src=x",
            "<svg onload",
            "</pre><script>",
        ] {
            assert!(!answer.body.contains(raw), "{page} shows {raw:?} raw");
        }
    }
    let detail = user.get(&format!("/events/{id}"));
    assert!(
        detail
            .body
            .contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;")
    );
    assert!(
        detail.body.contains("Cross-Site Scripting") || detail.body.contains("XSS"),
        "{}",
        detail.body
    );
    assert!(detail.body.contains("blocked and the IP blacklisted"));
    assert!(detail.body.contains("qs_values"));
    assert!(detail.body.contains("(US)"), "iptocc's country of 8.8.8.8");
    let listing = user.get("/events");
    assert!(listing.body.contains("&lt;script&gt;"));
    assert!(listing.body.contains("<th scope=\"col\">Payload</th>"));
    // The overview: the chart, the top lists, the countries and the agent online.
    let overview = user.get("/");
    assert!(overview.body.contains("<svg class=\"chart\""));
    assert_eq!(overview.body.matches("<rect class=\"bar\"").count(), 24);
    assert!(
        overview.body.contains("<p class=\"big\">2</p>"),
        "two attacks"
    );
    assert!(
        overview.body.contains("<p class=\"big\">1 / 1</p>"),
        "one agent online"
    );
    assert!(overview.body.contains(">xss</a>") && overview.body.contains(">sqli</a>"));
    assert!(overview.body.contains(">8.8.8.8</a>") && overview.body.contains(">Private<"));
    let apps = user.get("/apps");
    for text in [
        "0.10.2",
        "Flask",
        "12.5 %",
        "40.0 %",
        "online",
        "(up to date)",
        "<th scope=\"col\">Processes</th>",
    ] {
        assert!(apps.body.contains(text), "{text}");
    }
    assert_eq!(user.get("/events/999999").status, 404);
    assert_eq!(user.get("/events/x").status, 404);
    assert_eq!(user.get("/apps/nope/config").status, 404);
}

both_databases!(
    every_page_and_escaping,
    every_page_and_escaping_sqlite,
    every_page_and_escaping_postgres
);

#[test]
fn filters_and_keyset_pages() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    server.key("shop");
    server.key("blog");
    let now = ironward_server::now();
    // 130 shop events a second apart (sqli and xss alternating, 3 IPs), 20 blog events.
    let shop: Vec<NewEvent> = (0..130)
        .map(|i| {
            let check = if i % 2 == 0 { "sqli" } else { "xss" };
            event(check, &format!("203.0.113.{}", i % 3), now - 1000 + i, "x")
        })
        .collect();
    server.insert("shop", &shop);
    server.insert(
        "blog",
        &(0..20)
            .map(|i| event("xss", "198.51.100.9", now - 500 + i, "y"))
            .collect::<Vec<_>>(),
    );
    let mut user = Client::new(&server);
    user.sign_in();
    // Follow "Older events" to the end: every shop event once, newest first.
    let mut seen = Vec::new();
    let mut page = "/events?app=shop".to_owned();
    loop {
        let answer = user.get(&page);
        assert_eq!(answer.status, 200);
        let ids = listed_ids(&answer.body);
        assert!(ids.len() <= 50);
        seen.extend(ids);
        let marker = "<a href=\"";
        match answer.body.split("rel=\"next\"").next().and_then(|before| {
            before.rfind(marker).map(|i| {
                before[i + marker.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
            })
        }) {
            Some(next) if answer.body.contains("rel=\"next\"") => page = next,
            _ => break,
        }
    }
    assert_eq!(seen.len(), 130);
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, no duplicate");
    // Filters: check, IP, application, time, and combinations.
    assert_eq!(listed_ids(&user.get("/events?app=blog").body).len(), 20);
    assert_eq!(
        listed_ids(&user.get("/events?app=shop&check=sqli").body).len(),
        50
    );
    let by_ip = user.get("/events?ip=198.51.100.9");
    assert_eq!(listed_ids(&by_ip.body).len(), 20);
    assert!(!by_ip.body.contains("rel=\"next\""));
    let since = now - 1000 + 120;
    let recent = user.get(&format!("/events?app=shop&since={since}"));
    assert_eq!(listed_ids(&recent.body).len(), 10);
    let until = now - 1000 + 5;
    assert_eq!(
        listed_ids(&user.get(&format!("/events?app=shop&until={until}")).body).len(),
        5
    );
    // The form's datetime-local values (UTC) work too, and bad values are said inline.
    let mut b = url::form_urlencoded::Serializer::new(String::new());
    b.append_pair("since", "2000-01-01T00:00");
    b.append_pair("app", "blog");
    assert_eq!(
        listed_ids(&user.get(&format!("/events?{}", b.finish())).body).len(),
        20
    );
    let bad = user.get("/events?ip=not-an-ip&since=yesterday");
    assert_eq!(bad.status, 200);
    assert!(
        bad.body.contains("is not an IP address") && bad.body.contains("is not a date and time")
    );
    assert!(listed_ids(&bad.body).is_empty());
}

/// `POST /apps/shop/config` as a form read at version 1 sends it: template `default`, the
/// JSON box `other`, the levels `checks` (`check.<name>`), and the CSRF token when given.
fn save_config(
    user: &mut Client<'_>,
    csrf: Option<&str>,
    other: &str,
    checks: &[(&str, &str)],
) -> support::Answer {
    let mut form: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
    form.extend([("template", "default"), ("version", "1"), ("other", other)]);
    form.extend_from_slice(checks);
    user.post("/apps/shop/config", &form)
}

#[test]
fn configuration_editor_saves_refuses_and_reaches_the_agent() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    let key = server.connected_key("shop");
    let mut user = Client::new(&server);
    user.sign_in();
    let form = user.get("/apps/shop/config");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<label for=\"check-xss\">xss</label>"));
    assert!(
        form.body
            .contains("<select id=\"check-xss\" name=\"check.xss\">")
    );
    let csrf = form.csrf();
    // Without the CSRF token: refused, nothing stored.
    for csrf in [None, Some("f00")] {
        let refused = save_config(&mut user, csrf, "{}", &[("check.xss", "3")]);
        assert_eq!(refused.status, 403);
    }
    let app = server.app("shop").unwrap();
    assert_eq!(app.config_version, 1);
    let other = serde_json::to_string(&Value::Object(app.config.clone())).unwrap();
    // Refused with the loader's errors, shown inline: nothing stored.
    for (bad_other, expected) in [
        (r#"{"check_blacklist": true}"#, "check_blacklist"),
        (r#"{"BEACON_DELAY": 0}"#, "BEACON_DELAY"),
        (r#"{"BLOCK_STATUS_CODE": "teapot"}"#, "BLOCK_STATUS_CODE"),
        ("{not json", "not JSON"),
        ("[1]", "must be a JSON object"),
    ] {
        let answer = save_config(&mut user, Some(&csrf), bad_other, &[("check.xss", "3")]);
        assert_eq!(answer.status, 422, "{bad_other}");
        assert!(answer.body.contains("role=\"alert\""));
        assert!(
            answer.body.contains(expected),
            "{bad_other}: {}",
            answer.body
        );
        // What was typed is kept, escaped.
        assert!(
            answer.body.contains(&bad_other.replace('"', "&quot;")),
            "{bad_other}"
        );
    }
    let refused = save_config(&mut user, Some(&csrf), &other, &[("check.xss", "7")]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("xss: level"));
    assert_eq!(server.app("shop").unwrap().config_version, 1);
    // Saved: only the changed level becomes a key; the agent gets it on its next beacon.
    let checks = [("check.xss", "3"), ("check.sqli", "2")];
    let saved = save_config(&mut user, Some(&csrf), &other, &checks);
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), Some("/apps/shop/config?saved=2"));
    let app = server.app("shop").unwrap();
    assert_eq!(app.config_version, 2);
    assert_eq!(app.config.get("SECURITY_CHECKS.xss"), Some(&json!(3)));
    assert!(
        !app.config.contains_key("SECURITY_CHECKS.sqli"),
        "the template's level is not written"
    );
    let shown = user.get("/apps/shop/config?saved=2");
    assert!(shown.body.contains("Saved: version 2"));
    assert!(
        shown
            .body
            .contains("<option value=\"3\" selected>3 — reported (monitor)</option>")
    );
    assert!(
        user.get("/apps")
            .body
            .contains("(pending: version 2 on the next beacon)")
    );
    let beacon = server.agent_call("/api/v1/beacon", &json!({"key": key, "version": "0.10.2"}));
    assert_eq!(
        beacon["data"]["config"]["SECURITY_CHECKS.xss"],
        json!(3),
        "{beacon}"
    );
    assert!(user.get("/apps").body.contains("version 2 (up to date)"));
    // A form read at version 1 no longer saves over version 2.
    let stale = save_config(&mut user, Some(&csrf), &other, &[("check.xss", "0")]);
    assert_eq!(stale.status, 422);
    assert!(stale.body.contains("changed since this form was opened"));
}

#[test]
fn blacklist_add_and_remove_with_csrf() {
    let server = TestServer::dashboard(Db::Sqlite, ServerOptions::default());
    let key = server.connected_key("shop");
    let mut user = Client::new(&server);
    let csrf = user.sign_in();
    let add = [
        ("app", "shop"),
        ("ip", "198.51.100.23"),
        ("expires", "3600"),
        ("note", "<b>scanner</b>"),
    ];
    let refused = user.post("/blacklist", &add);
    assert_eq!(refused.status, 403);
    assert!(server.blacklist("shop").is_empty());
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(add);
    let added = user.post("/blacklist", &with_csrf);
    assert_eq!(added.status, 303);
    let rows = server.blacklist("shop");
    assert_eq!(rows.len(), 1);
    let expires = rows[0].expires_at.unwrap() - ironward_server::now();
    assert!((3590..=3600).contains(&expires), "{expires}");
    let page = user.get(added.header("location").unwrap());
    assert!(page.body.contains("198.51.100.23 blacklisted"));
    assert!(page.body.contains("&lt;b&gt;scanner&lt;/b&gt;"));
    let beacon = server.agent_call("/api/v1/beacon", &json!({"key": key, "version": "0.10.2"}));
    assert_eq!(
        beacon["data"]["blacklist"]["new"],
        json!(["198.51.100.23"]),
        "{beacon}"
    );
    // A bad IP is said inline.
    let bad = user.post(
        "/blacklist",
        &[
            ("csrf", &csrf),
            ("app", "shop"),
            ("ip", "1.2.3"),
            ("expires", "0"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not an IP address"));
    // Remove: CSRF first.
    let remove = [("app", "shop"), ("ip", "198.51.100.23")];
    assert_eq!(user.post("/blacklist/remove", &remove).status, 403);
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(remove);
    assert_eq!(user.post("/blacklist/remove", &with_csrf).status, 303);
    assert!(server.blacklist("shop").is_empty());
    let beacon = server.agent_call("/api/v1/beacon", &json!({"key": key, "version": "0.10.2"}));
    assert_eq!(
        beacon["data"]["blacklist"]["remove"],
        json!(["198.51.100.23"]),
        "{beacon}"
    );
}
