//! TCP: a persistent connection to `LOG_SERVER:LOG_PORT`.
//!
//! **Framing.** RFC 5424 records use RFC 6587 octet counting (`<len> <record>`, the length in
//! decimal bytes), which syslog receivers expect for RFC 5424 over TCP. Every other format
//! uses pyrasp's newline-delimited framing (`<record>\n`).
//!
//! **Timeouts.** Connecting and writing are each bounded by `LOG_TIMEOUT_MS`.
//!
//! **Failures.** The connection is opened lazily on the first record. A failed connect or
//! write drops the connection and starts an exponential backoff ([`INITIAL_BACKOFF`] doubling to
//! [`MAX_BACKOFF`]); while backing off, `send` refuses records at once with
//! [`TransportError::BackingOff`] (the caller counts them as failed), so a dead server never
//! blocks the worker for longer than one timeout per backoff period. A success resets the
//! backoff. Before each write the connection is probed (a non-blocking `peek`): a server that
//! closed the connection is noticed and reconnected to before the record is written, instead of
//! losing the record into a half-closed socket.

use super::{Transport, TransportError, resolve, timeout};
use ironward_core::config::{Config, LogFormat};
use std::io::{ErrorKind, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The first wait after a failure.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between connection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How records are delimited on the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// RFC 6587 octet counting: `<len> <record>`.
    OctetCounting,
    /// `<record>\n` (pyrasp).
    Newline,
}

impl Framing {
    /// The framing for a format: octet counting for RFC 5424, newlines otherwise.
    pub fn for_format(format: LogFormat) -> Framing {
        if format == LogFormat::Rfc5424 {
            Framing::OctetCounting
        } else {
            Framing::Newline
        }
    }

    /// Appends the framed `record` to `out`.
    pub fn frame(self, record: &[u8], out: &mut Vec<u8>) {
        match self {
            Framing::OctetCounting => {
                out.extend_from_slice(record.len().to_string().as_bytes());
                out.push(b' ');
                out.extend_from_slice(record);
            }
            Framing::Newline => {
                out.extend_from_slice(record);
                out.push(b'\n');
            }
        }
    }
}

/// The TCP transport.
#[derive(Debug)]
pub struct Tcp {
    addrs: Vec<SocketAddr>,
    timeout: Duration,
    framing: Framing,
    stream: Option<TcpStream>,
    backoff: Duration,
    retry_at: Option<Instant>,
    buf: Vec<u8>,
}

impl Tcp {
    /// Resolves `LOG_SERVER:LOG_PORT` (once); connects on the first record.
    pub fn open(config: &Config) -> Result<Tcp, TransportError> {
        Ok(Tcp {
            addrs: resolve(config)?,
            timeout: timeout(config),
            framing: Framing::for_format(config.log_format),
            stream: None,
            backoff: INITIAL_BACKOFF,
            retry_at: None,
            buf: Vec::new(),
        })
    }

    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    fn connect(&self) -> std::io::Result<TcpStream> {
        let mut last = None;
        for addr in &self.addrs {
            match TcpStream::connect_timeout(addr, self.timeout) {
                Ok(s) => {
                    s.set_write_timeout(Some(self.timeout))?;
                    s.set_nodelay(true)?;
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::from(ErrorKind::AddrNotAvailable)))
    }

    fn fail(&mut self, e: std::io::Error) -> TransportError {
        self.stream = None;
        self.retry_at = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        TransportError::Io(e)
    }
}

/// Whether the peer has closed (or reset) the connection, without blocking. Log servers do not
/// talk back, so readable data is ignored.
fn peer_closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut probe = [0u8; 1];
    let closed = match stream.peek(&mut probe) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).is_err() || closed
}

impl Transport for Tcp {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        if self.stream.as_ref().is_some_and(peer_closed) {
            // The server went away: reconnect now (pyrasp's one retry), not after a backoff.
            self.stream = None;
        }
        if self.stream.is_none() {
            if let Some(at) = self.retry_at
                && Instant::now() < at
            {
                return Err(TransportError::BackingOff);
            }
            match self.connect() {
                Ok(s) => self.stream = Some(s),
                Err(e) => return Err(self.fail(e)),
            }
        }
        self.buf.clear();
        self.framing.frame(record, &mut self.buf);
        let result = match self.stream.as_mut() {
            Some(stream) => stream.write_all(&self.buf),
            None => Err(std::io::Error::from(ErrorKind::NotConnected)),
        };
        match result {
            Ok(()) => {
                self.backoff = INITIAL_BACKOFF;
                self.retry_at = None;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        let mut out = Vec::new();
        Framing::OctetCounting.frame(b"<14>1 x", &mut out);
        Framing::Newline.frame(b"abc", &mut out);
        assert_eq!(out, b"7 <14>1 xabc\n");
        assert_eq!(
            Framing::for_format(LogFormat::Rfc5424),
            Framing::OctetCounting
        );
        assert_eq!(Framing::for_format(LogFormat::Syslog), Framing::Newline);
        assert_eq!(Framing::for_format(LogFormat::Json), Framing::Newline);
    }
}
