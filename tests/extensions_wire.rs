//! Exact wire requests of the custom-extension handles ([`CustomExtensions`], [`EventsFlows`],
//! [`EventListeners`]) against a wiremock server on 127.0.0.1, on Graph `v1.0` (our beta spec
//! has no custom extensions, so `Graph<Beta>` has no such handles: a compile-time fact tested in
//! `src/extensibility.rs`).
//!
//! Expected requests and responses are the examples of Microsoft's reference pages, copied in
//! `tests/fixtures/graph/custom-extensions/` (its README names page and example); the choices
//! where the pages are silent are those of `docs/graph-behaviour.md` §7–§9.

mod support;

use entra_api_connectors::connectors::{ListOptions, Patch};
use entra_api_connectors::custom_extensions::{
    BehaviorOnError, ClientConfiguration, CustomExtensionPatch, ExtensionAuthentication,
    ExtensionKind, NewCustomExtension,
};
use entra_api_connectors::event_listeners::{ListenerPatch, NewListener};
use entra_api_connectors::events_flows::{EventsFlowPatch, FlowStep};
use entra_api_connectors::models::{GenericErrorModel, ValidationModel};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::v1::types::{
    AuthenticationEventListener, AuthenticationEventsFlow, CustomAuthenticationExtension,
    CustomExtensionAuthenticationConfiguration, IdentityUserFlowAttribute,
};
use entra_api_connectors::{Error, Graph, GraphClient, V1};
use futures::TryStreamExt;
use serde_json::{Value, json};
use support::{body_json, expect_graph, header, mount, only_request, q, query, requests};
use wiremock::{MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ext-wire-token-91c4d2";
const EXTENSION_ID: &str = "6fc5012e-7665-43d6-9708-4370863f4e6e";
const FLOW_ID: &str = "0313cc37-d421-421d-857b-87804d61e33e";
const LISTENER_ID: &str = "990d94e5-cc8f-4c4b-97b4-27e2678aac28";
const APP_ID: &str = "63856651-13d9-4784-9abf-20758d509e19";
const TOKEN_APP_ID: &str = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";

fn fx(name: &str) -> Value {
    support::fixture(&format!("custom-extensions/{name}.json"))
}

/// The fixture's text, byte for byte (for bodies a typed parser must read as Graph sent them).
fn fx_text(name: &str) -> String {
    let file = format!(
        "{}/tests/fixtures/graph/custom-extensions/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

async fn serving(
    method: Option<&str>,
    path: Option<String>,
    response: ResponseTemplate,
) -> (MockServer, Graph<V1>) {
    let server = MockServer::start().await;
    mount(&server, method, path, response).await;
    let client: GraphClient = support::client(&server.uri(), TOKEN, RetryPolicy::none());
    (server, client.v1())
}

/// A server that would answer anything, for checks that must fail before sending.
async fn idle() -> (MockServer, Graph<V1>) {
    serving(None, None, ResponseTemplate::new(500)).await
}

fn ext(rest: &str) -> String {
    format!("/v1.0/identity/customAuthenticationExtensions{rest}")
}

fn flows(rest: &str) -> String {
    format!("/v1.0/identity/authenticationEventsFlows{rest}")
}

fn listeners(rest: &str) -> String {
    format!("/v1.0/identity/authenticationEventListeners{rest}")
}

fn assert_headers(r: &Request, has_body: bool) {
    support::assert_graph_headers(r, TOKEN, has_body)
}

async fn assert_nothing_sent(server: &MockServer) {
    support::assert_no_requests_sent(&requests(server).await)
}

fn invalid<T: std::fmt::Debug>(result: Result<T, Error>, needle: &str) {
    match result {
        Err(Error::InvalidInput(message)) => {
            assert!(message.contains(needle), "{message:?} lacks {needle:?}")
        }
        other => panic!("expected InvalidInput containing {needle:?}, got {other:?}"),
    }
}

fn as_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

// Custom authentication extensions.

fn token_issuance() -> NewCustomExtension {
    NewCustomExtension::token_issuance_start(
        "onTokenIssuanceStartCustomExtension",
        "https://authenticationeventsAPI.contoso.com",
        "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
        ["DateOfBirth", "CustomRoles"],
    )
    .description("Fetch additional claims from custom user store")
    .client_configuration(ClientConfiguration::new(2000, 1))
}

fn attribute_collection(kind: ExtensionKind, name: &str) -> NewCustomExtension {
    NewCustomExtension::new(
        kind,
        name,
        "https://contoso.com",
        "api://contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e",
    )
    .description("example description")
    .client_configuration(ClientConfiguration::new(2000, 1))
}

fn otp_send() -> NewCustomExtension {
    NewCustomExtension::otp_send(
        "onEmailOtpSendCustomExtension",
        "https://onotpsendcustomextension.b2c.expert/api/OnOTPCodeSendToTeamsDemo",
        "api://onotpsendcustomextension.b2c.expert/fb96de85-2abe-4b02-b45f-64ba122c509e",
    )
    .description("Use an external Email provider to send OTP Codes.")
    .client_configuration(ClientConfiguration::new(2000, 1))
    .behavior_on_error(BehaviorOnError::Default)
}

#[tokio::test]
async fn create_token_issuance_start_extension_sends_the_docs_body_and_reads_the_duplicate_key_response()
 {
    // The docs' response has `clientConfiguration` twice (null, then the object): the last wins.
    let (server, graph) = serving(
        Some("POST"),
        Some(ext("")),
        ResponseTemplate::new(201).set_body_raw(
            fx_text("create_custom_authentication_extension_token_issuance_start_response"),
            "application/json",
        ),
    )
    .await;
    let created = graph
        .custom_extensions()
        .create(&token_issuance())
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), ext(""));
    assert_eq!(query(&r), q(&[]));
    assert_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fx("create_custom_authentication_extension_token_issuance_start_request")
    );
    let CustomAuthenticationExtension::OnTokenIssuanceStartCustomExtension(created) = created
    else {
        panic!("not a token issuance start extension: {created:?}")
    };
    assert_eq!(created.id.as_deref(), Some(EXTENSION_ID));
    let client = created
        .client_configuration
        .expect("the last clientConfiguration");
    assert_eq!(
        (client.timeout_in_milliseconds, client.maximum_retries),
        (Some(2000), Some(1))
    );
    assert_eq!(created.claims_for_token_configuration.len(), 2);
}

