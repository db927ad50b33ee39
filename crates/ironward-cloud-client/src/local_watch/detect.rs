//! [`Detector`]: tells whether a configuration file changed since it was last looked at, by
//! polling: its metadata every tick, its bytes (hashed) when the metadata moved or is too
//! recent to be trusted.
//!
//! Why polling rather than file-system events: it sees every way a file is replaced: an editor
//! writing in place or writing a new file and renaming it over the old one, a Kubernetes
//! ConfigMap swapping the `..data` symlink, a network file system that sends no events, and
//! it needs no platform code. A tick costs one `stat` (plus one read of a few kilobytes when
//! something moved).
//!
//! The rules:
//! * the metadata compared is the length, the modification and status-change times, and on
//!   Unix the device and inode (a rename-replace gives a new inode even at the same size and
//!   time). The path is followed through symlinks;
//! * metadata within [`RACY_WINDOW`] of the moment the bytes were read is not trusted (a
//!   rewrite of the same size within the file system's time granularity leaves it unchanged):
//!   the bytes are read again until a read sees an older modification time (git's "racily
//!   clean" rule);
//! * a file whose metadata changed **while** it was read is being written: nothing is decided,
//!   the next tick reads it again;
//! * the bytes decide: a change is reported once per distinct content (its 64-bit hash), so a
//!   `touch`, a rewrite with the same bytes, or a file removed and restored as it was changes
//!   nothing, and an invalid content is reported once, not every tick. The watcher may ask for
//!   a content again ([`Detector::again`]): it does so for an invalid content younger than
//!   [`REFUSAL_SETTLE`], which may be a write caught half-way;
//! * a missing file is reported after two ticks in a row without it (an editor that renames
//!   the old file away before writing the new one leaves a short gap); an unreadable one once
//!   per distinct error.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Largest configuration file read (64 MiB): a bigger one is refused, not read, so a path
/// pointed at a device or a runaway file never takes the process's memory.
pub const MAX_CONFIG_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Metadata younger than this (at the moment the bytes were read) is not trusted to reveal
/// the next change: 2 s covers the coarsest common time granularity (FAT's).
pub(crate) const RACY_WINDOW: Duration = Duration::from_secs(2);

/// An invalid content younger than this may be a write caught half-way (a writer truncates,
/// then writes): it is read again at the next tick rather than refused ([`Detector::fresh`]).
pub(crate) const REFUSAL_SETTLE: Duration = Duration::from_secs(1);

/// What one look at the file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// Nothing to do: same content, still missing, or being written.
    Unchanged,
    /// The content changed (UTF-8 text).
    Changed(String),
    /// The content changed but is not UTF-8 (reported once per content).
    NotText,
    /// The file is gone (said once per disappearance).
    Missing,
    /// The file came back with the content last seen: nothing to apply.
    BackUnchanged,
    /// The file cannot be read (said once per distinct error).
    Unreadable(String),
}

/// What identifies a version of the file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    ctime: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            ctime: (m.ctime(), m.ctime_nsec()),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        }
    }

    /// True when this stamp cannot hide a later change: its modification time is older than
    /// [`RACY_WINDOW`] at `read_at`.
    fn settled(&self, read_at: SystemTime) -> bool {
        self.modified
            .and_then(|m| read_at.duration_since(m).ok())
            .is_some_and(|age| age >= RACY_WINDOW)
    }
}

/// Polls one file; see the module doc for the rules.
#[derive(Debug)]
pub(crate) struct Detector {
    path: PathBuf,
    /// The stamp of the last read, and whether it can be trusted to reveal a change.
    last: Option<(Stamp, bool)>,
    /// The hash of the last content handed on (applied or refused).
    seen: Option<u64>,
    /// `seen` before the last content was handed on (what [`again`](Self::again) goes back to).
    previous: Option<u64>,
    /// Ticks in a row without the file (0: present).
    missing_ticks: u32,
    /// Whether the disappearance was reported.
    said_missing: bool,
    /// The read error last reported.
    said_error: Option<String>,
}

