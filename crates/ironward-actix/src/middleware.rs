//! The `Transform` and `Service` pair that wires the engine into actix-web, and the options
//! of the middleware (route table, event reporter).
//!
//! The engine lives in a [`SharedEngine`]: each request takes the engine in force when it
//! arrives and keeps it to the end of its response, so a hot reload
//! ([`SharedEngine::reconfigure`], the management agent of `ironward-cloud-client`) applies
//! from the next request, and no request is dropped or inspected twice.

use crate::report::{Reporter, report};
use crate::{inbound, outbound};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::error::InternalError;
use actix_web::{Error, HttpMessage, HttpResponse};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use ironward_core::event::Event;
use ironward_core::reload::SharedEngine;
use ironward_core::{Action, Engine, Request, Routes};
use ironward_guard::SinkContext;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// The Ironward middleware: `App::new().wrap(Ironward::new(engine))`.
///
/// Cloning it is cheap (reference counts); build the engine once and share it across workers
/// (an `Arc<Engine>`, or a [`SharedEngine`] whose engine can be replaced while the server runs).
#[derive(Clone)]
pub struct Ironward {
    engine: SharedEngine,
    reporter: Option<Reporter>,
    routes: Option<Arc<Routes>>,
    actix_router: bool,
}

impl fmt::Debug for Ironward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ironward")
            .field("reporter", &self.reporter.is_some())
            .field("routes", &self.routes.as_ref().map(|r| r.len()))
            .field("actix_router", &self.actix_router)
            .finish_non_exhaustive()
    }
}

impl Ironward {
    /// A middleware that protects the wrapped application with this engine: an `Arc<Engine>`,
    /// or a [`SharedEngine`] to reconfigure the running server.
    pub fn new(engine: impl Into<SharedEngine>) -> Self {
        Ironward {
            engine: engine.into(),
            reporter: None,
            routes: None,
            actix_router: false,
        }
    }

    /// The engine in force.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load()
    }

    /// The handle whose engine the middleware uses: [`SharedEngine::reconfigure`] it to change
    /// the configuration of the running server.
    pub fn shared_engine(&self) -> &SharedEngine {
        &self.engine
    }

    /// Calls `f` with one [`Event`] per finding of every request and response with findings,
    /// blocked or monitored: request verdicts, response verdicts (brute force, DLP) and leaks
    /// found in streamed responses. `f` runs on the worker thread, inline: keep it short (push
    /// to a channel or a queue).
    pub fn on_event(mut self, f: impl Fn(Event) + Send + Sync + 'static) -> Self {
        self.reporter = Some(Arc::new(f));
        self
    }

    /// Gives the middleware the application's route table (the same [`Routes`] as
    /// `ironward_tower`): a request whose path no route matches is an unknown route for the
    /// `path` check (404 with `NATIVE_ROUTE_STATUS`), one whose method the matching routes do
    /// not allow is one for the `method` check (405 when that check is on), and the content
    /// types given with [`Routes::route_accepting`] feed the `format` check. Paths are matched
    /// in the form actix routes on (percent-decoded except `%2F`, `%25` and `+`). The list
    /// takes precedence over [`actix_router`](Self::actix_router).
    pub fn routes(mut self, routes: Routes) -> Self {
        self.routes = Some(Arc::new(routes));
        self
    }

    /// Declares that actix's own resource map is the route table: a request whose path no
    /// registered resource, route, scope or service matches
    /// (`ResourceMap::has_resource`, on the path actix routes on) is an unknown route for the
    /// `path` check — blocked and answered 404 with `NATIVE_ROUTE_STATUS`. Do not set it when
    /// the application serves paths outside its resources with `default_service` (a
    /// single-page-app fallback, a proxy): those requests would be refused. Guards are not
    /// seen (a resource counts when its path matches), so a path matched only by a second,
    /// guarded scope with the same prefix as a first one looks unknown; the methods of a
    /// matched resource are not known either: the `method` check needs [`routes`](Self::routes).
    pub fn actix_router(mut self) -> Self {
        self.actix_router = true;
        self
    }
}

/// What every call of the service needs for one engine (one per worker, shared by its
/// requests; rebuilt when the engine is replaced).
pub(crate) struct Shared {
    pub(crate) engine: Arc<Engine>,
    /// The [`SharedEngine::generation`] `engine` was taken at.
    generation: u64,
    pub(crate) reporter: Option<Reporter>,
    pub(crate) routes: Option<Arc<Routes>>,
    pub(crate) actix_router: bool,
    /// A sink check is on: requests keep their inputs and handlers run in a guard scope.
    pub(crate) sinks: bool,
}

