//! One set of types for both Graph versions: the markers [`Beta`] and [`V1`], and the
//! [`Version`] trait that the generated code of each version implements.
//!
//! The handles ([`Graph`](crate::Graph), [`Connectors`](crate::connectors::Connectors),
//! [`UserFlows`](crate::user_flows::UserFlows)) are generic over `V: Version`, so code written
//! once serves both versions:
//!
//! ```
//! use entra_api_connectors::connectors::ListOptions;
//! use entra_api_connectors::models::ConnectorModel;
//! use entra_api_connectors::{Graph, Result, Version};
//!
//! /// The display names of every connector, on either Graph version.
//! async fn names<V: Version>(graph: &Graph<V>) -> Result<Vec<String>> {
//!     let all = graph.connectors().list_all(ListOptions::default()).await?;
//!     Ok(all.iter().filter_map(|c| c.display_name().clone()).collect())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<()> {
//! # use entra_api_connectors::connectors::{Authentication, NewConnector};
//! # use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};
//! # let emulator = Emulator::start(EmulatorConfig::new(TenantKind::B2c)).await.unwrap();
//! # let client = entra_api_connectors::GraphClient::builder()
//! #     .base_url(emulator.base_url())
//! #     .token_provider(entra_api_connectors::auth::StaticToken::new(DEFAULT_TOKEN))
//! #     .build()?;
//! # let new = NewConnector::new("Validate", "https://api.contoso.example/v", Authentication::basic("u", "p"));
//! # client.beta().connectors().create(&new).await?;
//! let on_beta = names(&client.beta()).await?;
//! let on_v1 = names(&client.v1()).await?;
//! assert_eq!(on_beta, on_v1);
//! # assert_eq!(on_v1, ["Validate"]);
//! # Ok(()) }
//! ```
//!
//! The trait's operations are implemented by code that `graph-csdl` emits from the spec and the
//! binding table in `build/bindings.rs`; they return progenitor's result, which the handles map
//! to [`Error`](crate::Error). A version's types are named by the associated types
//! (`V::Connector` is `beta::types::IdentityApiConnector` for [`Beta`]) and read through the
//! [`models`](crate::models) traits.

use std::fmt::Debug;
use std::future::Future;

use crate::client::ApiVersion;
use crate::models::{
    AuthenticationModel, ClientCertificateModel, ConfigurationModel, ConnectorModel, Model,
};
use crate::odata::Query;
use crate::paging::Page;
use crate::transport::Transport;

pub(crate) mod sealed {
    /// Only this crate's markers implement the version and family traits.
    pub trait Sealed {}
}

/// Graph `beta`: Azure AD B2C user flows and the `preTokenIssuance` step.
#[cfg(feature = "beta")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Beta;

#[cfg(feature = "beta")]
impl sealed::Sealed for Beta {}

/// Graph `v1.0`.
#[cfg(feature = "v1")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct V1;

#[cfg(feature = "v1")]
impl sealed::Sealed for V1 {}

/// The error of a generated operation of version `V`.
pub type GeneratedError<V> = progenitor_client::Error<<V as Version>::ODataError>;

/// The result of a generated operation of version `V`: the response's inner value.
pub type Generated<T, V> = std::result::Result<T, GeneratedError<V>>;

/// A Graph version, implemented by the generated code of [`Beta`] and [`V1`].
///
/// The operations call the generated client and return the response's inner value; the handles
/// ([`Graph`](crate::Graph) and what it gives) validate input and map errors.
pub trait Version: sealed::Sealed + Copy + Debug + Default + Send + Sync + 'static {
    /// The version, e.g. [`ApiVersion::Beta`].
    const API: ApiVersion;

    /// progenitor's generated client, e.g. [`beta::Client`](crate::beta::Client).
    type Client: Clone + Debug + Send + Sync + 'static;
    /// `identityApiConnector`.
    type Connector: ConnectorModel + Model + Default;
    /// A page of connectors (`identityApiConnectorCollectionResponse`).
    type ConnectorPage: Page<Item = Self::Connector> + Model;
    /// The body of `uploadClientCertificate`.
    type UploadRequest: Model;
    /// The body of a `$ref` update (`{"@odata.id": ...}`, or `{}` to unbind).
    type ReferenceUpdate: Model + Default;
    /// `userFlowApiConnectorConfiguration`: the connector of each step.
    type Configuration: ConfigurationModel<Connector = Self::Connector> + Model + Default;
    /// The OData error body.
    type ODataError: Model;

    /// The generated client on `baseurl`, sending through `transport`.
    fn new_client(baseurl: &str, http: reqwest::Client, transport: Transport) -> Self::Client;

    /// `GET /identity/apiConnectors`.
    fn list_api_connectors(
        client: &Self::Client,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::ConnectorPage, Self>> + Send;

    /// `GET /identity/apiConnectors/{id}`.
    fn get_api_connector(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::Connector, Self>> + Send;

    /// `POST /identity/apiConnectors`.
    fn create_api_connector(
        client: &Self::Client,
        body: Self::Connector,
    ) -> impl Future<Output = Generated<Self::Connector, Self>> + Send;

    /// `DELETE /identity/apiConnectors/{id}`.
    fn delete_api_connector(
        client: &Self::Client,
        id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `POST /identity/apiConnectors/{id}/uploadClientCertificate`.
    fn upload_client_certificate(
        client: &Self::Client,
        id: &str,
        body: Self::UploadRequest,
    ) -> impl Future<Output = Generated<Self::Connector, Self>> + Send;
}

/// The authentication configuration type of version `V`
/// (`apiAuthenticationConfigurationBase`, tagged by `@odata.type`).
pub type AuthenticationOf<V> = <<V as Version>::Connector as ConnectorModel>::Authentication;
/// `basicAuthentication` of version `V`.
pub type BasicOf<V> = <AuthenticationOf<V> as AuthenticationModel>::Basic;
/// `pkcs12Certificate` of version `V`.
pub type Pkcs12Of<V> = <AuthenticationOf<V> as AuthenticationModel>::Pkcs12;
/// `clientCertificateAuthentication` of version `V`.
pub type ClientCertificateOf<V> = <AuthenticationOf<V> as AuthenticationModel>::ClientCertificate;
/// `pkcs12CertificateInformation` of version `V`.
pub type CertificateOf<V> = <ClientCertificateOf<V> as ClientCertificateModel>::Certificate;
