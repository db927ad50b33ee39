//! `dlp`: sensitive data leaving in responses (data leak prevention).
//!
//! Seven families, each switched by its flag and checked in pyrasp's order; the first family
//! that matches wins and names the finding (location `response_body`, engine `dlp`):
//!
//! | flag | label | rule (see each module for details) |
//! |---|---|---|
//! | `DLP_PHONE_NUMBERS` | Phone Number | `+`, or `00`/`011` with separators, an assigned country code, 8–15 digits, word boundaries ([`phone`]) |
//! | `DLP_CC_NUMBERS` | Credit Card | 13–19 digits, contiguous or grouped by spaces/dashes, a known issuer range, valid Luhn, not part of a longer digit run ([`digits`], [`luhn`]) |
//! | `DLP_PRIVATE_KEYS` | Private Key | a PEM `-----BEGIN … PRIVATE KEY-----` header followed by key material; PuTTY key files |
//! | `DLP_HASHES` | Password Hash | bcrypt, argon2, scrypt, PBKDF2 (passlib, Django) strings; a hex digest of MD5–SHA-512 length only as the value of a password key (`password`, `passwd`, `pwd`, `*pass*`, `hash`, `nt_hash`…) |
//! | `DLP_WINDOWS_CREDS` | Windows Credentials | SAM/pwdump lines `user:rid:LM:NT:::`, the empty-LM `aad3b…:NT` pair, `$DCC2$`, `$NT$`, NetNTLMv1/v2 responses |
//! | `DLP_LINUX_CREDS` | Linux Credentials | shadow/passwd lines holding a crypt hash; glibc crypt strings `$1$ $5$ $6$ $y$ $7$` anywhere |
//! | `DLP_API` | API Key | AWS key ids and secret keys in context, GCP keys, OAuth secrets and service-account JSON, Azure storage keys and client secrets, GitHub, GitLab, Slack, Stripe live keys, npm, PyPI, Docker, OpenAI, Anthropic, HuggingFace, SendGrid, Twilio tokens in context, Shopify |
//!
//! Deliberate choices, against pyrasp's false positives:
//! - A bare 32–128 hex run is **not** a password hash: dashless UUIDs, request ids, ETags and
//!   file checksums are hex too. A digest under `checksum`, `sha256`, `etag`, `digest`,
//!   `file_hash` or any non-password key is not reported.
//! - A bcrypt string counts as a Password Hash (checked before Linux); a shadow line holding a
//!   bcrypt hash is therefore labelled Password Hash when both families are on.
//! - JWTs are **not** reported: login and OAuth endpoints return them by design.
//! - AWS's documentation key id (`…EXAMPLE`) and Stripe test keys are not reported.
//!
//! Which responses: status below 400 (as pyrasp), a `Content-Type` in `INSPECT_CONTENT_TYPES`
//! ([`content_type`]), only the first `DLP_MAX_BODY_BYTES` bytes (after decompression; the rest
//! is not inspected and not reported as cut), compressed bodies decoded when `DLP_DECOMPRESS`
//! ([`decompress`]). Bodies are scanned as bytes (all patterns are ASCII, so UTF-8 and Latin-1
//! bodies scan alike); the leaked text is decoded as Latin-1 when the charset says so, else as
//! lossy UTF-8. A chunked body is scanned like a stream ([`DlpStream`]), chunks coalesced.
//!
//! The payload is the family's label, so the secret never reaches the logs; with
//! `DLP_LOG_LEAKED_DATA` it is the leaked text, cut to 200 bytes.
//!
//! Cost: one SWAR pass for digits, one Aho-Corasick pass over the anchors of the enabled
//! families, then regexes only on small windows around the hits ([`scan`]).

mod content_type;
mod decompress;
mod digits;
mod hexkey;
mod luhn;
mod patterns;
mod phone;
mod rules;
mod scan;
mod stream;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_families;

pub use stream::DlpStream;

