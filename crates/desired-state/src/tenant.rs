//! The tenant, as `plan`, `apply` and `export` see it: the [`Tenant`] trait (a handful of Graph
//! operations, version-neutral) and its implementation over the client, [`GraphTenant`].
//!
//! [`read_snapshot`] reads every connector, every user flow of each family the version and the
//! tenant have, and each flow's connector configuration. Which families a tenant has comes from its
//! `organization` (`tenantType`): an Azure AD B2C tenant has `b2cUserFlows` (beta only), an
//! External ID external tenant (`CIAM`) none that are read (its sign-up flows are events flows), any
//! other tenant `b2xUserFlows` (`docs/graph-behaviour.md` §2.2, §13).

use std::future::Future;

use entra_api_connectors::connectors::{ConnectorPatch, ListOptions, NewConnector, Pkcs12Upload};
use entra_api_connectors::models::{
    AuthenticationModel, BasicAuthenticationModel, ConfigurationModel, ConnectorModel, FlowModel,
};
use entra_api_connectors::organization::Organization;
use entra_api_connectors::{B2c, B2x, Beta, Error, Graph, Result, UserFlowFamily, V1, Version};
use futures::{StreamExt, TryStreamExt};

use crate::model::Cloud;
use crate::snapshot::{
    AuthenticationSnapshot, CertificateSnapshot, ConnectorSnapshot, Snapshot, UserFlowSnapshot,
};
use crate::steps::{ApiVersion, Family, Step, bindable_steps};

/// The operations on a tenant that reading, planning, applying and exporting need.
///
/// Every method is one Graph request (listings follow `@odata.nextLink`). Errors are the client's
/// [`Error`]; none carries a secret.
pub trait Tenant: Send + Sync {
    /// The Graph version requests go to.
    fn api_version(&self) -> ApiVersion;

    /// The national cloud of the endpoint, or `None` for another endpoint (an emulator, a proxy).
    fn cloud(&self) -> Option<Cloud>;

    /// The tenant the credential is for (`GET /organization`).
    fn organization(&self) -> impl Future<Output = Result<Organization>> + Send;

    /// Every connector.
    fn list_connectors(&self) -> impl Future<Output = Result<Vec<ConnectorSnapshot>>> + Send;

    /// One connector by id.
    fn connector(&self, id: &str) -> impl Future<Output = Result<ConnectorSnapshot>> + Send;

    /// The ids of every user flow of `family`.
    fn list_user_flows(&self, family: Family) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// The connector id each readable step of a flow calls (`None`: nothing).
    fn flow_configuration(
        &self,
        family: Family,
        flow: &str,
    ) -> impl Future<Output = Result<Vec<(Step, Option<String>)>>> + Send;

    /// Creates a connector (`POST`, not retried once it may have reached Graph).
    fn create_connector(
        &self,
        connector: &NewConnector,
    ) -> impl Future<Output = Result<ConnectorSnapshot>> + Send;

