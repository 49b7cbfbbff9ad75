//! The contract adapter on the documented bodies of both contracts: each event's request (the
//! Entra fixtures) presented as a connector request with exact claims, each connector answer (the
//! B2C fixtures and the custom-extension fixtures' equivalents) turned into the exact
//! custom-extension JSON of each event, every reported loss and every error.

use entra_api_connectors_contract::adapter::{
    self, AdaptedCall, AdapterConfig, AdapterError, Loss, event_for, from_connector_response,
    step_for, to_connector_request,
};
use entra_api_connectors_contract::custom_extension::{
    CustomExtensionError, CustomExtensionRequest, CustomExtensionResponse, Event, MAX_CLAIMS_SIZE,
};
use entra_api_connectors_contract::{
    Action, ConnectorRequest, ConnectorResponse, Continuation, ContractError, Step,
};
use serde_json::{Value, json};

/// The B2C tenant's extensions app (the connector fixtures' id).
const B2C_APP: &str = "d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b";
/// The external tenant's extensions app, standing for the pages' `<appid>` placeholder.
const EXTERNAL_APP: &str = "0123456789abcdef0123456789abcdef";

fn read(path: &str) -> String {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// An Entra fixture, its `<appid>` placeholder replaced by [`EXTERNAL_APP`].
fn entra(name: &str) -> String {
    read(&format!("custom-extensions/{name}")).replace("<appid>", EXTERNAL_APP)
}

fn entra_request(name: &str) -> CustomExtensionRequest {
    CustomExtensionRequest::from_json(entra(name)).expect("a documented request")
}

fn connector_response(name: &str) -> ConnectorResponse {
    ConnectorResponse::from_json(read(name)).expect("a documented connector response")
}

fn both_apps() -> AdapterConfig {
    AdapterConfig::new()
        .with_b2c_extensions_app_id("d3f1a9b2-c4e5-467f-8a9b-0c1d2e3f4a5b")
        .unwrap()
        .with_external_extensions_app_id(EXTERNAL_APP)
        .unwrap()
}

fn adapt(name: &str, config: &AdapterConfig) -> AdaptedCall {
    to_connector_request(&entra_request(name), config).expect("adaptable")
}

fn to_value(request: &ConnectorRequest) -> Value {
    serde_json::from_str(&request.to_json()).unwrap()
}

/// The adapted response's exact body.
fn answer(
    response: ConnectorResponse,
    event: Event,
    config: &AdapterConfig,
) -> (String, Vec<Loss>) {
    let adapted = from_connector_response(response, event, config).expect("adaptable");
    let (status, body) = adapted.to_http();
    assert_eq!(status, 200, "every custom-extension answer is HTTP 200");
    (String::from_utf8(body).unwrap(), adapted.losses)
}

// ---- steps ----

#[test]
fn each_event_stands_for_a_connector_step_and_back() {
    assert_eq!(
        step_for(Event::AttributeCollectionStart),
        Some(Step::PostFederationSignup)
    );
    assert_eq!(
        step_for(Event::AttributeCollectionSubmit),
        Some(Step::PostAttributeCollection)
    );
    assert_eq!(
        step_for(Event::TokenIssuanceStart),
        Some(Step::PreTokenIssuance)
    );
    assert_eq!(step_for(Event::EmailOtpSend), None);
    for step in Step::ALL {
        assert_eq!(step_for(event_for(step)), Some(step));
    }
}

// ---- requests: External ID → connector ----

const LARISSA_IDENTITY: &str = r#"[{"signInType":"email","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"larissa.price@contoso.onmicrosoft.com"}]"#;

fn larissa(step: &str, app: &str) -> String {
    format!(
        r#"{{"email":"larissa.price@contoso.onmicrosoft.com","identities":{LARISSA_IDENTITY},"givenName":"Larissa Price","companyName":"Contoso University","extension_{app}_universityGroups":"Alumni,Faculty","extension_{app}_graduationYear":2010,"extension_{app}_onMailingList":false,"step":"{step}","client_id":"<Your Test Application App Id>","ui_locales":"en-us"}}"#
    )
}

#[test]
fn submit_request_becomes_the_post_attribute_collection_claims_under_b2c_names() {
    let call = adapt("attribute_collection_submit_request.json", &both_apps());
    assert_eq!(call.event, Event::AttributeCollectionSubmit);
    assert_eq!(call.step, Step::PostAttributeCollection);
    assert_eq!(
        call.request.to_json(),
        larissa("PostAttributeCollection", B2C_APP)
    );
    assert_eq!(call.losses, []);
    // The typed view a B2C handler reads.
    assert_eq!(call.request.step, Some(Step::PostAttributeCollection));
    assert_eq!(
        call.request.custom_attribute(B2C_APP, "graduationYear"),
        Some(&json!(2010))
    );
    assert_eq!(
        call.request
            .custom_attribute(EXTERNAL_APP, "graduationYear"),
        None
    );
}

#[test]
fn start_request_becomes_the_post_federation_signup_claims() {
    let call = adapt("attribute_collection_start_request.json", &both_apps());
    assert_eq!(call.event, Event::AttributeCollectionStart);
    assert_eq!(call.step, Step::PostFederationSignup);
    assert_eq!(
        call.request.to_json(),
        larissa("PostFederationSignup", B2C_APP)
    );
    assert_eq!(call.losses, []);
}

#[test]
fn without_the_b2c_app_id_custom_attributes_keep_the_external_names() {
    for config in [
        AdapterConfig::new(),
        AdapterConfig::new()
            .with_external_extensions_app_id(EXTERNAL_APP)
            .unwrap(),
    ] {
        let call = adapt("attribute_collection_submit_request.json", &config);
        assert_eq!(
            call.request.to_json(),
            larissa("PostAttributeCollection", EXTERNAL_APP)
        );
    }
}

#[test]
fn attributes_of_another_app_than_the_external_one_keep_their_names() {
    let other = "ffffffffffffffffffffffffffffffff";
    let body = read("custom-extensions/attribute_collection_submit_request.json")
        .replace("<appid>", other);
    let call = to_connector_request(
        &CustomExtensionRequest::from_json(body).unwrap(),
        &both_apps(),
    )
    .unwrap();
    assert_eq!(
        call.request.to_json(),
        larissa("PostAttributeCollection", other)
    );
    // Without the external app id configured, every extensions app is taken as the external one.
    let b2c_only = AdapterConfig::new()
        .with_b2c_extensions_app_id(B2C_APP)
        .unwrap();
    assert_eq!(
        b2c_only.to_b2c_name(&format!("extension_{other}_x")),
        format!("extension_{B2C_APP}_x")
    );
    // Names without an app id, and other claims, are never rewritten.
    assert_eq!(both_apps().to_b2c_name("extension_x"), "extension_x");
    assert_eq!(both_apps().to_b2c_name("city"), "city");
}

#[test]
fn the_pages_placeholder_app_id_is_not_an_app_id_and_passes_through() {
    let request = CustomExtensionRequest::from_json(read(
        "custom-extensions/attribute_collection_submit_request.json",
    ))
    .unwrap();
    let call = to_connector_request(&request, &both_apps()).unwrap();
    assert_eq!(
        call.request
            .additional_claims
            .get("extension_<appid>_graduationYear"),
        Some(&json!(2010))
    );
}

#[test]
fn token_issuance_request_becomes_the_pre_token_issuance_claims() {
    let call = adapt("token_issuance_start_request.json", &both_apps());
    assert_eq!(call.event, Event::TokenIssuanceStart);
    assert_eq!(call.step, Step::PreTokenIssuance);
    assert_eq!(
        to_value(&call.request),
        json!({
            "email": "casey@contoso.com",
            "displayName": "Casey Jensen",
            "objectId": "90847c2a-e29d-4d2f-9f54-c5b4d3f26471",
            "givenName": "Casey",
            "surname": "Jensen",
            "companyName": "Casey Jensen",
            "createdDateTime": "2016-03-01T15:23:40Z",
            "onPremisesSamAccountName": "caseyjensen",
            "onPremisesSecurityIdentifier": "<Enter Security Identifier>",
            "onPremisesUserPrincipalName": "Casey Jensen",
            "preferredLanguage": "en-us",
            "userPrincipalName": "casey@contoso.com",
            "userType": "Member",
            "step": "PreTokenIssuance",
            "client_id": "<Your Test Application App Id>",
            "ui_locales": "en-us"
        })
    );
    // No identities at token issuance: the request has none.
    assert!(call.request.identities.is_empty());
    assert_eq!(call.losses, []);
}

#[test]
fn a_b2b_guest_at_token_issuance_keeps_its_data_location_and_user_type() {
    let mut request = entra_request("token_issuance_start_request.json");
    let CustomExtensionRequest::TokenIssuanceStart(r) = &mut request else {
        panic!("token issuance")
    };
    let guest: Value =
        serde_json::from_str(&entra("token_issuance_start_request_b2b_user.json")).unwrap();
    r.user = Some(serde_json::from_value(guest["user"].clone()).unwrap());
    let call = to_connector_request(&request, &AdapterConfig::new()).unwrap();
    assert_eq!(
        to_value(&call.request),
        json!({
            "email": "johnwright@fabrikam.com",
            "displayName": "John Wright",
            "objectId": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
            "companyName": "Fabrikam",
            "createdDateTime": "2022-07-15T00:00:00Z",
            "preferredDataLocation": "EUR",
            "userPrincipalName": "johnwright_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "userType": "Guest",
            "step": "PreTokenIssuance",
            "client_id": "<Your Test Application App Id>",
            "ui_locales": "en-us"
        })
    );
}

#[test]
fn a_token_issuance_call_without_user_has_only_the_context() {
    let mut request = entra_request("token_issuance_start_request.json");
    let CustomExtensionRequest::TokenIssuanceStart(r) = &mut request else {
        panic!("token issuance")
    };
    r.user = None;
    r.envelope.authentication_context.client = None;
    r.envelope.authentication_context.client_service_principal = None;
    let call = to_connector_request(&request, &AdapterConfig::new()).unwrap();
    assert_eq!(call.request.to_json(), r#"{"step":"PreTokenIssuance"}"#);
}

#[test]
fn email_otp_send_is_not_adaptable_and_the_code_appears_nowhere() {
    let request = entra_request("email_otp_send_request.json");
    let error = to_connector_request(&request, &both_apps()).unwrap_err();
    assert_eq!(
        error,
        AdapterError::NotAdaptable {
            event: Event::EmailOtpSend
        }
    );
    assert_eq!(error.http_status(), 400);
    let message = error.to_string();
    assert_eq!(
        message,
        "`microsoft.graph.authenticationEvent.emailOtpSend` has no API connector step: a connector handler cannot answer it"
    );
    assert!(!format!("{error:?}{message}").contains("12345678"));
}

/// A submit request whose attributes are `attributes`.
fn submit_with(attributes: Value) -> CustomExtensionRequest {
    let mut body: Value =
        serde_json::from_str(&entra("attribute_collection_submit_request.json")).unwrap();
    body["data"]["userSignUpInfo"]["attributes"] = attributes;
    CustomExtensionRequest::from_value(body).unwrap()
}

#[test]
fn attributes_without_value_are_left_out_as_b2c_leaves_out_claims_without_value() {
    let request = submit_with(json!({
        "givenName": {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "attributeType": "builtIn"},
        "city": {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": null, "attributeType": "builtIn"},
        "postalCode": {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": "8001", "attributeType": "builtIn"}
    }));
    let call = to_connector_request(&request, &AdapterConfig::new()).unwrap();
    assert_eq!(call.request.given_name, None);
    assert_eq!(call.request.city, None);
    assert_eq!(call.request.postal_code.as_deref(), Some("8001"));
    assert_eq!(call.losses, []);
}

#[test]
fn every_built_in_claim_goes_to_its_field_and_an_email_attribute_wins_over_the_identity() {
    let string = |v: &str| json!({"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": v, "attributeType": "builtIn"});
    let request = submit_with(json!({
        "email": string("typed@example.com"),
        "displayName": string("D"), "givenName": string("G"), "surname": string("S"),
        "jobTitle": string("J"), "streetAddress": string("A"), "city": string("C"),
        "postalCode": string("P"), "state": string("St"), "country": string("Co"),
    }));
    let call = to_connector_request(&request, &AdapterConfig::new()).unwrap();
    assert_eq!(
        call.request.to_json(),
        format!(
            r#"{{"email":"typed@example.com","identities":{LARISSA_IDENTITY},"displayName":"D","givenName":"G","surname":"S","jobTitle":"J","streetAddress":"A","city":"C","postalCode":"P","state":"St","country":"Co","step":"PostAttributeCollection","client_id":"<Your Test Application App Id>","ui_locales":"en-us"}}"#
        )
    );
    assert!(call.request.additional_claims.is_empty());
}

#[test]
fn an_unknown_value_type_is_passed_raw_and_reported() {
    let request = submit_with(json!({
        "extension_0123456789abcdef0123456789abcdef_birthday": {
            "@odata.type": "microsoft.graph.dateTimeDirectoryAttributeValue",
            "value": "2000-01-01",
            "attributeType": "directorySchemaExtension"
        }
    }));
    let call = to_connector_request(&request, &both_apps()).unwrap();
    assert_eq!(
        call.request
            .additional_claims
            .get(&format!("extension_{B2C_APP}_birthday")),
        Some(&json!("2000-01-01"))
    );
    assert_eq!(
        call.losses,
        [Loss::UnknownAttributeValueType {
            attribute: format!("extension_{EXTERNAL_APP}_birthday"),
            odata_type: "microsoft.graph.dateTimeDirectoryAttributeValue".to_owned(),
        }]
    );
    assert_eq!(
        call.losses[0].to_string(),
        format!(
            "attribute `extension_{EXTERNAL_APP}_birthday` has the unknown value type `microsoft.graph.dateTimeDirectoryAttributeValue`; its raw value was passed on"
        )
    );
}

#[test]
fn a_built_in_claim_that_is_not_a_string_is_an_error() {
    let request = submit_with(json!({
        "city": {"@odata.type": "microsoft.graph.int64DirectoryAttributeValue", "value": 9, "attributeType": "builtIn"}
    }));
    let error = to_connector_request(&request, &AdapterConfig::new()).unwrap_err();
    assert_eq!(
        error,
        AdapterError::InvalidAttribute {
            attribute: "city".to_owned(),
            expected: "a string"
        }
    );
    assert_eq!(
        error.to_string(),
        "attribute `city` cannot be sent as a connector claim: it must be a string"
    );
}

#[test]
fn an_attribute_named_like_a_reserved_connector_claim_is_an_error() {
    for name in ["step", "client_id", "clientId", "ui_locales", "identities"] {
        let request = submit_with(json!({
            name: {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": "x"}
        }));
        assert_eq!(
            to_connector_request(&request, &AdapterConfig::new()),
            Err(AdapterError::InvalidAttribute {
                attribute: name.to_owned(),
                expected: "named other than a claim the connector request reserves"
            }),
            "{name}"
        );
    }
}

#[test]
fn configured_app_ids_must_be_guids() {
    assert_eq!(
        AdapterConfig::new().with_b2c_extensions_app_id("<appid>"),
        Err(ContractError::InvalidExtensionsAppId("<appid>".to_owned()))
    );
    assert_eq!(
        AdapterConfig::new().with_external_extensions_app_id("0123"),
        Err(ContractError::InvalidExtensionsAppId("0123".to_owned()))
    );
}

// ---- responses: connector → External ID ----

fn submit_body(action: &str) -> String {
    format!(
        r#"{{"data":{{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{action}]}}}}"#
    )
}

fn start_body(action: &str) -> String {
    format!(
        r#"{{"data":{{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{action}]}}}}"#
    )
}

fn token_body(action: &str) -> String {
    format!(
        r#"{{"data":{{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{action}]}}}}"#
    )
}

#[test]
fn continue_with_claims_becomes_each_events_action_under_external_names() {
    let config = both_apps();
    let continuation = || connector_response("response_continue.json");
    // `ConnectorResponse::from_json` reads the claims through a sorted map.
    let attributes =
        format!(r#"{{"extension_{EXTERNAL_APP}_LoyaltyTier":"Gold","postalCode":"8002"}}"#);
    assert_eq!(
        answer(continuation(), Event::AttributeCollectionSubmit, &config),
        (
            submit_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{attributes}}}"#
            )),
            vec![]
        )
    );
    assert_eq!(
        answer(continuation(), Event::AttributeCollectionStart, &config),
        (
            start_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.attributeCollectionStart.setPrefillValues","inputs":{attributes}}}"#
            )),
            vec![]
        )
    );
    assert_eq!(
        answer(continuation(), Event::TokenIssuanceStart, &config),
        (
            token_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{attributes}}}"#
            )),
            vec![]
        )
    );
}

