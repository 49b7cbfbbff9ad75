//! A serde deserializer over marked-yaml's node tree that keeps positions.
//!
//! marked-yaml's own serde support is not enough for a file that must report every problem with its
//! line and column: it reads `null` as the string `"null"` (so "this step calls nothing" cannot be said),
//! reports unknown fields without a position, and stops at the first one. This deserializer:
//! - puts the position and key path of the key or value at fault in every error;
//! - collects unknown keys of a struct into a sink and skips them, so one pass finds all of them;
//! - reads a plain (unquoted) `null`, `Null`, `NULL`, `~` or empty scalar as null (YAML 1.2 core
//!   schema), and a quoted one as a string; `true`/`false` only when plain;
//! - checks an enum's key or value against its variants itself, so the message names the key, and never
//!   repeats a scalar given where a secret reference belongs.
//!
//! The tree must be loaded with `prevent_coercion(true)`, so that a scalar's `may_coerce` says it is plain.

use std::cell::RefCell;
use std::fmt;

use marked_yaml::types::MarkedScalarNode;
use marked_yaml::{Node, Span};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use crate::error::{ConfigError, ConfigErrorKind, KeyPath, Position};
use crate::model::{INLINE_SECRET, SECRET_REF_EXPECTED};

/// Where collected (non-fatal) problems go.
pub(crate) type Sink = RefCell<Vec<ConfigError>>;

/// Deserializes `node` (found at `key`) into `T`. Unknown keys go to `sink`; the first other problem is
/// the error.
pub(crate) fn from_node<T: DeserializeOwned>(
    node: &Node,
    key: &KeyPath,
    sink: &Sink,
) -> Result<T, Box<ConfigError>> {
    T::deserialize(NodeDe {
        node,
        key: key.clone(),
        sink,
    })
    .map_err(|e| e.0)
}

/// The start of a span as a position.
pub(crate) fn position(span: &Span) -> Option<Position> {
    span.start().map(|m| Position {
        line: m.line(),
        column: m.column(),
    })
}

/// Where a node starts. A block mapping's own mark is at its first key's colon (that is where the
/// parser knows it is a mapping), so a mapping starts at its first key when that comes earlier.
pub(crate) fn start(node: &Node) -> Option<Position> {
    let own = position(node.span());
    match node {
        Node::Mapping(m) => {
            let first = m.keys().next().and_then(|k| position(k.span()));
            match (own, first) {
                (Some(own), Some(first)) => Some(own.min(first)),
                (own, first) => own.or(first),
            }
        }
        _ => own,
    }
}

/// Whether a scalar is YAML's null: plain `null`, `Null`, `NULL`, `~` or nothing.
pub(crate) fn is_null(scalar: &MarkedScalarNode) -> bool {
    scalar.may_coerce() && matches!(scalar.as_str(), "" | "~" | "null" | "Null" | "NULL")
}

/// What a node is, for "found …" (never its content).
pub(crate) fn describe(node: &Node) -> &'static str {
    match node {
        Node::Scalar(s) if is_null(s) => "null",
        Node::Scalar(_) => "a string",
        Node::Mapping(_) => "a mapping",
        Node::Sequence(_) => "a sequence",
    }
}

/// A deserialization error: a [`ConfigError`] whose position may still be unknown (serde's derives
/// create errors without one; the deserializer of the node they came from fills it in).
#[derive(Debug)]
pub(crate) struct DeError(Box<ConfigError>);

impl DeError {
    fn new(kind: ConfigErrorKind) -> Self {
        Self(Box::new(ConfigError::new(kind, KeyPath::root(), None)))
    }

    fn at(kind: ConfigErrorKind, key: &KeyPath, span: &Span) -> Self {
        Self(Box::new(ConfigError::new(
            kind,
            key.clone(),
            position(span),
        )))
    }

