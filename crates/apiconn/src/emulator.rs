//! `apiconn emulator`: the crate's local Graph emulator, until Ctrl-C.

use std::time::Duration;

use entra_api_connectors_emulator::{
    DEFAULT_TOKEN, Emulator, EmulatorConfig, Faults, ServicePrincipal, TenantKind,
};
use serde_json::json;

use crate::cli::{EmulatorArgs, FaultArgs, Global, TenantArg};
use crate::{Failure, Outcome, output};

/// The emulator's faults of the `--fault-*`, `--retry-after` and `--latency` options.
fn faults(args: &FaultArgs) -> Faults {
    Faults {
        throttle_rate: args.fault_429_rate,
        unavailable_rate: args.fault_503_rate,
        drop_rate: args.fault_drop_rate,
        lose_response_rate: args.fault_lose_response_rate,
        retry_after: args.retry_after,
        latency: Duration::from_millis(args.latency),
    }
}

/// Start the emulator, print where it listens and how to use it, and serve until interrupted.
///
/// The first line on standard output is the base URL alone (as table), or a JSON/YAML object
/// with `baseUrl`, `tenant` and `token`, so that scripts can read it (useful with port 0).
pub async fn run(global: &Global, args: EmulatorArgs) -> Outcome {
    let kind = match args.tenant {
        TenantArg::B2c => TenantKind::B2c,
        TenantArg::Workforce => TenantKind::Workforce,
        TenantArg::External => TenantKind::External,
    };
    let mut config = EmulatorConfig::new(kind)
        .listen(args.listen)
        .faults(faults(&args.faults))
        .seed(args.faults.seed);
    if let Some(path) = &args.state {
        config = config.state_file(path);
    }
    for app in &args.service_principals {
        let (app_id, name) = match app.split_once('=') {
            Some((id, name)) => (id, name.to_owned()),
            None => (app.as_str(), format!("App {app}")),
        };
        config = config.service_principal(ServicePrincipal::new(app_id, name));
    }
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let base_url = emulator.base_url().to_string();
    output::emit(
        global.format(),
        &json!({ "baseUrl": base_url, "tenant": kind_name(kind), "token": DEFAULT_TOKEN }),
        || format!("{base_url}\n"),
    )?;
    // Scripts read the first line while the emulator runs: flush it now.
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    eprintln!(
        "Graph emulator ({} tenant) listening on {}\n  use: apiconn --base-url {} ...  with GRAPH_TOKEN={DEFAULT_TOKEN}\n  press Ctrl-C to stop",
        match kind {
            TenantKind::B2c => "Azure AD B2C",
            TenantKind::Workforce => "workforce",
            TenantKind::External => "external",
        },
        emulator.base_url(),
        emulator.base_url(),
    );
    let f = &args.faults;
    if f.fault_429_rate + f.fault_503_rate + f.fault_drop_rate + f.fault_lose_response_rate > 0.0
        || f.latency > 0
    {
        eprintln!(
            "  faults: 429 {}, 503 {} (Retry-After {}s), dropped {}, lost responses {}, latency {} ms, seed {}",
            f.fault_429_rate,
            f.fault_503_rate,
            f.retry_after.as_secs_f64(),
            f.fault_drop_rate,
            f.fault_lose_response_rate,
            f.latency,
            f.seed
        );
    }
    stopped().await?;
    emulator.shutdown().await;
    Ok(())
}

/// The `--tenant` name of a tenant kind.
fn kind_name(kind: TenantKind) -> &'static str {
    match kind {
        TenantKind::B2c => "b2c",
        TenantKind::Workforce => "workforce",
        TenantKind::External => "external",
    }
}

/// Wait for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stopped() -> Outcome {
    let interrupted = async {
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Failure::Runtime(format!("waiting for Ctrl-C: {e}")))
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())
            .map_err(|e| Failure::Runtime(format!("SIGTERM handler: {e}")))?;
        tokio::select! {
            result = interrupted => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    interrupted.await
}
