//! `code_injection`: code that the application, a library or a template engine would
//! evaluate rather than store: Log4j JNDI lookups, expression languages (OGNL, SpEL, Java EL),
//! server-side template expressions, PHP code and stream wrappers, serialized objects.
//!
//! # The rule
//!
//! Every scored input (parameter names and values, JSON keys and values, cookies, header
//! values, user agent, referer, path segments, and their decoded variants: Log4Shell came
//! through headers) is an injection when it holds one of:
//!
//! - **JNDI lookup** (engine `jndi`): after resolving Log4j's nested lookups the way Log4j
//!   would (`${lower:x}`, `${upper:x}`, `${::-x}`, `${env:NaN:-x}`, any `${p:k:-default}`,
//!   `${date:'x'}`), a `${jndi:…}` lookup (any case, any protocol);
//! - **reader lookup** (engine `lookup`): `${env:NAME}`, `${sys:…}`, `${java:…}`, `${ctx:…}`,
//!   `${main:…}`, `${bundle:…}`, `${k8s:…}`, `${docker:…}`, `${spring:…}`, `${jvmrunargs:…}`,
//!   `${log4j:…}`, `${web:…}`: Log4j lookups that read secrets. A `${HOME}` or `${PORT:-80}`
//!   without a Log4j prefix is not one; a Log4j documentation snippet with `${env:X}` is
//!   (known false positive);
//! - **OGNL** (`ognl`): `#_memberAccess`, `@ognl.OgnlContext`, `DEFAULT_MEMBER_ACCESS`,
//!   `#context[`, `%{(#x…`, `(#a=#b…`;
//! - **EL / SpEL** (`el`): `T(java.…)`, `@java.lang.Runtime@getRuntime`, a `${…}`/`#{…}`
//!   holding `getRuntime`, `ProcessBuilder`, `forName`, `getClass(`, `.class.`, `classLoader`,
//!   `ScriptEngineManager`, `newInstance`, or starting with `facesContext`, `pageContext`,
//!   `applicationScope`, `sessionScope`, `requestScope`, `initParam`;
//! - **class loader paths** (`classloader`, Spring4Shell): `class.module.classLoader`,
//!   `class.classLoader`, `class['classLoader']`;
//! - **template engines** (`template`): Freemarker `freemarker.template.utility`, `?new()`,
//!   `<#assign `, `?api.`; Velocity `#set($x=`, `$class.inspect`; Smarty `{php}`,
//!   `{$smarty.`, `self::getStreamVariable`; Twig `_self.env.`,
//!   `registerUndefinedFilterCallback`;
//! - **template expressions** (`template`): a `{{…}}`, `${…}`, `#{…}`, `*{…}`, `<%…%>` or
//!   `@(…)` whose body only computes on numbers (`7*7`, `7*'7'`), reaches a dunder attribute
//!   (`__class__`, `.__`), names `config`, `self`, `settings`, `lipsum`, `cycler`, `joiner`,
//!   `namespace`, `url_for`, `get_flashed_messages`, `constructor`, `process.`, `global.`,
//!   `require(`, `child_process`, `request.application`/`request.environ`, calls a dangerous
//!   method (`popen(`, `getRuntime(`, `forName(`, `getClass(`, `system(`, `exec(`, `eval(`,
//!   `open(`, `read(`…), quotes a command function name (`'system'`), runs a backtick command
//!   (`` `id` ``, `` `cat /etc/passwd` ``: a command name first), references a Java type
//!   (`T(java.lang.Runtime)`), uses `|attr(`,
//!   `|filter(`, `|map(`, or passes a sensitive path to a call (`f("/etc/passwd")`), and whose
//!   body could parse (quotes closed, brackets nested: a template engine evaluates nothing of a
//!   body with a syntax error, and random tokens with punctuation rarely balance). A plain
//!   `{{ name }}`, `{{ user.email }}`, `{{#each items}}` or `{{ price * 2 }}` is not one:
//!   Mustache text in a CMS body passes;
//! - **PHP** (`php`): `<?php`, `<?=` followed by code, a superglobal index (`$_GET[`,
//!   `$_SERVER[`…), complex syntax calls (`{${phpinfo()}}`, `${@print(…)}`), or a dangerous
//!   function (`phpinfo`, `eval`, `assert`, `system`, `passthru`, `shell_exec`, `exec`,
//!   `popen`, `proc_open`, `base64_decode`, `create_function`, `call_user_func`,
//!   `file_put_contents`…) in code position (at the start of the value after quote-breaking
//!   punctuation, or after `;`, `{`, `(`, `@`, `:`, `|`, `&`) called with `()`, a quoted
//!   string, a variable or another call. "I love php" and "avoid eval() in JS" are not;
//! - **stream wrappers** (`php_wrapper`): `php://`, `expect://`, `phar://`, `zip://`,
//!   `glob://`, `compress.zlib://`, `data://type/subtype,`;
//! - **Python** (`python`): `__import__(`, `os.system(`, `os.popen(`, `subprocess.…(`;
//! - **serialized objects** (`serialized`): Java (`rO0AB…` base64, `aced0005…` hex), .NET
//!   BinaryFormatter (`AAEAAAD/////`), Python pickle (`gASV…`, `gANj…` base64, `\x80\x04`
//!   bytes or escapes, protocol-0 `cos\nsystem\n`), PHP objects (`O:8:"Class":2:{`, `C:`,
//!   `O:+8:`, also inside an array), YAML constructor tags (`!!python/object/apply:`,
//!   `!!javax.script…`, `!ruby/object:`). A PHP serialized array or scalar
//!   (`a:2:{i:0;i:1794719;i:1;i:1794721;}`, a plugin's list of ids in a cookie) constructs
//!   no object when unserialized and passes;
//! - **XML entities** (`xxe`): an XML body whose DOCTYPE declares entities or refers to an
//!   external DTD (`xxe.rs`), and any value holding an entity declaration
//!   (`<!ENTITY x SYSTEM "file:///etc/passwd">`, `<!ENTITY % p SYSTEM …>`, `<!ENTITY lol "lol">`):
//!   the XML parser that reads them fetches or expands them. (These were `format` findings;
//!   `format` now judges only whether a body is well-formed, at a lower level.)
//! - **gadget class names** (`gadget`): `JdbcRowSetImpl`, `TemplatesImpl`,
//!   `InvokerTransformer`, `ObjectDataProvider`, `ysoserial`…
//!
//! Prices (`$5`), `{{`, `7*7=49`, "O:8" in text, base64 images, JWTs and words starting with
//! `rO0` pass.

