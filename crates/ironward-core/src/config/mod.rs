//! Configuration: pyrasp's JSON keys and defaults, templates, layering, validation.

mod defaults;
mod model;

pub use model::{
    BlockAction, Config, Level, LogFormat, LogProtocol, MatchKind, PatternRule, SecurityChecks,
};
