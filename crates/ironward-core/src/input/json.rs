//! JSON: request bodies declared as JSON, and JSON objects or arrays found inside values.
//!
//! The document is walked by a serde visitor straight into the sink, without building a tree:
//! strings without escapes borrow from the body. Keys at every depth go to `json_keys`;
//! strings go to `json_values` with the key they belong to as their name. Numbers, `true`,
//! `false` and `null` are not extracted: they carry no text an attack could hide in (a number
//! is digits, a sign, a point and an exponent; no check fires on one), and a typical API body
//! is a third numbers — formatting, deduplicating and checking each one cost about a fifth of
//! the inspection of a 2 KB JSON body. Operator keys (`{"$ne": null}`) are keys and are still
//! seen by the NoSQL rules. Containers deeper than
//! `max_json_depth` are skipped (counted in `json_depth_exceeded`); serde_json itself refuses
//! more than 128 levels, which makes the document invalid rather than crashing.
//!
//! A document that fails to parse is rolled back entirely: nothing halfway is kept. A body
//! truncated by `max_body_bytes` cannot parse, so `scan_prefix` extracts the complete string
//! literals of the inspected prefix instead: the first MiB of a huge JSON body is still seen.
//! A malformed body (not truncated) gets the same treatment plus the whole text as one value,
//! and its `body_error` is kept for the `format` check.

use super::Location;
use super::extract::Sink;
use crate::decode::Transforms;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// True when `s`, trimmed, starts with `{` or `[` and ends with `}` or `]`: the cheap test
/// done before trying to parse a value as JSON.
pub fn looks_like_json(s: &str) -> bool {
    let t = s.trim_ascii().as_bytes();
    matches!(t.first(), Some(b'{' | b'[')) && matches!(t.last(), Some(b'}' | b']'))
}

/// Walks a whole JSON body. On failure nothing is kept and the error is returned.
pub(crate) fn body<'a>(sink: &mut Sink<'a, '_>, body: &'a [u8]) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    walk::<Borrow, _>(sink, &mut de, None, Transforms::NONE, 0)
        .map_err(|e| format!("invalid JSON: {e}"))
}

/// Walks a whole JSON body decoded from another charset (its strings are copied). On
/// failure nothing is kept and the error is returned.
pub(crate) fn body_owned(
    sink: &mut Sink<'_, '_>,
    text: &str,
    tf: Transforms,
) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    walk::<Own, _>(sink, &mut de, None, tf, 0).map_err(|e| format!("invalid JSON: {e}"))
}

/// Walks the JSON held by a value that borrows from the request (`depth` counts the
/// JSON-in-value decodings that led here). Nothing is kept when it does not parse.
pub(crate) fn in_borrowed<'a>(
    sink: &mut Sink<'a, '_>,
    s: &'a str,
    name: Option<Cow<'a, str>>,
    tf: Transforms,
    depth: usize,
) {
    let mut de = serde_json::Deserializer::from_str(s);
    let _ = walk::<Borrow, _>(sink, &mut de, name, tf, depth);
}

/// Like [`in_borrowed`] for a decoded value: its strings are copied.
pub(crate) fn in_owned<'a>(
    sink: &mut Sink<'a, '_>,
    s: &str,
    name: Option<Cow<'a, str>>,
    tf: Transforms,
    depth: usize,
) {
    let mut de = serde_json::Deserializer::from_str(s);
    let _ = walk::<Own, _>(sink, &mut de, name, tf, depth);
}

/// Parses one document from `de` into the sink, rolling back on any error.
fn walk<'de, 'a, L: Lift<'de, 'a>, R: serde_json::de::Read<'de>>(
    sink: &mut Sink<'a, '_>,
    de: &mut serde_json::Deserializer<R>,
    name: Option<Cow<'a, str>>,
    tf: Transforms,
    depth: usize,
) -> Result<(), serde_json::Error> {
    let mark = sink.mark();
    let node = Node::<L> {
        sink: &mut *sink,
        name,
        level: 1,
        tf,
        depth,
        lift: PhantomData,
    };
    let result = node.deserialize(&mut *de).and_then(|()| de.end());
    if result.is_err() {
        sink.rollback(mark);
    }
    result
}

/// Extracts the complete string literals of a truncated JSON body (keys to `json_keys`, the
/// rest to `json_values`). Bounded by the prefix length and the input cap.
pub(crate) fn scan_prefix<'a>(sink: &mut Sink<'a, '_>, prefix: &'a [u8]) {
    for lit in string_literals(prefix) {
        let loc = if lit.is_key {
            Location::JsonKeys
        } else {
            Location::JsonValues
        };
        if sink.full() {
            sink.dropped(1);
            continue;
        }
        sink.value(loc, None, lit.text(), Transforms::NONE, 0);
    }
}

/// A complete string literal found by [`string_literals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Literal<'a> {
    /// The bytes between the quotes, escapes undecoded.
    pub raw: &'a [u8],
    /// True when a backslash occurs in it.
    pub escaped: bool,
    /// True when the next non-space byte after it is `:`.
    pub is_key: bool,
}

impl<'a> Literal<'a> {
    /// The literal's text: borrowed when it has no escape and is UTF-8, JSON-unescaped
    /// otherwise (a bad escape leaves the raw text, invalid UTF-8 becomes U+FFFD).
    pub fn text(&self) -> Cow<'a, str> {
        if !self.escaped {
            return String::from_utf8_lossy(self.raw);
        }
        let mut quoted = Vec::with_capacity(self.raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(self.raw);
        quoted.push(b'"');
        match serde_json::from_slice::<String>(&quoted) {
            Ok(s) => Cow::Owned(s),
            Err(_) => Cow::Owned(String::from_utf8_lossy(self.raw).into_owned()),
        }
    }
}