fn hash(bytes: &[u8]) -> u64 {
    // SipHash with fixed keys: stable within the process, which is all that is compared.
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

impl Detector {
    /// A detector for `path` whose running configuration was built from `baseline` (the
    /// file's text then; `None`: unknown, the first content read becomes the reference
    /// without being applied).
    pub(crate) fn new(path: impl Into<PathBuf>, baseline: Option<&str>) -> Detector {
        Detector {
            path: path.into(),
            last: None,
            seen: baseline.map(|t| hash(t.as_bytes())),
            previous: None,
            missing_ticks: 0,
            said_missing: false,
            said_error: None,
        }
    }

    /// The file watched.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// True while the file is missing and that was reported.
    pub(crate) fn missing(&self) -> bool {
        self.said_missing
    }

    /// The read error reported, while the file cannot be read.
    pub(crate) fn error(&self) -> Option<&str> {
        self.said_error.as_deref()
    }

    /// True when the content last read was modified less than [`REFUSAL_SETTLE`] ago (a
    /// modification time in the future or unknown is not fresh).
    pub(crate) fn fresh(&self) -> bool {
        self.last
            .and_then(|(stamp, _)| stamp.modified)
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age < REFUSAL_SETTLE)
    }

    /// Forgets the content last handed on: the next look reads the file again and hands the
    /// content on again if it is still there.
    pub(crate) fn again(&mut self) {
        self.seen = self.previous;
        self.last = None;
    }

    /// Looks at the file once.
    pub(crate) fn poll(&mut self) -> Event {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return self.unreadable("not a regular file".to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return self.gone(),
            Err(e) => return self.unreadable(e.to_string()),
        };
        let was_missing = std::mem::take(&mut self.missing_ticks) > 0;
        let stamp = Stamp::of(&meta);
        if !was_missing && self.last == Some((stamp, true)) {
            return Event::Unchanged;
        }
        if stamp.len > MAX_CONFIG_FILE_BYTES {
            return self.unreadable(format!(
                "larger than {MAX_CONFIG_FILE_BYTES} bytes ({} bytes)",
                stamp.len
            ));
        }
        let read_at = SystemTime::now();
        let bytes = match read_bounded(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return self.gone(),
            Err(e) => return self.unreadable(e.to_string()),
        };
        // Changed while it was read: being written. The next tick reads it again.
        match std::fs::metadata(&self.path) {
            Ok(after) if Stamp::of(&after) == stamp => {}
            _ => {
                self.last = None;
                return Event::Unchanged;
            }
        }
        self.said_error = None;
        self.last = Some((stamp, stamp.settled(read_at)));
        let said_missing = std::mem::take(&mut self.said_missing);
        let h = hash(&bytes);
        if self.seen == Some(h) {
            return if said_missing {
                Event::BackUnchanged
            } else {
                Event::Unchanged
            };
        }
        let first = self.seen.is_none();
        self.previous = self.seen.replace(h);
        if first {
            // No baseline: this content is the one running.
            return Event::Unchanged;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Event::Changed(text),
            Err(_) => Event::NotText,
        }
    }

    fn gone(&mut self) -> Event {
        self.last = None;
        self.said_error = None;
        self.missing_ticks = self.missing_ticks.saturating_add(1);
        if self.missing_ticks >= 2 && !self.said_missing {
            self.said_missing = true;
            return Event::Missing;
        }
        Event::Unchanged
    }

    fn unreadable(&mut self, error: String) -> Event {
        self.last = None;
        self.missing_ticks = 0;
        self.said_missing = false;
        if self.said_error.as_ref() == Some(&error) {
            return Event::Unchanged;
        }
        self.said_error = Some(error.clone());
        Event::Unreadable(error)
    }
}

