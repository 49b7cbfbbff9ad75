//! The identity providers of an events flow
//! (`…/onAuthenticationMethodLoadStart/microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp/identityProviders`):
//! list, `$count`, and the `$ref` add, list and remove. `/identity/identityProviders` is not
//! emulated; the tenant knows the built-in email providers and Google and Facebook, reported as the
//! list examples show them (a social provider's `clientSecret` as `"******"`; its `clientId` is
//! not known to the emulator and is `null`).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::authentication_events_flows::{flow_context, flow_mut, flow_not_found};
use super::collection::count_response;
use super::extension_handlers::{delete_reference_target, parse_reference_body};
use super::request::{Ctx, only_properties};
use super::response::{Obj, json_response, no_content};
use super::tenant_kind::events_flows_available;
use crate::error::GraphError;

/// `(id, displayName, identityProviderType, social)`.
const PROVIDERS: &[(&str, &str, &str, bool)] = &[
    (
        "EmailPassword-OAUTH",
        "Email with password",
        "EmailPassword",
        false,
    ),
    (
        "EmailOtpSignup-OAUTH",
        "Email one-time passcode",
        "EmailOTP",
        false,
    ),
    ("Google-OAUTH", "Google", "Google", true),
    ("Facebook-OAUTH", "Facebook", "Facebook", true),
];

fn known(id: &str) -> Result<&'static str, GraphError> {
    PROVIDERS
        .iter()
        .find(|p| p.0.eq_ignore_ascii_case(id))
        .map(|p| p.0)
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The identity provider '{id}' does not exist in the tenant."
            ))
        })
}

/// A provider as the flow examples return it.
pub(super) fn identity_provider_json(id: &str) -> Value {
    match PROVIDERS.iter().find(|p| p.0 == id) {
        Some((id, name, kind, false)) => json!({
            "@odata.type": "#microsoft.graph.builtInIdentityProvider",
            "id": id, "displayName": name, "identityProviderType": kind, "state": null,
        }),
        Some((id, name, kind, true)) => json!({
            "@odata.type": "#microsoft.graph.socialIdentityProvider",
            "id": id, "displayName": name, "identityProviderType": kind,
            "clientId": null, "clientSecret": "******",
        }),
        None => json!({ "id": id }),
    }
}

/// The provider ids of an inline `onAuthenticationMethodLoadStart` (`[{"id"}]`).
pub(super) fn parse_inline(map: &Map<String, Value>) -> Result<Vec<String>, GraphError> {
    only_properties(
        map,
        &["identityProviders"],
        "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
    )?;
    let Some(Value::Array(items)) = map.get("identityProviders") else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::missing_property("id", "identityProviderBase"))?;
        let id = known(id)?.to_owned();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn providers(ctx: &Ctx<'_>, flow_id: &str) -> Result<(String, Vec<String>), GraphError> {
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    Ok((f.id.clone(), f.identity_providers.clone()))
}

/// `GET …/onAuthenticationMethodLoadStart` (with or without the cast).
pub(super) fn get_handler(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let (id, list) = providers(ctx, flow_id)?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        flow_context(ctx, &id, "onAuthenticationMethodLoadStart"),
    );
    o.push(
        "@odata.type",
        "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
    );
    o.push(
        "identityProviders",
        list.iter()
            .map(|p| identity_provider_json(p))
            .collect::<Vec<_>>(),
    );
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn list(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let (_, list) = providers(ctx, flow_id)?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context("Collection(microsoft.graph.identityProviderBase)"),
    );
    o.push(
        "value",
        list.iter()
            .map(|p| identity_provider_json(p))
            .collect::<Vec<_>>(),
    );
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn count(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    Ok(count_response(providers(ctx, flow_id)?.1.len()))
}

pub(super) fn list_refs(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let (_, list) = providers(ctx, flow_id)?;
    let mut o = Obj::new();
    o.push("@odata.context", ctx.context("Collection($ref)"));
    o.push(
        "value",
        list.iter()
            .map(|p| json!({"@odata.id": format!("{}/identity/identityProviders/{p}", ctx.base())}))
            .collect::<Vec<_>>(),
    );
    Ok(json_response(StatusCode::OK, &o))
}

/// `POST …/identityProviders/$ref` with `{"@odata.id": ".../identity/identityProviders/{id}"}`.
pub(super) fn add_ref(
    ctx: &Ctx<'_>,
    flow_id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let target = known(&parse_reference_body(body, "identityProviders")?)?;
    ctx.app.mutate(|s| {
        let f = flow_mut(s, flow_id)?;
        if f.identity_providers.iter().any(|p| p == target) {
            return Err(GraphError::bad_request(format!(
                "The identity provider '{target}' is already linked to this user flow."
            )));
        }
        f.identity_providers.push(target.to_owned());
        Ok(())
    })?;
    Ok(no_content())
}

/// `DELETE …/identityProviders/{id}/$ref` or `…/$ref?@id=<url>`; the last one cannot go ("Must
/// have at least one identity provider linked").
pub(super) fn remove_ref(
    ctx: &Ctx<'_>,
    flow_id: &str,
    provider: Option<&str>,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let target = delete_reference_target(&ctx.query, provider, "identityProviders")?;
    ctx.app.mutate(|s| {
        let f = flow_mut(s, flow_id)?;
        let Some(i) = f.identity_providers.iter().position(|p| p.eq_ignore_ascii_case(&target)) else {
            return Err(GraphError::not_found(format!(
                "The identity provider '{target}' is not linked to this user flow."
            )));
        };
        if f.identity_providers.len() == 1 {
            return Err(GraphError::bad_request(
                "'onAuthenticationMethodLoadStart' must have at least one identity provider linked.",
            ));
        }
        f.identity_providers.remove(i);
        Ok(())
    })?;
    Ok(no_content())
}
