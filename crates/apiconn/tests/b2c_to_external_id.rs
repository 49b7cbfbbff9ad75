//! The proof of the move from Azure AD B2C to External ID: the contract crate's example handler
//! (`crates/contract/examples/connector_api.rs`: postal code check, blocked domain, name
//! capitalisation), unchanged, on 127.0.0.1, called by the B2C emulator tenant as an API connector
//! with basic authentication, and by the external emulator tenant as a custom extension behind the
//! contract adapter (bearer token verified with the emulator's published keys). The same three
//! sign-ups give the same three outcomes on both: continue with the overwritten claim, validation
//! error, block. Run with `--nocapture` to see both transcripts.

#[allow(dead_code)]
#[path = "../../contract/examples/connector_api.rs"]
mod connector_api;

use axum::Router;
use axum::routing::post;
use entra_api_connectors_contract::ConnectorAuth;
use entra_api_connectors_contract::adapter::{AdapterConfig, AdapterLayer};
use entra_api_connectors_contract::custom_extension::{
    CustomExtensionAuth, Jwks, SharedJwks, TokenVerifier,
};
use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_TOKEN, Emulator, EmulatorConfig, GraphVersion, ServicePrincipal,
    SignUpInput, SignUpOutcome, SignUpStep, TenantKind, Transcript,
};
use secrecy::SecretString;
use serde_json::{Value, json};

const USERNAME: &str = "connector";
const PASSWORD: &str = "Pr00f-basic-sentinel";
/// The API's app registration in the external tenant.
const API_APP: &str = "fb96de85-2abe-4b02-b45f-64ba122c509e";
/// The external tenant's b2c-extensions-app (without hyphens in attribute names).
const EXTENSIONS_APP: &str = "6ea3bc85-aec2-4b1c-92ff-4a117afb6621";
const SCREENED_BY: &str = "extension_6ea3bc85aec24b1c92ff4a117afb6621_ScreenedBy";

async fn send(
    emulator: &Emulator,
    version: GraphVersion,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let url = format!("{}{path}", emulator.graph_url(version));
    let response = reqwest::Client::new()
        .request(method, &url)
        .bearer_auth(DEFAULT_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// The example's two routes (`connector_api_external_id.rs`): the handler for B2C, and the same
/// handler behind the adapter for External ID. Returns the API's origin.
async fn serve_api(external: &Emulator) -> String {
    let keys = reqwest::get(external.jwks_url())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let verifier = TokenVerifier::external_tenant(external.tenant_id(), API_APP).unwrap();
    let adapter = AdapterLayer::new(
        CustomExtensionAuth::new(verifier, SharedJwks::new(Jwks::from_json(keys).unwrap())),
        AdapterConfig::new()
            .with_external_extensions_app_id(EXTENSIONS_APP)
            .unwrap(),
    );
    let basic = ConnectorAuth::basic(USERNAME, SecretString::from(PASSWORD)).unwrap();
    let app = Router::new()
        .route("/signup", post(connector_api::signup))
        .route(
            "/external-id/signup",
            post(connector_api::signup).layer(adapter),
        )
        .with_state(basic);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    origin
}

/// B2C: an API connector with basic authentication at `postAttributeCollection` of `B2C_1_SignUp`.
async fn b2c_tenant(api: &str) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::new(TenantKind::B2c))
        .await
        .unwrap();
    let connector = send(
        &emulator,
        GraphVersion::Beta,
        reqwest::Method::POST,
        "/identity/apiConnectors",
        json!({
            "displayName": "Validate postal code",
            "targetUrl": format!("{api}/signup"),
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": USERNAME,
                "password": PASSWORD,
            }
        }),
    )
    .await;
    let id = connector["id"].as_str().unwrap();
    send(
        &emulator,
        GraphVersion::Beta,
        reqwest::Method::PUT,
        "/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/postAttributeCollection/$ref",
        json!({"@odata.id": format!("{}/identity/apiConnectors/{id}", emulator.graph_url(GraphVersion::Beta))}),
    )
    .await;
    emulator
}

/// External ID: what `apiconn migrate` makes of it (an `onAttributeCollectionSubmit` extension
/// with a bearer token for the API's app, and the events flow's submit handler), created over
/// Graph. The emulator accepts the API's `http://127.0.0.1` URL; Graph and our file format do not.
async fn external_tenant() -> Emulator {
    Emulator::start(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso connector API")),
    )
    .await
    .unwrap()
}

