//! A fake server on 127.0.0.1 (a token endpoint, or a Graph that refuses) that records each
//! request and answers with a fixed status and JSON body: over HTTPS (azure_identity's assertion credentials accept only an https authority), with a
//! test CA the binary trusts through `SSL_CERT_FILE`, or over plain HTTP (managed identity).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

/// A request the endpoint received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`.
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Recorded {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The form fields of the body.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    /// One form field.
    pub fn field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// A running fake server.
pub struct RecordingServer {
    /// `https://127.0.0.1:PORT/` or `http://127.0.0.1:PORT/`.
    pub url: String,
    /// The CA to trust for the HTTPS one (a PEM file), for `SSL_CERT_FILE`.
    pub ca_file: Option<PathBuf>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    _runtime: tokio::runtime::Runtime,
}

impl RecordingServer {
    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// An HTTPS endpoint answering `answer`, its CA written to `dir`.
    pub fn https(dir: &Path, answer: serde_json::Value) -> RecordingServer {
        let ca = super::test_ca::loopback("apiconn test CA");
        let ca_file = dir.join("test-ca.pem");
        std::fs::write(&ca_file, pem(&ca.ca_der)).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(ca.server);
        Self::start(Some(acceptor), 200, answer, Some(ca_file))
    }

    /// A plain HTTP endpoint answering `answer`.
    pub fn http(answer: serde_json::Value) -> RecordingServer {
        Self::start(None, 200, answer, None)
    }

    /// A plain HTTP endpoint answering every request with `status` and `answer`.
    pub fn http_status(status: u16, answer: serde_json::Value) -> RecordingServer {
        Self::start(None, status, answer, None)
    }

    fn start(
        tls: Option<tokio_rustls::TlsAcceptor>,
        status: u16,
        answer: serde_json::Value,
        ca_file: Option<PathBuf>,
    ) -> RecordingServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let answer = Arc::new(answer.to_string());
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (tls, recorded, answer) = (tls.clone(), recorded.clone(), answer.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                serve(stream, recorded, status, answer).await;
                            }
                        }
                        None => serve(tcp, recorded, status, answer).await,
                    }
                });
            }
        });
        let scheme = if ca_file.is_some() { "https" } else { "http" };
        RecordingServer {
            url: format!("{scheme}://127.0.0.1:{port}/"),
            ca_file,
            requests,
            _runtime: runtime,
        }
    }
}

async fn serve<I>(io: I, recorded: Arc<Mutex<Vec<Recorded>>>, status: u16, answer: Arc<String>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let (recorded, answer) = (recorded.clone(), answer.clone());
        async move {
            let method = request.method().to_string();
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            let headers = request
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let body = request.into_body().collect().await.unwrap().to_bytes();
            recorded.lock().unwrap().push(Recorded {
                method,
                target,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            Ok::<_, Infallible>(
                Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(answer.as_bytes().to_vec())))
                    .unwrap(),
            )
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// DER as a PEM `CERTIFICATE` block.
pub fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}
