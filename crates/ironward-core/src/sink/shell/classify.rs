//! The rule for one occurrence of an input in a command line: which atoms it touches, and
//! whether it lands where the program reads options.

use super::lexer::{Atom, Kind};
use crate::sink::Reason;

/// Why the occurrence `s..e` changes the command's structure, or `None` when it stays inside
/// one word's literal content (or covers whole quoted strings of it).
///
/// Several reasons may apply; the one reported is the first of: substitution, separator,
/// redirection, comment, quote, words.
///
/// Unquoted blanks inside the occurrence split it into several words. That alone is ordinary
/// text (`hello world` pasted into an `echo`): it counts as [`Reason::Words`] only when a word
/// after a blank can change what the program does — an option or a path (it starts with `-`,
/// `/`, `.` or `~`, or holds a `/` or a backslash: `x -rf /`, `notes.txt /etc/passwd`), or anything other
/// than a plain word (a quote, a glob, an expansion).
pub(super) fn structure(cmd: &[u8], atoms: &[Atom], s: usize, e: usize) -> Option<Reason> {
    let first = atoms.partition_point(|a| a.end <= s);
    let touched = atoms.get(first..).unwrap_or_default();
    let (mut sep, mut subst, mut redir, mut comment, mut quote, mut words) =
        (false, false, false, false, false, false);
    let mut level = 0i32;
    let mut content_before = false;
    let mut blank_between = false;
    let mut brace = Brace::default();
    let mut bracket_seen = false;
    for (k, a) in touched.iter().enumerate().take_while(|(_, a)| a.start < e) {
        let whole = s <= a.start && a.end <= e;
        if a.kind == Kind::Blank {
            // Unquoted blanks at the occurrence's edges are not the input's words.
            blank_between |= content_before;
            continue;
        }
        if blank_between {
            words |= risky_word(cmd, touched.get(k..).unwrap_or_default());
            blank_between = false;
        }
        content_before = true;
        match a.kind {
            Kind::Newline | Kind::Separator => sep = true,
            Kind::Redirect => redir = true,
            Kind::CommentStart => comment = true,
            Kind::HereEnd => quote = true,
            Kind::Blank | Kind::IoNumber | Kind::CommentText | Kind::Text => {}
            Kind::Word => brace.feed(cmd.get(a.start.max(s)..a.end.min(e)).unwrap_or_default()),
            Kind::Glob => words = true,
            Kind::Bracket => {
                if !bracket_seen {
                    bracket_seen = true;
                    words |= bracket_closes(cmd, touched.get(k + 1..).unwrap_or_default());
                }
            }
            // The name after `$` is the application's: only covering the `$` counts.
            Kind::Dollar => subst |= s <= a.start,
            Kind::Tilde | Kind::SubstOpen | Kind::SubstClose => subst = true,
            // Starting at the escaped character: the application's backslash escapes it.
            // Ending after the backslash: the input's backslash escapes the application's text.
            Kind::Escape => quote |= s <= a.start && e < a.end,
            Kind::QuoteOpen => {
                quote |= !whole;
                level += 1;
            }
            Kind::QuoteClose => {
                quote |= !whole;
                level -= 1;
                quote |= level < 0;
            }
        }
    }
    quote |= level > 0;
    words |= brace.expands;
    [
        (subst, Reason::Substitution),
        (sep, Reason::Separator),
        (redir, Reason::Redirection),
        (comment, Reason::Comment),
        (quote, Reason::Quote),
        (words, Reason::Words),
    ]
    .into_iter()
    .find_map(|(hit, reason)| hit.then_some(reason))
}

/// True when the word a blank added (its atoms start `word`) can change what the program does:
/// anything but plain text (a quote, an escape, a glob, an expansion), an option or a path.
fn risky_word(cmd: &[u8], word: &[Atom]) -> bool {
    let mut first = true;
    for a in word.iter().take_while(|a| a.kind.in_word()) {
        if !matches!(a.kind, Kind::Word | Kind::Text) {
            return true;
        }
        let bytes = cmd.get(a.start..a.end).unwrap_or_default();
        if first && matches!(bytes.first(), Some(b'-' | b'/' | b'.' | b'~')) {
            return true;
        }
        if bytes.iter().any(|&b| b == b'/' || b == b'\\') {
            return true;
        }
        first = false;
    }
    first
}

/// Brace expansion seen in unquoted bytes: a `{`, then a `,` or `..`, then a `}`.
#[derive(Default)]
struct Brace {
    open: bool,
    list: bool,
    dot: bool,
    expands: bool,
}

