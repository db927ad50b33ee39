//! Admin authentication of the REST API and the dashboard: argon2id passwords
//! ([`password`]), bearer tokens with a scope, sessions with a cookie and a CSRF token bound to
//! them, rate-limited sign-in ([`limit`]). Secrets (tokens, session ids) are 256 random bits,
//! shown once and stored as SHA-256, like agent keys.
//!
//! What the dashboard uses:
//! - [`sign_in`] checks a user name and password (rate-limited) and opens a session: put
//!   [`NewSession::id`] in the cookie [`session_cookie`] builds (`HttpOnly; SameSite=Strict`).
//! - [`session_from_headers`] reads the cookie back into a [`SessionRow`] (expired ones are
//!   refused); [`sign_out`] ends it.
//! - [`csrf_token`] derives the session's CSRF token (HMAC-SHA256 keyed by the session id, so it
//!   needs no storage and dies with the session); put it in forms and check it with
//!   [`verify_csrf`] on every unsafe request.
//! - [`authenticate`] does all of it for an API request: a bearer token, or a session cookie
//!   (with the CSRF token in the `X-CSRF-Token` header for methods other than GET/HEAD).

pub mod limit;
pub mod password;

use crate::keys::hash_key;
use crate::store::{SessionRow, Store, StoreError, TokenRow};
use axum::http::{HeaderMap, Method, header};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub use limit::{Limits, SignInLimiter};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ironward_session";
/// Header carrying the CSRF token of a session-authenticated API request.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Lifetime of a session, in seconds (12 hours, not extended by use).
pub const SESSION_TTL: i64 = 12 * 3600;
/// Prefix of API tokens (recognisable by secret scanners).
pub const TOKEN_PREFIX: &str = "iwt_";
/// Prefix of session ids.
pub const SESSION_PREFIX: &str = "iws_";
/// Name of the first user, created at the first start.
pub const ADMIN_USER: &str = "admin";

/// What a principal may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// GET and HEAD only.
    Read,
    /// Everything.
    Write,
}

impl Scope {
    /// Parses `read` / `write`.
    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }

    /// `read` / `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
}

/// How a request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A bearer token, by its public id.
    Token(String),
    /// A session (the dashboard), by its hash.
    Session(String),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user: String,
    /// What it may do.
    pub scope: Scope,
    /// How it signed in.
    pub via: Via,
}

/// Why a request is not allowed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No credentials, or unknown, expired or revoked ones (401).
    #[error("authentication required: a bearer token or a session")]
    Unauthenticated,
    /// Wrong user name or password (401).
    #[error("wrong user name or password")]
    WrongPassword,
    /// Too many failed sign-ins (429, retry after this many seconds).
    #[error("too many failed sign-ins: retry in {0} s")]
    RateLimited(i64),
    /// The token's scope does not allow this method (403).
    #[error("this token is read-only")]
    ReadOnly,
    /// A session request without its CSRF token (403).
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// The store failed (500).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing or the random source failed (500).
    #[error("{0}")]
    Internal(String),
}

/// A random secret: `prefix` + 64 hex digits.
pub fn generate_secret(prefix: &str) -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Internal(e.to_string()))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// Creates the first user ([`ADMIN_USER`]) when there is none: with `password` (e.g.
/// `IRONWARD_ADMIN_PASSWORD`, at least [`password::MIN_PASSWORD_LENGTH`] characters) or a
/// generated one, which is returned so that it can be printed once. `Ok(None)`: users exist (or
/// the given password was used).
pub async fn ensure_admin<S: Store>(
    store: &S,
    password: Option<&str>,
) -> Result<Option<String>, AuthError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let (chosen, generated) = match password {
        Some(p) if p.chars().count() >= password::MIN_PASSWORD_LENGTH => (p.to_owned(), false),
        Some(_) => {
            return Err(AuthError::Internal(format!(
                "the admin password must have at least {} characters",
                password::MIN_PASSWORD_LENGTH
            )));
        }
        None => (
            password::generate_password().map_err(|e| AuthError::Internal(e.to_string()))?,
            true,
        ),
    };
    let hash = hash_blocking(chosen.clone()).await?;
    let created = store.create_user(ADMIN_USER, &hash, crate::now()).await?;
    Ok((created && generated).then_some(chosen))
}

