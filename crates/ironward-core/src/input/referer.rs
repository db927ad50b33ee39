//! The `Referer` header: the raw value goes to `referer`, and so do the parts of its URL a
//! payload can hide in: the percent-decoded path, each decoded path segment, the decoded
//! fragment, and the form-decoded query names and values. The sink's deduplication keeps each
//! distinct value once.
//!
//! The URL is split by hand (scheme and authority skipped, then `#`, then `?`): a full URL
//! parser would reject the malformed referers attackers send, which are the interesting ones.

use super::Location;
use super::extract::Sink;
use super::path;
use super::query;
use crate::decode::Transforms;
use std::borrow::Cow;

/// The parts of a URL, undecoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlParts<'a> {
    /// The path (after the authority, before `?` and `#`).
    pub path: &'a str,
    /// The query, without `?`.
    pub query: &'a str,
    /// The fragment, without `#`.
    pub fragment: &'a str,
}

/// Splits a URL (absolute, scheme-relative or relative) into path, query and fragment.
pub fn split_url(url: &str) -> UrlParts<'_> {
    let url = url.trim();
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (target, query) = rest.split_once('?').unwrap_or((rest, ""));
    let after_scheme = match target.find("://") {
        Some(i)
            if target[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            Some(&target[i + 3..])
        }
        _ => target.strip_prefix("//"),
    };
    let path = match after_scheme {
        Some(a) => a.find('/').map_or("", |i| &a[i..]),
        None => target,
    };
    UrlParts {
        path,
        query,
        fragment,
    }
}

/// Extracts one `Referer` header value into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, value: Cow<'a, str>) {
    match value {
        Cow::Borrowed(v) => {
            sink.value(
                Location::Referer,
                None,
                Cow::Borrowed(v),
                Transforms::NONE,
                0,
            );
            parts(sink, v, Cow::Borrowed);
        }
        Cow::Owned(v) => {
            sink.value(
                Location::Referer,
                None,
                Cow::Owned(v.clone()),
                Transforms::NONE,
                0,
            );
            parts(sink, &v, |s| Cow::Owned(s.to_owned()));
        }
    }
}

/// Adds the URL parts of `v`; `keep` turns a slice of `v` into a value for the sink.
fn parts<'a, 'v>(sink: &mut Sink<'a, '_>, v: &'v str, keep: impl Fn(&'v str) -> Cow<'a, str>) {
    let u = split_url(v);
    let own = |c: Cow<'v, str>| match c {
        Cow::Borrowed(s) => keep(s),
        Cow::Owned(s) => Cow::Owned(s),
    };
    let add = |sink: &mut Sink<'a, '_>, name: Option<Cow<'a, str>>, c: Cow<'a, str>| {
        sink.value(Location::Referer, name, c, Transforms::NONE, 0);
    };
    add(
        sink,
        None,
        own(percent_encoding::percent_decode_str(u.path).decode_utf8_lossy()),
    );
    for seg in path::segments(u.path) {
        add(sink, None, own(seg));
    }
    add(
        sink,
        None,
        own(percent_encoding::percent_decode_str(u.fragment).decode_utf8_lossy()),
    );
    for pair in query::pairs(u.query.as_bytes()) {
        if sink.full() {
            sink.dropped(1);
            continue;
        }
        let (name, value) = query::decode_pair(pair);
        let name = own(name);
        add(sink, None, name.clone());
        add(sink, (!name.is_empty()).then_some(name), own(value));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("https://ex.com/a/b?x=1#frag", "/a/b", "x=1", "frag"),
            ("https://ex.com", "", "", ""),
            ("https://ex.com?q=1", "", "q=1", ""),
            ("//ex.com/p", "/p", "", ""),
            ("/rel/path?x", "/rel/path", "x", ""),
            ("not a url", "not a url", "", ""),
            ("http://h/p?u=http://x/y#f#g", "/p", "u=http://x/y", "f#g"),
            ("javascript:alert(1)", "javascript:alert(1)", "", ""),
            ("", "", "", ""),
        ];
        for (url, p, q, f) in cases {
            assert_eq!(
                split_url(url),
                UrlParts {
                    path: p,
                    query: q,
                    fragment: f
                },
                "{url}"
            );
        }
    }
}
