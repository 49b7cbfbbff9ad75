//! Streaming CSDL parser built on quick-xml.
//!
//! Unknown elements and attributes are skipped, so newer metadata with constructs this crate does not
//! model still parses. Malformed XML is reported with its line and column.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::{CsdlError, Location};
use crate::model::*;

/// The deepest element nesting accepted. Graph's metadata nests about ten levels; annotation
/// values (records, collections) are recursive, and dropping or converting thousands of nested
/// levels would overflow the stack.
const MAX_DEPTH: usize = 256;

/// Parse a CSDL document from its text.
pub fn parse(src: &str) -> Result<Document, CsdlError> {
    let mut p = Parser {
        src,
        stack: Vec::new(),
        doc: Document::default(),
        saw_edmx: false,
    };
    let mut reader = Reader::from_str(src);
    reader.config_mut().trim_text(true);
    reader.config_mut().check_end_names = true;
    loop {
        let before = reader.buffer_position() as usize;
        if p.stack.len() > MAX_DEPTH {
            return Err(CsdlError::Structure {
                at: Location::of(src, reader.buffer_position() as usize),
                message: format!("elements nested deeper than {MAX_DEPTH}"),
            });
        }
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            CsdlError::Xml {
                at: Location::of(src, at),
                message: e.to_string(),
            }
        })?;
        let after = reader.buffer_position() as usize;
        let start = before + src[before..after].find('<').unwrap_or(0);
        match event {
            Event::Start(e) => p.open(&e, start)?,
            Event::Empty(e) => {
                p.open(&e, start)?;
                p.close(after)?;
            }
            Event::End(_) => p.close(after)?,
            Event::Text(t) => {
                if let Some(Frame::Text(_, buf)) = p.stack.last_mut() {
                    buf.push_str(t.xml_content(XmlVersion::Implicit1_0).trim());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.stack.is_empty() {
        return Err(CsdlError::Xml {
            at: Location::of(src, src.len()),
            message: "unexpected end of document: unclosed elements".into(),
        });
    }
    if !p.saw_edmx {
        return Err(CsdlError::Structure {
            at: Location::of(src, 0),
            message: "not a CSDL document: no <edmx:Edmx> root element".into(),
        });
    }
    resolve_aliases(&mut p.doc);
    Ok(p.doc)
}

/// An element being built.
enum Frame {
    Edmx,
    Passthrough,
    Skip,
    Schema(Schema),
    Enum(EnumType),
    Type(StructuredType),
    Key,
    Property(Property),
    Nav(NavigationProperty),
    Operation(Action, bool),
    Parameter(Parameter),
    Container(EntityContainer),
    SetLike(EntitySetLike, bool),
    Annotations(Annotations),
    Annotation(Annotation),
    Record(Vec<(String, AnnotationValue)>),
    PropertyValue(String, AnnotationValue),
    Collection(Vec<AnnotationValue>),
    /// Text content of a value element: (element name, text).
    Text(String, String),
}

struct Parser<'s> {
    src: &'s str,
    stack: Vec<Frame>,
    doc: Document,
    saw_edmx: bool,
}

fn attr<'e>(e: &'e BytesStart<'_>, name: &str) -> Option<Cow<'e, str>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(v) => Cow::Owned(v.into_owned()),
            Err(_) => Cow::Owned(a.value.into_owned()),
        })
}

fn is_true(e: &BytesStart<'_>, name: &str) -> bool {
    attr(e, name).is_some_and(|v| v == "true")
}

fn nullable(e: &BytesStart<'_>) -> bool {
    attr(e, "Nullable").is_none_or(|v| v != "false")
}

fn type_ref(raw: &str) -> TypeRef {
    match raw
        .strip_prefix("Collection(")
        .and_then(|r| r.strip_suffix(')'))
    {
        Some(inner) => TypeRef {
            collection: true,
            name: inner.to_string(),
        },
        None => TypeRef {
            collection: false,
            name: raw.to_string(),
        },
    }
}

/// Inline annotation values given as attributes (`Bool="true"`, `String="..."`, ...).
fn inline_value(e: &BytesStart<'_>) -> AnnotationValue {
    for a in e.attributes().flatten() {
        let key = a.key.local_name().as_ref().to_string();
        let val = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match key.as_str() {
            "Term" | "Property" | "Qualifier" => {}
            "Bool" => return AnnotationValue::Bool(val == "true"),
            "String" => return AnnotationValue::String(val),
            "Int" => {
                return val
                    .parse()
                    .map(AnnotationValue::Int)
                    .unwrap_or(AnnotationValue::Other(key, val));
            }
            "Date" => return AnnotationValue::Date(val),
            "EnumMember" => return AnnotationValue::EnumMember(val),
            _ => return AnnotationValue::Other(key, val),
        }
    }
    AnnotationValue::Empty
}

