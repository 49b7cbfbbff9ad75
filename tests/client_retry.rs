//! Retries of the client pipeline against wiremock and raw TCP servers on 127.0.0.1.
//!
//! Graph's throttling guidance (<https://learn.microsoft.com/graph/throttling>): on `429` wait the
//! `Retry-After` seconds and retry, and back off exponentially when there is no `Retry-After`;
//! `503` may carry `Retry-After` too (<https://learn.microsoft.com/graph/errors>). HTTP allows
//! `Retry-After` as an HTTP date (RFC 9110 §10.2.3). A request whose outcome is unknown (a `504`
//! or a connection lost after a `POST` was sent) must not be repeated, so a connector is never
//! created twice.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use entra_api_connectors::connectors::{Authentication, ListOptions, NewConnector};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{Error, GraphClient};
use serde_json::{Value, json};
use support::fixture;
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ID: &str = "3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43";

fn fast_policy(max_retries: u32) -> RetryPolicy {
    support::fast_retries(max_retries, Duration::from_secs(10))
}

fn client(uri: &str, policy: RetryPolicy) -> GraphClient {
    support::client(uri, "retry-test-token", policy)
}

fn connector() -> Value {
    fixture("get_api_connector_basic_beta.json")
}

fn new_connector() -> NewConnector {
    NewConnector::new(
        "Block disposable email",
        "https://api.contoso-test.example/signup/block-disposable",
        Authentication::basic("b2c-connector", "Fixture-Basic-Pa55!"),
    )
}

fn throttled(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Retry-After", retry_after)
        .set_body_json(fixture("error_throttled.json"))
}

/// Mount `first` for the first `times` requests, then `then` for every other one.
async fn mount_sequence(
    server: &MockServer,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(any())
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

fn client_request_ids(reqs: &[Request]) -> Vec<String> {
    reqs.iter()
        .map(|r| {
            r.headers
                .get("client-request-id")
                .expect("client-request-id")
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn throttled_with_decimal_retry_after_then_success() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        throttled("0.05"),
        1,
        ResponseTemplate::new(200).set_body_json(connector()),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    let start = Instant::now();
    let got = c
        .beta()
        .connectors()
        .get(ID, &[])
        .await
        .expect("retried after 429");
    let elapsed = start.elapsed();
    assert_eq!(got.id.as_deref(), Some(ID));
    assert!(
        elapsed >= Duration::from_millis(50),
        "waited the 0.05 s Retry-After: {elapsed:?}"
    );
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    let ids = client_request_ids(&reqs);
    assert_eq!(
        ids[0], ids[1],
        "one logical request keeps its client-request-id across retries"
    );
    assert!(
        reqs.iter()
            .all(|r| r.url.path() == format!("/beta/identity/apiConnectors/{ID}"))
    );
}

#[tokio::test]
async fn throttled_with_http_date_retry_after_then_success() {
    let server = MockServer::start().await;
    // A whole second more than two seconds ahead (HTTP dates have one-second resolution), so the
    // wait is between two and three seconds whatever the sub-second part of now.
    let whole = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3;
    let date = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(whole));
    mount_sequence(
        &server,
        throttled(&date),
        1,
        ResponseTemplate::new(200).set_body_json(connector()),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    let start = Instant::now();
    c.v1()
        .connectors()
        .get(ID, &[])
        .await
        .expect("retried after 429");
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1500),
        "waited until the Retry-After date: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_total_delay_budget_is_returned_not_waited() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        throttled("120"),
        1,
        ResponseTemplate::new(200).set_body_json(connector()),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    let start = Instant::now();
    let e = c.beta().connectors().get(ID, &[]).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    let g = e.graph().expect("Graph error");
    assert_eq!((g.status, g.code.as_str()), (429, "TooManyRequests"));
    assert_eq!(
        g.retry_after,
        Some(Duration::from_secs(120)),
        "the caller learns how long to wait"
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn service_unavailable_then_success() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        ResponseTemplate::new(503),
        2,
        ResponseTemplate::new(200).set_body_json(connector()),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    c.beta()
        .connectors()
        .get(ID, &[])
        .await
        .expect("retried after 503");
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server = MockServer::start().await;
    for max_retries in [0u32, 2, 4] {
        server.reset().await;
        Mock::given(any())
            .respond_with(throttled("0"))
            .mount(&server)
            .await;
        let c = client(&server.uri(), fast_policy(max_retries));
        let e = c
            .beta()
            .connectors()
            .list_all(ListOptions::default())
            .await
            .unwrap_err();
        let g = e.graph().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!((g.status, g.code.as_str()), (429, "TooManyRequests"));
        // The questions a caller asks, answered without looking at the message.
        assert!(e.is_throttled() && e.is_retryable(), "{e:?}");
        assert_eq!(e.code(), Some("TooManyRequests"));
        assert_eq!(e.retry_after(), Some(Duration::ZERO), "Retry-After: 0");
        assert!(!e.is_not_found());
        assert_eq!(
            requests(&server).await.len() as u32,
            max_retries + 1,
            "max_retries = {max_retries}"
        );
    }
}

#[tokio::test]
async fn bad_request_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "BadRequest", "message": "Invalid"}})),
        )
        .mount(&server)
        .await;
    let c = client(&server.uri(), fast_policy(3));
    let e = c.beta().connectors().get(ID, &[]).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("BadRequest"));
    assert!(!e.is_retryable() && !e.is_throttled(), "{e:?}");
    assert_eq!(e.retry_after(), None);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn other_server_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let c = client(&server.uri(), fast_policy(3));
    let e = c.beta().connectors().get(ID, &[]).await.unwrap_err();
    assert_eq!(e.graph().map(|g| g.code.as_str()), Some("HTTP500"));
    assert!(!e.is_retryable(), "a 500 is not transient: {e:?}");
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn gateway_timeout_retries_get_but_not_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(504))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(connector()))
        .mount(&server)
        .await;
    let c = client(&server.uri(), fast_policy(3));

    let e = c
        .beta()
        .connectors()
        .create(&new_connector())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(504));
    // Transient, though the client did not resend the POST itself: it may have taken effect.
    assert!(e.is_retryable(), "{e:?}");
    let posts = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(
        posts, 1,
        "a POST whose outcome is unknown is not sent again"
    );

    c.beta()
        .connectors()
        .get(ID, &[])
        .await
        .expect("GET retried after 504");
    let gets = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(gets, 2);
}

