//! Referenceable navigation properties reached through derived types (cast segments) and
//! referenceable collections, converted from the synthetic `tests/data/polymorphic-entities.csdl.xml`.

#[path = "support/polymorphic_entities.rs"]
mod polymorphic_entities;

use graph_csdl::CsdlError;
use graph_csdl::openapi::Conversion;
use polymorphic_entities::{SPEC, conversion, op, operations_where};
use serde_json::{Value, json};

const ATTRIBUTES: &str = "/identity/flows/{id}/microsoft.graph.signUpFlow/onCollection/microsoft.graph.signUpCollection/attributes";

fn parameters(op: &Value) -> Vec<String> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}{}",
                p["in"].as_str().unwrap(),
                p["name"].as_str().unwrap(),
                if p["required"] == true { "" } else { "?" }
            )
        })
        .collect()
}

/// The paths of the conversion that start with `prefix`, with their methods.
fn paths_under(c: &Conversion, prefix: &str) -> Vec<String> {
    operations_where(c, |p| p.starts_with(prefix))
}

#[test]
fn a_referenceable_collection_on_a_derived_type_gets_list_add_and_remove() {
    let c = conversion(SPEC).unwrap();
    assert_eq!(
        paths_under(&c, "/identity/flows/{id}/microsoft.graph."),
        [
            format!("DELETE {ATTRIBUTES}/{{attributeId}}/$ref"),
            format!("GET {ATTRIBUTES}"),
            format!("POST {ATTRIBUTES}/$ref"),
        ],
        "no GET of the derived type's property, nothing for the non-referenceable `extensionHandler/extension`"
    );

    let list = op(&c, "get", ATTRIBUTES);
    assert_eq!(list["operationId"], "list_flow_attributes");
    assert_eq!(
        parameters(list),
        [
            "path id",
            "query $select?",
            "query $expand?",
            "query $filter?",
            "query $orderby?",
            "query $search?",
            "query $top?",
            "query $skip?",
            "query $count?"
        ]
    );
    assert_eq!(
        list["x-ms-pageable"],
        json!({ "nextLinkName": "@odata.nextLink", "operationName": "listMore" })
    );
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/attributeCollectionResponse" })
    );

    let add = op(&c, "post", &format!("{ATTRIBUTES}/$ref"));
    assert_eq!(add["operationId"], "add_flow_attributes_ref");
    assert_eq!(parameters(add), ["path id"]);
    assert_eq!(
        add["requestBody"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/ReferenceCreate" })
    );
    assert!(add["responses"]["204"].is_object());
    assert_eq!(
        c.json["components"]["schemas"]["ReferenceCreate"]["required"],
        json!(["@odata.id"])
    );

    // removal by key (the reference page's example); no `DELETE .../$ref?@id=`
    assert!(
        c.json["paths"][format!("{ATTRIBUTES}/$ref")]
            .get("delete")
            .is_none()
    );
    let remove = op(&c, "delete", &format!("{ATTRIBUTES}/{{attributeId}}/$ref"));
    assert_eq!(remove["operationId"], "remove_flow_attributes_ref");
    assert_eq!(parameters(remove), ["path id", "path attributeId"]);
    assert!(remove.get("requestBody").is_none());
    assert!(remove["responses"]["204"].is_object());
}

