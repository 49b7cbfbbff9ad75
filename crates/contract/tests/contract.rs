//! The API connector contract, checked against the documented request and response examples
//! (fixtures under `tests/fixtures/`, written after
//! <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>,
//! <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment>,
//! <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector> and
//! <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-approvals>).

use base64::Engine as _;
use entra_api_connectors_contract::{
    Action, BasicCredentials, CONTENT_TYPE, ConnectorRequest, ConnectorResponse, Continuation,
    ContractError, Identity, RESPONSE_VERSION, Step, certificate_thumbprint_matches,
    client_certificate_matches, custom_attribute_claim_name, normalize_extensions_app_id,
    normalize_thumbprint, verify_basic_auth,
};
use secrecy::SecretString;
use serde_json::{Value, json};

const APP_ID: &str = "d3f1a9b2-c4e5-467f-8a9b-0c1d2e3f4a5b";
const APP_ID_COMPACT: &str = "d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn fixture_value(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn parse_request(name: &str) -> ConnectorRequest {
    ConnectorRequest::from_json(fixture(name)).unwrap()
}

fn as_value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

#[test]
fn post_federation_signup_request_parses_and_round_trips() {
    let request = parse_request("request_post_federation_signup.json");
    assert_eq!(request.step, Some(Step::PostFederationSignup));
    assert_eq!(
        request.email.as_deref(),
        Some("maria.lopez@mail.example.org")
    );
    assert_eq!(
        request.identities,
        vec![Identity::federated("google.com", "108251934377520981234")]
    );
    assert_eq!(request.display_name.as_deref(), Some("María López"));
    assert_eq!(request.given_name.as_deref(), Some("María"));
    assert_eq!(request.surname.as_deref(), Some("López"));
    assert_eq!(
        request.client_id.as_deref(),
        Some("5b0e2a9c-7d41-4c8e-9f3a-2e6d1c4b8a70")
    );
    assert_eq!(request.ui_locales.as_deref(), Some("es-ES"));
    // Claims the identity provider did not give are simply absent.
    assert_eq!(request.job_title, None);
    assert_eq!(request.city, None);
    assert_eq!(request.object_id, None);
    assert!(request.additional_claims.is_empty());

    assert_eq!(
        as_value(&request.to_json()),
        fixture_value("request_post_federation_signup.json")
    );
}

#[test]
fn post_attribute_collection_request_keeps_custom_attributes_in_order() {
    let request = parse_request("request_post_attribute_collection.json");
    assert_eq!(request.step, Some(Step::PostAttributeCollection));
    assert_eq!(request.job_title.as_deref(), Some("Buyer"));
    assert_eq!(request.street_address.as_deref(), Some("42 Harbour Road"));
    assert_eq!(request.city.as_deref(), Some("Cape Town"));
    assert_eq!(request.postal_code.as_deref(), Some("8001"));
    assert_eq!(request.state.as_deref(), Some("Western Cape"));
    assert_eq!(request.country.as_deref(), Some("South Africa"));
    let keys: Vec<&str> = request
        .additional_claims
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyNumber",
            "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_AcceptsMarketing",
            "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_ShoeSize",
        ]
    );
    assert_eq!(
        as_value(&request.to_json()),
        fixture_value("request_post_attribute_collection.json")
    );
    // Serialization follows the documented order: built-in claims, custom attributes, context.
    let json = request.to_json();
    let pos = |needle: &str| json.find(needle).unwrap();
    assert!(pos("\"email\"") < pos("\"country\""));
    assert!(pos("\"country\"") < pos("_LoyaltyNumber\""));
    assert!(pos("_ShoeSize\"") < pos("\"step\""));
    assert!(pos("\"step\"") < pos("\"client_id\""));
    assert!(pos("\"client_id\"") < pos("\"ui_locales\""));
}

#[test]
fn pre_token_issuance_request_carries_object_id() {
    let request = parse_request("request_pre_token_issuance.json");
    assert_eq!(request.step, Some(Step::PreTokenIssuance));
    assert_eq!(
        request.object_id.as_deref(),
        Some("6c2f9d1e-88a4-4b3f-a0d7-91e5c3b2f104")
    );
    assert_eq!(
        request.client_id.as_deref(),
        Some("0f4e8b21-93c6-4d5a-b7e2-6a1c9d3f5e08")
    );
    assert_eq!(request.given_name, None);
    assert_eq!(
        as_value(&request.to_json()),
        fixture_value("request_pre_token_issuance.json")
    );
}

