//! Secrets never leave through `Debug`, `Display`, errors or logs.
//!
//! Graph never returns a basic-authentication password (responses show `"******"`,
//! <https://learn.microsoft.com/graph/api/resources/basicauthentication>) nor the PKCS#12 value or
//! its password (<https://learn.microsoft.com/graph/api/resources/pkcs12certificate>); the client
//! must not reveal them either, nor the bearer token. Every `tracing` event and `log` record of
//! this test binary (the client's, reqwest's, hyper's) is captured at TRACE level into one buffer,
//! and each test checks that buffer and every `Debug`/`Display` it can produce.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use entra_api_connectors::auth::{AuthError, StaticToken};
use entra_api_connectors::certificate::{testing, unix_now};
use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{Error, GraphClient};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJzZWNyZXQtYmVhcmVyLXRva2VuIn0.c2VjcmV0";
const BASIC_PASSWORD: &str = "Basic-Pa55-9d4e71c2";
const ROTATED_PASSWORD: &str = "Rotated-Pa55-5a0b38ef";
const PFX_PASSWORD: &str = "Pfx-Pa55-c81f2a6d";
const ID: &str = "7a3e1c9d-4b8f-4e2a-a6c0-9d5b3f7e2a84";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The captured output of every thread, installed once for the whole binary.
fn logs() -> String {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    let buffer = BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        // reqwest logs through `log`: forward its records to the subscriber.
        tracing_log::LogTracer::init().expect("the only logger");
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).to_string()
}

struct Pfx {
    bytes: Vec<u8>,
    base64: String,
}

fn pfx() -> &'static Pfx {
    static PFX: OnceLock<Pfx> = OnceLock::new();
    PFX.get_or_init(|| {
        let now = unix_now();
        let bytes = testing::self_signed_pkcs12(
            "api.contoso-test.example",
            &SecretString::from(PFX_PASSWORD),
            now - 60,
            now + 86_400,
        );
        let base64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        Pfx { bytes, base64 }
    })
}

fn upload() -> Pkcs12Upload {
    Pkcs12Upload::from_bytes(&pfx().bytes, SecretString::from(PFX_PASSWORD)).expect("generated PFX")
}

/// Every secret of these tests, and recognisable pieces of the PKCS#12 value (a log might cut it).
fn secrets() -> Vec<String> {
    let b64 = &pfx().base64;
    let mut all: Vec<String> = [TOKEN, BASIC_PASSWORD, ROTATED_PASSWORD, PFX_PASSWORD]
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.push(b64.clone());
    for start in (0..b64.len().saturating_sub(24)).step_by(b64.len() / 8) {
        all.push(b64[start..start + 24].to_string());
    }
    // The same base64 as it would look inside JSON or a URL.
    all.push(b64.replace('/', "\\/")[100..140].to_string());
    all
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "{what} reveals a secret ({}…):\n{text}",
            &secret[..6]
        );
    }
}

fn assert_logs_clean() {
    let captured = logs();
    assert!(
        !captured.is_empty(),
        "the subscriber captured nothing: the test would prove nothing"
    );
    assert_clean("the tracing/log output", &captured);
}

fn client(server: &MockServer) -> GraphClient {
    let _ = logs();
    support::client(
        &server.uri(),
        TOKEN,
        support::fast_retries(2, Duration::from_secs(5)),
    )
}

fn masked_connector() -> Value {
    json!({
        "id": ID,
        "displayName": "Block disposable email",
        "targetUrl": "https://api.contoso-test.example/signup/block-disposable",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "b2c-connector",
            "password": "******"
        }
    })
}

#[test]
fn debug_of_inputs_and_client_hides_secrets() {
    let _ = logs();
    let builder = GraphClient::builder()
        .base_url("http://127.0.0.1:9")
        .token_provider(StaticToken::new(TOKEN));
    assert_clean("GraphClientBuilder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean(
        "GraphClient Debug",
        &format!(
            "{client:?} {:?} {:?}",
            client.beta(),
            client.v1().connectors()
        ),
    );
    assert_clean(
        "StaticToken Debug",
        &format!("{:?}", StaticToken::new(TOKEN)),
    );

    let basic = Authentication::basic("b2c-connector", BASIC_PASSWORD);
    let text = format!("{basic:?}");
    assert_clean("Authentication::basic Debug", &text);
    assert!(
        text.contains("b2c-connector"),
        "the user name is not secret: {text}"
    );

    let new = NewConnector::new("n", "https://api.contoso-test.example/x", basic.clone());
    assert_clean("NewConnector Debug", &format!("{new:?} {new:#?}"));

    let upload = upload();
    let text = format!(
        "{upload:?} {:?}",
        Authentication::Certificate(upload.clone())
    );
    assert_clean("Pkcs12Upload Debug", &text);
    assert!(
        text.contains(&upload.summary().thumbprint),
        "the thumbprint helps and is public: {text}"
    );
    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::Certificate(upload)),
        display_name: Patch::Set("x".into()),
        target_url: Patch::Null,
    };
    assert_clean("ConnectorPatch Debug", &format!("{patch:?}"));
    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::basic("u", ROTATED_PASSWORD)),
        ..Default::default()
    };
    assert_clean("ConnectorPatch Debug", &format!("{patch:#?}"));
    assert_logs_clean();
}

