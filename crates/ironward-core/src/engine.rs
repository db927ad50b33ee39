//! The engine: the ordered pipeline that turns a request or a response into a [`Verdict`].
//!
//! Inbound order (pyrasp's, with its IGNORE_PATHS flaw fixed):
//! 1. the client IP is settled (peer, or forwarded through `TRUSTED_PROXIES`);
//! 2. `WHITELIST`ed clients skip everything;
//! 3. blacklisted clients are blocked (unless `BLACKLIST_OVERRIDE`);
//! 4. `IGNORE_PATHS` skip every check that follows (pyrasp still ran the decoy and route
//!    checks first, so `/robots.txt` without a route was blocked as an invalid path);
//! 5. the enabled checks run in registry order; inputs are extracted lazily, once, by the first
//!    check that needs them.
//!
//! A finding at a blocking level (1 or 2) ends the pipeline. A finding at monitor level (3) is
//! recorded and the pipeline goes on, so monitoring one check never hides another that blocks
//! (pyrasp stopped at the first finding of any level). A level-2 finding blacklists the client
//! for `BLACKLIST_DELAY` seconds.
//!
//! The engine is `Send + Sync`; build it once and share it. It holds no global lock: the
//! blacklist and the flood and brute-force counters live in its [`StateStore`], by default
//! in this process (sharded, bounded), or shared by every worker and host of the application
//! ([`EngineBuilder::state`], `SHARED_STATE_URL`). A panic inside
//! a check (a bug) is caught and turned into an internal error that fails open or closed as
//! `FAIL_OPEN` says.

mod mcp;
mod sinks;

use crate::check::{self, Check, CheckId, DlpStream, RequestContext, ResponseContext};
use crate::clock::{Clock, SystemClock};
use crate::config::{BodyLimitAction, Config, Level};
use crate::event::{Event, EventContext};
use crate::input::{ExtractOptions, Inputs};
use crate::ip::{Blacklist, IpSet, client_ip};
use crate::limits::Limits;
use crate::metrics::{Metrics, Phase};
use crate::pattern::{PatternSet, compile_regex_set};
use crate::request::{Request, Response};
use crate::state::{LocalState, StateStore};
use crate::verdict::{Action, BODY_LIMIT_LOCATION, BlockResponse, Finding, Skipped, Verdict};
use regex::RegexSet;
use std::cell::OnceCell;
use std::net::IpAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

