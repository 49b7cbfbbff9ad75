//! Exact wire requests of the handwritten client layer, checked against a wiremock server on
//! 127.0.0.1, for every operation on Graph `beta` and `v1.0`, plus error mapping, input
//! validation before sending, and token use. The per-version tests are generic over
//! [`Version`] and run once per version (`beta::…`, `v1::…`).
//!
//! The expected requests come from the Microsoft Graph reference (summarised with URLs in
//! `docs/graph-behaviour.md`), not from what the code happens to send:
//! - connectors: <https://learn.microsoft.com/graph/api/resources/identityapiconnector>
//!   (create `POST` 201, get, list, update `PATCH` 204, delete 204, `uploadClientCertificate` 200);
//! - `$ref` binding: <https://learn.microsoft.com/graph/api/b2xidentityuserflow-put-apiconnectorconfiguration>
//!   and <https://learn.microsoft.com/graph/api/b2cidentityuserflow-put-apiconnectorconfiguration?view=graph-rest-beta>
//!   (`PUT …/{step}/$ref` with `{"@odata.id": "<full connector URL>"}`, `{}` to disable, 204);
//! - configuration: <https://learn.microsoft.com/graph/api/b2xidentityuserflow-get-apiconnectorconfiguration>
//!   (`$expand=postFederationSignup,postAttributeCollection`);
//! - errors: <https://learn.microsoft.com/graph/errors>.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use entra_api_connectors::auth::{AccessToken, AuthError, TokenFuture, TokenProvider};
use entra_api_connectors::certificate::testing;
use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, Connectors, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::models::{ConfigurationModel, ConnectorModel, FlowModel};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{
    B2c, B2x, Beta, Error, GraphClient, Step, UserFlowFamily, UserFlows, V1, Version,
};
use secrecy::SecretString;
use serde_json::json;
use support::{
    body_json, fixture, fixture_pfx, header, mount, only_request, page, per_version, q, query,
    requests, same_json, versioned,
};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "wire-test-token-5b7e0c";
const CONNECTOR_A: &str = "3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43";
const CONNECTOR_D: &str = "e1f6c3a9-7d2b-4e8f-b0a4-6c9d3e2f1a57";
const CREATE_PFX_PASSWORD: &str = "fixture-create-pfx-pass";
const UPLOAD_PFX_PASSWORD: &str = "fixture-upload-pfx-pass";

fn client_for(server: &MockServer) -> GraphClient {
    support::client(&server.uri(), TOKEN, RetryPolicy::none())
}

async fn start() -> (MockServer, GraphClient) {
    let server = MockServer::start().await;
    let client = client_for(&server);
    (server, client)
}

/// [`start`] with the server answering `method` on `path` (any when `None`) with `response`.
async fn serving(
    method: Option<&str>,
    path: Option<String>,
    response: ResponseTemplate,
) -> (MockServer, GraphClient) {
    let (server, client) = start().await;
    mount(&server, method, path, response).await;
    (server, client)
}

/// A server answering a create of version `V` as Graph does with a certificate (`201`, the
/// connector with its certificate).
async fn answering_a_certificate_create<V: Version>() -> (MockServer, GraphClient) {
    let response = ResponseTemplate::new(201)
        .set_body_json(versioned::<V>("create_api_connector_certificate_response"));
    serving(Some("POST"), Some(p::<V>("")), response).await
}

/// The headers of every Graph request, with this file's token.
fn assert_graph_headers(r: &Request, has_body: bool) {
    support::assert_graph_headers(r, TOKEN, has_body)
}

fn assert_no_requests_sent(all: &[Request]) {
    support::assert_no_requests_sent(all)
}

/// The path of the connectors of version `V`, plus `rest`.
fn p<V: Version>(rest: &str) -> String {
    format!("/{}/identity/apiConnectors{rest}", V::API)
}

fn connectors<V: Version>(client: &GraphClient) -> Connectors<V> {
    client.graph::<V>().connectors()
}

// Connector operations, identical on both versions apart from the path prefix and fixtures.

async fn create_with_basic_authentication<V: Version>() {
    let (server, client) = serving(
        Some("POST"),
        Some(p::<V>("")),
        ResponseTemplate::new(201)
            .set_body_json(versioned::<V>("create_api_connector_basic_response")),
    )
    .await;
    let created = connectors::<V>(&client)
        .create(&NewConnector::new(
            "Block disposable email",
            "https://api.contoso-test.example/signup/block-disposable",
            Authentication::basic("b2c-connector", "Fixture-Basic-Pa55!"),
        ))
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), p::<V>(""));
    assert_eq!(query(&r), q(&[]));
    assert_graph_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fixture("create_api_connector_basic_request.json")
    );
    assert_eq!(
        created.id().as_deref(),
        Some("7a3e1c9d-4b8f-4e2a-a6c0-9d5b3f7e2a84")
    );
    let text = format!("{created:?}");
    assert!(
        text.contains("Secret(masked)"),
        "Graph's masked password reads as masked: {text}"
    );
}

async fn create_with_pkcs12_certificate<V: Version>() {
    let (server, client) = answering_a_certificate_create::<V>().await;
    let pfx = fixture_pfx("create_api_connector_pkcs12_request.json");
    let upload = Pkcs12Upload::from_bytes(&pfx, SecretString::from(CREATE_PFX_PASSWORD))
        .expect("fixture PFX");
    let created = connectors::<V>(&client)
        .create(&NewConnector::new(
            "Enrich sign-up (mTLS)",
            "https://enrich.contoso-test.example/api/signup",
            Authentication::Certificate(upload),
        ))
        .await
        .expect("create");
    let r = only_request(&server).await;
    assert_eq!(
        (r.method.as_str(), r.url.path()),
        ("POST", p::<V>("").as_str())
    );
    assert_eq!(query(&r), q(&[]));
    assert_graph_headers(&r, true);
    let body = body_json(&r);
    assert_eq!(body, fixture("create_api_connector_pkcs12_request.json"));
    let sent = body["authenticationConfiguration"]["pkcs12Value"]
        .as_str()
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(sent)
            .unwrap(),
        pfx,
        "standard base64 of the file"
    );
    let certs = created.certificates();
    assert_eq!(certs.len(), 1);
    assert_eq!(
        certs[0].thumbprint,
        "DF5B8A3DAFDBF17365B985E3C0A04F5D9B3A00E0"
    );
}

