//! The request side: reading the body up to the cap, building the core request, inspecting it
//! and reporting the findings.

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::{Version, header};
use actix_web::web::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use ironward_core::request::Headers;
use ironward_core::sink::SinkRequest;
use ironward_core::{Engine, Request, Verdict};

use crate::middleware::Shared;
use crate::report::report;
use crate::route::route;

/// The part of a request body read for inspection, and what is left of the payload.
pub(crate) struct ReadBody {
    /// The chunks read, in order (all of them go back to the application).
    chunks: Vec<Bytes>,
    /// The same bytes, contiguous, for the engine.
    joined: Bytes,
    /// The unread rest of the payload, when the body went on past the cap.
    rest: Option<Payload>,
}

impl ReadBody {
    /// The payload to hand to the application: the chunks read, then the rest, unchanged.
    pub(crate) fn into_payload(self) -> Payload {
        match self.rest {
            None if self.chunks.is_empty() => Payload::None,
            None => Payload::from(self.joined),
            Some(rest) => {
                let head = stream::iter(self.chunks.into_iter().map(Ok::<Bytes, PayloadError>));
                Payload::Stream {
                    payload: Box::pin(head.chain(rest)),
                }
            }
        }
    }
}

/// Reads the payload until its end or until more than `MAX_BODY_BYTES` bytes are in hand:
/// one byte past the cap tells a body of exactly `MAX_BODY_BYTES` from a longer one when no
/// length was announced (chunked). The rest of a longer body is left unread.
pub(crate) async fn read_body(
    req: &mut ServiceRequest,
    engine: &Engine,
) -> Result<ReadBody, PayloadError> {
    let cap = usize::try_from(engine.config().max_body_bytes).unwrap_or(usize::MAX);
    let mut payload = req.take_payload();
    let mut chunks = Vec::new();
    let mut len = 0usize;
    let mut complete = false;
    while len <= cap {
        match payload.next().await {
            None => {
                complete = true;
                break;
            }
            Some(chunk) => {
                let chunk = chunk?;
                len = len.saturating_add(chunk.len());
                chunks.push(chunk);
            }
        }
    }
    let joined = match chunks.as_slice() {
        [] => Bytes::new(),
        [one] => one.clone(),
        many => Bytes::from(many.concat()),
    };
    Ok(ReadBody {
        chunks,
        joined,
        rest: (!complete).then_some(payload),
    })
}

/// What the engine gets of the body: at most `MAX_BODY_BYTES` bytes, and the whole body's
/// length when that is more (the announced `Content-Length`, the bytes read when the body
/// ended within the read, else one byte more than was read).
fn engine_body(body: &ReadBody, declared: Option<u64>, cap: usize) -> (&[u8], Option<u64>) {
    let inspected = &body.joined[..body.joined.len().min(cap)];
    let read = u64::try_from(body.joined.len()).unwrap_or(u64::MAX);
    let total = if body.rest.is_none() {
        read
    } else {
        declared
            .filter(|&n| n > read)
            .unwrap_or(read.saturating_add(1))
    };
    let shown = u64::try_from(inspected.len()).unwrap_or(u64::MAX);
    (inspected, (total > shown).then_some(total))
}

/// The HTTP version as the engine writes it.
fn version(v: Version) -> &'static str {
    match v {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// Builds the core request (borrowing from `req` and `body`), inspects it and reports the
/// findings.
/// With a sink check on, also returns the request's inputs for the guards (when it goes on to
/// the application and has any).
pub(crate) fn inspect(
    req: &ServiceRequest,
    shared: &Shared,
    body: &ReadBody,
) -> (Verdict, Option<SinkRequest>) {
    let engine = &shared.engine;
    let cap = usize::try_from(engine.config().max_body_bytes).unwrap_or(usize::MAX);
    let mut headers = Headers::new();
    for (name, value) in req.headers() {
        headers.push(name.as_str(), value.as_bytes());
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // A compressed body the application's extractors inflate: the engine gets it inflated.
    let inflated = crate::inflate::inflate(req.headers(), &body.joined, cap.saturating_add(1));
    let (inspected, body_len) = match &inflated {
        Some(bytes) => {
            let shown = &bytes[..bytes.len().min(cap)];
            let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            // Longer than the cap, or cut with the compressed body: at least one byte more.
            let longer = bytes.len() > cap || body.rest.is_some();
            (shown, longer.then(|| len.max(cap as u64).saturating_add(1)))
        }
        None => engine_body(body, declared, cap),
    };
    let (route, accepts) = route(req, shared);
    let request = Request {
        method: req.method().as_str(),
        path: req.path(),
        query: req.query_string(),
        headers,
        peer_ip: req.peer_addr().map(|a| a.ip()),
        version: version(req.version()),
        body: inspected,
        body_len,
        route,
        accepts,
    };
    let (verdict, sinks) = if shared.sinks {
        engine.inspect_request_for_sinks(&request)
    } else {
        (engine.inspect_request(&request), None)
    };
    report(shared.reporter.as_ref(), engine, &request, &verdict);
    (verdict, sinks.filter(|s| !s.is_empty()))
}
