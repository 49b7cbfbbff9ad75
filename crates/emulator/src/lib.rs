//! A local emulator of the Microsoft Graph slice that manages API connectors, in the spirit of
//! Azurite for Azure Storage: API connectors (`/identity/apiConnectors`, `uploadClientCertificate`),
//! b2x/b2c user flows and their `apiConnectorConfiguration` (`$expand`, `$ref` binding), plus a
//! client-credentials token endpoint. It serves `/v1.0/...` and `/beta/...` over plain HTTP on
//! 127.0.0.1 so that users and CI can test Graph automation offline.
//!
//! The emulator models Graph's JSON on its own, from the Graph reference documentation (collected with
//! sources in `docs/graph-behaviour.md`), not from the client crate `entra-api-connectors`, which it
//! never depends on: the client is tested against an independent reading of the service. It adds what
//! tests need: on-demand faults ([`Faults`], [`FaultRule`]), state snapshots
//! ([`Emulator::connectors`], [`Emulator::user_flows`]), an optional JSON state file
//! ([`EmulatorConfig::state_file`]) and simulated sign-ups that call the connectors' APIs, or on an
//! external tenant the custom authentication extensions of an events flow with bearer tokens it
//! signs and publishes the keys of ([`Emulator::simulate_sign_up`], [`Emulator::jwks_url`]). The crate's README says what is emulator-only.
//!
//! ```no_run
//! # async fn demo() -> Result<(), entra_api_connectors_emulator::EmulatorError> {
//! use entra_api_connectors_emulator::{Emulator, EmulatorConfig, GraphVersion, TenantKind};
//!
//! let emulator = Emulator::start(EmulatorConfig::new(TenantKind::B2c)).await?;
//! let url = format!("{}/identity/apiConnectors", emulator.graph_url(GraphVersion::Beta));
//! // ... send requests with `Authorization: Bearer emulator-token` ...
//! assert!(emulator.connectors().is_empty());
//! emulator.shutdown().await;
//! # let _ = url; Ok(()) }
//! ```
//!
//! Inside: `graph` answers Graph requests (path resolution, one module per resource), `signup`
//! simulates sign-ups, `router` says which URL goes where and `server` runs the accept loop that can
//! drop a connection; `state`, `vault`, `faults`, `request_log`, `odata`, `auth` and `error` hold the
//! tenant's data, the secrets kept in memory, the faults, the log of requests received, OData query
//! options, the token endpoint and Graph's errors.

mod auth;
mod config;
mod error;
mod faults;
mod graph;
mod odata;
mod openid;
mod request_log;
mod router;
mod server;
mod service_principal;
mod signing;
mod signup;
mod state;
mod vault;

/// The README's Rust examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    DEFAULT_TENANT_ID, DEFAULT_TOKEN, EmulatorConfig, default_service_principals,
    default_user_flows,
};
pub use faults::{FaultRule, Faults};
pub use request_log::{InjectedFault, REQUEST_LOG_CAPACITY, RequestRecord};
pub use service_principal::{DEFAULT_CLIENT_APP_NAME, ServicePrincipal};
pub use signup::{
    B2C_CONNECTOR_TIMEOUT, CallAuth, CallResponse, ConnectorCall, DEFAULT_CLIENT_ID,
    DEFAULT_EXTENSIONS_APP_ID, DEFAULT_UI_LOCALES, EXTERNAL_ID_CONNECTOR_TIMEOUT, SignUpError,
    SignUpInput, SignUpOutcome, SignUpStep, Transcript,
};
pub use state::{
    AttributeCollection, AuthRecord, BehaviorOnError, CertificateRecord, ClientConfiguration,
    ConnectorRecord, EventsFlowRecord, ExtensionHandler, ExtensionKind, ExtensionRecord,
    FlowFamily, FlowHandler, ListenerHandler, ListenerKind, ListenerRecord, Step,
    UserFlowAttribute, UserFlowRecord,
};

use error::GraphError;
use faults::FaultPlan;
use state::State;

