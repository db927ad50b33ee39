//! gRPC and protobuf request bodies, read without a schema: the string fields of the messages
//! become `post_values`, named after their field number path (`1.3`).
//!
//! A gRPC body (`application/grpc`, `application/grpc+proto`, `application/grpc-web`…) is a
//! sequence of frames: a flag byte (bit 0: compressed), a 4-byte big-endian length and the
//! message. A frame compressed with `gzip` or `deflate` (`grpc-encoding`) is inflated within the
//! body limit; other compressions are left out. A plain protobuf body
//! (`application/x-protobuf`, `application/protobuf`, `application/vnd.google.protobuf`) is one
//! message.
//!
//! The wire format says which fields are length-delimited but not whether one holds text,
//! bytes or a nested message. A length-delimited field that is UTF-8 text (no control bytes
//! but tab, CR and LF) is a string value; otherwise, when it parses as a whole message, it is
//! walked as one (at most [`MAX_DEPTH`] levels). Varints and fixed-width numbers carry no
//! text and are skipped. The walk is linear in the body and never allocates more than the
//! field names; a malformed message stops the walk of that message, keeping what was found.

use super::Location;
use super::extract::Sink;
use crate::decode::Transforms;
use std::borrow::Cow;
use std::io::Read;

/// Deepest nesting of messages walked.
pub const MAX_DEPTH: usize = 16;

/// How a body's media type frames protobuf messages, if it carries any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// gRPC length-prefixed frames.
    Grpc,
    /// One bare message.
    Message,
}

impl Framing {
    /// The framing of a media type (`type/subtype`, any case), if it is a protobuf one.
    pub fn of(media_type: &str) -> Option<Framing> {
        let m = media_type.trim().to_ascii_lowercase();
        if m == "application/grpc-web-text" || m.starts_with("application/grpc-web-text+") {
            // Base64 text frames: not read (left out, see docs/pipeline.md).
            None
        } else if m.starts_with("application/grpc") {
            Some(Framing::Grpc)
        } else if matches!(
            m.as_str(),
            "application/x-protobuf"
                | "application/protobuf"
                | "application/x-google-protobuf"
                | "application/vnd.google.protobuf"
                | "application/octet-stream+protobuf"
        ) {
            Some(Framing::Message)
        } else {
            None
        }
    }
}

/// Extracts the string fields of a protobuf body. `encoding` is the `grpc-encoding` header.
pub(crate) fn extract<'a>(
    sink: &mut Sink<'a, '_>,
    body: &'a [u8],
    framing: Framing,
    encoding: Option<&str>,
) {
    match framing {
        Framing::Message => message(sink, body, &mut String::new(), 0),
        Framing::Grpc => {
            let mut rest = body;
            while let [flag, l0, l1, l2, l3, tail @ ..] = rest {
                let len =
                    usize::try_from(u32::from_be_bytes([*l0, *l1, *l2, *l3])).unwrap_or(usize::MAX);
                let frame = tail.get(..len).unwrap_or(tail);
                if flag & 1 == 0 {
                    message(sink, frame, &mut String::new(), 0);
                } else if let Some(inflated) = inflate(frame, encoding, sink.limits.max_body_bytes)
                {
                    owned_message(sink, &inflated);
                }
                rest = tail.get(len..).unwrap_or_default();
            }
        }
    }
}

/// A compressed gRPC frame inflated (gzip or deflate), at most `max` bytes.
fn inflate(frame: &[u8], encoding: Option<&str>, max: usize) -> Option<Vec<u8>> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let mut out = Vec::new();
    let enc = encoding.map(str::trim).unwrap_or("gzip");
    let read = if enc.eq_ignore_ascii_case("gzip") {
        flate2::read::GzDecoder::new(frame)
            .take(limit)
            .read_to_end(&mut out)
    } else if enc.eq_ignore_ascii_case("deflate") {
        flate2::read::ZlibDecoder::new(frame)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        return None;
    };
    read.ok().map(|_| out)
}

/// Walks a message decoded from a compressed frame: its strings are copied.
fn owned_message(sink: &mut Sink<'_, '_>, msg: &[u8]) {
    let mut found: Vec<(String, String)> = Vec::new();
    walk(msg, &mut String::new(), 0, &mut |path, text| {
        found.push((path.to_owned(), text.to_owned()));
    });
    for (path, text) in found {
        sink.value(
            Location::PostValues,
            Some(Cow::Owned(path)),
            Cow::Owned(text),
            Transforms::NONE,
            0,
        );
    }
}

/// Walks a message that borrows from the body.
fn message<'a>(sink: &mut Sink<'a, '_>, msg: &'a [u8], path: &mut String, depth: usize) {
    walk(msg, path, depth, &mut |path, text| {
        sink.value(
            Location::PostValues,
            Some(Cow::Owned(path.to_owned())),
            Cow::Borrowed(text),
            Transforms::NONE,
            0,
        );
    });
}

