//! Simulated sign-ups on an external tenant against a test API (axum on 127.0.0.1): the events
//! flow and its extensions are created over Graph with plain reqwest, the API checks each call's
//! bearer token against the emulator's published OpenID metadata and keys with `jsonwebtoken`
//! (independent of the emulator's signing code), and answers what the test says. Covered: every
//! action of every event, the request bodies, the token, timeouts and retries, each invalid
//! answer of the troubleshooting table the emulator raises, the configuration failures, and the
//! HTTP route.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use entra_api_connectors_emulator::{
    CallAuth, CallResponse, DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, GraphVersion,
    ServicePrincipal, SignUpError, SignUpInput, SignUpOutcome, SignUpStep, TenantKind, Transcript,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::Graph;

/// The API's app registration (its service principal is in the emulated tenant).
const API_APP: &str = "fb96de85-2abe-4b02-b45f-64ba122c509e";
/// The authentication events service's app id, the token's `azp`.
const EVENTS_APP: &str = "99045fe1-7639-4a75-9d4a-577b6ca3810f";
/// The custom attribute of the test flow (the b2c-extensions-app id without hyphens).
const COLOR: &str = "extension_6ea3bc85aec24b1c92ff4a117afb6621_Favoritecolor";
const YEAR: &str = "extension_6ea3bc85aec24b1c92ff4a117afb6621_GraduationYear";

fn contract_fixture(name: &str) -> Value {
    let path = format!(
        "{}/../contract/tests/fixtures/custom-extensions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("fixture JSON")
}

/// What the API answers.
#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: String,
}

impl Reply {
    fn json(body: Value) -> Self {
        Reply {
            status: 200,
            content_type: Some("application/json"),
            body: body.to_string(),
        }
    }
}

/// One call the API received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    content_type: String,
    /// The verified token's claims, or why verification failed.
    token: Result<Value, String>,
    body: Value,
}

type Answer = Arc<dyn Fn(&Value) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ApiState {
    /// Answers by event `type`; a missing event answers 500.
    answers: Arc<Mutex<Vec<(String, Answer)>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    delay: Duration,
    /// The emulator's issuer (from its OpenID metadata) and keys (from its `jwks_uri`).
    issuer: String,
    keys: Value,
}

/// Verifies a bearer token as a customer's API does: RS256, the key of its `kid` in the JWKS,
/// `iss`, `aud` = the API's app id, `exp`/`nbf`, and `azp` = the events service.
fn verify(state: &ApiState, headers: &HeaderMap) -> Result<Value, String> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization header")?;
    let token = auth.strip_prefix("Bearer ").ok_or("not a bearer token")?;
    let head = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let kid = head.kid.ok_or("no kid")?;
    let key = state.keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .ok_or("kid not in the key set")?;
    let key =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[API_APP]);
    validation.set_issuer(&[&state.issuer]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
    let data =
        jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| e.to_string())?;
    if data.claims["azp"] != EVENTS_APP {
        return Err(format!("azp is {}", data.claims["azp"]));
    }
    Ok(data.claims)
}

async fn api_handler(
    State(state): State<ApiState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let token = verify(&state, &headers);
    state.seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        token: token.clone(),
        body: body.clone(),
    });
    tokio::time::sleep(state.delay).await;
    if token.is_err() {
        return AxumStatus::UNAUTHORIZED.into_response();
    }
    let event = body["type"].as_str().unwrap_or_default().to_owned();
    let answer = state
        .answers
        .lock()
        .unwrap()
        .iter()
        .find(|(e, _)| *e == event)
        .map(|(_, a)| a.clone());
    let Some(answer) = answer else {
        return AxumStatus::INTERNAL_SERVER_ERROR.into_response();
    };
    let reply = answer(&body);
    let mut resp = (AxumStatus::from_u16(reply.status).unwrap(), reply.body).into_response();
    match reply.content_type {
        Some(ct) => {
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, ct.parse().unwrap());
        }
        None => {
            resp.headers_mut().remove(header::CONTENT_TYPE);
        }
    }
    resp
}

const START: &str = "microsoft.graph.authenticationEvent.attributeCollectionStart";
const SUBMIT: &str = "microsoft.graph.authenticationEvent.attributeCollectionSubmit";
const TOKEN_ISSUANCE: &str = "microsoft.graph.authenticationEvent.tokenIssuanceStart";
const OTP: &str = "microsoft.graph.authenticationEvent.emailOtpSend";

/// An external tenant, the test API, and Graph calls to set them up.
struct Tenant {
    emulator: Emulator,
    graph: Graph,
    api: ApiState,
    /// `http://127.0.0.1:PORT`, the API's origin.
    api_origin: String,
}

impl Tenant {
    async fn start() -> Self {
        Self::start_with(EmulatorConfig::new(TenantKind::External), Duration::ZERO).await
    }