/// The complete string literals of a JSON prefix, in order, tracked from its first byte. An
/// unterminated last literal is left out.
pub fn string_literals(prefix: &[u8]) -> impl Iterator<Item = Literal<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = prefix.get(pos..)?;
        let open = pos + memchr::memchr(b'"', rest)? + 1;
        let mut i = open;
        let mut escaped = false;
        loop {
            let at = i + memchr::memchr2(b'"', b'\\', prefix.get(i..)?)?;
            if prefix.get(at) == Some(&b'\\') {
                escaped = true;
                i = at + 2;
                continue;
            }
            pos = at + 1;
            let raw = prefix.get(open..at)?;
            let next = prefix.get(pos..)?.iter().find(|b| !b.is_ascii_whitespace());
            return Some(Literal {
                raw,
                escaped,
                is_key: next == Some(&b':'),
            });
        }
    })
}

/// How strings coming out of the deserializer become `Cow<'a, str>`.
trait Lift<'de, 'a> {
    /// Converts a string the deserializer lent for `'de`.
    fn lift(s: &'de str) -> Cow<'a, str>;
}

/// Borrows strings from the document (which lives as long as the request).
struct Borrow;
impl<'a> Lift<'a, 'a> for Borrow {
    fn lift(s: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(s)
    }
}

/// Copies strings (the document is a decoded value that does not outlive extraction).
struct Own;
impl<'de, 'a> Lift<'de, 'a> for Own {
    fn lift(s: &'de str) -> Cow<'a, str> {
        Cow::Owned(s.to_owned())
    }
}

/// One JSON value being visited: the key it belongs to and its container level.
struct Node<'s, 'a, 'o, L> {
    sink: &'s mut Sink<'a, 'o>,
    name: Option<Cow<'a, str>>,
    /// The level this value has if it is a container (1 for the root).
    level: usize,
    tf: Transforms,
    depth: usize,
    lift: PhantomData<L>,
}

impl<'s, 'a, 'o, L> Node<'s, 'a, 'o, L> {
    fn child<'t>(&'t mut self, name: Option<Cow<'a, str>>) -> Node<'t, 'a, 'o, L> {
        Node {
            sink: self.sink,
            name,
            level: self.level + 1,
            tf: self.tf,
            depth: self.depth,
            lift: PhantomData,
        }
    }

    /// True (and counted) when this container is too deep to walk.
    fn too_deep(&mut self) -> bool {
        if self.level <= self.sink.limits.max_json_depth {
            return false;
        }
        let c = &mut self.sink.out.limits.json_depth_exceeded;
        *c = c.saturating_add(1);
        true
    }

    fn string(self, s: Cow<'a, str>) {
        if s.is_empty() {
            return;
        }
        self.sink
            .value(Location::JsonValues, self.name, s, self.tf, self.depth);
    }
}

impl<'de, 'a, L: Lift<'de, 'a>> DeserializeSeed<'de> for Node<'_, 'a, '_, L> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'a, L: Lift<'de, 'a>> de::Visitor<'de> for Node<'_, 'a, '_, L> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    // Numbers, booleans and null: not extracted (see the module docs).
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.string(L::lift(v));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.string(Cow::Owned(v.to_owned()));
        Ok(())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.string(Cow::Owned(v));
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        if self.too_deep() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        loop {
            let name = self.name.clone();
            if seq.next_element_seed(self.child(name))?.is_none() {
                return Ok(());
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.too_deep() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while let Some(key) = map.next_key_seed(Key::<'a, L>(PhantomData))? {
            if !key.is_empty() {
                let (tf, depth) = (self.tf, self.depth);
                self.sink
                    .value(Location::JsonKeys, None, key.clone(), tf, depth);
            }
            map.next_value_seed(self.child(Some(key)))?;
        }
        Ok(())
    }
}

/// Reads an object key as a string, borrowed when `L` allows.
struct Key<'a, L>(PhantomData<(&'a (), L)>);

impl<'de, 'a, L: Lift<'de, 'a>> DeserializeSeed<'de> for Key<'a, L> {
    type Value = Cow<'a, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'a, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'a, L: Lift<'de, 'a>> de::Visitor<'de> for Key<'a, L> {
    type Value = Cow<'a, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'a, str>, E> {
        Ok(L::lift(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn looks_like_json_is_cheap_and_strict() {
        for (s, want) in [
            ("{}", true),
            (" [1] ", true),
            ("{\"a\":1", false),
            ("x{}", false),
            ("", false),
            ("[", false),
        ] {
            assert_eq!(looks_like_json(s), want, "{s}");
        }
    }

    #[test]
    fn literals_of_a_prefix() {
        type Case<'c> = (&'c [u8], &'c [(&'c str, bool)]);
        let cases: &[Case<'_>] = &[
            (
                br#"{"a": "b", "c" : ["d\"e", 1], "unterminated"#,
                &[("a", true), ("b", false), ("c", true), ("d\"e", false)],
            ),
            (
                br#""\u00e9\n" "bad\q""#,
                &[("\u{e9}\n", false), ("bad\\q", false)],
            ),
            (b"\"\\", &[]),
            (b"", &[]),
            (b"\"\xff\"", &[("\u{fffd}", false)]),
        ];
        for (input, want) in cases {
            let got: Vec<(String, bool)> = string_literals(input)
                .map(|l| (l.text().into_owned(), l.is_key))
                .collect();
            let want: Vec<(String, bool)> =
                want.iter().map(|(s, k)| ((*s).to_owned(), *k)).collect();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(input));
        }
    }
}
