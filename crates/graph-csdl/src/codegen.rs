//! OpenAPI → Rust: progenitor with the caller's settings, the `@odata.type` enums of
//! [`crate::rust`], and the impls of the caller's traits ([`bindings`], [`emit`]). Behind the
//! `codegen` feature, since it brings progenitor.
//!
//! graph-csdl knows nothing of the crate that includes the code: every path (the including
//! module, the client's inner type, the secret type, the runtime of the enums, the hooks, the
//! traits to implement) comes from the caller's [`Target`].

pub mod bindings;
pub mod emit;

use crate::openapi::{Conversion, SECRET_SCHEMA};
use crate::rust::{RustPaths, polymorphic_enums, type_name};
use bindings::Binding;

/// Where the generated code finds the handwritten types it relies on, and what it implements.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Path of the module that includes the generated code, e.g. `crate::beta`; its `types`
    /// submodule must re-export progenitor's types and the polymorphic enums.
    pub module: String,
    /// The generated client's inner type, e.g. `crate::transport::Transport`.
    pub inner_type: String,
    /// The type that replaces the secret schema.
    pub secret: String,
    /// The runtime support module of the polymorphic enums.
    pub runtime: String,
    /// Derive (and implement) `schemars::JsonSchema` for every generated type.
    pub json_schema: bool,
    /// Functions the client's `ClientHooks` impl delegates to; without them the caller
    /// implements `ClientHooks` itself.
    pub hooks: Option<Hooks>,
    /// A trait with `type Item` and `fn into_parts(self) -> (Vec<Item>, Option<String>)` to
    /// implement for every collection-response schema (`value` and `@odata.nextLink`).
    pub page_trait: Option<String>,
    /// The struct whose `Option` fields the operations' query parameters are read from
    /// (`$select` → `select`, `$top` → `top`, ...), for the [`bindings`] that call operations.
    pub query: Option<String>,
    /// The impls to emit.
    pub bindings: Vec<Binding>,
}

/// The functions of the generated client's `ClientHooks` impl.
#[derive(Debug, Clone, PartialEq)]
pub struct Hooks {
    /// `async fn(&Inner, &mut reqwest::Request, &OperationInfo) -> Result<(), progenitor_client::Error<E>>`,
    /// generic over `E`.
    pub pre: String,
    /// `async fn(&Inner, reqwest::Request, &OperationInfo) -> reqwest::Result<reqwest::Response>`.
    pub exec: String,
}

impl Target {
    /// Code included in `module`, with these paths; no JSON Schema, hooks, pages or bindings yet.
    pub fn new(module: &str, inner_type: &str, secret: &str, runtime: &str) -> Target {
        Target {
            module: module.into(),
            inner_type: inner_type.into(),
            secret: secret.into(),
            runtime: runtime.into(),
            json_schema: false,
            hooks: None,
            page_trait: None,
            query: None,
            bindings: Vec::new(),
        }
    }

    /// Whether the generated types implement `schemars::JsonSchema`.
    pub fn with_json_schema(mut self, json_schema: bool) -> Target {
        self.json_schema = json_schema;
        self
    }

    /// Implement `ClientHooks` by calling these functions.
    pub fn with_hooks(mut self, pre: &str, exec: &str) -> Target {
        self.hooks = Some(Hooks {
            pre: pre.into(),
            exec: exec.into(),
        });
        self
    }

    /// Implement this page trait for the collection responses.
    pub fn with_page_trait(mut self, page: &str) -> Target {
        self.page_trait = Some(page.into());
        self
    }

    /// Read query parameters from this struct.
    pub fn with_query(mut self, query: &str) -> Target {
        self.query = Some(query.into());
        self
    }

    /// Emit these impls as well.
    pub fn with_bindings(mut self, bindings: impl IntoIterator<Item = Binding>) -> Target {
        self.bindings.extend(bindings);
        self
    }
}

/// Generate the Rust of `conversion` for `target`: progenitor's client and types (builder style,
/// hooks expected, `PartialEq` derived, and `schemars::JsonSchema` when
/// [`Target::json_schema`]), with the secret and polymorphic schemas replaced by handwritten and
/// generated types; a `polymorphic` module with the `@odata.type` enums; then the impls of
/// [`emit::emit`]. The text is formatted with prettyplease.
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
    let emitted = emit::emit(conversion, target).map_err(|e| e.to_string())?;
    if !emitted.code.is_empty() {
        code.push_str("\n// The impls of the caller's traits.\n");
        code.push_str(&emitted.code);
    }
    Ok(code)
}
