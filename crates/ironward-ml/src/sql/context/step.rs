//! One token through a run: the step every rule hangs off.
//!
//! A comment or the opening of an executable comment only updates the comment state. Any
//! other token becomes a [`Sig`] (its keyword role and lowercased text computed once); the
//! bare context notes a leading boolean or clause keyword (read as if an operand preceded
//! it); then the signatures, stacked-statement, tautology, structure and grammar rules see
//! it, a dead string-context run may restart, and the bookkeeping the rules share (previous
//! tokens, parentheses, SQL-only marks) moves on.

use super::{Run, Sig, St};
use crate::sql::keywords::{Kw, classify_lower, lower};
use crate::sql::lexer::{Kind, Op, Token};

impl Run<'_> {
    /// Feeds one token to the run.
    pub(super) fn step(&mut self, t: Token) {
        match t.kind {
            Kind::LineComment | Kind::BlockComment { .. } => {
                self.comment(t);
                self.last = Some(t);
                return;
            }
            Kind::VersionedOpen => {
                self.versioned = true;
                self.last = Some(t);
                return;
            }
            _ => {}
        }
        let mut lw = [0u8; 24];
        let mut lw_len = 0u8;
        let mut kw = Kw::Ident;
        if t.kind == (Kind::Word { quoted: false })
            && let Some(l) = lower(self.s.get(t.start..t.end).unwrap_or_default(), &mut lw)
        {
            kw = classify_lower(l);
            lw_len = u8::try_from(l.len()).unwrap_or(0);
        }
        let sig = Sig {
            kind: t.kind,
            kw,
            start: t.start,
            end: t.end,
            lw,
            lw_len,
        };
        if self.nsig == 0
            && self.quote.is_none()
            && self.st == St::Operand
            && (matches!(sig.kind, Kind::Op(Op::Logic) | Kind::RParen | Kind::Semi)
                || (matches!(sig.kind, Kind::Word { quoted: false })
                    && matches!(
                        sig.kw,
                        Kw::Or
                            | Kw::And
                            | Kw::Having
                            | Kw::OrderGroup
                            | Kw::Union
                            | Kw::Limit
                            | Kw::Where
                            | Kw::Procedure
                            | Kw::Into
                            | Kw::As
                            | Kw::End
                    )))
        {
            self.st = St::Operator;
            self.lead_op = true;
            self.lead_bool = matches!(sig.kind, Kind::Op(Op::Logic) | Kind::RParen | Kind::Semi)
                || matches!(sig.kw, Kw::Or | Kw::And);
        }
        if self.statement
            && self.nsig > 0
            && matches!(
                sig.kind,
                Kind::Op(_) | Kind::LParen | Kind::Num | Kind::Str { .. } | Kind::Var { .. }
            )
        {
            self.sqlish = true;
        }
        if self.nsig == 0 && sig.kind == Kind::LParen {
            self.first_paren = true;
        }
        let before = self.st;
        self.signatures(&sig, &t);
        self.stacked(
            &sig,
            self.valid && matches!(before, St::Operator | St::StmtStart),
        );
        self.tautology(&sig, before, self.valid);
        if self.valid {
            self.structure(&sig, before);
            self.grammar(&sig);
        }
        if !self.valid && self.restart(&t) {
            return;
        }
        if !matches!(sig.kind, Kind::RParen) {
            self.only_parens = false;
            self.trail_parens = 0;
        } else {
            self.trail_parens += 1;
            if self.only_parens {
                self.lead_parens += 1;
            }
        }
        if self.valid
            && (matches!(sig.kind, Kind::Var { .. })
                || (sig.kind == Kind::LParen
                    && matches!(
                        self.p1.map(|p| p.kind),
                        Some(Kind::Word { .. } | Kind::Var { .. })
                    ))
                || (sig.kind == Kind::Op(Op::Star) && before == St::Operand)
                || sig.kw == Kw::Limit
                || self.word_is(&sig, b"top"))
        {
            self.sql_only = true;
        }
        self.nsig = self.nsig.saturating_add(1);
        self.p2 = self.p1;
        self.p1 = Some(sig);
        self.last = Some(t);
    }
}
