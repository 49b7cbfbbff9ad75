//! The axum extractor `ConnectorCall` and the `IntoResponse` impls, on a real `axum::Router`:
//! the exact status, headers and body of every answer, and a real TLS handshake with a client
//! certificate on 127.0.0.1.
//!
//! The call is the user flow's `POST` with `Content-Type: application/json`
//! (<https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>), authenticated
//! with HTTP basic or a client certificate
//! (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRef, FromRequest, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::{any, post};
use base64::Engine as _;
use entra_api_connectors_contract::{
    BASIC_CHALLENGE, Caller, ConnectorAuth, ConnectorAuthError, ConnectorCall,
    ConnectorCallRejection, ConnectorResponse, Continuation, ContractError,
    INVALID_REQUEST_USER_MESSAGE, PeerCertificate,
};
use http_body_util::BodyExt as _;
use secrecy::SecretString;
use sha1::Digest as _;
use tower::ServiceExt as _;

const USER: &str = "connector";
const PASSWORD: &str = "s3cret:pass";
const BODY: &str = r#"{"email":"ana@example.com","displayName":"Ana","step":"PostAttributeCollection","extension_0123456789abcdef0123456789abcdef_Tier":"gold"}"#;
const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// The state of an API that holds more than its credentials: `ConnectorAuth` comes out of it
/// through `FromRef`.
#[derive(Clone)]
struct AppState {
    auth: ConnectorAuth,
    handled: Arc<AtomicUsize>,
}

impl FromRef<AppState> for ConnectorAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

/// Answers with what it saw: the caller and two claims of the request.
async fn signup(State(state): State<AppState>, call: ConnectorCall) -> ConnectorResponse {
    state.handled.fetch_add(1, Ordering::SeqCst);
    let caller = match &call.caller {
        Caller::Basic { username } => format!("basic {username}"),
        Caller::ClientCertificate { thumbprint } => format!("certificate {thumbprint}"),
        other => panic!("unexpected caller {other:?}"),
    };
    let mut continuation = Continuation::new()
        .with_claim("caller", caller)
        .unwrap()
        .with_claim("step", call.request.step.map(|s| s.as_str()).unwrap_or("-"))
        .unwrap();
    if let Some(email) = &call.request.email {
        continuation.insert_claim("email", email.as_str()).unwrap();
    }
    if let Some(tier) = call
        .request
        .additional_claims
        .get("extension_0123456789abcdef0123456789abcdef_Tier")
    {
        continuation.insert_claim("tier", tier.clone()).unwrap();
    }
    continuation.into()
}

fn app(auth: ConnectorAuth) -> (Router, Arc<AtomicUsize>) {
    let handled = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        auth,
        handled: handled.clone(),
    };
    // `any`, so that the extractor itself sees other methods.
    let router = Router::new()
        .route("/signup", any(signup))
        .with_state(state);
    (router, handled)
}

fn basic_auth() -> ConnectorAuth {
    ConnectorAuth::basic(USER, SecretString::from(PASSWORD)).unwrap()
}

fn basic_header(user_colon_password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_colon_password)
    )
}

fn good_basic() -> String {
    basic_header(&format!("{USER}:{PASSWORD}"))
}

