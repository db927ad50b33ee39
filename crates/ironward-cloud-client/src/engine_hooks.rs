//! [`EngineHooks`]: the ready-made [`CloudHooks`] (and [`FileHooks`]) of a Rust application,
//! over a [`SharedEngine`]. A remote configuration is loaded as the `remote` layer over the
//! application's [`LocalLayers`] and swapped in with [`SharedEngine::reconfigure`] (blacklist
//! and counters carry over; a refused configuration leaves the running engine in place). A
//! changed local file replaces the file layer the same way, under the remote layer in force:
//! both kinds of change go through one lock, so neither loses the other.

use crate::hooks::{BeaconSettings, CloudHooks};
use crate::local_watch::{FileHooks, MAX_CONFIG_FILE_BYTES};
use crate::remote::RemoteConfig;
use ironward_cloud_protocol::{BlacklistEntry, RequestCounters};
use ironward_core::config::{ConfigErrors, ConfigSources, Loaded, load_with_remote};
use ironward_core::metrics::{MetricsSnapshot, STATUS_CLASSES};
use ironward_core::reload::SharedEngine;
use ironward_core::{Config, Engine};
use serde_json::Value;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The application's own configuration layers, below and above the remote one:
/// defaults < template < file < **remote** < params (pyrasp's order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalLayers {
    /// The application's template (`None`: `default`). A template sent by the server
    /// replaces it.
    pub template: Option<String>,
    /// The JSON text of the application's configuration file.
    pub file: Option<String>,
    /// The file's name, for messages.
    pub file_name: Option<String>,
    /// Explicit parameters (a JSON object): they override the server.
    pub params: Option<Value>,
    /// Where the file was read, when it was: watched for changes by
    /// [`CloudClient::start`](crate::CloudClient::start) (`CONFIG_RELOAD_INTERVAL`).
    pub path: Option<PathBuf>,
}

impl LocalLayers {
    /// Layers holding one configuration built in code, as a file layer: a remote layer changes
    /// the keys it sends, and **a remote template has no effect** (the layer sets every key).
    /// Prefer the real layers (template, file, params) when the application has them.
    pub fn from_config(config: &Config) -> LocalLayers {
        LocalLayers {
            file: serde_json::to_string(config).ok(),
            file_name: Some("local configuration".to_owned()),
            ..LocalLayers::default()
        }
    }

    /// The layers of an application configured by the file at `path` (read now, at most
    /// [`MAX_CONFIG_FILE_BYTES`]) over `template`, under `params`.
    pub fn from_file(
        path: impl AsRef<Path>,
        template: Option<String>,
        params: Option<Value>,
    ) -> Result<LocalLayers, std::io::Error> {
        let path = path.as_ref();
        let mut text = String::new();
        std::fs::File::open(path)?
            .take(MAX_CONFIG_FILE_BYTES + 1)
            .read_to_string(&mut text)?;
        if text.len() as u64 > MAX_CONFIG_FILE_BYTES {
            return Err(std::io::Error::other(format!(
                "{}: larger than {MAX_CONFIG_FILE_BYTES} bytes",
                path.display()
            )));
        }
        Ok(LocalLayers {
            template,
            file: Some(text),
            file_name: Some(path.display().to_string()),
            params,
            path: Some(path.to_owned()),
        })
    }

    /// Loads the configuration with `remote` as its remote layer (and template, when it has
    /// one).
    pub fn load(&self, remote: Option<&RemoteConfig>) -> Result<Loaded, ConfigErrors> {
        let template = remote
            .and_then(|r| r.template.as_deref())
            .or(self.template.as_deref());
        let layer = remote.map(|r| Value::Object(r.config.clone()));
        load_with_remote(
            &ConfigSources {
                template,
                file: self.file.as_deref(),
                file_name: self.file_name.as_deref(),
                params: self.params.as_ref(),
            },
            layer.as_ref(),
        )
    }
}

type CounterFn = dyn Fn() -> RequestCounters + Send + Sync;

