//! Access tokens for Microsoft Graph.
//!
//! The client asks a [`TokenProvider`] for a bearer token before each request. Providers:
//!
//! - [`StaticToken`]: a token you already have (tests, short scripts).
//! - [`ClientSecretCredential`]: the OAuth 2.0 client credentials grant with a client secret
//!   against the Microsoft identity platform
//!   (<https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>).
//! - [`EnvironmentCredential`]: a [`ClientSecretCredential`] configured from `AZURE_*`
//!   environment variables.
//! - `AzureCredential` (cargo feature `azure-identity`): any `azure_identity` credential.
//!
//! Wrap a provider that fetches tokens in [`CachedTokenProvider`] so that a token is reused until
//! shortly before it expires and concurrent requests share one refresh.
//!
//! ```no_run
//! # async fn demo() -> Result<(), entra_api_connectors::auth::AuthError> {
//! use std::sync::Arc;
//! use entra_api_connectors::auth::{CachedTokenProvider, EnvironmentCredential, TokenProvider};
//!
//! let provider: Arc<dyn TokenProvider> =
//!     Arc::new(CachedTokenProvider::new(EnvironmentCredential::from_env()?));
//! let token = provider.token().await?;
//! println!("{token:?}"); // the token itself is redacted
//! # Ok(()) }
//! ```
//!
//! Tokens, client secrets and the `Authorization` header value never appear in `Debug`,
//! `Display`, logs or errors.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::cloud::Cloud;

/// The `azure_core` crate used by [`AzureCredential`] (feature `azure-identity`).
#[cfg(feature = "azure-identity")]
pub use azure_core;
/// The `azure_identity` crate whose credentials [`AzureCredential`] accepts (feature
/// `azure-identity`).
#[cfg(feature = "azure-identity")]
pub use azure_identity;
#[cfg(feature = "azure-identity")]
pub use azure_impl::AzureCredential;

/// The future returned by [`TokenProvider::token`].
pub type TokenFuture<'a> = BoxFuture<'a, Result<AccessToken, AuthError>>;

/// A source of bearer tokens for Microsoft Graph.
///
/// The trait is object safe: the client holds an `Arc<dyn TokenProvider>`. Implement it with
/// `Box::pin(async move { ... })`:
///
/// ```
/// use entra_api_connectors::auth::{AccessToken, TokenFuture, TokenProvider};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl TokenProvider for FromVault {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async move { Ok(AccessToken::without_expiry("token-from-vault")) })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// Returns a token valid for Microsoft Graph. Providers that fetch tokens do so on every
    /// call; wrap them in [`CachedTokenProvider`] to reuse tokens.
    fn token(&self) -> TokenFuture<'_>;

    /// Forgets any cached token, e.g. after Graph answered 401 to it, so that the next
    /// [`token`](Self::token) call fetches a new one. Does nothing by default.
    fn invalidate(&self) {}
}

impl<T: TokenProvider + ?Sized> TokenProvider for Arc<T> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

impl<T: TokenProvider + ?Sized> TokenProvider for Box<T> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

