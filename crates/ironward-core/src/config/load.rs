//! The loader: builds a validated [`Config`] from its layers and reports every problem at once.
//!
//! Layers, lowest to highest: built-in defaults < template < file < explicit params. A key in a
//! higher layer replaces the lower value whole, except `SECURITY_CHECKS`, which merges per
//! check, and the dotted form `SECURITY_CHECKS.<check>`, which sets one check (applied after
//! the `SECURITY_CHECKS` object of the same layer). After the layers, cross-key rules are
//! checked on the merged result (a redirect needs a 3xx status code), and every key or check
//! level that has no effect yet ([`INERT_KEYS`](super::INERT_KEYS)) but is set away from its
//! default is warned about, naming the layer that set it.

use super::aliases::{self, Alias};
use super::assign::assign;
use super::error::{ConfigError, ConfigErrors, ConfigWarning, clip};
use super::inert::inert_set;
use super::keys::{IntRange, KNOWN_KEYS, KeySpec, ValueKind, key_spec};
use super::model::{BlockAction, Config};
use super::source;
use super::suggest::{closest, did_you_mean};
use super::templates::Template;
use super::values::{self, Parsed};
use crate::check::CheckId;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Prefix of the dotted form that sets one check.
const DOTTED: &str = "SECURITY_CHECKS.";

/// The inputs of [`load`]; every part is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConfigSources<'a> {
    /// Template name; `None` means `default`.
    pub template: Option<&'a str>,
    /// JSON text of a configuration file.
    pub file: Option<&'a str>,
    /// The file's name, for messages (e.g. `rasp.json`).
    pub file_name: Option<&'a str>,
    /// Explicit parameters, the highest layer: a JSON object.
    pub params: Option<&'a Value>,
}

/// A loaded configuration and the warnings raised while loading it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The validated configuration.
    pub config: Config,
    /// Deprecated keys, ignored parts, normalised values, keys that have no effect yet.
    pub warnings: Vec<ConfigWarning>,
}

/// Builds the configuration from its layers. Returns every error found, never only the first.
pub fn load(sources: &ConfigSources<'_>) -> Result<Loaded, ConfigErrors> {
    load_with_remote(sources, None)
}

/// Like [`load`], with the **remote** layer a management server sent (pyrasp's order:
/// defaults < template < file < remote < params, so an operator's explicit parameters survive
/// remote changes). `remote` is a JSON object of keys, possibly partial and with dotted
/// `SECURITY_CHECKS.<check>` keys; errors in it name the layer `remote`.
pub fn load_with_remote(
    sources: &ConfigSources<'_>,
    remote: Option<&Value>,
) -> Result<Loaded, ConfigErrors> {
    let mut l = Loader::default();
    let template = l.template(sources.template);
    l.config = Config::template(template);
    l.layers.push(format!("template {template}"));
    if let Some(text) = sources.file {
        let name = sources.file_name.unwrap_or("config file");
        let rank = l.push_layer(name);
        match source::parse_document(text) {
            Ok(doc) => l.document(rank, &doc),
            Err(m) => l.error(rank, "", m),
        }
    }
    if let Some(remote) = remote {
        let rank = l.push_layer("remote");
        l.document(rank, remote);
    }
    if let Some(params) = sources.params {
        let rank = l.push_layer("params");
        l.document(rank, params);
    }
    l.cross_checks();
    l.inert();
    if l.errors.is_empty() {
        Ok(Loaded {
            config: l.config,
            warnings: l.warnings,
        })
    } else {
        Err(ConfigErrors(l.errors))
    }
}

impl Config {
    /// Loads a configuration file's JSON text over the `default` template.
    pub fn from_json_str(text: &str) -> Result<Loaded, ConfigErrors> {
        load(&ConfigSources {
            file: Some(text),
            ..ConfigSources::default()
        })
    }
}

/// The state of one load: the configuration so far and what was reported.
struct Loader {
    config: Config,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigWarning>,
    /// Layer names by rank: 0 is the built-in defaults.
    layers: Vec<String>,
    /// The rank of the layer that last set each key.
    origin: HashMap<&'static str, usize>,
    /// The rank of the layer that last set each check's level, by check name.
    check_origin: HashMap<&'static str, usize>,
}