#[test]
fn continue_without_claims_is_the_default_behavior_or_no_token_claims() {
    let config = AdapterConfig::new();
    let empty = || connector_response("response_continue_empty.json");
    for (event, fixture) in [
        (
            Event::AttributeCollectionStart,
            "attribute_collection_start_response_continue_with_default_behavior.json",
        ),
        (
            Event::AttributeCollectionSubmit,
            "attribute_collection_submit_response_continue_with_default_behavior.json",
        ),
    ] {
        let adapted = from_connector_response(empty(), event, &config).unwrap();
        assert_eq!(
            adapted.response,
            CustomExtensionResponse::from_json(entra(fixture)).unwrap(),
            "{event}"
        );
    }
    assert_eq!(
        answer(empty(), Event::TokenIssuanceStart, &config).0,
        token_body(
            r#"{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{}}"#
        )
    );
}

#[test]
fn the_documented_actions_come_from_their_connector_equivalents() {
    let config = AdapterConfig::new();
    let prefill = Continuation::new()
        .with_claim("key1", "value1,value2,value3")
        .unwrap()
        .with_claim("key2", true)
        .unwrap();
    for (event, fixture) in [
        (
            Event::AttributeCollectionStart,
            "attribute_collection_start_response_set_prefill_values.json",
        ),
        (
            Event::AttributeCollectionSubmit,
            "attribute_collection_submit_response_modify_attribute_values.json",
        ),
    ] {
        let adapted = from_connector_response(prefill.clone().into(), event, &config).unwrap();
        assert_eq!(
            adapted.response,
            CustomExtensionResponse::from_json(entra(fixture)).unwrap()
        );
    }
    let claims = Continuation::new()
        .with_claim("DateOfBirth", "01/01/2000")
        .unwrap()
        .with_claim("CustomRoles", json!(["Writer", "Editor"]))
        .unwrap();
    let adapted =
        from_connector_response(claims.into(), Event::TokenIssuanceStart, &config).unwrap();
    assert_eq!(
        adapted.response,
        CustomExtensionResponse::from_json(entra(
            "token_issuance_start_response_provide_claims_for_token.json"
        ))
        .unwrap()
    );
    let message = "Your access request is already processing. You'll be notified when your request has been approved.";
    for (event, fixture) in [
        (
            Event::AttributeCollectionStart,
            "attribute_collection_start_response_show_block_page_preview.json",
        ),
        (
            Event::AttributeCollectionSubmit,
            "attribute_collection_submit_response_show_block_page_preview.json",
        ),
    ] {
        let adapted =
            from_connector_response(ConnectorResponse::block(message), event, &config).unwrap();
        assert_eq!(
            adapted.response,
            CustomExtensionResponse::from_json(entra(fixture)).unwrap()
        );
        assert_eq!(adapted.losses, []);
    }
}

