//! The scan-and-replace loop shared by the text decoders (HTML references, backslash escapes):
//! jump from one marker byte (`&`, `\`) to the next with `memchr`, let the decoder recognise a
//! sequence there, and copy the text in between. Nothing is allocated until the first sequence
//! is actually decoded, so a value with markers but no sequence (`AT&T`, `C:\Users`) stays
//! borrowed.

use std::borrow::Cow;

/// Rewrites `s`, replacing every sequence that starts at a `marker` byte and that `decode_at`
/// recognises. `decode_at(at)` returns what the sequence at byte `at` decodes to and how many
/// bytes it spans (at least 1); `push` appends a decoded item to the output. A marker that
/// starts no sequence is kept, and scanning resumes at the next byte.
pub(crate) fn rewrite<'s, D>(
    s: &'s str,
    marker: u8,
    mut decode_at: impl FnMut(usize) -> Option<(D, usize)>,
    mut push: impl FnMut(&mut String, D),
) -> Cow<'s, str> {
    let bytes = s.as_bytes();
    let Some(first) = memchr::memchr(marker, bytes) else {
        return Cow::Borrowed(s);
    };
    let mut out: Option<String> = None;
    // Bytes before `copied_up_to` are already in `out` (or need no change).
    let mut copied_up_to = 0;
    let mut at = first;
    loop {
        if let Some((decoded, used)) = decode_at(at) {
            let buffer = out.get_or_insert_with(|| String::with_capacity(s.len()));
            buffer.push_str(s.get(copied_up_to..at).unwrap_or_default());
            push(buffer, decoded);
            at += used.max(1);
            copied_up_to = at;
        } else {
            at += 1;
        }
        match memchr::memchr(marker, bytes.get(at..).unwrap_or_default()) {
            Some(offset) => at += offset,
            None => break,
        }
    }
    match out {
        Some(mut buffer) => {
            buffer.push_str(s.get(copied_up_to..).unwrap_or_default());
            Cow::Owned(buffer)
        }
        None => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn star_to_x(s: &str) -> Cow<'_, str> {
        rewrite(
            s,
            b'*',
            |at| (s.as_bytes().get(at + 1) == Some(&b'*')).then_some(('x', 2)),
            |b, c| b.push(c),
        )
    }

    #[test]
    fn replaces_only_recognised_sequences() {
        assert!(matches!(star_to_x("plain"), Cow::Borrowed("plain")));
        assert!(matches!(star_to_x("a*b"), Cow::Borrowed("a*b")));
        assert_eq!(star_to_x("a**b***c"), "axbx*c");
        assert_eq!(star_to_x("**"), "x");
    }
}
