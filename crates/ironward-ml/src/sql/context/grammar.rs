//! The grammar automaton: what SQL accepts after each token (an operand, an operator or clause
//! keyword, a name after `FROM`, a statement after `;`). A token it rejects ends the run's
//! validity.

use super::{Run, Sig, St, StackKw, is_operand};
use crate::Strength;
use crate::sql::keywords::Kw;
use crate::sql::lexer::{Kind, Op};

impl Run<'_> {
    /// Moves the grammar automaton; clears `valid` on a token SQL would reject.
    pub(super) fn grammar(&mut self, sig: &Sig) {
        let word = matches!(sig.kind, Kind::Word { quoted: false });
        let prev = self.p1.map(|p| p.kind);
        let operand = is_operand(sig.kind, sig.kw);
        let next = match self.st {
            St::Free => St::Free,
            St::Operand => match sig.kind {
                Kind::LParen => {
                    self.depth += 1;
                    St::Operand
                }
                Kind::RParen if prev == Some(Kind::LParen) => {
                    self.depth -= 1;
                    St::Operator
                }
                Kind::Op(Op::Sign | Op::Unary) => St::Operand,
                Kind::Op(Op::Star)
                    if matches!(prev, Some(Kind::LParen | Kind::Comma | Kind::Dot))
                        || self.p1.is_some_and(|p| p.kw == Kw::Select) =>
                {
                    St::Operator
                }
                Kind::Num if self.p1.is_some_and(|p| self.word_is(&p, b"top")) => St::Operand,
                _ if word
                    && self.word_is(sig, b"top")
                    && self.p1.is_some_and(|p| p.kw == Kw::Select) =>
                {
                    St::Operand
                }
                _ if operand => St::Operator,
                _ if word => match sig.kw {
                    Kw::Not | Kw::Prefix | Kw::Case | Kw::Distinct => St::Operand,
                    Kw::When if self.p1.is_some_and(|p| p.kw == Kw::Case) => St::Operand,
                    Kw::BinOp | Kw::In | Kw::Between
                        if self.p1.is_some_and(|p| {
                            self.word_is(&p, b"not") || self.word_is(&p, b"sounds")
                        }) =>
                    {
                        St::Operand
                    }
                    Kw::Select
                        if matches!(prev, None | Some(Kind::LParen))
                            || self.p1.is_some_and(|p| p.kw == Kw::Union) =>
                    {
                        St::Operand
                    }
                    _ => return self.invalid(),
                },
                _ => return self.invalid(),
            },
            St::Operator => match sig.kind {
                Kind::Op(_) => St::Operand,
                // Adjacent string literals concatenate (MySQL, PostgreSQL, standard SQL).
                Kind::Str { .. } if matches!(prev, Some(Kind::Str { .. })) => St::Operator,
                Kind::RParen => {
                    self.depth -= 1;
                    St::Operator
                }
                Kind::LParen if matches!(prev, Some(Kind::Word { .. } | Kind::Var { .. })) => {
                    self.depth += 1;
                    St::Operand
                }
                Kind::Comma | Kind::Dot => St::Operand,
                Kind::Semi => St::StmtStart,
                Kind::Word { quoted: false } => match sig.kw {
                    Kw::Or
                    | Kw::And
                    | Kw::Not
                    | Kw::BinOp
                    | Kw::Is
                    | Kw::In
                    | Kw::Between
                    | Kw::Infix
                    | Kw::Where
                    | Kw::Having
                    | Kw::When
                    | Kw::Limit => St::Operand,
                    Kw::End | Kw::Dir => {
                        self.case_end |= sig.kw == Kw::End;
                        St::Operator
                    }
                    Kw::OrderGroup => St::OrderBy,
                    Kw::Union => {
                        if self.p1.is_some_and(|p| p.kind == Kind::Num) {
                            self.hit(Strength::Weak, "union");
                        }
                        St::Union
                    }
                    Kw::From | Kw::As | Kw::Procedure => St::Table,
                    Kw::Into => St::Into,
                    Kw::Stmt | Kw::Waitfor
                        if self.stack_kw(sig).is_some_and(|k| k != StackKw::Other) =>
                    {
                        St::Free
                    }
                    Kw::Ident if self.alias_ok() || self.boolean_mode(sig) => St::Operator,
                    _ => return self.invalid(),
                },
                _ => return self.invalid(),
            },
            St::Union => match sig.kind {
                Kind::LParen => {
                    self.depth += 1;
                    St::Union
                }
                Kind::Word { quoted: false } if sig.kw == Kw::Distinct => St::Union,
                Kind::Word { quoted: false } if sig.kw == Kw::Select => St::Operand,
                _ => return self.invalid(),
            },
            St::OrderBy if word && sig.kw == Kw::By => St::Operand,
            St::Table => match sig.kind {
                Kind::Word { .. } | Kind::Var { .. } => St::Operator,
                Kind::LParen => {
                    self.depth += 1;
                    St::Operand
                }
                _ => return self.invalid(),
            },
            St::Into => match sig.kind {
                Kind::Word { .. } if sig.kw == Kw::Outfile => St::Operand,
                Kind::Word { .. } | Kind::Var { .. } => St::Operator,
                _ => return self.invalid(),
            },
            St::StmtStart => {
                let w = sig.lower().unwrap_or_default();
                if word && sig.kw == Kw::Select {
                    St::Operand
                } else if word && w == b"begin" {
                    St::StmtStart
                } else if word
                    && matches!(
                        w,
                        b"if" | b"while" | b"call" | b"exec" | b"execute" | b"print"
                    )
                {
                    St::Operand
                } else if word && matches!(sig.kw, Kw::Stmt | Kw::Waitfor) {
                    St::Free
                } else if sig.kind == Kind::Semi {
                    St::StmtStart
                } else {
                    return self.invalid();
                }
            }
            St::OrderBy => return self.invalid(),
        };
        self.st = next;
    }

    /// An identifier may follow directly as an alias: after a table name.
    pub(super) fn alias_ok(&self) -> bool {
        self.p2.is_some_and(|p| matches!(p.kw, Kw::From | Kw::As))
            && self.p1.is_some_and(|p| matches!(p.kind, Kind::Word { .. }))
    }

    /// `IN BOOLEAN MODE` (MySQL full-text search).
    pub(super) fn boolean_mode(&self, sig: &Sig) -> bool {
        self.word_is(sig, b"mode") && self.p1.is_some_and(|p| self.word_is(&p, b"boolean"))
    }

    pub(super) fn invalid(&mut self) {
        self.valid = false;
    }
}