#[test]
fn show_block_page_becomes_show_block_page_without_title() {
    let block = || connector_response("response_block.json");
    let message = "Your sign-up request is waiting for approval. We will email you once it has been reviewed.";
    assert_eq!(
        answer(
            block(),
            Event::AttributeCollectionSubmit,
            &AdapterConfig::new()
        ),
        (
            submit_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showBlockPage","message":"{message}"}}"#
            )),
            vec![]
        )
    );
    assert_eq!(
        answer(
            block(),
            Event::AttributeCollectionStart,
            &AdapterConfig::new()
        ),
        (
            start_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.attributeCollectionStart.showBlockPage","message":"{message}"}}"#
            )),
            vec![]
        )
    );
}

#[test]
fn validation_error_becomes_show_validation_error_without_version_or_status() {
    for (fixture, message) in [
        (
            "response_validation_error.json",
            "That loyalty number does not match your email address.",
        ),
        (
            "response_validation_error_string_status.json",
            "Please enter a valid postal code.",
        ),
    ] {
        let (body, losses) = answer(
            connector_response(fixture),
            Event::AttributeCollectionSubmit,
            &AdapterConfig::new(),
        );
        assert_eq!(
            body,
            submit_body(&format!(
                r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"{message}","attributeErrors":{{}}}}"#
            ))
        );
        assert!(!body.contains("version") && !body.contains("status") && !body.contains("400"));
        assert_eq!(losses, []);
    }
}

