//! Streamed responses: a body of unknown length, or over `DLP_MAX_BODY_BYTES`, is scanned for
//! data leaks chunk by chunk with [`Engine::dlp_stream`] as it goes out. On a blocking finding
//! the stream is cut: its head is already sent, so no block response can replace it, and the
//! body ends with an error (actix closes the connection, the client sees a truncated body).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::web::Bytes;
use ironward_core::check::DlpStream;
use ironward_core::{Engine, Verdict};

/// The error a cut stream ends with.
#[derive(Debug)]
pub struct LeakBlocked;

impl std::fmt::Display for LeakBlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response stream cut by Ironward: data leak")
    }
}

impl std::error::Error for LeakBlocked {}

/// Receives the verdict of each finding of a streamed body (reports it).
pub(crate) type OnVerdict = Box<dyn Fn(&Verdict)>;

/// A response body scanned as it streams.
pub(crate) struct DlpBody {
    pub(crate) inner: BoxBody,
    pub(crate) scanner: DlpStream,
    pub(crate) engine: Arc<Engine>,
    pub(crate) inbound: Verdict,
    /// Receives the verdict of every finding (the event reporter), when there is one.
    pub(crate) on_verdict: Option<OnVerdict>,
    pub(crate) cut: bool,
}

impl DlpBody {
    /// Reports the verdict for this finding; true when it blocks (the stream ends).
    fn blocks(&mut self, finding: ironward_core::Finding) -> bool {
        let verdict = self.engine.stream_verdict(&self.inbound, finding);
        if let Some(f) = &self.on_verdict {
            f(&verdict);
        }
        verdict.is_blocked()
    }
}

impl MessageBody for DlpBody {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.cut {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(finding) = this.scanner.push(&chunk)
                    && this.blocks(finding)
                {
                    this.cut = true;
                    return Poll::Ready(Some(Err(Box::new(LeakBlocked))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => match this.scanner.finish() {
                Some(finding) => {
                    this.cut = true;
                    if this.blocks(finding) {
                        Poll::Ready(Some(Err(Box::new(LeakBlocked))))
                    } else {
                        Poll::Ready(None)
                    }
                }
                None => Poll::Ready(None),
            },
            other => other,
        }
    }
}
