//! Simulated sign-ups: the emulator plays the user flow and calls the API connectors bound to it,
//! the way Azure AD B2C / Entra External ID do, so that a connector's API can be tested end to end.
//!
//! For each step the flow has bound, in order (`postFederationSignup`, `postAttributeCollection`,
//! `preTokenIssuance`), the emulator `POST`s the documented JSON body to the connector's `targetUrl`
//! with `Content-Type: application/json`, authenticated with HTTP basic authentication or with the
//! connector's active client certificate presented in the TLS handshake. It waits up to the
//! timeout, retries once after a timeout or a connection failure, and applies the answer by the
//! service's rules. Everything is recorded in a [`Transcript`].
//!
//! Behaviour and sources:
//! - Request bodies, steps, responses and how they are applied:
//!   <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>,
//!   <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment>,
//!   <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector>,
//!   <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-approvals>.
//!   `postFederationSignup` runs only when the user signs up with an identity provider; the API then
//!   sees the claims the identity provider gave (email, names) and its answer pre-fills the attribute
//!   collection page (the simulated user keeps the pre-filled values). `postAttributeCollection`
//!   sees every collected attribute and may overwrite them, block, or return a validation error.
//!   `preTokenIssuance` (B2C) sees the created user, `objectId` included, and may only continue;
//!   the claims it returns go into the token, not into the directory. Claims without a value are
//!   left out. Azure AD B2C sends `step`; External ID self-service sign-up (b2x flows) does not.
//! - Failures: an HTTP status other than 200 and 400, a body that is not a response of the
//!   contract, a response that is not allowed at the step (a validation error anywhere but after
//!   attribute collection, a block before token issuance), a timeout after the retry: the sign-up
//!   ends with a generic error ([`SignUpOutcome::ConnectorFailure`]).
//! - Timeouts: 10 s for Azure AD B2C user flows and 20 s for External ID (b2x) flows by default,
//!   configurable with [`EmulatorConfig::connector_timeout`].
//! - Authentication: <https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>; the
//!   certificate presented is the newest uploaded one that is valid now (Graph's `isActive`,
//!   <https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>).
//!
//! Emulator-only: `https` is required for a `targetUrl` by Graph, but the emulator also accepts
//! `http://` for loopback hosts (127.0.0.0/8, `::1`, `localhost`) so that a test API needs no TLS.
//! Over HTTP the simulation is `POST /{version}/emulator/userFlows/{id}/simulateSignUp`, a route
//! outside Graph's `/identity` namespace that takes a [`SignUpInput`] and returns a [`Transcript`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Response, header};
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::{GraphError, Ids};
use super::state::{self, AuthRecord, ConnectorRecord, FlowFamily};
use super::vault::ConnectorSecrets;
use super::{App, Emulator, EmulatorConfig, auth};
use entra_api_connectors_certificate::{self as certificate, Pkcs12Bundle};
use entra_api_connectors_contract::{
    self as contract, BasicCredentials, Claims, ConnectorResponse, ContractError, Step,
    custom_attribute_claim_name,
};

/// Default time the service waits for an API in an Azure AD B2C user flow.
pub const B2C_CONNECTOR_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time the service waits for an API in an External ID (b2x) user flow.
pub const EXTERNAL_ID_CONNECTOR_TIMEOUT: Duration = Duration::from_secs(20);
/// The `b2c-extensions-app` id the emulator uses in custom attribute names
/// (`extension_<id without dashes>_<name>`) unless [`EmulatorConfig::extensions_app_id`] sets one.
pub const DEFAULT_EXTENSIONS_APP_ID: &str = "e4a1e4a1-0000-4000-8000-00000000e4a1";
/// The `client_id` sent when the [`SignUpInput`] names no application.
pub const DEFAULT_CLIENT_ID: &str = "e4a1c11e-0000-4000-8000-00000000e4a1";
/// The `ui_locales` sent when the [`SignUpInput`] names none.
pub const DEFAULT_UI_LOCALES: &str = "en-US";

/// How simulated sign-ups call APIs (part of [`EmulatorConfig`]).
#[derive(Clone)]
pub(crate) struct SignUpSettings {
    timeout: Option<Duration>,
    trusted_cas: Vec<Vec<u8>>,
    extensions_app_id: String,
}

