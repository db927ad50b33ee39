//! [`CloudClient`]: the agent's background thread. It connects, then beacons every
//! `BEACON_DELAY` seconds; it never blocks the application's start-up or its requests.
//!
//! Failure behaviour (what an operator sees):
//! * the server unreachable, slow, answering 403/404/500 or garbage: the application runs on
//!   the configuration it has (local, cached or last received), the agent says so **once**
//!   (again only if the kind of failure changes), retries with exponential back-off and
//!   jitter up to `CLOUD_RETRY_MAX_MS`, and says when the server is back;
//! * counters and the blacklist delta of failed beacons are sent with the next successful one;
//! * a configuration the engine refuses is reported once, and the running one stays.
//!
//! When the hooks name the application's configuration file
//! ([`CloudHooks::config_file`]), the client also watches it
//! ([`ConfigWatch`](crate::ConfigWatch), its own thread, every `CONFIG_RELOAD_INTERVAL`):
//! a local change is applied under the remote layer in force, and a remote change over the
//! latest local file.

use crate::backoff::Backoff;
use crate::hooks::CloudHooks;
use crate::http::{self, Failure};
use crate::local_watch::{ConfigWatch, FileHooks};
use crate::options::CloudOptions;
use crate::remote::RemoteConfig;
use crate::telemetry::ProcessStats;
use ironward_cloud_protocol::{
    BeaconData, BeaconRequest, BlacklistEntry, ConnectData, ConnectRequest, RequestCounters,
    Telemetry,
};
use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Most blacklist entries sent with one beacon (what `ironward server` takes); the rest go
/// with the next ones.
pub const MAX_SHARED_PER_BEACON: usize = 1_000;

/// First pause after a failure (shorter when `BEACON_DELAY` is).
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// Where the configuration in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigSource {
    /// The application's own layers: nothing received yet.
    #[default]
    Local,
    /// The cache file (`CLOUD_CACHE_PATH`), read at start: the server has not answered yet.
    Cache,
    /// The management server.
    Cloud,
}

/// What the agent knows, for a status page (pyrasp's `get_status()`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CloudStatus {
    /// True when the last exchange with the server succeeded.
    pub connected: bool,
    /// Where the configuration in force comes from.
    pub source: ConfigSource,
    /// The remote configuration in force, if any.
    pub remote: Option<RemoteConfig>,
    /// Why the last exchange failed, while it is failing.
    pub last_error: Option<Failure>,
    /// The errors of the last remote configuration the engine refused, until one is accepted.
    pub refused_config: Option<Vec<String>>,
    /// Successful connects (1 in normal life).
    pub connects: u64,
    /// Successful beacons.
    pub beacons: u64,
    /// Failed exchanges.
    pub failures: u64,
}

#[derive(Debug, Default)]
struct Control {
    stop: bool,
}

#[derive(Debug, Default)]
struct Shared {
    control: Mutex<Control>,
    wake: Condvar,
    status: Mutex<CloudStatus>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The agent: a background thread talking to the management server for one application.
///
/// Dropping it asks the thread to stop without waiting; [`stop`](Self::stop) waits for it
/// (at most one request timeout).
#[derive(Debug)]
pub struct CloudClient {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// The watch of the local configuration file, when there is one.
    watch: Option<ConfigWatch>,
}

/// The file hooks of a [`CloudHooks`] (its `apply_file` and `notice`).
struct ViaCloudHooks(Arc<dyn CloudHooks>);

impl FileHooks for ViaCloudHooks {
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        self.0.apply_file(text)
    }

    fn notice(&self, message: &str) {
        self.0.notice(message);
    }
}

