//! The custom-extension contract, checked against the request and response examples of the
//! Entra pages (fixtures under `tests/fixtures/custom-extensions/`, see its README) and the
//! choices of `docs/custom-extensions-contract.md`.

use entra_api_connectors_contract::Identity;
use entra_api_connectors_contract::custom_extension::{
    Action, ActionKind, AttributeCollectionStartAction, AttributeCollectionSubmitAction,
    AttributeType, AttributeValue, AttributeValues, AuthenticationUser, BlockPage, ClaimValue,
    CustomExtensionError, CustomExtensionRequest, CustomExtensionResponse, DirectoryAttributeValue,
    EmailOtpSendAction, Event, MAX_CLAIMS_SIZE, SignUpAttribute, TokenClaims,
    TokenIssuanceStartAction, ValidationError,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/custom-extensions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn fixture_value(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn as_value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

/// Renames every `@odata.Type` key (inconsistency 5) to the emitted `@odata.type`.
fn normalize_odata_type_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(v) = map.remove("@odata.Type") {
                map.insert("@odata.type".to_owned(), v);
            }
            map.values_mut().for_each(normalize_odata_type_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_odata_type_keys),
        _ => {}
    }
}

/// Parses a request fixture, checks its event, and checks that serializing gives the fixture
/// back (with the emitted key spelling) and parses to an equal request.
fn round_trip_request(name: &str, event: Event) -> CustomExtensionRequest {
    let request = CustomExtensionRequest::from_json(fixture(name)).unwrap();
    assert_eq!(request.event(), event, "{name}");
    let json = request.to_json();
    let mut expected = fixture_value(name);
    normalize_odata_type_keys(&mut expected);
    assert_eq!(as_value(&json), expected, "{name}");
    assert_eq!(
        CustomExtensionRequest::from_json(&json).unwrap(),
        request,
        "{name}"
    );
    // Serde's traits give the same.
    let via_serde: CustomExtensionRequest = serde_json::from_str(&fixture(name)).unwrap();
    assert_eq!(via_serde, request);
    assert_eq!(serde_json::to_string(&request).unwrap(), json);
    request
}

/// Parses a response fixture for `event`, and checks that serializing gives `expected` (the
/// fixture unless a spelling differs) and parses to an equal response.
fn round_trip_response(name: &str, event: Event, expected: Value) -> CustomExtensionResponse {
    let response = CustomExtensionResponse::from_json_for(event, fixture(name)).unwrap();
    assert_eq!(response.event(), event, "{name}");
    assert_eq!(
        CustomExtensionResponse::from_json(fixture(name)).unwrap(),
        response
    );
    let json = response.to_json();
    assert_eq!(as_value(&json), expected, "{name}");
    assert_eq!(
        CustomExtensionResponse::from_json(&json).unwrap(),
        response,
        "{name}"
    );
    let via_serde: CustomExtensionResponse = serde_json::from_str(&fixture(name)).unwrap();
    assert_eq!(via_serde, response);
    response
}

// ---------------------------------------------------------------------------------------------
// Requests: the pages' examples
// ---------------------------------------------------------------------------------------------

#[test]
fn token_issuance_start_request_round_trips() {
    let request = round_trip_request(
        "token_issuance_start_request.json",
        Event::TokenIssuanceStart,
    );
    let CustomExtensionRequest::TokenIssuanceStart(r) = &request else {
        panic!("{request:?}")
    };
    let envelope = &r.envelope;
    assert_eq!(
        envelope.source,
        "/tenants/<Your tenant GUID>/applications/<Your Test Application App Id>"
    );
    assert_eq!(envelope.tenant_id, "<Your tenant GUID>");
    assert_eq!(envelope.authentication_event_listener_id, "<GUID>");
    assert_eq!(
        envelope.custom_authentication_extension_id,
        "<Your custom extension ID>"
    );
    let context = &envelope.authentication_context;
    assert_eq!(context.correlation_id, "<GUID>");
    let client = context.client.as_ref().unwrap();
    assert_eq!(client.ip.as_deref(), Some("30.51.176.110"));
    assert_eq!(client.locale.as_deref(), Some("en-us"));
    assert_eq!(client.market.as_deref(), Some("en-us"));
    assert_eq!(context.protocol.as_deref(), Some("OAUTH2.0"));
    let sp = context.client_service_principal.as_ref().unwrap();
    assert_eq!(sp.app_id.as_deref(), Some("<Your Test Application App Id>"));
    assert_eq!(sp.app_display_name.as_deref(), Some("My Test application"));
    assert_eq!(context.resource_service_principal.as_ref(), Some(sp));
    assert!(
        context.additional.is_empty(),
        "user is not an unknown member"
    );
    let user = r.user.as_ref().unwrap();
    assert_eq!(
        user.id.as_deref(),
        Some("90847c2a-e29d-4d2f-9f54-c5b4d3f26471")
    );
    assert_eq!(user.mail.as_deref(), Some("casey@contoso.com"));
    assert_eq!(user.given_name.as_deref(), Some("Casey"));
    assert_eq!(user.surname.as_deref(), Some("Jensen"));
    assert_eq!(
        user.created_date_time.as_deref(),
        Some("2016-03-01T15:23:40Z")
    );
    assert_eq!(
        user.on_premises_sam_account_name.as_deref(),
        Some("caseyjensen")
    );
    assert_eq!(user.user_type.as_deref(), Some("Member"));
    assert!(user.additional.is_empty());
    assert!(envelope.additional.is_empty() && envelope.additional_data.is_empty());
    assert_eq!(request.user_sign_up_info(), None);
}

#[test]
fn troubleshooting_request_round_trips() {
    let request = round_trip_request(
        "token_issuance_start_request_troubleshoot.json",
        Event::TokenIssuanceStart,
    );
    assert_eq!(
        request.envelope().tenant_id,
        "aaaabbbb-0000-cccc-1111-dddd2222eeee"
    );
    assert_eq!(
        request.envelope().authentication_context.correlation_id,
        "aaaa0000-bb11-2222-33cc-444444dddddd"
    );
}

