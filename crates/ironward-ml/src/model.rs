//! A linear model over hashed features, and its file format.
//!
//! Scoring is a sparse dot product: normalise the value, hash its features into buckets
//! ([`crate::features`]), add up the bucket weights, divide by the square root
//! of the number of features, add the bias, and squash with the logistic function. It costs a
//! few hundred table lookups for a short value and allocates nothing (the normalised text goes
//! in a stack buffer).
//!
//! # File format, version 1 (little-endian; frozen, golden-tested)
//! ```text
//! offset size  field
//!      0    4  magic "IWML"
//!      4    2  format version (1)
//!      6    1  feature extraction version (features::FEATURES_V1)
//!      7    1  bits: the model has 2^bits buckets (10..=24)
//!      8    4  max_bytes: how many bytes of a value are scored per window (u32)
//!     12    4  bias (f32)
//!     16    4  scale (f32): weight = i16 × scale
//!     20    4  reserved (0)
//!     24  2·2^bits  weights (i16)
//! ```

use crate::features::{FEATURES_V1, for_each_feature, normalize_into, normalized};
use thiserror::Error;

/// The file's magic bytes.
pub const MAGIC: &[u8; 4] = b"IWML";
/// The file format version this crate reads and writes.
pub const FORMAT_V1: u16 = 1;
const HEADER: usize = 24;
/// Windows up to this size are normalised on the stack.
const STACK_BYTES: usize = 4096;

/// Why a model file could not be read.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// The file does not start with `IWML`.
    #[error("not an Ironward model file (bad magic)")]
    Magic,
    /// The format or feature version is not one this build knows.
    #[error("unsupported model version {format}/{features}")]
    Version {
        /// The format version in the file.
        format: u16,
        /// The feature extraction version in the file.
        features: u8,
    },
    /// The header is inconsistent or the file has the wrong length.
    #[error("corrupt model file: {0}")]
    Corrupt(&'static str),
}

/// A linear model, ready to score.
#[derive(Clone, PartialEq)]
pub struct LinearModel {
    bits: u8,
    max_bytes: usize,
    bias: f32,
    scale: f32,
    weights: Vec<i16>,
}

impl std::fmt::Debug for LinearModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinearModel")
            .field("bits", &self.bits)
            .field("max_bytes", &self.max_bytes)
            .field("bias", &self.bias)
            .field("scale", &self.scale)
            .finish_non_exhaustive()
    }
}

/// Values longer than this are scored in windows of `max_bytes` that overlap by half, and the
/// highest window wins; at most this many windows are scored (the structural analysis still
/// reads the whole value).
pub const MAX_WINDOWS: usize = 16;

impl LinearModel {
    /// A model from float weights (as the trainer produces them), quantised to 16 bits.
    pub fn from_weights(bits: u8, max_bytes: usize, bias: f32, weights: &[f32]) -> Self {
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let weights = weights
            .iter()
            .map(|w| {
                (w / scale)
                    .round()
                    .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
            })
            .collect();
        LinearModel {
            bits,
            max_bytes: max_bytes.max(1),
            bias,
            scale,
            weights,
        }
    }

