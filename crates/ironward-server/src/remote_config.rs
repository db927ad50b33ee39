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

    #[test]
    fn beacon_url_is_added_unless_set() {
        let sent = to_send(&initial_config(), URL);
        assert_eq!(sent["BEACON_URL"], URL);
        let mut own = initial_config();
        own.insert("BEACON_URL".into(), "http://elsewhere/b".into());
        assert_eq!(to_send(&own, URL)["BEACON_URL"], "http://elsewhere/b");
    }
}
