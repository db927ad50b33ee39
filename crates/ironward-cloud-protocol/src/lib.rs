//! Wire types of the management protocol that pyrasp 0.10.2 agents speak to their "cloud", which
//! Ironward's agents and `ironward server` speak too (issue 14).
//!
//! The protocol is two JSON-over-HTTP `POST`s, documented with captured examples in
//! `docs/management-protocol.md`:
//!
//! * **connect** ([`ConnectRequest`] → [`Envelope`]`<`[`ConnectData`]`>`), once at start-up, to
//!   `cloud_url`: the agent sends its key, version, platform and route map and receives its
//!   configuration, template and current blacklist;
//! * **beacon** ([`BeaconRequest`] → [`Envelope`]`<`[`BeaconData`]`>`), every `BEACON_DELAY`
//!   seconds, to `BEACON_URL`: the agent sends telemetry and the IPs it blacklisted since the last
//!   successful beacon, and receives configuration changes and a [`BlacklistDelta`].
//!
//! The types are **tolerant on input** (unknown fields are ignored, optional fields may be absent,
//! a `data.config` that is not an object reads as absent) and **exact on output** (field names and
//! shapes as pyrasp sends and expects them; optional fields that are `None` are left out, as pyrasp
//! leaves them out). Configuration maps stay untyped ([`ConfigMap`]): validating keys is the
//! engine's job, and pyrasp passes unknown keys through.
//!
//! ```
//! use ironward_cloud_protocol::{BeaconData, BeaconRequest, BlacklistEntry, Envelope};
//!
//! // What a pyrasp 0.10.2 agent sends when it blacklisted one IP since its last beacon.
//! let body = r#"{"key": "k", "version": "0.10.2",
//!     "telemetry": {"cpu": 12.5, "memory": 40.1, "requests": {"success": 3, "errors": 0, "attacks": 1}},
//!     "blacklist": [["198.51.100.7", 1796519265]]}"#;
//! let beacon: BeaconRequest = serde_json::from_str(body)?;
//! assert_eq!(beacon.blacklist, Some(vec![BlacklistEntry::new("198.51.100.7", 1796519265)]));
//!
//! // The server's answer: share another agent's blacklist entry, change one key.
//! let mut data = BeaconData::default();
//! data.blacklist_mut().new.push("203.0.113.9".to_owned());
//! data.config = Some(serde_json::from_str(r#"{"SECURITY_CHECKS.xss": 1}"#)?);
//! let reply = serde_json::to_value(Envelope::ok("ok", data))?;
//! assert_eq!(reply["data"]["blacklist"]["new"][0], "203.0.113.9");
//! assert_eq!(reply["status"], true);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod de;
mod envelope;
mod messages;

pub use envelope::Envelope;
pub use messages::{
    BeaconData, BeaconRequest, BlacklistDelta, BlacklistEntry, ConfigMap, ConnectData,
    ConnectRequest, RequestCounters, Route, Telemetry,
};

/// Version of this wire contract, bumped on any incompatible change to the types or their JSON.
///
/// The protocol itself carries no version field (pyrasp sends its package version in `version`);
/// this constant versions Ironward's frozen golden fixtures and the contract in
/// `docs/management-protocol.md`.
pub const PROTOCOL_VERSION: u32 = 1;

/// The pyrasp release whose protocol this crate reproduces (captured from the real agent).
pub const PYRASP_VERSION: &str = "0.10.2";

/// Path of the connect endpoint on `ironward server` (what `cloud_url` points to).
pub const CONNECT_PATH: &str = "/api/v1/connect";

/// Path of the beacon endpoint on `ironward server` (what `BEACON_URL` points to).
pub const BEACON_PATH: &str = "/api/v1/beacon";

/// Configuration templates a pyrasp 0.10.2 agent knows. Any other `template` name is ignored by
/// the agent (connect: falls back to `default`; beacon: keeps the running template).
pub const KNOWN_TEMPLATES: [&str; 5] = ["default", "audit", "monitor", "llm", "mcp"];

/// HTTP status codes with a meaning of their own to the agent. Any other status is read as a
/// normal answer: the agent parses the body and applies it if `status` is true (a `401` with a
/// valid envelope is applied, as measured).
pub mod status {
    /// The key is invalid or missing: pyrasp prints "Invalid or missing agent key" and keeps its
    /// configuration.
    pub const INVALID_KEY: u16 = 403;
    /// No security profile for this key: pyrasp prints "Security profile not found".
    pub const PROFILE_NOT_FOUND: u16 = 404;
    /// Server error: pyrasp prints "Server error".
    pub const SERVER_ERROR: u16 = 500;
}
