//! Scores one simple command (a lexed segment): where it stands, which command starts it, and
//! whether its arguments look like shell arguments. The rule is documented in the `command`
//! module doc; the figures live here.

use super::dictionary::{Command, Kind, Weight, lookup};
use super::lexer::{Segment, Sep, Word};
use std::collections::HashSet;

/// A segment scoring at least this is an injection.
pub(super) const THRESHOLD: u8 = 4;

/// How strongly a separator puts the next word in command position.
pub(super) fn sep_weight(sep: Sep) -> u8 {
    match sep {
        Sep::Start | Sep::Newline => 1,
        // `&` also separates query-string parameters, but those start with an assignment
        // (`&id=5`), which is skipped.
        Sep::Amp | Sep::Pipe | Sep::Semi | Sep::Or | Sep::Csi | Sep::Span => 2,
        Sep::And => 3,
        Sep::Subst => 4,
    }
}

/// A name from `EXTRA_COMMANDS`: an ordinary word, so it needs shell-like arguments.
const EXTRA: Command = Command {
    name: "",
    weight: Weight::Word,
    windows: false,
    kind: Kind::Plain,
};

/// `%COMSPEC%` (the path of `cmd.exe`) standing as a command.
const COMSPEC: Command = Command {
    name: "cmd",
    weight: Weight::Tool,
    windows: true,
    kind: Kind::Shell,
};

const BIN_DIRS: &[&str] = &[
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
];
const WIN_BIN_DIRS: &[&str] = &[
    "c:\\windows",
    "c:\\windows\\system32",
    "c:\\windows\\syswow64",
    "c:\\windows\\system32\\windowspowershell\\v1.0",
    "%windir%",
    "%windir%\\system32",
    "%systemroot%",
    "%systemroot%\\system32",
];
const ROOTS: &[&str] = &[
    "bin", "boot", "dev", "etc", "home", "lib", "lib64", "mnt", "opt", "proc", "root", "run",
    "sbin", "srv", "sys", "tmp", "usr", "var",
];
const WIN_VARS: &[&str] = &[
    "%appdata%",
    "%comspec%",
    "%programdata%",
    "%public%",
    "%systemroot%",
    "%temp%",
    "%tmp%",
    "%userprofile%",
    "%windir%",
];
const FILES: &[&str] = &[
    ".bash_history",
    ".htpasswd",
    "boot.ini",
    "id_rsa",
    "web.config",
    "win.ini",
    "wp-config.php",
];

/// Resolves the command word: the entry and the bonus its spelling earns (a path to a
/// binary directory +2, also relative to `/` as in `usr/bin/id`; obfuscation +3).
fn resolve(w: &Word, raw: &str, extra: &HashSet<String>) -> Option<(&'static Command, u8)> {
    let text = w.text.as_str();
    let obf = if w.obfuscated { 3 } else { 0 };
    if let Some(c) = lookup(text) {
        return Some((c, obf));
    }
    if text.eq_ignore_ascii_case("%comspec%") {
        return Some((&COMSPEC, 3));
    }
    // An absolute path to a binary directory: `/usr/bin/id`, `C:\Windows\System32\cmd.exe`.
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    let rooted;
    let (dirs, path, sep) = if text.starts_with('/') {
        (BIN_DIRS, text, '/')
    } else if text.starts_with("usr/") {
        // `usr/bin/id`: the same binary, for a shell whose working directory is `/`.
        rooted = format!("/{text}");
        (BIN_DIRS, rooted.as_str(), '/')
    } else if raw.contains('\\') {
        (WIN_BIN_DIRS, raw, '\\')
    } else {
        return extra.contains(text).then_some((&EXTRA, 0));
    };
    if let Some((dir, base)) = path.rsplit_once(sep) {
        if dirs.iter().any(|d| d.eq_ignore_ascii_case(dir))
            && let Some(c) = lookup(base).filter(|c| c.windows == (sep == '\\'))
        {
            return Some((c, 2 + obf));
        }
        if w.glob && sep == '/' {
            // `/???/??t`, `/bin/c?t`: a wildcard path that names a dictionary binary.
            let hit = super::dictionary::COMMANDS.iter().find(|c| {
                !c.windows
                    && BIN_DIRS.iter().any(|d| {
                        glob(dir.as_bytes(), d.as_bytes())
                            && glob(base.as_bytes(), c.name.as_bytes())
                    })
            });
            if let Some(c) = hit {
                return Some((c, 3));
            }
        }
    }
    None
}

