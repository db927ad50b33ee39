//! The [`IronwardLayer`]: the engine and its options, applied to a service.
//!
//! The engine lives in a [`SharedEngine`]: each request takes the engine in force when it
//! arrives and keeps it to the end of its response, so a hot reload
//! ([`SharedEngine::reconfigure`], the management agent of `ironward-cloud-client`) applies
//! from the next request, and no request is dropped or inspected twice.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;
use http::HeaderValue;
use ironward_core::event::Event;
use ironward_core::reload::SharedEngine;
use ironward_core::{Engine, Routes};
use tower_layer::Layer;

use crate::service::Ironward;

/// A callback that receives the security events of every request and response with findings
/// (blocked or monitored).
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

/// A `tower` layer that protects a service with an Ironward [`Engine`].
///
/// The engine is built once and shared (an `Arc<Engine>`, or a [`SharedEngine`] whose engine
/// can be replaced while the service runs); the layer clones reference counts only.
#[derive(Clone)]
pub struct IronwardLayer {
    pub(crate) engine: SharedEngine,
    pub(crate) reporter: Option<Reporter>,
    pub(crate) axum_router: bool,
    pub(crate) routes: Option<Arc<Routes>>,
}

/// What every call of a protected service needs for one engine, shared behind one `Arc` (one
/// reference count per request, whatever the options); rebuilt when the engine is replaced.
pub(crate) struct Shared {
    pub engine: Arc<Engine>,
    /// The [`SharedEngine::generation`] `engine` was taken at.
    pub generation: u64,
    pub reporter: Option<Reporter>,
    pub axum_router: bool,
    pub routes: Option<Arc<Routes>>,
    /// The `Server` header value, validated once (`None`: leave the header alone).
    pub server: Option<HeaderValue>,
    /// `MAX_BODY_BYTES` as a buffer size.
    pub body_cap: usize,
    /// A sink check is on: requests keep their inputs and handlers run in a guard scope.
    pub sinks: bool,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("reporter", &self.reporter.is_some())
            .field("axum_router", &self.axum_router)
            .field("routes", &self.routes.as_ref().map(|r| r.len()))
            .finish_non_exhaustive()
    }
}

/// What a protected service holds: the options and the [`Shared`] of the engine in force.
pub(crate) struct Handle {
    /// The layer: its engine handle and options.
    layer: IronwardLayer,
    current: ArcSwap<Shared>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("generation", &self.layer.engine.generation())
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// The [`Shared`] of the engine in force: one atomic load when the engine has not changed
    /// since the last request, a rebuild of the small per-engine values when it has.
    pub(crate) fn current(&self) -> Arc<Shared> {
        let generation = self.layer.engine.generation();
        let cached = self.current.load();
        if cached.generation == generation {
            return Arc::clone(&cached);
        }
        let next = Arc::new(prepare(generation, &self.layer));
        self.current.store(Arc::clone(&next));
        next
    }
}

/// The values of the engine in force (taken after `generation` was read, so it is at least
/// that recent; a newer one is picked up by the next request).
fn prepare(generation: u64, layer: &IronwardLayer) -> Shared {
    let engine = layer.engine.load();
    let server = engine
        .server_header()
        .and_then(|s| HeaderValue::from_str(s).ok());
    Shared {
        body_cap: usize::try_from(engine.config().max_body_bytes).unwrap_or(usize::MAX),
        sinks: engine.sinks_on(),
        engine,
        generation,
        reporter: layer.reporter.clone(),
        axum_router: layer.axum_router,
        routes: layer.routes.clone(),
        server,
    }
}

impl IronwardLayer {
    /// A layer with this engine: an `Arc<Engine>`, or a [`SharedEngine`] to reconfigure the
    /// running service.
    pub fn new(engine: impl Into<SharedEngine>) -> Self {
        IronwardLayer {
            engine: engine.into(),
            reporter: None,
            axum_router: false,
            routes: None,
        }
    }

    /// Gives the layer the application's route table, for services without axum's router
    /// (plain hyper, tonic, other tower stacks): a request whose path no route matches is an
    /// unknown route for the `path` check (404 with `NATIVE_ROUTE_STATUS`), one whose method
    /// the matching routes do not allow is one for the `method` check (405), and the content
    /// types given with [`Routes::route_accepting`] feed the `format` check. The list takes
    /// precedence over [`axum_router`](Self::axum_router) and axum's `MatchedPath`.
    pub fn routes(mut self, routes: Routes) -> Self {
        self.routes = Some(Arc::new(routes));
        self
    }

    /// Declares that the layer is applied with axum's `Router::layer`, so that axum's routing
    /// is the route table: a request axum matched to a route carries `MatchedPath`, and one it
    /// did not (it goes to the router's fallback, which `Router::layer` also wraps) is an
    /// unknown route for the `path` check — answered 404 with `NATIVE_ROUTE_STATUS`. Do not
    /// set it when the layer wraps the router from outside (`ServiceBuilder`, hyper): there
    /// no request carries `MatchedPath`, and every one would look unknown.
    #[cfg(feature = "axum")]
    pub fn axum_router(mut self) -> Self {
        self.axum_router = true;
        self
    }

    /// Calls `f` with each security event (one per finding), blocked or monitored.
    pub fn on_event(mut self, f: impl Fn(Event) + Send + Sync + 'static) -> Self {
        self.reporter = Some(Arc::new(f));
        self
    }

    /// The engine in force.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load()
    }

    /// The handle whose engine the layer uses: [`SharedEngine::reconfigure`] it to change the
    /// configuration of the running service.
    pub fn shared_engine(&self) -> &SharedEngine {
        &self.engine
    }
}

impl fmt::Debug for IronwardLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IronwardLayer")
            .field("reporter", &self.reporter.is_some())
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for IronwardLayer {
    type Service = Ironward<S>;

    fn layer(&self, inner: S) -> Ironward<S> {
        let generation = self.engine.generation();
        Ironward {
            inner,
            handle: Arc::new(Handle {
                layer: self.clone(),
                current: ArcSwap::from_pointee(prepare(generation, self)),
            }),
        }
    }
}
