//! Hot reload of the application's **local configuration file**: [`ConfigWatch`] polls the
//! file every `CONFIG_RELOAD_INTERVAL` seconds on a background thread and hands each new
//! content to [`FileHooks::apply_file`] once; [`watch_config`] does it for a
//! [`SharedEngine`], and [`CloudClient::start`](crate::CloudClient::start) starts one for
//! hooks that know their file ([`CloudHooks::config_file`](crate::CloudHooks::config_file)).
//!
//! How a change is detected is [`detect`]'s business (metadata every tick, the bytes when the
//! metadata moved). What an operator sees:
//! * a valid change: applied as a hot reload (the file layer replaced, the remote layer a
//!   management server sent kept: defaults < template < file < remote < params), one line on
//!   standard error;
//! * an invalid, truncated or half-written content: refused with the loader's errors, once per
//!   distinct content, once it has stood for a second; the running configuration stays; the
//!   next valid write is applied. A content younger than that is read again at the next tick
//!   instead, so a writer that truncates the file and then writes it (caught in between, the
//!   file is empty or cut short) is not reported;
//! * the file removed: the running configuration stays, said once; a file put back is read
//!   again (applied if it differs from what was applied last);
//! * the file unreadable (permissions, a directory, over [`MAX_CONFIG_FILE_BYTES`]): said once
//!   per distinct error.
//!
//! The thread never touches a request: requests go on with the engine in force until the new
//! one is swapped in ([`SharedEngine::reconfigure`]).

mod detect;

use crate::engine_hooks::{EngineHooks, LocalLayers};
pub use detect::MAX_CONFIG_FILE_BYTES;
use detect::{Detector, Event};
use ironward_core::Config;
use ironward_core::reload::SharedEngine;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Shortest pause between two looks at the file (a smaller `CONFIG_RELOAD_INTERVAL` is
/// raised to it).
pub const MIN_RELOAD_INTERVAL: Duration = Duration::from_millis(50);

/// The interval `CONFIG_RELOAD_INTERVAL` asks for, or `None` when watching is off (0).
pub fn reload_interval(config: &Config) -> Option<Duration> {
    let secs = config.config_reload_interval;
    (secs.is_finite() && secs > 0.0)
        .then(|| Duration::from_secs_f64(secs.min(86_400.0)).max(MIN_RELOAD_INTERVAL))
}

/// What a [`ConfigWatch`] asks of the application. Called from the watch thread only.
pub trait FileHooks: Send + Sync + 'static {
    /// Applies the new text of the configuration file (as the file layer, under whatever
    /// remote layer and params the application has). On error the running configuration must
    /// stay; the errors (one per line, as `ironward check-config` prints them) are reported
    /// once by the watcher.
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>>;

    /// Tells the operator something. The default writes one line to standard error.
    fn notice(&self, message: &str) {
        #[allow(clippy::print_stderr)] // how the agent speaks to the operator
        {
            eprintln!("[ironward] {message}");
        }
    }
}

/// What a watcher knows, for a status page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WatchStatus {
    /// Changes applied.
    pub applied: u64,
    /// Contents refused (each distinct content counted once).
    pub refused: u64,
    /// The errors of the content refused last, until a later one is applied.
    pub refused_config: Option<Vec<String>>,
    /// True while the file is missing (after two looks without it).
    pub missing: bool,
    /// Why the file cannot be read, while it cannot.
    pub last_error: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    stop: Mutex<bool>,
    wake: Condvar,
    status: Mutex<WatchStatus>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running watch of one configuration file. Dropping it asks the thread to stop without
/// waiting; [`stop`](Self::stop) waits for it (at most one apply in progress).
#[derive(Debug)]
pub struct ConfigWatch {
    shared: Arc<Shared>,
    path: PathBuf,
    thread: Option<JoinHandle<()>>,
}

