//! JSON Web Tokens: the decoded header and payload of a value shaped like a JWT.
//!
//! Applications trust claims they read from tokens (a user name, a `kid` header naming a key
//! file or a database row), so injection payloads travel inside JWTs, invisible as base64url.
//! A value is taken for a JWT when it is `header.payload.signature` (the signature may be empty,
//! as with `alg: none`), each part base64url without padding, and the header decodes to a JSON
//! object with an `alg` or `typ` member. The signature is not checked: this is only about seeing
//! what the application will read.

use base64::Engine;

use super::base64::URL_SAFE;

/// Shortest header segment worth decoding: `{"alg":"x"}` is 15 characters of base64url.
const MIN_HEADER_CHARS: usize = 15;

/// Cheap test, without decoding or allocating: true when `s` has the shape of a JWT.
pub fn is_candidate(s: &str) -> bool {
    split(s).is_some()
}

/// The decoded header and payload of `s` when it is a JWT, in that order.
pub fn jwt_segments(s: &str) -> Option<[String; 2]> {
    let (header, payload) = split(s)?;
    let header = decode_segment(header)?;
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&header).ok()?;
    if !fields.contains_key("alg") && !fields.contains_key("typ") {
        return None;
    }
    let payload = decode_segment(payload)?;
    Some([header, payload])
}

/// The header and payload segments of a JWT-shaped value.
fn split(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_ascii();
    // A JSON object's base64url starts with `ey` (`{"` or `{ `).
    if !s.starts_with("ey") {
        return None;
    }
    let mut parts = s.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || header.len() < MIN_HEADER_CHARS || payload.is_empty() {
        return None;
    }
    let is_base64url = |part: &str| {
        part.len() % 4 != 1
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (is_base64url(header) && is_base64url(payload) && is_base64url(signature))
        .then_some((header, payload))
}

fn decode_segment(segment: &str) -> Option<String> {
    String::from_utf8(URL_SAFE.decode(segment).ok()?).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    fn token(header: &str, payload: &str, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn decodes_header_and_payload() {
        let header = r#"{"alg":"HS256","typ":"JWT"}"#;
        let payload = r#"{"user":"' or 1=1--"}"#;
        let jwt = token(
            header,
            payload,
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        );
        assert!(is_candidate(&jwt));
        assert_eq!(
            jwt_segments(&jwt),
            Some([header.to_owned(), payload.to_owned()])
        );
        // `alg: none` tokens have an empty signature.
        let unsigned = token(r#"{"alg":"none"}"#, r#"{"sub":"admin"}"#, "");
        assert_eq!(jwt_segments(&unsigned).unwrap()[1], r#"{"sub":"admin"}"#);
        // A `kid` header carrying a traversal.
        let kid = token(r#"{"alg":"HS256","kid":"../../dev/null"}"#, "{}", "sig");
        assert!(jwt_segments(&kid).unwrap()[0].contains("../../dev/null"));
    }

    #[test]
    fn rejects_other_dotted_values() {
        let no_alg = token(r#"{"name":"value"}"#, "{}", "sig");
        for value in [
            "www.example.com",
            "1.2.3",
            "eyJhbGciOiJIUzI1NiJ9.payload",
            "eyJhbGciOiJIUzI1NiJ9.e30.sig.extra",
            "eyJhbGciOiJIUzI1NiJ9..sig",
            "eyJhbGciOiJIUzI1NiJ9.e30=.sig",
            no_alg.as_str(),
            "eyJub3QganNvbg.e30.sig",
        ] {
            assert_eq!(jwt_segments(value), None, "{value}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = jwt_segments(&text);
        }

        #[test]
        fn never_panics_on_jwt_soup(text in "ey[A-Za-z0-9_.-]{0,80}") {
            let _ = jwt_segments(&text);
        }
    }
}
