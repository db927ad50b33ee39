//! The typed configuration: every pyrasp 0.10.2 key with its name, type and default, plus
//! Ironward's own keys (engine limits, trusted proxies, fail-open).
//!
//! Field names are the snake_case of the JSON keys (`BLOCK_STATUS_CODE` → `block_status_code`).
//! Values here are already validated: the loader (`config::load`) is the only way to build a
//! `Config` from user input, and `Config::default()` equals the `default` template.

use crate::check::CheckId;
use crate::sink::Sink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a check does when it fires: pyrasp's levels 0–3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Level {
    /// 0 — the check does not run.
    #[default]
    Off,
    /// 1 — detect and block.
    Block,
    /// 2 — detect, block, and blacklist the source IP.
    BlockBlacklist,
    /// 3 — detect and report only; the request and response proceed.
    Monitor,
}

impl Level {
    /// The numeric level as written in configuration files.
    pub const fn as_u8(self) -> u8 {
        match self {
            Level::Off => 0,
            Level::Block => 1,
            Level::BlockBlacklist => 2,
            Level::Monitor => 3,
        }
    }

    /// Parses a numeric level.
    pub const fn from_u8(v: u8) -> Option<Level> {
        match v {
            0 => Some(Level::Off),
            1 => Some(Level::Block),
            2 => Some(Level::BlockBlacklist),
            3 => Some(Level::Monitor),
            _ => None,
        }
    }

    /// True for levels that stop the request (1 and 2).
    pub const fn blocks(self) -> bool {
        matches!(self, Level::Block | Level::BlockBlacklist)
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.as_u8())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u8::deserialize(d)?;
        Level::from_u8(v).ok_or_else(|| serde::de::Error::custom("level must be 0, 1, 2 or 3"))
    }
}

/// The level of every configurable check (`SECURITY_CHECKS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct SecurityChecks(pub BTreeMap<CheckId, Level>);

impl SecurityChecks {
    /// The level of a check; a check that is not listed is off.
    pub fn level(&self, check: CheckId) -> Level {
        self.0.get(&check).copied().unwrap_or(Level::Off)
    }

    /// Sets the level of one check.
    pub fn set(&mut self, check: CheckId, level: Level) {
        self.0.insert(check, level);
    }
}

/// The level of every sink check (`SINK_CHECKS`): what happens when a request's input changes
/// the structure of a SQL query, a shell command, a file path, an outbound request or a NoSQL
/// filter where the application uses it. The levels mean what they mean in `SECURITY_CHECKS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SinkChecks {
    /// SQL queries (`sql`).
    pub sql: Level,
    /// Shell command lines and argument lists (`shell`).
    pub shell: Level,
    /// File paths (`path`).
    pub path: Level,
    /// Outbound requests (`ssrf`).
    pub ssrf: Level,
    /// NoSQL filters (`nosql`).
    pub nosql: Level,
}

impl SinkChecks {
    /// Every sink at the same level.
    pub const fn all(level: Level) -> SinkChecks {
        SinkChecks {
            sql: level,
            shell: level,
            path: level,
            ssrf: level,
            nosql: level,
        }
    }

    /// The level of one sink.
    pub const fn level(&self, sink: Sink) -> Level {
        match sink {
            Sink::Sql => self.sql,
            Sink::Shell => self.shell,
            Sink::Path => self.path,
            Sink::Ssrf => self.ssrf,
            Sink::NoSql => self.nosql,
        }
    }

    /// Sets the level of one sink.
    pub fn set(&mut self, sink: Sink, level: Level) {
        match sink {
            Sink::Sql => self.sql = level,
            Sink::Shell => self.shell = level,
            Sink::Path => self.path = level,
            Sink::Ssrf => self.ssrf = level,
            Sink::NoSql => self.nosql = level,
        }
    }

    /// True when at least one sink check runs.
    pub const fn any_on(&self) -> bool {
        !matches!(
            (self.sql, self.shell, self.path, self.ssrf, self.nosql),
            (Level::Off, Level::Off, Level::Off, Level::Off, Level::Off)
        )
    }
}

impl Default for SinkChecks {
    /// Every sink at level 2 (block and blacklist), as the request-side injection checks.
    fn default() -> Self {
        SinkChecks::all(Level::BlockBlacklist)
    }
}

