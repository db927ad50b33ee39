//! [`CloudHooks`]: what the agent thread asks of the application it manages. One
//! implementation per kind of host: [`EngineHooks`](crate::EngineHooks) for a Rust
//! [`SharedEngine`](ironward_core::reload::SharedEngine); the Python package wraps its own.

use crate::remote::RemoteConfig;
use ironward_cloud_protocol::{BlacklistEntry, RequestCounters};
use ironward_core::Config;
use std::path::PathBuf;
use std::time::Duration;

/// The beacon settings of the configuration in force, read before every beacon (a server
/// that changes `BEACON_DELAY` or `BEACON_URL` is obeyed from the next tick).
#[derive(Debug, Clone, PartialEq)]
pub struct BeaconSettings {
    /// `BEACON`: send beacons at all. Off: the agent connects once and then stays quiet (so it
    /// receives no later configuration change).
    pub enabled: bool,
    /// `BEACON_URL`; `None`: derived from the connect URL when it ends in `/connect`.
    pub url: Option<String>,
    /// `BEACON_DELAY`.
    pub delay: Duration,
    /// `TELEMETRY_DATA`: send CPU, memory and request counters.
    pub telemetry: bool,
    /// `BLACKLIST_SHARE`: send the IPs this agent blacklisted since its last beacon.
    pub share_blacklist: bool,
}

impl BeaconSettings {
    /// The settings of a configuration.
    pub fn from_config(config: &Config) -> BeaconSettings {
        BeaconSettings {
            enabled: config.beacon,
            url: config.beacon_url.clone().filter(|u| !u.trim().is_empty()),
            delay: Duration::from_secs(config.beacon_delay.max(1)),
            telemetry: config.telemetry_data,
            share_blacklist: config.blacklist_share,
        }
    }
}

/// What the agent thread needs from the application. Every method is called from the agent's
/// background thread only, never on a request path; none may block for long.
pub trait CloudHooks: Send + Sync + 'static {
    /// Applies a remote configuration: the **whole** remote layer (the agent has already merged
    /// or replaced it as the protocol says) and the template to run, over the application's
    /// local layers. On error the running configuration must stay, and the errors (one per
    /// line, as `ironward check-config` prints them) are reported once by the agent.
    fn apply_config(&self, remote: &RemoteConfig) -> Result<(), Vec<String>>;

    /// The beacon settings of the configuration in force.
    fn beacon_settings(&self) -> BeaconSettings;

    /// Request counters since start (cumulative, never reset): the agent sends the difference
    /// since its last successful beacon.
    fn counters(&self) -> RequestCounters {
        RequestCounters::default()
    }

    /// The live blacklist entries, with the time each IP was blacklisted (epoch seconds). The
    /// agent sends those it has neither sent nor received before.
    fn blacklist(&self) -> Vec<BlacklistEntry>;

    /// Blacklists IPs shared by the fleet, from `since` (epoch seconds; at connect the time the
    /// server recorded, in a beacon answer the agent's own time). Entries whose time plus
    /// `BLACKLIST_DELAY` has passed are skipped; invalid IPs are ignored.
    fn add_blacklist_entries(&self, entries: &[BlacklistEntry]);

    /// Removes IPs from the blacklist (a server's `remove` list).
    fn remove_blacklist_entries(&self, ips: &[String]);

    /// The application's configuration file, when it has one to watch, and the text its
    /// running configuration was built from. [`CloudClient::start`](crate::CloudClient::start)
    /// then watches it every `CONFIG_RELOAD_INTERVAL` seconds and hands changes to
    /// [`apply_file`](Self::apply_file). The default: none.
    fn config_file(&self) -> Option<(PathBuf, Option<String>)> {
        None
    }

    /// Applies a changed configuration file: its text as the file layer, under the remote
    /// layer in force. Same contract as [`apply_config`](Self::apply_config). The default
    /// refuses (hosts without [`config_file`](Self::config_file) are never asked).
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        let _ = text;
        Err(vec![
            "this application does not reload its configuration file".to_owned(),
        ])
    }

    /// Tells the operator something (the server is unreachable, is back, refused the key or
    /// a configuration). The default writes one line to standard error.
    fn notice(&self, message: &str) {
        #[allow(clippy::print_stderr)] // the one place the agent speaks to the operator
        {
            eprintln!("[ironward] {message}");
        }
    }
}
