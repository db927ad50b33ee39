//! The [`Ironward`] service: inspects each request before the inner service sees it, and each
//! response before the client does.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::StatusCode;
use http_body::Body;
use http_body_util::BodyExt;
use ironward_core::Engine;
use ironward_core::request::{Body as CoreBody, Request};
use ironward_core::sink::SinkRequest;
use ironward_core::verdict::Verdict;
use ironward_guard::SinkContext;
use tower_service::Service;

use crate::body::{BoxError, DlpBody, RequestBody, ResponseBody, boxed, buffer, full};
use crate::layer::{Handle, Reporter, Shared};
use crate::{convert, grpc, metrics};

/// A service protected by Ironward; built by [`IronwardLayer`](crate::IronwardLayer).
#[derive(Clone, Debug)]
pub struct Ironward<S> {
    pub(crate) inner: S,
    pub(crate) handle: Arc<Handle>,
}

/// Sends the events of a verdict with findings to the reporter, if there is one.
fn report(reporter: Option<&Reporter>, engine: &Engine, req: &Request<'_>, verdict: &Verdict) {
    if let Some(f) = reporter
        && !verdict.findings.is_empty()
    {
        for e in engine.events(req, verdict) {
            f(e);
        }
    }
}

impl<S, B, ResB> Service<http::Request<B>> for Ironward<S>
where
    S: Service<http::Request<RequestBody>, Response = http::Response<ResB>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    ResB: Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    type Response = http::Response<ResponseBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let (parts, body) = req.into_parts();
        // The engine in force now judges this request and its response, whatever reloads
        // happen meanwhile.
        let shared = self.handle.current();
        if let Some(res) = metrics::scrape(&shared, &parts) {
            return Box::pin(std::future::ready(Ok(res)));
        }
        if body.is_end_stream() {
            // No body (a GET…): inspect now and call the instance that was polled ready, with
            // no buffering, no clone of the service, and a small future for the response.
            let (verdict, sinks) = inspect(&shared, &parts, &[], None);
            let grpc = grpc::is_grpc(&parts.headers);
            if let Some(res) = blocked(&shared, &verdict, grpc) {
                return Box::pin(std::future::ready(Ok(res)));
            }
            let (method, uri) = (parts.method.clone(), parts.uri.clone());
            let req = http::Request::from_parts(parts, RequestBody::empty());
            if let Some(sinks) = sinks {
                let ctx = SinkContext::new(Arc::clone(&shared.engine), sinks);
                let res = ironward_guard::sync_scope(ctx.clone(), || self.inner.call(req));
                return Box::pin(async move {
                    let res = ironward_guard::scope(ctx.clone(), res).await;
                    if let Some(block) = sink_outcome(&shared, &ctx, grpc) {
                        return Ok(block);
                    }
                    Ok(respond(res?, shared, verdict, &method, &uri, grpc).await)
                });
            }
            let res = self.inner.call(req);
            return Box::pin(async move {
                let res = res.await?;
                Ok(respond(res, shared, verdict, &method, &uri, grpc).await)
            });
        }
        // A body to buffer first: the instance that was polled ready serves this call from the
        // future; a clone takes its place.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(handle(inner, shared, parts, body))
    }
}

/// Inspects a request head and its buffered body, and reports the findings.
fn inspect(
    shared: &Shared,
    parts: &http::request::Parts,
    body: &[u8],
    body_len: Option<u64>,
) -> (Verdict, Option<SinkRequest>) {
    let engine = &shared.engine;
    let core = convert::request(parts, body, body_len, shared);
    let (verdict, sinks) = if shared.sinks {
        engine.inspect_request_for_sinks(&core)
    } else {
        (engine.inspect_request(&core), None)
    };
    report(shared.reporter.as_ref(), engine, &core, &verdict);
    // No input a guard could find: no scope to set.
    (verdict, sinks.filter(|s| !s.is_empty()))
}

/// After a handler ran in a guard scope: reports what its guards found and, when one blocked,
/// returns the block response that replaces the handler's (whatever the handler made of the
/// error: a 500, a 200…).
fn sink_outcome(
    shared: &Shared,
    ctx: &SinkContext,
    grpc: bool,
) -> Option<http::Response<ResponseBody>> {
    let verdicts = ctx.take_verdicts();
    if !verdicts.is_empty() {
        let request = ctx.request();
        let core = Request::new(&request.method, &request.path);
        for v in &verdicts {
            report(shared.reporter.as_ref(), &shared.engine, &core, v);
        }
    }
    let verdict = ctx.blocked()?;
    blocked(shared, &verdict, grpc)
}

/// The response that replaces the application's when the verdict blocks (`grpc`: the request
/// is a gRPC call).
fn blocked(shared: &Shared, verdict: &Verdict, grpc: bool) -> Option<http::Response<ResponseBody>> {
    let block = verdict.response.as_ref().filter(|_| verdict.is_blocked())?;
    Some(metrics::sent(
        shared,
        convert::block_response(block, shared.server.as_ref(), grpc),
    ))
}

