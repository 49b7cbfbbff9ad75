//! The attributes of `data.userSignUpInfo` in attribute-collection requests
//! ([`SignUpAttribute`], [`DirectoryAttributeValue`]) and the values an API returns for them
//! ([`AttributeValue`], [`AttributeValues`]).

use indexmap::IndexMap;
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{CustomExtensionError, odata_type};

/// `@odata.type` of a string attribute value.
pub const STRING_VALUE_TYPE: &str = "microsoft.graph.stringDirectoryAttributeValue";
/// `@odata.type` of an integer attribute value.
pub const INT64_VALUE_TYPE: &str = "microsoft.graph.int64DirectoryAttributeValue";
/// `@odata.type` of a boolean attribute value.
pub const BOOLEAN_VALUE_TYPE: &str = "microsoft.graph.booleanDirectoryAttributeValue";

/// The typed value of a sign-up attribute, by its `@odata.type`.
///
/// A value is `None` when the request carries no `value` or `null` ("most attributes won't have
/// values assigned" at attribute collection start). Multi-valued attributes (check boxes) are
/// comma-delimited strings. An unknown value type is kept with its `@odata.type` and raw JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DirectoryAttributeValue {
    /// `microsoft.graph.stringDirectoryAttributeValue`.
    String(Option<String>),
    /// `microsoft.graph.int64DirectoryAttributeValue`.
    Int64(Option<i64>),
    /// `microsoft.graph.booleanDirectoryAttributeValue`.
    Boolean(Option<bool>),
    /// Another value type, kept as received.
    Unknown {
        /// Its `@odata.type`, as received.
        odata_type: String,
        /// Its `value`, as received (`None` when absent).
        value: Option<Value>,
    },
}

impl DirectoryAttributeValue {
    /// The `@odata.type` this crate emits for the value.
    pub fn odata_type(&self) -> &str {
        match self {
            DirectoryAttributeValue::String(_) => STRING_VALUE_TYPE,
            DirectoryAttributeValue::Int64(_) => INT64_VALUE_TYPE,
            DirectoryAttributeValue::Boolean(_) => BOOLEAN_VALUE_TYPE,
            DirectoryAttributeValue::Unknown { odata_type, .. } => odata_type,
        }
    }

    /// The string, for a string value that has one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            DirectoryAttributeValue::String(v) => v.as_deref(),
            _ => None,
        }
    }

    /// The integer, for an integer value that has one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            DirectoryAttributeValue::Int64(v) => *v,
            _ => None,
        }
    }

    /// The boolean, for a boolean value that has one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            DirectoryAttributeValue::Boolean(v) => *v,
            _ => None,
        }
    }

    /// The value as plain JSON (`null` when there is none), as an API connector's flat claim
    /// would carry it.
    pub fn to_json_value(&self) -> Value {
        match self {
            DirectoryAttributeValue::String(v) => v.clone().map_or(Value::Null, Value::from),
            DirectoryAttributeValue::Int64(v) => v.map_or(Value::Null, Value::from),
            DirectoryAttributeValue::Boolean(v) => v.map_or(Value::Null, Value::from),
            DirectoryAttributeValue::Unknown { value, .. } => value.clone().unwrap_or(Value::Null),
        }
    }

    /// The value to return for this attribute with `setPrefillValues` or
    /// `modifyAttributeValues` ("the response value types match the request value types"),
    /// if it has one of the three documented types.
    pub fn to_attribute_value(&self) -> Option<AttributeValue> {
        match self {
            DirectoryAttributeValue::String(v) => v.clone().map(AttributeValue::String),
            DirectoryAttributeValue::Int64(v) => v.map(AttributeValue::Int64),
            DirectoryAttributeValue::Boolean(v) => v.map(AttributeValue::Boolean),
            DirectoryAttributeValue::Unknown { .. } => None,
        }
    }
}

/// `attributeType` of a sign-up attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeType {
    /// `builtIn`: a Graph user property such as `givenName` or `city`.
    BuiltIn,
    /// `directorySchemaExtension`: a custom attribute, `extension_<appId>_<name>`.
    DirectorySchemaExtension,
    /// Another value, kept as received.
    Other(String),
}

impl AttributeType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            AttributeType::BuiltIn => "builtIn",
            AttributeType::DirectorySchemaExtension => "directorySchemaExtension",
            AttributeType::Other(other) => other,
        }
    }

    fn parse(value: String) -> Self {
        if value.eq_ignore_ascii_case("builtIn") {
            AttributeType::BuiltIn
        } else if value.eq_ignore_ascii_case("directorySchemaExtension") {
            AttributeType::DirectorySchemaExtension
        } else {
            AttributeType::Other(value)
        }
    }
}

