//! serde round trips of the generated Graph types on the Graph fixtures (`tests/fixtures/graph/`, modelled on
//! the Microsoft Graph API reference; see docs/graph-behaviour.md), for both Graph versions.

//! The tests that hold for both versions are generic over [`Version`] and run once per version
//! (`beta::…`, `v1::…`).

mod support;

use entra_api_connectors::models::{
    AuthenticationModel, BasicAuthenticationModel, CertificateInfoModel, ClientCertificateModel,
    ConfigurationModel, ConnectorModel, FlowModel,
};
use entra_api_connectors::version::{AuthenticationOf, BasicOf};
use entra_api_connectors::{B2x, Secret, Step, UserFlowFamily, Version};
use serde_json::{Map, Value, json};
use support::{fixture, per_version, suffix, typed};

/// What a typed round trip of `value` must give back: the same JSON without `null` members (an absent
/// optional value is omitted, never written as `null`) and without the annotations the types do not model
/// (`@odata.context` of an entity, `{property}@odata.context`). A page keeps its top-level `@odata.context`.
fn expected(value: &Value, keep_top_context: bool) -> Value {
    fn strip(value: &Value, keep_context: bool) -> Value {
        match value {
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .filter(|(k, v)| {
                        !v.is_null()
                            && !(k.ends_with("@odata.context")
                                && !(keep_context && *k == "@odata.context"))
                    })
                    .map(|(k, v)| (k.clone(), strip(v, false)))
                    .collect::<Map<_, _>>(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
            other => other.clone(),
        }
    }
    strip(value, keep_top_context)
}

/// Every `null` anywhere in a JSON value, by path.
fn nulls(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(at.to_string()),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| nulls(v, &format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| nulls(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// Deserialize a fixture as `T`, serialize it back, and compare with [`expected`].
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    name: &str,
    keep_top_context: bool,
) -> T {
    let raw = fixture(name);
    let typed: T = serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let mut found = Vec::new();
    nulls(&back, "", &mut found);
    assert!(found.is_empty(), "{name}: serialized nulls at {found:?}");
    // an `Edm.Single` such as `userFlowTypeVersion` is written `1.0` where Graph wrote `1`: same number
    assert_eq!(
        numbers_as_f64(&back),
        numbers_as_f64(&expected(&raw, keep_top_context)),
        "{name}"
    );
    typed
}

/// Every JSON number as a float, so that `1` and `1.0` compare equal.
fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().expect("a finite number")),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), numbers_as_f64(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(numbers_as_f64).collect()),
        other => other.clone(),
    }
}

// The same tests for both versions: the fixtures differ only in their URLs. Values of the
// generated types are built from the JSON Graph documents and read through the model traits.

/// The b2x user flow type of version `V`.
type FlowOf<V> = <B2x as UserFlowFamily<V>>::Flow;

/// The fixture `{base}_{suffix}.json` of version `V`.
fn name<V: Version>(base: &str) -> String {
    format!("{base}_{}.json", suffix::<V>())
}

fn basic<A: AuthenticationModel + std::fmt::Debug>(auth: &Option<A>) -> &A::Basic {
    match auth.as_ref().and_then(|a| a.basic()) {
        Some(b) => b,
        None => panic!("basic authentication expected, got {auth:?}"),
    }
}

/// Whether an authentication configuration is none of the variants this version knows.
fn is_unknown<A: AuthenticationModel>(auth: &A) -> bool {
    auth.basic().is_none() && auth.pkcs12().is_none() && auth.client_certificate().is_none()
}

fn list_pages_keep_context_and_next_link<V: Version>() {
    let page: V::ConnectorPage = round_trip(&name::<V>("list_api_connectors_page1"), true);
    let base = format!("https://graph.microsoft.com/{}", V::API);
    let context = serde_json::to_value(&page).unwrap()["@odata.context"].clone();
    assert_eq!(
        context,
        json!(format!("{base}/$metadata#identity/apiConnectors"))
    );
    let (value, next, count) = support::page(page);
    let next = next.expect("page 1 has a nextLink");
    assert!(
        next.starts_with(&format!("{base}/identity/apiConnectors?$top=2&$skiptoken=")),
        "{next}"
    );
    assert_eq!(count, None);
    assert_eq!(value.len(), 2);
    assert_eq!(
        value[0].id().as_deref(),
        Some("3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43")
    );
    assert_eq!(
        basic(value[0].authentication()).username().as_deref(),
        Some("b2c-connector")
    );
    assert!(
        value[1]
            .authentication()
            .as_ref()
            .is_some_and(|a| a.client_certificate().is_some())
    );

    let last: V::ConnectorPage = round_trip(&name::<V>("list_api_connectors_last_page"), true);
    let (value, next, _) = support::page(last);
    assert_eq!(next, None, "the last page has no nextLink");
    assert_eq!(value.len(), 2);
    // `@odata.count` appears with `$count=true`
    let mut counted = fixture(&name::<V>("list_api_connectors_last_page"));
    counted["@odata.count"] = json!(4);
    let (_, _, count) = support::page(typed::<V::ConnectorPage>(counted));
    assert_eq!(count, Some(4));
}

