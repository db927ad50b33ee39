//! What a sink finding adds to a [`Finding`](crate::verdict::Finding) and to its
//! [`Event`](crate::event::Event): the sink, the operation, why, and who called it.

use super::{Reason, Sink};
use crate::check::CheckId;
use serde::Serialize;

/// The sink part of a finding and of its event (`"sink": {…}` in event JSON, schema 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinkDetail {
    /// The sink (`sql`, `shell`, `path`, `ssrf`, `nosql`).
    pub sink: Sink,
    /// The operation as the application was about to run it (query, command, path, URL,
    /// filter), cut to [`MAX_OPERATION_REPORTED`](super::MAX_OPERATION_REPORTED) bytes.
    pub operation: String,
    /// Why the input's occurrence is an injection.
    pub reason: Reason,
    /// Where the application called the sink (`file:line`, innermost application frame
    /// first), when the adapter knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The request-side check that flagged the same input, when one did (at any level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_check: Option<CheckId>,
}
