//! The remote configuration layer an agent holds, and how connect and beacon answers change it
//! (pyrasp 0.10.2's rules, `docs/management-protocol.md`), and its cache file.
//!
//! * **connect**: the answer's `config` becomes the layer (replacing it) and its `template`, if
//!   any, the template;
//! * **beacon**: a non-empty `config` with no template, the running one, or an unknown one is
//!   **merged** key by key; with another known template the template is switched and the layer
//!   **replaced**. A template without a non-empty `config` is ignored.
//!
//! Keys the agent must not take from a server ([`LOCAL_ONLY_PREFIX`]) are dropped first.

use ironward_cloud_protocol::{BeaconData, ConfigMap, ConnectData};
use ironward_core::config::Template;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Keys with this prefix (`CLOUD_TIMEOUT_MS`, `CLOUD_CACHE_PATH`, …) are never taken from a
/// server: they say how the agent reaches the server and where it writes its cache.
pub const LOCAL_ONLY_PREFIX: &str = "CLOUD_";

/// Version of the cache file's format.
pub const CACHE_VERSION: u32 = 1;

/// The configuration a management server gave: a template (or none: the application's own)
/// and a partial layer of keys over the local configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RemoteConfig {
    /// The template the server chose, if any (a name [`Template::from_name`] knows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The remote layer: keys that override the local file (and are overridden by explicit
    /// parameters), possibly with dotted `SECURITY_CHECKS.<check>` keys.
    #[serde(default)]
    pub config: ConfigMap,
}

/// What a server's answer did to the remote configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Change {
    /// The new remote configuration, when it changed.
    pub(crate) remote: Option<RemoteConfig>,
    /// Things to tell the operator (unknown template, dropped keys).
    pub(crate) notices: Vec<String>,
}

impl RemoteConfig {
    /// The configuration a connect answer gives (it replaces whatever was held).
    pub(crate) fn from_connect(data: &ConnectData) -> Change {
        let mut notices = Vec::new();
        let config = data
            .config
            .clone()
            .map(|c| strip_local_only(c, &mut notices))
            .unwrap_or_default();
        let template = known_template(data.template.as_deref(), &mut notices);
        Change {
            remote: Some(RemoteConfig { template, config }),
            notices,
        }
    }

    /// The configuration after a beacon answer, or `None` in [`Change::remote`] when it left
    /// it as it was.
    pub(crate) fn after_beacon(&self, data: &BeaconData) -> Change {
        let mut notices = Vec::new();
        let Some(config) = data.config.clone().filter(|c| !c.is_empty()) else {
            return Change {
                remote: None,
                notices,
            };
        };
        let config = strip_local_only(config, &mut notices);
        let template = known_template(data.template.as_deref(), &mut notices);
        let remote = match template {
            Some(t) if Some(&t) != self.template.as_ref() => RemoteConfig {
                template: Some(t),
                config,
            },
            _ => {
                let mut merged = self.clone();
                merged.config.extend(config);
                merged
            }
        };
        Change {
            remote: (remote != *self).then_some(remote),
            notices,
        }
    }

    /// Reads a cache file written by [`save`](Self::save). A missing file is `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<RemoteConfig>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let file: CacheFile =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if file.version != CACHE_VERSION {
            return Err(format!(
                "{}: cache format {} (this agent reads {CACHE_VERSION})",
                path.display(),
                file.version
            ));
        }
        let mut notices = Vec::new();
        let mut remote = file.remote;
        remote.config = strip_local_only(remote.config, &mut notices);
        Ok(Some(remote))
    }

    /// Writes the cache file: to a temporary file next to it, then renamed over it, so a crash
    /// never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let file = CacheFile {
            version: CACHE_VERSION,
            remote: self.clone(),
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The cache file: `{"version": 1, "template": …, "config": {…}}`.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    #[serde(flatten)]
    remote: RemoteConfig,
}

