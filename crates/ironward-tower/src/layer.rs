//! The [`IronwardLayer`]: the engine and its options, applied to a service.

use std::fmt;
use std::sync::Arc;

use ironward_core::Engine;
use ironward_core::event::Event;
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
}

impl IronwardLayer {
    /// A layer with this engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        IronwardLayer {
            engine,
            reporter: None,
            axum_router: false,
        }
    }

    /// Declares that the layer is applied with axum's `Router::layer`, so that axum's routing
    /// is the route table: a request axum matched to a route carries `MatchedPath`, and one it
    /// did not (it goes to the router's fallback, which `Router::layer` also wraps) is an
    /// unknown route for the `path` check — answered 404 with `NATIVE_ROUTE_STATUS`. Do not
    /// set it when the layer wraps the router from outside (`ServiceBuilder`, hyper): there
    /// no request carries `MatchedPath`, and every one would look unknown.
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
        Ironward {
            inner,
            layer: self.clone(),
        }
    }
}
