//! The `ztaa` check through the layer: a request with a valid zero-trust token reaches the
//! handler, one without (or with a token signed by another key) gets the block response.

use crate::support::{send, serve};
use ironward_core::Config;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::time::{SystemTime, UNIX_EPOCH};

const KEY: &str = "tower-test-key-0123456789abcdef0123456789abcdef0123456789abcdef0123";

fn token(key: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = serde_json::json!({"sub": "alice", "exp": now + 600, "latest": true});
    let key = EncodingKey::from_secret(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &key).unwrap()
}

#[tokio::test]
async fn valid_token_passes_and_missing_or_forged_is_refused() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Ztaa, Level::Block);
    c.ztaa_keys = vec![KEY.to_owned()];
    c.ztaa_browser_version = true;
    let addr = serve(c).await;

    let ok = send(
        addr,
        &format!("GET / HTTP/1.1\r\nPCB-ZTAA: {}", token(KEY)),
        b"",
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.head);
    assert_eq!(ok.text(), "hello world");

    let missing = send(addr, "GET / HTTP/1.1", b"").await;
    assert_eq!(missing.status, 403, "{}", missing.head);
    assert_ne!(missing.text(), "hello world");

    let other = "another-key-0123456789abcdef0123456789abcdef0123456789abcdef01234567";
    let forged = send(
        addr,
        &format!("GET / HTTP/1.1\r\npcb-ztaa: {}", token(other)),
        b"",
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.head);
}
