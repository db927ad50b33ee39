//! The response side: block responses, response inspection (DLP) and the `Server` header.

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{Error, HttpRequest, HttpResponse};
use ironward_core::config::BlockAction;
use ironward_core::request::{Body, Headers};
use ironward_core::verdict::BlockResponse;
use ironward_core::{Engine, Request, Response, Verdict};
use std::sync::Arc;

use crate::report::{Reporter, report};
use crate::stream::{DlpBody, OnVerdict};

/// The response that replaces a blocked request or response.
pub(crate) fn block_response(block: &BlockResponse, engine: &Engine) -> HttpResponse<BoxBody> {
    let status = StatusCode::from_u16(block.status).unwrap_or(StatusCode::FORBIDDEN);
    let mut res = match block.action {
        BlockAction::Redirect => {
            let mut res = HttpResponse::new(status);
            if let Ok(location) = HeaderValue::from_str(&block.content) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            res
        }
        BlockAction::Block => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(block.content.clone()),
    };
    set_server(res.headers_mut(), engine);
    res
}

/// Sets `Server` when the engine asks for it.
fn set_server(headers: &mut HeaderMap, engine: &Engine) {
    if let Some(value) = engine
        .server_header()
        .and_then(|s| HeaderValue::from_str(s).ok())
    {
        headers.insert(header::SERVER, value);
    }
}

/// The core request for response inspection: what is left of the request once answered.
fn core_request(req: &HttpRequest) -> Request<'_> {
    Request {
        method: req.method().as_str(),
        path: req.path(),
        query: req.query_string(),
        peer_ip: req.peer_addr().map(|a| a.ip()),
        ..Request::default()
    }
}

/// The core view of response headers.
fn core_headers(headers: &HeaderMap) -> Headers<'_> {
    let mut out = Headers::new();
    for (name, value) in headers {
        out.push(name.as_str(), value.as_bytes());
    }
    out
}

/// Inspects the application's response; returns it (boxed), or the block response. A body
/// DLP applies to but that is not buffered (unknown length, or over `DLP_MAX_BODY_BYTES`) is
/// scanned as it streams. Every verdict with findings goes to the reporter.
pub(crate) async fn inspect<B>(
    res: ServiceResponse<B>,
    engine: &Arc<Engine>,
    reporter: Option<&Reporter>,
    inbound: &Verdict,
) -> Result<ServiceResponse<BoxBody>, Error>
where
    B: MessageBody + 'static,
{
    let (req, res) = res.into_parts();
    let status = res.status().as_u16();
    if !engine.response_needed(inbound, status) {
        // Nothing the engine could act on (DLP off, a clean request, a status below 400).
        let mut out = res.map_into_boxed_body();
        set_server(out.headers_mut(), engine);
        return Ok(ServiceResponse::new(req, out));
    }
    let cap = engine.config().dlp_max_body_bytes;
    let buffer = match res.body().size() {
        BodySize::Sized(n) if n <= cap => {
            let view = Response::new(status).with_headers(core_headers(res.headers()));
            engine.dlp_stream(inbound, &view).is_some()
        }
        _ => false,
    };
    let mut out = if buffer {
        let (head, body) = res.into_parts();
        let bytes = body::to_bytes(body)
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
        let verdict = {
            let view = Response::new(status)
                .with_headers(core_headers(head.headers()))
                .with_body(&bytes);
            let short = core_request(&req);
            let verdict = engine.inspect_response(&short, inbound, &view);
            report(reporter, engine, &short, &verdict);
            verdict
        };
        match verdict.response.as_ref().filter(|_| verdict.is_blocked()) {
            Some(block) => block_response(block, engine),
            None => head.set_body(bytes).map_into_boxed_body(),
        }
    } else {
        let (verdict, scanner) = {
            let mut view = Response::new(status).with_headers(core_headers(res.headers()));
            view.body = Body::Empty;
            let short = core_request(&req);
            let verdict = engine.inspect_response(&short, inbound, &view);
            report(reporter, engine, &short, &verdict);
            (verdict, engine.dlp_stream(inbound, &view))
        };
        match (
            verdict.response.as_ref().filter(|_| verdict.is_blocked()),
            scanner,
        ) {
            (Some(block), _) => block_response(block, engine),
            (None, Some(scanner)) => res.map_into_boxed_body().map_body(|_, inner| {
                BoxBody::new(DlpBody {
                    inner,
                    scanner,
                    engine: Arc::clone(engine),
                    inbound: inbound.clone(),
                    on_verdict: reporter.map(|r| stream_reporter(r, engine, &req)),
                    cut: false,
                })
            }),
            (None, None) => res.map_into_boxed_body(),
        }
    };
    set_server(out.headers_mut(), engine);
    Ok(ServiceResponse::new(req, out))
}

/// The callback a streamed body reports its leak verdicts through: the request's method and
/// path are copied, since the body outlives the request head it came with.
fn stream_reporter(reporter: &Reporter, engine: &Arc<Engine>, req: &HttpRequest) -> OnVerdict {
    let (method, path) = (req.method().to_string(), req.path().to_owned());
    let (reporter, engine) = (Arc::clone(reporter), Arc::clone(engine));
    Box::new(move |verdict: &Verdict| {
        report(
            Some(&reporter),
            &engine,
            &Request::new(&method, &path),
            verdict,
        );
    })
}
