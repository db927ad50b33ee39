//! Compressed request bodies. With actix-web's `compress-*` features (on by default), its
//! extractors (`Bytes`, `String`, `Json`, `Form`, `web::Payload`) inflate a body whose first
//! `Content-Encoding` header is `gzip`, `deflate` (zlib) or `br`: the application reads the
//! inflated bytes, so those are what the engine gets — up to one byte past `MAX_BODY_BYTES`,
//! so a bomb costs the cap. Other codings (`zstd`, lists such as `gzip, br`) are handed over
//! as sent; so is a body that does not decode (actix answers it 400).

use std::io::Read;

use actix_web::http::header::{CONTENT_ENCODING, HeaderMap};

/// A coding actix-web inflates and the middleware can too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
}

/// The coding of the first `Content-Encoding` header, read as actix-web reads it (one token).
fn coding(headers: &HeaderMap) -> Option<Coding> {
    let v = headers.get(CONTENT_ENCODING)?.to_str().ok()?.trim();
    if v.eq_ignore_ascii_case("gzip") || v.eq_ignore_ascii_case("x-gzip") {
        Some(Coding::Gzip)
    } else if v.eq_ignore_ascii_case("deflate") {
        Some(Coding::Deflate)
    } else if v.eq_ignore_ascii_case("br") {
        Some(Coding::Brotli)
    } else {
        None
    }
}

/// The inflated form of a compressed body: at most `limit` bytes (more means the body is
/// longer than that). `None` when the body is not compressed with a coding handled here, or
/// does not decode.
pub(crate) fn inflate(headers: &HeaderMap, data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let coding = coding(headers)?;
    if data.is_empty() {
        return None;
    }
    let reader: Box<dyn Read + '_> = match coding {
        Coding::Gzip => Box::new(flate2::read::GzDecoder::new(data)),
        Coding::Deflate => Box::new(flate2::read::ZlibDecoder::new(data)),
        Coding::Brotli => Box::new(brotli_decompressor::Decompressor::new(data, 4096)),
    };
    let mut out = Vec::new();
    let read = reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX))
        .read_to_end(&mut out);
    // A truncated stream (a body cut at the cap) ends in an error after the bytes it held:
    // keep those when there are some.
    (read.is_ok() || !out.is_empty()).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn headers(coding: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
        h
    }

    #[test]
    fn gzip_and_deflate_bodies_are_inflated_within_the_limit() {
        let body = gzip(b"q=1' UNION SELECT");
        assert_eq!(
            inflate(&headers("gzip"), &body, 100).as_deref(),
            Some(&b"q=1' UNION SELECT"[..])
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"abc").unwrap();
        let z = z.finish().unwrap();
        assert_eq!(
            inflate(&headers("Deflate"), &z, 100).as_deref(),
            Some(&b"abc"[..])
        );
        // A bomb stops at the limit.
        let bomb = gzip(&vec![b'a'; 1 << 20]);
        assert_eq!(
            inflate(&headers("gzip"), &bomb, 1000).map(|v| v.len()),
            Some(1000)
        );
    }

    #[test]
    fn other_codings_and_garbage_are_left_alone() {
        assert_eq!(inflate(&headers("zstd"), b"xx", 100), None);
        assert_eq!(inflate(&headers("gzip, br"), b"xx", 100), None);
        assert_eq!(inflate(&headers("gzip"), b"not gzip", 100), None);
        assert_eq!(inflate(&HeaderMap::new(), b"plain", 100), None);
    }
}
