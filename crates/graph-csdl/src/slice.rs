//! Cut the API-connector fragment out of the full Microsoft Graph CSDL.
//!
//! [`slice()`] keeps the roots — the navigation properties `apiConnectors`, `b2cUserFlows` (beta only) and
//! `b2xUserFlows` of the `identity` singleton's type, and the bound action `uploadClientCertificate` — and the
//! transitive closure of the types they reference:
//!
//! * the base types of every kept type (all the way up, e.g. `entity`);
//! * every type **derived** from a type that is *referenced* by a property, navigation property, action
//!   parameter or return type (such a reference is polymorphic: the service may send any derived type, told
//!   apart by `@odata.type`). A type reached only as somebody's base type does not pull its other derived types
//!   in — otherwise `entity` would pull in all of Graph;
//! * the types of the properties and navigation properties of every kept type, and the parameter and return
//!   types of every kept action.
//!
//! Navigation properties are pruned where the slice stops (each pruned set is listed in an XML comment at the
//! place of the removal): the singleton type's navigation properties other than the roots, and the ones in
//! [`PRUNED_NAVIGATIONS`]. The `EntityContainer` keeps only the `identity` singleton, without the
//! `NavigationPropertyBinding`s whose navigation property or target is outside the slice. Out-of-line
//! `<Annotations>` whose `Target` is a kept element are kept.
//!
//! Every element is copied **verbatim** from the source text. Elements are grouped per `Schema` in the order
//! `TypeDefinition`, `EnumType`, `ComplexType`, `EntityType`, `Action`, `Function`, `EntityContainer`,
//! `Annotations`, in source order within a group. XML comments inside a rebuilt element are kept, so slicing a
//! fragment gives the fragment back byte for byte.
//!
//! The slicer does not build the owned [`crate::model`]: a single pass over the text with quick-xml checks that
//! it is well formed and records, per top-level schema element, its kind, name, base type and byte span
//! (borrowed from the source). Only the few elements that end up in the closure are looked at more closely.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{CsdlError, Location};

/// Which Microsoft Graph version the metadata is for; decides which roots must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `beta`: `b2cUserFlows` is a required root.
    Beta,
    /// `v1.0`: `b2cUserFlows` does not exist there; it is kept if present.
    V1_0,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::Beta => "beta",
            Version::V1_0 => "v1.0",
        })
    }
}

impl std::str::FromStr for Version {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "beta" => Ok(Version::Beta),
            "v1.0" => Ok(Version::V1_0),
            other => Err(format!(
                "unknown Graph version `{other}` (expected `beta` or `v1.0`)"
            )),
        }
    }
}

/// The singleton whose navigation properties are the roots.
pub const SINGLETON: &str = "identity";

/// The bound action that is a root.
pub const ROOT_ACTION: &str = "uploadClientCertificate";

/// Navigation properties of the singleton's type that are roots, with the versions that require them.
pub const ROOT_NAVIGATIONS: &[(&str, &[Version])] = &[
    ("apiConnectors", &[Version::Beta, Version::V1_0]),
    ("b2cUserFlows", &[Version::Beta]),
    ("b2xUserFlows", &[Version::Beta, Version::V1_0]),
];

/// Navigation properties (`qualified type`, `name`) cut off deliberately although their target is reachable.
///
/// `userFlowIdentityProviders` targets the abstract `identityProviderBase`; by the closure rule its derived types
/// (`appleManagedIdentityProvider`, `builtInIdentityProvider`, `oidcIdentityProvider`, `samlOrWsFedProvider`,
/// `socialIdentityProvider`, `internalDomainFederation`, ...) and theirs would follow: 21 more types in v1.0,
/// none of them about API connectors. Pruning the navigation keeps the fragment about API connectors.
pub const PRUNED_NAVIGATIONS: &[(&str, &str)] = &[
    (
        "microsoft.graph.b2cIdentityUserFlow",
        "userFlowIdentityProviders",
    ),
    (
        "microsoft.graph.b2xIdentityUserFlow",
        "userFlowIdentityProviders",
    ),
];

