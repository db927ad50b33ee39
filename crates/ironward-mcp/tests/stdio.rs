//! The example server (`examples/guarded_stdio_server.rs`) as a child process over stdio,
//! driven by rmcp's client.

use crate::demo::{KEY, POISONED};
use crate::support::{
    ATTACKS, BENIGN, IgnoreInstructions, benign_calls_answer, blocked_by, call, call_is_blocked,
    text,
};
use ironward_core::Engine;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level, Template};
use ironward_core::mcp::McpPhase;
use ironward_mcp::{HostError, HostGuard};
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::ChildStderr;

/// The example binary, built by `cargo test` beside the test binaries
/// (`target/<profile>/examples/`).
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("examples").join("guarded_stdio_server");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p ironward-mcp --examples`",
        path.display()
    );
    path
}

type Client = RunningService<RoleClient, ()>;

/// Starts the example server (monitor mode when `monitor`) and connects to it.
async fn start(monitor: bool) -> (Client, Lines<BufReader<ChildStderr>>) {
    let mut cmd = tokio::process::Command::new(example());
    cmd.env("IRONWARD_MONITOR", if monitor { "1" } else { "0" });
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.unwrap();
    (client, BufReader::new(stderr.unwrap()).lines())
}

/// The next event the server wrote to stderr, as JSON.
async fn next_event(lines: &mut Lines<BufReader<ChildStderr>>) -> serde_json::Value {
    loop {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("the server is still running");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v.get("mcp").is_some()
        {
            return v;
        }
    }
}

async fn runs(client: &Client) -> u64 {
    let r = client.call_tool(call("runs", "{}")).await.unwrap();
    text(&r).parse().unwrap()
}

#[tokio::test]
async fn tool_side_blocks_before_the_tool_runs() {
    let (client, mut events) = start(false).await;
    benign_calls_answer(&client).await;
    let ran = runs(&client).await;
    assert_eq!(ran, BENIGN.len() as u64);
    for (tool, args) in ATTACKS {
        call_is_blocked(&client, tool, args).await;
        let e = next_event(&mut events).await;
        assert_eq!(e["mcp"]["tool"], *tool);
        assert_eq!(e["mcp"]["side"], "tool");
        assert_eq!(e["mcp"]["phase"], "arguments");
        assert_eq!(e["location"], "mcp_values");
    }
    // No attack reached its tool.
    assert_eq!(runs(&client).await, ran);
    // A leaking result is withheld: the tool ran, the key did not leave.
    let r = client.call_tool(call("leak", "{}")).await.unwrap();
    assert_eq!((r.is_error, text(&r)), (Some(true), "Blocked"));
    assert!(!format!("{r:?}").contains("PRIVATE KEY"));
    assert_eq!(runs(&client).await, ran + 1);
    let e = next_event(&mut events).await;
    assert_eq!(
        (e["check"].as_str(), e["mcp"]["phase"].as_str()),
        (Some("dlp"), Some("result"))
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn level_3_reports_and_lets_calls_through() {
    let (client, mut events) = start(true).await;
    let (tool, args) = ATTACKS[0];
    let r = client.call_tool(call(tool, args)).await.unwrap();
    assert_eq!(
        (r.is_error, text(&r)),
        (Some(false), "8.8.8.8; cat /etc/passwd")
    );
    let e = next_event(&mut events).await;
    assert_eq!(
        (e["action"].as_str(), e["level"].as_u64()),
        (Some("monitor"), Some(3))
    );
    let r = client.call_tool(call("leak", "{}")).await.unwrap();
    assert_eq!(text(&r), KEY);
    // At level 3 every check reports (the argument also named a sensitive file): skip to DLP's.
    let mut e = next_event(&mut events).await;
    while e["mcp"]["phase"] == "arguments" {
        e = next_event(&mut events).await;
    }
    assert_eq!(
        (e["check"].as_str(), e["action"].as_str()),
        (Some("dlp"), Some("monitor"))
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn host_side_blocks_arguments_and_poisoned_results() {
    // The server only reports (level 3): what is stopped here, the host stopped.
    let (client, _events) = start(true).await;
    let mut config = Config::template(Template::Mcp);
    config.security_checks.set(CheckId::Prompt, Level::Block);
    let engine = Engine::builder(config)
        .add_check(Box::new(IgnoreInstructions))
        .build()
        .unwrap();
    let host = HostGuard::new(client.peer().clone(), Arc::new(engine));
    let ok = host
        .call_tool(call("echo", r#"{"text": "hi"}"#))
        .await
        .unwrap();
    assert_eq!(text(&ok), "hi");
    let ran = runs(&client).await;
    for (tool, args) in ATTACKS {
        match host.call_tool(call(tool, args)).await {
            Err(HostError::Blocked {
                phase: McpPhase::Arguments,
                ..
            }) => {}
            other => panic!("{tool} {args}: {other:?}"),
        }
    }
    // Refused before sending: the server never saw them.
    assert_eq!(runs(&client).await, ran);
    for (tool, check) in [("leak", CheckId::Dlp), ("poisoned", CheckId::Prompt)] {
        match host.call_tool(call(tool, "{}")).await {
            Err(HostError::Blocked {
                phase: McpPhase::Result,
                verdict,
                ..
            }) => {
                assert_eq!(blocked_by(&verdict), Some(check), "{tool}");
            }
            other => panic!("{tool}: {other:?}"),
        }
    }
    assert!(POISONED.contains("ignore all previous instructions"));
    client.cancel().await.unwrap();
}
