//! The shell sink detector: does a request input change the structure of a command line the
//! application is about to run through `/bin/sh -c`, or become an option of a program it
//! executes?
//!
//! ## Command lines ([`check_command`])
//!
//! An input of at least [`MIN_INPUT_LEN`] bytes that does not occur in the command (exact
//! bytes) is skipped, and so is one that cannot change anything: only letters, digits, non-ASCII
//! characters and `_ . / : @ + % , = ^` (and `-`, not first). When no input is left, the command
//! is not even lexed. Otherwise it is lexed once, by Ironward's own lexer (POSIX sh, plus bash's
//! `$'…'`, `<(…)`, `>(…)`, `|&`, `&>`), into *atoms* with exact byte ranges, and each occurrence
//! of each input (the first [`MAX_OCCURRENCES`]) is classified by the atoms it touches:
//!
//! - **safe** when it lies in one word's literal content: inside `'…'`; inside `"…"` without a
//!   `$`, a backtick or the closing quote; in an unquoted word of plain characters; in a
//!   comment's text or a here-document body. Covering whole quoted strings (`'a b'`) and
//!   backslash escapes (`a\ b`) of one word is safe too: the word count does not change;
//! - an **injection** when it adds a command separator, a pipe, `(`, `)` or a newline
//!   ([`Reason::Separator`]); a substitution or expansion, an unquoted or double-quoted `$`
//!   or backtick that starts one, `<(`, `>(`, or a `~` starting a word
//!   ([`Reason::Substitution`]); a redirection ([`Reason::Redirection`]); a `#` that comments
//!   out the rest of the line ([`Reason::Comment`]); a quote, or a backslash, that opens or
//!   closes a quoted string or escapes the application's text, or a here-document's end
//!   ([`Reason::Quote`]); unquoted blanks between two of its words, a glob (`*`, `?`, `[…]`) or a
//!   brace expansion (`{a,b}`, `{1..3}`) ([`Reason::Words`]); a NUL byte ([`Reason::NulByte`]);
//! - an **option** ([`Reason::ArgumentOption`]) when, otherwise safe, it makes up the start of
//!   an argument whose value begins with `-` (`tar … --checkpoint-action=exec=sh`, quoted or
//!   not), unless a `--` argument came before it in the same simple command. Negative numbers
//!   (`-5`, `-0.5`) and `--` are not options.
//!
//! When the command does not lex (an unterminated quote or substitution) but does with an
//! occurring input replaced by a neutral word of the same length, the input broke it:
//! [`Reason::Tokenization`]. An input whose correctly quoted form (`'…'` with `'"'"'` or `'\''`,
//! or `"…"` with backslashes) occurs around an offending occurrence is ambiguous (its own
//! quotes matched across the quoting) and not reported.
//!
//! ## Argument lists ([`check_argv`])
//!
//! Without a shell, separators and quotes are plain bytes. The injection left is an input that
//! makes up the start of an argument read as an option, before any `--` argument
//! ([`Reason::ArgumentOption`]), or a NUL byte in an argument ([`Reason::NulByte`]). When the
//! program is a shell (`sh`, `bash`, `dash`, `zsh`, `ksh`, `ash`, `mksh`, `posh`, any
//! directory) run with `-c`, its command line is checked with [`check_command`].

mod classify;
mod lexer;

use super::search::{PairSet, occurs};
use super::{MIN_INPUT_LEN, Reason, Sink, SinkFinding, request_values};
use crate::input::Inputs;
use memchr::memmem;
use std::ops::Range;

/// At most this many (non-overlapping) occurrences of each input are examined, which keeps a
/// check linear in the command's length times the number of inputs.
pub const MAX_OCCURRENCES: usize = 16;

