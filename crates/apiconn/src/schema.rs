//! `apiconn schema export|validate`

use std::path::Path;

use serde_json::Value;

use crate::cli::SchemaCommand;
use crate::{Failure, Outcome};

/// The file name of the configuration file's schema in `schema export`'s folder.
pub const CONFIGURATION_SCHEMA: &str = "apiconn.schema.json";

/// Run a schema command.
pub fn run(command: SchemaCommand) -> Outcome {
    match command {
        SchemaCommand::Export { out } => {
            let written = entra_api_connectors::schema::export(&out)
                .map_err(|e| Failure::Runtime(e.to_string()))?;
            // The configuration file of `apiconn plan|apply`.
            let file_schema = out.join(CONFIGURATION_SCHEMA);
            let text = serde_json::to_string_pretty(
                &entra_api_connectors_desired_state::schema::json_schema(),
            )
            .expect("a schema is JSON");
            std::fs::write(&file_schema, text + "\n")
                .map_err(|e| Failure::Runtime(format!("{}: {e}", file_schema.display())))?;
            println!("wrote {} files to {}", written.len() + 1, out.display());
            Ok(())
        }
        SchemaCommand::Validate { schema, documents } => validate(&schema, &documents),
    }
}

/// Read a JSON or YAML file (YAML 1.2 is a superset of JSON, so one parser reads both).
fn read_document(path: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))?;
    serde_norway::from_str(&text)
        .map_err(|e| Failure::Runtime(format!("{}: not JSON or YAML: {e}", path.display())))
}

/// Validate each document with the JSON Schema (draft 2020-12) in `schema`; print one line per
/// document, and one per error with the JSON pointer of the offending value.
fn validate(schema: &Path, documents: &[std::path::PathBuf]) -> Outcome {
    let schema_value = read_document(schema)?;
    let validator = jsonschema::draft202012::new(&schema_value).map_err(|e| {
        Failure::Runtime(format!(
            "{}: not a valid JSON Schema: {e}",
            schema.display()
        ))
    })?;
    let mut invalid = 0;
    for path in documents {
        let document = read_document(path)?;
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("  at {}: {e}", if at.is_empty() { "/" } else { &at })
            })
            .collect();
        if errors.is_empty() {
            println!("{}: valid", path.display());
        } else {
            invalid += 1;
            println!("{}: INVALID", path.display());
            for e in errors {
                println!("{e}");
            }
        }
    }
    match invalid {
        0 => Ok(()),
        n => Err(Failure::Runtime(format!(
            "{n} of {} documents do not match {}",
            documents.len(),
            schema.display()
        ))),
    }
}
