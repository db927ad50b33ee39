//! The pattern rules of `code_injection`: expression languages, template expressions, PHP
//! code and stream wrappers, serialized objects and gadget class names.
//!
//! Every pattern is a linear-time, ASCII byte `regex`; all are compiled once into one [`RegexSet`] behind
//! an Aho-Corasick prefilter of literal needles, so a value holding none of the needles costs
//! one scan. Template expressions (`{{…}}`, `${…}`, `#{…}`, `*{…}`, `<%…%>`) are judged by
//! their body: see [`Rules::template`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// `(rule name, pattern)`; the name is the finding's engine.
const PATTERNS: &[(&str, &str)] = &[
    // OGNL (Struts): member access, the OGNL context, static calls; `%{#name` followed by what
    // OGNL puts after a variable (`=`, `.`, `[`, `(`, `}`), not by random punctuation.
    (
        "ognl",
        r"(?i)#_?memberaccess|ognl\.ognlcontext|default_member_access|#context\s*\[|\(#[a-z_]+\s*=\s*#|@ognl\.",
    ),
    // An OGNL expression `%{#x…}` / `%{(#x…}`: verified closed (see [`CLOSED`]).
    ("ognl", OGNL_EXPRESSION),
    // SpEL and Java EL: type references, static members, reflection, implicit objects.
    (
        "el",
        r"(?i)\bT\s*\(\s*(?:java|javax|jdk|org|com|sun)\s*\.[\w.]+\s*\)|@(?:java|javax|org|com)\.[\w.]+@\w+|[$#]\{[^}]*(?:getruntime|processbuilder|forname|getclass\s*\(|\.class\.|javax\.script|scriptenginemanager|newinstance|classloader|getdeclared)|[$#]\{\s*(?:facescontext|pagecontext|applicationscope|sessionscope|requestscope|initparam)\b",
    ),
    // Spring4Shell and its relatives: class-loader property paths (also in parameter names).
    (
        "classloader",
        r"(?i)\bclass\s*(?:\.|\[\s*['\x22])\s*(?:module\s*(?:\.|['\x22]\s*\]\s*\.?\s*\[?\s*['\x22]?)\s*)?classloader",
    ),
    // Freemarker, Velocity, Smarty, Twig specifics.
    (
        "template",
        r#"(?i)freemarker\.template\.utility|\?new\s*\(\s*\)|<#assign\s|\?api\.|#set\s*\(\s*\$[\w.]+\s*=|\$class\.inspect|\{php\}|\{\$smarty\.|self::getstreamvariable|_self\.env\.|registerundefinedfiltercallback"#,
    ),
    // PHP code: open tags, superglobals, complex-syntax calls, error-suppressed calls.
    (
        "php",
        r#"(?i)<\?php|\$_(?:get|post|request|server|cookie|files|env|session)\s*\[|\$globals\s*\[|\{\$\{\s*[@\w]+\s*\(|\$\{\s*@\s*\w+\s*\("#,
    ),
    // The short echo tag `<?=$x?>`, `` <?= `id` ?> ``: verified closed (see [`CLOSED`]).
    ("php", PHP_ECHO_TAG),
    // PHP functions in code position: at the start (after quote-breaking junk) or after `;`,
    // `{`, `(`, `@`, `:`, `|`, `&`, with an argument list that is code, not prose.
    (
        "php",
        r#"(?i)(?:^[\s'"`;|&:(]*|[;{(@:|&]\s*)(?:phpinfo|phpversion|eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?|base64_decode|file_put_contents)\s*\(\s*(?:\)|['"$]|\w+\s*\()"#,
    ),
    // PHP stream wrappers.
    (
        "php_wrapper",
        r"(?i)\b(?:php|expect|phar|zip|glob|ssh2\.shell|rar|ogg)://|\bdata://[a-z]+/[a-z]+[;,]|\bcompress\.(?:zlib|bzip2)://",
    ),
    // Python code.
    (
        "python",
        r"__import__\s*\(|\b(?:os\.(?:system|popen)|subprocess\.(?:check_output|call|run|Popen))\s*\(",
    ),
    // Java serialization (base64 and hex), .NET BinaryFormatter, Python pickle.
    (
        "serialized",
        r"(?:^|[^A-Za-z0-9+/])rO0AB[A-Za-z0-9+/]{8,}|(?i:(?:^|[^0-9a-f])aced0005[0-9a-f]{8,})|AAEAAAD/////|(?:^|[^A-Za-z0-9+/])(?:gASV|gAWV|gANj|gAJj)[A-Za-z0-9+/]{8,}|\\x80\\x0[2-5]|\xC2\x80[\x02-\x05]|(?m:^c(?:os|posix|nt|subprocess|builtins|__builtin__|commands)(?:\n|\\n)\w+(?:\n|\\n))",
    ),
    // PHP serialization: an object (`O:`) or a custom-serialized object (`C:`), alone or
    // inside an array, also with the `O:+8:` sign that slipped past `O:\d` filters. Arrays
    // and scalars (`a:1:{i:0;i:1794721;}`, plugins keep id lists in cookies this way)
    // construct nothing when unserialized.
    (
        "serialized",
        r#"\b[OC]:\+?\d{1,4}:"[A-Za-z_\\][\w\\]*":\d{1,4}:\{"#,
    ),
    // XML entity declarations (XXE, entity expansion): a parser that reads the value
    // expands or fetches them. A `<!DOCTYPE html>` or an XHTML doctype declares none.
    (
        "xxe",
        r#"(?i)<!entity\s+(?:%\s*)?[\w.:-]+\s+(?:system\b|public\b|["'])"#,
    ),
    // YAML tags that construct objects.
    (
        "serialized",
        r"!!(?:python/(?:object|name|module)|javax\.|java\.|com\.sun\.|org\.|sun\.)|!ruby/(?:object|hash|struct|marshal)",
    ),
    // Deserialization gadget class names (Jackson, fastjson, Json.NET, XStream).
    (
        "gadget",
        r"(?i)jdbcrowsetimpl|templatesimpl|invokertransformer|chainedtransformer|objectdataprovider|windowsidentity|typeconfusedelegate|propertypathfactorybean|bsh\.interpreter|java\.lang\.processbuilder|system\.diagnostics\.process\b|ysoserial",
    ),
];