#[test]
fn validation_error_at_start_becomes_a_block_page_and_says_so() {
    let (body, losses) = answer(
        connector_response("response_validation_error.json"),
        Event::AttributeCollectionStart,
        &AdapterConfig::new(),
    );
    assert_eq!(
        body,
        start_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionStart.showBlockPage","message":"That loyalty number does not match your email address."}"#
        )
    );
    assert_eq!(losses, [Loss::ValidationErrorAsBlockPage]);
    assert_eq!(
        losses[0].to_string(),
        "the validation error became a block page: attribute collection start has no validation error"
    );
}

#[test]
fn block_and_validation_error_have_no_equivalent_before_the_token() {
    for (fixture, action) in [
        ("response_block.json", Action::ShowBlockPage),
        ("response_validation_error.json", Action::ValidationError),
    ] {
        let error = from_connector_response(
            connector_response(fixture),
            Event::TokenIssuanceStart,
            &AdapterConfig::new(),
        )
        .unwrap_err();
        assert_eq!(
            error,
            AdapterError::ActionNotAllowed {
                action,
                event: Event::TokenIssuanceStart
            }
        );
        assert_eq!(error.http_status(), 500);
        assert_eq!(
            error.to_string(),
            format!(
                "a `{action}` answer has no equivalent for `microsoft.graph.authenticationEvent.tokenIssuanceStart`"
            )
        );
    }
}

