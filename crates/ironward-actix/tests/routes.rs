//! Route checks over real TCP: actix's resource map (`Ironward::actix_router`) and a route
//! list of one's own (`Ironward::routes`).

use std::sync::{Arc, Mutex};

use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::event::Event;
use ironward_core::{Config, Routes};

use crate::support::{request, send, start, start_with};

fn config() -> Config {
    let mut c = Config::default();
    c.blacklist_override = true;
    c
}

#[test]
fn with_the_resource_map_an_unknown_path_gets_404_from_the_path_check() {
    let events = Arc::new(Mutex::new(Vec::<Event>::new()));
    let sink = Arc::clone(&events);
    let server = start_with(
        config(),
        move |mw| {
            let sink = Arc::clone(&sink);
            mw.actix_router()
                .on_event(move |e| sink.lock().expect("lock").push(e))
        },
        false,
    );
    // Known resources, scoped ones included, pass.
    for target in ["/", "/search?q=shoes", "/api/items/7"] {
        let reply = send(server.addr, &request("GET", target, &[], b""));
        assert_eq!(reply.status, 200, "{target}: {reply:?}");
    }
    assert!(events.lock().expect("lock").is_empty());
    // No resource: the `path` check blocks, answered 404 "Not Found" (NATIVE_ROUTE_STATUS),
    // where actix's own 404 has an empty body.
    for target in ["/no-such-page", "/api/nope", "/search/", "/api%2Fitems/7"] {
        let reply = send(server.addr, &request("GET", target, &[], b""));
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (404, "Not Found"),
            "{target}"
        );
    }
    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(events.iter().all(|e| e.check == CheckId::Path));
    assert_eq!(events[0].path, "/no-such-page");
}

#[test]
fn the_resource_map_is_not_fooled_by_percent_encoding() {
    let server = start_with(config(), |mw| mw.actix_router(), false);
    // actix routes `/s%65arch` to `/search` (it decodes the path, except `%2F`, `%25`, `+`):
    // the check looks at the same path, so this is not an unknown route.
    let reply = send(server.addr, &request("GET", "/s%65arch?q=x", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (200, "results"));
    let reply = send(server.addr, &request("GET", "/api/item%73/7", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (200, "item"));
}

#[test]
fn with_native_route_status_off_an_unknown_path_gets_the_block_response() {
    let mut c = config();
    c.native_route_status = false;
    let server = start_with(c, |mw| mw.actix_router(), false);
    let reply = send(server.addr, &request("GET", "/no-such-page", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (403, "Blocked"));
}

#[test]
fn the_resource_map_does_not_feed_the_method_check() {
    let mut c = config();
    c.security_checks.set(CheckId::Method, Level::Block);
    let server = start_with(c, |mw| mw.actix_router(), false);
    // The map has patterns, not methods or guards: the engine leaves the wrong method to actix,
    // which answers it itself (`App::route` turns the method into a guard of the resource, so
    // actix says 404; a `web::resource` with routes says 405) with its empty body.
    let reply = send(server.addr, &request("DELETE", "/", &[], b""));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "", "actix's own answer");
}

#[test]
fn without_an_option_unknown_paths_are_left_to_actix() {
    let server = start(config());
    let reply = send(server.addr, &request("GET", "/no-such-page", &[], b""));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "", "actix's own 404");
}

#[test]
fn a_default_service_app_must_not_use_the_resource_map() {
    // Without the option, the fallback serves unmatched paths.
    let server = start_with(config(), |mw| mw, true);
    let reply = send(server.addr, &request("GET", "/app/page", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (200, "fallback"));
    // With it, they are unknown routes: the documented reason the option is opt-in.
    let server = start_with(config(), |mw| mw.actix_router(), true);
    let reply = send(server.addr, &request("GET", "/app/page", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (404, "Not Found"));
}

fn routes() -> Routes {
    Routes::new()
        .route("/", &["GET"])
        .route("/search", &["GET"])
        .route_accepting("/echo", &["POST"], &["application/json"])
        .route("/api/items/{id}", &["GET"])
}

#[test]
fn the_route_list_feeds_the_path_method_and_format_checks() {
    let mut c = config();
    c.security_checks.set(CheckId::Method, Level::Block);
    // `format` monitors by default (protocol hygiene): set to block to see its answer.
    c.security_checks.set(CheckId::Format, Level::Block);
    let server = start_with(c, |mw| mw.routes(routes()), true);
    // Listed routes pass; a percent-encoded spelling of one is matched as actix routes it.
    let reply = send(server.addr, &request("GET", "/api/items/7", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (200, "item"));
    let reply = send(server.addr, &request("GET", "/s%65arch", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (200, "results"));
    // Not in the list: 404 from the `path` check, even though the fallback would serve it.
    let reply = send(server.addr, &request("GET", "/app/page", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (404, "Not Found"));
    // A listed path with a method its route does not allow: the `method` check, 405.
    let reply = send(server.addr, &request("DELETE", "/", &[], b""));
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (405, "Method Not Allowed")
    );
    // `/echo` accepts JSON only: a form body is refused by the `format` check.
    let form = request(
        "POST",
        "/echo",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"a=1",
    );
    assert_eq!(send(server.addr, &form).status, 403);
    let json = request(
        "POST",
        "/echo",
        &[("Content-Type", "application/json")],
        br#"{"a":1}"#,
    );
    let reply = send(server.addr, &json);
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (200, &br#"{"a":1}"#[..])
    );
}

#[test]
fn the_route_list_takes_precedence_over_the_resource_map() {
    let server = start_with(config(), |mw| mw.actix_router().routes(routes()), false);
    // `/verdict` is an actix resource, but not in the list.
    let reply = send(server.addr, &request("GET", "/verdict", &[], b""));
    assert_eq!((reply.status, reply.text().as_str()), (404, "Not Found"));
}