impl ConfigWatch {
    /// Starts watching `path` every `interval` (at least [`MIN_RELOAD_INTERVAL`]).
    /// `baseline` is the text the running configuration was built from: a file that differs
    /// from it at the first look is applied; `None` takes the first content read as the
    /// running one. Returns at once.
    pub fn start(
        path: impl Into<PathBuf>,
        interval: Duration,
        baseline: Option<&str>,
        hooks: Arc<dyn FileHooks>,
    ) -> Result<ConfigWatch, std::io::Error> {
        let path = path.into();
        let shared = Arc::new(Shared::default());
        let mut worker = Worker {
            detector: Detector::new(path.clone(), baseline),
            hooks,
            shared: Arc::clone(&shared),
            interval: interval.max(MIN_RELOAD_INTERVAL),
        };
        let thread = std::thread::Builder::new()
            .name("ironward-config-watch".to_owned())
            .spawn(move || worker.run())?;
        Ok(ConfigWatch {
            shared,
            path,
            thread: Some(thread),
        })
    }

    /// The file watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the watcher knows now.
    pub fn status(&self) -> WatchStatus {
        lock(&self.shared.status).clone()
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn signal_stop(&self) {
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
    }
}

impl Drop for ConfigWatch {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

struct Worker {
    detector: Detector,
    hooks: Arc<dyn FileHooks>,
    shared: Arc<Shared>,
    interval: Duration,
}

impl Worker {
    fn run(&mut self) {
        while !self.wait() {
            self.tick();
        }
    }

