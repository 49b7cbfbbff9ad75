//! The exported JSON Schemas, checked with an independent validator (the `jsonschema` crate) against
//! the documented Graph bodies in `tests/fixtures/graph/` and against broken variants of them.

mod support;

use std::path::Path;

use entra_api_connectors::certificate::{testing, unix_now};
use entra_api_connectors::connectors::{Authentication, ConnectorPatch, Patch, Pkcs12Upload};
use entra_api_connectors::schema;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use support::fixture;

/// The exported schema `group/stem`, compiled for draft 2020-12.
fn validator(group: &str, stem: &str) -> jsonschema::Validator {
    let path = format!("{group}/{stem}.schema.json");
    let file = schema::files()
        .unwrap()
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path}"));
    let value: Value = serde_json::from_str(&file.contents).unwrap();
    assert_eq!(value["$schema"], schema::DRAFT_2020_12);
    jsonschema::draft202012::new(&value)
        .unwrap_or_else(|e| panic!("{path} is not a valid schema: {e}"))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors = errors(v, doc);
    assert!(errors.is_empty(), "{what} should be valid: {errors:?}");
}

fn assert_invalid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    assert!(!v.is_valid(doc), "{what} should be rejected");
}

#[test]
fn export_is_deterministic_and_matches_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let written_a = schema::export(a.path()).unwrap();
    let written_b = schema::export(b.path()).unwrap();
    assert_eq!(written_a.len(), written_b.len());
    let files = schema::files().unwrap();
    assert_eq!(files.len(), written_a.len());
    for file in &files {
        let bytes_a = std::fs::read(a.path().join(&file.path)).unwrap();
        let bytes_b = std::fs::read(b.path().join(&file.path)).unwrap();
        assert_eq!(
            bytes_a, bytes_b,
            "{} differs between two exports",
            file.path
        );
        assert_eq!(bytes_a, file.contents.as_bytes());
    }
    // the index names every schema and OpenAPI file, and only those
    let index: Value =
        serde_json::from_slice(&std::fs::read(a.path().join("index.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = Vec::new();
    for group in index["groups"].as_object().unwrap().values() {
        listed.extend(
            group["schemas"]
                .as_object()
                .unwrap()
                .values()
                .map(|p| p.as_str().unwrap().to_string()),
        );
        if let Some(openapi) = group.get("openapi") {
            listed.extend(
                openapi
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|p| p.as_str().unwrap().to_string()),
            );
        }
    }
    listed.sort();
    let mut expected: Vec<String> = files
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| p != "index.json")
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    for version in ["beta", "v1.0"] {
        for stem in [
            "identityApiConnector",
            "apiAuthenticationConfigurationBase",
            "basicAuthentication",
            "pkcs12Certificate",
            "clientCertificateAuthentication",
            "pkcs12CertificateInformation",
            "userFlowApiConnectorConfiguration",
            "connectorPatch",
            "ODataError",
        ] {
            assert!(
                expected.contains(&format!("{version}/{stem}.schema.json")),
                "{version}/{stem}"
            );
        }
    }
}

#[test]
fn every_exported_schema_is_valid_draft_2020_12() {
    for file in schema::files().unwrap() {
        if file.path.ends_with(".schema.json") {
            let value: Value = serde_json::from_str(&file.contents).unwrap();
            jsonschema::meta::validate(&value).unwrap_or_else(|e| panic!("{}: {e}", file.path));
            jsonschema::draft202012::new(&value).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        }
    }
}

#[test]
fn openapi_yaml_is_the_json_document() {
    for version in ["beta", "v1.0"] {
        let files = schema::files().unwrap();
        let get = |name: &str| {
            files
                .iter()
                .find(|f| f.path == format!("{version}/{name}"))
                .unwrap()
                .contents
                .clone()
        };
        let json: Value = serde_json::from_str(&get("openapi.json")).unwrap();
        let yaml: Value = serde_norway::from_str(&get("openapi.yaml")).unwrap();
        assert_eq!(json, yaml);
        assert!(json["openapi"].as_str().unwrap().starts_with("3.0"));
        // the document's own key order is kept
        let top_keys = |doc: serde_norway::Value| -> Vec<String> {
            doc.as_mapping()
                .unwrap()
                .keys()
                .map(|k| k.as_str().unwrap().to_string())
                .collect()
        };
        let json_order: serde_norway::Value = serde_json::from_str(&get("openapi.json")).unwrap();
        let yaml_order: serde_norway::Value = serde_norway::from_str(&get("openapi.yaml")).unwrap();
        assert_eq!(top_keys(json_order), top_keys(yaml_order));
    }
}