    async fn start_with(config: EmulatorConfig, delay: Duration) -> Self {
        let config = config.service_principal(ServicePrincipal::new(API_APP, "Woodgrove API"));
        let emulator = Emulator::start(config).await.unwrap();
        let graph = Graph::new(&emulator);
        // What a customer's API reads at start-up: the metadata, then the key set it names.
        let metadata: Value = graph
            .http
            .get(emulator.openid_configuration_url())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys: Value = graph
            .http
            .get(metadata["jwks_uri"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let api = ApiState {
            answers: Arc::default(),
            seen: Arc::default(),
            delay,
            issuer: metadata["issuer"].as_str().unwrap().to_owned(),
            keys,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new()
            .route("/{*path}", post(api_handler))
            .with_state(api.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Tenant {
            emulator,
            graph,
            api,
            api_origin: format!("http://{addr}"),
        }
    }

    fn answer(&self, event: &str, answer: impl Fn(&Value) -> Reply + Send + Sync + 'static) {
        self.api
            .answers
            .lock()
            .unwrap()
            .push((event.to_owned(), Arc::new(answer)));
    }

    fn answer_json(&self, event: &str, body: Value) {
        self.answer(event, move |_| Reply::json(body.clone()));
    }

    fn seen(&self) -> Vec<Seen> {
        self.api.seen.lock().unwrap().clone()
    }

    async fn v1(&self, method: Method, path: &str, body: Option<&Value>) -> support::Resp {
        self.graph
            .send(method, &self.graph.url(GraphVersion::V1, path), body)
            .await
    }

    /// Creates a custom extension of `type_name` calling `{api}/{path}`; returns its id.
    async fn extension(&self, type_name: &str, path: &str, extra: Value) -> String {
        let mut body = json!({
            "@odata.type": format!("#microsoft.graph.{type_name}"),
            "displayName": format!("{type_name} test"),
            "endpointConfiguration": {
                "@odata.type": "#microsoft.graph.httpRequestEndpoint",
                "targetUrl": format!("{}/{path}", self.api_origin),
            },
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                "resourceId": format!("api://127.0.0.1/{API_APP}"),
            },
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self
            .v1(
                Method::POST,
                "/identity/customAuthenticationExtensions",
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Creates the sign-up flow for [`DEFAULT_CLIENT_ID`] with attributes email, displayName,
    /// city and two custom ones, and the start/submit handlers naming `start`/`submit`.
    async fn flow(&self, start: Option<&str>, submit: Option<&str>) -> String {
        let handler = |kind: &str, id: Option<&str>| match id {
            Some(id) => json!({
                "@odata.type": format!("#microsoft.graph.{kind}CustomExtensionHandler"),
                "customExtension": {"id": id},
            }),
            None => Value::Null,
        };
        let attribute = |id: &str, name: &str, kind: &str, data_type: &str| json!({"id": id, "displayName": name, "userFlowAttributeType": kind, "dataType": data_type});
        let input = |id: &str| json!({"attribute": id, "label": id, "inputType": "text"});
        let mut body = json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "displayName": format!("Woodgrove sign-up {}", uuid::Uuid::new_v4()),
            "onAuthenticationMethodLoadStart": {
                "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                "identityProviders": [{"id": "EmailPassword-OAUTH"}],
            },
            "onInteractiveAuthFlowStart": {
                "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                "isSignUpAllowed": true,
            },
            "conditions": {"applications": {"includeApplications": [{"appId": DEFAULT_CLIENT_ID}]}},
            "onAttributeCollection": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                "attributes": [
                    attribute("email", "Email Address", "builtIn", "string"),
                    attribute("displayName", "Display Name", "builtIn", "string"),
                    attribute("city", "City", "builtIn", "string"),
                    attribute(COLOR, "Favorite color", "custom", "string"),
                    attribute(YEAR, "Graduation year", "custom", "int64"),
                ],
                "attributeCollectionPage": {"views": [{"inputs": [
                    input("email"), input("displayName"), input("city"), input(COLOR), input(YEAR),
                ]}]},
            },
        });
        for (member, id) in [
            ("onAttributeCollectionStart", start),
            ("onAttributeCollectionSubmit", submit),
        ] {
            if id.is_some() {
                body[member] = handler(member, id);
            }
        }
        let r = self
            .v1(
                Method::POST,
                "/identity/authenticationEventsFlows",
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Creates a listener of `type_name` for [`DEFAULT_CLIENT_ID`] naming `extension`.
    async fn listener(&self, type_name: &str, handler_type: &str, extension: &str) -> String {
        let body = json!({
            "@odata.type": format!("#microsoft.graph.{type_name}"),
            "conditions": {"applications": {"includeApplications": [{"appId": DEFAULT_CLIENT_ID}]}},
            "handler": {
                "@odata.type": format!("#microsoft.graph.{handler_type}"),
                "customExtension": {"id": extension},
            },
        });
        let r = self
            .v1(
                Method::POST,
                "/identity/authenticationEventListeners",
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    async fn token_listener(&self, extension: &str) -> String {
        self.listener(
            "onTokenIssuanceStartListener",
            "onTokenIssuanceStartCustomExtensionHandler",
            extension,
        )
        .await
    }

    /// A flow with a start and a submit extension (and their ids).
    async fn attribute_flow(&self) -> (String, String, String) {
        let start = self
            .extension(
                "onAttributeCollectionStartCustomExtension",
                "start",
                json!({}),
            )
            .await;
        let submit = self
            .extension(
                "onAttributeCollectionSubmitCustomExtension",
                "submit",
                json!({}),
            )
            .await;
        let flow = self.flow(Some(&start), Some(&submit)).await;
        (flow, start, submit)
    }

    async fn sign_up(&self, flow: &str, claims: Value) -> Transcript {
        self.emulator
            .simulate_sign_up(flow, input(claims))
            .await
            .unwrap()
    }
}

fn input(claims: Value) -> SignUpInput {
    SignUpInput::new(serde_json::from_value(claims).unwrap())
}

fn start_action(action: &str, extra: Value) -> Value {
    let mut a =
        json!({"@odata.type": format!("microsoft.graph.attributeCollectionStart.{action}")});
    for (k, v) in extra.as_object().unwrap() {
        a[k] = v.clone();
    }
    json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionStartResponseData", "actions": [a]}})
}

fn submit_action(action: &str, extra: Value) -> Value {
    let mut a =
        json!({"@odata.type": format!("microsoft.graph.attributeCollectionSubmit.{action}")});
    for (k, v) in extra.as_object().unwrap() {
        a[k] = v.clone();
    }
    json!({"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData", "actions": [a]}})
}

fn provide_claims(claims: Value) -> Value {
    json!({"data": {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
        "actions": [{"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": claims}],
    }})
}

fn continue_start() -> Value {
    contract_fixture("attribute_collection_start_response_continue_with_default_behavior.json")
}

fn continue_submit() -> Value {
    contract_fixture("attribute_collection_submit_response_continue_with_default_behavior.json")
}

fn created(t: &Transcript) -> (Value, Value) {
    match &t.outcome {
        SignUpOutcome::UserCreated {
            claims,
            token_claims,
            ..
        } => (
            serde_json::to_value(claims).unwrap(),
            serde_json::to_value(token_claims).unwrap(),
        ),
        other => panic!("not created: {other:?}\n{t}"),
    }
}

fn failure(t: &Transcript) -> (SignUpStep, u32, String, String) {
    match &t.outcome {
        SignUpOutcome::ExtensionFailure {
            step,
            code,
            name,
            reason,
            error_description,
        } => {
            assert!(
                error_description.starts_with("AADSTS1100001: Non-retryable error has occurred."),
                "{error_description}"
            );
            (*step, *code, name.clone(), reason.clone())
        }
        other => panic!("not an extension failure: {other:?}\n{t}"),
    }
}

/// The request bodies follow the documented envelope; every call is a `POST` with JSON and a
/// bearer token the API verified against the published keys.
#[tokio::test]
async fn start_and_submit_send_the_documented_payloads_with_a_verified_token() {
    let t = Tenant::start().await;
    let (flow, start, submit) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(SUBMIT, continue_submit());
    let transcript = t
        .sign_up(
            &flow,
            json!({"email": "ada@example.com", "displayName": "Ada", "city": "Paris", COLOR: "green", YEAR: 2010}),
        )
        .await;
    let (claims, token_claims) = created(&transcript);
    assert_eq!(
        claims,
        json!({"email": "ada@example.com", "displayName": "Ada", "city": "Paris", COLOR: "green", YEAR: 2010})
    );
    assert_eq!(token_claims, claims, "no token issuance listener");
    assert_eq!(
        transcript.application_id.as_deref(),
        Some(DEFAULT_CLIENT_ID)
    );
    assert_eq!(transcript.user_flow_id, flow);

    let seen = t.seen();
    assert_eq!(seen.len(), 2);
    let listeners = t.emulator.listeners();
    for (call, (path, event, data_type, extension)) in seen.iter().zip([
        (
            "/start",
            START,
            "microsoft.graph.onAttributeCollectionStartCalloutData",
            &start,
        ),
        (
            "/submit",
            SUBMIT,
            "microsoft.graph.onAttributeCollectionSubmitCalloutData",
            &submit,
        ),
    ]) {
        assert_eq!(call.path, path);
        assert_eq!(call.content_type, "application/json");
        let claims = call.token.as_ref().expect("the API verified the token");
        assert_eq!(claims["aud"], API_APP);
        assert_eq!(claims["iss"], t.emulator.token_issuer());
        assert_eq!(claims["tid"], t.emulator.tenant_id());
        assert_eq!(claims["ver"], "2.0");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            300
        );
        let b = &call.body;
        assert_eq!(b["type"], event);
        assert_eq!(
            b["source"],
            format!(
                "/tenants/{}/applications/{DEFAULT_CLIENT_ID}",
                t.emulator.tenant_id()
            )
        );
        let d = &b["data"];
        assert_eq!(d["@odata.type"], data_type);
        assert_eq!(d["tenantId"], t.emulator.tenant_id());
        assert_eq!(d["customAuthenticationExtensionId"], extension.as_str());
        let listener = listeners
            .iter()
            .find(|l| l.id == d["authenticationEventListenerId"].as_str().unwrap())
            .expect("the listener the flow manages");
        assert_eq!(
            listener.authentication_events_flow_id.as_deref(),
            Some(flow.as_str())
        );
        let ctx = &d["authenticationContext"];
        assert!(uuid::Uuid::parse_str(ctx["correlationId"].as_str().unwrap()).is_ok());
        assert_eq!(
            ctx["client"],
            json!({"ip": "127.0.0.1", "locale": "en-us", "market": "en-us"})
        );
        assert_eq!(ctx["protocol"], "OAUTH2.0");
        assert_eq!(ctx["clientServicePrincipal"]["appId"], DEFAULT_CLIENT_ID);
        assert_eq!(ctx["resourceServicePrincipal"]["appId"], DEFAULT_CLIENT_ID);
        assert!(ctx.get("user").is_none());
        assert_eq!(
            d["userSignUpInfo"]["identities"],
            json!([{"signInType": "email", "issuer": "emulatorext.onmicrosoft.com", "issuerAssignedId": "ada@example.com"}])
        );
    }
    // Start: only the verified email has a value; submit: everything entered, typed.
    let start_attrs = &seen[0].body["data"]["userSignUpInfo"]["attributes"];
    assert_eq!(
        start_attrs["email"],
        json!({"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": "ada@example.com", "attributeType": "builtIn"})
    );
    assert_eq!(
        start_attrs["city"],
        json!({"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "attributeType": "builtIn"})
    );
    let submit_attrs = &seen[1].body["data"]["userSignUpInfo"]["attributes"];
    assert_eq!(submit_attrs["city"]["value"], "Paris");
    assert_eq!(
        submit_attrs[YEAR],
        json!({"@odata.type": "microsoft.graph.int64DirectoryAttributeValue", "value": 2010, "attributeType": "directorySchemaExtension"})
    );
    assert_eq!(
        submit_attrs[COLOR]["attributeType"],
        "directorySchemaExtension"
    );
    assert_eq!(
        seen[0].body["data"]["authenticationContext"]["correlationId"],
        seen[1].body["data"]["authenticationContext"]["correlationId"],
        "one sign-up, one correlation id"
    );

    // The transcript: one call per event, the bearer's audience and kid, the response.
    assert_eq!(transcript.calls.len(), 2);
    assert_eq!(
        transcript.calls[0].step,
        SignUpStep::OnAttributeCollectionStart
    );
    assert_eq!(
        transcript.calls[1].step,
        SignUpStep::OnAttributeCollectionSubmit
    );
    let keys: Value = t
        .graph
        .http
        .get(t.emulator.jwks_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for call in &transcript.calls {
        assert_eq!(call.attempt, 1);
        assert_eq!(
            call.auth,
            CallAuth::Bearer {
                audience: API_APP.into(),
                key_id: keys["keys"][0]["kid"].as_str().unwrap().into(),
            }
        );
        assert!(matches!(
            &call.response,
            CallResponse::Http { status: 200, content_type: Some(ct), .. } if ct == "application/json"
        ));
    }
    let printed = transcript.to_string();
    assert!(printed.contains("OnAttributeCollectionStart"), "{printed}");
    assert!(
        printed.contains(&format!("bearer aud {API_APP}")),
        "{printed}"
    );
    assert!(
        !printed.contains("eyJ"),
        "no token in the transcript: {printed}"
    );
}

#[tokio::test]
async fn the_published_metadata_names_the_issuer_and_the_keys() {
    let t = Tenant::start().await;
    let tid = t.emulator.tenant_id().to_owned();
    assert_eq!(
        t.emulator.token_issuer(),
        format!("https://{tid}.ciamlogin.com/{tid}/v2.0")
    );
    assert_eq!(t.api.issuer, t.emulator.token_issuer());
    let keys = &t.api.keys["keys"];
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["use"], "sig");
    assert_eq!(keys[0]["alg"], "RS256");
    // Another tenant's metadata is not served.
    let r = t
        .graph
        .http
        .get(format!(
            "{}/11111111-1111-1111-1111-111111111111/v2.0/.well-known/openid-configuration",
            t.emulator.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn start_set_prefill_values_fills_what_the_user_leaves_empty() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(
        START,
        start_action(
            "setPrefillValues",
            json!({"inputs": {"city": "Lyon", COLOR: "blue", "unknown": "x"}}),
        ),
    );
    t.answer_json(SUBMIT, continue_submit());
    let transcript = t
        .sign_up(&flow, json!({"email": "ada@example.com", COLOR: "green"}))
        .await;
    // `--nocapture` shows the transcript.
    println!("{transcript}");
    let (claims, _) = created(&transcript);
    assert_eq!(
        claims,
        json!({"email": "ada@example.com", "city": "Lyon", COLOR: "green"})
    );
    assert!(
        transcript
            .notes
            .iter()
            .any(|n| n.contains("`unknown` is not an attribute")),
        "{:?}",
        transcript.notes
    );
    // Submit saw the pre-filled city.
    assert_eq!(
        t.seen()[1].body["data"]["userSignUpInfo"]["attributes"]["city"]["value"],
        "Lyon"
    );
}

#[tokio::test]
async fn the_docs_responses_are_accepted_and_their_unknown_keys_ignored() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(
        START,
        contract_fixture("attribute_collection_start_response_set_prefill_values.json"),
    );
    t.answer_json(
        SUBMIT,
        contract_fixture("attribute_collection_submit_response_modify_attribute_values.json"),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (claims, _) = created(&transcript);
    assert_eq!(claims, json!({"email": "ada@example.com"}));
    assert_eq!(
        transcript
            .notes
            .iter()
            .filter(|n| n.contains("`key1`") || n.contains("`key2`"))
            .count(),
        4,
        "{:?}",
        transcript.notes
    );
}

#[tokio::test]
async fn start_show_block_page_ends_the_sign_up_with_its_title() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(
        START,
        contract_fixture("attribute_collection_start_response_show_block_page.json"),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    assert_eq!(
        transcript.outcome,
        SignUpOutcome::Blocked {
            user_message: "Your access request is already processing. You'll be notified when your request has been approved.".into(),
            step: SignUpStep::OnAttributeCollectionStart,
            title: Some("Hold tight...".into()),
        }
    );
    assert_eq!(t.seen().len(), 1, "submit is not called");
}

#[tokio::test]
async fn submit_modify_attribute_values_overwrites_and_types_are_checked() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(
        SUBMIT,
        submit_action(
            "modifyAttributeValues",
            json!({"attributes": {"city": "Nice", YEAR: 2011}}),
        ),
    );
    let transcript = t
        .sign_up(
            &flow,
            json!({"email": "ada@example.com", "city": "Paris", YEAR: 2010}),
        )
        .await;
    // `--nocapture` shows the transcript.
    println!("{transcript}");
    let (claims, _) = created(&transcript);
    assert_eq!(
        claims,
        json!({"email": "ada@example.com", "city": "Nice", YEAR: 2011})
    );

    // A value of the wrong type is an invalid response body.
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(
        SUBMIT,
        submit_action(
            "modifyAttributeValues",
            json!({"attributes": {YEAR: "soon"}}),
        ),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (step, code, name, reason) = failure(&transcript);
    assert_eq!(
        (step, code),
        (SignUpStep::OnAttributeCollectionSubmit, 1_003_003)
    );
    assert_eq!(name, "CustomExtensionInvalidResponseBody");
    assert!(reason.contains("int64"), "{reason}");
}

#[tokio::test]
async fn submit_show_block_page_blocks() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(
        SUBMIT,
        contract_fixture("attribute_collection_submit_response_show_block_page.json"),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    // `--nocapture` shows the transcript.
    println!("{transcript}");
    assert!(
        matches!(
            &transcript.outcome,
            SignUpOutcome::Blocked {
                step: SignUpStep::OnAttributeCollectionSubmit,
                ..
            }
        ),
        "{transcript}"
    );
}

#[tokio::test]
async fn submit_show_validation_error_returns_to_the_page_until_the_user_fixes_it() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer(SUBMIT, |body| {
        let city = &body["data"]["userSignUpInfo"]["attributes"]["city"]["value"];
        if city
            .as_str()
            .is_some_and(|c| c.chars().any(|ch| ch.is_ascii_digit()))
        {
            Reply::json(contract_fixture(
                "attribute_collection_submit_response_show_validation_error.json",
            ))
        } else {
            Reply::json(continue_submit())
        }
    });
    // No second submission: the sign-up stays on the page with the errors.
    let transcript = t
        .sign_up(
            &flow,
            json!({"email": "ada@example.com", "city": "Paris 12"}),
        )
        .await;
    match &transcript.outcome {
        SignUpOutcome::ValidationError {
            user_message,
            step,
            attribute_errors,
        } => {
            assert_eq!(user_message, "Please fix the below errors to proceed.");
            assert_eq!(*step, SignUpStep::OnAttributeCollectionSubmit);
            assert_eq!(attribute_errors["city"], "City cannot contain any numbers");
            assert_eq!(attribute_errors.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    // With a corrected submission, submit runs again and the user is created.
    let mut with_fix = input(json!({"email": "ada@example.com", "city": "Paris 12"}));
    with_fix.resubmissions = vec![serde_json::from_value(json!({"city": "Paris"})).unwrap()];
    let transcript = t.emulator.simulate_sign_up(&flow, with_fix).await.unwrap();
    let (claims, _) = created(&transcript);
    assert_eq!(claims["city"], "Paris");
    let steps: Vec<SignUpStep> = transcript.calls.iter().map(|c| c.step).collect();
    assert_eq!(
        steps,
        [
            SignUpStep::OnAttributeCollectionStart,
            SignUpStep::OnAttributeCollectionSubmit,
            SignUpStep::OnAttributeCollectionSubmit
        ]
    );
}

#[tokio::test]
async fn token_issuance_start_adds_the_claims_to_the_token() {
    let t = Tenant::start().await;
    let flow = t.flow(None, None).await;
    let ext = t
        .extension(
            "onTokenIssuanceStartCustomExtension",
            "claims",
            json!({"claimsForTokenConfiguration": [{"claimIdInApiResponse": "DateOfBirth"}, {"claimIdInApiResponse": "CustomRoles"}]}),
        )
        .await;
    let listener = t.token_listener(&ext).await;
    t.answer_json(
        TOKEN_ISSUANCE,
        contract_fixture("token_issuance_start_response_provide_claims_for_token.json"),
    );
    let transcript = t
        .sign_up(
            &flow,
            json!({"email": "ada@example.com", "displayName": "Ada"}),
        )
        .await;
    // `--nocapture` shows the transcript.
    println!("{transcript}");
    let object_id = match &transcript.outcome {
        SignUpOutcome::UserCreated { object_id, .. } => object_id.clone(),
        other => panic!("{other:?}"),
    };
    let (claims, token_claims) = created(&transcript);
    assert_eq!(
        claims,
        json!({"email": "ada@example.com", "displayName": "Ada"})
    );
    assert_eq!(
        token_claims,
        json!({"email": "ada@example.com", "displayName": "Ada", "DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"]})
    );
    let seen = t.seen();
    assert_eq!(seen.len(), 1);
    let d = &seen[0].body["data"];
    assert_eq!(seen[0].body["type"], TOKEN_ISSUANCE);
    assert_eq!(
        d["@odata.type"],
        "microsoft.graph.onTokenIssuanceStartCalloutData"
    );
    assert_eq!(d["authenticationEventListenerId"], listener.as_str());
    let user = &d["authenticationContext"]["user"];
    assert_eq!(user["id"], object_id.as_str());
    assert_eq!(user["mail"], "ada@example.com");
    assert_eq!(user["displayName"], "Ada");
    assert_eq!(user["userType"], "Member");
    assert!(d.get("userSignUpInfo").is_none());
    assert_eq!(transcript.calls[0].step, SignUpStep::OnTokenIssuanceStart);

    // A claim the extension does not list stays out of the token.
    let t = Tenant::start().await;
    let flow = t.flow(None, None).await;
    let ext = t
        .extension(
            "onTokenIssuanceStartCustomExtension",
            "claims",
            json!({"claimsForTokenConfiguration": [{"claimIdInApiResponse": "DateOfBirth"}]}),
        )
        .await;
    t.token_listener(&ext).await;
    t.answer_json(
        TOKEN_ISSUANCE,
        provide_claims(json!({"DateOfBirth": "x", "Other": "y"})),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (_, token_claims) = created(&transcript);
    assert_eq!(
        token_claims,
        json!({"email": "ada@example.com", "DateOfBirth": "x"})
    );
    assert!(transcript.notes.iter().any(|n| n.contains("`Other`")));
}

#[tokio::test]
async fn email_otp_send_gets_the_code_and_falls_back_when_configured() {
    let t = Tenant::start().await;
    let flow = t.flow(None, None).await;
    let ext = t
        .extension("onOtpSendCustomExtension", "otp", json!({}))
        .await;
    t.listener(
        "onEmailOtpSendListener",
        "onOtpSendCustomExtensionHandler",
        &ext,
    )
    .await;
    t.answer_json(
        OTP,
        contract_fixture("email_otp_send_response_continue_with_default_behavior.json"),
    );
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    // `--nocapture` shows the transcript.
    println!("{transcript}");
    created(&transcript);
    let seen = t.seen();
    assert_eq!(seen.len(), 1);
    let d = &seen[0].body["data"];
    assert_eq!(seen[0].body["type"], OTP);
    assert_eq!(d["@odata.type"], "microsoft.graph.onOtpSendCalloutData");
    assert_eq!(d["otpContext"]["identifier"], "ada@example.com");
    let code = d["otpContext"]["oneTimeCode"].as_str().unwrap();
    assert!(
        code.len() == 8 && code.chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );
    assert_eq!(d["authenticationContext"]["requestType"], "signUp");
    assert_eq!(transcript.calls[0].step, SignUpStep::OnEmailOtpSend);
    // The API got the code; the transcript (a log) does not keep it.
    assert_eq!(
        transcript.calls[0].request_body["data"]["otpContext"]["oneTimeCode"],
        "******"
    );
    assert!(!transcript.to_string().contains(code), "{transcript}");
    assert!(!serde_json::to_string(&transcript).unwrap().contains(code));

    // A failing OTP extension fails the sign-up, unless it falls back to Microsoft's email.
    let t = Tenant::start().await;
    let flow = t.flow(None, None).await;
    let ext = t
        .extension("onOtpSendCustomExtension", "otp", json!({}))
        .await;
    t.listener(
        "onEmailOtpSendListener",
        "onOtpSendCustomExtensionHandler",
        &ext,
    )
    .await;
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    assert_eq!(failure(&transcript).1, 1_003_002, "the API answers 500");
    let r = t
        .v1(
            Method::PATCH,
            &format!("/identity/customAuthenticationExtensions/{ext}"),
            Some(&json!({
                "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
                "behaviorOnError": {"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"},
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    created(&transcript);
    assert!(
        transcript
            .notes
            .iter()
            .any(|n| n.contains("1003002") && n.contains("fallbackToMicrosoftProviderOnError")),
        "{:?}",
        transcript.notes
    );
    // A federated sign-up sends no code.
    let fed = input(json!({"email": "ada@example.com"})).with_identity_provider("google.com");
    let before = t.seen().len();
    let transcript = t.emulator.simulate_sign_up(&flow, fed).await.unwrap();
    created(&transcript);
    assert_eq!(t.seen().len(), before);
}

/// Every attempt times out: the default 1000 ms and one retry, then 1003005. On tokio's paused
/// clock the waits cost no real time.
#[tokio::test(start_paused = true)]
async fn a_timeout_is_retried_once_then_fails_with_1003005() {
    let t = Tenant::start_with(
        EmulatorConfig::new(TenantKind::External),
        Duration::from_secs(3600),
    )
    .await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (step, code, name, reason) = failure(&transcript);
    assert_eq!(
        (step, code),
        (SignUpStep::OnAttributeCollectionStart, 1_003_005)
    );
    assert_eq!(name, "CustomExtensionTimedOut");
    assert_eq!(
        reason,
        "no answer after 2 attempts: timed out after 1000 ms"
    );
    assert_eq!(transcript.calls.len(), 2);
    for (call, attempt) in transcript.calls.iter().zip(1..) {
        assert_eq!(call.attempt, attempt);
        assert_eq!(
            call.response,
            CallResponse::Error {
                error: "timed out after 1000 ms".into()
            }
        );
    }
}

/// The extension's `clientConfiguration` bounds the attempts: 300 ms, no retry.
#[tokio::test(start_paused = true)]
async fn client_configuration_sets_the_timeout_and_the_retries() {
    let t = Tenant::start_with(
        EmulatorConfig::new(TenantKind::External),
        Duration::from_secs(3600),
    )
    .await;
    let start = t
        .extension(
            "onAttributeCollectionStartCustomExtension",
            "start",
            json!({"clientConfiguration": {"timeoutInMilliseconds": 300, "maximumRetries": 0}}),
        )
        .await;
    let flow = t.flow(Some(&start), None).await;
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (_, code, _, reason) = failure(&transcript);
    assert_eq!(code, 1_003_005);
    assert_eq!(reason, "no answer after 1 attempt: timed out after 300 ms");
    assert_eq!(transcript.calls.len(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_then_fails_with_1003027() {
    let t = Tenant::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let body = json!({
        "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
        "displayName": "nobody",
        "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": format!("http://127.0.0.1:{port}/start")},
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": format!("api://127.0.0.1/{API_APP}")},
    });
    let r = t
        .v1(
            Method::POST,
            "/identity/customAuthenticationExtensions",
            Some(&body),
        )
        .await;
    let ext = r.json()["id"].as_str().unwrap().to_owned();
    let flow = t.flow(Some(&ext), None).await;
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (_, code, name, reason) = failure(&transcript);
    assert_eq!(code, 1_003_027);
    assert_eq!(name, "CustomExtensionConnectionError");
    assert!(
        reason.starts_with("no answer after 2 attempts: connection failed"),
        "{reason}"
    );
    assert_eq!(transcript.calls.len(), 2);
}

/// Each invalid answer of the troubleshooting table fails the sign-up with its code, at once
/// (an HTTP answer is never retried).
#[tokio::test]
async fn invalid_answers_fail_with_the_troubleshooting_codes() {
    let start_type = "microsoft.graph.onAttributeCollectionStartResponseData";
    let one = |actions: Value| json!({"data": {"@odata.type": start_type, "actions": actions}});
    let cont = json!({"@odata.type": "microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior"});
    let cases: Vec<(&str, Reply, u32, &str)> = vec![
        (
            "status 401",
            Reply {
                status: 401,
                ..Reply::json(continue_start())
            },
            1_003_002,
            "CustomExtensionInvalidHTTPStatus",
        ),
        (
            "status 400",
            Reply {
                status: 400,
                ..Reply::json(continue_start())
            },
            1_003_002,
            "CustomExtensionInvalidHTTPStatus",
        ),
        (
            "text/plain",
            Reply {
                content_type: Some("text/plain"),
                ..Reply::json(continue_start())
            },
            1_003_006,
            "CustomExtensionInvalidResponseContentType",
        ),
        (
            "no content type",
            Reply {
                content_type: None,
                ..Reply::json(continue_start())
            },
            1_003_006,
            "CustomExtensionInvalidResponseContentType",
        ),
        (
            "empty body",
            Reply {
                body: String::new(),
                ..Reply::json(Value::Null)
            },
            1_003_009,
            "CustomExtensionEmptyResponse",
        ),
        (
            "not JSON",
            Reply {
                body: "{\"data\":".into(),
                ..Reply::json(Value::Null)
            },
            1_003_003,
            "CustomExtensionInvalidResponseBody",
        ),
        (
            "no data",
            Reply::json(json!({"actions": []})),
            1_003_003,
            "CustomExtensionInvalidResponseBody",
        ),
        (
            "no actions",
            Reply::json(one(json!([]))),
            1_003_010,
            "CustomExtensionInvalidNumberOfActions",
        ),
        (
            "two actions",
            Reply::json(one(json!([cont.clone(), cont.clone()]))),
            1_003_010,
            "CustomExtensionInvalidNumberOfActions",
        ),
        (
            "a submit action",
            Reply::json(one(
                json!([{"@odata.type": "microsoft.graph.attributeCollectionSubmit.showValidationError", "message": "no"}]),
            )),
            1_003_012,
            "CustomExtensionInvalidActionType",
        ),
        (
            "another event's data",
            Reply::json(continue_submit()),
            1_003_012,
            "CustomExtensionInvalidActionType",
        ),
        (
            "an unknown action",
            Reply::json(one(
                json!([{"@odata.type": "microsoft.graph.attributeCollectionStart.redirect"}]),
            )),
            1_003_012,
            "CustomExtensionInvalidActionType",
        ),
        (
            "block page without message",
            Reply::json(one(
                json!([{"@odata.type": "microsoft.graph.attributeCollectionStart.showBlockPage"}]),
            )),
            1_003_003,
            "CustomExtensionInvalidResponseBody",
        ),
        (
            "over 64 KiB",
            Reply {
                body: format!("{}{}", " ".repeat(64 * 1024), continue_start()),
                ..Reply::json(Value::Null)
            },
            1_003_024,
            "CustomExtensionResponseSizeExceeded",
        ),
    ];
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    for (case, reply, expected, name) in cases {
        t.api.answers.lock().unwrap().clear();
        t.answer(START, move |_| reply.clone());
        let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
        let (step, code, got_name, _) = failure(&transcript);
        assert_eq!(
            (step, code),
            (SignUpStep::OnAttributeCollectionStart, expected),
            "{case}"
        );
        assert_eq!(got_name, name, "{case}");
        assert_eq!(transcript.calls.len(), 1, "{case}: not retried");
    }
}

#[tokio::test]
async fn invalid_claims_fail_with_the_claims_codes() {
    let t = Tenant::start().await;
    let flow = t.flow(None, None).await;
    let ext = t
        .extension("onTokenIssuanceStartCustomExtension", "claims", json!({}))
        .await;
    t.token_listener(&ext).await;
    let no_claims = json!({"data": {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
        "actions": [{"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken"}],
    }});
    for (body, expected) in [
        (no_claims, 1_003_007),
        (provide_claims(Value::Null), 1_003_007),
        (provide_claims(json!({"": "x"})), 1_003_026),
        (provide_claims(json!({"big": "x".repeat(3100)})), 1_003_025),
        (provide_claims(json!({"n": 1})), 1_003_003),
        (
            start_action("continueWithDefaultBehavior", json!({})),
            1_003_012,
        ),
    ] {
        t.api.answers.lock().unwrap().clear();
        t.answer_json(TOKEN_ISSUANCE, body.clone());
        let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
        let (step, code, _, _) = failure(&transcript);
        assert_eq!(
            (step, code),
            (SignUpStep::OnTokenIssuanceStart, expected),
            "{body}"
        );
    }
}

/// The API answers 401 to a token it cannot verify: the emulator reports the status (1003002).
#[tokio::test]
async fn a_token_for_another_audience_is_refused_by_the_api() {
    let other_app = "0f0f0f0f-1111-4222-8333-444455556666";
    let t = Tenant::start_with(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(other_app, "Other API")),
        Duration::ZERO,
    )
    .await;
    let start = t
        .extension(
            "onAttributeCollectionStartCustomExtension",
            "start",
            json!({"authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                "resourceId": format!("api://127.0.0.1/{other_app}"),
            }}),
        )
        .await;
    let flow = t.flow(Some(&start), None).await;
    t.answer_json(START, continue_start());
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    assert_eq!(failure(&transcript).1, 1_003_002);
    let seen = t.seen();
    assert!(
        seen[0]
            .token
            .as_ref()
            .unwrap_err()
            .contains("InvalidAudience"),
        "{:?}",
        seen[0].token
    );
}

/// What the service checks before it calls: the extension exists, the resource id's form, its
/// host, its service principal (known, enabled, granted), the target URL's scheme. Nothing is
/// sent to the API.
#[tokio::test]
async fn configuration_failures_fail_before_any_call() {
    let missing_app = "12121212-3434-4565-8787-909090909090";
    let disabled_app = "23232323-3434-4565-8787-909090909090";
    let ungranted_app = "34343434-3434-4565-8787-909090909090";
    let t = Tenant::start_with(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(disabled_app, "Disabled").disabled())
            .service_principal(
                ServicePrincipal::new(ungranted_app, "Ungranted").without_receive_payload_grant(),
            ),
        Duration::ZERO,
    )
    .await;
    let cases = [
        (
            format!("{}/start", t.api_origin),
            format!("api://127.0.0.1:1/{API_APP}"),
            1_003_014,
        ),
        (
            format!("{}/start", t.api_origin),
            format!("api://contoso.com/{API_APP}"),
            1_003_015,
        ),
        (
            format!("{}/start", t.api_origin),
            format!("api://127.0.0.1/{missing_app}"),
            1_003_016,
        ),
        (
            format!("{}/start", t.api_origin),
            format!("api://127.0.0.1/{disabled_app}"),
            1_003_019,
        ),
        (
            "http://contoso.com/start".to_owned(),
            format!("api://contoso.com/{API_APP}"),
            1_003_020,
        ),
        (
            format!("{}/start", t.api_origin),
            format!("api://127.0.0.1/{ungranted_app}"),
            1_003_021,
        ),
    ];
    for (target, resource, expected) in cases {
        let start = t
            .extension(
                "onAttributeCollectionStartCustomExtension",
                "start",
                json!({
                    "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": target},
                    "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": resource},
                }),
            )
            .await;
        let flow = t.flow(Some(&start), None).await;
        let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
        assert_eq!(failure(&transcript).1, expected, "{target} {resource}");
        assert!(transcript.calls.is_empty());
        let r = t
            .v1(
                Method::DELETE,
                &format!("/identity/authenticationEventsFlows/{flow}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    assert!(t.seen().is_empty());

    // A deleted extension: 1003011.
    let (flow, start, _) = t.attribute_flow().await;
    let r = t
        .v1(
            Method::DELETE,
            &format!("/identity/customAuthenticationExtensions/{start}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let transcript = t.sign_up(&flow, json!({"email": "ada@example.com"})).await;
    let (step, code, name, _) = failure(&transcript);
    assert_eq!(
        (step, code, name.as_str()),
        (
            SignUpStep::OnAttributeCollectionStart,
            1_003_011,
            "CustomExtensionNotFound"
        )
    );
}

#[tokio::test]
async fn the_application_is_chosen_by_client_id() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(SUBMIT, continue_submit());
    let mut other = input(json!({"email": "ada@example.com"}));
    other.client_id = Some("45454545-3434-4565-8787-909090909090".into());
    let err = t.emulator.simulate_sign_up(&flow, other).await.unwrap_err();
    assert!(
        matches!(&err, SignUpError::InvalidInput(m) if m.contains("does not apply to application")),
        "{err}"
    );
    let transcript = t
        .emulator
        .simulate_sign_up_for_application(
            DEFAULT_CLIENT_ID,
            input(json!({"email": "ada@example.com"})),
        )
        .await
        .unwrap();
    assert_eq!(transcript.user_flow_id, flow);
    created(&transcript);
    let err = t
        .emulator
        .simulate_sign_up_for_application(
            "45454545-3434-4565-8787-909090909090",
            SignUpInput::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SignUpError::NoFlowForApplication(_)), "{err}");
    // Input errors: an attribute the flow does not collect, a value of the wrong type, no email.
    for (claims, needle) in [
        (
            json!({"email": "a@example.com", "jobTitle": "x"}),
            "`jobTitle` is not an attribute",
        ),
        (json!({"email": "a@example.com", YEAR: "x"}), "int64"),
        (json!({"city": "x"}), "email"),
    ] {
        let err = t
            .emulator
            .simulate_sign_up(&flow, input(claims))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SignUpError::InvalidInput(m) if m.contains(needle)),
            "{err}"
        );
    }
    let err = t
        .emulator
        .simulate_sign_up(
            "00000000-0000-0000-0000-000000000000",
            SignUpInput::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SignUpError::FlowNotFound(_)));
}

/// The emulator-only route plays the events flow too and returns the transcript as JSON.
#[tokio::test]
async fn the_http_route_simulates_an_events_flow_sign_up() {
    let t = Tenant::start().await;
    let (flow, _, _) = t.attribute_flow().await;
    t.answer_json(START, continue_start());
    t.answer_json(SUBMIT, continue_submit());
    let r = t
        .v1(
            Method::POST,
            &format!("/emulator/userFlows/{flow}/simulateSignUp"),
            Some(&json!({"claims": {"email": "ada@example.com", "city": "Paris"}, "clientId": DEFAULT_CLIENT_ID})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["userFlowId"], flow.as_str());
    assert_eq!(body["applicationId"], DEFAULT_CLIENT_ID);
    assert_eq!(body["calls"][0]["step"], "OnAttributeCollectionStart");
    assert_eq!(body["calls"][1]["step"], "OnAttributeCollectionSubmit");
    assert_eq!(body["calls"][0]["auth"]["type"], "bearer");
    assert_eq!(body["calls"][0]["auth"]["audience"], API_APP);
    assert_eq!(
        body["calls"][0]["response"]["contentType"],
        "application/json"
    );
    assert_eq!(body["outcome"]["type"], "userCreated");
    assert_eq!(body["outcome"]["claims"]["city"], "Paris");
    // Not authenticated: 401, as Graph.
    let r = t
        .graph
        .http
        .post(t.graph.url(
            GraphVersion::V1,
            &format!("/emulator/userFlows/{flow}/simulateSignUp"),
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
