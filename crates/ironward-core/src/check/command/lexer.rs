//! A shell-aware lexer: cuts a value into simple commands the way `sh` and `cmd.exe` would,
//! so the scorer can ask "what word stands where a command would start, and what follows it".
//!
//! It understands what injections use to hide a command from naive filters:
//!
//! - separators `;`, `|`, `||`, `&`, `&&`, newlines, and terminal CSI escapes (`ESC [ … A`);
//! - command substitution `` `…` `` and `$(…)`, found anywhere outside single quotes (also
//!   inside double quotes, where the shell still expands them): their contents are returned as
//!   ranges for a nested pass;
//! - `$IFS`, `${IFS}`, `$IFS$9` used as a space;
//! - quote splitting and escaping inside a word (`w'h'oami`, `w"h"oami`, `c\at`, `c$@at`,
//!   `c${x}at`), which is removed from the word's text and recorded as obfuscation;
//! - brace expansion used as a space (`{cat,/etc/passwd}`);
//! - redirections (`>`, `>>`, `<`, `2>&1`, `&>`), kept as marks on the following word;
//! - trailing comments: a lone `#` starting a word drops the words after it, up to the next
//!   separator.
//!
//! A quote without a partner is punctuation (prose apostrophes, quote-breaking prefixes such as
//! `'; id`). Work is linear in the value and bounded: at most [`MAX_SEGMENTS`] segments of at
//! most [`MAX_WORDS`] words, words cut at [`MAX_WORD`] bytes, at most [`MAX_SUBSTS`]
//! substitutions.

mod constructs;

use constructs::{dollar, quote, redirect};

/// What precedes a segment (and so how strongly its first word is in command position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    /// The start of the lexed text.
    Start,
    /// A newline.
    Newline,
    /// `&` (also the query-string separator, so weak).
    Amp,
    /// `|`.
    Pipe,
    /// `;`.
    Semi,
    /// `||`.
    Or,
    /// `&&`.
    And,
    /// A terminal control sequence (`ESC [ 2 A`).
    Csi,
    /// The start of a command substitution body, or of a string passed to an exec-like
    /// function (`system('…')`).
    Subst,
    /// The start of a backtick span that is the whole value (`` `id` ``): as likely an
    /// injected substitution as an SQL identifier, so weighed like a separator.
    Span,
}

/// One word of a simple command.
#[derive(Debug, Clone, Default)]
pub(super) struct Word {
    /// The word with quotes, escapes and expansions removed (at most [`MAX_WORD`] bytes).
    pub text: String,
    /// Byte range of the word as written, in the lexed text.
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// Quote splitting, backslashes or empty expansions inside the word.
    pub obfuscated: bool,
    /// Holds an unquoted `*`, `?` or `[`.
    pub glob: bool,
    /// Holds an unquoted expansion (`$x`, `${x}`, `$(…)`, backticks).
    pub expansion: bool,
    /// Was written entirely inside quotes.
    pub quoted: bool,
    /// Follows a redirection operator (it is the redirection's target).
    pub redirect_target: bool,
}

/// One simple command: the words between two separators.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    /// What precedes it.
    pub sep: Sep,
    /// Its words (redirection targets included, marked).
    pub words: Vec<Word>,
    /// Holds a redirection duplicating a descriptor (`2>&1`, `>&2`).
    pub fd_dup: bool,
    /// `$IFS` was used as a space in it.
    pub ifs: bool,
}

/// A command substitution found in the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Subst {
    /// Byte range of the body.
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// A backtick span standing alone between spaces or punctuation, as Markdown code spans
    /// and SQL identifiers do (`` the `ls` command ``, `` (`id` int) ``).
    pub standalone: bool,
}

/// The lexer's output.
#[derive(Debug, Clone)]
pub(super) struct Lexed {
    /// The simple commands, in order.
    pub segments: Vec<Segment>,
    /// Command-substitution bodies, for a nested pass.
    pub substs: Vec<Subst>,
    /// How many `;` and `|` separators there were (for list-like text).
    pub semis: u16,
    /// How many `|` separators there were.
    pub pipes: u16,
}

