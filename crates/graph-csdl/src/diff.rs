//! What changed between two versions of a CSDL spec file, in the terms a binding generator cares about.
//!
//! [`diff`] parses both texts and compares types, properties, enum members, navigation properties,
//! operations and singletons by qualified name. The result prints one line per change:
//!
//! ```
//! let old = include_str!("../../../spec/v1.0/identity.csdl.xml");
//! let new = old.replace(
//!     "<Property Name=\"displayName\" Type=\"Edm.String\" />\n        <Property Name=\"targetUrl\" Type=\"Edm.String\" />",
//!     "<Property Name=\"displayName\" Type=\"Edm.String\" />\n        <Property Name=\"targetUrl\" Type=\"Edm.String\" Nullable=\"false\" />",
//! );
//! let d = graph_csdl::diff::diff(old, &new).unwrap();
//! assert_eq!(
//!     d.to_string(),
//!     "1 change:\n~ property microsoft.graph.identityApiConnector/targetUrl: nullable true -> false\n"
//! );
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::error::CsdlError;
use crate::model::{
    Action, Document, EntitySetLike, EnumType, Index, NavigationProperty, Parameter, Property,
    StructuredType, TypeKind, TypeRef, referenceable,
};
use crate::parse::parse;

/// One difference between two spec files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A type (`EntityType`, `ComplexType` or `EnumType`) exists only in the new file.
    TypeAdded {
        /// Qualified name.
        name: String,
        /// `EntityType`, `ComplexType` or `EnumType`.
        kind: &'static str,
    },
    /// A type exists only in the old file.
    TypeRemoved {
        /// Qualified name.
        name: String,
        /// `EntityType`, `ComplexType` or `EnumType`.
        kind: &'static str,
    },
    /// A type changed between entity and complex type.
    TypeKindChanged {
        /// Qualified name.
        name: String,
        /// Old kind.
        old: &'static str,
        /// New kind.
        new: &'static str,
    },
    /// `BaseType` changed.
    BaseTypeChanged {
        /// Qualified type name.
        name: String,
        /// Old base type.
        old: Option<String>,
        /// New base type.
        new: Option<String>,
    },
    /// A boolean facet of a type changed (`Abstract`, `OpenType`, `HasStream`, `IsFlags`).
    TypeFacetChanged {
        /// Qualified type name.
        name: String,
        /// The facet's attribute name.
        facet: &'static str,
        /// Old value.
        old: bool,
        /// New value.
        new: bool,
    },
    /// The key properties changed.
    KeyChanged {
        /// Qualified type name.
        name: String,
        /// Old key.
        old: Vec<String>,
        /// New key.
        new: Vec<String>,
    },
    /// A structural property was added.
    PropertyAdded {
        /// `type/property`.
        path: String,
        /// Its type.
        type_ref: TypeRef,
        /// Its nullability.
        nullable: bool,
    },
    /// A structural property was removed.
    PropertyRemoved {
        /// `type/property`.
        path: String,
    },
    /// A navigation property was added.
    NavigationAdded {
        /// `type/navigation`.
        path: String,
        /// Its type.
        type_ref: TypeRef,
    },
    /// A navigation property was removed.
    NavigationRemoved {
        /// `type/navigation`.
        path: String,
    },
    /// An enum member was added.
    MemberAdded {
        /// Qualified enum name.
        name: String,
        /// Member name.
        member: String,
        /// Its value.
        value: Option<i64>,
    },
    /// An enum member was removed.
    MemberRemoved {
        /// Qualified enum name.
        name: String,
        /// Member name.
        member: String,
    },
    /// An enum member's value changed.
    MemberValueChanged {
        /// Qualified enum name.
        name: String,
        /// Member name.
        member: String,
        /// Old value.
        old: Option<i64>,
        /// New value.
        new: Option<i64>,
    },
    /// The type of a property, navigation property or parameter changed.
    TypeChanged {
        /// What: `property`, `navigation` or `parameter`.
        what: &'static str,
        /// `type/member` or `action(binding)/parameter`.
        path: String,
        /// Old type.
        old: TypeRef,
        /// New type.
        new: TypeRef,
    },
    /// A boolean facet of a member changed (`nullable`, `ContainsTarget`, `Referenceable`).
    FacetChanged {
        /// What: `property`, `navigation` or `parameter`.
        what: &'static str,
        /// `type/member`.
        path: String,
        /// The facet.
        facet: &'static str,
        /// Old value.
        old: bool,
        /// New value.
        new: bool,
    },
    /// An action or function overload was added.
    OperationAdded {
        /// `Action` or `Function`.
        kind: &'static str,
        /// `qualified.name(bindingType)`.
        signature: String,
    },
    /// An action or function overload was removed.
    OperationRemoved {
        /// `Action` or `Function`.
        kind: &'static str,
        /// `qualified.name(bindingType)`.
        signature: String,
    },
    /// A parameter was added to an operation.
    ParameterAdded {
        /// `qualified.name(bindingType)/parameter`.
        path: String,
        /// Its type.
        type_ref: TypeRef,
        /// Its nullability.
        nullable: bool,
    },
    /// A parameter was removed from an operation.
    ParameterRemoved {
        /// `qualified.name(bindingType)/parameter`.
        path: String,
    },
    /// The parameters of an operation are the same but in another order.
    ParametersReordered {
        /// `qualified.name(bindingType)`.
        signature: String,
    },
    /// An operation's return type changed.
    ReturnTypeChanged {
        /// `qualified.name(bindingType)`.
        signature: String,
        /// Old return type.
        old: Option<TypeRef>,
        /// New return type.
        new: Option<TypeRef>,
    },
    /// A singleton or entity set was added.
    SetAdded {
        /// `Singleton` or `EntitySet`.
        kind: &'static str,
        /// Name.
        name: String,
        /// Its type.
        type_name: String,
    },
    /// A singleton or entity set was removed.
    SetRemoved {
        /// `Singleton` or `EntitySet`.
        kind: &'static str,
        /// Name.
        name: String,
    },
    /// The type of a singleton or entity set changed.
    SetTypeChanged {
        /// `Singleton` or `EntitySet`.
        kind: &'static str,
        /// Name.
        name: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_string(), ToString::to_string)
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Change::*;
        match self {
            TypeAdded { name, kind } => write!(f, "+ {kind} {name}"),
            TypeRemoved { name, kind } => write!(f, "- {kind} {name}"),
            TypeKindChanged { name, old, new } => write!(f, "~ type {name}: {old} -> {new}"),
            BaseTypeChanged { name, old, new } => {
                write!(f, "~ type {name}: BaseType {} -> {}", opt(old), opt(new))
            }
            TypeFacetChanged {
                name,
                facet,
                old,
                new,
            } => write!(f, "~ type {name}: {facet} {old} -> {new}"),
            KeyChanged { name, old, new } => {
                write!(
                    f,
                    "~ type {name}: key ({}) -> ({})",
                    old.join(", "),
                    new.join(", ")
                )
            }
            PropertyAdded {
                path,
                type_ref,
                nullable,
            } => {
                write!(
                    f,
                    "+ property {path}: {type_ref}{}",
                    if *nullable { "" } else { " (not nullable)" }
                )
            }
            PropertyRemoved { path } => write!(f, "- property {path}"),
            NavigationAdded { path, type_ref } => write!(f, "+ navigation {path}: {type_ref}"),
            NavigationRemoved { path } => write!(f, "- navigation {path}"),
            MemberAdded {
                name,
                member,
                value,
            } => write!(f, "+ enum member {name}/{member} = {}", opt(value)),
            MemberRemoved { name, member } => write!(f, "- enum member {name}/{member}"),
            MemberValueChanged {
                name,
                member,
                old,
                new,
            } => {
                write!(
                    f,
                    "~ enum member {name}/{member}: value {} -> {}",
                    opt(old),
                    opt(new)
                )
            }
            TypeChanged {
                what,
                path,
                old,
                new,
            } => write!(f, "~ {what} {path}: type {old} -> {new}"),
            FacetChanged {
                what,
                path,
                facet,
                old,
                new,
            } => write!(f, "~ {what} {path}: {facet} {old} -> {new}"),
            OperationAdded { kind, signature } => write!(f, "+ {kind} {signature}"),
            OperationRemoved { kind, signature } => write!(f, "- {kind} {signature}"),
            ParameterAdded {
                path,
                type_ref,
                nullable,
            } => {
                write!(
                    f,
                    "+ parameter {path}: {type_ref}{}",
                    if *nullable { "" } else { " (not nullable)" }
                )
            }
            ParameterRemoved { path } => write!(f, "- parameter {path}"),
            ParametersReordered { signature } => {
                write!(f, "~ operation {signature}: parameters reordered")
            }
            ReturnTypeChanged {
                signature,
                old,
                new,
            } => {
                write!(
                    f,
                    "~ operation {signature}: return type {} -> {}",
                    opt(old),
                    opt(new)
                )
            }
            SetAdded {
                kind,
                name,
                type_name,
            } => write!(f, "+ {kind} {name}: {type_name}"),
            SetRemoved { kind, name } => write!(f, "- {kind} {name}"),
            SetTypeChanged {
                kind,
                name,
                old,
                new,
            } => write!(f, "~ {kind} {name}: type {old} -> {new}"),
        }
    }
}