async fn create_with_generated_certificate<V: Version>() {
    let (server, client) = answering_a_certificate_create::<V>().await;
    let password = SecretString::from("generated-pfx-pass");
    let now = entra_api_connectors::certificate::unix_now();
    let pfx = testing::self_signed_pkcs12(
        "api.contoso-test.example",
        &password,
        now - 60,
        now + 86_400,
    );
    let upload = Pkcs12Upload::from_bytes(&pfx, password).expect("generated PFX");
    connectors::<V>(&client)
        .create(&NewConnector::new(
            "Gen",
            "https://api.contoso-test.example/x",
            Authentication::Certificate(upload),
        ))
        .await
        .expect("create");
    let body = body_json(&only_request(&server).await);
    assert_eq!(
        body,
        json!({
            "displayName": "Gen",
            "targetUrl": "https://api.contoso-test.example/x",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": base64::engine::general_purpose::STANDARD.encode(&pfx),
                "password": "generated-pfx-pass",
            }
        })
    );
}

async fn get_with_select_sends_one_comma_joined_value<V: Version>() {
    let (server, client) = serving(
        Some("GET"),
        Some(p::<V>(&format!("/{CONNECTOR_A}"))),
        ResponseTemplate::new(200).set_body_json(versioned::<V>("get_api_connector_basic")),
    )
    .await;
    let c = connectors::<V>(&client)
        .get(CONNECTOR_A, &["id", "displayName", "targetUrl"])
        .await
        .expect("get");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.url.path(), p::<V>(&format!("/{CONNECTOR_A}")));
    assert_eq!(query(&r), q(&[("$select", "id,displayName,targetUrl")]));
    assert_graph_headers(&r, false);
    assert_eq!(c.display_name().as_deref(), Some("Validate loyalty number"));
}

async fn get_without_select_sends_no_query<V: Version>() {
    let (server, client) = serving(
        Some("GET"),
        Some(p::<V>(&format!("/{CONNECTOR_A}"))),
        ResponseTemplate::new(200).set_body_json(versioned::<V>("get_api_connector_basic")),
    )
    .await;
    connectors::<V>(&client)
        .get(CONNECTOR_A, &[])
        .await
        .expect("get");
    let r = only_request(&server).await;
    assert_eq!(r.url.query(), None, "{}", r.url);
    assert_graph_headers(&r, false);
}

async fn ids_are_percent_encoded_into_one_segment<V: Version>() {
    let (server, client) = serving(None, None, ResponseTemplate::new(204)).await;
    connectors::<V>(&client)
        .delete("a/b?c#d")
        .await
        .expect("delete");
    let r = only_request(&server).await;
    assert_eq!(r.url.path(), p::<V>("/a%2Fb%3Fc%23d"));
    assert_eq!(r.url.query(), None);
}

async fn list_page_sends_odata_query_options<V: Version>() {
    let (server, client) = serving(
        Some("GET"),
        Some(p::<V>("")),
        ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "ctx",
            "@odata.count": 3,
            "value": [{"id": CONNECTOR_A, "displayName": "Validate loyalty number"}]
        })),
    )
    .await;
    let options = ListOptions::default()
        .select(["id", "displayName"])
        .filter("displayName eq 'Validate loyalty number'")
        .top(2)
        .count();
    let listed = connectors::<V>(&client)
        .list_page(&options)
        .await
        .expect("list");
    let r = only_request(&server).await;
    assert_eq!(
        (r.method.as_str(), r.url.path()),
        ("GET", p::<V>("").as_str())
    );
    assert_eq!(
        query(&r),
        q(&[
            ("$select", "id,displayName"),
            ("$filter", "displayName eq 'Validate loyalty number'"),
            ("$top", "2"),
            ("$count", "true"),
        ])
    );
    assert_graph_headers(&r, false);
    let (items, _, count) = page(listed);
    assert_eq!(count, Some(3));
    assert_eq!(items.len(), 1);
}

async fn list_all_without_options_sends_no_query<V: Version>() {
    let (server, client) = serving(
        Some("GET"),
        Some(p::<V>("")),
        ResponseTemplate::new(200).set_body_json(versioned::<V>("list_api_connectors_last_page")),
    )
    .await;
    let all = connectors::<V>(&client)
        .list_all(ListOptions::default())
        .await
        .expect("list");
    let r = only_request(&server).await;
    assert_eq!(r.url.query(), None);
    assert_graph_headers(&r, false);
    let ids: Vec<_> = all.iter().map(|c| c.id().clone().unwrap()).collect();
    assert_eq!(ids, ["b5a8e2d1-6c3f-4a9b-8e7d-1f4c2a6b9d30", CONNECTOR_D]);
}

async fn update_sends_a_patch_with_only_changed_fields_and_null<V: Version>() {
    let (server, client) = serving(
        Some("PATCH"),
        Some(p::<V>(&format!("/{CONNECTOR_A}"))),
        ResponseTemplate::new(204),
    )
    .await;
    let patch = ConnectorPatch {
        display_name: Patch::Set("Validate loyalty number v2".into()),
        target_url: Patch::Keep,
        authentication: Patch::Null,
    };
    connectors::<V>(&client)
        .update(CONNECTOR_A, &patch)
        .await
        .expect("update");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "PATCH");
    assert_eq!(r.url.path(), p::<V>(&format!("/{CONNECTOR_A}")));
    assert_eq!(r.url.query(), None);
    assert_graph_headers(&r, true);
    assert_eq!(
        body_json(&r),
        json!({"displayName": "Validate loyalty number v2", "authenticationConfiguration": null})
    );
}