fn basic_authentication_reads_the_masked_password<V: Version>() {
    let connector: V::Connector = round_trip(&name::<V>("get_api_connector_basic"), false);
    assert_eq!(
        connector.display_name().as_deref(),
        Some("Validate loyalty number")
    );
    assert_eq!(
        connector.target_url().as_deref(),
        Some("https://api.contoso-test.example/signup/validate-loyalty")
    );
    let auth = basic(connector.authentication());
    assert_eq!(auth.password(), &Some(Secret::Masked));
    assert!(auth.password().as_ref().unwrap().is_masked());
    assert_eq!(
        connector.authentication().as_ref().unwrap().odata_type(),
        Some("#microsoft.graph.basicAuthentication")
    );
    round_trip::<V::Connector>(&name::<V>("create_api_connector_basic_response"), false);
}

fn client_certificate_authentication_lists_certificates<V: Version>() {
    let connector: V::Connector = round_trip(&name::<V>("get_api_connector_certificate"), false);
    let Some(auth) = connector
        .authentication()
        .as_ref()
        .and_then(|a| a.client_certificate())
    else {
        panic!("clientCertificateAuthentication expected: {connector:?}")
    };
    let certs: Vec<(&str, i64, i64, bool)> = auth
        .certificate_list()
        .iter()
        .map(|c| {
            (
                c.thumbprint().as_deref().unwrap(),
                *c.not_before(),
                *c.not_after(),
                *c.is_active(),
            )
        })
        .collect();
    assert_eq!(
        certs,
        [
            (
                "7B1E44A0C93D5F2816AE0B9D3C47E15F8A2D6C90",
                1709251200,
                2024784000,
                true
            ),
            (
                "C2A95D17E4F0836B1D2E7A9C05B48F3E6D1A7B24",
                1924992000,
                2082758400,
                false
            ),
        ]
    );
    for file in [
        "create_api_connector_certificate_response",
        "upload_client_certificate_response",
        "get_api_connector_after_switch_to_certificate",
    ] {
        let c: V::Connector = round_trip(&name::<V>(file), false);
        assert!(
            c.authentication()
                .as_ref()
                .is_some_and(|a| a.client_certificate().is_some()),
            "{file}"
        );
    }
    // a certificate without its required members is rejected, not defaulted
    let mut broken = fixture(&name::<V>("get_api_connector_certificate"));
    broken["authenticationConfiguration"]["certificateList"][0]
        .as_object_mut()
        .unwrap()
        .remove("isActive");
    let err = serde_json::from_value::<V::Connector>(broken).unwrap_err();
    assert!(err.to_string().contains("isActive"), "{err}");
}

fn pkcs12_request_body_serializes_with_odata_type_first<V: Version>() {
    let request = fixture("create_api_connector_pkcs12_request.json");
    let connector: V::Connector = typed(request.clone());
    let pkcs12 = connector.authentication().as_ref().and_then(|a| a.pkcs12());
    assert!(pkcs12.is_some(), "a pkcs12Certificate: {connector:?}");
    assert_pkcs12_body(&connector, &request);
    round_trip::<V::Connector>("update_api_connector_to_certificate_request.json", false);
}

/// `connector` serializes as the documented `request`, its `@odata.type` first, without `null`s
/// or an id, and reads back as the same value, secrets included.
fn assert_pkcs12_body<
    C: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
>(
    connector: &C,
    request: &Value,
) {
    let text = serde_json::to_string(connector).unwrap();
    assert_eq!(&serde_json::from_str::<Value>(&text).unwrap(), request);
    let auth = &text[text.find("\"authenticationConfiguration\":").unwrap()..];
    assert!(
        auth.starts_with(
            "\"authenticationConfiguration\":{\"@odata.type\":\"#microsoft.graph.pkcs12Certificate\","
        ),
        "{}",
        &auth[..120]
    );
    assert!(
        !text.contains("null") && !text.contains("\"id\""),
        "{}",
        &text[..200]
    );
    let back: C = serde_json::from_value(request.clone()).unwrap();
    assert_eq!(&back, connector);
}

