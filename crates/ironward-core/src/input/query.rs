//! Query strings and `application/x-www-form-urlencoded` bodies.
//!
//! Both are `name=value` pairs joined by `&`, form-decoded once (`+` → space, `%XX`; invalid
//! UTF-8 becomes U+FFFD), exactly what the application's framework sees. Each pair is kept in
//! `params` (duplicates in order, for parameter-pollution analysis); each non-empty name goes
//! to `qs_variables`/`post_variables` and each non-empty value to `qs_values`/`post_values`
//! with its name, plus their decoded variants. The pairs are split here (not by
//! `form_urlencoded::parse` over the whole input) so that once the input cap is reached the
//! rest is only counted, not decoded.

use super::extract::Sink;
use super::{Location, Param, ParamSource};
use crate::decode::Transforms;
use std::borrow::Cow;

/// Splits and form-decodes one `name=value` pair (a pair without `=` has an empty value).
pub fn decode_pair(pair: &[u8]) -> (Cow<'_, str>, Cow<'_, str>) {
    // Nothing to decode (no `%`, no `+`, valid UTF-8): both halves borrowed, as the decoder
    // would return them, without its passes.
    if memchr::memchr2(b'%', b'+', pair).is_none()
        && let Ok(text) = std::str::from_utf8(pair)
        && memchr::memchr(b'&', pair).is_none()
    {
        let (name, value) = text.split_once('=').unwrap_or((text, ""));
        return (Cow::Borrowed(name), Cow::Borrowed(value));
    }
    form_urlencoded::parse(pair)
        .next()
        .unwrap_or((Cow::Borrowed(""), Cow::Borrowed("")))
}

/// The non-empty `&`-separated pairs of a query string or form body.
pub fn pairs(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    input.split(|&b| b == b'&').filter(|p| !p.is_empty())
}

/// Extracts every pair of `input` into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, input: &'a [u8], source: ParamSource) {
    let (names, values) = match source {
        ParamSource::Query => (Location::QsVariables, Location::QsValues),
        ParamSource::Form | ParamSource::Multipart => {
            (Location::PostVariables, Location::PostValues)
        }
    };
    for pair in pairs(input) {
        if sink.full() && sink.out.params.len() >= sink.limits.max_inputs {
            // Count what is left out without decoding it: the param, its name and its value.
            let has_value = pair
                .iter()
                .position(|&b| b == b'=')
                .is_some_and(|i| i + 1 < pair.len());
            sink.dropped(2 + u32::from(has_value));
            continue;
        }
        let (name, value) = decode_pair(pair);
        sink.param(Param {
            source,
            name: name.clone(),
            value: value.clone(),
        });
        sink.value(names, None, name.clone(), Transforms::NONE, 0);
        let name = (!name.is_empty()).then_some(name);
        sink.value(values, name, value, Transforms::NONE, 0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::input::tests_support::{extract_query, items_at};

    #[test]
    fn pairs_are_form_decoded_once() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"a=b", "a", "b"),
            (b"a+b=c+d", "a b", "c d"),
            (b"a%20b=c%20d", "a b", "c d"),
            (b"x=%2541", "x", "%41"),
            (b"n%00=v%00", "n\0", "v\0"),
            (b"flag", "flag", ""),
            (b"=v", "", "v"),
            (b"a=b=c", "a", "b=c"),
            (b"bad=%zz%", "bad", "%zz%"),
            (b"u=%ff", "u", "\u{fffd}"),
        ];
        for (pair, n, v) in cases {
            let (name, value) = decode_pair(pair);
            assert_eq!(
                (&*name, &*value),
                (*n, *v),
                "{}",
                String::from_utf8_lossy(pair)
            );
        }
        assert!(matches!(
            decode_pair(b"plain=value"),
            (Cow::Borrowed(_), Cow::Borrowed(_))
        ));
    }

    proptest::proptest! {
        /// The fast path decodes as the form decoder does.
        #[test]
        fn fast_path_agrees_with_the_form_decoder(pair in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(b"a=b%+&\xc3\xa9 ".to_vec()),
                proptest::num::u8::ANY,
            ],
            0..16,
        )) {
            let slow = form_urlencoded::parse(&pair)
                .next()
                .unwrap_or((Cow::Borrowed(""), Cow::Borrowed("")));
            let fast = decode_pair(&pair);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn query_locations_and_params() {
        let inputs = extract_query("id=1&id=2&q=a+b&empty=&%00n=%00v&&x=%20");
        let params: Vec<(&str, &str)> = inputs
            .params
            .iter()
            .map(|p| (&*p.name, &*p.value))
            .collect();
        assert_eq!(
            params,
            [
                ("id", "1"),
                ("id", "2"),
                ("q", "a b"),
                ("empty", ""),
                ("\0n", "\0v"),
                ("x", " ")
            ]
        );
        assert!(inputs.params.iter().all(|p| p.source == ParamSource::Query));
        assert_eq!(
            items_at(&inputs, Location::QsVariables),
            ["id", "q", "empty", "\0n", "x"]
        );
        assert_eq!(
            items_at(&inputs, Location::QsValues),
            ["1", "2", "a b", "\0v", " "]
        );
        let named: Vec<_> = inputs
            .at(Location::QsValues)
            .map(|i| i.name.as_deref().unwrap_or("-"))
            .collect();
        assert_eq!(named, ["id", "id", "q", "\0n", "x"]);
    }
}
