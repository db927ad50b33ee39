//! CPU and memory use of this process, for beacons: read from `/proc` on Linux (two small
//! files, once per beacon), zero elsewhere.
//!
//! pyrasp sends host-wide figures (psutil); Ironward sends the process's own, which is what an
//! operator of a fleet of applications needs: `cpu` is the share of the machine's CPUs this
//! process used since the previous beacon (0–100), `memory` its resident memory as a share of
//! the machine's memory.

use std::time::Instant;

/// Clock ticks per second of `/proc/self/stat` (`USER_HZ`, 100 on every Linux ABI).
const TICKS_PER_SECOND: f64 = 100.0;

/// The previous reading, to turn CPU time into a percentage.
#[derive(Debug, Default)]
pub(crate) struct ProcessStats {
    last: Option<(Instant, u64)>,
}

impl ProcessStats {
    /// `(cpu, memory)` in percent. The first call reports `cpu` 0, as pyrasp does.
    pub(crate) fn sample(&mut self) -> (f64, f64) {
        let now = Instant::now();
        let ticks = cpu_ticks();
        let cpu = match (self.last, ticks) {
            (Some((then, before)), Some(t)) => {
                let wall = now.duration_since(then).as_secs_f64();
                let cpus = std::thread::available_parallelism().map_or(1, usize::from) as f64;
                if wall > 0.0 {
                    let used = t.saturating_sub(before) as f64 / TICKS_PER_SECOND;
                    (100.0 * used / wall / cpus).clamp(0.0, 100.0)
                } else {
                    0.0
                }
            }
            _ => 0.0,
        };
        if let Some(t) = ticks {
            self.last = Some((now, t));
        }
        (round(cpu), round(memory_percent().unwrap_or(0.0)))
    }
}

/// Three decimals: a small process uses a few thousandths of a large machine's memory.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// User plus system CPU time of this process, in ticks.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    // After `)`: state is field 3, utime field 14, stime field 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Resident memory of this process as a share of the machine's memory.
fn memory_percent() -> Option<f64> {
    let kb = |text: &str, key: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let rss = kb(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        "VmRSS:",
    )?;
    let total = kb(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemTotal:")?;
    (total > 0.0).then(|| (100.0 * rss / total).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_percentages() {
        let mut s = ProcessStats::default();
        let (cpu, mem) = s.sample();
        assert_eq!(cpu, 0.0);
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let (cpu, mem2) = s.sample();
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert!((0.0..=100.0).contains(&mem) && (0.0..=100.0).contains(&mem2));
        if cfg!(target_os = "linux") {
            assert!(
                memory_percent().is_some_and(|m| m > 0.0),
                "a running process has resident memory"
            );
        }
    }
}