#[test]
fn documented_connector_bodies_are_valid() {
    for (version, suffix) in [("beta", "beta"), ("v1.0", "v1")] {
        let connector = validator(version, "identityApiConnector");
        let mut names = vec![
            "create_api_connector_basic_request.json".to_string(),
            "create_api_connector_pkcs12_request.json".into(),
        ];
        for stem in [
            "create_api_connector_basic_response",
            "create_api_connector_certificate_response",
            "get_api_connector_basic",
            "get_api_connector_certificate",
            "get_api_connector_after_switch_to_certificate",
            "upload_client_certificate_response",
            "api_connector_unknown_auth_type",
        ] {
            names.push(format!("{stem}_{suffix}.json"));
        }
        for name in &names {
            assert_valid(&connector, &fixture(name), name);
        }
        for page in [
            format!("list_api_connectors_page1_{suffix}.json"),
            format!("list_api_connectors_last_page_{suffix}.json"),
        ] {
            let items = fixture(&page)["value"].as_array().unwrap().clone();
            assert!(!items.is_empty());
            for item in items {
                assert_valid(&connector, &item, &page);
            }
        }
        let configuration = validator(version, "userFlowApiConnectorConfiguration");
        for name in [
            format!("api_connector_configuration_expanded_{suffix}.json"),
            format!("api_connector_configuration_unexpanded_{suffix}.json"),
        ] {
            assert_valid(&configuration, &fixture(&name), &name);
        }
        let upload = validator(version, "uploadClientCertificateRequest");
        assert_valid(
            &upload,
            &fixture("upload_client_certificate_request.json"),
            "upload request",
        );
        assert_invalid(
            &upload,
            &json!({ "password": "x" }),
            "upload without pkcs12Value",
        );

        let error = validator(version, "ODataError");
        for name in [
            "error_b2c_certificate_password.json",
            "error_b2c_forbidden.json",
            "error_bad_request_ref.json",
            "error_forbidden_insufficient_privileges.json",
            "error_not_found.json",
            "error_throttled.json",
            "error_unauthorized.json",
        ] {
            assert_valid(&error, &fixture(name), name);
        }
        assert_invalid(
            &error,
            &json!({ "error": { "message": "no code" } }),
            "error without code",
        );
        assert_invalid(
            &error,
            &json!({ "code": "x", "message": "not wrapped" }),
            "error not under `error`",
        );
    }
    let beta_configuration = validator("beta", "userFlowApiConnectorConfiguration");
    let name = "api_connector_configuration_expanded_b2c_beta.json";
    assert_valid(&beta_configuration, &fixture(name), name);
}

#[test]
fn broken_connector_bodies_are_rejected() {
    for version in ["beta", "v1.0"] {
        let connector = validator(version, "identityApiConnector");

        // a pkcs12 certificate without its @odata.type: the base type is abstract
        let mut doc = fixture("create_api_connector_pkcs12_request.json");
        doc["authenticationConfiguration"]
            .as_object_mut()
            .unwrap()
            .remove("@odata.type");
        assert_invalid(&connector, &doc, "pkcs12 without @odata.type");
        // the same with the tag, with or without the leading '#', is valid
        doc["authenticationConfiguration"]["@odata.type"] =
            json!("microsoft.graph.pkcs12Certificate");
        assert_valid(&connector, &doc, "pkcs12 tagged without '#'");

        // a known tag with the wrong shape is not taken for an unknown type
        let mut doc = fixture(&format!(
            "get_api_connector_certificate_{}.json",
            if version == "beta" { "beta" } else { "v1" }
        ));
        doc["authenticationConfiguration"]["certificateList"][0]["notAfter"] =
            json!("2034-01-15T00:00:00Z");
        assert_invalid(&connector, &doc, "notAfter as a string");
        let mut doc = fixture("create_api_connector_basic_request.json");
        doc["authenticationConfiguration"]["username"] = json!(42);
        assert_invalid(&connector, &doc, "username as a number");

        // targetUrl must be an https URL
        let mut doc = fixture("create_api_connector_basic_request.json");
        doc["targetUrl"] = json!("http://api.contoso-test.example/signup");
        assert_invalid(&connector, &doc, "http targetUrl");
        doc["targetUrl"] = json!(7);
        assert_invalid(&connector, &doc, "numeric targetUrl");

        // an unknown type must still name itself
        assert_invalid(
            &connector,
            &json!({ "authenticationConfiguration": { "clientId": "x" } }),
            "untagged unknown",
        );
        assert_valid(
            &connector,
            &json!({ "authenticationConfiguration": { "@odata.type": "#microsoft.graph.somethingNew", "x": 1 } }),
            "tagged unknown",
        );
    }
}

#[test]
fn schemas_agree_with_the_rust_types_on_the_fixtures() {
    use entra_api_connectors::v1::types;
    let connector = validator("v1.0", "identityApiConnector");
    for name in [
        "get_api_connector_certificate_v1.json",
        "api_connector_unknown_auth_type_v1.json",
        "create_api_connector_basic_request.json",
    ] {
        let doc = fixture(name);
        assert!(connector.is_valid(&doc));
        let typed: types::IdentityApiConnector = serde_json::from_value(doc).unwrap();
        // what the type writes back is valid too
        assert_valid(&connector, &serde_json::to_value(&typed).unwrap(), name);
    }
    let mut doc = fixture("get_api_connector_certificate_v1.json");
    doc["authenticationConfiguration"]["certificateList"][0]["notAfter"] = json!("soon");
    assert!(!connector.is_valid(&doc));
    assert!(
        serde_json::from_value::<types::IdentityApiConnector>(doc).is_err(),
        "serde rejects it as well"
    );
}

