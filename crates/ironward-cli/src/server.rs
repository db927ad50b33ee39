//! `ironward server`: the self-hosted management server (the `ironward-server` crate), and its
//! operator commands (`key create|list|revoke`, `config set`, `token create`, `admin
//! reset-password`) on the same data directory or database.

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
    /// Boxed: the serve flags are many, and the `Command` enum stays small.
    #[command(flatten)]
    serve: Box<ServeArgs>,
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
    /// Time between retention rounds, in seconds (the first runs at start).
    #[arg(long, default_value_t = ironward_server::retention::DEFAULT_INTERVAL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    retention_interval_secs: u64,
    /// Forget agent instances (worker processes with an instance id) not seen for this many
    /// hours.
    #[arg(long, default_value_t = ironward_server::retention::INSTANCE_RETENTION.as_secs() / 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    instance_retention_hours: u64,
    /// How long agents without an instance id (pyrasp) are sent a configuration change and
    /// recent blacklist changes again with every beacon answer, in seconds (0: never again).
    #[arg(long, default_value_t = ironward_server::LEGACY_REPEAT_SECS.unsigned_abs())]
    legacy_repeat_secs: u64,
    /// Most blacklist entries taken from one beacon (the rest are ignored).
    #[arg(long, default_value_t = ironward_server::MAX_REPORTED_IPS)]
    max_reported_ips: usize,
    /// Seconds a new agent key's or API token's page waits for the browser's GET after the
    /// dashboard's redirect (shown once; then "shown once", 410).
    #[arg(long, default_value_t = ironward_server::dashboard::shown::SLOT_TTL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    shown_secret_ttl_secs: u64,
    /// Most new-secret pages waiting for their GET at once (the oldest is dropped past it).
    #[arg(long, default_value_t = ironward_server::dashboard::shown::MAX_SLOTS)]
    shown_secret_max: usize,
    /// Failed sign-ins allowed per client IP per window (then 429).
    #[arg(long, default_value_t = auth::Limits::default().per_ip,
          value_parser = clap::value_parser!(u32).range(1..))]
    sign_in_max_failures_per_ip: u32,
    /// Failed sign-ins allowed per user name per window, from any IP (then 429).
    #[arg(long, default_value_t = auth::Limits::default().per_user,
          value_parser = clap::value_parser!(u32).range(1..))]
    sign_in_max_failures_per_user: u32,
    /// The sign-in limiter's window, in seconds.
    #[arg(long, default_value_t = auth::Limits::default().window,
          value_parser = clap::value_parser!(i64).range(1..))]
    sign_in_window_secs: i64,
    /// Most IPs and most user names the sign-in limiter tracks (then one shared bucket).
    #[arg(long, default_value_t = auth::limit::MAX_ENTRIES)]
    sign_in_max_tracked: usize,
    /// Serve the server's own Prometheus metrics on GET /metrics (to --metrics-allow).
    #[arg(long)]
    metrics: bool,
    /// Who may scrape /metrics: IPs and CIDR blocks, comma-separated (others get 404).
    #[arg(long, value_delimiter = ',', value_name = "CIDR,...", requires = "metrics",
          default_value = "127.0.0.0/8,::1/128",
          value_parser = ironward_server::metrics::parse_allow)]
    metrics_allow: Vec<ironward_server::metrics::IpNet>,
    /// The window of the ironward_server_agents_active gauge, in minutes.
    #[arg(long, default_value_t = ironward_server::metrics::DEFAULT_ACTIVE_WINDOW.as_secs() / 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    metrics_active_minutes: u64,
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
    /// Most connections to PostgreSQL (SQLite always uses 4).
    #[arg(long, default_value_t = ironward_server::store::DEFAULT_PG_POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    database_pool_size: u32,
    /// Longest a request waits for a free database connection, in milliseconds.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    database_acquire_timeout_ms: u64,
}