impl CloudClient {
    /// Starts the agent. When `CLOUD_CACHE_PATH` holds a configuration received earlier, it is
    /// applied first, here (a file read and an engine build, no network). Everything else runs
    /// on the background thread: this returns at once, whatever the server does.
    pub fn start(
        options: CloudOptions,
        hooks: Arc<dyn CloudHooks>,
    ) -> Result<CloudClient, std::io::Error> {
        let shared = Arc::new(Shared::default());
        let watch = match (options.reload_interval, hooks.config_file()) {
            (Some(interval), Some((path, baseline))) => Some(ConfigWatch::start(
                path,
                interval,
                baseline.as_deref(),
                Arc::new(ViaCloudHooks(Arc::clone(&hooks))),
            )?),
            _ => None,
        };
        let mut worker = Worker::new(options, hooks, Arc::clone(&shared));
        worker.apply_cache();
        let thread = std::thread::Builder::new()
            .name("ironward-cloud".to_owned())
            .spawn(move || worker.run())?;
        Ok(CloudClient {
            shared,
            thread: Some(thread),
            watch,
        })
    }

    /// The watch of the application's configuration file, when the client runs one.
    pub fn config_watch(&self) -> Option<&ConfigWatch> {
        self.watch.as_ref()
    }

    /// What the agent knows now.
    pub fn status(&self) -> CloudStatus {
        lock(&self.shared.status).clone()
    }

    /// Stops the thread and waits for it (at most the request in flight).
    pub fn stop(mut self) {
        self.signal_stop();
        if let Some(w) = self.watch.take() {
            w.stop();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn signal_stop(&self) {
        lock(&self.shared.control).stop = true;
        self.shared.wake.notify_all();
    }
}

impl Drop for CloudClient {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// The thread's state.
struct Worker {
    options: CloudOptions,
    hooks: Arc<dyn CloudHooks>,
    shared: Arc<Shared>,
    agent: ureq::Agent,
    /// The remote configuration in force (from the cache or the server).
    remote: Option<RemoteConfig>,
    connected: bool,
    /// `None` before the first exchange; then whether the last one succeeded.
    healthy: Option<bool>,
    /// The failure last reported, so that one outage is reported once.
    reported: Option<std::mem::Discriminant<Failure>>,
    /// The refused configuration last reported.
    refused: Option<Vec<String>>,
    backoff: Backoff,
    /// Cumulative counters at the last successful beacon.
    sent: RequestCounters,
    /// IPs the server knows about (sent by this agent or received from the server).
    known: HashSet<String>,
    stats: ProcessStats,
    said_no_url: bool,
    /// This process's instance id, sent in connect and beacon (see [`instance_id`]).
    instance: String,
}

/// A new instance id: 128 random bits from the OS, in hex (32 digits). Drawn when a client
/// starts, so each worker process has its own (the Python package starts a new client after a
/// fork); hostname and pid would collide across containers, where every app is pid 1. Should the
/// OS refuse randomness, `fastrand` (seeded per thread) stands in: a duplicate id only makes two
/// processes share deliveries again, as they did without ids.
fn instance_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = fastrand::u128(..).to_le_bytes();
    }
    hex::encode(bytes)
}

impl Worker {
    fn new(options: CloudOptions, hooks: Arc<dyn CloudHooks>, shared: Arc<Shared>) -> Worker {
        Worker {
            agent: http::agent(options.timeout),
            options,
            hooks,
            shared,
            remote: None,
            connected: false,
            healthy: None,
            reported: None,
            refused: None,
            backoff: Backoff::new(),
            sent: RequestCounters::default(),
            known: HashSet::new(),
            stats: ProcessStats::default(),
            said_no_url: false,
            instance: instance_id(),
        }
    }

    fn status(&self) -> MutexGuard<'_, CloudStatus> {
        lock(&self.shared.status)
    }

    /// Applies the cached configuration, if any.
    fn apply_cache(&mut self) {
        let Some(path) = self.options.cache_path.clone() else {
            return;
        };
        match RemoteConfig::load(&path) {
            Ok(None) => {}
            Ok(Some(remote)) => {
                if self.apply(remote) {
                    self.status().source = crate::ConfigSource::Cache;
                }
            }
            Err(e) => self
                .hooks
                .notice(&format!("ignoring the cached remote configuration: {e}")),
        }
    }

