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

/// Sends one request and returns the status code and the body.
fn get(addr: SocketAddr, target: &str) -> (u16, String) {
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
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Sends one request and returns the status code.
fn status(addr: SocketAddr, target: &str) -> u16 {
    get(addr, target).0
}

/// A running demo: the server, its address and its standard error so far.
struct Demo {
    server: Server,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Demo {
    /// `ironward demo --listen 127.0.0.1:0 ARGS…`, once it listens.
    fn start(args: &[&str]) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ironward"))
            .args(["demo", "--listen", "127.0.0.1:0"])
            .args(args)
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
        Demo {
            server,
            addr,
            stderr: err_text,
        }
    }

    /// Waits until standard error holds `needle`; returns it all.
    fn wait_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.stderr.lock().unwrap().clone();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "no {needle:?} in stderr: {text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The secrets the product search's `secrets` table holds.
const SECRETS: [&str; 2] = ["hunter2-ironward-demo", "sk-demo-0123456789abcdef"];
/// `' UNION SELECT secret, 1 FROM secrets --`, the exploit: without Ironward it lists the
/// secrets (demo.rs's unit test `products_is_vulnerable_without_the_layer`).
const UNION: &str = "/products?q=%27%20UNION%20SELECT%20secret%2C%201%20FROM%20secrets%20--";
/// The query the exploit turns the search into, as the sink line prints it.
const UNION_QUERY: &str = "operation: SELECT name, price FROM products WHERE name LIKE '%' UNION SELECT secret, 1 FROM secrets --%'";
/// Where the demo runs the guarded query, as the sink line prints it.
const CALLER: &str = "caller: crates/ironward-cli/src/demo.rs:";

#[test]
fn demo_serves_and_blocks() {
    let demo = Demo::start(&["--set", "BLACKLIST_OVERRIDE=true"]);
    let addr = demo.addr;

    assert_eq!(status(addr, "/"), 200);
    assert_eq!(status(addr, "/search?q=hello"), 200);
    assert_eq!(status(addr, "/.env"), 403);
    // Unknown routes: the path check, answered 404 as the app would.
    assert_eq!(status(addr, "/no-such-page"), 404);
    assert_eq!(status(addr, "/search?q=%3Bcat%20%2Fetc%2Fpasswd"), 403);
    // The override keeps the client usable after level-2 hits.
    assert_eq!(status(addr, "/search?q=hello"), 200);

    let text = demo.wait_stderr("[!]");
    assert!(text.contains("Ironward"), "no banner in {text}");
    drop(demo.server);
}

/// `--template sink`: the request-side injection checks only monitor, so the exploit reaches
/// the product search's guarded query and is blocked there.
#[test]
fn demo_products_blocks_at_the_sink_with_the_sink_template() {
    let demo = Demo::start(&["--template", "sink", "--set", "BLACKLIST_OVERRIDE=true"]);
    let addr = demo.addr;
    let (_, home) = get(addr, "/");
    assert!(home.contains("/products"), "{home}");
    let (_, block_body) = get(addr, "/.env");

    // Benign searches without a quote: the query's structure does not change.
    let (status, body) = get(addr, "/products?q=shoes");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Running shoes") && body.contains("Trail running shoes"));
    let (status, body) = get(addr, "/products?q=select+a+plan+from+the+menu");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("0 product(s)"), "{body}");

    let (status, body) = get(addr, UNION);
    assert_eq!(status, 403, "{body}");
    for secret in SECRETS {
        assert!(!body.contains(secret), "{body}");
    }
    // The layer's block response replaced the handler's (which names the error).
    assert_eq!(body, block_body);
    assert!(!body.contains("blocked by Ironward"), "{body}");

    let text = demo.wait_stderr(UNION_QUERY);
    let detail = &text[text.find("    sink: sql").expect("a sink line")..];
    assert!(
        detail.starts_with(
            "    sink: sql (the input opens or closes a quoted literal), block_and_blacklist\n"
        ),
        "{text}"
    );
    assert!(detail.contains(CALLER), "{text}");
    assert!(
        detail.contains("request-side check: sqli flagged the same input"),
        "{text}"
    );
    // The request-side check monitored the same payload: its own line comes first.
    assert!(
        text.contains(
            "[!] SQL Injection: qs_values -> ' UNION SELECT secret, 1 FROM secrets --\n[!]"
        ),
        "{text}"
    );

    // The override keeps the client usable after the level-2 sink block.
    assert_eq!(get(addr, "/products?q=lamp").0, 200);
    drop(demo.server);
}

/// The usual configuration: the request-side check blocks the exploit before the handler runs,
/// and the inputs it lets through that change the query are blocked at the sink (what the home
/// page and the docs say).
#[test]
fn demo_products_with_the_usual_configuration() {
    let demo = Demo::start(&["--set", "BLACKLIST_OVERRIDE=true"]);
    let addr = demo.addr;

    let (status, body) = get(addr, "/products?q=shoes");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Running shoes"), "{body}");

    let (status, body) = get(addr, UNION);
    assert_eq!(status, 403, "{body}");
    // An apostrophe breaks the query (without Ironward: a SQL error).
    let (status, _) = get(addr, "/products?q=O%27Brien");
    assert_eq!(status, 403);
    let text = demo.wait_stderr("LIKE '%O'Brien%'");
    assert!(
        text.contains(
            "[!] SQL Injection: qs_values -> O'Brien\n    \
             sink: sql (the input makes the operation unparsable), block_and_blacklist\n    \
             operation: SELECT name, price FROM products WHERE name LIKE '%O'Brien%'\n    \
             caller: crates/ironward-cli/src/demo.rs:"
        ),
        "{text}"
    );
    // An OR clause the request-side model lets through (without Ironward: the desk lamp too).
    let (status, _) = get(
        addr,
        "/products?q=Trail+running+shoes%27+OR+name+LIKE+%27Desk%25",
    );
    assert_eq!(status, 403);
    let text = demo.wait_stderr("LIKE '%Trail running shoes' OR name LIKE 'Desk%%'");
    assert!(
        text.contains("sink: sql (the input opens or closes a quoted literal)"),
        "{text}"
    );
    // The exploit never reached the sink: the request-side check blocked it first.
    assert!(!text.contains(UNION_QUERY), "{text}");
    assert!(
        text.contains("[!] SQL Injection: qs_values -> ' UNION SELECT"),
        "{text}"
    );
    drop(demo.server);
}