/// Patterns whose match starts an expression that must also be closed and parse (quotes
/// closed, brackets nested) for the rule to fire: `%{…}` up to its `}`, `<?=…` up to `?>` or
/// the end of the value. Long random tokens with punctuation (sensor data, session blobs) form
/// their openings now and then (`%{#KU2ol.`, `<?=u`) but almost never a closed expression.
const CLOSED: &[&str] = &[OGNL_EXPRESSION, PHP_ECHO_TAG];
/// `%{#x.`, `%{(#x=`: an OGNL expression starts.
const OGNL_EXPRESSION: &str = r"(?i)%\{\s*\(?\s*#[a-z_]\w*\s*[=.\[(}]";
/// `<?=` then code: PHP's short echo tag.
const PHP_ECHO_TAG: &str = r"<\?=\s*[$\w`]";

/// The length of the shortest run of letters, digits and `_` that a rule can match in a value
/// made of those, spaces, `-`, `,` and quotes (`ysoserial`). Every other rule needs punctuation
/// (`(`, `{`, `.`, `:`, `#`, `!`, `?`…) or a longer token (`rO0AB` and eight more, `gASV` and
/// eight more, `aced0005` and eight more, `jdbcrowsetimpl`). Such values whose words are all
/// shorter (`sport`, `per_page`, "Trail running shoe model 3") are skipped without a scan;
/// `word_only_needles_are_reviewed` fails when a needle that could change this is added.
pub(super) const SHORTEST_WORD_RULE: usize = 9;

/// Literal needles, at least one of which every pattern needs (case-insensitive).
const NEEDLES: &[&str] = &[
    "memberaccess",
    "member_access",
    "ognl",
    "#context",
    "%{",
    "(#",
    "t(",
    "t (",
    "@java",
    "@javax",
    "@org",
    "@com",
    "${",
    "#{",
    "*{",
    "{{",
    "<%",
    "classloader",
    "freemarker",
    "?new",
    "<#",
    "?api",
    "#set",
    "$class",
    "{php}",
    "{$",
    "self::",
    "_self",
    "registerundefined",
    "<?",
    "$_",
    "$globals",
    "@(",
    "phpinfo",
    "phpversion",
    "eval",
    "assert",
    "system",
    "passthru",
    "shell_exec",
    "exec",
    "popen",
    "proc_open",
    "create_function",
    "call_user_func",
    "base64_decode",
    "file_put_contents",
    "os.",
    "subprocess.",
    "://",
    "__import__",
    "rO0AB",
    "aced0005",
    "AAEAAAD",
    "gASV",
    "gAWV",
    "gANj",
    "gAJj",
    "\\x80",
    "\u{80}",
    "os\n",
    "posix\n",
    "os\\n",
    "posix\\n",
    "nt\n",
    "nt\\n",
    "subprocess\n",
    "builtins\n",
    "builtin__\n",
    "commands\n",
    "subprocess\\n",
    "builtins\\n",
    "builtin__\\n",
    "commands\\n",
    ":{",
    "<!entity",
    "!!",
    "!ruby",
    "jdbcrowsetimpl",
    "templatesimpl",
    "transformer",
    "objectdataprovider",
    "windowsidentity",
    "typeconfuse",
    "propertypath",
    "bsh.",
    "processbuilder",
    "diagnostics.process",
    "ysoserial",
];

