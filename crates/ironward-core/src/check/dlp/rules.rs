//! The DLP rules: each with its family, the literal anchors that announce it, how far around
//! an anchor hit it looks, and its regex (or hand-written matcher). Our own patterns.
//!
//! Anchors are case-sensitive; the few case-insensitive context words are listed in their
//! usual spellings. All anchors together stay at most 64, which keeps the Aho-Corasick
//! automaton on its SIMD searcher (a test checks it).

use super::patterns::Family::{self, Api, Hash, Linux, PrivateKey, Windows};

/// How a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regex; every match is a leak.
    Re(&'static str),
    /// A regex; a match ending with `EXAMPLE` is AWS's documentation example, not a leak.
    ReNotExample(&'static str),
    /// A regex; a leak only when a `"private_key"` holding a PEM key follows (GCP JSON).
    ReServiceAccount(&'static str),
    /// A hex digest as the value of a password key, matched by hand around the anchor
    /// ([`super::hexkey`]).
    HexKey,
}

/// One rule.
#[derive(Debug)]
pub(crate) struct RuleDef {
    pub(crate) family: Family,
    pub(crate) anchors: &'static [&'static str],
    pub(crate) before: u16,
    pub(crate) after: u16,
    pub(crate) kind: Kind,
}

const fn r(
    family: Family,
    anchors: &'static [&'static str],
    before: u16,
    after: u16,
    kind: Kind,
) -> RuleDef {
    RuleDef {
        family,
        anchors,
        before,
        after,
        kind,
    }
}

use Kind::{HexKey, Re, ReNotExample, ReServiceAccount};

const BCRYPT: &[&str] = &["$2a$", "$2b$", "$2y$"];