/// Why [`slice()`] could not produce a fragment.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SliceError {
    /// The text is not well-formed XML or not a usable CSDL document (with line and column).
    #[error(transparent)]
    Csdl(#[from] CsdlError),
    /// A root of the slice is not in the metadata; the message names it.
    #[error("missing root: {0}")]
    MissingRoot(String),
    /// The provenance text cannot be put into an XML comment.
    #[error("invalid provenance comment: {0}")]
    Provenance(String),
}

/// Slice `full` (the text of a Microsoft Graph `$metadata` document) down to the API-connector fragment.
///
/// The result starts with an XML declaration and `provenance` as an XML comment, and is deterministic: the same
/// input gives the same bytes.
///
/// ```
/// use graph_csdl::slice::{provenance, slice, Version};
///
/// let fragment = include_str!("../../../spec/v1.0/identity.csdl.xml");
/// let again = slice(fragment, Version::V1_0, provenance(fragment).unwrap()).unwrap();
/// assert_eq!(again, fragment);
/// ```
pub fn slice(full: &str, version: Version, provenance: &str) -> Result<String, SliceError> {
    check_provenance(provenance)?;
    let index = Index::build(full)?;
    let kept = Closure::compute(&index, version)?;
    Ok(write(&index, &kept, provenance))
}

/// The body of the provenance comment that starts a fragment written by [`slice()`], if there is one.
///
/// Passing it back to [`slice()`] together with the fragment reproduces the fragment.
pub fn provenance(fragment: &str) -> Option<&str> {
    let rest = fragment.trim_start_matches('\u{feff}');
    let rest = match rest.strip_prefix("<?xml") {
        Some(r) => &r[r.find("?>")? + 2..],
        None => rest,
    };
    let body = rest.trim_start().strip_prefix("<!--")?;
    let body = &body[..body.find("-->")?];
    Some(
        body.strip_prefix('\n')
            .unwrap_or(body)
            .strip_suffix('\n')
            .unwrap_or(body),
    )
}

fn check_provenance(p: &str) -> Result<(), SliceError> {
    if p.contains("--") {
        return Err(SliceError::Provenance(
            "it contains `--`, which XML comments forbid".into(),
        ));
    }
    if p.ends_with('-') {
        return Err(SliceError::Provenance(
            "it ends with `-`, which XML comments forbid".into(),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Pass 1: the lean index.

/// Kinds of top-level schema elements, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
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
    fn of(local: &str) -> Kind {
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

    fn is_type(self) -> bool {
        matches!(
            self,
            Kind::TypeDefinition | Kind::Enum | Kind::Complex | Kind::Entity
        )
    }

    fn is_structured(self) -> bool {
        matches!(self, Kind::Complex | Kind::Entity)
    }
}

/// A direct child of a `<Schema>`.
#[derive(Debug)]
struct Elem<'a> {
    schema: usize,
    kind: Kind,
    /// `Name` (types, operations, containers) or `Target` (annotations).
    name: &'a str,
    /// Raw `BaseType`.
    base: Option<&'a str>,
    span: Range<usize>,
}

#[derive(Debug)]
struct SchemaIx<'a> {
    namespace: &'a str,
    alias: Option<&'a str>,
    start_tag: Range<usize>,
    end_tag: Range<usize>,
}

#[derive(Debug)]
struct Index<'a> {
    src: &'a str,
    edmx_start: Range<usize>,
    edmx_end: Range<usize>,
    services_start: Range<usize>,
    services_end: Range<usize>,
    /// `edmx:Reference` elements, kept verbatim.
    references: Vec<Range<usize>>,
    schemas: Vec<SchemaIx<'a>>,
    elems: Vec<Elem<'a>>,
    /// (namespace, name) → index in `elems`, for types, containers and operations (first overload).
    by_name: HashMap<(&'a str, &'a str), usize>,
    /// Whether the last `<Schema>` is open (its children are at depth 3).
    schema_open: bool,
}

fn xml_error(src: &str, at: usize, message: impl Into<String>) -> CsdlError {
    CsdlError::Xml {
        at: Location::of(src, at),
        message: message.into(),
    }
}

fn structure_error(src: &str, at: usize, message: impl Into<String>) -> CsdlError {
    CsdlError::Structure {
        at: Location::of(src, at),
        message: message.into(),
    }
}

/// Check the attributes of a tag (quick-xml only parses them on demand).
fn check_attributes(src: &str, e: &BytesStart<'_>, at: usize) -> Result<(), CsdlError> {
    for a in e.attributes() {
        if let Err(err) = a {
            return Err(xml_error(src, at, format!("bad attribute: {err}")));
        }
    }
    Ok(())
}

impl<'a> Index<'a> {
    fn build(src: &'a str) -> Result<Self, CsdlError> {
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

    fn lookup(&self, raw: &'a str) -> Option<usize> {
        self.resolve(raw)
            .and_then(|k| self.by_name.get(&k).copied())
    }

    fn qualified(&self, i: usize) -> String {
        let el = &self.elems[i];
        format!("{}.{}", self.schemas[el.schema].namespace, el.name)
    }

    /// The direct children of element `i`.
    fn detail(&self, i: usize) -> Result<Detail<'a>, CsdlError> {
        Detail::scan(self.src, self.elems[i].span.clone())
    }
}

/// The name of a tag from its raw text (`<edmx:Edmx ...` → `edmx:Edmx`).
fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('<').trim_start_matches('/');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(t.len());
    &t[..end]
}

