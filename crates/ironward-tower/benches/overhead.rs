//! The overhead of `IronwardLayer` in process: the same trivial axum router called with
//! `tower::ServiceExt::oneshot` on a current-thread tokio runtime, with and without the layer,
//! for each reference request. Run: `cargo bench -p ironward-tower --bench overhead`.
//!
//! The engine runs the default configuration (every default check on) with
//! `BLACKLIST_OVERRIDE` and a flood ratio that is never reached, as the core's `pipeline`
//! benchmark does, so that every iteration runs the whole pipeline.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::{get, post};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use ironward_core::reference::{ReferenceRequest, reference_requests};
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;
use tower::ServiceExt;

/// The trivial app: a small text for the GETs, an echo for the JSON POST.
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "hello world" }))
        .route("/search", get(|| async { "no results" }))
        .route("/api/orders", post(|body: Bytes| async move { body }))
}

/// The reference request as an `http::Request`, from a documentation-range peer.
fn to_http(r: &ReferenceRequest) -> http::Request<Body> {
    let mut b = http::Request::builder().method(r.method).uri(&r.target);
    for (n, v) in &r.headers {
        b = b.header(*n, v.as_str());
    }
    let mut req = b.body(Body::from(r.body.clone())).unwrap();
    req.extensions_mut()
        .insert(SocketAddr::from(([198, 51, 100, 20], 40000)));
    req
}

/// One call through the layer wrapped around the whole router.
async fn call_outer<S>(svc: &S, r: &ReferenceRequest) -> usize
where
    S: tower::Service<
            http::Request<Body>,
            Response = http::Response<ironward_tower::ResponseBody>,
            Error = std::convert::Infallible,
        > + Clone,
{
    let res = svc.clone().oneshot(to_http(r)).await.unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    usize::from(status) + body.len()
}

/// One call: the request through the router, the whole response body read.
async fn call(app: &Router, r: &ReferenceRequest) -> usize {
    let res = app.clone().oneshot(to_http(r)).await.unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    usize::from(status) + body.len()
}

fn overhead(c: &mut Criterion) {
    let mut config = Config::default();
    config.blacklist_override = true;
    config.flood_ratio = u64::from(u32::MAX);
    let engine = Arc::new(Engine::new(config).unwrap());
    let bare = app();
    let protected = app().layer(IronwardLayer::new(Arc::clone(&engine)));
    let outer = tower::Layer::layer(&IronwardLayer::new(Arc::clone(&engine)), app());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // What wrk sends on the loopback benchmark: `GET /` with a `Host` header only.
    let hello = ReferenceRequest {
        name: "hello_get",
        method: "GET",
        target: "/".to_owned(),
        headers: vec![("Host", "127.0.0.1:18092".to_owned())],
        body: Vec::new(),
    };
    let mut requests = vec![hello];
    requests.extend(reference_requests());
    for r in &requests {
        let mut group = c.benchmark_group(format!("tower/{}", r.name));
        group.bench_function("without", |b| {
            b.iter(|| black_box(rt.block_on(call(&bare, black_box(r)))))
        });
        group.bench_function("with", |b| {
            b.iter(|| black_box(rt.block_on(call(&protected, black_box(r)))))
        });
        group.bench_function("with_outer", |b| {
            b.iter(|| black_box(rt.block_on(call_outer(&outer, black_box(r)))))
        });
        if r.name == "hello_get" {
            // Where the added time goes: axum's `Router::layer` with a layer that does nothing
            // (axum boxes every route it wraps), and the engine alone (`inspect_request` and
            // the response pass on a 200, as the layer runs them).
            let identity = app().layer(tower::layer::util::Identity::new());
            group.bench_function("identity_layer", |b| {
                b.iter(|| black_box(rt.block_on(call(&identity, black_box(r)))))
            });
            let req = r.request();
            let res = ironward_core::Response::new(200);
            group.bench_function("engine_only", |b| {
                b.iter(|| {
                    let v = engine.inspect_request(black_box(&req));
                    black_box(engine.inspect_response(&req, &v, &res))
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, overhead);
criterion_main!(benches);
