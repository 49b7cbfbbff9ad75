//! `AdapterLayer` (features `axum` and `jwt`) on a real `axum::Router` with `oneshot`: the example
//! connector API (`examples/connector_api_external_id.rs`, which serves `connector_api.rs`'s
//! handler unchanged) behind External ID. Tokens are signed with RSA keys generated in the test.

mod support;

#[allow(dead_code)]
#[path = "../examples/connector_api_external_id.rs"]
mod example;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Extension;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use entra_api_connectors_contract::adapter::{AdapterConfig, AdapterLayer, Loss};
use entra_api_connectors_contract::custom_extension::{CustomExtensionAuth, Event, SharedJwks};
use entra_api_connectors_contract::{
    Caller, ConnectorAuth, ConnectorCall, ConnectorResponse, Continuation, PeerCertificate,
    thumbprint_of,
};
use http_body_util::BodyExt as _;
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";
const EXTERNAL_APP: &str = "0123456789abcdef0123456789abcdef";
const PASSWORD: &str = "b2c-connector-secret";
const ROUTE: &str = "/external-id/signup";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/custom-extensions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        .replace("<appid>", EXTERNAL_APP)
}

fn adapter_layer() -> AdapterLayer {
    AdapterLayer::new(
        CustomExtensionAuth::new(support::verifier(), SharedJwks::new(support::jwks())),
        AdapterConfig::new()
            .with_external_extensions_app_id(EXTERNAL_APP)
            .unwrap(),
    )
}

fn basic_auth() -> ConnectorAuth {
    ConnectorAuth::basic("connector", SecretString::from(PASSWORD)).unwrap()
}

/// The example's router: B2C on `/signup`, External ID on `/external-id/signup`.
fn example_app() -> Router {
    example::app(basic_auth(), adapter_layer())
}

fn bearer() -> String {
    format!("Bearer {}", support::valid_token())
}

fn basic() -> String {
    format!("Basic {}", STANDARD.encode(format!("connector:{PASSWORD}")))
}

fn post_to(
    uri: &str,
    authorization: Option<&str>,
    content_type: &str,
    body: String,
) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type);
    if let Some(a) = authorization {
        request = request.header(header::AUTHORIZATION, a);
    }
    request.body(Body::from(body)).unwrap()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    losses: Option<Vec<Loss>>,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let losses = response.extensions().get::<Vec<Loss>>().cloned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        losses,
        body,
    }
}

fn string_attribute(value: &str) -> Value {
    json!({"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": value, "attributeType": "builtIn"})
}

/// An Entra request of `fixture` whose user signs up as `email` with `attributes`.
fn sign_up(fixture_name: &str, email: &str, attributes: Value) -> String {
    let mut body: Value = serde_json::from_str(&fixture(fixture_name)).unwrap();
    body["data"]["userSignUpInfo"]["attributes"] = attributes;
    body["data"]["userSignUpInfo"]["identities"][0]["issuerAssignedId"] = json!(email);
    body.to_string()
}

fn submit(email: &str, display_name: &str, postal_code: &str) -> String {
    sign_up(
        "attribute_collection_submit_request.json",
        email,
        json!({
            "displayName": string_attribute(display_name),
            "postalCode": string_attribute(postal_code),
            format!("extension_{EXTERNAL_APP}_ScreenedBy"): {
                "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
                "attributeType": "directorySchemaExtension"
            }
        }),
    )
}

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

// ---- the example's three outcomes ----

#[tokio::test]
async fn continue_with_the_overwritten_claim() {
    let answer = send(
        &example_app(),
        post_to(
            ROUTE,
            Some(&bearer()),
            JSON,
            submit("ana@example.com", "  aNA  de la CRUZ ", "98052"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.headers[header::CONTENT_TYPE], JSON);
    assert_eq!(
        answer.text(),
        submit_body(&format!(
            r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{{"displayName":"Ana De La Cruz","extension_{EXTERNAL_APP}_ScreenedBy":"connector_api example"}}}}"#
        ))
    );
    assert_eq!(answer.losses, Some(vec![]));
}

