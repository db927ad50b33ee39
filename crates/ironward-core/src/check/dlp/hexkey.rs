//! Password hashes as hex digests: a run of exactly 32, 40, 56, 64, 96 or 128 hex digits (MD5
//! to SHA-512) that is the value of a password key: `"password_hash": "<hex>"`,
//! `pwd=<hex>`, `Hash: <hex>`.
//!
//! A bare hex run is never enough: dashless UUIDs, request ids, ETags, commit ids and file
//! checksums are hex too (pyrasp reported all of them). Integrity keys (`checksum`, `sha256`,
//! `etag`, `digest`, `file_hash`, `commit`…) are not password keys: file and commit digests
//! are public. Matched by hand around the anchor (`assw`, `pwd`, `hash`…): no regex runs on
//! the many `password` words of login pages.

/// Longest key read around an anchor.
const MAX_KEY: usize = 64;

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The password hash whose key holds the anchor hit at `start..end`, if any.
pub(crate) fn find(body: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let mut ks = start;
    while ks > 0 && start - ks < MAX_KEY && body.get(ks - 1).is_some_and(|b| is_key_byte(*b)) {
        ks -= 1;
    }
    let mut ke = end;
    while ke - end < MAX_KEY && body.get(ke).is_some_and(|b| is_key_byte(*b)) {
        ke += 1;
    }
    // `"key"  :  "value"`, `key=value`, `key: value`.
    let mut p = ke;
    let at = |p: usize| body.get(p).copied();
    if matches!(at(p), Some(b'"' | b'\'')) {
        p += 1;
    }
    let skip_blanks = |mut p: usize| {
        let s = p;
        while p - s < 4 && matches!(at(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        p
    };
    p = skip_blanks(p);
    if !matches!(at(p), Some(b':' | b'=')) {
        return None;
    }
    p = skip_blanks(p + 1);
    if matches!(at(p), Some(b'"' | b'\'')) {
        p += 1;
    }
    if !at(p).is_some_and(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hex = body
        .get(p..)?
        .iter()
        .take(129)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let after = at(p + hex);
    if !is_password_key(body.get(ks..ke)?) {
        return None;
    }
    let bounded = !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    (matches!(hex, 32 | 40 | 56 | 64 | 96 | 128) && bounded).then_some((ks, p + hex))
}

/// True when a key names a password (`password`, `passwd`, `pwd`, `*pass*`, `hash`,
/// `nt_hash`…), so that a hex digest as its value is a password hash.
pub(crate) fn is_password_key(key: &[u8]) -> bool {
    let mut lower = [0u8; MAX_KEY * 2 + 8];
    let n = key.len().min(lower.len());
    for (d, s) in lower.iter_mut().zip(key.iter().take(n)) {
        *d = s.to_ascii_lowercase();
    }
    let k = lower.get(..n).unwrap_or_default();
    let has = |needle: &[u8]| memchr::memmem::find(k, needle).is_some();
    if has(b"passport") {
        return false;
    }
    if has(b"pass") || has(b"pwd") {
        return true;
    }
    matches!(
        k,
        b"hash"
            | b"hashed"
            | b"pw_hash"
            | b"pwhash"
            | b"nthash"
            | b"nt_hash"
            | b"lmhash"
            | b"lm_hash"
            | b"ntlm"
            | b"ntlm_hash"
            | b"user_hash"
            | b"userhash"
    )
}
