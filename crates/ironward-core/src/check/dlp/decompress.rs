//! Compressed response bodies: `Content-Encoding: gzip`, `deflate` (zlib-wrapped or raw) and
//! `br`, decompressed for DLP up to a cap on the output (`DLP_MAX_BODY_BYTES`).
//!
//! A decompression bomb costs at most the cap: decoding stops there. Corrupt or truncated data
//! stops decoding at the first error; what was decoded before it is inspected, nothing after.
//! Other encodings (`zstd`, `compress`…) and stacked encodings (`gzip, br`) are not decoded, so
//! such bodies are not inspected.

use crate::request::Headers;
use flate2::write::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use std::io::{self, Read, Write};

/// A body's content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Identity,
    Gzip,
    Deflate,
    Brotli,
    /// Something DLP cannot decode.
    Unsupported,
}

/// The content coding declared by the `Content-Encoding` headers.
pub(crate) fn encoding(headers: &Headers<'_>) -> Encoding {
    let mut found = Encoding::Identity;
    for value in headers.get_all("content-encoding") {
        for token in value.split(|b| *b == b',') {
            let t = token.trim_ascii().to_ascii_lowercase();
            let e = match t.as_slice() {
                b"" | b"identity" => continue,
                b"gzip" | b"x-gzip" => Encoding::Gzip,
                b"deflate" => Encoding::Deflate,
                b"br" => Encoding::Brotli,
                _ => Encoding::Unsupported,
            };
            if found != Encoding::Identity {
                return Encoding::Unsupported;
            }
            found = e;
        }
    }
    found
}

/// True when deflate data starts with a zlib header (RFC 1950) rather than a raw stream.
fn is_zlib(head: &[u8]) -> bool {
    match head {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Reads a sequence of chunks as one stream.
struct ChunkReader<'a> {
    chunks: &'a [&'a [u8]],
    at: usize,
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some((first, rest)) = self.chunks.split_first() {
            let left = first.get(self.at..).unwrap_or_default();
            if left.is_empty() {
                self.chunks = rest;
                self.at = 0;
                continue;
            }
            let n = left.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), left.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.at += n;
            return Ok(n);
        }
        Ok(0)
    }
}

/// Decompresses a whole body given as chunks, keeping at most `cap` bytes of output.
pub(crate) fn decompress(encoding: Encoding, chunks: &[&[u8]], cap: usize) -> Vec<u8> {
    let cap64 = u64::try_from(cap).unwrap_or(u64::MAX);
    let reader = ChunkReader { chunks, at: 0 };
    let mut out = Vec::new();
    // On an error, read_to_end keeps what was read before it: that much is inspected.
    let _ = match encoding {
        Encoding::Gzip => flate2::read::MultiGzDecoder::new(reader)
            .take(cap64)
            .read_to_end(&mut out),
        Encoding::Deflate => {
            let head: Vec<u8> = chunks
                .iter()
                .flat_map(|c| c.iter())
                .take(2)
                .copied()
                .collect();
            if is_zlib(&head) {
                flate2::read::ZlibDecoder::new(reader)
                    .take(cap64)
                    .read_to_end(&mut out)
            } else {
                flate2::read::DeflateDecoder::new(reader)
                    .take(cap64)
                    .read_to_end(&mut out)
            }
        }
        Encoding::Brotli => brotli_decompressor::Decompressor::new(reader, 4096)
            .take(cap64)
            .read_to_end(&mut out),
        Encoding::Identity | Encoding::Unsupported => Ok(0),
    };
    out.truncate(cap);
    out
}

/// Where a streaming decoder writes: a buffer that refuses more than `cap` bytes per chunk.
#[derive(Debug, Default)]
struct Sink {
    buf: Vec<u8>,
    cap: usize,
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len().saturating_add(data.len()) > self.cap {
            return Err(io::Error::other("DLP decompression cap reached"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Inner {
    /// Deflate before its first two bytes tell zlib from raw.
    Undecided(Vec<u8>),
    Gzip(Box<MultiGzDecoder<Sink>>),
    Zlib(Box<ZlibDecoder<Sink>>),
    Raw(Box<DeflateDecoder<Sink>>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Sink>>),
    /// Corrupt data or a bomb: nothing more is decoded.
    Failed,
}

/// A decoder for a compressed stream, fed chunk by chunk.
pub(crate) struct StreamDecoder {
    inner: Inner,
    cap: usize,
}

impl std::fmt::Debug for StreamDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamDecoder")
            .field("failed", &matches!(self.inner, Inner::Failed))
            .finish()
    }
}

impl StreamDecoder {
    /// A decoder for `encoding`, or None when it is identity or not supported.
    pub(crate) fn new(encoding: Encoding, cap: usize) -> Option<StreamDecoder> {
        let sink = Sink {
            buf: Vec::new(),
            cap,
        };
        let inner = match encoding {
            Encoding::Gzip => Inner::Gzip(Box::new(MultiGzDecoder::new(sink))),
            Encoding::Deflate => Inner::Undecided(Vec::new()),
            Encoding::Brotli => Inner::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(sink, 4096),
            )),
            Encoding::Identity | Encoding::Unsupported => return None,
        };
        Some(StreamDecoder { inner, cap })
    }

    /// True once corrupt data or the output cap stopped decoding.
    pub(crate) fn failed(&self) -> bool {
        matches!(self.inner, Inner::Failed)
    }

    /// Feeds compressed bytes (an empty slice with `last` at the end of the stream) and returns
    /// the bytes decoded (at most the cap per call).
    pub(crate) fn feed(&mut self, data: &[u8], last: bool) -> Vec<u8> {
        if let Inner::Undecided(head) = &mut self.inner {
            head.extend_from_slice(data);
            if head.len() < 2 && !last {
                return Vec::new();
            }
            let head = std::mem::take(head);
            let sink = Sink {
                buf: Vec::new(),
                cap: self.cap,
            };
            self.inner = if is_zlib(&head) {
                Inner::Zlib(Box::new(ZlibDecoder::new(sink)))
            } else {
                Inner::Raw(Box::new(DeflateDecoder::new(sink)))
            };
            return self.feed_decided(&head, last);
        }
        self.feed_decided(data, last)
    }

    fn feed_decided(&mut self, data: &[u8], last: bool) -> Vec<u8> {
        let (ok, out) = match &mut self.inner {
            Inner::Gzip(d) => step(d.as_mut(), data, last, |d| d.try_finish(), |d| d.get_mut()),
            Inner::Zlib(d) => step(d.as_mut(), data, last, |d| d.try_finish(), |d| d.get_mut()),
            Inner::Raw(d) => step(d.as_mut(), data, last, |d| d.try_finish(), |d| d.get_mut()),
            Inner::Brotli(d) => step(d.as_mut(), data, last, |d| d.close(), |d| d.get_mut()),
            Inner::Undecided(_) | Inner::Failed => (true, Vec::new()),
        };
        if !ok {
            self.inner = Inner::Failed;
        }
        out
    }
}

/// Writes into a decoder, finishes it when `last`, and takes what its sink received.
fn step<D: Write>(
    d: &mut D,
    data: &[u8],
    last: bool,
    finish: impl FnOnce(&mut D) -> io::Result<()>,
    sink: impl Fn(&mut D) -> &mut Sink,
) -> (bool, Vec<u8>) {
    let mut ok = d.write_all(data).is_ok();
    if ok && last {
        ok = finish(d).is_ok();
    }
    (ok, std::mem::take(&mut sink(d).buf))
}