impl Parser<'_> {
    fn err(&self, at: usize, message: String) -> CsdlError {
        CsdlError::Structure {
            at: Location::of(self.src, at),
            message,
        }
    }

    fn required(&self, e: &BytesStart<'_>, name: &str, at: usize) -> Result<String, CsdlError> {
        attr(e, name).map(Cow::into_owned).ok_or_else(|| {
            let el = e.local_name().as_ref().to_string();
            self.err(at, format!("<{el}> has no {name} attribute"))
        })
    }

    fn namespace(&self) -> &str {
        self.stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Schema(s) => Some(s.namespace.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }

    /// Reject malformed attributes (unquoted or repeated values, unknown entities) instead of
    /// silently dropping them: a typo such as `IsFlags=true` must not change the meaning.
    fn check_attributes(&self, e: &BytesStart<'_>, at: usize) -> Result<(), CsdlError> {
        for a in e.attributes() {
            let a = a.map_err(|err| CsdlError::Xml {
                at: Location::of(self.src, at),
                message: format!("bad attribute: {err}"),
            })?;
            a.normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| CsdlError::Xml {
                    at: Location::of(self.src, at),
                    message: format!(
                        "bad value of attribute {}: {err}",
                        a.key.local_name().as_ref()
                    ),
                })?;
        }
        Ok(())
    }

    fn open(&mut self, e: &BytesStart<'_>, at: usize) -> Result<(), CsdlError> {
        self.check_attributes(e, at)?;
        let local = e.local_name();
        let name: &str = local.as_ref();
        let in_annotation = matches!(
            self.stack.last(),
            Some(
                Frame::Annotation(_)
                    | Frame::Record(_)
                    | Frame::PropertyValue(..)
                    | Frame::Collection(_)
            )
        );
        let frame = match (name, self.stack.last()) {
            (_, Some(Frame::Skip)) => Frame::Skip,
            ("Edmx", None) => {
                self.saw_edmx = true;
                Frame::Edmx
            }
            (_, None) => {
                return Err(self.err(at, format!("not a CSDL document: root element is <{name}>")));
            }
            ("DataServices", Some(Frame::Edmx)) => Frame::Passthrough,
            ("Schema", Some(Frame::Passthrough)) => Frame::Schema(Schema {
                namespace: self.required(e, "Namespace", at)?,
                alias: attr(e, "Alias").map(Cow::into_owned),
                span: at..at,
                ..Schema::default()
            }),
            ("EnumType", Some(Frame::Schema(_))) => {
                let n = self.required(e, "Name", at)?;
                Frame::Enum(EnumType {
                    qualified_name: format!("{}.{n}", self.namespace()),
                    name: n,
                    is_flags: is_true(e, "IsFlags"),
                    members: Vec::new(),
                    span: at..at,
                })
            }
            ("Member", Some(Frame::Enum(_))) => {
                let member = EnumMember {
                    name: self.required(e, "Name", at)?,
                    value: match attr(e, "Value") {
                        Some(v) => Some(v.parse().map_err(|_| {
                            self.err(at, format!("enum member value {v:?} is not an integer"))
                        })?),
                        None => None,
                    },
                };
                if let Some(Frame::Enum(en)) = self.stack.last_mut() {
                    en.members.push(member);
                }
                Frame::Skip
            }
            (kind @ ("EntityType" | "ComplexType"), Some(Frame::Schema(_))) => {
                let n = self.required(e, "Name", at)?;
                Frame::Type(StructuredType {
                    kind: if kind == "EntityType" {
                        TypeKind::Entity
                    } else {
                        TypeKind::Complex
                    },
                    qualified_name: format!("{}.{n}", self.namespace()),
                    name: n,
                    base_type: attr(e, "BaseType").map(Cow::into_owned),
                    is_abstract: is_true(e, "Abstract"),
                    open_type: is_true(e, "OpenType"),
                    has_stream: is_true(e, "HasStream"),
                    key: Vec::new(),
                    properties: Vec::new(),
                    navigation_properties: Vec::new(),
                    annotations: Vec::new(),
                    span: at..at,
                })
            }
            ("Key", Some(Frame::Type(_))) => Frame::Key,
            ("PropertyRef", Some(Frame::Key)) => {
                let n = self.required(e, "Name", at)?;
                if let Some(Frame::Type(t)) = self.stack.iter_mut().rev().nth(1) {
                    t.key.push(n);
                }
                Frame::Skip
            }
            ("Property", Some(Frame::Type(_))) => Frame::Property(Property {
                name: self.required(e, "Name", at)?,
                type_ref: type_ref(&self.required(e, "Type", at)?),
                nullable: nullable(e),
                annotations: Vec::new(),
            }),
            ("NavigationProperty", Some(Frame::Type(_))) => Frame::Nav(NavigationProperty {
                name: self.required(e, "Name", at)?,
                type_ref: type_ref(&self.required(e, "Type", at)?),
                nullable: nullable(e),
                contains_target: is_true(e, "ContainsTarget"),
                annotations: Vec::new(),
            }),
            (kind @ ("Action" | "Function"), Some(Frame::Schema(_))) => {
                let n = self.required(e, "Name", at)?;
                Frame::Operation(
                    Action {
                        qualified_name: format!("{}.{n}", self.namespace()),
                        name: n,
                        is_bound: is_true(e, "IsBound"),
                        parameters: Vec::new(),
                        return_type: None,
                        span: at..at,
                    },
                    kind == "Function",
                )
            }
            ("Parameter", Some(Frame::Operation(..))) => Frame::Parameter(Parameter {
                name: self.required(e, "Name", at)?,
                type_ref: type_ref(&self.required(e, "Type", at)?),
                nullable: nullable(e),
            }),
            ("ReturnType", Some(Frame::Operation(..))) => {
                let t = type_ref(&self.required(e, "Type", at)?);
                if let Some(Frame::Operation(a, _)) = self.stack.last_mut() {
                    a.return_type = Some(t);
                }
                Frame::Skip
            }
            ("EntityContainer", Some(Frame::Schema(_))) => Frame::Container(EntityContainer {
                name: self.required(e, "Name", at)?,
                singletons: Vec::new(),
                entity_sets: Vec::new(),
                span: at..at,
            }),
            (kind @ ("Singleton" | "EntitySet"), Some(Frame::Container(_))) => {
                let singleton = kind == "Singleton";
                let type_attr = if singleton { "Type" } else { "EntityType" };
                Frame::SetLike(
                    EntitySetLike {
                        name: self.required(e, "Name", at)?,
                        type_name: self.required(e, type_attr, at)?,
                        span: at..at,
                    },
                    singleton,
                )
            }
            ("Annotations", Some(Frame::Schema(_))) => Frame::Annotations(Annotations {
                target: self.required(e, "Target", at)?,
                annotations: Vec::new(),
                span: at..at,
            }),
            ("Annotation", Some(_))
                if !in_annotation || matches!(self.stack.last(), Some(Frame::Record(_))) =>
            {
                Frame::Annotation(Annotation {
                    term: self.required(e, "Term", at)?,
                    value: inline_value(e),
                })
            }
            ("Record", Some(_)) if in_annotation => Frame::Record(Vec::new()),
            ("Collection", Some(_)) if in_annotation => Frame::Collection(Vec::new()),
            ("PropertyValue", Some(Frame::Record(_))) => {
                Frame::PropertyValue(self.required(e, "Property", at)?, inline_value(e))
            }
            (
                "EnumMember"
                | "String"
                | "Bool"
                | "Int"
                | "Date"
                | "Path"
                | "PropertyPath"
                | "NavigationPropertyPath"
                | "AnnotationPath",
                Some(_),
            ) if in_annotation => Frame::Text(name.to_string(), String::new()),
            _ => Frame::Skip,
        };
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), CsdlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        match frame {
            Frame::Schema(mut s) => {
                s.span.end = end;
                self.doc.schemas.push(s);
            }
            Frame::Enum(mut en) => {
                en.span.end = end;
                if let Some(Frame::Schema(s)) = self.stack.last_mut() {
                    s.enums.push(en);
                }
            }
            Frame::Type(mut t) => {
                t.span.end = end;
                if let Some(Frame::Schema(s)) = self.stack.last_mut() {
                    s.types.push(t);
                }
            }
            Frame::Property(p) => {
                if let Some(Frame::Type(t)) = self.stack.last_mut() {
                    t.properties.push(p);
                }
            }
            Frame::Nav(n) => {
                if let Some(Frame::Type(t)) = self.stack.last_mut() {
                    t.navigation_properties.push(n);
                }
            }
            Frame::Operation(mut a, is_function) => {
                a.span.end = end;
                if let Some(Frame::Schema(s)) = self.stack.last_mut() {
                    if is_function {
                        s.functions.push(a)
                    } else {
                        s.actions.push(a)
                    }
                }
            }
            Frame::Parameter(p) => {
                if let Some(Frame::Operation(a, _)) = self.stack.last_mut() {
                    a.parameters.push(p);
                }
            }
            Frame::Container(mut c) => {
                c.span.end = end;
                if let Some(Frame::Schema(s)) = self.stack.last_mut() {
                    s.container = Some(c);
                }
            }
            Frame::SetLike(mut set, singleton) => {
                set.span.end = end;
                if let Some(Frame::Container(c)) = self.stack.last_mut() {
                    if singleton {
                        c.singletons.push(set)
                    } else {
                        c.entity_sets.push(set)
                    }
                }
            }
            Frame::Annotations(mut a) => {
                a.span.end = end;
                if let Some(Frame::Schema(s)) = self.stack.last_mut() {
                    s.annotations.push(a);
                }
            }
            Frame::Annotation(a) => match self.stack.last_mut() {
                Some(Frame::Type(t)) => t.annotations.push(a),
                Some(Frame::Property(p)) => p.annotations.push(a),
                Some(Frame::Nav(n)) => n.annotations.push(a),
                Some(Frame::Annotations(block)) => block.annotations.push(a),
                _ => {}
            },
            Frame::Record(props) => self.attach_value(AnnotationValue::Record(props)),
            Frame::Collection(items) => self.attach_value(AnnotationValue::Collection(items)),
            Frame::PropertyValue(name, value) => {
                if let Some(Frame::Record(props)) = self.stack.last_mut() {
                    props.push((name, value));
                }
            }
            Frame::Text(kind, text) => {
                let text = text.as_str();
                let value = match kind.as_str() {
                    "EnumMember" => AnnotationValue::EnumMember(text.to_string()),
                    "String" => AnnotationValue::String(text.to_string()),
                    "Bool" => AnnotationValue::Bool(text == "true"),
                    "Date" => AnnotationValue::Date(text.to_string()),
                    "Int" => text
                        .parse()
                        .map(AnnotationValue::Int)
                        .unwrap_or_else(|_| AnnotationValue::Other(kind.clone(), text.into())),
                    _ => AnnotationValue::Other(kind.clone(), text.to_string()),
                };
                self.attach_value(value);
            }
            Frame::Edmx | Frame::Passthrough | Frame::Skip | Frame::Key => {}
        }
        Ok(())
    }

    /// Put a finished annotation value into its parent.
    fn attach_value(&mut self, value: AnnotationValue) {
        match self.stack.last_mut() {
            Some(Frame::Annotation(a)) => a.value = value,
            Some(Frame::PropertyValue(_, v)) => *v = value,
            Some(Frame::Collection(items)) => items.push(value),
            _ => {}
        }
    }
}