/// A bearer access token and the time it stops being valid.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// A token that expires at `expires_at`.
    pub fn new(token: impl Into<SecretString>, expires_at: SystemTime) -> Self {
        Self {
            token: token.into(),
            expires_at: Some(expires_at),
        }
    }

    /// A token with no known expiry; it is never refreshed.
    pub fn without_expiry(token: impl Into<SecretString>) -> Self {
        Self {
            token: token.into(),
            expires_at: None,
        }
    }

    /// The token. Call [`ExposeSecret::expose_secret`] to read it.
    pub fn secret(&self) -> &SecretString {
        &self.token
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the token stays valid for at least `margin` from now.
    pub fn is_valid_for(&self, margin: Duration) -> bool {
        match self.expires_at {
            None => true,
            Some(expires_at) => SystemTime::now()
                .checked_add(margin)
                .is_some_and(|deadline| deadline < expires_at),
        }
    }

    /// The `Authorization` header value `Bearer <token>`, marked sensitive so that `http` and
    /// `reqwest` do not print it.
    pub fn authorization_header(&self) -> Result<HeaderValue, AuthError> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.token.expose_secret()))
            .map_err(|_| {
                AuthError::InvalidResponse(
                    "the access token contains characters not allowed in an HTTP header".into(),
                )
            })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a token could not be obtained. Contains no secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint answered with an error.
    #[error(transparent)]
    TokenEndpoint(Box<TokenEndpointError>),
    /// The token endpoint could not be reached, or the connection failed.
    #[error("could not reach the token endpoint: {0}")]
    Transport(#[source] Arc<reqwest::Error>),
    /// The token endpoint answered success with a body that is not a usable token response.
    #[error("invalid token response: {0}")]
    InvalidResponse(String),
    /// A required setting is missing, e.g. an environment variable.
    #[error("missing configuration: {0}")]
    MissingConfiguration(String),
    /// A setting has an unusable value.
    #[error("invalid configuration: {0}")]
    InvalidConfiguration(String),
    /// Another token provider (e.g. an `azure_identity` credential) failed.
    #[error("token provider failed: {0}")]
    Provider(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

impl AuthError {
    /// Wraps the error of a custom [`TokenProvider`]. It must not contain secrets.
    pub fn provider(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        AuthError::Provider(Arc::new(error))
    }

    /// The token endpoint error, if this is one.
    pub fn token_endpoint(&self) -> Option<&TokenEndpointError> {
        match self {
            AuthError::TokenEndpoint(e) => Some(e),
            _ => None,
        }
    }
}

/// An error answer from the Microsoft identity platform token endpoint.
///
/// Fields follow the error response of the token endpoint
/// (<https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response>).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenEndpointError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// OAuth error code, e.g. `invalid_client`.
    pub error: Option<String>,
    /// Human-readable description, usually starting with an `AADSTS` code.
    pub error_description: Option<String>,
    /// Entra `AADSTS` error numbers, e.g. `7000215` for an invalid client secret.
    pub error_codes: Vec<i64>,
    /// Correlation id to quote to Microsoft support.
    pub correlation_id: Option<String>,
    /// Trace id to quote to Microsoft support.
    pub trace_id: Option<String>,
}

impl fmt::Display for TokenEndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token endpoint returned HTTP {}", self.status)?;
        if let Some(error) = &self.error {
            write!(f, ": {error}")?;
        }
        if let Some(description) = &self.error_description {
            write!(f, ": {description}")?;
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " (correlation id {id}")?;
            match &self.trace_id {
                Some(trace) => write!(f, ", trace id {trace})")?,
                None => f.write_str(")")?,
            }
        } else if let Some(trace) = &self.trace_id {
            write!(f, " (trace id {trace})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenEndpointError {}

/// A fixed token, e.g. from `az account get-access-token` or a test. It is never refreshed.
#[derive(Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A token with no expiry.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self(AccessToken::without_expiry(token))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StaticToken").field(&"[REDACTED]").finish()
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

/// OAuth 2.0 client credentials grant with a client secret (app-only access).
///
/// Sends `POST {authority}/{tenant}/oauth2/v2.0/token` with the form fields `client_id`,
/// `client_secret`, `grant_type=client_credentials` and `scope`
/// (<https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>).
/// Every call to [`token`](TokenProvider::token) requests a new token: wrap it in
/// [`CachedTokenProvider`].
///
/// Error answers keep the Entra diagnostics (`error_codes`, `correlation_id`, `trace_id`) in
/// [`TokenEndpointError`].
#[derive(Clone)]
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    client_secret: SecretString,
    authority_host: Url,
    scope: String,
    http: Option<reqwest::Client>,
}

impl ClientSecretCredential {
    /// A credential for the global cloud with the scope `https://graph.microsoft.com/.default`.
    ///
    /// `tenant_id` is the directory (tenant) id or a verified domain such as
    /// `contoso.onmicrosoft.com`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authority_host: Cloud::Global.authority_host(),
            scope: Cloud::Global.default_scope(),
            http: None,
        }
    }

    /// Uses the authority host and Graph `.default` scope of `cloud`.
    pub fn with_cloud(mut self, cloud: Cloud) -> Self {
        self.authority_host = cloud.authority_host();
        self.scope = cloud.default_scope();
        self
    }

    /// Overrides the authority host, e.g. `https://login.microsoftonline.us/` or a local test
    /// server. It must be `https`, except for loopback addresses.
    pub fn with_authority_host(mut self, authority_host: Url) -> Self {
        self.authority_host = authority_host;
        self
    }

    /// Overrides the requested scope (default: the Graph `.default` scope).
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Uses `client` for token requests instead of a default client.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The requested scope.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The token endpoint, `{authority}/{tenant}/oauth2/v2.0/token`; fails on a bad tenant id or
    /// authority host.
    pub fn token_endpoint(&self) -> Result<Url, AuthError> {
        let tenant = &self.tenant_id;
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(AuthError::InvalidConfiguration(format!(
                "tenant id `{tenant}` is not a tenant GUID or domain name"
            )));
        }
        if self.client_id.trim().is_empty() {
            return Err(AuthError::InvalidConfiguration(
                "client id is empty".to_owned(),
            ));
        }
        let authority = &self.authority_host;
        let loopback = match authority.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        if !(authority.scheme() == "https" || authority.scheme() == "http" && loopback) {
            return Err(AuthError::InvalidConfiguration(format!(
                "authority host `{authority}` must use https (http is allowed for loopback only)"
            )));
        }
        let mut url = authority.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| {
                AuthError::InvalidConfiguration(format!(
                    "authority host `{authority}` is not a base URL"
                ))
            })?
            .pop_if_empty()
            .extend([tenant.as_str(), "oauth2", "v2.0", "token"]);
        Ok(url)
    }

    fn http_client(&self) -> Result<reqwest::Client, AuthError> {
        if let Some(client) = &self.http {
            return Ok(client.clone());
        }
        static DEFAULT: OnceLock<reqwest::Client> = OnceLock::new();
        if let Some(client) = DEFAULT.get() {
            return Ok(client.clone());
        }
        // reqwest is built with `rustls-no-provider`: make sure a crypto provider is installed.
        // An error means another one already is, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| AuthError::Transport(Arc::new(e)))?;
        Ok(DEFAULT.get_or_init(|| client).clone())
    }

    async fn request_token(&self) -> Result<AccessToken, AuthError> {
        let endpoint = self.token_endpoint()?;
        let http = self.http_client()?;
        tracing::debug!(
            token_endpoint = %endpoint,
            client_id = %self.client_id,
            scope = %self.scope,
            "requesting access token (client credentials)"
        );
        let redact = |text: String| redact_secret(text, &self.client_secret);
        // The Microsoft identity platform documents the secret as a form field.
        let form = [
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("grant_type", "client_credentials"),
        ];
        let requested_at = SystemTime::now();
        let exchange = async {
            let response = http
                .post(endpoint.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await?;
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        };
        let (status, body) = match exchange.await {
            Ok(answer) => answer,
            Err(e) => {
                // A reqwest error names the URL only; the secret travels in the body.
                tracing::debug!(error = %e, "token request failed");
                return Err(AuthError::Transport(Arc::new(e)));
            }
        };

        if !status.is_success() {
            let error = match serde_json::from_slice::<EntraErrorResponse>(&body) {
                Ok(e) => TokenEndpointError {
                    status,
                    error: Some(redact(e.error)),
                    error_description: e.error_description.map(redact),
                    error_codes: e.error_codes,
                    correlation_id: e.correlation_id.map(redact),
                    trace_id: e.trace_id.map(redact),
                },
                Err(_) => TokenEndpointError {
                    status,
                    error: None,
                    error_description: Some(redact(body_excerpt(&body))).filter(|d| !d.is_empty()),
                    error_codes: Vec::new(),
                    correlation_id: None,
                    trace_id: None,
                },
            };
            tracing::debug!(%error, "token request failed");
            return Err(AuthError::TokenEndpoint(Box::new(error)));
        }

        let response: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            AuthError::InvalidResponse(redact(format!("unreadable token response: {e}")))
        })?;
        // RFC 6749, section 7.1: the token type is case-insensitive.
        if !response.token_type.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::InvalidResponse(format!(
                "token_type is `{}`, expected `Bearer`",
                redact(response.token_type)
            )));
        }
        let Some(Seconds(expires_in)) = response.expires_in else {
            return Err(AuthError::InvalidResponse(
                "the token response has no `expires_in`".to_owned(),
            ));
        };
        tracing::debug!(
            client_id = %self.client_id,
            expires_in_secs = expires_in,
            "acquired access token"
        );
        Ok(AccessToken::new(
            response.access_token,
            requested_at + Duration::from_secs(expires_in),
        ))
    }
}

