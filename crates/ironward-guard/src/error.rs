//! [`Blocked`]: the error a guard returns when the sink check blocks the operation.

use ironward_core::Verdict;
use ironward_core::sink::SinkDetail;
use std::error::Error as StdError;
use std::io;

/// The operation was blocked by a sink check: a request input changed its structure (SQL
/// query, command line, file path, outbound destination) and `SINK_CHECKS` sets the sink to
/// level 1 or 2.
///
/// Return it (or the error it is wrapped in) from the handler: the layer or middleware
/// replaces the handler's response with the block response whatever the handler made of the
/// error. [`verdict`](Self::verdict) holds the finding and the response.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", describe(verdict))]
pub struct Blocked {
    verdict: Box<Verdict>,
}

impl Blocked {
    pub(crate) fn new(verdict: Verdict) -> Blocked {
        Blocked {
            verdict: Box::new(verdict),
        }
    }

    /// The sink verdict: the finding (with its [`SinkDetail`]) and the block response.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// The sink part of the blocking finding, when there is one (an internal error with
    /// `FAIL_OPEN=false` blocks without a finding).
    pub fn detail(&self) -> Option<&SinkDetail> {
        self.verdict
            .findings
            .iter()
            .rev()
            .find_map(|f| f.sink.as_deref())
    }

    /// The verdict, taken out.
    pub fn into_verdict(self) -> Verdict {
        *self.verdict
    }

    /// The [`Blocked`] inside an error, if any: the error itself, or any error in its
    /// `source()` chain, or the payload of an [`io::Error`] in it (the `fs` wrappers and the
    /// `sqlx` integration wrap [`Blocked`] in an `io::Error` of kind `PermissionDenied`;
    /// `reqwest` in its error chain).
    pub fn find<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a Blocked> {
        let mut next = Some(error);
        while let Some(e) = next {
            if let Some(b) = e.downcast_ref::<Blocked>() {
                return Some(b);
            }
            if let Some(b) = e
                .downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<Blocked>())
            {
                return Some(b);
            }
            next = e.source();
        }
        None
    }

    /// This error as an `io::Error` of kind `PermissionDenied` (what the `fs` wrappers return).
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, self)
    }
}

/// The message of a [`Blocked`]: the sink and the reason of its finding.
fn describe(verdict: &Verdict) -> String {
    match verdict
        .findings
        .iter()
        .rev()
        .find_map(|f| f.sink.as_deref())
    {
        Some(d) => format!(
            "blocked by Ironward: {} injection ({})",
            d.sink.as_str(),
            d.reason
        ),
        None => "blocked by Ironward".to_owned(),
    }
}

impl From<Blocked> for io::Error {
    fn from(b: Blocked) -> io::Error {
        b.into_io()
    }
}
