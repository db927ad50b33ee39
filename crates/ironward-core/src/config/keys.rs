//! The table of every configuration key: its JSON name, the kind of value it takes (type and
//! allowed range) and a one-line summary.
//!
//! The table is the single source of truth for what a key accepts: the loader parses each
//! value by the key's [`ValueKind`], error messages describe the expectation from it, and tests
//! check that it covers every field of [`Config`](super::Config) and every key of
//! `docs/configuration.md`.

use super::model::MatchKind;

/// An inclusive range of integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntRange {
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
}

/// An inclusive range of numbers; `max` may be infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatRange {
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
}

/// What a key accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    /// `true` or `false`.
    Bool,
    /// Any string.
    Str,
    /// A string or `null`; `""` also means none.
    OptStr,
    /// A list of strings, kept as written.
    Strings,
    /// A list of strings, lowercased (header names).
    LowerStrings,
    /// A list of file extensions, lowercased, leading `.` removed.
    Extensions,
    /// An integer in a range (an integral float such as `60.0` is accepted too).
    Int(IntRange),
    /// A number (integer or float) in a range.
    Float(FloatRange),
    /// `block` or `redirect`, any case.
    Action,
    /// `block` or `monitor`, any case.
    BodyLimitAction,
    /// A `LOG_FORMAT` name, any case.
    LogFormat,
    /// A `LOG_PROTOCOL` name, any case.
    LogProtocol,
    /// A list of regexes that must compile within the engine's size limits.
    Regexes,
    /// A list of patterns, each `"text"` (of the given default kind) or `["text", kind]`.
    Patterns(MatchKind),
    /// Like `Patterns` for header names: literal patterns are lowercased and regexes are made
    /// case-insensitive; a bare string is an exact (`match`) name.
    HeaderPatterns,
    /// A list of IP addresses or CIDR blocks.
    Nets,
    /// An object mapping check names to levels 0–3, merged per check over lower layers.
    Checks,
    /// An object mapping sink names (`sql`, `shell`, `path`, `ssrf`, `nosql`) to levels 0–3,
    /// merged per sink over lower layers.
    Sinks,
}

/// Status codes.
pub(crate) const STATUS: IntRange = IntRange { min: 100, max: 599 };
/// Time windows and durations in seconds: at least 1 s, at most ten years.
pub(crate) const SECONDS: IntRange = IntRange {
    min: 1,
    max: 315_360_000,
};
/// Thresholds of the flood and brute-force counters.
pub(crate) const RATIO: IntRange = IntRange {
    min: 1,
    max: u32::MAX as u64,
};
/// Probability thresholds.
pub(crate) const PROBA: FloatRange = FloatRange { min: 0.0, max: 1.0 };

const fn int(min: u64, max: u64) -> ValueKind {
    ValueKind::Int(IntRange { min, max })
}

impl ValueKind {
    /// What the key expects, in words, as used in error messages ("an integer from 100 to
    /// 599").
    pub fn expected(&self) -> String {
        match self {
            ValueKind::Bool => "true or false".into(),
            ValueKind::Str => "a string".into(),
            ValueKind::OptStr => "a string or null".into(),
            ValueKind::Strings | ValueKind::LowerStrings => "a list of strings".into(),
            ValueKind::Extensions => "a list of file extensions (strings)".into(),
            ValueKind::Int(r) => int_expected(*r),
            ValueKind::Float(r) if r.max.is_finite() => {
                format!("a number from {} to {}", r.min, r.max)
            }
            ValueKind::Float(r) => format!("a number >= {}", r.min),
            ValueKind::Action => "one of \"block\", \"redirect\"".into(),
            ValueKind::BodyLimitAction => "one of \"block\", \"monitor\"".into(),
            ValueKind::LogFormat => {
                "one of \"syslog\", \"rfc5424\", \"rfc3164\", \"json\", \"pcb\"".into()
            }
            ValueKind::LogProtocol => {
                "one of \"udp\", \"tcp\", \"http\", \"https\", \"file\", \"stdout\"".into()
            }
            ValueKind::Regexes => "a list of regular expressions (strings)".into(),
            ValueKind::Patterns(_) | ValueKind::HeaderPatterns => {
                "a list of patterns, each \"text\" or [\"text\", kind] with kind regex, starts, \
                 contains, match or ends"
                    .into()
            }
            ValueKind::Nets => "a list of IP addresses or CIDR blocks (strings)".into(),
            ValueKind::Checks => "an object mapping check names to levels 0-3".into(),
            ValueKind::Sinks => {
                "an object mapping sink names (sql, shell, path, ssrf, nosql) to levels 0-3".into()
            }
        }
    }
}