impl<S, B> Transform<S, ServiceRequest> for Ironward
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = IronwardService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IronwardService {
            service: Rc::new(service),
            current: RefCell::new(Rc::new(self.prepare(self.engine.generation()))),
            options: self.clone(),
        }))
    }
}

impl Ironward {
    /// The values of the engine in force (taken after `generation` was read, so it is at least
    /// that recent; a newer one is picked up by the next request).
    fn prepare(&self, generation: u64) -> Shared {
        let engine = self.engine.load();
        Shared {
            sinks: engine.sinks_on(),
            engine,
            generation,
            reporter: self.reporter.clone(),
            routes: self.routes.clone(),
            actix_router: self.actix_router,
        }
    }
}

/// The service [`Ironward`] wraps an application in (one per worker).
pub struct IronwardService<S> {
    service: Rc<S>,
    options: Ironward,
    /// The [`Shared`] of the engine the worker's last request used.
    current: RefCell<Rc<Shared>>,
}

impl<S> IronwardService<S> {
    /// The [`Shared`] of the engine in force: one atomic load when the engine has not changed
    /// since the worker's last request.
    fn current(&self) -> Rc<Shared> {
        let generation = self.options.engine.generation();
        let mut current = self.current.borrow_mut();
        if current.generation != generation {
            *current = Rc::new(self.options.prepare(generation));
        }
        Rc::clone(&current)
    }
}

impl<S> fmt::Debug for IronwardService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IronwardService").finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for IronwardService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // The engine in force now judges this request and its response, whatever reloads
        // happen meanwhile.
        let shared = self.current();
        if let Some(res) = crate::metrics::scrape(&req, &shared.engine) {
            return Box::pin(ready(Ok(req.into_response(res))));
        }
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let out = handle(&service, &shared, req).await;
            crate::metrics::sent(&shared.engine, &out);
            out
        })
    }
}

/// Inspects the request, calls the application unless it is blocked, inspects the response.
async fn handle<S, B>(
    service: &Rc<S>,
    shared: &Rc<Shared>,
    mut req: ServiceRequest,
) -> Result<ServiceResponse<BoxBody>, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let engine = &shared.engine;
    let body = inbound::read_body(&mut req, engine).await?;
    let (verdict, sinks) = inbound::inspect(&req, shared, &body);
    if let Some(block) = verdict.response.as_ref().filter(|_| verdict.is_blocked()) {
        let response = outbound::block_response(block, engine);
        return Ok(req.into_response(response));
    }
    req.set_payload(body.into_payload());
    if verdict.action != Action::Allow {
        // Monitor-level findings: the application may read (and report) them.
        req.extensions_mut().insert(verdict.clone());
    }
    let res = match sinks {
        Some(sinks) => {
            let ctx = SinkContext::new(Arc::clone(engine), sinks);
            let fut = ironward_guard::sync_scope(ctx.clone(), || service.call(req));
            let res = ironward_guard::scope(ctx.clone(), fut).await;
            match (sink_block(shared, &ctx), res) {
                (None, res) => res?,
                (Some(block), Ok(res)) => {
                    // The handler's response (whatever it made of the error) is replaced.
                    let (req, _) = res.into_parts();
                    return Ok(ServiceResponse::new(req, block));
                }
                (Some(block), Err(e)) => {
                    // No request left to answer with: an error whose response is the block.
                    return Err(InternalError::from_response(e.to_string(), block).into());
                }
            }
        }
        None => service.call(req).await?,
    };
    outbound::inspect(res, engine, shared.reporter.as_ref(), &verdict).await
}

/// After a handler ran in a guard scope: reports what its guards found and, when one blocked,
/// returns the block response that replaces the handler's.
fn sink_block(shared: &Shared, ctx: &SinkContext) -> Option<HttpResponse> {
    let verdicts = ctx.take_verdicts();
    if !verdicts.is_empty() {
        let request = ctx.request();
        let core = Request::new(&request.method, &request.path);
        for v in &verdicts {
            report(shared.reporter.as_ref(), &shared.engine, &core, v);
        }
    }
    let verdict = ctx.blocked()?;
    let block = verdict.response.as_ref().filter(|_| verdict.is_blocked())?;
    Some(outbound::block_response(block, &shared.engine))
}
