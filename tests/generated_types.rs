//! serde round trips of the generated Graph types on the Graph fixtures (`tests/fixtures/graph/`, modelled on
//! the Microsoft Graph API reference; see docs/graph-behaviour.md), for both Graph versions.

use serde_json::{Map, Value, json};

/// A fixture as JSON.
fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/graph/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

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

/// The same tests for both generated modules: the fixtures differ only in their URLs.
macro_rules! version_tests {
    ($module:ident, $suffix:literal) => {
        mod $module {
            use super::*;
            use entra_api_connectors::$module::types::{
                ApiAuthenticationConfigurationBase as Auth, B2xIdentityUserFlow, BasicAuthentication,
                IdentityApiConnector, IdentityApiConnectorCollectionResponse, ODataError, Pkcs12Certificate,
                UserFlowApiConnectorConfiguration, UserFlowType,
            };
            use entra_api_connectors::Secret;

            fn name(base: &str) -> String {
                format!("{base}_{}.json", $suffix)
            }

            fn basic(auth: &Option<Auth>) -> &BasicAuthentication {
                match auth {
                    Some(Auth::BasicAuthentication(b)) => b,
                    other => panic!("basic authentication expected, got {other:?}"),
                }
            }

            #[test]
            fn list_pages_keep_context_and_next_link() {
                let page: IdentityApiConnectorCollectionResponse =
                    round_trip(&name("list_api_connectors_page1"), true);
                let base = format!("https://graph.microsoft.com/{}", if $suffix == "v1" { "v1.0" } else { "beta" });
                assert_eq!(
                    page.odata_context.as_deref(),
                    Some(format!("{base}/$metadata#identity/apiConnectors").as_str())
                );
                let next = page.odata_next_link.as_deref().expect("page 1 has a nextLink");
                assert!(next.starts_with(&format!("{base}/identity/apiConnectors?$top=2&$skiptoken=")), "{next}");
                assert_eq!(page.odata_count, None);
                assert_eq!(page.value.len(), 2);
                assert_eq!(page.value[0].id.as_deref(), Some("3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43"));
                assert_eq!(basic(&page.value[0].authentication_configuration).username.as_deref(), Some("b2c-connector"));
                assert!(matches!(
                    page.value[1].authentication_configuration,
                    Some(Auth::ClientCertificateAuthentication(_))
                ));

                let last: IdentityApiConnectorCollectionResponse =
                    round_trip(&name("list_api_connectors_last_page"), true);
                assert_eq!(last.odata_next_link, None, "the last page has no nextLink");
                assert_eq!(last.value.len(), 2);
                // `@odata.count` appears with `$count=true`
                let mut counted = fixture(&name("list_api_connectors_last_page"));
                counted["@odata.count"] = json!(4);
                let page: IdentityApiConnectorCollectionResponse = serde_json::from_value(counted).unwrap();
                assert_eq!(page.odata_count, Some(4));
            }

            #[test]
            fn basic_authentication_reads_the_masked_password() {
                let connector: IdentityApiConnector = round_trip(&name("get_api_connector_basic"), false);
                assert_eq!(connector.display_name.as_deref(), Some("Validate loyalty number"));
                assert_eq!(
                    connector.target_url.as_deref(),
                    Some("https://api.contoso-test.example/signup/validate-loyalty")
                );
                let auth = basic(&connector.authentication_configuration);
                assert_eq!(auth.password, Some(Secret::Masked));
                assert!(auth.password.as_ref().unwrap().is_masked());
                assert_eq!(
                    connector.authentication_configuration.as_ref().unwrap().odata_type(),
                    Some("#microsoft.graph.basicAuthentication")
                );
                round_trip::<IdentityApiConnector>(&name("create_api_connector_basic_response"), false);
            }

            #[test]
            fn client_certificate_authentication_lists_certificates() {
                let connector: IdentityApiConnector = round_trip(&name("get_api_connector_certificate"), false);
                let Some(Auth::ClientCertificateAuthentication(auth)) = &connector.authentication_configuration else {
                    panic!("clientCertificateAuthentication expected: {connector:?}")
                };
                let certs: Vec<(&str, i64, i64, bool)> = auth
                    .certificate_list
                    .iter()
                    .map(|c| (c.thumbprint.as_deref().unwrap(), c.not_before, c.not_after, c.is_active))
                    .collect();
                assert_eq!(
                    certs,
                    [
                        ("7B1E44A0C93D5F2816AE0B9D3C47E15F8A2D6C90", 1709251200, 2024784000, true),
                        ("C2A95D17E4F0836B1D2E7A9C05B48F3E6D1A7B24", 1924992000, 2082758400, false),
                    ]
                );
                for file in [
                    "create_api_connector_certificate_response",
                    "upload_client_certificate_response",
                    "get_api_connector_after_switch_to_certificate",
                ] {
                    let c: IdentityApiConnector = round_trip(&name(file), false);
                    assert!(
                        matches!(c.authentication_configuration, Some(Auth::ClientCertificateAuthentication(_))),
                        "{file}"
                    );
                }
                // a certificate without its required members is rejected, not defaulted
                let mut broken = fixture(&name("get_api_connector_certificate"));
                broken["authenticationConfiguration"]["certificateList"][0].as_object_mut().unwrap().remove("isActive");
                let err = serde_json::from_value::<IdentityApiConnector>(broken).unwrap_err();
                assert!(err.to_string().contains("isActive"), "{err}");
            }

            #[test]
            fn pkcs12_request_body_serializes_with_odata_type_first() {
                let request = fixture("create_api_connector_pkcs12_request.json");
                let pfx = request["authenticationConfiguration"]["pkcs12Value"].as_str().unwrap().to_string();
                let connector = IdentityApiConnector {
                    display_name: Some("Enrich sign-up (mTLS)".into()),
                    target_url: Some("https://enrich.contoso-test.example/api/signup".into()),
                    authentication_configuration: Some(Auth::Pkcs12Certificate(Pkcs12Certificate {
                        pkcs12_value: Some(Secret::new(pfx.clone())),
                        password: Some(Secret::new("fixture-create-pfx-pass")),
                    })),
                    ..Default::default()
                };
                let text = serde_json::to_string(&connector).unwrap();
                assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), request);
                let auth = &text[text.find("\"authenticationConfiguration\":").unwrap()..];
                assert!(
                    auth.starts_with(
                        "\"authenticationConfiguration\":{\"@odata.type\":\"#microsoft.graph.pkcs12Certificate\","
                    ),
                    "{}",
                    &auth[..120]
                );
                assert!(!text.contains("null") && !text.contains("\"id\""), "{}", &text[..200]);
                // the request body reads back as the same value, secrets included
                let back: IdentityApiConnector = serde_json::from_value(request).unwrap();
                assert_eq!(back, connector);
                round_trip::<IdentityApiConnector>("update_api_connector_to_certificate_request.json", false);
            }

            #[test]
            fn basic_request_body_carries_the_password() {
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
                round_trip::<IdentityApiConnector>("update_api_connector_request.json", false);
            }

            #[test]
            fn debug_never_shows_a_password() {
                let connector: IdentityApiConnector =
                    serde_json::from_value(fixture("create_api_connector_basic_request.json")).unwrap();
                assert_eq!(basic(&connector.authentication_configuration).password, Some(Secret::new("Fixture-Basic-Pa55!")));
                let debug = format!("{connector:?} {connector:#?}");
                assert!(!debug.contains("Fixture-Basic-Pa55!"), "{debug}");
                assert!(debug.contains("b2c-connector"), "other fields still show: {debug}");

                let connector: IdentityApiConnector =
                    serde_json::from_value(fixture("create_api_connector_pkcs12_request.json")).unwrap();
                let debug = format!("{connector:?}");
                assert!(!debug.contains("fixture-create-pfx-pass"), "{debug}");
                assert!(!debug.contains("MIIK"), "no PKCS#12 bytes: {debug}");
            }

            #[test]
            fn unknown_odata_type_is_kept_and_written_back_unchanged() {
                let raw = fixture(&name("api_connector_unknown_auth_type"));
                let connector: IdentityApiConnector = round_trip(&name("api_connector_unknown_auth_type"), false);
                let Some(Auth::Unknown(unknown)) = &connector.authentication_configuration else {
                    panic!("Unknown expected: {connector:?}")
                };
                assert_eq!(unknown.odata_type(), Some("#microsoft.graph.oAuth2ClientCredentialsAuthentication"));
                assert_eq!(
                    connector.authentication_configuration.as_ref().unwrap().odata_type(),
                    Some("#microsoft.graph.oAuth2ClientCredentialsAuthentication")
                );
                assert_eq!(Value::Object(unknown.properties().clone()), raw["authenticationConfiguration"]);
                assert_eq!(
                    serde_json::to_value(connector.authentication_configuration.as_ref().unwrap()).unwrap(),
                    raw["authenticationConfiguration"]
                );
                // an object without `@odata.type` cannot pick a concrete type of the abstract base
                let untagged: Auth = serde_json::from_value(json!({ "username": "u" })).unwrap();
                assert!(matches!(&untagged, Auth::Unknown(u) if u.odata_type().is_none()), "{untagged:?}");
                assert_eq!(serde_json::to_value(&untagged).unwrap(), json!({ "username": "u" }));
            }

            #[test]
            fn odata_type_without_hash_is_accepted() {
                let mut raw = fixture(&name("get_api_connector_basic"));
                raw["authenticationConfiguration"]["@odata.type"] = json!("microsoft.graph.basicAuthentication");
                let connector: IdentityApiConnector = serde_json::from_value(raw).unwrap();
                let auth = basic(&connector.authentication_configuration);
                assert_eq!(auth.username.as_deref(), Some("b2c-connector"));
                // written back in Graph's own form, with `#`
                assert_eq!(
                    serde_json::to_value(&connector).unwrap()["authenticationConfiguration"]["@odata.type"],
                    "#microsoft.graph.basicAuthentication"
                );
                let cert: Auth = serde_json::from_value(json!({
                    "@odata.type": "microsoft.graph.clientCertificateAuthentication",
                    "certificateList": [],
                }))
                .unwrap();
                assert!(matches!(cert, Auth::ClientCertificateAuthentication(c) if c.certificate_list.is_empty()));
            }

            #[test]
            fn a_known_odata_type_with_a_bad_body_is_an_error() {
                let err = serde_json::from_value::<Auth>(json!({
                    "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
                    "certificateList": "not a list",
                }))
                .unwrap_err();
                assert!(err.to_string().contains("invalid type"), "{err}");
            }

            #[test]
            fn error_bodies() {
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
                    let error: ODataError = round_trip(file, false);
                    assert_eq!(error.error.code, raw["error"]["code"].as_str().unwrap(), "{file}");
                    assert_eq!(error.error.message, raw["error"]["message"].as_str().unwrap(), "{file}");
                    let inner = error.error.inner_error.as_ref().expect(file);
                    assert_eq!(inner.request_id.as_deref(), raw["error"]["innerError"]["request-id"].as_str());
                }
                let error: ODataError = serde_json::from_value(fixture("error_not_found.json")).unwrap();
                assert_eq!(error.error.code, "itemNotFound");
                let error: ODataError = serde_json::from_value(fixture("error_b2c_certificate_password.json")).unwrap();
                assert_eq!(
                    error.error.inner_error.unwrap().correlation_id.as_deref(),
                    Some("0d6b2f8e-4a1c-4e9b-b3d7-8c5a1f2e6d94")
                );
                // `code` and `message` are required
                let err = serde_json::from_value::<ODataError>(json!({ "error": { "code": "x" } })).unwrap_err();
                assert!(err.to_string().contains("message"), "{err}");
            }

            #[test]
            fn expanded_user_flow_configuration() {
                let config: UserFlowApiConnectorConfiguration =
                    round_trip(&name("api_connector_configuration_expanded"), false);
                let signup = config.post_federation_signup.as_ref().expect("postFederationSignup");
                assert_eq!(signup.id.as_deref(), Some("3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43"));
                assert_eq!(basic(&signup.authentication_configuration).password, Some(Secret::Masked));
                let collection = config.post_attribute_collection.as_ref().expect("postAttributeCollection");
                assert_eq!(collection.id.as_deref(), Some("9e4d1a7c-2b6f-4c8e-a3d5-7f0b2e9c1d68"));

                let empty: UserFlowApiConnectorConfiguration =
                    round_trip(&name("api_connector_configuration_unexpanded"), false);
                assert_eq!(empty, UserFlowApiConnectorConfiguration::default());
                // a step with nothing bound is `null` in an expanded response
                let unbound: UserFlowApiConnectorConfiguration =
                    serde_json::from_value(json!({ "postFederationSignup": null })).unwrap();
                assert_eq!(unbound.post_federation_signup, None);
                assert_eq!(serde_json::to_string(&unbound).unwrap(), "{}");
            }

            #[test]
            fn user_flows() {
                let flow: B2xIdentityUserFlow = round_trip(&name("b2x_user_flow_get"), false);
                assert_eq!(flow.id.as_deref(), Some("B2X_1_PartnerSignUp"));
                assert_eq!(flow.user_flow_type, Some(UserFlowType::SignUpOrSignIn));
                assert_eq!(flow.user_flow_type_version, Some(1.0));
                let page: serde_json::Value = fixture(&name("b2x_user_flow_list"));
                let flows: Vec<B2xIdentityUserFlow> = serde_json::from_value(page["value"].clone()).unwrap();
                assert_eq!(flows.len(), 2);
            }

            #[test]
            fn unknown_properties_are_tolerated() {
                let mut raw = fixture(&name("get_api_connector_basic"));
                raw["createdDateTime"] = json!("2025-03-14T09:26:53Z");
                raw["futureComplex"] = json!({ "a": [1, 2, { "b": null }] });
                raw["authenticationConfiguration"]["futureFlag"] = json!(true);
                let connector: IdentityApiConnector = serde_json::from_value(raw).unwrap();
                let known: IdentityApiConnector =
                    serde_json::from_value(fixture(&name("get_api_connector_basic"))).unwrap();
                assert_eq!(connector, known);
            }

            #[test]
            fn absent_optional_fields_are_omitted() {
                assert_eq!(serde_json::to_string(&IdentityApiConnector::default()).unwrap(), "{}");
                let patch = IdentityApiConnector { display_name: Some("Renamed".into()), ..Default::default() };
                assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"displayName":"Renamed"}"#);
                let basic = Auth::BasicAuthentication(BasicAuthentication { username: Some("u".into()), password: None });
                assert_eq!(
                    serde_json::to_string(&basic).unwrap(),
                    r##"{"@odata.type":"#microsoft.graph.basicAuthentication","username":"u"}"##
                );
                assert_eq!(
                    serde_json::to_string(&UserFlowApiConnectorConfiguration::default()).unwrap(),
                    "{}"
                );
            }
        }
    };
}

#[cfg(feature = "beta")]
version_tests!(beta, "beta");
#[cfg(feature = "v1")]
version_tests!(v1, "v1");

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

    #[test]
    fn the_embedded_openapi_document_is_the_derived_one() {
        let doc: Value = serde_json::from_str(entra_api_connectors::beta::OPENAPI_JSON).unwrap();
        assert_eq!(doc["info"]["version"], "beta");
        assert!(doc["paths"]["/identity/b2cUserFlows/{id}/apiConnectorConfiguration"].is_object());
    }
}