    /// Parses a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let header = bytes
            .get(..HEADER)
            .ok_or(ModelError::Corrupt("short header"))?;
        if &header[0..4] != MAGIC {
            return Err(ModelError::Magic);
        }
        let format = u16::from_le_bytes([header[4], header[5]]);
        let features = header[6];
        if format != FORMAT_V1 || features != FEATURES_V1 {
            return Err(ModelError::Version { format, features });
        }
        let bits = header[7];
        if !(10..=24).contains(&bits) {
            return Err(ModelError::Corrupt("bucket bits out of range"));
        }
        let word = |at: usize| [header[at], header[at + 1], header[at + 2], header[at + 3]];
        let max_bytes = u32::from_le_bytes(word(8)) as usize;
        let bias = f32::from_le_bytes(word(12));
        let scale = f32::from_le_bytes(word(16));
        if max_bytes == 0 || !bias.is_finite() || !scale.is_finite() {
            return Err(ModelError::Corrupt("bad header value"));
        }
        let n = 1usize << bits;
        let body = &bytes[HEADER..];
        if body.len() != 2 * n {
            return Err(ModelError::Corrupt(
                "weights length does not match the bucket count",
            ));
        }
        let weights = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(LinearModel {
            bits,
            max_bytes,
            bias,
            scale,
            weights,
        })
    }

    /// The model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 2 * self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_V1.to_le_bytes());
        out.push(FEATURES_V1);
        out.push(self.bits);
        out.extend_from_slice(&(self.max_bytes as u32).to_le_bytes());
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// How many bytes of a value are scored per window.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The number of buckets is `2^bits`.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// The margin (the logit) of one window: bias + Σw / √n.
    fn margin(&self, window: &[u8]) -> f32 {
        let mut buf = [0u8; STACK_BYTES + 2];
        let mut heap = Vec::new();
        let norm: &[u8] = if window.len() <= STACK_BYTES {
            let mut n = 0;
            for (slot, b) in buf.iter_mut().zip(normalized(window)) {
                *slot = b;
                n += 1;
            }
            &buf[..n]
        } else {
            normalize_into(window, usize::MAX, &mut heap);
            &heap
        };
        let mut sum = 0i32;
        let mut count = 0u32;
        if let Ok(table) = <&[i16; 1 << 16]>::try_from(&self.weights[..]) {
            // The shipped models have 2^16 buckets: indexing by a `u16` needs no bounds check.
            for_each_feature(norm, self.bits, |index| {
                sum += i32::from(table[usize::from(index as u16)]);
                count += 1;
            });
        } else {
            let weights = &self.weights[..];
            for_each_feature(norm, self.bits, |index| {
                // Buckets are below 2^bits = weights.len(), so the default never happens.
                sum += i32::from(weights.get(index as usize).copied().unwrap_or(0));
                count += 1;
            });
        }
        let dot = sum as f32 * self.scale;
        self.bias + dot / (count.max(1) as f32).sqrt()
    }

    /// The model's probability that `value` is an attack, in `0.0..=1.0`.
    pub fn score(&self, value: &str) -> f32 {
        let bytes = value.as_bytes();
        let w = self.max_bytes;
        if bytes.len() <= w {
            return sigmoid(self.margin(bytes));
        }
        let step = (w / 2).max(1);
        let mut best = f32::NEG_INFINITY;
        let mut start = 0;
        for _ in 0..MAX_WINDOWS {
            let end = (start + w).min(bytes.len());
            best = best.max(self.margin(&bytes[start..end]));
            if end == bytes.len() {
                break;
            }
            start += step;
        }
        sigmoid(best)
    }
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> LinearModel {
        let weights: Vec<f32> = (0..1024).map(|i| ((i % 7) as f32 - 3.0) / 10.0).collect();
        LinearModel::from_weights(10, 64, -0.5, &weights)
    }

    #[test]
    fn round_trip() {
        let m = tiny();
        let bytes = m.to_bytes();
        assert_eq!(&bytes[..4], b"IWML");
        assert_eq!(bytes.len(), 24 + 2048);
        assert_eq!(LinearModel::from_bytes(&bytes), Ok(m));
    }

    #[test]
    fn bad_files() {
        let good = tiny().to_bytes();
        assert_eq!(
            LinearModel::from_bytes(b"IW"),
            Err(ModelError::Corrupt("short header"))
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(LinearModel::from_bytes(&bad), Err(ModelError::Magic));
        let mut bad = good.clone();
        bad[4] = 9;
        assert!(matches!(
            LinearModel::from_bytes(&bad),
            Err(ModelError::Version { .. })
        ));
        let mut bad = good.clone();
        bad.pop();
        assert!(matches!(
            LinearModel::from_bytes(&bad),
            Err(ModelError::Corrupt(_))
        ));
        let mut bad = good;
        bad[7] = 30;
        assert!(matches!(
            LinearModel::from_bytes(&bad),
            Err(ModelError::Corrupt(_))
        ));
    }

    #[test]
    fn scores_are_probabilities_and_long_values_are_windowed() {
        let m = tiny();
        for v in ["", "a", "' or 1=1 --", &"x".repeat(10_000), "é😀"] {
            let s = m.score(v);
            assert!((0.0..=1.0).contains(&s), "{v}: {s}");
        }
    }
}
