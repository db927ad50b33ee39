//! `command`: OS command injection, found by lexing each input value as a shell would and
//! asking whether a known command stands where the shell would run one.
//!
//! pyrasp looked for `[&;|]` or `$IFS` followed by a word that `which` finds on the server:
//! it missed `nc` where netcat is not installed and blocked "top 10 | less" where it is.
//! Ironward uses its own dictionary (see `dictionary.rs`; `EXTRA_COMMANDS` adds names) and
//! scores the shell structure around the command instead.
//!
//! # The rule
//!
//! Every scored input (`ctx.inputs().scored()`: parameter names and values, JSON keys and
//! values, cookies, header values, user agent, referer, path segments, and their decoded
//! variants) is cut into simple commands by a shell-aware lexer (`lexer.rs`). For each simple
//! command, the first word that is neither an assignment (`a=1`) nor a redirection target is
//! the *command word*. The value is an injection when, for one simple command,
//!
//! > position + command + spelling + arguments ≥ 4
//!
//! - **position**: 1 at the start of the value or after a newline; 2 after `;`, `|`, `||`,
//!   `&` or a terminal escape sequence, and inside a backtick span that is the whole value
//!   (`` `id` ``); 3 after `&&`; 4 inside `` `…` `` or `$(…)`, or inside the string given to
//!   an exec-like function (`system('…')`, `exec("…")`, `os.popen('…')`); a backtick span
//!   standing alone in text (`` the `ls` command ``) counts as a value start;
//! - **command**: the command word must be in the dictionary (or `EXTRA_COMMANDS`), else the
//!   segment scores 0. Names that are also ordinary words (`cat`, `type`, `sleep`, `less`,
//!   `top`, `python`, `curl`) weigh 1; tool names (`ls`, `id`, `nc`, `wget`, `netsh`) 2;
//!   reconnaissance probes nobody types for another reason (`whoami`, `uname`, `ifconfig`,
//!   `ipconfig`, `systeminfo`, `netstat`) 3. POSIX names match in lower case only;
//! - **spelling**: +2 when written as a path to a binary directory (`/usr/bin/id`,
//!   `usr/bin/id`, `C:\Windows\System32\cmd.exe`); +3 when obfuscated (`w'h'oami`, `c\at`, `c$@at`,
//!   `/???/??t` resolving to a dictionary binary, `%COMSPEC%`, `$IFS` used as a space);
//! - **arguments**: +2 when they look like shell arguments: a flag (`-la`, `--help`, or `/all`
//!   for a Windows command), a sensitive path (`/etc/…`, `/tmp`, `~/`, `../`, `C:\…`,
//!   `%SYSTEMROOT%`, `HKLM\…`, `\\host\share`, `boot.ini`), a URL or IPv4 address,
//!   `/dev/tcp/…`, a redirection to a file or descriptor (`> x.php`, `2>&1`), an unquoted
//!   expansion (`$HOME`, `` `…` ``), a wildcard path, PHP or script markup; or, by command, a
//!   lone number (`sleep 5`, `ping 10`), a dictionary command (`which nc`, `sudo id`), a
//!   subcommand followed by a switch or nothing (`net user x /add`, `net view`), or any subcommand
//!   of a tool (`netsh firewall …`).
//!
//! Arguments that are present but none shell-like ("; id number") take 1 off.
//!
//! In list-like text (two or more `;` or two or more `|`, as in CSV lines and Markdown table
//! rows `| id | name |`), a command word with no argument after `;` or `|` loses 1 — unless it
//! stands alone: no other segment holds a word but the text before the first separator (what
//! the application put there), so `;id;`, `|id|`, `a|id|`, `a);id;` and `/index.html|id|`
//! are no lists. A tool (weight 2 or 3) standing alone after a separator that starts the
//! value, or after one word, gains 1, so a newline then `id` (`%0aid%0a`, `a%0aid`) counts
//! like `;id`. A lone `#` starting a word begins a trailing comment (`;id #`): its words are
//! no arguments.
//!
//! Two readings are not trusted: a word with the same quote just outside it on both sides,
//! as the quote-blind pass sees a JSON key (`&items=[{"id":5}]`), is not a command word (the
//! pass that reads quotes judges it); and a backtick body whose parentheses do not balance
//! (backticks in an opaque token, `` `sh<t)0(x` ``) is not scanned — a shell rejects it.
//!
//! A value whose start is a Shellshock function definition (`() {`) is an injection. A value
//! holding quotes is lexed twice, the second time with quotes as punctuation, so that a pair
//! of quotes cannot hide a separator.
//!
//! So: `; id`, `;id;`, `a|id|`, `` `id` ``, `|usr/bin/id`, `| whoami`, `&& pwd`, `` `uname` ``,
//! `$(cat /etc/passwd)`, `ls -la /`,
//! `sleep 5`, `w'h'oami`, `cat${IFS}/etc/passwd`, `/???/??t /???/p??s??`, `& dir C:\`,
//! `| type %SYSTEMROOT%\win.ini`, `cmd /c whoami`, `powershell -enc …`, `net user x y /add`
//! fire; "top 10 | less", "rock & roll", "R&D; budget", "cat food; dog food", "eat; sleep;
//! repeat", "A | B testing", `| id | name |`, `| name | id |`, "a; id est", "Q&A | id: 5",
//! `?a=1&b=2`, "ls", `` `date` ``, "Hello there\nid", "sleep 8 hours" do not.
//! Known false positives: a bare command line typed on purpose (`ls -la /tmp` in a shell
//! tutorial's comment box), a two-item list ending with a tool name (`name;id;`), two lines
//! whose second is a tool name alone (`Hello\nid`), an SQL identifier that is the whole value
//! and a tool name (`` `id` ``); known misses: a lone
//! `pwd`, `dir`, `sysinfo` or `route`, a lone word-like command between separators
//! (`;hostname;`).

