//! Sink detectors: checks run where the application *uses* the request's input — the SQL
//! query it is about to execute, the file path it is about to open, and in later steps the
//! shell command, the outbound URL and the NoSQL filter.
//!
//! ## The model
//!
//! Request-side checks guess from the input alone: a forum post quoting `' OR 1=1` looks like
//! an attack and is not. A sink check knows the operation the input turned into, so it can
//! decide on a precise rule:
//!
//! > **A user input that changes the token structure of the operation, at the moment the
//! > operation runs, is an injection.**
//!
//! The input is found in the operation by exact byte search (the application inserted it as
//! it received it, the decoded value). An occurrence that stays inside one value of the
//! operation — the content of a string literal, a number, a single word — leaves the structure
//! as the code wrote it; an occurrence that closes a quote, opens a comment, adds an operator,
//! a second statement or several tokens changes it.
//!
//! Detectors are pure functions with one signature style: the operation, then the request's
//! user input strings (any `IntoIterator` of `AsRef<str>`: `&[&str]`, `Vec<String>`…). Each
//! also has a `*_request` convenience taking the extracted [`Inputs`] of the request (every
//! [`Input::value`](crate::input::Input::value), decoded forms included). They return at most
//! one [`SinkFinding`], the first injection found, and never panic or fail: an operation the
//! detector cannot analyse is not reported unless the input is what makes it unanalysable.
//!
//! The detectors: SQL ([`sql`]), path ([`path`]), shell ([`shell`]: command lines and argument
//! lists), SSRF ([`ssrf`]: the outbound URL or host and the addresses it resolved to) and NoSQL
//! ([`nosql`]: MongoDB filters, where user *objects* rather than strings are compared).
//!
//! Around them: a [`SinkRequest`] holds one request's inputs, owned, for as long as the
//! application handles it; an [`Operation`] describes what the application is about to do; and
//! [`Engine::check_sink`](crate::Engine::check_sink) runs the operation's detector and applies
//! the `SINK_CHECKS` level (block, blacklist, report), with a [`SinkDetail`] in the finding and
//! its event. The adapters — the Python package's driver instrumentation and the Rust guards
//! (`ironward-guard`) — keep the `SinkRequest` in the request's context and call `check_sink`.
//! See `docs/sinks.md`.

pub mod nosql;
mod operation;
pub mod path;
mod report;
mod request;
mod search;
pub mod shell;
pub mod sql;
pub mod ssrf;
#[cfg(test)]
mod test_support;

pub(crate) use operation::cut as operation_cut_to;
pub use operation::{MAX_OPERATION_REPORTED, Operation};
pub use report::SinkDetail;
pub use request::SinkRequest;

use crate::check::CheckId;
use crate::input::Inputs;
use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// Inputs shorter than this many bytes are never reported: one character cannot be told apart
/// from the application's own text.
pub const MIN_INPUT_LEN: usize = 2;

/// The kind of sink an operation was checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sink {
    /// A SQL query about to be executed.
    Sql,
    /// A file path about to be opened, written, deleted or renamed.
    Path,
    /// A command line about to run through a shell, or an argument list about to be executed.
    Shell,
    /// An outbound request about to connect (a URL or host and the addresses it resolved to).
    Ssrf,
    /// A NoSQL (MongoDB) filter about to be sent to the database.
    NoSql,
}

impl Sink {
    /// Every sink, in `SINK_CHECKS` order.
    pub const ALL: [Sink; 5] = [Sink::Sql, Sink::Shell, Sink::Path, Sink::Ssrf, Sink::NoSql];

    /// The request-side check of the same attack, whose id a sink finding carries in events
    /// (`sql` and `nosql` → `sqli`, `shell` → `command`, `path` → `path_traversal`, `ssrf` →
    /// `ssrf`).
    pub const fn check(self) -> CheckId {
        match self {
            Sink::Sql | Sink::NoSql => CheckId::Sqli,
            Sink::Shell => CheckId::Command,
            Sink::Path => CheckId::PathTraversal,
            Sink::Ssrf => CheckId::Ssrf,
        }
    }

    /// The sink's name, as in `SINK_CHECKS` and events.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sink::Sql => "sql",
            Sink::Path => "path",
            Sink::Shell => "shell",
            Sink::Ssrf => "ssrf",
            Sink::NoSql => "nosql",
        }
    }
}

