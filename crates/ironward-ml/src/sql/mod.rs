//! SQL structural analysis: does a request value, placed where an application would put it
//! in an SQL statement, break out of that place and continue as SQL?
//!
//! # Rule
//!
//! The value is analysed in four contexts: inside a single-quoted string (`… = 'VALUE'`),
//! inside a double-quoted string, bare (a number, identifier or expression position:
//! `id = VALUE`, `ORDER BY VALUE`, `IN (VALUE)`), and — when it starts with a statement
//! keyword — at a statement start. In a string context the analysis starts just after the
//! first quote that closes the application's string (a doubled quote is an escape); in the
//! bare context at the first byte, where the value must begin with an operand (or with
//! `OR`/`AND`/`)`/a clause keyword, read as if an operand preceded it, which then reports
//! only strong findings). From that *break-out point* a streaming SQL lexer (strings, numbers
//! incl. `0x..`, identifiers, keywords, operators, `--`/`#`/`/* */` comments, MySQL
//! `/*! … */` executable comments, `;`, parentheses, backticks, `@`/`@@` variables, `?`
//! placeholders) feeds a grammar automaton that knows what SQL accepts next (an operand; an
//! operator or clause keyword; a name after `FROM`; a statement after `;` or, as SQL Server
//! allows, after a complete expression) and where the text stops being SQL. Closing
//! parentheses are accepted before any opening one, which covers the parenthesised variant of
//! each context (`') or ('x'='x`, `1) or (1=1`).
//!
//! **Strong** — what benign input practically never forms:
//! - *signatures*, wherever they stand outside a string literal: `UNION [ALL|DISTINCT] SELECT`
//!   (`union_select`); `SLEEP(n)`, `BENCHMARK(n,…)`, `PG_SLEEP(n)`, `WAITFOR DELAY|TIME`,
//!   heavy queries such as `GENERATE_SERIES(`/`RANDOMBLOB(` (`time_function`); `EXTRACTVALUE(`,
//!   `UPDATEXML(` (`error_function`); `LOAD_FILE(`, `LOAD DATA INFILE` (`file_function`);
//!   `INTO OUTFILE|DUMPFILE` (`into_outfile`); catalogue and system-procedure names such as
//!   `information_schema`, `sysobjects`, `xp_cmdshell`, `dbms_pipe`, and tables such as
//!   `all_users`, Oracle's `dba_role_privs`/`v$version`, `pg_user`, `rdb$database` after
//!   `FROM` or a qualifier, and MySQL's `mysql.user` while the text parses (`catalog`);
//!   known server variables such as
//!   `@@version`, `@@datadir` (`system_variable`); `ASCII(SUBSTRING(` (`blind_extraction`);
//!   `EXEC(@s)` and `EXEC('sel' + 'ect …')` (`dynamic_sql`); an executable comment that
//!   starts with a keyword,
//!   `/*!union*/` (`versioned_comment`); a keyword split by a comment, `un/**/ion`
//!   (`comment_obfuscation`);
//! - *structure*, while the text is valid SQL from the break-out point: a boolean operator
//!   (`OR`, `AND`, `XOR`, `||`, `&&`, `HAVING`, `WHERE`) followed by a comparison of two
//!   constants or of a name with itself (`' or 1=1`, `' or 'a'='a`, `1 and 1=2`,
//!   `having 1=1`: `tautology`, or `boolean_probe` after `AND`), or by a true constant and a
//!   comment (`' or 1--`); a comparison of two identical constants, or of two numbers of three
//!   digits or more, inside parentheses or after `WHEN` (`const_comparison`); in a string
//!   context, a boolean continuation of three tokens or more that ends cleanly — inside a
//!   string the application's own quote closes, or in a comment (`boolean_breakout`); a
//!   comment right after the closing quote of a one-word string (`admin'--`:
//!   `comment_breakout`); `( SELECT` after the break-out point (`subselect`); `;` followed by
//!   a statement keyword and the token that makes it conclusive (`; drop table`, `; exec
//!   xp_…`, `; shutdown`, `; declare @`, `; select 1`: `stacked`); `ORDER BY n[,n…]` after
//!   an operand, then a comment or (bare context) the end (`order_by_probe`); a
//!   parenthesised expression containing SQL-only tokens (a function call, a variable, `*` as
//!   an operand) cut off by `-- ` (`( 1 OR @a ) --`: `comment_truncation`);
//!   `version()`/`user()`/`database()` inside a boolean continuation or as the argument of
//!   another call, `COERCIBILITY(USER())` (`info_function`); identical constants compared
//!   after a stray `;` (`; or '1' = '1'`: `tautology`); after `;`, T-SQL's `WHILE cond`
//!   before a statement (`; while 1=1 shutdown--`) and DDL modifiers (`; create or replace
//!   function`) count towards a conclusive stacked statement;
//! - *doubled quotes* (`doubled.rs`): a value whose quotes are doubled, as written for a VB
//!   or CSV string (`" or ""a""=""a"`: a doubled quote touching a letter or digit), is
//!   analysed again (up to 512 bytes, on the stack) with each run of quotes collapsed; only a
//!   Strong finding there counts.
//!
//! **Weak** — SQL-looking structure benign text sometimes forms: a boolean continuation in the
//! bare context or one that does not end cleanly (`a=b or c`: `boolean`); a comment after a
//! valid expression (`50% off -- today`: `comment`); any other valid continuation after a
//! closing quote (`A' * 'B`: `breakout`); a lone closing quote or parenthesis (`1'`, `1)`:
//! `quote_probe`, `paren_probe`); a statement that parses and contains SQL-only tokens
//! (`SELECT * FROM t`: `statement`); a stacked statement that is not conclusive; a number
//! followed by `UNION`; a `CASE … END` expression; a bare `version()` call; `ORDER BY n` or
//! `( SELECT … )` with nothing before them; an unknown `@@name` or a catalogue table name
//! alone (`all_users`); an ordering expression with a function call after a number or name,
//! to the end of the value (`1 order by ifnull(null,userid)`: `order_by`); a statement
//! starting `CREATE OR REPLACE FUNCTION|PROCEDURE|TRIGGER`.
//!
//! Anything else is **None**: prose, names with apostrophes (`O'Brien` continues with a name
//! right after the closing quote, which SQL rejects), numbers, e-mails, URLs, JSON. An
//! English sentence starting with "select" is SQL only at a statement start, and there only
//! SQL-only tokens make it Weak. When the text stops being SQL in a string context, the
//! analysis restarts just inside the next string literal (so an attack after a long benign
//! prefix is still seen); restarted runs report only the rules that do not depend on where
//! the string began. Every byte is lexed a bounded number of times and the state is a few
//! words: linear time, no heap allocation, any input size.

