//! # Ironward for Python: the native module `ironward._ironward`
//!
//! A thin PyO3 layer over `ironward-core` and `ironward-agent`, built with maturin as an abi3
//! extension (CPython ≥ 3.9). The Python package `ironward` (in `python/ironward/`) wraps it in
//! pyrasp-compatible adapters (Flask, Django, WSGI…); this module is what they call on every
//! request, so it is small and does the heavy lifting natively:
//!
//! - `engine::PyEngine` (`Engine` in Python) loads the configuration (template < file <
//!   params, the core's layering), builds the engine and the event shipper, and inspects
//!   requests, responses and streamed responses with the GIL released;
//! - `verdict::PyVerdict` (`Verdict`) is what an adapter acts on: allow, monitor, block, with
//!   the block response ready to send;
//! - `stream::PyDlpStream` (`DlpStream`) scans a streamed response chunk by chunk;
//! - `sink::PySinkContext` (`SinkContext`) keeps a request's inputs for the sink checks,
//!   which `Engine.check_sql`, `check_path`, `check_command`, `check_argv`, `check_url` and
//!   `check_nosql` run where the application uses them (`ironward._sinks` instruments the
//!   drivers and the standard library);
//! - `cloud::PyCloudAgent` (`CloudAgent`) is the management agent (`ironward-cloud-client`)
//!   the adapters start when given a cloud URL and a key;
//! - `watch::PyConfigWatch` (`ConfigWatch`) watches the configuration file for hot reload;
//! - `wsgi` reads a WSGI `environ` (Flask, Django, plain WSGI) natively, so that the Python
//!   side does no per-header work.
//!
//! Every object is `Send + Sync` (the engine is; per-stream state sits behind a mutex), so the
//! module declares free-threading support. A panic in this layer or in the engine never reaches
//! the application: the verdict fails open (or closed, as `FAIL_OPEN` says) and the error is
//! reported on standard error and in the verdict.

mod background;
mod cloud;
mod config;
mod engine;
mod mcp;
mod report;
mod sink;
mod stream;
mod verdict;
mod watch;
mod wsgi;

use pyo3::prelude::*;

// Named `ironward.ConfigError`, where users import it from.
pyo3::create_exception!(
    ironward,
    ConfigError,
    pyo3::exceptions::PyValueError,
    "The configuration is invalid; `errors` lists every problem found."
);

/// `route` value: the adapter has no route table.
pub(crate) const ROUTE_UNKNOWN: u8 = 0;
/// `route` value: the path matched a route and the method is allowed.
pub(crate) const ROUTE_MATCHED: u8 = 1;
/// `route` value: the path matched no route.
pub(crate) const ROUTE_NOT_FOUND: u8 = 2;
/// `route` value: the path matched a route that does not allow the method.
pub(crate) const ROUTE_METHOD_NOT_ALLOWED: u8 = 3;

/// The module: classes, the configuration exception and the route constants.
#[pymodule(gil_used = false)]
fn _ironward(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<verdict::PyVerdict>()?;
    m.add_class::<stream::PyDlpStream>()?;
    m.add_class::<sink::PySinkContext>()?;
    m.add_class::<cloud::PyCloudAgent>()?;
    m.add_class::<watch::PyConfigWatch>()?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ROUTE_UNKNOWN", ROUTE_UNKNOWN)?;
    m.add("ROUTE_MATCHED", ROUTE_MATCHED)?;
    m.add("ROUTE_NOT_FOUND", ROUTE_NOT_FOUND)?;
    m.add("ROUTE_METHOD_NOT_ALLOWED", ROUTE_METHOD_NOT_ALLOWED)?;
    Ok(())
}
