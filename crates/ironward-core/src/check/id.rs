//! The identity of every security check: its configuration key, the attack name used in
//! reports and pyrasp's logs, and the codes attached to its events.
//!
//! pyrasp numbers its checks 0–17 and tags them with `PCB000`–`PCB017`; we keep those codes so
//! existing log pipelines keep matching, add stable Ironward codes (`IW000`…), and use our own
//! MITRE ATT&CK mapping (pyrasp's maps SQL injection to T1111, MFA interception, and DLP to
//! T1052, exfiltration over a physical medium — both wrong).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One security check of the pipeline, named by its `SECURITY_CHECKS` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// The source IP is blacklisted.
    Blacklist,
    /// The request matches no route of the application.
    Path,
    /// Too many requests from one IP.
    Flood,
    /// The `Host` header is not one of `HOSTS`.
    Spoofing,
    /// The request hit a decoy route.
    Decoy,
    /// The body does not parse as its declared content type.
    Format,
    /// SQL (and NoSQL operator) injection.
    Sqli,
    /// Cross-site scripting.
    Xss,
    /// HTTP parameter pollution.
    Hpp,
    /// OS command injection.
    Command,
    /// A forbidden header is present.
    Headers,
    /// Sensitive data in a response (data leak prevention).
    Dlp,
    /// Too many error responses for one IP.
    Brute,
    /// Zero-trust application access token missing or invalid.
    Ztaa,
    /// Prompt injection against an LLM application.
    Prompt,
    /// A file upload breaks the upload policy.
    Upload,
    /// Suspicious characters (homoglyphs, invisible or non-printable).
    Chars,
    /// Automated client detected from its request shape.
    Bots,
    /// The method is not allowed on the route.
    Method,
    /// Path traversal and local file inclusion.
    PathTraversal,
    /// Server-side request forgery.
    Ssrf,
    /// Code injection: JNDI lookups, expression languages, template injection, PHP code,
    /// serialized objects.
    CodeInjection,
}

impl CheckId {
    /// Every check, in the order of pyrasp's numbering followed by Ironward's additions.
    pub const ALL: [CheckId; 22] = [
        CheckId::Blacklist,
        CheckId::Path,
        CheckId::Flood,
        CheckId::Spoofing,
        CheckId::Decoy,
        CheckId::Format,
        CheckId::Sqli,
        CheckId::Xss,
        CheckId::Hpp,
        CheckId::Command,
        CheckId::Headers,
        CheckId::Dlp,
        CheckId::Brute,
        CheckId::Ztaa,
        CheckId::Prompt,
        CheckId::Upload,
        CheckId::Chars,
        CheckId::Bots,
        CheckId::Method,
        CheckId::PathTraversal,
        CheckId::Ssrf,
        CheckId::CodeInjection,
    ];

    /// The checks that can be configured in `SECURITY_CHECKS` (all but `blacklist`, which is
    /// governed by `BLACKLIST_OVERRIDE`).
    pub fn configurable() -> impl Iterator<Item = CheckId> {
        Self::ALL.into_iter().filter(|c| *c != CheckId::Blacklist)
    }