/// The rules, in the order they are tried within a family.
pub(crate) const RULES: &[RuleDef] = &[
    // Private keys: a PEM private-key header followed by key material (so that a page that
    // only documents the header does not fire), and PuTTY key files.
    r(
        PrivateKey,
        &["-----BEGIN"],
        0,
        400,
        Re(
            r"-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|DH|SSH2 ENCRYPTED) )?PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[rn])+(?:[A-Za-z-]{2,40}: [^\r\n\\]{0,200}(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40}",
        ),
    ),
    r(
        PrivateKey,
        &["PuTTY-User-Key-File-"],
        0,
        80,
        Re(r"PuTTY-User-Key-File-[1-3]: [a-z0-9-]{3,40}"),
    ),
    // Password hashes: password-hashing formats, then hex digests under a password key.
    r(
        Hash,
        BCRYPT,
        0,
        64,
        Re(r"\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}"),
    ),
    r(
        Hash,
        &["$argon2"],
        0,
        300,
        Re(
            r"\$argon2(?:id|i|d)\$(?:v=[0-9]{1,3}\$)?m=[0-9]{1,9},t=[0-9]{1,9},p=[0-9]{1,4}\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}",
        ),
    ),
    r(
        Hash,
        &["$scrypt$"],
        0,
        300,
        Re(
            r"\$scrypt\$ln=[0-9]{1,3},r=[0-9]{1,4},p=[0-9]{1,4}\$[A-Za-z0-9+/.]{8,}\$[A-Za-z0-9+/.]{16,}",
        ),
    ),
    r(
        Hash,
        &["pbkdf2"],
        1,
        300,
        Re(r"\$?pbkdf2[-_]sha(?:1|256|512)\$[0-9]{1,9}\$[./A-Za-z0-9+]{4,}\$[./A-Za-z0-9+]{20,}"),
    ),
    r(
        Hash,
        &["assw", "ASSW", "pwd", "Pwd", "PWD", "hash", "Hash", "HASH"],
        0,
        0,
        HexKey,
    ),
    // Windows: pwdump/secretsdump SAM lines, the empty-LM pair, DCC2, $NT$, NetNTLMv1/v2.
    r(
        Windows,
        &[":::"],
        180,
        0,
        Re(r"[^\s:]{1,100}:[0-9]{1,10}:[0-9A-Fa-f]{32}:[0-9A-Fa-f]{32}:::"),
    ),
    r(
        Windows,
        &["aad3b435b51404ee", "AAD3B435B51404EE"],
        16,
        64,
        Re(r"(?i:aad3b435b51404eeaad3b435b51404ee):[0-9A-Fa-f]{32}(?:[^0-9A-Za-z]|$)"),
    ),
    r(
        Windows,
        &["$DCC2$"],
        0,
        120,
        Re(r"\$DCC2\$[0-9]{1,6}#[^#\s]{1,64}#[0-9A-Fa-f]{32}"),
    ),
    r(
        Windows,
        &["$NT$"],
        0,
        40,
        Re(r"\$NT\$[0-9A-Fa-f]{32}(?:[^0-9A-Za-z]|$)"),
    ),
    r(
        Windows,
        &["::"],
        64,
        200,
        Re(r"[^\s:]{1,64}::[^\s:]{0,64}:[0-9A-Fa-f]{48}:[0-9A-Fa-f]{48}:[0-9A-Fa-f]{16}"),
    ),
    r(
        Windows,
        &["::"],
        64,
        200,
        Re(r"[^\s:]{1,64}::[^\s:]{1,64}:[0-9A-Fa-f]{16}:[0-9A-Fa-f]{32}:[0-9A-Fa-f]{32}"),
    ),
    r(
        Windows,
        &["$NETNTLM"],
        0,
        200,
        Re(r"\$NETNTLM(?:v2)?\$[^\s$]{1,64}\$[0-9A-Fa-f]{16,}"),
    ),
    // Linux: shadow/passwd lines holding a crypt hash, then glibc crypt strings anywhere.
    r(
        Linux,
        &["$1$", "$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$", "$7$"],
        40,
        300,
        Re(
            r"[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?:\$(?:1|2[aby]|5|6|y|7)\$[^:\s]{8,256}:[0-9]*:[0-9]*:",
        ),
    ),
    r(
        Linux,
        &["$1$"],
        0,
        40,
        Re(r"\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}(?:[^./0-9A-Za-z]|$)"),
    ),
    r(
        Linux,
        &["$5$"],
        0,
        90,
        Re(
            r"\$5\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}(?:[^./0-9A-Za-z]|$)",
        ),
    ),
    r(
        Linux,
        &["$6$"],
        0,
        130,
        Re(
            r"\$6\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}(?:[^./0-9A-Za-z]|$)",
        ),
    ),
    r(
        Linux,
        &["$y$", "$7$"],
        0,
        240,
        Re(
            r"\$(?:y|7)\$[./0-9A-Za-z]{1,64}\$(?:[./0-9A-Za-z]{1,86}\$)?[./0-9A-Za-z]{43}(?:[^./0-9A-Za-z]|$)",
        ),
    ),
    // API keys. AWS: key ids (not the documentation example) and secret keys in context.
    r(
        Api,
        &["AKIA", "ASIA"],
        1,
        20,
        ReNotExample(r"\bA(?:KIA|SIA)[A-Z2-7]{16}\b"),
    ),
    r(
        Api,
        &["ecret_access_key", "ECRET_ACCESS_KEY", "ecretAccessKey"],
        8,
        60,
        Re(
            r#"(?i:secret[_-]?access[_-]?key)["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[A-Za-z0-9/+]{40}(?:[^A-Za-z0-9/+=]|$)"#,
        ),
    ),
    // GCP: API keys, OAuth client secrets, service-account JSON.
    r(Api, &["AIza"], 1, 40, Re(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    r(
        Api,
        &["GOCSPX-"],
        1,
        32,
        Re(r"\bGOCSPX-[0-9A-Za-z_-]{28}\b"),
    ),
    r(
        Api,
        &["service_account"],
        64,
        4096,
        ReServiceAccount(r#""type"\s*:\s*"service_account""#),
    ),
    // Azure: storage connection strings, Entra ID client secrets.
    r(
        Api,
        &["AccountKey="],
        0,
        100,
        Re(r"AccountKey=[A-Za-z0-9+/]{86}=="),
    ),
    r(
        Api,
        &["Q~"],
        8,
        40,
        Re(
            r"(?:^|[^A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?:[^A-Za-z0-9_~.-]|$)",
        ),
    ),
    // GitHub, GitLab, Slack.
    r(
        Api,
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        1,
        40,
        Re(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    ),
    r(
        Api,
        &["github_pat_"],
        1,
        90,
        Re(r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b"),
    ),
    r(
        Api,
        &["glpat-", "gldt-", "glrt-"],
        1,
        90,
        Re(r"\bgl(?:pat|dt|rt)-[A-Za-z0-9_-]{20,80}"),
    ),
    r(
        Api,
        &["xox"],
        1,
        260,
        Re(r"\bxox[abeoprs]-[0-9]{1,16}-[A-Za-z0-9-]{10,250}"),
    ),
    r(
        Api,
        &["hooks.slack.com/services/"],
        0,
        90,
        Re(r"hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}"),
    ),
    // Stripe live secret and restricted keys (test keys move no money: not reported).
    r(
        Api,
        &["sk_live_", "rk_live_"],
        1,
        260,
        Re(r"\b[rs]k_live_[0-9A-Za-z]{20,247}\b"),
    ),
    // Package registries.
    r(Api, &["npm_"], 1, 40, Re(r"\bnpm_[A-Za-z0-9]{36}\b")),
    r(
        Api,
        &["pypi-"],
        1,
        260,
        Re(r"\bpypi-AgE[A-Za-z0-9_-]{60,250}"),
    ),
    r(
        Api,
        &["dckr_pat_"],
        1,
        50,
        Re(r"\bdckr_pat_[A-Za-z0-9_-]{27,40}\b"),
    ),
    // OpenAI (project, service-account, admin and legacy keys) and Anthropic.
    r(
        Api,
        &["sk-"],
        1,
        260,
        Re(r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}"),
    ),
    r(
        Api,
        &["sk-"],
        1,
        60,
        Re(r"\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b"),
    ),
    r(Api, &["sk-"], 1, 60, Re(r"\bsk-[A-Za-z0-9]{48}\b")),
    r(
        Api,
        &["sk-"],
        1,
        140,
        Re(r"\bsk-ant-(?:api|admin|sid)[0-9]{2}-[A-Za-z0-9_-]{80,120}"),
    ),
    // HuggingFace, SendGrid, Twilio auth tokens in context, Shopify.
    r(Api, &["hf_"], 1, 40, Re(r"\bhf_[A-Za-z0-9]{34}\b")),
    r(
        Api,
        &["SG."],
        1,
        80,
        Re(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ),
    r(
        Api,
        &["twilio", "Twilio", "TWILIO"],
        0,
        120,
        Re(
            r#"(?i:twilio)[A-Za-z0-9_.-]{0,30}?(?i:auth[_-]?token|secret)["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[0-9a-f]{32}\b"#,
        ),
    ),
    r(
        Api,
        &["shpat_", "shpss_"],
        1,
        40,
        Re(r"\bshp(?:at|ss)_[a-fA-F0-9]{32}\b"),
    ),
];
