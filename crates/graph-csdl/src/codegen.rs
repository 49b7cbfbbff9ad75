//! OpenAPI → Rust: progenitor with the settings `entra-api-connectors` needs, plus the
//! `@odata.type` enums of [`crate::rust`]. Behind the `codegen` feature, since it brings progenitor.

use crate::openapi::{Conversion, SECRET_SCHEMA};
use crate::rust::{RustPaths, polymorphic_enums, type_name};

/// Where the generated code finds the handwritten types it relies on.
#[derive(Debug, Clone)]
pub struct Target {
    /// Path of the module that includes the generated code, e.g. `crate::beta`; its `types`
    /// submodule must re-export progenitor's types and the polymorphic enums.
    pub module: String,
    /// The generated client's inner type, which implements progenitor's `ClientHooks`.
    pub inner_type: String,
    /// The type that replaces the secret schema.
    pub secret: String,
    /// The runtime support module of the polymorphic enums.
    pub runtime: String,
    /// Derive (and implement) `schemars::JsonSchema` for every generated type.
    pub json_schema: bool,
}

impl Target {
    /// The paths of `entra-api-connectors` for a version module (`beta`, `v1`).
    pub fn entra_api_connectors(module: &str) -> Target {
        Target {
            module: format!("crate::{module}"),
            inner_type: "crate::transport::Transport".into(),
            secret: "crate::Secret".into(),
            runtime: "crate::odata".into(),
            json_schema: true,
        }
    }

    /// Whether the generated types implement `schemars::JsonSchema` (on by default).
    pub fn with_json_schema(mut self, json_schema: bool) -> Target {
        self.json_schema = json_schema;
        self
    }
}

/// Generate the Rust of `conversion` for `target`: progenitor's client and types (builder style,
/// hooks expected, `PartialEq` derived, and `schemars::JsonSchema` when
/// [`Target::json_schema`]), with the secret and polymorphic
/// schemas replaced by handwritten and generated types, then a `polymorphic` module with the
/// `@odata.type` enums. The text is formatted with prettyplease.
pub fn generate(conversion: &Conversion, target: &Target) -> Result<String, String> {
    let inner_type = target
        .inner_type
        .parse()
        .map_err(|e| format!("inner type `{}`: {e}", target.inner_type))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(inner_type)
        .with_derive("PartialEq")
        .with_replacement(type_name(SECRET_SCHEMA), &target.secret, std::iter::empty());
    if target.json_schema {
        settings.with_derive("schemars::JsonSchema");
    }
    let types = format!("{}::types", target.module);
    for poly in &conversion.polymorphic {
        let name = type_name(&poly.schema);
        settings.with_replacement(&name, format!("{types}::{name}"), std::iter::empty());
    }
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&conversion.openapi)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated code: {e}"))?;
    let mut code = prettyplease::unparse(&file);
    let paths = RustPaths {
        types,
        runtime: target.runtime.clone(),
        json_schema: target.json_schema,
    };
    code.push_str(
        "\n/// Enums for the polymorphic Graph types, tagged by `@odata.type`.\npub mod polymorphic {\n",
    );
    code.push_str(&polymorphic_enums(&conversion.polymorphic, &paths));
    code.push_str("}\n");
    Ok(code)
}