#[tokio::test]
async fn create_upload_and_failures_leak_nothing() {
    let server = MockServer::start().await;
    // A throttled first attempt, so that a retry event is logged too.
    Mock::given(method("POST"))
        .and(path_regex("^/beta/identity/apiConnectors$"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/beta/identity/apiConnectors$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(masked_connector()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("/uploadClientCertificate$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ID, "displayName": "x", "targetUrl": "https://api.contoso-test.example/x",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
                "certificateList": [{"thumbprint": "AB", "notBefore": 1, "notAfter": 4102444800i64, "isActive": true}]
            }
        })))
        .mount(&server)
        .await;
    // Graph rejects the PFX password (B2C error, observed form).
    Mock::given(method("POST"))
        .and(path_regex("^/v1.0/identity/apiConnectors$"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                serde_json::from_str::<Value>(include_str!(
                    "fixtures/graph/error_b2c_certificate_password.json"
                ))
                .unwrap(),
            ),
        )
        .mount(&server)
        .await;
    // A proxy page that echoes the request body back (worst case).
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(
            format!("<html><pre>{{\"password\": \"{ROTATED_PASSWORD}\", \"pkcs12Value\": \"{}\"}}</pre></html>", pfx().base64),
            "text/html",
        ))
        .mount(&server)
        .await;

    let client = client(&server);
    let c = client.beta().connectors();
    let created = c
        .create(&NewConnector::new(
            "Block disposable email",
            "https://api.contoso-test.example/signup/block-disposable",
            Authentication::basic("b2c-connector", BASIC_PASSWORD),
        ))
        .await
        .expect("create");
    let text = format!("{created:?} {created:#?}");
    assert!(text.contains("Secret(masked)"), "{text}");
    assert_clean("a returned connector", &text);
    assert_clean("its JSON", &serde_json::to_string(&created).unwrap());

    let updated = c.upload_certificate(ID, &upload()).await.expect("upload");
    assert_clean("an uploaded connector", &format!("{updated:?}"));

    let e = client
        .v1()
        .connectors()
        .create(&NewConnector::new(
            "n",
            "https://api.contoso-test.example/x",
            Authentication::Certificate(upload()),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.graph().map(|g| g.code.as_str()), Some("AADB2C90213"));
    assert_clean("a Graph error", &format!("{e} {e:?}"));

    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::basic("u", ROTATED_PASSWORD)),
        ..Default::default()
    };
    let e = c.update(ID, &patch).await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(
        e.to_string().contains("***"),
        "the echoed secrets are masked: {e}"
    );
    assert_clean("a gateway error echoing the body", &format!("{e} {e:?}"));

    let posts = server.received_requests().await.unwrap();
    // The secrets did go to Graph, where they belong.
    assert!(
        posts
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains(BASIC_PASSWORD))
    );
    assert!(
        posts
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains(&pfx().base64))
    );

    let captured = logs();
    assert!(
        captured.contains("retrying Graph request"),
        "the retry was logged:\n{captured}"
    );
    assert!(
        captured.contains("reqwest::") && captured.contains("hyper_util::"),
        "the HTTP stack's events are captured too:\n{captured}"
    );
    assert_logs_clean();
}

#[tokio::test]
async fn decode_errors_mask_secrets_in_the_body_excerpt() {
    let server = MockServer::start().await;
    // A 200 whose body is not the expected type but contains a password (e.g. a misbehaving proxy).
    Mock::given(method("GET"))
        .and(path_regex("/apiConnectors/bad-type$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 42,
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "u", "password": BASIC_PASSWORD
            }
        })))
        .mount(&server)
        .await;
    // A truncated JSON body: not parseable, so masked as text.
    Mock::given(method("GET"))
        .and(path_regex("/apiConnectors/truncated$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("{{\"authenticationConfiguration\": {{\"password\": \"{BASIC_PASSWORD}\", \"pkcs12Value\": \"{}", pfx().base64),
            "application/json",
        ))
        .mount(&server)
        .await;
    // A later page that is not a page.
    let next = format!("{}/beta/identity/apiConnectors?$skiptoken=2", server.uri());
    Mock::given(method("GET"))
        .and(path_regex("/apiConnectors$"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": {"password": ROTATED_PASSWORD}})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("/apiConnectors$"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;

    let client = client(&server);
    let c = client.beta().connectors();
    for (case, e) in [
        ("wrong type", c.get("bad-type", &[]).await.unwrap_err()),
        ("truncated", c.get("truncated", &[]).await.unwrap_err()),
        (
            "later page",
            c.list_all(ListOptions::default()).await.unwrap_err(),
        ),
    ] {
        assert!(matches!(e, Error::Decode { .. }), "{case}: {e:?}");
        let text = format!("{e} | {e:?}");
        assert!(
            text.contains("***"),
            "{case}: the excerpt shows where the secret was: {text}"
        );
        assert_clean(case, &text);
    }
    assert_logs_clean();
}

#[tokio::test]
async fn transport_and_auth_failures_leak_nothing() {
    // Nothing listens there: a connection error, retried, then returned.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _ = logs();
    let client = GraphClient::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .token_provider(StaticToken::new(TOKEN))
        .retry_policy(RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let e = client
        .beta()
        .connectors()
        .create(&NewConnector::new(
            "n",
            "https://api.contoso-test.example/x",
            Authentication::basic("b2c-connector", BASIC_PASSWORD),
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_clean("a transport error", &format!("{e} {e:?}"));
    let e = client
        .beta()
        .connectors()
        .upload_certificate(ID, &upload())
        .await
        .unwrap_err();
    assert_clean("a transport error", &format!("{e} {e:?}"));

    // A token the HTTP stack cannot send: the error must not quote it.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let bad_token = format!("{TOKEN}\n");
    let client = GraphClient::builder()
        .base_url(server.uri())
        .token_provider(StaticToken::new(bad_token))
        .build()
        .unwrap();
    let e = client.v1().connectors().delete(ID).await.unwrap_err();
    assert!(
        matches!(e, Error::Auth(AuthError::InvalidResponse(_))),
        "{e:?}"
    );
    assert_clean("an auth error", &format!("{e} {e:?}"));
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_logs_clean();
}
