//! pyrasp 0.10.2's `DEFAULT_CONFIG` and the `default` template, plus the defaults of
//! Ironward's own keys.

use super::model::{
    BlockAction, BodyLimitAction, Config, Level, LogFormat, LogProtocol, MatchKind, PatternRule,
    SecurityChecks, SinkChecks,
};
use crate::check::CheckId;

/// The levels of the `default` template.
pub(crate) fn default_levels() -> SecurityChecks {
    use CheckId::*;
    let mut s = SecurityChecks::default();
    for (check, level) in [
        (Path, Level::Block),
        (Headers, Level::Off),
        (Flood, Level::BlockBlacklist),
        (Spoofing, Level::Off),
        (Decoy, Level::BlockBlacklist),
        // Hygiene, not an attack: monitored (see `templates.rs`); XXE is `code_injection`'s.
        (Format, Level::Monitor),
        (Sqli, Level::BlockBlacklist),
        (Xss, Level::BlockBlacklist),
        (Hpp, Level::BlockBlacklist),
        (Command, Level::BlockBlacklist),
        (Method, Level::Off),
        (Dlp, Level::Off),
        (Brute, Level::BlockBlacklist),
        (Ztaa, Level::Off),
        (Prompt, Level::Off),
        (Upload, Level::Off),
        (Chars, Level::Off),
        (Bots, Level::Off),
        (PathTraversal, Level::BlockBlacklist),
        (Ssrf, Level::BlockBlacklist),
        (CodeInjection, Level::BlockBlacklist),
    ] {
        s.set(check, level);
    }
    s
}

fn rule(pattern: &str, kind: MatchKind) -> PatternRule {
    PatternRule {
        pattern: pattern.to_owned(),
        kind,
    }
}

/// The default decoy routes: probes for admin pages, scripts and secrets that a normal
/// visitor never requests.
pub(crate) fn default_decoys() -> Vec<PatternRule> {
    let mut v: Vec<PatternRule> = ["/admin", "/login", "/logs", "/version", ".php"]
        .into_iter()
        .map(|p| rule(p, MatchKind::Ends))
        .collect();
    v.extend(
        [
            "/cgi-bin/",
            "/remote/",
            "/.env",
            "/owa/",
            "/autodiscover",
            "/Autodiscover",
            "/.git/",
            "/.aws/",
        ]
        .into_iter()
        .map(|p| rule(p, MatchKind::Starts)),
    );
    v
}

impl Default for Config {
    /// The `default` template: pyrasp's defaults plus Ironward's limits.
    fn default() -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Config {
            hosts: Vec::new(),
            app_name: "Web Server".to_owned(),
            blacklist_action: BlockAction::Block,
            blacklist_status_code: 403,
            blacklist_action_content: "Blocked".to_owned(),
            block_action: BlockAction::Block,
            block_status_code: 403,
            block_action_content: "Blocked".to_owned(),
            verbose: 0,
            decode_b64: true,
            security_checks: default_levels(),
            sink_checks: SinkChecks::default(),
            whitelist: Vec::new(),
            ignore_paths: strings(&["^/favicon.ico$", "^/robots.txt$", r"^/sitemap\.(txt|xml)$"]),
            forbidden_headers: Vec::new(),
            whitelist_headers: Vec::new(),
            brute_and_flood_paths: strings(&["^/"]),
            flood_delay: 60,
            flood_ratio: 50,
            error_flood_delay: 10,
            error_flood_ratio: 100,
            blacklist_delay: 3600,
            blacklist_override: false,
            blacklist_share: false,
            decoy_routes: default_decoys(),
            exceptions: Vec::new(),
            xss_proba: 0.8,
            sqli_proba: 0.7,
            dlp_phone_numbers: false,
            dlp_cc_numbers: false,
            dlp_private_keys: false,
            dlp_hashes: false,
            dlp_windows_creds: false,
            dlp_linux_creds: false,
            dlp_api: false,
            dlp_log_leaked_data: false,
            upload_files: true,
            upload_max_size: 2.0,
            upload_extensions: strings(&["jpg", "png", "gif", "pdf"]),
            chars_cyrillic: false,
            chars_invisible: false,
            chars_nonprintable: false,
            ml_cache_size: 10_000,
            ml_cache_max_length: 1024,
            ml_batch_size: 256,
            prompt_batch_size: 32,
            prompt_routes: Vec::new(),
            ztaa_header: "pcb-ztaa".to_owned(),
            ztaa_keys: Vec::new(),
            ztaa_browser_version: false,
            ztaa_leeway: 30,
            ztaa_require_exp: true,
            log_enabled: false,
            log_format: LogFormat::Syslog,
            log_server: "127.0.0.1".to_owned(),
            log_port: 514,
            log_protocol: LogProtocol::Udp,
            log_path: String::new(),
            log_file_size: 50,
            resolve_country: true,
            log_ja4h_fingerprint: false,
            change_server: true,
            server_header: "Apache".to_owned(),
            beacon: false,
            telemetry_data: false,
            beacon_url: None,
            beacon_delay: 30,
            trust_proxy_headers: true,
            trusted_proxies: Vec::new(),
            max_body_bytes: 1024 * 1024,
            body_limit_action: BodyLimitAction::Block,
            max_inputs: 1000,
            max_value_length: 16 * 1024,
            max_json_depth: 32,
            max_decode_rounds: 3,
            max_decode_depth: 2,
            max_findings: 32,
            blacklist_max_size: 100_000,
            fail_open: true,
            native_route_status: true,
            rate_table_max_size: 100_000,
            command_path_lookup: false,
            extra_commands: Vec::new(),
            inspect_content_types: strings(&[
                "text/*",
                "application/json",
                "application/xml",
                "application/javascript",
                "application/x-www-form-urlencoded",
            ]),
            dlp_max_body_bytes: 1024 * 1024,
            dlp_stream_overlap: 256,
            dlp_decompress: true,
            upload_sniff: true,
            bots_allowed_agents: strings(&[
                "kube-probe/",
                "ELB-HealthChecker/",
                "GoogleHC/",
                "Consul Health Check",
                "UptimeRobot/",
                "Pingdom.com_bot",
                "StatusCake",
                "Site24x7",
                "Uptime-Kuma/",
                "Better Uptime Bot",
                "Datadog/Synthetics",
            ]),
            log_payload_base64: true,
            log_queue_size: 10_000,
            log_timeout_ms: 1_000,
            log_batch_size: 1,
            log_batch_wait_ms: 1_000,
            log_batch_max_bytes: 512 * 1024,
            metrics_path: String::new(),
            metrics_allow: ["127.0.0.0/8", "::1/128"]
                .into_iter()
                .filter_map(|n| n.parse().ok())
                .collect(),
            shared_state_url: String::new(),
            shared_state_prefix: String::new(),
            shared_state_timeout_ms: 5,
            shared_state_connect_timeout_ms: 1_000,
            shared_state_pool_size: 4,
            shared_state_retry_max_ms: 30_000,
            cloud_timeout_ms: 5_000,
            cloud_retry_max_ms: 60_000,
            cloud_max_response_bytes: 8 * 1024 * 1024,
            cloud_cache_path: String::new(),
            config_reload_interval: 5.0,
        }
    }
}