fn local_name(tag: &str) -> &str {
    let n = tag_name(tag);
    n.rsplit(':').next().unwrap_or(n)
}

/// The raw value of attribute `key` in the (already checked) tag text.
fn attr<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let b = tag.as_bytes();
    let mut i = 1 + tag_name(tag).len();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] == b'/' || b[i] == b'>' {
            return None;
        }
        let k0 = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let k = &tag[k0..i];
        while i < b.len() && (b[i] == b'=' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        let q = *b.get(i)?;
        let v0 = i + 1;
        let v1 = v0 + tag[v0..].find(q as char)?;
        let local = k.rsplit(':').next().unwrap_or(k);
        if local == key && !k.starts_with("xmlns") {
            return Some(&tag[v0..v1]);
        }
        i = v1 + 1;
    }
}

// ------------------------------------------------------------------------------------------------
// Pass 2: the children of the few elements in the closure.

#[derive(Debug)]
struct Child<'a> {
    /// Local element name; empty for a comment.
    local: &'a str,
    name: Option<&'a str>,
    type_ref: Option<&'a str>,
    span: Range<usize>,
    /// Children of a `Singleton`/`EntitySet`: (local name, Path, Target, span); comments have an empty name.
    nested: Vec<Nested<'a>>,
}

/// A child of a `Singleton` or `EntitySet` (`NavigationPropertyBinding`, `Annotation`) or a comment.
#[derive(Debug)]
struct Nested<'a> {
    /// Local element name; empty for a comment.
    local: &'a str,
    path: Option<&'a str>,
    target: Option<&'a str>,
    span: Range<usize>,
}

#[derive(Debug)]
struct Detail<'a> {
    start_tag: Range<usize>,
    /// `None` for an empty element.
    end_tag: Option<Range<usize>>,
    children: Vec<Child<'a>>,
}