/// Names that make a template expression an attack wherever they appear in its body.
const TEMPLATE_BODY: &str = r#"(?i)__\w+__|\.\s*__|\b(?:config|self|_self|settings)\b\s*(?:$|\.|\[|\|)|^\s*config\s*$|\b(?:lipsum|cycler|joiner|namespace|url_for|get_flashed_messages)\b|constructor|\bprocess\s*\.|\bglobal\s*\.|\brequire\s*\(|child_process|\brequest\s*(?:\.\s*(?:application|environ|__)|\[)|\b(?:popen|getruntime|forname|getclass|subprocess|system|exec|eval|passthru|shell_exec|import|open|read|readlines)\s*\(|['"](?:system|exec|passthru|shell_exec|popen|id|whoami)['"]|\|\s*(?:attr|filter|map)\s*\(|\w\s*\(\s*['"](?:/etc/|/proc/|[A-Za-z]:\\)|\bT\s*\(\s*(?:java|javax|jakarta|jdk|org|com|sun)\s*\.|`\s*(?:id|ls|dir|pwd|whoami|uname|hostname|cat|type|head|tail|more|less|echo|printenv|env|set|ps|netstat|ifconfig|ipconfig|curl|wget|nc|ncat|bash|sh|zsh|cmd|powershell|python\d?|perl|ruby|php|node|sleep|ping|nslookup|dig|touch|rm|cp|mv|chmod|find|grep)\b[^`]*`"#;

/// A template body that only computes on numbers: `7*7`, `7*'7'`, ` 1337 * 1337 `, `(1+2)*3`
/// (the probe for template injection). Arithmetic inside a longer body (`price * 2`, a random
/// token's `3*3`) is not this.
const TEMPLATE_ARITHMETIC: &str = r#"^[\d\s+\-*/%()'"]*\d\s*[-+*/%]\s*['"]?\d[\d\s+\-*/%()'"]*$"#;

/// Template expression delimiters with their body (linear: the regex crate never backtracks).
const TEMPLATE: &str = r"\{\{([^{}]*)\}\}|[$#*]\{\{?([^{}]*)\}|<%=?([^%]*)%>|@\(([^()]*)\)";

/// The compiled rules.
#[derive(Debug)]
pub(super) struct Rules {
    prefilter: AhoCorasick,
    set: RegexSet,
    template: Regex,
    template_body: Regex,
    template_arithmetic: Regex,
    /// For each pattern of [`PATTERNS`], its own regex when it is one of [`CLOSED`].
    closed: Vec<Option<Regex>>,
}

impl Rules {
    /// Compiles the rules (the patterns are constant, so this only fails on a bug).
    pub(super) fn new() -> Result<Rules, String> {
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(NEEDLES)
            .map_err(|e| e.to_string())?;
        // Every pattern is ASCII: byte regexes without Unicode classes compile in a fraction
        // of the time and memory (`\w`, `\b` and `(?i)` stay ASCII, which is what they mean
        // here; U+0080 of a pickle header is matched as its UTF-8 bytes).
        let set = RegexSetBuilder::new(PATTERNS.iter().map(|(_, p)| p))
            .unicode(false)
            .build()
            .map_err(|e| e.to_string())?;
        let ascii = |p: &str| {
            RegexBuilder::new(p)
                .unicode(false)
                .build()
                .map_err(|e| e.to_string())
        };
        let template = ascii(TEMPLATE)?;
        let template_body = ascii(TEMPLATE_BODY)?;
        let template_arithmetic = ascii(TEMPLATE_ARITHMETIC)?;
        let closed = PATTERNS
            .iter()
            .map(|(_, p)| CLOSED.contains(p).then(|| ascii(p)).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rules {
            prefilter,
            set,
            template,
            template_body,
            template_arithmetic,
            closed,
        })
    }

    /// The first rule that matches `value`, if any.
    pub(super) fn find(&self, value: &str) -> Option<&'static str> {
        if !self.prefilter.is_match(value) {
            return None;
        }
        // `is_match` first: it does not allocate, and most values that pass the prefilter
        // (holding "system" or "(") match nothing.
        let bytes = value.as_bytes();
        if self.set.is_match(bytes) {
            for i in self.set.matches(bytes).iter() {
                let fires = match self.closed.get(i) {
                    Some(Some(re)) => re
                        .find_iter(bytes)
                        .take(16)
                        .any(|m| closed_expression(bytes, m.start())),
                    _ => true,
                };
                if fires {
                    return PATTERNS.get(i).map(|(name, _)| *name);
                }
            }
        }
        self.template(value).then_some("template")
    }

    /// A template expression whose body only computes on numbers (`7*7`), reaches dunder attributes or
    /// dangerous objects (`config`, `self`, `lipsum`, `constructor`, `process.`,
    /// `request.application`), calls a dangerous method (`popen(`, `getClass(`, `exec(`), or
    /// calls anything with a sensitive path. A plain `{{ name }}` or `{{ user.email }}` is not
    /// an attack.
    fn template(&self, value: &str) -> bool {
        if !value.contains(['{', '%', '(']) {
            return false;
        }
        self.template
            .captures_iter(value.as_bytes())
            .take(16)
            .any(|caps| {
                caps.iter().skip(1).flatten().any(|body| {
                    let body = body.as_bytes();
                    balanced(body)
                        && (self.template_body.is_match(body)
                            || self.template_arithmetic.is_match(body))
                })
            })
    }
}

