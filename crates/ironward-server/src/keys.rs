//! Agent keys: 256 random bits from the operating system, shown once, stored as SHA-256.
//!
//! A key has the full entropy of its random bytes, so a plain SHA-256 is enough to make a
//! stolen database useless for connecting (argon2 is for low-entropy passwords).

use sha2::{Digest, Sha256};

/// Prefix of every agent key, so that a leaked key is recognisable (secret scanners).
pub const KEY_PREFIX: &str = "iwk_";

/// A new random agent key: [`KEY_PREFIX`] then 64 hex digits.
pub fn generate_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

/// Prefix of an agent's event-ingest token.
pub const INGEST_PREFIX: &str = "iwe_";

/// The agent's event-ingest token, derived from its key: `iwe_` + SHA-256 of a fixed label and
/// the key. It goes in the `LOG_PATH` sent to agents (pyrasp's HTTP log transport has no
/// header to carry a key), so it only allows sending events: a leaked log URL does not leak
/// the key that downloads the configuration. The server stores its SHA-256, as for keys.
///
/// ```
/// use ironward_server::keys::ingest_token;
/// let token = ingest_token("iwk_example");
/// assert!(token.starts_with("iwe_"));
/// assert_ne!(token, ingest_token("iwk_other"));
/// ```
pub fn ingest_token(key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ironward-event-ingest-v1\0");
    hasher.update(key.as_bytes());
    format!("{INGEST_PREFIX}{}", hex::encode(hasher.finalize()))
}

/// The stored form of a key: SHA-256 of its UTF-8 bytes, lower-case hex.
///
/// ```
/// let hash = ironward_server::keys::hash_key("iwk_example");
/// assert_eq!(hash.len(), 64);
/// assert_ne!(hash, ironward_server::keys::hash_key("iwk_other"));
/// ```
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_prefixed() {
        let (a, b) = (generate_key().unwrap(), generate_key().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with(KEY_PREFIX));
        assert_eq!(a.len(), KEY_PREFIX.len() + 64);
    }
}
