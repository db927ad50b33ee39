//! Rules that look at how the value ends: a comment right after the break-out point or after a
//! complete expression, a string the application's closing quote completes, a lone quote or
//! parenthesis (probes).

use super::{Run, Sig, St, StackKw};
use crate::Strength;
use crate::sql::lexer::{Kind, Token};

impl Run<'_> {
    pub(super) fn end_of_value(&mut self) {
        // `1'`: a quote that closes the string and nothing after it, the classic probe for
        // an SQL error. A bare number before it is a quantity with a foot, minute or prime
        // mark (`5'`, `90'`, `21128'` from a page's template), not a probe worth a block.
        if self.quote.is_some()
            && self.valid
            && !self.restarted
            && self.word_content()
            && !self.number_then_quote()
            && self.nsig == self.lead_parens
            && !matches!(
                self.last.map(|t| t.kind),
                Some(Kind::LineComment | Kind::BlockComment { .. })
            )
        {
            self.hit(Strength::Weak, "quote_probe");
        }
        self.shutdown_ends();
        if let Some(why) = self.pending_taut.take() {
            self.hit(Strength::Strong, why);
        }
        if self.truthy_pending && self.lead_op && self.valid {
            self.hit(Strength::Weak, "boolean");
        }
        if !self.valid {
            return;
        }
        let complete = matches!(self.st, St::Operator | St::Free | St::StmtStart);
        if self.order >= 3 {
            if self.quote.is_none() && !self.lead_op {
                self.hit(Strength::Strong, "order_by_probe");
            } else {
                self.hit(Strength::Weak, "order_by_probe");
            }
        }
        if self.lead_subselect {
            if self.sql_only {
                self.hit(Strength::Strong, "subselect");
            } else {
                self.hit(Strength::Weak, "subselect");
            }
        }
        if self.quote.is_none()
            && !self.statement
            && complete
            && self.trail_parens > 0
            && self.nsig == self.trail_parens + 1
        {
            self.hit(Strength::Weak, "paren_probe");
        }
        match self.quote {
            Some(q) => {
                let clean_end = match self.last.map(|t| t.kind) {
                    Some(Kind::LineComment | Kind::BlockComment { closed: false }) => true,
                    Some(Kind::Str {
                        quote,
                        closed: false,
                    }) => quote == q,
                    _ => false,
                };
                if complete && clean_end && self.nsig > 0 {
                    if self.bool_cont
                        && !self.restarted
                        && self.nsig.saturating_sub(self.lead_parens) >= 3
                    {
                        self.hit(Strength::Strong, "boolean_breakout");
                    } else if self.bool_cont {
                        self.hit(Strength::Weak, "boolean");
                    } else if !self.only_parens || self.nsig > 1 {
                        self.hit(Strength::Weak, "breakout");
                    }
                } else if self.bool_cont {
                    self.hit(Strength::Weak, "boolean");
                }
            }
            None if self.statement => {
                if self.sqlish && self.st != St::Free {
                    self.hit(Strength::Weak, "statement");
                }
            }
            None => {
                if complete && self.bool_cont && (!self.lead_op || self.has_cmp || self.sql_only) {
                    self.hit(Strength::Weak, "boolean");
                }
                // `1 order by ifnull(null,userid)`: an ordering expression only SQL
                // forms, after a number or name, to the end of the value.
                if complete && self.ordered && self.sql_only && !self.lead_op {
                    self.hit(Strength::Weak, "order_by");
                }
                if complete && self.case_end {
                    self.hit(Strength::Weak, "case_expression");
                }
            }
        }
    }

    pub(super) fn comment(&mut self, t: Token) {
        let line = matches!(
            t.kind,
            Kind::LineComment | Kind::BlockComment { closed: false }
        );
        if line {
            self.shutdown_ends();
        }
        // `un/**/ion`: a block comment glued between two word parts.
        self.split = None;
        if matches!(t.kind, Kind::BlockComment { closed: true })
            && let (Some(p), Some(l)) = (self.p1, self.last)
            && matches!(p.kind, Kind::Word { quoted: false })
            && l.start == p.start
            && p.end == t.start
        {
            self.split = Some(Sig { end: t.end, ..p });
        }
        if let Some(why) = self.pending_taut.take()
            && line
        {
            self.hit(Strength::Strong, why);
        }
        if !self.valid || !line {
            return;
        }
        let complete = matches!(self.st, St::Operator | St::Free | St::StmtStart);
        if !complete {
            return;
        }
        if self.order >= 3 {
            self.hit(Strength::Strong, "order_by_probe");
        }
        if self.lead_subselect && (self.sql_only || self.depth <= 0) {
            self.hit(Strength::Strong, "subselect");
        }
        if self.truthy_pending && (self.quote.is_some() || self.lead_op) {
            self.hit(Strength::Strong, "tautology");
        }
        match self.quote {
            Some(_) if self.only_parens => {
                let b = self.s.get(t.start).copied().unwrap_or(0);
                let after = match b {
                    b'-' => self.s.get(t.start + 2).copied(),
                    b'#' => self.s.get(t.start + 1).copied(),
                    _ => None,
                };
                let clean = after.is_none_or(|c| c.is_ascii_whitespace());
                if self.content_before && !self.restarted && clean && self.word_content() {
                    self.hit(Strength::Strong, "comment_breakout");
                } else {
                    self.hit(Strength::Weak, "comment");
                }
            }
            None if self.nsig > 0 && !self.statement => {
                let b = self.s.get(t.start).copied().unwrap_or(0);
                let after = match b {
                    b'-' => self.s.get(t.start + 2).copied(),
                    _ => None,
                };
                let clean = after.is_none_or(|c| c.is_ascii_whitespace());
                // `1---`, `abc ----`: a run of three or more dashes is a rule or a
                // placeholder (`---` for "none"); a comment is written `--`, `-- -`, `--+`.
                let rule = b == b'-' && after == Some(b'-');
                let parenthesised = self.first_paren || self.depth < 0;
                if self.sql_only && clean && self.nsig >= 3 && parenthesised {
                    // `( 1 OR @a ) --`, `1) or cos(1) --`: a parenthesised expression only SQL
                    // forms, cut off by a comment (not `foo(bar) -- note`).
                    self.hit(Strength::Strong, "comment_truncation");
                } else if !self.lead_op && !rule {
                    self.hit(Strength::Weak, "comment");
                }
            }
            _ => {}
        }
    }

    /// `; SHUTDOWN` at the end of the value or before a comment is conclusive.
    fn shutdown_ends(&mut self) {
        if let Some((true, Some(StackKw::Shutdown))) = self.stack {
            self.hit(Strength::Strong, "stacked");
        }
    }
}
