//! Token providers against a fake Microsoft identity platform token endpoint on 127.0.0.1, and
//! their failures as the client's callers see them (`Error::Auth` with the typed `AuthError`).
//!
//! Wire format: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use entra_api_connectors::Step;
use entra_api_connectors::auth::{
    AccessToken, AuthError, CachedTokenProvider, ClientSecretCredential, EnvironmentCredential,
    StaticToken, TokenEndpointError, TokenFuture, TokenProvider,
};
use entra_api_connectors::cloud::Cloud;
use entra_api_connectors::connectors::{ConnectorPatch, ListOptions, Patch};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{Error, GraphClient};
use secrecy::ExposeSecret;
use serde_json::json;
use url::Url;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TENANT: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT_ID: &str = "66666666-7777-8888-9999-000000000000";
const SECRET: &str = "s3cr3t~VALUE.that-must-never-leak";
const TOKEN_PATH: &str = "/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token";

fn credential(server: &MockServer) -> ClientSecretCredential {
    ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_authority_host(Url::parse(&server.uri()).unwrap())
}

fn token_json(token: &str, expires_in: u64) -> serde_json::Value {
    json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": token,
    })
}

/// Answers `token-1`, `token-2`, ... so that a refresh is visible in the returned token.
struct CountingTokens {
    issued: AtomicUsize,
    expires_in: u64,
    delay: Duration,
}

impl CountingTokens {
    fn new(expires_in: u64) -> Self {
        Self {
            issued: AtomicUsize::new(0),
            expires_in,
            delay: Duration::ZERO,
        }
    }
}

impl Respond for CountingTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(token_json(&format!("token-{n}"), self.expires_in))
            .set_delay(self.delay)
    }
}

async fn token_requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn entra_error_body() -> serde_json::Value {
    json!({
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value. Trace ID: 0b7f3a5e-1c11-4d2f-9c39-7d5f4a1a0000 Correlation ID: 3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c Timestamp: 2024-05-01 10:00:00Z",
        "error_codes": [7000215],
        "timestamp": "2024-05-01 10:00:00Z",
        "trace_id": "0b7f3a5e-1c11-4d2f-9c39-7d5f4a1a0000",
        "correlation_id": "3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c",
        "error_uri": "https://login.microsoftonline.com/error?code=7000215"
    })
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "client secret leaked: {text}");
}

#[tokio::test]
async fn client_credentials_request_is_exact() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("eyJ0eXAi.test", 3599)))
        .expect(1)
        .mount(&server)
        .await;

    let before = SystemTime::now();
    let token = credential(&server).token().await.unwrap();
    let after = SystemTime::now();

    assert_eq!(token.secret().expose_secret(), "eyJ0eXAi.test");
    let expires_at = token.expires_at().unwrap();
    assert!(expires_at >= before + Duration::from_secs(3599));
    assert!(expires_at <= after + Duration::from_secs(3599));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), TOKEN_PATH);
    assert_eq!(request.url.query(), None);
    assert_eq!(
        request.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.headers.get("accept").unwrap(), "application/json");
    // The secret travels in the form body, not in an Authorization header.
    assert!(request.headers.get("authorization").is_none());
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let expected: BTreeMap<String, String> = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(form, expected);
}

#[tokio::test]
async fn national_cloud_scope_and_custom_scope_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("t", 3599)))
        .mount(&server)
        .await;
    let authority = Url::parse(&server.uri()).unwrap();

    let china = ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_cloud(Cloud::China)
        .with_authority_host(authority.clone());
    assert_eq!(
        china.scope(),
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
    china.token().await.unwrap();

    let custom = ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_authority_host(authority)
        .with_scope("api://my-api/.default");
    custom.token().await.unwrap();

    let scopes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            url::form_urlencoded::parse(&r.body)
                .find(|(k, _)| k == "scope")
                .unwrap()
                .1
                .into_owned()
        })
        .collect();
    assert_eq!(
        scopes,
        [
            "https://microsoftgraph.chinacloudapi.cn/.default",
            "api://my-api/.default"
        ]
    );
}

