//! The current request's sink context: a `tokio` task-local set by the layer (or by
//! [`scope`] / [`sync_scope`]) around the handler, read by every guard.

use crate::error::Blocked;
use ironward_core::sink::{Operation, SinkRequest};
use ironward_core::{Engine, Verdict};
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};

/// Most sink verdicts with findings kept per request for the layer to report (a handler
/// looping over a vulnerable query must not grow memory); the first blocking one is always
/// kept.
pub const MAX_RECORDED: usize = 32;

tokio::task_local! {
    static CURRENT: Option<SinkContext>;
}

/// The sink context of one request: the engine, the request's inputs, and what the guards
/// found while the handler ran.
///
/// Cheap to clone (one reference count). Built by the layer or middleware from
/// [`Engine::inspect_request_for_sinks`]; build one yourself with [`SinkContext::new`] to
/// guard work outside them (a job that handles a request's data later, tests).
#[derive(Clone)]
pub struct SinkContext {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Arc<Engine>,
    request: Arc<SinkRequest>,
    outcome: Mutex<Outcome>,
}

/// What the guards found in one request.
#[derive(Default)]
struct Outcome {
    /// Every verdict with findings (monitored or blocking), at most [`MAX_RECORDED`].
    verdicts: Vec<Verdict>,
    /// The first blocking verdict.
    blocked: Option<Verdict>,
}

impl fmt::Debug for SinkContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkContext")
            .field("inputs", &self.inner.request.len())
            .field("blocked", &self.blocked().is_some())
            .finish_non_exhaustive()
    }
}

impl SinkContext {
    /// A context for one request's inputs.
    pub fn new(engine: Arc<Engine>, request: impl Into<Arc<SinkRequest>>) -> SinkContext {
        SinkContext {
            inner: Arc::new(Inner {
                engine,
                request: request.into(),
                outcome: Mutex::new(Outcome::default()),
            }),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.inner.engine
    }

    /// The request's inputs.
    pub fn request(&self) -> &Arc<SinkRequest> {
        &self.inner.request
    }

    /// The first verdict a guard blocked with in this request, if any.
    pub fn blocked(&self) -> Option<Verdict> {
        self.lock().blocked.clone()
    }

    /// True when a guard blocked an operation of this request.
    pub fn is_blocked(&self) -> bool {
        self.lock().blocked.is_some()
    }

    /// Takes the verdicts with findings recorded so far (blocking and monitored, in order),
    /// for reporting; the blocking verdict stays available through [`blocked`](Self::blocked).
    pub fn take_verdicts(&self) -> Vec<Verdict> {
        std::mem::take(&mut self.lock().verdicts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Outcome> {
        // A guard never panics while holding the lock; a poisoned lock still holds valid data.
        self.inner
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks one operation against this request's inputs, records a verdict with findings,
    /// and returns [`Blocked`] when it blocks. `caller` is the application's call site.
    pub fn check(&self, op: &Operation<'_>, caller: Option<&Location<'_>>) -> Result<(), Blocked> {
        let inner = &*self.inner;
        let mut verdict = inner.engine.check_sink(&inner.request, op, None);
        if verdict.findings.is_empty() && !verdict.is_blocked() {
            return Ok(());
        }
        // The caller is only formatted when there is something to report.
        if let Some(loc) = caller {
            let at = format!("{}:{}", loc.file(), loc.line());
            for f in &mut verdict.findings {
                if let Some(d) = f.sink.as_deref_mut() {
                    d.caller = Some(at.clone());
                }
            }
        }
        let blocked = verdict.is_blocked();
        {
            let mut out = self.lock();
            if blocked && out.blocked.is_none() {
                out.blocked = Some(verdict.clone());
            }
            if out.verdicts.len() < MAX_RECORDED {
                out.verdicts.push(verdict.clone());
            }
        }
        if blocked {
            Err(Blocked::new(verdict))
        } else {
            Ok(())
        }
    }
}

/// Runs `future` with `ctx` as the current sink context: every guard called while it is
/// polled checks its operation against `ctx`'s request.
///
/// The layer (`ironward_tower`) and the middleware (`ironward_actix`) do this around each
/// handler; call it yourself for work they do not cover, such as a task spawned by the handler
/// (see [`in_current_scope`]).
pub fn scope<F: Future>(ctx: SinkContext, future: F) -> impl Future<Output = F::Output> {
    CURRENT.scope(Some(ctx), future)
}

/// Runs `f` with `ctx` as the current sink context, synchronously: for blocking code (a
/// `spawn_blocking` closure, actix's `web::block`, a thread) that handles the request's data.
pub fn sync_scope<R>(ctx: SinkContext, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(Some(ctx), f)
}

/// Wraps `future` in the current sink context, if there is one, so that it keeps it when it
/// runs elsewhere (`tokio::spawn(in_current_scope(fut))`): a task-local does not follow a
/// spawned task on its own.
pub fn in_current_scope<F: Future>(future: F) -> impl Future<Output = F::Output> {
    CURRENT.scope(current(), future)
}

/// The current sink context, if the caller runs inside one.
pub fn current() -> Option<SinkContext> {
    CURRENT.try_with(Clone::clone).ok().flatten()
}

/// True when the caller runs inside a sink context.
pub fn in_scope() -> bool {
    CURRENT.try_with(Option::is_some).unwrap_or(false)
}

/// Calls `f` with the current context; `Ok(())` outside one (the guards' fast path: one
/// thread-local read).
#[inline]
pub(crate) fn with_current(
    f: impl FnOnce(&SinkContext) -> Result<(), Blocked>,
) -> Result<(), Blocked> {
    CURRENT
        .try_with(|c| match c {
            Some(ctx) if !ctx.inner.request.is_empty() => f(ctx),
            _ => Ok(()),
        })
        .unwrap_or(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironward_core::Config;
    use ironward_core::sink::Dialect;

    fn ctx(values: &[&str]) -> SinkContext {
        let engine = Arc::new(Engine::new(Config::default()).unwrap_or_else(|e| panic!("{e}")));
        SinkContext::new(engine, SinkRequest::from_values(values))
    }

    #[test]
    fn records_blocks_and_passes_outside() {
        let q = "SELECT 1 FROM t WHERE a = '' OR 1=1 --'";
        let op = Operation::Sql {
            query: q,
            dialect: Dialect::Sqlite,
        };
        assert!(with_current(|c| c.check(&op, None)).is_ok(), "no scope");
        let c = ctx(&["' OR 1=1 --"]);
        let r = sync_scope(c.clone(), || {
            assert!(in_scope());
            with_current(|c| c.check(&op, Some(Location::caller())))
        });
        let blocked = r.err().unwrap_or_else(|| panic!("not blocked"));
        let d = blocked.detail().unwrap_or_else(|| panic!("no detail"));
        assert!(
            d.caller
                .as_deref()
                .is_some_and(|c| c.contains("context.rs"))
        );
        assert!(c.is_blocked());
        assert_eq!(c.take_verdicts().len(), 1);
        assert!(c.take_verdicts().is_empty());
        assert!(c.blocked().is_some());
        assert!(!in_scope());
    }
}