    /// Updates a connector in place (`PATCH`).
    fn update_connector(
        &self,
        id: &str,
        patch: &ConnectorPatch,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes a connector.
    fn delete_connector(&self, id: &str) -> impl Future<Output = Result<()>> + Send;

    /// Uploads a certificate to a connector (`uploadClientCertificate`, a `POST`).
    fn upload_certificate(
        &self,
        id: &str,
        upload: &Pkcs12Upload,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Makes `step` of `flow` call `connector_id` (`PUT …/{step}/$ref`).
    fn bind(
        &self,
        family: Family,
        flow: &str,
        step: Step,
        connector_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Makes `step` of `flow` call nothing (`PUT …/{step}/$ref` with `{}`).
    fn unbind(
        &self,
        family: Family,
        flow: &str,
        step: Step,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// The user-flow families a tenant of this kind has in `version`: `b2c` for an Azure AD B2C tenant
/// (none in v1.0, which has no `b2cUserFlows`), none for an External ID external tenant, `b2x`
/// for a workforce tenant.
pub fn families(version: ApiVersion, organization: &Organization) -> Vec<Family> {
    if organization.is_external() {
        // External tenants' sign-up flows are events flows (a choice: docs/graph-behaviour.md §13).
        return Vec::new();
    }
    let family = if organization.is_b2c() {
        Family::B2c
    } else {
        Family::B2x
    };
    if bindable_steps(version, family).is_ok() {
        vec![family]
    } else {
        Vec::new()
    }
}

/// Reads the tenant: every connector, every flow of `families`, and each flow's configuration,
/// with at most `concurrency` requests at a time.
pub async fn read_snapshot<T: Tenant>(
    tenant: &T,
    families: &[Family],
    concurrency: usize,
) -> Result<Snapshot> {
    let connectors = tenant.list_connectors().await?;
    let mut flows = Vec::new();
    for &family in families {
        for id in tenant.list_user_flows(family).await? {
            flows.push((family, id));
        }
    }
    let user_flows: Vec<UserFlowSnapshot> = futures::stream::iter(flows)
        .map(|(family, id)| async move {
            let steps = tenant.flow_configuration(family, &id).await?;
            Ok::<_, Error>(UserFlowSnapshot {
                id,
                family,
                steps: steps.into_iter().collect(),
            })
        })
        .buffered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(Snapshot {
        connectors,
        user_flows,
    })
}

/// A connector of either version as a [`ConnectorSnapshot`].
pub fn connector_snapshot<C: ConnectorModel>(connector: &C) -> ConnectorSnapshot {
    let authentication = match connector.authentication() {
        Some(auth) => {
            if let Some(basic) = auth.basic() {
                AuthenticationSnapshot::Basic {
                    username: basic.username().clone().unwrap_or_default(),
                }
            } else if auth.client_certificate().is_some() {
                AuthenticationSnapshot::ClientCertificate {
                    certificate_list: connector
                        .certificates()
                        .into_iter()
                        .map(CertificateSnapshot::from)
                        .collect(),
                }
            } else {
                AuthenticationSnapshot::Unknown {
                    odata_type: auth.odata_type().map(str::to_owned),
                }
            }
        }
        None => AuthenticationSnapshot::Unknown { odata_type: None },
    };
    ConnectorSnapshot {
        id: connector.id().clone().unwrap_or_default(),
        display_name: connector.display_name().clone().unwrap_or_default(),
        target_url: connector.target_url().clone().unwrap_or_default(),
        authentication,
    }
}

/// The file's cloud of the client's.
pub fn cloud_of(cloud: entra_api_connectors::Cloud) -> Option<Cloud> {
    use entra_api_connectors::Cloud as C;
    match cloud {
        C::Global => Some(Cloud::Global),
        C::UsGovL4 => Some(Cloud::UsGov),
        C::UsGovDoD => Some(Cloud::UsGovDod),
        C::China => Some(Cloud::China),
        _ => None,
    }
}

/// [`Tenant`] over the client's [`Graph<V>`] (`GraphTenant::new(client.beta())`).
#[derive(Debug, Clone)]
pub struct GraphTenant<V: Version> {
    pub(crate) graph: Graph<V>,
    cloud: Option<Cloud>,
}

impl<V: Version> GraphTenant<V> {
    /// The tenant behind `graph`; its cloud is the one whose Graph host the base URL has (`None`
    /// for any other host, such as the emulator's).
    pub fn new(graph: Graph<V>) -> Self {
        let host = graph.base_url().host_str().map(str::to_owned);
        let cloud = entra_api_connectors::Cloud::ALL
            .into_iter()
            .find(|c| host.as_deref() == Some(c.graph_host()))
            .and_then(cloud_of);
        GraphTenant { graph, cloud }
    }

    /// The client handle.
    pub fn graph(&self) -> &Graph<V> {
        &self.graph
    }
}

/// The versions [`GraphTenant`] serves, and how each reaches the families it has.
pub trait FamilyVersion: Version {
    /// The file's name of the version.
    const FILE_VERSION: ApiVersion;

    /// The ids of every flow of `family`.
    fn list_flows(
        graph: &Graph<Self>,
        family: Family,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// The configuration of a flow.
    fn configuration(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
    ) -> impl Future<Output = Result<Vec<(Step, Option<String>)>>> + Send;

    /// Binds (`Some`) or unbinds (`None`).
    fn set_step(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
        step: Step,
        connector_id: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
}

fn no_family(version: ApiVersion, family: Family) -> Error {
    Error::InvalidInput(format!("Graph {version} has no {family} user flows"))
}

async fn list_flows_of<V: Version, F: UserFlowFamily<V>>(graph: &Graph<V>) -> Result<Vec<String>> {
    let flows = graph.user_flows::<F>().list_all().await?;
    Ok(flows.iter().filter_map(|f| f.id().clone()).collect())
}

async fn configuration_of<V: Version, F: UserFlowFamily<V>>(
    graph: &Graph<V>,
    flow: &str,
) -> Result<Vec<(Step, Option<String>)>> {
    let config = graph.user_flows::<F>().configuration(flow).await?;
    Ok(F::READABLE
        .iter()
        .map(|&step| {
            let id = config.connector(step).and_then(|c| c.id().clone());
            (step, id)
        })
        .collect())
}

async fn set_step_of<V: Version, F: UserFlowFamily<V>>(
    graph: &Graph<V>,
    flow: &str,
    step: Step,
    connector_id: Option<&str>,
) -> Result<()> {
    let flows = graph.user_flows::<F>();
    match connector_id {
        Some(id) => flows.attach(flow, step, id).await,
        None => flows.detach(flow, step).await,
    }
}

impl FamilyVersion for Beta {
    const FILE_VERSION: ApiVersion = ApiVersion::Beta;

    async fn list_flows(graph: &Graph<Self>, family: Family) -> Result<Vec<String>> {
        match family {
            Family::B2c => list_flows_of::<Self, B2c>(graph).await,
            Family::B2x => list_flows_of::<Self, B2x>(graph).await,
        }
    }

    async fn configuration(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
    ) -> Result<Vec<(Step, Option<String>)>> {
        match family {
            Family::B2c => configuration_of::<Self, B2c>(graph, flow).await,
            Family::B2x => configuration_of::<Self, B2x>(graph, flow).await,
        }
    }

    async fn set_step(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
        step: Step,
        connector_id: Option<&str>,
    ) -> Result<()> {
        match family {
            Family::B2c => set_step_of::<Self, B2c>(graph, flow, step, connector_id).await,
            Family::B2x => set_step_of::<Self, B2x>(graph, flow, step, connector_id).await,
        }
    }
}

impl FamilyVersion for V1 {
    const FILE_VERSION: ApiVersion = ApiVersion::V1;

    async fn list_flows(graph: &Graph<Self>, family: Family) -> Result<Vec<String>> {
        match family {
            Family::B2c => Err(no_family(Self::FILE_VERSION, family)),
            Family::B2x => list_flows_of::<Self, B2x>(graph).await,
        }
    }

    async fn configuration(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
    ) -> Result<Vec<(Step, Option<String>)>> {
        match family {
            Family::B2c => Err(no_family(Self::FILE_VERSION, family)),
            Family::B2x => configuration_of::<Self, B2x>(graph, flow).await,
        }
    }

    async fn set_step(
        graph: &Graph<Self>,
        family: Family,
        flow: &str,
        step: Step,
        connector_id: Option<&str>,
    ) -> Result<()> {
        match family {
            Family::B2c => Err(no_family(Self::FILE_VERSION, family)),
            Family::B2x => set_step_of::<Self, B2x>(graph, flow, step, connector_id).await,
        }
    }
}

impl<V: FamilyVersion> Tenant for GraphTenant<V> {
    fn api_version(&self) -> ApiVersion {
        V::FILE_VERSION
    }

    fn cloud(&self) -> Option<Cloud> {
        self.cloud
    }

    async fn organization(&self) -> Result<Organization> {
        self.graph.organization().await
    }

    async fn list_connectors(&self) -> Result<Vec<ConnectorSnapshot>> {
        let all = self
            .graph
            .connectors()
            .list_all(ListOptions::default())
            .await?;
        Ok(all.iter().map(connector_snapshot).collect())
    }

    async fn connector(&self, id: &str) -> Result<ConnectorSnapshot> {
        let c = self.graph.connectors().get(id, &[]).await?;
        Ok(connector_snapshot(&c))
    }

    async fn list_user_flows(&self, family: Family) -> Result<Vec<String>> {
        V::list_flows(&self.graph, family).await
    }

    async fn flow_configuration(
        &self,
        family: Family,
        flow: &str,
    ) -> Result<Vec<(Step, Option<String>)>> {
        V::configuration(&self.graph, family, flow).await
    }

    async fn create_connector(&self, connector: &NewConnector) -> Result<ConnectorSnapshot> {
        let c = self.graph.connectors().create(connector).await?;
        Ok(connector_snapshot(&c))
    }

    async fn update_connector(&self, id: &str, patch: &ConnectorPatch) -> Result<()> {
        self.graph.connectors().update(id, patch).await
    }

    async fn delete_connector(&self, id: &str) -> Result<()> {
        self.graph.connectors().delete(id).await
    }

    async fn upload_certificate(&self, id: &str, upload: &Pkcs12Upload) -> Result<()> {
        self.graph
            .connectors()
            .upload_certificate(id, upload)
            .await
            .map(drop)
    }

    async fn bind(&self, family: Family, flow: &str, step: Step, connector_id: &str) -> Result<()> {
        V::set_step(&self.graph, family, flow, step, Some(connector_id)).await
    }

    async fn unbind(&self, family: Family, flow: &str, step: Step) -> Result<()> {
        V::set_step(&self.graph, family, flow, step, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organization(tenant_type: Option<&str>) -> Organization {
        serde_json::from_value(serde_json::json!({"id": "x", "tenantType": tenant_type})).unwrap()
    }

    #[test]
    fn the_tenant_type_decides_the_families_read() {
        let cases = [
            (Some("AAD B2C"), ApiVersion::Beta, vec![Family::B2c]),
            (Some("AAD B2C"), ApiVersion::V1, vec![]),
            (Some("AAD"), ApiVersion::Beta, vec![Family::B2x]),
            (Some("AAD"), ApiVersion::V1, vec![Family::B2x]),
            (None, ApiVersion::V1, vec![Family::B2x]),
            (Some("CIAM"), ApiVersion::V1, vec![]),
            (Some("ciam"), ApiVersion::Beta, vec![]),
        ];
        for (tenant_type, version, expected) in cases {
            assert_eq!(
                families(version, &organization(tenant_type)),
                expected,
                "{tenant_type:?} {version}"
            );
        }
    }
}
