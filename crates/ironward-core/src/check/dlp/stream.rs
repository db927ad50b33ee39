//! [`DlpStream`]: DLP over a response forwarded chunk by chunk (SSE, generators, chunked
//! transfer), for adapters that cannot buffer the body.
//!
//! Each [`DlpStream::push`] scans the new chunk together with the tail kept from the previous
//! ones (the last `DLP_STREAM_OVERLAP` bytes, moved back to the previous delimiter so the tail
//! starts between tokens, at most 128 bytes more), so a secret split across two chunks is found
//! as long as it is shorter than the overlap. The tail is raw bytes: a UTF-8 character split
//! across chunks is whole again once the next chunk is appended, so nothing is ever decoded
//! half. A match touching the end of the bytes seen so far is held back until the next chunk
//! (or [`DlpStream::finish`]) shows where it ends: a 16-digit card number followed by more
//! digits is not a card number. Only the first leak is reported; the stream is then done.
//!
//! Compressed streams (`gzip`, `deflate`, `br`, with `DLP_DECOMPRESS`) are decoded as they
//! come, at most `DLP_MAX_BODY_BYTES` of output per chunk; past it, or on corrupt data, nothing
//! more is inspected.

// `check` declares `mod dlp` privately: until `check/mod.rs` re-exports `DlpStream`, its public
// items are unreachable from outside the crate. Drop this allow with the re-export.

use super::content_type::{self, ContentTypes};
use super::decompress::{self, Encoding, StreamDecoder};
use super::scan::Scanner;
use crate::check::CheckId;
use crate::config::{Config, Level};
use crate::request::{Headers, Response};
use crate::verdict::Finding;
use std::borrow::Cow;

/// Bytes past the overlap the tail may keep to start at a delimiter.
const CUT_SEARCH: usize = 128;

/// The DLP scanner of one streamed response. Create it with [`DlpStream::new`] when the
/// response headers are known, [`push`](DlpStream::push) every chunk before forwarding it, and
/// call [`finish`](DlpStream::finish) at the end of the stream.
#[derive(Debug)]
pub struct DlpStream {
    scanner: Scanner,
    overlap: usize,
    buf: Vec<u8>,
    open_start: bool,
    decoder: Option<StreamDecoder>,
    latin1: bool,
    log_leaked: bool,
    level: Level,
    done: bool,
}

impl DlpStream {
    /// A scanner for a response with these headers, or None when there is nothing to scan:
    /// the `dlp` check is off, every `DLP_*` family is off, the content type is not in
    /// `INSPECT_CONTENT_TYPES`, or the body is compressed and cannot be decoded (an unknown
    /// encoding, or `DLP_DECOMPRESS` off). The status is not looked at: see
    /// [`DlpStream::for_response`].
    pub fn new(config: &Config, headers: &Headers<'_>) -> Option<DlpStream> {
        let level = config.security_checks.level(CheckId::Dlp);
        let mask = super::family_mask(config);
        if level == Level::Off || mask == 0 {
            return None;
        }
        let ct = headers.get("content-type");
        if !ContentTypes::new(&config.inspect_content_types).inspects(ct) {
            return None;
        }
        let cap = super::to_usize(config.dlp_max_body_bytes);
        let decoder = match decompress::encoding(headers) {
            Encoding::Identity => None,
            Encoding::Unsupported => return None,
            _ if !config.dlp_decompress => return None,
            e => Some(StreamDecoder::new(e, cap)?),
        };
        let scanner = Scanner::new(mask).ok()?;
        let mut s = DlpStream::from_parts(
            scanner,
            super::to_usize(config.dlp_stream_overlap),
            content_type::is_latin1(ct),
            config.dlp_log_leaked_data,
        );
        s.decoder = decoder;
        s.level = level;
        Some(s)
    }

    /// Like [`DlpStream::new`], and also None for an error response (status 400 and up), which
    /// DLP does not inspect.
    pub fn for_response(config: &Config, response: &Response<'_>) -> Option<DlpStream> {
        if response.status >= 400 {
            return None;
        }
        DlpStream::new(config, &response.headers)
    }

    /// A stream scanner from its parts (for the buffered check's chunked bodies).
    pub(crate) fn from_parts(
        scanner: Scanner,
        overlap: usize,
        latin1: bool,
        log_leaked: bool,
    ) -> DlpStream {
        DlpStream {
            scanner,
            overlap,
            buf: Vec::new(),
            open_start: false,
            decoder: None,
            latin1,
            log_leaked,
            level: Level::Block,
            done: false,
        }
    }

    /// Scans the next chunk (as received: still compressed if the response is). Returns the
    /// leak found, at most once per stream: the adapter should then cut the stream (or, at
    /// monitor level, report and go on). The finding's level is the `dlp` check's level.
    pub fn push(&mut self, chunk: &[u8]) -> Option<Finding> {
        if self.done {
            return None;
        }
        let data = match &mut self.decoder {
            Some(d) => Cow::Owned(d.feed(chunk, false)),
            None => Cow::Borrowed(chunk),
        };
        self.buf.extend_from_slice(&data);
        if let Some(f) = self.scan(true) {
            return Some(f);
        }
        self.keep_tail();
        if self.decoder.as_ref().is_some_and(StreamDecoder::failed) {
            self.done = true;
        }
        None
    }

    /// Ends the stream: scans what was held back at the end. Returns the leak found, if any.
    pub fn finish(&mut self) -> Option<Finding> {
        if self.done {
            return None;
        }
        if let Some(d) = &mut self.decoder {
            let rest = d.feed(&[], true);
            self.buf.extend_from_slice(&rest);
        }
        let found = self.scan(false);
        self.done = true;
        self.buf = Vec::new();
        found
    }

    /// True once a leak was reported, the stream finished, or decoding stopped.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn scan(&mut self, open_end: bool) -> Option<Finding> {
        let leak = self.scanner.scan(&self.buf, self.open_start, open_end)?;
        self.done = true;
        let mut f = super::finding(leak, &self.buf, self.latin1, self.log_leaked);
        f.level = self.level;
        Some(f)
    }

    /// Drops all but the tail, cut just before a delimiter when one is near.
    fn keep_tail(&mut self) {
        let Some(mut cut) = self.buf.len().checked_sub(self.overlap) else {
            return;
        };
        let floor = cut.saturating_sub(CUT_SEARCH);
        while cut > floor && self.buf.get(cut).is_some_and(|b| super::is_token(*b)) {
            cut -= 1;
        }
        if cut > 0 {
            self.buf.drain(..cut);
            self.open_start = true;
        }
    }
}
