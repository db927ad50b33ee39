//! Here-documents: the delimiter after `<<` and the bodies read after the line's newline.

use super::{Atom, Frame, Heredoc, Kind, Lexer, MAX_NESTED_BODIES, Unparsable};

impl<F: FnMut(Atom)> Lexer<'_, F> {
    /// Records the here-document whose delimiter word follows `<<` (ending at `from`).
    pub(super) fn heredoc_delimiter(
        &mut self,
        from: usize,
        strip_tabs: bool,
    ) -> Result<(), Unparsable> {
        let mut i = from;
        while matches!(self.at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let start = i;
        while let Some(c) = self.at(i) {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
                b'\'' => {
                    let rest = self.s.get(i + 1..self.end).unwrap_or_default();
                    i += 2 + memchr::memchr(b'\'', rest).ok_or(Unparsable)?;
                }
                b'"' => {
                    i += 1;
                    loop {
                        match self.at(i) {
                            None => return Err(Unparsable),
                            Some(b'"') => break,
                            Some(b'\\') => i += 2,
                            Some(_) => i += 1,
                        }
                    }
                    i += 1;
                }
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        let end = i.min(self.end);
        let slot = self.pending.get_mut(self.npending).ok_or(Unparsable)?;
        *slot = Heredoc {
            start,
            end,
            strip_tabs,
        };
        self.npending += 1;
        Ok(())
    }

    /// After a newline: the bodies of the here-documents opened on the line just ended.
    pub(super) fn heredoc_bodies(&mut self) -> Result<(), Unparsable> {
        let pending = self.pending;
        let n = std::mem::take(&mut self.npending);
        for doc in pending.iter().take(n) {
            let delim = self.s.get(doc.start..doc.end).unwrap_or_default();
            let quoted = delim.iter().any(|&c| matches!(c, b'\'' | b'"' | b'\\'));
            // Find the delimiter line.
            let body = self.pos;
            let mut line = body;
            let (body_end, delim_line) = loop {
                if line >= self.end {
                    break (self.end, None);
                }
                let le = memchr::memchr(b'\n', self.s.get(line..self.end).unwrap_or_default())
                    .map_or(self.end, |i| line + i);
                let mut ls = line;
                if doc.strip_tabs {
                    while self.at(ls) == Some(b'\t') {
                        ls += 1;
                    }
                }
                if delimiter_is(delim, self.s.get(ls..le).unwrap_or_default()) {
                    break (line.saturating_sub(1).max(body), Some((line, le)));
                }
                line = le + 1;
            };
            if body_end > body {
                if quoted {
                    self.atom(body_end, Kind::Text);
                } else {
                    if self.nested >= MAX_NESTED_BODIES {
                        return Err(Unparsable);
                    }
                    let depth = self.depth().saturating_add(1);
                    let nested = self.nested + 1;
                    let mut sub = Lexer::new(
                        self.s,
                        body,
                        body_end,
                        Frame::Here,
                        depth,
                        nested,
                        self.emit,
                    );
                    sub.run()?;
                    self.pos = body_end;
                }
            }
            if let Some((ls, le)) = delim_line {
                if ls > body {
                    self.atom(ls, Kind::HereEnd);
                }
                if le > ls {
                    self.atom(le, Kind::Text);
                }
            }
        }
        Ok(())
    }
}

/// True when `line` is the delimiter word `raw` with its quotes removed.
fn delimiter_is(raw: &[u8], line: &[u8]) -> bool {
    let mut l = line.iter();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while let Some(&c) = raw.get(i) {
        i += 1;
        let lit = match (quote, c) {
            (None, b'\'' | b'"') => {
                quote = Some(c);
                continue;
            }
            (Some(q), _) if c == q => {
                quote = None;
                continue;
            }
            (None | Some(b'"'), b'\\') => {
                let Some(&n) = raw.get(i) else { return false };
                i += 1;
                n
            }
            _ => c,
        };
        if l.next() != Some(&lit) {
            return false;
        }
    }
    l.next().is_none()
}
