//! Transports: where rendered records go.
//!
//! A [`Transport`] takes one rendered record (no framing) and ships it; it frames the record as
//! its medium requires. [`open`] builds the transport selected by `LOG_PROTOCOL`:
//!
//! | `LOG_PROTOCOL` | Transport | On failure |
//! |---|---|---|
//! | `udp` | [`udp::Udp`]: one datagram per record, cut to 65,507 bytes | the send error is returned |
//! | `tcp` | [`tcp::Tcp`]: a persistent connection; octet counting (RFC 6587) for RFC 5424, newline-delimited (pyrasp) otherwise | the connection is dropped and re-opened with exponential backoff (100 ms doubling to 30 s); records sent while backing off are refused at once with [`TransportError::BackingOff`] |
//! | `http`, `https` | [`http::Http`]: one POST per record to `{scheme}://LOG_SERVER:LOG_PORT{LOG_PATH}`, or per batch of records with `LOG_BATCH_SIZE` above 1 | transport errors, timeouts and non-2xx statuses are returned |
//! | `file` | [`file::File`]: appends `record\n` to `LOG_PATH`, rotating by `LOG_FILE_SIZE` MB | the write error is returned |
//! | `stdout` | [`stdout::Stdout`]: `record\n` on standard output | the write error is returned |
//!
//! Only HTTP(S) ships batches ([`Transport::batches`]): UDP keeps one datagram per record (a
//! receiver parses one message per datagram), TCP, `file` and `stdout` already stream records
//! without a request per record.
//!
//! Every network operation is bounded by `LOG_TIMEOUT_MS`. Transports never retry a record:
//! the caller counts the failure and moves on (pyrasp swallowed errors and retried a TCP
//! connection once; Ironward counts and backs off).

pub mod file;
pub mod http;
pub mod stdout;
pub mod tcp;
pub mod udp;

use ironward_core::config::{Config, LogProtocol};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Why a record could not be shipped (or a transport opened).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// `LOG_SERVER:LOG_PORT` did not resolve to any address.
    #[error("cannot resolve the log server {0}")]
    Resolve(String),
    /// An I/O error (connect, write, file).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The TCP transport is waiting before its next connection attempt; the record was dropped.
    #[error("log server unreachable, backing off: record dropped")]
    BackingOff,
    /// The HTTP request failed (connection, TLS, timeout).
    #[error("HTTP request failed: {0}")]
    Http(String),
    /// The HTTP server answered with a non-2xx status.
    #[error("HTTP server answered {0}")]
    Status(u16),
    /// The configuration cannot describe a transport.
    #[error("invalid log configuration: {0}")]
    Config(String),
}

/// A destination for rendered records.
pub trait Transport {
    /// Ships one record (without framing: the transport frames it). Never retries.
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError>;

    /// Whether [`send_batch`](Transport::send_batch) ships several records in one shipment
    /// (the agent's worker then groups records by `LOG_BATCH_SIZE`). `false` by default.
    fn batches(&self) -> bool {
        false
    }

    /// Ships several records as one shipment; the error fails them all. The default sends them
    /// one by one and returns the first error (after trying them all). Never retries.
    fn send_batch(&mut self, records: &[Vec<u8>]) -> Result<(), TransportError> {
        let mut result = Ok(());
        for record in records {
            if let Err(e) = self.send(record)
                && result.is_ok()
            {
                result = Err(e);
            }
        }
        result
    }
}

impl std::fmt::Debug for dyn Transport + Send {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport")
    }
}

/// Opens the transport selected by `LOG_PROTOCOL`.
///
/// UDP and TCP resolve `LOG_SERVER:LOG_PORT` once, here; TCP connects lazily on the first
/// record (so a log server that is down at start-up does not prevent starting). The file
/// transport opens (creating, not its parent directory) `LOG_PATH` here.
pub fn open(config: &Config) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(match config.log_protocol {
        LogProtocol::Udp => Box::new(udp::Udp::open(config)?),
        LogProtocol::Tcp => Box::new(tcp::Tcp::open(config)?),
        LogProtocol::Http | LogProtocol::Https => Box::new(http::Http::open(config)?),
        LogProtocol::File => Box::new(file::File::open(config)?),
        LogProtocol::Stdout => Box::new(stdout::Stdout::new()),
    })
}

/// `LOG_TIMEOUT_MS` as a duration (at least 1 ms: a zero timeout is not a valid socket option).
pub(crate) fn timeout(config: &Config) -> Duration {
    Duration::from_millis(config.log_timeout_ms.max(1))
}

/// Resolves `LOG_SERVER:LOG_PORT`.
pub(crate) fn resolve(config: &Config) -> Result<Vec<SocketAddr>, TransportError> {
    let target = format!("{}:{}", host_for_url(&config.log_server), config.log_port);
    let addrs: Vec<SocketAddr> = (config.log_server.as_str(), config.log_port)
        .to_socket_addrs()
        .map_err(|_| TransportError::Resolve(target.clone()))?
        .collect();
    if addrs.is_empty() {
        return Err(TransportError::Resolve(target));
    }
    Ok(addrs)
}

/// The host as it appears in a URL or `host:port` (IPv6 literals in brackets).
pub(crate) fn host_for_url(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}