    /// Sleeps one interval; true when asked to stop.
    fn wait(&self) -> bool {
        let deadline = Instant::now() + self.interval;
        let mut stop = lock(&self.shared.stop);
        loop {
            if *stop {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            stop = self
                .shared
                .wake
                .wait_timeout(stop, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn tick(&mut self) {
        let name = self.detector.path().display().to_string();
        let event = self.detector.poll();
        {
            let mut status = lock(&self.shared.status);
            status.missing = self.detector.missing();
            status.last_error = self.detector.error().map(str::to_owned);
        }
        match event {
            Event::Unchanged => {}
            Event::Changed(text) => {
                let outcome = self.hooks.apply_file(&text);
                self.outcome(&name, outcome);
            }
            Event::NotText => {
                self.outcome(&name, Err(vec![format!("{name}: not UTF-8 text")]));
            }
            Event::BackUnchanged => {
                self.hooks
                    .notice(&format!("the configuration file {name} is back, unchanged"));
            }
            Event::Missing => {
                self.hooks.notice(&format!(
                    "the configuration file {name} is gone: keeping the running configuration"
                ));
            }
            Event::Unreadable(error) => {
                self.hooks.notice(&format!(
                    "cannot read the configuration file {name}: {error}: keeping the running \
                     configuration"
                ));
            }
        }
    }

    fn outcome(&mut self, name: &str, outcome: Result<(), Vec<String>>) {
        if outcome.is_err() && self.detector.fresh() {
            // Perhaps a write caught half-way: look again at the next tick.
            self.detector.again();
            return;
        }
        let mut status = lock(&self.shared.status);
        match outcome {
            Ok(()) => {
                status.applied += 1;
                status.refused_config = None;
                drop(status);
                self.hooks
                    .notice(&format!("the configuration file {name} changed: applied"));
            }
            Err(errors) => {
                status.refused += 1;
                status.refused_config = Some(errors.clone());
                drop(status);
                self.hooks.notice(&format!(
                    "refused the changed configuration file {name}, keeping the running one: {}",
                    errors.join("; ")
                ));
            }
        }
    }
}

/// How [`watch_config`] watches: the interval, and the layers around the file (the template
/// below it, the params above it) so that a change is loaded exactly as the application loaded
/// its configuration at start.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchOptions {
    /// Pause between two looks at the file (`CONFIG_RELOAD_INTERVAL`).
    pub interval: Duration,
    /// The application's template (`None`: `default`).
    pub template: Option<String>,
    /// The application's explicit parameters (a JSON object), above the file.
    pub params: Option<Value>,
}

impl WatchOptions {
    /// Looks every `interval`, `default` template, no params.
    pub fn new(interval: Duration) -> WatchOptions {
        WatchOptions {
            interval,
            template: None,
            params: None,
        }
    }

    /// The interval of `config`'s `CONFIG_RELOAD_INTERVAL`; `None` when it is 0 (off).
    pub fn from_config(config: &Config) -> Option<WatchOptions> {
        reload_interval(config).map(WatchOptions::new)
    }

    /// Sets the template below the file.
    #[must_use]
    pub fn template(mut self, template: impl Into<String>) -> WatchOptions {
        self.template = Some(template.into());
        self
    }

    /// Sets the params above the file.
    #[must_use]
    pub fn params(mut self, params: Value) -> WatchOptions {
        self.params = Some(params);
        self
    }
}

/// Watches the configuration file at `path` and applies each change to `shared` (a hot
/// reload with [`SharedEngine::reconfigure`]: requests in flight finish on their engine, the
/// blacklist and counters carry over, an invalid file is refused and reported once). The file
/// is read now, as the reference: `shared` should be running what it says. Stops when the
/// handle is dropped.
///
/// With a management server, build [`EngineHooks`] over [`LocalLayers::from_file`] instead:
/// [`CloudClient::start`](crate::CloudClient::start) then watches the file too, and both kinds
/// of changes are layered together.
pub fn watch_config(
    path: impl AsRef<Path>,
    shared: SharedEngine,
    options: WatchOptions,
) -> Result<ConfigWatch, std::io::Error> {
    let path = path.as_ref();
    let local = LocalLayers::from_file(path, options.template, options.params)?;
    let baseline = local.file.clone();
    let hooks = Arc::new(EngineHooks::new(shared, local));
    ConfigWatch::start(path, options.interval, baseline.as_deref(), hooks)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{CloudHooks, RemoteConfig};
    use ironward_core::Engine;
    use ironward_core::check::CheckId;
    use ironward_core::config::Level;
    use serde_json::json;

    /// Engine hooks that record what the watcher says.
    struct Recorded {
        inner: EngineHooks,
        notices: Mutex<Vec<String>>,
    }

    impl FileHooks for Recorded {
        fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
            FileHooks::apply_file(&self.inner, text)
        }
        fn notice(&self, message: &str) {
            self.notices.lock().unwrap().push(message.to_owned());
        }
    }

    fn level(shared: &SharedEngine, check: CheckId) -> Level {
        shared.load().config().security_checks.level(check)
    }

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn local_and_remote_changes_keep_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rasp.json");
        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 2, "sqli": 2}}"#).unwrap();
        let local = LocalLayers::from_file(&path, None, Some(json!({"FLOOD_RATIO": 9}))).unwrap();
        let shared = SharedEngine::new(Engine::new(local.load(None).unwrap().config).unwrap());
        let hooks = EngineHooks::new(shared.clone(), local);
        assert_eq!(
            hooks.config_file().unwrap().0,
            path,
            "the cloud client watches the file the layers came from"
        );
        // The server turns XSS off.
        let remote = RemoteConfig {
            template: None,
            config: serde_json::from_value(json!({"SECURITY_CHECKS.xss": 0})).unwrap(),
        };
        hooks.apply_config(&remote).unwrap();
        assert_eq!(level(&shared, CheckId::Xss), Level::Off);
        // The file changes: its new SQLi level applies, the server's XSS level stays.
        FileHooks::apply_file(&hooks, r#"{"SECURITY_CHECKS": {"xss": 2, "sqli": 1}}"#).unwrap();
        assert_eq!(level(&shared, CheckId::Xss), Level::Off);
        assert_eq!(level(&shared, CheckId::Sqli), Level::Block);
        assert_eq!(shared.load().config().flood_ratio, 9, "params stay on top");
        // A later remote change keeps the latest file.
        let remote = RemoteConfig {
            template: None,
            config: serde_json::from_value(json!({"SECURITY_CHECKS.xss": 1})).unwrap(),
        };
        hooks.apply_config(&remote).unwrap();
        assert_eq!(level(&shared, CheckId::Xss), Level::Block);
        assert_eq!(level(&shared, CheckId::Sqli), Level::Block);
        // A bad file is refused: the engine and the layers stay.
        let before = shared.generation();
        let errors = FileHooks::apply_file(&hooks, r#"{"XSS_PROBA": 7}"#).unwrap_err();
        assert!(errors[0].contains("XSS_PROBA"), "{errors:?}");
        assert_eq!(shared.generation(), before);
        assert!(hooks.local().file.unwrap().contains("\"sqli\": 1"));
    }

    /// A file with XSS at level 2, its engine, and a watch of it every 20 ms.
    fn watched_file() -> (
        tempfile::TempDir,
        std::path::PathBuf,
        SharedEngine,
        Arc<Recorded>,
        ConfigWatch,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rasp.json");
        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 2}}"#).unwrap();
        let local = LocalLayers::from_file(&path, None, None).unwrap();
        let shared = SharedEngine::new(Engine::new(local.load(None).unwrap().config).unwrap());
        let hooks = Arc::new(Recorded {
            inner: EngineHooks::new(shared.clone(), local.clone()),
            notices: Mutex::new(Vec::new()),
        });
        let watch = ConfigWatch::start(
            &path,
            Duration::from_millis(20),
            local.file.as_deref(),
            hooks.clone(),
        )
        .unwrap();
        (dir, path, shared, hooks, watch)
    }