/// The kind of tenant being emulated, which decides the user-flow and extensibility APIs that
/// work (`docs/graph-behaviour.md` §2.2, §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantKind {
    /// An Azure AD B2C tenant: `b2cUserFlows` (beta) work, `b2xUserFlows` answer `403 AADB2C`,
    /// and so do custom authentication extensions, events flows and listeners.
    B2c,
    /// A workforce (Entra ID) tenant: `b2xUserFlows` work, `b2cUserFlows` answer `403 AADB2C`;
    /// custom authentication extensions and listeners exist for token issuance start only, and
    /// authentication events flows answer `403 AADB2C`.
    Workforce,
    /// A Microsoft Entra External ID external tenant: custom authentication extensions of every
    /// served type, authentication events flows and listeners; both user-flow families answer
    /// `403 AADB2C`. Simulated sign-ups play an events flow.
    External,
}

/// A Graph API version, served as a path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphVersion {
    /// `/v1.0`
    V1,
    /// `/beta`
    Beta,
}

impl GraphVersion {
    /// The path segment: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            GraphVersion::V1 => "v1.0",
            GraphVersion::Beta => "beta",
        }
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state file exists but cannot be read or parsed, or the first save failed.
    #[error("state file {path}: {source}")]
    StateFile {
        /// The configured path.
        path: PathBuf,
        /// The I/O or parse error.
        source: std::io::Error,
    },
}

/// Shared by the request handlers.
pub(crate) struct App {
    tenant_kind: TenantKind,
    tenant_id: String,
    tenant_domain: String,
    token: SecretString,
    client: Option<(String, SecretString)>,
    page_size: usize,
    origin: String,
    state: Mutex<State>,
    state_file: Option<PathBuf>,
    faults: Mutex<FaultPlan>,
    /// Every Graph request received ([`request_log`]).
    requests: Mutex<request_log::RequestLog>,
    /// Secrets for simulated sign-ups, in memory only.
    vault: Mutex<vault::Vault>,
    sign_up: signup::SignUpSettings,
    service_principals: Vec<ServicePrincipal>,
    signing_key: signing::SigningKey,
}

impl App {
    /// The tenant's service principal of `app_id`, if any.
    fn service_principal(&self, app_id: &str) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|p| p.app_id.eq_ignore_ascii_case(app_id))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn requests(&self) -> MutexGuard<'_, request_log::RequestLog> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `change` atomically: with a state file, on a copy that replaces the state only once it
    /// is saved, so a failed change or save leaves both memory and file untouched.
    fn mutate<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, GraphError>,
    ) -> Result<T, GraphError> {
        let mut guard = self.lock();
        let Some(path) = &self.state_file else {
            return change(&mut guard);
        };
        let mut draft = guard.clone();
        let out = change(&mut draft)?;
        draft.save(path).map_err(|e| {
            GraphError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "UnknownError",
                format!("The emulator could not save its state file: {e}"),
            )
        })?;
        *guard = draft;
        Ok(out)
    }
}