fn basic_request_body_carries_the_password<V: Version>() {
    let request = fixture("create_api_connector_basic_request.json");
    let connector: V::Connector = typed(request.clone());
    let auth = basic(connector.authentication());
    assert_eq!(auth.username().as_deref(), Some("b2c-connector"));
    assert_eq!(auth.password(), &Some(Secret::new("Fixture-Basic-Pa55!")));
    assert_eq!(serde_json::to_value(&connector).unwrap(), request);
    round_trip::<V::Connector>("update_api_connector_request.json", false);
}

fn debug_never_shows_a_password<V: Version>() {
    let connector: V::Connector = typed(fixture("create_api_connector_basic_request.json"));
    assert_eq!(
        basic(connector.authentication()).password(),
        &Some(Secret::new("Fixture-Basic-Pa55!"))
    );
    let debug = format!("{connector:?} {connector:#?}");
    assert!(!debug.contains("Fixture-Basic-Pa55!"), "{debug}");
    assert!(
        debug.contains("b2c-connector"),
        "other fields still show: {debug}"
    );

    let connector: V::Connector = typed(fixture("create_api_connector_pkcs12_request.json"));
    let debug = format!("{connector:?}");
    assert!(!debug.contains("fixture-create-pfx-pass"), "{debug}");
    assert!(!debug.contains("MIIK"), "no PKCS#12 bytes: {debug}");
}

fn unknown_odata_type_is_kept_and_written_back_unchanged<V: Version>() {
    let raw = fixture(&name::<V>("api_connector_unknown_auth_type"));
    let connector: V::Connector = round_trip(&name::<V>("api_connector_unknown_auth_type"), false);
    let auth = connector
        .authentication()
        .as_ref()
        .expect("an authentication configuration");
    assert!(is_unknown(auth), "Unknown expected: {connector:?}");
    assert_eq!(
        auth.odata_type(),
        Some("#microsoft.graph.oAuth2ClientCredentialsAuthentication")
    );
    // its JSON is kept as received
    assert_eq!(
        serde_json::to_value(auth).unwrap(),
        raw["authenticationConfiguration"]
    );
    // an object without `@odata.type` cannot pick a concrete type of the abstract base
    let untagged: AuthenticationOf<V> = typed(json!({ "username": "u" }));
    assert!(
        is_unknown(&untagged) && untagged.odata_type().is_none(),
        "{}",
        serde_json::to_value(&untagged).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&untagged).unwrap(),
        json!({ "username": "u" })
    );
}

fn odata_type_without_hash_is_accepted<V: Version>() {
    let mut raw = fixture(&name::<V>("get_api_connector_basic"));
    raw["authenticationConfiguration"]["@odata.type"] =
        json!("microsoft.graph.basicAuthentication");
    let connector: V::Connector = typed(raw);
    let auth = basic(connector.authentication());
    assert_eq!(auth.username().as_deref(), Some("b2c-connector"));
    // written back in Graph's own form, with `#`
    assert_eq!(
        serde_json::to_value(&connector).unwrap()["authenticationConfiguration"]["@odata.type"],
        "#microsoft.graph.basicAuthentication"
    );
    let cert: AuthenticationOf<V> = typed(json!({
        "@odata.type": "microsoft.graph.clientCertificateAuthentication",
        "certificateList": [],
    }));
    assert!(
        cert.client_certificate()
            .is_some_and(|c| c.certificate_list().is_empty())
    );
}

fn a_known_odata_type_with_a_bad_body_is_an_error<V: Version>() {
    let err = serde_json::from_value::<AuthenticationOf<V>>(json!({
        "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
        "certificateList": "not a list",
    }))
    .expect_err("a bad body is an error");
    assert!(err.to_string().contains("invalid type"), "{err}");
}