async fn update_with_basic_credentials_matches_the_documented_body<V: Version>() {
    let (server, client) = serving(Some("PATCH"), None, ResponseTemplate::new(204)).await;
    let patch = ConnectorPatch {
        display_name: Patch::Set("Validate loyalty number v2".into()),
        target_url: Patch::Set(
            "https://api.contoso-test.example/signup/v2/validate-loyalty".into(),
        ),
        authentication: Patch::Set(Authentication::basic(
            "b2c-connector-v2",
            "Fixture-Rotated-Pa55!",
        )),
    };
    connectors::<V>(&client)
        .update(CONNECTOR_A, &patch)
        .await
        .expect("update");
    let r = only_request(&server).await;
    assert_graph_headers(&r, true);
    assert_eq!(body_json(&r), fixture("update_api_connector_request.json"));
}

async fn update_to_certificate_sends_pkcs12_configuration<V: Version>() {
    let (server, client) = serving(
        Some("PATCH"),
        Some(p::<V>(&format!("/{CONNECTOR_A}"))),
        ResponseTemplate::new(204),
    )
    .await;
    let pfx = fixture_pfx("update_api_connector_to_certificate_request.json");
    let upload = Pkcs12Upload::from_bytes(&pfx, SecretString::from(CREATE_PFX_PASSWORD))
        .expect("fixture PFX");
    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::Certificate(upload)),
        ..Default::default()
    };
    connectors::<V>(&client)
        .update(CONNECTOR_A, &patch)
        .await
        .expect("update");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "PATCH");
    assert_graph_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fixture("update_api_connector_to_certificate_request.json")
    );
}

async fn delete_sends_delete_without_body<V: Version>() {
    let (server, client) = serving(
        Some("DELETE"),
        Some(p::<V>(&format!("/{CONNECTOR_A}"))),
        ResponseTemplate::new(204),
    )
    .await;
    connectors::<V>(&client)
        .delete(CONNECTOR_A)
        .await
        .expect("delete");
    let r = only_request(&server).await;
    assert_eq!(
        (r.method.as_str(), r.url.path()),
        ("DELETE", p::<V>(&format!("/{CONNECTOR_A}")).as_str())
    );
    assert_eq!(r.url.query(), None);
    assert_graph_headers(&r, false);
}

async fn upload_certificate_posts_pkcs12_value_and_password<V: Version>() {
    let (server, client) = serving(
        Some("POST"),
        Some(p::<V>(&format!("/{CONNECTOR_D}/uploadClientCertificate"))),
        ResponseTemplate::new(200)
            .set_body_json(versioned::<V>("upload_client_certificate_response")),
    )
    .await;
    let pfx = fixture_pfx("upload_client_certificate_request.json");
    let upload = Pkcs12Upload::from_bytes(&pfx, SecretString::from(UPLOAD_PFX_PASSWORD))
        .expect("fixture PFX");
    assert_eq!(
        upload.summary().thumbprint,
        "94908F3D0D47D8AD98E435B9C5B87C73179041C5"
    );
    let connector = connectors::<V>(&client)
        .upload_certificate(CONNECTOR_D, &upload)
        .await
        .expect("upload");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(
        r.url.path(),
        p::<V>(&format!("/{CONNECTOR_D}/uploadClientCertificate"))
    );
    assert_eq!(r.url.query(), None);
    assert_graph_headers(&r, true);
    assert_eq!(
        body_json(&r),
        fixture("upload_client_certificate_request.json")
    );
    assert_eq!(connector.certificates().len(), 2);
    let active = connector
        .active_certificate()
        .expect("an active certificate");
    assert_eq!(
        active.thumbprint,
        "94908F3D0D47D8AD98E435B9C5B87C73179041C5"
    );
}

per_version!(
    create_with_basic_authentication,
    create_with_pkcs12_certificate,
    create_with_generated_certificate,
    get_with_select_sends_one_comma_joined_value,
    get_without_select_sends_no_query,
    ids_are_percent_encoded_into_one_segment,
    list_page_sends_odata_query_options,
    list_all_without_options_sends_no_query,
    update_sends_a_patch_with_only_changed_fields_and_null,
    update_with_basic_credentials_matches_the_documented_body,
    update_to_certificate_sends_pkcs12_configuration,
    delete_sends_delete_without_body,
    upload_certificate_posts_pkcs12_value_and_password,
);

/// What the user-flow tests of one family on one version expect (from the Graph reference).
struct FlowCase {
    /// The family's segment, e.g. `b2cUserFlows`.
    family: &'static str,
    /// A user flow id of the fixtures.
    flow: &'static str,
    /// The `$expand` of the configuration: every step the family reads.
    expand: &'static str,
    /// The list, get and expanded-configuration fixtures.
    list: &'static str,
    get: &'static str,
    config: &'static str,
}

impl FlowCase {
    /// The path of the family on version `V`, plus `rest`.
    fn path<V: Version>(&self, rest: &str) -> String {
        format!("/{}/identity/{}{rest}", V::API, self.family)
    }
}

const B2C_BETA: FlowCase = FlowCase {
    family: "b2cUserFlows",
    flow: "B2C_1_SignUpSignIn",
    expand: "postFederationSignup,postAttributeCollection,preTokenIssuance",
    list: "b2c_user_flow_list.json",
    get: "b2x_user_flow_get_beta.json",
    config: "api_connector_configuration_expanded_b2c_beta.json",
};
const B2X_BETA: FlowCase = FlowCase {
    family: "b2xUserFlows",
    flow: "B2X_1_PartnerSignUp",
    expand: "postFederationSignup,postAttributeCollection",
    list: "b2x_user_flow_list_beta.json",
    get: "b2x_user_flow_get_beta.json",
    config: "api_connector_configuration_expanded_beta.json",
};
const B2X_V1: FlowCase = FlowCase {
    family: "b2xUserFlows",
    flow: "B2X_1_PartnerSignUp",
    expand: "postFederationSignup,postAttributeCollection",
    list: "b2x_user_flow_list_v1.json",
    get: "b2x_user_flow_get_v1.json",
    config: "api_connector_configuration_expanded_v1.json",
};

