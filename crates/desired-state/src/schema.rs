//! The JSON Schema (draft 2020-12) of the configuration file, generated from [`Configuration`].
//!
//! Editors validate and complete the file with it. A YAML file names it in its first lines:
//!
//! ```yaml
//! # yaml-language-server: $schema=./apiconn.schema.json
//! tenant: contoso.onmicrosoft.com
//! ```
//!
//! (the comment is read by the YAML language server, which VS Code's YAML extension and most editors
//! use); a JSON file uses its `"$schema"` key, which the format allows for that purpose.
//!
//! ```
//! let schema = entra_api_connectors_desired_state::schema::json_schema();
//! assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
//! assert_eq!(schema["additionalProperties"], false);
//! ```

use crate::model::Configuration;

/// The schema as JSON.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Configuration>();
    serde_json::to_value(schema).expect("a schema is JSON")
}
