//! `apiconn spec ...`: slice the full Graph metadata, check the checked-in spec, diff two specs.
//!
//! The same `graph-csdl` functions run in `build.rs`, so what `spec check` accepts is what the
//! build accepts.

use std::path::{Path, PathBuf};

use graph_csdl::openapi::{self, Options};
use graph_csdl::slice::{self, Roots};

use serde_json::json;

use crate::cli::{ApiVersion, Format, Global, SpecCommand};
use crate::{Failure, Outcome, output};

/// The operation ids the handwritten layer calls, per version (`src/connectors.rs`,
/// `src/user_flows.rs`, `src/beta.rs`, `src/v1.rs`). `spec check` fails when one is missing from
/// the converted spec, before the build would fail on a missing generated method.
pub const CONNECTOR_OPERATIONS: &[&str] = &[
    "list_api_connectors",
    "create_api_connector",
    "get_api_connector",
    "update_api_connector",
    "delete_api_connector",
    "upload_client_certificate",
];

/// Operation ids of one user-flow family (`b2c` or `b2x`).
fn flow_operations(family: &str) -> Vec<String> {
    [
        "list_{f}_user_flows",
        "get_{f}_user_flow",
        "create_{f}_user_flow",
        "delete_{f}_user_flow",
        "get_{f}_user_flow_api_connector_configuration",
        "set_{f}_user_flow_post_federation_signup_ref",
        "set_{f}_user_flow_post_attribute_collection_ref",
    ]
    .iter()
    .map(|t| t.replace("{f}", family))
    .collect()
}

/// The operation ids of custom authentication extensions, authentication events flows and
/// event listeners that the handwritten layer calls (`src/custom_extensions.rs`,
/// `src/events_flows.rs`, `src/event_listeners.rs`, bound in `build/bindings.rs`). Required of
/// `v1.0` only: our beta spec is sliced without them, and the crate has no such handles there.
pub const EXTENSIBILITY_OPERATIONS: &[&str] = &[
    "list_custom_authentication_extensions",
    "get_custom_authentication_extension",
    "create_custom_authentication_extension",
    "update_custom_authentication_extension",
    "delete_custom_authentication_extension",
    "validate_custom_authentication_extension_authentication_configuration",
    "validate_custom_authentication_extensions_authentication_configuration",
    "list_authentication_events_flows",
    "get_authentication_events_flow",
    "create_authentication_events_flow",
    "update_authentication_events_flow",
    "delete_authentication_events_flow",
    "list_authentication_events_flow_include_applications",
    "create_authentication_events_flow_include_application",
    "delete_authentication_events_flow_include_application",
    "list_authentication_events_flow_attributes",
    "add_authentication_events_flow_attributes_ref",
    "remove_authentication_events_flow_attributes_ref",
    "list_authentication_event_listeners",
    "get_authentication_event_listener",
    "create_authentication_event_listener",
    "update_authentication_event_listener",
    "delete_authentication_event_listener",
];

/// Every operation id the crate uses for a Graph version (`beta` or `v1.0`).
pub fn required_operations(version: &str) -> Vec<String> {
    let mut ops: Vec<String> = CONNECTOR_OPERATIONS.iter().map(|s| s.to_string()).collect();
    if version == "beta" {
        ops.extend(flow_operations("b2c"));
    }
    ops.extend(flow_operations("b2x"));
    if version == "v1.0" {
        ops.extend(EXTENSIBILITY_OPERATIONS.iter().map(|s| s.to_string()));
    }
    ops
}

/// Run a spec command.
pub fn run(global: &Global, command: SpecCommand) -> Outcome {
    match command {
        SpecCommand::Slice {
            metadata,
            roots,
            out,
            provenance,
        } => slice_metadata(global.api_version, &metadata, roots, out, provenance),
        SpecCommand::Check { spec_dir } => check(&spec_dir, global.format()),
        SpecCommand::Diff { old, new } => {
            let d = graph_csdl::diff::diff(&read(&old)?, &read(&new)?).map_err(|e| {
                Failure::Runtime(format!("{} / {}: {e}", old.display(), new.display()))
            })?;
            let changes: Vec<String> = d.changes.iter().map(ToString::to_string).collect();
            output::emit(
                global.format(),
                &json!({ "old": old, "new": new, "changes": changes }),
                || d.to_string(),
            )
        }
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))
}