impl Default for SignUpSettings {
    fn default() -> Self {
        SignUpSettings {
            timeout: None,
            trusted_cas: Vec::new(),
            extensions_app_id: contract::normalize_extensions_app_id(DEFAULT_EXTENSIONS_APP_ID)
                .expect("the default extensions app id is a GUID"),
        }
    }
}

impl EmulatorConfig {
    /// How long a simulated sign-up waits for an API before it retries once and then fails
    /// (default: [`B2C_CONNECTOR_TIMEOUT`] for b2c flows, [`EXTERNAL_ID_CONNECTOR_TIMEOUT`] for b2x).
    pub fn connector_timeout(mut self, timeout: Duration) -> Self {
        self.sign_up.timeout = Some(timeout);
        self
    }

    /// Trust this CA certificate (DER) for `https` target URLs in simulated sign-ups. Once one is
    /// given, only the given CAs are trusted; without any, the platform's roots are.
    pub fn trusted_ca(mut self, certificate_der: impl Into<Vec<u8>>) -> Self {
        self.sign_up.trusted_cas.push(certificate_der.into());
        self
    }

    /// The extensions app id used in custom attribute claim names (default
    /// [`DEFAULT_EXTENSIONS_APP_ID`]).
    ///
    /// # Panics
    /// If `app_id` is not a GUID.
    pub fn extensions_app_id(mut self, app_id: &str) -> Self {
        self.sign_up.extensions_app_id =
            contract::normalize_extensions_app_id(app_id).unwrap_or_else(|e| panic!("{e}"));
        self
    }
}

/// What the simulated user brings to the sign-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpInput {
    /// The claims the user has: from the identity provider (`email`, `displayName`, `givenName`,
    /// `surname`) and entered on the attribute collection page (any user attribute, custom
    /// attributes as `extension_<name>` or with the app id). Null values are left out.
    #[serde(default)]
    pub claims: Claims,
    /// The identity provider the user signs up with (for example `facebook.com`); `None` for a
    /// local (email) account, in which case `postFederationSignup` does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    /// The application's `client_id` (default [`DEFAULT_CLIENT_ID`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user's `ui_locales` (default [`DEFAULT_UI_LOCALES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
}

impl SignUpInput {
    /// A local-account sign-up with these claims.
    pub fn new(claims: Claims) -> Self {
        SignUpInput {
            claims,
            ..Self::default()
        }
    }

    /// Signs up with an identity provider (`issuer`, for example `google.com`).
    pub fn with_identity_provider(mut self, issuer: impl Into<String>) -> Self {
        self.identity_provider = Some(issuer.into());
        self
    }
}

/// Why a sign-up could not be simulated at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignUpError {
    /// No user flow has this id.
    #[error("user flow `{0}` does not exist")]
    FlowNotFound(String),
    /// The input is not usable.
    #[error("invalid sign-up input: {0}")]
    InvalidInput(String),
}

/// How a call was authenticated. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CallAuth {
    /// `Authorization: Basic …` for this user name.
    Basic {
        /// The user name.
        username: String,
    },
    /// The client certificate presented in the TLS handshake.
    ClientCertificate {
        /// Its thumbprint.
        thumbprint: String,
    },
}

/// What came back from one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CallResponse {
    /// An HTTP response.
    Http {
        /// The status code.
        status: u16,
        /// The body (lossy UTF-8).
        body: String,
    },
    /// No response: a timeout or a connection failure.
    Error {
        /// What happened.
        error: String,
    },
}

/// One HTTP attempt at calling a connector's API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorCall {
    /// The step.
    pub step: Step,
    /// The connector's id.
    pub connector_id: String,
    /// 1 for the first attempt, 2 for the retry.
    pub attempt: u32,
    /// The `targetUrl` posted to.
    pub url: String,
    /// The JSON body sent.
    pub request_body: Value,
    /// How the call was authenticated.
    pub auth: CallAuth,
    /// What came back.
    pub response: CallResponse,
    /// Time until the response or the error, in milliseconds.
    pub elapsed_ms: u64,
}

