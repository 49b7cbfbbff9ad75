//! User flows and their API connector configuration: which connector each step calls.
//!
//! Graph binds a connector to a step with `PUT .../apiConnectorConfiguration/{step}/$ref` and a
//! body `{"@odata.id": "<full URL of the connector>"}` (a bare id is rejected), and unbinds it with
//! `PUT {}`. Which steps exist depends on the version, and which a family can bind on the spec:
//! `preTokenIssuance` is beta-only and Graph marks it not referenceable, so it can be read but not
//! bound through `$ref`. [`UserFlows::steps`] is that table for one version and family.
//!
//! The families are the markers [`B2c`] (Azure AD B2C, beta only) and [`B2x`] (workforce and
//! External ID self-service sign-up, both versions). A family a version lacks has no
//! [`UserFlowFamily`] impl, so `UserFlows<V1, B2c>` does not compile.

use std::fmt::Debug;
use std::future::Future;
use std::marker::PhantomData;

use futures::stream::BoxStream;

use crate::connectors::validate_id;
use crate::error::{Error, Result};
use crate::graph::{Graph, call, typed};
use crate::models::{ConfigurationModel, FlowModel, Model};
use crate::odata::Query;
use crate::paging::Page;
use crate::preview::RequestPreview;
use crate::step::{Step, join};
use crate::version::{Generated, Version, sealed};

/// Azure AD B2C user flows (`/identity/b2cUserFlows`, B2C tenants only; Graph beta only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct B2c;

impl sealed::Sealed for B2c {}

/// Self-service sign-up user flows of workforce / External ID tenants (`/identity/b2xUserFlows`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct B2x;

impl sealed::Sealed for B2x {}

