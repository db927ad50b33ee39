//! Hot reload: [`SharedEngine`], a handle whose engine can be replaced while requests run.
//!
//! Adapters take the current engine once per request ([`SharedEngine::load`], a lock-free
//! atomic load) and use that engine for the whole request, its response included: a request in
//! flight during a swap finishes on the engine it started with, so it is never dropped and
//! never inspected twice. [`SharedEngine::reconfigure`] builds the new engine with
//! [`Engine::reconfigure`] (the blacklist and the flood and brute-force counters carry over,
//! in this process or in a shared store) and swaps it in atomically; a configuration that does
//! not build is refused with its errors and the running engine stays.
//!
//! Sources of new configurations (the management server through `ironward-cloud-client`, an
//! operator's `set_config`, a changed configuration file, which `ironward-cloud-client`'s
//! `watch_config` and the Python package look at every `CONFIG_RELOAD_INTERVAL` seconds) all go
//! through this one handle. The core itself reads no files: the watcher lives in the adapters'
//! crate and hands the new text to the loader.
//!
//! ```
//! use ironward_core::reload::SharedEngine;
//! use ironward_core::{Config, Engine, Request};
//!
//! let shared = SharedEngine::new(Engine::new(Config::default()).expect("valid"));
//! let probe = Request::new("GET", "/.env").with_peer("203.0.113.9".parse().expect("an IP"));
//! assert!(shared.load().inspect_request(&probe).is_blocked()); // a decoy: blacklisted
//!
//! // Turn the decoy check off: the next request sees the new engine, the blacklist stays.
//! let mut config = shared.load().config().clone();
//! config.security_checks.set(ironward_core::check::CheckId::Decoy, ironward_core::config::Level::Off);
//! shared.reconfigure(config).expect("valid");
//! assert_eq!(shared.generation(), 1);
//! assert!(shared.load().inspect_request(&Request::new("GET", "/").with_peer("203.0.113.9".parse().expect("an IP"))).is_blocked());
//! ```

use crate::config::{Config, ConfigErrors};
use crate::engine::{Engine, EngineError};
use arc_swap::ArcSwap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Why a new configuration was refused (the running engine stays).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The configuration's layers do not load (every error, as `ironward check-config` prints
    /// them).
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// The configuration loads but no engine can be built from it.
    #[error("{0}")]
    Engine(#[from] EngineError),
}

impl ReloadError {
    /// The errors one per line, for an operator or a management server.
    pub fn messages(&self) -> Vec<String> {
        match self {
            ReloadError::Config(e) => e.0.iter().map(ToString::to_string).collect(),
            ReloadError::Engine(e) => vec![e.to_string()],
        }
    }
}

#[derive(Debug)]
struct Inner {
    current: ArcSwap<Engine>,
    /// Serialises reconfigurations (never taken on the request path).
    swap: Mutex<()>,
    generation: AtomicU64,
}

/// A swappable engine, cheap to clone (clones share the same engine slot).
///
/// `load()` never blocks: requests read the current engine with one atomic operation while a
/// reconfiguration builds the next one aside.
#[derive(Debug, Clone)]
pub struct SharedEngine {
    inner: Arc<Inner>,
}

impl SharedEngine {
    /// A handle starting with `engine`.
    pub fn new(engine: Engine) -> SharedEngine {
        SharedEngine::from(Arc::new(engine))
    }

    /// The engine in force. Hold the returned `Arc` for the whole request (and its response)
    /// so that one request is judged by one engine.
    pub fn load(&self) -> Arc<Engine> {
        self.inner.current.load_full()
    }