#[tokio::test]
async fn create_attribute_collection_extensions_send_the_docs_bodies() {
    for (kind, name, request, response) in [
        (
            ExtensionKind::AttributeCollectionStart,
            "attributeCollectionStartName",
            "create_custom_authentication_extension_attribute_collection_start_request",
            "create_custom_authentication_extension_attribute_collection_start_response",
        ),
        (
            ExtensionKind::AttributeCollectionSubmit,
            "attributeCollectionSubmitName",
            "create_custom_authentication_extension_attribute_collection_submit_request",
            "create_custom_authentication_extension_attribute_collection_submit_response",
        ),
    ] {
        let (server, graph) = serving(
            Some("POST"),
            Some(ext("")),
            ResponseTemplate::new(201).set_body_json(fx(response)),
        )
        .await;
        let created = graph
            .custom_extensions()
            .create(&attribute_collection(kind, name))
            .await
            .expect("create");
        let r = only_request(&server).await;
        assert_eq!(
            (r.method.as_str(), r.url.path()),
            ("POST", ext("").as_str())
        );
        assert_headers(&r, true);
        assert_eq!(body_json(&r), fx(request), "{kind:?}");
        assert_eq!(
            created.odata_type(),
            Some(kind.extension_type()),
            "{kind:?}"
        );
        assert_eq!(as_json(&created)["id"], fx(response)["id"]);
    }
}

