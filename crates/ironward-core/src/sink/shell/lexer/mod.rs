//! Ironward's own shell lexer: the *atoms* of a command line as `/bin/sh -c` reads it (POSIX
//! sh, plus the bash forms `$'…'`, `<(…)`, `>(…)`, `|&`, `&>`), with exact byte ranges, in one
//! linear pass and without allocating: atoms go to a callback.
//!
//! An atom is the smallest piece the injection rule looks at: a run of blanks, an operator,
//! a run of literal word characters, a quote, a backslash escape, the `$` of an expansion, the
//! opening or closing of a substitution… Substitutions (`$(…)`, `` `…` ``, `${…}`, `<(…)`) are
//! read recursively: the command inside them gets atoms of its own, one `depth` deeper.
//! Here-document bodies are read after the newline that ends their command, up to the line
//! holding the delimiter (with expansions when the delimiter is unquoted).
//!
//! The lexer fails ([`Unparsable`]) on an unterminated quote, substitution or `${…}`, and on
//! nesting deeper than it tracks. It does not build a syntax tree: keywords (`if`, `case`…),
//! assignments and arithmetic are read as words and operators, which is all the rule needs.

mod heredoc;
mod quoted;

/// What an atom is, for the injection rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Unquoted spaces and tabs: they separate words.
    Blank,
    /// An unquoted newline: it ends a command.
    Newline,
    /// A control operator: `;`, `&`, `&&`, `||`, `|`, `|&`, `;;`, `;&`, `;;&`, `(`, `)`.
    Separator,
    /// A redirection operator: `<`, `>`, `>>`, `<<`, `<<-`, `<<<`, `<&`, `>&`, `>|`, `<>`,
    /// `&>`, `&>>`.
    Redirect,
    /// The file descriptor number glued before a redirection (`2` in `2>&1`).
    IoNumber,
    /// The `#` starting a comment (at the start of a word).
    CommentStart,
    /// A comment's text, up to the end of the line.
    CommentText,
    /// Literal unquoted word characters.
    Word,
    /// Literal quoted characters: the content of `'…'`, `"…"`, `$'…'`, `${…}`, or of a
    /// here-document body or delimiter line.
    Text,
    /// An unquoted `*` or `?`.
    Glob,
    /// An unquoted `[` (a glob when a `]` follows in the same word).
    Bracket,
    /// An unquoted `~` at the start of a word (tilde expansion).
    Tilde,
    /// A backslash and the character it escapes (or a line continuation).
    Escape,
    /// A quote that opens a string: `'`, `"`, `$'`, `$"`.
    QuoteOpen,
    /// The quote that closes it.
    QuoteClose,
    /// The `$` of a parameter expansion (`$name`, the name is `Text`), or a whole special
    /// parameter (`$1`, `$?`, `$$`…), or `$[`.
    Dollar,
    /// The opening of a substitution: `$(`, `${`, `` ` ``, `<(`, `>(`.
    SubstOpen,
    /// Its closing: `)`, `}`, `` ` ``.
    SubstClose,
    /// The newline that ends a here-document body (the delimiter line follows).
    HereEnd,
}

impl Kind {
    /// True for atoms that make up words (everything but blanks, operators, comments and
    /// here-document ends).
    pub(super) fn in_word(self) -> bool {
        !matches!(
            self,
            Kind::Blank
                | Kind::Newline
                | Kind::Separator
                | Kind::Redirect
                | Kind::IoNumber
                | Kind::CommentStart
                | Kind::CommentText
                | Kind::HereEnd
        )
    }
}

/// An atom and its byte range in the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Atom {
    /// First byte.
    pub(super) start: usize,
    /// One past the last byte.
    pub(super) end: usize,
    /// What it is.
    pub(super) kind: Kind,
    /// How many quotes and substitutions enclose it (0 at the top level).
    pub(super) depth: u8,
}

/// The command does not lex: an unterminated quote or substitution, or nesting too deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unparsable;

/// Nesting of quotes and substitutions tracked (deeper commands are unparsable).
const MAX_DEPTH: usize = 48;
/// Here-documents pending on one line.
const MAX_HEREDOCS: usize = 8;
/// Here-document bodies nested in substitutions inside here-document bodies.
const MAX_NESTED_BODIES: u8 = 4;

/// What closes a command frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    /// Nothing: the top level.
    Top,
    /// `)`: `$(…)`, `<(…)`, `>(…)`.
    Paren,
    /// `` ` ``.
    Backtick,
}

/// A lexing mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Commands; `parens` counts the subshell parentheses open in this frame.
    Cmd { close: Close, parens: u32 },
    /// Inside `"…"`.
    Dq,
    /// Inside `${…}`; `braces` counts nested `{`.
    Param { braces: u32, in_dq: bool },
    /// An unquoted here-document body (expansions, no quotes), up to the lexer's end.
    Here,
}

