//! The five configuration templates of pyrasp (`default`, `audit`, `monitor`, `llm`, `mcp`)
//! and Ironward's `sink`: the level of every check in each, and the other keys each one changes.
//!
//! `sink` is the `default` template with the request-side injection checks (`sqli`, `command`,
//! `path_traversal`, `ssrf`, `code_injection`) at 3 (monitor): they report, and the sink checks
//! (`SINK_CHECKS`, level 2 by default in every template) decide. A request whose input changes
//! a query, a command, a path or an outbound request where the application uses it is blocked
//! there; a forum post quoting `' OR 1=1` that the application stores as data is not.
//!
//! A template is the second layer, above the built-in defaults and below the file and the
//! explicit parameters. Ironward's own checks (`path_traversal`, `ssrf`, `code_injection`) follow the injection
//! checks: level 2 everywhere, 3 (monitor) in the `monitor` template.
//!
//! One deliberate difference from pyrasp: its `llm` template turns `command` off in favour of
//! `prompt`, because its command check (a separator followed by any word found on the server's
//! `PATH`) fires on chat prose. Ironward's `command` check is structural and stays quiet on
//! chat messages (the wcp corpus and the prompt model's benign prompts raise no `command`
//! finding), so `llm` keeps command injection at level 2 beside `prompt`: an LLM front end
//! that also passes fields to a shell is still protected.
//!
//! `format` (declared by pyrasp, never implemented there, so its level had no effect) is at 3
//! (monitor) in every template but `audit`: it judges protocol hygiene — a body that does not
//! parse as its declared type, a type the route does not take — not an attack. The injection
//! checks still read such a body (the strings of broken JSON, every multipart reading, the
//! whole text), and the application rejects what it cannot parse; blocking and blacklisting a
//! client for a mislabelled beacon only turned users away. XML entity declarations and
//! external DTDs, which `format` used to report, are attacks: `code_injection` reports them
//! (engine `xxe`) at its level 2.

use super::model::{Config, Level, MatchKind, PatternRule, SecurityChecks, SinkChecks};
use crate::check::CheckId;
use std::fmt;

/// A named starting configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Template {
    /// pyrasp's defaults: block and blacklist the injection, decoy and flood checks.
    #[default]
    Default,
    /// Everything on and blocking, tight flood limits, all DLP and character checks.
    Audit,
    /// Everything detected and reported, nothing blocked (level 3), flood off.
    Monitor,
    /// For LLM front ends: prompt injection on, DLP and characters flagged; command injection
    /// stays on (pyrasp turned it off).
    Llm,
    /// For MCP servers: DLP on tool results, characters and bots flagged.
    Mcp,
    /// Ironward's: `default` with the request-side injection checks at 3 (monitor), so the
    /// sink checks decide.
    Sink,
}

/// Levels per check, in the column order default, audit, monitor, llm, mcp, sink.
const LEVELS: [(CheckId, [u8; 6]); 21] = [
    (CheckId::Path, [1, 2, 3, 1, 1, 1]),
    (CheckId::Headers, [0, 0, 0, 0, 0, 0]),
    (CheckId::Flood, [2, 2, 0, 2, 2, 2]),
    (CheckId::Spoofing, [0, 2, 3, 0, 0, 0]),
    (CheckId::Decoy, [2, 2, 3, 2, 2, 2]),
    (CheckId::Format, [3, 2, 3, 3, 3, 3]),
    (CheckId::Sqli, [2, 2, 3, 2, 2, 3]),
    (CheckId::Xss, [2, 2, 3, 2, 2, 2]),
    (CheckId::Hpp, [2, 2, 3, 2, 2, 2]),
    (CheckId::Command, [2, 2, 3, 2, 2, 3]),
    (CheckId::Method, [0, 2, 3, 0, 0, 0]),
    (CheckId::Dlp, [0, 2, 3, 1, 2, 0]),
    (CheckId::Brute, [2, 2, 3, 2, 2, 2]),
    (CheckId::Ztaa, [0, 0, 0, 0, 0, 0]),
    (CheckId::Prompt, [0, 0, 0, 2, 0, 0]),
    (CheckId::Upload, [0, 2, 3, 1, 2, 0]),
    (CheckId::Chars, [0, 2, 3, 2, 1, 0]),
    (CheckId::Bots, [0, 2, 3, 1, 1, 0]),
    (CheckId::PathTraversal, [2, 2, 3, 2, 2, 3]),
    (CheckId::Ssrf, [2, 2, 3, 2, 2, 3]),
    (CheckId::CodeInjection, [2, 2, 3, 2, 2, 3]),
];

