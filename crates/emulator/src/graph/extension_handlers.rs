//! Handlers that name a custom extension, as a flow's `onAttributeCollectionStart/Submit` and an
//! extension listener's `handler` carry them: `{"@odata.type", "configuration", "customExtension":
//! {"id"}}` (`docs/graph-behaviour.md` §8.3, §9.2). Also the references (`@odata.id`,
//! `@odata.bind`) that name an entity by its absolute URL.

use serde_json::{Map, Value, json};

use super::custom_authentication_extensions::{
    extension_value, parse_behavior_on_error, parse_client_configuration,
};
use super::path::decode_segment;
use super::request::{bare_type, only_properties, opt_object, unresolved_type};
use crate::error::GraphError;
use crate::state::{ExtensionHandler, ExtensionKind, State};

/// The id in an absolute reference URL `…/{v1.0|beta}/identity/{collection}/{id}`.
pub(super) fn reference_target(link: &str, collection: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let segs: Vec<String> = url
        .path_segments()?
        .filter(|p| !p.is_empty())
        .map(decode_segment)
        .collect();
    match segs.as_slice() {
        [.., v, identity, c, id]
            if (v.eq_ignore_ascii_case("v1.0") || v.eq_ignore_ascii_case("beta"))
                && identity.eq_ignore_ascii_case("identity")
                && c.eq_ignore_ascii_case(collection) =>
        {
            Some(id.clone())
        }
        _ => None,
    }
}

/// Graph's answer to a reference it cannot read.
pub(super) fn bad_reference() -> GraphError {
    GraphError::bad_request("Invalid URL format specified in payload.")
}

/// The entity a `DELETE …/$ref` names: the path's `{id}` (`from_path`), or the `@id` query
/// parameter's URL into `collection`; `400` for an unreadable `@id`.
pub(super) fn delete_reference_target(
    query: &crate::odata::QueryOptions,
    from_path: Option<&str>,
    collection: &str,
) -> Result<String, GraphError> {
    match from_path {
        Some(id) => Ok(id.to_owned()),
        None => query
            .get("@id")
            .and_then(|l| reference_target(l, collection))
            .ok_or_else(bad_reference),
    }
}

/// The `@odata.id` of a `$ref` body naming an entity of `collection`.
pub(super) fn parse_reference_body(body: &[u8], collection: &str) -> Result<String, GraphError> {
    let map = super::request::parse_json_object(body)?;
    if let Some(k) = map.keys().find(|k| !k.starts_with('@')) {
        return Err(GraphError::bad_request(format!(
            "The property '{k}' is not allowed in a $ref request body; send only '@odata.id'."
        )));
    }
    map.get("@odata.id")
        .and_then(Value::as_str)
        .and_then(|l| reference_target(l, collection))
        .ok_or_else(bad_reference)
}

/// The stored id of an extension of `kind`, or `400` for an unknown one or one of another type
/// (the portal offers only matching extensions; §8.3, §9.2).
pub(super) fn check_extension(
    store: &State,
    id: &str,
    kind: Option<ExtensionKind>,
    handler_type: &str,
) -> Result<String, GraphError> {
    let Some(e) = store.extension(id) else {
        return Err(GraphError::bad_request(format!(
            "The custom authentication extension '{id}' named by the handler does not exist."
        )));
    };
    match kind {
        Some(k) if k == e.kind => Ok(e.id.clone()),
        Some(k) => Err(GraphError::bad_request(format!(
            "A '{handler_type}' calls a 'microsoft.graph.{}', but '{id}' is a 'microsoft.graph.{}'.",
            k.type_name(),
            e.kind.type_name()
        ))),
        None => Err(GraphError::bad_request(format!(
            "The emulator serves no custom extension type that a '{handler_type}' can call."
        ))),
    }
}

/// `customExtensionOverwriteConfiguration`, checked and kept as sent.
fn parse_configuration(map: &Map<String, Value>) -> Result<Value, GraphError> {
    only_properties(
        map,
        &["behaviorOnError", "clientConfiguration"],
        "customExtensionOverwriteConfiguration",
    )?;
    if let Some(Some(b)) = opt_object(map, "behaviorOnError")? {
        parse_behavior_on_error(b)?;
    }
    if let Some(Some(c)) = opt_object(map, "clientConfiguration")? {
        parse_client_configuration(c)?;
    }
    Ok(Value::Object(map.clone()))
}

