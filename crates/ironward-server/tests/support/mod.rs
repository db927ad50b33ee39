//! What the server's integration tests share: a real server on loopback (behind its own
//! protection layer, with the `admin` user's password [`PASSWORD`]) on SQLite or on PostgreSQL
//! (`IRONWARD_PG_DSN`, each server in a fresh schema of its own), [`both_databases!`] to run a
//! scenario on both, one HTTP helper (ureq, redirects not followed) and a browser-like client
//! (cookies kept by hand) that signs in through the dashboard's form.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use ironward_server::auth;
use ironward_server::store::NewEvent;
use ironward_server::{ServerOptions, SqlStore, Store, create_key, serve};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

pub(crate) const PASSWORD: &str = "a long admin password";

#[derive(Clone, Copy)]
pub(crate) enum Db {
    Sqlite,
    Postgres,
}

pub(crate) fn pg_dsn() -> Option<String> {
    std::env::var("IRONWARD_PG_DSN")
        .ok()
        .filter(|d| !d.is_empty())
}

/// A PostgreSQL URL with a fresh schema of its own on the search path.
pub(crate) async fn pg_schema(dsn: &str) -> String {
    sqlx::any::install_default_drivers();
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let schema = format!("t{}", hex::encode(b));
    let pool = sqlx::AnyPool::connect(dsn).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let sep = if dsn.contains('?') { '&' } else { '?' };
    format!("{dsn}{sep}options=-c%20search_path%3D{schema}")
}

/// Two tests running `$scenario` on SQLite and on PostgreSQL (skipped without
/// `IRONWARD_PG_DSN`).
#[allow(unused_macros)]
macro_rules! both_databases {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[test]
        fn $sqlite() {
            $scenario($crate::support::Db::Sqlite);
        }
        #[test]
        fn $postgres() {
            if $crate::support::pg_dsn().is_none() {
                eprintln!("IRONWARD_PG_DSN is not set: skipped (scripts/sink-dbs.sh start)");
                return;
            }
            $scenario($crate::support::Db::Postgres);
        }
    };
}

/// The body of a connect as pyrasp 0.10.2 sends it (Flask, no route), with `key`.
pub(crate) fn pyrasp_connect(key: &str) -> Value {
    serde_json::json!({"key": key, "version": "0.10.2", "platform": "Flask", "routes": {}})
}

/// A running server and its store (on the server's runtime).
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) store: Arc<SqlStore>,
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) _dir: tempfile::TempDir,
}

/// One answer: status, headers (lower-case names), body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The value of the first hidden `csrf` field.
    pub(crate) fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

/// A browser-like client: keeps cookies, never follows redirects.
pub(crate) struct Client<'s> {
    pub(crate) server: &'s TestServer,
    pub(crate) jar: BTreeMap<String, String>,
}

impl<'s> Client<'s> {
    pub(crate) fn new(server: &'s TestServer) -> Self {
        Self {
            server,
            jar: BTreeMap::new(),
        }
    }

    pub(crate) fn request(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cookie = cookie.join("; ");
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !self.jar.is_empty() {
            headers.push(("Cookie", &cookie));
        }
        let body = form.map(|fields| {
            let mut body = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                body.append_pair(k, v);
            }
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
            body.finish().into_bytes()
        });
        let answer = self.server.http(method, path, &headers, body);
        for (k, v) in &answer.headers {
            if k == "set-cookie" {
                let pair = v.split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.jar.remove(name);
                } else {
                    self.jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        answer
    }

    pub(crate) fn get(&mut self, path: &str) -> Answer {
        self.request("GET", path, None)
    }

    pub(crate) fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.request("POST", path, Some(form))
    }

    /// Gets the sign-in form and posts it as `user` with `password`: the POST's answer.
    pub(crate) fn sign_in_as(&mut self, user: &str, password: &str) -> Answer {
        let csrf = self.get("/").csrf();
        self.post(
            "/signin",
            &[("csrf", &csrf), ("user", user), ("password", password)],
        )
    }

    /// Signs in through the form as `admin`; returns the session's CSRF token.
    pub(crate) fn sign_in(&mut self) -> String {
        let done = self.sign_in_as("admin", PASSWORD);
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.header("location"), Some("/"));
        let overview = self.get("/");
        assert!(
            overview.body.contains("<h1>Overview</h1>"),
            "{}",
            overview.body
        );
        overview.csrf()
    }
}

