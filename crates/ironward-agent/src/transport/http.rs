//! HTTP and HTTPS webhooks: one `POST` per record, or per batch of records.
//!
//! The URL is `{scheme}://LOG_SERVER:LOG_PORT{LOG_PATH}` (`LOG_PATH` defaults to `/` and gets a
//! leading `/` if it lacks one). JSON formats (`json`, `pcb`) are sent as `application/json`,
//! the syslog formats as `text/plain; charset=utf-8`. The whole exchange is bounded by
//! `LOG_TIMEOUT_MS` (ureq's global timeout). TLS is rustls with the webpki roots. Proxies set
//! in the environment (`HTTPS_PROXY`, `NO_PROXY`…) are honoured, as pyrasp's `requests` did.
//!
//! **Batches** (`LOG_BATCH_SIZE` above 1): one `POST` carries several records. For `json` and
//! `pcb` the body is a JSON array of the documents (`[doc,doc]`, always an array, even of one);
//! for the syslog formats it is the records each followed by `\n` (a record never holds a raw
//! newline). With `LOG_BATCH_SIZE = 1` (the default) each body is one bare record, as pyrasp
//! sent it. The batch body format is frozen with the record shapes
//! ([`FORMAT_VERSION`](crate::format::FORMAT_VERSION)).
//!
//! **Failures**: connection errors, timeouts and non-2xx statuses are returned as errors; the
//! record (or the whole batch) is not retried. Connections are kept alive between requests.

use super::{Transport, TransportError, host_for_url, timeout};
use ironward_core::config::{Config, LogFormat, LogProtocol};

/// The largest response body read (and discarded) so the connection can be reused.
const MAX_RESPONSE: u64 = 64 * 1024;

/// The HTTP(S) transport.
#[derive(Debug)]
pub struct Http {
    agent: ureq::Agent,
    url: String,
    content_type: &'static str,
    /// How a batch body is built; `None` when `LOG_BATCH_SIZE` is 1.
    batch: Option<BatchBody>,
}

/// The shape of a batch body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchBody {
    /// `[record,record]`: the JSON documents of `json` and `pcb`.
    JsonArray,
    /// `record\nrecord\n`: the one-line records of the syslog formats.
    Lines,
}

impl BatchBody {
    /// The body of `records`.
    pub fn encode(self, records: &[Vec<u8>]) -> Vec<u8> {
        let len: usize = records.iter().map(|r| r.len() + 1).sum();
        let mut body = Vec::with_capacity(len + 2);
        match self {
            BatchBody::JsonArray => {
                body.push(b'[');
                for (i, record) in records.iter().enumerate() {
                    if i > 0 {
                        body.push(b',');
                    }
                    body.extend_from_slice(record);
                }
                body.push(b']');
            }
            BatchBody::Lines => {
                for record in records {
                    body.extend_from_slice(record);
                    body.push(b'\n');
                }
            }
        }
        body
    }
}

impl Http {
    /// The webhook for the configuration (no connection is made until the first record).
    pub fn open(config: &Config) -> Result<Http, TransportError> {
        let scheme = match config.log_protocol {
            LogProtocol::Https => "https",
            LogProtocol::Http => "http",
            other => {
                return Err(TransportError::Config(format!(
                    "{other:?} is not an HTTP protocol"
                )));
            }
        };
        if config.log_server.is_empty() {
            return Err(TransportError::Config("LOG_SERVER is empty".to_owned()));
        }
        let path = if config.log_path.is_empty() {
            "/".to_owned()
        } else if config.log_path.starts_with('/') {
            config.log_path.clone()
        } else {
            format!("/{}", config.log_path)
        };
        let url = format!(
            "{scheme}://{}:{}{path}",
            host_for_url(&config.log_server),
            config.log_port
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout(config)))
            .http_status_as_error(false)
            .build()
            .into();
        let (content_type, shape) = match config.log_format {
            LogFormat::Json | LogFormat::Pcb => ("application/json", BatchBody::JsonArray),
            LogFormat::Syslog | LogFormat::Rfc5424 | LogFormat::Rfc3164 => {
                ("text/plain; charset=utf-8", BatchBody::Lines)
            }
        };
        Ok(Http {
            agent,
            url,
            content_type,
            batch: (config.log_batch_size > 1).then_some(shape),
        })
    }

    /// The webhook URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Http {
    /// One `POST` of `body`.
    fn post(&mut self, body: &[u8]) -> Result<(), TransportError> {
        let mut response = self
            .agent
            .post(&self.url)
            .content_type(self.content_type)
            .send(body)
            .map_err(|e| TransportError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        // Drain the (small) body so the connection goes back to the pool; errors don't matter.
        let _ = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(TransportError::Status(status))
        }
    }
}

impl Transport for Http {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        match self.batch {
            // Batching on: a lone record goes in a batch body too, so a receiver sees one shape.
            Some(shape) => self.post(&shape.encode(std::slice::from_ref(&record.to_vec()))),
            None => self.post(record),
        }
    }

    fn batches(&self) -> bool {
        self.batch.is_some()
    }

    fn send_batch(&mut self, records: &[Vec<u8>]) -> Result<(), TransportError> {
        match (self.batch, records) {
            (_, []) => Ok(()),
            (None, [record]) => self.post(record),
            (Some(shape), _) => self.post(&shape.encode(records)),
            // Not batching: one request per record (the agent never does this).
            (None, _) => {
                let mut result = Ok(());
                for record in records {
                    if let Err(e) = self.post(record)
                        && result.is_ok()
                    {
                        result = Err(e);
                    }
                }
                result
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The batch bodies are frozen: pinned to exact bytes.
    #[test]
    fn batch_bodies_golden() {
        let records = vec![br#"{"a":1}"#.to_vec(), br#"{"b":2}"#.to_vec()];
        assert_eq!(
            BatchBody::JsonArray.encode(&records),
            br#"[{"a":1},{"b":2}]"#.to_vec()
        );
        assert_eq!(BatchBody::JsonArray.encode(&records[..1]), br#"[{"a":1}]"#);
        assert_eq!(BatchBody::JsonArray.encode(&[]), b"[]");
        let lines = vec![b"<108>1 one".to_vec(), b"<108>1 two".to_vec()];
        assert_eq!(BatchBody::Lines.encode(&lines), b"<108>1 one\n<108>1 two\n");
    }

    #[test]
    fn batching_follows_log_batch_size() {
        let mut config = Config::default();
        config.log_protocol = LogProtocol::Http;
        config.log_format = LogFormat::Pcb;
        assert!(!Http::open(&config).unwrap().batches());
        config.log_batch_size = 50;
        let http = Http::open(&config).unwrap();
        assert!(http.batches());
        assert_eq!(http.batch, Some(BatchBody::JsonArray));
        config.log_format = LogFormat::Rfc3164;
        assert_eq!(Http::open(&config).unwrap().batch, Some(BatchBody::Lines));
    }
}