/// pyrasp's request counters from an engine's metrics (cumulative): responses with a 2xx
/// status are `success`, every other status an `error`, and `attacks` the verdicts with a
/// finding. The adapters record response statuses (the tower layer, the actix middleware, the
/// Python adapters); an engine driven by hand counts attacks only.
pub fn counters_from_metrics(snapshot: &MetricsSnapshot) -> RequestCounters {
    let success = snapshot.responses(1);
    let all: u64 = (0..STATUS_CLASSES.len())
        .map(|c| snapshot.responses(c))
        .sum();
    RequestCounters {
        success,
        errors: all.saturating_sub(success),
        attacks: snapshot.attacks,
    }
}

/// The layers in force: the local ones (the file replaced when it changes) and the remote one
/// last accepted.
#[derive(Debug)]
struct Layers {
    local: LocalLayers,
    remote: Option<RemoteConfig>,
    /// The state-shaping keys last reported as needing a restart.
    restart_keys: Vec<&'static str>,
}

/// [`CloudHooks`] and [`FileHooks`] over a [`SharedEngine`]: configurations are rebuilt and
/// swapped in, the blacklist is the engine's (its state store: local or shared by every
/// worker).
pub struct EngineHooks {
    shared: SharedEngine,
    /// Taken for a whole reconfiguration (never on a request path).
    layers: Mutex<Layers>,
    counters: Option<Box<CounterFn>>,
}

