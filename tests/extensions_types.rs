//! serde round trips of the generated `v1.0` types on every Graph fixture of
//! `tests/fixtures/graph/custom-extensions/` (copies of Microsoft's examples, see its README),
//! including the `Unknown` fallback of the polymorphic enums.
//!
//! A round trip gives back the fixture without `null` members and without `*@odata.context`
//! annotations, apart from the members listed per fixture: properties the v1.0 CSDL does not
//! have on a type that is not open (`includeAllApplications`, `docs/graph-behaviour.md` §8.1,
//! §9.1), which the generated types cannot keep. Open types (flows, listeners) keep such members
//! (`priority`) in their `extra` map. Each list is checked both ways: those members are really
//! gone, and nothing else is.

use entra_api_connectors::v1::types::{
    AuthenticationConditionApplication, AuthenticationConditionApplicationCollectionResponse,
    AuthenticationConfigurationValidation, AuthenticationEventListener,
    AuthenticationEventListenerCollectionResponse, AuthenticationEventsFlow,
    AuthenticationEventsFlowCollectionResponse, CustomAuthenticationExtension,
    CustomAuthenticationExtensionCollectionResponse, IdentityUserFlowAttributeCollectionResponse,
    ReferenceCreate, ValidateAuthenticationConfigurationRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/graph/custom-extensions"
);

fn raw(name: &str) -> Value {
    let file = format!("{DIR}/{name}.json");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Members a round trip may drop without loss: `null`s (an absent optional value is omitted),
/// empty arrays (omitted), and `*@odata.context` annotations (not modelled, except by pages).
fn droppable(key: &str, value: &Value) -> bool {
    value.is_null()
        || value.as_array().is_some_and(Vec::is_empty)
        || key.ends_with("@odata.context")
}

/// Compare the fixture `raw` with its round trip `back`: push the pointer of every member of
/// `raw` that `back` lacks (and that is not [`droppable`]), and `+pointer` for an `@odata.type`
/// that `back` adds; anything else `back` adds or changes is a failure.
fn lost(raw: &Value, back: &Value, at: &str, out: &mut Vec<String>) {
    match (raw, back) {
        (Value::Object(r), Value::Object(b)) => {
            for (k, v) in r {
                let here = format!("{at}/{k}");
                match b.get(k) {
                    Some(w) => lost(v, w, &here, out),
                    None if droppable(k, v) => {}
                    None => out.push(here),
                }
            }
            for (k, w) in b {
                if r.contains_key(k) || droppable(k, w) {
                    continue;
                }
                // The generated code writes the tag of the base type it read an untagged value as.
                assert_eq!(k, "@odata.type", "the round trip added {at}/{k}: {w}");
                out.push(format!("+{at}/{k}"));
            }
        }
        (Value::Array(r), Value::Array(b)) => {
            assert_eq!(r.len(), b.len(), "{at}: array length");
            for (i, (v, w)) in r.iter().zip(b).enumerate() {
                lost(v, w, &format!("{at}/{i}"), out);
            }
        }
        (Value::Number(r), Value::Number(b)) => assert_eq!(r.as_f64(), b.as_f64(), "{at}"),
        (r, b) => assert_eq!(r, b, "{at}"),
    }
}

/// Deserialize fixture `name` as `T`, serialize it back, and check that exactly the members at
/// the pointers `expect_lost` were lost (members the v1.0 CSDL does not have).
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, expect_lost: &[&str]) -> T {
    let raw = raw(name);
    let typed: T = serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let mut found = Vec::new();
    lost(&raw, &back, "", &mut found);
    found.sort();
    let mut expect_lost = expect_lost.to_vec();
    expect_lost.sort();
    assert_eq!(found, expect_lost, "{name}: members lost in the round trip");
    typed
}

#[test]
fn custom_extension_entities() {
    for name in [
        "create_custom_authentication_extension_token_issuance_start_request",
        "create_custom_authentication_extension_attribute_collection_start_request",
        "create_custom_authentication_extension_attribute_collection_start_response",
        "create_custom_authentication_extension_attribute_collection_submit_request",
        "create_custom_authentication_extension_attribute_collection_submit_response",
        "create_custom_authentication_extension_otp_send_request",
        "create_custom_authentication_extension_otp_send_response",
        "get_custom_authentication_extension_response",
        "update_custom_authentication_extension_request",
    ] {
        let typed: CustomAuthenticationExtension = round_trip(name, &[]);
        assert!(
            !matches!(typed, CustomAuthenticationExtension::Unknown(_)),
            "{name}: a known type"
        );
    }
}

