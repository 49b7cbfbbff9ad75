//! The emulator serves every operation the generated bindings have: each path and method of each
//! version's `OPENAPI_JSON` is sent to a fresh emulator (plain reqwest, no client types), after the
//! entities its path names were created there, with a minimal valid body where it takes one, and
//! must answer the success status the OpenAPI documents. A new operation in the spec that the
//! emulator does not serve fails here (a `404`/`400` "no such segment", a `405`).

use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, ServicePrincipal, TenantKind,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The bearer token the emulator accepts by default.
const TOKEN: &str = "emulator-token";

/// One operation of an OpenAPI document.
#[derive(Debug)]
struct Operation {
    method: Method,
    /// The path template, e.g. `/identity/apiConnectors/{id}`.
    path: String,
    /// The documented success status (the one `2XX` key of `responses`).
    success: StatusCode,
    /// The `$ref` name of the JSON request body's schema, if the operation takes a body.
    body_schema: Option<String>,
}

/// Every operation of `openapi`, in document order.
fn operations(openapi: &str) -> Vec<Operation> {
    let doc: Value = serde_json::from_str(openapi).expect("OPENAPI_JSON is JSON");
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for (name, op) in item.as_object().expect("a path item is an object") {
            let method = match name.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                // `parameters`, `summary` and the like.
                _ => continue,
            };
            let successes: Vec<StatusCode> = op["responses"]
                .as_object()
                .expect("an operation has responses")
                .keys()
                .filter_map(|k| k.parse::<u16>().ok())
                .filter(|s| (200..300).contains(s))
                .map(|s| StatusCode::from_u16(s).expect("a status code"))
                .collect();
            let [success] = successes[..] else {
                panic!("{name} {path}: expected one documented 2xx status, got {successes:?}");
            };
            let body_schema = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned());
            if op.get("requestBody").is_some() {
                assert!(
                    body_schema.is_some(),
                    "{name} {path}: a request body without a JSON schema reference"
                );
            }
            out.push(Operation {
                method,
                path: path.clone(),
                success,
                body_schema,
            });
        }
    }
    out
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/graph/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("fixture JSON")
}

/// The user-flow collection a path is in, if any.
fn flow_collection(path: &str) -> Option<&'static str> {
    ["b2cUserFlows", "b2xUserFlows"]
        .into_iter()
        .find(|c| path.split('/').any(|s| s == *c))
}

/// Whether a path belongs to External ID's extensibility resources (external tenants).
fn is_extensibility(path: &str) -> bool {
    [
        "customAuthenticationExtensions",
        "authenticationEventsFlows",
        "authenticationEventListeners",
    ]
    .into_iter()
    .any(|c| path.split('/').any(|s| s == c))
}

/// A Graph fixture of External ID's extensibility resources.
fn ext_fixture(name: &str) -> Value {
    fixture(&format!("custom-extensions/{name}"))
}

/// The app of the events-flow fixtures and the app of the listener fixtures.
const FLOW_FIXTURE_APP: &str = "63856651-13d9-4784-9abf-20758d509e19";
const LISTENER_FIXTURE_APP: &str = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";