fn slice_metadata(
    version: ApiVersion,
    metadata: &Path,
    roots: Option<PathBuf>,
    out: Option<PathBuf>,
    provenance: Option<String>,
) -> Outcome {
    let version = version.as_str();
    let roots = roots.unwrap_or_else(|| Path::new("spec").join(version).join(slice::ROOTS_FILE));
    let roots = Roots::read(&roots).map_err(|e| Failure::Runtime(e.to_string()))?;
    let full = read(metadata)?;
    let provenance = provenance.unwrap_or_else(|| {
        let name = metadata
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("Sliced from {name} (Microsoft Graph {version}) by apiconn spec slice")
    });
    let fragment = slice::slice(&full, &roots, &provenance)
        .map_err(|e| Failure::Runtime(format!("{}: {e}", metadata.display())))?;
    match out {
        Some(path) => {
            std::fs::write(&path, &fragment)
                .map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))?;
            eprintln!("wrote {} ({} bytes)", path.display(), fragment.len());
        }
        None => print!("{fragment}"),
    }
    Ok(())
}

/// Parse, convert and check coverage of each version folder of `spec_dir`, as `build.rs` reads it.
fn check(spec_dir: &Path, format: Format) -> Outcome {
    let mut problems = Vec::new();
    let mut results = Vec::new();
    let mut text = String::new();
    for version in ["beta", "v1.0"] {
        let dir = spec_dir.join(version);
        match check_version(&dir, version) {
            Ok(count) => {
                text.push_str(&format!(
                    "{}: ok ({count} operations, every operation the crate uses is present)\n",
                    dir.display()
                ));
                results
                    .push(json!({"version": version, "dir": dir, "ok": true, "operations": count}));
            }
            Err(e) => {
                text.push_str(&format!("{}: FAILED: {e}\n", dir.display()));
                results.push(json!({"version": version, "dir": dir, "ok": false, "error": e}));
                problems.push(e);
            }
        }
    }
    output::emit(format, &results, || text)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Runtime(format!(
            "spec check failed: {}",
            problems.join("; ")
        )))
    }
}

fn check_version(dir: &Path, version: &str) -> Result<usize, String> {
    let doc = graph_csdl::load::load_dir(dir)
        .map_err(|e| e.to_string())?
        .document;
    let conversion = openapi::convert(&doc, &Options::new(version))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let missing: Vec<String> = required_operations(version)
        .into_iter()
        .filter(|op| !conversion.operations.contains(op))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "operations used by the crate are missing: {}",
            missing.join(", ")
        ));
    }
    Ok(conversion.operations.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec")
    }

    #[test]
    fn v1_requires_the_extensibility_operations_and_beta_does_not() {
        let v1 = required_operations("v1.0");
        let beta = required_operations("beta");
        for op in EXTENSIBILITY_OPERATIONS {
            assert!(v1.iter().any(|o| o == op), "{op}");
            assert!(!beta.iter().any(|o| o == op), "{op}");
        }
    }

    #[test]
    fn the_checked_in_specs_have_every_operation_the_crate_calls() {
        for version in ["beta", "v1.0"] {
            let count = check_version(&spec_dir().join(version), version).expect(version);
            assert!(count >= required_operations(version).len(), "{version}");
        }
    }

    #[test]
    fn a_v1_spec_without_the_collection_validate_action_fails_naming_it() {
        let text = std::fs::read_to_string(spec_dir().join("v1.0/identity.csdl.xml")).unwrap();
        // The collection-bound overload of validateAuthenticationConfiguration.
        let marker = "<Action Name=\"validateAuthenticationConfiguration\"";
        let mut cut = text.clone();
        let mut removed = 0;
        while let Some(start) = cut.find(marker) {
            let end = start + cut[start..].find("</Action>").unwrap() + "</Action>".len();
            cut.replace_range(start..end, "");
            removed += 1;
        }
        assert!(removed >= 2, "both overloads are in the spec");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("identity.csdl.xml"), cut).unwrap();
        let error = check_version(dir.path(), "v1.0").unwrap_err();
        assert!(
            error.contains("validate_custom_authentication_extension_authentication_configuration")
                && error.contains(
                    "validate_custom_authentication_extensions_authentication_configuration"
                ),
            "{error}"
        );
    }
}