fn flows<V: Version, F: UserFlowFamily<V>>(client: &GraphClient) -> UserFlows<V, F> {
    client.graph::<V>().user_flows::<F>()
}

async fn list_and_get<V: Version, F: UserFlowFamily<V>>(case: &FlowCase) {
    let (server, client) = serving(
        Some("GET"),
        Some(case.path::<V>("")),
        ResponseTemplate::new(200).set_body_json(fixture(case.list)),
    )
    .await;
    mount(
        &server,
        Some("GET"),
        Some(case.path::<V>(&format!("/{}", case.flow))),
        ResponseTemplate::new(200).set_body_json(fixture(case.get)),
    )
    .await;
    let all = flows::<V, F>(&client).list_all().await.expect("list");
    assert!(!all.is_empty());
    let one = flows::<V, F>(&client).get(case.flow).await.expect("get");
    assert!(one.id().is_some());
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].url.path()),
        ("GET", case.path::<V>("").as_str())
    );
    assert_eq!(reqs[0].url.query(), None);
    assert_eq!(
        reqs[1].url.path(),
        case.path::<V>(&format!("/{}", case.flow))
    );
    for r in &reqs {
        assert_graph_headers(r, false);
    }
}

async fn create_and_delete<V: Version, F: UserFlowFamily<V>>(case: &FlowCase) {
    let (server, client) = start().await;
    let documented =
        json!({"id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1});
    mount(
        &server,
        Some("POST"),
        Some(case.path::<V>("")),
        ResponseTemplate::new(201).set_body_json(json!({
            "id": format!("{}_1_Partner", case.family[..3].to_ascii_uppercase()),
            "userFlowType": "signUpOrSignIn",
            "userFlowTypeVersion": 1,
            "apiConnectorConfiguration": {}
        })),
    )
    .await;
    mount(&server, Some("DELETE"), None, ResponseTemplate::new(204)).await;
    let flow = serde_json::from_value(documented.clone()).expect("flow");
    let created = flows::<V, F>(&client).create(&flow).await.expect("create");
    assert!(created.id().as_ref().unwrap().ends_with("_1_Partner"));
    flows::<V, F>(&client)
        .delete(case.flow)
        .await
        .expect("delete");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].url.path()),
        ("POST", case.path::<V>("").as_str())
    );
    assert_graph_headers(&reqs[0], true);
    let sent = body_json(&reqs[0]);
    assert!(
        same_json(&sent, &documented),
        "create body {sent} is not {documented}"
    );
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].url.path()),
        (
            "DELETE",
            case.path::<V>(&format!("/{}", case.flow)).as_str()
        )
    );
    assert_graph_headers(&reqs[1], false);
}

async fn configuration_expands_every_step<V: Version, F: UserFlowFamily<V>>(case: &FlowCase) {
    let (server, client) = serving(
        Some("GET"),
        Some(case.path::<V>(&format!("/{}/apiConnectorConfiguration", case.flow))),
        ResponseTemplate::new(200).set_body_json(fixture(case.config)),
    )
    .await;
    let config = flows::<V, F>(&client)
        .configuration(case.flow)
        .await
        .expect("configuration");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(query(&r), q(&[("$expand", case.expand)]));
    assert_graph_headers(&r, false);
    assert!(
        config.connector(Step::PostFederationSignup).is_some()
            || config.connector(Step::PostAttributeCollection).is_some()
    );
}

async fn attach_puts_the_full_connector_url_on_ref<V: Version, F: UserFlowFamily<V>>(
    case: &FlowCase,
) {
    let (server, client) = serving(Some("PUT"), None, ResponseTemplate::new(204)).await;
    flows::<V, F>(&client)
        .attach(case.flow, Step::PostFederationSignup, CONNECTOR_A)
        .await
        .expect("attach");
    flows::<V, F>(&client)
        .attach(case.flow, Step::PostAttributeCollection, CONNECTOR_D)
        .await
        .expect("attach");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    for (r, step, id) in [
        (&reqs[0], "postFederationSignup", CONNECTOR_A),
        (&reqs[1], "postAttributeCollection", CONNECTOR_D),
    ] {
        assert_eq!(r.method.as_str(), "PUT");
        assert_eq!(
            r.url.path(),
            case.path::<V>(&format!(
                "/{}/apiConnectorConfiguration/{step}/$ref",
                case.flow
            ))
        );
        assert_eq!(r.url.query(), None);
        assert_graph_headers(r, true);
        let expected = format!("{}/{}/identity/apiConnectors/{id}", server.uri(), V::API);
        assert_eq!(body_json(r), json!({ "@odata.id": expected }));
    }
}

async fn detach_puts_an_empty_object<V: Version, F: UserFlowFamily<V>>(case: &FlowCase) {
    let (server, client) = serving(Some("PUT"), None, ResponseTemplate::new(204)).await;
    flows::<V, F>(&client)
        .detach(case.flow, Step::PostAttributeCollection)
        .await
        .expect("detach");
    let r = only_request(&server).await;
    assert_eq!(r.method.as_str(), "PUT");
    assert_eq!(
        r.url.path(),
        case.path::<V>(&format!(
            "/{}/apiConnectorConfiguration/postAttributeCollection/$ref",
            case.flow
        ))
    );
    assert_graph_headers(&r, true);
    assert_eq!(body_json(&r), json!({}));
}