use crate::check::{Check, CheckId, ResponseContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::request::Body;
use crate::verdict::Finding;
use content_type::ContentTypes;
use decompress::Encoding;
use patterns::Family;
use scan::{Leak, Scanner, is_token};

/// Longest leaked text put in a finding with `DLP_LOG_LEAKED_DATA`, in bytes.
const MAX_LEAK_SHOWN: usize = 200;

/// Chunks of a chunked body are coalesced into batches of at least this many bytes.
const BATCH: usize = 64 * 1024;

/// The `dlp` check.
#[derive(Debug)]
pub(crate) struct Dlp {
    /// None when every family is off: the check does nothing.
    scanner: Option<Scanner>,
    types: ContentTypes,
    max_bytes: usize,
    overlap: usize,
    decompress: bool,
    log_leaked: bool,
}

impl Dlp {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let mask = family_mask(config);
        let scanner = if mask == 0 {
            None
        } else {
            Some(Scanner::new(mask).map_err(|source| EngineError::Regex { key: "DLP", source })?)
        };
        Ok(Dlp {
            scanner,
            types: ContentTypes::new(&config.inspect_content_types),
            max_bytes: to_usize(config.dlp_max_body_bytes),
            overlap: to_usize(config.dlp_stream_overlap),
            decompress: config.dlp_decompress,
            log_leaked: config.dlp_log_leaked_data,
        })
    }

    /// Scans the chunks of a chunked identity body, with the stream's overlap logic.
    fn scan_chunks(&self, scanner: Scanner, chunks: &[&[u8]], latin1: bool) -> Option<Finding> {
        let mut stream = DlpStream::from_parts(scanner, self.overlap, latin1, self.log_leaked);
        let mut budget = self.max_bytes;
        let mut batch: Vec<u8> = Vec::new();
        for chunk in chunks {
            let take = chunk.get(..chunk.len().min(budget)).unwrap_or_default();
            budget -= take.len();
            batch.extend_from_slice(take);
            if batch.len() >= BATCH {
                if let Some(f) = stream.push(&batch) {
                    return Some(f);
                }
                batch.clear();
            }
            if budget == 0 {
                break;
            }
        }
        stream.push(&batch).or_else(|| stream.finish())
    }
}

impl Check for Dlp {
    fn id(&self) -> CheckId {
        CheckId::Dlp
    }

    fn check_response(&self, ctx: &ResponseContext<'_, '_>, findings: &mut Vec<Finding>) {
        let Some(scanner) = self.scanner else {
            return;
        };
        let response = ctx.response;
        if response.status >= 400 || response.body.is_empty() {
            return;
        }
        let ct = response.headers.get("content-type");
        if !self.types.inspects(ct) {
            return;
        }
        let latin1 = content_type::is_latin1(ct);
        let encoding = decompress::encoding(&response.headers);
        let one: [&[u8]; 1];
        let chunks: &[&[u8]] = match response.body {
            Body::Empty => return,
            Body::Full(b) => {
                one = [b];
                &one
            }
            Body::Chunks(c) => c,
        };
        let found = match encoding {
            Encoding::Unsupported => return,
            Encoding::Identity => match response.body {
                Body::Full(b) => {
                    let b = b.get(..self.max_bytes).unwrap_or(b);
                    scanner
                        .scan(b, false, false)
                        .map(|l| finding(l, b, latin1, self.log_leaked))
                }
                _ => self.scan_chunks(scanner, chunks, latin1),
            },
            _ if !self.decompress => return,
            e => {
                let plain = decompress::decompress(e, chunks, self.max_bytes);
                scanner
                    .scan(&plain, false, false)
                    .map(|l| finding(l, &plain, latin1, self.log_leaked))
            }
        };
        findings.extend(found);
    }
}

/// The enabled families, as a mask of [`Family::bit`].
pub(crate) fn family_mask(c: &Config) -> u8 {
    [
        (c.dlp_phone_numbers, Family::Phone),
        (c.dlp_cc_numbers, Family::Card),
        (c.dlp_private_keys, Family::PrivateKey),
        (c.dlp_hashes, Family::Hash),
        (c.dlp_windows_creds, Family::Windows),
        (c.dlp_linux_creds, Family::Linux),
        (c.dlp_api, Family::Api),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |m, (_, f)| m | f.bit())
}

/// A configuration count as `usize` (saturating on 32-bit targets).
pub(crate) fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// The finding for a leak in `bytes`: the label, or the leaked text with `DLP_LOG_LEAKED_DATA`.
pub(crate) fn finding(leak: Leak, bytes: &[u8], latin1: bool, log_leaked: bool) -> Finding {
    let payload = if log_leaked {
        let raw = bytes.get(leak.start..leak.end).unwrap_or_default();
        let raw = scan::trim(raw);
        let mut text = content_type::decode(
            raw.get(..raw.len().min(MAX_LEAK_SHOWN)).unwrap_or_default(),
            latin1,
        );
        if text.len() > MAX_LEAK_SHOWN {
            let mut end = MAX_LEAK_SHOWN;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        text
    } else {
        leak.family.label().to_owned()
    };
    Finding::new(CheckId::Dlp, "response_body", &payload).with_engine("dlp")
}
