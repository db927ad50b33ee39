//! `ztaa`: zero-trust application access. Every request must carry, in the header named
//! `ZTAA_HEADER` (default `pcb-ztaa`, any case), a JWT signed with HMAC-SHA-512 (`HS512`) by one
//! of `ZTAA_KEYS`; with `ZTAA_BROWSER_VERSION` its `latest` claim must also be `true` (the
//! browser extension that mints the tokens says the browser is up to date).
//!
//! What it does beyond pyrasp's check:
//! - **Key rotation**: each key of `ZTAA_KEYS` is tried in turn; the keys are turned into
//!   verification keys once, when the engine is built.
//! - **Only HS512**: a token whose header names any other algorithm (`HS256`, `RS256`, `none`…)
//!   is refused before any key is used, so no algorithm confusion is possible. The signature is
//!   compared in constant time by the `hmac` crate (through `jsonwebtoken`'s RustCrypto backend).
//! - **Time claims always honoured**: `exp` and `nbf` are checked against the engine's clock with
//!   `ZTAA_LEEWAY` seconds of skew (default 30), and a token without `exp` is refused while
//!   `ZTAA_REQUIRE_EXP` is on (the default). A time claim that is not a number is refused.
//! - **Bounded**: a header longer than [`MAX_TOKEN_BYTES`] is refused before any decoding, and a
//!   repeated header is refused (which copy would the application read?).
//! - **No silent lock-out**: the check on with no key (or an empty key) is a configuration error
//!   ([`config_errors`]), where pyrasp blocked every request.
//!
//! Findings are at `ztaa_jwt` (the token is missing or invalid) and `browser_version` (the
//! `latest` claim), pyrasp's locations. The payload is the reason, never the token.

use super::{Check, CheckId, RequestContext};
use crate::config::{Config, Level};
use crate::engine::EngineError;
use crate::verdict::Finding;
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Longest header value read as a token, in bytes. An HS512 token with a handful of claims is
/// about 300 bytes; 8 KiB is the usual limit of a whole header line in front proxies.
pub(crate) const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The location of a missing or invalid token.
const TOKEN_LOCATION: &str = "ztaa_jwt";
/// The location of a token whose `latest` claim is not `true`.
const BROWSER_LOCATION: &str = "browser_version";

/// The configuration errors of the check when it is on: each is the key at fault and why.
/// The loader reports them with the layer that set the values; the engine refuses to build.
pub(crate) fn config_errors(config: &Config) -> Vec<(&'static str, String)> {
    let level = config.security_checks.level(CheckId::Ztaa);
    if level == Level::Off {
        return Vec::new();
    }
    let mut errors = Vec::new();
    if config.ztaa_keys.is_empty() {
        errors.push((
            "ZTAA_KEYS",
            format!(
                "the ztaa check is on (level {}) but ZTAA_KEYS is empty, so no token could ever \
                 be valid and every request would be refused: list the HS512 key(s) the tokens \
                 are signed with, or set SECURITY_CHECKS.ztaa to 0",
                level.as_u8()
            ),
        ));
    }
    for (i, key) in config.ztaa_keys.iter().enumerate() {
        if key.is_empty() {
            errors.push((
                "ZTAA_KEYS",
                format!(
                    "key {} is empty: an empty HMAC key lets anyone sign tokens",
                    i + 1
                ),
            ));
        }
    }
    if config.ztaa_header.trim().is_empty() {
        errors.push((
            "ZTAA_HEADER",
            "is empty: the ztaa check needs the name of the header that carries the token"
                .to_owned(),
        ));
    }
    errors
}

/// Warnings about the keys of a check that is on: keys shorter than the 64 bytes RFC 7518
/// (§3.2) asks of an HS512 key. The key itself is never shown.
pub(crate) fn config_warnings(config: &Config) -> Vec<String> {
    if config.security_checks.level(CheckId::Ztaa) == Level::Off {
        return Vec::new();
    }
    config
        .ztaa_keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.is_empty() && k.len() < 64)
        .map(|(i, k)| {
            format!(
                "key {} is {} bytes long; RFC 7518 asks for at least 64 bytes of random data for \
                 an HS512 key",
                i + 1,
                k.len()
            )
        })
        .collect()
}

/// Why a request fails the check (the finding's payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Missing,
    Repeated,
    TooLong,
    Malformed,
    Algorithm,
    Signature,
    ExpMissing,
    ExpMalformed,
    NbfMalformed,
    Expired,
    NotYetValid,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing token",
            Reason::Repeated => "header repeated",
            Reason::TooLong => "token too long",
            Reason::Malformed => "malformed token",
            Reason::Algorithm => "algorithm is not HS512",
            Reason::Signature => "bad signature",
            Reason::ExpMissing => "no exp claim",
            Reason::ExpMalformed => "exp claim is not a number",
            Reason::NbfMalformed => "nbf claim is not a number",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not yet valid",
        }
    }
}

/// The claims the check reads. A claim present with any value (even `null`) is `Some`, so that
/// `"exp": null` is malformed rather than absent; other claims are ignored.
#[derive(Debug, Default, Deserialize)]
struct Claims {
    #[serde(default, deserialize_with = "present")]
    exp: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    nbf: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    latest: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    browser: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The zero-trust access check.
pub(crate) struct Ztaa {
    header: String,
    keys: Vec<DecodingKey>,
    validation: Validation,
    leeway_s: f64,
    require_exp: bool,
    browser_version: bool,
}

impl std::fmt::Debug for Ztaa {
    // Never print the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ztaa")
            .field("header", &self.header)
            .field("keys", &self.keys.len())
            .field("leeway_s", &self.leeway_s)
            .field("require_exp", &self.require_exp)
            .field("browser_version", &self.browser_version)
            .finish()
    }
}

