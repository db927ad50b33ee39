//! Each application's remote configuration layer: its starting point, its validation with the
//! engine's own loader (as `ironward check-config` does), and what is sent to agents.
//!
//! pyrasp applies unknown keys as attributes of its RASP instance (a key named like a method
//! breaks every request) and does not check types, so nothing reaches an agent unless Ironward's
//! configuration loader accepts it, keys are upper case (the part before `.` of a dotted
//! `SECURITY_CHECKS.<check>` key) and the template is one the engine knows.

use ironward_cloud_protocol::ConfigMap;
use ironward_core::config::{ConfigSources, Template, load};
use serde_json::Value;

/// Beacon interval given to a new application, in seconds.
pub const DEFAULT_BEACON_DELAY: i64 = 30;

/// The remote layer of a new application: beacons on, with telemetry and blacklist sharing.
pub fn initial_config() -> ConfigMap {
    let mut config = ConfigMap::new();
    config.insert("BEACON".into(), Value::Bool(true));
    config.insert("BEACON_DELAY".into(), Value::from(DEFAULT_BEACON_DELAY));
    config.insert("TELEMETRY_DATA".into(), Value::Bool(true));
    config.insert("BLACKLIST_SHARE".into(), Value::Bool(true));
    config
}

/// What an agent receives: the stored layer plus `BEACON_URL` (pyrasp does not derive it from
/// `cloud_url`), unless the operator set one.
pub fn to_send(config: &ConfigMap, beacon_url: &str) -> ConfigMap {
    let mut sent = config.clone();
    if !matches!(sent.get("BEACON_URL"), Some(Value::String(s)) if !s.is_empty()) {
        sent.insert("BEACON_URL".into(), Value::String(beacon_url.to_owned()));
    }
    sent
}

/// Events per ingest request asked of Ironward agents (`LOG_BATCH_SIZE`; at most the server's
/// `--max-events-per-request`).
pub const AGENT_BATCH_SIZE: usize = 100;

/// Longest an Ironward agent holds an event for its batch (`LOG_BATCH_WAIT_MS`).
pub const AGENT_BATCH_WAIT_MS: u64 = 1_000;

/// Bytes kept free under the server's `--max-body-bytes` in `LOG_BATCH_MAX_BYTES` (a batch body
/// is its records, one separator each and the array brackets).
const BATCH_BYTES_MARGIN: usize = 1_024;

/// Keys only Ironward agents understand: never sent to pyrasp agents (which set unknown remote
/// keys as attributes of their RASP instance and restart their log thread when `LOG_*` keys
/// change), even when the application's layer sets them.
pub const IRONWARD_ONLY_KEYS: [&str; 3] =
    ["LOG_BATCH_SIZE", "LOG_BATCH_WAIT_MS", "LOG_BATCH_MAX_BYTES"];

/// Who receives a configuration: told apart by the `instance` field of connect and beacon
/// requests, which Ironward agents send and pyrasp 0.10.2 does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentKind {
    /// pyrasp, or any agent without an instance id: pyrasp's keys only.
    Pyrasp,
    /// An Ironward agent: also batched event shipping ([`IRONWARD_ONLY_KEYS`]).
    Ironward,
}

/// What a batch sent to this server's ingest endpoint may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// `--max-events-per-request`.
    pub max_events: usize,
    /// `--max-body-bytes`.
    pub max_body_bytes: usize,
}

impl IngestLimits {
    /// The batching keys for an Ironward agent shipping here: the layer's own `LOG_BATCH_*`
    /// values when it sets them, else [`AGENT_BATCH_SIZE`] and [`AGENT_BATCH_WAIT_MS`]; the
    /// size and bytes never above what the ingest endpoint takes.
    pub fn batch_keys(&self, layer: &ConfigMap) -> ConfigMap {
        let max_events = u64::try_from(self.max_events.clamp(1, 10_000)).unwrap_or(10_000);
        let max_bytes = u64::try_from(
            self.max_body_bytes
                .saturating_sub(BATCH_BYTES_MARGIN)
                .clamp(1_024, 64 * 1024 * 1024),
        )
        .unwrap_or(1_024);
        let own = |key: &str| layer.get(key).and_then(Value::as_u64);
        let size = own("LOG_BATCH_SIZE")
            .unwrap_or(AGENT_BATCH_SIZE as u64)
            .clamp(1, max_events);
        let bytes = own("LOG_BATCH_MAX_BYTES")
            .unwrap_or(max_bytes)
            .clamp(1_024, max_bytes);
        let wait = own("LOG_BATCH_WAIT_MS").unwrap_or(AGENT_BATCH_WAIT_MS);
        let mut keys = ConfigMap::new();
        keys.insert("LOG_BATCH_SIZE".into(), Value::from(size));
        keys.insert("LOG_BATCH_WAIT_MS".into(), Value::from(wait));
        keys.insert("LOG_BATCH_MAX_BYTES".into(), Value::from(bytes));
        keys
    }
}