/// A here-document waiting for its body: the delimiter word's range, and `<<-`.
#[derive(Debug, Clone, Copy, Default)]
struct Heredoc {
    start: usize,
    end: usize,
    strip_tabs: bool,
}

struct Lexer<'a, F> {
    s: &'a [u8],
    pos: usize,
    end: usize,
    stack: [Frame; MAX_DEPTH],
    len: usize,
    word_start: bool,
    pending: [Heredoc; MAX_HEREDOCS],
    npending: usize,
    base_depth: u8,
    nested: u8,
    emit: &'a mut F,
}

/// Lexes `cmd`, calling `emit` for each atom in order. Allocates nothing.
pub(super) fn lex<F: FnMut(Atom)>(cmd: &str, emit: &mut F) -> Result<(), Unparsable> {
    let s = cmd.as_bytes();
    let mut lx = Lexer::new(
        s,
        0,
        s.len(),
        Frame::Cmd {
            close: Close::Top,
            parens: 0,
        },
        0,
        0,
        emit,
    );
    lx.run()
}

/// The atoms of `cmd`, or `None` when it does not lex.
pub(super) fn atoms(cmd: &str) -> Option<Vec<Atom>> {
    let mut out = Vec::with_capacity(cmd.len() / 3 + 4);
    lex(cmd, &mut |a| out.push(a)).ok()?;
    Some(out)
}

/// True when `cmd` lexes.
pub(super) fn lexes(cmd: &str) -> bool {
    lex(cmd, &mut |_| {}).is_ok()
}

/// Bytes that end a run of unquoted word characters.
fn ends_word(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\n'
            | b';'
            | b'&'
            | b'|'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'`'
            | b'\''
            | b'"'
            | b'$'
            | b'\\'
            | b'*'
            | b'?'
            | b'['
    )
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The length of the UTF-8 character starting with `b` (1 for a stray byte).
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