/// Most segments kept.
pub(super) const MAX_SEGMENTS: usize = 128;
/// Most words kept per segment.
pub(super) const MAX_WORDS: usize = 32;
/// Longest word text kept.
pub(super) const MAX_WORD: usize = 256;
/// Most substitutions kept.
pub(super) const MAX_SUBSTS: usize = 16;

struct State<'s> {
    src: &'s [u8],
    out: Lexed,
    cur: Option<Word>,
    plain: usize,
    quote_parts: usize,
    pending_redirect: bool,
    quotes_blind: bool,
    /// In a trailing comment: the words up to the next separator are dropped.
    comment: bool,
}

impl State<'_> {
    fn word(&mut self, at: usize) -> &mut Word {
        self.cur.get_or_insert_with(|| Word {
            start: at,
            end: at,
            ..Word::default()
        })
    }

    fn push_bytes(&mut self, at: usize, bytes: &[u8], quoted: bool) {
        let w = self.word(at);
        for &b in bytes {
            if w.text.len() < MAX_WORD {
                // Only ASCII bytes are ever removed, so pushing the bytes of a UTF-8 text
                // one by one as chars would break it: collect them through a lossy view.
                w.text.push(b as char);
            }
        }
        if quoted {
            self.quote_parts += 1;
        } else {
            self.plain += bytes.len();
        }
    }

    fn end_word(&mut self, at: usize) {
        if let Some(mut w) = self.cur.take() {
            w.end = at;
            w.text = fix_utf8(&w.text);
            w.quoted = self.plain == 0 && self.quote_parts > 0;
            w.obfuscated |= self.quote_parts > 0 && (self.plain > 0 || self.quote_parts > 1);
            w.redirect_target = std::mem::take(&mut self.pending_redirect);
            if !self.comment
                && let Some(seg) = self.out.segments.last_mut()
                && seg.words.len() < MAX_WORDS
            {
                seg.words.push(w);
            }
        }
        self.plain = 0;
        self.quote_parts = 0;
    }

    fn separate(&mut self, at: usize, sep: Sep) {
        self.end_word(at);
        self.pending_redirect = false;
        self.comment = false;
        match sep {
            Sep::Semi => self.out.semis = self.out.semis.saturating_add(1),
            Sep::Pipe => self.out.pipes = self.out.pipes.saturating_add(1),
            _ => {}
        }
        if self.out.segments.len() < MAX_SEGMENTS {
            self.out.segments.push(Segment {
                sep,
                words: Vec::new(),
                fd_dup: false,
                ifs: false,
            });
        }
    }

    fn segment(&mut self) -> Option<&mut Segment> {
        self.out.segments.last_mut()
    }

    fn subst(&mut self, start: usize, end: usize, standalone: bool) {
        if self.out.substs.len() < MAX_SUBSTS && start < end {
            self.out.substs.push(Subst {
                start,
                end,
                standalone,
            });
        }
    }
}