#[test]
fn token_endpoint_per_cloud_and_authority_with_path() {
    let us = ClientSecretCredential::new("contoso.onmicrosoft.com", CLIENT_ID, SECRET)
        .with_cloud(Cloud::UsGovDoD);
    assert_eq!(
        us.token_endpoint().unwrap().as_str(),
        "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert_eq!(us.scope(), "https://dod-graph.microsoft.us/.default");
    let with_path = ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_authority_host(Url::parse("http://127.0.0.1:8080/fake-entra/").unwrap());
    assert_eq!(
        with_path.token_endpoint().unwrap().as_str(),
        format!("http://127.0.0.1:8080/fake-entra{TOKEN_PATH}")
    );
}

#[tokio::test]
async fn bad_configuration_is_rejected_before_any_request() {
    let server = MockServer::start().await;
    let cases = [
        (
            credential(&server)
                .with_authority_host(Url::parse("http://login.example.test").unwrap()),
            "must use https",
        ),
        (
            ClientSecretCredential::new("../admin", CLIENT_ID, SECRET)
                .with_authority_host(Url::parse(&server.uri()).unwrap()),
            "tenant id `../admin`",
        ),
        (
            ClientSecretCredential::new(TENANT, " ", SECRET)
                .with_authority_host(Url::parse(&server.uri()).unwrap()),
            "client id is empty",
        ),
    ];
    for (credential, message) in cases {
        let err = credential.token().await.unwrap_err();
        assert!(matches!(err, AuthError::InvalidConfiguration(_)), "{err:?}");
        assert!(err.to_string().contains(message), "{err}");
        assert_no_secret(&format!("{err} {err:?}"));
    }
    assert_eq!(token_requests(&server).await, 0);
}

#[tokio::test]
async fn entra_error_is_parsed_without_leaking_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(entra_error_body()))
        .mount(&server)
        .await;

    let err = credential(&server).token().await.unwrap_err();
    let details = err.token_endpoint().expect("a token endpoint error");
    assert_eq!(details.status.as_u16(), 401);
    assert_eq!(details.error.as_deref(), Some("invalid_client"));
    assert!(
        details
            .error_description
            .as_deref()
            .unwrap()
            .starts_with("AADSTS7000215: Invalid client secret provided.")
    );
    assert_eq!(details.error_codes, [7000215]);
    assert_eq!(
        details.correlation_id.as_deref(),
        Some("3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c")
    );
    assert_eq!(
        details.trace_id.as_deref(),
        Some("0b7f3a5e-1c11-4d2f-9c39-7d5f4a1a0000")
    );
    let display = err.to_string();
    assert!(
        display.starts_with(
            "token endpoint returned HTTP 401 Unauthorized: invalid_client: AADSTS7000215"
        ),
        "{display}"
    );
    assert!(display.ends_with(
        "(correlation id 3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c, trace id 0b7f3a5e-1c11-4d2f-9c39-7d5f4a1a0000)"
    ));
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn bad_request_with_echoed_secret_is_redacted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request",
            "error_description": format!("AADSTS900144: bad client_secret {SECRET}"),
            "error_codes": [900144],
        })))
        .mount(&server)
        .await;

    let err = credential(&server).token().await.unwrap_err();
    let details = err.token_endpoint().unwrap();
    assert_eq!(details.status.as_u16(), 400);
    assert_eq!(details.error.as_deref(), Some("invalid_request"));
    assert_eq!(
        details.error_description.as_deref(),
        Some("AADSTS900144: bad client_secret [REDACTED]")
    );
    assert_eq!(details.error_codes, [900144]);
    assert_eq!(details.correlation_id, None);
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn non_json_server_error_keeps_status_and_body_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_raw("<html>Service Unavailable</html>", "text/html"),
        )
        .mount(&server)
        .await;

    let err = credential(&server).token().await.unwrap_err();
    let details = err.token_endpoint().unwrap();
    assert_eq!(details.status.as_u16(), 503);
    assert_eq!(details.error, None);
    assert_eq!(
        details.error_description.as_deref(),
        Some("<html>Service Unavailable</html>")
    );
}