/// A running emulator. Dropping it stops the server; [`Emulator::shutdown`] also waits for it.
pub struct Emulator {
    addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Loads or seeds the state, binds the listener and serves in a background task.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let state = match &config.state_file {
            Some(path) => {
                let file_err = |source| EmulatorError::StateFile {
                    path: path.clone(),
                    source,
                };
                match State::load(path).map_err(file_err)? {
                    Some(state) => state,
                    None => {
                        let mut state = State::with_flows(config.user_flows.clone());
                        state.custom_attributes = config.custom_attributes.clone();
                        state.save(path).map_err(file_err)?;
                        state
                    }
                }
            }
            None => {
                let mut state = State::with_flows(config.user_flows.clone());
                state.custom_attributes = config.custom_attributes.clone();
                state
            }
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let app = Arc::new(App {
            tenant_kind: config.tenant_kind,
            tenant_id: config.tenant_id,
            tenant_domain: config.tenant_domain,
            token: config.token,
            client: config.client,
            page_size: config.page_size,
            origin: format!("http://{addr}"),
            state: Mutex::new(state),
            state_file: config.state_file,
            faults: Mutex::new(FaultPlan::new(
                config.faults,
                config.fault_rules,
                config.seed,
            )),
            requests: Mutex::new(request_log::RequestLog::default()),
            vault: Mutex::new(vault::Vault::default()),
            sign_up: config.sign_up,
            service_principals: config.service_principals,
            signing_key: signing::SigningKey::test_key(),
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server::serve(
            listener,
            router::router(app.clone()),
            stopped,
        ));
        Ok(Emulator {
            addr,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`; versions are path prefixes below it.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/{v1.0|beta}`, the emulator's `https://graph.microsoft.com/{version}`.
    pub fn graph_url(&self, version: GraphVersion) -> String {
        format!("{}/{}", self.base_url(), version.as_str())
    }

    /// The token endpoint for `tenant` (the configured tenant id or domain):
    /// `http://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.base_url())
    }

    /// The emulated tenant's id.
    pub fn tenant_id(&self) -> &str {
        &self.app.tenant_id
    }

    /// The `iss` of the bearer tokens the emulated tenant sends to custom extensions:
    /// `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0` for an external tenant,
    /// `https://login.microsoftonline.com/{tenantId}/v2.0` otherwise. It is also the `issuer` of
    /// [`Emulator::openid_configuration_url`]'s document.
    pub fn token_issuer(&self) -> String {
        openid::issuer(self.app.tenant_kind, &self.app.tenant_id)
    }

    /// The emulated issuer's OpenID Connect metadata on the emulator's address:
    /// `http://127.0.0.1:PORT/{tenantId}/v2.0/.well-known/openid-configuration` (the path of
    /// `https://{tenant}.ciamlogin.com/{tenantId}/v2.0/.well-known/openid-configuration`). A custom
    /// extension's API under test points its token validation at this URL instead of Entra's.
    pub fn openid_configuration_url(&self) -> String {
        format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            self.base_url(),
            self.app.tenant_id
        )
    }

    /// The key set that signs the emulator's bearer tokens (the metadata's `jwks_uri`):
    /// `http://127.0.0.1:PORT/{tenantId}/discovery/v2.0/keys`.
    pub fn jwks_url(&self) -> String {
        format!(
            "{}/{}/discovery/v2.0/keys",
            self.base_url(),
            self.app.tenant_id
        )
    }

    /// Snapshot of every custom authentication extension, in creation order.
    pub fn custom_extensions(&self) -> Vec<ExtensionRecord> {
        self.app
            .lock()
            .custom_extensions
            .values()
            .cloned()
            .collect()
    }

    /// Snapshot of every authentication events flow, in creation order.
    pub fn events_flows(&self) -> Vec<EventsFlowRecord> {
        self.app.lock().events_flows.values().cloned().collect()
    }

    /// Snapshot of every authentication event listener (those a flow manages included), in
    /// creation order.
    pub fn listeners(&self) -> Vec<ListenerRecord> {
        self.app.lock().all_listeners()
    }

    /// Snapshot of every connector, in creation order.
    pub fn connectors(&self) -> Vec<ConnectorRecord> {
        self.app.lock().connectors.values().cloned().collect()
    }

    /// Snapshot of one connector.
    pub fn connector(&self, id: &str) -> Option<ConnectorRecord> {
        self.app.lock().connector(id).cloned()
    }

    /// Snapshot of every user flow (both families).
    pub fn user_flows(&self) -> Vec<UserFlowRecord> {
        self.app.lock().user_flows.values().cloned().collect()
    }

    /// Snapshot of one user flow, by id (case-insensitive).
    pub fn user_flow(&self, id: &str) -> Option<UserFlowRecord> {
        self.app
            .lock()
            .user_flows
            .get(&id.to_ascii_lowercase())
            .cloned()
    }

    /// The Graph requests received, oldest first (the last [`REQUEST_LOG_CAPACITY`]): method,
    /// path, `client-request-id`, injected fault and answered status. Token-endpoint and
    /// emulator-only requests are not logged.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.app.requests().records()
    }

    /// How many Graph requests were received since the start or the last [`clear_requests`](Self::clear_requests).
    pub fn request_count(&self) -> u64 {
        self.app.requests().total()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.app.requests().clear();
    }

    /// Replaces the global faults at run time.
    pub fn set_faults(&self, faults: Faults) {
        self.app
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .global = faults;
    }

    /// Adds a per-route fault rule at run time (checked after the existing ones).
    pub fn add_fault_rule(&self, rule: FaultRule) {
        self.app
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .rules
            .push(rule);
    }

    /// Removes every fault, global and per route.
    pub fn clear_faults(&self) {
        let mut plan = self.app.faults.lock().unwrap_or_else(|p| p.into_inner());
        plan.global = Faults::none();
        plan.rules.clear();
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
