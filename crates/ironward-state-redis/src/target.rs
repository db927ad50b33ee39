//! The Redis deployment a store talks to: one server, a Redis Cluster, or a master found
//! through Redis Sentinel (see [`crate::sentinel`]).
//!
//! `SHARED_STATE_URL` names a cluster by listing its seed nodes, comma-separated, in one
//! `redis://` or `rediss://` URL: `redis://[user:password@]host1:port1,host2:port2/` (the form
//! Lettuce and Spring accept), or by adding `cluster=true` to the URL of a single seed (a
//! managed service's configuration endpoint). The seeds are only where the client starts: it
//! asks them for the slot map and then talks to every master it names.
//!
//! A cluster connection is the `redis` crate's synchronous `ClusterConnection` with no retry of
//! its own (a failed call is answered locally, as on one server), its socket timeouts set to
//! the budget like any pooled connection. Every script touches one key, so each runs on the
//! master of that key's slot; the blacklist's channel is classic pub/sub, which a cluster
//! broadcasts to every node, so the subscriber listens on any one seed (the next one when that
//! one fails).

use crate::sentinel::{self, SentinelTarget};
use redis::cluster::{ClusterClient, ClusterConnection};
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{Client, Cmd, Connection, ConnectionLike, RedisResult, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Where the store's Redis is.
pub(crate) enum Target {
    /// One server (`redis://`, `rediss://`, `redis+unix://`, `unix://`).
    Single(Client),
    /// A Redis Cluster, from its seed nodes.
    Cluster {
        client: ClusterClient,
        /// One client per seed, for the subscription.
        seeds: Vec<Client>,
        /// The seed the subscriber tries next.
        next_seed: AtomicUsize,
    },
    /// The master the Sentinels name (asked again for every new connection).
    Sentinel(Box<SentinelTarget>),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Target::Single(_) => "Single",
            Target::Cluster { .. } => "Cluster",
            Target::Sentinel(_) => "Sentinel",
        })
    }
}

/// Why a URL is not usable (never repeating it).
pub(crate) type UrlError = String;

impl Target {
    /// The target a `SHARED_STATE_URL` names.
    pub(crate) fn open(
        url: &str,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Target, UrlError> {
        let kind = |e: redis::RedisError| format!("not a usable Redis URL ({:?})", e.kind());
        if sentinel::is_sentinel(url) {
            return SentinelTarget::open(url, connect_timeout)
                .map(|s| Target::Sentinel(Box::new(s)));
        }
        match cluster_seeds(url) {
            None => Client::open(url).map(Target::Single).map_err(kind),
            Some(seeds) => {
                let clients = seeds
                    .iter()
                    .map(|s| Client::open(s.as_str()))
                    .collect::<RedisResult<Vec<_>>>()
                    .map_err(kind)?;
                let client = ClusterClient::builder(seeds)
                    .connection_timeout(connect_timeout)
                    .response_timeout(timeout)
                    .retries(0)
                    .build()
                    .map_err(kind)?;
                Ok(Target::Cluster {
                    client,
                    seeds: clients,
                    next_seed: AtomicUsize::new(0),
                })
            }
        }
    }

    /// True for a cluster.
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, Target::Cluster { .. })
    }

    /// A new connection (to every master of a cluster), opened within `connect_timeout`.
    pub(crate) fn connect(&self, connect_timeout: Duration) -> RedisResult<Con> {
        match self {
            Target::Single(c) => c
                .get_connection_with_timeout(connect_timeout)
                .map(Con::Single),
            Target::Cluster { client, .. } => {
                let con = client.get_connection()?;
                // Reconnecting on the request path could exceed the budget: a broken
                // connection is dropped and replaced by the background connector instead.
                con.set_auto_reconnect(false);
                Ok(Con::Cluster(Box::new(con)))
            }
            Target::Sentinel(s) => s
                .master()?
                .get_connection_with_timeout(connect_timeout)
                .map(Con::Single),
        }
    }

    /// A plain connection for the subscription: the server, the next seed of a cluster
    /// (classic pub/sub is broadcast to every node of a cluster), or the current master.
    pub(crate) fn subscriber(&self, connect_timeout: Duration) -> RedisResult<Connection> {
        match self {
            Target::Single(c) => c.get_connection_with_timeout(connect_timeout),
            Target::Cluster {
                seeds, next_seed, ..
            } => {
                let n = next_seed.fetch_add(1, Ordering::Relaxed) % seeds.len().max(1);
                match seeds.get(n) {
                    Some(c) => c.get_connection_with_timeout(connect_timeout),
                    None => Err(redis::RedisError::from((
                        redis::ErrorKind::InvalidClientConfig,
                        "no seed node",
                    ))),
                }
            }
            Target::Sentinel(s) => s.master()?.get_connection_with_timeout(connect_timeout),
        }
    }
}

