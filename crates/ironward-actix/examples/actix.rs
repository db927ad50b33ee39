//! A small actix-web app protected by Ironward.
//!
//! ```text
//! cargo run -p ironward-actix --example actix            # listens on 127.0.0.1:8081
//! curl -i 'http://127.0.0.1:8081/search?q=shoes'          # 200
//! curl -i -X POST -H 'Content-Type: application/json' -d '{"a":1}' http://127.0.0.1:8081/api/echo
//! curl -i 'http://127.0.0.1:8081/search?q=;cat%20/etc/passwd'  # 403 Blocked
//! curl -i http://127.0.0.1:8081/.env                       # 403 (decoy)
//! curl -i http://127.0.0.1:8081/no-such-page               # 404 "Not Found" (path check)
//! ```
//!
//! Every finding is printed to standard error (`on_event`). The app has no `default_service`,
//! so actix's resource map is its route table (`actix_router`).
//!
//! With the default configuration both attacks are level 2: the client is also blacklisted for
//! `BLACKLIST_DELAY` seconds, so its next requests, even benign ones, get 403 too.
//!
//! Set `IRONWARD_LISTEN` to listen elsewhere.
#![allow(clippy::print_stderr)]

use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, HttpServer};
use ironward_actix::Ironward;
use ironward_core::{Config, Engine};
use std::sync::Arc;

async fn search(query: web::Query<std::collections::HashMap<String, String>>) -> String {
    let q = query.get("q").map_or("", String::as_str);
    format!("results for {q:?}\n")
}

async fn echo(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(body)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::var("IRONWARD_LISTEN").unwrap_or_else(|_| "127.0.0.1:8081".to_owned());
    let engine = Arc::new(Engine::new(Config::default())?);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .wrap(
                    Ironward::new(Arc::clone(&engine))
                        .actix_router()
                        .on_event(|event| eprintln!("ironward: {event:?}")),
                )
                .route(
                    "/",
                    web::get().to(|| async { "hello from a protected actix app\n" }),
                )
                .route("/search", web::get().to(search))
                .route("/api/echo", web::post().to(echo))
        })
        .bind(listen.as_str())?
        .run()
        .await
    })?;
    Ok(())
}
