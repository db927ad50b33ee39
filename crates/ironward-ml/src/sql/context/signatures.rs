//! Signatures: token sequences benign input never forms outside a string literal, checked on
//! every token whether or not the text parses (`UNION SELECT`, time-delay and error-based
//! calls, catalogue names, executable comments, keywords split by a comment…).

use super::{Run, Sig};
use crate::Strength;
use crate::sql::keywords::{Kw, is_split_keyword};
use crate::sql::lexer::{Kind, Op, Token};

impl Run<'_> {
    /// Rules that hold wherever the token is (outside string literals).
    pub(super) fn signatures(&mut self, sig: &Sig, t: &Token) {
        // Keyword split by a comment.
        if let Some(first) = self.split.take()
            && matches!(sig.kind, Kind::Word { quoted: false })
            && !t.spaced
            && first.end == sig.start
        {
            let head = self.s.get(first.start..).unwrap_or_default();
            let head_len = head
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                .unwrap_or(head.len());
            let tail = self.text(sig);
            let mut joined = [0u8; 24];
            if head_len + tail.len() <= joined.len() {
                joined[..head_len].copy_from_slice(&head[..head_len]);
                joined[head_len..head_len + tail.len()].copy_from_slice(tail);
                if is_split_keyword(&joined[..head_len + tail.len()]) {
                    self.hit(Strength::Strong, "comment_obfuscation");
                }
            }
        }
        if std::mem::take(&mut self.versioned)
            && matches!(sig.kind, Kind::Word { quoted: false })
            && sig.kw != Kw::Ident
        {
            self.hit(Strength::Strong, "versioned_comment");
        }
        let word = matches!(sig.kind, Kind::Word { quoted: false });
        // UNION [ALL|DISTINCT] [(] SELECT
        if self.union {
            match sig.kw {
                Kw::Select if word => self.hit(Strength::Strong, "union_select"),
                _ if word && {
                    // `UNION ALL SELECTCHAR(88)`: the space lost.
                    sig.lower().is_some_and(|l| {
                        l.strip_prefix(b"select").is_some_and(|rest| {
                            matches!(rest, b"char" | b"concat" | b"null" | b"count")
                                || (!rest.is_empty() && rest.iter().all(u8::is_ascii_digit))
                        })
                    })
                } =>
                {
                    self.hit(Strength::Strong, "union_select")
                }
                Kw::Distinct if word => return,
                _ if matches!(sig.kind, Kind::LParen | Kind::Op(Op::Sign)) => return,
                _ => {}
            }
            self.union = false;
        }
        if word
            && ((sig.kw == Kw::Union && self.word_is(sig, b"union")) || {
                // `1DUNION`: a number glued to UNION with a type suffix.
                let t = self.text(sig);
                t.len() > 5
                    && t[0].is_ascii_digit()
                    && t[t.len() - 5..].eq_ignore_ascii_case(b"union")
            })
        {
            self.union = true;
        }
        // Time-delay functions: name ( number
        match self.timefn {
            1 if sig.kind == Kind::LParen => self.timefn = 2,
            2 if matches!(
                sig.kind,
                Kind::Var { .. } | Kind::LParen | Kind::Op(Op::Sign)
            ) =>
            {
                self.hit(Strength::Strong, "time_function");
            }
            // `sleep(5)`, `benchmark(5000000,…)`, `sleep(5*…)`, not `sleep (8 hours)`.
            2 if sig.kind == Kind::Num => self.timefn = 4,
            4 if matches!(sig.kind, Kind::RParen | Kind::Comma | Kind::Op(_)) => {
                self.hit(Strength::Strong, "time_function")
            }
            // `sleep(__TIME__)`: a template placeholder.
            2 if word && self.text(sig).starts_with(b"_") => self.timefn = 3,
            3 if sig.kind == Kind::RParen => self.hit(Strength::Strong, "time_function"),
            _ => self.timefn = 0,
        }
        if word && sig.kw == Kw::TimeFn {
            let after_dot = self.p1.is_some_and(|p| p.kind == Kind::Dot);
            let qualified_ok = self.p2.is_some_and(|p| p.kw == Kw::Catalog);
            if !after_dot || qualified_ok {
                self.timefn = 1;
            }
        }
        if self.waitfor {
            self.waitfor = false;
            if self.word_is(sig, b"delay") || self.word_is(sig, b"time") {
                self.hit(Strength::Strong, "time_function");
            }
        }
        if word && sig.kw == Kw::Waitfor {
            self.waitfor = true;
        }
        // Error-based and file functions: name (
        if let Some(reason) = self.errfn.take()
            && sig.kind == Kind::LParen
        {
            self.hit(Strength::Strong, reason);
        }
        if word && sig.kw == Kw::ErrorFn {
            self.errfn = Some(if self.word_is(sig, b"load_file") {
                "file_function"
            } else {
                "error_function"
            });
        }
        if word && sig.kw == Kw::HeavyFn {
            self.errfn = Some("time_function");
        }
        if std::mem::take(&mut self.into) && word && sig.kw == Kw::Outfile {
            self.hit(Strength::Strong, "into_outfile");
        }
        if word && sig.kw == Kw::Into {
            self.into = true;
        }
        if word && sig.kw == Kw::Catalog {
            self.hit(Strength::Strong, "catalog");
        }
        // `mysql.user`, `mysql.db`: MySQL's account tables, qualified.
        if word
            && matches!(
                sig.lower(),
                Some(b"user" | b"db" | b"tables_priv" | b"columns_priv")
            )
            && self.p1.is_some_and(|p| p.kind == Kind::Dot)
            && self.p2.is_some_and(|p| self.word_is(&p, b"mysql"))
        {
            // Strong while the text parses (`from mysql.user`), not in prose about it.
            let strength = if self.valid {
                Strength::Strong
            } else {
                Strength::Weak
            };
            self.hit(strength, "catalog");
        }
        if word && sig.kw == Kw::CatalogTable {
            // `all_users` may be an option value; after FROM, or qualified, it is a table.
            if self.p1.is_some_and(|p| p.kw == Kw::From)
                || self.p1.is_some_and(|p| p.kind == Kind::Dot)
            {
                self.hit(Strength::Strong, "catalog");
            } else {
                self.hit(Strength::Weak, "catalog");
            }
        }
        // `ascii(substring(`: blind extraction one character at a time; `exec(@s)`:
        // dynamic SQL.
        match std::mem::take(&mut self.call) {
            (w @ (1 | 2), 1) if sig.kind == Kind::LParen => self.call = (w, 2),
            (1, 2) if word => match sig.lower() {
                Some(b"substring" | b"substr" | b"mid" | b"left" | b"right") => {
                    self.hit(Strength::Strong, "blind_extraction")
                }
                Some(b"lower" | b"upper" | b"lcase" | b"ucase" | b"hex") => self.call = (1, 1),
                _ => {}
            },
            (2, 2) if matches!(sig.kind, Kind::Var { system: false }) => {
                self.hit(Strength::Strong, "dynamic_sql");
            }
            // `exec('sel' + 'ect …')`: string literals concatenated into the statement run.
            (2, 2) if matches!(sig.kind, Kind::Str { closed: true, .. }) => self.call = (2, 3),
            (2, 3) if self.text(sig) == b"+" => self.call = (2, 4),
            (2, 4) if matches!(sig.kind, Kind::Str { .. }) => {
                self.hit(Strength::Strong, "dynamic_sql");
            }
            _ => {}
        }
        if sig.kind == Kind::RParen
            && self.p1.is_some_and(|p| p.kind == Kind::LParen)
            && self.p2.is_some_and(|p| {
                matches!(
                    p.lower(),
                    Some(
                        b"version"
                            | b"database"
                            | b"user"
                            | b"current_user"
                            | b"system_user"
                            | b"schema"
                            | b"connection_id"
                            | b"session_user"
                    )
                )
            })
        {
            if (self.bool_cont && self.valid) || self.p2.is_some_and(|p| self.call_argument(&p)) {
                self.hit(Strength::Strong, "info_function");
            } else {
                self.hit(Strength::Weak, "info_function");
            }
        }
        if word
            && self.word_is(sig, b"infile")
            && self.p1.is_some_and(|p| {
                self.word_is(&p, b"data")
                    || self.word_is(&p, b"xml")
                    || self.word_is(&p, b"local")
                    || self.word_is(&p, b"concurrent")
            })
        {
            self.hit(Strength::Strong, "file_function");
        }
        if word {
            match sig.lower() {
                Some(b"ascii" | b"ord" | b"unicode") => self.call = (1, 1),
                Some(b"exec" | b"execute") => self.call = (2, 1),
                _ => {}
            }
        }
        if let Kind::Var { system: true } = sig.kind {
            // `@@version`, `@@datadir`…: known server variables are conclusive; `a@@b` typos
            // are not.
            let name = self.text(sig).get(2..).unwrap_or_default();
            let mut buf = [0u8; 24];
            let known = crate::sql::keywords::lower(
                name.get(..name.len().min(24)).unwrap_or_default(),
                &mut buf,
            )
            .is_some_and(|l| {
                [
                    &b"version"[..],
                    b"datadir",
                    b"hostname",
                    b"basedir",
                    b"servername",
                    b"identity",
                    b"language",
                    b"spid",
                    b"global.",
                    b"session.",
                    b"tmpdir",
                    b"port",
                    b"rowcount",
                    b"error",
                    b"microsoftversion",
                    b"sql_mode",
                    b"secure_file_priv",
                    b"plugin_dir",
                    b"servicename",
                    b"connections",
                    b"max_",
                    b"innodb",
                    b"character_set",
                    b"collation",
                    b"have_",
                    b"log",
                    b"server_id",
                    b"user",
                ]
                .iter()
                .any(|k| l.starts_with(k))
            });
            if known {
                self.hit(Strength::Strong, "system_variable");
            } else {
                self.hit(Strength::Weak, "system_variable");
            }
        }
    }

    /// Whether the word `sig` is the first argument of a call: `f(` (spaces allowed) comes
    /// right before it (`COERCIBILITY(USER())`, `length(database())`).
    fn call_argument(&self, sig: &Sig) -> bool {
        let before = self.s.get(..sig.start).unwrap_or_default();
        let mut p = before.len();
        while p > 0 && before.len() - p < 8 && before[p - 1].is_ascii_whitespace() {
            p -= 1;
        }
        p >= 2
            && before[p - 1] == b'('
            && (before[p - 2].is_ascii_alphanumeric() || before[p - 2] == b'_')
    }
}