/// The file's bytes, at most [`MAX_CONFIG_FILE_BYTES`] (a longer file is an error).
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CONFIG_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_CONFIG_FILE_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs;

    const A: &str = r#"{"SECURITY_CHECKS": {"xss": 2}}"#;
    const B: &str = r#"{"SECURITY_CHECKS": {"xss": 0}}"#; // same length as A

    fn setup(text: &str) -> (tempfile::TempDir, PathBuf, Detector) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rasp.json");
        fs::write(&path, text).unwrap();
        let d = Detector::new(&path, Some(text));
        (dir, path, d)
    }

    #[test]
    fn nothing_changed_nothing_reported() {
        let (_dir, _path, mut d) = setup(A);
        for _ in 0..3 {
            assert_eq!(d.poll(), Event::Unchanged);
        }
    }

    #[test]
    fn a_same_size_rewrite_in_place_is_seen() {
        // Same length, same second: only the bytes tell (the racy rule makes the detector read
        // them again while the modification time is recent).
        let (_dir, path, mut d) = setup(A);
        assert_eq!(d.poll(), Event::Unchanged);
        fs::write(&path, B).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
        assert_eq!(d.poll(), Event::Unchanged, "once per change");
    }

    #[test]
    fn a_rename_replace_is_seen() {
        let (dir, path, mut d) = setup(A);
        assert_eq!(d.poll(), Event::Unchanged);
        let tmp = dir.path().join(".rasp.json.swp");
        fs::write(&tmp, B).unwrap();
        fs::rename(&tmp, &path).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
        assert_eq!(d.poll(), Event::Unchanged);
    }

    #[cfg(unix)]
    #[test]
    fn a_configmap_symlink_swap_is_seen() {
        // Kubernetes: rasp.json -> ..data/rasp.json, ..data -> ..v1; an update makes ..v2 and
        // swaps ..data.
        let dir = tempfile::tempdir().unwrap();
        let d1 = dir.path().join("..v1");
        let d2 = dir.path().join("..v2");
        fs::create_dir(&d1).unwrap();
        fs::create_dir(&d2).unwrap();
        fs::write(d1.join("rasp.json"), A).unwrap();
        fs::write(d2.join("rasp.json"), B).unwrap();
        std::os::unix::fs::symlink("..v1", dir.path().join("..data")).unwrap();
        let path = dir.path().join("rasp.json");
        std::os::unix::fs::symlink("..data/rasp.json", &path).unwrap();
        let mut d = Detector::new(&path, Some(A));
        assert_eq!(d.poll(), Event::Unchanged);
        let tmp = dir.path().join("..data_tmp");
        std::os::unix::fs::symlink("..v2", &tmp).unwrap();
        fs::rename(&tmp, dir.path().join("..data")).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
    }

    #[test]
    fn a_touch_or_the_same_bytes_change_nothing() {
        let (dir, path, mut d) = setup(A);
        fs::write(&path, A).unwrap();
        assert_eq!(d.poll(), Event::Unchanged);
        let tmp = dir.path().join("new");
        fs::write(&tmp, A).unwrap();
        fs::rename(&tmp, &path).unwrap();
        assert_eq!(d.poll(), Event::Unchanged);
    }

    #[test]
    fn truncated_or_invalid_content_is_handed_on_once_then_the_fix() {
        // The detector hands every distinct content on once (the caller refuses the invalid
        // one and reports it): a half-written file, then the same half again (no news), then
        // the complete file.
        let (_dir, path, mut d) = setup(A);
        fs::write(&path, &B[..10]).unwrap();
        assert_eq!(d.poll(), Event::Changed(B[..10].to_owned()));
        assert_eq!(d.poll(), Event::Unchanged);
        fs::write(&path, &B[..10]).unwrap();
        assert_eq!(d.poll(), Event::Unchanged, "same bad bytes: not again");
        fs::write(&path, B).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
    }

    #[test]
    fn bytes_that_are_not_text_are_reported_once() {
        let (_dir, path, mut d) = setup(A);
        fs::write(&path, [0xff, 0xfe, b'{']).unwrap();
        assert_eq!(d.poll(), Event::NotText);
        assert_eq!(d.poll(), Event::Unchanged);
    }

    #[test]
    fn a_deleted_file_is_reported_once_and_its_return_is_seen() {
        let (_dir, path, mut d) = setup(A);
        assert_eq!(d.poll(), Event::Unchanged);
        fs::remove_file(&path).unwrap();
        // One tick without it may be an editor's gap; the second says so, once.
        assert_eq!(d.poll(), Event::Unchanged);
        assert_eq!(d.poll(), Event::Missing);
        assert_eq!(d.poll(), Event::Unchanged);
        // Back as it was: nothing to apply.
        fs::write(&path, A).unwrap();
        assert_eq!(d.poll(), Event::BackUnchanged);
        // Gone and back with new content: applied.
        fs::remove_file(&path).unwrap();
        assert_eq!(d.poll(), Event::Unchanged);
        assert_eq!(d.poll(), Event::Missing);
        fs::write(&path, B).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
    }

    #[test]
    fn a_short_gap_is_not_reported() {
        let (_dir, path, mut d) = setup(A);
        fs::remove_file(&path).unwrap();
        assert_eq!(d.poll(), Event::Unchanged);
        fs::write(&path, B).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
    }

    #[test]
    fn a_directory_is_unreadable_once() {
        let (dir, _path, _d) = setup(A);
        let mut d = Detector::new(dir.path(), Some(A));
        assert!(matches!(d.poll(), Event::Unreadable(e) if e.contains("regular")));
        assert_eq!(d.poll(), Event::Unchanged);
    }

    #[test]
    fn a_read_error_clears_once_the_file_reads_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rasp.json");
        fs::create_dir(&path).unwrap();
        let mut d = Detector::new(&path, Some(A));
        assert!(matches!(d.poll(), Event::Unreadable(_)));
        assert!(d.error().is_some());
        fs::remove_dir(&path).unwrap();
        fs::write(&path, A).unwrap();
        assert_eq!(d.poll(), Event::Unchanged, "the content that runs");
        assert_eq!((d.error(), d.missing()), (None, false));
    }

    #[test]
    fn without_a_baseline_the_first_content_is_the_reference() {
        let (_dir, path, _) = setup(A);
        let mut d = Detector::new(&path, None);
        assert_eq!(d.poll(), Event::Unchanged);
        fs::write(&path, B).unwrap();
        assert_eq!(d.poll(), Event::Changed(B.to_owned()));
    }

    #[test]
    fn settled_metadata_is_not_read_again() {
        let (_dir, path, mut d) = setup(A);
        let old = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(d.poll(), Event::Unchanged);
        assert!(d.last.is_some_and(|(_, settled)| settled));
    }
}
