//! Guarded servers on rmcp's streamable HTTP transport (served by axum on a loopback port,
//! with the client address) and rmcp's streamable HTTP client.

use crate::demo::{Demo, KEY};
use crate::support::{
    ATTACKS, IgnoreInstructions, benign_calls_answer, call, call_is_blocked, collector, text,
};
use ironward_core::Engine;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level, Template};
use ironward_core::event::Event;
use ironward_core::mcp::{McpPhase, McpSide};
use ironward_mcp::{HostError, HostGuard, ToolGuard};
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

struct Server {
    url: String,
    demo: Demo,
    events: Arc<Mutex<Vec<Event>>>,
    /// Stops the HTTP server when dropped.
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Serves the demo tools, guarded by an engine with `config`, on a loopback port.
async fn serve(config: Config) -> Server {
    let engine = Arc::new(Engine::new(config).unwrap());
    let demo = Demo::default();
    let (reporter, events) = collector();
    let http_config = StreamableHttpServerConfig::default();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let factory = {
        let demo = demo.clone();
        move || Ok(ToolGuard::new(demo.clone(), Arc::clone(&engine)).with_reporter(reporter.clone()))
    };
    let service = StreamableHttpService::new(
        factory,
        Arc::new(LocalSessionManager::default()),
        http_config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    Server {
        url: format!("http://{addr}/mcp"),
        demo,
        events,
        _stop: stop,
    }
}

async fn connect(url: &str) -> RunningService<RoleClient, ()> {
    ().serve(StreamableHttpClientTransport::from_uri(url.to_owned()))
        .await
        .unwrap()
}

#[tokio::test]
async fn tool_side_over_streamable_http() {
    let mut config = Config::template(Template::Mcp);
    // Level 1: blocking without blacklisting, so the later calls of this test still pass.
    for id in [
        CheckId::Command,
        CheckId::Sqli,
        CheckId::PathTraversal,
        CheckId::Ssrf,
        CheckId::Xss,
    ] {
        config.security_checks.set(id, Level::Block);
    }
    let server = serve(config).await;
    let client = connect(&server.url).await;
    benign_calls_answer(&client).await;
    let ran = server.demo.runs.load(Ordering::SeqCst);
    for (tool, args) in ATTACKS {
        call_is_blocked(&client, tool, args).await;
    }
    assert_eq!(
        server.demo.runs.load(Ordering::SeqCst),
        ran,
        "an attack reached its tool"
    );
    let r = client.call_tool(call("leak", "{}")).await.unwrap();
    assert_eq!((r.is_error, text(&r)), (Some(true), "Blocked"));
    {
        let events = server.events.lock().unwrap();
        assert_eq!(events.len(), ATTACKS.len() + 1);
        for e in events.iter() {
            assert_eq!(
                e.source_ip,
                "127.0.0.1".parse().ok(),
                "the client IP reaches the events"
            );
            assert_eq!(e.method, "tools/call");
            assert_eq!(e.mcp.as_ref().map(|m| m.side), Some(McpSide::Tool));
        }
        let last = events.last().unwrap();
        assert_eq!(last.check, CheckId::Dlp);
        assert_eq!(
            last.mcp.as_ref().map(|m| (m.tool.as_str(), m.phase)),
            Some(("leak", McpPhase::Result))
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn level_2_blacklists_the_http_client() {
    let server = serve(Config::template(Template::Mcp)).await;
    let client = connect(&server.url).await;
    let r = client
        .call_tool(call("echo", r#"{"text": "hi"}"#))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(false));
    let (tool, args) = ATTACKS[1];
    let r = client.call_tool(call(tool, args)).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    // Blacklisted for BLACKLIST_DELAY: even a benign call is refused now.
    let r = client
        .call_tool(call("echo", r#"{"text": "hi again"}"#))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    client.cancel().await.unwrap();
    let events = server.events.lock().unwrap();
    assert_eq!(events.last().map(|e| e.check), Some(CheckId::Blacklist));
}

#[tokio::test]
async fn level_3_over_streamable_http() {
    let server = serve(Config::template(Template::Monitor)).await;
    let client = connect(&server.url).await;
    let (tool, args) = ATTACKS[2];
    let r = client.call_tool(call(tool, args)).await.unwrap();
    assert_eq!(
        (r.is_error, text(&r)),
        (Some(false), "contents of ../../etc/passwd")
    );
    let r = client.call_tool(call("leak", "{}")).await.unwrap();
    assert_eq!(text(&r), KEY);
    client.cancel().await.unwrap();
    let events = server.events.lock().unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.action == ironward_core::Action::Monitor)
    );
}

#[tokio::test]
async fn host_side_over_streamable_http() {
    let server = serve(Config::template(Template::Monitor)).await;
    let client = connect(&server.url).await;
    let mut config = Config::template(Template::Mcp);
    config.security_checks.set(CheckId::Prompt, Level::Block);
    let engine = Engine::builder(config)
        .add_check(Box::new(IgnoreInstructions))
        .build()
        .unwrap();
    let (reporter, events) = collector();
    let host = HostGuard::new(client.peer().clone(), Arc::new(engine)).with_reporter(reporter);
    assert_eq!(
        text(
            &host
                .call_tool(call("echo", r#"{"text": "hi"}"#))
                .await
                .unwrap()
        ),
        "hi"
    );
    let ran = server.demo.runs.load(Ordering::SeqCst);
    let (tool, args) = ATTACKS[0];
    assert!(matches!(
        host.call_tool(call(tool, args)).await,
        Err(HostError::Blocked {
            phase: McpPhase::Arguments,
            ..
        })
    ));
    assert_eq!(
        server.demo.runs.load(Ordering::SeqCst),
        ran,
        "the call was sent"
    );
    let err = host.call_tool(call("poisoned", "{}")).await.unwrap_err();
    assert!(
        matches!(
            err,
            HostError::Blocked {
                phase: McpPhase::Result,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "MCP tool call \"poisoned\" blocked by Ironward (its result)"
    );
    client.cancel().await.unwrap();
    let events = events.lock().unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.check, CheckId::Prompt);
    assert_eq!(last.location, "mcp_result");
    assert_eq!(last.mcp.as_ref().map(|m| m.side), Some(McpSide::Host));
}

#[tokio::test]
async fn host_side_with_the_prompt_check() {
    // The real `prompt` check, on in the `llm` template (a host feeding a model).
    let server = serve(Config::template(Template::Monitor)).await;
    let client = connect(&server.url).await;
    let engine = Engine::new(Config::template(Template::Llm)).unwrap();
    let host = HostGuard::new(client.peer().clone(), Arc::new(engine));
    let ok = host
        .call_tool(call("echo", r#"{"text": "what is the weather in Paris?"}"#))
        .await
        .unwrap();
    assert_eq!(text(&ok), "what is the weather in Paris?");
    match host.call_tool(call("poisoned", "{}")).await {
        Err(HostError::Blocked {
            phase: McpPhase::Result,
            verdict,
            ..
        }) => assert_eq!(
            verdict.blocking_finding().map(|f| f.check),
            Some(CheckId::Prompt)
        ),
        other => panic!("{other:?}"),
    }
    client.cancel().await.unwrap();
}
