//! Differential tests of Ironward's SQL lexer against the `sqlparser` oracle (`tokens.rs`):
//! the same tokens (byte spans, bodies, kinds) on table and generated queries in every
//! dialect, and above all the same verdict from `check` with either tokenizer.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::tests::{ALL, benign_queries, exploits, vulnerable};
use super::{LEXER, Tokenizer, check_with, lexer, tokens};
use crate::sink::{Dialect, SinkFinding};
use proptest::prelude::*;

/// The detector's tokenizer before this lexer: `sqlparser` 0.63.
const ORACLE: Tokenizer = Tokenizer {
    tokenize: tokens::tokenize,
    tokenizes: tokens::tokenizes,
};

/// Lexemes that exercise every branch of the lexer, in every dialect.
const LEXEMES: &[&str] = &[
    "SELECT a, b FROM t WHERE x = 'it''s' AND y = \"q\"\"x\" -- note\nLIMIT 10;",
    "SELECT `a``b`, [c]]d], \"e\" FROM t",
    "SELECT 'a\\'b', \"c\\\"d\", 'e\\\\' # hash\n",
    "SELECT E'x\\'y', U&'d\\0061t', X'1F', x'ab', B'101', b\"1\", N'nat', n'x'",
    "SELECT $$a$b$$, $tag$ x $$ $tag$, $1, $name, $, ?, ?12, :name, @v, @@global.x, %s",
    "SELECT 1, 1.5, .5, 1e5, 1E-3, 1.e+2, 0x1F, 0xZZ, 1_000, 1abc, 12L, t.1, t.c",
    "SELECT /* a /* nested */ b */ 1 /*! 50000 SELECT */ /*M! x */ /**/",
    "a >= b <= c <> d != e == f => g :: h := i || j |/ k ||/ l -> m ->> n #> o #>> p #- q",
    "a ~ b ~* c !~ d !~* e ~~ f ~~* g !~~ h !~~* i << j >> k <=> l @> m <@ n ^@ o && p & q",
    "a|b^c%d*e/f+g-h,i;j(k)l[m]n{o}p\\q?r#s @ t @@ u",
    "a >- b +- c -+ d <-> e ?| f ?& g ?- h ?-| i ?# j ## k |>> l <<| m &< n &> o @-@ p",
    "a--b -- c\r\nd --\te -- \u{a0}f\r g",
    "SELECT 'ünïcødé', \"名前\", `名`, Straße, é, \u{a0}x, \u{2003}y, 🦀, x\u{b}y\u{c}z",
    "q'[a]'b' Q'{x}' nq'<y>' r'raw' R\"raw\" r'''tri'''",
    "'unterminated",
    "\"unterminated",
    "/* unterminated",
    "$$ unterminated",
    "$t$ unterminated $x$",
    "`unterminated",
    "[unterminated",
    "x_ 1_ 1__2 ._ a._b 1e_5",
    "@- x @-",
    "|& x |> y",
    "--",
    "-- ",
    "#",
    "@",
    "$",
    "?",
    "0x",
    "1.",
    ".",
    "..",
    "e'",
    "u&'",
    "E'\\0' E'\\x41' E'\\x' E'\\xFF' E'\\101' E'\\400' E'\\u0041' E'\\U0001F980' E'\\u12'",
    "E'\\uD800' E'\\u+041' E'\\q\\'' E'it''s'",
    "U&'\\0041' U&'\\+01F980' U&'\\\\' U&'\\zz' U&'\\D800'",
];

fn tokens_agree(query: &str, d: Dialect) -> Result<(), String> {
    let mine = lexer::tokenize(query, d);
    let theirs = tokens::tokenize(query, d);
    if mine == theirs {
        return Ok(());
    }
    let (Some(mine), Some(theirs)) = (&mine, &theirs) else {
        return Err(format!(
            "{d:?} {query:?}: lexer ok={} sqlparser ok={}",
            mine.is_some(),
            theirs.is_some()
        ));
    };
    let at = mine
        .iter()
        .zip(theirs.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(mine.len().min(theirs.len()));
    Err(format!(
        "{d:?} {query:?}: first difference at token {at}: lexer {:?} sqlparser {:?}",
        mine.get(at),
        theirs.get(at)
    ))
}

fn verdict(query: &str, d: Dialect, inputs: &[&str], lex: Tokenizer) -> Option<SinkFinding> {
    check_with(query, d, inputs, lex)
}

/// Every table query: the exploits, the benign queries, the lexemes.
fn table(d: Dialect) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (ctx, payload) in exploits(d) {
        out.push((
            vulnerable(ctx, payload),
            vec!["irrelevant".to_owned(), payload.to_owned(), "10".to_owned()],
        ));
    }
    for (query, inputs) in benign_queries(d) {
        out.push((query, inputs.into_iter().map(str::to_owned).collect()));
    }
    for &l in LEXEMES {
        out.push((l.to_owned(), Vec::new()));
    }
    out
}

