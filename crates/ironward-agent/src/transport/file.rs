//! File: appends `record\n` to `LOG_PATH`, with size rotation.
//!
//! **Rotation.** When writing a record would take the file past `LOG_FILE_SIZE` MB (MiB,
//! 1,048,576 bytes), the file is rotated first: `path.4` → `path.5` (the oldest, `path.5`, is
//! deleted), …, `path.1` → `path.2`, `path` → `path.1`, and a new `path` is created. At most
//! [`KEEP`] old files are kept. A single record larger than the limit is still written (alone) in
//! a fresh file. `LOG_FILE_SIZE = 0` disables rotation.
//!
//! **Directories.** The parent directory is not created: opening fails if it is missing (a
//! typo in `LOG_PATH` should surface at start-up, not create a stray tree).
//!
//! **Failures.** Write and rotation errors are returned; after a failed rotation the transport
//! keeps appending to the current file (if still open) rather than losing records.

use super::{Transport, TransportError};
use ironward_core::config::Config;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rotated files kept (`path.1` … `path.5`).
pub const KEEP: u32 = 5;

/// The file transport.
#[derive(Debug)]
pub struct File {
    path: PathBuf,
    file: fs::File,
    size: u64,
    limit: u64,
    buf: Vec<u8>,
}

fn open_append(path: &Path) -> std::io::Result<(fs::File, u64)> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let size = file.metadata()?.len();
    Ok((file, size))
}

fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

impl File {
    /// Opens (creating if needed) `LOG_PATH` for appending.
    pub fn open(config: &Config) -> Result<File, TransportError> {
        if config.log_path.is_empty() {
            return Err(TransportError::Config(
                "LOG_PATH is empty (the file transport needs a path)".to_owned(),
            ));
        }
        let path = PathBuf::from(&config.log_path);
        let (file, size) = open_append(&path)?;
        Ok(File {
            path,
            file,
            size,
            limit: config.log_file_size.saturating_mul(1024 * 1024),
            buf: Vec::new(),
        })
    }

    /// The rotated file `n` (`path.n`).
    pub fn rotated_path(&self, n: u32) -> PathBuf {
        rotated(&self.path, n)
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let oldest = rotated(&self.path, KEEP);
        if oldest.exists() {
            fs::remove_file(&oldest)?;
        }
        for n in (1..KEEP).rev() {
            let from = rotated(&self.path, n);
            if from.exists() {
                fs::rename(&from, rotated(&self.path, n + 1))?;
            }
        }
        self.file.flush()?;
        fs::rename(&self.path, rotated(&self.path, 1))?;
        let (file, size) = open_append(&self.path)?;
        self.file = file;
        self.size = size;
        Ok(())
    }
}

impl Transport for File {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        self.buf.clear();
        self.buf.extend_from_slice(record);
        self.buf.push(b'\n');
        let len = self.buf.len() as u64;
        if self.limit > 0 && self.size > 0 && self.size.saturating_add(len) > self.limit {
            self.rotate()?;
        }
        self.file.write_all(&self.buf)?;
        self.size = self.size.saturating_add(len);
        Ok(())
    }
}