/// Where agents ship their security events: this server's ingest endpoint, as pyrasp's
/// `LOG_*` keys (its HTTP log transport posts to `{LOG_PROTOCOL}://{LOG_SERVER}:{LOG_PORT}{LOG_PATH}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestTarget {
    /// `http` or `https`.
    pub protocol: String,
    /// Host name or address (IPv6 in brackets).
    pub server: String,
    /// Port.
    pub port: u16,
    /// Path prefix of the server behind a proxy (`""` or `/prefix`, no trailing slash).
    pub prefix: String,
}

/// Path of the event-ingest endpoint that takes the agent's ingest token in the path.
pub const INGEST_PATH: &str = "/api/v1/ingest";

impl IngestTarget {
    /// The target of a server reachable at `public_url` (`http(s)://host[:port][/prefix]`);
    /// `None` for another scheme or a URL without a host.
    pub fn from_public_url(public_url: &str) -> Option<IngestTarget> {
        let url = url::Url::parse(public_url).ok()?;
        let protocol = url.scheme().to_owned();
        if protocol != "http" && protocol != "https" {
            return None;
        }
        Some(IngestTarget {
            server: url.host_str()?.to_owned(),
            port: url.port_or_known_default()?,
            prefix: url.path().trim_end_matches('/').to_owned(),
            protocol,
        })
    }

    /// The `LOG_*` keys that make an agent with key `key` ship JSON events here.
    pub fn log_keys(&self, key: &str) -> ConfigMap {
        let mut keys = ConfigMap::new();
        keys.insert("LOG_ENABLED".into(), Value::Bool(true));
        keys.insert("LOG_FORMAT".into(), Value::String("json".into()));
        keys.insert("LOG_PROTOCOL".into(), Value::String(self.protocol.clone()));
        keys.insert("LOG_SERVER".into(), Value::String(self.server.clone()));
        keys.insert("LOG_PORT".into(), Value::from(self.port));
        keys.insert(
            "LOG_PATH".into(),
            Value::String(format!(
                "{}{INGEST_PATH}/{}",
                self.prefix,
                crate::keys::ingest_token(key)
            )),
        );
        keys
    }
}

/// What the agent with key `key` receives: [`to_send`], plus the `LOG_*` keys of `ingest` unless
/// the application's layer sets a `LOG_*` key itself (then the operator decides where events go;
/// the `LOG_BATCH_*` keys do not count). An Ironward agent shipping to `ingest` also gets the
/// batching keys of `limits` ([`IngestLimits::batch_keys`]); a pyrasp agent never gets
/// [`IRONWARD_ONLY_KEYS`].
pub fn to_send_agent(
    config: &ConfigMap,
    beacon_url: &str,
    ingest: Option<(&IngestTarget, IngestLimits)>,
    key: &str,
    kind: AgentKind,
) -> ConfigMap {
    let mut sent = to_send(config, beacon_url);
    if let Some((target, limits)) = ingest
        && !config
            .keys()
            .any(|k| k.starts_with("LOG_") && !IRONWARD_ONLY_KEYS.contains(&k.as_str()))
    {
        sent.extend(target.log_keys(key));
        if kind == AgentKind::Ironward {
            sent.extend(limits.batch_keys(config));
        }
    }
    if kind == AgentKind::Pyrasp {
        for k in IRONWARD_ONLY_KEYS {
            sent.remove(k);
        }
    }
    sent
}

