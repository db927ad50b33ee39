//! XML well-formedness for the `format` check, with quick-xml's streaming reader.
//!
//! A body declared as XML must be one well-formed document: tags closed in order, attributes
//! well-formed and not repeated, exactly one root element, no text outside it, only the
//! predefined entities (`&lt;`…) and character references unless a DOCTYPE is present.
//! Problems are reported as `malformed xml: <detail>`. A DOCTYPE that declares entities or
//! refers to an external DTD is an attack, not a format problem: `code_injection` reports it
//! (engine `xxe`), at its own level.
//!
//! Work is bounded: nesting deeper than [`MAX_DEPTH`] is reported (`xml nesting too deep`);
//! after [`MAX_EVENTS`] events the rest of the document is not read. A body cut at
//! `MAX_BODY_BYTES` is not malformed for being cut: errors and unclosed elements are then
//! ignored (a DOCTYPE in the prefix is still reported). UTF-16 documents and documents that
//! are not UTF-8 (quick-xml reads UTF-8 only; `encoding="ISO-8859-1"`) are not judged.

use quick_xml::Error;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Deepest element nesting accepted.
pub(super) const MAX_DEPTH: usize = 256;

/// Most parser events read per document.
pub(super) const MAX_EVENTS: usize = 200_000;

/// Why `body` is not a well-formed XML document, if it is not.
pub(super) fn problem(body: &[u8], truncated: bool) -> Option<String> {
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return None;
    }
    let mut reader = Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let (mut depth, mut roots, mut doctype) = (0_usize, 0_usize, false);
    let malformed = |what: &str| Some(format!("malformed xml: {what}"));
    for _ in 0..MAX_EVENTS {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(Error::Encoding(_)) => return None,
            Err(_) if truncated => return None,
            Err(e) => return malformed(&e.to_string()),
        };
        match event {
            Event::Eof => {
                return if truncated {
                    None
                } else if depth > 0 {
                    malformed("unclosed element")
                } else if roots == 0 {
                    malformed("no root element")
                } else {
                    None
                };
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return malformed("more than one root element");
                    }
                }
                if let Some(Err(err)) = e.attributes().with_checks(true).find(Result::is_err) {
                    return malformed(&err.to_string());
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some("xml nesting too deep".to_owned());
                    }
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(ref t) if depth == 0 && !t.trim_ascii().is_empty() => {
                return malformed("text outside the root element");
            }
            Event::CData(_) if depth == 0 => return malformed("text outside the root element"),
            Event::GeneralRef(ref r) => {
                if depth == 0 {
                    return malformed("text outside the root element");
                }
                let predefined = ["lt", "gt", "amp", "apos", "quot"].contains(&&**r);
                if !doctype && !predefined && !r.is_char_ref() {
                    return malformed("undefined entity");
                }
            }
            Event::DocType(_) => {
                if roots > 0 || doctype {
                    return malformed("misplaced doctype");
                }
                doctype = true;
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents() {
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        let cases: &[(&str, Option<&str>)] = &[
            ("<a/>", None),
            (
                "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x</a>\n",
                None,
            ),
            (
                "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\
                 <soap:Body><m:Get xmlns:m=\"urn:x\" m:id='1'>&lt;ok&gt; &#233; &#x41;\
                 <![CDATA[<not><a>tag & stuff]]></m:Get></soap:Body></soap:Envelope>",
                None,
            ),
            ("<!-- c --><a><!-- d --><?pi x?></a><!-- e -->", None),
            ("<a><b></a></b>", Some("malformed xml")),
            ("<a>", Some("malformed xml: unclosed element")),
            (
                "<a/><b/>",
                Some("malformed xml: more than one root element"),
            ),
            (
                "<a/>text",
                Some("malformed xml: text outside the root element"),
            ),
            ("just text", Some("malformed xml")),
            ("<a x='1' x='2'/>", Some("malformed xml")),
            ("<a>&foo;</a>", Some("malformed xml: undefined entity")),
            ("<a>AT&T</a>", Some("malformed xml")),
            // Entity declarations and external DTDs are `code_injection`'s (`xxe`): the
            // documents are well-formed.
            (
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
                None,
            ),
            (
                "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><lolz>&lol2;</lolz>",
                None,
            ),
            ("<!DOCTYPE r SYSTEM \"http://evil/x.dtd\"><r/>", None),
            ("<r/><!DOCTYPE r>", Some("malformed xml: misplaced doctype")),
            ("<!DOCTYPE r><r/>", None),
            (&deep, Some("xml nesting too deep")),
        ];
        for (doc, want) in cases {
            let got = problem(doc.as_bytes(), false);
            match want {
                None => assert_eq!(got, None, "{doc}"),
                Some(w) => assert!(
                    got.as_deref().is_some_and(|g| g.starts_with(w)),
                    "{doc}: {got:?}"
                ),
            }
        }
    }

    #[test]
    fn truncated_documents_are_not_malformed() {
        assert_eq!(problem(b"<a><b>some te", true), None);
        assert!(problem(b"<a><b>some te", false).is_some());
        assert_eq!(
            problem(b"<!DOCTYPE r [<!ENTITY x 'y'>]><r><b>cut", true),
            None
        );
        assert_eq!(problem(b"<a>\xE9</a>", false), None);
    }
}
