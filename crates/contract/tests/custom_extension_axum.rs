//! The axum extractor `CustomExtensionCall` and `IntoResponse` for `CustomExtensionResponse`
//! (features `axum` and `jwt`), on a real `axum::Router` with `oneshot`: the exact status,
//! headers and body of every answer. Tokens are signed with RSA keys generated in the test.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use entra_api_connectors_contract::custom_extension::{
    Action, AttributeCollectionSubmitAction, BlockPage, CustomExtensionAuth, CustomExtensionCall,
    CustomExtensionCallRejection, CustomExtensionRequest, CustomExtensionResponse, Event,
    SharedJwks, TokenClaims, TokenError, ValidationError,
};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/custom-extensions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// An API's state that holds more than the auth: `CustomExtensionAuth` comes out through
/// `FromRef`.
#[derive(Clone)]
struct AppState {
    auth: CustomExtensionAuth,
    handled: Arc<AtomicUsize>,
}

impl FromRef<AppState> for CustomExtensionAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

/// Answers each event with an action that shows what it saw.
async fn extension(
    State(state): State<AppState>,
    call: CustomExtensionCall,
) -> CustomExtensionResponse {
    state.handled.fetch_add(1, Ordering::SeqCst);
    match &call.request {
        CustomExtensionRequest::TokenIssuanceStart(r) => {
            let claims = TokenClaims::new()
                .with(
                    "correlation",
                    r.envelope.authentication_context.correlation_id.as_str(),
                )
                .unwrap()
                .with("kid", call.token.key_id.as_str())
                .unwrap();
            call.request
                .respond(Action::ProvideClaimsForToken(claims))
                .unwrap()
        }
        CustomExtensionRequest::AttributeCollectionSubmit(r) => {
            let city = r
                .user_sign_up_info
                .attribute("city")
                .and_then(|a| a.value.as_str());
            match city {
                Some(city) if city.chars().any(|c| c.is_ascii_digit()) => {
                    AttributeCollectionSubmitAction::ShowValidationError(
                        ValidationError::new("Please fix the below errors to proceed.")
                            .with_attribute_error("city", "City cannot contain any numbers"),
                    )
                    .into()
                }
                _ => AttributeCollectionSubmitAction::ShowBlockPage(BlockPage::new(format!(
                    "blocked {}",
                    r.user_sign_up_info.email().unwrap_or("-")
                )))
                .into(),
            }
        }
        other => call
            .request
            .respond(Action::ContinueWithDefaultBehavior)
            .unwrap_or_else(|e| panic!("{other:?}: {e}")),
    }
}

fn app(keys: SharedJwks) -> (Router, Arc<AtomicUsize>) {
    let handled = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        auth: CustomExtensionAuth::new(support::verifier(), keys),
        handled: handled.clone(),
    };
    let router = Router::new()
        .route("/extension", any(extension))
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(state);
    (router, handled)
}