#[test]
fn no_answer_is_adaptable_for_email_otp_send() {
    assert_eq!(
        from_connector_response(
            ConnectorResponse::continuation(),
            Event::EmailOtpSend,
            &AdapterConfig::new()
        ),
        Err(AdapterError::NotAdaptable {
            event: Event::EmailOtpSend
        })
    );
}

#[test]
fn a_user_message_on_continue_is_dropped_and_reported() {
    let continuation = ConnectorResponse::from_json(
        r#"{"version":"1.0.0","action":"Continue","userMessage":"Welcome!","givenName":"Ana"}"#,
    )
    .unwrap();
    let (body, losses) = answer(
        continuation,
        Event::AttributeCollectionSubmit,
        &AdapterConfig::new(),
    );
    assert_eq!(
        body,
        submit_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{"givenName":"Ana"}}"#
        )
    );
    assert_eq!(losses, [Loss::ContinueUserMessage]);
    // Only a message: the default behavior.
    let only_message = ConnectorResponse::from_json(
        r#"{"version":"1.0.0","action":"Continue","userMessage":"Hi"}"#,
    )
    .unwrap();
    let (body, losses) = answer(
        only_message,
        Event::AttributeCollectionStart,
        &AdapterConfig::new(),
    );
    assert_eq!(
        body,
        start_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior"}"#
        )
    );
    assert_eq!(losses, [Loss::ContinueUserMessage]);
}