/// `#[tokio::test]`s running the generic user-flow tests for one version, family and case.
macro_rules! per_family {
    ($module:ident: $version:ident, $family:ident, $case:ident) => {
        mod $module {
            #[tokio::test]
            async fn list_and_get() {
                super::list_and_get::<super::$version, super::$family>(&super::$case).await
            }
            #[tokio::test]
            async fn create_and_delete() {
                super::create_and_delete::<super::$version, super::$family>(&super::$case).await
            }
            #[tokio::test]
            async fn configuration_expands_every_step() {
                super::configuration_expands_every_step::<super::$version, super::$family>(
                    &super::$case,
                )
                .await
            }
            #[tokio::test]
            async fn attach_puts_the_full_connector_url_on_ref() {
                super::attach_puts_the_full_connector_url_on_ref::<super::$version, super::$family>(
                    &super::$case,
                )
                .await
            }
            #[tokio::test]
            async fn detach_puts_an_empty_object() {
                super::detach_puts_an_empty_object::<super::$version, super::$family>(&super::$case)
                    .await
            }
        }
    };
}

per_family!(b2c_beta: Beta, B2c, B2C_BETA);
per_family!(b2x_beta: Beta, B2x, B2X_BETA);
per_family!(b2x_v1: V1, B2x, B2X_V1);

#[test]
fn the_bind_url_matches_the_documented_one_for_the_global_cloud() {
    // With the Graph root as base URL, the `@odata.id` is exactly the documented example's.
    let client = GraphClient::builder()
        .base_url("https://graph.microsoft.com")
        .build()
        .unwrap();
    for (url, fixture_name) in [
        (
            client
                .beta()
                .entity_url(&["identity", "apiConnectors", CONNECTOR_A]),
            "ref_bind_request_beta.json",
        ),
        (
            client
                .v1()
                .entity_url(&["identity", "apiConnectors", CONNECTOR_A]),
            "ref_bind_request_v1.json",
        ),
    ] {
        assert_eq!(json!({"@odata.id": url.as_str()}), fixture(fixture_name));
    }
}

#[tokio::test]
async fn pre_token_issuance_cannot_be_attached_and_nothing_is_sent() {
    let (server, client) = serving(None, None, ResponseTemplate::new(204)).await;
    let flows = client.beta().b2c_user_flows();
    let e = flows
        .attach("B2C_1_SignUpSignIn", Step::PreTokenIssuance, CONNECTOR_A)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert!(e.to_string().contains("preTokenIssuance"), "{e}");
    let e = flows
        .detach("B2C_1_SignUpSignIn", Step::PreTokenIssuance)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert_no_requests_sent(&requests(&server).await);
}

/// The step table of each version and family: what the spec has, bound or only read; a step a
/// version lacks is refused before any request, naming the steps it has.
#[tokio::test]
async fn each_version_and_family_has_its_step_table() {
    use entra_api_connectors::StepAccess::{Bind, Read};
    let (server, client) = serving(None, None, ResponseTemplate::new(204)).await;
    let (beta, v1) = (client.beta(), client.v1());
    assert_eq!(
        beta.b2c_user_flows().steps(),
        [
            (Step::PostFederationSignup, Bind),
            (Step::PostAttributeCollection, Bind),
            (Step::PreTokenIssuance, Read)
        ]
    );
    let b2x = [
        (Step::PostFederationSignup, Bind),
        (Step::PostAttributeCollection, Bind),
    ];
    assert_eq!(beta.b2x_user_flows().steps(), b2x);
    assert_eq!(v1.b2x_user_flows().steps(), b2x);
    assert_eq!(beta.steps(), Step::ALL);
    assert_eq!(v1.steps(), &Step::ALL[..2]);
    assert_eq!(v1.b2x_user_flows().access(Step::PreTokenIssuance), None);
    assert_eq!(
        beta.step("PRETOKENISSUANCE").unwrap(),
        Step::PreTokenIssuance
    );

    let e = v1.step("preTokenIssuance").unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "invalid input: unknown step `preTokenIssuance`; Graph v1.0 has: postFederationSignup, postAttributeCollection"
    );
    let e = v1
        .b2x_user_flows()
        .attach("B2X_1_x", Step::PreTokenIssuance, CONNECTOR_A)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "invalid input: Graph v1.0 has no preTokenIssuance step; it has: postFederationSignup, postAttributeCollection"
    );
    let e = beta
        .b2x_user_flows()
        .detach("B2X_1_x", Step::PreTokenIssuance)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input: the preTokenIssuance step cannot be bound through $ref: Graph marks it not referenceable"
    );
    assert_no_requests_sent(&requests(&server).await);
}

// ----- errors ---------------------------------------------------------------------------------

fn not_found() -> ResponseTemplate {
    // https://learn.microsoft.com/graph/errors: one `error` object; ids also in response headers.
    ResponseTemplate::new(404)
        .insert_header("request-id", "c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a")
        .insert_header("client-request-id", "c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a")
        .set_body_json(fixture("error_not_found.json"))
}

fn assert_not_found(e: &Error) {
    let g = e
        .graph()
        .unwrap_or_else(|| panic!("not a Graph error: {e:?}"));
    assert_eq!(g.status, 404);
    assert_eq!(g.code, "itemNotFound");
    assert_eq!(
        g.message,
        "The API connector '0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' was not found."
    );
    assert_eq!(
        g.request_id.as_deref(),
        Some("c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a")
    );
    assert_eq!(
        g.client_request_id.as_deref(),
        Some("c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a")
    );
    assert_eq!(g.date.as_deref(), Some("2025-03-14T09:26:53"));
    assert!(e.is_not_found());
    let line = e.to_string();
    assert!(!line.contains('\n'), "Display is one line: {line}");
    for part in [
        "404",
        "itemNotFound",
        "The API connector '0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' was not found.",
        "request-id c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
        "client-request-id c8a9e0f1-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
        "2025-03-14T09:26:53",
    ] {
        assert!(line.contains(part), "{line:?} lacks {part:?}");
    }
}