    fn at_node(kind: ConfigErrorKind, key: &KeyPath, node: &Node) -> Self {
        Self(Box::new(ConfigError::new(kind, key.clone(), start(node))))
    }

    /// Fills in the position and key of an error that has none.
    fn located(self, key: &KeyPath, span: &Span) -> Self {
        self.located_at(key, position(span))
    }

    fn located_at(mut self, key: &KeyPath, at: Option<Position>) -> Self {
        if self.0.position().is_none() {
            if let Some(p) = at {
                self.0.line = Some(p.line);
                self.0.column = Some(p.column);
            }
            self.0.key = key.clone();
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DeError {}

fn expected_text(expected: &dyn Expected) -> String {
    let text = expected.to_string();
    if text.starts_with("struct ") || text == "a map" {
        "a mapping".to_owned()
    } else {
        text
    }
}

fn found_text(unexpected: &Unexpected<'_>) -> String {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) | Unexpected::Bytes(_) => "a string",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Map => "a mapping",
        Unexpected::Seq => "a sequence",
        Unexpected::Other(other) => other,
        _ => "a value",
    }
    .to_owned()
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(ConfigErrorKind::Invalid {
            message: msg.to_string(),
        })
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        if unexpected == Unexpected::Other(INLINE_SECRET) {
            return Self::new(ConfigErrorKind::InlineSecret);
        }
        Self::new(ConfigErrorKind::WrongType {
            expected: expected_text(expected),
            found: found_text(&unexpected),
        })
    }

    // The value is not repeated: it could be anything, a secret included.
    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::invalid_type(unexpected, expected)
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Self {
        Self::new(ConfigErrorKind::Invalid {
            message: format!("expected {}, found {len} items", expected_text(expected)),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(ConfigErrorKind::UnknownValue {
            value: variant.to_owned(),
            expected: strings(expected),
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(ConfigErrorKind::UnknownKey {
            key: field.to_owned(),
            expected: strings(expected),
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(ConfigErrorKind::MissingKey {
            key: field.to_owned(),
        })
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self::new(ConfigErrorKind::Invalid {
            message: format!("key {field} appears twice"),
        })
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Deserializer of one node.
struct NodeDe<'a> {
    node: &'a Node,
    key: KeyPath,
    sink: &'a Sink,
}

impl NodeDe<'_> {
    fn wrong_type(&self, expected: impl Into<String>) -> DeError {
        DeError::at_node(
            ConfigErrorKind::WrongType {
                expected: expected.into(),
                found: describe(self.node).to_owned(),
            },
            &self.key,
            self.node,
        )
    }

    fn locate(&self, error: DeError) -> DeError {
        error.located_at(&self.key, start(self.node))
    }

    /// The scalar, unless the node is null or not a scalar.
    fn text(&self, expected: &str) -> Result<&MarkedScalarNode, DeError> {
        match self.node {
            Node::Scalar(s) if !is_null(s) => Ok(s),
            _ => Err(self.wrong_type(expected)),
        }
    }

    /// A plain scalar, for numbers.
    fn plain(&self, expected: &str) -> Result<&str, DeError> {
        match self.node {
            Node::Scalar(s) if s.may_coerce() && !is_null(s) => Ok(s.as_str()),
            _ => Err(self.wrong_type(expected)),
        }
    }
}

macro_rules! number {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                let text = self.plain($what)?;
                let value: $ty = text.parse().map_err(|_| self.wrong_type($what))?;
                visitor.$visit(value).map_err(|e| self.locate(e))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.node {
            Node::Scalar(s) if is_null(s) => visitor.visit_unit(),
            Node::Scalar(s) => visitor.visit_str(s.as_str()),
            Node::Mapping(m) => visitor.visit_map(MapAcc::new(m.iter().collect(), &self)),
            Node::Sequence(s) => visitor.visit_seq(SeqAcc {
                items: s.iter().enumerate(),
                key: &self.key,
                sink: self.sink,
            }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = match self.node {
            Node::Scalar(s) if s.may_coerce() => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some(b) => visitor.visit_bool(b).map_err(|e| self.locate(e)),
            None => Err(self.wrong_type("true or false")),
        }
    }

    number! {
        deserialize_i8 visit_i64 i64, "an integer";
        deserialize_i16 visit_i64 i64, "an integer";
        deserialize_i32 visit_i64 i64, "an integer";
        deserialize_i64 visit_i64 i64, "an integer";
        deserialize_u8 visit_u64 u64, "a non-negative integer";
        deserialize_u16 visit_u64 u64, "a non-negative integer";
        deserialize_u32 visit_u64 u64, "a non-negative integer";
        deserialize_u64 visit_u64 u64, "a non-negative integer";
        deserialize_f32 visit_f64 f64, "a number";
        deserialize_f64 visit_f64 f64, "a number";
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let s = self.text("a string")?;
        visitor.visit_str(s.as_str()).map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Scalar(s) if is_null(s) => visitor.visit_none().map_err(|e| self.locate(e)),
            _ => {
                let (key, at) = (self.key.clone(), start(self.node));
                visitor.visit_some(self).map_err(|e| e.located_at(&key, at))
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Scalar(s) if is_null(s) => visitor.visit_unit().map_err(|e| self.locate(e)),
            _ => Err(self.wrong_type("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let (key, at) = (self.key.clone(), start(self.node));
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.located_at(&key, at))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Sequence(s) => visitor
                .visit_seq(SeqAcc {
                    items: s.iter().enumerate(),
                    key: &self.key,
                    sink: self.sink,
                })
                .map_err(|e| self.locate(e)),
            _ => Err(self.wrong_type("a sequence")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Mapping(m) => visitor
                .visit_map(MapAcc::new(m.iter().collect(), &self))
                .map_err(|e| self.locate(e)),
            _ => Err(self.wrong_type("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Node::Mapping(m) = self.node else {
            return Err(self.wrong_type("a mapping"));
        };
        let mut known = Vec::with_capacity(m.len());
        for (k, v) in m.iter() {
            if fields.contains(&k.as_str()) {
                known.push((k, v));
            } else {
                self.sink.borrow_mut().push(ConfigError::new(
                    ConfigErrorKind::UnknownKey {
                        key: k.as_str().to_owned(),
                        expected: strings(fields),
                    },
                    self.key.key(k.as_str()),
                    position(k.span()),
                ));
            }
        }
        visitor
            .visit_map(MapAcc::new(known, &self))
            .map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let secret = name == "SecretRef";
        let expected = if secret {
            SECRET_REF_EXPECTED.to_owned()
        } else {
            format!("one of {}", variants.join(", "))
        };
        match self.node {
            Node::Scalar(s) if !is_null(s) => {
                if secret {
                    return Err(DeError::at(
                        ConfigErrorKind::InlineSecret,
                        &self.key,
                        s.span(),
                    ));
                }
                if !variants.contains(&s.as_str()) {
                    return Err(DeError::at(
                        ConfigErrorKind::UnknownValue {
                            value: s.as_str().to_owned(),
                            expected: strings(variants),
                        },
                        &self.key,
                        s.span(),
                    ));
                }
                visitor
                    .visit_enum(ScalarEnum {
                        scalar: s,
                        key: &self.key,
                    })
                    .map_err(|e| self.locate(e))
            }
            Node::Mapping(m) if m.len() == 1 => {
                let (k, v) = m.iter().next().expect("one entry");
                if !variants.contains(&k.as_str()) {
                    return Err(DeError::at(
                        ConfigErrorKind::UnknownKey {
                            key: k.as_str().to_owned(),
                            expected: strings(variants),
                        },
                        &self.key.key(k.as_str()),
                        k.span(),
                    ));
                }
                visitor
                    .visit_enum(MappingEnum {
                        name: k,
                        value: NodeDe {
                            node: v,
                            key: self.key.key(k.as_str()),
                            sink: self.sink,
                        },
                    })
                    .map_err(|e| self.locate(e))
            }
            Node::Mapping(m) => Err(DeError::at_node(
                ConfigErrorKind::ExactlyOne {
                    expected: strings(variants),
                    found: m.keys().map(|k| k.as_str().to_owned()).collect(),
                },
                &self.key,
                self.node,
            )),
            _ => Err(self.wrong_type(expected)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// The entries of a mapping.
struct MapAcc<'a> {
    entries: std::vec::IntoIter<(&'a MarkedScalarNode, &'a Node)>,
    value: Option<(&'a MarkedScalarNode, &'a Node)>,
    key: KeyPath,
    sink: &'a Sink,
}

impl<'a> MapAcc<'a> {
    fn new(entries: Vec<(&'a MarkedScalarNode, &'a Node)>, parent: &NodeDe<'a>) -> Self {
        Self {
            entries: entries.into_iter(),
            value: None,
            key: parent.key.clone(),
            sink: parent.sink,
        }
    }
}

impl<'de> MapAccess<'de> for MapAcc<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((k, v));
        seed.deserialize(KeyDe {
            scalar: k,
            key: self.key.key(k.as_str()),
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (k, v) = self
            .value
            .take()
            .expect("serde asks for a value after its key");
        seed.deserialize(NodeDe {
            node: v,
            key: self.key.key(k.as_str()),
            sink: self.sink,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The items of a sequence.
struct SeqAcc<'a, I> {
    items: I,
    key: &'a KeyPath,
    sink: &'a Sink,
}

impl<'de, 'a, I: Iterator<Item = (usize, &'a Node)>> SeqAccess<'de> for SeqAcc<'a, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, node)) => seed
                .deserialize(NodeDe {
                    node,
                    key: self.key.index(i),
                    sink: self.sink,
                })
                .map(Some),
        }
    }
}

/// A mapping key or an enum's name: a string with a position.
struct KeyDe<'a> {
    scalar: &'a MarkedScalarNode,
    key: KeyPath,
}

impl<'de> de::Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor
            .visit_str(self.scalar.as_str())
            .map_err(|e: DeError| e.located(&self.key, self.scalar.span()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An enum written as a plain value (`apiVersion: beta`).
struct ScalarEnum<'a> {
    scalar: &'a MarkedScalarNode,
    key: &'a KeyPath,
}

impl<'de> EnumAccess<'de> for ScalarEnum<'_> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let value = seed.deserialize(KeyDe {
            scalar: self.scalar,
            key: self.key.clone(),
        })?;
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for ScalarEnum<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, DeError> {
        Err(self.needs_mapping())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, DeError> {
        Err(self.needs_mapping())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        Err(self.needs_mapping())
    }
}

impl ScalarEnum<'_> {
    fn needs_mapping(&self) -> DeError {
        DeError::at(
            ConfigErrorKind::WrongType {
                expected: format!("a mapping {{{}: …}}", self.scalar.as_str()),
                found: "a string".to_owned(),
            },
            self.key,
            self.scalar.span(),
        )
    }
}

/// An enum written as a one-entry mapping (`authentication: {basic: …}`).
struct MappingEnum<'a> {
    name: &'a MarkedScalarNode,
    value: NodeDe<'a>,
}

impl<'de> EnumAccess<'de> for MappingEnum<'_> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let value = seed.deserialize(KeyDe {
            scalar: self.name,
            key: self.value.key.clone(),
        })?;
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for MappingEnum<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Err(DeError::at(
            ConfigErrorKind::WrongType {
                expected: format!("the plain value {}", self.name.as_str()),
                found: "a mapping".to_owned(),
            },
            &self.value.key,
            self.name.span(),
        ))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self.value)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self.value, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_struct(self.value, "", fields, visitor)
    }
}