/// Shell wildcard matching (`*`, `?`, `[…]` as any one character), linear with one
/// backtrack point.
pub(super) fn glob(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
            }
            Some(b'[') => {
                let close = pat.get(p..).and_then(|r| r.iter().position(|&c| c == b']'));
                p += close.map_or(1, |c| c + 1);
                i += 1;
            }
            Some(&c) if c == b'?' || s.get(i) == Some(&c) => {
                p += 1;
                i += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    pat.get(p..).is_some_and(|r| r.iter().all(|&c| c == b'*'))
}

fn is_flag(t: &str, windows: bool) -> bool {
    let b = t.as_bytes();
    let posix = match b {
        [b'-', b'-', c, ..] | [b'-', c, ..] => c.is_ascii_alphabetic(),
        _ => false,
    };
    let switch = windows
        && matches!(b, [b'/', c, ..] if c.is_ascii_alphabetic() || *c == b'?')
        && b.len() <= 16
        && !t[1..].contains('/');
    (posix && b.len() <= 24 && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')) || switch
}

/// A path or name an attacker reads, writes or runs: `/etc/…`, `C:\…`, `%SYSTEMROOT%`, a
/// registry root, `\\host\share`, well-known secrets.
pub(super) fn sensitive_path(t: &str, raw: &str) -> bool {
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    if t == "/" || t.starts_with("~/") || t.starts_with("../") || t.starts_with("./") {
        return true;
    }
    if let Some(rest) = t.strip_prefix('/') {
        let first = rest.split('/').next().unwrap_or_default();
        if ROOTS.contains(&first) {
            return true;
        }
    }
    let b = raw.as_bytes();
    if matches!(b, [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic())
        || raw.starts_with("\\\\")
    {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    lower.starts_with("hklm")
        || lower.starts_with("hkcu")
        || lower.starts_with("hkey_")
        || WIN_VARS.iter().any(|v| lower.contains(v))
        || FILES.iter().any(|f| lower.ends_with(f))
}

fn url_or_ip(t: &str) -> bool {
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    if ["http://", "https://", "ftp://", "tftp://", "file://"]
        .iter()
        .any(|p| lower.starts_with(p))
        || t.starts_with("/dev/tcp/")
        || t.starts_with("/dev/udp/")
    {
        return true;
    }
    let host = t.split([':', '/']).next().unwrap_or_default();
    host.split('.').count() == 4
        && host
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
}

fn redirect_target(t: &str, raw: &str) -> bool {
    if sensitive_path(t, raw) || t.starts_with("/dev/") {
        return true;
    }
    // A file name with an extension: `rfi.php`, `out.txt`.
    match t.rsplit_once('.') {
        Some((name, ext)) => {
            !name.is_empty()
                && name.bytes().any(|c| c.is_ascii_alphabetic())
                && name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"_-./".contains(&c))
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// An argument that is an expansion (`$HOME`, `${x}`, `$(…)`, `` `…` ``); a `$` glued inside
/// a token (`a$K@b`, prices) is not.
fn expansion(raw: &str) -> bool {
    let b = raw.as_bytes();
    matches!(b, [b'$', c, ..] if c.is_ascii_alphabetic() || *c == b'_')
        || raw.contains("${")
        || raw.contains("$(")
        || raw.contains('`')
}

fn numeric(t: &str) -> bool {
    !t.is_empty() && t.len() <= 8 && t.bytes().all(|c| c.is_ascii_digit() || c == b'.')
}

/// Whether the arguments look like shell arguments for `cmd`.
fn strong_args(cmd: &Command, seg: &Segment, args: &[Word], text: &str) -> bool {
    if seg.fd_dup {
        return true;
    }
    let raw = |w: &Word| text.get(w.start..w.end).unwrap_or_default();
    let generic = args.iter().any(|w| {
        let (t, r) = (w.text.as_str(), raw(w));
        (w.redirect_target && redirect_target(t, r))
            || is_flag(t, cmd.windows)
            || sensitive_path(t, r)
            || url_or_ip(t)
            || (!w.quoted && expansion(r))
            || (w.glob && t.starts_with('/'))
            || contains_markup(t)
    });
    if generic {
        return true;
    }
    let first = args.first().map(|w| w.text.as_str());
    match cmd.kind {
        Kind::Numeric => {
            !args.is_empty() && args.len() <= 2 && args.iter().all(|w| numeric(&w.text))
        }
        // `sudo id`; a wrapper that is also a word (`which`, `time`) needs nothing but
        // commands after it (`which nc curl`, not "which python version is best").
        Kind::Wrapper if cmd.weight == Weight::Word => {
            !args.is_empty() && args.iter().all(|w| lookup(&w.text).is_some())
        }
        Kind::Wrapper => first.and_then(lookup).is_some(),
        Kind::Sub(subs) => {
            first.is_some_and(|f| subs.iter().any(|s| s.eq_ignore_ascii_case(f)))
                && (args.len() == 1
                    || cmd.weight != Weight::Word
                    || args.iter().any(|w| is_flag(&w.text, true)))
        }
        Kind::Plain | Kind::Shell => false,
    }
}

fn contains_markup(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.contains("<?php") || lower.contains("<script")
}

/// How alone a segment stands in the lexed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Alone {
    /// Other segments hold words: the segment is one item among others.
    No,
    /// After a separator, and only the text before the first separator (what the
    /// application put there) holds other words, more than one: `a b;id;`.
    AfterPrefix,
    /// The same with one word before (a parameter's value: `a`, `a)`, `/index.html`):
    /// `a;id;`, `a|id|`, `a` then a newline then `id`.
    AfterWord,
    /// After a separator that starts the text, and no other segment holds a word: `;id;`,
    /// `|id|`, a newline then `id`.
    Leading,
}

/// How alone segment `i` of `segments` stands (see [`Alone`]).
pub(super) fn alone(segments: &[Segment], i: usize, with_words: usize) -> Alone {
    let Some(seg) = segments.get(i) else {
        return Alone::No;
    };
    if seg.words.is_empty() || matches!(seg.sep, Sep::Start | Sep::Subst | Sep::Span) {
        return Alone::No;
    }
    let prefix = segments
        .first()
        .filter(|p| p.sep == Sep::Start)
        .map_or(0, |p| p.words.len());
    match (with_words, prefix) {
        (1, _) => Alone::Leading,
        (2, 1) => Alone::AfterWord,
        (2, 2..) => Alone::AfterPrefix,
        _ => Alone::No,
    }
}

/// Scores a segment; `list_like` when the text is a list (`a; b; c`, a table row), where a
/// bare word between separators is an item, not a command — unless the segment stands
/// alone ([`Alone`]: `;id;`, `a|id|` are no list). A tool standing alone after a leading
/// separator or after one word gains 1 (so a newline then `id` counts like `;id`).
pub(super) fn score(
    seg: &Segment,
    text: &str,
    list_like: bool,
    alone: Alone,
    extra: &HashSet<String>,
) -> u8 {
    // Assignments before the command (`a=1 cmd`, and `b=2` after a query-string `&`) are
    // skipped; a segment starting with a redirection (`;">` in HTML) has no command.
    let Some(at) = seg.words.iter().position(|w| !is_assignment(w)) else {
        return 0;
    };
    let Some(word) = seg.words.get(at).filter(|w| !w.redirect_target) else {
        return 0;
    };
    if quote_wrapped(word, text) {
        return 0;
    }
    let raw = text.get(word.start..word.end).unwrap_or_default();
    let Some((cmd, bonus)) = resolve(word, raw, extra) else {
        return 0;
    };
    let args = seg.words.get(at + 1..).unwrap_or_default();
    // Shell-like arguments add 2; arguments that look like prose ("id number") take 1.
    let (evidence, prose) = if strong_args(cmd, seg, args, text) {
        (2, 0)
    } else {
        (0, u8::from(!args.is_empty()))
    };
    let ifs = if seg.ifs { 3 } else { 0 };
    let list = u8::from(
        list_like
            && alone == Alone::No
            && args.is_empty()
            && matches!(seg.sep, Sep::Semi | Sep::Pipe),
    );
    let lone = u8::from(
        matches!(alone, Alone::Leading | Alone::AfterWord)
            && args.is_empty()
            && cmd.weight != Weight::Word,
    );
    (sep_weight(seg.sep) + cmd.weight as u8 + bonus + evidence + ifs + lone)
        .saturating_sub(list + prose)
}

/// A word with the same quote just outside it on both sides: a quoted string's content as the
/// quote-blind pass sees it (the key of `{"id":5}`), which the pass that reads quotes has
/// judged already (as the word `id`, quoted).
fn quote_wrapped(w: &Word, text: &str) -> bool {
    let b = text.as_bytes();
    let before = w.start.checked_sub(1).and_then(|i| b.get(i));
    matches!((before, b.get(w.end)), (Some(q @ (b'"' | b'\'')), Some(r)) if q == r)
}

fn is_assignment(w: &Word) -> bool {
    match w.text.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !w.quoted
        }
        None => false,
    }
}
