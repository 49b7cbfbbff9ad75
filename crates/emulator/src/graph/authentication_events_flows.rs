//! Authentication events flows (`/identity/authenticationEventsFlows`) of type
//! `externalUsersSelfServiceSignUpEventsFlow`: list (with the two documented `$filter` forms),
//! create, get (also through the type cast), PATCH, delete, the `conditions` and the
//! `onAttributeCollectionStart/Submit` handlers, with their beta `…/customExtension/$ref`
//! (`docs/graph-behaviour.md` §8). The flow's attributes and identity providers are in
//! `flow_attributes` and `flow_identity_providers`, its applications in `include_applications`.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::collection::{Paging, count_response};
use super::extensibility_path::FlowEvent;
use super::extension_handlers::{handler_json, parse_handler, parse_reference_body};
use super::flow_attributes::{self, page_json};
use super::flow_identity_providers::{self, identity_provider_json};
use super::include_applications::{self, check_app_free};
use super::request::{
    Ctx, bare_type, only_properties, opt_object, opt_string, parse_json_object, unresolved_type,
};
use super::response::{Obj, json_response, no_content, with_location};
use super::tenant_kind::events_flows_available;
use crate::error::GraphError;
use crate::odata::Filter;
use crate::state::{EventsFlowRecord, ExtensionKind, FlowHandler, State as Store};

pub(super) const COLLECTION: &str = "identity/authenticationEventsFlows";
pub(super) const FLOW_TYPE: &str = "externalUsersSelfServiceSignUpEventsFlow";
/// "Default is 500." (create page).
const DEFAULT_PRIORITY: i64 = 500;

/// The two documented filters (list examples 2 and 4); anything else is `400`.
const FILTER_APPS: &str = "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/appId";
const FILTER_IDPS: &str = "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAuthenticationMethodLoadStart/microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp/identityProviders/id";

pub(super) fn flow_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!(
        "The authentication events flow '{id}' was not found."
    ))
}

/// The stored flow `id` (ids are matched without regard to ASCII case), or `404`.
pub(super) fn flow_mut<'s>(
    store: &'s mut Store,
    id: &str,
) -> Result<&'s mut EventsFlowRecord, GraphError> {
    store
        .events_flows
        .get_mut(&id.to_ascii_lowercase())
        .ok_or_else(|| flow_not_found(id))
}

/// `…#identity/authenticationEventsFlows('{id}')/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/{rest}`.
pub(super) fn flow_context(ctx: &Ctx<'_>, id: &str, rest: &str) -> String {
    ctx.context(&format!(
        "{COLLECTION}('{id}')/microsoft.graph.{FLOW_TYPE}/{rest}"
    ))
}

fn event_kind(event: FlowEvent) -> ExtensionKind {
    match event {
        FlowEvent::Start => ExtensionKind::AttributeCollectionStart,
        FlowEvent::Submit => ExtensionKind::AttributeCollectionSubmit,
    }
}

fn slot(flow: &mut EventsFlowRecord, event: FlowEvent) -> &mut Option<FlowHandler> {
    match event {
        FlowEvent::Start => &mut flow.on_attribute_collection_start,
        FlowEvent::Submit => &mut flow.on_attribute_collection_submit,
    }
}