/// Sets a user's password (at least [`password::MIN_PASSWORD_LENGTH`] characters) and ends
/// their sessions; false if there is no such user.
pub async fn set_password<S: Store>(
    store: &S,
    user: &str,
    new_password: &str,
) -> Result<bool, AuthError> {
    check_length(new_password)?;
    let hash = hash_blocking(new_password.to_owned()).await?;
    Ok(store.set_password(user, &hash, crate::now()).await?)
}

/// Creates the user `name` with `new_password` (at least [`password::MIN_PASSWORD_LENGTH`]
/// characters); false if a user of that name exists.
pub async fn add_user<S: Store>(
    store: &S,
    name: &str,
    new_password: &str,
) -> Result<bool, AuthError> {
    check_length(new_password)?;
    let hash = hash_blocking(new_password.to_owned()).await?;
    Ok(store.create_user(name, &hash, crate::now()).await?)
}

fn check_length(new_password: &str) -> Result<(), AuthError> {
    if new_password.chars().count() < password::MIN_PASSWORD_LENGTH {
        return Err(AuthError::Internal(format!(
            "the password must have at least {} characters",
            password::MIN_PASSWORD_LENGTH
        )));
    }
    Ok(())
}

async fn hash_blocking(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))?
        .map_err(AuthError::Internal)
}

/// Checks `user`/`password` under the limiter (per client `ip` and per user). The argon2 check
/// runs on a blocking thread; an unknown user costs the same time as a wrong password.
pub async fn check_password<S: Store>(
    store: &S,
    limiter: &SignInLimiter,
    user: &str,
    password: &str,
    ip: &str,
) -> Result<(), AuthError> {
    let now = crate::now();
    limiter
        .check(ip, user, now)
        .map_err(AuthError::RateLimited)?;
    let stored = store.user(user).await?;
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(u) => password::verify_password(&password, &u.password_hash),
        None => {
            password::verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|e| AuthError::Internal(e.to_string()))?;
    if ok {
        limiter.succeeded(user);
        Ok(())
    } else {
        limiter.failed(ip, user, now);
        Err(AuthError::WrongPassword)
    }
}

/// A session just opened by [`sign_in`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The session id: the cookie's value (shown once; only its hash is stored).
    pub id: String,
    /// The signed-in user.
    pub user: String,
    /// Its CSRF token ([`csrf_token`] of `id`).
    pub csrf_token: String,
    /// Expiry (epoch seconds).
    pub expires_at: i64,
}

/// Checks the password ([`check_password`]) and opens a session of [`SESSION_TTL`].
pub async fn sign_in<S: Store>(
    store: &S,
    limiter: &SignInLimiter,
    user: &str,
    password: &str,
    ip: &str,
) -> Result<NewSession, AuthError> {
    check_password(store, limiter, user, password, ip).await?;
    open_session(store, user).await
}

/// Opens a session of [`SESSION_TTL`] for `user` without a password check: for [`sign_in`],
/// and for the dashboard's password change, which replaces the session it ends.
pub async fn open_session<S: Store>(store: &S, user: &str) -> Result<NewSession, AuthError> {
    let id = generate_secret(SESSION_PREFIX)?;
    let now = crate::now();
    let row = SessionRow {
        session_hash: hash_key(&id),
        user_name: user.to_owned(),
        created_at: now,
        expires_at: now + SESSION_TTL,
    };
    store.add_session(&row).await?;
    Ok(NewSession {
        csrf_token: csrf_token(&id),
        id,
        user: user.to_owned(),
        expires_at: row.expires_at,
    })
}

/// Ends the session whose id is `id`.
pub async fn sign_out<S: Store>(store: &S, id: &str) -> Result<(), AuthError> {
    Ok(store.delete_session(&hash_key(id)).await?)
}