    /// The `SECURITY_CHECKS` key (and event type) of this check.
    pub const fn key(self) -> &'static str {
        match self {
            CheckId::Blacklist => "blacklist",
            CheckId::Path => "path",
            CheckId::Flood => "flood",
            CheckId::Spoofing => "spoofing",
            CheckId::Decoy => "decoy",
            CheckId::Format => "format",
            CheckId::Sqli => "sqli",
            CheckId::Xss => "xss",
            CheckId::Hpp => "hpp",
            CheckId::Command => "command",
            CheckId::Headers => "headers",
            CheckId::Dlp => "dlp",
            CheckId::Brute => "brute",
            CheckId::Ztaa => "ztaa",
            CheckId::Prompt => "prompt",
            CheckId::Upload => "upload",
            CheckId::Chars => "chars",
            CheckId::Bots => "bots",
            CheckId::Method => "method",
            CheckId::PathTraversal => "path_traversal",
            CheckId::Ssrf => "ssrf",
            CheckId::CodeInjection => "code_injection",
        }
    }

    /// Parses a `SECURITY_CHECKS` key.
    pub fn from_key(key: &str) -> Option<CheckId> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The human-readable attack name, as pyrasp prints and logs it.
    pub const fn attack_name(self) -> &'static str {
        match self {
            CheckId::Blacklist => "Blacklisted IP",
            CheckId::Path => "Invalid Path",
            CheckId::Flood => "Flood",
            CheckId::Spoofing => "Host Spoofing",
            CheckId::Decoy => "Decoyed",
            CheckId::Format => "Format Mismatch",
            CheckId::Sqli => "SQL Injection",
            CheckId::Xss => "XSS",
            CheckId::Hpp => "Parameter Pollution",
            CheckId::Command => "Command Injection",
            CheckId::Headers => "Forbidden Header",
            CheckId::Dlp => "Data Leak Prevention",
            CheckId::Brute => "Brute Force",
            CheckId::Ztaa => "Zero-Trust",
            CheckId::Prompt => "Prompt Injection",
            CheckId::Upload => "Upload Validation",
            CheckId::Chars => "Suspicious Characters",
            CheckId::Bots => "Bot Detection",
            CheckId::Method => "Invalid Method",
            CheckId::PathTraversal => "Path Traversal",
            CheckId::Ssrf => "Server-Side Request Forgery",
            CheckId::CodeInjection => "Code Injection",
        }
    }

    /// pyrasp's code (`PCB000`–`PCB017`); Ironward's additions continue the series.
    pub const fn pcb_code(self) -> &'static str {
        match self {
            CheckId::Blacklist => "PCB000",
            CheckId::Path => "PCB001",
            CheckId::Flood => "PCB002",
            CheckId::Spoofing => "PCB003",
            CheckId::Decoy => "PCB004",
            CheckId::Format => "PCB005",
            CheckId::Sqli => "PCB006",
            CheckId::Xss => "PCB007",
            CheckId::Hpp => "PCB008",
            CheckId::Command => "PCB009",
            CheckId::Headers => "PCB010",
            CheckId::Dlp => "PCB011",
            CheckId::Brute => "PCB012",
            CheckId::Ztaa => "PCB013",
            CheckId::Prompt => "PCB014",
            CheckId::Upload => "PCB015",
            CheckId::Chars => "PCB016",
            CheckId::Bots => "PCB017",
            CheckId::Method => "PCB018",
            CheckId::PathTraversal => "PCB019",
            CheckId::Ssrf => "PCB020",
            CheckId::CodeInjection => "PCB021",
        }
    }

    /// The stable Ironward code of this check (`IW000`…). It never changes once published.
    pub const fn ironward_code(self) -> &'static str {
        match self {
            CheckId::Blacklist => "IW000",
            CheckId::Path => "IW001",
            CheckId::Flood => "IW002",
            CheckId::Spoofing => "IW003",
            CheckId::Decoy => "IW004",
            CheckId::Format => "IW005",
            CheckId::Sqli => "IW006",
            CheckId::Xss => "IW007",
            CheckId::Hpp => "IW008",
            CheckId::Command => "IW009",
            CheckId::Headers => "IW010",
            CheckId::Dlp => "IW011",
            CheckId::Brute => "IW012",
            CheckId::Ztaa => "IW013",
            CheckId::Prompt => "IW014",
            CheckId::Upload => "IW015",
            CheckId::Chars => "IW016",
            CheckId::Bots => "IW017",
            CheckId::Method => "IW018",
            CheckId::PathTraversal => "IW019",
            CheckId::Ssrf => "IW020",
            CheckId::CodeInjection => "IW021",
        }
    }

    /// MITRE ATT&CK technique ids (ATLAS for prompt injection). Empty where no technique fits
    /// honestly (a blacklisted IP is a consequence, not a technique).
    pub const fn mitre(self) -> &'static [&'static str] {
        match self {
            CheckId::Blacklist => &[],
            // Active Scanning: Wordlist Scanning — probing for routes that do not exist.
            CheckId::Path | CheckId::Decoy => &["T1595.003"],
            // Endpoint Denial of Service: Service Exhaustion Flood.
            CheckId::Flood => &["T1499.002"],
            // Exploit Public-Facing Application.
            CheckId::Spoofing
            | CheckId::Format
            | CheckId::Sqli
            | CheckId::Hpp
            | CheckId::Headers
            | CheckId::Method => &["T1190"],
            // Exploit Public-Facing Application + Command and Scripting Interpreter: JavaScript.
            CheckId::Xss => &["T1190", "T1059.007"],
            // Exploit Public-Facing Application + Command and Scripting Interpreter.
            CheckId::Command | CheckId::CodeInjection => &["T1190", "T1059"],
            // Data from Information Repositories.
            CheckId::Dlp => &["T1213"],
            // Brute Force.
            CheckId::Brute => &["T1110"],
            // Valid Accounts: access without a valid zero-trust token.
            CheckId::Ztaa => &["T1078"],
            // ATLAS: LLM Prompt Injection: Direct.
            CheckId::Prompt => &["AML.T0051.000"],
            // Server Software Component: Web Shell.
            CheckId::Upload => &["T1505.003"],
            // Obfuscated Files or Information.
            CheckId::Chars => &["T1027"],
            // Active Scanning.
            CheckId::Bots => &["T1595"],
            // Exploit Public-Facing Application + File and Directory Discovery.
            CheckId::PathTraversal => &["T1190", "T1083"],
            // Exploit Public-Facing Application + Cloud Instance Metadata API.
            CheckId::Ssrf => &["T1190", "T1552.005"],
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in CheckId::ALL {
            assert_eq!(CheckId::from_key(c.key()), Some(c));
            assert!(seen.insert(c.ironward_code()));
            assert!(seen.insert(c.pcb_code()));
        }
        assert_eq!(CheckId::from_key("nope"), None);
    }

    #[test]
    fn injections_map_to_t1190() {
        for c in [
            CheckId::Sqli,
            CheckId::Xss,
            CheckId::Command,
            CheckId::PathTraversal,
        ] {
            assert!(c.mitre().contains(&"T1190"), "{c}");
        }
    }

    #[test]
    fn serde_uses_config_keys() {
        let s = serde_json::to_string(&CheckId::PathTraversal).unwrap_or_default();
        assert_eq!(s, "\"path_traversal\"");
    }
}