    fn run(mut self) {
        loop {
            let pause = if self.connected {
                self.beacon_tick()
            } else {
                self.connect()
            };
            if self.wait(pause) {
                return;
            }
        }
    }

    /// Sleeps for `pause`; true when asked to stop.
    fn wait(&self, pause: Duration) -> bool {
        let deadline = Instant::now() + pause;
        let mut control = lock(&self.shared.control);
        loop {
            if control.stop {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            control = self
                .shared
                .wake
                .wait_timeout(control, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The pause after a failed connect: from 1 s (or `BEACON_DELAY`, when shorter).
    fn retry_pause(&mut self) -> Duration {
        let delay = self.hooks.beacon_settings().delay;
        self.backoff
            .next(FIRST_RETRY.min(delay), self.options.retry_max)
    }

    /// Connects; the pause before the next step.
    fn connect(&mut self) -> Duration {
        let body = ConnectRequest {
            key: self.options.key.clone(),
            version: self.options.version.clone(),
            platform: self.options.platform.clone(),
            routes: self.options.routes.clone(),
            instance: Some(self.instance.clone()),
        };
        let url = self.options.url.clone();
        match http::post::<ConnectData>(&self.agent, &url, &body, self.options.max_response_bytes) {
            Ok(data) => {
                self.connected = true;
                self.succeeded();
                let change = RemoteConfig::from_connect(&data);
                self.take(change);
                if let Some(list) = &data.blacklist {
                    let entries: Vec<BlacklistEntry> = list
                        .iter()
                        .map(|(ip, since)| BlacklistEntry::new(ip.clone(), *since))
                        .collect();
                    self.hooks.add_blacklist_entries(&entries);
                    self.known.extend(list.keys().cloned());
                }
                self.status().connects += 1;
                self.hooks.beacon_settings().delay
            }
            Err(f) => {
                self.failed(f);
                self.retry_pause()
            }
        }
    }

    /// One beacon tick; the pause before the next one.
    fn beacon_tick(&mut self) -> Duration {
        let settings = self.hooks.beacon_settings();
        if !settings.enabled {
            return settings.delay;
        }
        let Some(url) = settings
            .url
            .clone()
            .or_else(|| self.options.derived_beacon_url())
        else {
            if !self.said_no_url {
                self.said_no_url = true;
                self.hooks.notice(
                    "BEACON is on but BEACON_URL is not set and cannot be derived from the \
                     connect URL: no beacons",
                );
            }
            return settings.delay;
        };
        self.said_no_url = false;
        let counters = self.hooks.counters();
        let delta: Vec<BlacklistEntry> = if settings.share_blacklist {
            let live = self.hooks.blacklist();
            let ips: HashSet<&str> = live.iter().map(|e| e.ip.as_str()).collect();
            // An IP that left the blacklist and comes back is news again.
            self.known.retain(|ip| ips.contains(ip.as_str()));
            live.into_iter()
                .filter(|e| !self.known.contains(&e.ip))
                .take(MAX_SHARED_PER_BEACON)
                .collect()
        } else {
            Vec::new()
        };
        let telemetry = settings.telemetry.then(|| {
            let (cpu, memory) = self.stats.sample();
            Telemetry {
                cpu,
                memory,
                requests: RequestCounters {
                    success: counters.success.saturating_sub(self.sent.success),
                    errors: counters.errors.saturating_sub(self.sent.errors),
                    attacks: counters.attacks.saturating_sub(self.sent.attacks),
                },
            }
        });
        let body = BeaconRequest {
            key: Some(self.options.key.clone()),
            version: self.options.version.clone(),
            telemetry,
            blacklist: settings.share_blacklist.then(|| delta.clone()),
            instance: Some(self.instance.clone()),
        };
        match http::post::<BeaconData>(&self.agent, &url, &body, self.options.max_response_bytes) {
            Ok(data) => {
                self.succeeded();
                self.sent = counters;
                self.known.extend(delta.into_iter().map(|e| e.ip));
                self.beacon_answer(&data);
                self.status().beacons += 1;
                self.hooks.beacon_settings().delay
            }
            Err(f) => {
                self.failed(f);
                // Never faster than the beacons themselves: a struggling server gets fewer
                // requests, not more.
                let max = self.options.retry_max.max(settings.delay);
                self.backoff.next(settings.delay, max)
            }
        }
    }

    fn beacon_answer(&mut self, data: &BeaconData) {
        let held = self.remote.clone().unwrap_or_default();
        let change = held.after_beacon(data);
        self.take(change);
        if let Some(delta) = &data.blacklist {
            if !delta.new.is_empty() {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
                let entries: Vec<BlacklistEntry> = delta
                    .new
                    .iter()
                    .map(|ip| BlacklistEntry::new(ip.clone(), now))
                    .collect();
                self.hooks.add_blacklist_entries(&entries);
                self.known.extend(delta.new.iter().cloned());
            }
            if !delta.remove.is_empty() {
                self.hooks.remove_blacklist_entries(&delta.remove);
                for ip in &delta.remove {
                    self.known.remove(ip);
                }
            }
        }
    }

    /// Applies a change from the server (notices first).
    fn take(&mut self, change: crate::remote::Change) {
        for n in &change.notices {
            self.hooks.notice(n);
        }
        let accepted = match change.remote {
            Some(remote) if Some(&remote) != self.remote.as_ref() => {
                let ok = self.apply(remote);
                if ok {
                    self.save_cache();
                }
                ok
            }
            // The server confirmed what the agent runs (from the cache, say).
            _ => self.remote.is_some(),
        };
        if accepted {
            self.status().source = crate::ConfigSource::Cloud;
        }
    }

    /// Applies `remote` through the hooks; true when it was accepted.
    fn apply(&mut self, remote: RemoteConfig) -> bool {
        match self.hooks.apply_config(&remote) {
            Ok(()) => {
                self.refused = None;
                let mut status = self.status();
                status.refused_config = None;
                status.remote = Some(remote.clone());
                drop(status);
                self.remote = Some(remote);
                true
            }
            Err(errors) => {
                if self.refused.as_ref() != Some(&errors) {
                    self.hooks.notice(&format!(
                        "refused the configuration from the management server, keeping the \
                         running one: {}",
                        errors.join("; ")
                    ));
                }
                self.refused = Some(errors.clone());
                self.status().refused_config = Some(errors);
                false
            }
        }
    }

    fn save_cache(&self) {
        if let (Some(path), Some(remote)) = (&self.options.cache_path, &self.remote)
            && let Err(e) = remote.save(path)
        {
            self.hooks
                .notice(&format!("cannot keep the remote configuration: {e}"));
        }
    }

    fn succeeded(&mut self) {
        self.backoff.reset();
        if self.healthy == Some(false) {
            self.hooks
                .notice("the management server is reachable again");
        }
        self.healthy = Some(true);
        self.reported = None;
        let mut status = self.status();
        status.connected = true;
        status.last_error = None;
    }

    fn failed(&mut self, failure: Failure) {
        let kind = std::mem::discriminant(&failure);
        if self.reported != Some(kind) {
            let running = match (&self.remote, self.connected) {
                (None, _) => "the local configuration",
                (Some(_), false) => "the cached configuration",
                (Some(_), true) => "the last configuration received",
            };
            self.hooks
                .notice(&format!("{failure}: running on {running}"));
            self.reported = Some(kind);
        }
        self.healthy = Some(false);
        let mut status = self.status();
        status.connected = false;
        status.failures += 1;
        status.last_error = Some(failure);
    }
}