#[test]
fn the_short_custom_attribute_form_is_expanded_with_the_external_app_id() {
    let short = || connector_response("response_continue_short_extension.json");
    let external = AdapterConfig::new()
        .with_external_extensions_app_id(EXTERNAL_APP)
        .unwrap();
    assert_eq!(
        answer(short(), Event::AttributeCollectionSubmit, &external).0,
        submit_body(&format!(
            r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{{"extension_{EXTERNAL_APP}_LoyaltyTier":"Silver"}}}}"#
        ))
    );
    let error = from_connector_response(
        short(),
        Event::AttributeCollectionSubmit,
        &AdapterConfig::new(),
    )
    .unwrap_err();
    assert_eq!(
        error,
        AdapterError::UnresolvedCustomAttribute {
            claim: "extension_LoyaltyTier".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        "claim `extension_LoyaltyTier` is a custom attribute, and the external tenant's extensions app id is not configured"
    );
}

#[test]
fn b2c_names_need_the_external_app_id_and_other_apps_pass_through() {
    let b2c_only = AdapterConfig::new()
        .with_b2c_extensions_app_id(B2C_APP)
        .unwrap();
    let b2c_name = format!("extension_{B2C_APP}_LoyaltyTier");
    assert_eq!(
        b2c_only.to_external_name(&b2c_name),
        Err(AdapterError::UnresolvedCustomAttribute {
            claim: b2c_name.clone()
        })
    );
    let other = "extension_ffffffffffffffffffffffffffffffff_X";
    assert_eq!(both_apps().to_external_name(other).unwrap(), other);
    // Without the B2C app id, a name with an app id is taken as already external.
    let external = AdapterConfig::new()
        .with_external_extensions_app_id(EXTERNAL_APP)
        .unwrap();
    assert_eq!(external.to_external_name(&b2c_name).unwrap(), b2c_name);
    assert_eq!(
        both_apps().to_external_name("postalCode").unwrap(),
        "postalCode"
    );
}

