//! Bound actions: on the item path, on the collection path, overloaded names and actions without
//! parameters, converted from the synthetic `tests/data/polymorphic-entities.csdl.xml`.

#[path = "support/polymorphic_entities.rs"]
mod polymorphic_entities;

use graph_csdl::openapi::Conversion;
use polymorphic_entities::{SPEC, conversion};
use serde_json::{Value, json};

fn post<'a>(c: &'a Conversion, path: &str) -> &'a Value {
    let op = &c.json["paths"][path]["post"];
    assert!(op.is_object(), "no POST {path}");
    op
}

fn parameters(op: &Value) -> Vec<String> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["in"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_action_bound_to_the_collection_is_a_post_on_the_collection_path() {
    let c = conversion(SPEC).unwrap();
    let op = post(&c, "/identity/extensions/validateConfiguration");
    assert_eq!(
        op["operationId"], "validate_extensions_configuration",
        "plural: bound to the collection"
    );
    // no key in the path
    assert!(parameters(op).is_empty(), "{:?}", parameters(op));
    assert_eq!(op["requestBody"]["required"], true);
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/validateConfigurationRequest" })
    );
    assert_eq!(
        c.json["components"]["schemas"]["validateConfigurationRequest"],
        json!({
            "type": "object",
            "description": "Parameters of the `microsoft.graph.validateConfiguration` action.",
            "required": ["endpoint"],
            "properties": { "endpoint": { "$ref": "#/components/schemas/endpoint" } },
        })
    );
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/validation" })
    );
}

#[test]
fn an_action_without_parameters_takes_no_body() {
    let c = conversion(SPEC).unwrap();
    let op = post(&c, "/identity/extensions/{id}/validateConfiguration");
    assert_eq!(
        op["operationId"], "validate_extension_configuration",
        "singular: bound to the item"
    );
    assert_eq!(parameters(op), ["path id"]);
    assert!(op.get("requestBody").is_none(), "{op}");
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "$ref": "#/components/schemas/validation" })
    );
}

#[test]
fn an_action_that_is_not_overloaded_keeps_its_name() {
    let c = conversion(SPEC).unwrap();
    let op = post(&c, "/identity/extensions/{id}/archive");
    assert_eq!(op["operationId"], "archive");
    assert_eq!(
        c.json["components"]["schemas"]["archiveRequest"]["properties"]["reason"],
        json!({ "type": "string" })
    );
    // no return type: 204
    assert!(op["responses"]["204"].is_object());
    // the roots' operations in path order: each root's own, then its actions, then its references
    let ops: Vec<&str> = c.operations.iter().map(String::as_str).collect();
    assert_eq!(
        &ops[..8],
        [
            "list_extensions",
            "create_extension",
            "get_extension",
            "update_extension",
            "delete_extension",
            "validate_extension_configuration",
            "archive",
            "validate_extensions_configuration",
        ]
    );
    // an action bound to a type outside the roots gets no path
    assert!(
        !c.json["paths"]
            .as_object()
            .unwrap()
            .keys()
            .any(|p| p.starts_with("/identity/flows") && p.ends_with("Configuration"))
    );
}

#[test]
fn overloads_with_parameters_get_bodies_of_their_own() {
    let text = SPEC.replace(
        "        <Parameter Name=\"bindingParameter\" Type=\"graph.extension\" />\n        <ReturnType Type=\"graph.validation\" />",
        "        <Parameter Name=\"bindingParameter\" Type=\"graph.extension\" />\n        <Parameter Name=\"strict\" Type=\"Edm.Boolean\" />\n        <ReturnType Type=\"graph.validation\" />",
    );
    let c = conversion(&text).unwrap();
    let schemas = &c.json["components"]["schemas"];
    assert_eq!(
        post(&c, "/identity/extensions/{id}/validateConfiguration")["requestBody"]["content"]["application/json"]
            ["schema"],
        json!({ "$ref": "#/components/schemas/validateConfigurationRequest" })
    );
    assert_eq!(
        schemas["validateConfigurationRequest"]["properties"]["strict"],
        json!({ "type": "boolean", "nullable": true })
    );
    assert_eq!(
        post(&c, "/identity/extensions/validateConfiguration")["requestBody"]["content"]["application/json"]
            ["schema"],
        json!({ "$ref": "#/components/schemas/validateExtensionsConfigurationRequest" })
    );
    assert!(
        schemas["validateExtensionsConfigurationRequest"]["properties"]["endpoint"].is_object()
    );
}

#[test]
fn a_one_word_overloaded_action_appends_its_binding() {
    let text = SPEC.replace("Name=\"validateConfiguration\"", "Name=\"validate\"");
    let c = conversion(&text).unwrap();
    assert_eq!(
        post(&c, "/identity/extensions/{id}/validate")["operationId"],
        "validate_extension"
    );
    assert_eq!(
        post(&c, "/identity/extensions/validate")["operationId"],
        "validate_extensions"
    );
}
