//! Keys and check levels that are accepted but have no effect yet.
//!
//! pyrasp's configuration files set them, so refusing them would break those files; accepting
//! them silently would let an operator believe they protect something. A configuration that
//! sets one away from its default (a check level above 0) therefore loads with one warning per
//! key, and the start-up banner repeats it.
//!
//! [`INERT_KEYS`] is the only list: the change that gives a key its effect removes its line
//! (and the matching "no effect yet" note in `docs/configuration.md`).

use super::error::ConfigWarning;
use super::model::Config;
use serde_json::Value;

/// Prefix of a check level in [`InertKey::key`], as in the dotted form of the configuration.
const CHECK_PREFIX: &str = "SECURITY_CHECKS.";

/// A key (or a check level) that is accepted but does nothing yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InertKey {
    /// The key as written in a configuration file, or `SECURITY_CHECKS.<check>` for a check
    /// whose levels above 0 do nothing.
    pub key: &'static str,
    /// The issue that gives it an effect, when one is filed.
    pub issue: Option<u32>,
}

const fn inert(key: &'static str, issue: Option<u32>) -> InertKey {
    InertKey { key, issue }
}

/// Every key and check level that is accepted but has no effect yet.
pub const INERT_KEYS: &[InertKey] = &[
    inert("ML_CACHE_SIZE", None),
    inert("ML_CACHE_MAX_LENGTH", None),
    inert("ML_BATCH_SIZE", None),
];

impl InertKey {
    /// The check name when this entry is a check level (`SECURITY_CHECKS.bots` → `bots`).
    pub fn check(&self) -> Option<&'static str> {
        self.key.strip_prefix(CHECK_PREFIX)
    }

    /// The value this entry has in a serialized configuration.
    fn value<'a>(&self, config: &'a Value) -> Option<&'a Value> {
        match self.check() {
            Some(check) => config.get("SECURITY_CHECKS")?.get(check),
            None => config.get(self.key),
        }
    }

    /// The warning for this entry set to `value`.
    fn message(&self, value: &Value) -> String {
        let issue = self
            .issue
            .map_or_else(String::new, |n| format!(" (issue {n})"));
        match self.check() {
            Some(check) => format!(
                "level {value} has no effect yet: the {check} check is not implemented{issue}; \
                 the level is accepted so that pyrasp configurations load"
            ),
            None if self.issue.is_some() => format!(
                "has no effect yet{issue}; the key is accepted so that pyrasp configurations load"
            ),
            None => {
                "has no effect; the key is accepted so that pyrasp configurations load".to_owned()
            }
        }
    }
}

/// The inert entries that `config` sets away from their defaults, each with its message (the
/// key is [`InertKey::key`]).
pub(crate) fn inert_set(config: &Config) -> Vec<(&'static InertKey, String)> {
    let (Ok(now), Ok(default)) = (
        serde_json::to_value(config),
        serde_json::to_value(Config::default()),
    ) else {
        return Vec::new();
    };
    INERT_KEYS
        .iter()
        .filter_map(|k| {
            let v = k.value(&now)?;
            (Some(v) != k.value(&default)).then(|| (k, k.message(v)))
        })
        .collect()
}

/// One warning for each key or check level that `config` sets away from its default although
/// it has no effect yet: what the start-up banner prints. The loader raises the same warnings,
/// each naming the layer that set the value.
pub fn inert_warnings(config: &Config) -> Vec<ConfigWarning> {
    inert_set(config)
        .into_iter()
        .map(|(k, message)| ConfigWarning {
            key: k.key.to_owned(),
            message,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::check::CheckId;
    use crate::config::key_spec;

    #[test]
    fn every_entry_is_a_key_or_a_check() {
        for k in INERT_KEYS {
            match k.check() {
                Some(c) => assert!(
                    CheckId::configurable().any(|id| id.key() == c),
                    "{} is not a check",
                    k.key
                ),
                None => assert!(key_spec(k.key).is_some(), "{} is not a key", k.key),
            }
        }
        let mut keys: Vec<&str> = INERT_KEYS.iter().map(|k| k.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), INERT_KEYS.len(), "duplicate entry");
    }

    #[test]
    fn defaults_are_quiet() {
        assert!(inert_warnings(&Config::default()).is_empty());
    }

    #[test]
    fn messages_name_the_issue() {
        let mut c = Config::default();
        c.ml_batch_size = 1;
        let w: Vec<String> = inert_warnings(&c).iter().map(ToString::to_string).collect();
        assert_eq!(
            w,
            vec![
                "ML_BATCH_SIZE: has no effect; the key is accepted so that pyrasp \
                 configurations load",
            ]
        );
        // The beacon keys have their effect (issue 14: `ironward-cloud-client`).
        c.beacon = true;
        c.blacklist_share = true;
        assert_eq!(inert_warnings(&c).len(), 1);
        let planned = inert("BEACON", Some(14));
        assert_eq!(
            planned.message(&Value::Bool(true)),
            "has no effect yet (issue 14); the key is accepted so that pyrasp configurations load"
        );
    }
}
