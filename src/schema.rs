//! JSON Schemas of the model types and the OpenAPI documents, for validating connector definitions
//! and Graph bodies outside Rust (CI checks, editors, other languages).
//!
//! Every schema is generated with [`schemars`] from the crate's own Rust types (with this feature
//! on, the generated bindings derive `JsonSchema`), so schema and code cannot disagree. Schemas
//! follow JSON Schema draft 2020-12 and describe what the types accept when reading JSON. On top
//! of what the types say:
//!
//! - every `targetUrl` gets `"format": "uri"` and `"pattern": "^https://"`: the crate rejects
//!   other URLs before sending ([`validate_target_url`](crate::connectors::validate_target_url)),
//!   and Azure AD B2C requires HTTPS endpoints for API connectors
//!   (<https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>);
//! - secret properties (passwords, PKCS#12 values) are `"writeOnly": true`: Graph returns them masked;
//! - an authentication configuration must carry its `@odata.type` (the base type is abstract).
//!
//! [`export`] writes, below a folder:
//!
//! ```text
//! index.json                            what is where
//! beta/<type>.schema.json, v1.0/...     one schema per model type and version
//! beta/openapi.json, beta/openapi.yaml  the OpenAPI 3.0 document the bindings come from
//! contract/<type>.schema.json           the user flow <-> API contract bodies
//! ```
//!
//! Output is deterministic: object keys are sorted, so the same crate writes the same bytes.
//!
//! ```
//! # #[cfg(feature = "v1")] {
//! use entra_api_connectors::schema;
//! let files = schema::files().unwrap();
//! let connector = files.iter().find(|f| f.path == "v1.0/identityApiConnector.schema.json").unwrap();
//! assert!(connector.contents.contains("\"pattern\": \"^https://\""));
//! # }
//! ```

use std::path::{Path, PathBuf};

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use crate::connectors::{ConnectorPatch, Patch};
use crate::version::{
    AuthenticationOf, BasicOf, CertificateOf, ClientCertificateOf, Pkcs12Of, Version,
};

/// The `$schema` of every exported schema.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// One file of an export: its path below the export folder (with `/`) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    /// Path relative to the export folder, e.g. `v1.0/identityApiConnector.schema.json`.
    pub path: String,
    /// The file's text (UTF-8, ending with a newline).
    pub contents: String,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The OpenAPI document could not be converted to YAML.
    #[error("OpenAPI document of {version}: {message}")]
    OpenApi {
        /// `beta` or `v1.0`.
        version: &'static str,
        /// What failed.
        message: String,
    },
}

/// The generator settings of every exported schema: draft 2020-12 plus the `targetUrl` rule.
pub fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12().with_transform(RecursiveTransform(https_target_url))
}

/// The root schema of `T` (with its `$defs`), as exported.
pub fn schema_for<T: JsonSchema>() -> Schema {
    settings().into_generator().into_root_schema_for::<T>()
}

/// `targetUrl` is an absolute `https` URL.
fn https_target_url(schema: &mut Schema) {
    if let Some(Value::Object(target)) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("targetUrl"))
    {
        target.insert("format".into(), "uri".into());
        target.insert("pattern".into(), "^https://".into());
    }
}

/// The schema of a PATCH body of a connector, built from the encoder and the connector type `C`.
///
/// The property names are the ones [`ConnectorPatch::to_body`] writes (found by encoding a patch
/// that clears every field), each with the schema of the same property of `C` plus `null`; any
/// other property is rejected, and an empty body too (the encoder refuses to send one).
pub fn connector_patch_schema<C: JsonSchema>() -> Schema {
    let all_null = ConnectorPatch {
        display_name: Patch::Null,
        target_url: Patch::Null,
        authentication: Patch::Null,
    };
    let body = all_null
        .to_body()
        .expect("a patch clearing every field is valid");
    let names: Vec<&String> = body
        .as_object()
        .expect("a PATCH body is an object")
        .keys()
        .collect();

    let mut connector = schema_for::<C>();
    let source = connector
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut properties = Map::new();
    for name in names {
        let property = source.get(name.as_str()).cloned().unwrap_or(json!({}));
        properties.insert(name.clone(), nullable(property));
    }
    let defs = connector.remove("$defs");
    let mut patch = json!({
        "$schema": DRAFT_2020_12,
        "title": "ConnectorPatch",
        "description": "Body of PATCH /identity/apiConnectors/{id}: only the properties to change; null clears one.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "minProperties": 1
    });
    if let Some(defs) = defs {
        patch["$defs"] = defs;
    }
    Schema::try_from(patch).expect("an object is a schema")
}

/// `schema` or `null`, unless it already accepts `null`.
fn nullable(schema: Value) -> Value {
    let null = json!({ "type": "null" });
    let accepts_null = match (schema.get("type"), schema.get("anyOf")) {
        (Some(Value::String(t)), _) => t == "null",
        (Some(Value::Array(types)), _) => types.iter().any(|t| t == "null"),
        (_, Some(Value::Array(any))) => any.contains(&null),
        _ => false,
    };
    if accepts_null {
        schema
    } else {
        json!({ "anyOf": [schema, null] })
    }
}