fn strip_local_only(mut config: ConfigMap, notices: &mut Vec<String>) -> ConfigMap {
    let dropped: Vec<String> = config
        .keys()
        .filter(|k| k.starts_with(LOCAL_ONLY_PREFIX))
        .cloned()
        .collect();
    for k in &dropped {
        config.remove(k);
    }
    if !dropped.is_empty() {
        notices.push(format!(
            "ignored {} from the management server: {LOCAL_ONLY_PREFIX}* keys are local only",
            dropped.join(", ")
        ));
    }
    config
}

fn known_template(name: Option<&str>, notices: &mut Vec<String>) -> Option<String> {
    let name = name?;
    if Template::from_name(name).is_some() {
        Some(name.to_owned())
    } else {
        let shown: String = name.chars().take(40).collect();
        notices.push(format!(
            "unknown template {shown:?} from the management server: keeping the running one"
        ));
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn connect_replaces_and_drops_local_only_keys() {
        let c = RemoteConfig::from_connect(&data(json!({
            "config": {"XSS_PROBA": 0.5, "CLOUD_CACHE_PATH": "/etc/passwd"},
            "template": "audit"})));
        let r = c.remote.unwrap();
        assert_eq!(r.template.as_deref(), Some("audit"));
        assert_eq!(r.config, data::<ConfigMap>(json!({"XSS_PROBA": 0.5})));
        assert!(c.notices[0].contains("CLOUD_CACHE_PATH"), "{:?}", c.notices);
    }

    #[test]
    fn beacons_merge_or_switch_as_pyrasp_does() {
        let held = RemoteConfig {
            template: Some("default".into()),
            config: data(json!({"XSS_PROBA": 0.5, "BEACON_DELAY": 1})),
        };
        // No template: merged.
        let m = held.after_beacon(&data(json!({"config": {"SECURITY_CHECKS.xss": 0}})));
        let r = m.remote.unwrap();
        assert_eq!(r.config.len(), 3);
        assert_eq!(r.template.as_deref(), Some("default"));
        // The running template: merged.
        let m = held.after_beacon(&data(
            json!({"config": {"XSS_PROBA": 0.7}, "template": "default"}),
        ));
        assert_eq!(m.remote.unwrap().config["BEACON_DELAY"], 1);
        // Another known template: switched, layer replaced.
        let m = held.after_beacon(&data(
            json!({"config": {"XSS_PROBA": 0.7}, "template": "audit"}),
        ));
        let r = m.remote.unwrap();
        assert_eq!((r.template.as_deref(), r.config.len()), (Some("audit"), 1));
        // Unknown template: merged, with a notice.
        let m = held.after_beacon(&data(
            json!({"config": {"XSS_PROBA": 0.7}, "template": "nope"}),
        ));
        assert_eq!(m.remote.unwrap().config.len(), 2);
        assert_eq!(m.notices.len(), 1);
        // A template alone, an empty config, the same values: nothing changes.
        for d in [
            json!({"template": "audit"}),
            json!({"config": {}}),
            json!({"config": {"XSS_PROBA": 0.5}}),
        ] {
            assert_eq!(held.after_beacon(&data(d.clone())).remote, None, "{d}");
        }
    }

    #[test]
    fn the_cache_round_trips_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("remote.json");
        assert_eq!(RemoteConfig::load(&path).unwrap(), None);
        let r = RemoteConfig {
            template: Some("audit".into()),
            config: data(json!({"FLOOD_RATIO": 7})),
        };
        r.save(&path).unwrap();
        assert_eq!(RemoteConfig::load(&path).unwrap(), Some(r));
        std::fs::write(&path, "{not json").unwrap();
        assert!(RemoteConfig::load(&path).is_err());
        std::fs::write(&path, r#"{"version": 99, "config": {}}"#).unwrap();
        assert!(RemoteConfig::load(&path).unwrap_err().contains("format 99"));
    }
}
