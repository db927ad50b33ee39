//! The tautology automaton: a boolean operator (or `(`/`WHEN` for a bare constant comparison),
//! an operand, a comparison, an operand (`' or 1=1`, `and 1=2`, `case when 5953=5114`).

use super::{Run, Sig, St, Taut, is_literal, is_operand};
use crate::Strength;
use crate::sql::keywords::Kw;
use crate::sql::lexer::{Kind, Op};

impl Run<'_> {
    /// Structural rules, evaluated before `sig` moves the automaton from state `before`.
    /// The tautology automaton: a boolean operator (or `(`, `WHEN` for a bare constant
    /// comparison), an operand, a comparison, an operand. It runs on every token: while the
    /// text parses any two constants (or an identifier with itself) count; once it does not,
    /// only an `OR`/`AND` followed by two identical constants does (`… or 1=1 --`).
    pub(super) fn tautology(&mut self, sig: &Sig, before: St, valid: bool) {
        let word = matches!(sig.kind, Kind::Word { quoted: false });
        let operand = is_operand(sig.kind, sig.kw);
        let truthy = std::mem::take(&mut self.truthy_pending);
        if let Some(why) = self.pending_taut.take()
            && (matches!(
                sig.kind,
                Kind::RParen | Kind::Semi | Kind::Op(Op::Logic) | Kind::Other
            ) || (word && matches!(sig.kw, Kw::Or | Kw::And))
                || (word
                    && sig.end - sig.start <= 3
                    && self.text(sig).first().is_some_and(|&b| b >= 0x80)))
        {
            self.hit(Strength::Strong, why);
        }
        let boolean = match (sig.kind, sig.kw) {
            // After a stray `;` (`; or '1' = '1'`) only identical constants count (below).
            _ if valid && !matches!(before, St::Operator | St::StmtStart) => None,
            (Kind::Word { quoted: false }, Kw::Or) => Some("tautology"),
            (Kind::Word { quoted: false }, Kw::And) => Some("boolean_probe"),
            (Kind::Word { quoted: false }, Kw::Where) if valid => Some("tautology"),
            (Kind::Word { quoted: false }, Kw::Having) => Some("tautology"),
            (Kind::Op(Op::Logic), _) => Some(if self.text(sig) == b"||" {
                "tautology"
            } else {
                "boolean_probe"
            }),
            _ => None,
        };
        if truthy
            && valid
            && (self.quote.is_some() || self.lead_op)
            && (matches!(sig.kind, Kind::RParen | Kind::Semi) || boolean.is_some())
        {
            self.hit(Strength::Strong, "tautology");
        }
        self.taut = match (self.taut, boolean) {
            (_, Some(why)) => Taut::AfterBool { why, valid },
            (Taut::AfterBool { why, valid: v }, None) => {
                if matches!(sig.kind, Kind::LParen | Kind::Op(Op::Sign | Op::Unary))
                    || (word && sig.kw == Kw::Not)
                {
                    Taut::AfterBool { why, valid: v }
                } else if operand {
                    if v && valid && why != "const_comparison" {
                        self.bool_cont = true;
                    }
                    Taut::Lhs {
                        why,
                        valid: v,
                        lhs: *sig,
                    }
                } else {
                    Taut::Idle
                }
            }
            (Taut::Lhs { why, valid: v, lhs }, None)
                if sig.kind == Kind::RParen && why != "const_comparison" =>
            {
                Taut::Lhs { why, valid: v, lhs }
            }
            (Taut::Lhs { why, valid: v, lhs }, None) => {
                if matches!(sig.kind, Kind::Op(_)) {
                    self.has_cmp = true;
                }
                if matches!(sig.kind, Kind::Op(Op::Compare))
                    || (word && matches!(sig.kw, Kw::BinOp | Kw::Is | Kw::In | Kw::Between))
                {
                    self.has_cmp = true;
                    Taut::Cmp {
                        why,
                        valid: v,
                        lhs,
                        op: *sig,
                    }
                } else {
                    Taut::Idle
                }
            }
            (
                Taut::Cmp {
                    why,
                    valid: v,
                    lhs,
                    op,
                },
                None,
            ) => {
                if matches!(sig.kind, Kind::Op(Op::Sign | Op::Unary) | Kind::LParen)
                    || (word && sig.kw == Kw::Not)
                {
                    Taut::Cmp {
                        why,
                        valid: v,
                        lhs,
                        op,
                    }
                } else {
                    let same = self.same_operand(&lhs, sig);
                    let ident = matches!(lhs.kind, Kind::Word { .. })
                        && lhs.kw == Kw::Ident
                        && matches!(sig.kind, Kind::Word { .. })
                        && sig.kw == Kw::Ident;
                    let mut literals = is_literal(&lhs) && is_literal(sig);
                    if why == "const_comparison" && !same {
                        // Outside a boolean context only a tautology or the random
                        // numbers of automated probes (`(5953 = 5114)`) count, not `(1 = 100%)`.
                        literals = lhs.kind == Kind::Num
                            && sig.kind == Kind::Num
                            && lhs.end - lhs.start >= 3
                            && sig.end - sig.start >= 3;
                    }
                    if v && valid && (literals || (ident && same)) {
                        if self.lead_op {
                            self.pending_taut = Some(why);
                        } else {
                            self.hit(Strength::Strong, why);
                        }
                    } else if literals
                        && same
                        && self.text(&op) == b"="
                        && why != "const_comparison"
                    {
                        self.hit(Strength::Strong, "tautology");
                    }
                    Taut::Idle
                }
            }
            (Taut::Idle, None) => Taut::Idle,
        };
        // A constant comparison in parentheses or after WHEN (`(1589 = 1589)`, `elt(5=5,1)`,
        // `case when 1=2 then`).
        if valid
            && matches!(self.taut, Taut::Idle)
            && (sig.kind == Kind::LParen
                || (word && sig.kw == Kw::When && self.text(sig).len() == 4))
        {
            self.taut = Taut::AfterBool {
                why: "const_comparison",
                valid: true,
            };
        }
        if let Taut::Lhs {
            why: "tautology",
            lhs,
            ..
        } = self.taut
        {
            let t = self.text(&lhs);
            self.truthy_pending = (lhs.kind == Kind::Num
                && t.iter().any(|&b| (b'1'..=b'9').contains(&b)))
                || (lhs.kw == Kw::Literal && t.eq_ignore_ascii_case(b"true"));
        }
    }

    /// Whether two operands are the same constant or name (string quotes ignored, so the
    /// unclosed `'a` the application closes equals `'a'`).
    pub(super) fn same_operand(&self, a: &Sig, b: &Sig) -> bool {
        let strip = |sig: &Sig| -> &[u8] {
            let t = self.text(sig);
            match sig.kind {
                Kind::Str { closed, .. } => {
                    let end = if closed {
                        t.len().saturating_sub(1)
                    } else {
                        t.len()
                    };
                    t.get(1..end).unwrap_or_default()
                }
                _ => t,
            }
        };
        matches!(a.kind, Kind::Str { .. }) == matches!(b.kind, Kind::Str { .. })
            && strip(a).eq_ignore_ascii_case(strip(b))
    }
}
