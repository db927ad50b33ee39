//! The console banner and attack lines, printed by the adapters when `VERBOSE` ≥ 10.
//!
//! Pure functions: they return the text and the caller prints it. Payloads are printed in
//! clear (as pyrasp did) but with control characters escaped as `\xNN`, so that an attacker
//! cannot move the cursor, rewrite earlier lines or change colours with ANSI escapes.

use crate::format::escape_console;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level, inert_warnings};
use ironward_core::event::Event;
use std::fmt::Write as _;

/// `VERBOSE` from which the banner and the attack lines are printed.
pub const VERBOSE_LINES: u32 = 10;
/// `VERBOSE` from which the full event is printed after each attack line.
pub const VERBOSE_DETAILS: u32 = 100;

/// The name of a level as the banner prints it.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Off => "off",
        Level::Block => "block",
        Level::BlockBlacklist => "block + blacklist",
        Level::Monitor => "monitor",
    }
}

/// The startup banner (several lines, ending with a newline) when `config.verbose` ≥ 10,
/// `""` below. `version` is Ironward's version, `checks` the checks with their running
/// levels, `source` where the configuration came from (`default template`, a file path…)
/// when known. One `[!] Warning: …` line follows for each key or check level the
/// configuration sets although it has no effect yet (`ironward_core::config::INERT_KEYS`).
pub fn banner(
    config: &Config,
    version: &str,
    checks: &[(CheckId, Level)],
    source: Option<&str>,
) -> String {
    if config.verbose < VERBOSE_LINES {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(out, "### Ironward v{} #####", escape_console(version));
    out.push_str("[+] Starting Ironward\n");
    let _ = writeln!(out, "[+] Application: {}", escape_console(&config.app_name));
    if let Some(source) = source {
        let _ = writeln!(out, "[+] Configuration: {}", escape_console(source));
    }
    out.push_str("[+] Security checks:\n");
    let width = checks.iter().map(|(c, _)| c.key().len()).max().unwrap_or(0);
    for (check, level) in checks {
        let _ = writeln!(
            out,
            "    {:<width$}  {} ({})",
            check.key(),
            level.as_u8(),
            level_name(*level)
        );
    }
    let _ = writeln!(
        out,
        "[+] Limits: body {} B, inputs {}, value {} B, JSON depth {}, decode rounds {}, \
         decode depth {}, findings {}",
        config.max_body_bytes,
        config.max_inputs,
        config.max_value_length,
        config.max_json_depth,
        config.max_decode_rounds,
        config.max_decode_depth,
        config.max_findings
    );
    for w in inert_warnings(config) {
        let _ = writeln!(out, "[!] Warning: {}", escape_console(&w.to_string()));
    }
    out.push_str("[+] Ironward successfully started\n#####\n");
    out
}

/// The console line of one event: `[!] SQL Injection: qs_values -> ' or 1=1 --` when
/// `verbose` ≥ 10, followed at ≥ 100 by a newline and the full event as pretty JSON; `None`
/// below 10. No trailing newline.
pub fn attack_line(event: &Event, verbose: u32) -> Option<String> {
    if verbose < VERBOSE_LINES {
        return None;
    }
    let mut line = format!(
        "[!] {}: {} -> {}",
        event.attack,
        escape_console(event.location),
        escape_console(&event.payload)
    );
    if verbose >= VERBOSE_DETAILS
        && let Ok(json) = serde_json::to_string_pretty(event)
    {
        line.push('\n');
        line.push_str(&json);
    }
    Some(line)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ironward_core::event::EventContext;
    use ironward_core::verdict::Finding;

    fn event(payload: &str) -> Event {
        let f = Finding::new(CheckId::Sqli, "qs_values", payload);
        let ctx = EventContext {
            app: "Web Server",
            source_ip: "8.8.8.8".parse().ok(),
            method: "GET",
            path: "/search",
            unix_ms: 1_795_000_000_123,
        };
        Event::new(&f, &ctx)
    }

    #[test]
    fn banner_levels() {
        let mut c = Config::default();
        let checks = [
            (CheckId::Sqli, Level::BlockBlacklist),
            (CheckId::Xss, Level::Monitor),
        ];
        assert_eq!(banner(&c, "0.1.0", &checks, None), "");
        c.verbose = 10;
        let b = banner(&c, "0.1.0", &checks, Some("default template"));
        assert_eq!(
            b,
            "### Ironward v0.1.0 #####\n\
             [+] Starting Ironward\n\
             [+] Application: Web Server\n\
             [+] Configuration: default template\n\
             [+] Security checks:\n    \
             sqli  2 (block + blacklist)\n    \
             xss   3 (monitor)\n\
             [+] Limits: body 1048576 B, inputs 1000, value 16384 B, JSON depth 32, \
             decode rounds 3, decode depth 2, findings 32\n\
             [+] Ironward successfully started\n\
             #####\n"
        );
        let b = banner(&c, "0.1.0", &checks, None);
        assert!(!b.contains("Configuration"));
        assert!(!b.contains("[!]"));
    }

    /// Keys and check levels that have no effect yet are named in the banner.
    #[test]
    fn banner_warns_about_keys_without_effect() {
        let mut c = Config::default();
        c.verbose = 10;
        c.ml_cache_size = 5;
        let b = banner(&c, "0.1.0", &[], None);
        let warned: Vec<&str> = b.lines().filter(|l| l.starts_with("[!] ")).collect();
        assert_eq!(warned.len(), 1, "{b}");
        assert!(
            warned[0].starts_with("[!] Warning: ML_CACHE_SIZE: has no effect"),
            "{b}"
        );
        assert!(b.ends_with("[+] Ironward successfully started\n#####\n"));
    }

    #[test]
    fn attack_lines() {
        let e = event("' or 1=1 --");
        assert_eq!(attack_line(&e, 0), None);
        assert_eq!(attack_line(&e, 9), None);
        assert_eq!(
            attack_line(&e, 10).unwrap(),
            "[!] SQL Injection: qs_values -> ' or 1=1 --"
        );
        let full = attack_line(&e, 100).unwrap();
        let (first, json) = full.split_once('\n').unwrap();
        assert_eq!(first, "[!] SQL Injection: qs_values -> ' or 1=1 --");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["check"], "sqli");
        assert_eq!(v["source_ip"], "8.8.8.8");
    }

    #[test]
    fn attack_line_escapes_terminal_controls() {
        let e = event("a\u{1b}[2Jb\nc\u{7f}");
        assert_eq!(
            attack_line(&e, 10).unwrap(),
            "[!] SQL Injection: qs_values -> a\\x1B[2Jb\\x0Ac\\x7F"
        );
    }
}