async fn migrate_to(external: &Emulator, api: &str) -> String {
    let extension = send(
        external,
        GraphVersion::V1,
        reqwest::Method::POST,
        "/identity/customAuthenticationExtensions",
        json!({
            "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtension",
            "displayName": "Validate postal code (onAttributeCollectionSubmit)",
            "endpointConfiguration": {
                "@odata.type": "#microsoft.graph.httpRequestEndpoint",
                "targetUrl": format!("{api}/external-id/signup"),
            },
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                "resourceId": format!("api://127.0.0.1/{API_APP}"),
            },
            "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
        }),
    )
    .await;
    let attribute = |id: &str, kind: &str| json!({"id": id, "displayName": id, "userFlowAttributeType": kind, "dataType": "string"});
    let input = |id: &str| json!({"attribute": id, "label": id, "inputType": "text"});
    let flow = send(
        external,
        GraphVersion::V1,
        reqwest::Method::POST,
        "/identity/authenticationEventsFlows",
        json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "displayName": "B2C_1_SignUp",
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
                    attribute("email", "builtIn"),
                    attribute("displayName", "builtIn"),
                    attribute("postalCode", "builtIn"),
                    attribute(SCREENED_BY, "custom"),
                ],
                "attributeCollectionPage": {"views": [{"inputs": [
                    input("email"), input("displayName"), input("postalCode"), input(SCREENED_BY),
                ]}]},
            },
            "onAttributeCollectionSubmit": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
                "customExtension": {"id": extension["id"]},
            },
        }),
    )
    .await;
    flow["id"].as_str().unwrap().to_owned()
}

/// The three sign-ups: a good one whose name the API capitalises, a bad postal code, a blocked
/// domain.
fn sign_ups() -> [SignUpInput; 3] {
    let input = |claims: Value| SignUpInput::new(serde_json::from_value(claims).unwrap());
    [
        input(
            json!({"email": "ana@example.com", "displayName": "  aNA  de la CRUZ ", "postalCode": "98052"}),
        ),
        input(json!({"email": "bo@example.com", "displayName": "Bo", "postalCode": "98O52"})),
        input(json!({"email": "eve@blocked.example", "displayName": "Eve", "postalCode": "1234"})),
    ]
}

/// What a sign-up ended with, the same words for both tenants.
fn outcome(transcript: &Transcript) -> (String, Option<String>) {
    match &transcript.outcome {
        SignUpOutcome::UserCreated { claims, .. } => (
            "created".to_owned(),
            claims
                .get("displayName")
                .and_then(|v| v.as_str().map(str::to_owned)),
        ),
        SignUpOutcome::ValidationError { user_message, .. } => {
            ("validation error".to_owned(), Some(user_message.clone()))
        }
        SignUpOutcome::Blocked { user_message, .. } => {
            ("blocked".to_owned(), Some(user_message.clone()))
        }
        other => panic!("unexpected outcome {other:?}\n{transcript}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_handler_gives_the_same_outcomes_on_b2c_and_on_external_id() {
    // reqwest is built without a default crypto provider in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let external = external_tenant().await;
    let api = serve_api(&external).await;
    let b2c = b2c_tenant(&api).await;
    let flow = migrate_to(&external, &api).await;

    let expected = [
        ("created", "Ana De La Cruz"),
        (
            "validation error",
            "Please enter a valid postal code (4 or 5 digits).",
        ),
        (
            "blocked",
            "Sign-ups from blocked.example are not allowed. Please contact support.",
        ),
    ];
    for (input, (kind, detail)) in sign_ups().into_iter().zip(expected) {
        let on_b2c = b2c
            .simulate_sign_up("B2C_1_SignUp", input.clone())
            .await
            .unwrap();
        let on_external = external.simulate_sign_up(&flow, input).await.unwrap();
        println!("--- Azure AD B2C (API connector, basic authentication)\n{on_b2c}");
        println!(
            "--- External ID (custom extension behind the adapter, bearer token)\n{on_external}"
        );
        let expected = (kind.to_owned(), Some(detail.to_owned()));
        assert_eq!(outcome(&on_b2c), expected, "{on_b2c}");
        assert_eq!(outcome(&on_external), expected, "{on_external}");

        // Where it happened: the B2C step and the External ID event it became.
        let (b2c_step, external_step) = match (&on_b2c.outcome, &on_external.outcome) {
            (
                SignUpOutcome::ValidationError { step: a, .. },
                SignUpOutcome::ValidationError { step: b, .. },
            )
            | (SignUpOutcome::Blocked { step: a, .. }, SignUpOutcome::Blocked { step: b, .. }) => {
                (Some(*a), Some(*b))
            }
            _ => (None, None),
        };
        if kind != "created" {
            assert_eq!(b2c_step, Some(SignUpStep::PostAttributeCollection));
            assert_eq!(external_step, Some(SignUpStep::OnAttributeCollectionSubmit));
        }
        // One call each, B2C's with basic credentials, External ID's with a bearer token; the
        // password is in neither transcript.
        assert_eq!(on_b2c.calls.len(), 1, "{on_b2c}");
        assert_eq!(on_external.calls.len(), 1, "{on_external}");
        for transcript in [&on_b2c, &on_external] {
            assert!(!transcript.to_string().contains(PASSWORD));
            assert!(
                !serde_json::to_string(transcript)
                    .unwrap()
                    .contains(PASSWORD)
            );
        }
        if kind == "created" {
            // The custom attribute the handler returns, under each tenant's name for it.
            let SignUpOutcome::UserCreated { claims, .. } = &on_external.outcome else {
                unreachable!()
            };
            assert_eq!(
                claims.get(SCREENED_BY).and_then(|v| v.as_str()),
                Some("connector_api example"),
                "{on_external}"
            );
        }
    }
}
