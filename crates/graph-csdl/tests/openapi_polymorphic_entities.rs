//! Polymorphism on an entity type: a root whose item type is abstract with derived entity types,
//! converted from the synthetic `tests/data/polymorphic-entities.csdl.xml`.

#[path = "support/polymorphic_entities.rs"]
mod polymorphic_entities;

use graph_csdl::openapi::{Conversion, Polymorphic};
use graph_csdl::rust::{RustPaths, polymorphic_enums};
use polymorphic_entities::{SPEC, conversion};
use serde_json::{Value, json};

fn schema<'a>(c: &'a Conversion, name: &str) -> &'a Value {
    let v = &c.json["components"]["schemas"][name];
    assert!(v.is_object(), "no schema {name}");
    v
}

fn body(op: &Value) -> &Value {
    &op["requestBody"]["content"]["application/json"]["schema"]
}

fn response<'a>(op: &'a Value, status: &str) -> &'a Value {
    &op["responses"][status]["content"]["application/json"]["schema"]
}

fn poly<'a>(c: &'a Conversion, name: &str) -> &'a Polymorphic {
    c.polymorphic
        .iter()
        .find(|p| p.schema == name)
        .unwrap_or_else(|| panic!("{name} is not polymorphic: {:?}", c.polymorphic))
}

#[test]
fn an_abstract_entity_root_reads_and_writes_the_tagged_enum() {
    let c = conversion(SPEC).unwrap();
    let tagged = json!({ "$ref": "#/components/schemas/extension" });
    let paths = &c.json["paths"];
    // a list is a page of the tagged enum
    let list = &paths["/identity/extensions"]["get"];
    assert_eq!(list["operationId"], "list_extensions");
    assert_eq!(
        response(list, "200"),
        &json!({ "$ref": "#/components/schemas/extensionCollectionResponse" })
    );
    assert_eq!(
        schema(&c, "extensionCollectionResponse")["properties"]["value"],
        json!({ "type": "array", "items": tagged })
    );
    // create and update take it (Graph requires `@odata.type` on both), create and get return it
    let create = &paths["/identity/extensions"]["post"];
    assert_eq!(create["operationId"], "create_extension");
    assert_eq!(body(create), &tagged);
    assert_eq!(response(create, "201"), &tagged);
    let item = &paths["/identity/extensions/{id}"];
    assert_eq!(response(&item["get"], "200"), &tagged);
    assert_eq!(item["patch"]["operationId"], "update_extension");
    assert_eq!(body(&item["patch"]), &tagged);
    assert!(item["patch"]["responses"]["204"].is_object());
    assert_eq!(item["delete"]["operationId"], "delete_extension");
}

#[test]
fn the_variants_are_the_concrete_derived_entity_types() {
    let c = conversion(SPEC).unwrap();
    // abstract `extension` (below the abstract `callout`): only the concrete types are variants,
    // and a missing `@odata.type` has no default
    assert_eq!(
        poly(&c, "extension"),
        &Polymorphic {
            schema: "extension".into(),
            qualified_name: "microsoft.graph.extension".into(),
            variants: vec![
                (
                    "#microsoft.graph.startExtension".into(),
                    "startExtension".into()
                ),
                (
                    "#microsoft.graph.submitExtension".into(),
                    "submitExtension".into()
                ),
            ],
            default_variant: None,
        }
    );
    let base = schema(&c, "extension");
    assert_eq!(base["discriminator"]["propertyName"], "@odata.type");
    assert_eq!(
        base["discriminator"]["mapping"]["#microsoft.graph.submitExtension"],
        "#/components/schemas/submitExtension"
    );
    assert_eq!(base["oneOf"].as_array().unwrap().len(), 2);
    assert_eq!(
        base["oneOf"][1]["allOf"][1]["properties"]["@odata.type"]["enum"],
        json!(["#microsoft.graph.submitExtension"])
    );
    // no schema for the abstract intermediate `callout`: nothing references it
    assert!(c.json["components"]["schemas"].get("callout").is_none());
    // one derived type is still a tagged enum of one variant
    assert_eq!(
        poly(&c, "flow").variants,
        [(
            "#microsoft.graph.signUpFlow".to_string(),
            "signUpFlow".to_string()
        )]
    );
}

