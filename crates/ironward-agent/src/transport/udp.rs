//! UDP: one datagram per record (pyrasp's default transport).
//!
//! The server address is resolved once when the transport opens; the socket is bound to an
//! ephemeral port of the same family and connected to it. A record longer than the largest
//! UDP payload ([`MAX_DATAGRAM`], 65,507 bytes) is cut. Errors (e.g. an ICMP "port
//! unreachable" reported by a previous send) are returned and the next record is tried anyway.

use super::{Transport, TransportError, resolve};
use ironward_core::config::Config;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// The largest UDP payload over IPv4: longer records are cut to it.
pub const MAX_DATAGRAM: usize = 65_507;

/// The UDP transport.
#[derive(Debug)]
pub struct Udp {
    socket: UdpSocket,
}

impl Udp {
    /// Resolves `LOG_SERVER:LOG_PORT` and connects a UDP socket to its first address.
    pub fn open(config: &Config) -> Result<Udp, TransportError> {
        let addrs = resolve(config)?;
        let mut last = None;
        for addr in addrs {
            let local: SocketAddr = if addr.is_ipv4() {
                (Ipv4Addr::UNSPECIFIED, 0).into()
            } else {
                (Ipv6Addr::UNSPECIFIED, 0).into()
            };
            match UdpSocket::bind(local).and_then(|s| s.connect(addr).map(|()| s)) {
                Ok(socket) => return Ok(Udp { socket }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.map_or_else(
            || TransportError::Resolve(config.log_server.clone()),
            TransportError::Io,
        ))
    }
}

impl Transport for Udp {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        let datagram = &record[..record.len().min(MAX_DATAGRAM)];
        self.socket.send(datagram)?;
        Ok(())
    }
}
