//! The request path: each non-empty `/`-separated segment of the raw path, percent-decoded
//! once (no `+` decoding: that is a query convention), goes to `path` with its decoded
//! variants.
//!
//! The split is done on the raw path, before decoding, so that an encoded slash stays inside
//! its segment: `/files/..%2f..%2fetc%2fpasswd` gives the segment `../../etc/passwd`, which is
//! what a traversal detector must see whole.

use super::Location;
use super::extract::Sink;
use crate::decode::Transforms;
use std::borrow::Cow;

/// The non-empty segments of a raw path, each percent-decoded once (borrowed when it has no
/// escape; invalid UTF-8 becomes U+FFFD).
pub fn segments(path: &str) -> impl Iterator<Item = Cow<'_, str>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy())
}

/// Extracts the path segments into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, path: &'a str) {
    for seg in segments(path) {
        sink.value(Location::Path, None, seg, Transforms::NONE, 0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded_once() {
        let cases: &[(&str, &[&str])] = &[
            ("/", &[]),
            ("", &[]),
            ("/a/b/", &["a", "b"]),
            ("//a//b", &["a", "b"]),
            (
                "/files/..%2f..%2fetc%2fpasswd",
                &["files", "../../etc/passwd"],
            ),
            ("/a%252f", &["a%2f"]),
            ("/a+b/%20", &["a+b", " "]),
            ("/%zz/%/%f", &["%zz", "%", "%f"]),
            ("/%ff%00", &["\u{fffd}\0"]),
            ("/caf%C3%A9", &["café"]),
        ];
        for (path, want) in cases {
            let got: Vec<Cow<'_, str>> = segments(path).collect();
            assert_eq!(got, *want, "{path}");
        }
        assert!(segments("/plain/path").all(|s| matches!(s, Cow::Borrowed(_))));
    }
}