impl<'a> Detail<'a> {
    fn scan(src: &'a str, span: Range<usize>) -> Result<Self, CsdlError> {
        let text = &src[span.clone()];
        let mut reader = Reader::from_str(text);
        let mut depth = 0usize;
        let mut d = Detail {
            start_tag: span.clone(),
            end_tag: None,
            children: Vec::new(),
        };
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                xml_error(
                    src,
                    span.start + reader.error_position() as usize,
                    e.to_string(),
                )
            })?;
            let after = reader.buffer_position() as usize;
            let start = before + text[before..after].find('<').unwrap_or(0);
            let abs = span.start + start..span.start + after;
            let tag = &src[abs.clone()];
            match event {
                Event::Start(_) | Event::Empty(_) => {
                    let empty = matches!(event, Event::Empty(_));
                    match depth {
                        0 => d.start_tag = abs,
                        1 => d.children.push(Child {
                            local: local_name(tag),
                            name: attr(tag, "Name"),
                            type_ref: attr(tag, "Type"),
                            span: abs,
                            nested: Vec::new(),
                        }),
                        2 => {
                            if let Some(c) = d.children.last_mut() {
                                c.nested.push(Nested {
                                    local: local_name(tag),
                                    path: attr(tag, "Path"),
                                    target: attr(tag, "Target"),
                                    span: abs,
                                });
                            }
                        }
                        _ => {}
                    }
                    if !empty {
                        depth += 1;
                    }
                }
                Event::End(_) => {
                    depth -= 1;
                    match depth {
                        0 => d.end_tag = Some(abs),
                        1 => {
                            if let Some(c) = d.children.last_mut() {
                                c.span.end = abs.end;
                            }
                        }
                        2 => {
                            if let Some(n) = d.children.last_mut().and_then(|c| c.nested.last_mut())
                            {
                                n.span.end = abs.end;
                            }
                        }
                        _ => {}
                    }
                }
                Event::Comment(_) => match depth {
                    1 => d.children.push(Child {
                        local: "",
                        name: None,
                        type_ref: None,
                        span: abs,
                        nested: Vec::new(),
                    }),
                    2 => {
                        if let Some(c) = d.children.last_mut() {
                            c.nested.push(Nested {
                                local: "",
                                path: None,
                                target: None,
                                span: abs,
                            });
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(d)
    }
}

// ------------------------------------------------------------------------------------------------
// The closure.

/// What is kept of one element.
#[derive(Debug)]
struct Kept<'a> {
    detail: Detail<'a>,
    /// Navigation properties removed from this type, in source order.
    pruned: Vec<&'a str>,
}

#[derive(Debug)]
struct Closure<'a> {
    /// Kept elements by index in `Index::elems`.
    kept: HashMap<usize, Kept<'a>>,
    /// Types whose derived types were added.
    derived_done: Vec<usize>,
    /// The container holding the singleton and the singleton's child index in it.
    container: usize,
    singleton_child: usize,
    /// Root navigation properties present on the singleton's type.
    roots: Vec<&'a str>,
    singleton_type: usize,
}

impl<'a> Closure<'a> {
    fn compute(ix: &Index<'a>, version: Version) -> Result<Self, SliceError> {
        // The singleton.
        let mut found = None;
        for (i, _) in ix
            .elems
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Container)
        {
            let d = ix.detail(i)?;
            if let Some(c) = d
                .children
                .iter()
                .position(|c| c.local == "Singleton" && c.name == Some(SINGLETON))
            {
                found = Some((i, c, d));
                break;
            }
        }
        let Some((container, singleton_child, container_detail)) = found else {
            return Err(SliceError::MissingRoot(format!(
                "no singleton `{SINGLETON}` in any EntityContainer"
            )));
        };
        let singleton = &container_detail.children[singleton_child];
        let type_raw = singleton.type_ref.ok_or_else(|| {
            structure_error(
                ix.src,
                singleton.span.start,
                "<Singleton> has no Type attribute",
            )
        })?;
        let singleton_type = ix.lookup(type_raw).filter(|t| ix.elems[*t].kind == Kind::Entity).ok_or_else(|| {
            structure_error(
                ix.src,
                singleton.span.start,
                format!("the type `{type_raw}` of singleton `{SINGLETON}` is not a defined EntityType"),
            )
        })?;