#[test]
fn attribute_values_are_strings_integers_and_booleans() {
    let continuation = Continuation::new()
        .with_claim("a", "x")
        .unwrap()
        .with_claim("b", 7)
        .unwrap()
        .with_claim("c", false)
        .unwrap();
    assert_eq!(
        answer(
            continuation.into(),
            Event::AttributeCollectionSubmit,
            &AdapterConfig::new()
        )
        .0,
        submit_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{"a":"x","b":7,"c":false}}"#
        )
    );
    for (event, value) in [
        (Event::AttributeCollectionSubmit, json!(1.5)),
        (Event::AttributeCollectionSubmit, json!(["x"])),
        (Event::AttributeCollectionStart, json!({"x": 1})),
    ] {
        let continuation = Continuation::new()
            .with_claim("shoeSize", value.clone())
            .unwrap();
        let error =
            from_connector_response(continuation.into(), event, &AdapterConfig::new()).unwrap_err();
        assert_eq!(
            error,
            AdapterError::UnsupportedClaimValue {
                claim: "shoeSize".to_owned(),
                event,
                expected: "a string, an integer or a boolean"
            },
            "{value}"
        );
        assert_eq!(error.http_status(), 500);
    }
}

#[test]
fn token_claims_are_strings_and_string_arrays_only() {
    for value in [json!(39), json!(true), json!(["a", 1]), json!({"a": "b"})] {
        let continuation = Continuation::new()
            .with_claim("ShoeSize", value.clone())
            .unwrap();
        let error = from_connector_response(
            continuation.into(),
            Event::TokenIssuanceStart,
            &AdapterConfig::new(),
        )
        .unwrap_err();
        assert_eq!(
            error,
            AdapterError::UnsupportedClaimValue {
                claim: "ShoeSize".to_owned(),
                event: Event::TokenIssuanceStart,
                expected: "a string or an array of strings"
            },
            "{value}"
        );
        assert_eq!(
            error.to_string(),
            "claim `ShoeSize` cannot be returned for `microsoft.graph.authenticationEvent.tokenIssuanceStart`: its value must be a string or an array of strings"
        );
    }
}

#[test]
fn token_claims_over_three_kilobytes_are_an_error_of_the_custom_extension_contract() {
    let continuation = Continuation::new()
        .with_claim("big", "x".repeat(MAX_CLAIMS_SIZE))
        .unwrap();
    assert_eq!(
        from_connector_response(
            continuation.into(),
            Event::TokenIssuanceStart,
            &AdapterConfig::new()
        ),
        Err(AdapterError::Response(
            CustomExtensionError::ClaimsTooLarge {
                size: MAX_CLAIMS_SIZE + 3,
                limit: MAX_CLAIMS_SIZE
            }
        ))
    );
}

#[test]
fn every_adapted_body_parses_back_as_the_event_s_response() {
    let config = both_apps();
    for fixture in [
        "response_continue.json",
        "response_continue_empty.json",
        "response_block.json",
        "response_validation_error.json",
    ] {
        for event in [
            Event::AttributeCollectionStart,
            Event::AttributeCollectionSubmit,
            Event::TokenIssuanceStart,
        ] {
            let Ok(adapted) = from_connector_response(connector_response(fixture), event, &config)
            else {
                assert_eq!(event, Event::TokenIssuanceStart, "{fixture}");
                continue;
            };
            let (status, body) = adapted.to_http();
            assert_eq!(
                CustomExtensionResponse::from_http(event, status, &body).unwrap(),
                adapted.response,
                "{fixture} {event}"
            );
        }
    }
}

// ---- answers checked against the call ----

#[test]
fn a_returned_attribute_the_call_did_not_collect_is_reported() {
    let call = adapt("attribute_collection_submit_request.json", &both_apps());
    let continuation = Continuation::new()
        .with_claim("givenName", "Larissa")
        .unwrap()
        .with_custom_attribute("ScreenedBy", "api")
        .unwrap();
    let adapted = call.respond(continuation.into()).unwrap();
    assert_eq!(
        adapted.response.to_json(),
        submit_body(&format!(
            r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{{"givenName":"Larissa","extension_{EXTERNAL_APP}_ScreenedBy":"api"}}}}"#
        ))
    );
    assert_eq!(
        adapted.losses,
        [Loss::AttributeNotCollected {
            attribute: format!("extension_{EXTERNAL_APP}_ScreenedBy")
        }]
    );
}

