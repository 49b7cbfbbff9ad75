//! The tenant's `organization` (`GET /organization`, `GET /organization/{id}`): its id, display
//! name, `tenantType` and `verifiedDomains`, so that a tool can find out which tenant a credential
//! is for (`docs/graph-behaviour.md` §13).
//!
//! Shapes from `L(organization-list)` and `L(resources/organization)`: a collection of exactly one
//! organization; `tenantType` is `AAD` (workforce) or `AAD B2C`; a verified domain has
//! `capabilities`, `isDefault`, `isInitial`, `name` and `type`. The emulator's tenant has one
//! domain, both initial and default. Only `$select` is supported, as the list page documents.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::json;

use super::request::Ctx;
use super::response::{Obj, json_response};
use crate::TenantKind;
use crate::error::GraphError;
use crate::odata;

const ORGANIZATION_PROPS: &[&str] = &["id", "displayName", "tenantType", "verifiedDomains"];

fn fields(ctx: &Ctx<'_>, out: &mut Obj, select: Option<&[&str]>) {
    let app = ctx.app;
    let want = |p: &str| select.is_none_or(|s| s.contains(&p));
    if want("id") {
        out.push("id", app.tenant_id.clone());
    }
    if want("displayName") {
        let name = app
            .tenant_domain
            .split('.')
            .next()
            .unwrap_or(&app.tenant_domain);
        out.push("displayName", name.to_owned());
    }
    if want("tenantType") {
        out.push(
            "tenantType",
            match app.tenant_kind {
                TenantKind::B2c => "AAD B2C",
                TenantKind::Workforce => "AAD",
                // The organization page lists only `AAD` and `AAD B2C`; external tenants report
                // `CIAM` (docs/graph-behaviour.md §13).
                TenantKind::External => "CIAM",
            },
        );
    }
    if want("verifiedDomains") {
        out.push(
            "verifiedDomains",
            json!([{
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": true,
                "isInitial": true,
                "name": app.tenant_domain,
                "type": "Managed",
            }]),
        );
    }
}

/// `GET /organization` (the collection of the one organization) or `GET /organization/{id}`.
pub(super) fn get(ctx: &Ctx<'_>, id: Option<&str>) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$select"])?;
    let select = ctx
        .query
        .get("$select")
        .map(|v| odata::parse_property_list(v, ORGANIZATION_PROPS, "organization"))
        .transpose()?;
    let suffix = select
        .as_ref()
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default();
    let mut o = Obj::new();
    match id {
        None => {
            o.push(
                "@odata.context",
                ctx.context(&format!("organization{suffix}")),
            );
            let mut item = Obj::new();
            fields(ctx, &mut item, select.as_deref());
            o.push("value", vec![item.into_value()]);
        }
        Some(id) if id.eq_ignore_ascii_case(&ctx.app.tenant_id) => {
            o.push(
                "@odata.context",
                ctx.context(&format!("organization{suffix}/$entity")),
            );
            fields(ctx, &mut o, select.as_deref());
        }
        Some(id) => {
            return Err(GraphError::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                format!(
                    "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                ),
            ));
        }
    }
    Ok(json_response(StatusCode::OK, &o))
}
