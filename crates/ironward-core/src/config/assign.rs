//! Stores a parsed value into its [`Config`] field.
//!
//! Kept apart from parsing so that the key table decides *what* a key accepts and this file
//! only decides *where* it goes. Every key replaces its field whole, except `SECURITY_CHECKS`
//! and `SINK_CHECKS`, which set only the checks (sinks) they list (pyrasp replaced the whole map, silently turning off
//! every check a file forgot to list).

use super::model::Config;
use super::values::Parsed;

/// Stores `value` under `key`. False when the key has no field of that shape, which is a bug in
/// the key table (tests cover every key).
pub(crate) fn assign(c: &mut Config, key: &str, value: Parsed) -> bool {
    use Parsed::{
        Action, BodyLimit, Bool, Checks, Float, Format, Int, Nets, OptStr, Protocol, Rules, Sinks,
        Str, Strings,
    };
    match (key, value) {
        ("HOSTS", Strings(v)) => c.hosts = v,
        ("APP_NAME", Str(v)) => c.app_name = v,
        ("BLOCK_ACTION", Action(v)) => c.block_action = v,
        ("BLOCK_STATUS_CODE", Int(v)) => c.block_status_code = small(v),
        ("BLOCK_ACTION_CONTENT", Str(v)) => c.block_action_content = v,
        ("BLACKLIST_ACTION", Action(v)) => c.blacklist_action = v,
        ("BLACKLIST_STATUS_CODE", Int(v)) => c.blacklist_status_code = small(v),
        ("BLACKLIST_ACTION_CONTENT", Str(v)) => c.blacklist_action_content = v,
        ("CHANGE_SERVER", Bool(v)) => c.change_server = v,
        ("SERVER_HEADER", Str(v)) => c.server_header = v,
        ("VERBOSE", Int(v)) => c.verbose = u32::try_from(v).unwrap_or(u32::MAX),
        ("SECURITY_CHECKS", Checks(v)) => {
            for (check, level) in v {
                c.security_checks.set(check, level);
            }
        }
        ("SINK_CHECKS", Sinks(v)) => {
            for (sink, level) in v {
                c.sink_checks.set(sink, level);
            }
        }
        ("DECODE_B64", Bool(v)) => c.decode_b64 = v,
        ("XSS_PROBA", Float(v)) => c.xss_proba = v,
        ("SQLI_PROBA", Float(v)) => c.sqli_proba = v,
        ("DECOY_ROUTES", Rules(v)) => c.decoy_routes = v,
        ("EXCEPTIONS", Rules(v)) => c.exceptions = v,
        ("FORBIDDEN_HEADERS", Strings(v)) => c.forbidden_headers = v,
        ("WHITELIST_HEADERS", Rules(v)) => c.whitelist_headers = v,
        ("UPLOAD_FILES", Bool(v)) => c.upload_files = v,
        ("UPLOAD_MAX_SIZE", Float(v)) => c.upload_max_size = v,
        ("UPLOAD_EXTENSIONS", Strings(v)) => c.upload_extensions = v,
        ("CHARS_CYRILLIC", Bool(v)) => c.chars_cyrillic = v,
        ("CHARS_INVISIBLE", Bool(v)) => c.chars_invisible = v,
        ("CHARS_NONPRINTABLE", Bool(v)) => c.chars_nonprintable = v,
        ("ML_CACHE_SIZE", Int(v)) => c.ml_cache_size = v,
        ("ML_CACHE_MAX_LENGTH", Int(v)) => c.ml_cache_max_length = v,
        ("ML_BATCH_SIZE", Int(v)) => c.ml_batch_size = v,
        ("PROMPT_BATCH_SIZE", Int(v)) => c.prompt_batch_size = v,
        ("PROMPT_ROUTES", Strings(v)) => c.prompt_routes = v,
        ("DLP_PHONE_NUMBERS", Bool(v)) => c.dlp_phone_numbers = v,
        ("DLP_CC_NUMBERS", Bool(v)) => c.dlp_cc_numbers = v,
        ("DLP_PRIVATE_KEYS", Bool(v)) => c.dlp_private_keys = v,
        ("DLP_HASHES", Bool(v)) => c.dlp_hashes = v,
        ("DLP_WINDOWS_CREDS", Bool(v)) => c.dlp_windows_creds = v,
        ("DLP_LINUX_CREDS", Bool(v)) => c.dlp_linux_creds = v,
        ("DLP_API", Bool(v)) => c.dlp_api = v,
        ("DLP_LOG_LEAKED_DATA", Bool(v)) => c.dlp_log_leaked_data = v,
        ("WHITELIST", Nets(v)) => c.whitelist = v,
        ("TRUST_PROXY_HEADERS", Bool(v)) => c.trust_proxy_headers = v,
        ("TRUSTED_PROXIES", Nets(v)) => c.trusted_proxies = v,
        ("IGNORE_PATHS", Strings(v)) => c.ignore_paths = v,
        ("BRUTE_AND_FLOOD_PATHS", Strings(v)) => c.brute_and_flood_paths = v,
        ("FLOOD_DELAY", Int(v)) => c.flood_delay = v,
        ("FLOOD_RATIO", Int(v)) => c.flood_ratio = v,
        ("ERROR_FLOOD_DELAY", Int(v)) => c.error_flood_delay = v,
        ("ERROR_FLOOD_RATIO", Int(v)) => c.error_flood_ratio = v,
        ("BLACKLIST_DELAY", Int(v)) => c.blacklist_delay = v,
        ("BLACKLIST_OVERRIDE", Bool(v)) => c.blacklist_override = v,
        ("BLACKLIST_SHARE", Bool(v)) => c.blacklist_share = v,
        ("BLACKLIST_MAX_SIZE", Int(v)) => c.blacklist_max_size = v,
        ("ZTAA_HEADER", Str(v)) => c.ztaa_header = v,
        ("ZTAA_KEYS", Strings(v)) => c.ztaa_keys = v,
        ("ZTAA_BROWSER_VERSION", Bool(v)) => c.ztaa_browser_version = v,
        ("ZTAA_LEEWAY", Int(v)) => c.ztaa_leeway = v,
        ("ZTAA_REQUIRE_EXP", Bool(v)) => c.ztaa_require_exp = v,
        ("LOG_ENABLED", Bool(v)) => c.log_enabled = v,
        ("LOG_FORMAT", Format(v)) => c.log_format = v,
        ("LOG_SERVER", Str(v)) => c.log_server = v,
        ("LOG_PORT", Int(v)) => c.log_port = small(v),
        ("LOG_PROTOCOL", Protocol(v)) => c.log_protocol = v,
        ("LOG_PATH", Str(v)) => c.log_path = v,
        ("LOG_FILE_SIZE", Int(v)) => c.log_file_size = v,
        ("RESOLVE_COUNTRY", Bool(v)) => c.resolve_country = v,
        ("LOG_JA4H_FINGERPRINT", Bool(v)) => c.log_ja4h_fingerprint = v,
        ("BEACON", Bool(v)) => c.beacon = v,
        ("TELEMETRY_DATA", Bool(v)) => c.telemetry_data = v,
        ("BEACON_URL", OptStr(v)) => c.beacon_url = v,
        ("BEACON_DELAY", Int(v)) => c.beacon_delay = v,
        ("MAX_BODY_BYTES", Int(v)) => c.max_body_bytes = v,
        ("BODY_LIMIT_ACTION", BodyLimit(v)) => c.body_limit_action = v,
        ("MAX_INPUTS", Int(v)) => c.max_inputs = v,
        ("MAX_VALUE_LENGTH", Int(v)) => c.max_value_length = v,
        ("MAX_JSON_DEPTH", Int(v)) => c.max_json_depth = v,
        ("MAX_DECODE_ROUNDS", Int(v)) => c.max_decode_rounds = v,
        ("MAX_DECODE_DEPTH", Int(v)) => c.max_decode_depth = v,
        ("MAX_FINDINGS", Int(v)) => c.max_findings = v,
        ("FAIL_OPEN", Bool(v)) => c.fail_open = v,
        ("NATIVE_ROUTE_STATUS", Bool(v)) => c.native_route_status = v,
        ("RATE_TABLE_MAX_SIZE", Int(v)) => c.rate_table_max_size = v,
        ("COMMAND_PATH_LOOKUP", Bool(v)) => c.command_path_lookup = v,
        ("EXTRA_COMMANDS", Strings(v)) => c.extra_commands = v,
        ("INSPECT_CONTENT_TYPES", Strings(v)) => c.inspect_content_types = v,
        ("DLP_MAX_BODY_BYTES", Int(v)) => c.dlp_max_body_bytes = v,
        ("DLP_STREAM_OVERLAP", Int(v)) => c.dlp_stream_overlap = v,
        ("DLP_DECOMPRESS", Bool(v)) => c.dlp_decompress = v,
        ("UPLOAD_SNIFF", Bool(v)) => c.upload_sniff = v,
        ("BOTS_ALLOWED_AGENTS", Strings(v)) => c.bots_allowed_agents = v,
        ("LOG_PAYLOAD_BASE64", Bool(v)) => c.log_payload_base64 = v,
        ("LOG_QUEUE_SIZE", Int(v)) => c.log_queue_size = v,
        ("LOG_TIMEOUT_MS", Int(v)) => c.log_timeout_ms = v,
        ("LOG_BATCH_SIZE", Int(v)) => c.log_batch_size = v,
        ("LOG_BATCH_WAIT_MS", Int(v)) => c.log_batch_wait_ms = v,
        ("LOG_BATCH_MAX_BYTES", Int(v)) => c.log_batch_max_bytes = v,
        ("METRICS_PATH", Str(v)) => c.metrics_path = v,
        ("METRICS_ALLOW", Nets(v)) => c.metrics_allow = v,
        ("SHARED_STATE_URL", Str(v)) => c.shared_state_url = v,
        ("SHARED_STATE_PREFIX", Str(v)) => c.shared_state_prefix = v,
        ("SHARED_STATE_TIMEOUT_MS", Int(v)) => c.shared_state_timeout_ms = v,
        ("SHARED_STATE_CONNECT_TIMEOUT_MS", Int(v)) => c.shared_state_connect_timeout_ms = v,
        ("SHARED_STATE_POOL_SIZE", Int(v)) => c.shared_state_pool_size = v,
        ("SHARED_STATE_RETRY_MAX_MS", Int(v)) => c.shared_state_retry_max_ms = v,
        ("CLOUD_TIMEOUT_MS", Int(v)) => c.cloud_timeout_ms = v,
        ("CLOUD_RETRY_MAX_MS", Int(v)) => c.cloud_retry_max_ms = v,
        ("CLOUD_MAX_RESPONSE_BYTES", Int(v)) => c.cloud_max_response_bytes = v,
        ("CLOUD_CACHE_PATH", Str(v)) => c.cloud_cache_path = v,
        ("CONFIG_RELOAD_INTERVAL", Float(v)) => c.config_reload_interval = v,
        _ => return false,
    }
    true
}

/// A status code or port: the key table already bounds it to `u16`.
fn small(v: u64) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::keys::KEYS;
    use crate::config::values::parse;

    /// Every key accepts its own default value and stores it back unchanged.
    #[test]
    fn every_key_has_a_field() {
        let defaults = serde_json::to_value(Config::default()).unwrap();
        let mut c = Config::default();
        for spec in KEYS {
            let v = defaults.get(spec.name).unwrap();
            let parsed = parse(&spec.kind, v, &mut Vec::new()).unwrap();
            assert!(
                assign(&mut c, spec.name, parsed),
                "{} has no field",
                spec.name
            );
        }
        assert_eq!(c, Config::default());
        assert!(!assign(&mut c, "HOSTS", Parsed::Bool(true)));
    }
}
