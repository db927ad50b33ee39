//! Progress for long scans on standard error: a bar when standard error is a terminal, a line
//! every ten seconds otherwise (logs stay readable), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Reports how far a scan has got.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// Progress over `total_bytes` of input (unknown for standard input).
    pub(crate) fn new(total_bytes: Option<u64>, quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = match total_bytes {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let style = if total_bytes.is_some() {
                "{bar:40} {bytes}/{total_bytes} {msg} ({eta})"
            } else {
                "{spinner} {bytes} {msg}"
            };
            if let Ok(s) = ProgressStyle::with_template(style) {
                bar.set_style(s);
            }
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            plain: !quiet && !terminal,
            started: now,
            last_line: now,
        }
    }

    /// Called after each record with the bytes read so far and the records done.
    pub(crate) fn update(&mut self, bytes: u64, records: u64) {
        if let Some(bar) = &self.bar {
            if records.is_multiple_of(1024) {
                bar.set_position(bytes);
                bar.set_message(format!("{records} records"));
            }
        } else if self.plain
            && records.is_multiple_of(4096)
            && self.last_line.elapsed() > Duration::from_secs(10)
        {
            self.last_line = Instant::now();
            let _ = writeln!(
                std::io::stderr(),
                "scanned {records} records ({bytes} bytes)"
            );
        }
    }

    /// Clears the bar and returns the elapsed time.
    pub(crate) fn finish(self) -> Duration {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        self.started.elapsed()
    }
}