    #[test]
    fn the_watch_applies_once_refuses_once_and_keeps_running() {
        let (_dir, path, shared, hooks, watch) = watched_file();
        let notices = || hooks.notices.lock().unwrap().clone();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(shared.generation(), 0, "nothing changed, nothing applied");

        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 0}}"#).unwrap();
        wait_for("the change", || shared.generation() == 1);
        assert_eq!(level(&shared, CheckId::Xss), Level::Off);

        // Invalid JSON (a half-written file): refused once, the engine stays.
        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": "#).unwrap();
        wait_for("the refusal", || watch.status().refused == 1);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(watch.status().refused, 1, "once per content");
        assert_eq!(shared.generation(), 1);
        assert!(watch.status().refused_config.is_some());

        // The complete write is applied.
        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 1}}"#).unwrap();
        wait_for("the fix", || shared.generation() == 2);
        assert_eq!(level(&shared, CheckId::Xss), Level::Block);
        assert_eq!(watch.status().refused_config, None);

        // Deleted: said once, the configuration stays.
        std::fs::remove_file(&path).unwrap();
        wait_for("the missing file", || watch.status().missing);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(level(&shared, CheckId::Xss), Level::Block);
        let n = notices();
        assert_eq!(
            n.iter().filter(|m| m.contains("is gone")).count(),
            1,
            "{n:?}"
        );
        assert_eq!(
            n.iter().filter(|m| m.contains("refused")).count(),
            1,
            "{n:?}"
        );
        assert_eq!(
            n.iter().filter(|m| m.contains("applied")).count(),
            2,
            "{n:?}"
        );
        let status = watch.status();
        watch.stop();
        assert_eq!((status.applied, status.refused), (2, 1));
    }

    #[test]
    fn a_write_caught_half_way_is_not_refused() {
        let (_dir, path, shared, hooks, watch) = watched_file();
        // The writer truncates, and is slow to write: the watch sees the empty file for
        // several ticks, then the whole content.
        std::fs::write(&path, "").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 0}}"#).unwrap();
        wait_for("the change", || shared.generation() == 1);
        assert_eq!(level(&shared, CheckId::Xss), Level::Off);
        let status = watch.status();
        watch.stop();
        assert_eq!((status.applied, status.refused), (1, 0));
        let n = hooks.notices.lock().unwrap().clone();
        assert!(!n.iter().any(|m| m.contains("refused")), "{n:?}");
    }

    #[test]
    fn the_interval_comes_from_the_key() {
        let mut c = Config::default();
        assert_eq!(reload_interval(&c), Some(Duration::from_secs(5)));
        c.config_reload_interval = 0.25;
        assert_eq!(
            WatchOptions::from_config(&c).unwrap().interval,
            Duration::from_millis(250)
        );
        c.config_reload_interval = 0.0;
        assert!(WatchOptions::from_config(&c).is_none());
    }
}
