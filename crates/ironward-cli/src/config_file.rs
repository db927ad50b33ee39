//! Finds, reads and loads the configuration file for a command: the `--config` argument, else
//! `IRONWARD_CONF`, `PYRASP_CONF` or `CONF_FILE` from the environment, else the template alone.

use anyhow::{Context, Result, bail};
use ironward_core::config::{ConfigSources, Loaded, conf_path_from_env, load};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Loads the configuration; warnings go to standard error unless `quiet`.
pub(crate) fn load_config(
    path: Option<&Path>,
    template: Option<&str>,
    quiet: bool,
) -> Result<Loaded> {
    let path: Option<PathBuf> = match path {
        Some(p) => Some(p.to_path_buf()),
        None => conf_path_from_env(|k| std::env::var(k).ok()).map(|(p, _)| PathBuf::from(p)),
    };
    let text = match &path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the configuration {}", p.display()))?,
        ),
        None => None,
    };
    let name = path.as_ref().map(|p| p.display().to_string());
    let sources = ConfigSources {
        template,
        file: text.as_deref(),
        file_name: name.as_deref(),
        params: None,
    };
    match load(&sources) {
        Ok(loaded) => {
            if !quiet {
                let mut err = std::io::stderr().lock();
                for w in &loaded.warnings {
                    let _ = writeln!(err, "warning: {w}");
                }
            }
            Ok(loaded)
        }
        Err(errors) => bail!("invalid configuration:\n{errors}"),
    }
}