#[test]
fn a_single_valued_reference_through_a_cast_is_a_put() {
    // make the handler's navigation property referenceable (out of line)
    let text = SPEC.replace(
        "      <EntityContainer Name=\"GraphService\">",
        "      <Annotations Target=\"microsoft.graph.extensionHandler/extension\">\n        \
         <Annotation Term=\"Org.OData.Capabilities.V1.NavigationRestrictions\">\n          \
         <Record>\n            <PropertyValue Property=\"Referenceable\" Bool=\"true\" />\n          \
         </Record>\n        </Annotation>\n      </Annotations>\n      <EntityContainer Name=\"GraphService\">",
    );
    // and the handler property that holds it readable
    let text = text.replace(
        "<Annotations Target=\"microsoft.graph.signUpFlow/onCollection\">",
        "<Annotations Target=\"microsoft.graph.signUpFlow/onStart\">",
    );
    let c = conversion(&text).unwrap();
    let put = op(
        &c,
        "put",
        "/identity/flows/{id}/microsoft.graph.signUpFlow/onStart/microsoft.graph.extensionHandler/extension/$ref",
    );
    assert_eq!(put["operationId"], "set_flow_extension_ref");
    assert_eq!(
        put["requestBody"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/ReferenceUpdate" })
    );
}

#[test]
fn a_property_of_a_derived_type_needs_read_restrictions() {
    let text = SPEC.replace(
        "<Annotations Target=\"microsoft.graph.signUpFlow/onCollection\">",
        "<Annotations Target=\"microsoft.graph.signUpFlow/displayName\">",
    );
    let c = conversion(&text).unwrap();
    assert!(paths_under(&c, "/identity/flows/{id}/microsoft.graph.").is_empty());
    // a property of the item type itself needs none (the b2c user flows' apiConnectorConfiguration)
    let text = SPEC
        .replace(
            "        <Property Name=\"onCollection\" Type=\"graph.collection\" />\n",
            "",
        )
        .replace(
            "        <Property Name=\"conditions\" Type=\"graph.conditions\" />\n      </EntityType>\n      <EntityType Name=\"signUpFlow\"",
            "        <Property Name=\"conditions\" Type=\"graph.conditions\" />\n        \
             <Property Name=\"onCollection\" Type=\"graph.collection\" />\n      </EntityType>\n      <EntityType Name=\"signUpFlow\"",
        );
    let c = conversion(&text).unwrap();
    assert!(
        c.json["paths"]["/identity/flows/{id}/onCollection/microsoft.graph.signUpCollection/attributes/$ref"]
            ["post"]
            .is_object()
    );
}

#[test]
fn reference_create_is_emitted_only_when_used() {
    let text = SPEC.replace(
        "<PropertyValue Property=\"Referenceable\" Bool=\"true\" />",
        "<PropertyValue Property=\"Referenceable\" Bool=\"false\" />",
    );
    let c = conversion(&text).unwrap();
    assert!(paths_under(&c, "/identity/flows/{id}/microsoft.graph.").is_empty());
    assert!(
        c.json["components"]["schemas"]
            .get("ReferenceCreate")
            .is_none()
    );
    assert!(
        c.json["components"]["schemas"]
            .get("attributeCollectionResponse")
            .is_none()
    );
}

#[test]
fn the_same_operation_id_twice_is_an_error() {
    // a second readable property of the flow with a referenceable `attributes`
    let text = SPEC
        .replace(
            "        <Property Name=\"onCollection\" Type=\"graph.collection\" />",
            "        <Property Name=\"onCollection\" Type=\"graph.collection\" />\n        \
             <Property Name=\"onReview\" Type=\"graph.collection\" />",
        )
        .replace(
            "      <Annotations Target=\"microsoft.graph.flow/conditions\">",
            "      <Annotations Target=\"microsoft.graph.signUpFlow/onReview\">\n        \
             <Annotation Term=\"Org.OData.Capabilities.V1.ReadRestrictions\" />\n      </Annotations>\n      \
             <Annotations Target=\"microsoft.graph.flow/conditions\">",
        );
    match conversion(&text) {
        Err(err) => assert_eq!(
            err,
            CsdlError::model(
                "OpenAPI document",
                "the operation id `list_flow_attributes` would be generated twice"
            )
        ),
        Ok(c) => panic!("converted: {:?}", c.operations),
    }
}

#[cfg(feature = "codegen")]
#[test]
fn progenitor_generates_the_reference_operations() {
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
        "pubfnlist_flow_attributes(&self)",
        "pubfnadd_flow_attributes_ref(&self)",
        "pubfnremove_flow_attributes_ref(&self)",
        "pubstructReferenceCreate{",
        // the builder of the removal takes both keys
        "pubfnattribute_id<V>(mutself,value:V)",
    ] {
        assert!(code.contains(needle), "missing {needle:?}");
    }
}