/// The differences between two spec files, in a stable order (by element name, then kind of change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecDiff {
    /// The changes.
    pub changes: Vec<Change>,
}

impl SpecDiff {
    /// Whether the two files describe the same API.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

impl fmt::Display for SpecDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.changes.len() {
            0 => return writeln!(f, "no changes"),
            1 => writeln!(f, "1 change:")?,
            n => writeln!(f, "{n} changes:")?,
        }
        for c in &self.changes {
            writeln!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Compare two CSDL documents (e.g. a committed spec fragment and a freshly sliced one).
///
/// Comments, formatting, element order and out-of-line annotations other than `Referenceable` do not count.
pub fn diff(old_text: &str, new_text: &str) -> Result<SpecDiff, CsdlError> {
    let old = parse(old_text)?;
    let new = parse(new_text)?;
    Ok(diff_documents(&old, &new))
}

/// Compare two parsed documents; see [`diff`].
pub fn diff_documents(old: &Document, new: &Document) -> SpecDiff {
    let (oi, ni) = (Index::new(old), Index::new(new));
    let mut changes = Vec::new();

    // Types: structured and enums share one name space.
    let mut names: BTreeMap<&str, (Option<Ty<'_>>, Option<Ty<'_>>)> = BTreeMap::new();
    for t in oi.structured_types() {
        names.entry(&t.qualified_name).or_default().0 = Some(Ty::S(t));
    }
    for e in oi.enum_types() {
        names.entry(&e.qualified_name).or_default().0 = Some(Ty::E(e));
    }
    for t in ni.structured_types() {
        names.entry(&t.qualified_name).or_default().1 = Some(Ty::S(t));
    }
    for e in ni.enum_types() {
        names.entry(&e.qualified_name).or_default().1 = Some(Ty::E(e));
    }
    for (name, pair) in names {
        match pair {
            (None, Some(n)) => changes.push(Change::TypeAdded {
                name: name.into(),
                kind: n.kind(),
            }),
            (Some(o), None) => changes.push(Change::TypeRemoved {
                name: name.into(),
                kind: o.kind(),
            }),
            (Some(Ty::S(o)), Some(Ty::S(n))) => structured(&mut changes, (&oi, o), (&ni, n)),
            (Some(Ty::E(o)), Some(Ty::E(n))) => enums(&mut changes, o, n),
            (Some(o), Some(n)) => changes.push(Change::TypeKindChanged {
                name: name.into(),
                old: o.kind(),
                new: n.kind(),
            }),
            (None, None) => {}
        }
    }

    operations(&mut changes, old, new);
    sets(&mut changes, old, new);
    SpecDiff { changes }
}

#[derive(Clone, Copy)]
enum Ty<'a> {
    S(&'a StructuredType),
    E(&'a EnumType),
}

impl Ty<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Ty::S(t) if t.kind == TypeKind::Entity => "EntityType",
            Ty::S(_) => "ComplexType",
            Ty::E(_) => "EnumType",
        }
    }
}