#[tokio::test]
async fn not_found_is_a_graph_error_on_every_operation() {
    let (server, client) = serving(None, None, not_found()).await;
    let id = "0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    let c = client.beta().connectors();
    assert_not_found(&c.get(id, &[]).await.unwrap_err());
    assert_not_found(&c.delete(id).await.unwrap_err());
    let patch = ConnectorPatch {
        display_name: Patch::Set("x".into()),
        ..Default::default()
    };
    assert_not_found(&c.update(id, &patch).await.unwrap_err());
    assert_not_found(
        &client
            .v1()
            .connectors()
            .list_all(ListOptions::default())
            .await
            .unwrap_err(),
    );
    let flows = client.v1().b2x_user_flows();
    assert_not_found(
        &flows
            .attach("B2X_1_x", Step::PostFederationSignup, id)
            .await
            .unwrap_err(),
    );
    assert_not_found(&flows.configuration("B2X_1_x").await.unwrap_err());
    assert_eq!(requests(&server).await.len(), 6);
}

#[tokio::test]
async fn b2c_errors_keep_the_correlation_id() {
    let (_server, client) = serving(
        None,
        None,
        ResponseTemplate::new(403).set_body_json(fixture("error_b2c_forbidden.json")),
    )
    .await;
    let e = client.beta().b2x_user_flows().list_all().await.unwrap_err();
    let g = e.graph().expect("Graph error");
    assert_eq!((g.status, g.code.as_str()), (403, "AADB2C"));
    assert_eq!(
        g.correlation_id.as_deref(),
        Some("08187965-d59b-43c8-ad91-7e7151476299")
    );
    assert_eq!(
        g.request_id.as_deref(),
        Some("f9db8ea8-6565-4a76-9fb0-8dd1dafd16b9")
    );
    assert_eq!(
        g.client_request_id.as_deref(),
        Some("6e0c3b1f-8a2d-4c7e-9b5f-2d4a6c8e0f13")
    );
    let line = e.to_string();
    assert!(
        line.contains("08187965-d59b-43c8-ad91-7e7151476299") && !line.contains('\n'),
        "{line}"
    );
}

#[tokio::test]
async fn wrong_pfx_password_at_graph_is_reported() {
    let (_server, client) = serving(
        None,
        None,
        ResponseTemplate::new(400).set_body_json(fixture("error_b2c_certificate_password.json")),
    )
    .await;
    let pfx = fixture_pfx("upload_client_certificate_request.json");
    let upload = Pkcs12Upload::from_bytes(&pfx, SecretString::from(UPLOAD_PFX_PASSWORD)).unwrap();
    let e = client
        .v1()
        .connectors()
        .upload_certificate(CONNECTOR_D, &upload)
        .await
        .unwrap_err();
    let g = e.graph().expect("Graph error");
    assert_eq!((g.status, g.code.as_str()), (400, "AADB2C90213"));
    assert_eq!(
        g.correlation_id.as_deref(),
        Some("0d6b2f8e-4a1c-4e9b-b3d7-8c5a1f2e6d94")
    );
}

#[tokio::test]
async fn gateway_html_error_becomes_a_graph_error_with_http_code() {
    let (server, client) = start().await;
    let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
    mount(
        &server,
        None,
        None,
        ResponseTemplate::new(502).set_body_raw(html, "text/html"),
    )
    .await;
    let c = client.beta().connectors();
    let patch = ConnectorPatch {
        target_url: Patch::Set("https://api.contoso-test.example/v3".into()),
        ..Default::default()
    };
    for e in [
        c.get(CONNECTOR_A, &[]).await.unwrap_err(),
        c.update(CONNECTOR_A, &patch).await.unwrap_err(),
    ] {
        let g = e
            .graph()
            .unwrap_or_else(|| panic!("not a Graph error: {e:?}"));
        assert_eq!(g.status, 502);
        assert_eq!(g.code, "HTTP502");
        assert!(g.message.contains("502 Bad Gateway"), "{}", g.message);
        assert!(!e.to_string().contains('\n'));
    }
    assert_eq!(requests(&server).await.len(), 2, "502 is not retried");
}

#[tokio::test]
async fn success_with_a_body_that_is_not_json_is_a_decode_error() {
    let (_server, client) = serving(
        None,
        None,
        ResponseTemplate::new(200).set_body_raw("<html>Sign in</html>", "text/html"),
    )
    .await;
    let c = client.v1().connectors();
    let e = c.get(CONNECTOR_A, &[]).await.unwrap_err();
    assert!(matches!(&e, Error::Decode { .. }), "{e:?}");
    assert!(
        e.to_string().contains("<html>Sign in</html>"),
        "the excerpt helps: {e}"
    );
    let e = c.list_all(ListOptions::default()).await.unwrap_err();
    assert!(matches!(&e, Error::Decode { .. }), "{e:?}");
    let e = client
        .v1()
        .b2x_user_flows()
        .configuration("B2X_1_x")
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Decode { .. }), "{e:?}");
}

// ----- invalid input, caught before sending ---------------------------------------------------