#[test]
fn lexer_tokens_agree_with_sqlparser_on_tables() {
    let mut diffs = Vec::new();
    for d in ALL {
        let list = table(d);
        let mut same = 0;
        for (query, _) in &list {
            match tokens_agree(query, d) {
                Ok(()) => same += 1,
                Err(e) => diffs.push(e),
            }
        }
        println!(
            "sink sql {:>8}: lexer tokens equal to sqlparser's on {same}/{} table queries",
            d.as_str(),
            list.len()
        );
    }
    assert!(diffs.is_empty(), "token differences:\n{}", diffs.join("\n"));
}

#[test]
fn check_verdicts_agree_with_sqlparser_on_tables() {
    let mut diffs = Vec::new();
    for d in ALL {
        let list = table(d);
        let mut cases = 0;
        for (query, inputs) in &list {
            // The table's inputs, and every 2- to 12-byte cut of the query as an input.
            let mut sets: Vec<Vec<&str>> = vec![inputs.iter().map(String::as_str).collect()];
            for a in 0..query.len() {
                for n in [2, 3, 5, 8, 12] {
                    if let Some(cut) = query.get(a..a + n) {
                        sets.push(vec![cut]);
                    }
                }
            }
            for inputs in sets {
                cases += 1;
                let mine = verdict(query, d, &inputs, LEXER);
                let theirs = verdict(query, d, &inputs, ORACLE);
                if mine != theirs {
                    diffs.push(format!(
                        "{d:?} {query:?} {inputs:?}: {mine:?} vs {theirs:?}"
                    ));
                }
            }
        }
        println!(
            "sink sql {:>8}: check verdicts equal with both tokenizers on {cases} table cases",
            d.as_str()
        );
    }
    assert!(
        diffs.is_empty(),
        "verdict differences:\n{}",
        diffs.join("\n")
    );
}

/// SQL-ish text: the bytes that start or end tokens, words, digits, spaces.
const SQLISH: &str = "[a-zA-Z0-9 _'\"`\\[\\]\\\\;$#*/()=!<>|&^~?@:%.,+\\-\\n\\r\\t]{0,48}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn lexer_tokens_agree_with_sqlparser(query in SQLISH) {
        for d in ALL {
            if let Err(e) = tokens_agree(&query, d) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn check_verdicts_agree_with_sqlparser(
        prefix in SQLISH,
        payload in "[a-z0-9 '\"`\\\\;$#*/()=!<>|-]{2,16}",
        ctx in 0usize..9,
        start in 0usize..48,
        len in 2usize..12,
    ) {
        let ctxs = [
            super::tests::Ctx::Str,
            super::tests::Ctx::Num,
            super::tests::Ctx::Paren,
            super::tests::Ctx::Like,
            super::tests::Ctx::Order,
            super::tests::Ctx::DoubleQuoted,
            super::tests::Ctx::Dollar,
            super::tests::Ctx::EString,
            super::tests::Ctx::HalfEscaped,
        ];
        let ctx = ctxs.get(ctx).copied().unwrap_or(super::tests::Ctx::Str);
        let exploit = vulnerable(ctx, &payload);
        let free = format!("{prefix} {payload}");
        for query in [exploit.as_str(), free.as_str(), prefix.as_str()] {
            let end = (start + len).min(query.len());
            let cut = query.get(start.min(end)..end).unwrap_or_default();
            for d in ALL {
                for inputs in [[payload.as_str(), cut], [cut, "10"]] {
                    let mine = verdict(query, d, &inputs, LEXER);
                    let theirs = verdict(query, d, &inputs, ORACLE);
                    prop_assert_eq!(&mine, &theirs, "{:?} {:?} {:?}", d, query, inputs);
                }
            }
        }
    }

    #[test]
    fn lexer_tokens_agree_with_sqlparser_on_any_text(
        query in "([a-zA-Z0-9 '\"`\\[\\]\\\\;$#*/()=!<>|&^~?@:%.,+\\-\\n\\r\\t{}]|\\PC|[\\x00-\\x1f])*",
    ) {
        for d in ALL {
            if let Err(e) = tokens_agree(&query, d) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn pair_set_never_rejects_an_occurring_input(q in any::<Vec<u8>>(), a in 0usize..64, n in 0usize..16) {
        let set = super::PairSet::of(&q);
        let end = (a + n).min(q.len());
        if let Some(needle) = q.get(a.min(end)..end) {
            prop_assert!(set.may_hold(needle));
        }
    }

    #[test]
    fn lexer_never_fails_to_end(query in any::<String>()) {
        for d in ALL {
            if let Some(toks) = lexer::tokenize(&query, d) {
                // The tokens cover the query contiguously.
                let mut at = 0;
                for t in &toks {
                    prop_assert_eq!(t.start, at);
                    prop_assert!(t.start < t.end && t.body_start <= t.body_end);
                    prop_assert!(t.start <= t.body_start && t.body_end <= t.end);
                    at = t.end;
                }
                prop_assert_eq!(at, query.len());
            }
        }
    }
}
