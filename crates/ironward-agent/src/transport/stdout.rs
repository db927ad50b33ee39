//! Standard output: one record per line (an Ironward addition, for containers that collect
//! stdout).
//!
//! Each record and its `\n` are written in one `write_all` on a locked stdout, then flushed,
//! so records from the worker never interleave with other writers mid-line.

use super::{Transport, TransportError};
use std::io::Write;

/// The stdout transport.
#[derive(Debug, Default)]
pub struct Stdout {
    buf: Vec<u8>,
}

impl Stdout {
    /// The stdout transport.
    pub fn new() -> Stdout {
        Stdout::default()
    }
}

/// Writes `record` and `\n` to `out` in one `write_all`, then flushes. `buf` is scratch space.
pub fn write_line<W: Write>(out: &mut W, buf: &mut Vec<u8>, record: &[u8]) -> std::io::Result<()> {
    buf.clear();
    buf.extend_from_slice(record);
    buf.push(b'\n');
    out.write_all(buf)?;
    out.flush()
}

impl Transport for Stdout {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        let mut out = std::io::stdout().lock();
        write_line(&mut out, &mut self.buf, record)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_per_line() {
        let mut out: Vec<u8> = Vec::new();
        let mut buf = Vec::new();
        assert!(write_line(&mut out, &mut buf, b"first").is_ok());
        assert!(write_line(&mut out, &mut buf, b"").is_ok());
        assert!(write_line(&mut out, &mut buf, br#"{"a":1}"#).is_ok());
        assert_eq!(out, b"first\n\n{\"a\":1}\n");
    }
}
