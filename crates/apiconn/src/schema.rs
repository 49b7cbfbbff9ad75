//! `apiconn schema export|validate`

use std::path::Path;

use serde_json::{Value, json};

use crate::cli::{Format, Global, SchemaCommand};
use crate::{Failure, Outcome, output};

/// The file name of the configuration file's schema in `schema export`'s folder.
pub const CONFIGURATION_SCHEMA: &str = "apiconn.schema.json";

/// Run a schema command.
pub fn run(global: &Global, command: SchemaCommand) -> Outcome {
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
            let mut written = written;
            written.push(file_schema);
            output::emit(
                global.format(),
                &json!({ "out": out, "written": written }),
                || format!("wrote {} files to {}\n", written.len(), out.display()),
            )
        }
        SchemaCommand::Validate { schema, documents } => {
            validate(&schema, &documents, global.format())
        }
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
/// document, and one per error with the JSON pointer of the offending value (as JSON or YAML:
/// one `{document, valid, errors: [{at, message}]}` per document).
fn validate(schema: &Path, documents: &[std::path::PathBuf], format: Format) -> Outcome {
    let schema_value = read_document(schema)?;
    let validator = jsonschema::draft202012::new(&schema_value).map_err(|e| {
        Failure::Runtime(format!(
            "{}: not a valid JSON Schema: {e}",
            schema.display()
        ))
    })?;
    let mut invalid = 0;
    let mut results = Vec::new();
    let mut text = String::new();
    for path in documents {
        let document = read_document(path)?;
        let errors: Vec<(String, String)> = validator
            .iter_errors(&document)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_owned() } else { at };
                (at, e.to_string())
            })
            .collect();
        if errors.is_empty() {
            text.push_str(&format!("{}: valid\n", path.display()));
        } else {
            invalid += 1;
            text.push_str(&format!("{}: INVALID\n", path.display()));
            for (at, message) in &errors {
                text.push_str(&format!("  at {at}: {message}\n"));
            }
        }
        let errors: Vec<Value> = errors
            .into_iter()
            .map(|(at, message)| json!({ "at": at, "message": message }))
            .collect();
        results.push(json!({ "document": path, "valid": errors.is_empty(), "errors": errors }));
    }
    output::emit(format, &results, || text)?;
    match invalid {
        0 => Ok(()),
        n => Err(Failure::Runtime(format!(
            "{n} of {} documents do not match {}",
            documents.len(),
            schema.display()
        ))),
    }
}
