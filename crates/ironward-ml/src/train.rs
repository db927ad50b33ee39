//! Training: logistic regression with AdaGrad over the hashed features of
//! [`crate::features`], deterministic for a given seed.
//!
//! This module is pure (it takes values in memory and returns weights); reading the datasets,
//! the synthetic generators and writing files live in the `ironward-train` binary.

use crate::features::{for_each_feature, normalize_into};
use crate::model::{LinearModel, sigmoid};

/// One training example: its features (bucket, value) and its label.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Sparse features, bucket-sorted, duplicates merged.
    pub features: Vec<(u32, f32)>,
    /// Whether it is an attack.
    pub attack: bool,
    /// How much it counts (to balance classes and sources).
    pub weight: f32,
}

/// The sparse feature vector of a value exactly as [`LinearModel::score`] sees its first
/// window: each bucket carries (its number of features) / √(number of features).
pub fn featurize(value: &str, bits: u8, max_bytes: usize) -> Vec<(u32, f32)> {
    let mut norm = Vec::new();
    normalize_into(value.as_bytes(), max_bytes, &mut norm);
    let mut raw: Vec<(u32, f32)> = Vec::new();
    for_each_feature(&norm, bits, |index| raw.push((index, 1.0)));
    let n = (raw.len().max(1) as f32).sqrt();
    raw.sort_unstable_by_key(|&(i, _)| i);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(raw.len());
    for (i, v) in raw {
        match out.last_mut() {
            Some(last) if last.0 == i => last.1 += v,
            _ => out.push((i, v)),
        }
    }
    for f in &mut out {
        f.1 /= n;
    }
    out.retain(|f| f.1 != 0.0);
    out
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// The model has `2^bits` buckets.
    pub bits: u8,
    /// Bytes scored per window.
    pub max_bytes: usize,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad's base learning rate.
    pub learning_rate: f32,
    /// L2 penalty per update on the touched weights.
    pub l2: f32,
    /// Seed of the shuffling order.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 16,
            max_bytes: 1024,
            epochs: 8,
            learning_rate: 0.2,
            l2: 1e-6,
            seed: 20261124,
        }
    }
}

/// splitmix64: a small, well-mixed, seedable generator (deterministic across platforms).
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Shuffles a slice (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Trains a model; `progress(epoch, mean_loss)` is called after each pass.
pub fn train(
    samples: &[Sample],
    opts: &TrainOptions,
    mut progress: impl FnMut(usize, f64),
) -> LinearModel {
    let n = 1usize << opts.bits;
    let mut w = vec![0f32; n];
    let mut g2 = vec![0f32; n];
    let (mut bias, mut bias_g2) = (0f32, 0f32);
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut rng = SplitMix::new(opts.seed);
    let eps = 1e-8f32;
    for epoch in 0..opts.epochs {
        rng.shuffle(&mut order);
        let (mut loss, mut total) = (0f64, 0f64);
        for &k in &order {
            let s = &samples[k];
            let margin = bias
                + s.features
                    .iter()
                    .map(|&(i, v)| w[i as usize] * v)
                    .sum::<f32>();
            let p = sigmoid(margin);
            let y = if s.attack { 1.0 } else { 0.0 };
            let pc = f64::from(p.clamp(1e-7, 1.0 - 1e-7));
            loss -= f64::from(s.weight) * if s.attack { pc.ln() } else { (1.0 - pc).ln() };
            total += f64::from(s.weight);
            let g = (p - y) * s.weight;
            for &(i, v) in &s.features {
                let i = i as usize;
                let grad = g * v + opts.l2 * w[i];
                g2[i] += grad * grad;
                w[i] -= opts.learning_rate * grad / (g2[i] + eps).sqrt();
            }
            bias_g2 += g * g;
            bias -= opts.learning_rate * g / (bias_g2 + eps).sqrt();
        }
        progress(epoch + 1, loss / total.max(1.0));
    }
    LinearModel::from_weights(opts.bits, opts.max_bytes, bias, &w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn featurize_matches_scoring() {
        // A model whose weights are all 1: its margin is Σ signs / √n, which featurize
        // must reproduce.
        let m = LinearModel::from_weights(12, 1024, 0.0, &vec![1.0; 1 << 12]);
        for v in ["' or 1=1 --", "hello world", "<script>alert(1)</script>"] {
            let f: f32 = featurize(v, 12, 1024).iter().map(|x| x.1).sum();
            let want = crate::model::sigmoid(f);
            assert!((m.score(v) - want).abs() < 1e-4, "{v}");
        }
    }

    #[test]
    fn learns_a_toy_problem_deterministically() {
        let attack = [
            "' or 1=1 --",
            "1 union select 1,2",
            "admin'--",
            "'; drop table x",
        ];
        let benign = [
            "hello",
            "O'Brien",
            "select a plan",
            "order by date",
            "blue shoes",
        ];
        let opts = TrainOptions {
            bits: 14,
            epochs: 30,
            ..TrainOptions::default()
        };
        let samples: Vec<Sample> = attack
            .iter()
            .map(|v| (v, true))
            .chain(benign.iter().map(|v| (v, false)))
            .map(|(v, attack)| Sample {
                features: featurize(v, opts.bits, opts.max_bytes),
                attack,
                weight: 1.0,
            })
            .collect();
        let a = train(&samples, &opts, |_, _| {});
        let b = train(&samples, &opts, |_, _| {});
        assert_eq!(a, b);
        for v in attack {
            assert!(a.score(v) > 0.5, "{v}");
        }
        for v in benign {
            assert!(a.score(v) < 0.5, "{v}");
        }
    }

    #[test]
    fn splitmix_is_frozen() {
        let mut r = SplitMix::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
    }
}