/// What a response shows of a flow: `full` adds what the create example leaves out (the
/// applications list with its context, the identity providers, the attributes).
fn flow_fields(ctx: &Ctx<'_>, out: &mut Obj, f: &EventsFlowRecord, store: &Store, full: bool) {
    out.push("@odata.type", format!("#microsoft.graph.{FLOW_TYPE}"));
    out.push("id", f.id.clone());
    out.push("displayName", f.display_name.clone());
    out.push("description", f.description.clone());
    out.push("priority", f.priority);
    for (event, handler) in [
        (FlowEvent::Start, &f.on_attribute_collection_start),
        (FlowEvent::Submit, &f.on_attribute_collection_submit),
    ] {
        out.push(
            event.property(),
            handler.as_ref().map_or(Value::Null, |h| {
                handler_json(&h.handler, event.handler_type(), false, store, false)
            }),
        );
    }
    let mut applications = Map::new();
    applications.insert(
        "includeAllApplications".into(),
        json!(f.include_all_applications),
    );
    if full {
        applications.insert(
            "includeApplications@odata.context".into(),
            json!(flow_context(
                ctx,
                &f.id,
                "conditions/applications/includeApplications"
            )),
        );
        applications.insert(
            "includeApplications".into(),
            include_applications::apps_json(&f.include_applications),
        );
    }
    out.push("conditions", json!({ "applications": applications }));
    out.push(
        "onInteractiveAuthFlowStart",
        json!({
            "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "isSignUpAllowed": f.is_sign_up_allowed,
        }),
    );
    let mut method = Map::new();
    method.insert(
        "@odata.type".into(),
        json!("#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp"),
    );
    if full {
        method.insert(
            "identityProviders".into(),
            f.identity_providers
                .iter()
                .map(|id| identity_provider_json(id))
                .collect(),
        );
    }
    out.push("onAuthenticationMethodLoadStart", Value::Object(method));
    out.push(
        "onAttributeCollection",
        f.on_attribute_collection
            .as_ref()
            .map_or(Value::Null, |a| page_json(a, store, full)),
    );
    out.push(
        "onUserCreateStart",
        f.user_type_to_create.as_ref().map_or(Value::Null, |t| {
            json!({
                "@odata.type": "#microsoft.graph.onUserCreateStartExternalUsersSelfServiceSignUp",
                "userTypeToCreate": t,
                "accessPackages": [],
            })
        }),
    );
}

fn flow_value(ctx: &Ctx<'_>, f: &EventsFlowRecord, store: &Store) -> Value {
    let mut o = Obj::new();
    flow_fields(ctx, &mut o, f, store, true);
    o.into_value()
}

fn flow_matches(f: &EventsFlowRecord, filter: Option<&Filter>) -> bool {
    filter.is_none_or(|flt| {
        flt.eval(&|p| match p {
            FILTER_APPS => Some(f.include_applications.join("\n")),
            FILTER_IDPS => Some(f.identity_providers.join("\n")),
            _ => None,
        })
    })
}

fn parse_filter(ctx: &Ctx<'_>) -> Result<Option<Filter>, GraphError> {
    ctx.query
        .get("$filter")
        .map(|f| Filter::parse(f, &[FILTER_APPS, FILTER_IDPS]))
        .transpose()
}

/// `GET /authenticationEventsFlows` (and its cast collection, `cast`).
pub(super) fn list(ctx: &Ctx<'_>, cast: bool) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.query
        .only(&["$top", "$skip", "$skiptoken", "$count", "$filter"])?;
    let paging = Paging::parse(ctx)?;
    let filter = parse_filter(ctx)?;
    let store = ctx.app.lock();
    let items: Vec<(u64, Value)> = store
        .events_flows
        .values()
        .filter(|f| flow_matches(f, filter.as_ref()))
        .map(|f| (f.seq, flow_value(ctx, f, &store)))
        .collect();
    let (path, context) = if cast {
        let p = format!("{COLLECTION}/microsoft.graph.{FLOW_TYPE}");
        (format!("/{p}"), ctx.context(&p))
    } else {
        (format!("/{COLLECTION}"), ctx.context(COLLECTION))
    };
    Ok(paging.respond(ctx, &path, context, items))
}

pub(super) fn count(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.query.only(&["$filter"])?;
    let filter = parse_filter(ctx)?;
    let store = ctx.app.lock();
    Ok(count_response(
        store
            .events_flows
            .values()
            .filter(|f| flow_matches(f, filter.as_ref()))
            .count(),
    ))
}

/// `GET /authenticationEventsFlows/{id}` (and through the cast): the bare entity, not the get
/// example's `{"value": …}` wrapper (§8.2).
pub(super) fn get(ctx: &Ctx<'_>, id: &str, cast: bool) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.query.only(&[])?;
    let store = ctx.app.lock();
    let f = store.events_flow(id).ok_or_else(|| flow_not_found(id))?;
    let mut o = Obj::new();
    let context = if cast {
        format!("{COLLECTION}/microsoft.graph.{FLOW_TYPE}/$entity")
    } else {
        format!("{COLLECTION}/$entity")
    };
    o.push("@odata.context", ctx.context(&context));
    flow_fields(ctx, &mut o, f, &store, true);
    Ok(json_response(StatusCode::OK, &o))
}

