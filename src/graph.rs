//! [`Graph<V>`]: the typed operations of one Graph version, sharing a [`GraphClient`]'s
//! pipeline; and [`call`], the one place where a generated operation's result becomes the
//! crate's [`Result`].

use std::future::Future;
use std::marker::PhantomData;

use url::Url;

use crate::client::{ApiVersion, GraphClient};
use crate::connectors::Connectors;
use crate::custom_extensions::CustomExtensions;
use crate::error::{Error, Result};
use crate::event_listeners::EventListeners;
use crate::events_flows::EventsFlows;
use crate::extensibility::Extensibility;
use crate::hooks::from_generated;
use crate::models::ConfigurationModel;
use crate::step::Step;
use crate::transport::Transport;
use crate::user_flows::{B2x, UserFlowFamily, UserFlows};
use crate::version::Version;

/// Typed operations against Graph version `V`, sharing the [`GraphClient`]'s pipeline.
///
/// From [`GraphClient::beta`], [`GraphClient::v1`] or [`GraphClient::graph`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Graph<V: Version> {
    client: GraphClient,
    generated: V::Client,
    base: Url,
    version: PhantomData<V>,
}

impl GraphClient {
    /// Typed operations against Graph version `V` (`client.graph::<Beta>()`).
    pub fn graph<V: Version>(&self) -> Graph<V> {
        Graph::new(self.clone())
    }

    /// Typed operations against Graph `beta`.
    #[cfg(feature = "beta")]
    pub fn beta(&self) -> Graph<crate::Beta> {
        self.graph()
    }

    /// Typed operations against Graph `v1.0`.
    #[cfg(feature = "v1")]
    pub fn v1(&self) -> Graph<crate::V1> {
        self.graph()
    }
}

impl<V: Version> Graph<V> {
    fn new(client: GraphClient) -> Self {
        let base = client.base_url(V::API);
        let generated = V::new_client(
            base.as_str().trim_end_matches('/'),
            client.transport().http().clone(),
            client.transport().clone(),
        );
        Graph {
            client,
            generated,
            base,
            version: PhantomData,
        }
    }

    /// The version, e.g. [`ApiVersion::Beta`].
    pub fn api_version(&self) -> ApiVersion {
        V::API
    }

    /// The service root of this version, e.g. `https://graph.microsoft.com/beta`.
    pub fn base_url(&self) -> Url {
        self.base.clone()
    }

    /// The generated client, for operations the handwritten layer does not wrap.
    pub fn generated(&self) -> &V::Client {
        &self.generated
    }

    /// The full URL of an entity below the service root, each segment percent-encoded.
    pub fn entity_url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// API connectors of the tenant.
    pub fn connectors(&self) -> Connectors<V> {
        Connectors::new(self.clone())
    }

    /// The user flows of family `F` (`graph.user_flows::<B2x>()`).
    pub fn user_flows<F: UserFlowFamily<V>>(&self) -> UserFlows<V, F> {
        UserFlows::new(self.clone())
    }

    /// Self-service sign-up user flows of workforce / External ID tenants
    /// (`/identity/b2xUserFlows`).
    pub fn b2x_user_flows(&self) -> UserFlows<V, B2x>
    where
        B2x: UserFlowFamily<V>,
    {
        self.user_flows()
    }

    /// The user-flow steps this version has, as its connector configuration lists them.
    pub fn steps(&self) -> &'static [Step] {
        V::Configuration::STEPS
    }

    /// The step of this version named `name` (case-insensitive); the error lists the ones it has.
    pub fn step(&self, name: &str) -> Result<Step> {
        Step::parse_among(name, self.steps(), &format!("Graph {}", V::API))
    }

    /// The request pipeline.
    pub(crate) fn transport(&self) -> &Transport {
        self.client.transport()
    }

    /// The most pages one listing follows.
    pub(crate) fn max_pages(&self) -> usize {
        self.client.max_pages()
    }

    /// Send a JSON body through the pipeline (for requests the generated code cannot express,
    /// such as a PATCH with `null`s).
    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        body: &serde_json::Value,
    ) -> Result<(u16, bytes::Bytes)> {
        let request = self
            .transport()
            .http()
            .request(method, self.entity_url(segments))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(serde_json::to_vec(body).expect("JSON"))
            .build()
            .map_err(Error::transport)?;
        self.transport().send(request).await
    }
}

/// Microsoft Entra External ID's extensibility, for versions whose spec has it (our `v1.0`).
impl<V: Extensibility> Graph<V> {
    /// Custom authentication extensions (`/identity/customAuthenticationExtensions`).
    pub fn custom_extensions(&self) -> CustomExtensions<V> {
        CustomExtensions::new(self.clone())
    }

    /// Authentication events flows (`/identity/authenticationEventsFlows`).
    pub fn events_flows(&self) -> EventsFlows<V> {
        EventsFlows::new(self.clone())
    }

    /// Authentication event listeners (`/identity/authenticationEventListeners`).
    pub fn event_listeners(&self) -> EventListeners<V> {
        EventListeners::new(self.clone())
    }
}

#[cfg(feature = "beta")]
impl Graph<crate::Beta> {
    /// Azure AD B2C user flows (`/identity/b2cUserFlows`, B2C tenants only; Graph beta only).
    pub fn b2c_user_flows(&self) -> UserFlows<crate::Beta, crate::B2c> {
        self.user_flows()
    }
}

/// Await a generated operation sent through `transport` and map its error to [`Error`] (a failed
/// token comes back as the typed [`AuthError`](crate::auth::AuthError), see `hooks`).
pub(crate) async fn call<T, E: serde::Serialize>(
    transport: &Transport,
    operation: impl Future<Output = std::result::Result<T, progenitor_client::Error<E>>>,
) -> Result<T> {
    match operation.await {
        Ok(value) => Ok(value),
        Err(e) => Err(from_generated(e, transport).await),
    }
}

/// A generated body type read from the JSON Graph documents for it.
///
/// The handwritten layer builds request bodies as JSON (one encoder per body, shared by both
/// versions and by the PATCH, which needs `null`s the typed structs cannot say) and reads them into
/// the version's generated type, which the generated operation then serializes. The two agree by
/// construction; should a spec change a property's type, this fails before anything is sent,
/// without quoting the body (it may hold secrets).
pub(crate) fn typed<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T> {
    serde_json::from_value(body).map_err(|_| {
        Error::InvalidInput(format!(
            "the request body does not fit the generated `{}`",
            std::any::type_name::<T>()
        ))
    })
}
