//! What the Graph handlers share about a request: its context ([`Ctx`]: version, origin, query
//! options) and the checks of JSON request bodies (`@odata.type`, required string properties).

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::odata::QueryOptions;
use crate::{App, GraphVersion};

/// The caller's `client-request-id` header, echoed by every answer.
pub(crate) fn client_request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
}

/// Per-request facts the handlers need.
pub(super) struct Ctx<'a> {
    pub app: &'a App,
    pub version: GraphVersion,
    /// `http://host:port` as the caller addressed the emulator.
    pub origin: String,
    pub query: QueryOptions,
}

impl Ctx<'_> {
    /// `http://host:port/{version}`: the emulator's equivalent of `https://graph.microsoft.com/{v}`.
    pub fn base(&self) -> String {
        format!("{}/{}", self.origin, self.version.as_str())
    }

    /// `{base}/$metadata#{fragment}`, the `@odata.context` of an answer.
    pub fn context(&self, fragment: &str) -> String {
        format!("{}/$metadata#{fragment}", self.base())
    }

    /// The `apiConnectorConfiguration` steps of this version (`docs/graph-behaviour.md` §6).
    pub fn steps(&self) -> &'static [&'static str] {
        match self.version {
            GraphVersion::V1 => &["postFederationSignup", "postAttributeCollection"],
            GraphVersion::Beta => &[
                "postFederationSignup",
                "postAttributeCollection",
                "preTokenIssuance",
            ],
        }
    }
}

/// A request body that must be a JSON object.
pub(super) fn parse_json_object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::unreadable_json()),
    }
}

/// An `@odata.type` value without `#`, lower-cased.
pub(super) fn odata_type(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(|t| t.trim_start_matches('#').to_ascii_lowercase())
}

/// An `@odata.type` annotation, when sent, must name `expected`.
pub(super) fn check_entity_type(
    map: &Map<String, Value>,
    expected: &str,
) -> Result<(), GraphError> {
    if let Some(t) = map.get("@odata.type") {
        let ok = odata_type(t)
            .is_some_and(|t| t == format!("microsoft.graph.{}", expected.to_ascii_lowercase()));
        if !ok {
            return Err(unresolved_type(t));
        }
    }
    Ok(())
}

/// Graph's answer to an `@odata.type` that names no type.
pub(super) fn unresolved_type(t: &Value) -> GraphError {
    GraphError::bad_request(format!(
        "A type named '{}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
        t.as_str().unwrap_or("<not a string>")
    ))
}

/// A required string property of `type_name`.
pub(super) fn string_prop<'v>(
    map: &'v Map<String, Value>,
    name: &str,
    type_name: &str,
) -> Result<&'v str, GraphError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(GraphError::missing_property(name, type_name)),
        Some(_) => Err(GraphError::invalid_property(name, "a string")),
    }
}

/// The `@odata.type` of `map`, without `#` and namespace, lower-cased; `None` when absent.
pub(super) fn bare_type(map: &Map<String, Value>) -> Result<Option<String>, GraphError> {
    match map.get("@odata.type") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => Ok(Some(crate::odata::bare_type_name(t))),
        Some(other) => Err(unresolved_type(other)),
    }
}

/// Graph's answer to a missing `@odata.type` on an abstract type.
pub(super) fn abstract_type_needs_annotation(property: &str, type_name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "The '@odata.type' annotation is required for '{property}', whose type 'microsoft.graph.{type_name}' is abstract."
    ))
}

/// Rejects members of `map` that are not annotations and not in `allowed`.
pub(super) fn only_properties(
    map: &Map<String, Value>,
    allowed: &[&str],
    type_name: &str,
) -> Result<(), GraphError> {
    match map
        .keys()
        .find(|k| !k.contains('@') && !allowed.contains(&k.as_str()))
    {
        Some(k) => Err(GraphError::unknown_property(k, type_name)),
        None => Ok(()),
    }
}

/// An optional string property: absent, `null` or a string.
pub(super) fn opt_string(
    map: &Map<String, Value>,
    name: &str,
) -> Result<Option<Option<String>>, GraphError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(GraphError::invalid_property(name, "a string or null")),
    }
}

/// An optional JSON object property: absent, `null` or an object.
pub(super) fn opt_object<'v>(
    map: &'v Map<String, Value>,
    name: &str,
) -> Result<Option<Option<&'v Map<String, Value>>>, GraphError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Object(o)) => Ok(Some(Some(o))),
        Some(_) => Err(GraphError::invalid_property(name, "an object or null")),
    }
}
