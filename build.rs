//! Generates the Graph bindings: `spec/<version>/*.xml` (CSDL) → OpenAPI → progenitor → `OUT_DIR`.
//!
//! Thin on purpose: the CSDL work lives in the `graph-csdl` crate. Only the spec files are watched,
//! so an unchanged spec costs nothing on rebuild.

use std::path::{Path, PathBuf};

use graph_csdl::openapi::{self, Options, SECRET_SCHEMA};
use graph_csdl::rust::{RustPaths, polymorphic_enums, type_name};

/// (cargo feature, spec folder, Graph version label, Rust module)
const VERSIONS: &[(&str, &str, &str, &str)] = &[
    ("BETA", "spec/beta", "beta", "beta"),
    ("V1", "spec/v1.0", "v1.0", "v1"),
];

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for &(feature, dir, version, module) in VERSIONS {
        println!("cargo:rerun-if-changed={dir}");
        if std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_none() {
            continue;
        }
        if let Err(message) = generate(Path::new(dir), version, module, &out_dir) {
            // One clear line instead of a panic backtrace.
            println!("cargo::error={message}");
            std::process::exit(1);
        }
    }
}

fn generate(dir: &Path, version: &str, module: &str, out_dir: &Path) -> Result<(), String> {
    for file in graph_csdl::load::spec_files(dir).map_err(|e| e.to_string())? {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let spec = graph_csdl::load::load_dir(dir).map_err(|e| e.to_string())?;
    let conversion = openapi::convert(&spec.document, &Options::new(version))
        .map_err(|e| format!("{}: {e}", dir.display()))?;

    let json = serde_json::to_string_pretty(&conversion.json).map_err(|e| e.to_string())?;
    write(&out_dir.join(format!("{module}.openapi.json")), &json)?;

    let paths = RustPaths {
        types: format!("crate::{module}::types"),
        runtime: "crate::odata".into(),
    };
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type("crate::transport::Transport".parse().expect("a Rust path"))
        .with_derive("PartialEq")
        .with_derive("schemars::JsonSchema")
        .with_replacement(
            type_name(SECRET_SCHEMA),
            "crate::Secret",
            std::iter::empty(),
        );
    for poly in &conversion.polymorphic {
        let name = type_name(&poly.schema);
        settings.with_replacement(
            &name,
            format!("crate::{module}::types::{name}"),
            std::iter::empty(),
        );
    }
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&conversion.openapi)
        .map_err(|e| format!("{}: progenitor: {e}", dir.display()))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated code: {e}"))?;
    let mut code = prettyplease::unparse(&file);
    code.push_str("\n/// Enums for the polymorphic Graph types, tagged by `@odata.type`.\npub mod polymorphic {\n");
    code.push_str(&polymorphic_enums(&conversion.polymorphic, &paths));
    code.push_str("}\n");
    write(&out_dir.join(format!("{module}.rs")), &code)
}

/// Write only when the content changed, so dependents are not rebuilt for nothing.
fn write(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}