/// The seed URLs of a cluster URL, or `None` for a single server.
pub(crate) fn cluster_seeds(url: &str) -> Option<Vec<String>> {
    let (scheme, rest) = url.split_once("://")?;
    if !["redis", "rediss"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return None;
    }
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let mut flagged = false;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let on = p.eq_ignore_ascii_case("cluster=true")
                || p.eq_ignore_ascii_case("cluster=yes")
                || p.eq_ignore_ascii_case("cluster=1");
            flagged |= on;
            !on
        })
        .collect();
    if !hosts.contains(',') && !flagged {
        return None;
    }
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    let seeds = hosts
        .split(',')
        .filter(|h| !h.is_empty())
        .map(|h| format!("{scheme}://{userinfo}{h}{path}{query}"))
        .collect();
    Some(seeds)
}

/// A connection to one server or to a cluster.
pub(crate) enum Con {
    /// To one server.
    Single(Connection),
    /// To every master of a cluster.
    Cluster(Box<ClusterConnection>),
}

impl Con {
    /// Sets both socket timeouts (of every node's connection, in a cluster).
    pub(crate) fn set_timeouts(&self, timeout: Duration) -> RedisResult<()> {
        match self {
            Con::Single(c) => {
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))
            }
            Con::Cluster(c) => {
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))
            }
        }
    }

    /// Runs `cmd` on the node at `host:port` (a cluster's), or on the server.
    pub(crate) fn on_node(&mut self, cmd: &Cmd, host: &str, port: u16) -> RedisResult<Value> {
        match self {
            Con::Single(c) => c.req_command(cmd),
            Con::Cluster(c) => c.route_command(
                cmd,
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                    host: host.to_owned(),
                    port,
                }),
            ),
        }
    }
}

impl ConnectionLike for Con {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        match self {
            Con::Single(c) => c.req_packed_command(cmd),
            Con::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        match self {
            Con::Single(c) => c.req_packed_commands(cmd, offset, count),
            Con::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn req_command(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        match self {
            Con::Single(c) => c.req_command(cmd),
            Con::Cluster(c) => c.req_command(cmd),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Con::Single(c) => c.get_db(),
            Con::Cluster(c) => c.get_db(),
        }
    }

    fn supports_pipelining(&self) -> bool {
        match self {
            Con::Single(c) => c.supports_pipelining(),
            Con::Cluster(c) => c.supports_pipelining(),
        }
    }

    fn check_connection(&mut self) -> bool {
        match self {
            Con::Single(c) => c.check_connection(),
            Con::Cluster(c) => c.check_connection(),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Con::Single(c) => c.is_open(),
            Con::Cluster(c) => c.is_open(),
        }
    }
}

/// The masters of a cluster (`host`, `port`), from `CLUSTER NODES`.
pub(crate) fn masters(con: &mut Con) -> RedisResult<Vec<(String, u16)>> {
    let text: String = redis::cmd("CLUSTER").arg("NODES").query(con)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let mut fields = line.split(' ');
        let (Some(_id), Some(addr), Some(flags)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if !flags.split(',').any(|f| f == "master") || flags.contains("fail") {
            continue;
        }
        // `ip:port@cport[,hostname]`
        let hostport = addr.split(['@', ',']).next().unwrap_or("");
        if let Some((host, port)) = hostport.rsplit_once(':')
            && let Ok(port) = port.parse()
            && !host.is_empty()
        {
            out.push((host.to_owned(), port));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_list_seeds_or_say_so() {
        assert_eq!(cluster_seeds("redis://127.0.0.1:6379/0"), None);
        assert_eq!(cluster_seeds("redis+unix:///run/r.sock"), None);
        assert_eq!(
            cluster_seeds("redis://:pw@a:1,b:2/").unwrap(),
            ["redis://:pw@a:1/", "redis://:pw@b:2/"]
        );
        assert_eq!(
            cluster_seeds("rediss://cfg.example:6380?cluster=true").unwrap(),
            ["rediss://cfg.example:6380"]
        );
        assert_eq!(
            cluster_seeds("redis://a:1,b:2?protocol=resp3&cluster=yes").unwrap(),
            ["redis://a:1?protocol=resp3", "redis://b:2?protocol=resp3"]
        );
    }
}
