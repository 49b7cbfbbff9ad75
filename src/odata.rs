//! Runtime support for OData conventions in the generated code: `@odata.type`-tagged values and
//! the query options ([`Query`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The JSON annotation naming a value's concrete type.
pub const ODATA_TYPE: &str = "@odata.type";

/// A value of a polymorphic type whose `@odata.type` this version of the bindings does not know.
///
/// Its JSON members are kept exactly as received and are written back unchanged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownType {
    properties: Map<String, Value>,
}

impl UnknownType {
    /// Wrap raw JSON members.
    pub fn new(properties: Map<String, Value>) -> Self {
        UnknownType { properties }
    }

    /// The `@odata.type` as received, if any.
    pub fn odata_type(&self) -> Option<&str> {
        self.properties.get(ODATA_TYPE).and_then(Value::as_str)
    }

    /// Every member as received, including `@odata.type`.
    pub fn properties(&self) -> &Map<String, Value> {
        &self.properties
    }

    /// Take the members.
    pub fn into_properties(self) -> Map<String, Value> {
        self.properties
    }
}

impl Serialize for UnknownType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.properties.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for UnknownType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(UnknownType::new)
    }
}

/// Serialize `value` with `"@odata.type": tag` as its first member.
pub fn serialize_tagged<T: Serialize, S: Serializer>(
    tag: &str,
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct TaggedRef<'a, T> {
        #[serde(rename = "@odata.type")]
        tag: &'a str,
        #[serde(flatten)]
        value: &'a T,
    }
    TaggedRef { tag, value }.serialize(serializer)
}

/// A JSON object read ahead of choosing a variant by its `@odata.type`.
#[derive(Debug)]
pub struct Tagged {
    members: Map<String, Value>,
}

impl Tagged {
    /// Read a JSON object.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(|members| Tagged { members })
    }

    /// The `@odata.type` without its leading `#` (Graph accepts and writes both forms).
    pub fn type_name(&self) -> Option<&str> {
        self.members
            .get(ODATA_TYPE)
            .and_then(Value::as_str)
            .map(|t| t.trim_start_matches('#'))
    }

    /// Deserialize the object as a known variant's type. The tag is left out: the variant is
    /// written with it again, and a variant of an open type keeps its other members in a map,
    /// which must not hold a second `@odata.type`.
    pub fn into_variant<T: DeserializeOwned, E: serde::de::Error>(mut self) -> Result<T, E> {
        self.members.remove(ODATA_TYPE);
        serde_json::from_value(Value::Object(self.members)).map_err(E::custom)
    }

    /// Keep the object as an unknown type.
    pub fn into_unknown(self) -> UnknownType {
        UnknownType::new(self.members)
    }
}

/// Any JSON object; its `@odata.type` is a string.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for UnknownType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UnknownType".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": { "@odata.type": { "type": "string" } }
        })
    }
}

/// JSON Schema of an enum tagged by `@odata.type` (the generated polymorphic enums use it).
///
/// A `oneOf` of each variant's schema together with its tag as a required constant (with or
/// without the leading `#`: the deserializer accepts both), plus an object whose `@odata.type` is
/// none of the known tags, for types this version does not know. `default` names the variant that
/// also matches without `@odata.type` (a concrete base type).
#[cfg(feature = "schema")]
#[doc(hidden)]
pub fn tagged_union_schema(
    variants: Vec<(&str, schemars::Schema)>,
    default: Option<&str>,
) -> schemars::Schema {
    let mut known = Vec::new();
    let mut one_of = Vec::new();
    for (tag, schema) in variants {
        let bare = tag.trim_start_matches('#');
        let forms = vec![Value::from(format!("#{bare}")), Value::from(bare)];
        known.extend(forms.iter().cloned());
        let mut rule = Map::new();
        rule.insert("type".into(), "object".into());
        rule.insert(
            "properties".into(),
            serde_json::json!({ ODATA_TYPE: { "enum": forms } }),
        );
        if default != Some(tag) {
            rule.insert("required".into(), serde_json::json!([ODATA_TYPE]));
        }
        one_of.push(serde_json::json!({ "allOf": [schema, rule] }));
    }
    one_of.push(serde_json::json!({
        "description": "A type unknown to this version of the bindings.",
        "type": "object",
        "required": [ODATA_TYPE],
        "properties": { ODATA_TYPE: { "type": "string", "not": { "enum": known } } }
    }));
    schemars::json_schema!({ "oneOf": one_of })
}

/// The OData query options of a generated operation: each `Some` field is sent as the query
/// parameter of the same name with a `$` (`select` → `$select`), where the operation has it.
///
/// ```
/// use entra_api_connectors::odata::Query;
/// let query = Query { select: Some("id,displayName".into()), ..Query::default() };
/// assert_eq!(query.top, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// `$select`: properties to return, comma-separated.
    pub select: Option<String>,
    /// `$expand`: related entities to include, comma-separated.
    pub expand: Option<String>,
    /// `$filter`.
    pub filter: Option<String>,
    /// `$orderby`.
    pub orderby: Option<String>,
    /// `$search`.
    pub search: Option<String>,
    /// `$top`: page size.
    pub top: Option<i64>,
    /// `$skip`.
    pub skip: Option<i64>,
    /// `$count`.
    pub count: Option<bool>,
}