    /// Builds an engine for `config` with [`Engine::reconfigure`] (same state store, clock and
    /// own checks) and swaps it in. On error the running engine stays and the error says why.
    pub fn reconfigure(&self, config: Config) -> Result<(), ReloadError> {
        let _serial = self
            .inner
            .swap
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = Arc::new(self.inner.current.load().reconfigure(config)?);
        next.metrics().configuration_applied();
        self.inner.current.store(next);
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Swaps in an engine built elsewhere (it should share the running engine's state store:
    /// build it with [`Engine::reconfigure`]).
    pub fn replace(&self, engine: Engine) {
        let _serial = self
            .inner
            .swap
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.metrics().configuration_applied();
        self.inner.current.store(Arc::new(engine));
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// How many times the engine was replaced since this handle was made (0 at first).
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }
}

impl From<Arc<Engine>> for SharedEngine {
    fn from(engine: Arc<Engine>) -> Self {
        SharedEngine {
            inner: Arc::new(Inner {
                current: ArcSwap::new(engine),
                swap: Mutex::new(()),
                generation: AtomicU64::new(0),
            }),
        }
    }
}

impl From<Engine> for SharedEngine {
    fn from(engine: Engine) -> Self {
        SharedEngine::new(engine)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::check::{Check, CheckId, RequestContext};
    use crate::config::Level;
    use crate::request::Request;
    use crate::verdict::{Action, Finding};
    use std::net::IpAddr;
    use std::sync::atomic::AtomicUsize;

    fn peer() -> IpAddr {
        "203.0.113.9".parse().unwrap()
    }

    #[test]
    fn the_blacklist_and_counters_carry_over() {
        let mut c = Config::default();
        c.flood_ratio = 3;
        let shared = SharedEngine::new(Engine::new(c.clone()).unwrap());
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        let get = |ip| Request::new("GET", "/").with_peer(ip);
        // Two requests counted by the first engine.
        for _ in 0..2 {
            assert_eq!(
                shared.load().inspect_request(&get(other)).action,
                Action::Allow
            );
        }
        assert!(
            shared
                .load()
                .inspect_request(&Request::new("GET", "/.env").with_peer(peer()))
                .is_blocked()
        );
        c.security_checks.set(CheckId::Decoy, Level::Off);
        shared.reconfigure(c).unwrap();
        assert_eq!(shared.generation(), 1);
        assert!(
            shared.load().inspect_request(&get(peer())).is_blocked(),
            "still blacklisted"
        );
        // The third request is the flood check's limit, the fourth is over it: the count went on.
        assert_eq!(
            shared.load().inspect_request(&get(other)).action,
            Action::Allow
        );
        assert!(shared.load().inspect_request(&get(other)).is_blocked());
        // And the new level applies: the decoy no longer blocks a fresh client.
        let fresh: IpAddr = "192.0.2.44".parse().unwrap();
        assert_eq!(
            shared
                .load()
                .inspect_request(&Request::new("GET", "/.env").with_peer(fresh))
                .action,
            Action::Allow
        );
    }

    #[test]
    fn a_bad_configuration_is_refused_and_the_engine_stays() {
        let shared = SharedEngine::new(Engine::new(Config::default()).unwrap());
        let before = shared.load();
        let mut bad = Config::default();
        bad.ignore_paths = vec!["(".into()];
        let e = shared.reconfigure(bad).unwrap_err();
        assert!(e.messages()[0].contains("IGNORE_PATHS"), "{e}");
        assert!(Arc::ptr_eq(&before, &shared.load()));
        assert_eq!(shared.generation(), 0);
    }

    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Check for Counting {
        fn id(&self) -> CheckId {
            CheckId::Hpp
        }
        fn check_request(&self, _: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn checks_of_your_own_are_kept_with_their_state() {
        let mine = Arc::new(Counting::default());
        let mut c = Config::default();
        c.security_checks.set(CheckId::Hpp, Level::Off);
        let engine = Engine::builder(c.clone())
            .add_shared_check(mine.clone())
            .build()
            .unwrap();
        let shared = SharedEngine::new(engine);
        let req = Request::new("GET", "/").with_peer(peer());
        shared.load().inspect_request(&req);
        assert_eq!(mine.0.load(Ordering::Relaxed), 0, "off at level 0");
        c.security_checks.set(CheckId::Hpp, Level::Monitor);
        shared.reconfigure(c.clone()).unwrap();
        shared.load().inspect_request(&req);
        assert_eq!(mine.0.load(Ordering::Relaxed), 1, "on after the reload");
    }

    #[test]
    fn state_keys_are_listed() {
        let e = Engine::new(Config::default()).unwrap();
        let mut c = Config::default();
        assert!(e.state_keys_changed(&c).is_empty());
        c.flood_delay = 5;
        c.shared_state_prefix = "x".into();
        assert_eq!(
            e.state_keys_changed(&c),
            ["FLOOD_DELAY", "SHARED_STATE_PREFIX"]
        );
    }
}
