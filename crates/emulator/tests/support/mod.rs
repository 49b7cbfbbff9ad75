//! What the emulator's integration tests share: the Graph fixtures, a plain HTTP client (reqwest,
//! not the client crate), starting an emulator with a Graph client for it, and the checks of
//! Graph's answers (status, error body, id headers).

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::ops::Deref;

use entra_api_connectors_emulator::{
    Emulator, EmulatorConfig, FlowFamily, GraphVersion, TenantKind,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The bearer token the emulator accepts unless configured otherwise (written out here, not taken
/// from the crate, so that a changed default shows).
pub const TOKEN: &str = "emulator-token";

/// A plain reqwest client (reqwest needs a process-wide rustls provider).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("client")
}

/// A JSON fixture from the client crate's `tests/fixtures/graph/` (see its README).
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/graph/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("fixture JSON")
}

/// A create body of a basic-authentication connector.
pub fn basic_connector(
    display_name: &str,
    target_url: &str,
    username: &str,
    password: &str,
) -> Value {
    json!({
        "displayName": display_name,
        "targetUrl": target_url,
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": username,
            "password": password,
        }
    })
}

/// An answer, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    /// Reads status, headers and body.
    pub async fn read(resp: reqwest::Response) -> Self {
        Resp {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// A header's value, `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    /// Asserts a Graph error: status, code, JSON content type, and ids matching the headers.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.header("content-type"), "application/json");
        let body = self.json();
        let err = &body["error"];
        assert_eq!(err["code"], code, "{body}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        let inner = &err["innerError"];
        assert_eq!(inner["request-id"], self.header("request-id"));
        assert_eq!(inner["client-request-id"], self.header("client-request-id"));
        let date = inner["date"].as_str().unwrap();
        assert_eq!(date.len(), 19, "no offset, no fraction: {date}");
        assert_eq!(&date[10..11], "T");
        body
    }
}

/// Graph requests to one emulator, with [`TOKEN`].
pub struct Graph {
    pub http: reqwest::Client,
    base_url: String,
}

impl Graph {
    pub fn new(emulator: &Emulator) -> Self {
        Graph {
            http: http_client(),
            base_url: emulator.base_url(),
        }
    }

    /// `http://127.0.0.1:PORT/{version}{path}`.
    pub fn url(&self, version: GraphVersion, path: &str) -> String {
        format!("{}/{}{path}", self.base_url, version.as_str())
    }

    /// Sends `body` (if any) as JSON to `url`.
    pub async fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Resp {
        let mut req = self.http.request(method, url).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(b);
        }
        Resp::read(req.send().await.expect("response")).await
    }

    /// [`Graph::send`] to a beta path.
    pub async fn beta(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        self.send(method, &self.url(GraphVersion::Beta, path), body)
            .await
    }

    /// Creates a connector in beta; asserts `201` and returns its id.
    pub async fn create_connector(&self, body: &Value) -> String {
        let r = self
            .beta(Method::POST, "/identity/apiConnectors", Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Binds `connector` at `step` of `flow` with `PUT …/$ref` in beta; asserts `204`.
    pub async fn bind(&self, family: FlowFamily, flow: &str, step: &str, connector: &str) {
        let path = format!(
            "/identity/{}/{flow}/apiConnectorConfiguration/{step}/$ref",
            family.segment()
        );
        let target = self.url(
            GraphVersion::Beta,
            &format!("/identity/apiConnectors/{connector}"),
        );
        let r = self
            .beta(Method::PUT, &path, Some(&json!({ "@odata.id": target })))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    }
}

/// A running emulator and a [`Graph`] client for it (its methods are the emulator's).
pub struct Emu {
    pub emu: Emulator,
    graph: Graph,
}

impl Emu {
    pub async fn start(config: EmulatorConfig) -> Self {
        let emu = Emulator::start(config).await.expect("emulator starts");
        let graph = Graph::new(&emu);
        Emu { emu, graph }
    }

    /// An Azure AD B2C tenant with the defaults.
    pub async fn b2c() -> Self {
        Self::start(EmulatorConfig::new(TenantKind::B2c)).await
    }
}

impl Deref for Emu {
    type Target = Graph;

    fn deref(&self) -> &Graph {
        &self.graph
    }
}
