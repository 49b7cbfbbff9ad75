//! `apiConnectorConfiguration` of a user flow: reading it (with `$expand`), reading one step, and
//! binding or unbinding a connector with `PUT`/`DELETE …/{step}/$ref` (`docs/graph-behaviour.md`
//! §2.3).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::Value;

use super::connectors::{connector_entity, connector_not_found, connector_value, parse_select};
use super::path::{decode_segment, eq};
use super::request::{Ctx, parse_json_object};
use super::response::{Obj, json_response, no_content};
use super::user_flows::flow_not_found;
use crate::error::GraphError;
use crate::odata;
use crate::state::{ConnectorRecord, FlowFamily, State as Store, Step, UserFlowRecord};

fn config_context(ctx: &Ctx<'_>, family: FlowFamily, flow_id: &str) -> String {
    ctx.context(&format!(
        "identity/{}('{flow_id}')/apiConnectorConfiguration",
        family.segment()
    ))
}

/// Without `$expand` only the context comes back (our choice: the docs show only expanded responses);
/// an expanded step with nothing bound is `null`.
pub(super) fn get_config(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$expand"])?;
    let expand = ctx
        .query
        .get("$expand")
        .map(|v| odata::parse_property_list(v, ctx.steps(), "userFlowApiConnectorConfiguration"))
        .transpose()?
        .unwrap_or_default();
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    let base_context = config_context(ctx, family, &flow.id);
    let mut o = Obj::new();
    if expand.is_empty() {
        o.push("@odata.context", base_context);
    } else {
        let list: Vec<String> = expand.iter().map(|s| format!("{s}()")).collect();
        o.push(
            "@odata.context",
            format!("{base_context}({})", list.join(",")),
        );
        for name in &expand {
            let step = Step::parse(name).expect("names come from the step list");
            match bound_connector(&store, flow, step) {
                Some(c) => {
                    o.push(
                        format!("{name}@odata.context"),
                        format!("{base_context}/microsoft.graph.userFlowApiConnectorConfiguration/{name}/$entity"),
                    );
                    o.push(*name, connector_value(c));
                }
                None => o.push(*name, Value::Null),
            }
        }
    }
    Ok(json_response(StatusCode::OK, &o))
}

fn bound_connector<'s>(
    store: &'s Store,
    flow: &UserFlowRecord,
    step: Step,
) -> Option<&'s ConnectorRecord> {
    flow.api_connector_configuration
        .get(&step)
        .and_then(|id| store.connector(id))
}

/// `GET …/{step}`: the bound connector, or `204` when nothing is bound (OData's answer for an empty
/// single-valued navigation). Not documented by Graph; the OpenAPI lists it.
pub(super) fn get_step(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$select"])?;
    let select = parse_select(ctx)?;
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    match bound_connector(&store, flow, step) {
        Some(c) => Ok(json_response(
            StatusCode::OK,
            &connector_entity(ctx, c, select.as_deref()),
        )),
        None => Ok(no_content()),
    }
}

pub(super) fn get_step_ref(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
) -> Result<Response<Body>, GraphError> {
    not_referenceable(step)?;
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    match bound_connector(&store, flow, step) {
        Some(c) => {
            let mut o = Obj::new();
            o.push("@odata.context", ctx.context("$ref"));
            o.push(
                "@odata.id",
                format!("{}/identity/apiConnectors/{}", ctx.base(), c.id),
            );
            Ok(json_response(StatusCode::OK, &o))
        }
        None => Ok(no_content()),
    }
}

/// `preTokenIssuance` has no `Referenceable` annotation in the CSDL, so no `$ref` path.
fn not_referenceable(step: Step) -> Result<(), GraphError> {
    if step == Step::PreTokenIssuance {
        return Err(GraphError::bad_request(
            "The navigation property 'preTokenIssuance' cannot be changed through $ref.",
        ));
    }
    Ok(())
}

fn bad_ref_url() -> GraphError {
    GraphError::bad_request("Invalid URL format specified in payload.")
}

/// The body of `PUT …/$ref`: `{}` unbinds; `{"@odata.id": "<absolute URL of a connector>"}` binds.
/// Returns the connector id, or `None` to unbind.
pub(super) fn parse_ref_body(body: &[u8]) -> Result<Option<String>, GraphError> {
    let map = parse_json_object(body)?;
    if map.is_empty() {
        return Ok(None);
    }
    if let Some(k) = map.keys().find(|k| !k.starts_with('@')) {
        return Err(GraphError::bad_request(format!(
            "The property '{k}' is not allowed in a $ref request body; send only '@odata.id'."
        )));
    }
    let Some(Value::String(link)) = map.get("@odata.id") else {
        return Err(bad_ref_url());
    };
    let url = url::Url::parse(link).map_err(|_| bad_ref_url())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad_ref_url());
    }
    let segs: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(decode_segment).collect())
        .unwrap_or_default();
    match segs.as_slice() {
        [.., v, identity, connectors, id]
            if (eq(v, "v1.0") || eq(v, "beta"))
                && eq(identity, "identity")
                && eq(connectors, "apiConnectors") =>
        {
            Ok(Some(id.clone()))
        }
        _ => Err(bad_ref_url()),
    }
}

pub(super) fn set_step(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
    target: Option<String>,
) -> Result<Response<Body>, GraphError> {
    not_referenceable(step)?;
    ctx.app.mutate(|s| {
        if s.flow(family, id).is_none() {
            return Err(flow_not_found(id));
        }
        let connector_id = match &target {
            Some(cid) => Some(
                s.connector(cid)
                    .ok_or_else(|| connector_not_found(cid))?
                    .id
                    .clone(),
            ),
            None => None,
        };
        let flow = s
            .user_flows
            .get_mut(&id.to_ascii_lowercase())
            .expect("checked above");
        match connector_id {
            Some(cid) => {
                flow.api_connector_configuration.insert(step, cid);
            }
            None => {
                flow.api_connector_configuration.remove(&step);
            }
        }
        Ok(())
    })?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_bodies_are_validated() {
        assert_eq!(parse_ref_body(b"{}").unwrap(), None);
        assert_eq!(
            parse_ref_body(
                br#"{"@odata.id":"https://graph.microsoft.com/v1.0/identity/apiConnectors/abc"}"#
            )
            .unwrap(),
            Some("abc".into())
        );
        for bad in [
            r#"{"@odata.id":"abc"}"#,
            r#"{"@odata.id":"/beta/identity/apiConnectors/abc"}"#,
            r#"{"@odata.id":"https://h/beta/identity/b2xUserFlows/abc"}"#,
            r#"{"@odata.id":"ftp://h/beta/identity/apiConnectors/abc"}"#,
            r#"{"@odata.id":42}"#,
            r#"{"id":"abc"}"#,
            r#""abc""#,
            "not json",
        ] {
            assert_eq!(
                parse_ref_body(bad.as_bytes()).unwrap_err().status,
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
    }
}