/// How the sign-up ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SignUpOutcome {
    /// The user was created.
    #[serde(rename_all = "camelCase")]
    UserCreated {
        /// The new user's `objectId`.
        object_id: String,
        /// The user's attributes as stored.
        claims: Claims,
        /// The claims of the issued token: the attributes plus what `preTokenIssuance` returned.
        token_claims: Claims,
    },
    /// An API answered `ShowBlockPage`.
    #[serde(rename_all = "camelCase")]
    Blocked {
        /// The message on the block page.
        user_message: String,
        /// Where.
        step: Step,
    },
    /// An API answered `ValidationError`: the user stays on the attribute collection page.
    #[serde(rename_all = "camelCase")]
    ValidationError {
        /// The message shown on the page.
        user_message: String,
        /// Where (always `PostAttributeCollection`).
        step: Step,
    },
    /// The call failed or the answer broke the contract; the user sees a generic error.
    #[serde(rename_all = "camelCase")]
    ConnectorFailure {
        /// Where.
        step: Step,
        /// Why.
        reason: String,
    },
}

/// Everything a simulated sign-up did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    /// The user flow's id.
    pub user_flow_id: String,
    /// Every HTTP attempt, in order.
    pub calls: Vec<ConnectorCall>,
    /// Remarks: skipped steps, ignored claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How it ended.
    pub outcome: SignUpOutcome,
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sign-up on {}", self.user_flow_id)?;
        for call in &self.calls {
            let auth = match &call.auth {
                CallAuth::Basic { username } => format!("basic {username}"),
                CallAuth::ClientCertificate { thumbprint } => format!("certificate {thumbprint}"),
            };
            writeln!(
                f,
                "  {} attempt {}: POST {} ({auth})",
                call.step, call.attempt, call.url
            )?;
            writeln!(f, "    request  {}", call.request_body)?;
            match &call.response {
                CallResponse::Http { status, body } => {
                    writeln!(f, "    response {status} {body} ({} ms)", call.elapsed_ms)?
                }
                CallResponse::Error { error } => {
                    writeln!(f, "    error    {error} ({} ms)", call.elapsed_ms)?
                }
            }
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        match &self.outcome {
            SignUpOutcome::UserCreated {
                object_id,
                claims,
                token_claims,
            } => {
                writeln!(f, "outcome: user created, objectId {object_id}")?;
                writeln!(
                    f,
                    "  claims {}",
                    Value::from(Map::from_iter(claims.clone()))
                )?;
                write!(
                    f,
                    "  token  {}",
                    Value::from(Map::from_iter(token_claims.clone()))
                )
            }
            SignUpOutcome::Blocked { user_message, step } => {
                write!(f, "outcome: blocked at {step}: {user_message}")
            }
            SignUpOutcome::ValidationError { user_message, step } => {
                write!(f, "outcome: validation error at {step}: {user_message}")
            }
            SignUpOutcome::ConnectorFailure { step, reason } => {
                write!(f, "outcome: connector failure at {step}: {reason}")
            }
        }
    }
}