/// `GET …/{id}/conditions`.
pub(super) fn get_conditions(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store.events_flow(id).ok_or_else(|| flow_not_found(id))?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("{COLLECTION}('{}')/conditions", f.id)),
    );
    o.push(
        "applications",
        json!({
            "includeAllApplications": f.include_all_applications,
            "includeApplications": include_applications::apps_json(&f.include_applications),
        }),
    );
    Ok(json_response(StatusCode::OK, &o))
}

/// The flow type in a create or PATCH body (required; the page's `…Signup…` spelling matches too).
fn check_flow_type(map: &Map<String, Value>) -> Result<(), GraphError> {
    match bare_type(map)? {
        Some(t) if t.eq_ignore_ascii_case(FLOW_TYPE) => Ok(()),
        Some(_) => Err(unresolved_type(&map["@odata.type"])),
        None => Err(GraphError::bad_request(format!(
            "You must specify the '@odata.type' of an authentication events flow: 'microsoft.graph.{FLOW_TYPE}' (the base type is abstract)."
        ))),
    }
}

fn typed<'v>(
    map: &'v Map<String, Value>,
    property: &str,
    type_name: &str,
) -> Result<&'v Map<String, Value>, GraphError> {
    match bare_type(map)? {
        Some(t) if t.eq_ignore_ascii_case(type_name) => Ok(map),
        Some(_) => Err(unresolved_type(&map["@odata.type"])),
        None => Err(GraphError::bad_request(format!(
            "The '@odata.type' annotation is required for '{property}': 'microsoft.graph.{type_name}'."
        ))),
    }
}

fn bool_prop(map: &Map<String, Value>, name: &str) -> Result<Option<bool>, GraphError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(GraphError::invalid_property(name, "a boolean")),
    }
}

/// `conditions.applications`: the app ids and `includeAllApplications`.
fn parse_conditions(
    map: &Map<String, Value>,
) -> Result<(Option<Vec<String>>, Option<bool>), GraphError> {
    only_properties(map, &["applications"], "authenticationConditions")?;
    let Some(Some(apps)) = opt_object(map, "applications")? else {
        return Ok((None, None));
    };
    only_properties(
        apps,
        &["includeApplications", "includeAllApplications"],
        "authenticationConditionsApplications",
    )?;
    let all = bool_prop(apps, "includeAllApplications")?;
    let list = match apps.get("includeApplications") {
        None => None,
        Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(include_applications::parse_app)
                .collect::<Result<Vec<String>, GraphError>>()?,
        ),
        Some(_) => {
            return Err(GraphError::invalid_property(
                "includeApplications",
                "a list",
            ));
        }
    };
    Ok((list, all))
}

