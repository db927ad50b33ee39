//! One analysis run: the value placed in one SQL context, lexed and checked token by token.
//!
//! A run starts at a *break-out point*: just after the quote that closes the application's
//! string (string contexts), at the first byte (the bare context: a number, identifier or
//! expression position; a value that starts with `OR`/`AND`/`)`/a clause keyword is read as
//! if an operand preceded it), or at a leading statement keyword (the statement context).
//! From there a grammar automaton ([`grammar`]) follows what an SQL parser would accept next
//! and notes where the value stops being valid SQL; each token goes through [`step`]. Rules
//! evaluated on the stream:
//!
//! - [`signatures`], on every token whether or not the text parses;
//! - [`boolean`]: tautologies and constant comparisons;
//! - [`structure`]: sub-selects, `ORDER BY n`, stacked statements;
//! - [`ending`]: comments and probes judged by how the value ends.
//!
//! In a string context, a run that dies restarts just inside the next string literal of its
//! quote (that quote becomes the break-out point), so an attack after a long benign prefix is
//! still seen; restarted runs only report rules that do not depend on where the string began,
//! and restarts stop once they would re-lex more than twice the value. Every byte is lexed a
//! bounded number of times and the state is a few words: linear time, no allocation.

mod boolean;
mod ending;
mod grammar;
mod signatures;
mod step;
mod structure;

use super::keywords::Kw;
use super::lexer::{Kind, Lexer, Token};
use crate::{Strength, Structure};

/// What the grammar automaton accepts next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// An operand: literal, identifier, function call, `(`, unary operator.
    Operand,
    /// After an operand: an operator, clause keyword, `)`, `,`, `;`, comment or the end.
    Operator,
    /// After `UNION`: `ALL`/`DISTINCT`, `(` or `SELECT`.
    Union,
    /// After `ORDER`/`GROUP`: `BY`.
    OrderBy,
    /// After `FROM`/`AS`/`PROCEDURE`: a name.
    Table,
    /// After `INTO`: `OUTFILE`/`DUMPFILE` or a name.
    Into,
    /// After `;`: a statement, or the end.
    StmtStart,
    /// After a stacked statement keyword: anything (no longer tracked).
    Free,
}

/// A significant (non-comment) token with its keyword role.
#[derive(Debug, Clone, Copy)]
struct Sig {
    kind: Kind,
    kw: Kw,
    start: usize,
    end: usize,
    /// The word lowercased (unquoted words of up to 24 bytes), computed once.
    lw: [u8; 24],
    lw_len: u8,
}

impl Sig {
    /// The lowercased word, `None` for other tokens and long words.
    fn lower(&self) -> Option<&[u8]> {
        match self.lw_len {
            0 => None,
            n => self.lw.get(..usize::from(n)),
        }
    }
}

/// Progress of the tautology pattern: boolean operator, operand, comparison, operand.
#[derive(Debug, Clone, Copy)]
enum Taut {
    Idle,
    AfterBool {
        why: &'static str,
        valid: bool,
    },
    Lhs {
        why: &'static str,
        valid: bool,
        lhs: Sig,
    },
    Cmp {
        why: &'static str,
        valid: bool,
        lhs: Sig,
        op: Sig,
    },
}

/// Statements whose keyword pair after `;` is conclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StackKw {
    /// `DROP`, `CREATE`, `ALTER`, `TRUNCATE` + object type.
    Ddl,
    /// `DELETE` + `FROM`.
    Delete,
    /// `INSERT` + `INTO`.
    Insert,
    /// `UPDATE` + name (+ `SET`).
    Update,
    /// `EXEC`/`EXECUTE` + procedure or `(`/variable.
    Exec,
    /// `SHUTDOWN` + end.
    Shutdown,
    /// `DECLARE`/`SET` + variable.
    Declare,
    /// `WAITFOR` + `DELAY`/`TIME`.
    Waitfor,
    /// `SELECT` + literal, `*`, variable.
    Select,
    /// Another statement keyword: weak.
    Other,
}

