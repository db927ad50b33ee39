//! An axum application whose handler pastes a request parameter into SQL, guarded by
//! `ironward_guard::sql` under `IronwardLayer`:
//! `cargo run -p ironward-guard --example guarded`, then
//! `curl "localhost:8080/users?name=%27%20OR%201%3D1%20--"` (403) and
//! `curl "localhost:8080/users?name=alice"` (200).

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use ironward_core::config::Template;
use ironward_core::{Config, Engine};
use ironward_guard::Dialect;
use ironward_tower::IronwardLayer;
use std::collections::HashMap;
use std::sync::Arc;

async fn users(Query(q): Query<HashMap<String, String>>) -> (StatusCode, String) {
    let name = q.get("name").map_or("", String::as_str);
    let query = format!("SELECT id FROM users WHERE name = '{name}'");
    match ironward_guard::sql(&query, Dialect::Sqlite) {
        Ok(()) => (StatusCode::OK, format!("would run: {query}")),
        // Whatever the handler answers, the layer replaces it with the block response.
        Err(blocked) => (StatusCode::INTERNAL_SERVER_ERROR, blocked.to_string()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Arc::new(Engine::new(Config::template(Template::Sink))?);
    let app = Router::new()
        .route("/users", get(users))
        .layer(IronwardLayer::new(engine));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