        // Root navigation properties, on the singleton's type or one of its base types.
        let mut chain = vec![singleton_type];
        while let Some(b) = ix.elems[*chain.last().unwrap()]
            .base
            .and_then(|b| ix.lookup(b))
        {
            if chain.contains(&b) {
                break;
            }
            chain.push(b);
        }
        let mut chain_details = Vec::new();
        for &t in &chain {
            chain_details.push(ix.detail(t)?);
        }
        let mut roots = Vec::new();
        for (nav, versions) in ROOT_NAVIGATIONS {
            let present = chain_details.iter().any(|d| {
                d.children
                    .iter()
                    .any(|c| c.local == "NavigationProperty" && c.name == Some(nav))
            });
            if present {
                roots.push(*nav);
            } else if versions.contains(&version) {
                return Err(SliceError::MissingRoot(format!(
                    "no navigation property `{nav}` on the `{SINGLETON}` singleton's type `{}` ({version})",
                    ix.qualified(singleton_type)
                )));
            }
        }

        let mut cl = Closure {
            kept: HashMap::new(),
            derived_done: Vec::new(),
            container,
            singleton_child,
            roots,
            singleton_type,
        };
        cl.kept.insert(
            container,
            Kept {
                detail: container_detail,
                pruned: Vec::new(),
            },
        );
        let mut work: Vec<(usize, bool)> = vec![(singleton_type, false)];
        cl.run(ix, &mut work)?;

