//! `format`: a request body that does not match what it claims to be, or a content type the
//! route does not accept. (pyrasp declared the check and never implemented it.)
//!
//! Only requests with a body (bytes, or a declared length) are looked at; the first rule that
//! fails is reported at location `body`, with the reason as payload:
//!
//! 1. `content type not accepted` — the adapter lists the media types the route accepts
//!    (`Request::accepts`, non-empty) and the body's `Content-Type` media type is not one of
//!    them (ASCII case-insensitive, parameters ignored, `*/*` and `type/*` wildcards allowed;
//!    a body without `Content-Type` matches only `*/*`);
//! 2. the extractor's `body_error` — malformed JSON, a multipart body without boundary or
//!    final delimiter: its reason;
//! 3. XML bodies must be well-formed, without entity declarations or external DTDs (see
//!    `format/xml.rs`);
//! 4. urlencoded bodies must be text a client could have encoded: UTF-8 without control
//!    bytes (tab, CR and LF allowed) — `form body is not text` — and without `%` followed by
//!    two letters or digits that are not both hex (`%zz`, `%u0027`) — `invalid percent
//!    escape`. A stray `%` before punctuation, a space or the end (`50%`, `100% sure`) is
//!    tolerated, as frameworks do.
//!
//! A body cut at `MAX_BODY_BYTES` is not a format error: the extractor does not report cut
//! JSON or multipart bodies, XML errors are ignored after a cut, and a cut form is checked
//! only up to its last `&`. Empty bodies are fine.

mod xml;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::{BodyKind, content_type};
use crate::verdict::Finding;

/// The `format` check.
#[derive(Debug)]
pub(crate) struct Format;

impl Format {
    /// The check (it has no configuration of its own).
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Format)
    }
}

impl Check for Format {
    fn id(&self) -> CheckId {
        CheckId::Format
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let req = ctx.request;
        if req.body.is_empty() && req.body_len.is_none_or(|n| n == 0) {
            return;
        }
        let mut report =
            |reason: &str| findings.push(Finding::new(CheckId::Format, "body", reason));
        if !req.accepts.is_empty() {
            let media = req
                .content_type()
                .map_or("", |ct| content_type::parse(ct).media_type);
            if !accepted(media, req.accepts) {
                return report("content type not accepted");
            }
        }
        let inputs = ctx.inputs();
        if let Some(e) = &inputs.body_error {
            return report(&e.reason);
        }
        let max = usize::try_from(ctx.config.max_body_bytes).unwrap_or(usize::MAX);
        let body = req.body.get(..max).unwrap_or(req.body);
        let truncated = inputs.limits.body_truncated;
        let problem = match inputs.body_kind {
            BodyKind::Xml => xml::problem(body, truncated),
            BodyKind::Form => form_problem(body, truncated).map(str::to_owned),
            _ => None,
        };
        if let Some(p) = problem {
            report(&p);
        }
    }
}

/// True when `media` (a media type, maybe empty) matches one of `accepts`.
fn accepted(media: &str, accepts: &[&str]) -> bool {
    let (ty, _) = media.split_once('/').unwrap_or((media, ""));
    accepts.iter().any(|a| {
        let a = a.split(';').next().unwrap_or("").trim();
        if a == "*/*" {
            return true;
        }
        match a.strip_suffix("/*") {
            Some(prefix) => !media.is_empty() && prefix.eq_ignore_ascii_case(ty),
            None => !media.is_empty() && a.eq_ignore_ascii_case(media),
        }
    })
}

/// Why a urlencoded body is not something a client could have encoded, if it is not.
fn form_problem(body: &[u8], truncated: bool) -> Option<&'static str> {
    let body = if truncated {
        // The cut may fall inside a character or an escape: check only the complete pairs.
        &body[..memchr::memrchr(b'&', body)?]
    } else {
        body
    };
    let control = |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7F;
    if body.iter().any(control) || std::str::from_utf8(body).is_err() {
        return Some("form body is not text");
    }
    let bad_escape =
        memchr::memchr_iter(b'%', body).any(|i| match (body.get(i + 1), body.get(i + 2)) {
            (Some(a), Some(b)) => {
                a.is_ascii_alphanumeric()
                    && b.is_ascii_alphanumeric()
                    && !(a.is_ascii_hexdigit() && b.is_ascii_hexdigit())
            }
            _ => false,
        });
    bad_escape.then_some("invalid percent escape")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
