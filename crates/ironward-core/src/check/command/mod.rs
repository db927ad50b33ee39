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
//!   `&` or a terminal escape sequence; 3 after `&&`; 4 inside `` `…` `` or `$(…)`, or inside the string given to
//!   an exec-like function (`system('…')`, `exec("…")`, `os.popen('…')`);
//! - **command**: the command word must be in the dictionary (or `EXTRA_COMMANDS`), else the
//!   segment scores 0. Names that are also ordinary words (`cat`, `type`, `sleep`, `less`,
//!   `top`, `python`, `curl`) weigh 1; tool names (`ls`, `id`, `nc`, `wget`, `netsh`) 2;
//!   reconnaissance probes nobody types for another reason (`whoami`, `uname`, `ifconfig`,
//!   `ipconfig`, `systeminfo`, `netstat`) 3. POSIX names match in lower case only;
//! - **spelling**: +2 when written as a path to a binary directory (`/usr/bin/id`,
//!   `C:\Windows\System32\cmd.exe`); +3 when obfuscated (`w'h'oami`, `c\at`, `c$@at`,
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
//! rows `| id | name |`), a command word with no argument after `;` or `|` loses 1.
//!
//! A value whose start is a Shellshock function definition (`() {`) is an injection. A value
//! holding quotes is lexed twice, the second time with quotes as punctuation, so that a pair
//! of quotes cannot hide a separator.
//!
//! So: `; id`, `| whoami`, `&& pwd`, `` `uname` ``, `$(cat /etc/passwd)`, `ls -la /`,
//! `sleep 5`, `w'h'oami`, `cat${IFS}/etc/passwd`, `/???/??t /???/p??s??`, `& dir C:\`,
//! `| type %SYSTEMROOT%\win.ini`, `cmd /c whoami`, `powershell -enc …`, `net user x y /add`
//! fire; "top 10 | less", "rock & roll", "R&D; budget", "cat food; dog food", "eat; sleep;
//! repeat", "A | B testing", `| id | name |`, `?a=1&b=2`, "ls", "sleep 8 hours" do not.
//! Known false positives: a bare command line typed on purpose (`ls -la /tmp` in a shell
//! tutorial's comment box); known misses: `a|id|` (list-like), a lone `pwd`, `dir`, `sysinfo` or `route`.

mod dictionary;
mod lexer;
mod score;
#[cfg(test)]
pub(crate) mod tests;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
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
            if lexed
                .segments
                .iter()
                .any(|s| score::score(s, text, list_like, &self.extra) >= score::THRESHOLD)
            {
                return true;
            }
            if depth < MAX_DEPTH {
                for sub in &lexed.substs {
                    // A lone backtick span at the top level is as likely Markdown or SQL
                    // quoting as a substitution: it counts as a value start.
                    let first = if sub.standalone && depth == 0 {
                        Sep::Start
                    } else {
                        Sep::Subst
                    };
                    if let Some(body) = text.get(sub.start..sub.end)
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

/// Bytes that make a value worth lexing: separators, substitutions, quotes, escapes,
/// redirections, terminal escapes.
const METACHARS: &[u8] = b";|&\n\r`$<>\x1b\\{";

/// The fast path: a value without shell metacharacters is lexed only when its first word
/// could be a command (a dictionary name, a path, a quoted or wildcard spelling).
fn worth_lexing(value: &str, extra: &HashSet<String>) -> bool {
    let bytes = value.as_bytes();
    if bytes.iter().any(|b| METACHARS.contains(b)) {
        return true;
    }
    let first = value.split_ascii_whitespace().next().unwrap_or_default();
    first.bytes().any(|b| b"'\"%*?/(".contains(&b))
        || dictionary::lookup(first).is_some()
        || extra.contains(first)
}

impl Check for CommandInjection {
    fn id(&self) -> CheckId {
        CheckId::Command
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        for input in ctx.inputs().scored() {
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
