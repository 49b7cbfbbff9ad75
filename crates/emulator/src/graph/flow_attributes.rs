//! An events flow's attribute collection (`onAttributeCollection`, type
//! `onAttributeCollectionExternalUsersSelfServiceSignUp`): its `attributes` (list, `$count`, and the
//! `$ref` add, list and remove) and the page layout `attributeCollectionPage.views`
//! (`docs/graph-behaviour.md` §8.1, §8.2).
//!
//! Adding an attribute by `$ref` also appends it to the page "with the default settings", which
//! the docs do not list; the emulator's are those of the city example (text input, not hidden,
//! editable, written to the directory, optional, `^.*`). Removing it leaves the page alone, as the
//! delete page says to PATCH the page afterwards.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::authentication_events_flows::{flow_context, flow_mut, flow_not_found};
use super::collection::count_response;
use super::extension_handlers::{delete_reference_target, parse_reference_body};
use super::request::{Ctx, bare_type, only_properties, unresolved_type};
use super::response::{Obj, json_response, no_content};
use super::tenant_kind::events_flows_available;
use crate::error::GraphError;
use crate::state::{AttributeCollection, EventsFlowRecord, State as Store, UserFlowAttribute};

const TYPE: &str = "onAttributeCollectionExternalUsersSelfServiceSignUp";
const INPUT_TYPES: &[&str] = &[
    "text",
    "radioSingleSelect",
    "checkboxMultiSelect",
    "boolean",
    "unknownFutureValue",
];
const DATA_TYPES: &[&str] = &["string", "boolean", "int64", "stringCollection", "dateTime"];
const ATTRIBUTE_TYPES: &[&str] = &["builtIn", "custom", "required"];

fn attribute_json(a: &UserFlowAttribute) -> Value {
    json!({
        "id": a.id,
        "displayName": a.display_name,
        "description": a.description,
        "userFlowAttributeType": a.user_flow_attribute_type,
        "dataType": a.data_type,
    })
}

/// The flow's attributes with their definitions, in order.
pub(crate) fn attributes_of(store: &Store, a: &AttributeCollection) -> Vec<UserFlowAttribute> {
    a.attributes
        .iter()
        .filter_map(|id| store.user_flow_attribute(id))
        .collect()
}

/// `onAttributeCollection` as Graph returns it; `full` adds `attributes` (the get and list
/// examples have them, the create example does not).
pub(super) fn page_json(a: &AttributeCollection, store: &Store, full: bool) -> Value {
    let mut out = Map::new();
    out.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.{TYPE}")),
    );
    out.insert("accessPackages".into(), json!([]));
    out.insert(
        "attributeCollectionPage".into(),
        json!({"customStringsFileId": null, "views": a.views}),
    );
    if full {
        out.insert(
            "attributes".into(),
            attributes_of(store, a).iter().map(attribute_json).collect(),
        );
    }
    Value::Object(out)
}

fn enum_member(value: &Value, name: &str, members: &[&str]) -> Result<String, GraphError> {
    value
        .as_str()
        .and_then(|v| members.iter().find(|m| m.eq_ignore_ascii_case(v)))
        .map(|m| (*m).to_owned())
        .ok_or_else(|| {
            GraphError::invalid_property(name, &format!("one of {}", members.join(", ")))
        })
}

/// An input in Graph's full form; `inputType` in the CSDL spelling (the examples send `"Text"`).
fn normalize_input(value: &Value) -> Result<Value, GraphError> {
    let type_name = "authenticationAttributeCollectionInputConfiguration";
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property("inputs", "a list of objects"));
    };
    only_properties(
        map,
        &[
            "attribute",
            "label",
            "inputType",
            "defaultValue",
            "hidden",
            "editable",
            "writeToDirectory",
            "required",
            "validationRegEx",
            "options",
        ],
        type_name,
    )?;
    let string = |name: &str| match map.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(GraphError::missing_property(name, type_name)),
    };
    let flag = |name: &str, default: bool| match map.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(GraphError::invalid_property(name, "a boolean")),
    };
    let input_type = match map.get("inputType") {
        Some(v) => enum_member(v, "inputType", INPUT_TYPES)?,
        None => return Err(GraphError::missing_property("inputType", type_name)),
    };
    let options = match map.get("options") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(GraphError::invalid_property("options", "a list")),
    };
    Ok(json!({
        "attribute": string("attribute")?,
        "label": string("label")?,
        "inputType": input_type,
        "defaultValue": map.get("defaultValue").cloned().unwrap_or(Value::Null),
        "hidden": flag("hidden", false)?,
        "editable": flag("editable", true)?,
        "writeToDirectory": flag("writeToDirectory", true)?,
        "required": flag("required", false)?,
        "validationRegEx": map.get("validationRegEx").cloned().unwrap_or(Value::Null),
        "options": options,
    }))
}

