//! Guarded file operations: `std::fs` look-alikes that check each path with
//! [`sink::path`](crate::sink::path) first, and the same for `tokio::fs` in [`mod@tokio`].
//!
//! A blocked path fails with an `io::Error` of kind `PermissionDenied` wrapping [`Blocked`]
//! (find it with [`Blocked::find`]); the operation does not run.
//!
//! ```
//! use std::path::Path;
//!
//! fn download(name: &str) -> std::io::Result<Vec<u8>> {
//!     // `name = "../../etc/passwd"` is blocked inside a request scope.
//!     ironward_guard::fs::read(Path::new("/srv/files").join(name))
//! }
//! assert!(download("missing.txt").is_err()); // not found: outside a scope, nothing is checked
//! ```

use crate::error::Blocked;
use crate::sink::check_path;
use std::io;
use std::panic::Location;
use std::path::Path;

#[track_caller]
fn checked(path: &Path) -> io::Result<()> {
    check_path(None, path, Location::caller()).map_err(Blocked::into_io)
}

/// [`std::fs::read`], path checked first.
#[track_caller]
pub fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    checked(path.as_ref())?;
    std::fs::read(path)
}

/// [`std::fs::read_to_string`], path checked first.
#[track_caller]
pub fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    checked(path.as_ref())?;
    std::fs::read_to_string(path)
}

/// [`std::fs::write`], path checked first.
#[track_caller]
pub fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    checked(path.as_ref())?;
    std::fs::write(path, contents)
}

/// [`std::fs::File::open`], path checked first.
#[track_caller]
pub fn open(path: impl AsRef<Path>) -> io::Result<std::fs::File> {
    checked(path.as_ref())?;
    std::fs::File::open(path)
}

/// [`std::fs::File::create`], path checked first.
#[track_caller]
pub fn create(path: impl AsRef<Path>) -> io::Result<std::fs::File> {
    checked(path.as_ref())?;
    std::fs::File::create(path)
}

/// [`std::fs::OpenOptions::open`], path checked first.
#[track_caller]
pub fn open_with(
    options: &std::fs::OpenOptions,
    path: impl AsRef<Path>,
) -> io::Result<std::fs::File> {
    checked(path.as_ref())?;
    options.open(path)
}

/// [`std::fs::remove_file`], path checked first.
#[track_caller]
pub fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    checked(path.as_ref())?;
    std::fs::remove_file(path)
}

/// [`std::fs::rename`], both paths checked first.
#[track_caller]
pub fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    checked(from.as_ref())?;
    checked(to.as_ref())?;
    std::fs::rename(from, to)
}

/// [`std::fs::copy`], both paths checked first.
#[track_caller]
pub fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    checked(from.as_ref())?;
    checked(to.as_ref())?;
    std::fs::copy(from, to)
}

/// `tokio::fs` look-alikes. Each checks its path when called (inside the request's task,
/// where the context is), then returns the operation's future: write
/// `ironward_guard::fs::tokio::read(p).await` where you would write `tokio::fs::read(p).await`.
pub mod tokio {
    use super::checked;
    use std::future::Future;
    use std::io;
    use std::path::Path;

    /// [`tokio::fs::read`], path checked first.
    #[track_caller]
    pub fn read(path: impl AsRef<Path>) -> impl Future<Output = io::Result<Vec<u8>>> {
        let check = checked(path.as_ref());
        let path = path.as_ref().to_owned();
        async move {
            check?;
            ::tokio::fs::read(path).await
        }
    }

    /// [`tokio::fs::read_to_string`], path checked first.
    #[track_caller]
    pub fn read_to_string(path: impl AsRef<Path>) -> impl Future<Output = io::Result<String>> {
        let check = checked(path.as_ref());
        let path = path.as_ref().to_owned();
        async move {
            check?;
            ::tokio::fs::read_to_string(path).await
        }
    }

    /// [`tokio::fs::write`], path checked first.
    #[track_caller]
    pub fn write(
        path: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
    ) -> impl Future<Output = io::Result<()>> {
        let check = checked(path.as_ref());
        let path = path.as_ref().to_owned();
        let contents = contents.as_ref().to_owned();
        async move {
            check?;
            ::tokio::fs::write(path, contents).await
        }
    }

    /// [`tokio::fs::File::open`], path checked first.
    #[track_caller]
    pub fn open(path: impl AsRef<Path>) -> impl Future<Output = io::Result<::tokio::fs::File>> {
        let check = checked(path.as_ref());
        let path = path.as_ref().to_owned();
        async move {
            check?;
            ::tokio::fs::File::open(path).await
        }
    }

    /// [`tokio::fs::remove_file`], path checked first.
    #[track_caller]
    pub fn remove_file(path: impl AsRef<Path>) -> impl Future<Output = io::Result<()>> {
        let check = checked(path.as_ref());
        let path = path.as_ref().to_owned();
        async move {
            check?;
            ::tokio::fs::remove_file(path).await
        }
    }

    /// [`tokio::fs::rename`], both paths checked first.
    #[track_caller]
    pub fn rename(
        from: impl AsRef<Path>,
        to: impl AsRef<Path>,
    ) -> impl Future<Output = io::Result<()>> {
        let check = match checked(from.as_ref()) {
            Ok(()) => checked(to.as_ref()),
            err => err,
        };
        let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
        async move {
            check?;
            ::tokio::fs::rename(from, to).await
        }
    }
}
