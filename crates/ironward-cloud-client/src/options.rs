//! What an agent needs to reach its management server: the connect URL, the key, what it says
//! about itself (version, platform, routes) and where it keeps the last configuration received.

use ironward_cloud_protocol::Route;
use ironward_core::Config;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Environment variables read for the connect URL, first found wins (Ironward's, then pyrasp's).
pub const URL_VARS: [&str; 2] = ["IRONWARD_CLOUD_URL", "PYRASP_CLOUD_URL"];
/// Environment variables read for the agent key, first found wins (Ironward's, then pyrasp's).
pub const KEY_VARS: [&str; 2] = ["IRONWARD_KEY", "PYRASP_KEY"];

/// How an agent reaches its management server.
///
/// The URL and the key are not configuration keys (a server could otherwise redirect its
/// agents): they come from the application or the environment ([`CloudOptions::resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudOptions {
    /// The connect URL (pyrasp's `cloud_url`), e.g. `http://127.0.0.1:8700/api/v1/connect`.
    pub url: String,
    /// The agent key (pyrasp's `key`), e.g. `iwk_…` from `ironward server key create`.
    pub key: String,
    /// The agent's version as sent to the server (default: this crate's version).
    pub version: String,
    /// The framework as sent to the server, e.g. `"axum"`, `"actix-web"`, `"Flask"`.
    pub platform: String,
    /// The application's routes, sent at connect (endpoint name → methods and pattern).
    pub routes: BTreeMap<String, Route>,
    /// Where the last configuration received is kept and read at start-up (`CLOUD_CACHE_PATH`);
    /// `None`: kept in memory only.
    pub cache_path: Option<PathBuf>,
    /// Timeout of one request (`CLOUD_TIMEOUT_MS`).
    pub timeout: Duration,
    /// Longest pause between attempts after a failure (`CLOUD_RETRY_MAX_MS`).
    pub retry_max: Duration,
    /// Largest answer read (`CLOUD_MAX_RESPONSE_BYTES`).
    pub max_response_bytes: u64,
    /// How often the application's configuration file is looked at, when the hooks name one
    /// ([`CloudHooks::config_file`](crate::CloudHooks::config_file)); `None`: not watched
    /// (`CONFIG_RELOAD_INTERVAL` 0).
    pub reload_interval: Option<Duration>,
}

impl CloudOptions {
    /// Options for `url` and `key`, with the defaults of [`Config::default`] for the rest.
    pub fn new(url: impl Into<String>, key: impl Into<String>) -> CloudOptions {
        CloudOptions {
            url: url.into(),
            key: key.into(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            platform: "Rust".to_owned(),
            routes: BTreeMap::new(),
            cache_path: None,
            timeout: Duration::ZERO,
            retry_max: Duration::ZERO,
            max_response_bytes: 0,
            reload_interval: None,
        }
        .with_config(&Config::default())
    }

    /// The URL and key given by the application, or else from the environment
    /// ([`URL_VARS`], [`KEY_VARS`]; empty values count as unset). `None` when either is
    /// missing: the agent then runs on its local configuration, as pyrasp does.
    pub fn resolve(url: Option<&str>, key: Option<&str>) -> Option<CloudOptions> {
        let pick = |given: Option<&str>, vars: [&str; 2]| {
            given
                .map(str::to_owned)
                .filter(|v| !v.trim().is_empty())
                .or_else(|| {
                    vars.iter()
                        .filter_map(|v| std::env::var(v).ok())
                        .find(|v| !v.trim().is_empty())
                })
        };
        Some(CloudOptions::new(
            pick(url, URL_VARS)?.trim(),
            pick(key, KEY_VARS)?.trim(),
        ))
    }

    /// [`resolve`](Self::resolve) from the environment alone.
    pub fn from_env() -> Option<CloudOptions> {
        CloudOptions::resolve(None, None)
    }

    /// Takes the `CLOUD_*` keys of `config` (timeout, back-off, answer size and cache path)
    /// and `CONFIG_RELOAD_INTERVAL`.
    #[must_use]
    pub fn with_config(mut self, config: &Config) -> CloudOptions {
        self.reload_interval = crate::local_watch::reload_interval(config);
        self.timeout = Duration::from_millis(config.cloud_timeout_ms.max(1));
        self.retry_max = Duration::from_millis(config.cloud_retry_max_ms.max(1));
        self.max_response_bytes = config.cloud_max_response_bytes.max(1);
        self.cache_path =
            (!config.cloud_cache_path.is_empty()).then(|| PathBuf::from(&config.cloud_cache_path));
        self
    }

    /// Sets the platform name sent at connect.
    #[must_use]
    pub fn platform(mut self, platform: impl Into<String>) -> CloudOptions {
        self.platform = platform.into();
        self
    }

    /// Sets the version sent at connect and with every beacon.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> CloudOptions {
        self.version = version.into();
        self
    }

    /// Sets the route map sent at connect.
    #[must_use]
    pub fn routes(mut self, routes: BTreeMap<String, Route>) -> CloudOptions {
        self.routes = routes;
        self
    }

    /// The beacon URL to use when the configuration has no `BEACON_URL`: the connect URL with
    /// its last path segment `connect` replaced by `beacon` (`ironward server`'s layout), or
    /// `None` when the connect URL does not end that way (pyrasp never derives one).
    pub fn derived_beacon_url(&self) -> Option<String> {
        let (base, query) = match self.url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.url.as_str(), None),
        };
        let base = base.trim_end_matches('/').strip_suffix("/connect")?;
        Some(match query {
            Some(q) => format!("{base}/beacon?{q}"),
            None => format!("{base}/beacon"),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_are_taken() {
        let mut c = Config::default();
        c.cloud_timeout_ms = 250;
        c.cloud_cache_path = "/tmp/x.json".into();
        let o = CloudOptions::new("http://h/api/v1/connect", "k").with_config(&c);
        assert_eq!(o.timeout, Duration::from_millis(250));
        assert_eq!(o.cache_path, Some(PathBuf::from("/tmp/x.json")));
        assert_eq!(o.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(o.reload_interval, Some(Duration::from_secs(5)));
        c.config_reload_interval = 0.0;
        assert_eq!(
            CloudOptions::new("u", "k").with_config(&c).reload_interval,
            None
        );
        c.config_reload_interval = 0.001;
        assert_eq!(
            CloudOptions::new("u", "k").with_config(&c).reload_interval,
            Some(crate::MIN_RELOAD_INTERVAL)
        );
    }

    #[test]
    fn the_beacon_url_is_derived_only_from_a_connect_url() {
        let o = |u: &str| CloudOptions::new(u, "k").derived_beacon_url();
        assert_eq!(
            o("http://h:1/api/v1/connect").as_deref(),
            Some("http://h:1/api/v1/beacon")
        );
        assert_eq!(
            o("https://h/x/connect/?a=1").as_deref(),
            Some("https://h/x/beacon?a=1")
        );
        assert_eq!(o("https://cloud.example/agent"), None);
    }

    #[test]
    fn given_values_win_and_empty_ones_do_not_count() {
        let o = CloudOptions::resolve(Some(" http://h/c "), Some("k1")).unwrap();
        assert_eq!((o.url.as_str(), o.key.as_str()), ("http://h/c", "k1"));
        // No environment variable of these names is set by the test harness for an empty
        // key: the agent stays local.
        assert!(
            CloudOptions::resolve(Some("http://h/c"), Some("  ")).is_none()
                || std::env::var("IRONWARD_KEY").is_ok()
                || std::env::var("PYRASP_KEY").is_ok()
        );
    }
}
