//! Loading the configuration for the Python package: the template, the file (the `conf`
//! argument, else `IRONWARD_CONF`, `PYRASP_CONF` or `CONF_FILE`) and the explicit params, layered
//! by the core's loader (`ironward_core::config::load`), as the `ironward` command does, with
//! the management server's remote layer between the file and the params when the package's
//! cloud agent received one (pyrasp's order).
//!
//! The core never reads the file system, so the host does the I/O here: reading the file and,
//! with `COMMAND_PATH_LOOKUP`, listing the executables on `PATH` once at start-up.

use ironward_core::config::{
    ConfigErrors, ConfigSources, Loaded, conf_path_from_env, load_with_remote,
};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;

/// Most executable names taken from `PATH`.
const MAX_PATH_NAMES: usize = 20_000;

/// Why no configuration could be built.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// The file could not be read.
    Read(String),
    /// The params (or the remote layer) are not JSON.
    Params(String),
    /// The layers hold invalid keys or values: every error.
    Invalid(ConfigErrors),
}

impl LoadError {
    /// One message per problem.
    pub(crate) fn messages(&self) -> Vec<String> {
        match self {
            LoadError::Read(m) | LoadError::Params(m) => vec![m.clone()],
            LoadError::Invalid(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A loaded configuration and where it came from (for the banner and `get_status`).
#[derive(Debug)]
pub(crate) struct Source {
    /// The configuration and its warnings.
    pub(crate) loaded: Loaded,
    /// `template default`, or the file path.
    pub(crate) description: String,
    /// True when a file was read.
    pub(crate) from_file: bool,
}

/// Loads the layers. `conf` is the file path given by the application; without it the
/// environment names the file, if any. `params` is a JSON object (text). `remote` is the
/// management server's configuration as the cloud agent holds it, JSON text
/// `{"template": name or absent, "config": {keys}}`: its template replaces `template`, its keys
/// are the layer between the file and the params.
pub(crate) fn load_layers(
    template: Option<&str>,
    conf: Option<&str>,
    params: Option<&str>,
    remote: Option<&str>,
) -> Result<Source, LoadError> {
    let remote: Option<serde_json::Value> = match remote.map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            serde_json::from_str(text)
                .map_err(|e| LoadError::Params(format!("remote: not a JSON object: {e}")))?,
        ),
    };
    let remote_template = remote
        .as_ref()
        .and_then(|r| r.get("template"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    let template = remote_template.as_deref().or(template);
    let remote_layer = remote.as_ref().and_then(|r| r.get("config"));
    let params: Option<serde_json::Value> = match params.map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            serde_json::from_str(text)
                .map_err(|e| LoadError::Params(format!("params: not a JSON object: {e}")))?,
        ),
    };
    let path = match conf.filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(c.to_owned()),
        None => conf_path_from_env(|k| std::env::var(k).ok()).map(|(p, _)| p),
    };
    let text = match &path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| LoadError::Read(format!("cannot read the configuration {p}: {e}")))?,
        ),
        None => None,
    };
    let sources = ConfigSources {
        template,
        file: text.as_deref(),
        file_name: path.as_deref(),
        params: params.as_ref(),
    };
    let mut loaded = load_with_remote(&sources, remote_layer).map_err(LoadError::Invalid)?;
    if loaded.config.command_path_lookup {
        let path = std::env::var_os("PATH").unwrap_or_default();
        loaded
            .config
            .extra_commands
            .extend(executables_on_path(&path));
    }
    let description = match &path {
        Some(p) => p.clone(),
        None => format!("template {}", template.unwrap_or("default")),
    };
    Ok(Source {
        loaded,
        description,
        from_file: path.is_some(),
    })
}

/// The names of the executable files in the directories of a `PATH` value, sorted, at most
/// [`MAX_PATH_NAMES`].
pub(crate) fn executables_on_path(path: &OsStr) -> Vec<String> {
    let mut names = BTreeSet::new();
    'dirs: for dir in std::env::split_paths(path) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if names.len() >= MAX_PATH_NAMES {
                break 'dirs;
            }
            let p = entry.path();
            if runnable(&p)
                && let Some(name) = p.file_name().and_then(OsStr::to_str)
            {
                names.insert(name.to_owned());
            }
        }
    }
    names.into_iter().collect()
}

#[cfg(unix)]
fn runnable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn runnable(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_layer_wins_and_errors_are_all_listed() {
        let s = load_layers(
            Some("default"),
            None,
            Some(r#"{"BLOCK_STATUS_CODE": 406}"#),
            None,
        );
        let Ok(s) = s else {
            panic!("valid params rejected");
        };
        assert_eq!(s.loaded.config.block_status_code, 406);
        let bad = load_layers(
            None,
            None,
            Some(r#"{"BLOCK_STATUS_CODE": "x", "NOPE": 1}"#),
            None,
        );
        let Err(e) = bad else {
            panic!("invalid params accepted");
        };
        assert!(e.messages().len() >= 2);
        assert!(matches!(
            load_layers(None, Some("/nonexistent/rasp.json"), None, None),
            Err(LoadError::Read(_))
        ));
    }

    #[test]
    fn the_remote_layer_sits_between_the_file_and_the_params() {
        let remote =
            r#"{"template": "monitor", "config": {"BLOCK_STATUS_CODE": 418, "XSS_PROBA": 0.5}}"#;
        let Ok(s) = load_layers(
            Some("default"),
            None,
            Some(r#"{"BLOCK_STATUS_CODE": 406}"#),
            Some(remote),
        ) else {
            panic!("valid remote layer rejected");
        };
        assert_eq!(s.loaded.config.block_status_code, 406, "params win");
        assert!(
            (s.loaded.config.xss_proba - 0.5).abs() < 1e-9,
            "remote over the template"
        );
        let Err(e) = load_layers(None, None, None, Some(r#"{"config": {"NOPE": 1}}"#)) else {
            panic!("unknown remote key accepted");
        };
        assert!(
            e.messages().iter().any(|m| m.contains("remote")),
            "{:?}",
            e.messages()
        );
    }
}
