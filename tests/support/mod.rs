//! Support shared by the client crate's tests: the Graph fixtures, clients for a wiremock server or
//! the emulator, the assertions on recorded requests, and the instantiation of tests that are
//! generic over the Graph version.
//!
//! Each test file uses part of it.
#![allow(dead_code, unused_macros, unused_imports)]

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::paging::Page;
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{
    ApiVersion, Error, GraphClient, GraphClientBuilder, GraphError, Version,
};
use serde_json::Value;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers};

/// A fixture of `tests/fixtures/graph/` as JSON.
pub fn fixture(name: &str) -> Value {
    let file = format!("{}/tests/fixtures/graph/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The suffix of version `V`'s fixtures: `beta` or `v1`.
pub fn suffix<V: Version>() -> &'static str {
    match V::API {
        ApiVersion::Beta => "beta",
        ApiVersion::V1 => "v1",
    }
}

/// The fixture `{base}_{suffix}.json` of version `V`.
pub fn versioned<V: Version>(base: &str) -> Value {
    fixture(&format!("{base}_{}.json", suffix::<V>()))
}

/// The PKCS#12 bytes of a fixture request body (real PFX files, see the fixtures README).
pub fn fixture_pfx(name: &str) -> Vec<u8> {
    let body = fixture(name);
    let b64 = body
        .pointer("/authenticationConfiguration/pkcs12Value")
        .or_else(|| body.get("pkcs12Value"))
        .and_then(Value::as_str)
        .expect("a pkcs12Value");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
}

/// Retries with tiny delays, so that the tests run in a few seconds (Retry-After still rules).
pub fn fast_retries(max_retries: u32, max_total_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        max_total_delay,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

/// A client builder for `base_url` with a static bearer `token` and `policy`.
pub fn builder(base_url: &str, token: &str, policy: RetryPolicy) -> GraphClientBuilder {
    GraphClient::builder()
        .base_url(base_url)
        .token_provider(StaticToken::new(token))
        .retry_policy(policy)
}

/// [`builder`] with a 10 s timeout, built.
pub fn client(base_url: &str, token: &str, policy: RetryPolicy) -> GraphClient {
    builder(base_url, token, policy)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a valid client")
}

/// A client for the emulator, with its default token.
pub fn emulator_client(
    emulator: &entra_api_connectors_emulator::Emulator,
    policy: RetryPolicy,
) -> GraphClient {
    client(
        &emulator.base_url(),
        entra_api_connectors_emulator::DEFAULT_TOKEN,
        policy,
    )
}

/// Answer the requests with `method` (any when `None`) to `path` (any when `None`) with
/// `response`.
pub async fn mount(
    server: &MockServer,
    method: Option<&str>,
    path: Option<String>,
    response: ResponseTemplate,
) {
    let mock = match (method, path) {
        (Some(m), Some(p)) => Mock::given(matchers::method(m)).and(matchers::path(p)),
        (Some(m), None) => Mock::given(matchers::method(m)),
        (None, Some(p)) => Mock::given(matchers::path(p)),
        (None, None) => Mock::given(matchers::any()),
    };
    mock.respond_with(response).mount(server).await;
}

/// Every request the server received.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The one request the server received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(
        all.len(),
        1,
        "expected exactly one request, got {:?}",
        all.iter().map(describe).collect::<Vec<_>>()
    );
    all.pop().unwrap()
}

/// `METHOD url`, for messages.
pub fn describe(r: &Request) -> String {
    format!("{} {}", r.method, r.url)
}

/// A header sent at most once.
pub fn header(r: &Request, name: &str) -> Option<String> {
    let mut values = r.headers.get_all(name).iter();
    let first = values
        .next()
        .map(|v| v.to_str().expect("ASCII header").to_string());
    assert!(values.next().is_none(), "header {name} sent more than once");
    first
}