/// Checks a command line about to run through `/bin/sh -c` against the request's inputs.
///
/// Returns the first occurrence of an input that changes the command's structure (or becomes
/// an option), or `None`. Pure and panic-free; see the [module documentation](self).
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, shell};
///
/// // A vulnerable application pastes the user's host into a ping command.
/// let host = "8.8.8.8; id";
/// let command = format!("ping -c 1 {host}");
/// let finding = shell::check_command(&command, ["irrelevant", host]).expect("an injection");
/// assert_eq!(finding.input_index, 1);
/// assert_eq!(finding.reason, Reason::Separator);
/// assert_eq!(&command[finding.span.clone()], host);
///
/// // A file name quoted the way `shlex.quote` does stays one argument: no finding.
/// let name = "my photo; it's $HOME.jpg";
/// let quoted = format!("'{}'", name.replace('\'', "'\"'\"'"));
/// let command = format!("convert {quoted} out.png");
/// assert!(shell::check_command(&command, [name]).is_none());
///
/// // A whole argument starting with `-`: the program reads it as an option.
/// let finding = shell::check_command("tar -cf a.tar --checkpoint-action=exec=sh x", ["--checkpoint-action=exec=sh"]);
/// assert_eq!(finding.map(|f| f.reason), Some(Reason::ArgumentOption));
/// ```
pub fn check_command<I, S>(command: &str, inputs: I) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    command_at(command, inputs.into_iter().enumerate(), 0)
}

/// [`check_command`] with the values of an extracted request ([`request_values`]).
pub fn check_command_request(command: &str, inputs: &Inputs<'_>) -> Option<SinkFinding> {
    check_command(command, request_values(inputs))
}

/// Checks an argument list about to be executed without a shell (`args[0]` is the program)
/// against the request's inputs.
///
/// Returns the first input that makes up the start of an argument read as an option (before
/// any `--`), holds a NUL byte in an argument, or, when the program is a shell run with `-c`,
/// changes the structure of its command line. The finding's span is a byte range in the
/// arguments joined with single spaces. Allocation-free unless an input starts with `-`, holds
/// a NUL byte, or the program is a shell.
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, shell};
///
/// // `subprocess.run(["git", "log", user_value])` with a value that is an option.
/// let args = ["git", "log", "--output=/tmp/x"];
/// let finding = shell::check_argv(args, ["--output=/tmp/x"]).expect("an option");
/// assert_eq!(finding.reason, Reason::ArgumentOption);
/// assert_eq!(finding.span, 8..23);
///
/// // After `--`, or as a plain argument, the value is data; separators are harmless bytes.
/// assert!(shell::check_argv(["git", "log", "--", "--output=/tmp/x"], ["--output=/tmp/x"]).is_none());
/// assert!(shell::check_argv(["ping", "-c", "1", "8.8.8.8; id"], ["8.8.8.8; id"]).is_none());
///
/// // A shell run with `-c`: its command line is checked as such.
/// let finding = shell::check_argv(["/bin/sh", "-c", "ping -c 1 8.8.8.8; id"], ["8.8.8.8; id"]);
/// assert_eq!(finding.map(|f| f.reason), Some(Reason::Separator));
/// ```
pub fn check_argv<I, S, A, T>(args: A, inputs: I) -> Option<SinkFinding>
where
    A: IntoIterator<Item = T>,
    T: AsRef<str>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut args = args.into_iter();
    let program = args.next()?;
    let shell = is_shell(program.as_ref());
    // Only inputs that can be an option or hold a NUL byte matter, unless the command line of
    // a shell has to be checked too.
    let inputs: Vec<(usize, S)> = inputs
        .into_iter()
        .enumerate()
        .filter(|(_, i)| {
            let i = i.as_ref();
            i.len() >= MIN_INPUT_LEN && (shell || i.starts_with('-') || i.contains('\0'))
        })
        .collect();
    if inputs.is_empty() {
        return None;
    }
    let mut offset = program.as_ref().len() + 1;
    let mut options_end = false;
    let mut shell_options = shell;
    let (mut dash_c, mut value_next, mut command_next) = (false, false, false);
    for arg in args {
        let a = arg.as_ref();
        for (index, input) in &inputs {
            let n = input.as_ref();
            if n.contains('\0')
                && let Some(at) = memmem::find(a.as_bytes(), n.as_bytes())
            {
                let span = offset + at..offset + at + n.len();
                return Some(finding(*index, n, span, Reason::NulByte));
            }
            if !options_end
                && n.starts_with('-')
                && a.starts_with(n)
                && classify::is_option(a.as_bytes())
            {
                let span = offset..offset + n.len();
                return Some(finding(*index, n, span, Reason::ArgumentOption));
            }
        }
        options_end |= a == "--";
        // The shell's own options, then its command line (`sh -c [--] 'command'`).
        let mut is_command = false;
        if shell_options {
            if value_next {
                value_next = false;
            } else if a == "--" {
                shell_options = false;
                command_next = dash_c;
            } else if a.len() > 1 && (a.starts_with('-') || a.starts_with('+')) {
                let long = a.starts_with("--");
                dash_c |= a.starts_with('-') && !long && a.contains('c');
                value_next = !long && (a.ends_with('o') || a.ends_with('O'));
            } else {
                shell_options = false;
                is_command = dash_c;
            }
        } else if command_next {
            command_next = false;
            is_command = true;
        }
        if is_command {
            let inputs = inputs.iter().map(|(i, s)| (*i, s.as_ref()));
            if let Some(found) = command_at(a, inputs, offset) {
                return Some(found);
            }
        }
        offset += a.len() + 1;
    }
    None
}