/// Replace schema aliases (`graph.x`) by namespaces (`microsoft.graph.x`) in every type reference.
fn resolve_aliases(doc: &mut Document) {
    let aliases: Vec<(String, String)> = doc
        .schemas
        .iter()
        .filter_map(|s| {
            s.alias
                .as_ref()
                .map(|a| (format!("{a}."), format!("{}.", s.namespace)))
        })
        .collect();
    // An alias is a simple identifier (no dot), so it is what precedes the first dot of a name:
    // https://docs.oasis-open.org/odata/odata-csdl-xml/v4.01/odata-csdl-xml-v4.01.html#sec_Alias
    // One map lookup per name, not one comparison per alias (a document with thousands of
    // aliases and names must not take quadratic time). The first schema with an alias wins.
    let mut by_alias: HashMap<&str, &str> = HashMap::new();
    for (alias, ns) in &aliases {
        by_alias.entry(alias.as_str()).or_insert(ns.as_str());
    }
    let fix = |name: &mut String| {
        if let Some(dot) = name.find('.')
            && let Some(ns) = by_alias.get(&name[..=dot])
        {
            *name = format!("{ns}{}", &name[dot + 1..]);
        }
    };
    for s in &mut doc.schemas {
        for t in &mut s.types {
            if let Some(b) = &mut t.base_type {
                fix(b);
            }
            t.properties
                .iter_mut()
                .for_each(|p| fix(&mut p.type_ref.name));
            t.navigation_properties
                .iter_mut()
                .for_each(|n| fix(&mut n.type_ref.name));
        }
        for a in s.actions.iter_mut().chain(s.functions.iter_mut()) {
            a.parameters
                .iter_mut()
                .for_each(|p| fix(&mut p.type_ref.name));
            if let Some(r) = &mut a.return_type {
                fix(&mut r.name);
            }
        }
        if let Some(c) = &mut s.container {
            c.singletons
                .iter_mut()
                .chain(c.entity_sets.iter_mut())
                .for_each(|x| fix(&mut x.type_name));
        }
        for a in &mut s.annotations {
            fix(&mut a.target);
        }
    }
}
