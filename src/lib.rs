//! Typed, fast and safe management of API connectors in Microsoft Entra External ID and
//! Azure AD B2C through Microsoft Graph.
//!
//! An API connector makes a sign-up user flow call your own REST API at one step. This crate
//! creates and maintains connectors, uploads their client certificates and binds them to user-flow
//! steps; [`contract`] types the calls the user flow then makes to your API.
//!
//! - [`GraphClient`] is the entry point: cloud or base URL, credentials ([`auth`]), timeouts,
//!   [retries](retry::RetryPolicy), limits. [`GraphClient::beta`] and [`GraphClient::v1`] give the
//!   typed operations of each Graph version, [`Graph<Beta>`](Graph) and [`Graph<V1>`](Graph),
//!   built on bindings generated from Microsoft's CSDL at build time ([`beta::types`],
//!   [`v1::types`]).
//! - One set of types serves both versions: [`Graph`], [`connectors::Connectors`] and
//!   [`UserFlows`] are generic over a [`Version`] (and a [`UserFlowFamily`]), and the generated
//!   types are read through the [`models`] traits, so a function written once works on either
//!   version ([`version`] has an example). What a version lacks does not compile
//!   (`client.v1().b2c_user_flows()`), and [`Step`] comes with a per-version, per-family table of
//!   what can be bound or only read ([`UserFlows::steps`]).
//! - Every failure is an [`Error`]; Graph's own errors carry status, code, message and request id.
//!
//! # Cargo features
//!
//! `beta` and `v1` (the Graph versions, both on by default) are the only default features, so a
//! plain dependency builds lean. Opt in to the rest:
//!
//! - `schema`: JSON Schemas of the model types (`schema` module); the types implement
//!   `schemars::JsonSchema` only with it.
//! - `test-util`: `certificate::testing`, PKCS#12 files generated on the spot.
//! - `azure-identity`: `auth::AzureCredential`, any `azure_identity` credential.
//!
//! The local Graph emulator (`entra-api-connectors-emulator`) and the `apiconn` command-line tool
//! are crates of their own in the same workspace.
//!
//! # Worked examples
//!
//! A client for the global cloud with credentials from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//! `AZURE_CLIENT_SECRET`:
//!
//! ```no_run
//! use entra_api_connectors::{GraphClient, auth::EnvironmentCredential};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = GraphClient::builder()
//!     .token_provider(EnvironmentCredential::from_env()?)
//!     .timeout(std::time::Duration::from_secs(30))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Create a connector with HTTP basic authentication, list, read, update and delete:
//!
//! ```no_run
//! use entra_api_connectors::connectors::{Authentication, ConnectorPatch, ListOptions, NewConnector, Patch};
//! use futures::TryStreamExt;
//! use secrecy::SecretString;
//! # async fn demo(client: entra_api_connectors::GraphClient) -> entra_api_connectors::Result<()> {
//! let connectors = client.beta().connectors();
//! let created = connectors
//!     .create(&NewConnector::new(
//!         "Validate postal code",
//!         "https://api.contoso.com/validate",
//!         Authentication::basic("b2c", SecretString::from("s3cret")),
//!     ))
//!     .await?;
//! let id = created.id.clone().unwrap_or_default();
//!
//! // every connector, following @odata.nextLink, one page in memory at a time
//! let mut all = connectors.list(ListOptions::default().select(["id", "displayName"]));
//! while let Some(c) = all.try_next().await? {
//!     println!("{:?} {:?}", c.id, c.display_name);
//! }
//!
//! let one = connectors.get(&id, &["displayName", "targetUrl"]).await?;
//! // a real PATCH: rename, leave the URL alone
//! let patch = ConnectorPatch { display_name: Patch::Set("Postal code".into()), ..Default::default() };
//! connectors.update(&id, &patch).await?;
//! connectors.delete(&id).await?;
//! # let _ = one; Ok(()) }
//! ```
//!
//! Upload a client certificate, checked locally first, and find the active one:
//!
//! ```no_run
//! use entra_api_connectors::connectors::Pkcs12Upload;
//! use entra_api_connectors::models::ConnectorModel;
//! use secrecy::SecretString;
//! # async fn demo(client: entra_api_connectors::GraphClient, id: &str) -> entra_api_connectors::Result<()> {
//! let upload = Pkcs12Upload::from_file("connector.pfx", SecretString::from("pfx password"))?;
//! let connector = client.v1().connectors().upload_certificate(id, &upload).await?;
//! if let Some(active) = connector.active_certificate() {
//!     println!("Graph presents {} until {}", active.thumbprint, active.not_after);
//! }
//! let soon = connector.certificates_expiring_within(std::time::Duration::from_secs(30 * 86_400));
//! # let _ = soon; Ok(()) }
//! ```
//!
//! Bind a connector to a step of an Azure AD B2C user flow, read the configuration, unbind:
//!
//! ```no_run
//! use entra_api_connectors::{Step, StepAccess};
//! # async fn demo(client: entra_api_connectors::GraphClient, id: &str) -> entra_api_connectors::Result<()> {
//! let flows = client.beta().b2c_user_flows();
//! assert_eq!(flows.access(Step::PreTokenIssuance), Some(StepAccess::Read));
//! flows.attach("B2C_1_SignUp", Step::PostAttributeCollection, id).await?;
//! let config = flows.configuration("B2C_1_SignUp").await?;
//! assert!(config.post_attribute_collection.is_some());
//! flows.detach("B2C_1_SignUp", Step::PostAttributeCollection).await?;
//! # Ok(()) }
//! ```
//!
//! Errors are typed values to match on, and print as one line with what Graph (or the token
//! endpoint) said:
//!
//! ```no_run
//! use entra_api_connectors::Error;
//! use entra_api_connectors::auth::AuthError;
//! # async fn demo(client: entra_api_connectors::GraphClient) {
//! match client.v1().connectors().get("no-such-id", &[]).await {
//!     Err(e) if e.is_not_found() => eprintln!("{e}"), // Graph error 404 Not Found: ... (request-id ...)
//!     Err(Error::Auth(AuthError::TokenEndpoint(t))) => eprintln!("sign-in failed: AADSTS{:?}", t.error_codes),
//!     Err(e) if e.is_retryable() => eprintln!("try again later: {e}"),
//!     Err(e) => eprintln!("failed: {e}"),
//!     Ok(_) => {}
//! }
//! # }
//! ```