mod jndi;
mod rules;
#[cfg(test)]
mod tests;
mod xxe;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::{BodyKind, Shape};
use crate::verdict::Finding;
use jndi::Lookup;
use rules::{Rules, SHORTEST_WORD_RULE};

/// What prose and ids are made of and no needle of a rule holds: letters, digits, `_`, the
/// space, `-`, `,` and quotes.
const PROSE: Shape = Shape::WORD
    .union(Shape::SPACE)
    .union(Shape::of_bytes(b"-,'\""));

/// True when `value`, of this shape, matches no rule: prose or an id (only [`PROSE`] bytes)
/// whose longest run of letters, digits and `_` is shorter than the shortest rule that such a
/// value can match (`ysoserial`; every other rule needs punctuation outside [`PROSE`] or a
/// longer token). "Trail running shoe model 3", `SKU-00001`, `price_asc` are skipped without a
/// search.
pub(super) fn skips(shape: Shape, value: &str) -> bool {
    shape.within(PROSE) && longest_word(value) < SHORTEST_WORD_RULE
}

/// The length of the longest run of ASCII letters, digits and `_` in `value`.
fn longest_word(value: &str) -> usize {
    value
        .as_bytes()
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

/// The `code_injection` check.
#[derive(Debug)]
pub(crate) struct CodeInjection {
    rules: Rules,
}

impl CodeInjection {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        let rules = Rules::new().map_err(|e| EngineError::Regex {
            key: "code_injection",
            source: regex::Error::Syntax(e),
        })?;
        Ok(CodeInjection { rules })
    }

    /// The rule that fires on `value`, if any.
    pub(super) fn detect(&self, value: &str) -> Option<&'static str> {
        match jndi::inspect(value) {
            Some(Lookup::Jndi) => return Some("jndi"),
            Some(Lookup::Reader) => return Some("lookup"),
            None => {}
        }
        self.rules.find(value)
    }
}

impl Check for CodeInjection {
    fn id(&self) -> CheckId {
        CheckId::CodeInjection
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let inputs = ctx.inputs();
        if inputs.body_kind == BodyKind::Xml {
            let max = usize::try_from(ctx.config.max_body_bytes).unwrap_or(usize::MAX);
            let body = ctx.request.body.get(..max).unwrap_or(ctx.request.body);
            if let Some((_, doctype)) = xxe::problem(body) {
                findings.push(
                    Finding::new(CheckId::CodeInjection, "body", &doctype).with_engine("xxe"),
                );
                return;
            }
        }
        for input in inputs.scored() {
            if skips(input.shape, &input.value) {
                continue;
            }
            if let Some(rule) = self.detect(&input.value) {
                findings.push(
                    Finding::new(
                        CheckId::CodeInjection,
                        input.location.as_str(),
                        &input.value,
                    )
                    .with_engine(rule),
                );
                return;
            }
        }
    }
}