/// The per-context analysis state.
pub(crate) struct Run<'a> {
    s: &'a [u8],
    /// The string context's quote, or `None` in the bare context.
    quote: Option<u8>,
    lx: Lexer<'a>,
    st: St,
    valid: bool,
    depth: i32,
    p1: Option<Sig>,
    p2: Option<Sig>,
    last: Option<Token>,
    /// Significant tokens since the break-out point.
    nsig: u32,
    /// Only `)` seen since the break-out point.
    only_parens: bool,
    /// How many `)` came last.
    trail_parens: u32,
    /// The value starts with `( SELECT` (bare context).
    lead_subselect: bool,
    /// The first token after the break-out point was `(`.
    first_paren: bool,
    /// SQL-only tokens seen: a function call, `*` as an operand, a variable, `LIMIT`, `TOP`.
    sql_only: bool,
    /// A comparison followed a boolean operator.
    has_cmp: bool,
    /// A `CASE … END` expression completed.
    case_end: bool,
    /// How many `)` came first.
    lead_parens: u32,
    /// Where the run started.
    lx_start: usize,
    /// Bare context whose value starts with a boolean or clause keyword (`or 1=1`): it is
    /// read as if an operand preceded it, and reports only strong rules.
    lead_op: bool,
    /// The leading keyword was a boolean operator or `)` (not a clause keyword).
    lead_bool: bool,
    /// Statement context: the value starts with a statement keyword.
    statement: bool,
    /// The statement context saw SQL-only tokens (operators, parentheses, literals).
    sqlish: bool,
    /// The run restarted after a later quote.
    restarted: bool,
    /// Bytes that restarts may still re-lex (keeps the whole analysis linear).
    budget: usize,
    /// The string closed at the break-out point had content.
    content_before: bool,
    bool_cont: bool,
    taut: Taut,
    truthy_pending: bool,
    /// A tautology in a value that starts with `OR`/`AND`, confirmed only when what follows
    /// ends the condition (`or 1=1 --`, not `and 1=1 is arithmetic`).
    pending_taut: Option<&'static str>,
    stack: Option<(bool, Option<StackKw>)>,
    /// The stacked statement's keyword was followed by a name (`UPDATE t`, `SELECT f`).
    second: bool,
    order: u8,
    /// Modifiers skipped between a DDL keyword and its object type (`CREATE OR REPLACE`).
    ddl_mods: u32,
    /// `ORDER BY` came after an operand.
    ordered: bool,
    union: bool,
    timefn: u8,
    errfn: Option<&'static str>,
    waitfor: bool,
    into: bool,
    versioned: bool,
    split: Option<Sig>,
    /// A call pattern in progress: (which: 1 blind extraction, 2 dynamic SQL; step).
    call: (u8, u8),
    best: Structure,
}

fn is_operand(k: Kind, kw: Kw) -> bool {
    match k {
        Kind::Num | Kind::Str { .. } | Kind::Var { .. } => true,
        Kind::Word { quoted: true } => true,
        Kind::Word { quoted: false } => matches!(
            kw,
            Kw::Ident
                | Kw::Literal
                | Kw::TimeFn
                | Kw::ErrorFn
                | Kw::HeavyFn
                | Kw::Catalog
                | Kw::CatalogTable
                | Kw::Stmt
                | Kw::Outfile
        ),
        _ => false,
    }
}

fn is_literal(sig: &Sig) -> bool {
    matches!(sig.kind, Kind::Num | Kind::Str { .. })
        || (matches!(sig.kind, Kind::Word { quoted: false }) && sig.kw == Kw::Literal)
}

impl<'a> Run<'a> {
    /// A run in the bare context (value at an operand position).
    pub(crate) fn bare(s: &'a [u8]) -> Self {
        Self::new(s, None, 0, false)
    }

