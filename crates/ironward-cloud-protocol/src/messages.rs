//! The connect and beacon messages, requests and answer payloads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;

/// An untyped configuration object: pyrasp configuration keys (`SECURITY_CHECKS`, `BEACON_DELAY`,
/// …) to JSON values, possibly with dotted `SECURITY_CHECKS.<check>` keys that change one check.
pub type ConfigMap = serde_json::Map<String, serde_json::Value>;

/// Body of the connect `POST` sent by an agent to `cloud_url` at start-up.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectRequest {
    /// The agent key (pyrasp: `key` argument or `PYRASP_KEY`). Sent in the body, not in a header.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub key: String,
    /// The agent's package version, e.g. `"0.10.2"`.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub version: String,
    /// The framework adapter, e.g. `"Flask"`, `"FastAPI"`, `"Django"`, `"ASGI"`, `"WSGI"`.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub platform: String,
    /// The application's routes by endpoint name. Adapters that cannot list routes send `{}`
    /// (serverless ones `[]`, which reads as empty).
    #[serde(default, deserialize_with = "de::routes")]
    pub routes: BTreeMap<String, Route>,
    /// Ironward extension: this agent process's instance id (random per process, new after a
    /// fork), so that a server tracks what it delivered to each of several worker processes that
    /// share one key. pyrasp does not send it; pyrasp-compatible servers ignore it (unknown
    /// fields are ignored). A non-string reads as absent.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance: Option<String>,
}

/// One route of the application, as listed by the framework.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Route {
    /// Allowed methods, upper case, in the framework's (unspecified) order, e.g. `["GET", "HEAD"]`.
    #[serde(default)]
    pub methods: Vec<String>,
    /// The framework's route pattern, e.g. `/items/<int:item_id>`.
    #[serde(default)]
    pub path: String,
}

/// Payload of a connect answer: the agent's remote configuration layer and the current blacklist.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectData {
    /// The remote configuration layer, **partial**: it is layered over the agent's defaults,
    /// template and local file, key by key. Absent or empty: the agent keeps its local config.
    #[serde(
        default,
        deserialize_with = "de::object_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub config: Option<ConfigMap>,
    /// The configuration template to run (see [`crate::KNOWN_TEMPLATES`]); overrides the one the
    /// application chose.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub template: Option<String>,
    /// The blacklist to start with: IP → epoch seconds when it was blacklisted (it expires
    /// `BLACKLIST_DELAY` seconds later). Replaces the agent's blacklist.
    #[serde(
        default,
        deserialize_with = "de::epoch_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub blacklist: Option<BTreeMap<String, i64>>,
}

/// Body of the beacon `POST` sent every `BEACON_DELAY` seconds to `BEACON_URL`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BeaconRequest {
    /// The agent key, as in [`ConnectRequest::key`]. pyrasp sends `null` when beacons are enabled
    /// by local configuration without a `cloud_url` (it reads the key only when it connects); a
    /// server answers such a beacon as an invalid key.
    #[serde(default)]
    pub key: Option<String>,
    /// The agent's package version.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub version: String,
    /// Present when the agent's `TELEMETRY_DATA` is on.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub telemetry: Option<Telemetry>,
    /// Present when the agent's `BLACKLIST_SHARE` is on: the IPs blacklisted since the last
    /// successful beacon (an empty list when there are none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blacklist: Option<Vec<BlacklistEntry>>,
    /// Ironward extension: this agent process's instance id (random per process, new after a
    /// fork), so that a server tracks what it delivered to each of several worker processes that
    /// share one key. pyrasp does not send it; pyrasp-compatible servers ignore it (unknown
    /// fields are ignored). A non-string reads as absent.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance: Option<String>,
}

/// Host and traffic figures sent with a beacon.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Telemetry {
    /// Host CPU use in percent (psutil's `cpu_percent()`, system-wide since the previous call).
    #[serde(default)]
    pub cpu: f64,
    /// Host memory use in percent (psutil's `virtual_memory().percent`).
    #[serde(default)]
    pub memory: f64,
    /// Request counters since the last successful beacon.
    #[serde(default)]
    pub requests: RequestCounters,
}

/// Request counters, reset by the agent after each successful beacon (and only then: after a
/// failed beacon they keep counting, so the next beacon carries the sum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestCounters {
    /// Responses with status 200 and no attack.
    #[serde(default)]
    pub success: u64,
    /// Responses with any other status and no attack.
    #[serde(default)]
    pub errors: u64,
    /// Requests with an attack (blocked or logged), blacklist hits included.
    #[serde(default)]
    pub attacks: u64,
}

/// One blacklisted IP, on the wire as a two-element array `[ip, epoch_seconds]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BlacklistEntryWire", into = "BlacklistEntryWire")]
pub struct BlacklistEntry {
    /// The source IP as the agent saw it.
    pub ip: String,
    /// When it was blacklisted, in whole epoch seconds.
    pub since: i64,
}

impl BlacklistEntry {
    /// An entry for `ip` blacklisted at `since` (epoch seconds).
    pub fn new(ip: impl Into<String>, since: i64) -> Self {
        Self {
            ip: ip.into(),
            since,
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct BlacklistEntryWire(String, #[serde(deserialize_with = "de::epoch_seconds")] i64);

impl From<BlacklistEntryWire> for BlacklistEntry {
    fn from(BlacklistEntryWire(ip, since): BlacklistEntryWire) -> Self {
        Self { ip, since }
    }
}

impl From<BlacklistEntry> for BlacklistEntryWire {
    fn from(entry: BlacklistEntry) -> Self {
        Self(entry.ip, entry.since)
    }
}

/// Payload of a beacon answer: configuration changes and blacklist changes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BeaconData {
    /// Configuration keys to change. With no `template` (or the running one) they are merged
    /// into the agent's remote layer key by key; with another known template the template is
    /// switched and the remote layer **replaced** by this map. Absent or empty: nothing changes,
    /// and a `template` alone is ignored.
    #[serde(
        default,
        deserialize_with = "de::object_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub config: Option<ConfigMap>,
    /// The template to switch to, applied only together with a non-empty `config`.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub template: Option<String>,
    /// Blacklist changes shared from the fleet.
    #[serde(
        default,
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub blacklist: Option<BlacklistDelta>,
}

impl BeaconData {
    /// The blacklist delta, created empty if absent.
    pub fn blacklist_mut(&mut self) -> &mut BlacklistDelta {
        self.blacklist.get_or_insert_with(BlacklistDelta::default)
    }
}

/// Blacklist changes in a beacon answer. Note the shape differs from the connect answer's
/// IP → epoch map: here are plain IP lists, and the agent stamps `new` entries with its own clock.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BlacklistDelta {
    /// IPs to blacklist now (an IP already blacklisted keeps its original time).
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub new: Vec<String>,
    /// IPs to remove from the blacklist.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub remove: Vec<String>,
}
