//! `apiconn`: manage Microsoft Graph API connectors and the user-flow steps that call them, run the
//! local Graph emulator, export JSON Schemas, and maintain the CSDL spec the bindings come from.
//!
//! Exit codes: 0 on success, 1 when Graph or the run fails (the message names Graph's code, message
//! and request id), 2 for usage errors (as clap reports them).
//!
//! One module per command group (`connectors`, `flows` with `events_flows`, `extensions`,
//! `listeners`, `auth`, `emulator`, `schema`, `spec`, `simulate`, `completions`); what they share: `target` (which Graph, which credential: `credential`,
//! `network`), `output` (the `--output` formats), `dry_run`, `names` (connectors by name) and
//! `hints` (advice on 403s).

mod auth;
mod certificate_assertion;
mod cli;
mod completions;
mod connectors;
mod credential;
mod dry_run;
mod emulator;
mod events_flows;
mod extensions;
mod external_state;
mod flows;
mod hints;
mod listeners;
mod migrate;
mod names;
mod network;
mod output;
mod schema;
mod secrets;
mod simulate;
mod spec;
mod state;
mod target;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};

/// A failure of a command: a usage problem (exit 2, with the usage line) or a runtime error (exit 1).
#[derive(Debug)]
pub enum Failure {
    /// The arguments cannot work together; reported like clap's own usage errors.
    Usage(String),
    /// Graph, the network, a file or the emulator failed.
    Runtime(String),
    /// A runtime failure and what to do about it (e.g. the permission a 403 lacks).
    Advised {
        /// What failed.
        message: String,
        /// What to do, printed on a line of its own.
        hint: String,
    },
}

impl From<entra_api_connectors::Error> for Failure {
    fn from(e: entra_api_connectors::Error) -> Self {
        Failure::Runtime(e.to_string())
    }
}

/// Result of a command.
pub type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("apiconn: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            // clap's formatting and exit code (2) for usage errors found after parsing.
            use clap::CommandFactory as _;
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit()
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("apiconn: error: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Advised { message, hint }) => {
            eprintln!("apiconn: error: {message}");
            eprintln!("apiconn: hint: {hint}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Outcome {
    let global = cli.global;
    match cli.command {
        Command::Connectors(cmd) => connectors::run(&global, cmd).await,
        Command::Flows(cmd) => flows::run(&global, cmd).await,
        Command::Extensions(cmd) => extensions::run(&global, cmd).await,
        Command::Listeners(cmd) => listeners::run(&global, cmd).await,
        Command::Auth(cmd) => auth::run(&global, cmd).await,
        Command::Emulator(cmd) => emulator::run(&global, cmd).await,
        Command::Schema(cmd) => schema::run(&global, cmd),
        Command::Spec(cmd) => spec::run(&global, cmd),
        Command::Simulate(cmd) => simulate::run(&global, cmd).await,
        Command::Completions { shell } => completions::run(shell),
        Command::Export(args) => state::export(&global, args).await,
        Command::Plan(args) => state::plan(&global, args).await,
        Command::Apply(args) => state::apply_command(&global, args).await,
        Command::Migrate(args) => migrate::run(&global, args).await,
    }
}