/// The SQL dialect of a query, as the database driver knows it. It decides how strings,
/// escapes, identifiers and comments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// SQLite: `'…'` strings with `''` escapes, `"…"`, `` `…` `` and `[…]` identifiers.
    Sqlite,
    /// PostgreSQL: `'…'` (standard-conforming) strings, `E'…'` strings with backslash escapes,
    /// `$$…$$` / `$tag$…$tag$` dollar-quoted strings, nested `/* */` comments.
    Postgres,
    /// MySQL and MariaDB: `'…'` and `"…"` strings with backslash escapes, `#` comments,
    /// `` `…` `` identifiers, executable comments (`/*!…*/`, `/*M!…*/`).
    MySql,
    /// Any other database: a permissive ANSI-like reading.
    #[default]
    Generic,
}

impl Dialect {
    /// The dialect's name (`sqlite`, `postgres`, `mysql`, `generic`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Generic => "generic",
        }
    }
}

/// Why an occurrence of an input counts as an injection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The input covers a quote (or prefix) that opens or closes a literal or quoted name.
    Quote,
    /// The input opens, closes or lies in code of a comment (including MySQL's executable
    /// `/*! … */` comments).
    Comment,
    /// The input holds a `;`: a second statement.
    Stacked,
    /// The input is or adds an operator or punctuation (`=`, `(`, `||`, `::`…).
    Operator,
    /// The input spans several tokens (keywords, names, values) outside any literal.
    Tokens,
    /// The query does not tokenize, but does with the input replaced by a neutral literal.
    Tokenization,
    /// The input's `..` segments take the path above the directory it was joined to.
    Climb,
    /// The input starts the path with an absolute form (`/`, `\\`, a drive letter, a UNC
    /// share, `~`) where a path inside a directory was expected.
    Absolute,
    /// The input holds a NUL byte, which cuts the path short in C APIs.
    NulByte,
    /// The input adds a shell command separator or pipe (`;`, `&`, `&&`, `||`, `|`, a newline).
    Separator,
    /// The input adds a shell substitution (`$(…)`, `` `…` ``, `${…}`, `$name`, `<(…)`).
    Substitution,
    /// The input adds a shell redirection (`<`, `>`, `>>`, `2>&1`, here-documents).
    Redirection,
    /// The input adds shell words outside any quotes (spaces, globs or braces that change the
    /// number of arguments).
    Words,
    /// The input becomes an option (`-o…`, `--output=…`) of the program it is passed to.
    ArgumentOption,
    /// The request's host resolves to a loopback, private, link-local or otherwise internal
    /// address.
    InternalAddress,
    /// The request goes to a cloud metadata service (by address or host name).
    MetadataService,
    /// A user-supplied object carries query operators (`$ne`, `$where`, `$regex`…) into the
    /// filter.
    QueryOperator,
}

impl Reason {
    /// A short description, for events and logs.
    pub const fn describe(self) -> &'static str {
        match self {
            Reason::Quote => "the input opens or closes a quoted literal",
            Reason::Comment => "the input adds or breaks a comment",
            Reason::Stacked => "the input adds a statement separator",
            Reason::Operator => "the input adds an operator outside a literal",
            Reason::Tokens => "the input adds tokens outside a literal",
            Reason::Tokenization => "the input makes the operation unparsable",
            Reason::Climb => "the input climbs out of the directory it was joined to",
            Reason::Absolute => "the input makes the path absolute",
            Reason::NulByte => "the input holds a NUL byte",
            Reason::Separator => "the input adds a command separator",
            Reason::Substitution => "the input adds a shell substitution",
            Reason::Redirection => "the input adds a redirection",
            Reason::Words => "the input adds shell words outside quotes",
            Reason::ArgumentOption => "the input becomes an option of the program",
            Reason::InternalAddress => "the input sends the request to an internal address",
            Reason::MetadataService => "the input sends the request to a cloud metadata service",
            Reason::QueryOperator => "the input carries query operators into the filter",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An injection found at a sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinkFinding {
    /// The sink the operation was checked at.
    pub sink: Sink,
    /// The input that changed the operation's structure.
    pub input: String,
    /// Its position among the inputs given to the detector.
    pub input_index: usize,
    /// The byte range of the offending occurrence of the input in the operation.
    pub span: Range<usize>,
    /// Why that occurrence is an injection.
    pub reason: Reason,
}

impl fmt::Display for SinkFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} injection at bytes {}..{}: {}",
            self.sink.as_str(),
            self.span.start,
            self.span.end,
            self.reason
        )
    }
}

/// The user input strings of an extracted request, as the detectors take them: every input's
/// value (decoded forms included), in extraction order.
pub fn request_values<'i>(inputs: &'i Inputs<'_>) -> impl Iterator<Item = &'i str> + Clone {
    inputs.items.iter().map(|i| i.value.as_ref())
}