/// Sort every object's keys, so output does not depend on serde_json's map order.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    text.push('\n');
    text
}

/// The schemas of Graph version `V`: (file stem, schema).
fn version_schemas<V: Version>() -> Vec<(&'static str, Schema)>
where
    V::Connector: JsonSchema,
    AuthenticationOf<V>: JsonSchema,
    BasicOf<V>: JsonSchema,
    Pkcs12Of<V>: JsonSchema,
    ClientCertificateOf<V>: JsonSchema,
    CertificateOf<V>: JsonSchema,
    V::Configuration: JsonSchema,
    V::UploadRequest: JsonSchema,
    V::ODataError: JsonSchema,
{
    vec![
        ("identityApiConnector", schema_for::<V::Connector>()),
        (
            "apiAuthenticationConfigurationBase",
            schema_for::<AuthenticationOf<V>>(),
        ),
        ("basicAuthentication", schema_for::<BasicOf<V>>()),
        ("pkcs12Certificate", schema_for::<Pkcs12Of<V>>()),
        (
            "clientCertificateAuthentication",
            schema_for::<ClientCertificateOf<V>>(),
        ),
        (
            "pkcs12CertificateInformation",
            schema_for::<CertificateOf<V>>(),
        ),
        (
            "userFlowApiConnectorConfiguration",
            schema_for::<V::Configuration>(),
        ),
        (
            "uploadClientCertificateRequest",
            schema_for::<V::UploadRequest>(),
        ),
        ("connectorPatch", connector_patch_schema::<V::Connector>()),
        ("ODataError", schema_for::<V::ODataError>()),
    ]
}

/// Every schema by version label (`beta`, `v1.0`, `contract`), in a fixed order.
pub fn schemas() -> Vec<(&'static str, Vec<(&'static str, Schema)>)> {
    vec![
        #[cfg(feature = "beta")]
        (crate::Beta::API.as_str(), version_schemas::<crate::Beta>()),
        #[cfg(feature = "v1")]
        (crate::V1::API.as_str(), version_schemas::<crate::V1>()),
        (
            "contract",
            vec![
                (
                    "connectorRequest",
                    schema_for::<crate::contract::ConnectorRequest>(),
                ),
                (
                    "connectorResponse",
                    schema_for::<crate::contract::ConnectorResponse>(),
                ),
            ],
        ),
    ]
}

/// The OpenAPI documents by version label.
fn openapi_documents() -> Vec<(&'static str, &'static str)> {
    vec![
        #[cfg(feature = "beta")]
        ("beta", crate::beta::OPENAPI_JSON),
        #[cfg(feature = "v1")]
        ("v1.0", crate::v1::OPENAPI_JSON),
    ]
}

/// Every file of an export, in a fixed order, `index.json` last.
pub fn files() -> Result<Vec<SchemaFile>, SchemaError> {
    let mut files = Vec::new();
    let mut index = Map::new();
    for (group, schemas) in schemas() {
        let mut entries = Map::new();
        for (stem, schema) in schemas {
            let path = format!("{group}/{stem}.schema.json");
            entries.insert(stem.to_string(), Value::String(path.clone()));
            files.push(SchemaFile {
                path,
                contents: pretty(&canonical(schema.to_value())),
            });
        }
        index.insert(group.to_string(), json!({ "schemas": entries }));
    }
    for (version, document) in openapi_documents() {
        let openapi_error = |message: String| SchemaError::OpenApi { version, message };
        // Kept in the document's own order (YAML via a mapping that preserves it).
        let yaml_value: serde_norway::Value =
            serde_json::from_str(document).map_err(|e| openapi_error(e.to_string()))?;
        let yaml =
            serde_norway::to_string(&yaml_value).map_err(|e| openapi_error(e.to_string()))?;
        let mut json_text = document.trim_end().to_string();
        json_text.push('\n');
        let (json_path, yaml_path) = (
            format!("{version}/openapi.json"),
            format!("{version}/openapi.yaml"),
        );
        files.push(SchemaFile {
            path: json_path.clone(),
            contents: json_text,
        });
        files.push(SchemaFile {
            path: yaml_path.clone(),
            contents: yaml,
        });
        if let Some(Value::Object(entry)) = index.get_mut(version) {
            entry.insert(
                "openapi".into(),
                json!({ "json": json_path, "yaml": yaml_path }),
            );
        }
    }
    let index = json!({
        "$comment": concat!(
            "JSON Schemas (draft 2020-12) generated by entra-api-connectors ",
            env!("CARGO_PKG_VERSION"),
            " from its Rust types; OpenAPI 3.0 documents derived from the Graph CSDL spec."
        ),
        "jsonSchemaDialect": DRAFT_2020_12,
        "groups": index,
    });
    files.push(SchemaFile {
        path: "index.json".into(),
        contents: pretty(&canonical(index)),
    });
    Ok(files)
}

/// Write every file of [`files`] below `dir` (created if needed); returns the paths written.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let mut written = Vec::new();
    for file in files()? {
        let path = file
            .path
            .split('/')
            .fold(dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| SchemaError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, &file.contents).map_err(|source| SchemaError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
