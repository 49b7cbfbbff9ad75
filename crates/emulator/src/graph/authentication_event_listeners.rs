//! Authentication event listeners (`/identity/authenticationEventListeners`): list (with
//! `$filter` and `$expand=handler/customExtension`), create, get, PATCH and delete of the CSDL's
//! listener types (`docs/graph-behaviour.md` §9). The listeners an events flow manages for its
//! handlers are listed and read here too, and refuse PATCH and DELETE (§8.3).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::collection::{Paging, count_response};
use super::extension_handlers::{handler_json, parse_handler};
use super::request::{
    Ctx, bare_type, only_properties, opt_object, opt_string, parse_json_object, unresolved_type,
};
use super::response::{Obj, json_response, no_content, with_location};
use super::tenant_kind::{extensions_available, external_only};
use crate::error::GraphError;
use crate::odata::{Filter, TYPE_PROPERTY};
use crate::state::{ListenerHandler, ListenerKind, ListenerRecord, State as Store};

const COLLECTION: &str = "identity/authenticationEventListeners";
/// "You can have a maximum of 250 event listeners" (resource page).
const MAX_LISTENERS: usize = 250;
const FILTERABLE: &[&str] = &[
    "id",
    "displayName",
    "authenticationEventsFlowId",
    TYPE_PROPERTY,
];

fn listener_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!(
        "The authentication event listener '{id}' was not found."
    ))
}

fn managed(flow_id: &str) -> GraphError {
    GraphError::bad_request(format!(
        "This listener is managed by authentication events flow {flow_id}; change the flow instead."
    ))
}

fn listener_value(ctx: &Ctx<'_>, l: &ListenerRecord, store: &Store, expand: bool) -> Value {
    let mut o = Obj::new();
    listener_fields(ctx, &mut o, l, store, expand);
    o.into_value()
}

fn listener_fields(ctx: &Ctx<'_>, o: &mut Obj, l: &ListenerRecord, store: &Store, expand: bool) {
    o.push(
        "@odata.type",
        format!("#microsoft.graph.{}", l.kind.type_name()),
    );
    o.push("id", l.id.clone());
    o.push("displayName", l.display_name.clone());
    o.push(
        "authenticationEventsFlowId",
        l.authentication_events_flow_id.clone(),
    );
    if let Some(p) = l.priority {
        o.push("priority", p);
    }
    let mut apps = Map::new();
    if let Some(all) = l.include_all_applications {
        apps.insert("includeAllApplications".into(), json!(all));
    }
    apps.insert(
        "includeApplications@odata.context".into(),
        json!(ctx.context(&format!(
            "{COLLECTION}('{}')/microsoft.graph.{}/conditions/applications/includeApplications",
            l.id,
            l.kind.type_name()
        ))),
    );
    apps.insert(
        "includeApplications".into(),
        l.include_applications
            .iter()
            .map(|a| json!({"appId": a}))
            .collect(),
    );
    o.push("conditions", json!({ "applications": apps }));
    o.push(
        "handler",
        match &l.handler {
            None => Value::Null,
            Some(ListenerHandler::Extension(h)) => handler_json(
                h,
                l.kind.handler_type(),
                l.kind == ListenerKind::PasswordSubmit,
                store,
                expand,
            ),
            Some(ListenerHandler::Other { value }) => value.clone(),
        },
    );
}

fn parse_expand(ctx: &Ctx<'_>) -> Result<bool, GraphError> {
    match ctx.query.get("$expand") {
        None => Ok(false),
        Some(v) if v.trim().eq_ignore_ascii_case("handler/customExtension") => Ok(true),
        Some(v) => Err(GraphError::bad_request(format!(
            "Unsupported $expand '{v}': an authentication event listener expands only 'handler/customExtension'."
        ))),
    }
}

fn matches(l: &ListenerRecord, filter: Option<&Filter>) -> bool {
    filter.is_none_or(|f| {
        f.eval(&|p| match p {
            "id" => Some(l.id.clone()),
            "displayName" => l.display_name.clone(),
            "authenticationEventsFlowId" => l.authentication_events_flow_id.clone(),
            TYPE_PROPERTY => Some(l.kind.type_name().to_owned()),
            _ => None,
        })
    })
}

