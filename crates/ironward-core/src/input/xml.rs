//! XML request bodies (`text/xml`, `application/xml`, `+xml`): the text an XML parser hands the
//! application — each element's text (CDATA included) and each attribute value — becomes a
//! `post_values` input named after its element or attribute (local name, prefix dropped).
//!
//! quick-xml's streaming reader walks the document once. Entity and character references are
//! kept as written (`&lt;`) in the extracted text; the sink's decoded variants resolve them, as
//! for any value. Work is bounded by [`MAX_EVENTS`] and the sink's input cap. A document that
//! stops parsing (malformed, or cut at `MAX_BODY_BYTES`) keeps what was read; when it is not
//! cut, its whole text is inspected too, as for any text body (the `format` check judges its
//! well-formedness).

use super::Location;
use super::extract::Sink;
use crate::decode::Transforms;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::borrow::Cow;

/// Most parser events read per document.
pub(super) const MAX_EVENTS: usize = 200_000;

/// Extracts the text and attribute values of an XML body. Returns false when the document
/// did not parse to its end.
pub(crate) fn extract(sink: &mut Sink<'_, '_>, body: &[u8]) -> bool {
    let mut reader = Reader::from_reader(body);
    let mut text = String::new();
    let mut element: Option<String> = None;
    let flush = |sink: &mut Sink<'_, '_>, text: &mut String, element: &Option<String>| {
        if !text.trim().is_empty() {
            let name = element.clone().map(Cow::Owned);
            sink.value(
                Location::PostValues,
                name,
                Cow::Owned(std::mem::take(text)),
                Transforms::NONE,
                0,
            );
        }
        text.clear();
    };
    for _ in 0..MAX_EVENTS {
        if sink.full() {
            return true;
        }
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                flush(sink, &mut text, &element);
                element = Some(e.local_name().as_ref().to_owned());
                for attr in e.attributes().flatten() {
                    if attr.key.as_ref().starts_with("xmlns") {
                        continue;
                    }
                    let value = attr.value.into_owned();
                    if value.trim().is_empty() {
                        continue;
                    }
                    let name = attr.key.local_name().as_ref().to_owned();
                    sink.value(
                        Location::PostValues,
                        Some(Cow::Owned(name)),
                        Cow::Owned(value),
                        Transforms::NONE,
                        0,
                    );
                }
            }
            Ok(Event::End(_)) => flush(sink, &mut text, &element),
            Ok(Event::Text(t)) => text.push_str(&t),
            Ok(Event::CData(c)) => text.push_str(&c),
            Ok(Event::GeneralRef(r)) => {
                text.push('&');
                text.push_str(&r);
                text.push(';');
            }
            Ok(Event::Eof) => {
                flush(sink, &mut text, &element);
                return true;
            }
            Ok(_) => {}
            Err(_) => {
                flush(sink, &mut text, &element);
                return false;
            }
        }
    }
    flush(sink, &mut text, &element);
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::input::Location;
    use crate::input::tests_support::run;
    use crate::request::{Headers, Request};

    #[test]
    fn text_and_attributes() {
        let body = br#"<?xml version="1.0"?><s:Envelope xmlns:s="urn:s"><s:Body><GetUser id="1' OR '1'='1"><name>&lt;script&gt;alert(1)&lt;/script&gt;</name><q><![CDATA[1' UNION SELECT x]]></q></GetUser></s:Body></s:Envelope>"#;
        let mut h = Headers::new();
        h.push("Content-Type", b"application/soap+xml");
        let inputs = run(&Request::new("POST", "/ws").with_headers(h).with_body(body));
        let got: Vec<(&str, &str)> = inputs
            .at(Location::PostValues)
            .filter(|i| i.transforms.is_empty())
            .map(|i| (i.name.as_deref().unwrap_or("-"), &*i.value))
            .collect();
        assert!(got.contains(&("id", "1' OR '1'='1")), "{got:?}");
        assert!(
            got.contains(&("name", "&lt;script&gt;alert(1)&lt;/script&gt;")),
            "{got:?}"
        );
        assert!(got.contains(&("q", "1' UNION SELECT x")), "{got:?}");
        assert!(!got.iter().any(|(_, v)| *v == "urn:s"), "{got:?}");
        // The entity references are resolved in a variant.
        assert!(
            inputs
                .at(Location::PostValues)
                .any(|i| i.value == "<script>alert(1)</script>")
        );
    }
}
