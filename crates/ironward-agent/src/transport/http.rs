//! HTTP and HTTPS webhooks: one `POST` per record.
//!
//! The URL is `{scheme}://LOG_SERVER:LOG_PORT{LOG_PATH}` (`LOG_PATH` defaults to `/` and gets a
//! leading `/` if it lacks one). JSON formats (`json`, `pcb`) are sent as `application/json`,
//! the syslog formats as `text/plain; charset=utf-8`. The whole exchange is bounded by
//! `LOG_TIMEOUT_MS` (ureq's global timeout). TLS is rustls with the webpki roots. Proxies set
//! in the environment (`HTTPS_PROXY`, `NO_PROXY`…) are honoured, as pyrasp's `requests` did.
//!
//! **Failures**: connection errors, timeouts and non-2xx statuses are returned as errors; the
//! record is not retried. Connections are kept alive between records.

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
        let content_type = match config.log_format {
            LogFormat::Json | LogFormat::Pcb => "application/json",
            LogFormat::Syslog | LogFormat::Rfc5424 | LogFormat::Rfc3164 => {
                "text/plain; charset=utf-8"
            }
        };
        Ok(Http {
            agent,
            url,
            content_type,
        })
    }

    /// The webhook URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Transport for Http {
    fn send(&mut self, record: &[u8]) -> Result<(), TransportError> {
        let mut response = self
            .agent
            .post(&self.url)
            .content_type(self.content_type)
            .send(record)
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
