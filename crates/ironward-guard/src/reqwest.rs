//! `reqwest` integration (feature `reqwest`): outbound requests checked for server-side
//! request forgery on the addresses they connect to.
//!
//! ```no_run
//! # async fn f(user_url: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let client = ironward_guard::reqwest::client_builder().build()?;
//! let url = reqwest::Url::parse(user_url)?;
//! ironward_guard::reqwest::check_url(&url)?; // address literals: the resolver never sees them
//! let body = client.get(url).send().await?.text().await?;
//! # Ok(()) }
//! ```
//!
//! - [`GuardedResolver`] resolves host names with the system resolver (`tokio`'s
//!   `lookup_host`), then checks the host and its addresses
//!   ([`sink::url`](crate::sink::url) with the resolved addresses): a host from the request
//!   that resolves to an internal address (DNS rebinding included) or a metadata service
//!   fails the request with [`Blocked`] in its error chain ([`Blocked::find`]).
//! - [`check_url`] checks a URL before it is sent; it is what catches a URL whose host is an
//!   address literal (`http://127.0.0.1/`, `http://[::1]/`), which `reqwest` connects to
//!   without resolving.
//! - [`client_builder`] sets both: the resolver, and a redirect policy that checks each
//!   redirect target with [`check_url`].
//!
//! Limits: a connection `reqwest` keeps in its pool is reused without a new resolution, so a
//! request to a host the application already connected to is only checked by [`check_url`]
//! (which judges a name by itself: `localhost`, `*.internal`, metadata names…). Give the
//! client that fetches user URLs its own pool, or `pool_max_idle_per_host(0)`. A proxy
//! (`Proxy`) resolves names itself: the resolver then sees the proxy's name only.

use crate::context::{SinkContext, current};
use crate::error::Blocked;
use ironward_core::sink::Operation;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::panic::Location;

/// A `reqwest` DNS resolver that enforces the SSRF sink check on the addresses it resolves
/// (see the [module](self)).
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        // Taken now: `resolve` is called from the request's task, the lookup may run elsewhere.
        let ctx = current();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(ctx) = ctx {
                check_resolved(&ctx, &host, &addrs)?;
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

fn check_resolved(ctx: &SinkContext, host: &str, addrs: &[SocketAddr]) -> Result<(), Blocked> {
    if ctx.request().is_empty() {
        return Ok(());
    }
    let resolved: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
    ctx.check(
        &Operation::Url {
            target: host,
            resolved: &resolved,
        },
        None,
    )
}

/// Checks a URL about to be requested: with its address when the host is an address literal,
/// else by its name alone (the resolver checks the addresses).
#[track_caller]
pub fn check_url(url: &reqwest::Url) -> Result<(), Blocked> {
    check_url_at(url, Location::caller())
}

fn check_url_at(url: &reqwest::Url, caller: &'static Location<'static>) -> Result<(), Blocked> {
    crate::context::with_current(|ctx| {
        // The URL parser already normalised a literal (`127.1` → `127.0.0.1`, `[::1]`).
        let literal: Option<IpAddr> = url.host_str().and_then(|h| {
            h.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(h)
                .parse()
                .ok()
        });
        let resolved: &[IpAddr] = match &literal {
            Some(ip) => std::slice::from_ref(ip),
            None => &[],
        };
        ctx.check(
            &Operation::Url {
                target: url.as_str(),
                resolved,
            },
            Some(caller),
        )
    })
}

/// A `reqwest::ClientBuilder` with the [`GuardedResolver`] and a redirect policy (at most 10
/// redirects, as `reqwest`'s default) that checks each redirect target with [`check_url`].
pub fn client_builder() -> reqwest::ClientBuilder {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 10 {
            return attempt.error("too many redirects");
        }
        match check_url_at(attempt.url(), Location::caller()) {
            Ok(()) => attempt.follow(),
            Err(blocked) => attempt.error(blocked),
        }
    });
    reqwest::Client::builder()
        .dns_resolver(GuardedResolver)
        .redirect(policy)
}