fn int_expected(r: IntRange) -> String {
    match (r.min, r.max) {
        (0, u64::MAX) => "a non-negative integer".into(),
        (min, u64::MAX) => format!("an integer >= {min}"),
        (min, max) => format!("an integer from {min} to {max}"),
    }
}

/// One configuration key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeySpec {
    /// The JSON key, e.g. `BLOCK_STATUS_CODE`.
    pub name: &'static str,
    /// What it accepts.
    pub kind: ValueKind,
    /// What it does, in one line.
    pub summary: &'static str,
}

macro_rules! key_table {
    ($($name:literal : $kind:expr => $summary:literal;)*) => {
        /// Every configuration key with its kind of value and summary, in documentation order.
        pub const KEYS: &[KeySpec] = &[$(KeySpec { name: $name, kind: $kind, summary: $summary }),*];
        /// The name of every configuration key (deprecated aliases excluded).
        pub const KNOWN_KEYS: &[&str] = &[$($name),*];
    };
}

key_table! {
    // identity and responses
    "HOSTS": ValueKind::Strings => "Valid Host header values; the spoofing check is skipped when empty.";
    "APP_NAME": ValueKind::Str => "Application name used in logs and the banner.";
    "BLOCK_ACTION": ValueKind::Action => "Response to a blocked request: block or redirect.";
    "BLOCK_STATUS_CODE": ValueKind::Int(STATUS) => "Status code of a blocked request (3xx for redirect).";
    "BLOCK_ACTION_CONTENT": ValueKind::Str => "Body (block) or URL (redirect) of a blocked request.";
    "BLACKLIST_ACTION": ValueKind::Action => "Response to a blacklisted client and to level-2 hits.";
    "BLACKLIST_STATUS_CODE": ValueKind::Int(STATUS) => "Status code for blacklisted clients.";
    "BLACKLIST_ACTION_CONTENT": ValueKind::Str => "Body or redirect URL for blacklisted clients.";
    "CHANGE_SERVER": ValueKind::Bool => "Rewrite the Server response header.";
    "SERVER_HEADER": ValueKind::Str => "The Server header value.";
    "VERBOSE": int(0, u32::MAX as u64) => "Console verbosity: 0 silent, 10 banner and attacks, 100 details.";
    // checks and detectors
    "SECURITY_CHECKS": ValueKind::Checks => "Level of each check, merged per check over lower layers.";
    "SINK_CHECKS": ValueKind::Sinks => "Level of each sink check (sql, shell, path, ssrf, nosql), merged per sink.";
    "DECODE_B64": ValueKind::Bool => "Also inspect the base64-decoded form of values.";
    "XSS_PROBA": ValueKind::Float(PROBA) => "XSS score threshold.";
    "SQLI_PROBA": ValueKind::Float(PROBA) => "SQL injection score threshold.";
    "DECOY_ROUTES": ValueKind::Patterns(MatchKind::Starts) => "Paths that no honest client requests.";
    "EXCEPTIONS": ValueKind::Patterns(MatchKind::Match) => "Values never inspected.";
    "FORBIDDEN_HEADERS": ValueKind::LowerStrings => "Header names that are forbidden (headers check).";
    "WHITELIST_HEADERS": ValueKind::HeaderPatterns => "Headers excluded from inspection, by name.";
    "UPLOAD_FILES": ValueKind::Bool => "Allow file uploads at all.";
    "UPLOAD_MAX_SIZE": ValueKind::Float(FloatRange { min: 0.0, max: f64::INFINITY }) => "Largest upload in MB (10^6 bytes).";
    "UPLOAD_EXTENSIONS": ValueKind::Extensions => "Allowed upload extensions.";
    "CHARS_CYRILLIC": ValueKind::Bool => "Flag Cyrillic characters.";
    "CHARS_INVISIBLE": ValueKind::Bool => "Flag invisible characters.";
    "CHARS_NONPRINTABLE": ValueKind::Bool => "Flag non-printable control characters.";
    "ML_CACHE_SIZE": int(0, 10_000_000) => "Entries of the score cache.";
    "ML_CACHE_MAX_LENGTH": int(0, 16 * 1024 * 1024) => "Longest value whose score is cached.";
    "ML_BATCH_SIZE": int(1, 65_536) => "Values scored per batch.";
    "PROMPT_BATCH_SIZE": int(1, 65_536) => "Accepted for compatibility; no effect: each text is scored on its own, in microseconds.";
    "PROMPT_ROUTES": ValueKind::Regexes => "Path regexes on which the prompt check judges requests (empty: every route).";
    // data leak prevention
    "DLP_PHONE_NUMBERS": ValueKind::Bool => "DLP: phone numbers.";
    "DLP_CC_NUMBERS": ValueKind::Bool => "DLP: card numbers.";
    "DLP_PRIVATE_KEYS": ValueKind::Bool => "DLP: private keys.";
    "DLP_HASHES": ValueKind::Bool => "DLP: password hashes.";
    "DLP_WINDOWS_CREDS": ValueKind::Bool => "DLP: Windows credentials.";
    "DLP_LINUX_CREDS": ValueKind::Bool => "DLP: Linux credentials.";
    "DLP_API": ValueKind::Bool => "DLP: API keys and cloud secrets.";
    "DLP_LOG_LEAKED_DATA": ValueKind::Bool => "Log the leaked data itself instead of its category.";
    // clients, paths, flood and blacklist
    "WHITELIST": ValueKind::Nets => "Client IPs and CIDR blocks that bypass every check.";
    "TRUST_PROXY_HEADERS": ValueKind::Bool => "Honour forwarding headers (only from TRUSTED_PROXIES).";
    "TRUSTED_PROXIES": ValueKind::Nets => "Proxies whose X-Forwarded-For/Forwarded are believed.";
    "IGNORE_PATHS": ValueKind::Regexes => "Path regexes that bypass the detectors (not the lists).";
    "BRUTE_AND_FLOOD_PATHS": ValueKind::Regexes => "Path regexes on which requests are counted for flood.";
    "FLOOD_DELAY": ValueKind::Int(SECONDS) => "Flood window in seconds.";
    "FLOOD_RATIO": ValueKind::Int(RATIO) => "Requests allowed per flood window.";
    "ERROR_FLOOD_DELAY": ValueKind::Int(SECONDS) => "Brute-force window in seconds.";
    "ERROR_FLOOD_RATIO": ValueKind::Int(RATIO) => "Error responses allowed per brute-force window.";
    "BLACKLIST_DELAY": ValueKind::Int(SECONDS) => "Seconds an IP stays blacklisted.";
    "BLACKLIST_OVERRIDE": ValueKind::Bool => "Ignore the blacklist entirely (testing).";
    "BLACKLIST_SHARE": ValueKind::Bool => "Share new blacklist entries with the management server.";
    "BLACKLIST_MAX_SIZE": int(1, 10_000_000) => "IPs held in the blacklist; the soonest to expire is evicted.";
    // zero trust
    "ZTAA_HEADER": ValueKind::Str => "Header carrying the zero-trust token.";
    "ZTAA_KEYS": ValueKind::Strings => "HS512 keys accepted for the zero-trust token.";
    "ZTAA_BROWSER_VERSION": ValueKind::Bool => "Require the token's latest-browser claim.";
    "ZTAA_LEEWAY": int(0, 3600) => "Seconds of clock skew allowed on the token's exp and nbf.";
    "ZTAA_REQUIRE_EXP": ValueKind::Bool => "Refuse zero-trust tokens without an exp claim.";
    // logging and beacon
    "LOG_ENABLED": ValueKind::Bool => "Ship security events.";
    "LOG_FORMAT": ValueKind::LogFormat => "Event format.";
    "LOG_SERVER": ValueKind::Str => "Log server host.";
    "LOG_PORT": int(1, 65_535) => "Log server port.";
    "LOG_PROTOCOL": ValueKind::LogProtocol => "Log transport.";
    "LOG_PATH": ValueKind::Str => "Webhook path or log file path.";
    "LOG_FILE_SIZE": int(1, 1_000_000) => "Log file rotation size in MB.";
    "RESOLVE_COUNTRY": ValueKind::Bool => "Resolve the country of source IPs (offline).";
    "LOG_JA4H_FINGERPRINT": ValueKind::Bool => "Put the whole iw1 request fingerprint in bots findings.";
    "BEACON": ValueKind::Bool => "Send beacons to the management server.";
    "TELEMETRY_DATA": ValueKind::Bool => "Include telemetry in beacons.";
    "BEACON_URL": ValueKind::OptStr => "Beacon URL (null or \"\" for none).";
    "BEACON_DELAY": ValueKind::Int(SECONDS) => "Beacon interval in seconds.";
    // engine limits
    "MAX_BODY_BYTES": int(1, 1024 * 1024 * 1024) => "Request body bytes inspected.";
    "BODY_LIMIT_ACTION": ValueKind::BodyLimitAction => "What to do with a request whose body is longer than MAX_BODY_BYTES: block (413) or monitor (inspect the first MAX_BODY_BYTES, report).";
    "MAX_INPUTS": int(1, 1_000_000) => "Inputs (names, values, decoded variants) inspected per request.";
    "MAX_VALUE_LENGTH": int(16, 16 * 1024 * 1024) => "Bytes of one value inspected.";
    "MAX_JSON_DEPTH": int(1, 128) => "Nesting depth of JSON walked.";
    "MAX_DECODE_ROUNDS": int(1, 10) => "Rounds of percent-decoding per value.";
    "MAX_DECODE_DEPTH": int(0, 5) => "Nested decodings (base64 in base64, JSON in a value).";
    "MAX_FINDINGS": int(1, 1000) => "Findings recorded per request.";
    "FAIL_OPEN": ValueKind::Bool => "Let requests through when the engine fails internally.";
    // request and response checks
    "NATIVE_ROUTE_STATUS": ValueKind::Bool => "Answer unknown routes with 404 and wrong methods with 405.";
    "RATE_TABLE_MAX_SIZE": int(1, 10_000_000) => "IPs tracked by each of the flood and brute-force counters.";
    "COMMAND_PATH_LOOKUP": ValueKind::Bool => "Also count executables on the server's PATH as commands.";
    "EXTRA_COMMANDS": ValueKind::Strings => "Command names added to the built-in dictionary.";
    "INSPECT_CONTENT_TYPES": ValueKind::LowerStrings => "Response content types DLP inspects.";
    "DLP_MAX_BODY_BYTES": int(1, 1024 * 1024 * 1024) => "Response body bytes DLP inspects.";
    "DLP_STREAM_OVERLAP": int(0, 65_536) => "Bytes carried between chunks of a streamed response.";
    "DLP_DECOMPRESS": ValueKind::Bool => "Decompress gzip, deflate and brotli responses for DLP.";
    "UPLOAD_SNIFF": ValueKind::Bool => "Check that an upload's bytes match its extension.";
    "BOTS_ALLOWED_AGENTS": ValueKind::Strings => "User-Agent substrings (any case) the bots check never flags: health checks, uptime monitors.";
    // event shipping
    "LOG_PAYLOAD_BASE64": ValueKind::Bool => "Encode payloads in base64 in shipped events.";
    "LOG_QUEUE_SIZE": int(1, 10_000_000) => "Events waiting to be shipped before new ones are dropped.";
    "LOG_TIMEOUT_MS": int(10, 60_000) => "Network timeout for one shipment, in milliseconds.";
    "LOG_BATCH_SIZE": int(1, 10_000) => "Most events sent in one HTTP(S) request (1: one request per event, as pyrasp).";
    "LOG_BATCH_WAIT_MS": int(0, 60_000) => "Longest an event waits for its batch to fill, in milliseconds (0: send what is queued now).";
    "LOG_BATCH_MAX_BYTES": int(1_024, 64 * 1024 * 1024) => "Most bytes of records in one batch; a larger record is sent alone.";
    // metrics
    "METRICS_PATH": ValueKind::Str => "Path of the Prometheus metrics route the adapters serve (\"\": no route).";
    "METRICS_ALLOW": ValueKind::Nets => "Client IPs and CIDR blocks allowed to read the metrics route.";
    // shared state
    "SHARED_STATE_URL": ValueKind::Str => "Redis URL of the state shared by every worker and host (\"\" keeps it in this process).";
    "SHARED_STATE_PREFIX": ValueKind::Str => "Prefix of the shared keys (\"\" for ironward:<APP_NAME>).";
    "SHARED_STATE_TIMEOUT_MS": int(1, 1_000) => "Latency budget of one shared-state call, in milliseconds.";
    "SHARED_STATE_CONNECT_TIMEOUT_MS": int(10, 60_000) => "Timeout of a (background) connection to the shared state.";
    "SHARED_STATE_POOL_SIZE": int(1, 256) => "Connections to the shared state per engine.";
    "SHARED_STATE_RETRY_MAX_MS": int(100, 3_600_000) => "Longest pause between reconnection attempts.";
    // management server agent
    "CLOUD_TIMEOUT_MS": int(100, 60_000) => "Timeout of one connect or beacon request to the management server, in milliseconds.";
    "CLOUD_RETRY_MAX_MS": int(100, 3_600_000) => "Longest pause between attempts to reach the management server.";
    "CLOUD_MAX_RESPONSE_BYTES": int(1024, 1024 * 1024 * 1024) => "Largest answer read from the management server.";
    "CLOUD_CACHE_PATH": ValueKind::Str => "File keeping the last configuration received from the management server (\"\" for none).";
    "CONFIG_RELOAD_INTERVAL": ValueKind::Float(FloatRange { min: 0.0, max: 86_400.0 }) => "Seconds between checks of the configuration file for changes, applied as a hot reload (0: not watched).";
}