#[cfg(test)]
impl Rules {
    /// The template expression that fires in `value`, if one does (for test messages).
    pub(super) fn template_match(&self, value: &str) -> Option<String> {
        self.template
            .captures_iter(value.as_bytes())
            .find(|caps| {
                caps.iter().skip(1).flatten().any(|body| {
                    let body = body.as_bytes();
                    balanced(body)
                        && (self.template_body.is_match(body)
                            || self.template_arithmetic.is_match(body))
                })
            })
            .and_then(|c| c.get(0))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    }
}

/// Whether the expression opened at `at` (`%{…` or `<?=…`) is closed and could parse: for
/// `%{`, the text to its matching `}`; for `<?=`, the text to `?>` or the end of the value;
/// in both, [`balanced`].
fn closed_expression(b: &[u8], at: usize) -> bool {
    let rest = b.get(at..).unwrap_or_default();
    if rest.starts_with(b"<?=") {
        let body = &rest[3..];
        let end = body
            .windows(2)
            .position(|w| w == b"?>")
            .unwrap_or(body.len());
        return balanced(&body[..end]);
    }
    let Some(open) = memchr::memchr(b'{', rest) else {
        return false;
    };
    // The body runs to the `}` that closes `{`: the first `}` at which what came before it
    // balances (a bounded number of tries).
    let body = &rest[open + 1..];
    memchr::memchr_iter(b'}', body)
        .take(64)
        .any(|close| balanced(&body[..close]))
}

/// Whether a template expression's body could parse: its quotes (`'`, `"`, `` ` ``, with
/// backslash escapes) are closed and its brackets (`(…)`, `[…]`, `{…}`) nest. A template engine
/// evaluates nothing of a body that does not parse (it raises a syntax error), and long random
/// tokens with punctuation (sensor data, session blobs) that happen to hold `{…}` or `@(…)`
/// almost never balance: `@(;qr}l}4AS…`J r5y~2-RmqL`…`.
fn balanced(body: &[u8]) -> bool {
    let mut stack = [0u8; 16];
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for &c in body {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'(' | b'[' | b'{' => {
                if depth == stack.len() {
                    return false;
                }
                stack[depth] = match c {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                depth += 1;
            }
            b')' | b']' | b'}' => {
                if depth == 0 || stack[depth - 1] != c {
                    return false;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    quote.is_none() && depth == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{NEEDLES, Rules, SHORTEST_WORD_RULE};

    /// The needles shorter than [`SHORTEST_WORD_RULE`] made only of bytes a prose-shaped value
    /// holds (word bytes, space, `-`, `,`, quotes), each checked by hand: its patterns need
    /// other punctuation or a longer word around it. A new one must be reviewed the same way
    /// (and `SHORTEST_WORD_RULE` lowered if a rule can match it in prose).
    const REVIEWED: &[&str] = &[
        "ognl", "eval", "assert", "system", "exec", "popen", "phpinfo", "passthru", "rO0AB",
        "aced0005", "AAEAAAD", "gASV", "gAWV", "gANj", "gAJj", "_self",
    ];

    #[test]
    fn word_only_needles_are_reviewed() {
        for needle in NEEDLES {
            let word = needle.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b' ' | b'-' | b',' | b'\'' | b'"')
            });
            if word && needle.len() < SHORTEST_WORD_RULE {
                assert!(REVIEWED.contains(needle), "review the needle {needle:?}");
            }
        }
    }

    /// Word-only values shorter than [`SHORTEST_WORD_RULE`] match nothing: every reviewed
    /// needle alone, padded and repeated, in both cases.
    #[test]
    fn short_word_only_values_match_nothing() {
        let rules = Rules::new().unwrap();
        for needle in REVIEWED {
            for v in [
                needle.to_string(),
                needle.to_uppercase(),
                needle.to_lowercase(),
                format!("{needle}_1"),
                format!("x{needle}"),
                format!("{needle}{needle}"),
            ] {
                if v.len() < SHORTEST_WORD_RULE {
                    assert_eq!(rules.find(&v), None, "{v}");
                }
            }
        }
        assert_eq!(rules.find("ysoserial"), Some("gadget"));
    }
}
