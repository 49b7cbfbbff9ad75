//! API connectors (`/identity/apiConnectors`): list with paging and query options, get, create,
//! update and delete. Passwords are masked, PKCS#12 files reported as their certificate list
//! (`docs/graph-behaviour.md` §1, §2.1, §5).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Value, json};

use super::certificate_upload::parse_pkcs12;
use super::request::{
    Ctx, check_entity_type, odata_type, parse_json_object, string_prop, unresolved_type,
};
use super::response::{Obj, json_response, no_content, with_location};
use crate::error::GraphError;
use crate::odata::{self, Filter};
use crate::state::{self, AuthRecord, ConnectorRecord};
use crate::{signup, vault};
use entra_api_connectors_certificate as certificate;

const CONNECTOR_PROPS: &[&str] = &[
    "id",
    "displayName",
    "targetUrl",
    "authenticationConfiguration",
];
const CONNECTOR_FILTERABLE: &[&str] = &["id", "displayName", "targetUrl"];
const CONNECTOR_TYPE: &str = "identityApiConnector";

pub(super) fn connector_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!("The API connector '{id}' was not found."))
}

fn auth_json(auth: Option<&AuthRecord>, now: i64) -> Value {
    match auth {
        None => Value::Null,
        Some(AuthRecord::Basic { username, .. }) => json!({
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": username,
            "password": "******",
        }),
        Some(a @ AuthRecord::ClientCertificate { .. }) => {
            let list: Vec<Value> = a
                .certificate_list(now)
                .into_iter()
                .map(|c| {
                    json!({
                        "thumbprint": c.thumbprint,
                        "notAfter": c.not_after,
                        "notBefore": c.not_before,
                        "isActive": c.is_active,
                    })
                })
                .collect();
            json!({
                "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
                "certificateList": list,
            })
        }
    }
}

fn connector_fields(out: &mut Obj, c: &ConnectorRecord, select: Option<&[&str]>) {
    let now = certificate::unix_now();
    let want = |p: &str| select.is_none_or(|s| s.contains(&p));
    if want("id") {
        out.push("id", c.id.clone());
    }
    if want("displayName") {
        out.push("displayName", c.display_name.clone());
    }
    if want("targetUrl") {
        out.push("targetUrl", c.target_url.clone());
    }
    if want("authenticationConfiguration") {
        out.push(
            "authenticationConfiguration",
            auth_json(c.authentication.as_ref(), now),
        );
    }
}

pub(super) fn connector_value(c: &ConnectorRecord) -> Value {
    let mut o = Obj::new();
    connector_fields(&mut o, c, None);
    o.into_value()
}

fn select_suffix(select: Option<&[&str]>) -> String {
    select
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default()
}

pub(super) fn connector_entity(ctx: &Ctx<'_>, c: &ConnectorRecord, select: Option<&[&str]>) -> Obj {
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!(
            "identity/apiConnectors{}/$entity",
            select_suffix(select)
        )),
    );
    connector_fields(&mut o, c, select);
    o
}

