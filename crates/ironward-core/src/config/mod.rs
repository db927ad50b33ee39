//! Configuration: pyrasp's JSON keys and defaults, templates, layering, validation.
//!
//! [`load`] builds a [`Config`] from its layers (defaults < template < file < params) and
//! returns every problem at once as [`ConfigErrors`]. `docs/configuration.md` describes every
//! key; [`KEYS`] is the same table in code. [`INERT_KEYS`] lists the keys and check levels that
//! are accepted but have no effect yet; setting one loads with a warning.

mod aliases;
mod assign;
mod defaults;
mod error;
mod inert;
mod keys;
mod lists;
mod load;
mod model;
mod nets;
mod source;
mod suggest;
mod templates;
mod values;

#[cfg(test)]
mod load_props;
#[cfg(test)]
mod load_tests;

pub use aliases::{ALIASES, Alias, alias};
pub use error::{ConfigError, ConfigErrors, ConfigWarning};
pub use inert::{INERT_KEYS, InertKey, inert_warnings};
pub use keys::{FloatRange, IntRange, KEYS, KNOWN_KEYS, KeySpec, ValueKind, key_spec};
pub use load::{ConfigSources, Loaded, load, load_with_remote};
pub use model::{
    BlockAction, BodyLimitAction, Config, Level, LogFormat, LogProtocol, MatchKind, PatternRule,
    SecurityChecks, SinkChecks,
};
pub use source::{CONF_ENV_VARS, conf_path_from_env};
pub use templates::Template;