    /// A run in the statement context: the value starts where a statement does (`select
    /// …`, `declare @s …`). Runs only when the first word is a statement keyword.
    pub(crate) fn statement(s: &'a [u8]) -> Self {
        let mut run = Self::new(s, None, 0, false);
        run.st = St::StmtStart;
        run.statement = true;
        run.stack = Some((true, None));
        run
    }

    /// A run in a string context delimited by `quote`, breaking out at `pos` (just after
    /// the closing quote).
    pub(crate) fn quoted(s: &'a [u8], quote: u8, pos: usize) -> Self {
        Self::new(s, Some(quote), pos, pos > 1)
    }

    fn new(s: &'a [u8], quote: Option<u8>, pos: usize, content_before: bool) -> Self {
        Run {
            s,
            quote,
            lx: Lexer::new(s, pos),
            st: if quote.is_some() {
                St::Operator
            } else {
                St::Operand
            },
            valid: true,
            depth: 0,
            p1: None,
            p2: None,
            last: None,
            nsig: 0,
            only_parens: true,
            trail_parens: 0,
            lead_subselect: false,
            sql_only: false,
            first_paren: false,
            has_cmp: false,
            case_end: false,
            lead_parens: 0,
            lx_start: pos,
            lead_op: false,
            lead_bool: false,
            statement: false,
            sqlish: false,
            restarted: false,
            budget: 2 * s.len() + 256,
            content_before,
            bool_cont: false,
            taut: Taut::Idle,
            truthy_pending: false,
            pending_taut: None,
            stack: None,
            second: false,
            order: 0,
            ordered: false,
            ddl_mods: 0,
            union: false,
            timefn: 0,
            errfn: None,
            waitfor: false,
            into: false,
            versioned: false,
            split: None,
            call: (0, 0),
            best: Structure::NONE,
        }
    }

    fn hit(&mut self, strength: Strength, reason: &'static str) {
        self.best = self.best.max(Structure::new(strength, reason));
    }

    fn text(&self, sig: &Sig) -> &'a [u8] {
        self.s.get(sig.start..sig.end).unwrap_or_default()
    }

    fn word_is(&self, sig: &Sig, word: &[u8]) -> bool {
        sig.lower() == Some(word)
    }

    /// Runs to the end of the value (or the first strong finding) and returns the finding.
    pub(crate) fn finish(mut self) -> Structure {
        while let Some(t) = self.lx.next_token() {
            self.step(t);
            if self.best.strength == Strength::Strong || (self.statement && !self.valid) {
                return self.best;
            }
        }
        self.end_of_value();
        self.best
    }

    /// Whether the string closed at the break-out point is one word (`admin`, `1`): the
    /// shape of `admin'--`, unlike prose that happens to end in `'--`.
    fn word_content(&self) -> bool {
        if self.quote.is_none() {
            return false;
        }
        let end = self.lx_start.saturating_sub(1);
        let content = self.s.get(..end).unwrap_or_default();
        !content.is_empty()
            && content.len() <= 64
            && !content
                .iter()
                .any(|&b| b.is_ascii_whitespace() || matches!(b, b'\'' | b'"' | b'`'))
    }

    /// The value is a number and one closing quote, nothing else (`5'`, `90'`).
    fn number_then_quote(&self) -> bool {
        let end = self.lx_start.saturating_sub(1);
        let content = self.s.get(..end).unwrap_or_default();
        self.s.len() == self.lx_start
            && !content.is_empty()
            && content
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b','))
            && content[0].is_ascii_digit()
    }

    /// Restarts a dead string-context run just inside the string literal `t` (its quote
    /// becomes the break-out point), while the re-lexing budget lasts.
    fn restart(&mut self, t: &Token) -> bool {
        let Some(q) = self.quote else { return false };
        let cost = t.end - t.start;
        if !matches!(t.kind, Kind::Str { quote, .. } if quote == q) || cost > self.budget {
            return false;
        }
        let (best, budget) = (self.best, self.budget - cost);
        *self = Self::new(self.s, Some(q), t.start + 1, true);
        self.restarted = true;
        self.best = best;
        self.budget = budget;
        true
    }
}
