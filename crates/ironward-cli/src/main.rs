//! The `ironward` command: check a configuration, scan requests and values.
//!
//! ```text
//! ironward check-config rasp.json          # validate, print the effective configuration
//! ironward scan --config rasp.json in.jsonl  # one verdict per input line, as JSON Lines
//! ironward demo --listen 127.0.0.1:8080     # a small protected axum app to try with curl
//! ```

mod check_config;
mod config_file;
mod demo;
mod eval;
mod path_commands;
mod progress;
mod record;
mod scan;
mod server;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Ironward: runtime application self-protection.
#[derive(Debug, Parser)]
#[command(name = "ironward", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a configuration file and print the effective configuration (exit 1 on errors).
    CheckConfig {
        /// The configuration file (pyrasp's JSON format, flat or wrapped in {"config": …}).
        file: PathBuf,
        /// The template the file is layered on (default, audit, monitor, llm, mcp, sink).
        #[arg(long)]
        template: Option<String>,
        /// Explicit parameters, the highest layer: KEY=VALUE, VALUE as JSON or else a string
        /// (e.g. `--set BLOCK_STATUS_CODE=406 --set SECURITY_CHECKS.sqli=3`).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print only errors and warnings, not the effective configuration.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Inspect JSON Lines records (values, requests, responses) and print one verdict per line.
    Scan {
        /// The configuration file; defaults to $IRONWARD_CONF, then $PYRASP_CONF, then none.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The template the configuration is layered on.
        #[arg(long)]
        template: Option<String>,
        /// Explicit parameters, the highest layer: KEY=VALUE, VALUE as JSON or else a string.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The JSON Lines input; `-` or nothing reads standard input.
        input: Option<PathBuf>,
        /// Write the verdicts here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print no progress and no summary on standard error.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Serve a small axum app protected by Ironward, printing each attack; try it with curl.
    Demo {
        /// The address to listen on (`127.0.0.1:0` picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The configuration file; defaults to $IRONWARD_CONF, then $PYRASP_CONF, then none.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The template the configuration is layered on.
        #[arg(long)]
        template: Option<String>,
        /// Explicit parameters, the highest layer: KEY=VALUE, VALUE as JSON or else a string
        /// (e.g. `--set BLACKLIST_OVERRIDE=true`).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Measure detection and false positives on labelled JSON Lines (per label and overall).
    Eval {
        /// Labelled JSON Lines files (`-`: standard input): `scan` records plus a `label`
        /// (`benign` or an attack).
        #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
        data: Vec<PathBuf>,
        /// The configuration file; defaults to $IRONWARD_CONF, then $PYRASP_CONF, then none.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The template the configuration is layered on.
        #[arg(long)]
        template: Option<String>,
        /// Explicit parameters, the highest layer: KEY=VALUE, VALUE as JSON or else a string.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print one JSON document instead of the tables.
        #[arg(long)]
        json: bool,
        /// Which `{"text": …}` records to judge: `all`, or the `dev` / `train` side of
        /// Ironward's held-back split (the rows its models were not / were tuned on).
        /// Request and response records are always judged.
        #[arg(long, value_enum, default_value_t = eval::Split::All)]
        split: eval::Split,
        /// Sweep SQLI_PROBA = XSS_PROBA over 0.05..0.95 and draw detection vs false positives.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Print no progress, timings or warnings on standard error (errors still show).
        #[arg(long, short)]
        quiet: bool,
        /// Show up to N flagged values per check and location in the false-positive
        /// breakdown (what blocking mode would refuse).
        #[arg(long, value_name = "N", default_value_t = 0)]
        examples: usize,
    },
    /// The management server (pyrasp's connect/beacon protocol), and `key create` / `config set`.
    Server(server::ServerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::CheckConfig {
            file,
            template,
            set,
            quiet,
        } => check_config::run(&file, template.as_deref(), &set, quiet),
        Command::Scan {
            config,
            template,
            set,
            input,
            output,
            quiet,
        } => scan::run(&scan::Options {
            config,
            template,
            set,
            input,
            output,
            quiet,
        }),
        Command::Demo {
            listen,
            config,
            template,
            set,
        } => demo::run(&demo::Options {
            listen,
            config,
            template,
            set,
        }),
        Command::Eval {
            data,
            config,
            template,
            set,
            json,
            split,
            plot,
            quiet,
            examples,
        } => eval::run(&eval::Options {
            data,
            config,
            template,
            set,
            json,
            split,
            plot,
            quiet,
            examples,
        }),
        Command::Server(args) => server::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => report_error(&e),
    }
}

fn report_error(e: &anyhow::Error) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {e:#}");
    ExitCode::from(1)
}

/// The result of a command that ran to its end.
pub(crate) type Outcome = Result<ExitCode>;