#[test]
fn b2b_user_parses_and_round_trips_inside_a_request() {
    let fragment = fixture_value("token_issuance_start_request_b2b_user.json");
    let user: AuthenticationUser = serde_json::from_value(fragment["user"].clone()).unwrap();
    assert_eq!(user.user_type.as_deref(), Some("Guest"));
    assert_eq!(user.preferred_data_location.as_deref(), Some("EUR"));
    assert_eq!(
        user.user_principal_name.as_deref(),
        Some("johnwright_fabrikam.com#EXT#@contoso.onmicrosoft.com")
    );
    assert_eq!(user.given_name, None);
    assert_eq!(serde_json::to_value(&user).unwrap(), fragment["user"]);

    let mut body = fixture_value("token_issuance_start_request.json");
    body["data"]["authenticationContext"]["user"] = fragment["user"].clone();
    let request = CustomExtensionRequest::from_value(body.clone()).unwrap();
    let CustomExtensionRequest::TokenIssuanceStart(r) = &request else {
        panic!()
    };
    assert_eq!(r.user.as_ref(), Some(&user));
    assert_eq!(as_value(&request.to_json()), body);
}

#[test]
fn attribute_collection_start_request_round_trips_with_typed_attributes() {
    let request = round_trip_request(
        "attribute_collection_start_request.json",
        Event::AttributeCollectionStart,
    );
    let CustomExtensionRequest::AttributeCollectionStart(r) = &request else {
        panic!("{request:?}")
    };
    let info = &r.user_sign_up_info;
    let names: Vec<&str> = info.attributes.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "givenName",
            "companyName",
            "extension_<appid>_universityGroups",
            "extension_<appid>_graduationYear",
            "extension_<appid>_onMailingList"
        ]
    );
    assert_eq!(
        info.attributes["givenName"],
        SignUpAttribute::built_in("Larissa Price")
    );
    // The key spelled `@odata.Type` on the page.
    let groups = &info.attributes["extension_<appid>_universityGroups"];
    assert_eq!(groups.value.as_str(), Some("Alumni,Faculty"));
    assert_eq!(
        groups.attribute_type,
        Some(AttributeType::DirectorySchemaExtension)
    );
    assert_eq!(
        info.attributes["extension_<appid>_graduationYear"],
        SignUpAttribute::custom(DirectoryAttributeValue::Int64(Some(2010)))
    );
    assert_eq!(
        info.attributes["extension_<appid>_onMailingList"].value,
        DirectoryAttributeValue::Boolean(Some(false))
    );
    assert_eq!(
        info.identities,
        [Identity {
            sign_in_type: Some("email".to_owned()),
            issuer: Some("contoso.onmicrosoft.com".to_owned()),
            issuer_assigned_id: Some("larissa.price@contoso.onmicrosoft.com".to_owned()),
        }]
    );
    assert_eq!(info.email(), Some("larissa.price@contoso.onmicrosoft.com"));
    assert_eq!(request.user_sign_up_info(), Some(info));
}

#[test]
fn attribute_collection_submit_request_round_trips() {
    let request = round_trip_request(
        "attribute_collection_submit_request.json",
        Event::AttributeCollectionSubmit,
    );
    let info = request.user_sign_up_info().unwrap();
    assert_eq!(info.attributes.len(), 5);
    assert_eq!(
        info.attribute("companyName").unwrap().value.as_str(),
        Some("Contoso University")
    );
    assert_eq!(
        info.attribute("extension_<appid>_graduationYear")
            .unwrap()
            .value
            .as_i64(),
        Some(2010)
    );
    assert_eq!(
        info.attribute("extension_<appid>_onMailingList")
            .unwrap()
            .value
            .as_bool(),
        Some(false)
    );
}

#[test]
fn email_otp_send_request_round_trips_and_redacts_the_code() {
    let request = round_trip_request("email_otp_send_request.json", Event::EmailOtpSend);
    let CustomExtensionRequest::EmailOtpSend(r) = &request else {
        panic!()
    };
    assert_eq!(r.otp_context.identifier, "someone@example.com");
    assert_eq!(r.otp_context.one_time_code.expose_secret(), "12345678");
    assert_eq!(r.request_type.as_deref(), Some("signUp"));
    assert!(r.envelope.authentication_context.additional.is_empty());
    let debug = format!("{request:?}");
    assert!(!debug.contains("12345678"), "{debug}");
    assert!(debug.contains("[REDACTED]"), "{debug}");
    assert!(debug.contains("someone@example.com"));
}

