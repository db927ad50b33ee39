//! Redis Sentinel: the master is whichever server the Sentinels name, asked again for every new
//! connection, so that after a failover the store reconnects to the promoted replica.
//!
//! `SHARED_STATE_URL=redis+sentinel://[user:password@]host1:26379,host2:26379/mymaster[/db]`
//! lists the Sentinels (port 26379 when none is given) and names the monitored master; the
//! credentials and the database number are the master's. Sentinels that require a password
//! take `?sentinel_password=…` (and `sentinel_username=…`).
//!
//! `rediss+sentinel://…` speaks TLS to the Sentinels and to the master (rustls, the
//! certificates verified against the system's roots, which `SSL_CERT_FILE` / `SSL_CERT_DIR`
//! can replace, as for `rediss://`), so the Sentinels must announce an address the master's
//! certificate names.
//!
//! The lookup is redis-rs's synchronous [`Sentinel`]: it asks each Sentinel in turn for the
//! master (skipping one that flags it down or does not know the name), then checks with `ROLE`
//! that the named server really is a master. It runs only where connections are opened (the
//! background connector and subscriber, and the administrative `clear`), never on the request
//! path. Its sockets carry `TCP_USER_TIMEOUT` = `SHARED_STATE_CONNECT_TIMEOUT_MS` (Linux), so a
//! Sentinel that stops acknowledging is dropped; redis-rs opens them without a connect timeout,
//! so an unreachable (black-holed) Sentinel delays a reconnection until the system gives up on
//! it. The request path is unaffected either way.

use crate::target::UrlError;
use redis::io::tcp::TcpSettings;
use redis::sentinel::{Sentinel, SentinelNodeConnectionInfo};
use redis::{Client, ConnectionInfo, IntoConnectionInfo, RedisResult, TlsMode};
use std::sync::Mutex;
use std::time::Duration;

/// The URL schemes of a Sentinel deployment: plain TCP, and TLS to the Sentinels and the
/// master.
pub(crate) const SCHEMES: [&str; 2] = ["redis+sentinel", "rediss+sentinel"];

/// The Sentinels' default port.
const DEFAULT_PORT: u16 = 26379;

/// A master found through Sentinels.
pub(crate) struct SentinelTarget {
    /// redis-rs's Sentinel client (it caches one connection per Sentinel, hence the lock).
    sentinel: Mutex<Sentinel>,
    /// The name the Sentinels monitor the master under.
    master: String,
    /// How to connect to the master: credentials, database, TCP settings.
    node: SentinelNodeConnectionInfo,
}

/// The parts of a `redis+sentinel://` URL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Parts {
    /// `redis://` URLs of the Sentinels (with the Sentinels' credentials).
    pub(crate) sentinels: Vec<String>,
    /// The monitored master's name.
    pub(crate) master: String,
    /// A `redis://` URL carrying the master's credentials and database (its host is unused).
    pub(crate) node: String,
    /// TLS to the Sentinels and the master (`rediss+sentinel://`).
    pub(crate) tls: bool,
}

/// True when `url` names a Sentinel deployment.
pub(crate) fn is_sentinel(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.iter().any(|s| scheme.eq_ignore_ascii_case(s)))
}

/// Splits a `redis+sentinel://` URL (messages never repeat it: it may hold passwords).
pub(crate) fn parse(url: &str) -> Result<Parts, UrlError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "not a redis+sentinel:// URL".to_owned())?;
    let tls = scheme.eq_ignore_ascii_case(SCHEMES[1]);
    let sentinel_scheme = if tls { "rediss" } else { "redis" };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let master = segments
        .next()
        .ok_or_else(|| "redis+sentinel:// needs the master's name: …/mymaster[/db]".to_owned())?
        .to_owned();
    let db = match segments.next() {
        None => 0,
        Some(d) => d.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| {
            "redis+sentinel://: the database after the master's name must be a number".to_owned()
        })?,
    };
    if segments.next().is_some() {
        return Err("redis+sentinel://: expected …/mymaster[/db], got more path".into());
    }
    let (mut s_user, mut s_pass) = (String::new(), String::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "sentinel_username" => s_user = v.to_owned(),
            "sentinel_password" => s_pass = v.to_owned(),
            _ => {
                let shown: String = k.chars().take(30).collect();
                return Err(format!(
                    "redis+sentinel://: unknown parameter {shown:?} (sentinel_username, sentinel_password)"
                ));
            }
        }
    }
    let s_auth = if s_user.is_empty() && s_pass.is_empty() {
        String::new()
    } else {
        format!("{s_user}:{s_pass}@")
    };
    let sentinels: Vec<String> = hosts
        .split(',')
        .filter(|h| !h.is_empty())
        .map(|h| {
            let has_port = if h.starts_with('[') {
                h.contains("]:")
            } else {
                h.contains(':')
            };
            if has_port {
                format!("{sentinel_scheme}://{s_auth}{h}")
            } else {
                format!("{sentinel_scheme}://{s_auth}{h}:{DEFAULT_PORT}")
            }
        })
        .collect();
    if sentinels.is_empty() {
        return Err("redis+sentinel:// needs at least one Sentinel host".into());
    }
    Ok(Parts {
        sentinels,
        master,
        node: format!("redis://{userinfo}127.0.0.1/{db}"),
        tls,
    })
}

