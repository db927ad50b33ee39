//! Finds, reads and loads the configuration file for a command: the `--config` argument, else
//! `IRONWARD_CONF`, `PYRASP_CONF` or `CONF_FILE` from the environment, else the template alone;
//! `--set KEY=VALUE` arguments form the highest layer.

use anyhow::{Context, Result, bail};
use ironward_core::config::{ConfigSources, Loaded, conf_path_from_env, load};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Turns `--set KEY=VALUE` arguments into the params layer: VALUE is read as JSON when it
/// parses (`406`, `true`, `["a"]`), else taken as a string (`--set APP_NAME=Shop`).
pub(crate) fn params(sets: &[String]) -> Result<Option<serde_json::Value>> {
    if sets.is_empty() {
        return Ok(None);
    }
    let mut map = serde_json::Map::new();
    for set in sets {
        let Some((key, value)) = set.split_once('=') else {
            bail!("--set {set}: expected KEY=VALUE");
        };
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        map.insert(key.trim().to_owned(), value);
    }
    Ok(Some(serde_json::Value::Object(map)))
}

/// Loads the configuration; warnings go to standard error unless `quiet`.
pub(crate) fn load_config(
    path: Option<&Path>,
    template: Option<&str>,
    sets: &[String],
    quiet: bool,
) -> Result<Loaded> {
    let params = params(sets)?;
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
        params: params.as_ref(),
    };
    match load(&sources) {
        Ok(mut loaded) => {
            if loaded.config.command_path_lookup {
                let path = std::env::var_os("PATH").unwrap_or_default();
                let names = crate::path_commands::executables_on_path(&path);
                loaded.config.extra_commands.extend(names);
            }
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
