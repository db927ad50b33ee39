//! How the store tells the operator that the shared state went away or came back: once per
//! outage, never per request.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

/// A change of the shared state's availability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Redis is unreachable, too slow, full or refusing us: counting and blacklisting go on
    /// in this process until it is back.
    Down {
        /// Where (the URL without its credentials).
        target: String,
        /// Why (the first error seen).
        reason: String,
    },
    /// Redis answers again: the shared state is in use again.
    Up {
        /// Where (the URL without its credentials).
        target: String,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Down { target, reason } => write!(
                f,
                "shared state unavailable ({target}: {reason}); counting in this process until \
                 it is back, reconnecting in the background"
            ),
            Notice::Up { target } => write!(f, "shared state back ({target})"),
        }
    }
}

/// Receives the notices (called from a background thread or, at most once per outage, from
/// the request path).
pub type Notify = Arc<dyn Fn(&Notice) + Send + Sync>;

/// The default receiver: one `[!] Ironward: …` line on standard error, like the engine's
/// internal errors.
pub fn stderr() -> Notify {
    Arc::new(|n: &Notice| {
        let line: String = n
            .to_string()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(400)
            .collect();
        let _ = writeln!(std::io::stderr(), "[!] Ironward: {line}");
    })
}

/// The URL without its user name and password (safe to print).
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::from("?");
    };
    // The authority ends at the first `/`, `?` or `#`; credentials end at its last `@`.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let tail = tail.split_once('?').map_or(tail, |(path, _)| path);
    format!("{scheme}://{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        assert_eq!(
            redact("redis://user:p@ss@cache:6379/2"),
            "redis://cache:6379/2"
        );
        assert_eq!(redact("rediss://:secret@h"), "rediss://h");
        assert_eq!(
            redact("redis+unix:///run/r.sock?db=1&pass=x"),
            "redis+unix:///run/r.sock"
        );
        assert_eq!(redact("nope"), "?");
        let n = Notice::Down {
            target: "redis://h".into(),
            reason: "refused".into(),
        };
        assert!(
            n.to_string()
                .starts_with("shared state unavailable (redis://h: refused)")
        );
    }
}