impl Default for Loader {
    fn default() -> Self {
        Loader {
            config: Config::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            layers: vec!["defaults".to_owned()],
            origin: HashMap::new(),
            check_origin: HashMap::new(),
        }
    }
}

impl Loader {
    fn push_layer(&mut self, name: &str) -> usize {
        self.layers.push(name.to_owned());
        self.layers.len() - 1
    }

    fn layer_name(&self, rank: usize) -> String {
        self.layers.get(rank).cloned().unwrap_or_default()
    }

    fn error(&mut self, rank: usize, key: &str, message: String) {
        let layer = self.layer_name(rank);
        self.errors.push(ConfigError {
            key: clip(key),
            layer,
            message,
        });
    }

    fn warn(&mut self, rank: usize, key: &str, message: String) {
        let message = format!("{message} (in {})", self.layer_name(rank));
        self.warnings.push(ConfigWarning {
            key: clip(key),
            message,
        });
    }

    fn template(&mut self, name: Option<&str>) -> Template {
        let Some(name) = name else {
            return Template::Default;
        };
        Template::from_name(name).unwrap_or_else(|| {
            let near = closest(name, Template::ALL.map(Template::name));
            let names: Vec<&str> = Template::ALL.map(Template::name).to_vec();
            self.errors.push(ConfigError {
                key: String::new(),
                layer: "template".to_owned(),
                message: format!(
                    "unknown template \"{}\"{} (templates: {})",
                    clip(name),
                    did_you_mean(near),
                    names.join(", ")
                ),
            });
            Template::Default
        })
    }

    /// Applies a file or params document: flat, or wrapped as `{"config": {...}}`.
    fn document(&mut self, rank: usize, doc: &Value) {
        let mut ignored = Vec::new();
        match source::config_object(doc, &mut ignored) {
            Ok(map) => self.layer(rank, map),
            Err(m) => self.error(rank, "", m),
        }
        for key in ignored {
            let msg = "ignored: only the \"config\" member of a wrapped configuration is read";
            self.warn(rank, &key, msg.to_owned());
        }
    }

    fn layer(&mut self, rank: usize, map: &Map<String, Value>) {
        let mut dotted = Vec::new();
        for (key, value) in map {
            if let Some(spec) = key_spec(key) {
                if let Some(p) = self.parse(rank, key, &spec.kind, value) {
                    self.store(rank, key, spec, p);
                }
            } else if let Some(check) = key.strip_prefix(DOTTED) {
                dotted.push((key, check, value));
            } else if let Some(alias) = aliases::alias(key) {
                self.alias(rank, alias, value, map);
            } else {
                self.unknown(rank, key);
            }
        }
        for (key, check, value) in dotted {
            self.set_check(rank, key, check, value);
        }
    }

    /// Parses a value, recording its errors and notes under the key as written.
    fn parse(&mut self, rank: usize, key: &str, kind: &ValueKind, v: &Value) -> Option<Parsed> {
        let mut notes = Vec::new();
        let parsed = values::parse(kind, v, &mut notes);
        for n in notes {
            self.warn(rank, key, n);
        }
        match parsed {
            Ok(p) => Some(p),
            Err(messages) => {
                for m in messages {
                    self.error(rank, key, m);
                }
                None
            }
        }
    }

    fn store(&mut self, rank: usize, written: &str, spec: &'static KeySpec, p: Parsed) {
        if let Parsed::Checks(levels) = &p {
            for (check, _) in levels {
                self.check_origin.insert(check.key(), rank);
            }
        }
        if assign(&mut self.config, spec.name, p) {
            self.origin.insert(spec.name, rank);
        } else {
            self.error(
                rank,
                written,
                format!("internal error: no field for {}", spec.name),
            );
        }
    }

    fn alias(&mut self, rank: usize, alias: &'static Alias, v: &Value, map: &Map<String, Value>) {
        let (given, open): (Vec<&str>, Vec<&str>) =
            alias.targets.iter().partition(|t| map.contains_key(**t));
        let specs: Vec<&'static KeySpec> = open.iter().filter_map(|t| key_spec(t)).collect();
        let kind = match specs.first() {
            Some(spec) => spec.kind,
            None if alias.targets.is_empty() => ValueKind::Int(IntRange {
                min: 0,
                max: u64::MAX,
            }),
            // Every target is given in this layer: the alias is only type-checked.
            None => match alias.targets.first().and_then(|t| key_spec(t)) {
                Some(spec) => spec.kind,
                None => return,
            },
        };
        if let Some(p) = self.parse(rank, alias.old, &kind, v) {
            for spec in specs {
                self.store(rank, alias.old, spec, p.clone());
            }
        }
        self.warn(rank, alias.old, alias.warning(&given));
    }