fn parse_filter(ctx: &Ctx<'_>) -> Result<Option<Filter>, GraphError> {
    ctx.query
        .get("$filter")
        .map(|f| Filter::parse(f, FILTERABLE))
        .transpose()
}

pub(super) fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&[
        "$top",
        "$skip",
        "$skiptoken",
        "$count",
        "$filter",
        "$expand",
    ])?;
    let paging = Paging::parse(ctx)?;
    let expand = parse_expand(ctx)?;
    let filter = parse_filter(ctx)?;
    let store = ctx.app.lock();
    let items: Vec<(u64, Value)> = store
        .all_listeners()
        .iter()
        .filter(|l| matches(l, filter.as_ref()))
        .map(|l| (l.seq, listener_value(ctx, l, &store, expand)))
        .collect();
    Ok(paging.respond(
        ctx,
        &format!("/{COLLECTION}"),
        ctx.context(COLLECTION),
        items,
    ))
}

pub(super) fn count(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&["$filter"])?;
    let filter = parse_filter(ctx)?;
    let store = ctx.app.lock();
    Ok(count_response(
        store
            .all_listeners()
            .iter()
            .filter(|l| matches(l, filter.as_ref()))
            .count(),
    ))
}

fn find(store: &Store, id: &str) -> Option<ListenerRecord> {
    store
        .all_listeners()
        .into_iter()
        .find(|l| l.id.eq_ignore_ascii_case(id))
}

pub(super) fn get(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&["$expand"])?;
    let expand = parse_expand(ctx)?;
    let store = ctx.app.lock();
    let l = find(&store, id).ok_or_else(|| listener_not_found(id))?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("{COLLECTION}/$entity")),
    );
    listener_fields(ctx, &mut o, &l, &store, expand);
    Ok(json_response(StatusCode::OK, &o))
}

fn kind_of(map: &Map<String, Value>) -> Result<ListenerKind, GraphError> {
    let Some(t) = bare_type(map)? else {
        return Err(GraphError::bad_request(
            "You must specify the '@odata.type' of an authentication event listener: the type 'microsoft.graph.authenticationEventListener' is abstract.",
        ));
    };
    ListenerKind::ALL
        .into_iter()
        .find(|k| k.type_name().eq_ignore_ascii_case(&t))
        .ok_or_else(|| unresolved_type(&map["@odata.type"]))
}