mod context;
mod doubled;
mod keywords;
mod lexer;
mod prefilter;
#[cfg(test)]
mod tests;

use crate::{Strength, Structure};
use context::Run;

/// Whether `value` forms SQL structure in a string, numeric or bare context (values with no
/// SQL-meaningful byte and no keyword among two words skip the analysis: `prefilter.rs`).
///
/// Returns the strongest finding over the contexts, with the rule's stable name as
/// `reason` (see the module documentation).
pub fn analyze(value: &str) -> Structure {
    let s = value.as_bytes();
    if !prefilter::could_be_sql(s) {
        return Structure::NONE;
    }
    analyze_bytes(s)
}

/// The analysis proper, without the prefilter.
fn analyze_bytes(s: &[u8]) -> Structure {
    let best = analyze_contexts(s);
    if best.strength == Strength::Strong {
        return best;
    }
    doubled::analyze(s).map_or(best, |f| best.max(f))
}

/// The bare, statement and string contexts.
fn analyze_contexts(s: &[u8]) -> Structure {
    let mut best = Run::bare(s).finish();
    if best.strength != Strength::Strong {
        best = best.max(Run::statement(s).finish());
    }
    for quote in [b'\'', b'"'] {
        if best.strength == Strength::Strong {
            break;
        }
        if let Some(pos) = break_out(s, quote) {
            best = best.max(Run::quoted(s, quote, pos).finish());
        }
    }
    best
}

/// The position just after the first `quote` that closes a string the value starts inside
/// (a doubled quote is an escape), if any.
fn break_out(s: &[u8], quote: u8) -> Option<usize> {
    let mut i = 0;
    loop {
        let q = i + memchr::memchr(quote, s.get(i..)?)?;
        if s.get(q + 1) == Some(&quote) {
            i = q + 2;
        } else {
            return Some(q + 1);
        }
    }
}
