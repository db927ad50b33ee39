//! Unit tests of the SQL lexer: token kinds of the common shapes, and progress on every
//! truncated construct.

use super::*;

fn kinds(s: &str) -> Vec<Kind> {
    let mut lx = Lexer::new(s.as_bytes(), 0);
    let mut v = Vec::new();
    while let Some(t) = lx.next_token() {
        v.push(t.kind);
    }
    v
}

#[test]
fn lexes_the_basics() {
    use Kind::*;
    let w = Word { quoted: false };
    assert_eq!(
        kinds("'a' or 1=1 --x"),
        vec![
            Str {
                quote: b'\'',
                closed: true
            },
            w,
            Num,
            Op(super::Op::Compare),
            Num,
            LineComment
        ]
    );
    assert_eq!(kinds("0x3a 1.5e3 2nd"), vec![Num, Num, w]);
    assert_eq!(
        kinds("@@version @x"),
        vec![Var { system: true }, Var { system: false }]
    );
    assert_eq!(kinds("/*!50000union*/select"), vec![VersionedOpen, w, w]);
    assert_eq!(kinds("a/**/b"), vec![w, BlockComment { closed: true }, w]);
    assert_eq!(
        kinds("'it''s'"),
        vec![Str {
            quote: b'\'',
            closed: true
        }]
    );
    assert_eq!(
        kinds("\"x"),
        vec![Str {
            quote: b'"',
            closed: false
        }]
    );
    assert_eq!(kinds("1\u{fffd}union"), vec![Num, w]);
    assert_eq!(
        kinds("a<=>b <> c"),
        vec![w, Op(super::Op::Compare), w, Op(super::Op::Compare), w]
    );
}

#[test]
fn never_stalls() {
    for s in [
        "@", "@@", "/*!", "*/", "0x", "'", "`", "\u{a0}", "\u{ff}", "\u{fffd}",
    ] {
        let mut lx = Lexer::new(s.as_bytes(), 0);
        let mut n = 0;
        while lx.next_token().is_some() {
            n += 1;
            assert!(n < 10, "{s:?}");
        }
    }
}