#[tokio::test]
async fn create_otp_send_extension_sends_the_docs_body_and_a_response_without_id_is_a_decode_error()
{
    // The docs' OTP response has no `id` (§7.2): the extension could not be referenced.
    let (server, graph) = serving(
        Some("POST"),
        Some(ext("")),
        ResponseTemplate::new(201).set_body_json(fx(
            "create_custom_authentication_extension_otp_send_response",
        )),
    )
    .await;
    let result = graph.custom_extensions().create(&otp_send()).await;
    let r = only_request(&server).await;
    assert_eq!(
        body_json(&r),
        fx("create_custom_authentication_extension_otp_send_request")
    );
    match result {
        Err(Error::Decode { message, .. }) => assert!(message.contains("no id"), "{message}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_rejects_bad_configurations_before_sending() {
    let (server, graph) = idle().await;
    let extensions = graph.custom_extensions();
    let base = token_issuance;
    let cases: Vec<(NewCustomExtension, &str)> = vec![
        (
            NewCustomExtension {
                display_name: " ".into(),
                ..base()
            },
            "displayName is empty",
        ),
        (
            NewCustomExtension {
                target_url: "http://authenticationeventsAPI.contoso.com".into(),
                ..base()
            },
            "must use https",
        ),
        (
            NewCustomExtension {
                target_url: "authenticationeventsAPI.contoso.com/x".into(),
                ..base()
            },
            "not an absolute URL",
        ),
        (
            base().client_configuration(ClientConfiguration::new(199, 1)),
            "timeoutInMilliseconds 199",
        ),
        (
            base().client_configuration(ClientConfiguration::new(2001, 0)),
            "timeoutInMilliseconds 2001",
        ),
        (
            base().client_configuration(ClientConfiguration::new(1000, 2)),
            "maximumRetries 2",
        ),
        (
            NewCustomExtension {
                authentication: ExtensionAuthentication::azure_ad_token(
                    "a13d0fc1-04ab-4ede-b215-63de0174cbb4",
                ),
                ..base()
            },
            "IncorrectResourceIdFormat",
        ),
        (
            NewCustomExtension {
                authentication: ExtensionAuthentication::azure_ad_token(
                    "api://authenticationeventsAPI.contoso.com/not-a-guid",
                ),
                ..base()
            },
            "IncorrectResourceIdFormat",
        ),
        (
            NewCustomExtension {
                authentication: ExtensionAuthentication::azure_ad_token(
                    "api://authenticationeventsAPI.contoso.com:443/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
                ),
                ..base()
            },
            "IncorrectResourceIdFormat",
        ),
        (
            NewCustomExtension {
                authentication: ExtensionAuthentication::azure_ad_token(
                    "api://authenticationeventsAPI.contoso.com/api/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
                ),
                ..base()
            },
            "IncorrectResourceIdFormat",
        ),
        (
            NewCustomExtension {
                authentication: ExtensionAuthentication::azure_ad_token(
                    "api://other.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
                ),
                ..base()
            },
            "DomainNameDoesNotMatch",
        ),
        (
            NewCustomExtension {
                claims: vec!["DateOfBirth".into()],
                ..attribute_collection(ExtensionKind::AttributeCollectionSubmit, "x")
            },
            "only for token issuance start",
        ),
        (
            NewCustomExtension {
                claims: vec![String::new()],
                ..base()
            },
            "claim name is empty",
        ),
    ];
    for (new, needle) in cases {
        invalid(extensions.create(&new).await, needle);
    }
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn the_resource_host_matches_the_target_host_ignoring_ascii_case() {
    let new = NewCustomExtension::attribute_collection_start(
        "Case",
        "https://API.Contoso.example/start",
        "api://api.contoso.EXAMPLE/fb96de85-2abe-4b02-b45f-64ba122c509e",
    );
    new.validate().expect("same host in another case");
}

#[tokio::test]
async fn get_sends_select_and_reads_the_typed_extension() {
    let (server, graph) = serving(
        Some("GET"),
        Some(ext(&format!("/{EXTENSION_ID}"))),
        ResponseTemplate::new(200)
            .set_body_json(fx("get_custom_authentication_extension_response")),
    )
    .await;
    let got = graph
        .custom_extensions()
        .get(EXTENSION_ID, &["id", "displayName"])
        .await
        .expect("get");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(query(&r), q(&[("$select", "id,displayName")]));
    assert_headers(&r, false);
    let CustomAuthenticationExtension::OnTokenIssuanceStartCustomExtension(got) = got else {
        panic!("{got:?}")
    };
    match got.authentication_configuration {
        Some(CustomExtensionAuthenticationConfiguration::AzureAdTokenAuthentication(a)) => {
            assert_eq!(
                a.resource_id.as_deref(),
                Some(
                    "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4"
                )
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn get_maps_404_to_a_graph_error_and_rejects_bad_ids_before_sending() {
    let (server, graph) = serving(
        Some("GET"),
        None,
        ResponseTemplate::new(404).set_body_json(json!({
            "error": {"code": "Request_ResourceNotFound", "message": "Resource not found."}
        })),
    )
    .await;
    let error = expect_graph(graph.custom_extensions().get("missing", &[]).await, 404);
    assert_eq!(error.code, "Request_ResourceNotFound");
    assert_eq!(requests(&server).await.len(), 1);
    let (idle_server, graph) = idle().await;
    invalid(graph.custom_extensions().get("", &[]).await, "id is empty");
    invalid(
        graph.custom_extensions().delete("..").await,
        "not a valid id",
    );
    assert_nothing_sent(&idle_server).await;
}

#[tokio::test]
async fn list_sends_the_filter_and_follows_next_links() {
    let server = MockServer::start().await;
    let graph = support::client(&server.uri(), TOKEN, RetryPolicy::none()).v1();
    let mut first = fx("list_custom_authentication_extensions_response");
    first["@odata.nextLink"] = json!(format!("{}{}?$skiptoken=p2", server.uri(), ext("")));
    let second = json!({
        "value": [{
            "@odata.type": "#microsoft.graph.onVerifiedIdClaimValidationCustomExtension",
            "id": "v-1"
        }, {
            "@odata.type": "#microsoft.graph.onSomethingNewCustomExtension",
            "id": "n-1",
            "futureProperty": {"a": 1}
        }]
    });
    wiremock::Mock::given(wiremock::matchers::query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(second))
        .with_priority(1)
        .mount(&server)
        .await;
    mount(
        &server,
        Some("GET"),
        Some(ext("")),
        ResponseTemplate::new(200).set_body_json(first),
    )
    .await;
    let filter = "isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')";
    let all = graph
        .custom_extensions()
        .list_all(ListOptions::default().filter(filter))
        .await
        .expect("list");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(query(&sent[0]), q(&[("$filter", filter)]));
    assert_eq!(query(&sent[1]), q(&[("$skiptoken", "p2")]));
    assert_eq!(all.len(), 3);
    assert!(matches!(
        all[0],
        CustomAuthenticationExtension::OnTokenIssuanceStartCustomExtension(_)
    ));
    assert!(matches!(
        all[1],
        CustomAuthenticationExtension::OnVerifiedIdClaimValidationCustomExtension(_)
    ));
    // A type these bindings do not know is kept with its JSON.
    match &all[2] {
        CustomAuthenticationExtension::Unknown(u) => {
            assert_eq!(
                u.odata_type(),
                Some("#microsoft.graph.onSomethingNewCustomExtension")
            );
            assert_eq!(u.properties()["futureProperty"], json!({"a": 1}));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn update_sends_a_real_patch_with_the_stored_type() {
    let (server, graph) = serving(
        Some("PATCH"),
        Some(ext(&format!("/{EXTENSION_ID}"))),
        ResponseTemplate::new(204),
    )
    .await;
    let patch = CustomExtensionPatch {
        display_name: Patch::Set("onTokenIssuanceStartCustomExtension".into()),
        description: Patch::Set("Fetch additional claims from custom user store".into()),
        target_url: Patch::Set("https://authenticationeventsAPI.contoso.com".into()),
        authentication: Patch::Set(ExtensionAuthentication::azure_ad_token(
            "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
        )),
        claims: Patch::Set(vec!["DateOfBirth".into(), "CustomRoles".into()]),
        ..CustomExtensionPatch::new(ExtensionKind::TokenIssuanceStart)
    };
    graph
        .custom_extensions()
        .update(EXTENSION_ID, &patch)
        .await
        .expect("update");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "PATCH");
    assert_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fx("update_custom_authentication_extension_request")
    );
}

#[tokio::test]
async fn update_sends_nulls_and_rejects_bad_patches_before_sending() {
    let (server, graph) = serving(Some("PATCH"), None, ResponseTemplate::new(204)).await;
    let patch = CustomExtensionPatch {
        client_configuration: Patch::Null,
        behavior_on_error: Patch::Set(BehaviorOnError::FallbackToMicrosoftProvider),
        ..CustomExtensionPatch::new(ExtensionKind::OtpSend)
    };
    graph
        .custom_extensions()
        .update("x-1", &patch)
        .await
        .expect("update");
    assert_eq!(
        body_json(&only_request(&server).await),
        json!({
            "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
            "clientConfiguration": null,
            "behaviorOnError": {"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"}
        })
    );

    let (server, graph) = idle().await;
    let extensions = graph.custom_extensions();
    let new = || CustomExtensionPatch::new(ExtensionKind::TokenIssuanceStart);
    let cases = [
        (new(), "changes nothing"),
        (
            CustomExtensionPatch {
                display_name: Patch::Null,
                ..new()
            },
            "displayName cannot be cleared",
        ),
        (
            CustomExtensionPatch {
                target_url: Patch::Null,
                ..new()
            },
            "target URL cannot be cleared",
        ),
        (
            CustomExtensionPatch {
                authentication: Patch::Null,
                ..new()
            },
            "cannot be cleared",
        ),
        (
            CustomExtensionPatch {
                target_url: Patch::Set("https://a.contoso.com".into()),
                authentication: Patch::Set(ExtensionAuthentication::azure_ad_token(
                    "api://b.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
                )),
                ..new()
            },
            "DomainNameDoesNotMatch",
        ),
        (
            CustomExtensionPatch {
                client_configuration: Patch::Set(ClientConfiguration {
                    timeout_ms: None,
                    maximum_retries: Some(3),
                }),
                ..new()
            },
            "maximumRetries 3",
        ),
        (
            CustomExtensionPatch {
                claims: Patch::Set(vec!["x".into()]),
                ..CustomExtensionPatch::new(ExtensionKind::OtpSend)
            },
            "only for token issuance start",
        ),
    ];
    for (patch, needle) in cases {
        invalid(extensions.update("x-1", &patch).await, needle);
    }
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn delete_sends_no_body() {
    let (server, graph) = serving(
        Some("DELETE"),
        Some(ext(&format!("/{EXTENSION_ID}"))),
        ResponseTemplate::new(204),
    )
    .await;
    graph
        .custom_extensions()
        .delete(EXTENSION_ID)
        .await
        .expect("delete");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "DELETE");
    assert_headers(&r, false);
}

#[tokio::test]
async fn validate_by_id_posts_no_body_and_reads_errors_and_warnings() {
    let id = "9f39f3bb-457c-4a2a-8099-0e480e7ea142";
    let (server, graph) = serving(
        Some("POST"),
        Some(ext(&format!("/{id}/validateAuthenticationConfiguration"))),
        ResponseTemplate::new(200)
            .set_body_json(fx("validate_authentication_configuration_by_id_response")),
    )
    .await;
    let validation = graph
        .custom_extensions()
        .validate(id)
        .await
        .expect("validate");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_headers(&r, false);
    assert!(!validation.is_valid());
    assert_eq!(
        validation.error_codes(),
        [
            "IncorrectResourceIdFormat",
            "DomainNameDoesNotMatch",
            "ServicePrincipalNotFound"
        ]
    );
    assert_eq!(
        validation.warnings()[0].code().as_deref(),
        Some("PermissionNotGrantedToServicePrincipal")
    );
}

#[tokio::test]
async fn validate_configuration_checks_locally_then_posts_the_configuration() {
    // The docs' example names different hosts: the local check catches it, nothing is sent.
    let docs = fx("validate_authentication_configuration_request");
    let docs_target = docs["endpointConfiguration"]["targetUrl"].as_str().unwrap();
    let docs_resource = docs["authenticationConfiguration"]["resourceId"]
        .as_str()
        .unwrap();
    let (server, graph) = idle().await;
    invalid(
        graph
            .custom_extensions()
            .validate_configuration(
                docs_target,
                &ExtensionAuthentication::azure_ad_token(docs_resource),
            )
            .await,
        "DomainNameDoesNotMatch",
    );
    assert_nothing_sent(&server).await;

    // The same body with the target on the resource's host is sent as the docs send it.
    let target = "https://extensibilityapi.azurwebsites.net/users";
    let (server, graph) = serving(
        Some("POST"),
        Some(ext("/validateAuthenticationConfiguration")),
        ResponseTemplate::new(200)
            .set_body_json(fx("validate_authentication_configuration_response")),
    )
    .await;
    let validation = graph
        .custom_extensions()
        .validate_configuration(
            target,
            &ExtensionAuthentication::azure_ad_token(docs_resource),
        )
        .await
        .expect("validate");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_headers(&r, true);
    let mut expected = docs.clone();
    expected["endpointConfiguration"]["targetUrl"] = json!(target);
    assert_eq!(body_json(&r), expected);
    assert_eq!(validation.errors().len(), 3);
    assert_eq!(
        validation.errors()[2].message().as_deref(),
        Some(
            "The appId of the resourceId should correspond to a real service principal in the tenant"
        )
    );
}

#[tokio::test]
async fn graph_errors_of_a_create_are_typed_and_not_retried() {
    let (server, graph) = serving(
        Some("POST"),
        None,
        ResponseTemplate::new(403).set_body_json(json!({
            "error": {"code": "AADB2C90063", "message": "There is a problem with the service."}
        })),
    )
    .await;
    let error = expect_graph(
        graph.custom_extensions().create(&token_issuance()).await,
        403,
    );
    assert_eq!(error.code, "AADB2C90063");
    assert_eq!(requests(&server).await.len(), 1);
}

// Authentication events flows.

/// The docs' create request with application (example 2), with the `"Text"` input type of the
/// page written `"text"`, the CSDL spelling: the generated enum is exact (§8.1).
fn new_flow() -> AuthenticationEventsFlow {
    let mut body = fx("create_authentication_events_flow_with_application_request");
    body["onAttributeCollection"]["attributeCollectionPage"]["views"][0]["inputs"][0]["inputType"] =
        json!("text");
    support::typed(body)
}

#[tokio::test]
async fn create_flow_sends_the_docs_body() {
    let (server, graph) = serving(
        Some("POST"),
        Some(flows("")),
        ResponseTemplate::new(201).set_body_json(fx(
            "create_authentication_events_flow_with_application_response",
        )),
    )
    .await;
    let created = graph
        .events_flows()
        .create(&new_flow())
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_eq!(
        (r.method.as_str(), r.url.path()),
        ("POST", flows("").as_str())
    );
    assert_headers(&r, true);
    let mut expected = fx("create_authentication_events_flow_with_application_request");
    expected["onAttributeCollection"]["attributeCollectionPage"]["views"][0]["inputs"][0]["inputType"] =
        json!("text");
    // The attributes come without `@odata.type` and are read as the base type, which the
    // generated code writes with its tag (valid OData JSON; the type is what Graph assumes).
    for attribute in expected["onAttributeCollection"]["attributes"]
        .as_array_mut()
        .unwrap()
    {
        attribute["@odata.type"] = json!("#microsoft.graph.identityUserFlowAttribute");
    }
    assert_eq!(body_json(&r), expected);
    let AuthenticationEventsFlow::ExternalUsersSelfServiceSignUpEventsFlow(created) = created
    else {
        panic!("{created:?}")
    };
    assert_eq!(
        created.display_name.as_deref(),
        Some("Woodgrove Drive User Flow")
    );
    assert!(created.id.is_some());
}

#[tokio::test]
async fn the_docs_create_request_with_text_input_type_does_not_fit_the_generated_types() {
    let body = fx("create_authentication_events_flow_request");
    assert!(serde_json::from_value::<AuthenticationEventsFlow>(body).is_err());
}

#[tokio::test]
async fn create_flow_rejects_a_flow_without_name_or_of_another_type_before_sending() {
    let (server, graph) = idle().await;
    let nameless: AuthenticationEventsFlow = support::typed(json!({
        "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
        "displayName": ""
    }));
    invalid(
        graph.events_flows().create(&nameless).await,
        "displayName is empty",
    );
    let other: AuthenticationEventsFlow = support::typed(
        json!({"@odata.type": "#microsoft.graph.someOtherFlow", "displayName": "x"}),
    );
    invalid(graph.events_flows().create(&other).await, "must be a");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn get_flow_reads_the_docs_value_wrapped_entity_and_a_bare_one() {
    let (server, graph) = serving(
        Some("GET"),
        Some(flows(&format!("/{FLOW_ID}"))),
        ResponseTemplate::new(200).set_body_json(fx("get_authentication_events_flow_response")),
    )
    .await;
    let got = graph.events_flows().get(FLOW_ID).await.expect("get");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(query(&r), q(&[]));
    assert_headers(&r, false);
    let AuthenticationEventsFlow::ExternalUsersSelfServiceSignUpEventsFlow(flow) = got else {
        panic!("the value-wrapped entity was not unwrapped: {got:?}")
    };
    assert_eq!(flow.id.as_deref(), Some(FLOW_ID));

    let (_server, graph) = serving(
        Some("GET"),
        None,
        ResponseTemplate::new(200).set_body_json(fx(
            "create_authentication_events_flow_with_application_response",
        )),
    )
    .await;
    let bare = graph.events_flows().get(FLOW_ID).await.expect("get");
    assert!(matches!(
        bare,
        AuthenticationEventsFlow::ExternalUsersSelfServiceSignUpEventsFlow(_)
    ));
}

#[tokio::test]
async fn find_by_application_sends_the_docs_filter() {
    let (server, graph) = serving(
        Some("GET"),
        Some(flows("")),
        ResponseTemplate::new(200).set_body_json(fx(
            "list_authentication_events_flows_filter_application_response",
        )),
    )
    .await;
    let found = graph
        .events_flows()
        .find_by_application(APP_ID)
        .await
        .expect("list");
    let r = only_request(&server).await;
    assert_eq!(
        query(&r),
        q(&[(
            "$filter",
            "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/any(appId:appId/appId eq '63856651-13d9-4784-9abf-20758d509e19')"
        )])
    );
    assert!(found.is_some());
    let (server, graph) = idle().await;
    invalid(
        graph.events_flows().find_by_application("app'1").await,
        "not a GUID",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn update_flow_sends_the_docs_bodies() {
    let (server, graph) = serving(
        Some("PATCH"),
        Some(flows(&format!("/{FLOW_ID}"))),
        ResponseTemplate::new(204),
    )
    .await;
    let name_and_priority = EventsFlowPatch {
        display_name: Patch::Set("New user flow description".into()),
        priority: Patch::Set(200),
        ..EventsFlowPatch::default()
    };
    let page = fx("update_authentication_events_flow_on_attribute_collection_request");
    let attribute_page = EventsFlowPatch {
        on_attribute_collection: Patch::Set(page["onAttributeCollection"].clone()),
        ..EventsFlowPatch::default()
    };
    graph
        .events_flows()
        .update(FLOW_ID, &name_and_priority)
        .await
        .expect("update");
    graph
        .events_flows()
        .update(FLOW_ID, &attribute_page)
        .await
        .expect("update");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.method.as_str() == "PATCH"));
    sent.iter().for_each(|r| assert_headers(r, true));
    assert_eq!(
        body_json(&sent[0]),
        fx("update_authentication_events_flow_request")
    );
    assert_eq!(body_json(&sent[1]), page);
}

#[tokio::test]
async fn update_flow_rejects_bad_patches_before_sending() {
    let (server, graph) = idle().await;
    let flows = graph.events_flows();
    invalid(
        flows.update(FLOW_ID, &EventsFlowPatch::default()).await,
        "changes nothing",
    );
    let cleared = EventsFlowPatch {
        display_name: Patch::Null,
        ..EventsFlowPatch::default()
    };
    invalid(flows.update(FLOW_ID, &cleared).await, "cannot be cleared");
    let not_object = EventsFlowPatch {
        on_attribute_collection: Patch::Set(json!([])),
        ..EventsFlowPatch::default()
    };
    invalid(flows.update(FLOW_ID, &not_object).await, "JSON object");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn attach_and_detach_patch_the_flow_handler() {
    let (server, graph) = serving(
        Some("PATCH"),
        Some(flows(&format!("/{FLOW_ID}"))),
        ResponseTemplate::new(204),
    )
    .await;
    let flows = graph.events_flows();
    flows
        .attach_extension(FLOW_ID, FlowStep::AttributeCollectionSubmit, EXTENSION_ID)
        .await
        .expect("attach");
    flows
        .attach_extension(FLOW_ID, FlowStep::AttributeCollectionStart, "start-ext")
        .await
        .expect("attach");
    flows
        .detach(FLOW_ID, FlowStep::AttributeCollectionSubmit)
        .await
        .expect("detach");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    sent.iter().for_each(|r| assert_headers(r, true));
    assert_eq!(
        body_json(&sent[0]),
        json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "onAttributeCollectionSubmit": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
                "customExtension": {"id": EXTENSION_ID}
            }
        })
    );
    assert_eq!(
        body_json(&sent[1])["onAttributeCollectionStart"],
        json!({
            "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler",
            "customExtension": {"id": "start-ext"}
        })
    );
    assert_eq!(
        body_json(&sent[2]),
        json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "onAttributeCollectionSubmit": null
        })
    );
    let (server, graph) = idle().await;
    invalid(
        graph
            .events_flows()
            .attach_extension(FLOW_ID, FlowStep::AttributeCollectionStart, "")
            .await,
        "custom extension id is empty",
    );
    invalid(
        graph
            .events_flows()
            .detach(" ", FlowStep::AttributeCollectionStart)
            .await,
        "events flow id is empty",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn delete_flow_sends_no_body() {
    let (server, graph) = serving(
        Some("DELETE"),
        Some(flows(&format!("/{FLOW_ID}"))),
        ResponseTemplate::new(204),
    )
    .await;
    graph.events_flows().delete(FLOW_ID).await.expect("delete");
    assert_headers(&only_request(&server).await, false);
}

#[tokio::test]
async fn flow_applications_list_add_remove() {
    let apps = flows(&format!(
        "/{FLOW_ID}/conditions/applications/includeApplications"
    ));
    let (server, graph) = serving(
        Some("GET"),
        Some(apps.clone()),
        ResponseTemplate::new(200).set_body_json(fx("list_include_applications_response")),
    )
    .await;
    mount(
        &server,
        Some("POST"),
        Some(apps.clone()),
        ResponseTemplate::new(201).set_body_json(fx("add_include_application_response")),
    )
    .await;
    mount(
        &server,
        Some("DELETE"),
        Some(format!("{apps}/{APP_ID}")),
        ResponseTemplate::new(204),
    )
    .await;
    let flows = graph.events_flows();
    let listed: Vec<_> = flows
        .applications(FLOW_ID)
        .try_collect()
        .await
        .expect("list");
    let added = flows.add_application(FLOW_ID, APP_ID).await.expect("add");
    flows
        .remove_application(FLOW_ID, APP_ID)
        .await
        .expect("remove");
    let sent = requests(&server).await;
    assert_eq!(
        sent.iter()
            .map(|r| (r.method.to_string(), r.url.path().to_string()))
            .collect::<Vec<_>>(),
        [
            ("GET".to_string(), apps.clone()),
            ("POST".to_string(), apps.clone()),
            ("DELETE".to_string(), format!("{apps}/{APP_ID}")),
        ]
    );
    assert_headers(&sent[0], false);
    assert_headers(&sent[1], true);
    assert_headers(&sent[2], false);
    // The docs' body without its `@odata.type`: `authenticationConditionApplication` has no
    // derived types, so the generated type carries no tag.
    let mut expected = fx("add_include_application_request");
    expected.as_object_mut().unwrap().remove("@odata.type");
    assert_eq!(body_json(&sent[1]), expected);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].app_id.as_deref(), Some(APP_ID));
    assert_eq!(added.app_id.as_deref(), Some(APP_ID));

    let (server, graph) = idle().await;
    invalid(
        graph
            .events_flows()
            .add_application(FLOW_ID, "not-a-guid")
            .await,
        "not a GUID",
    );
    invalid(
        graph.events_flows().remove_application(FLOW_ID, "").await,
        "not a GUID",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn flow_attributes_list_add_remove() {
    let attributes = flows(&format!(
        "/{FLOW_ID}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes"
    ));
    let (server, graph) = serving(
        Some("GET"),
        Some(attributes.clone()),
        ResponseTemplate::new(200).set_body_json(fx("list_user_flow_attributes_response")),
    )
    .await;
    mount(
        &server,
        Some("POST"),
        Some(format!("{attributes}/$ref")),
        ResponseTemplate::new(204),
    )
    .await;
    mount(
        &server,
        Some("DELETE"),
        Some(format!("{attributes}/city/$ref")),
        ResponseTemplate::new(204),
    )
    .await;
    let flows = graph.events_flows();
    let listed: Vec<_> = flows.attributes(FLOW_ID).try_collect().await.expect("list");
    flows.add_attribute(FLOW_ID, "city").await.expect("add");
    flows
        .remove_attribute(FLOW_ID, "city")
        .await
        .expect("remove");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1].method.as_str(), "POST");
    assert_eq!(sent[2].method.as_str(), "DELETE");
    assert_headers(&sent[1], true);
    assert_headers(&sent[2], false);
    // The docs' body, with this client's base URL instead of graph.microsoft.com.
    let docs = fx("add_user_flow_attribute_request");
    let docs_id = docs["@odata.id"].as_str().unwrap();
    assert_eq!(
        body_json(&sent[1]),
        json!({"@odata.id": docs_id.replace("https://graph.microsoft.com", &server.uri())})
    );
    assert_eq!(listed.len(), 3);
    let ids: Vec<Value> = listed.iter().map(|a| as_json(a)["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            json!("email"),
            json!("displayName"),
            json!("extension_6ea3bc85aec24b1c92ff4a117afb6621_Favoritecolor")
        ]
    );
    // Attributes come without `@odata.type`: read as the base type.
    assert!(matches!(
        listed[2],
        IdentityUserFlowAttribute::IdentityUserFlowAttributeObject(_)
    ));
}

// Authentication event listeners.

#[tokio::test]
async fn create_token_issuance_listener_sends_the_docs_body() {
    let (server, graph) = serving(
        Some("POST"),
        Some(listeners("")),
        ResponseTemplate::new(201)
            .set_body_json(fx("create_authentication_event_listener_response")),
    )
    .await;
    let created = graph
        .event_listeners()
        .create_token_issuance_listener(EXTENSION_ID, &[TOKEN_APP_ID], None)
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fx("create_authentication_event_listener_request")
    );
    let AuthenticationEventListener::OnTokenIssuanceStartListener(created) = created else {
        panic!("{created:?}")
    };
    assert_eq!(created.id.as_deref(), Some(LISTENER_ID));
}

#[tokio::test]
async fn create_listener_with_priority_sends_it() {
    let (server, graph) = serving(
        Some("POST"),
        Some(listeners("")),
        ResponseTemplate::new(201)
            .set_body_json(fx("create_authentication_event_listener_response")),
    )
    .await;
    let created = graph
        .event_listeners()
        .create_token_issuance_listener(EXTENSION_ID, &[TOKEN_APP_ID], Some(500))
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_headers(&r, true);
    let mut expected = fx("create_authentication_event_listener_request");
    expected["priority"] = json!(500);
    assert_eq!(body_json(&r), expected);
    assert!(matches!(
        created,
        AuthenticationEventListener::OnTokenIssuanceStartListener(_)
    ));
}

#[tokio::test]
async fn create_listener_of_each_kind_names_its_types() {
    for kind in ExtensionKind::ALL {
        let body = NewListener::new(kind, "e-1", [APP_ID]).to_json().unwrap();
        assert_eq!(body["@odata.type"], kind.listener_type());
        assert_eq!(body["handler"]["@odata.type"], kind.handler_type());
    }
    assert_eq!(
        ExtensionKind::OtpSend.listener_type(),
        "#microsoft.graph.onEmailOtpSendListener"
    );
}

#[tokio::test]
async fn create_listener_rejects_bad_input_before_sending() {
    let (server, graph) = idle().await;
    let listeners = graph.event_listeners();
    invalid(
        listeners
            .create_token_issuance_listener(EXTENSION_ID, &[TOKEN_APP_ID], Some(1001))
            .await,
        "priority 1001",
    );
    invalid(
        listeners
            .create_token_issuance_listener(EXTENSION_ID, &[], None)
            .await,
        "at least one application",
    );
    invalid(
        listeners
            .create_token_issuance_listener(EXTENSION_ID, &["app"], None)
            .await,
        "not a GUID",
    );
    invalid(
        listeners
            .create_token_issuance_listener("", &[TOKEN_APP_ID], None)
            .await,
        "id is empty",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn create_listener_from_the_generated_type_and_a_response_without_id() {
    let (server, graph) = serving(
        Some("POST"),
        Some(listeners("")),
        ResponseTemplate::new(201)
            .set_body_json(fx("create_authentication_event_listener_request")),
    )
    .await;
    let listener: AuthenticationEventListener =
        support::typed(fx("create_authentication_event_listener_request"));
    match graph.event_listeners().create(&listener).await {
        Err(Error::Decode { message, .. }) => assert!(message.contains("no id")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        body_json(&only_request(&server).await),
        fx("create_authentication_event_listener_request")
    );
}

#[tokio::test]
async fn get_and_list_listeners() {
    let (server, graph) = serving(
        Some("GET"),
        Some(listeners(&format!("/{EXTENSION_ID}"))),
        ResponseTemplate::new(200).set_body_json(fx("get_authentication_event_listener_response")),
    )
    .await;
    mount(
        &server,
        Some("GET"),
        Some(listeners("")),
        ResponseTemplate::new(200)
            .set_body_json(fx("list_authentication_event_listeners_response")),
    )
    .await;
    let got = graph
        .event_listeners()
        .get(EXTENSION_ID)
        .await
        .expect("get");
    let all = graph
        .event_listeners()
        .list_all(ListOptions::default())
        .await
        .expect("list");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    sent.iter().for_each(|r| {
        assert_headers(r, false);
        assert_eq!(query(r), q(&[]));
    });
    let AuthenticationEventListener::OnTokenIssuanceStartListener(got) = got else {
        panic!("{got:?}")
    };
    assert_eq!(
        got.conditions
            .unwrap()
            .applications
            .unwrap()
            .include_applications[0]
            .app_id
            .as_deref(),
        Some("77552a27-2fbf-4fb0-873e-af165ec071d5")
    );
    // The list answers with the handler's extension expanded inline, without `@odata.type`.
    let AuthenticationEventListener::OnTokenIssuanceStartListener(first) = &all[0] else {
        panic!("{:?}", all[0])
    };
    let handler = as_json(first.handler.as_ref().unwrap());
    assert_eq!(handler["customExtension"]["id"], EXTENSION_ID);
}

#[tokio::test]
async fn update_listener_sends_the_docs_body_and_delete_sends_none() {
    let (server, graph) = serving(None, None, ResponseTemplate::new(204)).await;
    let patch = ListenerPatch {
        app_ids: Patch::Set(vec![TOKEN_APP_ID.into()]),
        ..ListenerPatch::new(ExtensionKind::TokenIssuanceStart)
    };
    graph
        .event_listeners()
        .update(LISTENER_ID, &patch)
        .await
        .expect("update");
    graph
        .event_listeners()
        .delete("c7a1f2c5-3d36-4b3f-b75c-143af30a5246")
        .await
        .expect("delete");
    let sent = requests(&server).await;
    assert_eq!(sent[0].method.as_str(), "PATCH");
    assert_eq!(sent[0].url.path(), listeners(&format!("/{LISTENER_ID}")));
    assert_headers(&sent[0], true);
    assert_eq!(
        body_json(&sent[0]),
        fx("update_authentication_event_listener_request")
    );
    assert_eq!(sent[1].method.as_str(), "DELETE");
    assert_eq!(
        sent[1].url.path(),
        listeners("/c7a1f2c5-3d36-4b3f-b75c-143af30a5246")
    );
    assert_headers(&sent[1], false);
    assert_eq!(header(&sent[1], "content-type"), None);
}

#[tokio::test]
async fn update_listener_rejects_bad_patches_before_sending() {
    let (server, graph) = idle().await;
    let listeners = graph.event_listeners();
    let new = || ListenerPatch::new(ExtensionKind::TokenIssuanceStart);
    invalid(
        listeners.update(LISTENER_ID, &new()).await,
        "changes nothing",
    );
    let cleared = ListenerPatch {
        extension_id: Patch::Null,
        ..new()
    };
    invalid(
        listeners.update(LISTENER_ID, &cleared).await,
        "cannot be cleared",
    );
    let priority = ListenerPatch {
        priority: Patch::Set(5000),
        ..new()
    };
    invalid(
        listeners.update(LISTENER_ID, &priority).await,
        "priority 5000",
    );
    let apps = ListenerPatch {
        app_ids: Patch::Set(vec![]),
        ..new()
    };
    invalid(
        listeners.update(LISTENER_ID, &apps).await,
        "at least one application",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn listener_patch_sends_handler_and_priority() {
    let patch = ListenerPatch {
        extension_id: Patch::Set("e-2".into()),
        priority: Patch::Set(0),
        ..ListenerPatch::new(ExtensionKind::OtpSend)
    };
    assert_eq!(
        patch.to_body().unwrap(),
        json!({
            "@odata.type": "#microsoft.graph.onEmailOtpSendListener",
            "handler": {
                "@odata.type": "#microsoft.graph.onOtpSendCustomExtensionHandler",
                "customExtension": {"id": "e-2"}
            },
            "priority": 0
        })
    );
}