/// The spec of a key, by its exact name.
pub fn key_spec(name: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|k| k.name == name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::BTreeSet;

    #[test]
    fn table_covers_every_config_field_exactly() {
        let json = serde_json::to_value(Config::default()).unwrap();
        let fields: BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let keys: BTreeSet<&str> = KNOWN_KEYS.iter().copied().collect();
        assert_eq!(fields, keys);
        assert_eq!(keys.len(), KNOWN_KEYS.len(), "duplicate key in the table");
    }

    #[test]
    fn every_key_is_documented() {
        let doc = include_str!("../../../../docs/configuration.md");
        for k in KNOWN_KEYS {
            assert!(
                doc.contains(&format!("`{k}`")),
                "{k} missing from docs/configuration.md"
            );
        }
    }

    #[test]
    fn expectations_read_well() {
        assert_eq!(
            ValueKind::Int(STATUS).expected(),
            "an integer from 100 to 599"
        );
        assert_eq!(int(0, u64::MAX).expected(), "a non-negative integer");
        assert_eq!(int(1, u64::MAX).expected(), "an integer >= 1");
        assert_eq!(ValueKind::Float(PROBA).expected(), "a number from 0 to 1");
        assert_eq!(
            key_spec("UPLOAD_MAX_SIZE").unwrap().kind.expected(),
            "a number >= 0"
        );
        assert!(key_spec("NOPE").is_none());
    }
}
