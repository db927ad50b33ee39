//! Decoders that undo the encodings attackers hide payloads behind.
//!
//! Each decoder is bounded and never panics. [`variants`] runs them together over one value
//! and reports every distinct decoded form; extraction turns those into extra inputs.

mod transforms;

pub use transforms::Transforms;

/// Bounds and switches for [`variants`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Rounds of percent-decoding (each round must change the value to count).
    pub max_rounds: usize,
    /// Nesting depth of decodings that may reveal new encodings (base64, JWT).
    pub max_depth: usize,
    /// Try base64/base64url on plausible candidates (`DECODE_B64`).
    pub base64: bool,
    /// Longest decoded variant kept, in bytes.
    pub max_len: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { max_rounds: 3, max_depth: 2, base64: true, max_len: 16 * 1024 }
    }
}

/// What decoding had to give up on because of a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeStats {
    /// Values still changing after `max_rounds` of percent-decoding.
    pub rounds_capped: u32,
    /// Decodings not attempted because `max_depth` was reached.
    pub depth_capped: u32,
}

/// Calls `emit` once for each decoded form of `value` that differs from `value` and from every
/// form emitted before, with the decodings that produced it. The value itself is not emitted.
pub fn variants(
    value: &str,
    opts: &DecodeOptions,
    stats: &mut DecodeStats,
    emit: &mut dyn FnMut(String, Transforms),
) {
    let _ = (value, opts, stats, emit);
}