#[tokio::test]
async fn token_type_is_case_insensitive_and_expires_in_may_be_a_string() {
    // RFC 6749 section 7.1: the token type is case-insensitive; older endpoints sent
    // `expires_in` as a string of digits.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer",
            "expires_in": "120",
            "access_token": "lower-case-type",
        })))
        .mount(&server)
        .await;
    let before = SystemTime::now();
    let token = credential(&server).token().await.unwrap();
    assert_eq!(token.secret().expose_secret(), "lower-case-type");
    let expires_at = token.expires_at().unwrap();
    assert!(expires_at >= before + Duration::from_secs(120));
    assert!(expires_at <= SystemTime::now() + Duration::from_secs(120));
}

#[tokio::test]
async fn unusable_success_answers_are_invalid_responses() {
    let cases = [
        (
            json!({"token_type": "Bearer", "expires_in": 3599}),
            "access_token",
        ),
        (
            json!({"token_type": "pop", "expires_in": 3599, "access_token": "t"}),
            "token_type is `pop`",
        ),
        (
            json!({"token_type": "Bearer", "access_token": "t"}),
            "no `expires_in`",
        ),
        (
            json!({"token_type": "Bearer", "expires_in": "soon", "access_token": "t"}),
            "not a whole number of seconds",
        ),
        (json!(["not", "an", "object"]), "unreadable token response"),
    ];
    for (body, message) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
        let err = credential(&server).token().await.unwrap_err();
        assert!(matches!(err, AuthError::InvalidResponse(_)), "{err:?}");
        assert!(err.to_string().contains(message), "{err}");
    }
}

#[tokio::test]
async fn unreachable_endpoint_is_a_transport_error() {
    // Reserve a loopback port, then close it so that nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_authority_host(Url::parse(&format!("http://127.0.0.1:{port}")).unwrap())
        .token()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Transport(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn cached_token_is_reused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens::new(3599))
        .mount(&server)
        .await;

    let cached = CachedTokenProvider::new(credential(&server));
    let first = cached.token().await.unwrap();
    let second = cached.token().await.unwrap();
    assert_eq!(first.secret().expose_secret(), "token-1");
    assert_eq!(second.secret().expose_secret(), "token-1");
    assert_eq!(first.expires_at(), second.expires_at());
    assert_eq!(token_requests(&server).await, 1);

    cached.invalidate();
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-2"
    );
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn token_inside_the_refresh_margin_is_refreshed() {
    // Default margin is 5 minutes: a token valid for 299 s is refreshed on every call,
    // one valid for 301 s is reused.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens::new(299))
        .mount(&server)
        .await;
    let cached = CachedTokenProvider::new(credential(&server));
    assert_eq!(cached.refresh_margin(), Duration::from_secs(300));
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-1"
    );
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-2"
    );
    assert_eq!(token_requests(&server).await, 2);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens::new(301))
        .mount(&server)
        .await;
    let cached = CachedTokenProvider::new(credential(&server));
    cached.token().await.unwrap();
    cached.token().await.unwrap();
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test]
async fn token_is_refreshed_after_it_expires_with_custom_margin() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens::new(1))
        .mount(&server)
        .await;
    let cached = CachedTokenProvider::new(credential(&server))
        .with_refresh_margin(Duration::from_millis(200));
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-1"
    );
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-1"
    );
    assert_eq!(token_requests(&server).await, 1);
    // 1 s lifetime minus 200 ms margin: stale after 800 ms.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "token-2"
    );
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens {
            delay: Duration::from_millis(200),
            ..CountingTokens::new(3599)
        })
        .mount(&server)
        .await;

    let cached = Arc::new(CachedTokenProvider::new(credential(&server)));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let cached = Arc::clone(&cached);
            tokio::spawn(async move { cached.token().await })
        })
        .collect();
    for task in tasks {
        let token = task.await.unwrap().unwrap();
        assert_eq!(token.secret().expose_secret(), "token-1");
    }
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_refresh_reaches_all_waiters_and_does_not_poison_the_cache() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(entra_error_body())
                .set_delay(Duration::from_millis(200)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(CountingTokens::new(3599))
        .mount(&server)
        .await;

    let cached = Arc::new(CachedTokenProvider::new(credential(&server)));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let cached = Arc::clone(&cached);
            tokio::spawn(async move { cached.token().await })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.token_endpoint().unwrap().error_codes, [7000215]);
    }
    assert_eq!(token_requests(&server).await, 1);

    // The next call tries again and succeeds.
    let token = cached.token().await.unwrap();
    assert_eq!(token.secret().expose_secret(), "token-1");
    cached.token().await.unwrap();
    assert_eq!(token_requests(&server).await, 2);
}