/// A user-flow family of Graph version `V`, implemented by the generated code where the spec has
/// the family's operations.
pub trait UserFlowFamily<V: Version>:
    sealed::Sealed + Copy + Debug + Default + Send + Sync + 'static
{
    /// The user flow type, e.g. `b2cIdentityUserFlow`.
    type Flow: FlowModel + Model;
    /// A page of user flows.
    type Page: Page<Item = Self::Flow>;

    /// The steps whose connector can be bound with `$ref` (the spec has the operation).
    const BINDABLE: &'static [Step];
    /// The steps [`UserFlows::configuration`] expands (read, and bound only if [`Self::BINDABLE`]).
    const READABLE: &'static [Step];
    /// The collection below `/identity`: `b2cUserFlows` or `b2xUserFlows`.
    const COLLECTION: &'static str;

    /// `GET /identity/{family}`.
    fn list(
        client: &V::Client,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::Page, V>> + Send;

    /// `GET /identity/{family}/{id}`.
    fn get(
        client: &V::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::Flow, V>> + Send;

    /// `POST /identity/{family}`.
    fn create(
        client: &V::Client,
        body: Self::Flow,
    ) -> impl Future<Output = Generated<Self::Flow, V>> + Send;

    /// `DELETE /identity/{family}/{id}`.
    fn delete(client: &V::Client, id: &str) -> impl Future<Output = Generated<(), V>> + Send;

    /// `GET /identity/{family}/{id}/apiConnectorConfiguration`.
    fn configuration(
        client: &V::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<V::Configuration, V>> + Send;

    /// `PUT /identity/{family}/{id}/apiConnectorConfiguration/{step}/$ref`; a step without the
    /// operation is `InvalidRequest`, before any request.
    fn set_ref(
        client: &V::Client,
        id: &str,
        key: Step,
        body: V::ReferenceUpdate,
    ) -> impl Future<Output = Generated<(), V>> + Send;
}

/// What a family can do with a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepAccess {
    /// Bound and unbound with `$ref`, and read.
    Bind,
    /// Only read (expanded in the configuration); Graph defines no `$ref` for it.
    Read,
}

/// The user flows of family `F` on Graph version `V`, from [`Graph::b2x_user_flows`],
/// [`Graph::b2c_user_flows`] or [`Graph::user_flows`].
#[derive(Clone, Debug)]
pub struct UserFlows<V: Version, F: UserFlowFamily<V>> {
    graph: Graph<V>,
    family: PhantomData<F>,
}

impl<V: Version, F: UserFlowFamily<V>> UserFlows<V, F> {
    pub(crate) fn new(graph: Graph<V>) -> Self {
        UserFlows {
            graph,
            family: PhantomData,
        }
    }

    /// The steps of this family on this version and what can be done with each, in the order
    /// of [`Step`].
    pub fn steps(&self) -> Vec<(Step, StepAccess)> {
        F::READABLE
            .iter()
            .map(|&step| (step, self.access(step).expect("a readable step")))
            .collect()
    }

    /// What can be done with `step`: `None` when the family does not read it.
    pub fn access(&self, step: Step) -> Option<StepAccess> {
        if F::BINDABLE.contains(&step) {
            Some(StepAccess::Bind)
        } else if F::READABLE.contains(&step) {
            Some(StepAccess::Read)
        } else {
            None
        }
    }

    /// Every user flow of this family, following `@odata.nextLink`.
    pub fn list(&self) -> BoxStream<'static, Result<F::Flow>> {
        let this = self.clone();
        crate::paging::items::<F::Page, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move {
                call(
                    this.graph.transport(),
                    F::list(this.graph.generated(), &Query::default()),
                )
                .await
            },
        )
    }

    /// Every user flow of this family, collected.
    pub async fn list_all(&self) -> Result<Vec<F::Flow>> {
        futures::TryStreamExt::try_collect(self.list()).await
    }

    /// A user flow by id (e.g. `B2C_1_SignUp`).
    pub async fn get(&self, id: &str) -> Result<F::Flow> {
        validate_id("user flow", id)?;
        call(
            self.graph.transport(),
            F::get(self.graph.generated(), id, &Query::default()),
        )
        .await
    }

    /// Create a user flow (`201 Created`). Bind connectors afterwards with
    /// [`attach`](Self::attach): Graph ignores connectors given inline here.
    pub async fn create(&self, flow: &F::Flow) -> Result<F::Flow> {
        match flow.id().as_deref() {
            Some(id) => validate_id("user flow", id)?,
            None => return Err(Error::InvalidInput("a new user flow needs an id".into())),
        }
        call(
            self.graph.transport(),
            F::create(self.graph.generated(), flow.clone()),
        )
        .await
    }

    /// Delete a user flow (`204 No Content`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_id("user flow", id)?;
        call(
            self.graph.transport(),
            F::delete(self.graph.generated(), id),
        )
        .await
    }

    /// The connectors bound to each step, expanded inline (`$expand` of every step the family
    /// reads).
    pub async fn configuration(&self, id: &str) -> Result<V::Configuration> {
        validate_id("user flow", id)?;
        let query = Query {
            expand: Some(join(F::READABLE, ",")),
            ..Query::default()
        };
        call(
            self.graph.transport(),
            F::configuration(self.graph.generated(), id, &query),
        )
        .await
    }

    /// Bind `connector_id` to `step` of user flow `flow_id` (`204 No Content`). The body carries
    /// the connector's full URL, built from this client's base URL.
    pub async fn attach(&self, flow_id: &str, step: Step, connector_id: &str) -> Result<()> {
        validate_id("connector", connector_id)?;
        let url = self
            .graph
            .entity_url(&["identity", "apiConnectors", connector_id]);
        self.set_ref(
            flow_id,
            step,
            serde_json::json!({ "@odata.id": url.as_str() }),
        )
        .await
    }

    /// Unbind whatever connector `step` of user flow `flow_id` calls (`PUT {}`).
    pub async fn detach(&self, flow_id: &str, step: Step) -> Result<()> {
        self.set_ref(flow_id, step, serde_json::json!({})).await
    }

    /// The request [`attach`](Self::attach) would send, checked the same way.
    pub fn preview_attach(
        &self,
        flow_id: &str,
        step: Step,
        connector_id: &str,
    ) -> Result<RequestPreview> {
        validate_id("connector", connector_id)?;
        let url = self
            .graph
            .entity_url(&["identity", "apiConnectors", connector_id]);
        self.preview_ref(
            flow_id,
            step,
            serde_json::json!({ "@odata.id": url.as_str() }),
        )
    }

    /// The request [`detach`](Self::detach) would send, checked the same way.
    pub fn preview_detach(&self, flow_id: &str, step: Step) -> Result<RequestPreview> {
        self.preview_ref(flow_id, step, serde_json::json!({}))
    }

    fn preview_ref(
        &self,
        flow_id: &str,
        step: Step,
        body: serde_json::Value,
    ) -> Result<RequestPreview> {
        self.check_ref(flow_id, step)?;
        let url = self.graph.entity_url(&[
            "identity",
            F::COLLECTION,
            flow_id,
            "apiConnectorConfiguration",
            step.as_str(),
            "$ref",
        ]);
        Ok(RequestPreview::new(reqwest::Method::PUT, url, Some(body)))
    }

    /// The checks of a `$ref` write: a valid flow id, a step of the version the family binds.
    fn check_ref(&self, flow_id: &str, step: Step) -> Result<()> {
        validate_id("user flow", flow_id)?;
        let known = V::Configuration::STEPS;
        if !known.contains(&step) {
            return Err(Error::InvalidInput(format!(
                "Graph {} has no {step} step; it has: {}",
                V::API,
                join(known, ", ")
            )));
        }
        if !F::BINDABLE.contains(&step) {
            return Err(Error::InvalidInput(format!(
                "the {step} step cannot be bound through $ref: Graph marks it not referenceable"
            )));
        }
        Ok(())
    }

    async fn set_ref(&self, flow_id: &str, step: Step, body: serde_json::Value) -> Result<()> {
        self.check_ref(flow_id, step)?;
        call(
            self.graph.transport(),
            F::set_ref(self.graph.generated(), flow_id, step, typed(body)?),
        )
        .await
    }
}