#[test]
fn a_returned_attribute_keeps_the_value_type_the_call_sent() {
    let call = adapt("attribute_collection_submit_request.json", &both_apps());
    // The B2C name of an integer attribute, returned as an integer: rewritten, accepted.
    let ok = Continuation::new()
        .with_custom_attribute_for_app(B2C_APP, "graduationYear", 2011)
        .unwrap()
        .with_custom_attribute_for_app(B2C_APP, "onMailingList", true)
        .unwrap()
        .with_custom_attribute_for_app(B2C_APP, "universityGroups", "Alumni")
        .unwrap();
    let adapted = call.respond(ok.into()).unwrap();
    assert_eq!(adapted.losses, []);
    for (name, value, expected) in [
        ("graduationYear", json!("2011"), "an integer"),
        ("onMailingList", json!("yes"), "a boolean"),
        ("universityGroups", json!(1), "a string"),
    ] {
        let wrong = Continuation::new()
            .with_custom_attribute_for_app(B2C_APP, name, value)
            .unwrap();
        assert_eq!(
            call.respond(wrong.into()),
            Err(AdapterError::AttributeTypeMismatch {
                attribute: format!("extension_{EXTERNAL_APP}_{name}"),
                expected
            })
        );
    }
}

#[test]
fn token_issuance_answers_are_not_checked_against_attributes() {
    let call = adapt("token_issuance_start_request.json", &both_apps());
    let adapted = call
        .respond(
            Continuation::new()
                .with_claim("tier", "gold")
                .unwrap()
                .into(),
        )
        .unwrap();
    assert_eq!(adapted.losses, []);
    assert_eq!(
        adapted.response.to_json(),
        token_body(
            r#"{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"tier":"gold"}}"#
        )
    );
}

// ---- handle ----

#[test]
fn handle_presents_the_call_and_answers_with_the_event_s_action() {
    let body = entra("attribute_collection_submit_request.json");
    let mut seen = None;
    let adapted = adapter::handle(body.as_bytes(), &both_apps(), |request| {
        seen = Some(request.to_json());
        ConnectorResponse::validation_error("Please check your graduation year.")
    })
    .unwrap();
    assert_eq!(seen.unwrap(), larissa("PostAttributeCollection", B2C_APP));
    let (status, body) = adapted.to_http();
    assert_eq!(status, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        submit_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Please check your graduation year.","attributeErrors":{}}"#
        )
    );
}

#[test]
fn handle_does_not_call_the_handler_for_a_call_it_cannot_adapt() {
    let never =
        |_: ConnectorRequest| -> ConnectorResponse { panic!("the handler must not be called") };
    let error = adapter::handle(b"{\"type\":", &AdapterConfig::new(), never).unwrap_err();
    assert!(matches!(
        error,
        AdapterError::InvalidRequest(CustomExtensionError::InvalidJson(_))
    ));
    assert_eq!(error.http_status(), 400);
    let error = adapter::handle(
        br#"{"type":"microsoft.graph.authenticationEvent.other"}"#,
        &AdapterConfig::new(),
        never,
    )
    .unwrap_err();
    assert_eq!(
        error,
        AdapterError::InvalidRequest(CustomExtensionError::UnknownEvent(
            "microsoft.graph.authenticationEvent.other".to_owned()
        ))
    );
    let otp = entra("email_otp_send_request.json");
    assert_eq!(
        adapter::handle(otp.as_bytes(), &AdapterConfig::new(), never),
        Err(AdapterError::NotAdaptable {
            event: Event::EmailOtpSend
        })
    );
}

#[test]
fn handle_reports_an_answer_it_cannot_adapt() {
    let body = entra("token_issuance_start_request.json");
    let error = adapter::handle(body.as_bytes(), &AdapterConfig::new(), |_| {
        ConnectorResponse::block("no")
    })
    .unwrap_err();
    assert_eq!(
        error,
        AdapterError::ActionNotAllowed {
            action: Action::ShowBlockPage,
            event: Event::TokenIssuanceStart
        }
    );
}

#[tokio::test]
async fn handle_async_awaits_the_handler() {
    let body = entra("attribute_collection_start_request.json");
    let adapted = adapter::handle_async(body.as_bytes(), &both_apps(), |request| async move {
        assert_eq!(request.step, Some(Step::PostFederationSignup));
        Continuation::new()
            .with_claim("givenName", request.given_name.unwrap().to_uppercase())
            .unwrap()
            .into()
    })
    .await
    .unwrap();
    assert_eq!(
        adapted.response.to_json(),
        start_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionStart.setPrefillValues","inputs":{"givenName":"LARISSA PRICE"}}"#
        )
    );
    assert_eq!(adapted.losses, []);
    let otp = entra("email_otp_send_request.json");
    let result = adapter::handle_async(otp.as_bytes(), &AdapterConfig::new(), |_| async {
        panic!("the handler must not be called")
    })
    .await;
    assert_eq!(
        result,
        Err(AdapterError::NotAdaptable {
            event: Event::EmailOtpSend
        })
    );
}
