//! What the guards hand to the engine: a call's arguments as JSON text, a result's text, the
//! client's IP from the HTTP request parts, and the tool error that replaces a blocked call.

use ironward_core::config::BlockAction;
use ironward_core::request::{Headers, Request};
use ironward_core::{Engine, Verdict};
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, ResourceContents};
use std::net::{IpAddr, SocketAddr};

/// The text of a tool error when the configured block content cannot serve (a redirect URL,
/// or empty).
pub const BLOCKED_TEXT: &str = "Blocked";

/// The JSON text of a call's arguments (empty when there are none).
pub fn arguments_text(arguments: Option<&JsonObject>) -> String {
    // Serialising a map of JSON values cannot fail (string keys, no custom serializer).
    arguments
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .unwrap_or_default()
}

/// The text a tool result carries, as the model will read it: its text blocks, the text of its
/// embedded text resources and its structured content (as JSON), one per line. Images, audio,
/// binary resources and resource links are not text and are left out.
pub fn result_text(result: &CallToolResult) -> String {
    let mut out = String::new();
    let mut push = |s: &str| {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(s);
    };
    for block in &result.content {
        match block {
            ContentBlock::Text(t) => push(&t.text),
            ContentBlock::Resource(r) => {
                if let ResourceContents::TextResourceContents { text, .. } = &r.resource {
                    push(text);
                }
            }
            _ => {}
        }
    }
    if let Some(v) = &result.structured_content {
        push(&v.to_string());
    }
    out
}

/// The tool error that replaces a blocked call or result: `is_error: true` and one text
/// block, the configured `BLOCK_ACTION_CONTENT` (or `BLACKLIST_ACTION_CONTENT` at level 2),
/// or [`BLOCKED_TEXT`] when that is a redirect URL or empty.
pub fn blocked_result(verdict: &Verdict) -> CallToolResult {
    let text = match &verdict.response {
        Some(r) if r.action == BlockAction::Block && !r.content.trim().is_empty() => {
            r.content.clone()
        }
        _ => BLOCKED_TEXT.to_owned(),
    };
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The client IP of a call that came over HTTP (streamable HTTP or SSE): the TCP peer from
/// the request parts the transport puts in the request's extensions (axum's `ConnectInfo`
/// with the `axum` feature, or a bare `SocketAddr` extension), forwarded through
/// `TRUSTED_PROXIES` the way HTTP requests are. `None` over stdio.
pub fn client_ip(engine: &Engine, parts: Option<&http::request::Parts>) -> Option<IpAddr> {
    let parts = parts?;
    let peer = peer_addr(&parts.extensions)?;
    let mut headers = Headers::new();
    for (name, value) in &parts.headers {
        headers.push(name.as_str(), value.as_bytes());
    }
    engine.client_ip(
        &Request::new("POST", "/")
            .with_peer(peer)
            .with_headers(headers),
    )
}

fn peer_addr(ext: &http::Extensions) -> Option<IpAddr> {
    #[cfg(feature = "axum")]
    if let Some(ci) = ext.get::<axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(ci.0.ip());
    }
    ext.get::<SocketAddr>().map(SocketAddr::ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironward_core::Config;
    use rmcp::model::EmbeddedResource;

    #[test]
    fn result_text_joins_the_text_parts() {
        let mut r = CallToolResult::success(vec![
            ContentBlock::text("one"),
            ContentBlock::image("aGVsbG8=", "image/png"),
            ContentBlock::Resource(EmbeddedResource::new(
                ResourceContents::TextResourceContents {
                    uri: "file:///a".into(),
                    mime_type: None,
                    text: "two".into(),
                    meta: None,
                },
            )),
        ]);
        r.structured_content = Some(serde_json::json!({"k": "three"}));
        assert_eq!(result_text(&r), "one\ntwo\n{\"k\":\"three\"}");
        assert_eq!(arguments_text(None), "");
    }

    #[test]
    fn blocked_results_are_tool_errors() {
        let mut v = Verdict::default();
        let r = blocked_result(&v);
        assert_eq!(r.is_error, Some(true));
        assert_eq!(
            r.content[0].as_text().map(|t| t.text.as_str()),
            Some(BLOCKED_TEXT)
        );
        v.response = Some(ironward_core::verdict::BlockResponse::native(
            403, "Refused",
        ));
        assert_eq!(
            blocked_result(&v).content[0]
                .as_text()
                .map(|t| t.text.as_str()),
            Some("Refused")
        );
    }

    #[test]
    fn client_ip_from_the_request_parts() {
        let engine = Engine::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client_ip(&engine, None), None);
        let (mut parts, ()) = http::Request::new(()).into_parts();
        assert_eq!(client_ip(&engine, Some(&parts)), None);
        let peer: SocketAddr = "198.51.100.4:5555"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        parts.extensions.insert(peer);
        assert_eq!(client_ip(&engine, Some(&parts)), Some(peer.ip()));
    }
}
