//! One connect or beacon `POST` and how its answer is judged, as pyrasp judges it: 403, 404
//! and 500 are failures with a meaning of their own; any other status is parsed, and only a
//! JSON envelope with a true `status` is a success.

use ironward_cloud_protocol::{Envelope, status};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why a request to the management server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("the management server is unreachable ({0})")]
    Unreachable(String),
    /// 403: the key is unknown, revoked or missing.
    #[error("the management server refused the agent key (403)")]
    InvalidKey,
    /// 404: the key's application (security profile) does not exist.
    #[error("the management server has no security profile for this key (404)")]
    ProfileNotFound,
    /// 500: the server failed.
    #[error("the management server failed (500)")]
    ServerError,
    /// An answer that is not a protocol envelope (HTML from a proxy, truncated JSON, too long).
    #[error("corrupted answer from the management server (HTTP {status}: {reason})")]
    Corrupted {
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
    /// A valid envelope with `status: false`.
    #[error("the management server answered with an error: {0}")]
    Refused(String),
}

/// An HTTP client with the agent's timeout, never following redirects (a redirected `POST`
/// is not the protocol).
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .user_agent(concat!("ironward-cloud-client/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Posts `body` as JSON to `url` and returns the envelope's `data`.
pub(crate) fn post<T: DeserializeOwned + Default>(
    agent: &ureq::Agent,
    url: &str,
    body: &impl Serialize,
    max_bytes: u64,
) -> Result<T, Failure> {
    let bytes = serde_json::to_vec(body).map_err(|e| Failure::Corrupted {
        status: 0,
        reason: e.to_string(),
    })?;
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(&bytes[..])
        .map_err(|e| Failure::Unreachable(short(&e.to_string())))?;
    let code = response.status().as_u16();
    match code {
        status::INVALID_KEY => return Err(Failure::InvalidKey),
        status::PROFILE_NOT_FOUND => return Err(Failure::ProfileNotFound),
        status::SERVER_ERROR => return Err(Failure::ServerError),
        _ => {}
    }
    let corrupted = |reason: String| Failure::Corrupted {
        status: code,
        reason: short(&reason),
    };
    let text = response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_vec()
        .map_err(|e| corrupted(e.to_string()))?;
    let envelope: Envelope<T> =
        serde_json::from_slice(&text).map_err(|e| corrupted(e.to_string()))?;
    if envelope.status {
        Ok(envelope.data)
    } else {
        Err(Failure::Refused(short(&envelope.message)))
    }
}

/// At most 200 characters of a message from the network.
fn short(message: &str) -> String {
    message
        .chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