/// [`check_argv`] with the values of an extracted request ([`request_values`]).
pub fn check_argv_request<A, T>(args: A, inputs: &Inputs<'_>) -> Option<SinkFinding>
where
    A: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    check_argv(args, request_values(inputs))
}

/// True when the program (any directory) is a POSIX-like shell.
fn is_shell(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(
        name,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh" | "posh"
    )
}

fn finding(input_index: usize, input: &str, span: Range<usize>, reason: Reason) -> SinkFinding {
    SinkFinding {
        sink: Sink::Shell,
        input: input.to_owned(),
        input_index,
        span,
        reason,
    }
}

/// [`check_command`] with indexed inputs; spans are shifted by `offset` (the command's place
/// in an argument list).
fn command_at<S: AsRef<str>>(
    command: &str,
    inputs: impl Iterator<Item = (usize, S)>,
    offset: usize,
) -> Option<SinkFinding> {
    let c = command.as_bytes();
    let mut hits: Vec<(usize, S)> = Vec::new();
    let mut present: Option<PairSet> = None;
    for (index, input) in inputs {
        let n = input.as_ref().as_bytes();
        if n.len() < MIN_INPUT_LEN || n.len() > c.len() {
            continue;
        }
        // An input holding a pair of bytes the command lacks cannot occur in it.
        if !present.get_or_insert_with(|| PairSet::of(c)).may_hold(n) || inert(n) {
            continue;
        }
        if hits.iter().any(|(_, h)| h.as_ref().as_bytes() == n) {
            continue;
        }
        if occurs(c, n, commonness) {
            hits.push((index, input));
        }
    }
    if hits.is_empty() {
        return None;
    }
    let shift =
        |(span, reason): (Range<usize>, Reason)| (span.start + offset..span.end + offset, reason);
    match lexer::atoms(command) {
        Some(atoms) => hits.iter().find_map(|(index, input)| {
            let input = input.as_ref();
            offending(c, &atoms, input)
                .map(shift)
                .map(|(span, reason)| finding(*index, input, span, reason))
        }),
        None => unparsable(command, &hits).map(|(i, span)| {
            let (index, input) = (i.0, i.1.as_ref());
            let (span, reason) = shift((span, Reason::Tokenization));
            finding(index, input, span, reason)
        }),
    }
}

/// True when an input cannot change a command wherever it lands: only plain word characters,
/// and not a leading `-`.
fn inert(n: &[u8]) -> bool {
    n.first() != Some(&b'-') && n.iter().all(|&b| PLAIN[usize::from(b)])
}

/// The plain word characters: letters, digits, non-ASCII bytes, `_ . / : @ + % , = ^ -`.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c >= 0x80
            || matches!(
                c,
                b'_' | b'.' | b'/' | b':' | b'@' | b'+' | b'%' | b',' | b'=' | b'^' | b'-'
            );
        b += 1;
    }
    t
};

