//! A small, owned model of the parts of OData CSDL (v4) that Microsoft Graph metadata uses.
//!
//! Type references are stored fully qualified (`microsoft.graph.identityApiConnector`,
//! `Edm.String`): schema aliases such as `graph.` are resolved while parsing.

use std::collections::BTreeMap;
use std::ops::Range;

/// The `Edm` namespace of primitive types.
pub const EDM: &str = "Edm";

/// A parsed CSDL document (`edmx:Edmx`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Every `<Schema>` in document order.
    pub schemas: Vec<Schema>,
}

/// One `<Schema>` element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// `Namespace`, e.g. `microsoft.graph`.
    pub namespace: String,
    /// `Alias`, e.g. `graph`.
    pub alias: Option<String>,
    /// `EnumType` elements.
    pub enums: Vec<EnumType>,
    /// `ComplexType` and `EntityType` elements, in document order.
    pub types: Vec<StructuredType>,
    /// `Action` elements.
    pub actions: Vec<Action>,
    /// `Function` elements.
    pub functions: Vec<Action>,
    /// The `EntityContainer`, if this schema has one.
    pub container: Option<EntityContainer>,
    /// Out-of-line `<Annotations Target="...">` blocks.
    pub annotations: Vec<Annotations>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// Whether a structured type is an entity or a complex type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeKind {
    /// `EntityType`.
    Entity,
    /// `ComplexType`.
    Complex,
}

/// An `EntityType` or a `ComplexType`.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredType {
    /// Entity or complex.
    pub kind: TypeKind,
    /// Unqualified `Name`.
    pub name: String,
    /// Fully qualified name (`namespace.Name`).
    pub qualified_name: String,
    /// Fully qualified `BaseType`.
    pub base_type: Option<String>,
    /// `Abstract="true"`.
    pub is_abstract: bool,
    /// `OpenType="true"`.
    pub open_type: bool,
    /// `HasStream="true"`.
    pub has_stream: bool,
    /// Names of the key properties (`<Key><PropertyRef Name=.../>`).
    pub key: Vec<String>,
    /// Structural properties declared on this type (not inherited ones).
    pub properties: Vec<Property>,
    /// Navigation properties declared on this type.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Inline annotations on the type itself.
    pub annotations: Vec<Annotation>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// A reference to a type: `Edm.String`, `microsoft.graph.x` or `Collection(...)` of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeRef {
    /// `true` for `Collection(T)`.
    pub collection: bool,
    /// Fully qualified element type name.
    pub name: String,
}

impl TypeRef {
    /// Whether the element type is a primitive `Edm.*` type.
    pub fn is_primitive(&self) -> bool {
        self.name.starts_with("Edm.")
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.collection {
            write!(f, "Collection({})", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

/// A structural `<Property>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// `Name`.
    pub name: String,
    /// `Type`.
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to `true`).
    pub nullable: bool,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
}

/// A `<NavigationProperty>`.
#[derive(Debug, Clone, PartialEq)]
pub struct NavigationProperty {
    /// `Name`.
    pub name: String,
    /// `Type`.
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to `true`).
    pub nullable: bool,
    /// `ContainsTarget="true"`.
    pub contains_target: bool,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
}

impl NavigationProperty {
    /// Whether `Org.OData.Capabilities.V1.NavigationRestrictions/Referenceable` is `true` inline.
    pub fn is_referenceable(&self) -> bool {
        referenceable(&self.annotations)
    }
}

/// Whether a list of annotations marks its target `NavigationRestrictions/Referenceable`.
pub fn referenceable(annotations: &[Annotation]) -> bool {
    annotations.iter().any(|a| {
        a.term.ends_with("Capabilities.V1.NavigationRestrictions")
            && matches!(
                a.value.record_property("Referenceable"),
                Some(AnnotationValue::Bool(true))
            )
    })
}

/// An `<EnumType>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    /// Unqualified `Name`.
    pub name: String,
    /// Fully qualified name.
    pub qualified_name: String,
    /// `IsFlags="true"`.
    pub is_flags: bool,
    /// Members in document order.
    pub members: Vec<EnumMember>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// An enum `<Member>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// `Name`.
    pub name: String,
    /// `Value`, when given.
    pub value: Option<i64>,
}

/// An `<Action>` or `<Function>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// `Name`.
    pub name: String,
    /// Fully qualified name.
    pub qualified_name: String,
    /// `IsBound="true"`.
    pub is_bound: bool,
    /// Parameters; for a bound operation the first is the binding parameter.
    pub parameters: Vec<Parameter>,
    /// `<ReturnType>`.
    pub return_type: Option<TypeRef>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

