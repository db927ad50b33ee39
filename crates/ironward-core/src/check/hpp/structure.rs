//! The structural features the `hpp` check compares between single values and their join.
//!
//! [`features`] returns a bit set. A feature counts for pollution only when the joined (or
//! concatenated) value has it and no single value does, so each test may be simple:
//!
//! - [`SQL_COMMENT`]: a closed `/*…*/` comment directly before or after an SQL keyword
//!   (`*/union`, `select/*`) — comments are how joined values swallow the separators;
//! - [`SQL_UNION`]: `union` then `select`, with only comments, whitespace, `all`, `distinct`
//!   or `(` between them;
//! - [`SQL_SELECT_FROM`]: `select`, later `from` followed by a word, where the token before
//!   `from` is neither `select` nor a comma (comments ignored);
//! - [`TAG`]: `<` or `</` and a dangerous tag name (`script`, `iframe`, `svg`, `img`…) ending
//!   at a non-alphanumeric byte or the end;
//! - [`EVENT`]: inside an open tag (`<` + letter, no `>` since), an attribute `on…=`;
//! - [`SCRIPT_URL`]: `javascript:` or `vbscript:`, tabs and newlines inside ignored (browsers
//!   drop them from URLs).
//!
//! One pass per test over the bytes; no allocation.

/// An SQL comment next to an SQL keyword.
pub(super) const SQL_COMMENT: u8 = 1;
/// `union select`.
pub(super) const SQL_UNION: u8 = 1 << 1;
/// `select … from word`.
pub(super) const SQL_SELECT_FROM: u8 = 1 << 2;
/// A dangerous HTML tag.
pub(super) const TAG: u8 = 1 << 3;
/// An event-handler attribute in an open tag.
pub(super) const EVENT: u8 = 1 << 4;
/// A `javascript:` or `vbscript:` URL.
pub(super) const SCRIPT_URL: u8 = 1 << 5;

const SQL_KEYWORDS: &[&str] = &[
    "union",
    "select",
    "from",
    "where",
    "and",
    "or",
    "xor",
    "not",
    "insert",
    "update",
    "delete",
    "drop",
    "exec",
    "execute",
    "sleep",
    "benchmark",
    "having",
    "order",
    "group",
    "by",
    "limit",
    "null",
    "waitfor",
    "delay",
    "into",
    "values",
    "table",
    "concat",
    "char",
    "case",
    "when",
    "then",
    "information_schema",
];

const TAGS: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "img", "image",
    "math", "body", "style", "link", "meta", "base", "form", "input", "video", "audio", "source",
    "details", "marquee", "isindex", "template", "xmp", "noscript", "textarea",
];

/// The structural features of `s`.
pub(super) fn features(s: &str) -> u8 {
    let b = s.as_bytes();
    let mut f = sql(b);
    if memchr::memchr(b'<', b).is_some() {
        f |= html(b);
    }
    if script_url(b) {
        f |= SCRIPT_URL;
    }
    f
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'s> {
    Word(&'s [u8]),
    Comment,
    Punct(u8),
}

/// The next token at or after `*i` (whitespace skipped), advancing `*i`. `unclosed` is set
/// once a `/*` has no `*/` after it: no later `/*` can have one, so the search is not
/// repeated (which would be quadratic on `/*/*/*…`).
fn next_token<'s>(b: &'s [u8], i: &mut usize, unclosed: &mut bool) -> Option<Tok<'s>> {
    while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
        *i += 1;
    }
    let start = *i;
    let c = *b.get(start)?;
    if c.is_ascii_alphanumeric() || c == b'_' {
        while b
            .get(*i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            *i += 1;
        }
        return Some(Tok::Word(b.get(start..*i).unwrap_or_default()));
    }
    if c == b'/' && b.get(start + 1) == Some(&b'*') && !*unclosed {
        let body = b.get(start + 2..).unwrap_or_default();
        match memchr::memmem::find(body, b"*/") {
            Some(end) => {
                *i = start + 2 + end + 2;
                return Some(Tok::Comment);
            }
            None => *unclosed = true,
        }
    }
    *i += 1;
    Some(Tok::Punct(c))
}

fn is_word(t: Option<Tok<'_>>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w.as_bytes()))
}

fn is_keyword(t: Option<Tok<'_>>) -> bool {
    let Some(Tok::Word(x)) = t else {
        return false;
    };
    SQL_KEYWORDS
        .iter()
        .any(|k| x.eq_ignore_ascii_case(k.as_bytes()))
}