impl Template {
    /// Every template, in documentation order.
    pub const ALL: [Template; 6] = [
        Template::Default,
        Template::Audit,
        Template::Monitor,
        Template::Llm,
        Template::Mcp,
        Template::Sink,
    ];

    /// The template's name as written in configuration and on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Template::Default => "default",
            Template::Audit => "audit",
            Template::Monitor => "monitor",
            Template::Llm => "llm",
            Template::Mcp => "mcp",
            Template::Sink => "sink",
        }
    }

    /// Parses a template name, ignoring case and surrounding spaces.
    pub fn from_name(name: &str) -> Option<Template> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    const fn column(self) -> usize {
        match self {
            Template::Default => 0,
            Template::Audit => 1,
            Template::Monitor => 2,
            Template::Llm => 3,
            Template::Mcp => 4,
            Template::Sink => 5,
        }
    }

    /// The level of every configurable check in this template.
    pub fn levels(self) -> SecurityChecks {
        let mut s = SecurityChecks::default();
        for (check, row) in LEVELS {
            let level = row.get(self.column()).copied().and_then(Level::from_u8);
            s.set(check, level.unwrap_or(Level::Off));
        }
        s
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Turns on every DLP family and logging of the leaked data.
fn all_dlp(c: &mut Config) {
    c.set_dlp_families(true);
    c.dlp_log_leaked_data = true;
}

impl Config {
    /// Switches every DLP family (`DLP_PHONE_NUMBERS` … `DLP_API`) on or off at once;
    /// `DLP_LOG_LEAKED_DATA` is left as it is.
    pub fn set_dlp_families(&mut self, on: bool) {
        self.dlp_phone_numbers = on;
        self.dlp_cc_numbers = on;
        self.dlp_private_keys = on;
        self.dlp_hashes = on;
        self.dlp_windows_creds = on;
        self.dlp_linux_creds = on;
        self.dlp_api = on;
    }

    /// The configuration of a template: the built-in defaults with the template's levels and
    /// keys applied.
    pub fn template(t: Template) -> Config {
        let mut c = Config {
            security_checks: t.levels(),
            ..Config::default()
        };
        match t {
            Template::Default | Template::Sink => {}
            Template::Audit => {
                c.decoy_routes.push(PatternRule {
                    pattern: "wp-".into(),
                    kind: MatchKind::Contains,
                });
                all_dlp(&mut c);
                c.upload_files = false;
                c.flood_ratio = 10;
                c.flood_delay = 60;
                c.error_flood_ratio = 10;
                c.error_flood_delay = 60;
                c.chars_cyrillic = true;
                c.chars_invisible = true;
                c.chars_nonprintable = true;
                c.log_ja4h_fingerprint = true;
                c.verbose = 100;
            }
            Template::Monitor => {
                c.sink_checks = SinkChecks::all(Level::Monitor);
                all_dlp(&mut c);
                c.chars_cyrillic = true;
                c.chars_invisible = true;
                c.verbose = 100;
            }
            Template::Llm => {
                c.app_name = "LLM Frontend".into();
                all_dlp(&mut c);
                c.chars_cyrillic = true;
                c.chars_invisible = true;
            }
            Template::Mcp => {
                c.app_name = "MCP Server".into();
                all_dlp(&mut c);
                c.chars_cyrillic = true;
                c.chars_invisible = true;
                c.verbose = 100;
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::defaults::default_levels;

    #[test]
    fn names_round_trip_ignoring_case() {
        for t in Template::ALL {
            assert_eq!(Template::from_name(t.name()), Some(t));
            assert_eq!(Template::from_name(&t.name().to_uppercase()), Some(t));
        }
        assert_eq!(Template::from_name(" Audit "), Some(Template::Audit));
        assert_eq!(Template::from_name("nope"), None);
    }

    #[test]
    fn default_template_is_the_default_config() {
        assert_eq!(Template::Default.levels(), default_levels());
        assert_eq!(Config::template(Template::Default), Config::default());
    }

    #[test]
    fn every_configurable_check_has_a_level_in_every_template() {
        for t in Template::ALL {
            let levels = t.levels();
            for c in CheckId::configurable() {
                assert!(levels.0.contains_key(&c), "{t} lacks {c}");
            }
            assert!(!levels.0.contains_key(&CheckId::Blacklist));
        }
    }

    /// The per-template table of pyrasp's documentation, check by check, with two deliberate
    /// differences: `command` stays at 2 in `llm` (pyrasp: 0), and `format` (a hygiene check
    /// pyrasp never implemented) monitors outside `audit`; see the module documentation.
    #[test]
    fn template_levels_table() {
        use CheckId::*;
        let expect: &[(CheckId, [u8; 6])] = &[
            (Path, [1, 2, 3, 1, 1, 1]),
            (Flood, [2, 2, 0, 2, 2, 2]),
            (Spoofing, [0, 2, 3, 0, 0, 0]),
            (Command, [2, 2, 3, 2, 2, 3]),
            (Method, [0, 2, 3, 0, 0, 0]),
            (Dlp, [0, 2, 3, 1, 2, 0]),
            (Prompt, [0, 0, 0, 2, 0, 0]),
            (Upload, [0, 2, 3, 1, 2, 0]),
            (Chars, [0, 2, 3, 2, 1, 0]),
            (Bots, [0, 2, 3, 1, 1, 0]),
            (Ztaa, [0, 0, 0, 0, 0, 0]),
            (Headers, [0, 0, 0, 0, 0, 0]),
            (Sqli, [2, 2, 3, 2, 2, 3]),
            (Format, [3, 2, 3, 3, 3, 3]),
            (PathTraversal, [2, 2, 3, 2, 2, 3]),
            (Ssrf, [2, 2, 3, 2, 2, 3]),
            (CodeInjection, [2, 2, 3, 2, 2, 3]),
        ];
        for (check, row) in expect {
            for (t, want) in Template::ALL.iter().zip(row) {
                assert_eq!(t.levels().level(*check).as_u8(), *want, "{t} {check}");
            }
        }
    }

    /// The templates that turn `prompt` on (`llm`) keep `command` on, and so does `mcp` (see
    /// the module documentation).
    #[test]
    fn llm_and_mcp_keep_command_injection_on() {
        for t in [Template::Llm, Template::Mcp] {
            assert_eq!(
                t.levels().level(CheckId::Command),
                Level::BlockBlacklist,
                "{t}"
            );
        }
        for t in Template::ALL {
            if t.levels().level(CheckId::Prompt) != Level::Off {
                assert!(t.levels().level(CheckId::Command).blocks(), "{t}");
            }
        }
    }

    /// `sink` is `default` with the request-side injection checks monitoring; the sink checks
    /// stay at their level 2.
    #[test]
    fn sink_template_monitors_injections_and_lets_sinks_decide() {
        let s = Config::template(Template::Sink);
        let d = Config::default();
        for c in CheckId::configurable() {
            let want = match c {
                CheckId::Sqli
                | CheckId::Command
                | CheckId::PathTraversal
                | CheckId::Ssrf
                | CheckId::CodeInjection => Level::Monitor,
                other => d.security_checks.level(other),
            };
            assert_eq!(s.security_checks.level(c), want, "{c}");
        }
        assert_eq!(s.sink_checks, SinkChecks::default());
        assert!(s.sink_checks.any_on());
    }

    #[test]
    fn other_template_keys() {
        let a = Config::template(Template::Audit);
        assert!(a.decoy_routes.contains(&PatternRule {
            pattern: "wp-".into(),
            kind: MatchKind::Contains
        }));
        assert!(a.dlp_api && a.dlp_log_leaked_data && !a.upload_files);
        assert_eq!(
            (
                a.flood_ratio,
                a.flood_delay,
                a.error_flood_ratio,
                a.error_flood_delay
            ),
            (10, 60, 10, 60)
        );
        assert!(a.chars_nonprintable && a.log_ja4h_fingerprint && a.verbose == 100);
        let m = Config::template(Template::Monitor);
        assert_eq!(m.sink_checks, SinkChecks::all(Level::Monitor));
        assert!(m.dlp_hashes && m.chars_invisible && !m.chars_nonprintable && m.verbose == 100);
        let l = Config::template(Template::Llm);
        assert_eq!((l.app_name.as_str(), l.verbose), ("LLM Frontend", 0));
        assert!(l.dlp_cc_numbers && l.chars_cyrillic);
        let p = Config::template(Template::Mcp);
        assert_eq!((p.app_name.as_str(), p.verbose), ("MCP Server", 100));
        assert!(p.dlp_private_keys && p.chars_invisible && !p.chars_nonprintable);
    }
}