impl Action {
    /// The binding parameter's type, for a bound operation.
    pub fn binding_type(&self) -> Option<&TypeRef> {
        if self.is_bound {
            self.parameters.first().map(|p| &p.type_ref)
        } else {
            None
        }
    }

    /// The parameters sent in the request body (all but the binding parameter).
    pub fn body_parameters(&self) -> &[Parameter] {
        if self.is_bound && !self.parameters.is_empty() {
            &self.parameters[1..]
        } else {
            &self.parameters
        }
    }
}

/// An operation `<Parameter>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `Name`.
    pub name: String,
    /// `Type`.
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to `true`).
    pub nullable: bool,
}

/// The `<EntityContainer>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityContainer {
    /// `Name`.
    pub name: String,
    /// `<Singleton>` elements.
    pub singletons: Vec<EntitySetLike>,
    /// `<EntitySet>` elements.
    pub entity_sets: Vec<EntitySetLike>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// A `<Singleton>` or an `<EntitySet>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySetLike {
    /// `Name`.
    pub name: String,
    /// `Type` (singleton) or `EntityType` (entity set), fully qualified.
    pub type_name: String,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// An out-of-line `<Annotations Target="...">` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotations {
    /// `Target`, with aliases resolved.
    pub target: String,
    /// The annotations it holds.
    pub annotations: Vec<Annotation>,
    /// Byte range of the element in the source.
    pub span: Range<usize>,
}

/// One `<Annotation Term="...">`.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// `Term`, e.g. `Org.OData.Capabilities.V1.NavigationRestrictions`.
    pub term: String,
    /// Its value.
    pub value: AnnotationValue,
}

/// The value of an annotation or of a record property.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationValue {
    /// No value.
    Empty,
    /// `Bool="true"`.
    Bool(bool),
    /// `String="..."`.
    String(String),
    /// `Int="..."`.
    Int(i64),
    /// `Date="..."`.
    Date(String),
    /// `EnumMember="..."` or `<EnumMember>`.
    EnumMember(String),
    /// Another inline expression, kept as its attribute name and text.
    Other(String, String),
    /// `<Record>` with its `<PropertyValue>`s.
    Record(Vec<(String, AnnotationValue)>),
    /// `<Collection>`.
    Collection(Vec<AnnotationValue>),
}

impl AnnotationValue {
    /// The value of a record's property, if this is a record that has it.
    pub fn record_property(&self, name: &str) -> Option<&AnnotationValue> {
        match self {
            AnnotationValue::Record(props) => props.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A structured type, enum type or action looked up by qualified name.
#[derive(Debug, Clone, Copy)]
pub enum Named<'a> {
    /// An entity or complex type.
    Structured(&'a StructuredType),
    /// An enum type.
    Enum(&'a EnumType),
}

/// Name-indexed view over a [`Document`], with inheritance helpers.
#[derive(Debug)]
pub struct Index<'a> {
    /// The document.
    pub doc: &'a Document,
    types: BTreeMap<&'a str, &'a StructuredType>,
    enums: BTreeMap<&'a str, &'a EnumType>,
    derived: BTreeMap<&'a str, Vec<&'a StructuredType>>,
}

impl<'a> Index<'a> {
    /// Index every type of `doc`.
    pub fn new(doc: &'a Document) -> Self {
        let mut types = BTreeMap::new();
        let mut enums = BTreeMap::new();
        let mut derived: BTreeMap<&str, Vec<&StructuredType>> = BTreeMap::new();
        for schema in &doc.schemas {
            for t in &schema.types {
                types.insert(t.qualified_name.as_str(), t);
                if let Some(base) = &t.base_type {
                    derived.entry(base.as_str()).or_default().push(t);
                }
            }
            for e in &schema.enums {
                enums.insert(e.qualified_name.as_str(), e);
            }
        }
        Index {
            doc,
            types,
            enums,
            derived,
        }
    }

    /// Look a type up by qualified name.
    pub fn get(&self, name: &str) -> Option<Named<'a>> {
        if let Some(t) = self.types.get(name) {
            return Some(Named::Structured(t));
        }
        self.enums.get(name).map(|e| Named::Enum(e))
    }

    /// Look a structured type up by qualified name.
    pub fn structured(&self, name: &str) -> Option<&'a StructuredType> {
        self.types.get(name).copied()
    }

    /// Look an enum type up by qualified name.
    pub fn enum_type(&self, name: &str) -> Option<&'a EnumType> {
        self.enums.get(name).copied()
    }