fn error_bodies<V: Version>() {
    for file in [
        "error_not_found.json",
        "error_bad_request_ref.json",
        "error_throttled.json",
        "error_b2c_forbidden.json",
        "error_b2c_certificate_password.json",
        "error_unauthorized.json",
        "error_forbidden_insufficient_privileges.json",
    ] {
        let raw = fixture(file);
        let error: V::ODataError = round_trip(file, false);
        let typed_json = serde_json::to_value(&error).unwrap();
        assert_eq!(typed_json["error"]["code"], raw["error"]["code"], "{file}");
        assert!(typed_json["error"]["code"].is_string(), "{file}");
        assert_eq!(
            typed_json["error"]["message"], raw["error"]["message"],
            "{file}"
        );
        assert!(typed_json["error"]["innerError"].is_object(), "{file}");
        assert_eq!(
            typed_json["error"]["innerError"]["request-id"],
            raw["error"]["innerError"]["request-id"]
        );
    }
    let error =
        serde_json::to_value(typed::<V::ODataError>(fixture("error_not_found.json"))).unwrap();
    assert_eq!(error["error"]["code"], "itemNotFound");
    let error = serde_json::to_value(typed::<V::ODataError>(fixture(
        "error_b2c_certificate_password.json",
    )))
    .unwrap();
    assert_eq!(
        error["error"]["innerError"]["correlationId"],
        "0d6b2f8e-4a1c-4e9b-b3d7-8c5a1f2e6d94"
    );
    // `code` and `message` are required
    let err = serde_json::from_value::<V::ODataError>(json!({ "error": { "code": "x" } }))
        .expect_err("a message is required");
    assert!(err.to_string().contains("message"), "{err}");
}

fn expanded_user_flow_configuration<V: Version>() {
    let config: V::Configuration =
        round_trip(&name::<V>("api_connector_configuration_expanded"), false);
    let signup = config
        .connector(Step::PostFederationSignup)
        .expect("postFederationSignup");
    assert_eq!(
        signup.id().as_deref(),
        Some("3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43")
    );
    assert_eq!(
        basic(signup.authentication()).password(),
        &Some(Secret::Masked)
    );
    let collection = config
        .connector(Step::PostAttributeCollection)
        .expect("postAttributeCollection");
    assert_eq!(
        collection.id().as_deref(),
        Some("9e4d1a7c-2b6f-4c8e-a3d5-7f0b2e9c1d68")
    );

    let empty: V::Configuration =
        round_trip(&name::<V>("api_connector_configuration_unexpanded"), false);
    assert_eq!(empty, V::Configuration::default());
    // a step with nothing bound is `null` in an expanded response
    let unbound: V::Configuration = typed(json!({ "postFederationSignup": null }));
    assert!(unbound.connector(Step::PostFederationSignup).is_none());
    assert_eq!(serde_json::to_string(&unbound).unwrap(), "{}");
}

fn user_flows<V: Version>()
where
    B2x: UserFlowFamily<V>,
{
    let flow: FlowOf<V> = round_trip(&name::<V>("b2x_user_flow_get"), false);
    assert_eq!(flow.id().as_deref(), Some("B2X_1_PartnerSignUp"));
    let json = serde_json::to_value(&flow).unwrap();
    assert_eq!(json["userFlowType"], "signUpOrSignIn");
    assert_eq!(json["userFlowTypeVersion"], json!(1.0));
    let page: Value = fixture(&name::<V>("b2x_user_flow_list"));
    let flows: Vec<FlowOf<V>> = typed(page["value"].clone());
    assert_eq!(flows.len(), 2);
}

fn unknown_properties_are_tolerated<V: Version>() {
    let mut raw = fixture(&name::<V>("get_api_connector_basic"));
    raw["createdDateTime"] = json!("2025-03-14T09:26:53Z");
    raw["futureComplex"] = json!({ "a": [1, 2, { "b": null }] });
    raw["authenticationConfiguration"]["futureFlag"] = json!(true);
    let connector: V::Connector = typed(raw);
    let known: V::Connector = typed(fixture(&name::<V>("get_api_connector_basic")));
    assert_eq!(connector, known);
}

fn absent_optional_fields_are_omitted<V: Version>()
where
    AuthenticationOf<V>: From<BasicOf<V>>,
{
    assert_eq!(
        serde_json::to_string(&V::Connector::default()).unwrap(),
        "{}"
    );
    let patch: V::Connector = typed(json!({ "displayName": "Renamed" }));
    assert_eq!(
        serde_json::to_string(&patch).unwrap(),
        r#"{"displayName":"Renamed"}"#
    );
    let basic: AuthenticationOf<V> = typed::<BasicOf<V>>(json!({ "username": "u" })).into();
    assert_eq!(
        serde_json::to_string(&basic).unwrap(),
        r##"{"@odata.type":"#microsoft.graph.basicAuthentication","username":"u"}"##
    );
    assert_eq!(
        serde_json::to_string(&V::Configuration::default()).unwrap(),
        "{}"
    );
}