/// A provider that counts calls, for the cache over a trait object.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl TokenProvider for Counting {
    fn token(&self) -> TokenFuture<'_> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move {
            Ok(AccessToken::new(
                format!("custom-{n}"),
                SystemTime::now() + Duration::from_secs(3600),
            ))
        })
    }
}

#[tokio::test]
async fn cache_works_over_a_shared_trait_object() {
    let counting = Arc::new(Counting::default());
    let shared: Arc<dyn TokenProvider> = counting.clone();
    let cached: Arc<dyn TokenProvider> = Arc::new(CachedTokenProvider::from_arc(shared));
    for _ in 0..3 {
        assert_eq!(
            cached.token().await.unwrap().secret().expose_secret(),
            "custom-1"
        );
    }
    assert_eq!(counting.0.load(Ordering::SeqCst), 1);
    // A client holding only `Arc<dyn TokenProvider>` can drop a rejected token.
    cached.invalidate();
    assert_eq!(
        cached.token().await.unwrap().secret().expose_secret(),
        "custom-2"
    );
    assert_eq!(counting.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn static_token_never_expires() {
    let provider: Arc<dyn TokenProvider> = Arc::new(StaticToken::new("static-token-value"));
    let token = provider.token().await.unwrap();
    assert_eq!(token.secret().expose_secret(), "static-token-value");
    assert_eq!(token.expires_at(), None);
    assert!(token.is_valid_for(Duration::from_secs(365 * 24 * 3600)));
    let header = token.authorization_header().unwrap();
    assert_eq!(header.to_str().unwrap(), "Bearer static-token-value");
    assert!(header.is_sensitive());
    assert_eq!(format!("{header:?}"), "Sensitive");
}

#[tokio::test]
async fn token_with_newline_cannot_become_a_header() {
    let token = StaticToken::new("bad\ntoken").token().await.unwrap();
    let err = token.authorization_header().unwrap_err();
    assert!(matches!(err, AuthError::InvalidResponse(_)));
    assert!(!err.to_string().contains("bad\ntoken"));
}

#[tokio::test]
async fn debug_output_shows_no_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("access-token-value", 3599)),
        )
        .mount(&server)
        .await;

    let credential = credential(&server);
    let debug = format!("{credential:?}");
    assert!(
        debug.contains(CLIENT_ID) && debug.contains(TENANT),
        "{debug}"
    );
    assert_no_secret(&debug);

    let cached = CachedTokenProvider::new(credential);
    let token = cached.token().await.unwrap();
    for debug in [
        format!("{token:?}"),
        format!("{cached:?}"),
        format!("{:?}", StaticToken::new("access-token-value")),
    ] {
        assert!(debug.contains("[REDACTED]"), "{debug}");
        assert!(!debug.contains("access-token-value"), "{debug}");
        assert_no_secret(&debug);
    }
}