#[tokio::test]
async fn validation_error() {
    let answer = send(
        &example_app(),
        post_to(
            ROUTE,
            Some(&bearer()),
            JSON,
            submit("bo@example.com", "Bo", "98O52"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "HTTP 200, not B2C's 400");
    assert_eq!(answer.headers[header::CONTENT_TYPE], JSON);
    assert_eq!(
        answer.text(),
        submit_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Please enter a valid postal code (4 or 5 digits).","attributeErrors":{}}"#
        )
    );
}

#[tokio::test]
async fn block() {
    let answer = send(
        &example_app(),
        post_to(
            ROUTE,
            Some(&bearer()),
            JSON,
            submit("eve@Blocked.Example", "Eve", "1234"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.text(),
        submit_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showBlockPage","message":"Sign-ups from blocked.example are not allowed. Please contact support."}"#
        )
    );
}

#[tokio::test]
async fn attribute_collection_start_prefills_or_blocks() {
    let start = |email: &str| {
        sign_up(
            "attribute_collection_start_request.json",
            email,
            json!({"displayName": string_attribute("maría lópez")}),
        )
    };
    let answer = send(
        &example_app(),
        post_to(ROUTE, Some(&bearer()), JSON, start("maria@example.org")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.text(),
        start_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionStart.setPrefillValues","inputs":{"displayName":"María López"}}"#
        )
    );
    let answer = send(
        &example_app(),
        post_to(ROUTE, Some(&bearer()), JSON, start("eve@blocked.example")),
    )
    .await;
    assert_eq!(
        answer.text(),
        start_body(
            r#"{"@odata.type":"microsoft.graph.attributeCollectionStart.showBlockPage","message":"Sign-ups from blocked.example are not allowed. Please contact support."}"#
        )
    );
}

#[tokio::test]
async fn token_issuance_gets_the_capitalised_name_as_a_claim() {
    let mut body: Value =
        serde_json::from_str(&fixture("token_issuance_start_request.json")).unwrap();
    body["data"]["authenticationContext"]["user"]["displayName"] = json!("casey JENSEN");
    body["data"]["authenticationContext"]["user"]["mail"] = json!("casey@blocked.example");
    let answer = send(
        &example_app(),
        post_to(ROUTE, Some(&bearer()), JSON, body.to_string()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    // Before the token the example never blocks, and returns no custom attribute.
    assert_eq!(
        answer.text(),
        r#"{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"displayName":"Casey Jensen"}}]}}"#
    );
}

#[tokio::test]
async fn a_returned_attribute_the_flow_does_not_collect_is_reported_on_the_response() {
    let body = sign_up(
        "attribute_collection_submit_request.json",
        "ana@example.com",
        json!({"displayName": string_attribute("ana")}),
    );
    let answer = send(&example_app(), post_to(ROUTE, Some(&bearer()), JSON, body)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.losses,
        Some(vec![Loss::AttributeNotCollected {
            attribute: format!("extension_{EXTERNAL_APP}_ScreenedBy")
        }])
    );
}

// ---- authentication: Entra's bearer token behind the adapter, basic credentials on B2C's route ----

#[tokio::test]
async fn a_token_for_another_audience_is_refused_with_401() {
    let mut claims = support::entra_claims();
    claims["aud"] = json!("99999999-aaaa-2222-bbbb-3333cccc4444");
    let token = support::keys().0.sign(&claims);
    let expected = support::verifier()
        .verify(&token, &support::jwks())
        .unwrap_err();
    let answer = send(
        &example_app(),
        post_to(
            ROUTE,
            Some(&format!("Bearer {token}")),
            JSON,
            submit("ana@example.com", "Ana", "1234"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers[header::CONTENT_TYPE], TEXT);
    let challenge = answer.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{challenge}"
    );
    assert_eq!(challenge, expected.www_authenticate());
    assert_eq!(answer.text(), expected.to_string());
    assert!(!answer.text().contains(&token));
}

#[tokio::test]
async fn basic_credentials_do_not_open_the_adapted_route_nor_a_token_the_b2c_route() {
    let answer = send(
        &example_app(),
        post_to(
            ROUTE,
            Some(&basic()),
            JSON,
            submit("ana@example.com", "Ana", "1234"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let answer = send(
        &example_app(),
        post_to(ROUTE, None, JSON, submit("a@example.com", "A", "1234")),
    )
    .await;
    assert_eq!(
        (
            answer.status,
            answer.headers[header::WWW_AUTHENTICATE].to_str().unwrap()
        ),
        (StatusCode::UNAUTHORIZED, "Bearer")
    );
    let b2c_body = r#"{"email":"ana@example.com","displayName":"ana","postalCode":"1234","step":"PostAttributeCollection"}"#;
    let answer = send(
        &example_app(),
        post_to("/signup", Some(&bearer()), JSON, b2c_body.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.headers[header::WWW_AUTHENTICATE],
        entra_api_connectors_contract::BASIC_CHALLENGE
    );
}

#[tokio::test]
async fn the_b2c_route_still_serves_the_connector_contract() {
    let b2c_body = r#"{"email":"ana@example.com","displayName":"ana","postalCode":"98O52","step":"PostAttributeCollection"}"#;
    let answer = send(
        &example_app(),
        post_to("/signup", Some(&basic()), JSON, b2c_body.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.text(),
        r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code (4 or 5 digits)."}"#
    );
    assert_eq!(answer.losses, None);
}

#[tokio::test]
async fn calls_are_refused_as_custom_extension_call_refuses_them() {
    let app = example_app();
    let get = Request::builder()
        .method("GET")
        .uri(ROUTE)
        .header(header::AUTHORIZATION, bearer())
        .body(Body::empty())
        .unwrap();
    // The route only has POST: axum answers 405 before the layer.
    assert_eq!(send(&app, get).await.status, StatusCode::METHOD_NOT_ALLOWED);
    let answer = send(
        &app,
        post_to(
            ROUTE,
            Some(&bearer()),
            "text/plain",
            submit("a@example.com", "A", "1234"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        answer.text(),
        "custom extension calls send Content-Type: application/json, not text/plain"
    );
    let answer = send(
        &app,
        post_to(ROUTE, Some(&bearer()), JSON, r#"{"type":"x"}"#.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.text(), "unknown authentication event type `x`");
    let answer = send(
        &app,
        post_to(
            ROUTE,
            Some(&bearer()),
            JSON,
            fixture("email_otp_send_request.json"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.text(),
        "`microsoft.graph.authenticationEvent.emailOtpSend` has no API connector step: a connector handler cannot answer it"
    );
    assert!(!answer.text().contains("12345678"));
}

#[tokio::test]
async fn a_layer_on_any_method_answers_405_to_other_methods() {
    let app: Router = Router::new().route(
        "/x",
        axum::routing::any(|| async { "never" }).layer(adapter_layer()),
    );
    let get = Request::builder()
        .method("GET")
        .uri("/x")
        .body(Body::empty())
        .unwrap();
    let answer = send(&app, get).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers[header::ALLOW], "POST");
}

// ---- what the wrapped handler sees, and answers the layer does not adapt ----

async fn echo(
    Extension(event): Extension<Event>,
    headers: HeaderMap,
    call: ConnectorCall,
) -> ConnectorResponse {
    let Caller::BearerToken {
        audience,
        authorized_party,
        tenant_id,
    } = &call.caller
    else {
        panic!("{:?}", call.caller)
    };
    Continuation::new()
        .with_claim("event", event.event_type())
        .unwrap()
        .with_claim("authorization", headers.contains_key(header::AUTHORIZATION))
        .unwrap()
        .with_claim("audience", audience.as_str())
        .unwrap()
        .with_claim("azp", authorized_party.as_str())
        .unwrap()
        .with_claim("tid", tenant_id.clone().unwrap())
        .unwrap()
        .with_claim("step", call.request.step.unwrap().as_str())
        .unwrap()
        .into()
}

fn behind_adapter(router: Router<ConnectorAuth>) -> Router {
    router.layer(adapter_layer()).with_state(basic_auth())
}

#[tokio::test]
async fn the_handler_sees_an_authenticated_connector_call_without_the_token() {
    let app = behind_adapter(Router::new().route("/", post(echo)));
    let answer = send(
        &app,
        post_to(
            "/",
            Some(&bearer()),
            JSON,
            submit("a@example.com", "A", "1234"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.text(),
        submit_body(&format!(
            // The layer reads the answer back as JSON: the claims come in name order.
            r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{{"audience":"{}","authorization":false,"azp":"99045fe1-7639-4a75-9d4a-577b6ca3810f","event":"microsoft.graph.authenticationEvent.attributeCollectionSubmit","step":"PostAttributeCollection","tid":"{}"}}}}"#,
            support::API_APP_ID,
            support::TENANT_ID
        ))
    );
}

#[tokio::test]
async fn other_answers_pass_through_and_unadaptable_ones_are_500() {
    let app = behind_adapter(
        Router::new()
            .route(
                "/fails",
                post(|| async {
                    (StatusCode::INTERNAL_SERVER_ERROR, "database down").into_response()
                }),
            )
            .route("/not-json", post(|| async { "plain text" }))
            .route(
                "/float",
                post(|| async {
                    ConnectorResponse::from(
                        Continuation::new().with_claim("shoeSize", 39.5).unwrap(),
                    )
                }),
            ),
    );
    let body = || submit("a@example.com", "A", "1234");
    let answer = send(&app, post_to("/fails", Some(&bearer()), JSON, body())).await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "database down")
    );
    let answer = send(&app, post_to("/not-json", Some(&bearer()), JSON, body())).await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (StatusCode::OK, "plain text")
    );
    assert_eq!(answer.headers[header::CONTENT_TYPE], TEXT);
    let answer = send(&app, post_to("/float", Some(&bearer()), JSON, body())).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.headers[header::CONTENT_TYPE], TEXT);
    assert_eq!(
        answer.text(),
        "claim `shoeSize` cannot be returned for `microsoft.graph.authenticationEvent.attributeCollectionSubmit`: its value must be a string, an integer or a boolean"
    );
}

/// One URL for both worlds: the example handler on `/signup` behind the adapter with
/// `serving_api_connectors`, which authenticates B2C's calls with the same basic credentials.
fn one_url_app() -> Router {
    Router::new()
        .route(
            "/signup",
            post(example::connector_api::signup)
                .layer(adapter_layer().serving_api_connectors(basic_auth())),
        )
        .with_state(basic_auth())
}

/// `serving_api_connectors(auth)` around a plain handler that reads its body as a JSON value and
/// authenticates nothing (like a `Json<Value>` handler; the crate's axum has no `json` feature): it counts its calls and answers what it saw (the `Authorization` header, the peer
/// certificate's thumbprint, the body's `email`). Any method reaches the layer.
fn unauthenticating_app(auth: ConnectorAuth) -> (Router, Arc<AtomicUsize>) {
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    let handler =
        move |headers: HeaderMap, peer: Option<Extension<PeerCertificate>>, body: Bytes| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let body: Value = serde_json::from_slice(&body).unwrap();
                let mut answer = json!({"version": "1.0.0", "action": "Continue"});
                if let Some(authorization) = headers.get(header::AUTHORIZATION) {
                    answer["authorization"] = json!(authorization.to_str().unwrap());
                }
                if let Some(Extension(peer)) = peer {
                    answer["certificate"] = json!(thumbprint_of(peer.der()));
                }
                if let Some(email) = body.get("email") {
                    answer["email"] = email.clone();
                }
                ([(header::CONTENT_TYPE, JSON)], answer.to_string())
            }
        };
    let app = Router::new().route(
        "/signup",
        axum::routing::any(handler).layer(adapter_layer().serving_api_connectors(auth)),
    );
    (app, handled)
}

/// What `ConnectorCall` with `auth` answers to `request`.
async fn connector_call_answer(auth: ConnectorAuth, request: Request<Body>) -> Answer {
    let reference: Router = Router::new()
        .route(
            "/signup",
            axum::routing::any(|_: ConnectorCall| async { "authenticated" }),
        )
        .with_state(auth);
    send(&reference, request).await
}

/// The layer refuses the request as `ConnectorCall` would (status, headers, body), and the
/// unauthenticating handler is not called.
async fn assert_refused_as_connector_call_refuses(
    auth: &ConnectorAuth,
    build: impl Fn() -> Request<Body>,
    status: StatusCode,
) -> Answer {
    let (app, handled) = unauthenticating_app(auth.clone());
    let answer = send(&app, build()).await;
    let expected = connector_call_answer(auth.clone(), build()).await;
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(
        (answer.status, &answer.headers, answer.text()),
        (expected.status, &expected.headers, expected.text())
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0, "the handler was called");
    answer
}

const B2C_BODY: &str = r#"{"email":"ana@example.com","displayName":"ana","postalCode":"98052","step":"PostAttributeCollection"}"#;

fn b2c_call(authorization: Option<&str>) -> Request<Body> {
    post_to("/signup", authorization, JSON, B2C_BODY.to_owned())
}

#[tokio::test]
async fn serving_api_connectors_passes_b2c_calls_through_and_adapts_bearer_calls_on_one_url() {
    let app = one_url_app();
    // B2C's call with basic credentials: the connector contract's own answer.
    let b2c_body = r#"{"email":"ana@example.com","displayName":"ana","postalCode":"98O52","step":"PostAttributeCollection"}"#;
    let answer = send(
        &app,
        post_to("/signup", Some(&basic()), JSON, b2c_body.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_eq!(
        answer.text(),
        r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code (4 or 5 digits)."}"#
    );
    assert_eq!(answer.losses, None);

    // External ID's call with a bearer token on the same URL: adapted.
    let answer = send(
        &app,
        post_to(
            "/signup",
            Some(&bearer()),
            JSON,
            submit("ana@example.com", "  aNA  de la CRUZ ", "98052"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.text(),
        submit_body(&format!(
            r#"{{"@odata.type":"microsoft.graph.attributeCollectionSubmit.modifyAttributeValues","attributes":{{"displayName":"Ana De La Cruz","extension_{EXTERNAL_APP}_ScreenedBy":"connector_api example"}}}}"#
        ))
    );
    assert_eq!(answer.losses, Some(vec![]));
}

#[tokio::test]
async fn serving_api_connectors_passes_an_authenticated_b2c_call_to_the_handler_unchanged() {
    let (app, handled) = unauthenticating_app(basic_auth());
    let answer = send(&app, b2c_call(Some(&basic()))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        serde_json::from_slice::<Value>(&answer.body).unwrap(),
        json!({"version": "1.0.0", "action": "Continue", "authorization": basic(), "email": "ana@example.com"})
    );
    // Not adapted: no losses, the handler's own JSON.
    assert_eq!(answer.losses, None);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn serving_api_connectors_refuses_unauthenticated_b2c_calls_before_the_handler() {
    let auth = basic_auth();
    let wrong = format!("Basic {}", STANDARD.encode("connector:wrong"));
    let malformed = "Basic not base64!".to_owned();
    let other_scheme = "Token abc".to_owned();
    let no_header = None;
    for authorization in [
        no_header,
        Some(wrong.as_str()),
        Some(malformed.as_str()),
        Some(other_scheme.as_str()),
        Some(""),
    ] {
        let answer = assert_refused_as_connector_call_refuses(
            &auth,
            || b2c_call(authorization),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(
            answer.headers[header::WWW_AUTHENTICATE],
            entra_api_connectors_contract::BASIC_CHALLENGE,
            "{authorization:?}"
        );
        assert_eq!(answer.headers[header::CONTENT_TYPE], TEXT);
        assert!(!answer.text().contains(PASSWORD));
    }
    // The method comes first, as in `ConnectorCall`: 405 even with the right credentials.
    let answer = assert_refused_as_connector_call_refuses(
        &auth,
        || {
            Request::builder()
                .method("PUT")
                .uri("/signup")
                .header(header::AUTHORIZATION, basic())
                .header(header::CONTENT_TYPE, JSON)
                .body(Body::from(B2C_BODY))
                .unwrap()
        },
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    assert_eq!(answer.headers[header::ALLOW], "POST");
    // The example's `ConnectorCall` handler behind the layer gives the same answer.
    let answer = send(&one_url_app(), b2c_call(None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.text(),
        "the call has no Authorization header; HTTP basic credentials are expected"
    );
}

#[tokio::test]
async fn serving_api_connectors_sends_every_bearer_scheme_to_the_token_verifier() {
    let (app, handled) = unauthenticating_app(basic_auth());
    for authorization in [
        "Bearer",
        "bearer",
        "Bearer ",
        " bearer x",
        "bearer   x",
        "BEARER not-a-token",
        " Bearer  ",
    ] {
        let answer = send(&app, b2c_call(Some(authorization))).await;
        let expected = support::verifier()
            .verify_authorization(Some(authorization.as_bytes()), &support::jwks())
            .unwrap_err();
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        let challenge = answer.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(
            challenge.starts_with("Bearer"),
            "{authorization:?}: {challenge}"
        );
        assert_eq!(challenge, expected.www_authenticate(), "{authorization:?}");
        assert_eq!(answer.text(), expected.to_string(), "{authorization:?}");
    }
    assert_eq!(handled.load(Ordering::SeqCst), 0, "the handler was called");
    // A valid token in an odd spelling of the scheme is adapted.
    let answer = send(
        &app,
        post_to(
            "/signup",
            Some(&format!("  bearer   {}  ", support::valid_token())),
            JSON,
            submit("ana@example.com", "Ana", "98052"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(answer.losses.is_some());
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn serving_api_connectors_checks_the_client_certificate() {
    let accepted = b"accepted certificate".as_slice();
    let auth = ConnectorAuth::client_certificate([thumbprint_of(accepted)]).unwrap();
    let (app, handled) = unauthenticating_app(auth.clone());
    let with_certificate = |der: &[u8]| {
        let mut request = b2c_call(None);
        request.extensions_mut().insert(PeerCertificate::new(der));
        request
    };

    // No Authorization header and the accepted certificate: through, unchanged.
    let answer = send(&app, with_certificate(accepted)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        serde_json::from_slice::<Value>(&answer.body).unwrap(),
        json!({"version": "1.0.0", "action": "Continue", "certificate": thumbprint_of(accepted), "email": "ana@example.com"})
    );
    assert_eq!(handled.load(Ordering::SeqCst), 1);

    // Without it, with another one, or with basic credentials instead: 403 from the layer.
    let answer =
        assert_refused_as_connector_call_refuses(&auth, || b2c_call(None), StatusCode::FORBIDDEN)
            .await;
    assert_eq!(answer.text(), "the caller presented no client certificate");
    assert!(!answer.headers.contains_key(header::WWW_AUTHENTICATE));
    let other = b"someone else".as_slice();
    let answer = assert_refused_as_connector_call_refuses(
        &auth,
        || with_certificate(other),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        answer.text(),
        format!(
            "client certificate {} is not an accepted one",
            thumbprint_of(other)
        )
    );
    assert_refused_as_connector_call_refuses(
        &auth,
        || b2c_call(Some(&basic())),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}
