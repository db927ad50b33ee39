//! The [`IronwardLayer`]: the engine and its options, applied to a service.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use ironward_core::event::Event;
use ironward_core::{Engine, Routes};
use tower_layer::Layer;

use crate::service::Ironward;

/// A callback that receives the security events of every request and response with findings
/// (blocked or monitored).
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

/// A `tower` layer that protects a service with an Ironward [`Engine`].
///
/// The engine is built once and shared (`Arc`); the layer clones the `Arc` only.
#[derive(Clone)]
pub struct IronwardLayer {
    pub(crate) engine: Arc<Engine>,
    pub(crate) reporter: Option<Reporter>,
    pub(crate) axum_router: bool,
    pub(crate) routes: Option<Arc<Routes>>,
}

/// What every call of a protected service needs, shared behind one `Arc` (one reference count
/// per request, whatever the options).
pub(crate) struct Shared {
    pub engine: Arc<Engine>,
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

impl IronwardLayer {
    /// A layer with this engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        IronwardLayer {
            engine,
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

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
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
        let config = self.engine.config();
        let server = self
            .engine
            .server_header()
            .and_then(|s| HeaderValue::from_str(s).ok());
        Ironward {
            inner,
            shared: Arc::new(Shared {
                engine: Arc::clone(&self.engine),
                reporter: self.reporter.clone(),
                axum_router: self.axum_router,
                routes: self.routes.clone(),
                server,
                body_cap: usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX),
                sinks: self.engine.sinks_on(),
            }),
        }
    }
}