impl Emulator {
    /// Simulates a sign-up on user flow `flow_id` (case-insensitive), calling the API connectors
    /// bound to it over HTTP. The rules are in `src/emulator/signup.rs`.
    pub async fn simulate_sign_up(
        &self,
        flow_id: &str,
        input: SignUpInput,
    ) -> Result<Transcript, SignUpError> {
        run(&self.app, flow_id, input).await
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP route

/// `POST /{version}/emulator/userFlows/{id}/simulateSignUp` (bearer token required, like Graph).
pub(crate) async fn simulate_route(
    State(app): State<Arc<App>>,
    Path((version, flow_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(
        headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok()),
    );
    let result = async {
        if !version.eq_ignore_ascii_case("v1.0") && !version.eq_ignore_ascii_case("beta") {
            return Err(GraphError::bad_request(format!(
                "Invalid version: '{version}'."
            )));
        }
        auth::check_bearer(&headers, &app.token)?;
        let input: SignUpInput = serde_json::from_slice(&body).map_err(|e| {
            GraphError::bad_request(format!("The simulateSignUp body is not valid: {e}."))
        })?;
        run(&app, &flow_id, input).await.map_err(|e| match e {
            SignUpError::FlowNotFound(_) => GraphError::not_found(e.to_string()),
            SignUpError::InvalidInput(_) => GraphError::bad_request(e.to_string()),
        })
    }
    .await;
    match result {
        Ok(transcript) => {
            let body = serde_json::to_vec(&transcript).expect("transcripts serialize");
            let mut resp = Response::new(Body::from(body));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            super::error::stamp(&mut resp, &ids);
            resp
        }
        Err(e) => e.into_response(&ids),
    }
}

// ---------------------------------------------------------------------------------------------
// The simulation

/// Typed user attributes, in the order the documented request examples list them.
const ATTRIBUTE_ORDER: &[&str] = &[
    "email",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "streetAddress",
    "city",
    "postalCode",
    "state",
    "country",
];

/// What an identity provider gives, sent at `postFederationSignup`.
const FEDERATION_CLAIMS: &[&str] = &["email", "displayName", "givenName", "surname"];

/// Request fields the service itself fills; neither the input nor a response can set them.
const RESERVED: &[&str] = &[
    "identities",
    "objectId",
    "step",
    "client_id",
    "clientId",
    "ui_locales",
];

struct Binding {
    step: Step,
    connector: Option<ConnectorRecord>,
    secrets: Option<ConnectorSecrets>,
}

fn contract_step(step: state::Step) -> Step {
    match step {
        state::Step::PostFederationSignup => Step::PostFederationSignup,
        state::Step::PostAttributeCollection => Step::PostAttributeCollection,
        state::Step::PreTokenIssuance => Step::PreTokenIssuance,
    }
}

/// Canonical claim name: custom attributes with the app id, `lastName` as `surname`.
fn canonical_name(name: &str, app_id: &str) -> Result<String, ContractError> {
    if name.starts_with("extension_") {
        custom_attribute_claim_name(app_id, name)
    } else if name == "lastName" {
        Ok("surname".to_owned())
    } else {
        Ok(name.to_owned())
    }
}

struct Run<'a> {
    app: &'a App,
    family: FlowFamily,
    timeout: Duration,
    client_id: String,
    ui_locales: String,
    identities: Value,
    identity_list: Vec<contract::Identity>,
    claims: Claims,
    calls: Vec<ConnectorCall>,
    notes: Vec<String>,
}

pub(crate) async fn run(
    app: &App,
    flow_id: &str,
    input: SignUpInput,
) -> Result<Transcript, SignUpError> {
    let settings = &app.sign_up;
    let (flow, bindings) = {
        let state = app.lock();
        let flow = state
            .user_flows
            .get(&flow_id.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| SignUpError::FlowNotFound(flow_id.to_owned()))?;
        let vault = app.vault.lock().unwrap_or_else(|p| p.into_inner());
        let bindings: Vec<Binding> = flow
            .api_connector_configuration
            .iter()
            .map(|(step, id)| Binding {
                step: contract_step(*step),
                connector: state.connector(id).cloned(),
                secrets: vault.get(id),
            })
            .collect();
        (flow, bindings)
    };

    let mut claims = Claims::new();
    for (name, value) in input.claims {
        if value.is_null() {
            continue;
        }
        if RESERVED.contains(&name.as_str()) {
            return Err(SignUpError::InvalidInput(format!(
                "`{name}` is filled in by the service and cannot be given as a claim"
            )));
        }
        let name = canonical_name(&name, &settings.extensions_app_id)
            .map_err(|e| SignUpError::InvalidInput(e.to_string()))?;
        claims.insert(name, value);
    }
    let identity = match &input.identity_provider {
        Some(issuer) => {
            contract::Identity::federated(issuer.clone(), uuid::Uuid::new_v4().simple().to_string())
        }
        None => contract::Identity {
            sign_in_type: Some("emailAddress".to_owned()),
            issuer: Some(app.tenant_domain.clone()),
            issuer_assigned_id: claims
                .get("email")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
    };
    let mut run = Run {
        app,
        family: flow.family,
        timeout: settings.timeout.unwrap_or(match flow.family {
            FlowFamily::B2c => B2C_CONNECTOR_TIMEOUT,
            FlowFamily::B2x => EXTERNAL_ID_CONNECTOR_TIMEOUT,
        }),
        client_id: input
            .client_id
            .unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned()),
        ui_locales: input
            .ui_locales
            .unwrap_or_else(|| DEFAULT_UI_LOCALES.to_owned()),
        identities: serde_json::to_value([&identity]).expect("identities serialize"),
        identity_list: vec![identity],
        claims,
        calls: Vec::new(),
        notes: Vec::new(),
    };

    let mut object_id = None;
    let mut token_claims = None;
    for binding in &bindings {
        let step = binding.step;
        if step == Step::PostFederationSignup && input.identity_provider.is_none() {
            run.notes.push(
                "postFederationSignup is bound but not called: the user signs up with a local \
                 account, and the step runs only after federating with an identity provider"
                    .to_owned(),
            );
            continue;
        }
        if step == Step::PreTokenIssuance {
            object_id = Some(uuid::Uuid::new_v4().to_string());
        }
        let response = match run.call(binding, object_id.as_deref()).await {
            Ok(response) => response,
            Err(reason) => {
                return Ok(run.finish(flow.id, SignUpOutcome::ConnectorFailure { step, reason }));
            }
        };
        match response {
            ConnectorResponse::Continue(continuation) => {
                let applied = run.apply(step, continuation.into_claims());
                if step == Step::PreTokenIssuance {
                    token_claims = Some(applied);
                }
            }
            ConnectorResponse::ShowBlockPage { user_message } => {
                return Ok(run.finish(flow.id, SignUpOutcome::Blocked { user_message, step }));
            }
            ConnectorResponse::ValidationError { user_message } => {
                return Ok(run.finish(
                    flow.id,
                    SignUpOutcome::ValidationError { user_message, step },
                ));
            }
        }
    }
    let object_id = object_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let claims = run.claims.clone();
    let token_claims = token_claims.unwrap_or_else(|| claims.clone());
    Ok(run.finish(
        flow.id,
        SignUpOutcome::UserCreated {
            object_id,
            claims,
            token_claims,
        },
    ))
}

impl Run<'_> {
    fn finish(self, user_flow_id: String, outcome: SignUpOutcome) -> Transcript {
        Transcript {
            user_flow_id,
            calls: self.calls,
            notes: self.notes,
            outcome,
        }
    }

    /// The documented request body of `step`, in the documented order.
    fn request_body(&self, step: Step, object_id: Option<&str>) -> Claims {
        let mut body = Claims::new();
        let mut put = |name: &str, value: Option<&Value>| {
            if let Some(value) = value.filter(|v| !v.is_null()) {
                body.insert(name.to_owned(), value.clone());
            }
        };
        let federation = step == Step::PostFederationSignup;
        for name in ATTRIBUTE_ORDER {
            if federation && !FEDERATION_CLAIMS.contains(name) {
                continue;
            }
            put(name, self.claims.get(*name));
            if *name == "email" {
                put("identities", Some(&self.identities));
            }
            if *name == "displayName"
                && let Some(id) = object_id
            {
                put("objectId", Some(&Value::from(id)));
            }
        }
        if !federation {
            for (name, value) in &self.claims {
                if !ATTRIBUTE_ORDER.contains(&name.as_str()) {
                    put(name, Some(value));
                }
            }
        }
        if self.family == FlowFamily::B2c {
            // The token enrichment page shows this step's value as `PreTokenApplicationClaims`
            // (https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment).
            let value = match step {
                Step::PreTokenIssuance => "PreTokenApplicationClaims",
                other => other.as_str(),
            };
            put("step", Some(&Value::from(value)));
        }
        put("client_id", Some(&Value::from(self.client_id.clone())));
        put("ui_locales", Some(&Value::from(self.ui_locales.clone())));
        body
    }

    /// Applies the claims of a continuation: they pre-fill the page after federation, overwrite the
    /// collected attributes after collection, and go into the token before token issuance (returned
    /// as the token's claims).
    fn apply(&mut self, step: Step, returned: Claims) -> Claims {
        let mut token = self.claims.clone();
        for (name, value) in returned {
            if RESERVED.contains(&name.as_str()) {
                self.notes.push(format!(
                    "{step}: returned claim `{name}` ignored (set by the service)"
                ));
                continue;
            }
            let canonical = match canonical_name(&name, &self.app.sign_up.extensions_app_id) {
                Ok(n) => n,
                Err(e) => {
                    self.notes
                        .push(format!("{step}: returned claim `{name}` ignored: {e}"));
                    continue;
                }
            };
            if step == Step::PreTokenIssuance {
                token.insert(canonical, value);
            } else {
                self.claims.insert(canonical, value);
            }
        }
        token
    }

    /// Calls the connector of `binding` (with one retry) and parses the answer by the contract.
    async fn call(
        &mut self,
        binding: &Binding,
        object_id: Option<&str>,
    ) -> Result<ConnectorResponse, String> {
        let step = binding.step;
        let connector = binding
            .connector
            .as_ref()
            .ok_or("the bound API connector does not exist")?;
        let url = connector
            .target_url
            .as_deref()
            .ok_or("the API connector has no targetUrl")?;
        let parsed = url::Url::parse(url).map_err(|e| format!("targetUrl `{url}`: {e}"))?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            _ => {
                return Err(format!(
                    "targetUrl `{url}` must use https (http only for loopback hosts in the emulator)"
                ));
            }
        }
        let (auth, credential) = self.credential(connector, binding.secrets.as_ref())?;
        let ordered = self.request_body(step, object_id);
        // `identities` keeps its documented member order on the wire (a `Value` would sort it).
        let wire: indexmap::IndexMap<&str, Wire<'_>> = ordered
            .iter()
            .map(|(k, v)| match k.as_str() {
                "identities" => (k.as_str(), Wire::Identities(&self.identity_list)),
                _ => (k.as_str(), Wire::Value(v)),
            })
            .collect();
        let bytes = serde_json::to_vec(&wire).expect("JSON values serialize");
        let body = Value::Object(ordered.into_iter().collect());
        let mut last_error = String::new();
        for attempt in 1..=2 {
            let started = Instant::now();
            let result = self.send(url, &credential, bytes.clone()).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let (response, outcome) = match result {
                Ok((status, body)) => (
                    CallResponse::Http {
                        status,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    },
                    Some((status, body)),
                ),
                Err(error) => (
                    CallResponse::Error {
                        error: error.clone(),
                    },
                    None,
                ),
            };
            self.calls.push(ConnectorCall {
                step,
                connector_id: connector.id.clone(),
                attempt,
                url: url.to_owned(),
                request_body: body.clone(),
                auth: auth.clone(),
                response: response.clone(),
                elapsed_ms,
            });
            match outcome {
                Some((status, body)) => {
                    let response = ConnectorResponse::from_http(status, &body)
                        .map_err(|e| format!("the API's answer breaks the contract: {e}"))?;
                    response.validate_for(step).map_err(|e| e.to_string())?;
                    return Ok(response);
                }
                None => {
                    if let CallResponse::Error { error } = response {
                        last_error = error;
                    }
                }
            }
        }
        Err(format!("no answer after one retry: {last_error}"))
    }

