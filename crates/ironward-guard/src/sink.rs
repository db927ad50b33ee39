//! The guards: call one right before the operation runs. Each checks the operation against
//! the current request's inputs ([`current`](crate::current)) and returns [`Blocked`] when a
//! sink check blocks it; outside a request scope each is a no-op costing one thread-local
//! read. Each is `#[track_caller]`: the event's `caller` is the application's `file:line`.

use crate::context::with_current;
use crate::error::Blocked;
pub use ironward_core::sink::Dialect;
use ironward_core::sink::Operation;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::net::IpAddr;
use std::panic::Location;
use std::path::Path;

/// Checks a SQL query about to be executed, in its database's dialect.
///
/// ```
/// use ironward_guard::sink::{self, Dialect};
///
/// fn find(name: &str) -> Result<String, ironward_guard::Blocked> {
///     let query = format!("SELECT * FROM users WHERE name = '{name}'");
///     sink::sql(&query, Dialect::Sqlite)?; // blocks an injected `name` inside a request
///     Ok(query) // …then run it
/// }
/// assert!(find("' OR 1=1 --").is_ok(), "outside a request scope nothing is checked");
/// ```
#[track_caller]
pub fn sql(query: &str, dialect: Dialect) -> Result<(), Blocked> {
    sql_at(query, dialect, Location::caller())
}

#[inline]
pub(crate) fn sql_at(
    query: &str,
    dialect: Dialect,
    caller: &'static Location<'static>,
) -> Result<(), Blocked> {
    with_current(|ctx| ctx.check(&Operation::Sql { query, dialect }, Some(caller)))
}

/// Checks a file path about to be opened, read, written, deleted or renamed. The directory
/// the code joined the input to is the part of the path before the input
/// ([`path_in`] when the code knows it).
#[track_caller]
pub fn path(path: impl AsRef<Path>) -> Result<(), Blocked> {
    check_path(None, path.as_ref(), Location::caller())
}

/// Checks a file path that the code built inside `base` (`base.join(name)`): a path that
/// leaves `base` because of an input is a traversal.
#[track_caller]
pub fn path_in(base: impl AsRef<Path>, path: impl AsRef<Path>) -> Result<(), Blocked> {
    check_path(Some(base.as_ref()), path.as_ref(), Location::caller())
}

pub(crate) fn check_path(
    base: Option<&Path>,
    path: &Path,
    caller: &'static Location<'static>,
) -> Result<(), Blocked> {
    with_current(|ctx| {
        let path = path.to_string_lossy();
        let base = base.map(Path::to_string_lossy);
        let op = Operation::Path {
            base: base.as_deref(),
            path: &path,
        };
        ctx.check(&op, Some(caller))
    })
}

/// Checks a command line about to run through a shell (`sh -c LINE`, `cmd /C LINE`).
#[track_caller]
pub fn check_command_line(command: &str) -> Result<(), Blocked> {
    check_command_line_at(command, Location::caller())
}

pub(crate) fn check_command_line_at(
    command: &str,
    caller: &'static Location<'static>,
) -> Result<(), Blocked> {
    with_current(|ctx| ctx.check(&Operation::Command { command }, Some(caller)))
}

/// Checks a program about to be executed with an argument list, no shell (`args[0]` is the
/// program): an input that becomes an option of the program is an injection.
#[track_caller]
pub fn argv<S: AsRef<str>>(args: &[S]) -> Result<(), Blocked> {
    let caller = Location::caller();
    with_current(|ctx| {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        ctx.check(&Operation::Argv { args: &args }, Some(caller))
    })
}

/// Checks an argument list of `OsStr`s (a `Command`'s program and arguments).
pub(crate) fn check_os_argv<'a>(
    args: impl Iterator<Item = &'a OsStr>,
    caller: &'static Location<'static>,
) -> Result<(), Blocked> {
    with_current(|ctx| {
        let owned: Vec<Cow<'_, str>> = args.map(OsStr::to_string_lossy).collect();
        let args: Vec<&str> = owned.iter().map(AsRef::as_ref).collect();
        ctx.check(&Operation::Argv { args: &args }, Some(caller))
    })
}

/// Checks an outbound connection about to be made: `target` is the URL (or bare `host` /
/// `host:port`) and `resolved` the addresses it will connect to (empty before resolution: a
/// name is then judged by itself). An input that chooses the host of a connection to an
/// internal address or a metadata service is server-side request forgery.
#[track_caller]
pub fn url(target: &str, resolved: &[IpAddr]) -> Result<(), Blocked> {
    let caller = Location::caller();
    with_current(|ctx| ctx.check(&Operation::Url { target, resolved }, Some(caller)))
}

/// Checks a MongoDB-style filter (JSON) about to be sent to a NoSQL database.
#[track_caller]
pub fn nosql(filter: &serde_json::Value) -> Result<(), Blocked> {
    let caller = Location::caller();
    with_current(|ctx| ctx.check(&Operation::NoSql { filter }, Some(caller)))
}
