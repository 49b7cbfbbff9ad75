//! Simulated sign-ups over real HTTP: the emulator calls a test API started here on 127.0.0.1
//! (plain HTTP with basic authentication, or TLS with a client certificate).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, Response};
use axum::routing::post;
use base64::Engine as _;
use entra_api_connectors_certificate::{Pkcs12Bundle, testing, unix_now};
use entra_api_connectors_contract::{self as contract, ConnectorResponse, Continuation, Step};
use entra_api_connectors_emulator::{
    CallAuth, CallResponse, DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, FlowFamily, SignUpError,
    SignUpInput, SignUpOutcome, TenantKind, Transcript,
};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use support::{Graph, TOKEN, basic_connector};
use tower::ServiceExt as _;

const FLOW: &str = "B2C_1_SignUp";
const USER: &str = "connector-user";
const PASSWORD: &str = "s3cret-Pa55word!";
/// `extension_<default extensions app id without dashes>_`.
const EXT: &str = "extension_e4a1e4a100004000800000000000e4a1_";

/// What the test API saw of one call.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    content_type: Option<String>,
    body: Value,
    /// The body as sent (key order included).
    raw: String,
    /// DER of the client certificate presented in TLS.
    client_certificate: Option<Vec<u8>>,
}

type Decide = dyn Fn(&Seen) -> (u16, String) + Send + Sync;

#[derive(Clone)]
struct Api {
    seen: Arc<Mutex<Vec<Seen>>>,
    calls: Arc<AtomicUsize>,
    delay: Duration,
    decide: Arc<Decide>,
}

#[derive(Clone)]
struct PeerCertificate(Option<Vec<u8>>);