mod dictionary;
mod lexer;
mod score;
#[cfg(test)]
pub(crate) mod tests;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::Shape;
use crate::verdict::Finding;
use lexer::{Sep, lex};
use regex::Regex;
use std::collections::HashSet;

/// How deep substitutions inside substitutions are followed.
const MAX_DEPTH: usize = 3;

/// The `command` check.
#[derive(Debug)]
pub(crate) struct CommandInjection {
    extra: HashSet<String>,
    exec_call: Regex,
}

impl CommandInjection {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let exec_call = Regex::new(
            r#"(?i)\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|execsync|spawnsync|spawn|check_output|check_call|getoutput|getstatusoutput)\s*\(\s*\[?\s*['"]"#,
        )
        .map_err(|source| EngineError::Regex {
            key: "command",
            source,
        })?;
        Ok(CommandInjection {
            extra: config
                .extra_commands
                .iter()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
            exec_call,
        })
    }

    /// True when `value`, of this shape, is certainly no injection: one identifier-like word
    /// that is neither a dictionary name nor one of `EXTRA_COMMANDS` (the fast path of
    /// [`CommandInjection::detect`] would find that after its scans).
    pub(super) fn skips(&self, shape: Shape, value: &str) -> bool {
        shape.within(Shape::WORD)
            && dictionary::lookup(value).is_none()
            && !self.extra.contains(value)
    }

    /// Returns the rule that fired when `value` is a command injection.
    pub(super) fn detect(&self, value: &str) -> Option<&'static str> {
        if !worth_lexing(value, &self.extra) {
            return None;
        }
        let trimmed = value.trim_start();
        if trimmed.starts_with("()") && trimmed[2..].trim_start().starts_with('{') {
            return Some("shellshock");
        }
        if self.scan(value, Sep::Start, 0) {
            return Some("shell");
        }
        if value.contains('(') {
            for call in self.exec_call.find_iter(value).take(8) {
                // The match ends with the opening quote; the body runs to its partner.
                let body = value.get(call.end()..).unwrap_or_default();
                let quote = value.as_bytes().get(call.end().saturating_sub(1)).copied();
                let end = quote.and_then(|q| memchr::memchr(q, body.as_bytes()));
                if let Some(body) = end.and_then(|e| body.get(..e))
                    && self.scan(body, Sep::Subst, 1)
                {
                    return Some("exec_call");
                }
            }
        }
        None
    }

    /// Lexes `text` (once as written and, when it holds quotes, once quote-blind) and scores
    /// its simple commands and, recursively, its substitutions.
    fn scan(&self, text: &str, first: Sep, depth: usize) -> bool {
        let blind = [false, true];
        let passes = if text.contains(['\'', '"']) {
            &blind[..]
        } else {
            &blind[..1]
        };
        for &quotes_blind in passes {
            let lexed = lex(text, first, quotes_blind);
            let list_like = lexed.semis >= 2 || lexed.pipes >= 2;
            let with_words = lexed
                .segments
                .iter()
                .filter(|s| !s.words.is_empty())
                .count();
            if lexed.segments.iter().enumerate().any(|(i, s)| {
                let alone = score::alone(&lexed.segments, i, with_words);
                score::score(s, text, list_like, alone, &self.extra) >= score::THRESHOLD
            }) {
                return true;
            }
            if depth < MAX_DEPTH {
                for sub in &lexed.substs {
                    // A lone backtick span at the top level is as likely Markdown or SQL
                    // quoting as a substitution: it counts as a value start, or, when it is
                    // the whole value (`` `id` ``), as a separator.
                    let whole = || {
                        text.get(..sub.start.saturating_sub(1))
                            .is_some_and(|b| b.trim().is_empty())
                            && text.get(sub.end + 1..).is_some_and(|a| {
                                let a = a.trim();
                                a.is_empty() || a.starts_with('#')
                            })
                    };
                    let first = if sub.standalone && depth == 0 {
                        if whole() { Sep::Span } else { Sep::Start }
                    } else {
                        Sep::Subst
                    };
                    if let Some(body) = text.get(sub.start..sub.end)
                        && balanced(body)
                        && self.scan(body, first, depth + 1)
                    {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Whether the parentheses of a substitution body balance outside quotes. A body a shell
/// would reject (`` `sh<t)0(x` ``, backticks in an opaque token) runs nothing.
fn balanced(body: &str) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    let mut escaped = false;
    for b in body.bytes() {
        match (quote, b) {
            _ if escaped => escaped = false,
            (_, b'\\') => escaped = true,
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

/// The fast path. A value is lexed only when a position where a shell would start a command —
/// the start of the value, or just after a separator (`;`, `|`, `&`, a newline), `$(`, a
/// backtick, `(` or `{` — holds a word that could be a command: a dictionary name (or one of
/// `EXTRA_COMMANDS`), or a word spelled the way obfuscated or absolute commands are (quotes,
/// `\`, `$`, `?`, `*`, `{`, `%`, or a leading `/`, `~`, `.`). Assignments (`q=0.9`) are
/// skipped as the scorer skips them. Browser headers (`Mozilla/5.0 (X11; Linux…`,
/// `text/html;q=0.9`) and prose with `&` therefore cost one byte scan, not a lexer run.
/// A terminal escape (ESC) always sends the value to the lexer.
fn worth_lexing(value: &str, extra: &HashSet<String>) -> bool {
    let bytes = value.as_bytes();
    if memchr::memchr(0x1b, bytes).is_some() {
        return true;
    }
    if command_word_at(bytes, 0, extra) {
        return true;
    }
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| class(*b) & START != 0))
    {
        let at = i + off + 1;
        if command_word_at(bytes, at, extra) {
            return true;
        }
        i = at;
    }
    false
}

/// Whether one word, at a command position, could be a command: a dictionary name; a word
/// with quotes, `\\`, `$`, `{` or `%` (split, escaped or expanded spellings); an absolute or
/// home path (or one under `usr/`) whose last component is a dictionary name or a glob
/// (`/bin/cat`, `/???/??t`, `usr/bin/id`).
/// A URL (`scheme://…`) is not a command word — what matters in it is reached through `$(`,
/// a backtick or a separator.
fn could_be_command(word: &[u8], extra: &HashSet<String>) -> bool {
    if memchr::memchr(b':', word).is_some() && memchr::memmem::find(word, b"://").is_some() {
        return false;
    }
    if word.iter().any(|b| class(*b) & SPELLING != 0) {
        return true;
    }
    let name = if matches!(word.first(), Some(b'/' | b'~' | b'.')) || word.starts_with(b"usr/") {
        let base = word.rsplit(|b| *b == b'/').next().unwrap_or_default();
        if base.iter().any(|b| *b == b'?' || *b == b'*') {
            return true;
        }
        base
    } else {
        word
    };
    std::str::from_utf8(name).is_ok_and(|n| dictionary::lookup(n).is_some() || extra.contains(n))
}

/// Byte classes of the fast path, one table lookup per byte.
const START: u8 = 1; // a shell may start a command after it
const WORD_END: u8 = 2; // ends a command word
const SPELLING: u8 = 4; // only split, escaped or expanded command words hold it

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let starts = b";|&\n\r`({";
    let mut i = 0;
    while i < starts.len() {
        t[starts[i] as usize] |= START;
        i += 1;
    }
    let ends = b";|&`()<> \t\n\r\x0b\x0c";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] |= WORD_END;
        i += 1;
    }
    let spelling = b"'\"\\${%";
    let mut i = 0;
    while i < spelling.len() {
        t[spelling[i] as usize] |= SPELLING;
        i += 1;
    }
    t
};

fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

/// True when the word at `at` (after blanks, assignments and a `$(`'s `(`) could be a command.
fn command_word_at(bytes: &[u8], mut at: usize, extra: &HashSet<String>) -> bool {
    // A few assignments (`a=1 b=2 cmd`) may precede the command word.
    for _ in 0..4 {
        while bytes
            .get(at)
            .is_some_and(|b| *b == b' ' || *b == b'\t' || *b == b'(')
        {
            at += 1;
        }
        let rest = bytes.get(at..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|b| class(*b) & WORD_END != 0)
            .unwrap_or(rest.len());
        let word = rest.get(..len).unwrap_or_default();
        if word.is_empty() {
            return false;
        }
        // An assignment (`q=0.9`, `a=1`) is not the command word: look at the next word.
        if let Some(eq) = word.iter().position(|b| *b == b'=')
            && word.get(..eq).is_some_and(|name| {
                !name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
            })
        {
            at += len;
            continue;
        }
        return could_be_command(word, extra);
    }
    false
}

impl Check for CommandInjection {
    fn id(&self) -> CheckId {
        CheckId::Command
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        for input in ctx.inputs().scored() {
            // One identifier-like word (`sport`, `price_asc`) runs only as the command it
            // names: what the fast path would find after its scans.
            if self.skips(input.shape, &input.value) {
                continue;
            }
            if let Some(rule) = self.detect(&input.value) {
                findings.push(
                    Finding::new(CheckId::Command, input.location.as_str(), &input.value)
                        .with_engine(rule),
                );
                return;
            }
        }
    }
}
