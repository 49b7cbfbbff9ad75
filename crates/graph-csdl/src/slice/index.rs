//! Pass 1: the lean index. One pass over the text with quick-xml checks that it is well formed and
//! records, per top-level schema element, its kind, name, base type and byte span (borrowed from the
//! source).

use std::collections::HashMap;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::detail::Detail;
use super::xml::{attr, check_attributes, local_name, structure_error, tag_name, xml_error};
use crate::error::{CsdlError, Location};

/// Kinds of top-level schema elements, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    TypeDefinition,
    Enum,
    Complex,
    Entity,
    Action,
    Function,
    Container,
    Annotations,
    Other,
}

impl Kind {
    pub(super) fn of(local: &str) -> Kind {
        match local {
            "TypeDefinition" => Kind::TypeDefinition,
            "EnumType" => Kind::Enum,
            "ComplexType" => Kind::Complex,
            "EntityType" => Kind::Entity,
            "Action" => Kind::Action,
            "Function" => Kind::Function,
            "EntityContainer" => Kind::Container,
            "Annotations" => Kind::Annotations,
            _ => Kind::Other,
        }
    }

    pub(super) fn is_type(self) -> bool {
        matches!(
            self,
            Kind::TypeDefinition | Kind::Enum | Kind::Complex | Kind::Entity
        )
    }

    pub(super) fn is_structured(self) -> bool {
        matches!(self, Kind::Complex | Kind::Entity)
    }
}

/// A direct child of a `<Schema>`.
#[derive(Debug)]
pub(super) struct Elem<'a> {
    pub(super) schema: usize,
    pub(super) kind: Kind,
    /// `Name` (types, operations, containers) or `Target` (annotations).
    pub(super) name: &'a str,
    /// Raw `BaseType`.
    pub(super) base: Option<&'a str>,
    pub(super) span: Range<usize>,
}

#[derive(Debug)]
pub(super) struct SchemaIx<'a> {
    pub(super) namespace: &'a str,
    pub(super) alias: Option<&'a str>,
    pub(super) start_tag: Range<usize>,
    pub(super) end_tag: Range<usize>,
}

#[derive(Debug)]
pub(super) struct Index<'a> {
    pub(super) src: &'a str,
    pub(super) edmx_start: Range<usize>,
    pub(super) edmx_end: Range<usize>,
    pub(super) services_start: Range<usize>,
    pub(super) services_end: Range<usize>,
    /// `edmx:Reference` elements, kept verbatim.
    pub(super) references: Vec<Range<usize>>,
    pub(super) schemas: Vec<SchemaIx<'a>>,
    pub(super) elems: Vec<Elem<'a>>,
    /// (namespace, name) → index in `elems`, for types, containers and operations (first overload).
    by_name: HashMap<(&'a str, &'a str), usize>,
    /// Whether the last `<Schema>` is open (its children are at depth 3).
    schema_open: bool,
}

