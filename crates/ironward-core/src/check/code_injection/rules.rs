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
    // OGNL (Struts): member access, the OGNL context, static calls.
    (
        "ognl",
        r"(?i)#_?memberaccess|ognl\.ognlcontext|default_member_access|#context\s*\[|%\{\s*\(?\s*#[a-z_]|\(#[a-z_]+\s*=\s*#|@ognl\.",
    ),
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
        r#"(?i)<\?php|<\?=\s*[$\w`]|\$_(?:get|post|request|server|cookie|files|env|session)\s*\[|\$globals\s*\[|\{\$\{\s*[@\w]+\s*\(|\$\{\s*@\s*\w+\s*\("#,
    ),
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
    // PHP serialization: an object or an array of indexed/string keys.
    (
        "serialized",
        r#"\b[OC]:\d{1,4}:"[A-Za-z_\\][\w\\]*":\d{1,4}:\{|\ba:\d{1,4}:\{\s*(?:i:\d+;|s:\d+:")"#,
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

/// Literal needles, at least one of which every pattern needs (case-insensitive).
const NEEDLES: &[&str] = &[
    "memberaccess",
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
const TEMPLATE_BODY: &str = r#"(?i)__\w+__|\.\s*__|\b(?:config|self|_self|settings)\b\s*(?:$|\.|\[|\|)|^\s*config\s*$|\b(?:lipsum|cycler|joiner|namespace|url_for|get_flashed_messages)\b|constructor|\bprocess\s*\.|\bglobal\s*\.|\brequire\s*\(|child_process|\brequest\s*(?:\.\s*(?:application|environ|__)|\[)|\b(?:popen|getruntime|forname|getclass|subprocess|system|exec|eval|passthru|shell_exec|import|open|read|readlines)\s*\(|['"](?:system|exec|passthru|shell_exec|popen|id|whoami)['"]|\|\s*(?:attr|filter|map)\s*\(|\w\s*\(\s*['"](?:/etc/|/proc/|[A-Za-z]:\\)|\d\s*[-+*/%]\s*['"]?\d|\bT\s*\(|`[^`]+`"#;

/// Template expression delimiters with their body (linear: the regex crate never backtracks).
const TEMPLATE: &str = r"\{\{([^{}]*)\}\}|[$#*]\{\{?([^{}]*)\}|<%=?([^%]*)%>|@\(([^()]*)\)";

/// The compiled rules.
#[derive(Debug)]
pub(super) struct Rules {
    prefilter: AhoCorasick,
    set: RegexSet,
    template: Regex,
    template_body: Regex,
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
        Ok(Rules {
            prefilter,
            set,
            template,
            template_body,
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
        if self.set.is_match(bytes)
            && let Some(i) = self.set.matches(bytes).iter().next()
        {
            return PATTERNS.get(i).map(|(name, _)| *name);
        }
        self.template(value).then_some("template")
    }

    /// A template expression whose body computes (`7*7`), reaches dunder attributes or
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
                caps.iter()
                    .skip(1)
                    .flatten()
                    .any(|body| self.template_body.is_match(body.as_bytes()))
            })
    }
}
