//! The `Transform` and `Service` pair that wires the engine into actix-web.

use crate::{inbound, outbound};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use ironward_core::{Action, Engine};
use std::rc::Rc;
use std::sync::Arc;

/// The Ironward middleware: `App::new().wrap(Ironward::new(engine))`.
///
/// Cloning it is cheap (an `Arc`); build the engine once and share it across workers.
#[derive(Debug, Clone)]
pub struct Ironward {
    engine: Arc<Engine>,
}

impl Ironward {
    /// A middleware that protects the wrapped application with this engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        Ironward { engine }
    }

    /// The engine this middleware uses.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
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
            engine: Arc::clone(&self.engine),
        }))
    }
}

/// The service [`Ironward`] wraps an application in (one per worker).
#[derive(Debug)]
pub struct IronwardService<S> {
    service: Rc<S>,
    engine: Arc<Engine>,
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

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let engine = Arc::clone(&self.engine);
        Box::pin(async move {
            let body = inbound::read_body(&mut req, &engine).await?;
            let verdict = inbound::inspect(&req, &engine, &body);
            if let Some(block) = verdict.response.as_ref().filter(|_| verdict.is_blocked()) {
                let response = outbound::block_response(block, &engine);
                return Ok(req.into_response(response));
            }
            req.set_payload(body.into_payload());
            if verdict.action != Action::Allow {
                // Monitor-level findings: the application may read (and report) them.
                req.extensions_mut().insert(verdict.clone());
            }
            let res = service.call(req).await?;
            outbound::inspect(res, &engine, &verdict).await
        })
    }
}
