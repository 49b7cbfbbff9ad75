//! A standalone local Microsoft Graph emulator for API connectors and user flows.
//!
//! ```text
//! cargo run -p entra-api-connectors-emulator --example emulator -- \
//!     --listen 127.0.0.1:8080 --tenant b2c|workforce [--state FILE] [--token TOKEN] [--page-size N]
//! ```
//!
//! Graph is served under `http://LISTEN/v1.0` and `http://LISTEN/beta`, the token endpoint under
//! `http://LISTEN/{tenant}/oauth2/v2.0/token`. Stop with Ctrl-C; with `--state`, every change is
//! already saved.

use std::net::SocketAddr;
use std::process::ExitCode;

use entra_api_connectors_emulator::{
    DEFAULT_TENANT_ID, Emulator, EmulatorConfig, GraphVersion, TenantKind,
};
use secrecy::SecretString;

const USAGE: &str = "usage: emulator --listen ADDR --tenant b2c|workforce [--state FILE] [--token TOKEN] [--page-size N]";

fn parse_args() -> Result<EmulatorConfig, String> {
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut tenant = None;
    let mut state = None;
    let mut token = None;
    let mut page_size = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--listen" => listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--tenant" => {
                tenant = Some(match value()?.as_str() {
                    "b2c" => TenantKind::B2c,
                    "workforce" => TenantKind::Workforce,
                    other => {
                        return Err(format!("--tenant must be b2c or workforce, not {other:?}"));
                    }
                });
            }
            "--state" => state = Some(value()?),
            "--token" => token = Some(SecretString::from(value()?)),
            "--page-size" => {
                page_size = Some(
                    value()?
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or("--page-size must be a positive integer")?,
                );
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let mut config =
        EmulatorConfig::new(tenant.ok_or_else(|| format!("--tenant is required\n{USAGE}"))?)
            .listen(listen);
    if let Some(path) = state {
        config = config.state_file(path);
    }
    if let Some(token) = token {
        config = config.token(token);
    }
    if let Some(n) = page_size {
        config = config.page_size(n);
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Graph v1.0: {}", emulator.graph_url(GraphVersion::V1));
    println!("Graph beta: {}", emulator.graph_url(GraphVersion::Beta));
    println!("token:      {}", emulator.token_url(DEFAULT_TENANT_ID));
    // Runs until the process is stopped (Ctrl-C); the state file, if any, is saved after every change.
    std::future::pending::<()>().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