/// The old and the new version of something.
type Pair<'a, T> = (Option<&'a T>, Option<&'a T>);

/// Pair up two lists by name, in name order.
fn pairs<'a, T>(
    old: &'a [T],
    new: &'a [T],
    name: impl Fn(&T) -> String,
) -> BTreeMap<String, Pair<'a, T>> {
    let mut m: BTreeMap<String, Pair<'_, T>> = BTreeMap::new();
    for o in old {
        m.entry(name(o)).or_default().0 = Some(o);
    }
    for n in new {
        m.entry(name(n)).or_default().1 = Some(n);
    }
    m
}

fn structured(
    changes: &mut Vec<Change>,
    (oi, o): (&Index<'_>, &StructuredType),
    (ni, n): (&Index<'_>, &StructuredType),
) {
    let name = &o.qualified_name;
    if o.kind != n.kind {
        changes.push(Change::TypeKindChanged {
            name: name.clone(),
            old: Ty::S(o).kind(),
            new: Ty::S(n).kind(),
        });
    }
    if o.base_type != n.base_type {
        changes.push(Change::BaseTypeChanged {
            name: name.clone(),
            old: o.base_type.clone(),
            new: n.base_type.clone(),
        });
    }
    for (facet, a, b) in [
        ("Abstract", o.is_abstract, n.is_abstract),
        ("OpenType", o.open_type, n.open_type),
        ("HasStream", o.has_stream, n.has_stream),
    ] {
        if a != b {
            changes.push(Change::TypeFacetChanged {
                name: name.clone(),
                facet,
                old: a,
                new: b,
            });
        }
    }
    if o.key != n.key {
        changes.push(Change::KeyChanged {
            name: name.clone(),
            old: o.key.clone(),
            new: n.key.clone(),
        });
    }
    for (p, pair) in pairs(&o.properties, &n.properties, |p: &Property| p.name.clone()) {
        let path = format!("{name}/{p}");
        match pair {
            (None, Some(np)) => changes.push(Change::PropertyAdded {
                path,
                type_ref: np.type_ref.clone(),
                nullable: np.nullable,
            }),
            (Some(_), None) => changes.push(Change::PropertyRemoved { path }),
            (Some(op), Some(np)) => member(
                changes,
                "property",
                path,
                (&op.type_ref, op.nullable),
                (&np.type_ref, np.nullable),
            ),
            (None, None) => {}
        }
    }
    for (nav, pair) in pairs(
        &o.navigation_properties,
        &n.navigation_properties,
        |p: &NavigationProperty| p.name.clone(),
    ) {
        let path = format!("{name}/{nav}");
        match pair {
            (None, Some(nn)) => changes.push(Change::NavigationAdded {
                path,
                type_ref: nn.type_ref.clone(),
            }),
            (Some(_), None) => changes.push(Change::NavigationRemoved { path }),
            (Some(on), Some(nn)) => {
                member(
                    changes,
                    "navigation",
                    path.clone(),
                    (&on.type_ref, on.nullable),
                    (&nn.type_ref, nn.nullable),
                );
                if on.contains_target != nn.contains_target {
                    changes.push(Change::FacetChanged {
                        what: "navigation",
                        path: path.clone(),
                        facet: "ContainsTarget",
                        old: on.contains_target,
                        new: nn.contains_target,
                    });
                }
                let (or, nr) = (
                    is_referenceable(oi, &path, on),
                    is_referenceable(ni, &path, nn),
                );
                if or != nr {
                    changes.push(Change::FacetChanged {
                        what: "navigation",
                        path,
                        facet: "Referenceable",
                        old: or,
                        new: nr,
                    });
                }
            }
            (None, None) => {}
        }
    }
}

/// `Referenceable` from the inline annotation or an out-of-line one targeting `type/nav`.
fn is_referenceable(ix: &Index<'_>, path: &str, nav: &NavigationProperty) -> bool {
    nav.is_referenceable()
        || referenceable(
            &ix.annotations_for(path)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>(),
        )
}

fn member(
    changes: &mut Vec<Change>,
    what: &'static str,
    path: String,
    old: (&TypeRef, bool),
    new: (&TypeRef, bool),
) {
    if old.0 != new.0 {
        changes.push(Change::TypeChanged {
            what,
            path: path.clone(),
            old: old.0.clone(),
            new: new.0.clone(),
        });
    }
    if old.1 != new.1 {
        changes.push(Change::FacetChanged {
            what,
            path,
            facet: "nullable",
            old: old.1,
            new: new.1,
        });
    }
}

fn enums(changes: &mut Vec<Change>, o: &EnumType, n: &EnumType) {
    let name = &o.qualified_name;
    if o.is_flags != n.is_flags {
        changes.push(Change::TypeFacetChanged {
            name: name.clone(),
            facet: "IsFlags",
            old: o.is_flags,
            new: n.is_flags,
        });
    }
    for (m, pair) in pairs(&o.members, &n.members, |m| m.name.clone()) {
        match pair {
            (None, Some(nm)) => changes.push(Change::MemberAdded {
                name: name.clone(),
                member: m,
                value: nm.value,
            }),
            (Some(_), None) => changes.push(Change::MemberRemoved {
                name: name.clone(),
                member: m,
            }),
            (Some(om), Some(nm)) if om.value != nm.value => {
                changes.push(Change::MemberValueChanged {
                    name: name.clone(),
                    member: m,
                    old: om.value,
                    new: nm.value,
                })
            }
            _ => {}
        }
    }
}

/// `ns.name(bindingType)` for bound operations, `ns.name()` otherwise.
fn signature(a: &Action) -> String {
    match a.binding_type() {
        Some(b) => format!("{}({b})", a.qualified_name),
        None => format!("{}()", a.qualified_name),
    }
}

fn operations(changes: &mut Vec<Change>, old: &Document, new: &Document) {
    fn collect(d: &Document) -> Vec<(&'static str, &Action)> {
        d.schemas
            .iter()
            .flat_map(|s| {
                s.actions
                    .iter()
                    .map(|a| ("Action", a))
                    .chain(s.functions.iter().map(|a| ("Function", a)))
            })
            .collect()
    }
    let (o, n) = (collect(old), collect(new));
    let key = |(kind, a): &(&'static str, &Action)| format!("{}{kind}", signature(a));
    for (_, pair) in pairs(&o, &n, key) {
        match pair {
            (None, Some((kind, a))) => changes.push(Change::OperationAdded {
                kind,
                signature: signature(a),
            }),
            (Some((kind, a)), None) => changes.push(Change::OperationRemoved {
                kind,
                signature: signature(a),
            }),
            (Some((_, oa)), Some((_, na))) => operation(changes, oa, na),
            (None, None) => {}
        }
    }
}

fn operation(changes: &mut Vec<Change>, o: &Action, n: &Action) {
    let sig = signature(o);
    let (op, np) = (o.body_parameters(), n.body_parameters());
    for (p, pair) in pairs(op, np, |p: &Parameter| p.name.clone()) {
        let path = format!("{sig}/{p}");
        match pair {
            (None, Some(pn)) => changes.push(Change::ParameterAdded {
                path,
                type_ref: pn.type_ref.clone(),
                nullable: pn.nullable,
            }),
            (Some(_), None) => changes.push(Change::ParameterRemoved { path }),
            (Some(po), Some(pn)) => member(
                changes,
                "parameter",
                path,
                (&po.type_ref, po.nullable),
                (&pn.type_ref, pn.nullable),
            ),
            (None, None) => {}
        }
    }
    let names = |ps: &[Parameter]| ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    let (on, nn) = (names(op), names(np));
    let mut so = on.clone();
    let mut sn = nn.clone();
    so.sort();
    sn.sort();
    if on != nn && so == sn {
        changes.push(Change::ParametersReordered {
            signature: sig.clone(),
        });
    }
    if o.return_type != n.return_type {
        changes.push(Change::ReturnTypeChanged {
            signature: sig,
            old: o.return_type.clone(),
            new: n.return_type.clone(),
        });
    }
}

fn sets(changes: &mut Vec<Change>, old: &Document, new: &Document) {
    fn collect(d: &Document) -> Vec<(&'static str, &EntitySetLike)> {
        d.schemas
            .iter()
            .filter_map(|s| s.container.as_ref())
            .flat_map(|c| {
                c.singletons
                    .iter()
                    .map(|s| ("Singleton", s))
                    .chain(c.entity_sets.iter().map(|s| ("EntitySet", s)))
            })
            .collect()
    }
    let (o, n) = (collect(old), collect(new));
    let mut m: BTreeMap<(&str, &str), Pair<'_, EntitySetLike>> = BTreeMap::new();
    for (k, s) in &o {
        m.entry((&s.name, k)).or_default().0 = Some(s);
    }
    for (k, s) in &n {
        m.entry((&s.name, k)).or_default().1 = Some(s);
    }
    for ((name, kind), pair) in m {
        let kind: &'static str = if kind == "Singleton" {
            "Singleton"
        } else {
            "EntitySet"
        };
        match pair {
            (None, Some(s)) => changes.push(Change::SetAdded {
                kind,
                name: name.into(),
                type_name: s.type_name.clone(),
            }),
            (Some(_), None) => changes.push(Change::SetRemoved {
                kind,
                name: name.into(),
            }),
            (Some(a), Some(b)) if a.type_name != b.type_name => {
                changes.push(Change::SetTypeChanged {
                    kind,
                    name: name.into(),
                    old: a.type_name.clone(),
                    new: b.type_name.clone(),
                })
            }
            _ => {}
        }
    }
}