fn env(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn environment_credential_names_the_missing_variable() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "AZURE_TENANT_ID"),
        (
            &[("AZURE_TENANT_ID", TENANT), ("AZURE_CLIENT_SECRET", SECRET)],
            "AZURE_CLIENT_ID",
        ),
        (
            &[("AZURE_TENANT_ID", TENANT), ("AZURE_CLIENT_ID", CLIENT_ID)],
            "AZURE_CLIENT_SECRET",
        ),
        (
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT_ID),
                ("AZURE_CLIENT_SECRET", ""),
            ],
            "AZURE_CLIENT_SECRET",
        ),
    ];
    for (vars, missing) in cases {
        let err = EnvironmentCredential::from_lookup(Cloud::Global, env(vars)).unwrap_err();
        assert!(matches!(err, AuthError::MissingConfiguration(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("missing configuration: environment variable {missing} is not set or empty")
        );
        let all = format!("{err} {err:?}");
        assert!(!all.contains(TENANT) && !all.contains(CLIENT_ID));
        assert_no_secret(&all);
    }
}

#[test]
fn environment_credential_rejects_a_bad_authority_host() {
    let err = EnvironmentCredential::from_lookup(
        Cloud::Global,
        env(&[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT_ID),
            ("AZURE_CLIENT_SECRET", SECRET),
            ("AZURE_AUTHORITY_HOST", "https://[not-a-host"),
        ]),
    )
    .unwrap_err();
    assert!(matches!(err, AuthError::InvalidConfiguration(_)), "{err:?}");
    assert!(err.to_string().contains("AZURE_AUTHORITY_HOST"));
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn environment_credential_requests_a_token_from_the_authority_host() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("from-env", 3599)))
        .expect(1)
        .mount(&server)
        .await;

    let credential = EnvironmentCredential::from_lookup(
        Cloud::UsGovL4,
        env(&[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT_ID),
            ("AZURE_CLIENT_SECRET", SECRET),
            ("AZURE_AUTHORITY_HOST", &server.uri()),
        ]),
    )
    .unwrap();
    assert_no_secret(&format!("{credential:?}"));
    let token = credential.token().await.unwrap();
    assert_eq!(token.secret().expose_secret(), "from-env");

    let request = &server.received_requests().await.unwrap()[0];
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    assert_eq!(form["client_secret"], SECRET);
    assert_eq!(form["scope"], "https://graph.microsoft.us/.default");

    let inner = credential.into_inner();
    assert_eq!(inner.tenant_id(), TENANT);
    assert_eq!(inner.client_id(), CLIENT_ID);
}

/// The one global subscriber of this test binary: it hands the text of every event to the
/// collector of the thread that emits it, if that thread has one. (A thread-local default
/// subscriber is not enough: a callsite first hit on a thread without one may cache "never".)
struct LogCollector;

thread_local! {
    static THREAD_LOGS: std::cell::RefCell<Option<Arc<Mutex<Vec<String>>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Collect the events emitted on this thread from now on.
fn capture_logs() -> Arc<Mutex<Vec<String>>> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(LogCollector).expect("the only global subscriber")
    });
    let logs = Arc::new(Mutex::new(Vec::new()));
    THREAD_LOGS.with(|t| *t.borrow_mut() = Some(logs.clone()));
    logs
}

struct FieldText<'a>(&'a mut String);