async fn handler(State(api): State<Api>, request: Request<Body>) -> Response<Body> {
    api.calls.fetch_add(1, Ordering::SeqCst);
    let peer = request
        .extensions()
        .get::<PeerCertificate>()
        .and_then(|p| p.0.clone());
    let headers: HeaderMap = request.headers().clone();
    let body: Bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let seen = Seen {
        authorization: header("authorization"),
        content_type: header("content-type"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw: String::from_utf8_lossy(&body).into_owned(),
        client_certificate: peer,
    };
    api.seen.lock().unwrap().push(seen.clone());
    if !api.delay.is_zero() {
        tokio::time::sleep(api.delay).await;
    }
    let (status, body) = (api.decide)(&seen);
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

impl Api {
    fn new(decide: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> Self {
        Api {
            seen: Arc::default(),
            calls: Arc::default(),
            delay: Duration::ZERO,
            decide: Arc::new(decide),
        }
    }

    /// Answers with `response` when the basic credentials are right, else 401.
    fn basic(response: impl Fn(&Seen) -> ConnectorResponse + Send + Sync + 'static) -> Self {
        Api::new(move |seen| {
            let ok = seen.authorization.as_deref().is_some_and(|h| {
                contract::verify_basic_auth(h, USER, &SecretString::from(PASSWORD))
            });
            if !ok {
                return (401, r#"{"error":"unauthorized"}"#.to_owned());
            }
            let (status, body) = response(seen).to_http();
            (status, String::from_utf8(body).unwrap())
        })
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/api", post(handler))
            .with_state(self.clone())
    }

    /// Serves over plain HTTP; returns the target URL.
    async fn serve_http(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = self.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{addr}/api")
    }

    /// Serves over TLS with `server` (issued by `ca`), requiring a client certificate issued by
    /// `ca`; returns the target URL (`https://localhost:PORT/api`).
    async fn serve_tls(
        &self,
        ca: &testing::TestIdentity,
        server: &testing::TestIdentity,
    ) -> String {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(ca.certificate_der.clone()))
            .unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(server.certificate_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    server.private_key_der.expose_secret().to_vec(),
                )),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = self.router();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let router = router.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let peer = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| c.to_vec());
                    let service = hyper::service::service_fn(
                        move |mut req: hyper::Request<hyper::body::Incoming>| {
                            req.extensions_mut().insert(PeerCertificate(peer.clone()));
                            router.clone().oneshot(req.map(Body::new))
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        format!("https://localhost:{port}/api")
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A connector with basic credentials (`USER`, `password`) calling `url`, bound at `step` of
/// `FLOW`; its id.
async fn connect(emulator: &Emulator, url: &str, password: &str, step: &str) -> String {
    let graph = Graph::new(emulator);
    let id = graph
        .create_connector(&basic_connector("Test API", url, USER, password))
        .await;
    graph.bind(FlowFamily::B2c, FLOW, step, &id).await;
    id
}

/// A local-account sign-up on `FLOW` with only an email.
async fn sign_up(emulator: &Emulator, email: &str) -> Transcript {
    emulator
        .simulate_sign_up(FLOW, SignUpInput::new(claims(json!({ "email": email }))))
        .await
        .unwrap()
}

fn claims(value: Value) -> contract::Claims {
    serde_json::from_value(value).unwrap()
}

async fn b2c(timeout: Duration) -> Emulator {
    Emulator::start(EmulatorConfig::new(TenantKind::B2c).connector_timeout(timeout))
        .await
        .unwrap()
}

/// An API that checks basic credentials, bound at `step` of `B2C_1_SignUp`.
async fn basic_setup(
    step: &str,
    response: impl Fn(&Seen) -> ConnectorResponse + Send + Sync + 'static,
) -> (Emulator, Api) {
    let emulator = b2c(Duration::from_secs(5)).await;
    let api = Api::basic(response);
    let url = api.serve_http().await;
    connect(&emulator, &url, PASSWORD, step).await;
    (emulator, api)
}

fn failure_reason(transcript: &Transcript, step: Step) -> String {
    match &transcript.outcome {
        SignUpOutcome::ConnectorFailure { step: s, reason } if *s == step => reason.clone(),
        other => panic!("expected a connector failure at {step}, got {other:?}"),
    }
}

#[tokio::test]
async fn continue_overwrites_claims_at_both_sign_up_steps() {
    let emulator = b2c(Duration::from_secs(5)).await;
    let api = Api::basic(|seen| match seen.body["step"].as_str() {
        Some("PostFederationSignup") => Continuation::new()
            .with_claim("givenName", "Ana")
            .unwrap()
            .into(),
        _ => Continuation::new()
            .with_claim("displayName", "Ana Smith")
            .unwrap()
            .with_custom_attribute("LoyaltyTier", "gold")
            .unwrap()
            .into(),
    });
    let url = api.serve_http().await;
    let id = connect(&emulator, &url, PASSWORD, "postFederationSignup").await;
    Graph::new(&emulator)
        .bind(FlowFamily::B2c, FLOW, "postAttributeCollection", &id)
        .await;

    let input = SignUpInput::new(claims(json!({
        "email": "ana@example.com",
        "displayName": "ana smith",
        "givenName": "ana",
        "surname": "Smith",
        "postalCode": "98052",
        "city": null,
        "extension_LoyaltyNumber": "1234",
    })))
    .with_identity_provider("facebook.com");
    let transcript = emulator
        .simulate_sign_up("b2c_1_signup", input)
        .await
        .unwrap();

    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    for s in &seen {
        assert_eq!(s.authorization.as_deref(), Some(expected_auth.as_str()));
        assert_eq!(s.content_type.as_deref(), Some("application/json"));
    }
    let issued_id = seen[0].body["identities"][0]["issuerAssignedId"].clone();
    assert!(issued_id.is_string());
    // After federation: only what the identity provider gave, no attribute-page claims.
    assert_eq!(
        seen[0].body,
        json!({
            "email": "ana@example.com",
            "identities": [{"signInType": "federated", "issuer": "facebook.com", "issuerAssignedId": issued_id}],
            "displayName": "ana smith",
            "givenName": "ana",
            "surname": "Smith",
            "step": "PostFederationSignup",
            "client_id": DEFAULT_CLIENT_ID,
            "ui_locales": "en-US",
        })
    );
    // The pre-filled givenName is kept; every collected attribute is sent, nulls left out,
    // custom attributes with the extensions app id, in the documented order (exact bytes).
    assert_eq!(
        seen[1].raw,
        format!(
            r#"{{"email":"ana@example.com","identities":[{{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":{issued_id}}}],"displayName":"ana smith","givenName":"Ana","surname":"Smith","postalCode":"98052","{EXT}LoyaltyNumber":"1234","step":"PostAttributeCollection","client_id":"{DEFAULT_CLIENT_ID}","ui_locales":"en-US"}}"#
        )
    );
    match &transcript.outcome {
        SignUpOutcome::UserCreated {
            object_id,
            claims,
            token_claims,
        } => {
            assert!(uuid::Uuid::parse_str(object_id).is_ok());
            assert_eq!(claims["displayName"], "Ana Smith");
            assert_eq!(claims["givenName"], "Ana");
            assert_eq!(claims[&format!("{EXT}LoyaltyTier")], "gold");
            assert_eq!(claims[&format!("{EXT}LoyaltyNumber")], "1234");
            assert!(!claims.contains_key("city"));
            assert_eq!(token_claims, claims);
        }
        other => panic!("expected a created user, got {other:?}"),
    }
    assert_eq!(transcript.calls.len(), 2);
    assert_eq!(transcript.calls[1].step, Step::PostAttributeCollection);
    assert_eq!(transcript.calls[1].request_body, seen[1].body);
    assert_eq!(
        transcript.calls[0].auth,
        CallAuth::Basic {
            username: USER.into()
        }
    );
    // The password is nowhere in the transcript, whatever its form.
    let text = format!(
        "{}{transcript:?}{transcript}",
        serde_json::to_string(&transcript).unwrap()
    );
    assert!(!text.contains(PASSWORD));
    assert!(!text.contains(&expected_auth[6..]));
}

#[tokio::test]
async fn local_account_skips_post_federation_and_validation_error_stops() {
    let emulator = b2c(Duration::from_secs(5)).await;
    let api = Api::basic(|seen| {
        if seen.body["postalCode"] == "1" {
            ConnectorResponse::validation_error("Please enter a valid postal code.")
        } else {
            ConnectorResponse::continuation()
        }
    });
    let url = api.serve_http().await;
    let id = connect(&emulator, &url, PASSWORD, "postFederationSignup").await;
    Graph::new(&emulator)
        .bind(FlowFamily::B2c, FLOW, "postAttributeCollection", &id)
        .await;

    let input = SignUpInput::new(claims(
        json!({"email": "bo@example.com", "postalCode": "1"}),
    ));
    let transcript = emulator.simulate_sign_up(FLOW, input).await.unwrap();
    assert_eq!(
        transcript.outcome,
        SignUpOutcome::ValidationError {
            user_message: "Please enter a valid postal code.".into(),
            step: Step::PostAttributeCollection.into(),
            attribute_errors: Default::default(),
        }
    );
    let seen = api.seen();
    assert_eq!(
        seen.len(),
        1,
        "postFederationSignup is not called for a local account"
    );
    assert_eq!(seen[0].body["step"], "PostAttributeCollection");
    assert_eq!(
        seen[0].body["identities"],
        json!([{"signInType": "emailAddress", "issuer": "emulatorb2c.onmicrosoft.com", "issuerAssignedId": "bo@example.com"}])
    );
    assert!(transcript.notes[0].contains("postFederationSignup"));
    assert_eq!(
        transcript.calls[0].response,
        CallResponse::Http {
            status: 400,
            body: r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code."}"#.into(),
            content_type: Some("application/json".into()),
        }
    );
}

#[tokio::test]
async fn show_block_page_blocks_after_federation() {
    let (emulator, api) = basic_setup("postFederationSignup", |_| {
        ConnectorResponse::block("Sign-ups from blocked.example are not allowed.")
    })
    .await;
    let input = SignUpInput::new(claims(json!({"email": "eve@blocked.example"})))
        .with_identity_provider("google.com");
    let transcript = emulator.simulate_sign_up(FLOW, input).await.unwrap();
    assert_eq!(
        transcript.outcome,
        SignUpOutcome::Blocked {
            user_message: "Sign-ups from blocked.example are not allowed.".into(),
            step: Step::PostFederationSignup.into(),
            title: None,
        }
    );
    assert_eq!(api.seen().len(), 1);
}

#[tokio::test]
async fn wrong_basic_password_is_a_connector_failure_without_retry() {
    let emulator = b2c(Duration::from_secs(5)).await;
    let api = Api::basic(|_| ConnectorResponse::continuation());
    let url = api.serve_http().await;
    connect(
        &emulator,
        &url,
        "not-the-password",
        "postAttributeCollection",
    )
    .await;
    let transcript = sign_up(&emulator, "a@example.com").await;
    let reason = failure_reason(&transcript, Step::PostAttributeCollection);
    assert!(reason.contains("HTTP status 401"), "{reason}");
    assert_eq!(api.calls.load(Ordering::SeqCst), 1);
    assert!(!format!("{transcript}").contains("not-the-password"));
}

#[tokio::test]
async fn validation_error_after_federation_is_illegal() {
    let (emulator, api) = basic_setup("postFederationSignup", |_| {
        ConnectorResponse::validation_error("nope")
    })
    .await;
    let input = SignUpInput::new(claims(json!({"email": "a@example.com"})))
        .with_identity_provider("facebook.com");
    let transcript = emulator.simulate_sign_up(FLOW, input).await.unwrap();
    let reason = failure_reason(&transcript, Step::PostFederationSignup);
    assert_eq!(
        reason,
        "a `ValidationError` response is not allowed at the `PostFederationSignup` step"
    );
    assert_eq!(api.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn slow_api_times_out_and_is_retried_exactly_once() {
    let emulator = b2c(Duration::from_millis(300)).await;
    let mut api = Api::basic(|_| ConnectorResponse::continuation());
    api.delay = Duration::from_secs(3);
    let url = api.serve_http().await;
    connect(&emulator, &url, PASSWORD, "postAttributeCollection").await;
    let transcript = sign_up(&emulator, "a@example.com").await;
    let reason = failure_reason(&transcript, Step::PostAttributeCollection);
    assert_eq!(reason, "no answer after one retry: timed out after 300 ms");
    assert_eq!(api.calls.load(Ordering::SeqCst), 2);
    assert_eq!(transcript.calls.len(), 2);
    assert_eq!(transcript.calls[1].attempt, 2);
    for call in &transcript.calls {
        assert_eq!(
            call.response,
            CallResponse::Error {
                error: "timed out after 300 ms".into()
            }
        );
        assert!(
            (300..2000).contains(&call.elapsed_ms),
            "{}",
            call.elapsed_ms
        );
    }
}

/// Without `connector_timeout`, the wait the current docs give: 20 s, then one retry, for Azure AD
/// B2C and External ID (b2x) flows alike (`B2C_CONNECTOR_TIMEOUT`, `EXTERNAL_ID_CONNECTOR_TIMEOUT`).
/// On tokio's paused clock the wait costs no real time: the API never answers in time, and the
/// clock jumps to each timeout.
#[tokio::test(start_paused = true)]
async fn default_timeout_is_twenty_seconds_then_one_retry_for_b2c_and_b2x_flows() {
    for (kind, family, flow) in [
        (TenantKind::B2c, FlowFamily::B2c, "B2C_1_SignUp"),
        (
            TenantKind::Workforce,
            FlowFamily::B2x,
            "B2X_1_PartnerSignUp",
        ),
    ] {
        let emulator = Emulator::start(EmulatorConfig::new(kind)).await.unwrap();
        let mut api = Api::basic(|_| ConnectorResponse::continuation());
        api.delay = Duration::from_secs(3600);
        let url = api.serve_http().await;
        let graph = Graph::new(&emulator);
        let id = graph
            .create_connector(&basic_connector("Slow API", &url, USER, PASSWORD))
            .await;
        graph
            .bind(family, flow, "postAttributeCollection", &id)
            .await;
        let transcript = emulator
            .simulate_sign_up(
                flow,
                SignUpInput::new(claims(json!({"email": "a@example.com"}))),
            )
            .await
            .unwrap();
        let reason = failure_reason(&transcript, Step::PostAttributeCollection);
        assert_eq!(
            reason, "no answer after one retry: timed out after 20000 ms",
            "{kind:?}"
        );
        assert_eq!(transcript.calls.len(), 2, "{kind:?}");
        for (call, attempt) in transcript.calls.iter().zip(1..) {
            assert_eq!(call.attempt, attempt);
            assert_eq!(
                call.response,
                CallResponse::Error {
                    error: "timed out after 20000 ms".into()
                }
            );
        }
    }
}

#[tokio::test]
async fn connection_refused_is_retried_once_then_fails() {
    let emulator = b2c(Duration::from_secs(2)).await;
    // A port nothing listens on: bind, note it, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    connect(
        &emulator,
        &format!("http://127.0.0.1:{port}/api"),
        PASSWORD,
        "postAttributeCollection",
    )
    .await;
    let transcript = sign_up(&emulator, "a@example.com").await;
    let reason = failure_reason(&transcript, Step::PostAttributeCollection);
    assert!(
        reason.starts_with("no answer after one retry: connection failed"),
        "{reason}"
    );
    assert_eq!(transcript.calls.len(), 2);
}

#[tokio::test]
async fn non_json_body_and_500_are_connector_failures() {
    for (status, body, expected) in [
        (
            200,
            "<html>OK</html>",
            "the API's answer breaks the contract: invalid API connector response body",
        ),
        (
            500,
            r#"{"version":"1.0.0","action":"Continue"}"#,
            "HTTP status 500 is not part of the API connector contract",
        ),
        (
            400,
            r#"{"version":"1.0.0","action":"Continue"}"#,
            "must be sent with HTTP status 200, got 400",
        ),
    ] {
        let emulator = b2c(Duration::from_secs(5)).await;
        let api = Api::new(move |_| (status, body.to_owned()));
        let url = api.serve_http().await;
        connect(&emulator, &url, PASSWORD, "postAttributeCollection").await;
        let transcript = sign_up(&emulator, "a@example.com").await;
        let reason = failure_reason(&transcript, Step::PostAttributeCollection);
        assert!(reason.contains(expected), "{status}: {reason}");
        assert_eq!(
            api.calls.load(Ordering::SeqCst),
            1,
            "no retry after an answer"
        );
        assert_eq!(
            transcript.calls[0].response,
            CallResponse::Http {
                status,
                body: body.to_owned(),
                content_type: Some("application/json".into()),
            }
        );
    }
}

/// A PKCS#12 client certificate issued by `ca`, with its chain.
fn client_pkcs12(
    ca: &testing::TestIdentity,
    name: &str,
    not_before: i64,
    not_after: i64,
    password: &SecretString,
) -> (Vec<u8>, String) {
    let leaf = testing::issued_by(ca, name, not_before, not_after);
    let der = testing::pack(
        password,
        Some(leaf.private_key_der.expose_secret()),
        &[&leaf.certificate_der, &ca.certificate_der],
    );
    let thumbprint = Pkcs12Bundle::from_der(&der, password)
        .unwrap()
        .thumbprint()
        .to_owned();
    (der, thumbprint)
}

#[tokio::test]
async fn client_certificate_over_tls_with_rollover() {
    let now = unix_now();
    let ca = testing::certificate_authority("Test CA", now - 3600, now + 86_400);
    let server = testing::issued_by(&ca, "localhost", now - 3600, now + 86_400);
    let emulator = Emulator::start(
        EmulatorConfig::new(TenantKind::B2c)
            .connector_timeout(Duration::from_secs(5))
            .trusted_ca(ca.certificate_der.clone()),
    )
    .await
    .unwrap();
    let graph = Graph::new(&emulator);
    // The API accepts the connector's active certificate, read from Graph as an operator would.
    let active = Arc::new(Mutex::new(String::new()));
    let accepted = active.clone();
    let api = Api::new(move |seen| {
        let expected = accepted.lock().unwrap().clone();
        match &seen.client_certificate {
            Some(der) if contract::client_certificate_matches(der, [expected]) => {
                let (s, b) = ConnectorResponse::continuation().to_http();
                (s, String::from_utf8(b).unwrap())
            }
            _ => (403, String::new()),
        }
    });
    let url = api.serve_tls(&ca, &server).await;

    let password = SecretString::from("pfx-password");
    let b64 = |der: &[u8]| base64::engine::general_purpose::STANDARD.encode(der);
    let (first, first_thumb) = client_pkcs12(&ca, "client-1", now - 3600, now + 86_400, &password);
    let r = graph
        .beta(
            Method::POST,
            "/identity/apiConnectors",
            Some(&json!({
                "displayName": "TLS API",
                "targetUrl": url,
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.pkcs12Certificate",
                    "pkcs12Value": b64(&first),
                    "password": password.expose_secret(),
                }
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    let id = body["id"].as_str().unwrap().to_owned();
    graph
        .bind(FlowFamily::B2c, FLOW, "postAttributeCollection", &id)
        .await;

    let active_of = |body: &Value| -> String {
        body["authenticationConfiguration"]["certificateList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["isActive"] == true)
            .unwrap()["thumbprint"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let input = || SignUpInput::new(claims(json!({"email": "c@example.com"})));

    *active.lock().unwrap() = active_of(&body);
    let t1 = emulator.simulate_sign_up(FLOW, input()).await.unwrap();
    assert!(
        matches!(t1.outcome, SignUpOutcome::UserCreated { .. }),
        "{t1}"
    );
    assert_eq!(
        t1.calls[0].auth,
        CallAuth::ClientCertificate {
            thumbprint: first_thumb.clone()
        }
    );

    // Rollover: a newer valid certificate, and one not valid yet (uploaded last).
    let (second, second_thumb) = client_pkcs12(&ca, "client-2", now - 60, now + 86_400, &password);
    let (future, _) = client_pkcs12(&ca, "client-3", now + 3600, now + 86_400, &password);
    let mut last = Value::Null;
    for der in [&second, &future] {
        let r = graph
            .beta(
                Method::POST,
                &format!("/identity/apiConnectors/{id}/uploadClientCertificate"),
                Some(&json!({"pkcs12Value": b64(der), "password": password.expose_secret()})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        last = r.json();
    }
    assert_eq!(active_of(&last), second_thumb);

    // The API still accepts only the first certificate: the emulator now presents the second.
    let t2 = emulator.simulate_sign_up(FLOW, input()).await.unwrap();
    let reason = failure_reason(&t2, Step::PostAttributeCollection);
    assert!(reason.contains("HTTP status 403"), "{reason}");
    // Once the API accepts the active one, the sign-up goes through.
    *active.lock().unwrap() = active_of(&last);
    let t3 = emulator.simulate_sign_up(FLOW, input()).await.unwrap();
    assert!(
        matches!(t3.outcome, SignUpOutcome::UserCreated { .. }),
        "{t3}"
    );

    let seen = api.seen();
    let presented: Vec<String> = seen
        .iter()
        .map(|s| {
            entra_api_connectors_certificate::thumbprint_of(s.client_certificate.as_ref().unwrap())
        })
        .collect();
    assert_eq!(presented, [first_thumb, second_thumb.clone(), second_thumb]);
    assert!(seen.iter().all(|s| s.authorization.is_none()));
}

#[tokio::test]
async fn tls_server_not_trusted_is_a_connection_failure() {
    let now = unix_now();
    let ca = testing::certificate_authority("Test CA", now - 3600, now + 86_400);
    let other_ca = testing::certificate_authority("Other CA", now - 3600, now + 86_400);
    let server = testing::issued_by(&ca, "localhost", now - 3600, now + 86_400);
    let emulator = Emulator::start(
        EmulatorConfig::new(TenantKind::B2c).trusted_ca(other_ca.certificate_der.clone()),
    )
    .await
    .unwrap();
    let api = Api::new(|_| (200, r#"{"version":"1.0.0","action":"Continue"}"#.into()));
    let url = api.serve_tls(&ca, &server).await;
    connect(&emulator, &url, PASSWORD, "postAttributeCollection").await;
    let transcript = sign_up(&emulator, "a@example.com").await;
    let reason = failure_reason(&transcript, Step::PostAttributeCollection);
    assert!(reason.contains("connection failed"), "{reason}");
    assert_eq!(transcript.calls.len(), 2);
    assert_eq!(api.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn http_route_and_errors() {
    let (emulator, _api) = basic_setup("postAttributeCollection", |_| {
        ConnectorResponse::continuation()
    })
    .await;
    let http = support::http_client();
    let url = |flow: &str| {
        format!(
            "{}/v1.0/emulator/userFlows/{flow}/simulateSignUp",
            emulator.base_url()
        )
    };
    let body = json!({"claims": {"email": "r@example.com"}, "uiLocales": "fr-FR"});
    let resp = http
        .post(url(FLOW))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let transcript: Transcript = resp.json().await.unwrap();
    assert_eq!(transcript.user_flow_id, FLOW);
    assert_eq!(transcript.calls[0].request_body["ui_locales"], "fr-FR");
    assert!(matches!(
        transcript.outcome,
        SignUpOutcome::UserCreated { .. }
    ));

    let resp = http.post(url(FLOW)).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .post(url("B2C_1_Missing"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let error: Value = resp.json().await.unwrap();
    assert_eq!(
        error["error"]["message"],
        "user flow `B2C_1_Missing` does not exist"
    );
    let resp = http
        .post(url(FLOW))
        .bearer_auth(TOKEN)
        .json(&json!({"claims": {"objectId": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    assert_eq!(
        emulator
            .simulate_sign_up("nope", SignUpInput::default())
            .await
            .unwrap_err(),
        SignUpError::FlowNotFound("nope".into())
    );
}

#[tokio::test]
async fn http_target_urls_only_for_loopback() {
    let emulator = b2c(Duration::from_secs(1)).await;
    let graph = Graph::new(&emulator);
    for (url, expected) in [
        ("http://127.0.0.1:1/api", 201),
        ("http://localhost:1/api", 201),
        ("http://[::1]:1/api", 201),
        ("http://api.example.com/api", 400),
        ("http://10.0.0.1/api", 400),
    ] {
        let r = graph
            .beta(
                Method::POST,
                "/identity/apiConnectors",
                Some(&basic_connector("x", url, "u", "p")),
            )
            .await;
        assert_eq!(r.status.as_u16(), expected, "{url}: {}", r.text);
    }
}
