//! Time of the whole generation pipeline that `build.rs` of `entra-api-connectors` runs, for each
//! checked-in spec file: CSDL parse -> OpenAPI conversion -> progenitor `Generator::generate_tokens`
//! -> `syn` parse -> prettyplease, plus the `@odata.type` enums. Target: under 200 ms per file.
//!
//! `cargo bench -p graph-csdl --bench codegen`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use graph_csdl::openapi::{self, Options, SECRET_SCHEMA};
use graph_csdl::rust::{RustPaths, polymorphic_enums, type_name};

const SPECS: &[(&str, &str, &str)] = &[
    (
        "beta",
        "beta",
        include_str!("../../../spec/beta/identity.csdl.xml"),
    ),
    (
        "v1.0",
        "v1",
        include_str!("../../../spec/v1.0/identity.csdl.xml"),
    ),
];

/// The same settings as `build.rs`.
fn generate(text: &str, version: &str, module: &str) -> String {
    let doc = graph_csdl::parse(text).expect("parse");
    let conversion = openapi::convert(&doc, &Options::new(version)).expect("convert");
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
        .expect("progenitor");
    let file: syn::File = syn::parse2(tokens).expect("generated code parses");
    let mut code = prettyplease::unparse(&file);
    let paths = RustPaths {
        types: format!("crate::{module}::types"),
        runtime: "crate::odata".into(),
    };
    code.push_str(&polymorphic_enums(&conversion.polymorphic, &paths));
    code
}

fn codegen(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(6));
    for &(version, module, text) in SPECS {
        let code = generate(text, version, module);
        assert!(
            code.contains("pub struct IdentityApiConnector"),
            "{version}: no connector type"
        );
        group.bench_function(format!("{version}/identity.csdl.xml"), |b| {
            b.iter(|| black_box(generate(black_box(text), version, module)))
        });
    }
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
