//! A local emulator of the Microsoft Graph slice this crate manages, in the spirit of Azurite for Azure
//! Storage: API connectors (`/identity/apiConnectors`), b2x/b2c user flows and their
//! `apiConnectorConfiguration`, plus a fake client-credentials token endpoint. It serves `/v1.0/...`
//! and `/beta/...` over plain HTTP on 127.0.0.1 so that users and CI can test automation offline.
//!
//! The emulator models Graph's JSON on its own, from the Graph reference documentation (collected with
//! sources in `docs/graph-behaviour.md`), not from this crate's client, so the client is tested against
//! an independent reading of the service. It adds what tests need: on-demand faults
//! ([`Faults`], [`FaultRule`]), state snapshots and an optional JSON state file.
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

mod auth;
mod error;
mod faults;
mod odata;
mod routes;
mod signup;
mod state;
mod vault;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

pub use faults::{FaultRule, Faults};
pub use signup::{
    B2C_CONNECTOR_TIMEOUT, CallAuth, CallResponse, ConnectorCall, DEFAULT_CLIENT_ID,
    DEFAULT_EXTENSIONS_APP_ID, DEFAULT_UI_LOCALES, EXTERNAL_ID_CONNECTOR_TIMEOUT, SignUpError,
    SignUpInput, SignUpOutcome, Transcript,
};
pub use state::{AuthRecord, CertificateRecord, ConnectorRecord, FlowFamily, Step, UserFlowRecord};

use error::GraphError;
use faults::FaultPlan;
use state::State;

/// The kind of tenant being emulated, which decides the user-flow API that works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantKind {
    /// An Azure AD B2C tenant: `b2cUserFlows` (beta) work, `b2xUserFlows` answer `403 AADB2C`.
    B2c,
    /// A workforce (Entra ID) tenant: `b2xUserFlows` work, `b2cUserFlows` answer `403 AADB2C`.
    Workforce,
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

/// How to run an [`Emulator`]. Start from [`EmulatorConfig::new`] and adjust with the builder methods.
#[derive(Clone)]
pub struct EmulatorConfig {
    tenant_kind: TenantKind,
    listen: SocketAddr,
    tenant_id: String,
    tenant_domain: String,
    token: SecretString,
    client: Option<(String, SecretString)>,
    page_size: usize,
    user_flows: Vec<UserFlowRecord>,
    faults: Faults,
    fault_rules: Vec<FaultRule>,
    seed: u64,
    state_file: Option<PathBuf>,
    sign_up: signup::SignUpSettings,
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("tenant_kind", &self.tenant_kind)
            .field("listen", &self.listen)
            .field("tenant_id", &self.tenant_id)
            .field("tenant_domain", &self.tenant_domain)
            .field("client_id", &self.client.as_ref().map(|(id, _)| id))
            .field("page_size", &self.page_size)
            .field("user_flows", &self.user_flows)
            .field("faults", &self.faults)
            .field("fault_rules", &self.fault_rules)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

/// The bearer token accepted by default.
pub const DEFAULT_TOKEN: &str = "emulator-token";
/// The tenant id used by default (in token URLs and messages).
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-4000-8000-00000000e4a1";

/// Flows present in a new tenant: `B2C_1_SignUp` and `B2C_1_SignUpSignIn` for B2C, and
/// `B2X_1_PartnerSignUp` for workforce.
pub fn default_user_flows(kind: TenantKind) -> Vec<UserFlowRecord> {
    match kind {
        TenantKind::B2c => {
            let mut sign_up = UserFlowRecord::new(FlowFamily::B2c, "SignUp", "signUp", 3);
            sign_up.default_language_tag = Some("en".into());
            vec![
                sign_up,
                UserFlowRecord::new(FlowFamily::B2c, "SignUpSignIn", "signUpOrSignIn", 3),
            ]
        }
        TenantKind::Workforce => vec![UserFlowRecord::new(
            FlowFamily::B2x,
            "PartnerSignUp",
            "signUpOrSignIn",
            1,
        )],
    }
}

impl EmulatorConfig {
    /// Defaults: listen on `127.0.0.1:0`, accept [`DEFAULT_TOKEN`], any client id and secret at the token
    /// endpoint, page size 100, the [`default_user_flows`] of `kind`, no faults, seed 0, no state file.
    pub fn new(kind: TenantKind) -> Self {
        let tenant_domain = match kind {
            TenantKind::B2c => "emulatorb2c.onmicrosoft.com",
            TenantKind::Workforce => "emulator.onmicrosoft.com",
        };
        Self {
            tenant_kind: kind,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            tenant_domain: tenant_domain.to_owned(),
            token: SecretString::from(DEFAULT_TOKEN),
            client: None,
            page_size: 100,
            user_flows: default_user_flows(kind),
            faults: Faults::none(),
            fault_rules: Vec::new(),
            seed: 0,
            state_file: None,
            sign_up: signup::SignUpSettings::default(),
        }
    }

    /// The address to listen on (port 0 picks a free one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The tenant id and domain name (used by the token endpoint and in error messages).
    pub fn tenant(mut self, id: impl Into<String>, domain: impl Into<String>) -> Self {
        self.tenant_id = id.into();
        self.tenant_domain = domain.into();
        self
    }

    /// The only bearer token Graph routes accept, and the one the token endpoint issues.
    pub fn token(mut self, token: SecretString) -> Self {
        self.token = token;
        self
    }

    /// Restricts the token endpoint to one client id and secret.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: SecretString,
    ) -> Self {
        self.client = Some((client_id.into(), secret));
        self
    }

    /// Server-side page size of connector lists when the request has no `$top`.
    ///
    /// # Panics
    /// If `size` is 0.
    pub fn page_size(mut self, size: usize) -> Self {
        assert!(size > 0, "page size must be positive");
        self.page_size = size;
        self
    }

    /// Replaces the user flows present at start.
    pub fn user_flows(mut self, flows: Vec<UserFlowRecord>) -> Self {
        self.user_flows = flows;
        self
    }

    /// Faults applied to every Graph request no rule matches.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Adds a per-route fault rule (the first matching rule wins).
    pub fn fault_rule(mut self, rule: FaultRule) -> Self {
        self.fault_rules.push(rule);
        self
    }

    /// Seed of the random source that draws faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A JSON file to load at start (when it exists; the configured flows are then ignored) and to
    /// save after every change.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }
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
    /// Secrets for simulated sign-ups, in memory only.
    vault: Mutex<vault::Vault>,
    sign_up: signup::SignUpSettings,
}

impl App {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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

#[derive(Debug)]
struct DroppedByFault;

impl fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DroppedByFault {}

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
                        let state = State::with_flows(config.user_flows.clone());
                        state.save(path).map_err(file_err)?;
                        state
                    }
                }
            }
            None => State::with_flows(config.user_flows.clone()),
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
            vault: Mutex::new(vault::Vault::default()),
            sign_up: config.sign_up,
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, routes::router(app.clone()), stopped));
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

/// The accept loop. Each connection is served by hyper directly so that a response marked
/// [`routes::DropConnection`] can close the connection without a byte sent: the service returns an
/// error, and hyper drops the connection.
async fn serve(listener: TcpListener, router: axum::Router, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                        let router = router.clone();
                        async move {
                            let resp = router.oneshot(req.map(Body::new)).await.unwrap_or_else(|e| match e {});
                            if resp.extensions().get::<routes::DropConnection>().is_some() {
                                Err(DroppedByFault)
                            } else {
                                Ok(resp)
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