pub(super) fn parse_select(ctx: &Ctx<'_>) -> Result<Option<Vec<&'static str>>, GraphError> {
    ctx.query
        .get("$select")
        .map(|v| odata::parse_property_list(v, CONNECTOR_PROPS, CONNECTOR_TYPE))
        .transpose()
}

fn reject_expand(ctx: &Ctx<'_>) -> Result<(), GraphError> {
    match ctx.query.get("$expand") {
        // identityApiConnector has no navigation property to expand.
        Some(v) => odata::parse_property_list(v, &[], CONNECTOR_TYPE).map(|_| ()),
        None => Ok(()),
    }
}

pub(super) fn list_connectors(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&[
        "$top",
        "$skip",
        "$skiptoken",
        "$select",
        "$count",
        "$filter",
        "$expand",
    ])?;
    reject_expand(ctx)?;
    let page_size = match ctx.query.get("$top") {
        Some(v) => odata::parse_top(v)?,
        None => ctx.app.page_size,
    };
    let skip = ctx
        .query
        .get("$skip")
        .map(odata::parse_skip)
        .transpose()?
        .unwrap_or(0);
    let after = ctx
        .query
        .get("$skiptoken")
        .map(odata::decode_skiptoken)
        .transpose()?;
    let count = ctx
        .query
        .get("$count")
        .map(odata::parse_count)
        .transpose()?
        .unwrap_or(false);
    let select = parse_select(ctx)?;
    let filter = ctx
        .query
        .get("$filter")
        .map(|f| Filter::parse(f, CONNECTOR_FILTERABLE))
        .transpose()?;

    let store = ctx.app.lock();
    let matching: Vec<&ConnectorRecord> = store
        .connectors
        .values()
        .filter(|c| {
            filter.as_ref().is_none_or(|f| {
                f.eval(&|p| match p {
                    "id" => Some(c.id.clone()),
                    "displayName" => c.display_name.clone(),
                    "targetUrl" => c.target_url.clone(),
                    _ => None,
                })
            })
        })
        .collect();
    let total = matching.len();
    let mut rest = matching
        .into_iter()
        .filter(|c| after.is_none_or(|a| c.seq > a))
        .skip(if after.is_some() { 0 } else { skip });
    let page: Vec<&ConnectorRecord> = rest.by_ref().take(page_size).collect();
    let more = rest.next().is_some();

    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!(
            "identity/apiConnectors{}",
            select_suffix(select.as_deref())
        )),
    );
    if count && after.is_none() {
        o.push("@odata.count", total);
    }
    if more {
        let last = page.last().map_or(0, |c| c.seq);
        let mut link = format!("{}/identity/apiConnectors?", ctx.base());
        for (name, value) in &ctx.query.options {
            if name == "$skip" || name == "$skiptoken" {
                continue;
            }
            let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            link.push_str(&format!("{name}={value}&"));
        }
        link.push_str(&format!("$skiptoken={}", odata::encode_skiptoken(last)));
        o.push("@odata.nextLink", link);
    }
    let values: Vec<Value> = page
        .into_iter()
        .map(|c| {
            let mut item = Obj::new();
            connector_fields(&mut item, c, select.as_deref());
            item.into_value()
        })
        .collect();
    o.push("value", values);
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn get_connector(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$select", "$expand"])?;
    reject_expand(ctx)?;
    let select = parse_select(ctx)?;
    let store = ctx.app.lock();
    let c = store.connector(id).ok_or_else(|| connector_not_found(id))?;
    Ok(json_response(
        StatusCode::OK,
        &connector_entity(ctx, c, select.as_deref()),
    ))
}

/// A parsed create or PATCH body: `None` = not sent, `Some(None)` = sent as `null`.

#[derive(Default)]
struct ConnectorChanges {
    display_name: Option<Option<String>>,
    target_url: Option<Option<String>>,
    authentication: Option<Option<AuthRecord>>,
}

/// Graph requires https; the emulator also accepts http for loopback hosts, so that a local test
/// API for simulated sign-ups needs no TLS (emulator-only, see the `signup` module).
fn target_url(value: &str) -> Result<String, GraphError> {
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(value.to_owned()),
        Ok(u) if u.scheme() == "http" && signup::is_loopback(&u) => Ok(value.to_owned()),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value for property 'targetUrl': '{value}' is not an absolute https URL."
        ))),
    }
}

/// `#microsoft.graph.basicAuthentication` or `#microsoft.graph.pkcs12Certificate` (with or without
/// `#`); the response-only `clientCertificateAuthentication` is refused.
fn parse_auth(value: &Value) -> Result<AuthRecord, GraphError> {
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property(
            "authenticationConfiguration",
            "an object or null",
        ));
    };
    let Some(t) = map.get("@odata.type") else {
        return Err(GraphError::bad_request(
            "The '@odata.type' annotation is required for 'authenticationConfiguration', whose type 'microsoft.graph.apiAuthenticationConfigurationBase' is abstract.",
        ));
    };
    let (type_name, allowed): (&str, &[&str]) = match odata_type(t).as_deref() {
        Some("microsoft.graph.basicauthentication") => {
            ("basicAuthentication", &["username", "password"])
        }
        Some("microsoft.graph.pkcs12certificate") => {
            ("pkcs12Certificate", &["pkcs12Value", "password"])
        }
        Some("microsoft.graph.clientcertificateauthentication") => {
            return Err(GraphError::bad_request(
                "'microsoft.graph.clientCertificateAuthentication' is returned by the service and cannot be sent; send a 'microsoft.graph.pkcs12Certificate' or use uploadClientCertificate.",
            ));
        }
        _ => return Err(unresolved_type(t)),
    };
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        return Err(GraphError::unknown_property(k, type_name));
    }
    if type_name == "basicAuthentication" {
        let username = string_prop(map, "username", type_name)?;
        let password = string_prop(map, "password", type_name)?;
        if username.is_empty() {
            return Err(GraphError::invalid_property(
                "username",
                "a non-empty string",
            ));
        }
        Ok(AuthRecord::Basic {
            username: username.to_owned(),
            password_sha256: state::password_digest(password),
        })
    } else {
        let value = string_prop(map, "pkcs12Value", type_name)?;
        let password = string_prop(map, "password", type_name)?;
        Ok(AuthRecord::ClientCertificate {
            certificates: vec![parse_pkcs12(value, password)?],
        })
    }
}