/// Why an engine could not be built from a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A regex of the configuration does not compile.
    #[error("{key}: invalid regex: {source}")]
    Regex {
        /// The configuration key.
        key: &'static str,
        /// The regex error.
        source: regex::Error,
    },
    /// A built-in model does not load (a corrupt build).
    #[error("{key}: the built-in model does not load: {source}")]
    Model {
        /// The check whose model it is.
        key: &'static str,
        /// Why it does not load.
        source: ironward_ml::model::ModelError,
    },
    /// The configuration cannot work as written (a check on without what it needs). The
    /// loader reports the same problems as [`ConfigErrors`](crate::config::ConfigErrors); this
    /// catches a [`Config`] built in code.
    #[error("{key}: {message}")]
    Config {
        /// The configuration key at fault.
        key: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// The inspection engine. Cheap to share (`Arc<Engine>`), safe to call from many threads.
#[derive(Debug)]
pub struct Engine {
    config: Arc<Config>,
    limits: Limits,
    whitelist: IpSet,
    trusted_proxies: IpSet,
    ignore_paths: Option<RegexSet>,
    exceptions: PatternSet,
    whitelist_headers: PatternSet,
    /// The enabled checks in pipeline order, each with its configured level (looked up once
    /// here rather than in the configuration's map after every check of every request).
    checks: Vec<(Arc<dyn Check>, Level)>,
    /// The checks of the user's own ([`EngineBuilder::add_check`]), enabled or not: kept so
    /// that [`Engine::reconfigure`] passes them on.
    extra: Vec<Arc<dyn Check>>,
    /// Counters and blacklist.
    state: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    /// Counters of every inspection ([`crate::metrics`]).
    metrics: Arc<Metrics>,
    /// True when the `dlp` check is on (asked for every response).
    dlp: bool,
    /// True when the `brute` check is on.
    brute: bool,
    /// True when checks of the user's own were added (they may look at any response).
    custom: bool,
}

/// Builds an [`Engine`] with non-default parts.
#[derive(Debug)]
pub struct EngineBuilder {
    config: Config,
    clock: Arc<dyn Clock>,
    extra: Vec<Arc<dyn Check>>,
    state: Option<Arc<dyn StateStore>>,
    metrics: Option<Arc<Metrics>>,
}

impl EngineBuilder {
    /// Uses another clock (tests, replays).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps the counters and the blacklist in `state` (a store shared by every worker and
    /// host, such as `ironward-state-redis`'s) instead of this process's [`LocalState`].
    #[must_use]
    pub fn state(mut self, state: Arc<dyn StateStore>) -> Self {
        self.state = Some(state);
        self
    }

    /// Counts into `metrics` instead of a fresh [`Metrics`] (one shared by several engines, or
    /// kept across a rebuild).
    #[must_use]
    pub fn metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Adds a check of your own after the built-in ones. It runs at the level configured for
    /// its [`CheckId`] (and not at all when that level is 0).
    #[must_use]
    pub fn add_check(mut self, check: Box<dyn Check>) -> Self {
        self.extra.push(Arc::from(check));
        self
    }

    /// Like [`add_check`](Self::add_check), for a check already shared. [`Engine::reconfigure`]
    /// passes the same instance to the new engine, so a check that keeps state keeps it.
    #[must_use]
    pub fn add_shared_check(mut self, check: Arc<dyn Check>) -> Self {
        self.extra.push(check);
        self
    }

    /// Builds the engine.
    pub fn build(self) -> Result<Engine, EngineError> {
        let c = self.config;
        let state = self
            .state
            .unwrap_or_else(|| Arc::new(LocalState::new(&c)) as Arc<dyn StateStore>);
        let custom = !self.extra.is_empty();
        let checks = check::registry(&c, &state)?
            .into_iter()
            .map(Arc::<dyn Check>::from)
            .chain(
                self.extra
                    .iter()
                    .filter(|x| c.security_checks.level(x.id()) != Level::Off)
                    .cloned(),
            )
            .map(|x| {
                let level = c.security_checks.level(x.id());
                (x, level)
            })
            .collect();
        let regex = |key, source| EngineError::Regex { key, source };
        Ok(Engine {
            limits: Limits::from_config(&c),
            whitelist: IpSet::new(&c.whitelist),
            trusted_proxies: IpSet::new(&c.trusted_proxies),
            ignore_paths: compile_regex_set(&c.ignore_paths)
                .map_err(|e| regex("IGNORE_PATHS", e))?,
            exceptions: PatternSet::new(&c.exceptions).map_err(|e| regex("EXCEPTIONS", e))?,
            whitelist_headers: PatternSet::new(&c.whitelist_headers)
                .map_err(|e| regex("WHITELIST_HEADERS", e))?,
            checks,
            extra: self.extra,
            state,
            clock: self.clock,
            // Fresh metrics count this engine's configuration as the first one in force.
            metrics: self.metrics.unwrap_or_else(|| {
                let metrics = Metrics::new();
                metrics.configuration_applied();
                Arc::new(metrics)
            }),
            dlp: c.security_checks.level(CheckId::Dlp) != Level::Off,
            brute: c.security_checks.level(CheckId::Brute) != Level::Off,
            custom,
            config: Arc::new(c),
        })
    }
}

impl Engine {
    /// Builds an engine with the system clock.
    pub fn new(config: Config) -> Result<Engine, EngineError> {
        Engine::builder(config).build()
    }

    /// A builder, to change the clock.
    pub fn builder(config: Config) -> EngineBuilder {
        EngineBuilder {
            config,
            clock: Arc::new(SystemClock),
            extra: Vec::new(),
            state: None,
            metrics: None,
        }
    }

    /// A new engine for `config` that shares this one's state store (the blacklist and the
    /// flood and brute-force counters carry over, in this process or in a shared store), its
    /// clock, its metrics (the counters go on) and its checks of your own
    /// ([`EngineBuilder::add_check`]: the same instances, run at the levels `config` gives
    /// them). This engine is left as it is: requests in
    /// flight finish on it. Swap engines with [`crate::reload::SharedEngine`].
    ///
    /// The state store keeps the shape it was built with: `FLOOD_DELAY`, `ERROR_FLOOD_DELAY`,
    /// `RATE_TABLE_MAX_SIZE`, `BLACKLIST_MAX_SIZE` and the `SHARED_STATE_*` keys of `config`
    /// take effect at the next start ([`state_keys_changed`](Self::state_keys_changed) lists
    /// them); every other key, `FLOOD_RATIO`, `ERROR_FLOOD_RATIO` and `BLACKLIST_DELAY`
    /// included, applies to the new engine's first request.
    pub fn reconfigure(&self, config: Config) -> Result<Engine, EngineError> {
        EngineBuilder {
            config,
            clock: self.clock.clone(),
            extra: self.extra.clone(),
            state: Some(self.state.clone()),
            metrics: Some(self.metrics.clone()),
        }
        .build()
    }

    /// The keys whose change between this engine's configuration and `config` would not take
    /// effect through [`reconfigure`](Self::reconfigure), because they shape the state store
    /// (empty when none changed).
    pub fn state_keys_changed(&self, config: &Config) -> Vec<&'static str> {
        let (a, b) = (&*self.config, config);
        [
            ("FLOOD_DELAY", a.flood_delay != b.flood_delay),
            (
                "ERROR_FLOOD_DELAY",
                a.error_flood_delay != b.error_flood_delay,
            ),
            (
                "RATE_TABLE_MAX_SIZE",
                a.rate_table_max_size != b.rate_table_max_size,
            ),
            (
                "BLACKLIST_MAX_SIZE",
                a.blacklist_max_size != b.blacklist_max_size,
            ),
            ("SHARED_STATE_URL", a.shared_state_url != b.shared_state_url),
            (
                "SHARED_STATE_PREFIX",
                a.shared_state_prefix != b.shared_state_prefix,
            ),
        ]
        .into_iter()
        .filter_map(|(k, changed)| changed.then_some(k))
        .collect()
    }

    /// The engine's counters: every inspection is recorded there
    /// ([`crate::metrics`]; render them with `metrics().snapshot().to_prometheus()`).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The `Server` header every response (the application's or a block response) should
    /// carry: `SERVER_HEADER` when `CHANGE_SERVER` is on, else `None` (leave it alone).
    pub fn server_header(&self) -> Option<&str> {
        self.config
            .change_server
            .then_some(self.config.server_header.as_str())
    }

    /// The blacklist as this process sees it (with a shared store, its local cache). To add
    /// or remove entries so that every worker sees it, use
    /// [`blacklist_insert`](Self::blacklist_insert) and [`blacklist_remove`](Self::blacklist_remove).
    pub fn blacklist(&self) -> &Blacklist {
        self.state.blacklist()
    }

    /// Blacklists `ip` until `expires_ms` (an existing entry keeps the later deadline), in
    /// the engine's state store (shared when one is configured).
    pub fn blacklist_insert(&self, ip: IpAddr, expires_ms: i64) {
        self.state
            .blacklist_insert(ip, expires_ms, self.clock.now_ms());
    }

    /// Removes `ip` from the blacklist (of every worker, with a shared store); true when this
    /// process had it.
    pub fn blacklist_remove(&self, ip: IpAddr) -> bool {
        self.state.blacklist_remove(ip)
    }

    /// The state store: counters and blacklist.
    pub fn state(&self) -> &dyn StateStore {
        self.state.as_ref()
    }

    /// The current time of the engine's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The checks that run, in order.
    pub fn checks(&self) -> impl Iterator<Item = CheckId> + '_ {
        self.checks.iter().map(|(c, _)| c.id())
    }

    /// The client IP of a request, after the trusted-proxy rules.
    pub fn client_ip(&self, request: &Request<'_>) -> Option<IpAddr> {
        client_ip(
            request.peer_ip,
            &request.headers,
            &self.trusted_proxies,
            self.config.trust_proxy_headers,
        )
    }

    /// The options input extraction runs with.
    pub fn extract_options(&self) -> ExtractOptions<'_> {
        ExtractOptions {
            limits: self.limits,
            decode_b64: self.config.decode_b64,
            whitelist_headers: &self.whitelist_headers,
            exceptions: &self.exceptions,
        }
    }

    /// Extracts the inputs of a request, as the checks see them (for tools and tests).
    pub fn extract<'a>(&self, request: &Request<'a>) -> Inputs<'a> {
        crate::input::extract(request, &self.extract_options())
    }

    /// True when the request's body is longer than `MAX_BODY_BYTES`: the adapter buffered more,
    /// or says (`body_len`) that there is more than it buffered and more than the limit.
    pub fn body_over_limit(&self, request: &Request<'_>) -> bool {
        let max = self.limits.max_body_bytes;
        request.body.len() > max
            || request
                .body_len
                .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
    }

    /// Inspects a request.
    pub fn inspect_request(&self, request: &Request<'_>) -> Verdict {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let ip = self.client_ip(request);
        let inputs = OnceCell::new();
        let verdict = match catch_unwind(AssertUnwindSafe(|| {
            self.run_request(request, ip, now, &inputs)
        })) {
            Ok(v) => v,
            Err(panic) => self.internal_error(ip, panic.as_ref()),
        };
        self.metrics.record(Phase::Request, &verdict, Some(started));
        verdict
    }

    /// The whitelist and (when `blacklist`) the blacklist: a whitelisted client is skipped, a
    /// blacklisted one blocked. True when the verdict is settled.
    pub(crate) fn screen_ip(
        &self,
        verdict: &mut Verdict,
        ip: Option<IpAddr>,
        now: i64,
        blacklist: bool,
    ) -> bool {
        let Some(ip) = ip else {
            return false;
        };
        if self.whitelist.contains(ip) {
            verdict.skipped = Some(Skipped::Whitelisted);
            return true;
        }
        if blacklist && !self.config.blacklist_override && self.blacklist().contains(ip, now) {
            let mut f = Finding::new(CheckId::Blacklist, "source_ip", &ip.to_string());
            f.level = Level::BlockBlacklist;
            verdict.findings.push(f);
            verdict.action = Action::BlockAndBlacklist;
            verdict.response = Some(BlockResponse::for_action(
                &self.config,
                Action::BlockAndBlacklist,
            ));
            return true;
        }
        false
    }

    /// Runs the request pipeline; the extracted inputs stay in `inputs` when a check needed
    /// them.
    fn run_request<'a>(
        &self,
        request: &Request<'a>,
        ip: Option<IpAddr>,
        now: i64,
        inputs: &OnceCell<Inputs<'a>>,
    ) -> Verdict {
        let mut verdict = Verdict {
            client_ip: ip,
            ..Verdict::default()
        };
        if self.screen_ip(&mut verdict, ip, now, true) {
            return verdict;
        }
        let path = percent_encoding::percent_decode_str(request.path).decode_utf8_lossy();
        if self
            .ignore_paths
            .as_ref()
            .is_some_and(|ignore| ignore.is_match(&path))
        {
            verdict.skipped = Some(Skipped::IgnoredPath);
            return verdict;
        }
        if self.body_over_limit(request) {
            // The rest of the body is read by the application but not by the engine: never
            // silently allowed (`BODY_LIMIT_ACTION`).
            if self.over_limit_finding(&mut verdict, "body", now) {
                return verdict;
            }
        }
        let opts = self.extract_options();
        let ctx = RequestContext::new(request, ip, &self.config, now, &path, inputs, &opts);
        for (check, level) in &self.checks {
            let before = verdict.findings.len();
            check.check_request(&ctx, &mut verdict.findings);
            if self.stamp(&mut verdict, before, check.id(), *level) {
                break;
            }
        }
        if let Some(inputs) = inputs.get() {
            verdict.limits = inputs.limits;
        }
        self.conclude(&mut verdict, now);
        verdict
    }

    /// False when [`inspect_response`](Self::inspect_response) is certain to find nothing in a
    /// response with this status to a request with this verdict, whatever the response's
    /// headers and body: an adapter may then skip building the response view (headers, body)
    /// and the call. True when the `dlp` check is on, when the `brute` check is on and either
    /// the status is 400 or more or the request had findings, and always when checks of your
    /// own were added ([`EngineBuilder::add_check`]); false for a skipped request.
    pub fn response_needed(&self, inbound: &Verdict, status: u16) -> bool {
        if inbound.skipped.is_some() {
            return false;
        }
        self.custom || self.dlp || (self.brute && (status >= 400 || !inbound.findings.is_empty()))
    }

    /// Inspects a response. `request` may be reduced to its method and path
    /// (`Request::new(method, path)`) when the adapter no longer has the rest; `inbound` is the
    /// verdict the request got.
    pub fn inspect_response(
        &self,
        request: &Request<'_>,
        inbound: &Verdict,
        response: &Response<'_>,
    ) -> Verdict {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let ip = inbound.client_ip;
        let run = || {
            let mut verdict = Verdict {
                client_ip: ip,
                ..Verdict::default()
            };
            if inbound.skipped.is_some() {
                verdict.skipped = inbound.skipped;
                return verdict;
            }
            let ctx = ResponseContext {
                request,
                inbound,
                response,
                client_ip: ip,
                config: &self.config,
                now_ms: now,
            };
            for (check, level) in &self.checks {
                let before = verdict.findings.len();
                check.check_response(&ctx, &mut verdict.findings);
                if self.stamp(&mut verdict, before, check.id(), *level) {
                    break;
                }
            }
            self.conclude(&mut verdict, now);
            verdict
        };
        let verdict = match catch_unwind(AssertUnwindSafe(run)) {
            Ok(v) => v,
            Err(panic) => self.internal_error(ip, panic.as_ref()),
        };
        self.metrics
            .record(Phase::Response, &verdict, Some(started));
        verdict
    }

    /// Stamps the findings a check just added with its level and enforces `MAX_FINDINGS`.
    /// Returns true when one of them blocks (the pipeline stops).
    fn stamp(&self, verdict: &mut Verdict, before: usize, id: CheckId, level: Level) -> bool {
        if verdict.findings.len() == before {
            // The common case: the check found nothing.
            return false;
        }
        let cap = self.limits.max_findings.max(1);
        let mut blocks = false;
        for f in verdict.findings.iter_mut().skip(before) {
            f.check = id;
            f.level = level;
            blocks |= level.blocks();
        }
        if verdict.findings.len() > cap {
            // Keep the first findings, but never drop the one that blocks.
            let blocking = verdict.findings.iter().rposition(|f| f.level.blocks());
            if let Some(i) = blocking.filter(|i| *i >= cap) {
                verdict.findings.swap(cap - 1, i);
            }
            verdict.findings.truncate(cap);
        }
        blocks
    }

    /// Sets the action and response from the findings and blacklists the client on level 2.
    /// Records that `what` (a body, a tool call's arguments) is longer than `MAX_BODY_BYTES`:
    /// the rest is read by the application but not by the engine, so it is never silently
    /// allowed. A `format` finding at `BODY_LIMIT_ACTION`'s level; when that blocks, the
    /// verdict is concluded and true is returned (inspection stops there).
    pub(crate) fn over_limit_finding(&self, verdict: &mut Verdict, what: &str, now: i64) -> bool {
        let max = self.limits.max_body_bytes;
        let mut f = Finding::new(
            CheckId::Format,
            BODY_LIMIT_LOCATION,
            &format!("{what} longer than MAX_BODY_BYTES ({max} bytes)"),
        );
        f.level = match self.config.body_limit_action {
            BodyLimitAction::Block => Level::Block,
            BodyLimitAction::Monitor => Level::Monitor,
        };
        let blocks = f.level.blocks();
        verdict.findings.push(f);
        if blocks {
            self.conclude(verdict, now);
        }
        blocks
    }

    pub(crate) fn conclude(&self, verdict: &mut Verdict, now: i64) {
        verdict.action = verdict
            .findings
            .iter()
            .map(Finding::action)
            .max()
            .unwrap_or_default();
        if verdict.action.is_block() {
            let route = verdict.blocking_finding().map(|f| f.check);
            verdict.response = Some(match route {
                Some(CheckId::Path) if self.config.native_route_status => {
                    BlockResponse::native(404, "Not Found")
                }
                Some(CheckId::Method) if self.config.native_route_status => {
                    BlockResponse::native(405, "Method Not Allowed")
                }
                Some(CheckId::Format)
                    if verdict
                        .blocking_finding()
                        .is_some_and(|f| f.location == BODY_LIMIT_LOCATION) =>
                {
                    BlockResponse::native(413, "Payload Too Large")
                }
                _ => BlockResponse::for_action(&self.config, verdict.action),
            });
        }
        if verdict.action == Action::BlockAndBlacklist
            && !self.config.blacklist_override
            && let Some(ip) = verdict.client_ip
        {
            let ttl =
                i64::try_from(self.config.blacklist_delay.saturating_mul(1000)).unwrap_or(i64::MAX);
            self.state
                .blacklist_insert(ip, now.saturating_add(ttl), now);
        }
    }

    pub(crate) fn internal_error(
        &self,
        ip: Option<IpAddr>,
        panic: &(dyn std::any::Any + Send),
    ) -> Verdict {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".to_owned());
        let action = if self.config.fail_open {
            Action::Allow
        } else {
            Action::Block
        };
        Verdict {
            action,
            response: action
                .is_block()
                .then(|| BlockResponse::for_action(&self.config, action)),
            client_ip: ip,
            internal_error: Some(message),
            ..Verdict::default()
        }
    }

    /// A DLP scanner for a streamed response (server-sent events, generators, bodies of
    /// unknown length), or `None` when DLP does not apply to it: the check is off, the request
    /// skipped the checks, the status is 400 or more, or the content type is not inspected.
    /// Feed it the chunks as they go out; on a finding, pass it to [`Engine::stream_verdict`].
    pub fn dlp_stream(&self, inbound: &Verdict, response: &Response<'_>) -> Option<DlpStream> {
        if inbound.skipped.is_some() || !self.dlp {
            return None;
        }
        DlpStream::for_response(&self.config, response)
    }

    /// The verdict for a finding of a streamed-response scanner: its action, and the client
    /// blacklisted at level 2, as for any response finding. A blocking verdict means: cut the
    /// stream (its headers are already sent, so no block response can replace it).
    pub fn stream_verdict(&self, inbound: &Verdict, finding: Finding) -> Verdict {
        let now = self.clock.now_ms();
        let mut verdict = Verdict {
            client_ip: inbound.client_ip,
            findings: vec![finding],
            ..Verdict::default()
        };
        self.conclude(&mut verdict, now);
        self.metrics.record(Phase::Stream, &verdict, None);
        verdict
    }

    /// Forgets all state kept across requests: the blacklist and every check's counters.
    /// The `scan` command calls it between records so that each is judged on its own.
    pub fn reset_state(&self) {
        self.state.clear();
        for (check, _) in &self.checks {
            check.reset();
        }
    }

    /// The security events of a verdict, one per finding.
    pub fn events(&self, request: &Request<'_>, verdict: &Verdict) -> Vec<Event> {
        let ctx = EventContext {
            app: &self.config.app_name,
            source_ip: verdict.client_ip,
            method: request.method,
            path: request.path,
            unix_ms: self.clock.now_ms(),
        };
        verdict
            .findings
            .iter()
            .map(|f| Event::new(f, &ctx))
            .collect()
    }
}