impl Ztaa {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        if let Some((key, message)) = config_errors(config).into_iter().next() {
            return Err(EngineError::Config { key, message });
        }
        ensure_provider();
        let keys = config
            .ztaa_keys
            .iter()
            .map(|k| {
                DecodingKey::from_secret(k.as_bytes()).map_err(|e| EngineError::Config {
                    key: "ZTAA_KEYS",
                    message: format!("a key is not usable for HS512: {e}"),
                })
            })
            .collect::<Result<_, _>>()?;
        // Signature and algorithm only: the time claims are judged here against the engine's
        // clock (the crate would read the system clock), and no other claim is required.
        let mut validation = Validation::new(Algorithm::HS512);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.required_spec_claims.clear();
        Ok(Ztaa {
            header: config.ztaa_header.trim().to_owned(),
            keys,
            validation,
            #[allow(clippy::cast_precision_loss)] // at most 3600
            leeway_s: config.ztaa_leeway as f64,
            require_exp: config.ztaa_require_exp,
            browser_version: config.ztaa_browser_version,
        })
    }

    /// The token's verified claims, or why there are none.
    fn verify(&self, token: &str) -> Result<Claims, Reason> {
        for key in &self.keys {
            match jsonwebtoken::decode::<Claims>(token, key, &self.validation) {
                Ok(data) => return Ok(data.claims),
                // Another key may have signed it.
                Err(e) if *e.kind() == ErrorKind::InvalidSignature => {}
                Err(e) => {
                    return Err(match e.kind() {
                        ErrorKind::InvalidAlgorithm
                        | ErrorKind::MissingAlgorithm
                        | ErrorKind::UnsupportedAlgorithm
                        | ErrorKind::InvalidAlgorithmName => Reason::Algorithm,
                        _ => Reason::Malformed,
                    });
                }
            }
        }
        Err(Reason::Signature)
    }

    /// Judges the time claims at `now` (seconds since the epoch).
    fn judge_time(&self, claims: &Claims, now: f64) -> Result<(), Reason> {
        match &claims.exp {
            None if self.require_exp => return Err(Reason::ExpMissing),
            None => {}
            Some(v) => {
                let exp = v.as_f64().ok_or(Reason::ExpMalformed)?;
                // RFC 7519 §4.1.4: valid strictly before `exp` (plus the leeway).
                if now >= exp + self.leeway_s {
                    return Err(Reason::Expired);
                }
            }
        }
        if let Some(v) = &claims.nbf {
            let nbf = v.as_f64().ok_or(Reason::NbfMalformed)?;
            // §4.1.5: valid from `nbf` on (minus the leeway).
            if now < nbf - self.leeway_s {
                return Err(Reason::NotYetValid);
            }
        }
        Ok(())
    }

    /// The finding for a request carrying the header values `values`, or `None` when it may pass.
    fn judge<'v>(
        &self,
        mut values: impl Iterator<Item = &'v [u8]>,
        now_ms: i64,
    ) -> Option<Finding> {
        let token_finding = |r: Reason| Finding::new(CheckId::Ztaa, TOKEN_LOCATION, r.as_str());
        let Some(raw) = values.next() else {
            return Some(token_finding(Reason::Missing));
        };
        if values.next().is_some() {
            return Some(token_finding(Reason::Repeated));
        }
        if raw.len() > MAX_TOKEN_BYTES {
            return Some(token_finding(Reason::TooLong));
        }
        // A compact JWT is ASCII; surrounding blanks are the header's optional whitespace.
        let Some(token) = std::str::from_utf8(raw).ok().map(str::trim) else {
            return Some(token_finding(Reason::Malformed));
        };
        if token.is_empty() {
            return Some(token_finding(Reason::Missing));
        }
        let claims = match self.verify(token) {
            Ok(c) => c,
            Err(r) => return Some(token_finding(r)),
        };
        #[allow(clippy::cast_precision_loss)] // milliseconds fit f64 exactly until year 287 396
        let now = now_ms as f64 / 1000.0;
        if let Err(r) = self.judge_time(&claims, now) {
            return Some(token_finding(r));
        }
        if self.browser_version && claims.latest != Some(Value::Bool(true)) {
            let latest = match &claims.latest {
                None => "missing".to_owned(),
                Some(v) => v.to_string(),
            };
            let browser = match &claims.browser {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => "unknown".to_owned(),
            };
            let payload = format!("latest: {latest}; browser: {browser}");
            return Some(Finding::new(CheckId::Ztaa, BROWSER_LOCATION, &payload));
        }
        None
    }
}

/// Makes sure `jsonwebtoken` has a process-wide crypto backend. With only our `rust_crypto`
/// feature it has one; when another crate of the application also enables `aws_lc_rs` it has
/// none (the crate cannot choose) and would panic on the first token, so the RustCrypto one is
/// installed, unless the application installed its own.
fn ensure_provider() {
    if CryptoProvider::try_get_default().is_none() {
        // Losing a race with another installer is fine: there is a provider either way.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    }
}

impl Check for Ztaa {
    fn id(&self) -> CheckId {
        CheckId::Ztaa
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let values = ctx.request.headers.get_all(&self.header);
        if let Some(f) = self.judge(values, ctx.now_ms) {
            findings.push(f);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