/// The `Set-Cookie` value of a session: `HttpOnly; SameSite=Strict; Path=/`, `Secure` when the
/// server is reached over HTTPS (`secure`).
pub fn session_cookie(id: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that deletes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session id in the request's cookie, if any.
pub fn session_id(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|v| v.starts_with(SESSION_PREFIX))
}

/// The live (unexpired) session whose id is `id`.
pub async fn session<S: Store>(store: &S, id: &str) -> Result<Option<SessionRow>, AuthError> {
    let found = store.session(&hash_key(id)).await?;
    Ok(found.filter(|s| s.expires_at > crate::now()))
}

/// The live session of the request's cookie, with its id.
pub async fn session_from_headers<S: Store>(
    store: &S,
    headers: &HeaderMap,
) -> Result<Option<(String, SessionRow)>, AuthError> {
    let Some(id) = session_id(headers) else {
        return Ok(None);
    };
    Ok(session(store, id).await?.map(|s| (id.to_owned(), s)))
}

/// The CSRF token of the session `session_id`: HMAC-SHA256 keyed by the id (64 hex digits).
pub fn csrf_token(session_id: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(session_id.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    mac.update(b"ironward-csrf-v1");
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `presented` is the CSRF token of `session_id` (constant-time comparison).
pub fn verify_csrf(session_id: &str, presented: &str) -> bool {
    let expected = csrf_token(session_id);
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// A new API token for `user`: returns the token (shown once) and what is stored.
pub async fn create_token<S: Store>(
    store: &S,
    user: &str,
    name: &str,
    scope: Scope,
    expires_at: Option<i64>,
) -> Result<(String, TokenRow), AuthError> {
    let token = generate_secret(TOKEN_PREFIX)?;
    let id = generate_secret("")?
        .get(..16)
        .unwrap_or_default()
        .to_owned();
    let row = TokenRow {
        token_hash: hash_key(&token),
        id,
        name: name.to_owned(),
        user_name: user.to_owned(),
        scope: scope.as_str().to_owned(),
        created_at: crate::now(),
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    store.add_token(&row).await?;
    Ok((token, row))
}

/// The bearer credential of the request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// Authenticates an admin API request: a bearer API token (its scope checked against the
/// method), else a session cookie (with [`CSRF_HEADER`] on methods other than GET/HEAD).
pub async fn authenticate<S: Store>(
    store: &S,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Principal, AuthError> {
    let safe = method == Method::GET || method == Method::HEAD;
    if let Some(token) = bearer(headers) {
        let hash = hash_key(token);
        let now = crate::now();
        let row = store
            .token(&hash)
            .await?
            .filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
            .ok_or(AuthError::Unauthenticated)?;
        let scope = Scope::parse(&row.scope).unwrap_or(Scope::Read);
        if !safe && scope < Scope::Write {
            return Err(AuthError::ReadOnly);
        }
        store.touch_token(&hash, now).await?;
        return Ok(Principal {
            user: row.user_name,
            scope,
            via: Via::Token(row.id),
        });
    }
    let (id, row) = session_from_headers(store, headers)
        .await?
        .ok_or(AuthError::Unauthenticated)?;
    if !safe {
        let presented = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !verify_csrf(&id, presented) {
            return Err(AuthError::Csrf);
        }
    }
    Ok(Principal {
        user: row.user_name,
        scope: Scope::Write,
        via: Via::Session(row.session_hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_is_bound_to_the_session() {
        let a = csrf_token("iws_a");
        assert_eq!(a.len(), 64);
        assert!(verify_csrf("iws_a", &a));
        assert!(!verify_csrf("iws_b", &a));
        assert!(!verify_csrf("iws_a", ""));
    }

    #[test]
    fn cookies_and_bearer_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; ironward_session=iws_x; b=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        h.insert(
            header::AUTHORIZATION,
            "Bearer  iwt_y ".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(session_id(&h), Some("iws_x"));
        assert_eq!(bearer(&h), Some("iwt_y"));
        let cookie = session_cookie("iws_x", 60, true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
    }
}