/// One attribute of `data.userSignUpInfo.attributes`: its typed value, its `attributeType`,
/// and any other member, kept for forward compatibility.
///
/// The `@odata.type` key and value are read in any ASCII case (one page example spells the key
/// `@odata.Type`), with or without the `microsoft.graph.` namespace; `@odata.type` in the
/// namespaced spelling is emitted.
#[derive(Debug, Clone, PartialEq)]
pub struct SignUpAttribute {
    /// The typed value.
    pub value: DirectoryAttributeValue,
    /// `attributeType`, when sent.
    pub attribute_type: Option<AttributeType>,
    /// Members this crate does not know, in order.
    pub additional: Map<String, Value>,
}

impl SignUpAttribute {
    /// A built-in attribute with a string value.
    pub fn built_in(value: impl Into<String>) -> Self {
        SignUpAttribute {
            value: DirectoryAttributeValue::String(Some(value.into())),
            attribute_type: Some(AttributeType::BuiltIn),
            additional: Map::new(),
        }
    }

    /// A custom attribute (`directorySchemaExtension`) with `value`.
    pub fn custom(value: DirectoryAttributeValue) -> Self {
        SignUpAttribute {
            value,
            attribute_type: Some(AttributeType::DirectorySchemaExtension),
            additional: Map::new(),
        }
    }

    /// Reads one attribute; `name` is only used in error messages.
    pub(crate) fn from_value(name: &str, value: Value) -> Result<Self, CustomExtensionError> {
        let field = |member: &str| format!("data.userSignUpInfo.attributes.{name}{member}");
        let Value::Object(mut object) = value else {
            return Err(CustomExtensionError::InvalidField {
                field: field(""),
                expected: "an object",
            });
        };
        let odata_type = match odata_type::take(&mut object) {
            Some(Value::String(t)) => t,
            Some(_) => {
                return Err(CustomExtensionError::InvalidField {
                    field: field(".@odata.type"),
                    expected: "a string",
                });
            }
            None => {
                return Err(CustomExtensionError::MissingField {
                    field: field(".@odata.type"),
                });
            }
        };
        let raw = object.remove("value").filter(|v| !v.is_null());
        let invalid = |expected| CustomExtensionError::InvalidField {
            field: field(".value"),
            expected,
        };
        let value = if odata_type::same_type(&odata_type, STRING_VALUE_TYPE) {
            DirectoryAttributeValue::String(match raw {
                None => None,
                Some(Value::String(s)) => Some(s),
                Some(_) => return Err(invalid("a string")),
            })
        } else if odata_type::same_type(&odata_type, INT64_VALUE_TYPE) {
            DirectoryAttributeValue::Int64(match raw {
                None => None,
                Some(v) => Some(v.as_i64().ok_or_else(|| invalid("a 64-bit integer"))?),
            })
        } else if odata_type::same_type(&odata_type, BOOLEAN_VALUE_TYPE) {
            DirectoryAttributeValue::Boolean(match raw {
                None => None,
                Some(v) => Some(v.as_bool().ok_or_else(|| invalid("a boolean"))?),
            })
        } else {
            DirectoryAttributeValue::Unknown {
                odata_type,
                value: raw,
            }
        };
        let attribute_type = match object.remove("attributeType") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(AttributeType::parse(t)),
            Some(_) => {
                return Err(CustomExtensionError::InvalidField {
                    field: field(".attributeType"),
                    expected: "a string",
                });
            }
        };
        Ok(SignUpAttribute {
            value,
            attribute_type,
            additional: object,
        })
    }
}

impl Serialize for SignUpAttribute {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(odata_type::KEY, self.value.odata_type())?;
        let value = self.value.to_json_value();
        if !value.is_null() {
            map.serialize_entry("value", &value)?;
        }
        if let Some(attribute_type) = &self.attribute_type {
            map.serialize_entry("attributeType", attribute_type.as_str())?;
        }
        for (k, v) in &self.additional {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SignUpAttribute {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SignUpAttribute::from_value("?", Value::deserialize(deserializer)?)
            .map_err(D::Error::custom)
    }
}

/// A value that an API returns for an attribute with `setPrefillValues` or
/// `modifyAttributeValues`: the response value types match the request value types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// A string (multi-valued attributes: comma-delimited).
    String(String),
    /// An integer, for an `int64DirectoryAttributeValue`.
    Int64(i64),
    /// A boolean, for a `booleanDirectoryAttributeValue`.
    Boolean(bool),
}

