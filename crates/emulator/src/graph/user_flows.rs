//! User flows (`/identity/b2xUserFlows`, `/identity/b2cUserFlows`): list, get, create and delete,
//! and the `403 AADB2C` of a family the tenant kind does not have (`docs/graph-behaviour.md` §2.2).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Value, json};

use super::request::{Ctx, check_entity_type, parse_json_object, string_prop};
use super::response::{Obj, json_response, no_content, with_location};
use crate::error::GraphError;
use crate::odata;
use crate::state::{FlowFamily, UserFlowRecord};
use crate::{App, TenantKind};

/// `403 AADB2C` when the flow family does not exist in this kind of tenant (observed wording for
/// b2x on a B2C tenant, microsoftgraph/microsoft-graph-docs-contrib#8478; the reverse mirrors it).
pub(super) fn family_check(app: &App, family: FlowFamily) -> Result<(), GraphError> {
    let message = match (app.tenant_kind, family) {
        (TenantKind::B2c, FlowFamily::B2x) => format!(
            "'{}' is an Azure AD B2C directory. Access to this Api can only be made for an Azure AD directory (non b2c).",
            app.tenant_domain
        ),
        (TenantKind::Workforce, FlowFamily::B2c) => format!(
            "'{}' is not an Azure AD B2C directory. Access to this Api can only be made for an Azure AD B2C directory.",
            app.tenant_domain
        ),
        // Undocumented; the mirror of the observed wording (docs/graph-behaviour.md §10).
        (TenantKind::External, FlowFamily::B2x) => format!(
            "'{}' is an external tenant. Access to this Api can only be made for an Azure AD directory (non b2c, non external).",
            app.tenant_domain
        ),
        (TenantKind::External, FlowFamily::B2c) => format!(
            "'{}' is an external tenant. Access to this Api can only be made for an Azure AD B2C directory.",
            app.tenant_domain
        ),
        _ => return Ok(()),
    };
    Err(GraphError::new(StatusCode::FORBIDDEN, "AADB2C", message).with_correlation())
}

pub(super) fn flow_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!("The user flow '{id}' was not found."))
}

const FLOW_NAVIGATIONS: &[&str] = &[
    "identityProviders",
    "userFlowIdentityProviders",
    "userAttributeAssignments",
    "languages",
];

fn flow_type_name(family: FlowFamily) -> &'static str {
    match family {
        FlowFamily::B2c => "b2cIdentityUserFlow",
        FlowFamily::B2x => "b2xIdentityUserFlow",
    }
}

fn flow_fields(out: &mut Obj, f: &UserFlowRecord, expand: &[&str]) {
    out.push("id", f.id.clone());
    out.push("userFlowType", f.user_flow_type.clone());
    out.push(
        "userFlowTypeVersion",
        Value::Number(f.user_flow_type_version.clone()),
    );
    if f.family == FlowFamily::B2c {
        out.push(
            "isLanguageCustomizationEnabled",
            f.is_language_customization_enabled,
        );
        out.push("defaultLanguageTag", f.default_language_tag.clone());
    }
    // Identity providers, attributes and languages are not modelled: expanded, they are empty.
    for nav in expand {
        out.push(*nav, Value::Array(Vec::new()));
    }
}

fn flow_expand(ctx: &Ctx<'_>, family: FlowFamily) -> Result<Vec<&'static str>, GraphError> {
    ctx.query.only(&["$expand"])?;
    ctx.query
        .get("$expand")
        .map(|v| odata::parse_property_list(v, FLOW_NAVIGATIONS, flow_type_name(family)))
        .transpose()
        .map(Option::unwrap_or_default)
}

pub(super) fn list_flows(ctx: &Ctx<'_>, family: FlowFamily) -> Result<Response<Body>, GraphError> {
    let expand = flow_expand(ctx, family)?;
    let store = ctx.app.lock();
    let values: Vec<Value> = store
        .user_flows
        .values()
        .filter(|f| f.family == family)
        .map(|f| {
            let mut o = Obj::new();
            flow_fields(&mut o, f, &expand);
            o.into_value()
        })
        .collect();
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}", family.segment())),
    );
    o.push("value", values);
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn get_flow(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
) -> Result<Response<Body>, GraphError> {
    let expand = flow_expand(ctx, family)?;
    let store = ctx.app.lock();
    let f = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}/$entity", family.segment())),
    );
    flow_fields(&mut o, f, &expand);
    Ok(json_response(StatusCode::OK, &o))
}