/// Words were built one byte per char; turn the Latin-1 view back into the UTF-8 it was.
fn fix_utf8(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Where the byte `close` next occurs at or after `from`, skipping backslash-escaped ones.
fn find_close(src: &[u8], from: usize, close: u8) -> Option<usize> {
    let mut i = from;
    while i < src.len() {
        match src.get(i) {
            Some(b'\\') => i += 2,
            Some(&b) if b == close => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The `)` matching the `(` just before `from`.
fn find_paren(src: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    for (i, &b) in src.iter().enumerate().skip(from) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Lexes `text`, whose first segment follows `first`. With `quotes_blind`, quotes are treated
/// as punctuation (a second pass that sees separators a pair of quotes would hide).
pub(super) fn lex(text: &str, first: Sep, quotes_blind: bool) -> Lexed {
    let src = text.as_bytes();
    let mut st = State {
        src,
        out: Lexed {
            segments: Vec::new(),
            substs: Vec::new(),
            semis: 0,
            pipes: 0,
        },
        cur: None,
        plain: 0,
        quote_parts: 0,
        pending_redirect: false,
        comment: false,
        quotes_blind,
    };
    st.separate(0, first);
    let mut i = 0;
    while let Some(&b) = st.src.get(i) {
        i = step(&mut st, i, b);
    }
    st.end_word(src.len());
    st.out
}

/// Handles the byte `b` at `i`; returns where to go on.
fn step(st: &mut State<'_>, i: usize, b: u8) -> usize {
    let src = st.src;
    let next = src.get(i + 1).copied();
    match b {
        b' ' | b'\t' | 0x0b | 0x0c => st.end_word(i),
        b'\n' | b'\r' => st.separate(i, Sep::Newline),
        0x1b => {
            st.separate(i, Sep::Csi);
            if next == Some(b'[') {
                let mut j = i + 2;
                while src.get(j).is_some_and(|c| (0x20..0x40).contains(c)) {
                    j += 1;
                }
                return j + 1;
            }
        }
        b';' => st.separate(i, Sep::Semi),
        b'&' if next == Some(b'&') => {
            st.separate(i, Sep::And);
            return i + 2;
        }
        b'&' if next == Some(b'>') => return redirect(st, i + 1),
        b'&' => st.separate(i, Sep::Amp),
        b'|' if next == Some(b'|') => {
            st.separate(i, Sep::Or);
            return i + 2;
        }
        b'|' => st.separate(i, Sep::Pipe),
        b'>' | b'<' => {
            // A descriptor number written just before the operator (`2>`) is not a word.
            if st
                .cur
                .as_ref()
                .is_some_and(|w| !w.text.is_empty() && w.text.bytes().all(|c| c.is_ascii_digit()))
            {
                st.cur = None;
                st.plain = 0;
                st.quote_parts = 0;
            }
            return redirect(st, i);
        }
        b'`' => match find_close(src, i + 1, b'`') {
            Some(end) => {
                // Prose and SQL open a span after a space or `(` `,` `.` `:` and close it
                // before a space or `(` `)` `,` `.` `:`; `a)`id`` breaks out of a call.
                let apart = |c: Option<&u8>, also: &[u8]| {
                    c.is_none_or(|&c| c.is_ascii_whitespace() || also.contains(&c))
                };
                let standalone = st.cur.is_none()
                    && apart(i.checked_sub(1).and_then(|p| src.get(p)), b"(,.:")
                    && apart(src.get(end + 1), b"(),.:");
                st.subst(i + 1, end, standalone);
                st.word(i).expansion = true;
                return end + 1;
            }
            None => st.end_word(i),
        },
        b'$' => return dollar(st, i, next),
        b'\'' | b'"' if !st.quotes_blind => return quote(st, i, b),
        b'\'' | b'"' => st.end_word(i),
        b'\\' => match next {
            Some(b'\n') => return i + 2,
            Some(c) if c.is_ascii_alphanumeric() || c == b'/' => {
                let w = st.word(i);
                w.obfuscated = true;
                st.push_bytes(i, &[c], false);
                return i + 2;
            }
            Some(c) => {
                st.push_bytes(i, &[c], false);
                return i + 2;
            }
            // A trailing backslash stays (`dir C:\`).
            None => st.push_bytes(i, b"\\", false),
        },
        b'{' => {
            if st.cur.is_none()
                && let Some(end) = find_close(src, i + 1, b'}')
                && let Some(body) = src.get(i + 1..end)
                && body.contains(&b',')
                && !body.iter().any(|c| c.is_ascii_whitespace())
            {
                // Brace expansion used as a space: `{cat,/etc/passwd}`.
                for part in body.split(|&c| c == b',') {
                    st.push_bytes(i + 1, part, false);
                    st.end_word(end);
                }
                return end + 1;
            }
            st.end_word(i);
        }
        b'}' | b'(' | b')' => st.end_word(i),
        // A lone `#` starting a word (`; whoami #`, `;id #'`) starts a comment: its words are
        // no arguments. `#5` and `#tag` are words; and as `cmd.exe` has no comments, the
        // separators after it still count.
        b'#' if st.cur.is_none()
            && next.is_none_or(|c| c.is_ascii_whitespace() || c == b'\'' || c == b'"') =>
        {
            st.comment = true;
        }
        b'*' | b'?' | b'[' => {
            st.word(i).glob = true;
            st.push_bytes(i, &[b], false);
        }
        _ => st.push_bytes(i, &[b], false),
    }
    i + 1
}