impl SentinelTarget {
    /// The target a `redis+sentinel://` URL names; `connect_timeout` bounds the Sentinels' and
    /// the master's unacknowledged traffic (`TCP_USER_TIMEOUT`).
    pub(crate) fn open(url: &str, connect_timeout: Duration) -> Result<SentinelTarget, UrlError> {
        let kind = |e: redis::RedisError| format!("not a usable Redis URL ({:?})", e.kind());
        let parts = parse(url)?;
        let tcp = || TcpSettings::default().set_user_timeout(connect_timeout);
        let sentinels = parts
            .sentinels
            .iter()
            .map(|s| {
                s.as_str()
                    .into_connection_info()
                    .map(|c| c.set_tcp_settings(tcp()))
            })
            .collect::<RedisResult<Vec<ConnectionInfo>>>()
            .map_err(kind)?;
        let node_redis = parts
            .node
            .as_str()
            .into_connection_info()
            .map_err(kind)?
            .redis_settings()
            .clone();
        let mut node = SentinelNodeConnectionInfo::default()
            .set_redis_connection_info(node_redis)
            .set_tcp_settings(tcp());
        if parts.tls {
            node = node.set_tls_mode(TlsMode::Secure);
        }
        let sentinel = Sentinel::build(sentinels).map_err(kind)?;
        Ok(SentinelTarget {
            sentinel: Mutex::new(sentinel),
            master: parts.master,
            node,
        })
    }

    /// A client for the current master, as the Sentinels name it now.
    pub(crate) fn master(&self) -> RedisResult<Client> {
        let mut sentinel = self.sentinel.lock().unwrap_or_else(|p| p.into_inner());
        sentinel.master_for(&self.master, Some(&self.node))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_split_into_sentinels_master_and_database() {
        let p = parse("redis+sentinel://:pw@a:1,b,[::1]:3,[::2]/mymaster/2").unwrap();
        assert_eq!(
            p.sentinels,
            [
                "redis://a:1",
                "redis://b:26379",
                "redis://[::1]:3",
                "redis://[::2]:26379"
            ]
        );
        assert_eq!(p.master, "mymaster");
        assert_eq!(p.node, "redis://:pw@127.0.0.1/2");
        let p = parse("redis+sentinel://h:26380/m?sentinel_password=s3").unwrap();
        assert_eq!(p.sentinels, ["redis://:s3@h:26380"]);
        assert_eq!(p.node, "redis://127.0.0.1/0");
        assert!(!p.tls);
        let p = parse("rediss+sentinel://:pw@a:1,b/m").unwrap();
        assert_eq!(p.sentinels, ["rediss://a:1", "rediss://b:26379"]);
        assert_eq!(p.node, "redis://:pw@127.0.0.1/0");
        assert!(p.tls);
        assert!(is_sentinel("REDIS+SENTINEL://h/m") && is_sentinel("rediss+sentinel://h/m"));
        assert!(!is_sentinel("redis://h/0"));
    }

    #[test]
    fn bad_sentinel_urls_are_refused_without_repeating_them() {
        for bad in [
            "redis+sentinel://h:1",
            "redis+sentinel://h:1/",
            "redis+sentinel:///m",
            "redis+sentinel://h/m/x",
            "redis+sentinel://h/m/-1",
            "redis+sentinel://h/m/0/9",
            "redis+sentinel://h/m?password=secret",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(!e.contains("secret") && !e.contains("h/m"), "{bad}: {e}");
        }
        assert!(SentinelTarget::open("redis+sentinel://h/m", Duration::from_secs(1)).is_ok());
    }
}