#[test]
fn the_duplicate_key_response_reads_as_its_last_value() {
    // serde_json::Value keeps the last `clientConfiguration`; so does the typed read.
    let typed: CustomAuthenticationExtension = round_trip(
        "create_custom_authentication_extension_token_issuance_start_response",
        &[],
    );
    assert_eq!(
        serde_json::to_value(&typed).unwrap()["clientConfiguration"],
        json!({"timeoutInMilliseconds": 2000, "maximumRetries": 1})
    );
}

#[test]
fn the_abstract_behavior_on_error_is_kept_as_unknown() {
    let typed: CustomAuthenticationExtension = round_trip(
        "create_custom_authentication_extension_otp_send_request",
        &[],
    );
    let CustomAuthenticationExtension::OnOtpSendCustomExtension(otp) = typed else {
        panic!("{typed:?}")
    };
    use entra_api_connectors::v1::types::CustomExtensionBehaviorOnError;
    match otp.behavior_on_error {
        Some(CustomExtensionBehaviorOnError::Unknown(u)) => assert_eq!(
            u.odata_type(),
            Some("microsoft.graph.customExtensionBehaviorOnError")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn custom_extension_pages_and_validation() {
    let page: CustomAuthenticationExtensionCollectionResponse =
        round_trip("list_custom_authentication_extensions_response", &[]);
    assert_eq!(page.value.len(), 1);
    let validation: AuthenticationConfigurationValidation =
        round_trip("validate_authentication_configuration_response", &[]);
    assert_eq!(validation.errors.len(), 3);
    let by_id: AuthenticationConfigurationValidation =
        round_trip("validate_authentication_configuration_by_id_response", &[]);
    assert_eq!(by_id.warnings.len(), 1);
    let _: ValidateAuthenticationConfigurationRequest =
        round_trip("validate_authentication_configuration_request", &[]);
}

#[test]
fn events_flows() {
    // `priority` is not in the v1.0 CSDL; the flow is an open type and keeps it.
    for (name, lost) in [
        ("update_authentication_events_flow_request", &[][..]),
        (
            "update_authentication_events_flow_on_attribute_collection_request",
            &[][..],
        ),
    ] {
        let typed: AuthenticationEventsFlow = round_trip(name, lost);
        assert!(
            !matches!(typed, AuthenticationEventsFlow::Unknown(_)),
            "{name}"
        );
    }
}

#[test]
fn an_open_type_keeps_members_the_csdl_lacks() {
    let flow: AuthenticationEventsFlow =
        round_trip("update_authentication_events_flow_request", &[]);
    let AuthenticationEventsFlow::ExternalUsersSelfServiceSignUpEventsFlow(flow) = flow else {
        panic!("{flow:?}")
    };
    assert_eq!(flow.extra.get("priority"), Some(&json!(200)));
    assert!(
        !flow.extra.contains_key("@odata.type"),
        "the tag is not an extra member"
    );
}

#[test]
fn the_value_wrapped_get_response_is_kept_as_unknown() {
    // No `@odata.type` at the top: the polymorphic enum keeps the whole document.
    let typed: AuthenticationEventsFlow =
        round_trip("get_authentication_events_flow_response", &[]);
    let AuthenticationEventsFlow::Unknown(u) = typed else {
        panic!("{typed:?}")
    };
    assert!(u.properties()["value"].is_object());
}

#[test]
fn the_docs_text_input_type_is_not_a_csdl_member() {
    // `"inputType": "Text"` (create examples 1 and 2): the generated enum is exact (§8.1).
    for name in [
        "create_authentication_events_flow_request",
        "create_authentication_events_flow_with_application_request",
        "create_authentication_events_flow_custom_attribute_request",
    ] {
        let error = serde_json::from_value::<AuthenticationEventsFlow>(raw(name)).unwrap_err();
        assert!(error.to_string().contains("Text"), "{name}: {error}");
    }
}

#[test]
fn events_flow_pages_applications_attributes() {
    let _: AuthenticationEventsFlowCollectionResponse = round_trip(
        "list_authentication_events_flows_filter_application_response",
        &[
            "/value/0/conditions/applications/includeAllApplications",
            // Attributes without `@odata.type` read as the base type, written with its tag.
            "+/value/0/onAttributeCollection/attributes/0/@odata.type",
            "+/value/0/onAttributeCollection/attributes/1/@odata.type",
            "+/value/0/onAttributeCollection/attributes/2/@odata.type",
        ],
    );
    let app: AuthenticationConditionApplication =
        round_trip("add_include_application_response", &[]);
    assert_eq!(
        app.app_id.as_deref(),
        Some("63856651-13d9-4784-9abf-20758d509e19")
    );
    // The docs' request tags a type without derived types; the generated struct has no tag.
    let _: AuthenticationConditionApplication =
        round_trip("add_include_application_request", &["/@odata.type"]);
    let apps: AuthenticationConditionApplicationCollectionResponse =
        round_trip("list_include_applications_response", &[]);
    assert_eq!(apps.value.len(), 1);
    let _: ReferenceCreate = round_trip("add_user_flow_attribute_request", &[]);
}

#[test]
fn event_listeners() {
    for name in [
        "create_authentication_event_listener_request",
        "create_authentication_event_listener_response",
        "get_authentication_event_listener_response",
        "update_authentication_event_listener_request",
    ] {
        let typed: AuthenticationEventListener = round_trip(name, &[]);
        assert!(
            matches!(
                typed,
                AuthenticationEventListener::OnTokenIssuanceStartListener(_)
            ),
            "{name}"
        );
    }
    let _: AuthenticationEventListenerCollectionResponse =
        round_trip("list_authentication_event_listeners_response", &[]);
}

#[test]
fn created_flows_and_flow_attributes() {
    const ALL_APPS: &str = "/conditions/applications/includeAllApplications";
    for (name, lost) in [
        (
            "create_authentication_events_flow_response",
            &[ALL_APPS][..],
        ),
        (
            "create_authentication_events_flow_with_application_response",
            &[ALL_APPS][..],
        ),
    ] {
        let typed: AuthenticationEventsFlow = round_trip(name, lost);
        assert!(
            !matches!(typed, AuthenticationEventsFlow::Unknown(_)),
            "{name}"
        );
    }
    // Untagged attributes read as the base type, which the generated code writes with its tag.
    let page: IdentityUserFlowAttributeCollectionResponse = round_trip(
        "list_user_flow_attributes_response",
        &[
            "+/value/0/@odata.type",
            "+/value/1/@odata.type",
            "+/value/2/@odata.type",
        ],
    );
    assert_eq!(page.value.len(), 3);
}

#[test]
fn beta_examples_through_the_v1_types() {
    // The Entra how-to pages use beta; their listener `priority` and `includeAllApplications`
    // are not in the v1.0 CSDL: the open listener keeps the first, the closed
    // `authenticationConditionsApplications` drops the second.
    let _: CustomAuthenticationExtension =
        round_trip("beta_create_token_issuance_start_extension_request", &[]);
    let _: CustomAuthenticationExtension = round_trip(
        "beta_create_attribute_collection_submit_extension_request",
        &[],
    );
    let _: AuthenticationEventListener = round_trip(
        "beta_create_token_issuance_start_listener_request",
        &["/conditions/applications/includeAllApplications"],
    );
    let _: AuthenticationEventListener = round_trip(
        "beta_create_attribute_collection_submit_listener_request",
        &["/conditions/applications/includeAllApplications"],
    );
    let _: CustomAuthenticationExtension = round_trip(
        "beta_create_attribute_collection_submit_extension_response",
        &[],
    );
    let _: AuthenticationEventListener = round_trip(
        "beta_create_email_otp_send_listener_request",
        &["/conditions/applications/includeAllApplications"],
    );
    let _: AuthenticationEventListener =
        round_trip("beta_update_email_otp_send_listener_fallback_request", &[]);
    let _: ReferenceCreate = round_trip(
        "beta_link_attribute_collection_submit_extension_ref_request",
        &[],
    );
    // `#microsoft.graph.OnOtpSendCustomExtension` (capital O): not a type name of the CSDL, kept
    // as unknown with its JSON.
    let otp: CustomAuthenticationExtension =
        round_trip("beta_create_otp_send_extension_request", &[]);
    assert!(matches!(otp, CustomAuthenticationExtension::Unknown(_)));
}

/// Every fixture of the folder is read by one of the tests above (or listed here with why not).
#[test]
fn every_fixture_is_covered() {
    let this = include_str!("extensions_types.rs");
    let not_graph_types = [
        // An `application` (Entra app registration) body: not in our slice of the CSDL.
        "update_api_application_for_custom_extension_request",
    ];
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(DIR).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        if !not_graph_types.contains(&stem) && !this.contains(&format!("\"{stem}\"")) {
            missing.push(stem.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures without a round trip: {missing:?}"
    );
}