#[tokio::test]
async fn invalid_input_is_rejected_before_any_request() {
    let (server, client) = serving(None, None, ResponseTemplate::new(204)).await;
    let c = client.beta().connectors();
    let basic = || Authentication::basic("svc", "Fixture-Basic-Pa55!");
    let cases: Vec<(&str, Error)> = vec![
        (
            "http target",
            c.create(&NewConnector::new(
                "n",
                "http://api.contoso-test.example/x",
                basic(),
            ))
            .await
            .unwrap_err(),
        ),
        (
            "relative target",
            c.create(&NewConnector::new("n", "/x", basic()))
                .await
                .unwrap_err(),
        ),
        (
            "empty name",
            c.create(&NewConnector::new(
                "",
                "https://api.contoso-test.example/x",
                basic(),
            ))
            .await
            .unwrap_err(),
        ),
        (
            "blank name",
            c.create(&NewConnector::new(
                "  ",
                "https://api.contoso-test.example/x",
                basic(),
            ))
            .await
            .unwrap_err(),
        ),
        (
            "empty username",
            c.create(&NewConnector::new(
                "n",
                "https://a.example/x",
                Authentication::basic(" ", "p"),
            ))
            .await
            .unwrap_err(),
        ),
        ("empty id get", c.get("", &[]).await.unwrap_err()),
        ("dot-dot id delete", c.delete("..").await.unwrap_err()),
        ("dot id", c.get(".", &[]).await.unwrap_err()),
        ("control char id", c.delete("a\nb").await.unwrap_err()),
        (
            "empty patch",
            c.update(CONNECTOR_A, &ConnectorPatch::default())
                .await
                .unwrap_err(),
        ),
        (
            "patch http target",
            c.update(
                CONNECTOR_A,
                &ConnectorPatch {
                    target_url: Patch::Set("http://x.example".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "patch empty name",
            c.update(
                CONNECTOR_A,
                &ConnectorPatch {
                    display_name: Patch::Set(String::new()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "patch with empty id",
            c.update(
                "",
                &ConnectorPatch {
                    display_name: Patch::Set("x".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err(),
        ),
        ("attach with empty connector", {
            client
                .beta()
                .b2x_user_flows()
                .attach("B2X_1_x", Step::PostFederationSignup, "")
                .await
                .unwrap_err()
        }),
        ("attach with .. flow", {
            client
                .v1()
                .b2x_user_flows()
                .attach("..", Step::PostFederationSignup, CONNECTOR_A)
                .await
                .unwrap_err()
        }),
        ("detach empty flow", {
            client
                .v1()
                .b2x_user_flows()
                .detach("", Step::PostAttributeCollection)
                .await
                .unwrap_err()
        }),
        (
            "configuration empty flow",
            client
                .beta()
                .b2c_user_flows()
                .configuration(" ")
                .await
                .unwrap_err(),
        ),
        ("flow without id", {
            let flow = Default::default();
            client
                .v1()
                .b2x_user_flows()
                .create(&flow)
                .await
                .unwrap_err()
        }),
    ];
    for (case, e) in &cases {
        assert!(matches!(e, Error::InvalidInput(_)), "{case}: {e:?}");
        assert!(e.to_string().starts_with("invalid input: "), "{case}: {e}");
    }
    assert_no_requests_sent(&requests(&server).await);
}

#[tokio::test]
async fn invalid_pkcs12_is_rejected_before_any_request() {
    let server = MockServer::start().await;
    let password = SecretString::from("right-pass");
    let now = entra_api_connectors::certificate::unix_now();
    let good = testing::self_signed_pkcs12(
        "api.contoso-test.example",
        &password,
        now - 60,
        now + 86_400,
    );

    let e = Pkcs12Upload::from_bytes(&good, SecretString::from("wrong-pass")).unwrap_err();
    assert!(matches!(e, Error::Certificate(_)), "{e:?}");
    assert!(e.to_string().contains("wrong PKCS#12 password"), "{e}");
    assert!(
        !e.to_string().contains("wrong-pass") && !e.to_string().contains("right-pass"),
        "{e}"
    );

    let no_key = testing::certificate_only_pkcs12(
        "api.contoso-test.example",
        &password,
        now - 60,
        now + 86_400,
    );
    let e = Pkcs12Upload::from_bytes(&no_key, password.clone()).unwrap_err();
    assert!(e.to_string().contains("no private key"), "{e}");

    let expired = testing::self_signed_pkcs12(
        "api.contoso-test.example",
        &password,
        now - 2 * 86_400,
        now - 86_400,
    );
    let e = Pkcs12Upload::from_bytes(&expired, password.clone()).unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");

    let e = Pkcs12Upload::from_bytes(b"not a pfx at all", password.clone()).unwrap_err();
    assert!(e.to_string().contains("not a PKCS#12"), "{e}");

    let missing = std::env::temp_dir().join("entra-api-connectors-no-such-file.pfx");
    let e = Pkcs12Upload::from_file(&missing, password).unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput(_)) && e.to_string().contains("cannot read"),
        "{e:?}"
    );
    assert_no_requests_sent(&requests(&server).await);
}

// ----- tokens ---------------------------------------------------------------------------------

#[derive(Debug)]
struct CountingTokens {
    calls: Arc<AtomicUsize>,
}

impl TokenProvider for CountingTokens {
    fn token(&self) -> TokenFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            Ok(AccessToken::new(
                format!("counted-token-{n}"),
                SystemTime::now() + Duration::from_secs(3600),
            ))
        })
    }
}

#[derive(Debug)]
struct FailingTokens;

#[derive(Debug, thiserror::Error)]
#[error("vault is sealed")]
struct Sealed;

impl TokenProvider for FailingTokens {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Err(AuthError::provider(Sealed)) })
    }
}

#[tokio::test]
async fn tokens_are_cached_across_requests_and_versions() {
    let server = MockServer::start().await;
    mount(
        &server,
        Some("GET"),
        None,
        ResponseTemplate::new(200).set_body_json(fixture("get_api_connector_basic_beta.json")),
    )
    .await;
    mount(&server, Some("PATCH"), None, ResponseTemplate::new(204)).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = GraphClient::builder()
        .base_url(server.uri())
        .token_provider(CountingTokens {
            calls: calls.clone(),
        })
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client
        .beta()
        .connectors()
        .get(CONNECTOR_A, &[])
        .await
        .unwrap();
    client
        .v1()
        .connectors()
        .get(CONNECTOR_A, &[])
        .await
        .unwrap();
    let patch = ConnectorPatch {
        display_name: Patch::Set("x".into()),
        ..Default::default()
    };
    client
        .clone()
        .beta()
        .connectors()
        .update(CONNECTOR_A, &patch)
        .await
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one token for three requests"
    );
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            header(r, "authorization").as_deref(),
            Some("Bearer counted-token-0")
        );
    }
    let ids: std::collections::HashSet<_> = reqs
        .iter()
        .map(|r| header(r, "client-request-id").unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "every request gets its own client-request-id");
}