/// Parses a handler of `handler_type` calling an extension of `kind`, merged over `existing` (a
/// PATCH changes the members it sends, as the OTP fallback example sends only `configuration`).
pub(super) fn parse_handler(
    value: &Value,
    handler_type: &str,
    kind: Option<ExtensionKind>,
    with_migration_property: bool,
    store: &State,
    existing: Option<&ExtensionHandler>,
) -> Result<ExtensionHandler, GraphError> {
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property("handler", "an object or null"));
    };
    match bare_type(map)? {
        Some(t) if t.eq_ignore_ascii_case(handler_type) => {}
        None if existing.is_some() => {}
        None => {
            return Err(GraphError::bad_request(format!(
                "The '@odata.type' annotation of the handler is required: 'microsoft.graph.{handler_type}'."
            )));
        }
        Some(_) => return Err(unresolved_type(&map["@odata.type"])),
    }
    let mut allowed = vec!["configuration", "customExtension"];
    if with_migration_property {
        allowed.push("migrationPropertyId");
    }
    only_properties(map, &allowed, handler_type)?;
    let mut handler = existing.cloned().unwrap_or(ExtensionHandler {
        custom_extension_id: None,
        configuration: None,
        migration_property_id: None,
    });
    if let Some(v) = opt_object(map, "configuration")? {
        handler.configuration = v.map(parse_configuration).transpose()?;
    }
    let bound = match map.get("customExtension@odata.bind") {
        Some(Value::String(link)) => Some(
            reference_target(link, "customAuthenticationExtensions").ok_or_else(bad_reference)?,
        ),
        Some(_) => return Err(bad_reference()),
        None => None,
    };
    let named = match opt_object(map, "customExtension")? {
        None => None,
        Some(None) => {
            handler.custom_extension_id = None;
            None
        }
        Some(Some(o)) => match o.get("id") {
            Some(Value::String(id)) => Some(id.clone()),
            _ => {
                return Err(GraphError::missing_property(
                    "id",
                    "customAuthenticationExtension",
                ));
            }
        },
    };
    if let Some(id) = bound.or(named) {
        handler.custom_extension_id = Some(check_extension(store, &id, kind, handler_type)?);
    }
    if with_migration_property {
        match map.get("migrationPropertyId") {
            None => {}
            Some(Value::String(s)) => handler.migration_property_id = Some(s.clone()),
            Some(_) => {
                return Err(GraphError::invalid_property(
                    "migrationPropertyId",
                    "a string",
                ));
            }
        }
        if handler.migration_property_id.is_none() {
            return Err(GraphError::missing_property(
                "migrationPropertyId",
                handler_type,
            ));
        }
    }
    Ok(handler)
}

/// The handler as Graph returns it; `expand` inlines the extension (without `@odata.type`, as
/// the listener list example shows it).
pub(super) fn handler_json(
    handler: &ExtensionHandler,
    handler_type: &str,
    with_migration_property: bool,
    store: &State,
    expand: bool,
) -> Value {
    let extension = match &handler.custom_extension_id {
        None => Value::Null,
        Some(id) => match store.extension(id) {
            Some(e) if expand => extension_value(e, false),
            _ => json!({"id": id}),
        },
    };
    let mut out = Map::new();
    out.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.{handler_type}")),
    );
    out.insert(
        "configuration".into(),
        handler.configuration.clone().unwrap_or(Value::Null),
    );
    if with_migration_property {
        out.insert(
            "migrationPropertyId".into(),
            json!(handler.migration_property_id),
        );
    }
    out.insert("customExtension".into(), extension);
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(
            reference_target(
                "https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/abc",
                "customAuthenticationExtensions"
            ),
            Some("abc".into())
        );
        assert_eq!(
            reference_target(
                "https://graph.microsoft.com/v1.0/identity/userFlowAttributes/city",
                "userFlowAttributes"
            ),
            Some("city".into())
        );
        for bad in [
            "abc",
            "/v1.0/identity/userFlowAttributes/city",
            "ftp://h/v1.0/identity/userFlowAttributes/city",
            "https://h/v2/identity/userFlowAttributes/city",
            "https://h/v1.0/identity/apiConnectors/city",
        ] {
            assert_eq!(reference_target(bad, "userFlowAttributes"), None, "{bad}");
        }
    }
}
