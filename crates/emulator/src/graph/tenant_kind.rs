//! Which tenant kinds have the extensibility APIs: custom authentication extensions and listeners
//! exist in workforce and external tenants (token issuance start in both, the other events in
//! external tenants only), authentication events flows in external tenants only, and none of them
//! in Azure AD B2C (`docs/graph-behaviour.md` §10: undocumented; the emulator answers the mirror
//! of the observed `403 AADB2C`).

use axum::http::StatusCode;

use crate::error::GraphError;
use crate::{App, TenantKind};

fn forbidden(message: String) -> GraphError {
    GraphError::new(StatusCode::FORBIDDEN, "AADB2C", message).with_correlation()
}

/// Custom authentication extensions and event listeners: workforce and external tenants.
pub(super) fn extensions_available(app: &App) -> Result<(), GraphError> {
    match app.tenant_kind {
        TenantKind::B2c => Err(forbidden(format!(
            "'{}' is an Azure AD B2C directory. Access to this Api can only be made for an Azure AD directory (non b2c).",
            app.tenant_domain
        ))),
        TenantKind::Workforce | TenantKind::External => Ok(()),
    }
}

/// Authentication events flows: external tenants only.
pub(super) fn events_flows_available(app: &App) -> Result<(), GraphError> {
    match app.tenant_kind {
        TenantKind::External => Ok(()),
        TenantKind::B2c | TenantKind::Workforce => Err(forbidden(format!(
            "'{}' is not an external tenant. Access to this Api can only be made for an external tenant.",
            app.tenant_domain
        ))),
    }
}

/// A type of an external-tenant event on a workforce tenant.
pub(super) fn external_only(app: &App, type_name: &str) -> Result<(), GraphError> {
    if app.tenant_kind == TenantKind::External {
        return Ok(());
    }
    Err(GraphError::bad_request(format!(
        "'microsoft.graph.{type_name}' is only available in external tenants; '{}' is a workforce tenant.",
        app.tenant_domain
    )))
}
