//! Admin passwords: argon2id hashes (the `argon2` crate's defaults, a random salt each), checked
//! off the async runtime (a check costs tens of milliseconds of CPU), and generated passwords.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::OnceLock;

/// Length of a generated password (alphanumeric: about 143 bits).
pub const GENERATED_LENGTH: usize = 24;

/// Shortest password accepted (`IRONWARD_ADMIN_PASSWORD`, a password change).
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// The argon2id PHC string of `password` (random salt).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Burns the time of a real check, so that an unknown user answers as slowly as a wrong
/// password (no user enumeration by timing).
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("ironward-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// A random password of [`GENERATED_LENGTH`] letters and digits (no symbols: it is typed and
/// pasted into shells).
pub fn generate_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(GENERATED_LENGTH);
    while out.len() < GENERATED_LENGTH {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte)?;
        // Rejection sampling: no modulo bias.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(byte[0]) < limit {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "random salt");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse battery!", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_long_and_random() {
        let (a, b) = (generate_password().unwrap(), generate_password().unwrap());
        assert_eq!(a.len(), GENERATED_LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