#[test]
fn a_variant_flattens_every_inherited_property_and_requires_none() {
    let c = conversion(SPEC).unwrap();
    let submit = schema(&c, "submitExtension");
    let mut names: Vec<&String> = submit["properties"].as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        ["claims", "conditions", "displayName", "endpoint", "id"]
    );
    // entity properties are never required, not even the key or a non-nullable one
    assert!(submit.get("required").is_none(), "{submit}");
    assert!(schema(&c, "signUpFlow").get("required").is_none());
    assert_eq!(
        schema(&c, "signUpFlow")["properties"]["displayName"],
        json!({ "type": "string" })
    );
    // a polymorphic complex property of an entity variant is its own tagged enum
    assert_eq!(
        submit["properties"]["endpoint"],
        json!({ "$ref": "#/components/schemas/endpoint" })
    );
    assert_eq!(
        poly(&c, "endpoint").variants,
        [(
            "#microsoft.graph.httpEndpoint".to_string(),
            "httpEndpoint".to_string()
        )]
    );
    // handler bases of the derived flow: abstract complex types with their concrete variants
    assert_eq!(
        poly(&c, "handler").variants,
        [(
            "#microsoft.graph.extensionHandler".to_string(),
            "extensionHandler".to_string()
        )]
    );
    // a navigation property inside a handler is an ordinary property of the target's schema
    assert_eq!(
        schema(&c, "extensionHandler")["properties"]["extension"],
        json!({ "$ref": "#/components/schemas/startExtension" })
    );
}

#[test]
fn the_rust_enum_of_an_entity_keeps_unknown_types() {
    let c = conversion(SPEC).unwrap();
    let paths = RustPaths {
        types: "crate::v1::types".into(),
        runtime: "crate::odata".into(),
        json_schema: false,
    };
    let code = polymorphic_enums(&c.polymorphic, &paths);
    for needle in [
        "pub enum Extension {",
        "StartExtension(crate::v1::types::StartExtension),",
        "SubmitExtension(crate::v1::types::SubmitExtension),",
        "Unknown(crate::odata::UnknownType),",
        "::std::option::Option::Some(\"microsoft.graph.submitExtension\") => tagged.into_variant().map(Self::SubmitExtension),",
        "Self::StartExtension(v) => crate::odata::serialize_tagged(\"#microsoft.graph.startExtension\", v, serializer),",
        "pub enum Flow {",
        "pub enum Handler {",
    ] {
        assert!(code.contains(needle), "missing {needle:?} in\n{code}");
    }
    // abstract bases only: a body without `@odata.type` is kept as Unknown
    assert!(!code.contains("::std::option::Option::None => tagged.into_variant()"));
}

#[test]
fn a_concrete_entity_base_is_its_own_variant_and_the_default() {
    let text = SPEC.replace(
        r#"<EntityType Name="extension" BaseType="graph.callout" Abstract="true" />"#,
        r#"<EntityType Name="extension" BaseType="graph.callout" />"#,
    );
    let c = conversion(&text).unwrap();
    let p = poly(&c, "extension");
    assert_eq!(p.variants[0].1, "extensionObject");
    assert_eq!(p.default_variant.as_deref(), Some("extensionObject"));
    assert_eq!(
        schema(&c, "extensionObject")["properties"]
            .as_object()
            .unwrap()
            .len(),
        4
    );
}

#[cfg(feature = "codegen")]
#[test]
fn progenitor_generates_the_client_of_polymorphic_entities() {
    let c = conversion(SPEC).unwrap();
    let target = graph_csdl::codegen::Target::new(
        "crate::v1",
        "crate::transport::Transport",
        "crate::Secret",
        "crate::odata",
    );
    let code = graph_csdl::codegen::generate(&c, &target)
        .unwrap()
        .replace([' ', '\n'], "");
    for needle in [
        "pubstructSubmitExtension{",
        "pubstructStartExtension{",
        "pubstructExtensionCollectionResponse{",
        "pubvalue:::std::vec::Vec<crate::v1::types::Extension>",
        "pubenumExtension{",
        "pubfnlist_extensions(&self)",
        "pubfnupdate_extension(&self)",
    ] {
        assert!(code.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn open_types_and_their_derived_types_keep_dynamic_properties() {
    let c = conversion(SPEC).unwrap();
    // `flow` is OpenType: its concrete derived type allows any other member.
    assert_eq!(schema(&c, "signUpFlow")["additionalProperties"], json!({}));
    // Types outside an open hierarchy stay closed to the generator (extra members are ignored).
    for closed in ["startExtension", "submitExtension", "attribute"] {
        assert!(
            schema(&c, closed).get("additionalProperties").is_none(),
            "{closed}"
        );
    }
}
