//! `ironward server`: the self-hosted management server (the `ironward-server` crate), and its
//! operator commands `key create` and `config set` on the same data directory.

use crate::Outcome;
use anyhow::Context;
use clap::{Args, Subcommand};
use ironward_server::auth::{self, Scope};
use ironward_server::{
    DEFAULT_DATA_DIR, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, ServerOptions, SqlStore,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `ironward server [--listen ADDR] [--data-dir DIR]`, or one of its subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServerArgs {
    #[command(subcommand)]
    command: Option<ServerCommand>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: String,
    #[command(flatten)]
    db: DbArgs,
    /// The URL agents reach this server at (default `http://` + the bound address); agents are
    /// told to beacon to PUBLIC_URL/api/v1/beacon.
    #[arg(long)]
    public_url: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Longest a request may take, database included, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    request_timeout_ms: u64,
    /// Longest a client may take to send its request headers, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    header_timeout_ms: u64,
    /// Most connections open at once; more are closed as soon as they are accepted.
    #[arg(long, default_value_t = ironward_server::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// An Ironward configuration file for the layer that protects the server itself (over the
    /// `default` template; without it: the flood check off).
    #[arg(long, value_name = "FILE")]
    protection_config: Option<PathBuf>,
    /// Serve without the Ironward layer in front of the API.
    #[arg(long, conflicts_with = "protection_config")]
    no_protection: bool,
    /// Delete events older than this many days (0: no age limit).
    #[arg(long, default_value_t = ironward_server::retention::DEFAULT_RETENTION_DAYS)]
    retention_days: u32,
    /// Keep at most this many events per application (0: no count limit).
    #[arg(long, default_value_t = ironward_server::retention::DEFAULT_MAX_EVENTS_PER_APP)]
    retention_max_events: i64,
    /// Most events accepted in one ingest request.
    #[arg(long, default_value_t = ironward_server::DEFAULT_MAX_EVENTS_PER_REQUEST)]
    max_events_per_request: usize,
    /// Do not send agents the LOG_* keys that ship their events to this server.
    #[arg(long)]
    no_ship_events: bool,
}

/// Where the data lives: the SQLite file in `--data-dir`, or PostgreSQL with `--database`.
#[derive(Debug, Clone, Args)]
struct DbArgs {
    /// Where the SQLite database lives (created if needed); unused with `--database`.
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// A PostgreSQL URL (`postgres://user:password@host:port/db`) instead of SQLite (also
    /// `IRONWARD_DATABASE_URL`).
    #[arg(long, env = "IRONWARD_DATABASE_URL", value_name = "URL")]
    database: Option<String>,
}

impl DbArgs {
    /// Where the data is, for messages (never the URL's password).
    fn describe(&self) -> String {
        match &self.database {
            Some(url) => match url::Url::parse(url) {
                Ok(u) => format!(
                    "PostgreSQL at {}{}",
                    u.host_str().unwrap_or("?"),
                    u.port().map(|p| format!(":{p}")).unwrap_or_default()
                ),
                Err(_) => "PostgreSQL".to_owned(),
            },
            None => format!("SQLite in {}", self.data_dir.display()),
        }
    }
}

#[derive(Debug, Subcommand)]
enum ServerCommand {
    /// Agent keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// An application's remote configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Admin REST API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Admin users.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a bearer token for the admin REST API (printed alone on the last line, shown once).
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// A label to recognise it by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// `read` (GET only) or `write` (everything).
        #[arg(long, default_value = "read")]
        scope: String,
        /// The user it acts as.
        #[arg(long, default_value = auth::ADMIN_USER)]
        user: String,
        /// Expire after this many days (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Set a user's password from IRONWARD_ADMIN_PASSWORD (or a generated one, printed once)
    /// and end their sessions; creates `admin` when there is no user yet.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        /// The user.
        #[arg(long, default_value = auth::ADMIN_USER)]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Create an agent key (printed alone on the last line); creates the application if needed.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// The application the key belongs to.
        #[arg(long)]
        app: String,
        /// The template a new application starts from (default, audit, monitor, llm, mcp, sink).
        #[arg(long)]
        template: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Change keys of an application's remote configuration (validated; agents get it on their
    /// next beacon) and print the result.
    Set {
        #[command(flatten)]
        db: DbArgs,
        /// The application.
        #[arg(long)]
        app: String,
        /// Switch the application to this template.
        #[arg(long)]
        template: Option<String>,
        /// KEY=VALUE, VALUE as JSON or else a string (e.g. `SECURITY_CHECKS.xss=0`).
        #[arg(value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Remove a key from the remote configuration.
        #[arg(long, value_name = "KEY")]
        unset: Vec<String>,
    },
}

/// Runs `ironward server …`.
pub(crate) fn run(args: ServerArgs) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match args.command {
            None => serve(args.serve).await,
            Some(ServerCommand::Key {
                command: KeyCommand::Create { db, app, template },
            }) => {
                let store = open(&db).await?;
                let key = ironward_server::create_key(&store, &app, template.as_deref()).await?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "agent key for application {app:?} (shown once):")?;
                writeln!(out, "{key}")?;
                Ok(ExitCode::SUCCESS)
            }
            Some(ServerCommand::Config {
                command:
                    ConfigCommand::Set {
                        db,
                        app,
                        template,
                        set,
                        unset,
                    },
            }) => {
                let store = open(&db).await?;
                let app =
                    ironward_server::set_config(&store, &app, template.as_deref(), &set, &unset)
                        .await?;
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "application {:?}: template {}, configuration version {}",
                    app.name, app.template, app.config_version
                )?;
                serde_json::to_writer_pretty(&mut out, &app.config)?;
                writeln!(out)?;
                Ok(ExitCode::SUCCESS)
            }
            Some(ServerCommand::Token {
                command:
                    TokenCommand::Create {
                        db,
                        name,
                        scope,
                        user,
                        expires_days,
                    },
            }) => {
                let scope = Scope::parse(&scope)
                    .with_context(|| format!("unknown scope {scope:?} (read or write)"))?;
                let store = open(&db).await?;
                anyhow::ensure!(
                    ironward_server::Store::user(&store, &user).await?.is_some(),
                    "no user named {user:?} (start the server once to create `admin`)"
                );
                let expires = expires_days.map(|d| ironward_server::now() + i64::from(d) * 86_400);
                let (token, row) = auth::create_token(&store, &user, &name, scope, expires).await?;
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "{} token {:?} (id {}) for {user:?} (shown once):",
                    row.scope, row.name, row.id
                )?;
                writeln!(out, "{token}")?;
                Ok(ExitCode::SUCCESS)
            }
            Some(ServerCommand::Admin {
                command: AdminCommand::ResetPassword { db, user },
            }) => {
                let store = open(&db).await?;
                let given = std::env::var("IRONWARD_ADMIN_PASSWORD").ok();
                if let Some(generated) = auth::ensure_admin(&store, given.as_deref()).await? {
                    print_generated(&generated)?;
                    return Ok(ExitCode::SUCCESS);
                }
                let (password, generated) = match given {
                    Some(p) => (p, false),
                    None => (auth::password::generate_password()?, true),
                };
                anyhow::ensure!(
                    auth::set_password(&store, &user, &password).await?,
                    "no user named {user:?}"
                );
                if generated {
                    print_generated(&password)?;
                } else {
                    writeln!(std::io::stdout().lock(), "password of {user:?} changed")?;
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// Prints a generated admin password, once.
fn print_generated(password: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "admin password (shown once; sign in as {:?}):",
        auth::ADMIN_USER
    )?;
    writeln!(out, "{password}")?;
    out.flush()
}

async fn open(db: &DbArgs) -> anyhow::Result<SqlStore> {
    SqlStore::open_any(db.database.as_deref(), &db.data_dir)
        .await
        .with_context(|| format!("cannot open the database ({})", db.describe()))
}

async fn serve(args: ServeArgs) -> Outcome {
    let protection = if args.no_protection {
        None
    } else {
        let text = match &args.protection_config {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            ),
            None => None,
        };
        let name = args
            .protection_config
            .as_ref()
            .map(|p| p.display().to_string());
        let engine = ironward_server::protection::engine(text.as_deref(), name.as_deref())
            .map_err(|e| anyhow::anyhow!("invalid protection configuration:\n{e}"))?;
        Some(Arc::new(engine))
    };
    let store = Arc::new(open(&args.db).await?);
    let given = std::env::var("IRONWARD_ADMIN_PASSWORD").ok();
    let generated = auth::ensure_admin(&*store, given.as_deref()).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "ironward server listening on http://{addr} (data: {})",
            args.db.describe()
        )?;
        out.flush()?;
    }
    // After the first line, which scripts read for the address.
    // Standard output may be closed by then (a script that read the address): not fatal.
    if let Some(password) = generated
        && print_generated(&password).is_err()
    {
        let _ = writeln!(
            std::io::stderr(),
            "ironward server: could not print the generated admin password; set a new one with \
             `ironward server admin reset-password`"
        );
    }
    let options = ServerOptions {
        public_url: args.public_url,
        max_body_bytes: args.max_body_bytes,
        request_timeout: Duration::from_millis(args.request_timeout_ms.max(1)),
        header_read_timeout: Duration::from_millis(args.header_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
        protection,
        ship_events: !args.no_ship_events,
        max_events_per_request: args.max_events_per_request.max(1),
        sign_in_limits: auth::Limits::default(),
        retention: Some(ironward_server::retention::Retention {
            max_age: (args.retention_days > 0)
                .then(|| Duration::from_secs(u64::from(args.retention_days) * 86_400)),
            max_events_per_app: (args.retention_max_events > 0)
                .then_some(args.retention_max_events),
            ..ironward_server::retention::Retention::default()
        }),
    };
    ironward_server::serve(listener, store, &options, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the server failed")?;
    Ok(ExitCode::SUCCESS)
}
