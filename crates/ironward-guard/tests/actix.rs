//! An actix-web application behind `Ironward`, through actix's test service.

use crate::support::{Events, database, enc, sink_block, sink_template};
use actix_web::{App, HttpResponse, test, web};
use ironward_actix::Ironward;
use ironward_core::Engine;
use ironward_guard::sqlx::GuardExt;
use sqlx::{AssertSqlSafe, Row, SqlitePool};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Barrier;

type Params = web::Query<HashMap<String, String>>;

fn param(q: &Params, name: &str) -> String {
    q.get(name).cloned().unwrap_or_default()
}

async fn run(pool: &SqlitePool, sql: String) -> HttpResponse {
    match pool
        .guarded()
        .fetch_all(sqlx::query(AssertSqlSafe(sql)))
        .await
    {
        Ok(rows) => HttpResponse::Ok().body(
            rows.iter()
                .map(|r| r.get::<String, _>("name"))
                .collect::<Vec<_>>()
                .join(","),
        ),
        // The application turns the error into a 500: the middleware answers with the block.
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

async fn search(pool: web::Data<SqlitePool>, q: Params) -> HttpResponse {
    let sql = format!(
        "SELECT name FROM users WHERE name = '{}'",
        param(&q, "name")
    );
    run(&pool, sql).await
}

async fn slow(pool: web::Data<SqlitePool>, b: web::Data<Barrier>, q: Params) -> HttpResponse {
    b.wait().await;
    search(pool, q).await
}

async fn fixed(pool: web::Data<SqlitePool>, b: web::Data<Barrier>, q: Params) -> HttpResponse {
    b.wait().await;
    let _ = param(&q, "name");
    run(
        &pool,
        "SELECT name FROM users WHERE name = '' OR 1=1 --'".into(),
    )
    .await
}

/// A file read on actix's blocking pool, the context carried over with `sync_scope`.
async fn file(q: Params) -> actix_web::Result<HttpResponse> {
    let path = std::env::temp_dir().join(param(&q, "name"));
    let ctx = ironward_guard::current();
    let read = web::block(move || match ctx {
        Some(ctx) => ironward_guard::sync_scope(ctx, || ironward_guard::fs::read(&path)),
        None => ironward_guard::fs::read(&path),
    })
    .await?;
    // `?` on the io::Error: actix answers 500, the middleware the block.
    Ok(HttpResponse::Ok().body(read?))
}

/// A GET through the test service: (status, body).
macro_rules! call {
    ($app:expr, $uri:expr) => {{
        let res = test::call_service($app, test::TestRequest::get().uri($uri).to_request()).await;
        let status = res.status().as_u16();
        let body = test::read_body(res).await;
        (status, String::from_utf8_lossy(&body).into_owned())
    }};
}

macro_rules! app {
    ($engine:expr, $events:expr) => {{
        let pool = database().await;
        let ev = $events.clone();
        let mw: Option<Arc<Engine>> = $engine;
        test::init_service(
            App::new()
                .wrap(actix_web::middleware::Condition::new(
                    mw.is_some(),
                    Ironward::new(mw.unwrap_or_else(sink_block)).on_event(move |e| ev.push(e)),
                ))
                .app_data(web::Data::new(pool))
                .app_data(web::Data::new(Barrier::new(2)))
                .route("/search", web::get().to(search))
                .route("/slow", web::get().to(slow))
                .route("/fixed", web::get().to(fixed))
                .route("/file", web::get().to(file)),
        )
        .await
    }};
}

const ATTACK: &str = "' OR 1=1 --";

#[actix_web::test]
async fn sql_injection_is_blocked_and_passes_without_the_middleware() {
    let events = Events::default();
    let app = app!(Some(sink_template()), events);
    let uri = format!("/search?name={}", enc(ATTACK));
    let (status, body) = call!(&app, &uri);
    assert_eq!(status, 403, "{body}");
    let sinks = events.sinks();
    assert_eq!(sinks.len(), 1);
    let d = sinks[0].sink.as_ref().unwrap();
    assert_eq!(d.sink.as_str(), "sql");
    assert!(d.caller.as_deref().unwrap_or("").contains("actix.rs:"));
    assert_eq!(call!(&app, "/search?name=bob"), (200, "bob".into()));

    let none = Events::default();
    let bare = app!(None, none);
    assert_eq!(call!(&bare, &uri), (200, "alice,bob".into()));
}

#[actix_web::test]
async fn concurrent_requests_do_not_see_each_others_inputs() {
    let events = Events::default();
    let app = app!(Some(sink_block()), events);
    let uri = format!("/slow?name={}", enc(ATTACK));
    let (a, b) = tokio::join!(async { call!(&app, &uri) }, async {
        call!(&app, "/fixed?name=alice")
    });
    assert_eq!(a.0, 403, "{}", a.1);
    assert_eq!(b, (200, "alice,bob".into()));
}

#[actix_web::test]
async fn blocking_code_keeps_the_context_with_sync_scope() {
    let events = Events::default();
    let app = app!(Some(sink_block()), events);
    // In the temp directory the handler reads from; removed when dropped.
    let mut file = tempfile::Builder::new()
        .prefix("ironward-actix-")
        .suffix(".txt")
        .tempfile()
        .unwrap();
    std::io::Write::write_all(&mut file, b"ok").unwrap();
    let name = file
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        call!(&app, &format!("/file?name={name}")),
        (200, "ok".into())
    );
    let (status, _) = call!(&app, &format!("/file?name={}", enc("../../etc/passwd")));
    assert_eq!(status, 403);
    assert_eq!(events.sinks().len(), 1);
}
