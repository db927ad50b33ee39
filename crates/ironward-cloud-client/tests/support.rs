//! A real `ironward server` that can be stopped and restarted on the same port, and agents
//! over `SharedEngine`s that record what they tell the operator.

use ironward_cloud_client::{
    BeaconSettings, BlacklistEntry, CloudClient, CloudHooks, CloudOptions, EngineHooks,
    LocalLayers, RemoteConfig, RequestCounters,
};
use ironward_core::reload::SharedEngine;
use ironward_core::{Engine, Request, Verdict};
use ironward_server::{ServerOptions, SqliteStore, create_key, serve, set_config};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server (as `ironward server` runs it, behind its own protection layer) on a runtime of
/// its own: dropping the runtime kills it mid-whatever, as a crash would.
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) store: Arc<SqliteStore>,
    runtime: Option<tokio::runtime::Runtime>,
    data: PathBuf,
}

impl TestServer {
    /// A server on a free loopback port over SQLite in `data`.
    pub(crate) fn start(data: &Path) -> TestServer {
        Self::start_on(data, "127.0.0.1:0".parse().unwrap())
    }

    fn start_on(data: &Path, addr: SocketAddr) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = Arc::new(runtime.block_on(SqliteStore::open(data)).unwrap());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let options = ServerOptions {
            protection: Some(Arc::new(
                ironward_server::protection::engine(None, None).unwrap(),
            )),
            ..ServerOptions::default()
        };
        let served = Arc::clone(&store);
        runtime
            .spawn(async move { serve(listener, served, &options, std::future::pending()).await });
        TestServer {
            addr,
            store,
            runtime: Some(runtime),
            data: data.to_owned(),
        }
    }

    /// Kills the server: its runtime and every connection it holds go at once.
    pub(crate) fn kill(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_millis(200));
        }
    }

    /// Starts it again on the same port and database.
    pub(crate) fn restart(&mut self) {
        self.kill();
        *self = Self::start_on(&self.data.clone(), self.addr);
    }

    fn rt(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the server runs")
    }

    pub(crate) fn connect_url(&self) -> String {
        format!("http://{}/api/v1/connect", self.addr)
    }

    /// A new agent key for `app`.
    pub(crate) fn key(&self, app: &str) -> String {
        self.rt()
            .block_on(create_key(&*self.store, app, None))
            .unwrap()
    }

    /// Runs a store call on the server's runtime.
    pub(crate) fn block_on<F: Future>(&self, work: F) -> F::Output {
        self.rt().block_on(work)
    }

    /// `ironward server config set --app APP KEY=VALUE…`.
    pub(crate) fn set(&self, app: &str, sets: &[&str]) {
        let sets: Vec<String> = sets.iter().map(|s| (*s).to_owned()).collect();
        self.rt()
            .block_on(set_config(&*self.store, app, None, &sets, &[]))
            .unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// [`EngineHooks`] that also keep every notice.
pub(crate) struct Recorded {
    inner: EngineHooks,
    pub(crate) notices: Mutex<Vec<String>>,
}

impl CloudHooks for Recorded {
    fn apply_config(&self, remote: &RemoteConfig) -> Result<(), Vec<String>> {
        self.inner.apply_config(remote)
    }
    fn beacon_settings(&self) -> BeaconSettings {
        self.inner.beacon_settings()
    }
    fn counters(&self) -> RequestCounters {
        self.inner.counters()
    }
    fn blacklist(&self) -> Vec<BlacklistEntry> {
        self.inner.blacklist()
    }
    fn add_blacklist_entries(&self, entries: &[BlacklistEntry]) {
        self.inner.add_blacklist_entries(entries);
    }
    fn remove_blacklist_entries(&self, ips: &[String]) {
        self.inner.remove_blacklist_entries(ips);
    }
    fn notice(&self, message: &str) {
        self.inner.notice(message);
        self.notices.lock().unwrap().push(message.to_owned());
    }
}

/// An application protected by a `SharedEngine`, managed by the agent.
pub(crate) struct Agent {
    pub(crate) shared: SharedEngine,
    pub(crate) hooks: Arc<Recorded>,
    pub(crate) client: Option<CloudClient>,
}

impl Agent {
    /// An agent of the `default` template whose local file sets the `CLOUD_*` keys for a fast
    /// test (short timeout and back-off) and, when given, the cache path.
    pub(crate) fn start(url: &str, key: &str, cache: Option<&Path>) -> Agent {
        let mut file = json!({"CLOUD_TIMEOUT_MS": 1000, "CLOUD_RETRY_MAX_MS": 400});
        if let Some(path) = cache {
            file["CLOUD_CACHE_PATH"] = json!(path.to_str().unwrap());
        }
        let local = LocalLayers {
            template: Some("default".into()),
            file: Some(file.to_string()),
            file_name: Some("rasp.json".into()),
            ..LocalLayers::default()
        };
        let config = local.load(None).unwrap().config;
        let shared = SharedEngine::new(Engine::new(config.clone()).unwrap());
        let hooks = Arc::new(Recorded {
            inner: EngineHooks::new(shared.clone(), local),
            notices: Mutex::new(Vec::new()),
        });
        let options = CloudOptions::new(url, key)
            .with_config(&config)
            .platform("test");
        let client = CloudClient::start(options, hooks.clone()).unwrap();
        Agent {
            shared,
            hooks,
            client: Some(client),
        }
    }

    pub(crate) fn client(&self) -> &CloudClient {
        self.client.as_ref().unwrap()
    }

    pub(crate) fn notices(&self) -> Vec<String> {
        self.hooks.notices.lock().unwrap().clone()
    }

    /// The verdict of `GET path` from `ip` on the engine in force.
    pub(crate) fn get(&self, path: &str, ip: &str) -> Verdict {
        let ip: IpAddr = ip.parse().unwrap();
        self.shared
            .load()
            .inspect_request(&Request::new("GET", path).with_peer(ip))
    }

    /// The level of a check in the configuration in force.
    pub(crate) fn level(
        &self,
        check: ironward_core::check::CheckId,
    ) -> ironward_core::config::Level {
        self.shared.load().config().security_checks.level(check)
    }
}

/// Polls `cond` every 50 ms for up to `secs` seconds.
pub(crate) fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}