const B2C_FLOW_TYPES: &[&str] = &[
    "signUp",
    "signIn",
    "signUpOrSignIn",
    "passwordReset",
    "profileUpdate",
    "resourceOwner",
];

pub(super) fn create_flow(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    let type_name = flow_type_name(family);
    let map = parse_json_object(body)?;
    check_entity_type(&map, type_name)?;
    let mut allowed = vec![
        "id",
        "userFlowType",
        "userFlowTypeVersion",
        "apiConnectorConfiguration",
        "identityProviders",
    ];
    if family == FlowFamily::B2c {
        allowed.extend(["isLanguageCustomizationEnabled", "defaultLanguageTag"]);
    }
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        return Err(GraphError::unknown_property(k, type_name));
    }
    let name = string_prop(&map, "id", type_name)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(GraphError::invalid_property(
            "id",
            "a name of letters, digits, '_' or '-'",
        ));
    }
    let flow_type = string_prop(&map, "userFlowType", type_name)?;
    let valid_type = match family {
        FlowFamily::B2x => flow_type == "signUpOrSignIn",
        FlowFamily::B2c => B2C_FLOW_TYPES.contains(&flow_type),
    };
    if !valid_type {
        return Err(GraphError::bad_request(format!(
            "The value '{flow_type}' is not a valid userFlowType for {type_name}."
        )));
    }
    let version = match map.get("userFlowTypeVersion") {
        Some(Value::Number(n)) => n.clone(),
        None | Some(Value::Null) => {
            return Err(GraphError::missing_property(
                "userFlowTypeVersion",
                type_name,
            ));
        }
        Some(_) => {
            return Err(GraphError::invalid_property(
                "userFlowTypeVersion",
                "a number",
            ));
        }
    };
    let mut flow = UserFlowRecord::new(family, name, flow_type, 1);
    flow.user_flow_type_version = version;
    if family == FlowFamily::B2c {
        match map.get("isLanguageCustomizationEnabled") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => flow.is_language_customization_enabled = *b,
            Some(_) => {
                return Err(GraphError::invalid_property(
                    "isLanguageCustomizationEnabled",
                    "a boolean",
                ));
            }
        }
        match map.get("defaultLanguageTag") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => flow.default_language_tag = Some(s.clone()),
            Some(_) => {
                return Err(GraphError::invalid_property(
                    "defaultLanguageTag",
                    "a string",
                ));
            }
        }
    }
    // An inline `apiConnectorConfiguration` is accepted but not applied, as observed on the real service
    // (microsoftgraph/microsoft-graph-docs#11875); bind steps with PUT .../$ref instead.
    if let Some(v) = map.get("apiConnectorConfiguration")
        && !v.is_object()
        && !v.is_null()
    {
        return Err(GraphError::invalid_property(
            "apiConnectorConfiguration",
            "an object",
        ));
    }
    let flow = ctx.app.mutate(|s| {
        let key = flow.id.to_ascii_lowercase();
        if s.user_flows.contains_key(&key) {
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!("A user flow with the id '{}' already exists.", flow.id),
            ));
        }
        s.user_flows.insert(key, flow.clone());
        Ok(flow)
    })?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}/$entity", family.segment())),
    );
    flow_fields(&mut o, &flow, &[]);
    o.push("apiConnectorConfiguration", json!({}));
    let location = format!("{}/identity/{}/{}", ctx.base(), family.segment(), flow.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &o),
        &location,
    ))
}

pub(super) fn delete_flow(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
) -> Result<Response<Body>, GraphError> {
    ctx.app.mutate(|s| {
        let key = id.to_ascii_lowercase();
        match s.user_flows.get(&key) {
            Some(f) if f.family == family => {
                s.user_flows.shift_remove(&key);
                Ok(())
            }
            _ => Err(flow_not_found(id)),
        }
    })?;
    Ok(no_content())
}