/// A minimal create body of a flow in `collection` named `name`.
fn flow_body(collection: &str, name: &str) -> Value {
    match collection {
        "b2cUserFlows" => json!({"id": name, "userFlowType": "signUp", "userFlowTypeVersion": 3}),
        _ => json!({"id": name, "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}),
    }
}

/// An emulator of the tenant kind `op` needs (b2c flows exist on B2C tenants only, b2x flows on
/// workforce tenants only), with a connector and, for flow paths, a user flow created first.
struct Setup {
    emulator: Emulator,
    http: reqwest::Client,
    base: String,
    connector_id: String,
    flow_id: Option<String>,
    /// External tenants: a custom extension, an events flow and a listener created first.
    extension_id: String,
    events_flow_id: String,
    listener_id: String,
}

impl Setup {
    async fn new(version: &str, op: &Operation) -> Self {
        let collection = flow_collection(&op.path);
        let extensibility = is_extensibility(&op.path);
        let kind = match collection {
            _ if extensibility => TenantKind::External,
            Some("b2xUserFlows") => TenantKind::Workforce,
            _ => TenantKind::B2c,
        };
        let mut config = EmulatorConfig::new(kind);
        if extensibility {
            // The fixtures' apps exist in the tenant (an app linked to a flow needs one).
            for app in [FLOW_FIXTURE_APP, LISTENER_FIXTURE_APP] {
                config = config.service_principal(ServicePrincipal::new(app, "Fixture app"));
            }
        }
        let emulator = Emulator::start(config).await.expect("emulator starts");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let base = format!("{}/{version}", emulator.base_url());
        let mut setup = Setup {
            emulator,
            http,
            base,
            connector_id: String::new(),
            flow_id: None,
            extension_id: String::new(),
            events_flow_id: String::new(),
            listener_id: String::new(),
        };
        if extensibility {
            let extension = setup
                .created(
                    "/identity/customAuthenticationExtensions",
                    &ext_fixture(
                        "create_custom_authentication_extension_token_issuance_start_request.json",
                    ),
                )
                .await;
            setup.extension_id = extension["id"].as_str().expect("an id").to_owned();
            let flow = setup
                .created(
                    "/identity/authenticationEventsFlows",
                    &ext_fixture("create_authentication_events_flow_with_application_request.json"),
                )
                .await;
            setup.events_flow_id = flow["id"].as_str().expect("an id").to_owned();
            let listener = setup
                .created(
                    "/identity/authenticationEventListeners",
                    &setup.listener_body(),
                )
                .await;
            setup.listener_id = listener["id"].as_str().expect("an id").to_owned();
            return setup;
        }
        let connector = setup
            .created(
                "/identity/apiConnectors",
                &fixture("create_api_connector_basic_request.json"),
            )
            .await;
        setup.connector_id = connector["id"].as_str().expect("an id").to_owned();
        if let Some(collection) = collection {
            let flow = setup
                .created(
                    &format!("/identity/{collection}"),
                    &flow_body(collection, "CoverageTarget"),
                )
                .await;
            setup.flow_id = Some(flow["id"].as_str().expect("an id").to_owned());
        }
        setup
    }

    /// `POST`s a create body to `path`, asserting `201`.
    async fn created(&self, path: &str, body: &Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .expect("response");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert_eq!(status, StatusCode::CREATED, "setup POST {path}: {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    /// The template with each `{parameter}` replaced by the id of the entity of the collection
    /// before it.
    fn fill(&self, template: &str) -> String {
        let segments: Vec<&str> = template.split('/').collect();
        let filled: Vec<String> = segments
            .iter()
            .enumerate()
            .map(|(i, seg)| {
                if !(seg.starts_with('{') && seg.ends_with('}')) {
                    return (*seg).to_owned();
                }
                match segments.get(i.wrapping_sub(1)).copied() {
                    Some("apiConnectors") => self.connector_id.clone(),
                    Some("b2cUserFlows" | "b2xUserFlows") => {
                        self.flow_id.clone().expect("a flow was created")
                    }
                    Some("customAuthenticationExtensions") => self.extension_id.clone(),
                    Some("authenticationEventsFlows") => self.events_flow_id.clone(),
                    Some("authenticationEventListeners") => self.listener_id.clone(),
                    Some("includeApplications") => FLOW_FIXTURE_APP.to_owned(),
                    // An attribute of the flow fixture's attribute collection.
                    Some("attributes") => "displayName".to_owned(),
                    other => panic!(
                        "{template}: no entity to put in {seg} after {other:?}; teach the coverage test"
                    ),
                }
            })
            .collect();
        filled.join("/")
    }

    /// The listener create fixture, naming the setup's extension.
    fn listener_body(&self) -> Value {
        let mut body = ext_fixture("create_authentication_event_listener_request.json");
        body["handler"]["customExtension"]["id"] = json!(self.extension_id);
        body
    }

    /// A minimal valid body of the schema `schema` for `op`.
    fn body(&self, op: &Operation, schema: &str) -> Value {
        match (op.method.as_str(), schema) {
            ("POST", "identityApiConnector") => fixture("create_api_connector_basic_request.json"),
            ("PATCH", "identityApiConnector") => fixture("update_api_connector_request.json"),
            ("POST", "uploadClientCertificateRequest") => {
                fixture("upload_client_certificate_request.json")
            }
            ("POST", "b2cIdentityUserFlow") => flow_body("b2cUserFlows", "Coverage"),
            ("POST", "b2xIdentityUserFlow") => flow_body("b2xUserFlows", "Coverage"),
            ("PUT", "ReferenceUpdate") => json!({
                "@odata.id": format!("{}/identity/apiConnectors/{}", self.base, self.connector_id)
            }),
            ("POST", "customAuthenticationExtension") => ext_fixture(
                "create_custom_authentication_extension_attribute_collection_start_request.json",
            ),
            ("PATCH", "customAuthenticationExtension") => {
                ext_fixture("update_custom_authentication_extension_request.json")
            }
            ("POST", "validateAuthenticationConfigurationRequest") => {
                ext_fixture("validate_authentication_configuration_request.json")
            }
            ("POST", "authenticationEventsFlow") => {
                // The setup's flow has the fixture's name, which must be unique.
                let mut body = ext_fixture("create_authentication_events_flow_request.json");
                body["displayName"] = json!("Coverage flow");
                body
            }
            ("PATCH", "authenticationEventsFlow") => {
                ext_fixture("update_authentication_events_flow_request.json")
            }
            ("POST", "authenticationConditionApplication") => json!({
                "@odata.type": "#microsoft.graph.authenticationConditionApplication",
                "appId": DEFAULT_CLIENT_ID,
            }),
            ("POST", "ReferenceCreate") => ext_fixture("add_user_flow_attribute_request.json"),
            ("POST", "authenticationEventListener") => self.listener_body(),
            ("PATCH", "authenticationEventListener") => {
                ext_fixture("update_authentication_event_listener_request.json")
            }
            (method, schema) => panic!(
                "{method} {}: no minimal body for schema `{schema}`; teach the coverage test",
                op.path
            ),
        }
    }
}

/// Sends every operation of `openapi` to an emulator serving `version`; returns what was checked.
async fn check_every_operation(version: &str, openapi: &str) -> Vec<(Method, String)> {
    let ops = operations(openapi);
    assert!(!ops.is_empty(), "{version}: no operations in OPENAPI_JSON");
    let mut checked = Vec::new();
    for op in &ops {
        let setup = Setup::new(version, op).await;
        let url = format!("{}{}", setup.base, setup.fill(&op.path));
        let mut request = setup
            .http
            .request(op.method.clone(), &url)
            .bearer_auth(TOKEN);
        if let Some(schema) = &op.body_schema {
            request = request.json(&setup.body(op, schema));
        }
        let resp = request.send().await.expect("response");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert_eq!(
            status, op.success,
            "{version}: {} {} ({url}) answered {status}: {text}",
            op.method, op.path
        );
        if status == StatusCode::NO_CONTENT {
            assert!(
                text.is_empty(),
                "{} {}: a 204 with a body",
                op.method,
                op.path
            );
        } else {
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} {}: not JSON ({e}): {text}", op.method, op.path));
            assert!(
                body["@odata.context"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(&format!("{}/$metadata#", setup.base))),
                "{} {}: no @odata.context of {version}: {body}",
                op.method,
                op.path
            );
        }
        setup.emulator.shutdown().await;
        checked.push((op.method.clone(), op.path.clone()));
    }
    println!("{version}: {} operations served", checked.len());
    for (method, path) in &checked {
        println!("  {method} {path}");
    }
    checked
}

#[tokio::test]
async fn the_emulator_serves_every_beta_operation() {
    let checked = check_every_operation("beta", entra_api_connectors::beta::OPENAPI_JSON).await;
    // The walk reached the three resource families of the slice.
    for needle in ["apiConnectors", "b2cUserFlows", "b2xUserFlows"] {
        assert!(
            checked.iter().any(|(_, p)| p.contains(needle)),
            "beta: no {needle} operation checked"
        );
    }
}

#[tokio::test]
async fn the_emulator_serves_every_v1_operation() {
    let checked = check_every_operation("v1.0", entra_api_connectors::v1::OPENAPI_JSON).await;
    for needle in [
        "apiConnectors",
        "b2xUserFlows",
        "customAuthenticationExtensions",
        "authenticationEventsFlows",
        "authenticationEventListeners",
    ] {
        assert!(
            checked.iter().any(|(_, p)| p.contains(needle)),
            "v1.0: no {needle} operation checked"
        );
    }
    assert!(
        checked.iter().all(|(_, p)| !p.contains("b2cUserFlows")),
        "v1.0 has no b2cUserFlows"
    );
}
