//! File: appending and size rotation in a temporary directory.

use crate::support::{config, event_with, render};
use ironward_agent::agent::Agent;
use ironward_core::config::LogProtocol;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn temp_dir(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "ironward-agent-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn rotates_by_size() {
    let dir = temp_dir("rotate");
    let path = dir.join("events.log");
    let mut cfg = config(LogProtocol::File, 0);
    cfg.log_path = path.to_string_lossy().into_owned();
    cfg.log_file_size = 1;
    cfg.log_queue_size = 10_000;
    let agent = Agent::start(&cfg).unwrap();
    let filler = "a".repeat(900);
    let n = 2_600; // about 2.6 MB: two rotations
    for i in 0..n {
        agent.submit(event_with(i, &filler));
    }
    assert!(agent.flush(Duration::from_secs(20)));
    let stats = agent.stats();
    assert_eq!(stats.sent, n as u64, "{stats:?}");
    drop(agent);

    let limit = 1024 * 1024;
    let mut lines = Vec::new();
    for name in ["events.log.2", "events.log.1", "events.log"] {
        let data = std::fs::read(dir.join(name)).unwrap();
        assert!(data.len() as u64 <= limit, "{name}: {} bytes", data.len());
        assert!(!data.is_empty());
        assert_eq!(data.last(), Some(&b'\n'));
        lines.extend(
            data.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
    }
    assert!(!dir.join("events.log.3").exists());
    assert_eq!(lines.len(), n, "every record kept, in order");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line, &render(&cfg, &event_with(i, &filler)));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_directory_is_an_error() {
    let dir = temp_dir("missing");
    let mut cfg = config(LogProtocol::File, 0);
    cfg.log_path = dir
        .join("no-such-dir/events.log")
        .to_string_lossy()
        .into_owned();
    assert!(Agent::start(&cfg).is_err());
    assert!(!dir.join("no-such-dir").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
