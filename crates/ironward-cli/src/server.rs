//! `ironward server`: the self-hosted management server (the `ironward-server` crate), and its
//! operator commands `key create` and `config set` on the same data directory.

use crate::Outcome;
use anyhow::Context;
use clap::{Args, Subcommand};
use ironward_server::{
    DEFAULT_DATA_DIR, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, ServerOptions, SqliteStore,
};
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Where the SQLite database lives (created if needed).
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
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
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Create an agent key (printed alone on the last line); creates the application if needed.
    Create {
        /// Where the SQLite database lives.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
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
        /// Where the SQLite database lives.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
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
                command:
                    KeyCommand::Create {
                        data_dir,
                        app,
                        template,
                    },
            }) => {
                let store = open(&data_dir).await?;
                let key = ironward_server::create_key(&store, &app, template.as_deref()).await?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "agent key for application {app:?} (shown once):")?;
                writeln!(out, "{key}")?;
                Ok(ExitCode::SUCCESS)
            }
            Some(ServerCommand::Config {
                command:
                    ConfigCommand::Set {
                        data_dir,
                        app,
                        template,
                        set,
                        unset,
                    },
            }) => {
                let store = open(&data_dir).await?;
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
        }
    })
}

async fn open(data_dir: &Path) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(data_dir)
        .await
        .with_context(|| format!("cannot open the database in {}", data_dir.display()))
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
    let store = Arc::new(open(&args.data_dir).await?);
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
            "ironward server listening on http://{addr} (data in {})",
            args.data_dir.display()
        )?;
        out.flush()?;
    }
    let options = ServerOptions {
        public_url: args.public_url,
        max_body_bytes: args.max_body_bytes,
        request_timeout: Duration::from_millis(args.request_timeout_ms.max(1)),
        header_read_timeout: Duration::from_millis(args.header_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
        protection,
    };
    ironward_server::serve(listener, store, &options, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the server failed")?;
    Ok(ExitCode::SUCCESS)
}