fn parse_views(page: &Map<String, Value>) -> Result<Vec<Value>, GraphError> {
    only_properties(
        page,
        &["views", "customStringsFileId"],
        "authenticationAttributeCollectionPage",
    )?;
    let Some(Value::Array(views)) = page.get("views") else {
        return Ok(Vec::new());
    };
    views
        .iter()
        .map(|v| {
            let Value::Object(view) = v else {
                return Err(GraphError::invalid_property("views", "a list of objects"));
            };
            only_properties(
                view,
                &["title", "description", "inputs"],
                "authenticationAttributeCollectionPageViewConfiguration",
            )?;
            let inputs = match view.get("inputs") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(normalize_input)
                    .collect::<Result<Vec<_>, _>>()?,
                Some(_) => return Err(GraphError::invalid_property("inputs", "a list")),
            };
            Ok(json!({
                "title": view.get("title").cloned().unwrap_or(Value::Null),
                "description": view.get("description").cloned().unwrap_or(Value::Null),
                "inputs": inputs,
            }))
        })
        .collect()
}

/// An inline attribute of a create body: a known one by id, or a new custom attribute with its
/// definition (create example 3).
fn inline_attribute(store: &mut Store, value: &Value) -> Result<String, GraphError> {
    let type_name = "identityUserFlowAttribute";
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property(
            "attributes",
            "a list of objects",
        ));
    };
    only_properties(
        map,
        &[
            "id",
            "displayName",
            "description",
            "userFlowAttributeType",
            "dataType",
        ],
        type_name,
    )?;
    let Some(Value::String(id)) = map.get("id") else {
        return Err(GraphError::missing_property("id", type_name));
    };
    if let Some(known) = store.user_flow_attribute(id) {
        return Ok(known.id);
    }
    let (Some(display_name), Some(data_type), Some(kind)) = (
        map.get("displayName").and_then(Value::as_str),
        map.get("dataType"),
        map.get("userFlowAttributeType"),
    ) else {
        return Err(GraphError::not_found(format!(
            "The user flow attribute '{id}' was not found; define a custom attribute with its displayName, dataType and userFlowAttributeType."
        )));
    };
    let attribute = UserFlowAttribute {
        id: id.clone(),
        display_name: display_name.to_owned(),
        description: map
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        user_flow_attribute_type: enum_member(kind, "userFlowAttributeType", ATTRIBUTE_TYPES)?,
        data_type: enum_member(data_type, "dataType", DATA_TYPES)?,
    };
    store.custom_attributes.push(attribute);
    Ok(id.clone())
}

/// `onAttributeCollection` in a create (attributes and page) or PATCH body (the page only, and
/// only when the flow was created with one: §8.2).
pub(super) fn apply_inline(
    store: &mut Store,
    flow: &mut EventsFlowRecord,
    map: &Map<String, Value>,
    create: bool,
) -> Result<(), GraphError> {
    match bare_type(map)? {
        Some(t) if t.eq_ignore_ascii_case(TYPE) => {}
        Some(_) => return Err(unresolved_type(&map["@odata.type"])),
        None => {
            return Err(GraphError::bad_request(format!(
                "The '@odata.type' annotation is required for 'onAttributeCollection': 'microsoft.graph.{TYPE}'."
            )));
        }
    }
    only_properties(
        map,
        &["attributes", "attributeCollectionPage", "accessPackages"],
        TYPE,
    )?;
    if !create {
        if flow.on_attribute_collection.is_none() {
            return Err(GraphError::bad_request(
                "'onAttributeCollection' can only be updated if it was configured during user flow creation; add attributes with POST …/attributes/$ref instead.",
            ));
        }
        if map.contains_key("attributes") {
            return Err(GraphError::bad_request(
                "The attributes of a user flow change through …/attributes/$ref, not through PATCH.",
            ));
        }
    }
    let mut collection = flow
        .on_attribute_collection
        .clone()
        .unwrap_or(AttributeCollection {
            attributes: Vec::new(),
            views: Vec::new(),
        });
    if let Some(Value::Array(items)) = map.get("attributes") {
        collection.attributes = Vec::new();
        for item in items {
            let id = inline_attribute(store, item)?;
            if !collection
                .attributes
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&id))
            {
                collection.attributes.push(id);
            }
        }
    } else if map.get("attributes").is_some_and(|v| !v.is_null()) {
        return Err(GraphError::invalid_property("attributes", "a list"));
    }
    match map.get("attributeCollectionPage") {
        None | Some(Value::Null) => {}
        Some(Value::Object(page)) => collection.views = parse_views(page)?,
        Some(_) => {
            return Err(GraphError::invalid_property(
                "attributeCollectionPage",
                "an object",
            ));
        }
    }
    flow.on_attribute_collection = Some(collection);
    Ok(())
}