    fn credential(
        &self,
        connector: &ConnectorRecord,
        secrets: Option<&ConnectorSecrets>,
    ) -> Result<(CallAuth, Credential), String> {
        let missing = "the emulator does not hold this connector's secret (it was started from a \
                       state file): send the authentication configuration or the certificate again";
        match (&connector.authentication, secrets) {
            (None, _) => Err("the API connector has no authenticationConfiguration".to_owned()),
            (Some(AuthRecord::Basic { username, .. }), Some(ConnectorSecrets::Basic(password))) => {
                let credentials = BasicCredentials::new(username.clone(), password.clone())
                    .map_err(|e| e.to_string())?;
                Ok((
                    CallAuth::Basic {
                        username: username.clone(),
                    },
                    Credential::Basic(credentials),
                ))
            }
            (Some(record @ AuthRecord::ClientCertificate { .. }), secrets) => {
                let list = record.certificate_list(certificate::unix_now());
                let active = certificate::active(&list).ok_or(
                    "no uploaded certificate is valid now, so there is no active certificate",
                )?;
                let bundle = match secrets {
                    Some(ConnectorSecrets::Certificates(bundles)) => bundles
                        .iter()
                        .rev()
                        .find(|b| b.thumbprint() == active.thumbprint)
                        .cloned(),
                    _ => None,
                }
                .ok_or(missing)?;
                Ok((
                    CallAuth::ClientCertificate {
                        thumbprint: active.thumbprint.clone(),
                    },
                    Credential::Certificate(bundle),
                ))
            }
            (Some(AuthRecord::Basic { .. }), _) => Err(missing.to_owned()),
        }
    }