impl<'a, F: FnMut(Atom)> Lexer<'a, F> {
    fn new(
        s: &'a [u8],
        pos: usize,
        end: usize,
        base: Frame,
        base_depth: u8,
        nested: u8,
        emit: &'a mut F,
    ) -> Self {
        let mut stack = [Frame::Dq; MAX_DEPTH];
        stack[0] = base;
        Self {
            s,
            pos,
            end,
            stack,
            len: 1,
            word_start: true,
            pending: [Heredoc::default(); MAX_HEREDOCS],
            npending: 0,
            base_depth,
            nested,
            emit,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        if i < self.end {
            self.s.get(i).copied()
        } else {
            None
        }
    }

    fn top(&self) -> Frame {
        self.stack
            .get(self.len.wrapping_sub(1))
            .copied()
            .unwrap_or(Frame::Dq)
    }

    fn set_top(&mut self, f: Frame) {
        if let Some(t) = self.stack.get_mut(self.len.wrapping_sub(1)) {
            *t = f;
        }
    }

    fn push(&mut self, f: Frame) -> Result<(), Unparsable> {
        let slot = self.stack.get_mut(self.len).ok_or(Unparsable)?;
        *slot = f;
        self.len += 1;
        Ok(())
    }

    fn pop(&mut self) {
        self.len = self.len.saturating_sub(1).max(1);
    }

    fn depth(&self) -> u8 {
        let d = self.len.saturating_sub(1).min(usize::from(u8::MAX));
        self.base_depth
            .saturating_add(u8::try_from(d).unwrap_or(u8::MAX))
    }

    /// Emits an atom from `self.pos` to `end` and moves there.
    fn atom(&mut self, end: usize, kind: Kind) {
        let depth = self.depth();
        (self.emit)(Atom {
            start: self.pos,
            end,
            kind,
            depth,
        });
        self.pos = end;
    }

    fn run(&mut self) -> Result<(), Unparsable> {
        while self.pos < self.end {
            match self.top() {
                Frame::Cmd { close, parens } => self.cmd_step(close, parens)?,
                Frame::Dq => self.dq_step()?,
                Frame::Param { braces, in_dq } => self.param_step(braces, in_dq)?,
                Frame::Here => self.here_step()?,
            }
        }
        if self.len != 1 {
            return Err(Unparsable);
        }
        Ok(())
    }

    /// One step in command mode.
    fn cmd_step(&mut self, close: Close, parens: u32) -> Result<(), Unparsable> {
        let p = self.pos;
        let Some(b) = self.at(p) else {
            self.pos = self.end;
            return Ok(());
        };
        let next = self.at(p + 1);
        let word_start = self.word_start;
        self.word_start = false;
        match b {
            b' ' | b'\t' => {
                let mut e = p + 1;
                while matches!(self.at(e), Some(b' ' | b'\t')) {
                    e += 1;
                }
                self.atom(e, Kind::Blank);
                self.word_start = true;
            }
            b'\n' => {
                self.atom(p + 1, Kind::Newline);
                self.word_start = true;
                self.heredoc_bodies()?;
            }
            b'#' if word_start => {
                self.atom(p + 1, Kind::CommentStart);
                let e = memchr::memchr(b'\n', self.s.get(p + 1..self.end).unwrap_or_default())
                    .map_or(self.end, |i| p + 1 + i);
                if e > p + 1 {
                    self.atom(e, Kind::CommentText);
                }
                self.word_start = true;
            }
            b';' => {
                let len = match (next, self.at(p + 2)) {
                    (Some(b';'), Some(b'&')) => 3,
                    (Some(b';' | b'&'), _) => 2,
                    _ => 1,
                };
                self.atom(p + len, Kind::Separator);
                self.word_start = true;
            }
            b'&' => {
                let (len, kind) = match (next, self.at(p + 2)) {
                    (Some(b'&'), _) => (2, Kind::Separator),
                    (Some(b'>'), Some(b'>')) => (3, Kind::Redirect),
                    (Some(b'>'), _) => (2, Kind::Redirect),
                    _ => (1, Kind::Separator),
                };
                self.atom(p + len, kind);
                self.word_start = true;
            }
            b'|' => {
                let len = if matches!(next, Some(b'|' | b'&')) {
                    2
                } else {
                    1
                };
                self.atom(p + len, Kind::Separator);
                self.word_start = true;
            }
            b'<' | b'>' if next == Some(b'(') => {
                self.atom(p + 2, Kind::SubstOpen);
                self.push(Frame::Cmd {
                    close: Close::Paren,
                    parens: 0,
                })?;
                self.word_start = true;
            }
            b'<' => {
                let len = match (next, self.at(p + 2)) {
                    (Some(b'<'), Some(b'<' | b'-')) => 3,
                    (Some(b'<' | b'&' | b'>'), _) => 2,
                    _ => 1,
                };
                if next == Some(b'<') && self.at(p + 2) != Some(b'<') {
                    self.heredoc_delimiter(p + len, len == 3)?;
                }
                self.atom(p + len, Kind::Redirect);
                self.word_start = true;
            }
            b'>' => {
                let len = if matches!(next, Some(b'>' | b'&' | b'|')) {
                    2
                } else {
                    1
                };
                self.atom(p + len, Kind::Redirect);
                self.word_start = true;
            }
            b'(' => {
                self.set_top(Frame::Cmd {
                    close,
                    parens: parens.saturating_add(1),
                });
                self.atom(p + 1, Kind::Separator);
                self.word_start = true;
            }
            b')' => {
                if parens > 0 {
                    self.set_top(Frame::Cmd {
                        close,
                        parens: parens - 1,
                    });
                    self.atom(p + 1, Kind::Separator);
                    self.word_start = true;
                } else if close == Close::Paren {
                    self.pop();
                    self.atom(p + 1, Kind::SubstClose);
                } else {
                    // An unmatched `)`: a syntax error for sh, except in `case` patterns.
                    self.atom(p + 1, Kind::Separator);
                    self.word_start = true;
                }
            }
            b'`' => {
                if close == Close::Backtick {
                    self.pop();
                    self.atom(p + 1, Kind::SubstClose);
                } else {
                    self.atom(p + 1, Kind::SubstOpen);
                    self.push(Frame::Cmd {
                        close: Close::Backtick,
                        parens: 0,
                    })?;
                    self.word_start = true;
                }
            }
            b'\'' => self.single_quoted()?,
            b'"' => {
                self.atom(p + 1, Kind::QuoteOpen);
                self.push(Frame::Dq)?;
            }
            b'$' => self.dollar(false)?,
            b'\\' => self.escape(word_start),
            b'*' | b'?' => self.atom(p + 1, Kind::Glob),
            b'[' => self.atom(p + 1, Kind::Bracket),
            b'~' if word_start => self.atom(p + 1, Kind::Tilde),
            b'0'..=b'9' if word_start => {
                let mut e = p + 1;
                while self.at(e).is_some_and(|c| c.is_ascii_digit()) {
                    e += 1;
                }
                if matches!(self.at(e), Some(b'<' | b'>')) && self.at(e + 1) != Some(b'(') {
                    self.atom(e, Kind::IoNumber);
                    self.word_start = true;
                } else {
                    self.word_run();
                }
            }
            _ => self.word_run(),
        }
        Ok(())
    }

    /// A run of unquoted literal word characters.
    fn word_run(&mut self) {
        let mut e = self.pos + 1;
        while self.at(e).is_some_and(|c| !ends_word(c)) {
            e += 1;
        }
        self.atom(e, Kind::Word);
    }

    /// A backslash escape (unquoted, or in `$'…'`): the backslash and the next character.
    fn escape(&mut self, word_start: bool) {
        let p = self.pos;
        let e = match self.at(p + 1) {
            Some(c) => (p + 1 + char_len(c)).min(self.end),
            None => p + 1,
        };
        let continuation = self.at(p + 1) == Some(b'\n');
        self.atom(e, Kind::Escape);
        self.word_start = continuation && word_start;
    }
}
