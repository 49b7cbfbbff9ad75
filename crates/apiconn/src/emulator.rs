//! `apiconn emulator`: the crate's local Graph emulator, until Ctrl-C.

use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};

use crate::cli::{EmulatorArgs, TenantArg};
use crate::{Failure, Outcome};

/// Start the emulator, print where it listens and how to use it, and serve until interrupted.
pub async fn run(args: EmulatorArgs) -> Outcome {
    let kind = match args.tenant {
        TenantArg::B2c => TenantKind::B2c,
        TenantArg::Workforce => TenantKind::Workforce,
    };
    let mut config = EmulatorConfig::new(kind).listen(args.listen);
    if let Some(path) = &args.state {
        config = config.state_file(path);
    }
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    // The first line is the base URL alone, so that scripts can read it (useful with port 0).
    println!("{}", emulator.base_url());
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
    stopped().await?;
    emulator.shutdown().await;
    Ok(())
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