fn call(
    method: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri("/extension");
    if let Some(a) = authorization {
        request = request.header(header::AUTHORIZATION, a);
    }
    if let Some(c) = content_type {
        request = request.header(header::CONTENT_TYPE, c);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

fn bearer() -> String {
    format!("Bearer {}", support::valid_token())
}

fn submit_with_city(city: &str) -> String {
    let mut body: Value =
        serde_json::from_str(&fixture("attribute_collection_submit_request.json")).unwrap();
    body["data"]["userSignUpInfo"]["attributes"]["city"] = json!({
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
        "value": city,
        "attributeType": "builtIn"
    });
    body.to_string()
}

#[tokio::test]
async fn an_authenticated_call_of_each_event_gets_its_action() {
    let (router, handled) = app(SharedJwks::new(support::jwks()));

    let (status, headers, body) = send(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some(JSON),
            &fixture("token_issuance_start_request_troubleshoot.json"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], JSON);
    assert_eq!(
        body,
        r#"{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"correlation":"aaaa0000-bb11-2222-33cc-444444dddddd","kid":"tenant-key-1"}}]}}"#
    );

    let (status, headers, body) = send(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some("application/json; charset=utf-8"),
            &submit_with_city("Tacoma 9"),
        ),
    )
    .await;
    assert_eq!(
        (status, &headers[header::CONTENT_TYPE]),
        (StatusCode::OK, &JSON.parse().unwrap())
    );
    assert_eq!(
        body,
        r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Please fix the below errors to proceed.","attributeErrors":{"city":"City cannot contain any numbers"}}]}}"#
    );

    let (status, _, body) = send(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some(JSON),
            &submit_with_city("Tacoma"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showBlockPage","message":"blocked larissa.price@contoso.onmicrosoft.com"}]}}"#
    );

    let (status, _, body) = send(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some(JSON),
            &fixture("attribute_collection_start_request.json"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior"}]}}"#
    );

    let (status, _, body) = send(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some(JSON),
            &fixture("email_otp_send_request.json"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        fixture("email_otp_send_response_continue_with_default_behavior.json")
            .parse::<Value>()
            .map(|v| v.to_string())
            .unwrap()
    );
    assert_eq!(handled.load(Ordering::SeqCst), 5);
}

async fn rejected(
    router: &Router,
    request: Request<Body>,
    status: StatusCode,
    challenge: Option<&str>,
    text: &str,
) {
    let (s, headers, body) = send(router, request).await;
    assert_eq!(s, status, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_TYPE], TEXT);
    assert_eq!(
        headers
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap()),
        challenge
    );
    assert_eq!(String::from_utf8_lossy(&body), text);
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401_with_the_rfc_6750_challenge() {
    let (router, handled) = app(SharedJwks::new(support::jwks()));
    let body = fixture("attribute_collection_start_request.json");
    rejected(
        &router,
        call("POST", None, Some(JSON), &body),
        StatusCode::UNAUTHORIZED,
        Some("Bearer"),
        "the call has no Authorization header",
    )
    .await;
    rejected(
        &router,
        call("POST", Some("Basic dXNlcjpwYXNz"), Some(JSON), &body),
        StatusCode::UNAUTHORIZED,
        Some("Bearer"),
        "the Authorization header's scheme is not Bearer",
    )
    .await;
    let expired = support::keys().0.sign(&{
        let mut c = support::entra_claims();
        c["exp"] = json!(support::now() - 1000);
        c
    });
    rejected(
        &router,
        call(
            "POST",
            Some(&format!("Bearer {expired}")),
            Some(JSON),
            &body,
        ),
        StatusCode::UNAUTHORIZED,
        Some(r#"Bearer error="invalid_token", error_description="the bearer token has expired""#),
        "the bearer token has expired",
    )
    .await;
    let wrong_audience = support::keys().0.sign(&{
        let mut c = support::entra_claims();
        c["aud"] = json!("22223333-cccc-4444-dddd-5555eeee6666");
        c
    });
    rejected(
        &router,
        call("POST", Some(&format!("Bearer {wrong_audience}")), Some(JSON), &body),
        StatusCode::UNAUTHORIZED,
        Some(r#"Bearer error="invalid_token", error_description="the bearer token's audience ['22223333-cccc-4444-dddd-5555eeee6666'] is not this API""#),
        r#"the bearer token's audience ["22223333-cccc-4444-dddd-5555eeee6666"] is not this API"#,
    )
    .await;
    // The token is checked before the content type and the body. `eA` is base64url for `x`:
    // a header that decodes but is not JSON.
    rejected(
        &router,
        call("POST", Some("Bearer eA.eA.eA"), Some("text/plain"), "not json"),
        StatusCode::UNAUTHORIZED,
        Some(r#"Bearer error="invalid_token", error_description="the bearer token is malformed: the header is not a JSON object""#),
        "the bearer token is malformed: the header is not a JSON object",
    )
    .await;
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_key_rollover_is_picked_up_through_the_shared_keys() {
    let keys = SharedJwks::new(
        entra_api_connectors_contract::custom_extension::Jwks::from_json(
            json!({"keys": [support::keys().1.jwk]}).to_string(),
        )
        .unwrap(),
    );
    let (router, _) = app(keys.clone());
    let body = fixture("attribute_collection_start_request.json");
    rejected(
        &router,
        call("POST", Some(&bearer()), Some(JSON), &body),
        StatusCode::UNAUTHORIZED,
        Some(r#"Bearer error="invalid_token", error_description="no signing key has the bearer token's kid `tenant-key-1`""#),
        "no signing key has the bearer token's kid `tenant-key-1`",
    )
    .await;
    keys.replace(support::jwks());
    let (status, _, _) = send(&router, call("POST", Some(&bearer()), Some(JSON), &body)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn other_methods_content_types_and_bodies_are_rejected() {
    let (router, handled) = app(SharedJwks::new(support::jwks()));
    let body = fixture("attribute_collection_start_request.json");
    let (status, headers, text) = send(&router, call("GET", Some(&bearer()), None, "")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    assert_eq!(text, "custom extension calls are POST requests, not GET");
    rejected(
        &router,
        call("POST", Some(&bearer()), None, &body),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        None,
        "custom extension calls send Content-Type: application/json, not none",
    )
    .await;
    rejected(
        &router,
        call("POST", Some(&bearer()), Some("text/json"), &body),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        None,
        "custom extension calls send Content-Type: application/json, not text/json",
    )
    .await;
    rejected(
        &router,
        call(
            "POST",
            Some(&bearer()),
            Some(JSON),
            r#"{"type":"microsoft.graph.authenticationEvent.signInStart"}"#,
        ),
        StatusCode::BAD_REQUEST,
        None,
        "unknown authentication event type `microsoft.graph.authenticationEvent.signInStart`",
    )
    .await;
    rejected(
        &router,
        call("POST", Some(&bearer()), Some(JSON), "{"),
        StatusCode::BAD_REQUEST,
        None,
        "invalid custom extension body: EOF while parsing an object at line 1 column 1",
    )
    .await;
    let (status, _, _) = send(
        &router,
        call("POST", Some(&bearer()), Some(JSON), &" ".repeat(17 * 1024)),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_handler_can_take_the_rejection_and_answer_itself() {
    async fn handler(call: Result<CustomExtensionCall, CustomExtensionCallRejection>) -> Response {
        match call {
            Ok(call) => call
                .request
                .respond(Action::ContinueWithDefaultBehavior)
                .unwrap()
                .into_response(),
            Err(CustomExtensionCallRejection::Unauthorized(TokenError::UnknownKey { kid })) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("refreshing keys for {kid}"),
            )
                .into_response(),
            Err(other) => other.into_response(),
        }
    }
    let state = CustomExtensionAuth::new(support::verifier(), SharedJwks::new(support::jwks()));
    let router = Router::new()
        .route("/extension", post(handler))
        .with_state(state);
    let stranger = format!(
        "Bearer {}",
        support::keys().2.sign(&support::entra_claims())
    );
    let body = fixture("attribute_collection_start_request.json");
    let (status, _, text) = send(&router, call("POST", Some(&stranger), Some(JSON), &body)).await;
    assert_eq!(
        (status, text),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Bytes::from("refreshing keys for attacker-key")
        )
    );
    let (status, _, _) = send(&router, call("POST", None, Some(JSON), &body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn every_response_is_200_application_json() {
    for event in Event::ALL {
        let action = if event == Event::TokenIssuanceStart {
            Action::ProvideClaimsForToken(TokenClaims::new())
        } else {
            Action::ContinueWithDefaultBehavior
        };
        let response = CustomExtensionResponse::new(event, action).unwrap();
        let expected = response.to_json();
        let http = response.into_response();
        assert_eq!(http.status(), StatusCode::OK);
        assert_eq!(http.headers()[header::CONTENT_TYPE], JSON);
        let body = futures_body(http);
        assert_eq!(body, expected);
    }
}

fn futures_body(response: Response) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let bytes = runtime
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}