#[test]
fn secrets_are_write_only_and_target_url_is_https() {
    let file = schema::files()
        .unwrap()
        .into_iter()
        .find(|f| f.path == "v1.0/identityApiConnector.schema.json")
        .unwrap();
    let value: Value = serde_json::from_str(&file.contents).unwrap();
    assert_eq!(value["properties"]["targetUrl"]["format"], "uri");
    assert_eq!(value["properties"]["targetUrl"]["pattern"], "^https://");
    assert_eq!(
        value["$defs"]["BasicAuthentication"]["properties"]["password"]["writeOnly"],
        true
    );
    assert_eq!(
        value["$defs"]["Pkcs12Certificate"]["properties"]["pkcs12Value"]["writeOnly"],
        true
    );
    assert_eq!(
        value["$defs"]["Pkcs12Certificate"]["properties"]["password"]["writeOnly"],
        true
    );
    assert!(
        value["$defs"]["BasicAuthentication"]["properties"]["username"]
            .get("writeOnly")
            .is_none()
    );
}

#[test]
fn patch_schema_accepts_what_the_encoder_sends_and_nothing_else() {
    for version in ["beta", "v1.0"] {
        let patch = validator(version, "connectorPatch");
        for name in [
            "update_api_connector_request.json",
            "update_api_connector_to_certificate_request.json",
        ] {
            assert_valid(&patch, &fixture(name), name);
        }
        // real bodies from ConnectorPatch::to_body
        let now = unix_now();
        let id = testing::self_signed("api.contoso.example", now - 60, now + 86_400);
        let password = SecretString::from("pfx-pass");
        let pfx = testing::pack(
            &password,
            Some(id.private_key_der.expose_secret()),
            &[&id.certificate_der],
        );
        let bodies = [
            ConnectorPatch {
                display_name: Patch::Set("New name".into()),
                ..Default::default()
            },
            ConnectorPatch {
                target_url: Patch::Set("https://new.example/api".into()),
                display_name: Patch::Null,
                ..Default::default()
            },
            ConnectorPatch {
                authentication: Patch::Set(Authentication::basic("svc", SecretString::from("pw"))),
                ..Default::default()
            },
            ConnectorPatch {
                authentication: Patch::Set(Authentication::Certificate(
                    Pkcs12Upload::from_bytes(&pfx, password.clone()).unwrap(),
                )),
                ..Default::default()
            },
            ConnectorPatch {
                display_name: Patch::Null,
                target_url: Patch::Null,
                authentication: Patch::Null,
            },
        ];
        for body in &bodies {
            let encoded = body.to_body().unwrap();
            assert_valid(&patch, &encoded, &format!("{encoded:#}"));
        }
        assert_invalid(&patch, &json!({}), "empty patch (the encoder refuses it)");
        assert_invalid(&patch, &json!({ "id": "x" }), "id is not patched");
        assert_invalid(
            &patch,
            &json!({ "displayName": 5 }),
            "displayName as a number",
        );
        assert_invalid(
            &patch,
            &json!({ "targetUrl": "http://insecure.example" }),
            "http targetUrl",
        );
        let mut doc = fixture("update_api_connector_to_certificate_request.json");
        doc["authenticationConfiguration"]
            .as_object_mut()
            .unwrap()
            .remove("@odata.type");
        assert_invalid(&patch, &doc, "certificate without @odata.type");
    }
}

#[test]
fn contract_bodies_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/contract/tests/fixtures");
    let request = validator("contract", "connectorRequest");
    let response = validator("contract", "connectorResponse");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            // `custom-extensions/` holds the custom authentication extensions' bodies: another contract.
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if name == "request_pre_token_application_claims.json" {
            // The parser also accepts the older spelling `PreTokenApplicationClaims` (a serde alias);
            // the derived schema lists only the documented spelling: schemars ignores aliases.
            continue;
        }
        if name.starts_with("request_") {
            assert_valid(&request, &doc, &name);
            checked += 1;
        } else if name.starts_with("response_") {
            assert_valid(&response, &doc, &name);
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
    assert_invalid(
        &response,
        &json!({ "version": "1.0.0", "action": "Explode" }),
        "unknown action",
    );
}

#[test]
fn the_readme_example_connector_yaml_validates() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/schemas");
    let read = |name: &str| -> Value {
        serde_norway::from_str(&std::fs::read_to_string(examples.join(name)).unwrap()).unwrap()
    };
    let connector = validator("v1.0", "identityApiConnector");
    assert_valid(
        &connector,
        &read("connector.yaml"),
        "examples/schemas/connector.yaml",
    );
    let broken = read("connector-plain-http.yaml");
    let errors = errors(&connector, &broken);
    assert!(
        errors.iter().any(|e| e.starts_with("/targetUrl")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/authenticationConfiguration")),
        "{errors:?}"
    );
}