#[test]
fn documented_alternative_spellings_are_accepted_and_normalized() {
    // One B2C example spells the step `PreTokenApplicationClaims` and the client `clientId`.
    let request = parse_request("request_pre_token_application_claims.json");
    assert_eq!(request.step, Some(Step::PreTokenIssuance));
    assert_eq!(
        request.client_id.as_deref(),
        Some("0f4e8b21-93c6-4d5a-b7e2-6a1c9d3f5e08")
    );
    assert!(!request.additional_claims.contains_key("clientId"));
    let out = as_value(&request.to_json());
    assert_eq!(out["client_id"], "0f4e8b21-93c6-4d5a-b7e2-6a1c9d3f5e08");
    assert_eq!(out["step"], "PreTokenIssuance");
    assert!(out.get("clientId").is_none());
    assert_eq!(
        ConnectorRequest::from_json(request.to_json()).unwrap(),
        request
    );

    // External ID's federation example spells the surname `lastName` and sends no step or client.
    let request = parse_request("request_post_federation_signup_external_id.json");
    assert_eq!(request.surname.as_deref(), Some("Mensah"));
    assert_eq!(request.step, None);
    assert_eq!(request.client_id, None);
    assert!(request.additional_claims.is_empty());
    let out = as_value(&request.to_json());
    assert_eq!(out["surname"], "Mensah");
    assert!(out.get("lastName").is_none());
    assert!(out.get("step").is_none());
    assert_eq!(
        ConnectorRequest::from_json(request.to_json()).unwrap(),
        request
    );
}

#[test]
fn local_account_request_omits_claims_without_value() {
    let request = parse_request("request_local_account_minimal.json");
    assert_eq!(
        request.identities[0].sign_in_type.as_deref(),
        Some("emailAddress")
    );
    assert_eq!(request.display_name, None);
    assert_eq!(request.given_name, None);
    assert_eq!(request.surname, None);
    let json = request.to_json();
    assert!(!json.contains("null"), "{json}");
    assert_eq!(
        as_value(&json),
        fixture_value("request_local_account_minimal.json")
    );
    let keys: Vec<String> = as_value(&json)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
}

#[test]
fn request_nulls_are_read_as_absent_and_never_written() {
    let body = json!({
        "email": "a@example.com",
        "city": null,
        "identities": [{"signInType": "emailAddress", "issuer": null, "issuerAssignedId": "a@example.com"}],
        "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_Tier": null,
        "step": null,
        "ui_locales": "de-DE"
    });
    let request = ConnectorRequest::from_json(body.to_string()).unwrap();
    assert_eq!(request.city, None);
    assert_eq!(request.step, None);
    assert_eq!(request.identities[0].issuer, None);
    assert!(request.additional_claims.is_empty());
    assert_eq!(
        as_value(&request.to_json()),
        json!({
            "email": "a@example.com",
            "identities": [{"signInType": "emailAddress", "issuerAssignedId": "a@example.com"}],
            "ui_locales": "de-DE"
        })
    );
}

#[test]
fn request_built_by_a_simulator_serializes_exactly() {
    let mut request = ConnectorRequest {
        email: Some("ana@example.com".into()),
        identities: vec![Identity::federated("facebook.com", "123")],
        given_name: Some("Ana".into()),
        step: Some(Step::PostAttributeCollection),
        client_id: Some("5b0e2a9c-7d41-4c8e-9f3a-2e6d1c4b8a70".into()),
        ui_locales: Some("pt-BR".into()),
        ..Default::default()
    };
    assert_eq!(
        request
            .set_custom_attribute(APP_ID, "Tier", "Gold")
            .unwrap(),
        None
    );
    // Entries that would duplicate a typed claim or be null are not written.
    request
        .additional_claims
        .insert("email".into(), json!("dup@example.com"));
    request
        .additional_claims
        .insert("extension_x_Empty".into(), Value::Null);
    assert_eq!(
        request.to_json(),
        concat!(
            r#"{"email":"ana@example.com","#,
            r#""identities":[{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":"123"}],"#,
            r#""givenName":"Ana","#,
            r#""extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_Tier":"Gold","#,
            r#""step":"PostAttributeCollection","#,
            r#""client_id":"5b0e2a9c-7d41-4c8e-9f3a-2e6d1c4b8a70","ui_locales":"pt-BR"}"#
        )
    );
    assert_eq!(
        request.set_custom_attribute(APP_ID, "Tier", Value::Null),
        Err(ContractError::NullClaim(
            "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_Tier".into()
        ))
    );
    assert!(matches!(
        request.set_custom_attribute("not-a-guid", "Tier", "x"),
        Err(ContractError::InvalidExtensionsAppId(_))
    ));
}

