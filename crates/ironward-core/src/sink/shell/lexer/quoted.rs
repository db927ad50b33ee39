//! Quoted strings, `$` forms, `${…}` and here-document body steps of the shell lexer.

use super::{Atom, Close, Frame, Kind, Lexer, Unparsable, char_len, is_name, is_name_start};

impl<F: FnMut(Atom)> Lexer<'_, F> {
    /// `'…'`: no escapes inside.
    pub(super) fn single_quoted(&mut self) -> Result<(), Unparsable> {
        let p = self.pos;
        let rest = self.s.get(p + 1..self.end).unwrap_or_default();
        let close = p + 1 + memchr::memchr(b'\'', rest).ok_or(Unparsable)?;
        self.atom(p + 1, Kind::QuoteOpen);
        let depth = self.depth().saturating_add(1);
        if close > p + 1 {
            (self.emit)(Atom {
                start: p + 1,
                end: close,
                kind: Kind::Text,
                depth,
            });
        }
        self.pos = close;
        self.atom(close + 1, Kind::QuoteClose);
        Ok(())
    }

    /// `$'…'`: backslash escapes, `\'` included.
    pub(super) fn ansi_c(&mut self) -> Result<(), Unparsable> {
        self.atom(self.pos + 2, Kind::QuoteOpen);
        let inner = self.depth().saturating_add(1);
        loop {
            let p = self.pos;
            match self.at(p) {
                None => return Err(Unparsable),
                Some(b'\'') => {
                    self.atom(p + 1, Kind::QuoteClose);
                    return Ok(());
                }
                Some(b'\\') => {
                    let e = match self.at(p + 1) {
                        Some(c) => (p + 1 + char_len(c)).min(self.end),
                        None => return Err(Unparsable),
                    };
                    (self.emit)(Atom {
                        start: p,
                        end: e,
                        kind: Kind::Escape,
                        depth: inner,
                    });
                    self.pos = e;
                }
                Some(_) => {
                    let mut e = p + 1;
                    while self.at(e).is_some_and(|c| c != b'\'' && c != b'\\') {
                        e += 1;
                    }
                    (self.emit)(Atom {
                        start: p,
                        end: e,
                        kind: Kind::Text,
                        depth: inner,
                    });
                    self.pos = e;
                }
            }
        }
    }

    /// A `$`: an expansion, a substitution, a `$'…'` or `$"…"` string, or a literal `$`.
    pub(super) fn dollar(&mut self, quoted: bool) -> Result<(), Unparsable> {
        let p = self.pos;
        let literal = if quoted { Kind::Text } else { Kind::Word };
        match self.at(p + 1) {
            Some(b'(') => {
                self.atom(p + 2, Kind::SubstOpen);
                self.push(Frame::Cmd {
                    close: Close::Paren,
                    parens: 0,
                })?;
                self.word_start = true;
            }
            Some(b'{') => {
                self.atom(p + 2, Kind::SubstOpen);
                self.push(Frame::Param {
                    braces: 0,
                    in_dq: quoted,
                })?;
            }
            Some(b'\'') if !quoted => self.ansi_c()?,
            Some(b'"') if !quoted => {
                self.atom(p + 2, Kind::QuoteOpen);
                self.push(Frame::Dq)?;
            }
            Some(c) if is_name_start(c) => {
                self.atom(p + 1, Kind::Dollar);
                let mut e = p + 2;
                while self.at(e).is_some_and(is_name) {
                    e += 1;
                }
                self.atom(e, if quoted { Kind::Text } else { Kind::Word });
            }
            Some(b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-' | b'[') => {
                self.atom(p + 2, Kind::Dollar);
            }
            _ => self.atom(p + 1, literal),
        }
        Ok(())
    }

    /// One step inside `"…"`.
    pub(super) fn dq_step(&mut self) -> Result<(), Unparsable> {
        let p = self.pos;
        match self.at(p) {
            Some(b'"') => {
                self.pop();
                self.atom(p + 1, Kind::QuoteClose);
            }
            Some(b'\\') if matches!(self.at(p + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) => {
                self.atom(p + 2, Kind::Escape);
            }
            Some(b'$') => self.dollar(true)?,
            Some(b'`') => {
                self.atom(p + 1, Kind::SubstOpen);
                self.push(Frame::Cmd {
                    close: Close::Backtick,
                    parens: 0,
                })?;
                self.word_start = true;
            }
            _ => self.text_run(|c| matches!(c, b'"' | b'\\' | b'$' | b'`')),
        }
        Ok(())
    }

    /// One step in an unquoted here-document body: like `"…"`, but `"` is literal.
    pub(super) fn here_step(&mut self) -> Result<(), Unparsable> {
        let p = self.pos;
        match self.at(p) {
            Some(b'\\') if matches!(self.at(p + 1), Some(b'$' | b'`' | b'\\' | b'\n')) => {
                self.atom(p + 2, Kind::Escape);
            }
            Some(b'$') => self.dollar(true)?,
            Some(b'`') => {
                self.atom(p + 1, Kind::SubstOpen);
                self.push(Frame::Cmd {
                    close: Close::Backtick,
                    parens: 0,
                })?;
                self.word_start = true;
            }
            _ => self.text_run(|c| matches!(c, b'\\' | b'$' | b'`')),
        }
        Ok(())
    }

    /// One step inside `${…}`.
    pub(super) fn param_step(&mut self, braces: u32, in_dq: bool) -> Result<(), Unparsable> {
        let p = self.pos;
        match self.at(p) {
            Some(b'}') if braces == 0 => {
                self.pop();
                self.atom(p + 1, Kind::SubstClose);
            }
            Some(b'}') => {
                self.set_top(Frame::Param {
                    braces: braces - 1,
                    in_dq,
                });
                self.atom(p + 1, Kind::Text);
            }
            Some(b'{') => {
                self.set_top(Frame::Param {
                    braces: braces.saturating_add(1),
                    in_dq,
                });
                self.atom(p + 1, Kind::Text);
            }
            Some(b'\'') if !in_dq => self.single_quoted()?,
            Some(b'"') => {
                self.atom(p + 1, Kind::QuoteOpen);
                self.push(Frame::Dq)?;
            }
            Some(b'\\') => self.escape(false),
            Some(b'$') => self.dollar(in_dq)?,
            Some(b'`') => {
                self.atom(p + 1, Kind::SubstOpen);
                self.push(Frame::Cmd {
                    close: Close::Backtick,
                    parens: 0,
                })?;
                self.word_start = true;
            }
            _ => self.text_run(|c| matches!(c, b'}' | b'{' | b'\'' | b'"' | b'\\' | b'$' | b'`')),
        }
        Ok(())
    }

    /// A run of quoted literal characters up to a byte `stop` accepts (at least one byte).
    pub(super) fn text_run(&mut self, stop: impl Fn(u8) -> bool) {
        let mut e = self.pos + 1;
        while self.at(e).is_some_and(|c| !stop(c)) {
            e += 1;
        }
        self.atom(e, Kind::Text);
    }
}