/// The query as Graph sees it: percent-decoded keys and values, each key at most once.
pub fn query(r: &Request) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (k, v) in r.url.query_pairs() {
        assert!(
            map.insert(k.to_string(), v.to_string()).is_none(),
            "query key {k} repeated in {}",
            r.url
        );
    }
    map
}

/// A query map from pairs.
pub fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Headers every Graph request carries: the bearer `token`, a GUID `client-request-id`, no
/// `api-version` (Graph has none); `Content-Type: application/json` exactly when there is a body.
pub fn assert_graph_headers(r: &Request, token: &str, has_body: bool) {
    assert_eq!(
        header(r, "authorization").as_deref(),
        Some(format!("Bearer {token}").as_str()),
        "{}",
        describe(r)
    );
    let id = header(r, "client-request-id").expect("client-request-id");
    let uuid = uuid::Uuid::parse_str(&id)
        .unwrap_or_else(|e| panic!("client-request-id {id} is not a GUID: {e}"));
    assert_eq!(
        uuid.hyphenated().to_string(),
        id,
        "client-request-id in the usual hyphenated form"
    );
    assert!(
        r.headers.get("api-version").is_none(),
        "api-version header sent to Graph"
    );
    let content_type = header(r, "content-type");
    if has_body {
        let media = content_type
            .as_deref()
            .map(|c| c.split(';').next().unwrap().trim().to_ascii_lowercase());
        assert_eq!(
            media.as_deref(),
            Some("application/json"),
            "{}",
            describe(r)
        );
    } else {
        assert!(
            r.body.is_empty(),
            "{} has a body: {}",
            describe(r),
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(
            content_type,
            None,
            "{} has a Content-Type without a body",
            describe(r)
        );
    }
}

/// A request's body as JSON.
pub fn body_json(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "{} body is not JSON ({e}): {}",
            describe(r),
            String::from_utf8_lossy(&r.body)
        )
    })
}

/// Compare JSON numbers by value (`3` and `3.0` are the same Edm.Single to Graph).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        _ => a == b,
    }
}

/// Nothing reached the server.
pub fn assert_no_requests_sent(all: &[Request]) {
    assert!(
        all.is_empty(),
        "requests were sent: {:?}",
        all.iter().map(describe).collect::<Vec<_>>()
    );
}

/// The Graph error of `result`, which must have `status`.
pub fn expect_graph<T: std::fmt::Debug>(result: Result<T, Error>, status: u16) -> Box<GraphError> {
    match result {
        Err(Error::Graph(g)) if g.status == status => g,
        other => panic!("expected Graph error {status}, got {other:?}"),
    }
}

/// A page's items, `@odata.nextLink` and `@odata.count` (read from its JSON: the page trait has
/// only the first two).
pub fn page<P: Page + serde::Serialize>(page: P) -> (Vec<P::Item>, Option<String>, Option<i64>) {
    let count = serde_json::to_value(&page).unwrap()["@odata.count"].as_i64();
    let (items, next) = page.into_parts();
    (items, next, count)
}

/// A value of a generated type read from JSON (the tests' way to build one generically).
pub fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
}

/// `#[tokio::test]`s `beta::name` and `v1::name` running the generic `name::<V>()` of the file;
/// `per_version!(sync: ...)` for `#[test]`s of generic functions that are not `async`.
macro_rules! per_version {
    (sync: $($test:ident),* $(,)?) => {
        mod beta {
            $(#[test]
            fn $test() {
                super::$test::<entra_api_connectors::Beta>()
            })*
        }
        mod v1 {
            $(#[test]
            fn $test() {
                super::$test::<entra_api_connectors::V1>()
            })*
        }
    };
    ($($test:ident),* $(,)?) => {
        mod beta {
            $(#[tokio::test]
            async fn $test() {
                super::$test::<entra_api_connectors::Beta>().await
            })*
        }
        mod v1 {
            $(#[tokio::test]
            async fn $test() {
                super::$test::<entra_api_connectors::V1>().await
            })*
        }
    };
}
pub(crate) use per_version;
