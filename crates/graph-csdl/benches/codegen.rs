//! Time of the whole generation pipeline that `build.rs` of `entra-api-connectors` runs, for each
//! checked-in spec file: CSDL parse -> OpenAPI conversion -> progenitor `Generator::generate_tokens`
//! -> `syn` parse -> prettyplease, plus the `@odata.type` enums. Target: under 200 ms per file.
//!
//! `cargo bench -p graph-csdl --features codegen --bench codegen`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use graph_csdl::codegen::Target;
use graph_csdl::openapi::{self, Options};

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

/// The progenitor settings of `build.rs` (its binding table is the client crate's).
fn generate(text: &str, version: &str, module: &str) -> String {
    let doc = graph_csdl::parse(text).expect("parse");
    let conversion = openapi::convert(&doc, &Options::new(version)).expect("convert");
    let target = Target::new(
        &format!("crate::{module}"),
        "crate::transport::Transport",
        "crate::Secret",
        "crate::odata",
    )
    .with_json_schema(true);
    graph_csdl::codegen::generate(&conversion, &target).expect("codegen")
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