impl<'a> Index<'a> {
    pub(super) fn build(src: &'a str) -> Result<Self, CsdlError> {
        let mut ix = Index {
            src,
            edmx_start: 0..0,
            edmx_end: 0..0,
            services_start: 0..0,
            services_end: 0..0,
            references: Vec::new(),
            schemas: Vec::new(),
            elems: Vec::new(),
            by_name: HashMap::new(),
            schema_open: false,
        };
        let mut reader = Reader::from_str(src);
        reader.config_mut().check_end_names = true;
        let bytes = src.as_bytes();
        // quick-xml skips a UTF-8 byte order mark and counts positions from after it.
        let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
        // Start offsets of the open elements; their local names are checked by quick-xml.
        let mut open: Vec<usize> = Vec::with_capacity(16);
        let mut saw_root = false;
        // The schema child (depth 3) being read.
        let mut pending: Option<Elem<'a>> = None;
        loop {
            let before = bom + reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                xml_error(src, bom + reader.error_position() as usize, e.to_string())
            })?;
            let after = bom + reader.buffer_position() as usize;
            let start = if bytes.get(before) == Some(&b'<') {
                before
            } else {
                before + src[before..after].find('<').unwrap_or(0)
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    check_attributes(src, e, start)?;
                    let empty = matches!(event, Event::Empty(_));
                    let depth = open.len();
                    let tag = &src[start..after];
                    if depth == 0 {
                        if saw_root {
                            return Err(xml_error(src, start, "more than one root element"));
                        }
                        saw_root = true;
                        if local_name(tag) != "Edmx" {
                            return Err(structure_error(
                                src,
                                start,
                                format!("not a CSDL document: root element is <{}>", tag_name(tag)),
                            ));
                        }
                        ix.edmx_start = start..after;
                    } else if depth <= 3 {
                        ix.open_at(depth, tag, start, after, empty, &mut pending)?;
                    }
                    if !empty {
                        open.push(start);
                    } else if depth == 3
                        && let Some(el) = pending.take()
                    {
                        ix.push_elem(el);
                    }
                }
                Event::End(_) => {
                    open.pop();
                    match open.len() {
                        0 => ix.edmx_end = start..after,
                        1 => ix.services_end = start..after,
                        2 if ix.schema_open => {
                            ix.schema_open = false;
                            if let Some(s) = ix.schemas.last_mut() {
                                s.end_tag = start..after;
                            }
                        }
                        3 => {
                            if let Some(mut el) = pending.take() {
                                el.span.end = after;
                                ix.push_elem(el);
                            }
                        }
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(&unclosed) = open.last() {
            let tag = &src[unclosed..];
            return Err(xml_error(
                src,
                src.len(),
                format!(
                    "unexpected end of document: <{}> opened at {} is not closed",
                    tag_name(tag),
                    Location::of(src, unclosed)
                ),
            ));
        }
        if !saw_root {
            return Err(structure_error(
                src,
                0,
                "not a CSDL document: no <edmx:Edmx> root element",
            ));
        }
        if ix.services_start.is_empty() {
            return Err(structure_error(
                src,
                ix.edmx_start.start,
                "<edmx:Edmx> has no <edmx:DataServices>",
            ));
        }
        Ok(ix)
    }

    /// An element opens at depth 1..=3.
    fn open_at(
        &mut self,
        depth: usize,
        tag: &'a str,
        start: usize,
        after: usize,
        empty: bool,
        pending: &mut Option<Elem<'a>>,
    ) -> Result<(), CsdlError> {
        let src = self.src;
        let local = local_name(tag);
        match depth {
            1 => match local {
                "DataServices" if !empty => {
                    self.services_start = start..after;
                    self.services_end = after..after;
                }
                "Reference" => self.references.push(start..after),
                _ => {}
            },
            2 if local == "Schema" && !self.services_start.is_empty() => {
                let namespace = attr(tag, "Namespace").ok_or_else(|| {
                    structure_error(src, start, "<Schema> has no Namespace attribute")
                })?;
                self.schemas.push(SchemaIx {
                    namespace,
                    alias: attr(tag, "Alias"),
                    start_tag: start..after,
                    end_tag: after..after,
                });
                self.schema_open = !empty;
            }
            3 if self.schema_open => {
                let kind = Kind::of(local);
                let name = match kind {
                    Kind::Annotations => attr(tag, "Target").ok_or_else(|| {
                        structure_error(src, start, "<Annotations> has no Target attribute")
                    })?,
                    Kind::Other => "",
                    _ => attr(tag, "Name").ok_or_else(|| {
                        structure_error(src, start, format!("<{local}> has no Name attribute"))
                    })?,
                };
                let base = if kind.is_structured() {
                    attr(tag, "BaseType")
                } else {
                    None
                };
                *pending = Some(Elem {
                    schema: self.schemas.len() - 1,
                    kind,
                    name,
                    base,
                    span: start..after,
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn push_elem(&mut self, el: Elem<'a>) {
        if matches!(el.kind, Kind::Annotations | Kind::Other) {
            self.elems.push(el);
            return;
        }
        let key = (self.schemas[el.schema].namespace, el.name);
        let i = self.elems.len();
        self.elems.push(el);
        self.by_name.entry(key).or_insert(i);
    }

    /// Split a type or target reference (`graph.x`, `Collection(microsoft.graph.x)`) into a known namespace and
    /// a name.
    fn resolve(&self, raw: &'a str) -> Option<(&'a str, &'a str)> {
        let raw = raw
            .strip_prefix("Collection(")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(raw);
        let dot = raw.rfind('.')?;
        let (prefix, name) = (&raw[..dot], &raw[dot + 1..]);
        let ns = self
            .schemas
            .iter()
            .find(|s| s.namespace == prefix)
            .or_else(|| self.schemas.iter().find(|s| s.alias == Some(prefix)))?
            .namespace;
        Some((ns, name))
    }

    pub(super) fn lookup(&self, raw: &'a str) -> Option<usize> {
        self.resolve(raw)
            .and_then(|k| self.by_name.get(&k).copied())
    }

    pub(super) fn qualified(&self, i: usize) -> String {
        let el = &self.elems[i];
        format!("{}.{}", self.schemas[el.schema].namespace, el.name)
    }

    /// The direct children of element `i`.
    pub(super) fn detail(&self, i: usize) -> Result<Detail<'a>, CsdlError> {
        Detail::scan(self.src, self.elems[i].span.clone())
    }
}