per_version!(
    sync:
    list_pages_keep_context_and_next_link,
    basic_authentication_reads_the_masked_password,
    client_certificate_authentication_lists_certificates,
    pkcs12_request_body_serializes_with_odata_type_first,
    basic_request_body_carries_the_password,
    debug_never_shows_a_password,
    unknown_odata_type_is_kept_and_written_back_unchanged,
    odata_type_without_hash_is_accepted,
    a_known_odata_type_with_a_bad_body_is_an_error,
    error_bodies,
    expanded_user_flow_configuration,
    user_flows,
    unknown_properties_are_tolerated,
    absent_optional_fields_are_omitted,
);

#[cfg(feature = "beta")]
mod beta_only {
    use super::*;
    use entra_api_connectors::beta::types::{
        B2cIdentityUserFlow, B2cIdentityUserFlowCollectionResponse,
        UserFlowApiConnectorConfiguration, UserFlowType,
    };

    #[test]
    fn b2c_user_flows_and_configuration() {
        let page: B2cIdentityUserFlowCollectionResponse =
            round_trip("b2c_user_flow_list.json", true);
        type Row<'a> = (&'a str, Option<UserFlowType>, Option<&'a str>, Option<bool>);
        let flows: Vec<Row> = page
            .value
            .iter()
            .map(|f: &B2cIdentityUserFlow| {
                (
                    f.id.as_deref().unwrap(),
                    f.user_flow_type,
                    f.default_language_tag.as_deref(),
                    f.is_language_customization_enabled,
                )
            })
            .collect();
        assert_eq!(
            flows,
            [
                (
                    "B2C_1_SignUpSignIn",
                    Some(UserFlowType::SignUpOrSignIn),
                    Some("en"),
                    Some(true)
                ),
                (
                    "B2C_1_PasswordReset",
                    Some(UserFlowType::PasswordReset),
                    None,
                    Some(false)
                ),
            ]
        );
        let config: UserFlowApiConnectorConfiguration =
            round_trip("api_connector_configuration_expanded_b2c_beta.json", false);
        assert_eq!(
            config
                .post_attribute_collection
                .and_then(|c| c.id)
                .as_deref(),
            Some("e1f6c3a9-7d2b-4e8f-b0a4-6c9d3e2f1a57")
        );
        assert_eq!(config.pre_token_issuance, None);
    }

    /// The generated types are plain structs and enums: request bodies written as Rust literals
    /// serialize as the documented JSON (the generic tests build them from that JSON).
    #[test]
    fn request_bodies_as_struct_literals() {
        use entra_api_connectors::beta::types::{
            ApiAuthenticationConfigurationBase as Auth, BasicAuthentication, IdentityApiConnector,
            Pkcs12Certificate,
        };
        let request = fixture("create_api_connector_pkcs12_request.json");
        let pfx = request["authenticationConfiguration"]["pkcs12Value"]
            .as_str()
            .unwrap()
            .to_string();
        let connector = IdentityApiConnector {
            display_name: Some("Enrich sign-up (mTLS)".into()),
            target_url: Some("https://enrich.contoso-test.example/api/signup".into()),
            authentication_configuration: Some(Auth::Pkcs12Certificate(Pkcs12Certificate {
                pkcs12_value: Some(Secret::new(pfx)),
                password: Some(Secret::new("fixture-create-pfx-pass")),
            })),
            ..Default::default()
        };
        assert_pkcs12_body(&connector, &request);

        let request = fixture("create_api_connector_basic_request.json");
        let connector = IdentityApiConnector {
            display_name: Some("Block disposable email".into()),
            target_url: Some("https://api.contoso-test.example/signup/block-disposable".into()),
            authentication_configuration: Some(
                BasicAuthentication {
                    username: Some("b2c-connector".into()),
                    password: Some(Secret::new("Fixture-Basic-Pa55!")),
                }
                .into(),
            ),
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&connector).unwrap(), request);
        let patch = IdentityApiConnector {
            display_name: Some("Renamed".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"displayName":"Renamed"}"#
        );
    }

    #[test]
    fn the_embedded_openapi_document_is_the_derived_one() {
        let doc: Value = serde_json::from_str(entra_api_connectors::beta::OPENAPI_JSON).unwrap();
        assert_eq!(doc["info"]["version"], "beta");
        assert!(doc["paths"]["/identity/b2cUserFlows/{id}/apiConnectorConfiguration"].is_object());
    }
}