/// How a pattern of `DECOY_ROUTES`, `WHITELIST_HEADERS` or `EXCEPTIONS` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// A regular expression searched anywhere in the value (linear-time `regex` syntax).
    Regex,
    /// The value starts with the pattern.
    Starts,
    /// The value contains the pattern.
    Contains,
    /// The value equals the pattern.
    Match,
    /// The value ends with the pattern.
    Ends,
}

/// A pattern with its match kind: written as a bare string or as `[pattern, kind]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatternRule {
    /// The pattern text.
    pub pattern: String,
    /// How it is compared.
    pub kind: MatchKind,
}

impl Serialize for PatternRule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.pattern, self.kind).serialize(s)
    }
}

/// What the client gets when a request is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BlockAction {
    /// Answer with the status code and the content as the body.
    #[default]
    Block,
    /// Redirect (the status code, e.g. 302) to the content, a URL.
    Redirect,
}

/// `BODY_LIMIT_ACTION`: what to do with a request whose body is longer than
/// `MAX_BODY_BYTES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BodyLimitAction {
    /// Answer 413 Payload Too Large and report the request.
    #[default]
    Block,
    /// Inspect the first `MAX_BODY_BYTES` and report the request.
    Monitor,
}

/// `LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// pyrasp's own syslog-like line (not RFC formatted).
    #[default]
    Syslog,
    /// RFC 5424 syslog.
    Rfc5424,
    /// RFC 3164 (BSD) syslog.
    Rfc3164,
    /// pyrasp's JSON document.
    Json,
    /// pyrasp's `pcb` JSON document.
    Pcb,
}

/// `LOG_PROTOCOL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogProtocol {
    /// One UDP datagram per event.
    #[default]
    Udp,
    /// A persistent TCP connection.
    Tcp,
    /// HTTP POST webhook.
    Http,
    /// HTTPS POST webhook.
    Https,
    /// A local file with size rotation.
    File,
    /// Standard output (an Ironward addition).
    Stdout,
}

