//! Contained collections below annotated complex properties (`…/conditions/applications/includeApplications`),
//! converted from the synthetic `tests/data/polymorphic-entities.csdl.xml`.

#[path = "support/polymorphic_entities.rs"]
mod polymorphic_entities;

use graph_csdl::CsdlError;
use graph_csdl::openapi::Conversion;
use polymorphic_entities::{SPEC, conversion, op, operations_where};
use serde_json::{Value, json};

const APPS: &str = "/identity/flows/{id}/conditions/applications/includeApplications";

fn path_parameters(op: &Value) -> Vec<&str> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "path")
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

fn paths(c: &Conversion, needle: &str) -> Vec<String> {
    operations_where(c, |p| p.contains(needle))
}

#[test]
fn a_contained_collection_below_an_annotated_property_gets_its_operations() {
    let c = conversion(SPEC).unwrap();
    assert_eq!(
        paths(&c, "/includeApplications"),
        [
            format!("DELETE {APPS}/{{appId}}"),
            format!("GET {APPS}"),
            format!("GET {APPS}/{{appId}}"),
            format!("POST {APPS}"),
        ],
        "only the flow's conditions are annotated; no PATCH of a type that has only its key"
    );
    let list = op(&c, "get", APPS);
    assert_eq!(list["operationId"], "list_flow_include_applications");
    assert_eq!(path_parameters(list), ["id"]);
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/conditionApplicationCollectionResponse" })
    );
    assert!(list["x-ms-pageable"].is_object());
    let create = op(&c, "post", APPS);
    assert_eq!(create["operationId"], "create_flow_include_application");
    let app = json!({ "$ref": "#/components/schemas/conditionApplication" });
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"],
        app
    );
    assert_eq!(
        create["responses"]["201"]["content"]["application/json"]["schema"],
        app
    );
    let item = format!("{APPS}/{{appId}}");
    let get = op(&c, "get", &item);
    assert_eq!(get["operationId"], "get_flow_include_application");
    assert_eq!(path_parameters(get), ["id", "appId"]);
    let delete = op(&c, "delete", &item);
    assert_eq!(delete["operationId"], "delete_flow_include_application");
    assert_eq!(path_parameters(delete), ["id", "appId"]);
    assert!(delete["responses"]["204"].is_object());
}

#[test]
fn a_target_with_more_than_its_key_can_be_updated() {
    let text = SPEC.replace(
        "        <Property Name=\"appId\" Type=\"Edm.String\" Nullable=\"false\" />\n      </EntityType>",
        "        <Property Name=\"appId\" Type=\"Edm.String\" Nullable=\"false\" />\n        \
         <Property Name=\"note\" Type=\"Edm.String\" />\n      </EntityType>",
    );
    let c = conversion(&text).unwrap();
    let update = op(&c, "patch", &format!("{APPS}/{{appId}}"));
    assert_eq!(update["operationId"], "update_flow_include_application");
    assert_eq!(path_parameters(update), ["id", "appId"]);
}

#[test]
fn without_read_restrictions_there_is_no_path() {
    let text = SPEC.replace(
        "<Annotations Target=\"microsoft.graph.flow/conditions\">",
        "<Annotations Target=\"microsoft.graph.flow/displayName\">",
    );
    let c = conversion(&text).unwrap();
    assert!(paths(&c, "/conditions").is_empty());
}

#[test]
fn a_contained_type_needs_a_single_key() {
    let text = SPEC.replace(
        "          <PropertyRef Name=\"appId\" />\n",
        "          <PropertyRef Name=\"appId\" />\n          <PropertyRef Name=\"tenantId\" />\n",
    );
    let err = conversion(&text).unwrap_err();
    assert_eq!(
        err,
        CsdlError::model(
            "microsoft.graph.conditionsApplications/includeApplications",
            "the contained type `microsoft.graph.conditionApplication` needs a key of one property"
        )
    );
}