/// Applies a create (`create`) or PATCH body to `flow`, with the state's checks.
fn apply_body(
    ctx: &Ctx<'_>,
    store: &mut Store,
    flow: &mut EventsFlowRecord,
    map: &Map<String, Value>,
    create: bool,
) -> Result<(), GraphError> {
    only_properties(
        map,
        &[
            "id",
            "displayName",
            "description",
            "priority",
            "conditions",
            "onAttributeCollectionStart",
            "onAttributeCollectionSubmit",
            "onAttributeCollection",
            "onAuthenticationMethodLoadStart",
            "onInteractiveAuthFlowStart",
            "onUserCreateStart",
        ],
        FLOW_TYPE,
    )?;
    match opt_string(map, "displayName")? {
        Some(Some(name)) if !name.trim().is_empty() => {
            if store
                .events_flows
                .values()
                .any(|f| f.id != flow.id && f.display_name.eq_ignore_ascii_case(&name))
            {
                return Err(GraphError::new(
                    StatusCode::CONFLICT,
                    "Conflict",
                    format!(
                        "An authentication events flow named '{name}' already exists; displayName must be unique."
                    ),
                ));
            }
            flow.display_name = name;
        }
        Some(_) => {
            return Err(GraphError::invalid_property(
                "displayName",
                "a non-empty string",
            ));
        }
        None if create => return Err(GraphError::missing_property("displayName", FLOW_TYPE)),
        None => {}
    }
    if let Some(v) = opt_string(map, "description")? {
        flow.description = v;
    }
    match map.get("priority") {
        None => {}
        Some(v) => match v.as_i64() {
            Some(p @ 0..=1000) => flow.priority = p,
            _ => {
                return Err(GraphError::bad_request(
                    "Invalid value for property 'priority': expected an integer between 0 and 1000.",
                ));
            }
        },
    }
    if let Some(Some(c)) = opt_object(map, "conditions")? {
        let (apps, all) = parse_conditions(c)?;
        if let Some(all) = all {
            flow.include_all_applications = all;
        }
        if let Some(apps) = apps {
            for app in &apps {
                check_app_free(ctx.app, store, &flow.id, app)?;
            }
            flow.include_applications = apps;
        }
    }
    for event in [FlowEvent::Start, FlowEvent::Submit] {
        let Some(value) = map.get(event.property()) else {
            continue;
        };
        let current = slot(flow, event).clone();
        let new = match value {
            Value::Null => None,
            v => {
                let handler = parse_handler(
                    v,
                    event.handler_type(),
                    Some(event_kind(event)),
                    false,
                    store,
                    current.as_ref().map(|h| &h.handler),
                )?;
                Some(FlowHandler {
                    handler,
                    listener_id: current
                        .map_or_else(|| uuid::Uuid::new_v4().to_string(), |h| h.listener_id),
                })
            }
        };
        *slot(flow, event) = new;
    }
    match opt_object(map, "onInteractiveAuthFlowStart")? {
        Some(Some(o)) => {
            let o = typed(
                o,
                "onInteractiveAuthFlowStart",
                "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            )?;
            only_properties(
                o,
                &["isSignUpAllowed"],
                "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            )?;
            match bool_prop(o, "isSignUpAllowed")? {
                Some(b) => flow.is_sign_up_allowed = b,
                None => {
                    return Err(GraphError::missing_property(
                        "isSignUpAllowed",
                        "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                    ));
                }
            }
        }
        Some(None) => {
            return Err(GraphError::missing_property(
                "onInteractiveAuthFlowStart",
                FLOW_TYPE,
            ));
        }
        None if create => {
            return Err(GraphError::missing_property(
                "onInteractiveAuthFlowStart",
                FLOW_TYPE,
            ));
        }
        None => {}
    }
    match opt_object(map, "onAuthenticationMethodLoadStart")? {
        Some(Some(o)) => {
            let o = typed(
                o,
                "onAuthenticationMethodLoadStart",
                "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            )?;
            flow.identity_providers = flow_identity_providers::parse_inline(o)?;
        }
        Some(None) => {
            return Err(GraphError::missing_property(
                "onAuthenticationMethodLoadStart",
                FLOW_TYPE,
            ));
        }
        None if create => {
            return Err(GraphError::missing_property(
                "onAuthenticationMethodLoadStart",
                FLOW_TYPE,
            ));
        }
        None => {}
    }
    if flow.identity_providers.is_empty() {
        return Err(GraphError::bad_request(
            "'onAuthenticationMethodLoadStart' must have at least one identity provider linked.",
        ));
    }
    match opt_object(map, "onAttributeCollection")? {
        None => {}
        Some(None) => flow.on_attribute_collection = None,
        Some(Some(o)) => {
            flow_attributes::apply_inline(store, flow, o, create)?;
        }
    }
    match opt_object(map, "onUserCreateStart")? {
        None => {}
        Some(None) => flow.user_type_to_create = None,
        Some(Some(o)) => {
            let o = typed(
                o,
                "onUserCreateStart",
                "onUserCreateStartExternalUsersSelfServiceSignUp",
            )?;
            only_properties(
                o,
                &["userTypeToCreate", "accessPackages"],
                "onUserCreateStartExternalUsersSelfServiceSignUp",
            )?;
            let t = match o.get("userTypeToCreate").and_then(Value::as_str) {
                Some(t) if t.eq_ignore_ascii_case("member") => "member",
                Some(t) if t.eq_ignore_ascii_case("guest") => "guest",
                _ => {
                    return Err(GraphError::invalid_property(
                        "userTypeToCreate",
                        "'member' or 'guest'",
                    ));
                }
            };
            flow.user_type_to_create = Some(t.to_owned());
        }
    }
    Ok(())
}

pub(super) fn create(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let map = parse_json_object(body)?;
    check_flow_type(&map)?;
    let flow = ctx.app.mutate(|s| {
        let mut flow = EventsFlowRecord {
            id: uuid::Uuid::new_v4().to_string(),
            display_name: String::new(),
            description: None,
            priority: DEFAULT_PRIORITY,
            include_applications: Vec::new(),
            include_all_applications: false,
            on_attribute_collection_start: None,
            on_attribute_collection_submit: None,
            on_attribute_collection: None,
            identity_providers: Vec::new(),
            is_sign_up_allowed: true,
            user_type_to_create: None,
            seq: s.next_seq(),
        };
        apply_body(ctx, s, &mut flow, &map, true)?;
        s.events_flows
            .insert(flow.id.to_ascii_lowercase(), flow.clone());
        Ok(flow)
    })?;
    let store = ctx.app.lock();
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("{COLLECTION}/$entity")),
    );
    flow_fields(ctx, &mut o, &flow, &store, false);
    let location = format!("{}/{COLLECTION}/{}", ctx.base(), flow.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &o),
        &location,
    ))
}

pub(super) fn update(ctx: &Ctx<'_>, id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let map = parse_json_object(body)?;
    check_flow_type(&map)?;
    ctx.app.mutate(|s| {
        let mut flow = s
            .events_flow(id)
            .cloned()
            .ok_or_else(|| flow_not_found(id))?;
        apply_body(ctx, s, &mut flow, &map, false)?;
        s.events_flows.insert(flow.id.to_ascii_lowercase(), flow);
        Ok(())
    })?;
    Ok(no_content())
}

pub(super) fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.app.mutate(|s| {
        s.events_flows
            .shift_remove(&id.to_ascii_lowercase())
            .map(|_| ())
            .ok_or_else(|| flow_not_found(id))
    })?;
    Ok(no_content())
}

