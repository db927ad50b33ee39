//! Exponential back-off with jitter: after each failure the pause doubles, from a first pause
//! up to a ceiling, and is drawn at random between half and all of it, so that a fleet that
//! lost its server does not come back in lockstep.

use std::time::Duration;

/// The pause before the next attempt.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff { failures: 0 }
    }

    /// Forgets the failures (after a success).
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }

    /// The pause after one more failure: `first · 2^(failures-1)`, at most `max`, with jitter.
    pub(crate) fn next(&mut self, first: Duration, max: Duration) -> Duration {
        let exp = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        let full = first
            .saturating_mul(1u32 << exp)
            .min(max)
            .max(Duration::from_millis(1));
        let half = full / 2;
        let jitter = fastrand::u64(0..=u64::try_from(half.as_millis()).unwrap_or(u64::MAX));
        half + Duration::from_millis(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_ceiling_with_jitter() {
        let (first, max) = (Duration::from_millis(100), Duration::from_millis(1_000));
        let mut b = Backoff::new();
        let p: Vec<Duration> = (0..8).map(|_| b.next(first, max)).collect();
        for (i, d) in p.iter().enumerate() {
            let full = (first * (1 << i)).min(max);
            assert!(*d >= full / 2 && *d <= full, "{i}: {d:?} vs {full:?}");
        }
        b.reset();
        assert!(b.next(first, max) <= first);
    }
}