/// A request with a body: buffers it up to the cap, inspects it, then calls the service with
/// the same bytes (and the rest of the stream) and inspects the response.
async fn handle<S, B, ResB>(
    mut inner: S,
    shared: Arc<Shared>,
    parts: http::request::Parts,
    body: B,
) -> Result<http::Response<ResponseBody>, S::Error>
where
    S: Service<http::Request<RequestBody>, Response = http::Response<ResB>>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    ResB: Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    let grpc = grpc::is_grpc(&parts.headers);
    let Ok(buffered) = buffer(body, shared.body_cap).await else {
        // The client sent a body that could not be read: what axum's extractors answer.
        let res = convert::plain(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            shared.server.as_ref(),
            grpc,
        );
        return Ok(metrics::sent(&shared, res));
    };
    let body_len = body_len(&parts.headers, &buffered);
    let (verdict, sinks) = inspect(&shared, &parts, &buffered.bytes, body_len);
    if let Some(res) = blocked(&shared, &verdict, grpc) {
        // The rest of a longer body is never read: dropping it ends the request stream (hyper
        // closes an HTTP/1.1 connection whose body was not read; HTTP/2 resets the stream).
        return Ok(res);
    }
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let req = http::Request::from_parts(parts, buffered.body);
    let res = match sinks {
        Some(sinks) => {
            let ctx = SinkContext::new(Arc::clone(&shared.engine), sinks);
            let fut = ironward_guard::sync_scope(ctx.clone(), || inner.call(req));
            let res = ironward_guard::scope(ctx.clone(), fut).await;
            if let Some(block) = sink_outcome(&shared, &ctx, grpc) {
                return Ok(block);
            }
            res?
        }
        None => inner.call(req).await?,
    };
    Ok(respond(res, shared, verdict, &method, &uri, grpc).await)
}

/// The length the engine is told when it did not get the whole body: the announced
/// `Content-Length`, else (chunked HTTP/1.1, HTTP/2 and gRPC bodies) one byte more than what
/// was read — the engine then knows the body is longer than `MAX_BODY_BYTES`
/// (`BODY_LIMIT_ACTION`). `None` when the whole body was read.
fn body_len(headers: &http::HeaderMap, buffered: &crate::body::Buffered) -> Option<u64> {
    if buffered.complete {
        return None;
    }
    let read = u64::try_from(buffered.bytes.len()).unwrap_or(u64::MAX);
    Some(
        convert::content_length(headers)
            .filter(|&n| n > read)
            .unwrap_or(read.saturating_add(1)),
    )
}

/// The response pass ([`inspect_response`]), and the status of what is sent counted.
async fn respond<ResB>(
    res: http::Response<ResB>,
    shared: Arc<Shared>,
    verdict: Verdict,
    method: &http::Method,
    uri: &http::Uri,
    grpc: bool,
) -> http::Response<ResponseBody>
where
    ResB: Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    let out = inspect_response(res, Arc::clone(&shared), verdict, method, uri, grpc).await;
    metrics::sent(&shared, out)
}

/// The response pass: brute force on the status, DLP on the body (buffered when small, else
/// scanned as it streams), the `Server` header. `grpc`: the request is a gRPC call (a block
/// is answered with a gRPC status).
async fn inspect_response<ResB>(
    res: http::Response<ResB>,
    shared: Arc<Shared>,
    verdict: Verdict,
    method: &http::Method,
    uri: &http::Uri,
    grpc: bool,
) -> http::Response<ResponseBody>
where
    ResB: Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    let engine = &shared.engine;
    let reporter = shared.reporter.as_ref();
    let server = shared.server.as_ref();
    if !engine.response_needed(&verdict, res.status().as_u16()) {
        // Nothing the engine could act on (DLP off, a clean request, a status below 400):
        // no response view, no DLP scanner, the body streams through untouched.
        let (mut rparts, rbody) = res.into_parts();
        convert::set_server(&mut rparts.headers, server);
        return http::Response::from_parts(rparts, boxed(rbody));
    }
    let config = engine.config();
    let short = Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        ..Request::default()
    };
    let (mut rparts, rbody) = res.into_parts();
    let head = convert::response(&rparts);
    let scanner = engine.dlp_stream(&verdict, &head);
    // The length, from the header or from the body itself (axum sets the header later).
    let fits = scanner.is_some()
        && convert::content_length(&rparts.headers)
            .or_else(|| rbody.size_hint().exact())
            .is_some_and(|len| len <= config.dlp_max_body_bytes);

    if fits {
        // Small, inspectable: buffer it, inspect the whole body, rebuild or replace it.
        let Ok(collected) = rbody.collect().await else {
            return convert::plain(StatusCode::BAD_GATEWAY, "Bad Gateway", server, grpc);
        };
        let bytes = collected.to_bytes();
        let out = {
            let mut core = head;
            core.body = CoreBody::Full(&bytes);
            let out = engine.inspect_response(&short, &verdict, &core);
            report(reporter, engine, &short, &out);
            out
        };
        if out.is_blocked()
            && let Some(block) = &out.response
        {
            return convert::block_response(block, server, grpc);
        }
        convert::set_server(&mut rparts.headers, server);
        return http::Response::from_parts(rparts, full(bytes));
    }

    // Status and headers only (brute force, error statuses…); the body streams.
    let out = engine.inspect_response(&short, &verdict, &head);
    report(reporter, engine, &short, &out);
    if out.is_blocked()
        && let Some(block) = &out.response
    {
        return convert::block_response(block, server, grpc);
    }
    drop(head);
    convert::set_server(&mut rparts.headers, server);
    let body = match scanner {
        Some(scanner) => {
            let (m, p) = (method.to_string(), uri.path().to_owned());
            let eng = Arc::clone(engine);
            let reporter = reporter.cloned();
            let on_verdict = Box::new(move |v: &Verdict| {
                report(reporter.as_ref(), &eng, &Request::new(&m, &p), v);
            });
            boxed(DlpBody {
                inner: boxed(rbody),
                scanner,
                engine: Arc::clone(engine),
                inbound: verdict,
                on_verdict,
                cut: false,
            })
        }
        None => boxed(rbody),
    };
    http::Response::from_parts(rparts, body)
}