fn call(authorization: Option<&str>, content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post("/signup");
    if let Some(a) = authorization {
        builder = builder.header(header::AUTHORIZATION, a);
    }
    if let Some(c) = content_type {
        builder = builder.header(header::CONTENT_TYPE, c);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The answer is exactly this status, `Content-Type`, `Content-Length` and body; the only
    /// other header allowed is `extra`.
    #[track_caller]
    fn assert_exact(
        &self,
        status: u16,
        content_type: &str,
        body: &str,
        extra: Option<(header::HeaderName, &str)>,
    ) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body, body);
        assert_eq!(self.header(header::CONTENT_TYPE), Some(content_type));
        let length = body.len().to_string();
        assert_eq!(self.header(header::CONTENT_LENGTH), Some(length.as_str()));
        let mut expected = vec![header::CONTENT_TYPE, header::CONTENT_LENGTH];
        if let Some((name, value)) = extra {
            assert_eq!(self.header(name.clone()), Some(value));
            expected.push(name);
        }
        let mut names: Vec<_> = self.headers.keys().cloned().collect();
        names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        assert_eq!(names, expected);
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// The rejection itself, from the extractor without a router.
async fn reject(auth: ConnectorAuth, request: Request<Body>) -> ConnectorCallRejection {
    ConnectorCall::from_request(request, &auth)
        .await
        .unwrap_err()
}

const INVALID_REQUEST_BODY: &str = r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Your sign-up could not be checked. Please try again."}"#;

/// Graph's thumbprint, computed here independently of the crate.
fn sha1_hex(der: &[u8]) -> String {
    sha1::Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Basic authentication
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn basic_call_is_parsed_and_answered_exactly() {
    let (router, handled) = app(basic_auth());
    let answer = send(&router, call(Some(&good_basic()), Some(JSON), BODY)).await;
    answer.assert_exact(
        200,
        JSON,
        r#"{"version":"1.0.0","action":"Continue","caller":"basic connector","step":"PostAttributeCollection","email":"ana@example.com","tier":"gold"}"#,
        None,
    );
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn json_content_type_is_matched_without_case_or_parameters() {
    let (router, handled) = app(basic_auth());
    for content_type in [
        "application/json; charset=utf-8",
        "Application/JSON",
        " application/json ;x=1",
    ] {
        let answer = send(&router, call(Some(&good_basic()), Some(content_type), BODY)).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{content_type}: {}",
            answer.body
        );
    }
    assert_eq!(handled.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn missing_or_wrong_basic_credentials_get_401_with_a_basic_challenge() {
    let (router, handled) = app(basic_auth());
    let cases = [
        (
            None,
            "the call has no Authorization header; HTTP basic credentials are expected",
        ),
        (
            Some(basic_header(&format!("{USER}:wrong"))),
            "the HTTP basic credentials are not the expected ones",
        ),
        (
            Some(basic_header(&format!("other:{PASSWORD}"))),
            "the HTTP basic credentials are not the expected ones",
        ),
        (
            Some("Bearer abc.def".to_owned()),
            "the Authorization header is not valid HTTP basic credentials: the scheme is not Basic",
        ),
        (
            Some("Basic %%%".to_owned()),
            "the Authorization header is not valid HTTP basic credentials: the credentials are not valid base64",
        ),
    ];
    for (authorization, message) in cases {
        let answer = send(&router, call(authorization.as_deref(), Some(JSON), BODY)).await;
        answer.assert_exact(
            401,
            TEXT,
            message,
            Some((header::WWW_AUTHENTICATE, BASIC_CHALLENGE)),
        );
    }
    assert_eq!(
        BASIC_CHALLENGE,
        r#"Basic realm="API connector", charset="UTF-8""#
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0, "no handler ran");
}

#[tokio::test]
async fn basic_rejections_are_typed() {
    let wrong = reject(
        basic_auth(),
        call(Some(&basic_header("connector:nope")), Some(JSON), BODY),
    )
    .await;
    assert!(
        matches!(
            wrong,
            ConnectorCallRejection::Unauthenticated(ConnectorAuthError::WrongCredentials)
        ),
        "{wrong:?}"
    );
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let missing = reject(basic_auth(), call(None, Some(JSON), BODY)).await;
    assert!(
        matches!(
            missing,
            ConnectorCallRejection::Unauthenticated(ConnectorAuthError::MissingCredentials)
        ),
        "{missing:?}"
    );

    // A header that is not visible ASCII still reaches the check, as bytes.
    let mut request = call(None, Some(JSON), BODY);
    request.headers_mut().insert(
        header::AUTHORIZATION,
        header::HeaderValue::from_bytes(b"Basic \xe9t\xe9").unwrap(),
    );
    let non_utf8 = reject(basic_auth(), request).await;
    assert!(
        matches!(
            non_utf8,
            ConnectorCallRejection::Unauthenticated(ConnectorAuthError::MalformedCredentials(
                "the header is not valid UTF-8"
            ))
        ),
        "{non_utf8:?}"
    );
}

#[tokio::test]
async fn credentials_are_checked_before_the_body_is_read() {
    // Wrong credentials, wrong content type and a broken body: the answer is about the credentials.
    let (router, _) = app(basic_auth());
    let answer = send(
        &router,
        call(
            Some(&basic_header("connector:x")),
            Some("text/plain"),
            "{broken",
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let rejection = reject(
        basic_auth(),
        call(
            Some(&basic_header("connector:x")),
            Some("text/plain"),
            "{broken",
        ),
    )
    .await;
    assert!(
        matches!(rejection, ConnectorCallRejection::Unauthenticated(_)),
        "{rejection:?}"
    );
}

#[tokio::test]
async fn rejections_never_show_the_password_or_the_header() {
    let header = basic_header(&format!("{USER}:{PASSWORD}x"));
    let rejection = reject(basic_auth(), call(Some(&header), Some(JSON), BODY)).await;
    let text = format!("{rejection} {rejection:?}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(!text.contains(&header[6..]), "{text}");
    let auth = format!("{:?}", basic_auth());
    assert!(!auth.contains(PASSWORD), "{auth}");
}

// ---------------------------------------------------------------------------------------------
// Method, content type and body
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn other_methods_get_405_with_allow_post() {
    let (router, handled) = app(basic_auth());
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let request = Request::builder()
            .method(method)
            .uri("/signup")
            .header(header::AUTHORIZATION, good_basic())
            .header(header::CONTENT_TYPE, JSON)
            .body(Body::from(BODY))
            .unwrap();
        let answer = send(&router, request).await;
        answer.assert_exact(
            405,
            TEXT,
            &format!("API connector calls are POST requests, not {method}"),
            Some((header::ALLOW, "POST")),
        );
    }
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn other_content_types_get_415() {
    let (router, handled) = app(basic_auth());
    let cases = [
        (None, "none"),
        (Some("text/plain"), "text/plain"),
        (
            Some("application/x-www-form-urlencoded"),
            "application/x-www-form-urlencoded",
        ),
        (Some("application/jsonp"), "application/jsonp"),
    ];
    for (content_type, shown) in cases {
        let answer = send(&router, call(Some(&good_basic()), content_type, BODY)).await;
        answer.assert_exact(
            415,
            TEXT,
            &format!("API connector calls send Content-Type: application/json, not {shown}"),
            None,
        );
    }
    let rejection = reject(
        basic_auth(),
        call(Some(&good_basic()), Some("text/csv"), BODY),
    )
    .await;
    assert!(
        matches!(&rejection, ConnectorCallRejection::UnsupportedContentType(Some(c)) if c == "text/csv"),
        "{rejection:?}"
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_body_that_is_not_a_contract_request_gets_the_contracts_validation_error() {
    let (router, handled) = app(basic_auth());
    for body in [
        "{broken",
        "[1,2]",
        r#"{"email":5}"#,
        r#"{"step":"Nowhere"}"#,
        "",
    ] {
        let answer = send(&router, call(Some(&good_basic()), Some(JSON), body)).await;
        answer.assert_exact(400, JSON, INVALID_REQUEST_BODY, None);
        // The body is the contract's own validation error, as the user flow reads a 400.
        assert_eq!(
            ConnectorResponse::from_http(400, &answer.body).unwrap(),
            ConnectorResponse::validation_error(INVALID_REQUEST_USER_MESSAGE),
            "{body}"
        );
    }
    assert_eq!(handled.load(Ordering::SeqCst), 0);

    let rejection = reject(
        basic_auth(),
        call(Some(&good_basic()), Some(JSON), r#"{"email":5}"#),
    )
    .await;
    let ConnectorCallRejection::InvalidRequest(ContractError::InvalidRequest(reason)) = &rejection
    else {
        panic!("{rejection:?}");
    };
    assert!(reason.contains("invalid type: integer `5`"), "{reason}");
    assert_eq!(rejection.status(), StatusCode::BAD_REQUEST);
    // The cause is for the API's log, not for the user.
    assert!(!INVALID_REQUEST_BODY.contains("integer"));
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let (router, handled) = app(basic_auth());
    let router = router.layer(DefaultBodyLimit::max(64));
    let big = format!(r#"{{"email":"{}@example.com"}}"#, "a".repeat(100));
    let answer = send(&router, call(Some(&good_basic()), Some(JSON), &big)).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.header(header::CONTENT_TYPE), Some(TEXT));
    assert!(
        answer.body.starts_with("cannot read the request body: "),
        "{}",
        answer.body
    );
    // Within the limit, the same router answers.
    let small = send(
        &router,
        call(Some(&good_basic()), Some(JSON), r#"{"email":"a@b.c"}"#),
    )
    .await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.body);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------
// Client certificates (the extension as a TLS acceptor inserts it)
// ---------------------------------------------------------------------------------------------

fn with_certificate(mut request: Request<Body>, der: &[u8]) -> Request<Body> {
    request.extensions_mut().insert(PeerCertificate::new(der));
    request
}

#[tokio::test]
async fn certificate_call_with_an_accepted_thumbprint_is_answered_exactly() {
    let (current, next) = (
        b"current certificate".as_slice(),
        b"next certificate".as_slice(),
    );
    let auth =
        ConnectorAuth::client_certificate([sha1_hex(current).to_ascii_lowercase(), sha1_hex(next)])
            .unwrap();
    let (router, handled) = app(auth);
    for der in [current, next] {
        let answer = send(&router, with_certificate(call(None, Some(JSON), BODY), der)).await;
        answer.assert_exact(
            200,
            JSON,
            &format!(
                r#"{{"version":"1.0.0","action":"Continue","caller":"certificate {}","step":"PostAttributeCollection","email":"ana@example.com","tier":"gold"}}"#,
                sha1_hex(der)
            ),
            None,
        );
    }
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn missing_or_unknown_certificates_get_403() {
    let accepted = b"accepted".as_slice();
    let auth = ConnectorAuth::client_certificate([sha1_hex(accepted)]).unwrap();
    let (router, handled) = app(auth.clone());

    // Basic credentials do not stand in for the certificate.
    let answer = send(&router, call(Some(&good_basic()), Some(JSON), BODY)).await;
    answer.assert_exact(
        403,
        TEXT,
        "the caller presented no client certificate",
        None,
    );

    let other = b"someone else".as_slice();
    let answer = send(
        &router,
        with_certificate(call(None, Some(JSON), BODY), other),
    )
    .await;
    answer.assert_exact(
        403,
        TEXT,
        &format!(
            "client certificate {} is not an accepted one",
            sha1_hex(other)
        ),
        None,
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0);

    let rejection = reject(auth, with_certificate(call(None, Some(JSON), BODY), other)).await;
    assert!(
        matches!(
            &rejection,
            ConnectorCallRejection::Unauthenticated(ConnectorAuthError::UnknownClientCertificate { thumbprint })
                if *thumbprint == sha1_hex(other)
        ),
        "{rejection:?}"
    );
    assert_eq!(rejection.status(), StatusCode::FORBIDDEN);
}

#[test]
fn peer_certificate_debug_shows_the_thumbprint() {
    let peer = PeerCertificate::new(b"der".as_slice());
    assert_eq!(peer.der(), b"der");
    assert_eq!(
        format!("{peer:?}"),
        format!("PeerCertificate({:?})", sha1_hex(b"der"))
    );
}

// ---------------------------------------------------------------------------------------------
// ConnectorResponse as an axum response
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn connector_responses_are_sent_with_their_status_and_json() {
    let router = Router::new()
        .route(
            "/block",
            post(|| async { ConnectorResponse::block("No \"sign-ups\" today.") }),
        )
        .route(
            "/invalid",
            post(|| async {
                ConnectorResponse::validation_error("Please enter a valid postal code.")
            }),
        )
        .route(
            "/continue",
            post(|| async { ConnectorResponse::continuation() }),
        );
    let empty = || Request::post("/").body(Body::empty()).unwrap();
    let at = |path: &str| {
        let mut request = empty();
        *request.uri_mut() = path.parse().unwrap();
        request
    };
    send(&router, at("/block")).await.assert_exact(
        200,
        JSON,
        r#"{"version":"1.0.0","action":"ShowBlockPage","userMessage":"No \"sign-ups\" today."}"#,
        None,
    );
    send(&router, at("/invalid")).await.assert_exact(
        400,
        JSON,
        r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code."}"#,
        None,
    );
    send(&router, at("/continue")).await.assert_exact(
        200,
        JSON,
        r#"{"version":"1.0.0","action":"Continue"}"#,
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// A real TLS handshake: the acceptor inserts the peer certificate, as the docs show
// ---------------------------------------------------------------------------------------------

mod tls {
    use super::*;

    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

    pub struct Pki {
        pub ca: CertificateDer<'static>,
        issuer: CertifiedIssuer<'static, KeyPair>,
    }

    pub struct Identity {
        pub der: CertificateDer<'static>,
        pub key: PrivateKeyDer<'static>,
    }

    impl Pki {
        pub fn new() -> Self {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            let issuer =
                CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
            Pki {
                ca: issuer.der().clone(),
                issuer,
            }
        }

        pub fn issue(&self, host: &str) -> Identity {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(vec![host.to_owned()])
                .unwrap()
                .signed_by(&key, &self.issuer)
                .unwrap();
            Identity {
                der: cert.der().clone(),
                key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            }
        }
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// Serves `router` over TLS on 127.0.0.1, asking for (not requiring) a client certificate
    /// issued by the CA, and inserting it as `PeerCertificate` exactly as the crate docs show.
    pub async fn serve(pki: &Pki, server: Identity, router: Router) -> u16 {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca.clone()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .allow_unauthenticated()
        .build()
        .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![server.der], server.key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, app) = (acceptor.clone(), router.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let peer = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .map(|leaf| PeerCertificate::new(leaf.as_ref()));
                    let service = hyper::service::service_fn(
                        move |mut req: hyper::Request<hyper::body::Incoming>| {
                            if let Some(peer) = &peer {
                                req.extensions_mut().insert(peer.clone());
                            }
                            app.clone().oneshot(req)
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        port
    }

    /// One `POST /signup` over TLS, presenting `client` if given; the status and body.
    pub async fn post(pki: &Pki, port: u16, client: Option<Identity>, body: &str) -> (u16, String) {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca.clone()).unwrap();
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match client {
            Some(id) => builder.with_client_auth_cert(vec![id.der], id.key).unwrap(),
            None => builder.with_no_client_auth(),
        };
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .unwrap();
        tokio::spawn(connection);
        let request = hyper::Request::post("/signup")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, JSON)
            .body(http_body_util::Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }
}

#[tokio::test]
async fn over_tls_the_presented_certificate_is_checked() {
    let pki = tls::Pki::new();
    let client = pki.issue("connector.contoso.onmicrosoft.com");
    let stranger = pki.issue("stranger.example");
    let (client_thumbprint, stranger_thumbprint) = (sha1_hex(&client.der), sha1_hex(&stranger.der));
    let auth = ConnectorAuth::client_certificate([&client_thumbprint]).unwrap();
    let (router, handled) = app(auth);
    let port = tls::serve(&pki, pki.issue("localhost"), router).await;

    let (status, body) = tls::post(&pki, port, Some(client), BODY).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        format!(
            r#"{{"version":"1.0.0","action":"Continue","caller":"certificate {client_thumbprint}","step":"PostAttributeCollection","email":"ana@example.com","tier":"gold"}}"#
        )
    );

    let (status, body) = tls::post(&pki, port, Some(stranger), BODY).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        format!("client certificate {stranger_thumbprint} is not an accepted one")
    );

    let (status, body) = tls::post(&pki, port, None, BODY).await;
    assert_eq!(status, 403);
    assert_eq!(body, "the caller presented no client certificate");
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}
