//! `upload`: file uploads that break the upload policy (pyrasp's rules, plus content sniffing).
//!
//! For each uploaded file of the request ([`Inputs::files`](crate::input::Inputs)), the first
//! broken rule is reported, with the file name as payload (the field name when the file has
//! none):
//!
//! 1. `upload` — `UPLOAD_FILES` is false: no file may be uploaded at all;
//! 2. `filename` — the name (exactly as sent; `filename*` decoded) holds `..`, `/`, `\` or a
//!    NUL: a path, not a name (when both `filename` and `filename*` are sent, both are checked);
//! 3. `size` — the part is larger than `UPLOAD_MAX_SIZE` × 10⁶ bytes. Sizes are measured
//!    within the inspected body; when the body was cut at `MAX_BODY_BYTES`, the bytes not
//!    inspected are counted in the size of the last file (the part the cut fell in, or an
//!    upper bound of what follows), so a 3 MB upload is caught even with a 1 MiB body limit;
//! 4. `extension` — the extension (after the last dot, lowercased) is not in
//!    `UPLOAD_EXTENSIONS`; a name without a dot has none, which is never allowed;
//! 5. `content` (with `UPLOAD_SNIFF`) — the first bytes are a script or an executable whatever
//!    the extension, or do not carry the signature of a known extension (see `upload/sniff.rs`).
//!
//! An empty file input (no name, no bytes: a form's unfilled file field) is skipped, as in
//! pyrasp.

mod sniff;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::FileMeta;
use crate::verdict::Finding;

/// The `upload` check.
#[derive(Debug)]
pub(crate) struct Upload {
    allowed: bool,
    max_bytes: f64,
    extensions: Vec<String>,
    sniff: bool,
}

impl Upload {
    /// The check, with the `UPLOAD_*` settings.
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        Ok(Upload {
            allowed: config.upload_files,
            max_bytes: config.upload_max_size * 1e6,
            extensions: config
                .upload_extensions
                .iter()
                .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
                .collect(),
            sniff: config.upload_sniff,
        })
    }

    /// The location of the first rule `file` breaks, if any.
    fn broken_rule(&self, file: &FileMeta<'_>, uninspected: u64) -> Option<&'static str> {
        let name = file.filename.as_deref().unwrap_or("");
        if !self.allowed {
            return Some("upload");
        }
        let is_path = |n: &str| n.contains("..") || n.contains(['/', '\\', '\0']);
        if is_path(name) || file.raw_filename.as_deref().is_some_and(is_path) {
            return Some("filename");
        }
        // An f64 holds every realistic size exactly.
        #[allow(clippy::cast_precision_loss)]
        if file.size.saturating_add(uninspected) as f64 > self.max_bytes {
            return Some("size");
        }
        let ext = extension(name);
        if !self
            .extensions
            .iter()
            .any(|e| ext.is_some_and(|x| e.eq_ignore_ascii_case(x)))
        {
            return Some("extension");
        }
        if self.sniff {
            let lower = ext.unwrap_or("").to_ascii_lowercase();
            if sniff::dangerous(file.head) || sniff::mismatch(&lower, file.head) {
                return Some("content");
            }
        }
        None
    }
}

/// The text after the last dot of a name; `None` without a dot.
fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, e)| e)
}

impl Check for Upload {
    fn id(&self) -> CheckId {
        CheckId::Upload
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let inputs = ctx.inputs();
        let uninspected = if inputs.limits.body_truncated {
            let req = ctx.request;
            let seen = req
                .body
                .len()
                .min(usize::try_from(ctx.config.max_body_bytes).unwrap_or(usize::MAX));
            let full = req
                .body_len
                .unwrap_or(0)
                .max(u64::try_from(req.body.len()).unwrap_or(u64::MAX));
            full.saturating_sub(u64::try_from(seen).unwrap_or(u64::MAX))
        } else {
            0
        };
        let last = inputs.files.len().wrapping_sub(1);
        for (i, file) in inputs.files.iter().enumerate() {
            let extra = if i == last { uninspected } else { 0 };
            let name = file.filename.as_deref().unwrap_or("");
            if name.is_empty() && file.size == 0 {
                continue;
            }
            if let Some(location) = self.broken_rule(file, extra) {
                let payload = if name.is_empty() { &*file.field } else { name };
                findings.push(Finding::new(CheckId::Upload, location, payload));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
