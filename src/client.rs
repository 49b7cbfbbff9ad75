//! [`GraphClient`]: the entry point. Choose the cloud (or any base URL), the credentials and the
//! limits once; then use [`GraphClient::beta`], [`GraphClient::v1`] or [`GraphClient::graph`] for typed
//! operations ([`Graph`](crate::Graph)).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::auth::{CachedTokenProvider, TokenProvider};
use crate::cloud::Cloud;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// A Microsoft Graph version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `beta`: has Azure AD B2C user flows and the pre-token-issuance step.
    Beta,
    /// `v1.0`.
    V1,
}

impl ApiVersion {
    /// The URL path segment: `beta` or `v1.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::Beta => "beta",
            ApiVersion::V1 => "v1.0",
        }
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ApiVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "beta" => Ok(ApiVersion::Beta),
            "v1.0" | "v1" => Ok(ApiVersion::V1),
            other => Err(Error::InvalidInput(format!(
                "unknown Graph version `{other}` (beta, v1.0)"
            ))),
        }
    }
}

/// Default limit on a response body: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 << 20;
/// Default limit on pages followed by one listing.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// A configured connection to Microsoft Graph. Cheap to clone; clones share connections and tokens.
#[derive(Clone, Debug)]
pub struct GraphClient {
    root: Url,
    transport: Transport,
    max_pages: usize,
}

impl GraphClient {
    /// Start configuring a client.
    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder::default()
    }

    /// The service root for `version`, e.g. `https://graph.microsoft.com/beta`.
    pub fn base_url(&self, version: ApiVersion) -> Url {
        let mut url = self.root.clone();
        url.path_segments_mut()
            .expect("an http(s) URL")
            .pop_if_empty()
            .push(version.as_str());
        url
    }

    /// The request pipeline shared by every call.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The most pages one listing follows.
    pub fn max_pages(&self) -> usize {
        self.max_pages
    }
}

/// Builder of a [`GraphClient`].
#[derive(Debug, Default)]
pub struct GraphClientBuilder {
    cloud: Option<Cloud>,
    base_url: Option<String>,
    tokens: Option<Arc<dyn TokenProvider>>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry: Option<RetryPolicy>,
    max_response_bytes: Option<usize>,
    max_pages: Option<usize>,
}

impl GraphClientBuilder {
    /// The national cloud to talk to (default [`Cloud::Global`]).
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = Some(cloud);
        self
    }

    /// Any service root instead of a cloud's, e.g. an emulator's `http://127.0.0.1:8080`.
    /// Versions are appended as path segments.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Where bearer tokens come from. Tokens are cached and refreshed shortly before expiry.
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Some(Arc::new(CachedTokenProvider::new(provider)));
        self
    }

    /// Use a caller-configured `reqwest::Client` (timeouts and user agent then are the caller's).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Limit on a whole request, response body included (default 100 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit on establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `entra-api-connectors/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// When to retry (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Most pages one listing follows (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, limit: usize) -> Self {
        self.max_pages = Some(limit);
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<GraphClient> {
        let root = match (&self.base_url, self.cloud) {
            (Some(url), _) => {
                let url = Url::parse(url)
                    .map_err(|e| Error::InvalidInput(format!("base URL `{url}`: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(Error::InvalidInput(format!(
                        "base URL `{url}` is not an http(s) URL"
                    )));
                }
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(Error::InvalidInput(format!(
                        "base URL `{url}` has a query or fragment"
                    )));
                }
                url
            }
            (None, cloud) => cloud.unwrap_or_default().graph_endpoint(),
        };
        let http = match self.http {
            Some(http) => http,
            None => {
                // No bundled crypto provider in reqwest's rustls: use ring unless the application
                // already installed one.
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::builder()
                    .timeout(self.timeout.unwrap_or(Duration::from_secs(100)))
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("entra-api-connectors/", env!("CARGO_PKG_VERSION")).to_string()
                    }))
                    .build()
                    .map_err(Error::transport)?
            }
        };
        let transport = Transport::new(
            http,
            self.tokens,
            self.retry.unwrap_or_default(),
            self.max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        );
        Ok(GraphClient {
            root,
            transport,
            max_pages: self.max_pages.unwrap_or(DEFAULT_MAX_PAGES),
        })
    }
}
