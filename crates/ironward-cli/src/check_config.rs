//! `ironward check-config FILE`: validates a configuration and prints the effective one.

use crate::Outcome;
use crate::config_file::params;
use ironward_core::config::{ConfigSources, load};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Runs the command: exit 0 when valid (warnings allowed), 1 on errors.
pub(crate) fn run(file: &Path, template: Option<&str>, sets: &[String], quiet: bool) -> Outcome {
    let params = params(sets)?;
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file.display().to_string();
    let sources = ConfigSources {
        template,
        file: Some(&text),
        file_name: Some(&name),
        params: params.as_ref(),
    };
    let mut err = std::io::stderr().lock();
    match load(&sources) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                writeln!(err, "warning: {w}")?;
            }
            if !quiet {
                let mut out = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut out, &loaded.config)?;
                writeln!(out)?;
            }
            writeln!(err, "{name}: configuration is valid")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors.0 {
                writeln!(err, "error: {e}")?;
            }
            writeln!(err, "{name}: {} error(s)", errors.0.len())?;
            Ok(ExitCode::from(1))
        }
    }
}