/// The SQL features of `b`.
fn sql(b: &[u8]) -> u8 {
    let mut f = 0;
    let mut i = 0;
    // The last token that was not a comment, and whether comments followed it.
    let mut prev: Option<Tok<'_>> = None;
    let mut commented = false;
    let mut after_union = false;
    let mut in_select = false;
    let mut from_pending = false;
    let mut unclosed = false;
    while let Some(t) = next_token(b, &mut i, &mut unclosed) {
        if t == Tok::Comment {
            if is_keyword(prev) {
                f |= SQL_COMMENT;
            }
            commented = true;
            continue;
        }
        let cur = Some(t);
        if commented && is_keyword(cur) {
            f |= SQL_COMMENT;
        }
        if from_pending && matches!(t, Tok::Word(_)) {
            f |= SQL_SELECT_FROM;
        }
        from_pending = false;
        if is_word(cur, "select") {
            if after_union {
                f |= SQL_UNION;
            }
            in_select = true;
        } else if is_word(cur, "from")
            && in_select
            && !is_word(prev, "select")
            && prev != Some(Tok::Punct(b','))
        {
            from_pending = true;
        } else if t == Tok::Punct(b';') {
            in_select = false;
        }
        let keeps_union = is_word(cur, "all") || is_word(cur, "distinct") || t == Tok::Punct(b'(');
        after_union = is_word(cur, "union") || (after_union && keeps_union);
        prev = cur;
        commented = false;
    }
    f
}

/// The HTML features of `b`.
fn html(b: &[u8]) -> u8 {
    let mut f = 0;
    let mut in_tag = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'<' => {
                let at = if b.get(i + 1) == Some(&b'/') {
                    i + 2
                } else {
                    i + 1
                };
                in_tag = b.get(at).is_some_and(u8::is_ascii_alphabetic);
                let rest = b.get(at..).unwrap_or_default();
                let dangerous = TAGS.iter().any(|t| {
                    rest.get(..t.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(t.as_bytes()))
                        && !rest.get(t.len()).is_some_and(u8::is_ascii_alphanumeric)
                });
                if dangerous {
                    f |= TAG;
                }
            }
            b'>' => in_tag = false,
            b'o' | b'O' if in_tag && event_at(b, i) => f |= EVENT,
            _ => {}
        }
        i += 1;
    }
    f
}

/// True when an attribute `on<letters>…=` starts at `i`.
fn event_at(b: &[u8], i: usize) -> bool {
    let word_start = i == 0 || b.get(i - 1).is_some_and(|c| !c.is_ascii_alphanumeric());
    if !word_start || !b.get(i + 1).is_some_and(|c| c.eq_ignore_ascii_case(&b'n')) {
        return false;
    }
    let mut j = i + 2;
    while b.get(j).is_some_and(u8::is_ascii_alphabetic) {
        j += 1;
    }
    let letters = j - (i + 2);
    while b.get(j).is_some_and(u8::is_ascii_whitespace) {
        j += 1;
    }
    letters >= 2 && b.get(j) == Some(&b'=')
}

/// True when `b` holds `javascript:` or `vbscript:` (ASCII case-insensitive, tabs, CR and LF
/// inside skipped).
fn script_url(b: &[u8]) -> bool {
    const WORDS: [&[u8]; 2] = [b"javascript:", b"vbscript:"];
    (0..b.len()).any(|start| {
        WORDS.iter().any(|w| {
            let mut j = start;
            for &want in w.iter() {
                while matches!(b.get(j), Some(b'\t' | b'\n' | b'\r')) && j > start {
                    j += 1;
                }
                if !b.get(j).is_some_and(|c| c.eq_ignore_ascii_case(&want)) {
                    return false;
                }
                j += 1;
            }
            true
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_single_strings() {
        let cases: &[(&str, u8)] = &[
            ("hello world", 0),
            ("1/*,*/union/*,*/select 1", SQL_COMMENT | SQL_UNION),
            ("1 union all select 2", SQL_UNION),
            ("1 union,select 2", 0),
            ("select password from users", SQL_SELECT_FROM),
            ("select one,from the list", 0),
            ("select from", 0),
            ("docs/*,*/readme", 0),
            ("1 /*/*/* union/**/select", SQL_COMMENT | SQL_UNION),
            ("/*/*/*/*/*", 0),
            ("<script>", TAG),
            ("</SCRIPT >", TAG),
            ("<scr,ipt>", 0),
            ("<scripts>", 0),
            ("a < b", 0),
            ("<img src=x onerror=alert(1)>", TAG | EVENT),
            ("<img src=x>,onerror=alert(1)", TAG),
            ("<a href=x one=1>", 0),
            ("java\tscript:alert(1)", SCRIPT_URL),
            ("JavaScript:", SCRIPT_URL),
            ("java,script:", 0),
        ];
        for (s, want) in cases {
            assert_eq!(features(s), *want, "{s}");
        }
    }
}
