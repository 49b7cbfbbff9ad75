//! The applications an events flow applies to:
//! `…/{flowId}/conditions/applications/includeApplications` list, add, get, PATCH, remove and
//! `$count`, keyed by `appId` ("also known as the client ID, not the object ID"). "An application
//! can only be linked to one user flow. The app must have an associated service principal in the
//! tenant" (`docs/graph-behaviour.md` §8.2: both failures are `400 BadRequest`).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Value, json};

use super::authentication_events_flows::{COLLECTION, flow_mut, flow_not_found};
use super::collection::count_response;
use super::request::{Ctx, bare_type, only_properties, parse_json_object, unresolved_type};
use super::response::{Obj, json_response, no_content};
use super::tenant_kind::events_flows_available;
use crate::App;
use crate::error::GraphError;
use crate::state::State as Store;

const TYPE: &str = "authenticationConditionApplication";

/// `[{"appId"}]`.
pub(super) fn apps_json(apps: &[String]) -> Value {
    apps.iter().map(|a| json!({ "appId": a })).collect()
}

/// An `authenticationConditionApplication` object: its `appId`.
pub(super) fn parse_app(value: &Value) -> Result<String, GraphError> {
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property(
            "includeApplications",
            "a list of objects",
        ));
    };
    if let Some(t) = bare_type(map)?
        && !t.eq_ignore_ascii_case(TYPE)
    {
        return Err(unresolved_type(&map["@odata.type"]));
    }
    only_properties(map, &["appId"], TYPE)?;
    match map.get("appId") {
        Some(Value::String(a)) if !a.is_empty() => Ok(a.clone()),
        _ => Err(GraphError::missing_property("appId", TYPE)),
    }
}

/// The app has a service principal and no other flow includes it.
pub(super) fn check_app_free(
    app: &App,
    store: &Store,
    flow_id: &str,
    app_id: &str,
) -> Result<(), GraphError> {
    if app.service_principal(app_id).is_none() {
        return Err(GraphError::bad_request(format!(
            "The application '{app_id}' has no service principal in the tenant; the app must have an associated service principal in the tenant."
        )));
    }
    if let Some(other) = store.events_flows.values().find(|f| {
        !f.id.eq_ignore_ascii_case(flow_id)
            && f.include_applications
                .iter()
                .any(|a| a.eq_ignore_ascii_case(app_id))
    }) {
        return Err(GraphError::bad_request(format!(
            "The application '{app_id}' is already linked to the user flow '{}'; an application can only be linked to one user flow.",
            other.id
        )));
    }
    Ok(())
}

fn app_not_found(app_id: &str) -> GraphError {
    GraphError::not_found(format!(
        "The application '{app_id}' is not included in the authentication events flow."
    ))
}

fn context(ctx: &Ctx<'_>, flow_id: &str, entity: bool) -> String {
    ctx.context(&format!(
        "{COLLECTION}('{flow_id}')/conditions/applications/includeApplications{}",
        if entity { "/$entity" } else { "" }
    ))
}

pub(super) fn list(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    let mut o = Obj::new();
    o.push("@odata.context", context(ctx, &f.id, false));
    o.push("value", apps_json(&f.include_applications));
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn count(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    Ok(count_response(f.include_applications.len()))
}

pub(super) fn add(ctx: &Ctx<'_>, flow_id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let app_id = parse_app(&Value::Object(parse_json_object(body)?))?;
    let flow = ctx.app.mutate(|s| {
        let id = s
            .events_flow(flow_id)
            .map(|f| f.id.clone())
            .ok_or_else(|| flow_not_found(flow_id))?;
        if s.events_flow(&id).is_some_and(|f| {
            f.include_applications
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&app_id))
        }) {
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!("The application '{app_id}' is already included in this flow."),
            ));
        }
        check_app_free(ctx.app, s, &id, &app_id)?;
        let f = s
            .events_flows
            .get_mut(&id.to_ascii_lowercase())
            .expect("found above");
        f.include_applications.push(app_id.clone());
        Ok(id)
    })?;
    let mut o = Obj::new();
    o.push("@odata.context", context(ctx, &flow, true));
    o.push("appId", app_id);
    Ok(json_response(StatusCode::CREATED, &o))
}

pub(super) fn get(
    ctx: &Ctx<'_>,
    flow_id: &str,
    app_id: &str,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    let found = f
        .include_applications
        .iter()
        .find(|a| a.eq_ignore_ascii_case(app_id))
        .ok_or_else(|| app_not_found(app_id))?;
    let mut o = Obj::new();
    o.push("@odata.context", context(ctx, &f.id, true));
    o.push("appId", found.clone());
    Ok(json_response(StatusCode::OK, &o))
}

/// `PATCH …/includeApplications/{appId}`: the object has only its key, so a body may only repeat
/// it (`204`); a different `appId` is `400`.
pub(super) fn update(
    ctx: &Ctx<'_>,
    flow_id: &str,
    app_id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let map = parse_json_object(body)?;
    if let Some(t) = bare_type(&map)?
        && !t.eq_ignore_ascii_case(TYPE)
    {
        return Err(unresolved_type(&map["@odata.type"]));
    }
    only_properties(&map, &["appId"], TYPE)?;
    if let Some(v) = map.get("appId")
        && !v.as_str().is_some_and(|a| a.eq_ignore_ascii_case(app_id))
    {
        return Err(GraphError::bad_request(
            "The key property 'appId' cannot be changed.",
        ));
    }
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    if !f
        .include_applications
        .iter()
        .any(|a| a.eq_ignore_ascii_case(app_id))
    {
        return Err(app_not_found(app_id));
    }
    Ok(no_content())
}

pub(super) fn remove(
    ctx: &Ctx<'_>,
    flow_id: &str,
    app_id: &str,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.app.mutate(|s| {
        let f = flow_mut(s, flow_id)?;
        let before = f.include_applications.len();
        f.include_applications
            .retain(|a| !a.eq_ignore_ascii_case(app_id));
        if f.include_applications.len() == before {
            return Err(app_not_found(app_id));
        }
        Ok(())
    })?;
    Ok(no_content())
}