/// The template's canonical name, or an error naming the known ones.
pub fn check_template(name: &str) -> Result<String, String> {
    Template::from_name(name)
        .map(|t| t.name().to_owned())
        .ok_or_else(|| {
            let known: Vec<&str> = Template::ALL.iter().map(|t| t.name()).collect();
            format!("unknown template {name:?} (known: {})", known.join(", "))
        })
}

/// Validates a remote layer over `template` with the engine's loader. Returns every error.
pub fn validate(template: &str, config: &ConfigMap, beacon_url: &str) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if let Err(e) = check_template(template) {
        errors.push(e);
    }
    for key in config.keys() {
        let head = key.split('.').next().unwrap_or_default();
        if head.is_empty() || head != head.to_ascii_uppercase() {
            errors.push(format!(
                "{key}: remote configuration keys must be upper case (pyrasp turns other keys into attributes)"
            ));
        }
    }
    if matches!(config.get("BEACON_DELAY"), Some(v) if v.as_i64().is_none_or(|n| n < 1)) {
        errors.push("BEACON_DELAY: must be a positive integer (0 stops pyrasp's beacons)".into());
    }
    let params = Value::Object(to_send(config, beacon_url));
    let sources = ConfigSources {
        template: Some(template),
        params: Some(&params),
        ..ConfigSources::default()
    };
    if let Err(e) = load(&sources) {
        errors.extend(e.0.iter().map(ToString::to_string));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// How long the application's agents keep a blacklist entry (`BLACKLIST_DELAY` of the layer
/// over its template, in seconds); entries older than that are not sent at connect. Falls back
/// to the engine's default if the stored layer no longer loads.
pub fn blacklist_delay(template: &str, config: &ConfigMap) -> i64 {
    let params = Value::Object(config.clone());
    let sources = ConfigSources {
        template: Some(template),
        params: Some(&params),
        ..ConfigSources::default()
    };
    let seconds = match load(&sources) {
        Ok(loaded) => loaded.config.blacklist_delay,
        Err(_) => ironward_core::config::Config::default().blacklist_delay,
    };
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Parses `KEY=VALUE`: the value as JSON, or else as a string (like `check-config --set`).
pub fn parse_set(set: &str) -> Result<(String, Value), String> {
    let (key, value) = set
        .split_once('=')
        .ok_or_else(|| format!("{set:?}: expected KEY=VALUE"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("{set:?}: empty key"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((key.to_owned(), value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:8700/api/v1/beacon";

    #[test]
    fn initial_config_is_valid_in_every_template() {
        for t in Template::ALL {
            validate(t.name(), &initial_config(), URL).unwrap();
        }
    }

    #[test]
    fn bad_configs_are_refused() {
        let cases = [
            r#"{"check_blacklist": 1}"#,
            r#"{"NOT_A_KEY": 1}"#,
            r#"{"BEACON_DELAY": 0}"#,
            r#"{"SECURITY_CHECKS.nope": 1}"#,
            r#"{"BLACKLIST_DELAY": "soon"}"#,
        ];
        for case in cases {
            let config: ConfigMap = serde_json::from_str(case).unwrap();
            assert!(validate("default", &config, URL).is_err(), "{case}");
        }
        assert!(validate("nope", &initial_config(), URL).is_err());
        let good: ConfigMap = serde_json::from_str(r#"{"SECURITY_CHECKS.xss": 0}"#).unwrap();
        validate("default", &good, URL).unwrap();
    }

    #[test]
    fn blacklist_delay_follows_the_layer() {
        assert_eq!(blacklist_delay("default", &initial_config()), 3600);
        let mut config = initial_config();
        config.insert("BLACKLIST_DELAY".into(), Value::from(60));
        assert_eq!(blacklist_delay("default", &config), 60);
    }

    const LIMITS: IngestLimits = IngestLimits {
        max_events: 1_000,
        max_body_bytes: 1024 * 1024,
    };

    #[test]
    fn ingest_keys_point_at_the_server_unless_the_layer_sets_log_keys() {
        let target = IngestTarget::from_public_url("https://rasp.example.com/x/").unwrap();
        assert_eq!(target.port, 443);
        let ingest = Some((&target, LIMITS));
        let sent = to_send_agent(&initial_config(), URL, ingest, "iwk_a", AgentKind::Pyrasp);
        assert_eq!(sent["LOG_PROTOCOL"], "https");
        assert_eq!(sent["LOG_SERVER"], "rasp.example.com");
        assert_eq!(sent["LOG_PORT"], 443);
        let path = sent["LOG_PATH"].as_str().unwrap();
        assert!(path.starts_with("/x/api/v1/ingest/iwe_"), "{path}");
        validate("default", &sent, URL).unwrap();
        let mut own = initial_config();
        own.insert("LOG_ENABLED".into(), Value::Bool(false));
        let sent = to_send_agent(&own, URL, ingest, "iwk_a", AgentKind::Ironward);
        assert!(!sent.contains_key("LOG_PATH"));
        assert!(
            !sent.contains_key("LOG_BATCH_SIZE"),
            "the operator ships elsewhere"
        );
        assert!(IngestTarget::from_public_url("ftp://x").is_none());
    }

    #[test]
    fn beacon_url_is_added_unless_set() {
        let sent = to_send(&initial_config(), URL);
        assert_eq!(sent["BEACON_URL"], URL);
        let mut own = initial_config();
        own.insert("BEACON_URL".into(), "http://elsewhere/b".into());
        assert_eq!(to_send(&own, URL)["BEACON_URL"], "http://elsewhere/b");
    }

    #[test]
    fn batching_goes_to_ironward_agents_only() {
        let target = IngestTarget::from_public_url("http://127.0.0.1:8700").unwrap();
        let ingest = Some((&target, LIMITS));
        let ironward = to_send_agent(&initial_config(), URL, ingest, "iwk_a", AgentKind::Ironward);
        assert_eq!(ironward["LOG_BATCH_SIZE"], 100);
        assert_eq!(ironward["LOG_BATCH_WAIT_MS"], 1_000);
        assert_eq!(ironward["LOG_BATCH_MAX_BYTES"], 1024 * 1024 - 1024);
        assert_eq!(ironward["LOG_FORMAT"], "json");
        // What an Ironward agent receives loads with the engine's own loader.
        validate("default", &ironward, URL).unwrap();
        let pyrasp = to_send_agent(&initial_config(), URL, ingest, "iwk_a", AgentKind::Pyrasp);
        assert!(pyrasp.contains_key("LOG_PATH"));
        for k in IRONWARD_ONLY_KEYS {
            assert!(!pyrasp.contains_key(k), "{k} sent to pyrasp");
        }
        // The layer's own batching: kept for Ironward agents (within the ingest limits, and it
        // does not stop events going to this server), never sent to pyrasp.
        let mut own = initial_config();
        own.insert("LOG_BATCH_SIZE".into(), Value::from(5_000));
        own.insert("LOG_BATCH_WAIT_MS".into(), Value::from(0));
        let ironward = to_send_agent(&own, URL, ingest, "iwk_a", AgentKind::Ironward);
        assert_eq!(
            ironward["LOG_BATCH_SIZE"], 1_000,
            "at most --max-events-per-request"
        );
        assert_eq!(ironward["LOG_BATCH_WAIT_MS"], 0);
        assert!(ironward.contains_key("LOG_PATH"));
        let pyrasp = to_send_agent(&own, URL, ingest, "iwk_a", AgentKind::Pyrasp);
        assert!(!pyrasp.contains_key("LOG_BATCH_SIZE"));
        assert!(!pyrasp.contains_key("LOG_BATCH_WAIT_MS"));
        assert!(pyrasp.contains_key("LOG_PATH"));
        // A small server: the batch follows its limits.
        let small = IngestLimits {
            max_events: 10,
            max_body_bytes: 1_500,
        };
        let sent = to_send_agent(
            &initial_config(),
            URL,
            Some((&target, small)),
            "iwk_a",
            AgentKind::Ironward,
        );
        assert_eq!(sent["LOG_BATCH_SIZE"], 10);
        assert_eq!(sent["LOG_BATCH_MAX_BYTES"], 1_024);
        // No ingest target (--no-ingest-keys): nothing about batches either.
        let sent = to_send_agent(&initial_config(), URL, None, "iwk_a", AgentKind::Ironward);
        assert!(!sent.contains_key("LOG_BATCH_SIZE"));
    }
}
