//! Inputs that made the parser or the OpenAPI conversion crash or run for a very long time, found
//! while fuzzing (`fuzz/`, targets `csdl`, with `-timeout=10`). Each must now give an answer, fast.

use std::time::{Duration, Instant};

use graph_csdl::model::Index;
use graph_csdl::openapi::{Options, convert, validate};
use graph_csdl::{CsdlError, parse};

const HEAD: &str = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\
    <edmx:DataServices>";
const SCHEMA: &str = "<Schema Namespace=\"microsoft.graph\" Alias=\"graph\" \
    xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">";
const TAIL: &str = "</edmx:DataServices></edmx:Edmx>";

/// Far more than enough for linear work in a debug build; the quadratic versions took minutes.
const BOUND: Duration = Duration::from_secs(20);

/// 200 000 nested `<Collection>` in an annotation overflowed the stack when the value was dropped.
#[test]
fn deeply_nested_annotation_is_rejected_not_a_stack_overflow() {
    let depth = 200_000;
    let src = format!(
        "{HEAD}{SCHEMA}<EntityType Name=\"x\"><Annotation Term=\"a.b\">{}{}</Annotation>\
         </EntityType></Schema>{TAIL}",
        "<Collection>".repeat(depth),
        "</Collection>".repeat(depth)
    );
    match parse(&src) {
        Err(CsdlError::Structure { message, .. }) => {
            assert!(message.contains("nested deeper than 256"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// Nesting as deep as real metadata ever goes still parses, and the value is kept.
#[test]
fn nesting_within_the_limit_parses() {
    let depth = 200;
    let src = format!(
        "{HEAD}{SCHEMA}<EntityType Name=\"x\"><Annotation Term=\"a.b\">{}{}</Annotation>\
         </EntityType></Schema>{TAIL}",
        "<Collection>".repeat(depth),
        "</Collection>".repeat(depth)
    );
    let doc = parse(&src).unwrap();
    assert_eq!(doc.schemas[0].types[0].annotations[0].term, "a.b");
}

/// A chain of 20 000 types, each deriving from the previous, made the inheritance-cycle check
/// walk every chain from every type (quadratic).
#[test]
fn long_inheritance_chain_validates_in_linear_time() {
    let n = 20_000;
    let mut body = String::from(
        "<EntityType Name=\"t0\"><Key><PropertyRef Name=\"id\"/></Key>\
         <Property Name=\"id\" Type=\"Edm.String\"/></EntityType>",
    );
    for i in 1..n {
        body.push_str(&format!(
            "<EntityType Name=\"t{i}\" BaseType=\"graph.t{}\"/>",
            i - 1
        ));
    }
    let src = format!("{HEAD}{SCHEMA}{body}</Schema>{TAIL}");
    let started = Instant::now();
    let doc = parse(&src).unwrap();
    validate(&Index::new(&doc)).unwrap();
    let _ = convert(&doc, &Options::new("beta"));
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
}

/// A cycle at the end of a long chain is still reported, for the first type that leads into it.
#[test]
fn cycle_behind_a_long_chain_is_still_found() {
    let n = 1_000;
    let mut body = String::from("<EntityType Name=\"t0\" BaseType=\"graph.t1\"/>");
    for i in 1..n {
        body.push_str(&format!(
            "<EntityType Name=\"t{i}\" BaseType=\"graph.t{}\"/>",
            (i + 1) % n
        ));
    }
    let src = format!("{HEAD}{SCHEMA}{body}</Schema>{TAIL}");
    let doc = parse(&src).unwrap();
    match validate(&Index::new(&doc)) {
        Err(e) => assert!(e.to_string().contains("inheritance cycle"), "{e}"),
        Ok(()) => panic!("cycle not found"),
    }
}

/// 5 000 schema aliases and 20 000 property types: alias resolution compared every name with
/// every alias (quadratic).
#[test]
fn many_aliases_resolve_in_linear_time() {
    let mut src = String::from(HEAD);
    for i in 0..5_000 {
        src.push_str(&format!(
            "<Schema Namespace=\"ns{i}\" Alias=\"a{i}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\"/>"
        ));
    }
    src.push_str(SCHEMA);
    src.push_str("<EntityType Name=\"y\">");
    for i in 0..20_000 {
        src.push_str(&format!("<Property Name=\"p{i}\" Type=\"a4999.q\"/>"));
    }
    src.push_str("<Property Name=\"c\" Type=\"Collection(graph.y)\"/>");
    src.push_str(&format!("</EntityType></Schema>{TAIL}"));
    let started = Instant::now();
    let doc = parse(&src).unwrap();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let y = &doc.schemas[5_000].types[0];
    assert_eq!(y.properties[0].type_ref.name, "ns4999.q");
    assert_eq!(y.properties[20_000].type_ref.name, "microsoft.graph.y");
    assert!(y.properties[20_000].type_ref.collection);
}