#![warn(missing_docs)]
// Without a Graph version feature, the generic layer has no version to serve.
#![cfg_attr(
    not(any(feature = "beta", feature = "v1")),
    allow(unused_imports, dead_code)
)]

pub mod auth;
#[cfg(feature = "beta")]
pub mod beta;
mod client;
pub mod cloud;
pub mod connectors;
pub mod custom_extensions;
pub mod error;
pub mod event_listeners;
pub mod events_flows;
mod excerpt;
pub mod extensibility;
mod graph;
mod hooks;
pub mod models;
pub mod odata;
pub mod organization;
pub mod paging;
pub mod preview;
pub mod retry;
#[cfg(feature = "schema")]
pub mod schema;
mod secret;
mod stash;
mod step;
pub mod transport;
pub mod user_flows;
#[cfg(feature = "v1")]
pub mod v1;
pub mod version;

pub use client::{
    ApiVersion, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES, GraphClient, GraphClientBuilder,
};
pub use cloud::Cloud;
/// PKCS#12 checks (the `entra-api-connectors-certificate` crate).
pub use entra_api_connectors_certificate as certificate;
/// The contract of the API a connector calls (the `entra-api-connectors-contract` crate).
pub use entra_api_connectors_contract as contract;
pub use error::{Error, GraphError, Result};
pub use extensibility::Extensibility;
pub use graph::Graph;
pub use secret::Secret;
pub use step::Step;
pub use user_flows::{B2c, B2x, StepAccess, UserFlowFamily, UserFlows};
#[cfg(feature = "beta")]
pub use version::Beta;
#[cfg(feature = "v1")]
pub use version::V1;
pub use version::Version;

/// The traits and markers generic code needs: `use entra_api_connectors::prelude::*;`.
pub mod prelude {
    pub use crate::models::{
        AuthenticationModel, BasicAuthenticationModel, CertificateInfoModel,
        ClientCertificateModel, ConfigurationModel, ConnectorModel, FlowModel, GenericErrorModel,
        Model, ValidationModel,
    };
    #[cfg(feature = "beta")]
    pub use crate::version::Beta;
    #[cfg(feature = "v1")]
    pub use crate::version::V1;
    pub use crate::{B2c, B2x, Graph, Step, StepAccess, UserFlowFamily, UserFlows, Version};
}