#[test]
fn invalid_request_bodies_are_rejected_with_clear_errors() {
    let err = ConnectorRequest::from_json("[1,2]").unwrap_err();
    assert!(matches!(err, ContractError::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("invalid API connector request body")
    );

    let err = ConnectorRequest::from_json(r#"{"step":"BeforeSignIn"}"#).unwrap_err();
    assert!(err.to_string().contains("BeforeSignIn"), "{err}");

    let err = ConnectorRequest::from_json(r#"{"email": 42}"#).unwrap_err();
    assert!(matches!(err, ContractError::InvalidRequest(_)), "{err:?}");

    // Both spellings of the client id at once is ambiguous.
    let err = ConnectorRequest::from_json(r#"{"client_id":"a","clientId":"b"}"#).unwrap_err();
    assert!(err.to_string().contains("duplicate field"), "{err}");

    let err = ConnectorRequest::from_json(r#"{"email":"a@example.com""#).unwrap_err();
    assert!(matches!(err, ContractError::InvalidRequest(_)), "{err:?}");
}

#[test]
fn custom_attribute_lookup_accepts_app_id_with_or_without_dashes() {
    let request = parse_request("request_post_attribute_collection.json");
    let expected = json!("LN-0042-7781");
    for app_id in [
        APP_ID,
        APP_ID_COMPACT,
        "D3F1A9B2-C4E5-467F-8A9B-0C1D2E3F4A5B",
        " d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b ",
    ] {
        assert_eq!(
            request.custom_attribute(app_id, "LoyaltyNumber"),
            Some(&expected),
            "{app_id}"
        );
    }
    // The name may already carry the prefix.
    assert_eq!(
        request.custom_attribute(
            APP_ID,
            "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyNumber"
        ),
        Some(&expected)
    );
    assert_eq!(
        request.custom_attribute(APP_ID, "extension_LoyaltyNumber"),
        Some(&expected)
    );
    assert_eq!(
        request.custom_attribute(APP_ID, "AcceptsMarketing"),
        Some(&json!(true))
    );
    assert_eq!(
        request.custom_attribute(APP_ID, "ShoeSize"),
        Some(&json!(39))
    );
    // Attribute names are case-sensitive, other apps' attributes and bad ids do not match.
    assert_eq!(request.custom_attribute(APP_ID, "loyaltynumber"), None);
    assert_eq!(request.custom_attribute(APP_ID, "Missing"), None);
    assert_eq!(
        request.custom_attribute("11111111-2222-3333-4444-555555555555", "LoyaltyNumber"),
        None
    );
    assert_eq!(
        request.custom_attribute(
            APP_ID,
            "extension_11111111222233334444555555555555_LoyaltyNumber"
        ),
        None
    );
    assert_eq!(request.custom_attribute("d3f1a9b2", "LoyaltyNumber"), None);
    assert_eq!(
        request.custom_attribute("d3f1a9b2c4e5-467f8a9b0c1d2e3f4a5b", "LoyaltyNumber"),
        None
    );
}

#[test]
fn custom_attribute_claim_names() {
    assert_eq!(
        custom_attribute_claim_name(APP_ID, "LoyaltyNumber").unwrap(),
        "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyNumber"
    );
    assert_eq!(
        custom_attribute_claim_name("D3F1A9B2C4E5467F8A9B0C1D2E3F4A5B", "extension_Tier").unwrap(),
        "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_Tier"
    );
    assert_eq!(normalize_extensions_app_id(APP_ID).unwrap(), APP_ID_COMPACT);
    for bad in [
        "",
        "xyz",
        "d3f1a9b2-c4e5-467f-8a9b-0c1d2e3f4a5",
        "g3f1a9b2c4e5467f8a9b0c1d2e3f4a5b",
    ] {
        assert_eq!(
            normalize_extensions_app_id(bad),
            Err(ContractError::InvalidExtensionsAppId(bad.into()))
        );
    }
    for bad in ["", "has space", "extension_"] {
        assert_eq!(
            custom_attribute_claim_name(APP_ID, bad),
            Err(ContractError::InvalidAttributeName(bad.into())),
            "{bad:?}"
        );
    }
    // A name that carries another app's id is refused.
    let other = "extension_11111111222233334444555555555555_Tier";
    assert_eq!(
        custom_attribute_claim_name(APP_ID, other),
        Err(ContractError::InvalidAttributeName(other.into()))
    );
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

#[test]
fn steps_parse_both_spellings_and_print_the_documented_one() {
    for step in Step::ALL {
        assert_eq!(step.as_str().parse::<Step>().unwrap(), step);
        assert_eq!(step.to_string(), step.as_str());
        assert_eq!(serde_json::to_value(step).unwrap(), json!(step.as_str()));
    }
    assert_eq!(
        "PreTokenApplicationClaims".parse::<Step>().unwrap(),
        Step::PreTokenIssuance
    );
    assert_eq!(
        serde_json::from_value::<Step>(json!("PreTokenApplicationClaims")).unwrap(),
        Step::PreTokenIssuance
    );
    let err = "postAttributeCollection".parse::<Step>().unwrap_err();
    assert_eq!(
        err,
        ContractError::UnknownStep("postAttributeCollection".into())
    );
    assert!(err.to_string().contains("`postAttributeCollection`"));
    assert_eq!(
        Step::ALL.map(Step::configuration_property),
        [
            "postFederationSignup",
            "postAttributeCollection",
            "preTokenIssuance"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

#[test]
fn continuation_response_is_exact() {
    let response: ConnectorResponse = Continuation::new()
        .with_claim("postalCode", "8002")
        .unwrap()
        .with_custom_attribute_for_app(APP_ID, "LoyaltyTier", "Gold")
        .unwrap()
        .into();
    let (status, body) = response.to_http();
    assert_eq!(status, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"{"version":"1.0.0","action":"Continue","postalCode":"8002","extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyTier":"Gold"}"#
    );
    assert_eq!(
        as_value(&response.to_json()),
        fixture_value("response_continue.json")
    );
    assert_eq!(
        ConnectorResponse::continuation().to_http(),
        (200, br#"{"version":"1.0.0","action":"Continue"}"#.to_vec())
    );
    assert_eq!(response.action(), Action::Continue);
    assert_eq!(response.user_message(), None);
    assert_eq!(RESPONSE_VERSION, "1.0.0");
    assert_eq!(CONTENT_TYPE, "application/json");
}

#[test]
fn blocking_response_is_exact() {
    let response = ConnectorResponse::block("Your request is pending approval.");
    assert_eq!(
        response.to_http(),
        (
            200,
            br#"{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Your request is pending approval."}"#
                .to_vec()
        )
    );
    assert_eq!(response.action(), Action::ShowBlockPage);
    assert_eq!(
        response.user_message(),
        Some("Your request is pending approval.")
    );
}

#[test]
fn validation_error_response_is_exact() {
    let response = ConnectorResponse::validation_error("Please enter a valid postal code.");
    assert_eq!(
        response.to_http(),
        (
            400,
            br#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code."}"#
                .to_vec()
        )
    );
    assert_eq!(response.http_status(), 400);
    assert_eq!(response.action().http_status(), 400);
}

#[test]
fn user_messages_are_escaped_as_strict_json() {
    let response = ConnectorResponse::block("Say \"hi\"\n<b>not html</b> – ünïcode");
    let (_, body) = response.to_http();
    let parsed: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        parsed["userMessage"],
        "Say \"hi\"\n<b>not html</b> – ünïcode"
    );
    assert_eq!(ConnectorResponse::from_http(200, &body).unwrap(), response);
}

#[test]
fn documented_responses_parse() {
    let response = ConnectorResponse::from_http(200, fixture("response_continue.json")).unwrap();
    let continuation = response.continuation_claims().unwrap();
    assert_eq!(continuation.claim("postalCode"), Some(&json!("8002")));
    assert_eq!(
        continuation.custom_attribute(APP_ID, "LoyaltyTier"),
        Some(&json!("Gold"))
    );
    assert_eq!(continuation.claims().len(), 2);

    let response =
        ConnectorResponse::from_http(200, fixture("response_continue_empty.json")).unwrap();
    assert_eq!(response, ConnectorResponse::continuation());

    let response = ConnectorResponse::from_http(200, fixture("response_block.json")).unwrap();
    assert_eq!(
        response,
        ConnectorResponse::block(
            "Your sign-up request is waiting for approval. We will email you once it has been reviewed."
        )
    );
    assert_eq!(
        as_value(&response.to_json()),
        fixture_value("response_block.json")
    );

    let response =
        ConnectorResponse::from_http(400, fixture("response_validation_error.json")).unwrap();
    assert_eq!(
        response,
        ConnectorResponse::validation_error(
            "That loyalty number does not match your email address."
        )
    );
    assert_eq!(
        as_value(&response.to_json()),
        fixture_value("response_validation_error.json")
    );
}

#[test]
fn validation_status_is_accepted_as_number_or_string_and_written_as_number() {
    let response =
        ConnectorResponse::from_http(400, fixture("response_validation_error_string_status.json"))
            .unwrap();
    assert_eq!(
        response,
        ConnectorResponse::validation_error("Please enter a valid postal code.")
    );
    assert_eq!(as_value(&response.to_json())["status"], json!(400));

    for bad in [
        json!(401),
        json!("401"),
        json!(400.5),
        json!(true),
        json!(null),
        json!("four hundred"),
    ] {
        let body = json!({"version": "1.0.0", "status": bad, "action": "ValidationError", "userMessage": "x"});
        assert_eq!(
            ConnectorResponse::from_http(400, body.to_string()),
            Err(ContractError::InvalidField {
                field: "status",
                expected: "400 or \"400\""
            }),
            "{bad}"
        );
    }
    let body = json!({"version": "1.0.0", "action": "ValidationError", "userMessage": "x"});
    assert_eq!(
        ConnectorResponse::from_http(400, body.to_string()),
        Err(ContractError::MissingField { field: "status" })
    );
}

#[test]
fn http_status_must_match_the_action() {
    assert_eq!(
        ConnectorResponse::from_http(200, fixture("response_validation_error.json")),
        Err(ContractError::HttpStatusMismatch {
            action: Action::ValidationError,
            expected: 400,
            actual: 200
        })
    );
    let err = ConnectorResponse::from_http(400, fixture("response_block.json")).unwrap_err();
    assert_eq!(
        err,
        ContractError::HttpStatusMismatch {
            action: Action::ShowBlockPage,
            expected: 200,
            actual: 400
        }
    );
    assert_eq!(
        err.to_string(),
        "a `ShowBlockPage` response must be sent with HTTP status 200, got 400"
    );
    for status in [201, 204, 401, 409, 500] {
        assert_eq!(
            ConnectorResponse::from_http(status, fixture("response_continue.json")),
            Err(ContractError::UnexpectedHttpStatus(status))
        );
    }
    // Without the status, the body alone is still readable.
    assert!(ConnectorResponse::from_json(fixture("response_validation_error.json")).is_ok());
}

#[test]
fn malformed_responses_are_rejected_with_clear_errors() {
    let cases: Vec<(Value, ContractError)> = vec![
        (
            json!({"action": "Continue"}),
            ContractError::MissingField { field: "version" },
        ),
        (
            json!({"version": 1, "action": "Continue"}),
            ContractError::InvalidField {
                field: "version",
                expected: "a string",
            },
        ),
        (
            json!({"version": "1.0.0"}),
            ContractError::MissingField { field: "action" },
        ),
        (
            json!({"version": "1.0.0", "action": 3}),
            ContractError::InvalidField {
                field: "action",
                expected: "a string",
            },
        ),
        (
            json!({"version": "1.0.0", "action": "continue"}),
            ContractError::UnknownAction("continue".into()),
        ),
        (
            json!({"version": "1.0.0", "action": "ShowBlockPage"}),
            ContractError::MissingField {
                field: "userMessage",
            },
        ),
        (
            json!({"version": "1.0.0", "action": "ShowBlockPage", "userMessage": ["x"]}),
            ContractError::InvalidField {
                field: "userMessage",
                expected: "a string",
            },
        ),
        (
            json!({"version": "1.0.0", "action": "Continue", "postalCode": null}),
            ContractError::NullClaim("postalCode".into()),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            ConnectorResponse::from_json(body.to_string()),
            Err(expected),
            "{body}"
        );
    }
    for body in [
        "",
        "not json",
        "[]",
        "\"Continue\"",
        "{\"version\":\"1.0.0\",",
    ] {
        let err = ConnectorResponse::from_json(body).unwrap_err();
        assert!(
            matches!(err, ContractError::InvalidResponse(_)),
            "{body}: {err:?}"
        );
    }
    let err = ConnectorResponse::from_json("[]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid API connector response body: expected a JSON object"
    );
    // A version other than 1.0.0 is the API's own business and is accepted.
    assert!(ConnectorResponse::from_json(r#"{"version":"2.3.1","action":"Continue"}"#).is_ok());
}

#[test]
fn response_serde_matches_to_json_and_from_json() {
    let response = ConnectorResponse::validation_error("Bad code");
    assert_eq!(
        serde_json::to_string(&response).unwrap(),
        response.to_json()
    );
    let parsed: ConnectorResponse =
        serde_json::from_str(&fixture("response_validation_error_string_status.json")).unwrap();
    assert_eq!(parsed.action(), Action::ValidationError);
    let err = serde_json::from_str::<ConnectorResponse>(r#"{"version":"1.0.0","action":"Nope"}"#)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown API connector action `Nope`"),
        "{err}"
    );
}

#[test]
fn continuation_claims_cannot_be_null_or_response_fields() {
    for name in ["version", "action", ""] {
        assert_eq!(
            Continuation::new().with_claim(name, "x"),
            Err(ContractError::InvalidClaimName(name.into()))
        );
    }
    assert_eq!(
        Continuation::new().with_claim("city", Value::Null),
        Err(ContractError::NullClaim("city".into()))
    );
    let mut continuation = Continuation::new();
    assert_eq!(continuation.insert_claim("city", "Lyon").unwrap(), None);
    assert_eq!(
        continuation.insert_claim("city", "Nice").unwrap(),
        Some(json!("Lyon"))
    );
    assert_eq!(continuation.claims().len(), 1);
    assert!(!continuation.is_empty());
    assert_eq!(continuation.into_claims()["city"], json!("Nice"));
}

#[test]
fn custom_attribute_overwrites_with_or_without_app_id() {
    // Without the app id: the short form the docs allow in responses.
    let short = Continuation::new()
        .with_custom_attribute("LoyaltyTier", "Silver")
        .unwrap();
    assert_eq!(
        ConnectorResponse::from(short.clone()).to_json(),
        r#"{"version":"1.0.0","action":"Continue","extension_LoyaltyTier":"Silver"}"#
    );
    assert_eq!(
        Continuation::new()
            .with_custom_attribute("extension_LoyaltyTier", "Silver")
            .unwrap(),
        short
    );
    assert_eq!(
        as_value(&ConnectorResponse::from(short.clone()).to_json()),
        fixture_value("response_continue_short_extension.json")
    );

    // With the app id, given separately or inside the name.
    let full = Continuation::new()
        .with_custom_attribute_for_app(APP_ID, "LoyaltyTier", "Gold")
        .unwrap();
    assert_eq!(
        full.claims().keys().collect::<Vec<_>>(),
        ["extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyTier"]
    );
    assert_eq!(
        Continuation::new()
            .with_custom_attribute(
                "extension_d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b_LoyaltyTier",
                "Gold"
            )
            .unwrap(),
        full
    );

    // Setting one form replaces the other, so a response never names an attribute twice.
    let replaced = short
        .with_custom_attribute_for_app(APP_ID_COMPACT, "LoyaltyTier", "Gold")
        .unwrap()
        .with_claim("city", "Durban")
        .unwrap();
    assert_eq!(replaced.claims().len(), 2);
    let back = replaced
        .with_custom_attribute("LoyaltyTier", "Bronze")
        .unwrap();
    assert_eq!(
        back.claims().keys().collect::<Vec<_>>(),
        ["city", "extension_LoyaltyTier"]
    );

    assert!(matches!(
        Continuation::new().with_custom_attribute("has space", 1),
        Err(ContractError::InvalidAttributeName(_))
    ));
    assert!(matches!(
        Continuation::new().with_custom_attribute_for_app("nope", "Tier", 1),
        Err(ContractError::InvalidExtensionsAppId(_))
    ));
    assert_eq!(
        Continuation::new().with_custom_attribute("Tier", Value::Null),
        Err(ContractError::NullClaim("extension_Tier".into()))
    );
}

#[test]
fn returned_custom_attributes_are_found_in_either_form() {
    let response =
        ConnectorResponse::from_http(200, fixture("response_continue_short_extension.json"))
            .unwrap();
    let continuation = response.continuation_claims().unwrap();
    for app_id in [APP_ID, APP_ID_COMPACT] {
        assert_eq!(
            continuation.custom_attribute(app_id, "LoyaltyTier"),
            Some(&json!("Silver"))
        );
    }
    assert_eq!(continuation.custom_attribute(APP_ID, "Other"), None);
    assert_eq!(continuation.custom_attribute("bad", "LoyaltyTier"), None);

    // When an API sends both forms, the one with the app id wins.
    let body = json!({
        "version": "1.0.0",
        "action": "Continue",
        "extension_LoyaltyTier": "Silver",
        "extension_D3F1A9B2C4E5467F8A9B0C1D2E3F4A5B_LoyaltyTier": "Gold"
    });
    let response = ConnectorResponse::from_http(200, body.to_string()).unwrap();
    assert_eq!(
        response
            .continuation_claims()
            .unwrap()
            .custom_attribute(APP_ID, "LoyaltyTier"),
        Some(&json!("Gold"))
    );
}

// ---------------------------------------------------------------------------------------------
// Legality per step
// ---------------------------------------------------------------------------------------------

#[test]
fn response_actions_are_checked_against_the_step() {
    let continuation = ConnectorResponse::continuation();
    let block = ConnectorResponse::block("no");
    let validation = ConnectorResponse::validation_error("fix it");
    let table = [
        (Step::PostFederationSignup, [true, true, false]),
        (Step::PostAttributeCollection, [true, true, true]),
        (Step::PreTokenIssuance, [true, false, false]),
    ];
    for (step, allowed) in table {
        for (response, allowed) in [&continuation, &block, &validation]
            .into_iter()
            .zip(allowed)
        {
            assert_eq!(
                response.is_allowed_at(step),
                allowed,
                "{response:?} at {step}"
            );
            assert_eq!(step.allowed_actions().contains(&response.action()), allowed);
            let result = response.validate_for(step);
            if allowed {
                assert_eq!(result, Ok(()));
            } else {
                assert_eq!(
                    result,
                    Err(ContractError::ActionNotAllowed {
                        action: response.action(),
                        step
                    })
                );
            }
        }
    }
    assert_eq!(
        validation
            .validate_for(Step::PostFederationSignup)
            .unwrap_err()
            .to_string(),
        "a `ValidationError` response is not allowed at the `PostFederationSignup` step"
    );
}

#[test]
fn email_cannot_be_returned_before_token_issuance() {
    let response: ConnectorResponse = Continuation::new()
        .with_claim("email", "other@example.com")
        .unwrap()
        .into();
    assert_eq!(
        response.validate_for(Step::PreTokenIssuance),
        Err(ContractError::ClaimNotOverwritable {
            claim: "email".into(),
            step: Step::PreTokenIssuance
        })
    );
    assert!(!response.is_allowed_at(Step::PreTokenIssuance));
    assert!(response.is_allowed_at(Step::PostFederationSignup));
    assert!(response.is_allowed_at(Step::PostAttributeCollection));
    let enrich: ConnectorResponse = Continuation::new()
        .with_claim("jobTitle", "Manager")
        .unwrap()
        .into();
    assert!(enrich.is_allowed_at(Step::PreTokenIssuance));
}

// ---------------------------------------------------------------------------------------------
// No nulls, schemas
// ---------------------------------------------------------------------------------------------

#[test]
fn nothing_this_crate_writes_contains_null() {
    let requests = [
        "request_post_federation_signup.json",
        "request_post_federation_signup_external_id.json",
        "request_post_attribute_collection.json",
        "request_pre_token_issuance.json",
        "request_pre_token_application_claims.json",
        "request_local_account_minimal.json",
    ];
    for name in requests {
        let out = as_value(&parse_request(name).to_json());
        assert!(!contains_null(&out), "{name}: {out}");
    }
    assert_eq!(ConnectorRequest::default().to_json(), "{}");
    for response in [
        ConnectorResponse::continuation(),
        ConnectorResponse::block("b"),
        ConnectorResponse::validation_error("v"),
        Continuation::new().with_claim("city", "X").unwrap().into(),
    ] {
        assert!(!contains_null(&as_value(&response.to_json())));
    }
}

#[cfg(feature = "schemars")]
#[test]
fn json_schemas_describe_the_wire_format() {
    let schema = serde_json::to_value(schemars::schema_for!(ConnectorResponse)).unwrap();
    assert_eq!(schema["title"], "ConnectorResponse");
    assert!(
        schema["description"]
            .as_str()
            .unwrap()
            .starts_with("The body of an API connector response")
    );
    let variants = schema["oneOf"].as_array().expect("one schema per action");
    let mut actions: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["action"]["const"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, ["Continue", "ShowBlockPage", "ValidationError"]);
    let validation = variants
        .iter()
        .find(|v| v["properties"]["action"]["const"] == "ValidationError")
        .unwrap();
    let required: Vec<&str> = validation["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["action", "version", "status", "userMessage"] {
        assert!(required.contains(&field), "{field} in {required:?}");
    }

    let schema = serde_json::to_value(schemars::schema_for!(ConnectorRequest)).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for field in [
        "email",
        "identities",
        "surname",
        "objectId",
        "step",
        "client_id",
        "ui_locales",
    ] {
        assert!(properties.contains_key(field), "{field}");
    }
    assert!(
        schema
            .get("required")
            .is_none_or(|r| r.as_array().unwrap().is_empty())
    );
    // The schema describes what is sent: claims are absent rather than null.
    assert!(!schema.to_string().contains("\"null\""), "{schema}");
    assert_eq!(properties["email"]["type"], "string");
    assert_eq!(properties["step"]["$ref"], "#/$defs/Step");
    assert_eq!(schema["additionalProperties"], true);
    let steps: Vec<&str> = schema["$defs"]["Step"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "PostFederationSignup",
            "PostAttributeCollection",
            "PreTokenIssuance"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

fn basic(user_colon_password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_colon_password)
    )
}

#[test]
fn basic_auth_accepts_only_the_expected_credentials() {
    let password = SecretString::from("c0rrect:horse battery");
    assert!(verify_basic_auth(
        &basic("b2c-connector:c0rrect:horse battery"),
        "b2c-connector",
        &password
    ));
    // The scheme is case-insensitive (RFC 7617) and surrounding whitespace is tolerated.
    assert!(verify_basic_auth(
        &format!(
            "  basic   {}  ",
            base64::engine::general_purpose::STANDARD.encode("b2c-connector:c0rrect:horse battery")
        ),
        "b2c-connector",
        &password
    ));
    assert!(!verify_basic_auth(
        &basic("b2c-connector:c0rrect:horse batterY"),
        "b2c-connector",
        &password
    ));
    assert!(!verify_basic_auth(
        &basic("b2c-connector:c0rrect"),
        "b2c-connector",
        &password
    ));
    assert!(!verify_basic_auth(
        &basic("b2c-connector:"),
        "b2c-connector",
        &password
    ));
    assert!(!verify_basic_auth(
        &basic("B2C-connector:c0rrect:horse battery"),
        "b2c-connector",
        &password
    ));
    assert!(!verify_basic_auth(
        &basic(":c0rrect:horse battery"),
        "b2c-connector",
        &password
    ));
}

#[test]
fn basic_auth_rejects_malformed_headers_and_other_schemes() {
    let password = SecretString::from("pw");
    let cases = [
        ("", "expected `Basic <credentials>`"),
        ("Basic", "expected `Basic <credentials>`"),
        ("Basic    ", "expected `Basic <credentials>`"),
        (
            "Basic !!!not-base64!!!",
            "the credentials are not valid base64",
        ),
        ("Basic dXNlcnB3", "the credentials have no ':' separator"), // "userpw"
        ("Basic /w==", "the credentials have no ':' separator"),
        ("Basic dXNlcjr/", "the password is not valid UTF-8"), // "user:\xff"
        ("Bearer dXNlcjpwdw==", "the scheme is not Basic"),
        ("Digest username=\"user\"", "the scheme is not Basic"),
        ("dXNlcjpwdw==", "expected `Basic <credentials>`"),
    ];
    for (header, reason) in cases {
        assert!(!verify_basic_auth(header, "user", &password), "{header:?}");
        assert_eq!(
            BasicCredentials::parse_authorization(header).unwrap_err(),
            ContractError::MalformedAuthorization(reason),
            "{header:?}"
        );
    }
    // The well-formed version of the same credentials does verify.
    assert!(verify_basic_auth("Basic dXNlcjpwdw==", "user", &password));
}

#[test]
fn basic_credentials_round_trip_through_the_header() {
    let credentials =
        BasicCredentials::new("api-user", SecretString::from("s3cr3t-P@ss:word")).unwrap();
    let header = credentials.to_authorization_header();
    use secrecy::ExposeSecret as _;
    assert_eq!(header.expose_secret(), &basic("api-user:s3cr3t-P@ss:word"));
    let parsed = BasicCredentials::parse_authorization(header.expose_secret()).unwrap();
    assert_eq!(parsed.username(), "api-user");
    assert_eq!(parsed.password().expose_secret(), "s3cr3t-P@ss:word");
    assert!(parsed.matches("api-user", &SecretString::from("s3cr3t-P@ss:word")));
    assert!(!parsed.matches("api-user", &SecretString::from("s3cr3t-P@ss:wor")));
    assert_eq!(
        BasicCredentials::new("a:b", SecretString::from("x")).unwrap_err(),
        ContractError::MalformedAuthorization(
            "a basic authentication user name cannot contain ':'"
        )
    );
}

#[test]
fn debug_and_errors_do_not_show_secrets() {
    let credentials =
        BasicCredentials::new("api-user", SecretString::from("hunter2-super-secret")).unwrap();
    let debug = format!("{credentials:?}");
    assert!(debug.contains("api-user"), "{debug}");
    assert!(!debug.contains("hunter2"), "{debug}");
    let header = credentials.to_authorization_header();
    let debug = format!("{header:?}");
    assert!(!debug.contains("Basic "), "{debug}");
    let parsed = BasicCredentials::parse_authorization(&basic("u:hunter2-super-secret")).unwrap();
    assert!(!format!("{parsed:?}").contains("hunter2"));

    let token = "aHVudGVyMi1zdXBlci1zZWNyZXQ";
    for header in [
        format!("Bearer {token}"),
        format!("Basic {token}!"),
        "Basic aHVudGVyMi1zdXBlci1zZWNyZXQ=".to_string(), // no ':' after decoding
    ] {
        let err = BasicCredentials::parse_authorization(&header).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(token), "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------------------------

#[test]
fn thumbprints_match_case_insensitively() {
    let active = [
        "A9993E364706816ABA3E25717850C26C9CD0D89D",
        "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
    ];
    assert!(certificate_thumbprint_matches(
        "a9993e364706816aba3e25717850c26c9cd0d89d",
        active
    ));
    assert!(certificate_thumbprint_matches(
        "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09",
        active
    ));
    assert!(certificate_thumbprint_matches(
        "da 39 a3 ee 5e 6b 4b 0d 32 55 bf ef 95 60 18 90 af d8 07 09",
        vec![String::from("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709")]
    ));
    assert!(!certificate_thumbprint_matches(
        "A9993E364706816ABA3E25717850C26C9CD0D89E",
        active
    ));
    assert!(!certificate_thumbprint_matches(
        "A9993E364706816ABA3E25717850C26C9CD0D89",
        active
    ));
    assert!(!certificate_thumbprint_matches("", active));
    assert!(!certificate_thumbprint_matches(
        "A9993E364706816ABA3E25717850C26C9CD0D89D",
        [] as [&str; 0]
    ));
    // A malformed accepted entry never matches anything.
    assert!(!certificate_thumbprint_matches(
        "A9993E364706816ABA3E25717850C26C9CD0D89D",
        ["A9993E364706816ABA3E25717850C26C9CD0D89D00"]
    ));
    // SHA-1("abc") and SHA-1("") are the FIPS 180 test vectors above.
    assert!(client_certificate_matches(b"abc", active));
    assert!(client_certificate_matches(
        b"",
        ["da39a3ee5e6b4b0d3255bfef95601890afd80709"]
    ));
    assert!(!client_certificate_matches(b"abd", active));
    assert_eq!(
        normalize_thumbprint("a9:99:3e:36:47:06:81:6a:ba:3e:25:71:78:50:c2:6c:9c:d0:d8:9d"),
        Some("A9993E364706816ABA3E25717850C26C9CD0D89D".into())
    );
    assert_eq!(
        normalize_thumbprint("zz993E364706816ABA3E25717850C26C9CD0D89D"),
        None
    );
}
