//! The server protects itself with Ironward's own tower layer ([`ironward_tower::IronwardLayer`]):
//! every request is inspected by an engine before the API sees it, with axum's router as the
//! route table (an unknown path is the path check's business).
//!
//! Its configuration is [`BASE_PARAMS`] over the `default` template: the flood and brute-force
//! checks are off, because a fleet behind one NAT address beacons from one IP, and a burst of
//! server errors (a slow database answering 500) would otherwise count as brute force and
//! blacklist that address, cutting the whole fleet off (seen under load). Sign-in has its own
//! rate limit ([`crate::auth::limit`]); agent keys and tokens have 256 random bits. An operator's file (`ironward server --protection-config FILE`) replaces
//! [`BASE_PARAMS`] (over the same template), validated like `ironward check-config`.

use ironward_core::Engine;
use ironward_core::config::{ConfigSources, load};
use ironward_core::event::Event;
use ironward_tower::IronwardLayer;
use std::sync::Arc;

/// The server's own parameters over the `default` template, used when no operator file is given.
/// Event ingest carries attack payloads by design and an application's configuration may hold
/// HTML (`BLOCK_ACTION_CONTENT`) or regexes, so those paths bypass the detectors (they are
/// authenticated, and the lists still apply): [`IGNORE_PATHS`] plus the template's defaults.
/// The dashboard's configuration editor posts the same layer as a form, and its sign-in form
/// carries a password, which may hold any character and goes to argon2 only.
pub const BASE_PARAMS: &str = r#"{"SECURITY_CHECKS.flood": 0, "SECURITY_CHECKS.brute": 0, "IGNORE_PATHS": ["^/favicon.ico$", "^/robots.txt$", "^/api/v1/events$", "^/api/v1/ingest/", "^/api/v1/apps/[^/]+/config$", "^/apps/[^/]+/config$", "^/signin$"]}"#;

/// The paths [`BASE_PARAMS`] keeps away from the detectors (an operator's
/// `--protection-config` should list them in its `IGNORE_PATHS` too).
pub const IGNORE_PATHS: [&str; 5] = [
    "^/api/v1/events$",
    "^/api/v1/ingest/",
    "^/api/v1/apps/[^/]+/config$",
    "^/apps/[^/]+/config$",
    "^/signin$",
];

/// Builds the protecting engine over the `default` template: the operator's file (`file_text`,
/// named `file_name` in messages) if any, else [`BASE_PARAMS`]. Errors are the loader's, one per
/// line.
pub fn engine(file_text: Option<&str>, file_name: Option<&str>) -> Result<Engine, String> {
    let sources = ConfigSources {
        template: None,
        file: Some(file_text.unwrap_or(BASE_PARAMS)),
        file_name: Some(file_name.unwrap_or("the server's protection defaults")),
        params: None,
    };
    let loaded = load(&sources).map_err(|errors| {
        errors
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Engine::new(loaded.config).map_err(|e| format!("cannot build the engine: {e}"))
}

/// The layer that wraps the server's routes; attacks are reported on standard error.
pub(crate) fn layer(engine: Arc<Engine>) -> IronwardLayer {
    IronwardLayer::new(engine)
        .axum_router()
        .on_event(|event: Event| {
            crate::report(&format!(
                "{:?} {} from {} on {} {} ({})",
                event.action,
                event.attack,
                event
                    .source_ip
                    .map_or_else(|| "?".to_owned(), |ip| ip.to_string()),
                event.method,
                event.path,
                event.location
            ));
        })
}