#[test]
fn the_preview_pages_request_with_its_trailing_comma_is_not_json() {
    // Inconsistency 6: the preview pages' requests have `},` after resourceServicePrincipal.
    let body = fixture("attribute_collection_start_request.json").replacen(
        "\"displayName\": \"My Test application\"\n        }\n    },",
        "\"displayName\": \"My Test application\"\n        },\n    },",
        1,
    );
    assert_ne!(body, fixture("attribute_collection_start_request.json"));
    assert!(matches!(
        CustomExtensionRequest::from_json(body),
        Err(CustomExtensionError::InvalidJson(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Requests: tolerance, unknown members, errors
// ---------------------------------------------------------------------------------------------

#[test]
fn event_and_callout_types_parse_in_every_spelling_and_emit_one() {
    for (event_type, data_type) in [
        (
            "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
            "microsoft.graph.onAttributeCollectionSubmitCalloutData",
        ),
        (
            "Microsoft.Graph.AuthenticationEvent.AttributeCollectionSubmit",
            "#microsoft.graph.OnAttributeCollectionSubmitCalloutData",
        ),
        (
            "authenticationEvent.attributeCollectionSubmit",
            "onAttributeCollectionSubmitCalloutData",
        ),
    ] {
        let mut body = fixture_value("attribute_collection_submit_request.json");
        body["type"] = json!(event_type);
        body["data"]["@odata.type"] = json!(data_type);
        let request = CustomExtensionRequest::from_value(body).unwrap();
        assert_eq!(request.event(), Event::AttributeCollectionSubmit);
        let emitted = as_value(&request.to_json());
        assert_eq!(
            emitted["type"],
            "microsoft.graph.authenticationEvent.attributeCollectionSubmit"
        );
        assert_eq!(
            emitted["data"]["@odata.type"],
            "microsoft.graph.onAttributeCollectionSubmitCalloutData"
        );
    }
    // Without `data.@odata.type` (choice: `type` decides), it is emitted.
    let mut body = fixture_value("email_otp_send_request.json");
    body["data"].as_object_mut().unwrap().remove("@odata.type");
    let request = CustomExtensionRequest::from_value(body).unwrap();
    assert_eq!(
        as_value(&request.to_json())["data"]["@odata.type"],
        "microsoft.graph.onOtpSendCalloutData"
    );
    for event in Event::ALL {
        assert_eq!(event.to_string(), event.event_type());
        assert_eq!(event.event_type().parse::<Event>(), Ok(event));
        assert_eq!(
            Event::from_callout_data_type(event.callout_data_type()),
            Some(event)
        );
        assert_eq!(
            Event::from_response_data_type(event.response_data_type()),
            Some(event)
        );
    }
}

#[test]
fn unknown_members_are_kept_at_every_level() {
    let mut body = fixture_value("attribute_collection_submit_request.json");
    body["specversion"] = json!("1.0");
    body["data"]["futureMember"] = json!({"a": 1});
    body["data"]["authenticationContext"]["sessionId"] = json!("s");
    body["data"]["authenticationContext"]["client"]["userAgent"] = json!("ua");
    body["data"]["authenticationContext"]["clientServicePrincipal"]["tags"] = json!(["x"]);
    body["data"]["userSignUpInfo"]["futureInfo"] = json!(true);
    body["data"]["userSignUpInfo"]["attributes"]["givenName"]["readOnly"] = json!(false);
    let request = CustomExtensionRequest::from_value(body.clone()).unwrap();
    let envelope = request.envelope();
    assert_eq!(envelope.additional["specversion"], "1.0");
    assert_eq!(envelope.additional_data["futureMember"], json!({"a": 1}));
    let context = &envelope.authentication_context;
    assert_eq!(context.additional["sessionId"], "s");
    assert_eq!(
        context.client.as_ref().unwrap().additional["userAgent"],
        "ua"
    );
    let info = request.user_sign_up_info().unwrap();
    assert_eq!(info.additional["futureInfo"], true);
    assert_eq!(info.attributes["givenName"].additional["readOnly"], false);
    normalize_odata_type_keys(&mut body);
    assert_eq!(as_value(&request.to_json()), body);

    // A member of another event is kept as unknown, not lost.
    let mut body = fixture_value("attribute_collection_start_request.json");
    body["data"]["authenticationContext"]["user"] = json!({"id": "u"});
    let request = CustomExtensionRequest::from_value(body).unwrap();
    assert_eq!(
        request.envelope().authentication_context.additional["user"],
        json!({"id": "u"})
    );
}

#[test]
fn attribute_values_without_value_and_of_unknown_types() {
    let mut body = fixture_value("attribute_collection_start_request.json");
    let attributes = &mut body["data"]["userSignUpInfo"]["attributes"];
    attributes["city"] = json!({
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
        "attributeType": "builtIn"
    });
    attributes["postalCode"] = json!({
        "@odata.type": "stringDirectoryAttributeValue",
        "value": null,
        "attributeType": "builtIn"
    });
    attributes["extension_<appid>_birthday"] = json!({
        "@odata.type": "microsoft.graph.dateTimeDirectoryAttributeValue",
        "value": "2000-01-01",
        "attributeType": "futureKind"
    });
    let request = CustomExtensionRequest::from_value(body).unwrap();
    let info = request.user_sign_up_info().unwrap();
    assert_eq!(
        info.attributes["city"].value,
        DirectoryAttributeValue::String(None)
    );
    assert_eq!(info.attributes["city"].value.to_attribute_value(), None);
    assert_eq!(
        info.attributes["postalCode"].value,
        DirectoryAttributeValue::String(None)
    );
    let birthday = &info.attributes["extension_<appid>_birthday"];
    assert_eq!(
        birthday.value,
        DirectoryAttributeValue::Unknown {
            odata_type: "microsoft.graph.dateTimeDirectoryAttributeValue".to_owned(),
            value: Some(json!("2000-01-01")),
        }
    );
    assert_eq!(birthday.value.to_json_value(), json!("2000-01-01"));
    assert_eq!(
        birthday.attribute_type,
        Some(AttributeType::Other("futureKind".to_owned()))
    );
    let emitted = as_value(&request.to_json());
    let emitted = &emitted["data"]["userSignUpInfo"]["attributes"];
    // No value: none emitted; the namespace is added; unknown types as received.
    assert_eq!(
        emitted["postalCode"],
        json!({"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "attributeType": "builtIn"})
    );
    assert_eq!(
        emitted["extension_<appid>_birthday"],
        json!({
            "@odata.type": "microsoft.graph.dateTimeDirectoryAttributeValue",
            "value": "2000-01-01",
            "attributeType": "futureKind"
        })
    );
    assert_eq!(
        info.attributes["extension_<appid>_graduationYear"]
            .value
            .to_attribute_value(),
        Some(AttributeValue::Int64(2010))
    );
}

fn request_error(body: Value) -> CustomExtensionError {
    CustomExtensionRequest::from_value(body).unwrap_err()
}

fn missing(field: &str) -> CustomExtensionError {
    CustomExtensionError::MissingField {
        field: field.to_owned(),
    }
}

fn invalid(field: &str, expected: &'static str) -> CustomExtensionError {
    CustomExtensionError::InvalidField {
        field: field.to_owned(),
        expected,
    }
}

#[test]
fn bad_requests_give_typed_errors() {
    let submit = || fixture_value("attribute_collection_submit_request.json");
    assert!(matches!(
        CustomExtensionRequest::from_json("not json"),
        Err(CustomExtensionError::InvalidJson(_))
    ));
    assert!(matches!(
        CustomExtensionRequest::from_json("[]"),
        Err(CustomExtensionError::InvalidJson(_))
    ));

    let mut body = submit();
    body.as_object_mut().unwrap().remove("type");
    assert_eq!(request_error(body), missing("type"));

    let mut body = submit();
    body["type"] = json!("microsoft.graph.authenticationEvent.signInStart");
    let error = request_error(body);
    assert_eq!(
        error,
        CustomExtensionError::UnknownEvent(
            "microsoft.graph.authenticationEvent.signInStart".into()
        )
    );
    assert_eq!(error.troubleshooting_code(), None);

    let mut body = submit();
    body["data"]["@odata.type"] = json!("microsoft.graph.onAttributeCollectionStartCalloutData");
    assert_eq!(
        request_error(body),
        CustomExtensionError::CalloutDataTypeMismatch {
            event: Event::AttributeCollectionSubmit,
            found: "microsoft.graph.onAttributeCollectionStartCalloutData".into(),
        }
    );

    let mut body = submit();
    body.as_object_mut().unwrap().remove("source");
    assert_eq!(request_error(body), missing("source"));

    let mut body = submit();
    body["data"] = json!("x");
    assert_eq!(request_error(body), invalid("data", "an object"));

    for member in [
        "tenantId",
        "authenticationEventListenerId",
        "customAuthenticationExtensionId",
        "authenticationContext",
    ] {
        let mut body = submit();
        body["data"].as_object_mut().unwrap().remove(member);
        assert_eq!(request_error(body), missing(&format!("data.{member}")));
    }

    let mut body = submit();
    body["data"]["tenantId"] = json!(42);
    assert_eq!(request_error(body), invalid("data.tenantId", "a string"));

    let mut body = submit();
    body["data"]["authenticationContext"]["client"] = json!("x");
    assert!(matches!(
        request_error(body),
        CustomExtensionError::InvalidJson(m) if m.starts_with("data.authenticationContext:")
    ));

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"]["givenName"]["value"] = json!(7);
    assert_eq!(
        request_error(body),
        invalid("data.userSignUpInfo.attributes.givenName.value", "a string")
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"]["extension_<appid>_graduationYear"]["value"] =
        json!("2010");
    assert_eq!(
        request_error(body),
        invalid(
            "data.userSignUpInfo.attributes.extension_<appid>_graduationYear.value",
            "a 64-bit integer"
        )
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"]["extension_<appid>_onMailingList"]["value"] =
        json!("false");
    assert_eq!(
        request_error(body),
        invalid(
            "data.userSignUpInfo.attributes.extension_<appid>_onMailingList.value",
            "a boolean"
        )
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"]["givenName"]
        .as_object_mut()
        .unwrap()
        .remove("@odata.type");
    assert_eq!(
        request_error(body),
        missing("data.userSignUpInfo.attributes.givenName.@odata.type")
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"]["givenName"] = json!("Larissa");
    assert_eq!(
        request_error(body),
        invalid("data.userSignUpInfo.attributes.givenName", "an object")
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["attributes"] = json!([]);
    assert_eq!(
        request_error(body),
        invalid("data.userSignUpInfo.attributes", "an object")
    );

    let mut body = submit();
    body["data"]["userSignUpInfo"]["identities"] = json!({});
    assert!(matches!(
        request_error(body),
        CustomExtensionError::InvalidJson(m) if m.starts_with("data.userSignUpInfo.identities:")
    ));

    // Without userSignUpInfo: empty (tolerant).
    let mut body = submit();
    body["data"]
        .as_object_mut()
        .unwrap()
        .remove("userSignUpInfo");
    let request = CustomExtensionRequest::from_value(body).unwrap();
    assert!(request.user_sign_up_info().unwrap().attributes.is_empty());
}

#[test]
fn bad_otp_contexts_never_show_the_code() {
    let otp = || fixture_value("email_otp_send_request.json");
    let mut body = otp();
    body["data"].as_object_mut().unwrap().remove("otpContext");
    assert_eq!(request_error(body), missing("data.otpContext"));

    let mut body = otp();
    body["data"]["otpContext"]["oneTimeCode"] = json!(98765432);
    let error = request_error(body);
    assert_eq!(error, invalid("data.otpContext.oneTimeCode", "a string"));
    assert!(!error.to_string().contains("98765432"));
    assert!(!format!("{error:?}").contains("98765432"));

    let mut body = otp();
    body["data"]["otpContext"]
        .as_object_mut()
        .unwrap()
        .remove("identifier");
    assert_eq!(request_error(body), missing("data.otpContext.identifier"));

    let mut body = otp();
    body["data"]["authenticationContext"]["requestType"] = json!(1);
    assert_eq!(
        request_error(body),
        invalid("data.authenticationContext.requestType", "a string")
    );
}

// ---------------------------------------------------------------------------------------------
// Responses: the pages' examples
// ---------------------------------------------------------------------------------------------

#[test]
fn provide_claims_for_token_responses_round_trip() {
    for name in [
        "token_issuance_start_response_provide_claims_for_token.json",
        "token_issuance_start_response_troubleshoot.json",
    ] {
        round_trip_response(name, Event::TokenIssuanceStart, fixture_value(name));
    }
    let response = round_trip_response(
        "token_issuance_start_response_provide_claims_for_token.json",
        Event::TokenIssuanceStart,
        fixture_value("token_issuance_start_response_provide_claims_for_token.json"),
    );
    let Action::ProvideClaimsForToken(claims) = response.action() else {
        panic!()
    };
    assert_eq!(
        claims.get("DateOfBirth"),
        Some(&ClaimValue::from("01/01/2000"))
    );
    assert_eq!(
        claims.get("CustomRoles"),
        Some(&ClaimValue::from(["Writer", "Editor"]))
    );
    assert_eq!(
        claims.get("dateofbirth"),
        None,
        "claim names are case-sensitive"
    );
}

#[test]
fn attribute_collection_start_responses_round_trip() {
    for name in [
        "attribute_collection_start_response_continue_with_default_behavior.json",
        "attribute_collection_start_response_set_prefill_values.json",
        "attribute_collection_start_response_show_block_page.json",
        "attribute_collection_start_response_show_block_page_preview.json",
    ] {
        round_trip_response(name, Event::AttributeCollectionStart, fixture_value(name));
    }
    let prefill = CustomExtensionResponse::from_json(fixture(
        "attribute_collection_start_response_set_prefill_values.json",
    ))
    .unwrap();
    assert_eq!(
        prefill.action(),
        &Action::SetPrefillValues(
            AttributeValues::new()
                .with("key1", "value1,value2,value3")
                .unwrap()
                .with("key2", true)
                .unwrap()
        )
    );
    let block = CustomExtensionResponse::from_json(fixture(
        "attribute_collection_start_response_show_block_page.json",
    ))
    .unwrap();
    assert_eq!(
        block.action(),
        &Action::ShowBlockPage(
            BlockPage::new("Your access request is already processing. You'll be notified when your request has been approved.")
                .with_title("Hold tight...")
        )
    );
    // Inconsistency 2: the preview page has no title, and none is emitted.
    let preview = CustomExtensionResponse::from_json(fixture(
        "attribute_collection_start_response_show_block_page_preview.json",
    ))
    .unwrap();
    let Action::ShowBlockPage(page) = preview.action() else {
        panic!()
    };
    assert_eq!(page.title, None);
    assert!(!preview.to_json().contains("title"));
}

#[test]
fn attribute_collection_submit_responses_round_trip() {
    for name in [
        "attribute_collection_submit_response_continue_with_default_behavior.json",
        "attribute_collection_submit_response_modify_attribute_values.json",
        "attribute_collection_submit_response_show_block_page.json",
        "attribute_collection_submit_response_show_block_page_preview.json",
        "attribute_collection_submit_response_show_validation_error.json",
    ] {
        round_trip_response(name, Event::AttributeCollectionSubmit, fixture_value(name));
    }
    let error = CustomExtensionResponse::from_json(fixture(
        "attribute_collection_submit_response_show_validation_error.json",
    ))
    .unwrap();
    assert_eq!(
        error.action(),
        &Action::ShowValidationError(
            ValidationError::new("Please fix the below errors to proceed.")
                .with_attribute_error("city", "City cannot contain any numbers")
                .with_attribute_error(
                    "extension_<appid>_graduationYear",
                    "Graduation year must be at least 4 digits"
                )
        )
    );
    let modify = CustomExtensionResponse::from_json(fixture(
        "attribute_collection_submit_response_modify_attribute_values.json",
    ))
    .unwrap();
    let Action::ModifyAttributeValues(values) = modify.action() else {
        panic!()
    };
    assert_eq!(values.get("key2"), Some(&AttributeValue::Boolean(true)));
}

#[test]
fn csharp_sample_casing_parses_and_the_pages_json_casing_is_emitted() {
    // Inconsistency 3: `ShowValidationError` and `ContinueWithDefaultBehavior` in the C# sample.
    let name =
        "derived_attribute_collection_submit_response_show_validation_error_csharp_sample.json";
    let mut expected = fixture_value(name);
    expected["data"]["actions"][0]["@odata.type"] =
        json!("microsoft.graph.attributeCollectionSubmit.showValidationError");
    let response = round_trip_response(name, Event::AttributeCollectionSubmit, expected);
    assert_eq!(response.action().kind(), ActionKind::ShowValidationError);
    // The sample's compact serialization, byte for byte, but for the casing.
    assert_eq!(
        response.to_json(),
        fixture(name).trim_end().replace(
            "attributeCollectionSubmit.ShowValidationError",
            "attributeCollectionSubmit.showValidationError"
        )
    );

    let name = "derived_attribute_collection_submit_response_continue_csharp_sample.json";
    let mut expected = fixture_value(name);
    expected["data"]["actions"][0]["@odata.type"] =
        json!("microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior");
    let response = round_trip_response(name, Event::AttributeCollectionSubmit, expected);
    assert_eq!(response.action(), &Action::ContinueWithDefaultBehavior);
}

#[test]
fn email_otp_send_response_keeps_the_pages_capital_o() {
    // Inconsistency 4: `OnOtpSendResponseData` and `OtpSend.` with capitals, emitted so.
    let name = "email_otp_send_response_continue_with_default_behavior.json";
    let response = round_trip_response(name, Event::EmailOtpSend, fixture_value(name));
    assert_eq!(
        response,
        EmailOtpSendAction::ContinueWithDefaultBehavior.into()
    );
    assert_eq!(
        response.to_json(),
        r#"{"data":{"@odata.type":"microsoft.graph.OnOtpSendResponseData","actions":[{"@odata.type":"microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}}"#
    );
    // The lower-camel spelling of every other event is read too.
    let lower = r#"{"data":{"@odata.type":"microsoft.graph.onOtpSendResponseData","actions":[{"@odata.type":"microsoft.graph.otpSend.continueWithDefaultBehavior"}]}}"#;
    assert_eq!(CustomExtensionResponse::from_json(lower).unwrap(), response);
}

#[test]
fn set_pre_fill_values_of_the_action_lists_parses_as_set_prefill_values() {
    // Inconsistency 1.
    let body = fixture("attribute_collection_start_response_set_prefill_values.json")
        .replace("setPrefillValues", "setPreFillValues");
    assert!(body.contains("setPreFillValues"));
    let response = CustomExtensionResponse::from_json(&body).unwrap();
    assert_eq!(response.action().kind(), ActionKind::SetPrefillValues);
    assert!(
        response
            .to_json()
            .contains("\"microsoft.graph.attributeCollectionStart.setPrefillValues\"")
    );
}

#[test]
fn type_names_without_namespace_or_with_hash_parse() {
    for (data, action) in [
        (
            "#microsoft.graph.onAttributeCollectionStartResponseData",
            "#microsoft.graph.attributeCollectionStart.showBlockPage",
        ),
        (
            "onAttributeCollectionStartResponseData",
            "attributeCollectionStart.showBlockPage",
        ),
        (
            "MICROSOFT.GRAPH.ONATTRIBUTECOLLECTIONSTARTRESPONSEDATA",
            "microsoft.graph.AttributeCollectionStart.ShowBlockPage",
        ),
    ] {
        let body = json!({"data": {"@odata.Type": data, "actions": [{"@odata.TYPE": action, "message": "m"}]}});
        let response = CustomExtensionResponse::from_json(body.to_string()).unwrap();
        assert_eq!(response.event(), Event::AttributeCollectionStart);
        assert_eq!(
            response.action(),
            &Action::ShowBlockPage(BlockPage::new("m"))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Legality: every action × every event
// ---------------------------------------------------------------------------------------------

/// The docs' table (§3.1), written out independently of `Event::allowed_actions`.
const ALLOWED: &[(Event, &[&str])] = &[
    (Event::TokenIssuanceStart, &["provideClaimsForToken"]),
    (
        Event::AttributeCollectionStart,
        &[
            "continueWithDefaultBehavior",
            "setPrefillValues",
            "showBlockPage",
        ],
    ),
    (
        Event::AttributeCollectionSubmit,
        &[
            "continueWithDefaultBehavior",
            "modifyAttributeValues",
            "showBlockPage",
            "showValidationError",
        ],
    ),
    (Event::EmailOtpSend, &["continueWithDefaultBehavior"]),
];

/// One action of each kind, and its fields on the wire.
fn sample_actions() -> Vec<(Action, Value)> {
    vec![
        (
            Action::ProvideClaimsForToken(TokenClaims::new().with("c", "v").unwrap()),
            json!({"claims": {"c": "v"}}),
        ),
        (Action::ContinueWithDefaultBehavior, json!({})),
        (
            Action::SetPrefillValues(AttributeValues::new().with("city", "Oslo").unwrap()),
            json!({"inputs": {"city": "Oslo"}}),
        ),
        (
            Action::ModifyAttributeValues(AttributeValues::new().with("city", "Oslo").unwrap()),
            json!({"attributes": {"city": "Oslo"}}),
        ),
        (
            Action::ShowBlockPage(BlockPage::new("m")),
            json!({"message": "m"}),
        ),
        (
            Action::ShowValidationError(ValidationError::new("m")),
            json!({"message": "m", "attributeErrors": {}}),
        ),
    ]
}

fn response_body(data_type: &str, action_type: &str, fields: &Value) -> String {
    let mut action = fields.as_object().unwrap().clone();
    action.insert("@odata.type".to_owned(), json!(action_type));
    json!({"data": {"@odata.type": data_type, "actions": [action]}}).to_string()
}

#[test]
fn every_action_for_every_event_is_allowed_exactly_as_documented() {
    assert_eq!(sample_actions().len(), ActionKind::ALL.len());
    for (event, allowed) in ALLOWED {
        for (action, fields) in sample_actions() {
            let kind = action.kind();
            let legal = allowed.contains(&kind.as_str());
            assert_eq!(event.allows(kind), legal, "{event} {kind}");
            // Building.
            let built = CustomExtensionResponse::new(*event, action.clone());
            // Parsing the same action in the event's namespace.
            let body = response_body(
                event.response_data_type(),
                &kind.odata_type(*event),
                &fields,
            );
            let parsed = CustomExtensionResponse::from_json_for(*event, &body);
            if legal {
                let built = built.unwrap();
                assert_eq!(parsed.as_ref(), Ok(&built), "{event} {kind}");
                assert_eq!(as_value(&built.to_json()), as_value(&body));
                assert_eq!(built.to_http().0, 200);
            } else {
                let expected = CustomExtensionError::ActionNotAllowed {
                    action: kind,
                    event: *event,
                };
                assert_eq!(built, Err(expected.clone()), "{event} {kind}");
                assert_eq!(parsed, Err(expected.clone()), "{event} {kind}");
                assert_eq!(expected.troubleshooting_code(), Some(1003012));
                assert!(
                    expected
                        .to_string()
                        .contains(&format!("`{kind}` is not allowed"))
                );
            }
            // The same action in another event's namespace is refused either way.
            for other in Event::ALL.into_iter().filter(|o| o != event) {
                let body =
                    response_body(event.response_data_type(), &kind.odata_type(other), &fields);
                assert_eq!(
                    CustomExtensionResponse::from_json(&body),
                    Err(CustomExtensionError::ActionOfAnotherEvent {
                        event: *event,
                        found: kind.odata_type(other),
                    }),
                    "{event} {kind} as {other}"
                );
            }
        }
    }
}

#[test]
fn exactly_one_action_per_response() {
    for event in Event::ALL {
        let action =
            json!({"@odata.type": ActionKind::ContinueWithDefaultBehavior.odata_type(event)});
        for actions in [
            json!([]),
            json!([action.clone(), action.clone()]),
            json!([action.clone(), action.clone(), action]),
        ] {
            let count = actions.as_array().unwrap().len();
            let body =
                json!({"data": {"@odata.type": event.response_data_type(), "actions": actions}});
            let error = CustomExtensionResponse::from_json(body.to_string()).unwrap_err();
            assert_eq!(
                error,
                CustomExtensionError::WrongNumberOfActions { event, count }
            );
            assert_eq!(error.troubleshooting_code(), Some(1003010));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Builders: exact JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn builders_give_the_exact_documented_json() {
    let cases: Vec<(CustomExtensionResponse, &str)> = vec![
        (
            TokenIssuanceStartAction::ProvideClaimsForToken(
                TokenClaims::new()
                    .with("DateOfBirth", "01/01/2000")
                    .unwrap()
                    .with("CustomRoles", ["Writer", "Editor"])
                    .unwrap(),
            )
            .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"DateOfBirth":"01/01/2000","CustomRoles":["Writer","Editor"]}}]}}"#,
        ),
        (
            TokenIssuanceStartAction::ProvideClaimsForToken(TokenClaims::new()).into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{}}]}}"#,
        ),
        (
            AttributeCollectionStartAction::ContinueWithDefaultBehavior.into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior"}]}}"#,
        ),
        (
            AttributeCollectionStartAction::SetPrefillValues(
                AttributeValues::new()
                    .with("key1", "value1,value2,value3")
                    .unwrap()
                    .with("key2", true)
                    .unwrap()
                    .with("extension_<appid>_graduationYear", 2010)
                    .unwrap(),
            )
            .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionStart.setPrefillValues","inputs":{"key1":"value1,value2,value3","key2":true,"extension_<appid>_graduationYear":2010}}]}}"#,
        ),
        (
            AttributeCollectionStartAction::ShowBlockPage(
                BlockPage::new("Your access request is already processing.")
                    .with_title("Hold tight..."),
            )
            .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionStart.showBlockPage","title":"Hold tight...","message":"Your access request is already processing."}]}}"#,
        ),
        (
            AttributeCollectionSubmitAction::ContinueWithDefaultBehavior.into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"}]}}"#,
        ),
        (
            AttributeCollectionSubmitAction::ModifyAttributeValues(
                AttributeValues::new().with("city", "Seattle").unwrap(),
            )
            .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{"city":"Seattle"}}]}}"#,
        ),
        (
            AttributeCollectionSubmitAction::ShowBlockPage(BlockPage::new("No.")).into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showBlockPage","message":"No."}]}}"#,
        ),
        (
            AttributeCollectionSubmitAction::ShowValidationError(ValidationError::new("Fix it."))
                .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Fix it.","attributeErrors":{}}]}}"#,
        ),
        (
            AttributeCollectionSubmitAction::ShowValidationError(
                ValidationError::new("Please fix the below errors to proceed.")
                    .with_attribute_error("city", "City cannot contain any numbers"),
            )
            .into(),
            r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Please fix the below errors to proceed.","attributeErrors":{"city":"City cannot contain any numbers"}}]}}"#,
        ),
        (
            EmailOtpSendAction::ContinueWithDefaultBehavior.into(),
            r#"{"data":{"@odata.type":"microsoft.graph.OnOtpSendResponseData","actions":[{"@odata.type":"microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}}"#,
        ),
    ];
    for (response, expected) in cases {
        assert_eq!(response.to_json(), expected);
        assert_eq!(response.to_http(), (200, expected.as_bytes().to_vec()));
        assert_eq!(response.http_status(), 200);
        assert_eq!(
            CustomExtensionResponse::from_http(response.event(), 200, expected),
            Ok(response)
        );
    }
    assert_eq!(
        CustomExtensionResponse::continue_with_default_behavior(Event::EmailOtpSend)
            .unwrap()
            .action(),
        &Action::ContinueWithDefaultBehavior
    );
    assert_eq!(
        CustomExtensionResponse::continue_with_default_behavior(Event::TokenIssuanceStart),
        Err(CustomExtensionError::ActionNotAllowed {
            action: ActionKind::ContinueWithDefaultBehavior,
            event: Event::TokenIssuanceStart
        })
    );
}

#[test]
fn a_request_answers_with_its_own_event() {
    let request =
        CustomExtensionRequest::from_json(fixture("attribute_collection_submit_request.json"))
            .unwrap();
    let response = request
        .respond(Action::ShowValidationError(ValidationError::new("m")))
        .unwrap();
    assert_eq!(response.event(), Event::AttributeCollectionSubmit);
    assert_eq!(
        request.respond(Action::SetPrefillValues(AttributeValues::new())),
        Err(CustomExtensionError::ActionNotAllowed {
            action: ActionKind::SetPrefillValues,
            event: Event::AttributeCollectionSubmit
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Claims and attribute values
// ---------------------------------------------------------------------------------------------

#[test]
fn claims_are_limited_to_3072_bytes_of_names_and_values() {
    assert_eq!(MAX_CLAIMS_SIZE, 3072);
    let mut claims = TokenClaims::new();
    // 1 + 3071 = 3072: at the limit.
    claims.insert("a", "x".repeat(3071)).unwrap();
    assert_eq!(claims.size(), 3072);
    assert_eq!(
        claims.insert("b", ""),
        Err(CustomExtensionError::ClaimsTooLarge {
            size: 3073,
            limit: 3072
        })
    );
    assert_eq!(claims.len(), 1, "a failed insertion changes nothing");
    // Replacing a claim counts its new value only.
    claims.insert("a", "short").unwrap();
    assert_eq!(claims.size(), 6);
    claims.insert("roles", ["é", "x"]).unwrap();
    assert_eq!(claims.size(), 6 + 5 + 2 + 1, "UTF-8 bytes");

    let too_large = json!({"data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData", "actions": [
        {"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
         "claims": {"a": "x".repeat(3000), "b": ["y".repeat(100)]}}]}});
    let error = CustomExtensionResponse::from_json(too_large.to_string()).unwrap_err();
    assert_eq!(
        error,
        CustomExtensionError::ClaimsTooLarge {
            size: 3102,
            limit: 3072
        }
    );
    assert_eq!(error.troubleshooting_code(), Some(1003025));
}

fn claims_response(claims: Value) -> Result<CustomExtensionResponse, CustomExtensionError> {
    let mut action =
        json!({"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken"});
    if !claims.is_null() {
        action["claims"] = claims;
    }
    CustomExtensionResponse::from_json(
        json!({"data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData", "actions": [action]}})
            .to_string(),
    )
}

#[test]
fn claims_must_be_strings_or_string_arrays_with_names() {
    for value in [
        json!(true),
        json!(42),
        json!({"a": "b"}),
        json!(["a", 1]),
        json!(null),
    ] {
        let error = claims_response(json!({"claim": value})).unwrap_err();
        assert_eq!(
            error,
            CustomExtensionError::InvalidClaimValue {
                claim: "claim".into()
            },
            "{value}"
        );
        assert_eq!(error.troubleshooting_code(), Some(1003003));
    }
    let error = claims_response(json!({"": "v"})).unwrap_err();
    assert_eq!(error, CustomExtensionError::EmptyName { what: "claim" });
    assert_eq!(error.troubleshooting_code(), Some(1003026));
    assert_eq!(
        TokenClaims::new().with("", "v"),
        Err(CustomExtensionError::EmptyName { what: "claim" })
    );
    let error = claims_response(Value::Null).unwrap_err();
    assert_eq!(error, missing("data.actions[0].claims"));
    assert_eq!(error.troubleshooting_code(), Some(1003007));
    assert_eq!(
        claims_response(json!([])),
        Err(invalid("data.actions[0].claims", "an object of claims"))
    );

    let mut claims = TokenClaims::new();
    assert_eq!(
        claims.insert_json("flag", &json!(false)),
        Err(CustomExtensionError::InvalidClaimValue {
            claim: "flag".into()
        })
    );
    claims.insert_json("groups", &json!(["a", "b"])).unwrap();
    assert_eq!(
        claims.get("groups"),
        Some(&ClaimValue::Strings(vec!["a".into(), "b".into()]))
    );
}

#[test]
fn attribute_values_are_strings_integers_or_booleans_with_names() {
    assert_eq!(
        AttributeValues::new().with("", "x"),
        Err(CustomExtensionError::EmptyName { what: "attribute" })
    );
    for value in [json!(1.5), json!(null), json!(["a"]), json!({"a": 1})] {
        let body = json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData", "actions": [
            {"@odata.type": "microsoft.graph.attributeCollectionSubmit.modifyAttributeValues", "attributes": {"city": value}}]}});
        assert_eq!(
            CustomExtensionResponse::from_json(body.to_string()),
            Err(CustomExtensionError::InvalidAttributeValue {
                attribute: "city".into()
            }),
            "{value}"
        );
    }
    assert_eq!(
        AttributeValue::from_json_value("n", &json!(-3)),
        Ok(AttributeValue::Int64(-3))
    );
    assert_eq!(AttributeValue::from(7).to_json_value(), json!(7));
}

// ---------------------------------------------------------------------------------------------
// Responses: every other error
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_responses_give_typed_errors_with_troubleshooting_codes() {
    let start = "microsoft.graph.onAttributeCollectionStartResponseData";
    let cases: Vec<(String, CustomExtensionError, u32)> = vec![
        ("".into(), CustomExtensionError::InvalidJson("EOF while parsing a value at line 1 column 0".into()), 1003003),
        ("[]".into(), CustomExtensionError::InvalidJson("expected a JSON object".into()), 1003003),
        ("{}".into(), missing("data"), 1003003),
        (json!({"data": []}).to_string(), invalid("data", "an object"), 1003003),
        (json!({"data": {"actions": []}}).to_string(), missing("data.@odata.type"), 1003003),
        (json!({"data": {"@odata.type": 5, "actions": []}}).to_string(), invalid("data.@odata.type", "a string"), 1003003),
        (
            json!({"data": {"@odata.type": "microsoft.graph.onSignInResponseData", "actions": []}}).to_string(),
            CustomExtensionError::UnknownResponseDataType("microsoft.graph.onSignInResponseData".into()),
            1003012,
        ),
        (json!({"data": {"@odata.type": start}}).to_string(), missing("data.actions"), 1003003),
        (json!({"data": {"@odata.type": start, "actions": {}}}).to_string(), invalid("data.actions", "an array"), 1003003),
        (json!({"data": {"@odata.type": start, "actions": ["x"]}}).to_string(), invalid("data.actions[0]", "an object"), 1003003),
        (json!({"data": {"@odata.type": start, "actions": [{}]}}).to_string(), missing("data.actions[0].@odata.type"), 1003003),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.attributeCollectionStart.redirect"}]}}).to_string(),
            CustomExtensionError::UnknownAction("microsoft.graph.attributeCollectionStart.redirect".into()),
            1003012,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "continueWithDefaultBehavior"}]}}).to_string(),
            CustomExtensionError::UnknownAction("continueWithDefaultBehavior".into()),
            1003012,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.signIn.continueWithDefaultBehavior"}]}}).to_string(),
            CustomExtensionError::UnknownAction("microsoft.graph.signIn.continueWithDefaultBehavior".into()),
            1003012,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.attributeCollectionStart.setPrefillValues"}]}}).to_string(),
            missing("data.actions[0].inputs"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.attributeCollectionStart.setPrefillValues", "inputs": []}]}}).to_string(),
            invalid("data.actions[0].inputs", "an object of attribute values"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.attributeCollectionStart.showBlockPage"}]}}).to_string(),
            missing("data.actions[0].message"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": start, "actions": [{"@odata.type": "microsoft.graph.attributeCollectionStart.showBlockPage", "message": "m", "title": 1}]}}).to_string(),
            invalid("data.actions[0].title", "a string"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData", "actions": [{"@odata.type": "microsoft.graph.attributeCollectionSubmit.modifyAttributeValues"}]}}).to_string(),
            missing("data.actions[0].attributes"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData", "actions": [{"@odata.type": "microsoft.graph.attributeCollectionSubmit.showValidationError", "message": "m", "attributeErrors": {"city": 1}}]}}).to_string(),
            invalid("data.actions[0].attributeErrors", "an object of strings"),
            1003003,
        ),
        (
            json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData", "actions": [{"@odata.type": "microsoft.graph.attributeCollectionSubmit.showValidationError", "attributeErrors": {}}]}}).to_string(),
            missing("data.actions[0].message"),
            1003003,
        ),
    ];
    for (body, expected, code) in cases {
        let error = CustomExtensionResponse::from_json(&body).unwrap_err();
        assert_eq!(error, expected, "{body}");
        assert_eq!(error.troubleshooting_code(), Some(code), "{body}");
    }
}

#[test]
fn a_response_for_another_event_or_status_is_refused() {
    let body = fixture("attribute_collection_start_response_continue_with_default_behavior.json");
    let error = CustomExtensionResponse::from_json_for(Event::AttributeCollectionSubmit, &body)
        .unwrap_err();
    assert_eq!(
        error,
        CustomExtensionError::ResponseForAnotherEvent {
            expected: Event::AttributeCollectionSubmit,
            found: Event::AttributeCollectionStart
        }
    );
    assert_eq!(error.troubleshooting_code(), Some(1003012));
    for status in [201, 204, 400, 401, 500] {
        let error =
            CustomExtensionResponse::from_http(Event::AttributeCollectionStart, status, &body)
                .unwrap_err();
        assert_eq!(error, CustomExtensionError::UnexpectedHttpStatus(status));
        assert_eq!(error.troubleshooting_code(), Some(1003002));
    }
    assert!(
        CustomExtensionResponse::from_http(Event::AttributeCollectionStart, 200, &body).is_ok()
    );
}

#[test]
fn a_validation_error_without_attribute_errors_reads_as_empty_and_emits_them() {
    // Choice 4.
    let body = r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"m"}]}}"#;
    let response = CustomExtensionResponse::from_json(body).unwrap();
    assert_eq!(
        response.action(),
        &Action::ShowValidationError(ValidationError::new("m"))
    );
    assert!(
        response
            .to_json()
            .ends_with(r#""message":"m","attributeErrors":{}}]}}"#)
    );
}