impl DbArgs {
    /// The pool settings these flags ask for.
    fn pool(&self) -> ironward_server::store::PoolSettings {
        ironward_server::store::PoolSettings {
            max_connections: self.database_pool_size,
            acquire_timeout: Duration::from_millis(self.database_acquire_timeout_ms),
        }
    }

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
    /// List agent keys (by id; never the secret): application, created, last used, revoked.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this application's keys.
        #[arg(long)]
        app: Option<String>,
    },
    /// Revoke an agent key: its agents are refused (403) from their next connect or beacon.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The key's id (16 hex digits, as `key list` and the dashboard show it).
        id: String,
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
            None => serve(*args.serve).await,
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
            Some(ServerCommand::Key {
                command: KeyCommand::List { db, app },
            }) => {
                let store = open(&db).await?;
                let agents = ironward_server::Store::agents(&store, app.as_deref()).await?;
                let mut out = std::io::stdout().lock();
                out.write_all(key_table(&agents).as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            Some(ServerCommand::Key {
                command: KeyCommand::Revoke { db, id },
            }) => {
                let store = open(&db).await?;
                let id = id.trim().to_ascii_lowercase();
                revoke_key(&store, &id).await?;
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

/// `key list`'s table: one row per agent key, aligned columns, times in UTC.
fn key_table(agents: &[ironward_server::store::Agent]) -> String {
    use ironward_server::dashboard::time::utc;
    let rows: Vec<[String; 5]> = agents
        .iter()
        .map(|a| {
            let used = a.connected_at.max(a.last_beacon_at);
            [
                a.id().to_owned(),
                a.app_name.clone(),
                utc(a.created_at),
                used.map_or_else(|| "never".to_owned(), utc),
                a.revoked_at.map_or_else(|| "no".to_owned(), utc),
            ]
        })
        .collect();
    let header = ["ID", "APP", "CREATED", "LAST USED", "REVOKED"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut table = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        table.push_str(cells.join("  ").trim_end());
        table.push('\n');
    }
    table
}

/// `key revoke ID`: through [`ironward_server::Store::revoke_agent`], as the dashboard and
/// `DELETE /api/v1/agents/{id}`; an unknown or already revoked id is an error.
async fn revoke_key(store: &SqlStore, id: &str) -> anyhow::Result<()> {
    use ironward_server::Store;
    let agent = store
        .agent_by_id(id)
        .await?
        .filter(|a| a.id() == id)
        .with_context(|| {
            format!("no agent key with id {id:?} (`ironward server key list` shows the ids)")
        })?;
    if let Some(at) = agent.revoked_at {
        anyhow::bail!(
            "agent key {id} of application {:?} was already revoked ({})",
            agent.app_name,
            ironward_server::dashboard::time::utc(at)
        );
    }
    anyhow::ensure!(
        store.revoke_agent(id, ironward_server::now()).await?,
        "agent key {id} was revoked meanwhile"
    );
    writeln!(
        std::io::stdout().lock(),
        "agent key {id} of application {:?} revoked: its agents are refused (403) from their \
         next connect or beacon",
        agent.app_name
    )?;
    Ok(())
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
    SqlStore::open_any_with(db.database.as_deref(), &db.data_dir, db.pool())
        .await
        .with_context(|| format!("cannot open the database ({})", db.describe()))
}

impl ServeArgs {
    /// The server options these flags ask for.
    fn options(&self, protection: Option<Arc<ironward_core::Engine>>) -> ServerOptions {
        use ironward_server::{metrics::MetricsOptions, retention::Retention};
        ServerOptions {
            public_url: self.public_url.clone(),
            max_body_bytes: self.max_body_bytes,
            request_timeout: Duration::from_millis(self.request_timeout_ms.max(1)),
            header_read_timeout: Duration::from_millis(self.header_timeout_ms.max(1)),
            max_connections: self.max_connections.max(1),
            protection,
            ship_events: !self.no_ship_events,
            max_events_per_request: self.max_events_per_request.max(1),
            shown_secret_ttl: Duration::from_secs(self.shown_secret_ttl_secs),
            shown_secret_max: self.shown_secret_max.max(1),
            sign_in_limits: auth::Limits {
                per_ip: self.sign_in_max_failures_per_ip,
                per_user: self.sign_in_max_failures_per_user,
                window: self.sign_in_window_secs,
                max_entries: self.sign_in_max_tracked.max(1),
            },
            retention: Some(Retention {
                max_age: (self.retention_days > 0)
                    .then(|| Duration::from_secs(u64::from(self.retention_days) * 86_400)),
                max_events_per_app: (self.retention_max_events > 0)
                    .then_some(self.retention_max_events),
                interval: Duration::from_secs(self.retention_interval_secs),
                instance_max_age: Duration::from_secs(
                    self.instance_retention_hours.saturating_mul(3600),
                ),
            }),
            metrics: self.metrics.then(|| MetricsOptions {
                allow: self.metrics_allow.clone(),
                active_window: Duration::from_secs(self.metrics_active_minutes.saturating_mul(60)),
            }),
            legacy_repeat: Duration::from_secs(self.legacy_repeat_secs),
            max_reported_ips: self.max_reported_ips,
        }
    }
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
    let options = args.options(protection);
    ironward_server::serve(listener, store, &options, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the server failed")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn options(args: &[&str]) -> ServerOptions {
        let cli = Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied()));
        cli.unwrap().serve.options(None)
    }

    #[test]
    fn defaults_are_the_library_defaults() {
        let got = options(&[]);
        let want = ServerOptions::default();
        assert_eq!(got.sign_in_limits, want.sign_in_limits);
        assert_eq!(got.retention, want.retention);
        assert_eq!(got.legacy_repeat, want.legacy_repeat);
        assert_eq!(got.max_reported_ips, want.max_reported_ips);
        assert_eq!(got.metrics, None);
    }

    #[test]
    fn pool_flags_reach_the_pool_settings() {
        #[derive(Debug, Parser)]
        struct Db {
            #[command(flatten)]
            db: DbArgs,
        }
        let parse = |args: &[&str]| {
            Db::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
                .map(|d| d.db.pool())
        };
        assert_eq!(
            parse(&[]).unwrap(),
            ironward_server::store::PoolSettings::default()
        );
        let got = parse(&[
            "--database-pool-size",
            "40",
            "--database-acquire-timeout-ms",
            "500",
        ])
        .unwrap();
        assert_eq!(got.max_connections, 40);
        assert_eq!(got.acquire_timeout, Duration::from_millis(500));
        assert!(parse(&["--database-pool-size", "0"]).is_err());
    }

    #[test]
    fn every_limit_flag_reaches_the_options() {
        let got = options(&[
            "--retention-interval-secs",
            "5",
            "--instance-retention-hours",
            "2",
            "--legacy-repeat-secs",
            "0",
            "--max-reported-ips",
            "10",
            "--sign-in-max-failures-per-ip",
            "4",
            "--sign-in-max-failures-per-user",
            "2",
            "--sign-in-window-secs",
            "60",
            "--sign-in-max-tracked",
            "100",
            "--metrics",
            "--metrics-allow",
            "10.0.0.0/8,192.0.2.7",
            "--metrics-active-minutes",
            "3",
        ]);
        let retention = got.retention.unwrap();
        assert_eq!(retention.interval, Duration::from_secs(5));
        assert_eq!(retention.instance_max_age, Duration::from_secs(7200));
        assert_eq!(got.legacy_repeat, Duration::ZERO);
        assert_eq!(got.max_reported_ips, 10);
        assert_eq!(
            got.sign_in_limits,
            auth::Limits {
                per_ip: 4,
                per_user: 2,
                window: 60,
                max_entries: 100,
            }
        );
        let metrics = got.metrics.unwrap();
        assert_eq!(metrics.active_window, Duration::from_secs(180));
        let allow: Vec<String> = metrics.allow.iter().map(ToString::to_string).collect();
        assert_eq!(allow, ["10.0.0.0/8", "192.0.2.7/32"]);
        assert_eq!(options(&["--metrics"]).metrics.unwrap().allow.len(), 2);
    }

    #[test]
    fn bad_values_are_refused() {
        for args in [
            &["--metrics-allow", "10.0.0.0/8"][..],
            &["--metrics", "--metrics-allow", "ten"],
            &["--sign-in-window-secs", "0"],
            &["--retention-interval-secs", "0"],
        ] {
            let parsed = Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied()));
            assert!(parsed.is_err(), "{args:?} accepted");
        }
    }
}
