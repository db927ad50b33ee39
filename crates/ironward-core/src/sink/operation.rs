//! The operation an application is about to perform at a sink, as adapters describe it to
//! [`Engine::check_sink`](crate::Engine::check_sink).

use super::{Dialect, Sink};
use std::borrow::Cow;
use std::net::IpAddr;

/// Longest operation text kept in a finding, in bytes; longer ones are cut at a character
/// boundary.
pub const MAX_OPERATION_REPORTED: usize = 1024;

/// One operation at a sink.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Operation<'a> {
    /// A SQL query about to be executed, in the dialect of the driver's database.
    Sql {
        /// The query text as sent to the driver (placeholders included).
        query: &'a str,
        /// The database's dialect.
        dialect: Dialect,
    },
    /// A file path about to be opened, read, written, deleted or renamed (a rename or a copy
    /// is one operation per path).
    Path {
        /// The directory the code joined the input to, when the caller knows it.
        base: Option<&'a str>,
        /// The final path.
        path: &'a str,
    },
    /// A command line about to run through a shell (`sh -c`, `os.system`, `shell=True`).
    Command {
        /// The command line.
        command: &'a str,
    },
    /// A program about to be executed with an argument list, no shell (`args[0]` is the
    /// program).
    Argv {
        /// The program and its arguments.
        args: &'a [&'a str],
    },
    /// An outbound request about to connect.
    Url {
        /// The URL (`scheme://host…`) or the bare `host` / `host:port` being connected to.
        target: &'a str,
        /// The addresses the connection will use, when resolved (empty before resolution).
        resolved: &'a [IpAddr],
    },
    /// A NoSQL (MongoDB) filter about to be sent to the database.
    NoSql {
        /// The filter, as JSON.
        filter: &'a serde_json::Value,
    },
}

impl Operation<'_> {
    /// The sink this operation runs at.
    pub const fn sink(&self) -> Sink {
        match self {
            Operation::Sql { .. } => Sink::Sql,
            Operation::Path { .. } => Sink::Path,
            Operation::Command { .. } | Operation::Argv { .. } => Sink::Shell,
            Operation::Url { .. } => Sink::Ssrf,
            Operation::NoSql { .. } => Sink::NoSql,
        }
    }

    /// The operation as text, for events: the query, the path, the command line, the
    /// arguments joined by spaces, the URL, the filter's compact JSON; cut to
    /// [`MAX_OPERATION_REPORTED`] bytes.
    pub fn text(&self) -> String {
        let full: Cow<'_, str> = match self {
            Operation::Sql { query, .. } => Cow::Borrowed(query),
            Operation::Path { path, .. } => Cow::Borrowed(path),
            Operation::Command { command } => Cow::Borrowed(command),
            Operation::Argv { args } => Cow::Owned(args.join(" ")),
            Operation::Url { target, .. } => Cow::Borrowed(target),
            Operation::NoSql { filter } => Cow::Owned(filter.to_string()),
        };
        cut(&full, MAX_OPERATION_REPORTED).to_owned()
    }
}

/// `s` cut to at most `max` bytes at a character boundary.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_sink() {
        let args = ["convert", "a b.png", "out.png"];
        let op = Operation::Argv { args: &args };
        assert_eq!(op.sink(), Sink::Shell);
        assert_eq!(op.text(), "convert a b.png out.png");
        let long = "é".repeat(MAX_OPERATION_REPORTED);
        let op = Operation::Sql {
            query: &long,
            dialect: Dialect::Sqlite,
        };
        assert!(op.text().len() <= MAX_OPERATION_REPORTED);
        assert_eq!(op.sink(), Sink::Sql);
        let f = serde_json::json!({"a": {"$ne": 1}});
        assert_eq!(Operation::NoSql { filter: &f }.text(), r#"{"a":{"$ne":1}}"#);
    }
}