impl fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("authority_host", &self.authority_host.as_str())
            .field("scope", &self.scope)
            .finish()
    }
}

impl TokenProvider for ClientSecretCredential {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.request_token())
    }
}

/// A successful token response (RFC 6749, section 5.1); `ext_expires_in` and other extra fields
/// are ignored.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<Seconds>,
}

/// `expires_in`: a JSON number, or a string of digits as older endpoints sent it.
struct Seconds(u64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Ok(Self(n)),
            Raw::Text(t) => t.trim().parse().map(Self).map_err(|_| {
                serde::de::Error::custom("`expires_in` is not a whole number of seconds")
            }),
        }
    }
}

/// Entra's token endpoint error body: the OAuth 2.0 fields plus Entra's diagnostics.
#[derive(Deserialize)]
struct EntraErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<i64>,
    #[serde(default)]
    correlation_id: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
}

/// Replaces any occurrence of the client secret (should a server echo it) with `[REDACTED]`.
fn redact_secret(text: String, secret: &SecretString) -> String {
    let secret = secret.expose_secret();
    if secret.is_empty() || !text.contains(secret) {
        text
    } else {
        text.replace(secret, "[REDACTED]")
    }
}

/// The start of a non-JSON error body, for the error message.
fn body_excerpt(body: &[u8]) -> String {
    const MAX: usize = 512;
    crate::excerpt::shorten(String::from_utf8_lossy(body).trim(), MAX)
}

