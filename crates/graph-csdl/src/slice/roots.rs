//! The roots of the slice and the navigation properties it cuts off on purpose.

use super::detail::Detail;
use super::index::{Index, Kind};
use super::xml::{attr, structure_error};
use super::{SliceError, Version};

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

/// Where the singleton is: the container holding it, its position among the container's children,
/// and its entity type.
pub(super) struct Singleton<'a> {
    pub(super) container: usize,
    pub(super) child: usize,
    pub(super) container_detail: Detail<'a>,
    pub(super) type_index: usize,
}

/// Find the [`SINGLETON`] in the first `EntityContainer` that has it.
pub(super) fn singleton<'a>(ix: &Index<'a>) -> Result<Singleton<'a>, SliceError> {
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
    let Some((container, child, container_detail)) = found else {
        return Err(SliceError::MissingRoot(format!(
            "no singleton `{SINGLETON}` in any EntityContainer"
        )));
    };
    let singleton = &container_detail.children[child];
    let type_raw = singleton.type_ref.ok_or_else(|| {
        structure_error(
            ix.src,
            singleton.span.start,
            "<Singleton> has no Type attribute",
        )
    })?;
    let type_index = ix
        .lookup(type_raw)
        .filter(|t| ix.elems[*t].kind == Kind::Entity)
        .ok_or_else(|| {
            structure_error(
                ix.src,
                singleton.span.start,
                format!(
                    "the type `{type_raw}` of singleton `{SINGLETON}` is not a defined EntityType"
                ),
            )
        })?;
    Ok(Singleton {
        container,
        child,
        container_detail,
        type_index,
    })
}

/// The [`ROOT_NAVIGATIONS`] present on the singleton's type or one of its base types; a missing
/// one that `version` requires is an error.
pub(super) fn navigations<'a>(
    ix: &Index<'a>,
    singleton_type: usize,
    version: Version,
) -> Result<Vec<&'a str>, SliceError> {
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
    Ok(roots)
}

/// Whether element `i` is an overload of [`ROOT_ACTION`], bound to a type for which `in_slice` holds.
pub(super) fn is_root_action(
    ix: &Index<'_>,
    i: usize,
    in_slice: impl Fn(usize) -> bool,
) -> Result<bool, SliceError> {
    let el = &ix.elems[i];
    if el.kind != Kind::Action || el.name != ROOT_ACTION {
        return Ok(false);
    }
    let d = ix.detail(i)?;
    let bound = attr(&ix.src[d.start_tag.clone()], "IsBound") == Some("true");
    let binding = d
        .children
        .iter()
        .find(|c| c.local == "Parameter")
        .and_then(|p| p.type_ref);
    let in_slice = binding.and_then(|b| ix.lookup(b)).is_some_and(in_slice);
    Ok(bound && in_slice)
}

/// The error when no overload of [`ROOT_ACTION`] is bound to a type of the slice.
pub(super) fn missing_action() -> SliceError {
    SliceError::MissingRoot(format!(
        "no bound action `{ROOT_ACTION}` whose binding parameter is a type of the slice"
    ))
}

/// Whether the navigation property `name` of the type `qualified` is in [`PRUNED_NAVIGATIONS`].
pub(super) fn is_pruned(qualified: &str, name: &str) -> bool {
    PRUNED_NAVIGATIONS
        .iter()
        .any(|(t, n)| *t == qualified && *n == name)
}