/// How common a byte is in commands and request values (lower: rarer).
fn commonness(b: u8) -> u8 {
    match b {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 9,
        b'h' | b'l' | b'd' | b'c' | b'u' | b'p' | b'-' | b'.' | b'/' => 8,
        b'a'..=b'z' | b'0'..=b'9' | b'_' | b'=' | b'\'' | b'"' => 7,
        b'A'..=b'Z' | b',' | b':' | b';' => 6,
        _ => 1,
    }
}

/// The first occurrence of `input` that changes the command, with the reason.
fn offending(c: &[u8], atoms: &[lexer::Atom], input: &str) -> Option<(Range<usize>, Reason)> {
    let n = input.as_bytes();
    for at in memmem::find_iter(c, n).take(MAX_OCCURRENCES) {
        let (s, e) = (at, at + n.len());
        if n.contains(&0) {
            return Some((s..e, Reason::NulByte));
        }
        if let Some(reason) = classify::structure(c, atoms, s, e) {
            if !quoted_around(c, atoms, input, s..e) {
                return Some((s..e, reason));
            }
        } else if classify::option(c, atoms, s, e) {
            return Some((s..e, Reason::ArgumentOption));
        }
    }
    None
}

/// True when a correctly quoted form of `input` occurs around the occurrence `at` and is safe:
/// the occurrence is then the input's own quotes matched across its quoting (`"'` inside
/// `'"'"'"''`), not an insertion.
fn quoted_around(c: &[u8], atoms: &[lexer::Atom], input: &str, at: Range<usize>) -> bool {
    if !input.contains(['\'', '"', '\\']) {
        return false;
    }
    let dq: String = input
        .chars()
        .flat_map(|ch| {
            let esc = matches!(ch, '"' | '\\' | '$' | '`').then_some('\\');
            esc.into_iter().chain(std::iter::once(ch))
        })
        .collect();
    let forms = [
        format!("'{}'", input.replace('\'', "'\"'\"'")),
        format!("'{}'", input.replace('\'', "'\\''")),
        format!("\"{dq}\""),
    ];
    forms.iter().any(|q| {
        let q = q.as_bytes();
        let lo = at.end.saturating_sub(q.len());
        let hi = (at.start + q.len()).min(c.len());
        let Some(window) = c.get(lo..hi) else {
            return false;
        };
        memmem::find_iter(window, q).any(|k| {
            let (qs, qe) = (lo + k, lo + k + q.len());
            qs <= at.start && at.end <= qe && classify::structure(c, atoms, qs, qe).is_none()
        })
    })
}

/// The command does not lex: the first input whose neutral replacement makes it lex, and its
/// first occurrence.
fn unparsable<'h, S: AsRef<str>>(
    command: &str,
    hits: &'h [(usize, S)],
) -> Option<(&'h (usize, S), Range<usize>)> {
    let first_span = |input: &str| {
        let at = memmem::find(command.as_bytes(), input.as_bytes()).unwrap_or(0);
        at..at + input.len()
    };
    for hit in hits {
        let input = hit.1.as_ref();
        if lexer::lexes(&neutralized(command, input)) {
            return Some((hit, first_span(input)));
        }
    }
    // Two inputs together (a quote opened by one, closed by the other).
    if hits.len() > 1 {
        let mut all = command.to_owned();
        for (_, input) in hits {
            all = neutralized(&all, input.as_ref());
        }
        if lexer::lexes(&all) {
            return hits.first().map(|hit| (hit, first_span(hit.1.as_ref())));
        }
    }
    None
}

/// `command` with every occurrence of `input` replaced by as many `a` as it has bytes.
fn neutralized(command: &str, input: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut last = 0;
    for at in memmem::find_iter(command.as_bytes(), input.as_bytes()) {
        out.push_str(command.get(last..at).unwrap_or_default());
        out.extend(std::iter::repeat_n('a', input.len()));
        last = at + input.len();
    }
    out.push_str(command.get(last..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests;
