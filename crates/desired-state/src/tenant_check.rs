//! The tenant check: before reading for a plan, and before any change, the credential's tenant must
//! be the one the file names (its id or one of its verified domains), on the file's cloud and Graph
//! version. Then [`read_tenant`] reads the snapshot and [`plan_tenant`] plans against it.
//!
//! The tenant comes from `GET /organization` (`id`, `verifiedDomains`), which works with every
//! credential, whether or not its token is a JWT (`docs/graph-behaviour.md` §13).

use entra_api_connectors::organization::Organization;

use crate::error::Quoted;
use crate::model::Cloud;
use crate::plan::{Plan, PlanErrors, PlanOptions, plan};
use crate::snapshot::Snapshot;
use crate::steps::ApiVersion;
use crate::tenant::{Tenant, families, read_snapshot};
use crate::validate::DesiredState;

/// Why nothing was read or changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TenantError {
    /// The credential is for another tenant than the file names.
    #[error(
        "the file is for tenant {}, but the credential is for tenant {id} ({}); nothing was changed",
        Quoted(expected),
        if domains.is_empty() { "no verified domain".to_owned() } else { domains.join(", ") }
    )]
    WrongTenant {
        /// What the file says.
        expected: String,
        /// The credential's tenant id.
        id: String,
        /// Its verified domains.
        domains: Vec<String>,
    },
    /// The client talks to another national cloud than the file names.
    #[error(
        "the file is for the {expected} cloud, but the client uses the {actual} cloud; nothing was changed"
    )]
    WrongCloud {
        /// What the file says.
        expected: Cloud,
        /// The client's.
        actual: Cloud,
    },
    /// The client talks to another Graph version than the file is written for.
    #[error(
        "the file is written for Graph {file}, but the client uses Graph {client}; nothing was changed"
    )]
    WrongVersion {
        /// The file's.
        file: ApiVersion,
        /// The client's.
        client: ApiVersion,
    },
    /// Reading the tenant failed; nothing was changed.
    #[error("reading the tenant failed; nothing was changed: {0}")]
    Graph(#[from] entra_api_connectors::Error),
    /// The file cannot be planned against this tenant; nothing was changed.
    #[error("{0}")]
    Plan(PlanErrors),
}

/// Checks that `tenant` is the one the file names, on its cloud and version (one `GET /organization`;
/// the version and cloud are checked first, without a request).
pub async fn check_tenant<T: Tenant>(
    expected: &str,
    cloud: Cloud,
    version: ApiVersion,
    tenant: &T,
) -> Result<Organization, TenantError> {
    if tenant.api_version() != version {
        return Err(TenantError::WrongVersion {
            file: version,
            client: tenant.api_version(),
        });
    }
    if let Some(actual) = tenant.cloud()
        && actual != cloud
    {
        return Err(TenantError::WrongCloud {
            expected: cloud,
            actual,
        });
    }
    let organization = tenant.organization().await?;
    if !organization.is_named(expected) {
        return Err(TenantError::WrongTenant {
            expected: expected.to_owned(),
            id: organization.id.clone(),
            domains: organization
                .verified_domains
                .iter()
                .map(|d| d.name.clone())
                .collect(),
        });
    }
    Ok(organization)
}

/// Checks the tenant against the file ([`check_tenant`]), then reads its snapshot with at most
/// `concurrency` requests at a time.
pub async fn read_tenant<T: Tenant>(
    desired: &DesiredState,
    tenant: &T,
    concurrency: usize,
) -> Result<(Organization, Snapshot), TenantError> {
    let organization =
        check_tenant(&desired.tenant, desired.cloud, desired.api_version, tenant).await?;
    let snapshot = read_snapshot(
        tenant,
        &families(desired.api_version, &organization),
        concurrency,
    )
    .await?;
    Ok((organization, snapshot))
}

/// [`read_tenant`], then [`plan`].
pub async fn plan_tenant<T: Tenant>(
    desired: &DesiredState,
    tenant: &T,
    options: PlanOptions,
    concurrency: usize,
) -> Result<Plan, TenantError> {
    let (_, snapshot) = read_tenant(desired, tenant, concurrency).await?;
    plan(desired, &snapshot, options).map_err(TenantError::Plan)
}