    /// One attempt: a new client (as the service opens a new call), `POST` with the body.
    async fn send(
        &self,
        url: &str,
        credential: &Credential,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), String> {
        let identity = match credential {
            Credential::Certificate(bundle) => Some(bundle.as_ref()),
            Credential::Basic(_) => None,
        };
        let tls = tls_config(&self.app.sign_up, identity)?;
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .no_proxy()
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mut request = client
            .post(url)
            .header(header::CONTENT_TYPE, contract::CONTENT_TYPE)
            .body(body);
        if let Credential::Basic(credentials) = credential {
            let mut value =
                HeaderValue::from_str(credentials.to_authorization_header().expose_secret())
                    .map_err(|_| "the basic credentials cannot be sent in a header".to_owned())?;
            value.set_sensitive(true);
            request = request.header(header::AUTHORIZATION, value);
        }
        let timeout = self.timeout;
        let describe = move |e: reqwest::Error| {
            if e.is_timeout() {
                format!("timed out after {} ms", timeout.as_millis())
            } else if e.is_connect() {
                format!("connection failed: {}", error_chain(&e))
            } else {
                format!("request failed: {}", error_chain(&e))
            }
        };
        let response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(describe)?;
        Ok((status, body.to_vec()))
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum Wire<'a> {
    Value(&'a Value),
    Identities(&'a [contract::Identity]),
}

enum Credential {
    Basic(BasicCredentials),
    Certificate(Arc<Pkcs12Bundle>),
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// 127.0.0.0/8, `::1` or `localhost`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// rustls with `ring`: the configured CAs (or the platform's roots), and the client certificate
/// when the connector uses one.
fn tls_config(
    settings: &SignUpSettings,
    identity: Option<&Pkcs12Bundle>,
) -> Result<rustls::ClientConfig, String> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let builder = if settings.trusted_cas.is_empty() {
        builder
            .with_platform_verifier()
            .map_err(|e| format!("TLS configuration: {e}"))?
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for der in &settings.trusted_cas {
            roots
                .add(rustls::pki_types::CertificateDer::from(der.clone()))
                .map_err(|e| format!("trusted CA: {e}"))?;
        }
        builder.with_root_certificates(roots)
    };
    match identity {
        Some(bundle) => {
            let (chain, key) = bundle.tls_identity();
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("client certificate: {e}"))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (url, expected) in [
            ("http://127.0.0.1:8080/x", true),
            ("http://127.9.8.7/", true),
            ("http://[::1]:1/", true),
            ("http://LOCALHOST:1/", true),
            ("http://128.0.0.1/", false),
            ("http://example.com/", false),
            ("http://localhost.example.com/", false),
        ] {
            assert_eq!(
                is_loopback(&url::Url::parse(url).unwrap()),
                expected,
                "{url}"
            );
        }
    }

    #[test]
    fn canonical_claim_names() {
        let app = contract::normalize_extensions_app_id(DEFAULT_EXTENSIONS_APP_ID).unwrap();
        assert_eq!(
            canonical_name("extension_Loyalty", &app).unwrap(),
            format!("extension_{app}_Loyalty")
        );
        assert_eq!(
            canonical_name(&format!("extension_{app}_Loyalty"), &app).unwrap(),
            format!("extension_{app}_Loyalty")
        );
        assert!(
            canonical_name("extension_0123456789abcdef0123456789abcdef_Loyalty", &app).is_err()
        );
        assert_eq!(canonical_name("lastName", &app).unwrap(), "surname");
        assert_eq!(canonical_name("city", &app).unwrap(), "city");
    }
}