impl Brace {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'{' => (self.open, self.list) = (true, false),
                b',' => self.list |= self.open,
                b'.' if self.dot => self.list |= self.open,
                b'}' => {
                    self.expands |= self.open && self.list;
                    (self.open, self.list) = (false, false);
                }
                _ => {}
            }
            self.dot = b == b'.';
        }
    }
}

/// True when an unquoted `]` follows in the same word (the `[` then starts a glob).
fn bracket_closes(cmd: &[u8], after: &[Atom]) -> bool {
    after
        .iter()
        .take_while(|a| a.kind.in_word())
        .filter(|a| a.kind == Kind::Word)
        .any(|a| cmd.get(a.start..a.end).unwrap_or_default().contains(&b']'))
}

/// True when the occurrence `s..e` makes up the start of a word's value that begins with `-`,
/// in a simple command's argument (not its command name), before any `--` argument: the
/// program reads it as an option. A negative number (`-5`, `-0.5`) and `--` itself are not
/// options.
pub(super) fn option(cmd: &[u8], atoms: &[Atom], s: usize, e: usize) -> bool {
    let k = atoms.partition_point(|a| a.end <= s);
    let Some(&at) = atoms.get(k) else {
        return false;
    };
    if at.start != s {
        return false;
    }
    // The first value atom: past the opening quotes the occurrence starts with.
    let mut c = k;
    while atoms
        .get(c)
        .is_some_and(|a| a.kind == Kind::QuoteOpen && a.end <= e)
    {
        c += 1;
    }
    let Some(&value) = atoms.get(c) else {
        return false;
    };
    if !matches!(value.kind, Kind::Word | Kind::Text)
        || value.start >= e
        || cmd.get(value.start) != Some(&b'-')
    {
        return false;
    }
    // The word starts at the occurrence (or at opening quotes just before it).
    let mut w = k;
    while w > 0 && atoms.get(w - 1).is_some_and(|a| a.kind == Kind::QuoteOpen) {
        w -= 1;
    }
    let Some(&start) = atoms.get(w) else {
        return false;
    };
    if w > 0 && atoms.get(w - 1).is_some_and(|a| a.kind.in_word()) {
        return false;
    }
    if only_value(atoms, c) && !is_option(cmd.get(value.start..value.end).unwrap_or_default()) {
        return false;
    }
    argument_before_end_of_options(cmd, atoms.get(..w).unwrap_or_default(), start.depth)
}

/// True when the word's value is the atom `c` alone (only closing quotes follow it).
fn only_value(atoms: &[Atom], c: usize) -> bool {
    atoms
        .get(c + 1..)
        .unwrap_or_default()
        .iter()
        .find(|a| a.kind != Kind::QuoteClose)
        .is_none_or(|a| !a.kind.in_word())
}

/// True for an argument a program reads as an option: it starts with `-`, is not `-` or `--`,
/// and is not a negative number.
pub(super) fn is_option(arg: &[u8]) -> bool {
    let Some((b'-', rest)) = arg.split_first() else {
        return false;
    };
    if rest.is_empty() || rest == b"-" {
        return false;
    }
    let mut parts = rest.splitn(2, |&b| b == b'.');
    let number = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
        && parts
            .next()
            .is_none_or(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    !number
}

/// Walks back over the words of the simple command before a word (at `depth`): true when
/// there is at least one (the word is an argument, not the command name) and none is `--`.
fn argument_before_end_of_options(cmd: &[u8], before: &[Atom], depth: u8) -> bool {
    let mut words = 0usize;
    let mut i = before.len();
    while i > 0 {
        i -= 1;
        let Some(a) = before.get(i) else { break };
        if a.depth < depth
            || (a.depth == depth && matches!(a.kind, Kind::Separator | Kind::Newline))
        {
            break;
        }
        if a.depth > depth || !a.kind.in_word() {
            continue;
        }
        let starts_word = i == 0
            || before
                .get(i - 1)
                .is_some_and(|p| p.depth <= depth && !p.kind.in_word());
        if starts_word {
            words += 1;
            let ends_word = before
                .get(i + 1)
                .is_none_or(|n| n.depth <= depth && !n.kind.in_word());
            if a.kind == Kind::Word && ends_word && cmd.get(a.start..a.end) == Some(b"--") {
                return false;
            }
        }
    }
    words > 0
}