impl tracing::field::Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl tracing::Subscriber for LogCollector {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = format!("{} ", event.metadata().level());
        event.record(&mut FieldText(&mut text));
        THREAD_LOGS.with(|t| {
            if let Some(logs) = &*t.borrow() {
                logs.lock().unwrap().push(text);
            }
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn token_acquisition_is_logged_at_debug_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("logged-token?", 3599)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(entra_error_body()))
        .mount(&server)
        .await;

    let logs = capture_logs();
    let cached = CachedTokenProvider::new(credential(&server)).with_refresh_margin(Duration::ZERO);
    cached.token().await.unwrap();
    cached.invalidate();
    cached.token().await.unwrap_err();

    let logs = logs.lock().unwrap().clone();
    let all = logs.join("\n");
    assert!(
        logs.iter()
            .any(|l| l.starts_with("DEBUG") && l.contains("acquired access token")),
        "{all}"
    );
    assert!(
        logs.iter()
            .any(|l| l.starts_with("DEBUG") && l.contains("refreshing access token")),
        "{all}"
    );
    assert!(all.contains("AADSTS7000215"), "{all}");
    assert!(!all.contains("logged-token?"), "{all}");
    assert_no_secret(&all);
}

// --- Token failures through the client: `Error::Auth` carries the provider's typed error ---

/// A client whose tokens come from `credential`, talking to `graph`.
fn client_with(graph: &MockServer, credential: ClientSecretCredential) -> GraphClient {
    GraphClient::builder()
        .base_url(graph.uri())
        .token_provider(credential)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A Graph that would accept anything: nothing may reach it without a token.
async fn accepting_graph() -> MockServer {
    let graph = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&graph)
        .await;
    graph
}

fn rename() -> ConnectorPatch {
    ConnectorPatch {
        display_name: Patch::Set("renamed".into()),
        ..Default::default()
    }
}

/// The token endpoint's details carried by `e`, which must be `Error::Auth(TokenEndpoint)`.
fn endpoint_details(e: &Error) -> &TokenEndpointError {
    match e {
        Error::Auth(AuthError::TokenEndpoint(details)) => details,
        other => panic!("not Error::Auth(AuthError::TokenEndpoint): {other:?}"),
    }
}

#[tokio::test]
async fn token_endpoint_error_reaches_generated_and_handwritten_calls_typed() {
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(entra_error_body()))
        .mount(&tokens)
        .await;
    let graph = accepting_graph().await;
    let client = client_with(&graph, credential(&tokens));
    let beta = client.beta();
    let v1 = client.v1();
    let calls = [
        (
            "get (generated)",
            beta.connectors().get("c-1", &[]).await.unwrap_err(),
        ),
        (
            "delete (generated)",
            v1.connectors().delete("c-1").await.unwrap_err(),
        ),
        (
            "list (generated first page)",
            beta.connectors()
                .list_all(ListOptions::default())
                .await
                .unwrap_err(),
        ),
        (
            "attach (generated $ref)",
            beta.b2c_user_flows()
                .attach("B2C_1_SignUp", Step::PostAttributeCollection, "c-1")
                .await
                .unwrap_err(),
        ),
        (
            "update (handwritten PATCH)",
            v1.connectors().update("c-1", &rename()).await.unwrap_err(),
        ),
    ];
    for (call, e) in &calls {
        let details = endpoint_details(e);
        assert_eq!(details.status.as_u16(), 401, "{call}");
        assert_eq!(details.error.as_deref(), Some("invalid_client"), "{call}");
        assert_eq!(details.error_codes, [7000215], "{call}");
        assert_eq!(
            details.correlation_id.as_deref(),
            Some("3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c"),
            "{call}"
        );
        assert!(!e.is_retryable(), "{call}: a bad secret stays bad");
        // One line for support, with the token endpoint's diagnostics, said once.
        let line = e.to_string();
        assert!(
            line.starts_with(
                "authentication failed: token endpoint returned HTTP 401 Unauthorized: \
                 invalid_client: AADSTS7000215"
            ),
            "{call}: {line}"
        );
        assert!(
            line.ends_with(
                "(correlation id 3f1c2a8b-0000-4e6a-b1c2-8d9e0f1a2b3c, trace id \
                 0b7f3a5e-1c11-4d2f-9c39-7d5f4a1a0000)"
            ),
            "{call}: {line}"
        );
        assert_eq!(line.matches("authentication failed").count(), 1, "{line}");
        assert!(
            !line.contains("auth#"),
            "{call}: the hand-off id stays inside: {line}"
        );
        // The typed cause is the error's source.
        let source = std::error::Error::source(e).expect("a source");
        assert!(source.downcast_ref::<AuthError>().is_some(), "{call}");
        assert_no_secret(&format!("{e} {e:?}"));
    }
    assert!(
        graph.received_requests().await.unwrap().is_empty(),
        "nothing is sent to Graph without a token"
    );
}

#[tokio::test]
async fn an_unavailable_token_endpoint_is_a_retryable_auth_error() {
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&tokens)
        .await;
    let graph = accepting_graph().await;
    let client = client_with(&graph, credential(&tokens));
    for e in [
        client
            .beta()
            .connectors()
            .get("c-1", &[])
            .await
            .unwrap_err(),
        client
            .beta()
            .connectors()
            .update("c-1", &rename())
            .await
            .unwrap_err(),
    ] {
        assert_eq!(endpoint_details(&e).status.as_u16(), 503, "{e:?}");
        assert!(e.is_retryable(), "{e:?}");
        assert!(
            !e.is_throttled(),
            "throttling is Graph's 429, not the token endpoint's"
        );
    }
    // Unreachable: the transport error, typed, with its source.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = ClientSecretCredential::new(TENANT, CLIENT_ID, SECRET)
        .with_authority_host(Url::parse(&format!("http://127.0.0.1:{port}")).unwrap());
    let e = client_with(&graph, closed)
        .v1()
        .connectors()
        .get("c-1", &[])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Auth(AuthError::Transport(_))), "{e:?}");
    assert!(e.is_retryable(), "{e:?}");
    assert!(graph.received_requests().await.unwrap().is_empty());
}