        // The root action: bound overloads whose binding parameter type is in the slice.
        let mut actions = 0;
        loop {
            let mut added = false;
            for (i, el) in ix.elems.iter().enumerate() {
                if el.kind != Kind::Action || el.name != ROOT_ACTION || cl.kept.contains_key(&i) {
                    continue;
                }
                let d = ix.detail(i)?;
                let bound = attr(&ix.src[d.start_tag.clone()], "IsBound") == Some("true");
                let binding = d
                    .children
                    .iter()
                    .find(|c| c.local == "Parameter")
                    .and_then(|p| p.type_ref);
                let in_slice = binding
                    .and_then(|b| ix.lookup(b))
                    .is_some_and(|t| cl.kept.contains_key(&t));
                if bound && in_slice {
                    work.push((i, false));
                    cl.run(ix, &mut work)?;
                    actions += 1;
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
        if actions == 0 {
            return Err(SliceError::MissingRoot(format!(
                "no bound action `{ROOT_ACTION}` whose binding parameter is a type of the slice"
            )));
        }
        Ok(cl)
    }

    /// Add the elements of `work` and everything they reference.
    fn run(&mut self, ix: &Index<'a>, work: &mut Vec<(usize, bool)>) -> Result<(), SliceError> {
        while let Some((i, referenced)) = work.pop() {
            let el = &ix.elems[i];
            if !self.kept.contains_key(&i) {
                let detail = ix.detail(i)?;
                let qualified = ix.qualified(i);
                let mut pruned = Vec::new();
                if let Some(b) = el.base {
                    let t = ix
                        .lookup(b)
                        .filter(|t| ix.elems[*t].kind.is_structured())
                        .ok_or_else(|| {
                            structure_error(
                                ix.src,
                                el.span.start,
                                format!("base type `{b}` of `{qualified}` is not defined"),
                            )
                        })?;
                    work.push((t, false));
                }
                for c in &detail.children {
                    let follow = match c.local {
                        "Property" | "Parameter" | "ReturnType" => true,
                        "NavigationProperty" => {
                            let name = c.name.unwrap_or_default();
                            let cut = if i == self.singleton_type {
                                !self.roots.contains(&name)
                            } else {
                                PRUNED_NAVIGATIONS
                                    .iter()
                                    .any(|(t, n)| *t == qualified && *n == name)
                            };
                            if cut {
                                pruned.push(name);
                            }
                            !cut
                        }
                        _ => false,
                    };
                    let Some(t) = c.type_ref.filter(|_| follow) else {
                        continue;
                    };
                    if t.starts_with("Edm.") || t.starts_with("Collection(Edm.") {
                        continue;
                    }
                    let target = ix
                        .lookup(t)
                        .filter(|t| ix.elems[*t].kind.is_type())
                        .ok_or_else(|| {
                            structure_error(
                                ix.src,
                                c.span.start,
                                format!(
                                    "type `{t}` of `{qualified}/{}` is not defined",
                                    c.name.unwrap_or(c.local)
                                ),
                            )
                        })?;
                    work.push((target, true));
                }
                self.kept.insert(i, Kept { detail, pruned });
            }
            if referenced && el.kind.is_structured() && !self.derived_done.contains(&i) {
                self.derived_done.push(i);
                for (j, d) in ix.elems.iter().enumerate() {
                    if d.kind.is_structured() && d.base.and_then(|b| ix.lookup(b)) == Some(i) {
                        work.push((j, true));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether an out-of-line annotation target names a kept element.
    fn keeps_target(&self, ix: &Index<'a>, target: &'a str) -> bool {
        let (head, member) = match target.find('/') {
            Some(p) => (&target[..p], Some(&target[p + 1..])),
            None => (target, None),
        };
        // `ns.action(ns.bindingType)` addresses one overload.
        let head = head.find('(').map_or(head, |p| &head[..p]);
        let Some(i) = ix.lookup(head) else {
            return false;
        };
        let Some(kept) = self.kept.get(&i) else {
            return false;
        };
        let Some(member) = member else {
            return i != self.container;
        };
        let member = member.split('/').next().unwrap_or(member);
        if i == self.container {
            return kept
                .detail
                .children
                .get(self.singleton_child)
                .and_then(|c| c.name)
                == Some(member);
        }
        // The member may be declared on a base type (all of which are kept).
        let mut cur = Some((i, kept));
        let mut steps = 0;
        while let Some((t, k)) = cur {
            if k.pruned.contains(&member) {
                return false;
            }
            if k.detail
                .children
                .iter()
                .any(|c| !c.local.is_empty() && c.name == Some(member))
            {
                return true;
            }
            steps += 1;
            cur = ix.elems[t]
                .base
                .and_then(|b| ix.lookup(b))
                .and_then(|b| Some((b, self.kept.get(&b)?)))
                .filter(|_| steps < 64);
        }
        false
    }
}

// ------------------------------------------------------------------------------------------------
// Output.

/// The whitespace that precedes `at` on its line, if only whitespace does.
fn indent(src: &str, at: usize) -> &str {
    let line_start = src[..at].rfind('\n').map_or(0, |p| p + 1);
    let lead = &src[line_start..at];
    if lead.chars().all(|c| c == ' ' || c == '\t') {
        lead
    } else {
        ""
    }
}

fn push_line(out: &mut String, src: &str, span: &Range<usize>) {
    out.push_str(indent(src, span.start));
    out.push_str(&src[span.clone()]);
    out.push('\n');
}

fn write(ix: &Index<'_>, cl: &Closure<'_>, provenance: &str) -> String {
    let src = ix.src;
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!--\n");
    out.push_str(provenance.strip_suffix('\n').unwrap_or(provenance));
    out.push_str("\n-->\n");
    push_line(&mut out, src, &ix.edmx_start);
    for r in &ix.references {
        push_line(&mut out, src, r);
    }
    push_line(&mut out, src, &ix.services_start);
    for (s, schema) in ix.schemas.iter().enumerate() {
        let mut elems: Vec<usize> = cl
            .kept
            .keys()
            .copied()
            .filter(|i| ix.elems[*i].schema == s)
            .chain(
                ix.elems
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.schema == s && e.kind == Kind::Annotations)
                    .filter(|(_, e)| cl.keeps_target(ix, e.name))
                    .map(|(i, _)| i),
            )
            .collect();
        if elems.is_empty() {
            continue;
        }
        elems.sort_by_key(|i| (ix.elems[*i].kind, *i));
        push_line(&mut out, src, &schema.start_tag);
        for i in elems {
            let el = &ix.elems[i];
            match cl.kept.get(&i) {
                Some(_) if i == cl.container => write_container(&mut out, ix, cl),
                Some(k) if !k.pruned.is_empty() => {
                    let kept = k.detail.children.iter().filter(|c| {
                        !(c.local == "NavigationProperty"
                            && c.name.is_some_and(|n| k.pruned.contains(&n)))
                    });
                    let note =
                        format!("<!-- pruned for this fragment: {} -->", k.pruned.join(", "));
                    write_rebuilt(
                        &mut out,
                        src,
                        &k.detail,
                        kept.map(|c| c.span.clone()),
                        Some(&note),
                    );
                }
                _ => push_line(&mut out, src, &el.span),
            }
        }
        push_line(&mut out, src, &schema.end_tag);
    }
    push_line(&mut out, src, &ix.services_end);
    out.push_str(indent(src, ix.edmx_end.start));
    out.push_str(&src[ix.edmx_end.clone()]);
    out.push('\n');
    out
}

/// Write an element with only some of its children, and an optional comment after them.
fn write_rebuilt(
    out: &mut String,
    src: &str,
    d: &Detail<'_>,
    children: impl Iterator<Item = Range<usize>>,
    note: Option<&str>,
) {
    let Some(end_tag) = &d.end_tag else {
        push_line(out, src, &d.start_tag);
        return;
    };
    let outer = indent(src, d.start_tag.start);
    push_line(out, src, &d.start_tag);
    let mut child_indent = None;
    for c in children {
        child_indent.get_or_insert_with(|| indent(src, c.start).to_string());
        push_line(out, src, &c);
    }
    if let Some(note) = note {
        out.push_str(child_indent.as_deref().unwrap_or(&format!("{outer}  ")));
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(indent(src, end_tag.start));
    out.push_str(&src[end_tag.clone()]);
    out.push('\n');
}

fn write_container(out: &mut String, ix: &Index<'_>, cl: &Closure<'_>) {
    let src = ix.src;
    let d = &cl.kept[&cl.container].detail;
    let outer = indent(src, d.start_tag.start);
    push_line(out, src, &d.start_tag);
    for (n, c) in d.children.iter().enumerate() {
        if c.local.is_empty() {
            push_line(out, src, &c.span);
            continue;
        }
        if n != cl.singleton_child {
            continue;
        }
        let keep = |Nested {
                        local,
                        path,
                        target,
                        ..
                    }: &Nested<'_>| {
            if *local != "NavigationPropertyBinding" {
                return true;
            }
            let first_nav = path.unwrap_or("").split('/').find(|seg| !seg.contains('.'));
            let target_root = target.unwrap_or("").split('/').next();
            first_nav.is_some_and(|n| cl.roots.contains(&n)) && target_root == Some(SINGLETON)
        };
        let pruned = c.nested.iter().filter(|n| !keep(n)).count();
        if pruned == 0 {
            push_line(out, src, &c.span);
            continue;
        }
        let sd = Detail {
            start_tag: c.span.start
                ..c.span.start + src[c.span.clone()].find('>').map_or(0, |p| p + 1),
            end_tag: Some(c.span.start + src[c.span.clone()].rfind("</").unwrap_or(0)..c.span.end),
            children: Vec::new(),
        };
        let note = format!(
            "<!-- pruned {pruned} NavigationPropertyBinding(s) for navigation properties not in this fragment -->"
        );
        write_rebuilt(
            out,
            src,
            &sd,
            c.nested.iter().filter(|n| keep(n)).map(|n| n.span.clone()),
            Some(&note),
        );
    }
    let end = d
        .end_tag
        .clone()
        .unwrap_or(d.start_tag.end..d.start_tag.end);
    if end.is_empty() {
        return;
    }
    out.push_str(if end.start == d.start_tag.end {
        outer
    } else {
        indent(src, end.start)
    });
    out.push_str(&src[end]);
    out.push('\n');
}
