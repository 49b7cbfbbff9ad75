//! Generates the Graph bindings: `spec/<version>/*.xml` (CSDL) → OpenAPI → progenitor → `OUT_DIR`.
//!
//! Thin on purpose: the CSDL work lives in the `graph-csdl` crate, and what the generated code
//! implements is the table in `build/bindings.rs`. Only the spec files and the table are watched,
//! so an unchanged spec costs nothing on rebuild.

#[path = "build/bindings.rs"]
mod bindings;

use std::path::{Path, PathBuf};

use graph_csdl::openapi::{self, Options};

/// (cargo feature, spec folder, Graph version label, Rust module, marker type)
const VERSIONS: &[(&str, &str, &str, &str, &str)] = &[
    ("BETA", "spec/beta", "beta", "beta", "Beta"),
    ("V1", "spec/v1.0", "v1.0", "v1", "V1"),
];

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build/bindings.rs");
    for &(feature, dir, version, module, marker) in VERSIONS {
        println!("cargo:rerun-if-changed={dir}");
        if std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_none() {
            continue;
        }
        if let Err(message) = generate(Path::new(dir), version, module, marker, &out_dir) {
            // One clear line instead of a panic backtrace.
            println!("cargo::error={message}");
            std::process::exit(1);
        }
    }
}

fn generate(
    dir: &Path,
    version: &str,
    module: &str,
    marker: &str,
    out_dir: &Path,
) -> Result<(), String> {
    // A failed build script always runs again, so the files need watching only once they load.
    let spec = graph_csdl::load::load_dir(dir).map_err(|e| e.to_string())?;
    for file in &spec.files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let conversion = openapi::convert(&spec.document, &Options::new(version))
        .map_err(|e| format!("{}: {e}", dir.display()))?;

    let json = serde_json::to_string_pretty(&conversion.json).map_err(|e| e.to_string())?;
    write(&out_dir.join(format!("{module}.openapi.json")), &json)?;

    // JSON Schemas of the types are for the `schema` feature only.
    let target = bindings::target(module, marker)
        .with_json_schema(std::env::var_os("CARGO_FEATURE_SCHEMA").is_some());
    let code = graph_csdl::codegen::generate(&conversion, &target)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&out_dir.join(format!("{module}.rs")), &code)
}

/// Write only when the content changed, so dependents are not rebuilt for nothing.
fn write(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}
