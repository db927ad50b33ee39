//! `ironward demo`: the real binary on a free loopback port, driven over raw HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kills the child on drop, so a failed assertion never leaves a server running.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends one request and returns the status code.
fn status(addr: SocketAddr, target: &str) -> u16 {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ironward-test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response);
    let line = text.lines().next().unwrap_or_default();
    line.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

#[test]
fn demo_serves_and_blocks() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ironward"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--set",
            "BLACKLIST_OVERRIDE=true",
        ])
        .env_remove("IRONWARD_CONF")
        .env_remove("PYRASP_CONF")
        .env_remove("CONF_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);

    // Standard error is collected in the background for the whole run.
    let err_text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&err_text);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    // Standard output: the first "Listening on http://ADDR" line, with a timeout.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Listening on http://") {
                let addr = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let _ = tx.send(addr);
            }
        }
    });
    let addr: SocketAddr = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no Listening line; stderr: {}", err_text.lock().unwrap()))
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());

    assert_eq!(status(addr, "/"), 200);
    assert_eq!(status(addr, "/search?q=hello"), 200);
    assert_eq!(status(addr, "/.env"), 403);
    // Unknown routes: the path check, answered 404 as the app would.
    assert_eq!(status(addr, "/no-such-page"), 404);
    assert_eq!(status(addr, "/search?q=%3Bcat%20%2Fetc%2Fpasswd"), 403);
    // The override keeps the client usable after level-2 hits.
    assert_eq!(status(addr, "/search?q=hello"), 200);

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = err_text.lock().unwrap().clone();
        if text.lines().any(|l| l.starts_with("[!]")) {
            assert!(text.contains("Ironward"), "no banner in {text}");
            break;
        }
        assert!(Instant::now() < deadline, "no [!] line in stderr: {text}");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(server);
}
