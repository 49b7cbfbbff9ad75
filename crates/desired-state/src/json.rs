//! JSON text to the same node tree as YAML, with positions and every duplicate key.
//!
//! marked-yaml's parser reads most JSON, but rejects JSON's surrogate-pair escapes (`"\ud83d\ude00"`,
//! which `json.dumps` and PowerShell write for any character outside the Basic Multilingual Plane) and
//! accepts text that is not JSON. JSON files are therefore parsed by jsonc-parser with every extension
//! off (strict RFC 8259), and its syntax tree is turned into marked-yaml nodes: strings become quoted
//! scalars, numbers, `true`, `false` and `null` plain ones, exactly as YAML would have them.

use std::collections::HashMap;

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged as _;
use jsonc_parser::{CollectOptions, ParseOptions};
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};
use marked_yaml::{Marker, Node, Span};

use crate::error::{ConfigError, ConfigErrorKind, KeyPath, Position};
use crate::file::Duplicate;

/// Parses a JSON object; returns the tree and the duplicate keys.
pub(crate) fn parse(text: &str) -> Result<(Node, Vec<Duplicate>), Box<ConfigError>> {
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let lines = Lines::new(text);
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|e| {
            syntax_error(
                e.kind().to_string(),
                Position {
                    line: e.line_display(),
                    column: e.column_display(),
                },
            )
        })?;
    let mut converter = Converter {
        lines,
        duplicates: Vec::new(),
    };
    match parsed.value {
        Some(value @ Value::Object(_)) => {
            let root = converter.node(&value, &KeyPath::root());
            Ok((root, converter.duplicates))
        }
        Some(other) => Err(syntax_error(
            "the document must be an object".to_owned(),
            converter.lines.position(other.range().start),
        )),
        None => Err(syntax_error(
            "the document is empty".to_owned(),
            Position { line: 1, column: 1 },
        )),
    }
}

/// A syntax error at a position (boxed: errors are rare and large).
pub(crate) fn syntax_error(message: String, at: Position) -> Box<ConfigError> {
    Box::new(ConfigError::new(
        ConfigErrorKind::Syntax { message },
        KeyPath::root(),
        Some(at),
    ))
}

/// Byte offsets to lines and columns (columns in characters, like the YAML parser's).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn position(&self, offset: usize) -> Position {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Position { line, column }
    }

    fn marker(&self, offset: usize) -> Marker {
        let p = self.position(offset);
        Marker::new(0, self.text[..offset].chars().count(), p.line, p.column)
    }

    fn span(&self, start: usize) -> Span {
        Span::new_start(self.marker(start))
    }
}

struct Converter<'a> {
    lines: Lines<'a>,
    duplicates: Vec<Duplicate>,
}

impl Converter<'_> {
    fn scalar(&self, start: usize, text: &str, plain: bool) -> MarkedScalarNode {
        let mut scalar = MarkedScalarNode::new(self.lines.span(start), text.to_owned());
        scalar.set_coerce(plain);
        scalar
    }

    fn node(&mut self, value: &Value<'_>, path: &KeyPath) -> Node {
        match value {
            Value::StringLit(s) => Node::from(self.scalar(s.range.start, &s.value, false)),
            Value::NumberLit(n) => Node::from(self.scalar(n.range.start, n.value, true)),
            Value::BooleanLit(b) => {
                Node::from(self.scalar(b.range.start, if b.value { "true" } else { "false" }, true))
            }
            Value::NullKeyword(n) => Node::from(self.scalar(n.range.start, "null", true)),
            Value::Array(array) => {
                let items = array
                    .elements
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.node(item, &path.index(i)))
                    .collect::<Vec<_>>();
                let mut sequence = MarkedSequenceNode::from(items);
                *sequence.span_mut() = Span::new_with_marks(
                    self.lines.marker(array.range.start),
                    self.lines.marker(array.range.end),
                );
                Node::from(sequence)
            }
            Value::Object(object) => {
                let mut first: HashMap<String, Position> = HashMap::new();
                let mut entries = Vec::with_capacity(object.properties.len());
                for property in &object.properties {
                    let (name, start) = match &property.name {
                        ObjectPropName::String(s) => (s.value.to_string(), s.range.start),
                        // Bare words are an extension, switched off: the parser never produces one.
                        ObjectPropName::Word(w) => (w.value.to_owned(), w.range.start),
                    };
                    let at = self.lines.position(start);
                    match first.get(&name) {
                        Some(earlier) => self.duplicates.push(Duplicate {
                            parent: path.clone(),
                            key: name.clone(),
                            first: *earlier,
                            at,
                        }),
                        None => {
                            first.insert(name.clone(), at);
                        }
                    }
                    let key = self.scalar(start, &name, false);
                    let value = self.node(&property.value, &path.key(name));
                    entries.push((key, value));
                }
                // As in YAML, a later duplicate replaces the value of the first (which is reported).
                let mut mapping: MarkedMappingNode = entries.into_iter().collect();
                *mapping.span_mut() = Span::new_with_marks(
                    self.lines.marker(object.range.start),
                    self.lines.marker(object.range.end),
                );
                Node::from(mapping)
            }
        }
    }
}