/// The complete, validated configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Config {
    // --- identity and responses ---
    /// Valid `Host` header values; the spoofing check is skipped when empty.
    pub hosts: Vec<String>,
    /// Application name used in logs and the banner.
    pub app_name: String,
    /// Response to a blacklisted client (and to level-2 hits).
    pub blacklist_action: BlockAction,
    /// Status code for blacklisted clients.
    pub blacklist_status_code: u16,
    /// Body (or redirect URL) for blacklisted clients.
    pub blacklist_action_content: String,
    /// Response to a blocked request.
    pub block_action: BlockAction,
    /// Status code for blocked requests.
    pub block_status_code: u16,
    /// Body (or redirect URL) for blocked requests.
    pub block_action_content: String,
    /// Console verbosity: 0 silent, 10+ banner and attack lines, 100+ full attack details.
    pub verbose: u32,
    /// Whether base64-looking values are decoded and inspected too.
    pub decode_b64: bool,
    /// The level of every check.
    pub security_checks: SecurityChecks,
    /// The level of every sink check.
    pub sink_checks: SinkChecks,
    // --- IP policy and paths ---
    /// Client IPs and CIDR blocks that bypass every check.
    pub whitelist: Vec<ipnet::IpNet>,
    /// Path regexes that bypass the detectors (not the blacklist).
    pub ignore_paths: Vec<String>,
    /// Header names (lowercase) that are forbidden.
    pub forbidden_headers: Vec<String>,
    /// Headers (by name) excluded from inspection.
    pub whitelist_headers: Vec<PatternRule>,
    /// Path regexes on which flood and brute force are counted.
    pub brute_and_flood_paths: Vec<String>,
    /// Flood window in seconds.
    pub flood_delay: u64,
    /// Requests allowed per flood window.
    pub flood_ratio: u64,
    /// Brute-force window in seconds.
    pub error_flood_delay: u64,
    /// Error responses allowed per brute-force window.
    pub error_flood_ratio: u64,
    /// How long a blacklisted IP stays blacklisted, in seconds.
    pub blacklist_delay: u64,
    /// Ignore the blacklist entirely (testing).
    pub blacklist_override: bool,
    /// Share new blacklist entries with the management server.
    pub blacklist_share: bool,
    /// Decoy routes.
    pub decoy_routes: Vec<PatternRule>,
    /// Values never inspected (default kind: exact match).
    pub exceptions: Vec<PatternRule>,
    // --- detectors ---
    /// XSS score threshold.
    pub xss_proba: f64,
    /// SQL injection score threshold.
    pub sqli_proba: f64,
    /// DLP: phone numbers.
    pub dlp_phone_numbers: bool,
    /// DLP: card numbers.
    pub dlp_cc_numbers: bool,
    /// DLP: private keys.
    pub dlp_private_keys: bool,
    /// DLP: password hashes.
    pub dlp_hashes: bool,
    /// DLP: Windows credentials.
    pub dlp_windows_creds: bool,
    /// DLP: Linux credentials.
    pub dlp_linux_creds: bool,
    /// DLP: API keys and cloud secrets.
    pub dlp_api: bool,
    /// Log the leaked data itself instead of its category.
    pub dlp_log_leaked_data: bool,
    /// Whether file uploads are allowed at all.
    pub upload_files: bool,
    /// Maximum upload size in MB (10^6 bytes).
    pub upload_max_size: f64,
    /// Allowed upload extensions (lowercase, without the dot).
    pub upload_extensions: Vec<String>,
    /// Flag Cyrillic characters.
    pub chars_cyrillic: bool,
    /// Flag invisible characters.
    pub chars_invisible: bool,
    /// Flag non-printable control characters.
    pub chars_nonprintable: bool,
    /// ML score cache entries.
    pub ml_cache_size: u64,
    /// Longest value whose ML score is cached.
    pub ml_cache_max_length: u64,
    /// ML batch size.
    pub ml_batch_size: u64,
    /// Prompt-injection batch size (accepted, no effect).
    pub prompt_batch_size: u64,
    /// Path regexes on which the `prompt` check judges requests (empty: every route).
    pub prompt_routes: Vec<String>,
    // --- zero trust ---
    /// Header carrying the zero-trust JWT.
    pub ztaa_header: String,
    /// HS512 keys accepted for the zero-trust JWT.
    pub ztaa_keys: Vec<String>,
    /// Require the `latest` claim (an up-to-date browser).
    pub ztaa_browser_version: bool,
    /// Seconds of clock skew allowed on the token's `exp` and `nbf`.
    pub ztaa_leeway: u64,
    /// Refuse tokens without an `exp` claim.
    pub ztaa_require_exp: bool,
    // --- logging, server header, beacon ---
    /// Ship security events.
    pub log_enabled: bool,
    /// Event format.
    pub log_format: LogFormat,
    /// Log server host.
    pub log_server: String,
    /// Log server port.
    pub log_port: u16,
    /// Log transport.
    pub log_protocol: LogProtocol,
    /// Webhook path or log file path.
    pub log_path: String,
    /// Log file rotation size in MB.
    pub log_file_size: u64,
    /// Resolve the country of source IPs (offline).
    pub resolve_country: bool,
    /// Put the whole `iw1` request fingerprint (with its hashes) in the payload of `bots`
    /// findings (pyrasp's JA4H key; see the bots check).
    pub log_ja4h_fingerprint: bool,
    /// Rewrite the `Server` response header.
    pub change_server: bool,
    /// The `Server` header value.
    pub server_header: String,
    /// Send beacons to the management server.
    pub beacon: bool,
    /// Include telemetry in beacons.
    pub telemetry_data: bool,
    /// Beacon URL.
    pub beacon_url: Option<String>,
    /// Beacon interval in seconds.
    pub beacon_delay: u64,
    // --- client IP ---
    /// Honour forwarding headers at all (they are only ever read from `TRUSTED_PROXIES`).
    pub trust_proxy_headers: bool,
    /// Proxies (IPs or CIDRs) whose `X-Forwarded-For`/`Forwarded` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    // --- engine limits (Ironward) ---
    /// Request body bytes inspected; the rest is not inspected and is reported.
    pub max_body_bytes: u64,
    /// What to do with a request whose body is longer than `max_body_bytes`.
    pub body_limit_action: BodyLimitAction,
    /// Inputs (values, names, decoded variants) inspected per request.
    pub max_inputs: u64,
    /// Bytes of one value inspected; longer values are cut and reported.
    pub max_value_length: u64,
    /// Nesting depth of JSON bodies and JSON found inside values.
    pub max_json_depth: u64,
    /// Rounds of percent-decoding applied to one value.
    pub max_decode_rounds: u64,
    /// Depth of nested decodings (base64 inside base64, JSON inside a value…).
    pub max_decode_depth: u64,
    /// Findings recorded per request (monitor findings accumulate).
    pub max_findings: u64,
    /// IPs held in the blacklist; the soonest to expire is evicted past it.
    pub blacklist_max_size: u64,
    /// Let requests through when the engine fails internally.
    pub fail_open: bool,
    // --- request and response checks (Ironward) ---
    /// Answer unknown routes with 404 and disallowed methods with 405 (instead of the
    /// `BLOCK_*` response).
    pub native_route_status: bool,
    /// IPs tracked by each of the flood and brute-force counters.
    pub rate_table_max_size: u64,
    /// Also count the executables on the server's `PATH` as commands (read once by the host).
    pub command_path_lookup: bool,
    /// Command names added to the built-in dictionary of the command-injection check.
    pub extra_commands: Vec<String>,
    /// Response content types DLP inspects (`text/*` style wildcards allowed).
    pub inspect_content_types: Vec<String>,
    /// Response body bytes DLP inspects (after decompression).
    pub dlp_max_body_bytes: u64,
    /// Bytes carried from one chunk to the next when DLP scans a streamed response.
    pub dlp_stream_overlap: u64,
    /// Decompress gzip, deflate and brotli responses (up to `DLP_MAX_BODY_BYTES`) for DLP.
    pub dlp_decompress: bool,
    /// Check that an upload's bytes match its extension (a `.jpg` that is a script is refused).
    pub upload_sniff: bool,
    /// User-Agent substrings (case-insensitive) that the bots check never flags: health
    /// checks and uptime monitors.
    pub bots_allowed_agents: Vec<String>,
    // --- event shipping (Ironward) ---
    /// Encode payloads in base64 in shipped events (pyrasp's behaviour); `false` ships them
    /// in clear (escaped as the format requires).
    pub log_payload_base64: bool,
    /// Events waiting to be shipped; past it new events are dropped and counted.
    pub log_queue_size: u64,
    /// Network timeout for one shipment, in milliseconds.
    pub log_timeout_ms: u64,
    /// Most events in one HTTP(S) request; 1 sends one request per event (pyrasp's behaviour).
    /// The other transports write one record at a time whatever its value.
    pub log_batch_size: u64,
    /// Longest an event waits for its batch to fill, in milliseconds; 0 sends what is queued.
    pub log_batch_wait_ms: u64,
    /// Most bytes of records in one batch (a record larger than that is sent alone).
    pub log_batch_max_bytes: u64,
    // --- metrics (Ironward) ---
    /// Path of the Prometheus metrics route served by the adapters; empty: no route.
    pub metrics_path: String,
    /// Client IPs and CIDR blocks allowed to read the metrics route.
    pub metrics_allow: Vec<ipnet::IpNet>,
    // --- shared state (Ironward) ---
    /// Where the flood and brute-force counters and the blacklist are shared (`redis://…`);
    /// empty: in this process.
    pub shared_state_url: String,
    /// Prefix of the shared keys; empty: `ironward:<APP_NAME>`.
    pub shared_state_prefix: String,
    /// Latency budget of one shared-state call on the request path, in milliseconds.
    pub shared_state_timeout_ms: u64,
    /// Timeout of a connection attempt (made off the request path), in milliseconds.
    pub shared_state_connect_timeout_ms: u64,
    /// Connections to the shared state per engine.
    pub shared_state_pool_size: u64,
    /// Longest pause between reconnection attempts (exponential back-off), in milliseconds.
    pub shared_state_retry_max_ms: u64,
    // --- management server agent (Ironward) ---
    /// Timeout of one connect or beacon request to the management server, in milliseconds.
    pub cloud_timeout_ms: u64,
    /// Longest pause between attempts to reach the management server (exponential back-off
    /// with jitter), in milliseconds.
    pub cloud_retry_max_ms: u64,
    /// Largest answer read from the management server, in bytes.
    pub cloud_max_response_bytes: u64,
    /// File where the last configuration received from the management server is kept, and
    /// read at start-up; empty: not kept.
    pub cloud_cache_path: String,
    /// Seconds between checks of the application's configuration file for changes (a hot
    /// reload when it changed); 0: the file is not watched. Fractions are allowed.
    pub config_reload_interval: f64,
}