#[tokio::test]
async fn auth_failure_is_an_auth_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    mount(&server, None, None, ResponseTemplate::new(204)).await;
    let client = GraphClient::builder()
        .base_url(server.uri())
        .token_provider(FailingTokens)
        .build()
        .unwrap();
    let c = client.beta().connectors();
    let patch = ConnectorPatch {
        display_name: Patch::Set("x".into()),
        ..Default::default()
    };
    for e in [
        c.get(CONNECTOR_A, &[]).await.unwrap_err(),
        c.update(CONNECTOR_A, &patch).await.unwrap_err(),
        c.list_all(ListOptions::default()).await.unwrap_err(),
    ] {
        // The provider's own error, typed, whether the call is generated (get, list) or
        // handwritten (update).
        assert!(
            matches!(&e, Error::Auth(AuthError::Provider(p)) if p.downcast_ref::<Sealed>().is_some()),
            "{e:?}"
        );
        assert!(!e.is_retryable(), "{e:?}");
        let line = e.to_string();
        assert!(line.contains("vault is sealed"), "{line}");
        assert_eq!(
            line.matches("authentication failed").count(),
            1,
            "said once: {line}"
        );
    }
    assert_no_requests_sent(&requests(&server).await);
}

#[test]
fn base_url_must_be_http_without_query() {
    for bad in [
        "ftp://127.0.0.1",
        "not a url",
        "http://127.0.0.1/?x=1",
        "http://127.0.0.1/#f",
    ] {
        let e = GraphClient::builder().base_url(bad).build().unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{bad}: {e:?}");
    }
    // A base URL with a path keeps it; the version is appended.
    let client = GraphClient::builder()
        .base_url("http://127.0.0.1:9/graph/")
        .build()
        .unwrap();
    assert_eq!(
        client.beta().base_url().as_str(),
        "http://127.0.0.1:9/graph/beta"
    );
    assert_eq!(
        client.v1().base_url().as_str(),
        "http://127.0.0.1:9/graph/v1.0"
    );
}

#[tokio::test]
async fn lower_case_innererror_is_read_on_every_path() {
    // https://learn.microsoft.com/graph/errors spells it `innererror`; real responses send
    // `innerError`. Both must give the ids and date, whichever code path decodes the error.
    let (_server, client) = serving(None, None, ResponseTemplate::new(409).set_body_json(json!({
            "error": {
                "code": "Conflict",
                "message": "A connector with this name exists.",
                "innererror": {"date": "2025-03-14T09:26:53", "request-id": "r-1", "client-request-id": "c-1"}
            }
        }))).await;
    let c = client.beta().connectors();
    let patch = ConnectorPatch {
        display_name: Patch::Set("x".into()),
        ..Default::default()
    };
    let basic = Authentication::basic("svc", "Fixture-Basic-Pa55!");
    for e in [
        c.create(&NewConnector::new("x", "https://a.example/x", basic))
            .await
            .unwrap_err(),
        c.update(CONNECTOR_A, &patch).await.unwrap_err(),
    ] {
        let g = e.graph().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!((g.status, g.code.as_str()), (409, "Conflict"));
        assert_eq!(g.request_id.as_deref(), Some("r-1"), "{e}");
        assert_eq!(g.client_request_id.as_deref(), Some("c-1"), "{e}");
        assert_eq!(g.date.as_deref(), Some("2025-03-14T09:26:53"), "{e}");
    }
}

#[tokio::test]
async fn odata_media_type_parameters_are_accepted() {
    // JSON responses may carry parameters: `application/json;odata.metadata=minimal;...`.
    let (server, client) = start().await;
    let body = serde_json::to_vec(&fixture("get_api_connector_basic_v1.json")).unwrap();
    mount(&server, None, None, ResponseTemplate::new(200).set_body_raw(
            body,
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        )).await;
    let c = client
        .v1()
        .connectors()
        .get(CONNECTOR_A, &[])
        .await
        .expect("get");
    assert_eq!(c.id.as_deref(), Some(CONNECTOR_A));
}

/// Graph answers 401 when a token was revoked or expired early: the client drops the cached token
/// and sends the request once more with a new one, also with retries disabled.
#[tokio::test]
async fn a_401_drops_the_cached_token_and_retries_once_with_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("authorization", "Bearer counted-token-0"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": { "code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid." }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer counted-token-1",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("get_api_connector_basic_beta.json")),
        )
        .mount(&server)
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = GraphClient::builder()
        .base_url(server.uri())
        .token_provider(CountingTokens {
            calls: calls.clone(),
        })
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let c = client
        .beta()
        .connectors()
        .get(CONNECTOR_A, &[])
        .await
        .unwrap();
    assert_eq!(c.id.as_deref(), Some(CONNECTOR_A));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].headers.get("client-request-id"),
        sent[1].headers.get("client-request-id"),
        "the same request, sent again"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one new token");
}

/// A provider that keeps giving the same token gets one request and the 401 back.
#[tokio::test]
async fn a_401_with_an_unchanged_token_is_returned_after_one_request() {
    let server = MockServer::start().await;
    mount(&server, None, None, ResponseTemplate::new(401).set_body_json(json!({
            "error": { "code": "InvalidAuthenticationToken", "message": "Access token validation failure." }
        }))).await;
    let client = client_for(&server);
    let e = client
        .v1()
        .connectors()
        .get(CONNECTOR_A, &[])
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401), "{e}");
    assert_eq!(e.graph().unwrap().code, "InvalidAuthenticationToken");
    assert_eq!(requests(&server).await.len(), 1);
}
