//! The JSON Schema accepts what the loader accepts and rejects unknown keys, inline passwords and
//! missing authentication.
#![cfg(feature = "schemars")]

use entra_api_connectors_desired_state::schema::json_schema;
use serde_json::json;

fn good() -> serde_json::Value {
    json!({
        "$schema": "./apiconn.schema.json",
        "tenant": "contoso.onmicrosoft.com",
        "cloud": "us-gov",
        "apiVersion": "v1.0",
        "prune": true,
        "connectors": {
            "Validate postal code": {
                "targetUrl": "https://api.contoso.com/validate",
                "authentication": {"basic": {"username": "b2c", "password": {"env": "PW"}}}
            },
            "Enrich": {
                "targetUrl": "https://api.contoso.com/enrich",
                "authentication": {"clientCertificate": {"pfx": "a.pfx", "password": {"file": "pw.txt"}}}
            }
        },
        "userFlows": {
            "B2X_1_x": {"family": "b2x", "steps": {"postFederationSignup": null, "postAttributeCollection": "Enrich"}}
        }
    })
}

#[test]
fn the_schema_is_draft_2020_12_and_describes_the_format() {
    let schema = json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["title"],
        "API connectors and user-flow bindings of one tenant"
    );
    assert_eq!(schema["required"], json!(["tenant", "apiVersion"]));
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(
        validator.is_valid(&good()),
        "{:?}",
        validator
            .iter_errors(&good())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    // The loader's own example file is valid too (read as YAML, checked as JSON).
    let minimal = json!({"tenant": "t.example", "apiVersion": "beta"});
    assert!(validator.is_valid(&minimal));
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = jsonschema::draft202012::new(&json_schema()).unwrap();
    let mut cases = Vec::new();
    let mut v = good();
    v["tenantId"] = json!("x");
    cases.push(("unknown top-level key", v));
    let mut v = good();
    v["connectors"]["Enrich"]["timeout"] = json!(3);
    cases.push(("unknown connector key", v));
    let mut v = good();
    v["connectors"]["Validate postal code"]["authentication"]["basic"]["password"] =
        json!("inline");
    cases.push(("inline password", v));
    let mut v = good();
    v["connectors"]["Validate postal code"]["authentication"] = json!({
        "basic": {"username": "b2c", "password": {"env": "PW"}},
        "clientCertificate": {"pfx": "a.pfx", "password": {"env": "PW"}}
    });
    cases.push(("two authentications", v));
    let mut v = good();
    v["connectors"]["Enrich"]["authentication"]["clientCertificate"]["password"] =
        json!({"env": "A", "file": "b"});
    cases.push(("two references", v));
    let mut v = good();
    v["userFlows"]["B2X_1_x"]["steps"]["postSignIn"] = json!(null);
    cases.push(("unknown step", v));
    let mut v = good();
    v["apiVersion"] = json!("v2");
    cases.push(("unknown version", v));
    let mut v = good();
    v["userFlows"]["B2X_1_x"]["family"] = json!("b2b");
    cases.push(("unknown family", v));
    let mut v = good();
    v.as_object_mut().unwrap().remove("tenant");
    cases.push(("no tenant", v));
    for (what, value) in cases {
        assert!(!validator.is_valid(&value), "{what} accepted");
    }
}