fn parse_connector_body(body: &[u8], create: bool) -> Result<ConnectorChanges, GraphError> {
    let map = parse_json_object(body)?;
    check_entity_type(&map, CONNECTOR_TYPE)?;
    let mut changes = ConnectorChanges::default();
    for (k, v) in &map {
        match k.as_str() {
            // Read-only; Graph ignores it in a request body.
            "id" => {}
            "displayName" => {
                changes.display_name = Some(match v {
                    Value::Null => None,
                    Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                    _ => {
                        return Err(GraphError::invalid_property(
                            "displayName",
                            "a non-empty string",
                        ));
                    }
                });
            }
            "targetUrl" => {
                changes.target_url = Some(match v {
                    Value::Null => None,
                    Value::String(s) => Some(target_url(s)?),
                    _ => return Err(GraphError::invalid_property("targetUrl", "a string")),
                });
            }
            "authenticationConfiguration" => {
                changes.authentication = Some(match v {
                    Value::Null => None,
                    other => Some(parse_auth(other)?),
                });
            }
            k if k.starts_with('@') => {}
            k => return Err(GraphError::unknown_property(k, CONNECTOR_TYPE)),
        }
    }
    if create {
        for (name, present) in [
            ("displayName", matches!(changes.display_name, Some(Some(_)))),
            ("targetUrl", matches!(changes.target_url, Some(Some(_)))),
            (
                "authenticationConfiguration",
                matches!(changes.authentication, Some(Some(_))),
            ),
        ] {
            if !present {
                return Err(GraphError::missing_property(name, CONNECTOR_TYPE));
            }
        }
    }
    Ok(changes)
}

pub(super) fn create_connector(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    let changes = parse_connector_body(body, true)?;
    let record = ConnectorRecord {
        id: uuid::Uuid::new_v4().to_string(),
        display_name: changes.display_name.flatten(),
        target_url: changes.target_url.flatten(),
        authentication: changes.authentication.flatten(),
        seq: 0,
    };
    let record = ctx.app.mutate(|s| Ok(s.insert_connector(record)))?;
    vault::remember_auth(ctx.app, &record.id, body);
    let location = format!("{}/identity/apiConnectors/{}", ctx.base(), record.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &connector_entity(ctx, &record, None)),
        &location,
    ))
}

pub(super) fn update_connector(
    ctx: &Ctx<'_>,
    id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    let changes = parse_connector_body(body, false)?;
    ctx.app.mutate(|s| {
        let key = id.to_ascii_lowercase();
        let c = s
            .connectors
            .get_mut(&key)
            .ok_or_else(|| connector_not_found(id))?;
        if let Some(v) = changes.display_name {
            c.display_name = v;
        }
        if let Some(v) = changes.target_url {
            c.target_url = v;
        }
        // A new configuration replaces the old one whole, certificates included
        // (https://learn.microsoft.com/graph/api/identityapiconnector-update, example 2).
        if let Some(v) = changes.authentication {
            c.authentication = v;
        }
        Ok(())
    })?;
    vault::remember_auth(ctx.app, id, body);
    Ok(no_content())
}

pub(super) fn delete_connector(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.app.mutate(|s| {
        s.remove_connector(id)
            .map(|_| ())
            .ok_or_else(|| connector_not_found(id))
    })?;
    vault::forget(ctx.app, id);
    Ok(no_content())
}