/// A [`ClientSecretCredential`] configured from environment variables, with the names used by
/// the Azure SDKs: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and optionally
/// `AZURE_AUTHORITY_HOST`.
#[derive(Debug, Clone)]
pub struct EnvironmentCredential {
    inner: ClientSecretCredential,
}

impl EnvironmentCredential {
    /// Reads the variables for the global cloud.
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_env_in(Cloud::Global)
    }

    /// Reads the variables; `cloud` sets the scope and the default authority host.
    pub fn from_env_in(cloud: Cloud) -> Result<Self, AuthError> {
        Self::from_lookup(cloud, |name| std::env::var(name).ok())
    }

    /// Like [`from_env_in`](Self::from_env_in), reading variables through `lookup` (a map,
    /// a config file, a test).
    pub fn from_lookup(
        cloud: Cloud,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let mut required = |name: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    AuthError::MissingConfiguration(format!(
                        "environment variable {name} is not set or empty"
                    ))
                })
        };
        let tenant_id = required("AZURE_TENANT_ID")?;
        let client_id = required("AZURE_CLIENT_ID")?;
        let client_secret = SecretString::from(required("AZURE_CLIENT_SECRET")?);
        let mut inner =
            ClientSecretCredential::new(tenant_id, client_id, client_secret).with_cloud(cloud);
        if let Some(host) = lookup("AZURE_AUTHORITY_HOST").filter(|v| !v.trim().is_empty()) {
            let host = host.trim();
            let parsed = if host.contains("://") {
                Url::parse(host)
            } else {
                Url::parse(&format!("https://{host}"))
            };
            let url = parsed.map_err(|e| {
                AuthError::InvalidConfiguration(format!(
                    "AZURE_AUTHORITY_HOST `{host}` is not a URL: {e}"
                ))
            })?;
            inner = inner.with_authority_host(url);
        }
        Ok(Self { inner })
    }

    /// The configured credential, to adjust (scope, HTTP client) or use directly.
    pub fn into_inner(self) -> ClientSecretCredential {
        self.inner
    }
}

impl TokenProvider for EnvironmentCredential {
    fn token(&self) -> TokenFuture<'_> {
        self.inner.token()
    }

    fn invalidate(&self) {
        self.inner.invalidate()
    }
}

type SharedRefresh = Shared<BoxFuture<'static, Result<AccessToken, AuthError>>>;

#[derive(Default)]
struct CacheState {
    token: Option<AccessToken>,
    refresh: Option<(u64, SharedRefresh)>,
    next_refresh_id: u64,
}

/// Caches the token of another provider and refreshes it shortly before it expires.
///
/// - A cached token is returned while it stays valid for longer than the refresh margin
///   (default 5 minutes).
/// - Concurrent callers that need a new token share one request to the inner provider.
/// - A failed refresh is returned to every caller waiting for it; the next call tries again.
pub struct CachedTokenProvider<P: ?Sized = dyn TokenProvider> {
    margin: Duration,
    state: Mutex<CacheState>,
    inner: Arc<P>,
}

impl<P: TokenProvider + 'static> CachedTokenProvider<P> {
    /// Caches the tokens of `inner`.
    pub fn new(inner: P) -> Self {
        Self::from_arc(Arc::new(inner))
    }
}

