//! `apiconn schema export`

use crate::cli::SchemaCommand;
use crate::{Failure, Outcome};

/// Run a schema command.
pub fn run(command: SchemaCommand) -> Outcome {
    match command {
        SchemaCommand::Export { out } => {
            let written = entra_api_connectors::schema::export(&out)
                .map_err(|e| Failure::Runtime(format!("{}: {e}", out.display())))?;
            println!("wrote {} files to {}", written.len(), out.display());
            Ok(())
        }
    }
}