/// Beta `PUT …/{event}/microsoft.graph.{handler}/customExtension/$ref` (the Learn module, §8.3):
/// attaches the extension, creating the handler when there is none.
pub(super) fn set_handler_ref(
    ctx: &Ctx<'_>,
    id: &str,
    event: FlowEvent,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let target = parse_reference_body(body, "customAuthenticationExtensions")?;
    ctx.app.mutate(|s| {
        let mut flow = s
            .events_flow(id)
            .cloned()
            .ok_or_else(|| flow_not_found(id))?;
        let ext = super::extension_handlers::check_extension(
            s,
            &target,
            Some(event_kind(event)),
            event.handler_type(),
        )?;
        let handler = slot(&mut flow, event);
        match handler {
            Some(h) => h.handler.custom_extension_id = Some(ext),
            None => {
                *handler = Some(FlowHandler {
                    handler: crate::state::ExtensionHandler {
                        custom_extension_id: Some(ext),
                        configuration: None,
                        migration_property_id: None,
                    },
                    listener_id: uuid::Uuid::new_v4().to_string(),
                });
            }
        }
        s.events_flows.insert(flow.id.to_ascii_lowercase(), flow);
        Ok(())
    })?;
    Ok(no_content())
}

/// Beta `GET …/customExtension/$ref`: the reference, or `204` when nothing is attached.
pub(super) fn get_handler_ref(
    ctx: &Ctx<'_>,
    id: &str,
    event: FlowEvent,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let mut flow = ctx
        .app
        .lock()
        .events_flow(id)
        .cloned()
        .ok_or_else(|| flow_not_found(id))?;
    match slot(&mut flow, event)
        .as_ref()
        .and_then(|h| h.handler.custom_extension_id.clone())
    {
        Some(ext) => {
            let mut o = Obj::new();
            o.push("@odata.context", ctx.context("$ref"));
            o.push(
                "@odata.id",
                format!(
                    "{}/identity/customAuthenticationExtensions/{ext}",
                    ctx.base()
                ),
            );
            Ok(json_response(StatusCode::OK, &o))
        }
        None => Ok(no_content()),
    }
}

/// Beta `DELETE …/customExtension/$ref`: detaches (the handler goes, as a handler without an
/// extension does nothing).
pub(super) fn delete_handler_ref(
    ctx: &Ctx<'_>,
    id: &str,
    event: FlowEvent,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    ctx.app.mutate(|s| {
        let flow = s
            .events_flows
            .get_mut(&id.to_ascii_lowercase())
            .ok_or_else(|| flow_not_found(id))?;
        *slot(flow, event) = None;
        Ok(())
    })?;
    Ok(no_content())
}