impl<P: TokenProvider + ?Sized + 'static> CachedTokenProvider<P> {
    /// The default refresh margin: 5 minutes before expiry.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

    /// Caches the tokens of a shared provider, e.g. an `Arc<dyn TokenProvider>`.
    pub fn from_arc(inner: Arc<P>) -> Self {
        Self {
            margin: Self::DEFAULT_REFRESH_MARGIN,
            state: Mutex::new(CacheState::default()),
            inner,
        }
    }

    /// Refreshes tokens once they expire within `margin`.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The refresh margin.
    pub fn refresh_margin(&self) -> Duration {
        self.margin
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn cached_token(&self) -> Result<AccessToken, AuthError> {
        let (id, refresh) = {
            let mut state = self.lock();
            if let Some(token) = &state.token
                && token.is_valid_for(self.margin)
            {
                return Ok(token.clone());
            }
            match &state.refresh {
                Some((id, refresh)) => (*id, refresh.clone()),
                None => {
                    tracing::debug!(
                        reason = if state.token.is_some() {
                            "expires within the refresh margin"
                        } else {
                            "no cached token"
                        },
                        "refreshing access token"
                    );
                    let id = state.next_refresh_id;
                    state.next_refresh_id += 1;
                    let inner = Arc::clone(&self.inner);
                    let refresh = async move { inner.token().await }.boxed().shared();
                    state.refresh = Some((id, refresh.clone()));
                    (id, refresh)
                }
            }
        };
        let result = refresh.await;
        let mut state = self.lock();
        if state
            .refresh
            .as_ref()
            .is_some_and(|(current, _)| *current == id)
        {
            state.refresh = None;
            match &result {
                Ok(token) => state.token = Some(token.clone()),
                Err(error) => tracing::debug!(%error, "access token refresh failed"),
            }
        }
        result
    }
}

impl<P: TokenProvider + ?Sized + 'static> TokenProvider for CachedTokenProvider<P> {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.cached_token())
    }

    /// Drops the cached token (and forwards to the inner provider); a refresh already in
    /// flight is still shared by its callers.
    fn invalidate(&self) {
        self.lock().token = None;
        self.inner.invalidate();
    }
}

impl<P: TokenProvider + ?Sized> fmt::Debug for CachedTokenProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("CachedTokenProvider")
            .field("inner", &self.inner)
            .field("refresh_margin", &self.margin)
            .field("cached", &state.token)
            .field("refreshing", &state.refresh.is_some())
            .finish()
    }
}

#[cfg(feature = "azure-identity")]
mod azure_impl {
    use std::fmt;
    use std::sync::Arc;
    use std::time::SystemTime;

    use azure_core::credentials::TokenCredential;

    use super::{AccessToken, AuthError, TokenFuture, TokenProvider};
    use crate::cloud::Cloud;

    /// Uses an `azure_core` [`TokenCredential`] (e.g. from `azure_identity`: managed identity,
    /// workload identity, Azure CLI) as a [`TokenProvider`]. Wrap it in
    /// [`CachedTokenProvider`](super::CachedTokenProvider) unless the credential caches itself.
    #[derive(Clone)]
    pub struct AzureCredential {
        credential: Arc<dyn TokenCredential>,
        scopes: Vec<String>,
    }

    impl AzureCredential {
        /// Requests the Graph `.default` scope of `cloud` from `credential`.
        pub fn new(credential: Arc<dyn TokenCredential>, cloud: Cloud) -> Self {
            // azure_core's HTTP transport is our reqwest (`rustls-no-provider`): make sure a
            // crypto provider is installed before the credential makes its first request.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Self {
                credential,
                scopes: vec![cloud.default_scope()],
            }
        }

        /// Requests `scopes` instead.
        pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.scopes = scopes.into_iter().map(Into::into).collect();
            self
        }

        /// The requested scopes.
        pub fn scopes(&self) -> &[String] {
            &self.scopes
        }
    }

    impl fmt::Debug for AzureCredential {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AzureCredential")
                .field("credential", &self.credential)
                .field("scopes", &self.scopes)
                .finish()
        }
    }

    impl TokenProvider for AzureCredential {
        fn token(&self) -> TokenFuture<'_> {
            Box::pin(async move {
                let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
                let token = self
                    .credential
                    .get_token(&scopes, None)
                    .await
                    .map_err(AuthError::provider)?;
                tracing::debug!(scopes = ?self.scopes, "acquired access token from azure credential");
                Ok(AccessToken::new(
                    token.token.secret().to_owned(),
                    SystemTime::from(token.expires_on),
                ))
            })
        }
    }
}