/// Fails every token request with a correlation id naming the tenant in its path, after a short
/// delay so that concurrent requests overlap.
struct FailsPerTenant;

impl Respond for FailsPerTenant {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let tenant = request.url.path().split('/').nth(1).unwrap_or_default();
        ResponseTemplate::new(400)
            .set_body_json(json!({
                "error": "invalid_request",
                "error_description": format!("AADSTS90002: Tenant '{tenant}' not found."),
                "error_codes": [90002],
                "correlation_id": format!("correlation-{tenant}"),
            }))
            .set_delay(Duration::from_millis(5))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_token_failures_each_reach_their_own_caller() {
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(FailsPerTenant)
        .mount(&tokens)
        .await;
    let graph = accepting_graph().await;
    let authority = Url::parse(&tokens.uri()).unwrap();
    let clients: Vec<(String, GraphClient)> = (0..6)
        .map(|n| {
            let tenant = format!("tenant-{n}");
            let credential = ClientSecretCredential::new(&tenant, CLIENT_ID, SECRET)
                .with_authority_host(authority.clone());
            (tenant, client_with(&graph, credential))
        })
        .collect();
    let mut calls = tokio::task::JoinSet::new();
    for round in 0..8 {
        for (tenant, client) in &clients {
            let (tenant, client) = (tenant.clone(), client.clone());
            calls.spawn(async move {
                let e = if round % 2 == 0 {
                    client
                        .beta()
                        .connectors()
                        .get("c-1", &[])
                        .await
                        .unwrap_err()
                } else {
                    client
                        .v1()
                        .connectors()
                        .update("c-1", &rename())
                        .await
                        .unwrap_err()
                };
                (tenant, e)
            });
        }
    }
    let mut seen = 0;
    while let Some(done) = calls.join_next().await {
        let (tenant, e) = done.unwrap();
        let details = endpoint_details(&e);
        assert_eq!(
            details.correlation_id.as_deref(),
            Some(format!("correlation-{tenant}").as_str()),
            "{e}"
        );
        assert_eq!(details.error_codes, [90002]);
        seen += 1;
    }
    assert_eq!(seen, 48);
    assert!(graph.received_requests().await.unwrap().is_empty());
}

#[cfg(feature = "azure-identity")]
mod azure {
    use super::*;
    use entra_api_connectors::auth::AzureCredential;
    use entra_api_connectors::auth::azure_core::{
        self,
        credentials::{TokenCredential, TokenRequestOptions},
        error::ErrorKind,
        time::OffsetDateTime,
    };

    #[derive(Debug, Default)]
    struct FakeCredential {
        scopes: Mutex<Vec<Vec<String>>>,
        fail: bool,
    }

    #[async_trait::async_trait]
    impl TokenCredential for FakeCredential {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            self.scopes
                .lock()
                .unwrap()
                .push(scopes.iter().map(|s| (*s).to_owned()).collect());
            if self.fail {
                return Err(azure_core::Error::with_message(
                    ErrorKind::Credential,
                    "managed identity endpoint unavailable",
                ));
            }
            Ok(azure_core::credentials::AccessToken::new(
                "azure-token",
                OffsetDateTime::from_unix_timestamp(2_000_000_000).unwrap(),
            ))
        }
    }

    #[tokio::test]
    async fn azure_credential_requests_the_cloud_scope() {
        let fake = Arc::new(FakeCredential::default());
        let provider = AzureCredential::new(fake.clone(), Cloud::China);
        let token = provider.token().await.unwrap();
        assert_eq!(token.secret().expose_secret(), "azure-token");
        assert_eq!(
            token.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        );
        assert_eq!(
            *fake.scopes.lock().unwrap(),
            [["https://microsoftgraph.chinacloudapi.cn/.default"]]
        );
        assert!(!format!("{provider:?}").contains("azure-token"));
    }

    #[tokio::test]
    async fn azure_credential_errors_are_provider_errors() {
        let fake = Arc::new(FakeCredential {
            fail: true,
            ..Default::default()
        });
        let err = AzureCredential::new(fake, Cloud::Global)
            .with_scopes(["api://x/.default"])
            .token()
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::Provider(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains("managed identity endpoint unavailable"),
            "{err}"
        );
    }
}
