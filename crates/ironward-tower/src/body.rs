//! Bodies: the request body replayed to the service after inspection, the response body
//! type, and the streamed-response DLP scanner.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use ironward_core::Engine;
use ironward_core::check::DlpStream;
use ironward_core::verdict::Verdict;

/// The error type of the bodies this crate hands on.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of every response the layer returns.
pub type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;

/// A whole body from bytes.
pub(crate) fn full(bytes: Bytes) -> ResponseBody {
    http_body_util::Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Boxes any body into a [`ResponseBody`].
pub(crate) fn boxed<B>(body: B) -> ResponseBody
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// The request body the inner service receives: the bytes the layer buffered and inspected,
/// then the rest of the original stream (uninspected) when the body was over the cap.
pub struct RequestBody {
    prefix: Option<Bytes>,
    trailers: Option<HeaderMap>,
    rest: Option<ResponseBody>,
}

impl RequestBody {
    /// A body with nothing in it (the request had none).
    pub(crate) fn empty() -> Self {
        RequestBody {
            prefix: None,
            trailers: None,
            rest: None,
        }
    }

    /// The size of the buffered part.
    fn prefix_len(&self) -> u64 {
        self.prefix.as_ref().map_or(0, |b| b.len() as u64)
    }
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBody")
            .field("buffered", &self.prefix_len())
            .field("streaming", &self.rest.is_some())
            .finish()
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(b) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        if let Some(t) = self.trailers.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(t))));
        }
        match self.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none()
            && self.trailers.is_none()
            && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.rest.as_ref().map_or_else(
            || SizeHint::with_exact(0),
            |r| {
                let h = r.size_hint();
                let mut s = SizeHint::new();
                s.set_lower(h.lower());
                if let Some(u) = h.upper() {
                    s.set_upper(u);
                }
                s
            },
        );
        let p = self.prefix_len();
        let lower = hint.lower().saturating_add(p);
        let upper = hint.upper().map(|u| u.saturating_add(p));
        hint = SizeHint::new();
        hint.set_lower(lower);
        if let Some(u) = upper {
            hint.set_upper(u);
        }
        hint
    }
}

/// A request body, read up to `cap` bytes.
pub(crate) struct Buffered {
    /// The bytes read: the whole body when it ends within `cap` bytes; else at least `cap + 1`
    /// bytes (the frame that crossed the cap is kept whole), so that a body of exactly `cap`
    /// bytes is known to be complete even when its length was not announced.
    pub bytes: Bytes,
    /// True when the whole body was read.
    pub complete: bool,
    /// The body to hand on: the same bytes, then the rest.
    pub body: RequestBody,
}

/// Reads a request body frame by frame until it ends or more than `cap` bytes are buffered
/// (one byte past the cap tells a body of exactly `cap` bytes from a longer one when no length
/// was announced: chunked HTTP/1.1, HTTP/2, gRPC). The rest of a longer body is left unread.
/// A body that has already ended (a GET without body) costs nothing: no read, no allocation.
pub(crate) async fn buffer<B>(body: B, cap: usize) -> Result<Buffered, BoxError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if body.is_end_stream() {
        return Ok(Buffered {
            bytes: Bytes::new(),
            complete: true,
            body: RequestBody::empty(),
        });
    }
    let mut body = boxed(body);
    let mut buf = BytesMut::new();
    let mut trailers = None;
    let mut complete = false;
    loop {
        if buf.len() > cap {
            break;
        }
        match body.frame().await {
            None => {
                complete = true;
                break;
            }
            Some(Err(e)) => return Err(e),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => buf.extend_from_slice(&data),
                Err(frame) => {
                    // Trailers end the body.
                    trailers = frame.into_trailers().ok();
                    complete = true;
                    break;
                }
            },
        }
    }
    let bytes = buf.freeze();
    let rest = (!complete).then_some(body);
    Ok(Buffered {
        bytes: bytes.clone(),
        complete,
        body: RequestBody {
            prefix: (!bytes.is_empty()).then_some(bytes),
            trailers,
            rest,
        },
    })
}

/// A response body scanned chunk by chunk for data leaks; on a blocking finding the stream is
/// cut (its headers are already out, so an error ends the connection's response).
pub(crate) struct DlpBody {
    pub inner: ResponseBody,
    pub scanner: DlpStream,
    pub engine: Arc<Engine>,
    pub inbound: Verdict,
    pub on_verdict: Box<dyn Fn(&Verdict) + Send>,
    pub cut: bool,
}

/// The error a cut stream ends with.
#[derive(Debug)]
pub struct LeakBlocked;

impl std::fmt::Display for LeakBlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response stream cut by Ironward: data leak")
    }
}

impl std::error::Error for LeakBlocked {}

impl Body for DlpBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.cut {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref()
                    && let Some(finding) = this.scanner.push(data)
                {
                    let verdict = this.engine.stream_verdict(&this.inbound, finding);
                    (this.on_verdict)(&verdict);
                    if verdict.is_blocked() {
                        this.cut = true;
                        return Poll::Ready(Some(Err(Box::new(LeakBlocked))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => match this.scanner.finish() {
                Some(finding) => {
                    let verdict = this.engine.stream_verdict(&this.inbound, finding);
                    (this.on_verdict)(&verdict);
                    this.cut = true;
                    if verdict.is_blocked() {
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

    fn is_end_stream(&self) -> bool {
        self.cut || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