    fn set_check(&mut self, rank: usize, key: &str, check: &str, v: &Value) {
        let check = values::check_by_name(check);
        let level = values::level(v);
        match (check, level) {
            (Ok(c), Ok(l)) => {
                self.config.security_checks.set(c, l);
                self.check_origin.insert(c.key(), rank);
            }
            (Err(e), _) | (_, Err(e)) => self.error(rank, key, e),
        }
    }

    fn unknown(&mut self, rank: usize, key: &str) {
        let dotted: Vec<String> = CheckId::configurable()
            .map(|c| format!("{DOTTED}{}", c.key()))
            .collect();
        let suggestion = if key.contains('.') {
            closest(key, dotted.iter().map(String::as_str)).map(str::to_owned)
        } else if let Ok(c) = values::check_by_name(&key.to_ascii_lowercase()) {
            Some(format!("{DOTTED}{}", c.key()))
        } else {
            closest(key, KNOWN_KEYS.iter().copied()).map(str::to_owned)
        };
        self.error(
            rank,
            key,
            format!("unknown key{}", did_you_mean(suggestion.as_deref())),
        );
    }

    /// Warns about every key or check level set away from its default although it has no
    /// effect yet. A value no file or params layer set came from the template (rank 1).
    fn inert(&mut self) {
        for (k, message) in inert_set(&self.config) {
            let origin = match k.check() {
                Some(check) => self.check_origin.get(check),
                None => self.origin.get(k.key),
            };
            let rank = origin.copied().unwrap_or(1);
            self.warn(rank, k.key, message);
        }
    }

    /// Rules that involve more than one key, checked on the merged configuration.
    fn cross_checks(&mut self) {
        self.ztaa_checks();
        if let Some(message) = crate::state::url_error(&self.config.shared_state_url) {
            let rank = self.origin.get("SHARED_STATE_URL").copied().unwrap_or(0);
            self.error(rank, "SHARED_STATE_URL", message);
        }
        let path = &self.config.metrics_path;
        if !path.is_empty() && (!path.starts_with('/') || path.contains(['?', '#'])) {
            let rank = self.origin.get("METRICS_PATH").copied().unwrap_or(0);
            let msg = format!(
                "expected \"\" (no route) or a path starting with / without ? or #, got {path:?}"
            );
            self.error(rank, "METRICS_PATH", msg);
        }
        let c = &self.config;
        let pairs = [
            (
                "BLOCK_ACTION",
                "BLOCK_STATUS_CODE",
                c.block_action,
                c.block_status_code,
            ),
            (
                "BLACKLIST_ACTION",
                "BLACKLIST_STATUS_CODE",
                c.blacklist_action,
                c.blacklist_status_code,
            ),
        ];
        for (action_key, status_key, action, status) in pairs {
            if action == BlockAction::Redirect && !(300..=399).contains(&status) {
                let rank = [action_key, status_key]
                    .iter()
                    .filter_map(|k| self.origin.get(k).copied())
                    .max()
                    .unwrap_or(0);
                let msg = format!(
                    "\"redirect\" needs a 3xx {status_key} (such as 302 or 307), got {status}"
                );
                self.error(rank, action_key, msg);
            }
        }
    }

    /// The `ztaa` check on without usable keys is an error (pyrasp refused every request);
    /// short keys are a warning. Reported in the later of the layers that set the level and the
    /// key.
    fn ztaa_checks(&mut self) {
        let level_rank = self.check_origin.get("ztaa").copied().unwrap_or(1);
        let rank = |l: &Self, key: &str| l.origin.get(key).copied().unwrap_or(0).max(level_rank);
        for (key, message) in crate::check::ztaa_config_errors(&self.config) {
            let r = rank(self, key);
            self.error(r, key, message);
        }
        for message in crate::check::ztaa_config_warnings(&self.config) {
            let r = rank(self, "ZTAA_KEYS");
            self.warn(r, "ZTAA_KEYS", message);
        }
    }
}