impl TestServer {
    /// Starts the server on `db` with the `admin` user, protected by its own Ironward layer (as
    /// `ironward server` runs it); `options` as given otherwise.
    pub(crate) fn start(db: Db, mut options: ServerOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = runtime.block_on(async {
            match db {
                Db::Sqlite => SqlStore::open(dir.path()).await.unwrap(),
                Db::Postgres => {
                    let url = pg_schema(&pg_dsn().unwrap()).await;
                    SqlStore::connect_postgres(&url, 4).await.unwrap()
                }
            }
        });
        let store = Arc::new(store);
        runtime
            .block_on(auth::ensure_admin(&*store, Some(PASSWORD)))
            .unwrap();
        options.protection = Some(Arc::new(
            ironward_server::protection::engine(None, None).unwrap(),
        ));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let served = Arc::clone(&store);
        runtime
            .spawn(async move { serve(listener, served, &options, std::future::pending()).await });
        Self {
            addr,
            store,
            runtime,
            _dir: dir,
        }
    }

    /// [`TestServer::start`] on SQLite.
    pub(crate) fn sqlite(options: ServerOptions) -> Self {
        Self::start(Db::Sqlite, options)
    }

    /// [`TestServer::start`] without the retention task (the dashboard tests' data stays put).
    pub(crate) fn dashboard(db: Db, options: ServerOptions) -> Self {
        Self::start(
            db,
            ServerOptions {
                retention: None,
                ..options
            },
        )
    }

    /// A new agent key of `app` (created with its template `template`).
    pub(crate) fn key_with(&self, app: &str, template: Option<&str>) -> String {
        self.runtime
            .block_on(create_key(&*self.store, app, template))
            .unwrap()
    }

    /// A new agent key of `app`.
    pub(crate) fn key(&self, app: &str) -> String {
        self.key_with(app, None)
    }

    /// The application `name` as stored.
    pub(crate) fn app(&self, name: &str) -> Option<ironward_server::store::App> {
        self.runtime.block_on(self.store.app(name)).unwrap()
    }

    /// The agents (keys) of `app`, or of every application.
    pub(crate) fn agents(&self, app: Option<&str>) -> Vec<ironward_server::store::Agent> {
        self.runtime.block_on(self.store.agents(app)).unwrap()
    }

    /// The shared blacklist of `app`, as stored (removed entries included).
    pub(crate) fn blacklist(&self, app: &str) -> Vec<ironward_server::store::BlacklistRow> {
        self.runtime.block_on(self.store.blacklist(app)).unwrap()
    }

    /// A new agent key of `app` whose agent has connected ([`pyrasp_connect`]).
    pub(crate) fn connected_key(&self, app: &str) -> String {
        let key = self.key(app);
        let body = pyrasp_connect(&key).to_string().into_bytes();
        let answer = self.json("POST", "/api/v1/connect", &[], Some(body));
        assert_eq!(answer.status, 200, "{}", answer.body);
        key
    }

    /// Sets keys of `app`'s remote configuration (as `config set` does; panics if refused).
    pub(crate) fn set_remote(&self, app: &str, keys: &[&str]) {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.runtime
            .block_on(ironward_server::set_config(
                &*self.store,
                app,
                None,
                &keys,
                &[],
            ))
            .unwrap();
    }

    pub(crate) fn insert(&self, app: &str, events: &[NewEvent]) {
        self.runtime
            .block_on(
                self.store
                    .insert_events(app, None, events, ironward_server::now()),
            )
            .unwrap();
    }

    /// One request (redirects not followed): status, headers (lower-case names), body text.
    pub(crate) fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let response = match body {
            Some(b) => agent.run(builder.body(b).unwrap()),
            None => agent.run(builder.body(()).unwrap()),
        };
        let mut response = response.unwrap();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        Answer {
            status: response.status().as_u16(),
            headers,
            body: response.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    /// A JSON request (`Content-Type: application/json` when there is a body).
    pub(crate) fn json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut all = headers.to_vec();
        if body.is_some() {
            all.push(("Content-Type", "application/json"));
        }
        self.http(method, path, &all, body)
    }

    /// A protocol call as an agent makes it.
    pub(crate) fn agent_call(&self, path: &str, body: &Value) -> Value {
        let answer = self.json("POST", path, &[], Some(body.to_string().into_bytes()));
        serde_json::from_str(&answer.body).unwrap()
    }
}
