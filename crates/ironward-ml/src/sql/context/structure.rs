//! Structural rules evaluated while the text parses: sub-selects, `ORDER BY n` probing, and
//! stacked statements (`;` or a SQL Server statement keyword, then a conclusive keyword pair).

use super::{Run, Sig, St, StackKw, is_operand};
use crate::Strength;
use crate::sql::keywords::Kw;
use crate::sql::lexer::{Kind, Op};

impl Run<'_> {
    /// Structural rules, evaluated before `sig` moves the automaton from state `before`.
    pub(super) fn structure(&mut self, sig: &Sig, before: St) {
        let word = matches!(sig.kind, Kind::Word { quoted: false });
        // Sub-select: ( SELECT in a valid position after the break-out.
        if word
            && sig.kw == Kw::Select
            && self.p1.is_some_and(|p| p.kind == Kind::LParen)
            && (self.quote.is_some() || self.nsig >= 3)
        {
            if self.lead_op && !self.lead_bool {
                self.hit(Strength::Weak, "subselect");
            } else {
                self.hit(Strength::Strong, "subselect");
            }
        } else if word
            && sig.kw == Kw::Select
            && self.quote.is_none()
            && self.nsig == 1
            && self.p1.is_some_and(|p| p.kind == Kind::LParen)
        {
            self.lead_subselect = true;
        }
        self.ordered |= self.order == 1 && word && sig.kw == Kw::By;
        // ORDER BY n probing.
        self.order = match (self.order, sig.kw, sig.kind) {
            (0, Kw::OrderGroup, Kind::Word { quoted: false }) if before == St::Operator => 1,
            (1, Kw::By, Kind::Word { quoted: false }) => 2,
            (2, _, Kind::Num) => 3,
            // `ORDER BY 1,2,3`: column positions.
            (3, _, Kind::Comma) => 4,
            (4, _, Kind::Num) => 3,
            _ => 0,
        };
    }

    /// Stacked statements: `;` then a statement keyword and its conclusive next token;
    /// strong when the `;` came where SQL accepts it (`ok_here`).
    pub(super) fn stacked(&mut self, sig: &Sig, ok_here: bool) {
        let word = matches!(sig.kind, Kind::Word { quoted: false });
        let operand = is_operand(sig.kind, sig.kw);
        if let Some((valid_at_semi, kw)) = self.stack.take() {
            match kw {
                None if self.word_is(sig, b"begin") => {
                    self.stack = Some((valid_at_semi, None));
                }
                None => {
                    let k = if word { self.stack_kw(sig) } else { None };
                    if let Some(k) = k {
                        self.second = false;
                        self.ddl_mods = 0;
                        self.stack = Some((valid_at_semi, Some(k)));
                    }
                }
                Some(k) => {
                    let conclusive = match k {
                        // `CREATE OR REPLACE FUNCTION`, `CREATE TEMPORARY TABLE`.
                        StackKw::Ddl
                            if word
                                && matches!(
                                    sig.lower(),
                                    Some(b"or" | b"replace" | b"temporary" | b"temp" | b"unique")
                                ) =>
                        {
                            self.ddl_mods += 1;
                            self.stack = Some((valid_at_semi, Some(k)));
                            false
                        }
                        StackKw::Ddl => {
                            word && {
                                matches!(
                                    sig.lower(),
                                    Some(
                                        b"table"
                                            | b"database"
                                            | b"procedure"
                                            | b"function"
                                            | b"view"
                                            | b"user"
                                            | b"index"
                                            | b"trigger"
                                            | b"schema"
                                            | b"login"
                                            | b"column"
                                    )
                                )
                            }
                        }
                        StackKw::Delete => {
                            if word
                                && matches!(
                                    sig.lower(),
                                    Some(b"quick" | b"low_priority" | b"ignore")
                                )
                            {
                                self.stack = Some((valid_at_semi, Some(k)));
                                false
                            } else {
                                word && sig.kw == Kw::From
                            }
                        }
                        StackKw::Insert => word && sig.kw == Kw::Into,
                        StackKw::Update => {
                            if operand && !self.second {
                                self.second = true;
                                self.stack = Some((valid_at_semi, Some(k)));
                                false
                            } else {
                                self.second && self.word_is(sig, b"set")
                            }
                        }
                        StackKw::Exec => {
                            // `exec(` alone is as much PHP or Python as SQL; `exec(@s)` is
                            // caught as dynamic SQL.
                            matches!(sig.kind, Kind::Var { system: false })
                                && self.text(sig) != b"?"
                                || (word && {
                                    let l = sig.lower().unwrap_or_default();
                                    l.starts_with(b"xp_")
                                        || l.starts_with(b"sp_")
                                        || l.starts_with(b"master")
                                })
                        }
                        StackKw::Shutdown => {
                            matches!(sig.kind, Kind::Semi) || self.word_is(sig, b"with")
                        }
                        StackKw::Declare => matches!(sig.kind, Kind::Var { .. }),
                        StackKw::Waitfor => {
                            self.word_is(sig, b"delay") || self.word_is(sig, b"time")
                        }
                        StackKw::Select if word && !self.second => {
                            self.second = true;
                            self.stack = Some((valid_at_semi, Some(k)));
                            matches!(sig.kw, Kw::TimeFn | Kw::ErrorFn | Kw::Catalog | Kw::Literal)
                        }
                        StackKw::Select if self.second => {
                            matches!(sig.kind, Kind::LParen | Kind::Comma)
                                || (word && sig.kw == Kw::From)
                        }
                        StackKw::Select => {
                            matches!(
                                sig.kind,
                                Kind::Num
                                    | Kind::Var { .. }
                                    | Kind::Str { .. }
                                    | Kind::Op(Op::Star)
                            ) || (word
                                && matches!(
                                    sig.kw,
                                    Kw::TimeFn | Kw::ErrorFn | Kw::Catalog | Kw::Literal
                                ))
                        }
                        StackKw::Other => {
                            if valid_at_semi && !self.statement {
                                self.hit(Strength::Weak, "stacked");
                            }
                            false
                        }
                    };
                    // After modifiers, only a routine is a statement (`create or replace
                    // function`), not English (`create or replace table names`).
                    let conclusive = conclusive
                        && (self.ddl_mods == 0
                            || !self.statement
                            || matches!(
                                sig.lower(),
                                Some(b"function" | b"procedure" | b"trigger")
                            ));
                    if conclusive && self.statement && self.nsig <= 2 + self.ddl_mods {
                        // `set @alice as admin` is chat-ops as much as SQL: only `DECLARE @`.
                        let set = self.p1.is_some_and(|p| self.word_is(&p, b"set"));
                        let strong = matches!(
                            k,
                            StackKw::Declare | StackKw::Exec | StackKw::Waitfor | StackKw::Shutdown
                        ) && !set;
                        if strong {
                            self.hit(Strength::Strong, "statement");
                        } else {
                            self.hit(Strength::Weak, "statement");
                        }
                    } else if conclusive {
                        if valid_at_semi {
                            self.hit(Strength::Strong, "stacked");
                        } else {
                            self.hit(Strength::Weak, "stacked");
                        }
                    }
                }
            }
        }
        if sig.kind == Kind::Semi {
            self.stack = Some((ok_here, None));
        } else if ok_here
            && self.stack.is_none()
            && word
            && matches!(sig.kw, Kw::Stmt | Kw::Waitfor)
            && let Some(k) = self.stack_kw(sig).filter(|k| *k != StackKw::Other)
        {
            // SQL Server runs a statement that follows another without a `;`.
            self.second = false;
            self.stack = Some((true, Some(k)));
        }
    }

    pub(super) fn stack_kw(&self, sig: &Sig) -> Option<StackKw> {
        let w = sig.lower()?;
        Some(match w {
            b"drop" | b"create" | b"alter" | b"truncate" => StackKw::Ddl,
            b"delete" => StackKw::Delete,
            b"insert" => StackKw::Insert,
            b"update" => StackKw::Update,
            b"exec" | b"execute" => StackKw::Exec,
            b"shutdown" => StackKw::Shutdown,
            b"declare" | b"set" => StackKw::Declare,
            b"waitfor" => StackKw::Waitfor,
            b"select" => StackKw::Select,
            _ if sig.kw == Kw::Stmt => StackKw::Other,
            _ => return None,
        })
    }
}