/// Applies a create or PATCH body to `l`.
fn apply(
    store: &Store,
    l: &mut ListenerRecord,
    map: &Map<String, Value>,
) -> Result<(), GraphError> {
    only_properties(
        map,
        &[
            "id",
            "displayName",
            "priority",
            "conditions",
            "handler",
            "authenticationEventsFlowId",
        ],
        l.kind.type_name(),
    )?;
    if map
        .get("authenticationEventsFlowId")
        .is_some_and(|v| !v.is_null())
    {
        return Err(GraphError::bad_request(
            "The property 'authenticationEventsFlowId' is read-only.",
        ));
    }
    if let Some(v) = opt_string(map, "displayName")? {
        l.display_name = v;
    }
    match map.get("priority") {
        None => {}
        Some(Value::Null) => l.priority = None,
        Some(v) => match v.as_i64() {
            // "Between 0 (lower priority) and 1000 (higher priority)" (beta resource page).
            Some(p @ 0..=1000) => l.priority = Some(p),
            _ => {
                return Err(GraphError::bad_request(
                    "Invalid value for property 'priority': expected an integer between 0 (lower priority) and 1000 (higher priority).",
                ));
            }
        },
    }
    if let Some(c) = opt_object(map, "conditions")? {
        l.include_applications.clear();
        l.include_all_applications = None;
        if let Some(c) = c {
            only_properties(c, &["applications"], "authenticationConditions")?;
            if let Some(Some(apps)) = opt_object(c, "applications")? {
                only_properties(
                    apps,
                    &["includeApplications", "includeAllApplications"],
                    "authenticationConditionsApplications",
                )?;
                match apps.get("includeAllApplications") {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(b)) => l.include_all_applications = Some(*b),
                    Some(_) => {
                        return Err(GraphError::invalid_property(
                            "includeAllApplications",
                            "a boolean",
                        ));
                    }
                }
                if let Some(Value::Array(items)) = apps.get("includeApplications") {
                    for item in items {
                        l.include_applications
                            .push(super::include_applications::parse_app(item)?);
                    }
                }
            }
        }
    }
    match map.get("handler") {
        None => {}
        Some(Value::Null) => l.handler = None,
        Some(v) if l.kind.has_extension_handler() => {
            let existing = l.extension_handler().cloned();
            let h = parse_handler(
                v,
                l.kind.handler_type(),
                l.kind.extension_kind(),
                l.kind == ListenerKind::PasswordSubmit,
                store,
                existing.as_ref(),
            )?;
            l.handler = Some(ListenerHandler::Extension(h));
        }
        Some(Value::Object(h)) => {
            match bare_type(h)? {
                Some(t) if t.eq_ignore_ascii_case(l.kind.handler_type()) => {}
                Some(_) => return Err(unresolved_type(&h["@odata.type"])),
                None => {
                    return Err(GraphError::bad_request(format!(
                        "The '@odata.type' annotation of the handler is required: 'microsoft.graph.{}'.",
                        l.kind.handler_type()
                    )));
                }
            }
            let mut value = h.clone();
            value.insert(
                "@odata.type".into(),
                json!(format!("#microsoft.graph.{}", l.kind.handler_type())),
            );
            l.handler = Some(ListenerHandler::Other {
                value: Value::Object(value),
            });
        }
        Some(_) => return Err(GraphError::invalid_property("handler", "an object or null")),
    }
    Ok(())
}

pub(super) fn create(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    let map = parse_json_object(body)?;
    let kind = kind_of(&map)?;
    if !kind.in_workforce_tenants() {
        external_only(ctx.app, kind.type_name())?;
    }
    let record = ctx.app.mutate(|s| {
        if s.all_listeners().len() >= MAX_LISTENERS {
            return Err(GraphError::bad_request(format!(
                "The tenant has the maximum of {MAX_LISTENERS} event listeners."
            )));
        }
        let mut l = ListenerRecord {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            display_name: None,
            priority: None,
            include_applications: Vec::new(),
            include_all_applications: None,
            handler: None,
            authentication_events_flow_id: None,
            seq: s.next_seq(),
        };
        apply(s, &mut l, &map)?;
        s.listeners.insert(l.id.to_ascii_lowercase(), l.clone());
        Ok(l)
    })?;
    let store = ctx.app.lock();
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("{COLLECTION}/$entity")),
    );
    listener_fields(ctx, &mut o, &record, &store, false);
    let location = format!("{}/{COLLECTION}/{}", ctx.base(), record.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &o),
        &location,
    ))
}

pub(super) fn update(ctx: &Ctx<'_>, id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    let map = parse_json_object(body)?;
    ctx.app.mutate(|s| {
        let Some(mut l) = s.listeners.get(&id.to_ascii_lowercase()).cloned() else {
            return Err(
                match find(s, id).and_then(|l| l.authentication_events_flow_id) {
                    Some(flow) => managed(&flow),
                    None => listener_not_found(id),
                },
            );
        };
        // "You must specify the @odata.type" (update page); it cannot change the type.
        if kind_of(&map)? != l.kind {
            return Err(GraphError::bad_request(format!(
                "The '@odata.type' of an update must be the listener's type 'microsoft.graph.{}'.",
                l.kind.type_name()
            )));
        }
        apply(s, &mut l, &map)?;
        s.listeners.insert(l.id.to_ascii_lowercase(), l);
        Ok(())
    })?;
    Ok(no_content())
}

pub(super) fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.app.mutate(|s| {
        if s.listeners.shift_remove(&id.to_ascii_lowercase()).is_some() {
            return Ok(());
        }
        Err(
            match find(s, id).and_then(|l| l.authentication_events_flow_id) {
                Some(flow) => managed(&flow),
                None => listener_not_found(id),
            },
        )
    })?;
    Ok(no_content())
}