#[tokio::test]
async fn throttled_create_is_retried_because_graph_did_not_act() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        throttled("0"),
        1,
        ResponseTemplate::new(201)
            .set_body_json(fixture("create_api_connector_basic_response_beta.json")),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    c.beta()
        .connectors()
        .create(&new_connector())
        .await
        .expect("created after 429");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body, "the same body is sent again");
}

/// A raw HTTP/1.1 server: for each connection it reads one request, then either drops the socket
/// without answering (`drop_first` connections) or answers `200` with `body`.
struct RawServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    methods: Arc<Mutex<Vec<String>>>,
}

fn raw_server(drop_first: usize, body: String) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let methods = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (connections.clone(), methods.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let request = read_request(&mut stream);
            seen.lock()
                .unwrap()
                .push(request.split(' ').next().unwrap_or_default().to_string());
            if n < drop_first {
                drop(stream); // close without a response
                continue;
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    RawServer {
        port,
        connections,
        methods,
    }
}

/// Read headers and a `content-length` body.
fn read_request(stream: &mut std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&data).to_string()
}

#[tokio::test]
async fn dropped_connection_is_not_retried_for_create() {
    let server = raw_server(usize::MAX, String::new());
    let c = client(&format!("http://127.0.0.1:{}", server.port), fast_policy(3));
    let e = c
        .beta()
        .connectors()
        .create(&new_connector())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable(), "{e:?}");
    // Give a wrongly scheduled retry time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "the POST may have reached Graph: sent once"
    );
    assert_eq!(*server.methods.lock().unwrap(), ["POST"]);
}

#[tokio::test]
async fn dropped_connection_is_retried_for_get() {
    let server = raw_server(1, connector().to_string());
    let c = client(&format!("http://127.0.0.1:{}", server.port), fast_policy(3));
    let got = c
        .v1()
        .connectors()
        .get(ID, &[])
        .await
        .expect("GET retried on a new connection");
    assert_eq!(got.id.as_deref(), Some(ID));
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
    assert_eq!(*server.methods.lock().unwrap(), ["GET", "GET"]);
}

#[tokio::test]
async fn refused_connection_is_retried_even_for_create() {
    // Nothing listens on the port: the request never reached anyone, so a POST is safe to resend.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(&format!("http://127.0.0.1:{port}"), fast_policy(2));
    let buffer = capture();
    let e = c
        .beta()
        .connectors()
        .create(&new_connector())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    let logs = buffer.text();
    assert_eq!(logs.matches("retrying Graph request").count(), 2, "{logs}");
}

#[tokio::test]
async fn timeout_retries_get_but_not_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(connector())
                .set_delay(Duration::from_secs(2)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(connector()))
        .mount(&server)
        .await;
    let c = GraphClient::builder()
        .base_url(server.uri())
        .retry_policy(fast_policy(3))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c
        .beta()
        .connectors()
        .create(&new_connector())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!(e.is_retryable(), "{e:?}");
    c.beta()
        .connectors()
        .get(ID, &[])
        .await
        .expect("GET retried after a timeout");
    let reqs = requests(&server).await;
    assert_eq!(
        reqs.iter().filter(|r| r.method.as_str() == "POST").count(),
        1
    );
    assert_eq!(
        reqs.iter().filter(|r| r.method.as_str() == "GET").count(),
        2
    );
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    static THREAD_BUFFER: std::cell::RefCell<Option<Buffer>> = const { std::cell::RefCell::new(None) };
}

/// Writes to the buffer of the current thread, if it has one.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        THREAD_BUFFER.with(|b| match &mut *b.borrow_mut() {
            Some(buffer) => buffer.write(data),
            None => Ok(data.len()),
        })
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Capture the formatted events emitted on this thread from now on. One global subscriber serves
/// the whole binary (a thread-local default subscriber is not enough: a callsite first hit on a
/// thread without one may cache "never").
fn capture() -> Buffer {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| ThreadWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    let buffer = Buffer::default();
    THREAD_BUFFER.with(|b| *b.borrow_mut() = Some(buffer.clone()));
    buffer
}

#[tokio::test]
async fn each_retry_emits_a_warning_event() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        ResponseTemplate::new(503),
        2,
        ResponseTemplate::new(200).set_body_json(connector()),
    )
    .await;
    let c = client(&server.uri(), fast_policy(3));
    let buffer = capture();
    c.beta()
        .connectors()
        .get(ID, &[])
        .await
        .expect("success after two 503s");
    let logs = buffer.text();
    let retries: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("retrying Graph request"))
        .collect();
    assert_eq!(retries.len(), 2, "{logs}");
    for (i, line) in retries.iter().enumerate() {
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains(&format!("retry={}", i + 1)), "{line}");
        assert!(line.contains("HTTP 503"), "{line}");
        assert!(line.contains("method=GET"), "{line}");
        assert!(
            line.contains(&format!("/beta/identity/apiConnectors/{ID}")),
            "{line}"
        );
    }
    assert!(!logs.contains("retry-test-token"));
}
