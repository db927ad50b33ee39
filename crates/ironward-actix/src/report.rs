//! Event reporting: the user's callback ([`Ironward::on_event`](crate::Ironward::on_event))
//! receives one event per finding of every verdict that has findings.

use ironward_core::event::Event;
use ironward_core::{Engine, Request, Verdict};
use std::sync::Arc;

/// A callback that receives the security events of every request and response with findings
/// (blocked or monitored).
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

/// Sends the events of a verdict with findings to the reporter, if there is one.
pub(crate) fn report(
    reporter: Option<&Reporter>,
    engine: &Engine,
    req: &Request<'_>,
    verdict: &Verdict,
) {
    if let Some(f) = reporter
        && !verdict.findings.is_empty()
    {
        for e in engine.events(req, verdict) {
            f(e);
        }
    }
}