impl std::fmt::Debug for EngineHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHooks")
            .field("shared", &self.shared)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl EngineHooks {
    /// Hooks for `shared`, whose local configuration is `local`.
    pub fn new(shared: SharedEngine, local: LocalLayers) -> EngineHooks {
        EngineHooks {
            shared,
            layers: Mutex::new(Layers {
                local,
                remote: None,
                restart_keys: Vec::new(),
            }),
            counters: None,
        }
    }

    /// Where the request counters sent as telemetry come from (cumulative since start);
    /// without it, from the engine's metrics ([`counters_from_metrics`]), which carry over
    /// reloads.
    #[must_use]
    pub fn with_counters(
        mut self,
        counters: impl Fn() -> RequestCounters + Send + Sync + 'static,
    ) -> EngineHooks {
        self.counters = Some(Box::new(counters));
        self
    }

    /// The handle whose engine these hooks replace.
    pub fn shared(&self) -> &SharedEngine {
        &self.shared
    }

    /// The local layers in force (the file's text as last applied).
    pub fn local(&self) -> LocalLayers {
        self.lock().local.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Layers> {
        self.layers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads `local` under `remote`, swaps the engine in and, on success, makes them the
    /// layers in force. `by` says who changed them, for the restart notice.
    fn reconfigure(
        &self,
        layers: &mut Layers,
        local: Option<LocalLayers>,
        remote: Option<RemoteConfig>,
        by: &str,
    ) -> Result<(), Vec<String>> {
        let loaded = local
            .as_ref()
            .unwrap_or(&layers.local)
            .load(remote.as_ref().or(layers.remote.as_ref()))
            .map_err(|e| e.0.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        let restart = self.shared.load().state_keys_changed(&loaded.config);
        self.shared
            .reconfigure(loaded.config)
            .map_err(|e| e.messages())?;
        if let Some(local) = local {
            layers.local = local;
        }
        if remote.is_some() {
            layers.remote = remote;
        }
        if !restart.is_empty() && layers.restart_keys != restart {
            CloudHooks::notice(
                self,
                &format!(
                    "{} changed {by}: takes effect at the next start",
                    restart.join(", ")
                ),
            );
        }
        layers.restart_keys = restart;
        Ok(())
    }
}

impl FileHooks for EngineHooks {
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        let mut layers = self.lock();
        let local = LocalLayers {
            file: Some(text.to_owned()),
            ..layers.local.clone()
        };
        self.reconfigure(&mut layers, Some(local), None, "in the configuration file")
    }

    fn notice(&self, message: &str) {
        CloudHooks::notice(self, message);
    }
}

impl CloudHooks for EngineHooks {
    fn apply_config(&self, remote: &RemoteConfig) -> Result<(), Vec<String>> {
        let mut layers = self.lock();
        self.reconfigure(
            &mut layers,
            None,
            Some(remote.clone()),
            "by the management server",
        )
    }

    fn config_file(&self) -> Option<(PathBuf, Option<String>)> {
        let layers = self.lock();
        let path = layers.local.path.clone()?;
        Some((path, layers.local.file.clone()))
    }

    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        FileHooks::apply_file(self, text)
    }

    fn beacon_settings(&self) -> BeaconSettings {
        BeaconSettings::from_config(self.shared.load().config())
    }

    fn counters(&self) -> RequestCounters {
        match &self.counters {
            Some(f) => f(),
            None => counters_from_metrics(&self.shared.load().metrics().snapshot()),
        }
    }

    fn blacklist(&self) -> Vec<BlacklistEntry> {
        shared_blacklist(&self.shared.load())
    }

    fn add_blacklist_entries(&self, entries: &[BlacklistEntry]) {
        add_shared_entries(&self.shared.load(), entries);
    }

    fn remove_blacklist_entries(&self, ips: &[String]) {
        remove_shared_entries(&self.shared.load(), ips);
    }
}

/// The blacklist an engine shares with the fleet: every live entry of its state store, each
/// stamped with the time it was blacklisted (its expiry less `BLACKLIST_DELAY`), as pyrasp's
/// `[ip, epoch]` pairs. For [`CloudHooks::blacklist`] implementations over an engine.
pub fn shared_blacklist(engine: &Engine) -> Vec<BlacklistEntry> {
    let now_ms = engine.now_ms();
    let delay = i64::try_from(engine.config().blacklist_delay).unwrap_or(i64::MAX);
    engine
        .state()
        .blacklist_entries(now_ms)
        .into_iter()
        .map(|e| {
            let since = (e.expires_ms / 1000)
                .saturating_sub(delay)
                .min(now_ms / 1000);
            BlacklistEntry::new(e.ip.to_string(), since)
        })
        .collect()
}

/// Adds the fleet's entries to an engine's blacklist, through its state store (with
/// `SHARED_STATE_URL`, written to Redis and published to every worker): each until its time
/// plus `BLACKLIST_DELAY`; expired entries and unparsable IPs are skipped.
pub fn add_shared_entries(engine: &Engine, entries: &[BlacklistEntry]) {
    let now_ms = engine.now_ms();
    let delay = i64::try_from(engine.config().blacklist_delay).unwrap_or(i64::MAX);
    for e in entries {
        let Ok(ip) = e.ip.trim().parse::<IpAddr>() else {
            continue;
        };
        let expires_ms = e.since.saturating_add(delay).saturating_mul(1000);
        if expires_ms > now_ms {
            engine.blacklist_insert(ip, expires_ms);
        }
    }
}

/// Removes the IPs the server took off the fleet's blacklist (unparsable ones are skipped).
pub fn remove_shared_entries(engine: &Engine, ips: &[String]) {
    for ip in ips {
        if let Ok(ip) = ip.trim().parse::<IpAddr>() {
            engine.blacklist_remove(ip);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ironward_core::{Engine, Request};

    #[test]
    fn counters_come_from_the_metrics_and_survive_a_reload() {
        let local = LocalLayers::default();
        let shared = SharedEngine::new(Engine::new(local.load(None).unwrap().config).unwrap());
        let hooks = EngineHooks::new(shared.clone(), local);
        let engine = shared.load();
        let peer = "203.0.113.9".parse().unwrap();
        engine.inspect_request(&Request::new("GET", "/.env").with_peer(peer));
        for status in [200, 204, 404, 403] {
            engine.metrics().record_response_status(status);
        }
        hooks.apply_config(&RemoteConfig::default()).unwrap();
        assert_eq!(shared.generation(), 1);
        let c = hooks.counters();
        assert_eq!((c.success, c.errors, c.attacks), (2, 2, 1));
        // The blacklist entry of that decoy hit, with the time it was made.
        let b = hooks.blacklist();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].ip, "203.0.113.9");
        assert!((engine.now_ms() / 1000 - b[0].since).abs() <= 1, "{b:?}");
        hooks.remove_blacklist_entries(&["203.0.113.9".to_owned()]);
        assert!(hooks.blacklist().is_empty());
        hooks.add_blacklist_entries(&[
            BlacklistEntry::new("198.51.100.1", engine.now_ms() / 1000),
            BlacklistEntry::new("198.51.100.2", 0),
            BlacklistEntry::new("not an ip", engine.now_ms() / 1000),
        ]);
        let ips: Vec<String> = hooks.blacklist().into_iter().map(|e| e.ip).collect();
        assert_eq!(
            ips,
            ["198.51.100.1"],
            "expired and invalid entries are skipped"
        );
    }
}