/// `GET …/onAttributeCollection` (with or without the cast): `204` when the flow has none.
pub(super) fn get_collection(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    let Some(a) = &f.on_attribute_collection else {
        return Ok(no_content());
    };
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        flow_context(ctx, &f.id, "onAttributeCollection"),
    );
    if let Value::Object(members) = page_json(a, &store, true) {
        for (k, v) in members {
            o.push(k, v);
        }
    }
    Ok(json_response(StatusCode::OK, &o))
}

/// The flow's attributes, or `400` when it has none: "If the user flow has no attributes, this
/// method returns a 400 Bad Request error code" (list-attributes page).
fn attributes(store: &Store, flow_id: &str) -> Result<Vec<UserFlowAttribute>, GraphError> {
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    match &f.on_attribute_collection {
        Some(a) if !a.attributes.is_empty() => Ok(attributes_of(store, a)),
        _ => Err(GraphError::bad_request(format!(
            "The authentication events flow '{flow_id}' has no attributes."
        ))),
    }
}

pub(super) fn list(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let list = attributes(&store, flow_id)?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context("Collection(microsoft.graph.identityUserFlowAttribute)"),
    );
    o.push("value", list.iter().map(attribute_json).collect::<Vec<_>>());
    Ok(json_response(StatusCode::OK, &o))
}

pub(super) fn count(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let f = store
        .events_flow(flow_id)
        .ok_or_else(|| flow_not_found(flow_id))?;
    Ok(count_response(
        f.on_attribute_collection
            .as_ref()
            .map_or(0, |a| a.attributes.len()),
    ))
}

/// `GET …/attributes/$ref`: the attributes' URLs.
pub(super) fn list_refs(ctx: &Ctx<'_>, flow_id: &str) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let store = ctx.app.lock();
    let list = attributes(&store, flow_id)?;
    let mut o = Obj::new();
    o.push("@odata.context", ctx.context("Collection($ref)"));
    o.push(
        "value",
        list.iter()
            .map(|a| json!({"@odata.id": format!("{}/identity/userFlowAttributes/{}", ctx.base(), a.id)}))
            .collect::<Vec<_>>(),
    );
    Ok(json_response(StatusCode::OK, &o))
}

/// `POST …/attributes/$ref` with `{"@odata.id": ".../identity/userFlowAttributes/{id}"}`.
pub(super) fn add_ref(
    ctx: &Ctx<'_>,
    flow_id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let target = parse_reference_body(body, "userFlowAttributes")?;
    ctx.app.mutate(|s| {
        let attribute = s.user_flow_attribute(&target).ok_or_else(|| {
            GraphError::not_found(format!("The user flow attribute '{target}' was not found."))
        })?;
        let f = flow_mut(s, flow_id)?;
        let collection = f
            .on_attribute_collection
            .get_or_insert_with(|| AttributeCollection {
                attributes: Vec::new(),
                views: Vec::new(),
            });
        if collection
            .attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&attribute.id))
        {
            return Err(GraphError::bad_request(format!(
                "The attribute '{}' is already collected by this user flow.",
                attribute.id
            )));
        }
        collection.attributes.push(attribute.id.clone());
        let input = json!({
            "attribute": attribute.id,
            "label": attribute.display_name,
            "inputType": if attribute.data_type == "boolean" { "boolean" } else { "text" },
            "defaultValue": null,
            "hidden": false,
            "editable": true,
            "writeToDirectory": true,
            "required": false,
            "validationRegEx": "^.*",
            "options": [],
        });
        if collection.views.is_empty() {
            collection
                .views
                .push(json!({"title": null, "description": null, "inputs": []}));
        }
        if let Some(Value::Array(inputs)) = collection
            .views
            .last_mut()
            .and_then(|v| v.get_mut("inputs"))
        {
            inputs.push(input);
        }
        Ok(())
    })?;
    Ok(no_content())
}

/// `DELETE …/attributes/{id}/$ref`, or `DELETE …/attributes/$ref?@id=<url>` (`attribute` `None`).
pub(super) fn remove_ref(
    ctx: &Ctx<'_>,
    flow_id: &str,
    attribute: Option<&str>,
) -> Result<Response<Body>, GraphError> {
    events_flows_available(ctx.app)?;
    let target = delete_reference_target(&ctx.query, attribute, "userFlowAttributes")?;
    ctx.app.mutate(|s| {
        let f = flow_mut(s, flow_id)?;
        let list = f
            .on_attribute_collection
            .as_mut()
            .map(|a| &mut a.attributes);
        let before = list.as_ref().map_or(0, |l| l.len());
        if let Some(list) = list {
            list.retain(|a| !a.eq_ignore_ascii_case(&target));
            if list.len() < before {
                return Ok(());
            }
        }
        Err(GraphError::not_found(format!(
            "The attribute '{target}' is not collected by this user flow."
        )))
    })?;
    Ok(no_content())
}