impl AttributeValue {
    /// The value as JSON.
    pub fn to_json_value(&self) -> Value {
        match self {
            AttributeValue::String(s) => Value::from(s.as_str()),
            AttributeValue::Int64(i) => Value::from(*i),
            AttributeValue::Boolean(b) => Value::from(*b),
        }
    }

    /// Reads a JSON value returned for attribute `name`: a string, an integer or a boolean.
    pub fn from_json_value(name: &str, value: &Value) -> Result<Self, CustomExtensionError> {
        match value {
            Value::String(s) => Ok(AttributeValue::String(s.clone())),
            Value::Bool(b) => Ok(AttributeValue::Boolean(*b)),
            Value::Number(n) if n.as_i64().is_some() => {
                Ok(AttributeValue::Int64(n.as_i64().unwrap_or_default()))
            }
            _ => Err(CustomExtensionError::InvalidAttributeValue {
                attribute: name.to_owned(),
            }),
        }
    }
}

impl From<&str> for AttributeValue {
    fn from(value: &str) -> Self {
        AttributeValue::String(value.to_owned())
    }
}

impl From<String> for AttributeValue {
    fn from(value: String) -> Self {
        AttributeValue::String(value)
    }
}

impl From<i64> for AttributeValue {
    fn from(value: i64) -> Self {
        AttributeValue::Int64(value)
    }
}

impl From<i32> for AttributeValue {
    fn from(value: i32) -> Self {
        AttributeValue::Int64(value.into())
    }
}

impl From<bool> for AttributeValue {
    fn from(value: bool) -> Self {
        AttributeValue::Boolean(value)
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AttributeValue::String(s) => serializer.serialize_str(s),
            AttributeValue::Int64(i) => serializer.serialize_i64(*i),
            AttributeValue::Boolean(b) => serializer.serialize_bool(*b),
        }
    }
}

/// The attributes of `setPrefillValues` (`inputs`) or `modifyAttributeValues` (`attributes`),
/// by name, in insertion order. Names are not empty.
///
/// ```
/// use entra_api_connectors_contract::custom_extension::{AttributeValue, AttributeValues};
///
/// let values = AttributeValues::new()
///     .with("city", "Seattle")?
///     .with("extension_00000000000000000000000000000001_graduationYear", 2010)?;
/// assert_eq!(values.get("city"), Some(&AttributeValue::from("Seattle")));
/// # Ok::<(), entra_api_connectors_contract::custom_extension::CustomExtensionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributeValues(IndexMap<String, AttributeValue>);

impl AttributeValues {
    /// No attributes.
    pub fn new() -> Self {
        AttributeValues::default()
    }

    /// Sets attribute `name`, returning its previous value.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Result<Option<AttributeValue>, CustomExtensionError> {
        let name = name.into();
        if name.is_empty() {
            return Err(CustomExtensionError::EmptyName { what: "attribute" });
        }
        Ok(self.0.insert(name, value.into()))
    }

    /// These attributes and attribute `name`.
    pub fn with(
        mut self,
        name: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Result<Self, CustomExtensionError> {
        self.insert(name, value)?;
        Ok(self)
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.0.get(name)
    }

    /// The attributes in order.
    pub fn iter(&self) -> indexmap::map::Iter<'_, String, AttributeValue> {
        self.0.iter()
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Puts the values in the order of `keys`.
    pub(crate) fn sort_like(&mut self, keys: Option<&IndexMap<String, serde::de::IgnoredAny>>) {
        super::key_order::sort_like(&mut self.0, keys);
    }

    /// Reads a JSON object of attribute values; `field` names it in errors.
    pub(crate) fn from_json_object(
        field: &str,
        value: Value,
    ) -> Result<Self, CustomExtensionError> {
        let Value::Object(object) = value else {
            return Err(CustomExtensionError::InvalidField {
                field: field.to_owned(),
                expected: "an object of attribute values",
            });
        };
        let mut values = AttributeValues::new();
        for (name, value) in object {
            let value = AttributeValue::from_json_value(&name, &value)?;
            values.insert(name, value)?;
        }
        Ok(values)
    }
}

impl<'a> IntoIterator for &'a AttributeValues {
    type Item = (&'a String, &'a AttributeValue);
    type IntoIter = indexmap::map::Iter<'a, String, AttributeValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for AttributeValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(&self.0)
    }
}