    /// Every structured type, sorted by qualified name.
    pub fn structured_types(&self) -> impl Iterator<Item = &'a StructuredType> + '_ {
        self.types.values().copied()
    }

    /// Every enum type, sorted by qualified name.
    pub fn enum_types(&self) -> impl Iterator<Item = &'a EnumType> + '_ {
        self.enums.values().copied()
    }

    /// The chain from the root base type down to `t` itself.
    pub fn ancestry(&self, t: &'a StructuredType) -> Vec<&'a StructuredType> {
        let mut chain = vec![t];
        let mut cur = t;
        while let Some(base) = cur.base_type.as_deref().and_then(|b| self.structured(b)) {
            if chain.iter().any(|c| std::ptr::eq(*c, base)) {
                break; // a cycle; reported by `validate`
            }
            chain.push(base);
            cur = base;
        }
        chain.reverse();
        chain
    }

    /// Structural properties of `t`, inherited ones first.
    pub fn all_properties(&self, t: &'a StructuredType) -> Vec<&'a Property> {
        self.ancestry(t)
            .into_iter()
            .flat_map(|a| a.properties.iter())
            .collect()
    }

    /// Navigation properties of `t`, inherited ones first.
    pub fn all_navigation_properties(&self, t: &'a StructuredType) -> Vec<&'a NavigationProperty> {
        self.ancestry(t)
            .into_iter()
            .flat_map(|a| a.navigation_properties.iter())
            .collect()
    }

    /// Types that name `t` as their direct base type.
    pub fn direct_derived(&self, t: &str) -> &[&'a StructuredType] {
        self.derived.get(t).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every type deriving from `t`, directly or not, sorted by qualified name.
    pub fn all_derived(&self, t: &str) -> Vec<&'a StructuredType> {
        let mut out = Vec::new();
        let mut stack = vec![t];
        while let Some(cur) = stack.pop() {
            for d in self.direct_derived(cur) {
                if !out.iter().any(|o: &&StructuredType| std::ptr::eq(*o, *d)) {
                    out.push(*d);
                    stack.push(&d.qualified_name);
                }
            }
        }
        out.sort_by(|a, b| a.qualified_name.cmp(&b.qualified_name));
        out
    }

    /// Whether `t` is `ancestor` or derives from it.
    pub fn is_a(&self, t: &'a StructuredType, ancestor: &str) -> bool {
        self.ancestry(t)
            .iter()
            .any(|a| a.qualified_name == ancestor)
    }

    /// Bound actions whose binding parameter is `t` or one of its base types (single, not collection).
    pub fn bound_actions(&self, t: &'a StructuredType) -> Vec<&'a Action> {
        let chain = self.ancestry(t);
        self.doc
            .schemas
            .iter()
            .flat_map(|s| s.actions.iter())
            .filter(|a| {
                a.binding_type().is_some_and(|b| {
                    !b.collection && chain.iter().any(|c| c.qualified_name == b.name)
                })
            })
            .collect()
    }

    /// Bound actions whose binding parameter is a collection of `t` or of one of its base types.
    pub fn collection_bound_actions(&self, t: &'a StructuredType) -> Vec<&'a Action> {
        let chain = self.ancestry(t);
        self.doc
            .schemas
            .iter()
            .flat_map(|s| s.actions.iter())
            .filter(|a| {
                a.binding_type().is_some_and(|b| {
                    b.collection && chain.iter().any(|c| c.qualified_name == b.name)
                })
            })
            .collect()
    }

    /// Out-of-line annotations whose target is `target` (e.g. `ns.type/property`).
    pub fn annotations_for(&self, target: &str) -> Vec<&'a Annotation> {
        self.doc
            .schemas
            .iter()
            .flat_map(|s| s.annotations.iter())
            .filter(|a| a.target == target)
            .flat_map(|a| a.annotations.iter())
            .collect()
    }

    /// A singleton by name, in any container.
    pub fn singleton(&self, name: &str) -> Option<&'a EntitySetLike> {
        self.doc
            .schemas
            .iter()
            .filter_map(|s| s.container.as_ref())
            .flat_map(|c| c.singletons.iter())
            .find(|s| s.name == name)
    }

    /// An action by unqualified or qualified name.
    pub fn action(&self, name: &str) -> Option<&'a Action> {
        self.doc
            .schemas
            .iter()
            .flat_map(|s| s.actions.iter())
            .find(|a| a.name == name || a.qualified_name == name)
    }
}
