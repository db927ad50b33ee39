//! `COMMAND_PATH_LOOKUP`: the executables on the server's `PATH`, added to the command
//! dictionary of the `command` check. The engine is pure and never reads the file system, so
//! the host (this binary, the Python package, the adapters) does it once at start-up.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;

/// Most names taken from `PATH`, so that a huge `PATH` cannot bloat the dictionary.
const MAX_NAMES: usize = 20_000;

/// The names of the executable files in the directories of `path` (a `PATH` value), sorted.
pub(crate) fn executables_on_path(path: &OsStr) -> Vec<String> {
    let mut names = BTreeSet::new();
    for dir in std::env::split_paths(path) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if names.len() >= MAX_NAMES {
                break;
            }
            let p = entry.path();
            if is_executable(&p)
                && let Some(name) = p.file_name().and_then(OsStr::to_str)
            {
                names.insert(name.to_owned());
            }
        }
    }
    names.into_iter().collect()
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("mytool"), "#!/bin/sh\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join("mytool"), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
        let joined = std::env::join_paths([dir.to_path_buf(), dir.join("missing")]).unwrap();
        let names = executables_on_path(&joined);
        assert!(names.contains(&"mytool".to_owned()));
        #[cfg(unix)]
        assert!(!names.contains(&"notes.txt".to_owned()));
    }
}