/// Calls `f(field path, text)` for every string field of `msg`, depth first.
fn walk<'m>(msg: &'m [u8], path: &mut String, depth: usize, f: &mut dyn FnMut(&str, &'m str)) {
    let mut rest = msg;
    while !rest.is_empty() {
        let Some((key, after)) = varint(rest) else {
            return;
        };
        rest = after;
        let field = key >> 3;
        let skip = match key & 7 {
            0 => match varint(rest) {
                Some((_, after)) => {
                    rest = after;
                    continue;
                }
                None => return,
            },
            1 => 8,
            5 => 4,
            2 => {
                let Some((len, after)) = varint(rest) else {
                    return;
                };
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                let Some(bytes) = after.get(..len) else {
                    return;
                };
                rest = after.get(len..).unwrap_or_default();
                let mark = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&field.to_string());
                match text(bytes) {
                    Some(t) if !t.is_empty() => f(path, t),
                    Some(_) => {}
                    None if depth + 1 < MAX_DEPTH && is_message(bytes) => {
                        walk(bytes, path, depth + 1, f);
                    }
                    None => {}
                }
                path.truncate(mark);
                continue;
            }
            // Groups (3, 4) are deprecated and carry no length: stop at them.
            _ => return,
        };
        match rest.get(skip..) {
            Some(after) => rest = after,
            None => return,
        }
    }
}

/// The bytes as text when they are UTF-8 without control bytes other than tab, CR and LF.
fn text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    s.bytes()
        .all(|b| (b >= 0x20 && b != 0x7F) || matches!(b, b'\t' | b'\n' | b'\r'))
        .then_some(s)
}

/// True when the bytes parse as a whole message (every field well-formed to the end).
fn is_message(mut rest: &[u8]) -> bool {
    while !rest.is_empty() {
        let Some((key, after)) = varint(rest) else {
            return false;
        };
        if key >> 3 == 0 {
            return false;
        }
        let skip = match key & 7 {
            0 => match varint(after) {
                Some((_, a)) => {
                    rest = a;
                    continue;
                }
                None => return false,
            },
            1 => Some(8),
            5 => Some(4),
            2 => varint(after).and_then(|(len, a)| {
                let len = usize::try_from(len).ok()?;
                let used = after.len() - a.len();
                used.checked_add(len)
            }),
            _ => None,
        };
        match skip.and_then(|n| after.get(n..)) {
            Some(a) => rest = a,
            None => return false,
        }
    }
    true
}

/// A base-128 varint and what follows it; `None` when cut or longer than 10 bytes.
fn varint(b: &[u8]) -> Option<(u64, &[u8])> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, b.get(i + 1..).unwrap_or_default()));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A length-delimited field.
    fn ld(field: u8, bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![field << 3 | 2, u8::try_from(bytes.len()).unwrap()];
        v.extend_from_slice(bytes);
        v
    }

    fn strings(msg: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        walk(msg, &mut String::new(), 0, &mut |p, t| {
            out.push((p.to_owned(), t.to_owned()))
        });
        out
    }

    #[test]
    fn strings_and_nested_messages() {
        let inner = [ld(2, b"1' UNION SELECT x"), vec![3 << 3, 0x96, 0x01]].concat();
        let msg = [
            ld(1, b"hello"),
            vec![2 << 3 | 1, 1, 2, 3, 4, 5, 6, 7, 8],
            ld(4, &inner),
            vec![5 << 3 | 5, 1, 2, 3, 4],
            ld(6, b"\x00\x01binary"),
        ]
        .concat();
        assert_eq!(
            strings(&msg),
            [
                ("1".to_owned(), "hello".to_owned()),
                ("4.2".to_owned(), "1' UNION SELECT x".to_owned())
            ]
        );
    }

    #[test]
    fn malformed_messages_stop_quietly() {
        for msg in [
            &[0x0A, 0x10, b'a'][..],
            &[0xFF; 12],
            &[0x0B],
            &[0x08],
            &[
                0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            ],
        ] {
            let _ = strings(msg);
        }
    }

    #[test]
    fn framings() {
        assert_eq!(Framing::of("application/grpc"), Some(Framing::Grpc));
        assert_eq!(Framing::of("Application/GRPC+proto"), Some(Framing::Grpc));
        assert_eq!(
            Framing::of("application/grpc-web+proto"),
            Some(Framing::Grpc)
        );
        assert_eq!(Framing::of("application/grpc-web-text"), None);
        assert_eq!(
            Framing::of("application/x-protobuf"),
            Some(Framing::Message)
        );
        assert_eq!(Framing::of("application/json"), None);
    }
}
