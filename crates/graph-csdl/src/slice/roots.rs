//! The roots of a slice, read from a roots file, and how they are found in the metadata.
//!
//! A roots file is a JSON object (the crate's README documents it):
//!
//! ```json
//! {
//!   "singleton": "identity",
//!   "navigationProperties": ["apiConnectors", "b2xUserFlows"],
//!   "optionalNavigationProperties": ["b2cUserFlows"],
//!   "boundOperations": ["uploadClientCertificate"],
//!   "prune": {
//!     "microsoft.graph.b2xIdentityUserFlow/userFlowIdentityProviders": "why it is cut off"
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::SliceError;
use super::detail::Detail;
use super::index::{Index, Kind};
use super::xml::{attr, structure_error};

/// The file name of the roots file that sits beside a version's spec (`spec/<version>/slice.json`).
pub const ROOTS_FILE: &str = "slice.json";

/// What a slice keeps: the roots and the navigation properties cut off on purpose.
///
/// Read it from a roots file with [`Roots::read`] or from its text with [`Roots::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Roots {
    /// A free-text note about the file; ignored.
    #[serde(default, rename = "$comment")]
    pub comment: Option<String>,
    /// The singleton of the `EntityContainer` the slice starts from, e.g. `identity`. The container
    /// keeps only it.
    pub singleton: String,
    /// Navigation properties of the singleton's type (or of a base type of it) that start the
    /// slice; each must exist. The type's other navigation properties are pruned.
    #[serde(default)]
    pub navigation_properties: Vec<String>,
    /// Navigation properties that start the slice when the metadata has them.
    #[serde(default)]
    pub optional_navigation_properties: Vec<String>,
    /// Names of bound actions and functions to keep: every overload whose binding parameter is a
    /// type of the slice or a collection of one. Each name must have at least one such overload.
    #[serde(default)]
    pub bound_operations: Vec<String>,
    /// Navigation properties cut off although their target is reachable, as
    /// `namespace.type/navigationProperty`, each with the reason.
    #[serde(default)]
    pub prune: BTreeMap<String, String>,
}

/// Why a roots file could not be used. `Display` starts with the file's path when there is one.
#[derive(Debug, thiserror::Error)]
pub enum RootsError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a roots document: malformed JSON, an unknown field or a value of the wrong type.
    #[error(
        "{}invalid roots file at line {line}, column {column}: {message}",
        prefix(path)
    )]
    Json {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// Well-formed, but a value is unusable (an empty name, a prune entry without `/`, a name
    /// listed twice).
    #[error("{}invalid roots: {message}", prefix(path))]
    Invalid {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
}

fn prefix(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

impl RootsError {
    fn in_file(self, file: &Path) -> RootsError {
        match self {
            RootsError::Json {
                line,
                column,
                message,
                ..
            } => RootsError::Json {
                path: Some(file.to_path_buf()),
                line,
                column,
                message,
            },
            RootsError::Invalid { message, .. } => RootsError::Invalid {
                path: Some(file.to_path_buf()),
                message,
            },
            io => io,
        }
    }
}

impl Roots {
    /// Parse and check the text of a roots file.
    pub fn from_json(text: &str) -> Result<Roots, RootsError> {
        let roots: Roots = serde_json::from_str(text).map_err(|e| RootsError::Json {
            path: None,
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        roots.check()?;
        Ok(roots)
    }

    /// Read and check a roots file.
    pub fn read(path: &Path) -> Result<Roots, RootsError> {
        let text = std::fs::read_to_string(path).map_err(|source| RootsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Roots::from_json(&text).map_err(|e| e.in_file(path))
    }

    /// Whether the navigation property `name` of the type `qualified` is to be cut off.
    pub fn prunes(&self, qualified: &str, name: &str) -> bool {
        self.prune.keys().any(|k| {
            k.split_once('/')
                .is_some_and(|(t, n)| t == qualified && n == name)
        })
    }

    fn check(&self) -> Result<(), RootsError> {
        let invalid = |message: String| RootsError::Invalid {
            path: None,
            message,
        };
        if self.singleton.trim().is_empty() {
            return Err(invalid("`singleton` is empty".into()));
        }
        let mut seen = Vec::new();
        for (field, names) in [
            ("navigationProperties", &self.navigation_properties),
            (
                "optionalNavigationProperties",
                &self.optional_navigation_properties,
            ),
            ("boundOperations", &self.bound_operations),
        ] {
            for name in names {
                if name.trim().is_empty() {
                    return Err(invalid(format!("`{field}` holds an empty name")));
                }
                let key = (field == "boundOperations", name.as_str());
                if seen.contains(&key) {
                    return Err(invalid(format!("`{name}` is listed twice")));
                }
                seen.push(key);
            }
        }
        for key in self.prune.keys() {
            let well_formed = key
                .split_once('/')
                .is_some_and(|(t, n)| t.contains('.') && !n.is_empty() && !n.contains('/'));
            if !well_formed {
                return Err(invalid(format!(
                    "`prune` entry `{key}` is not `namespace.type/navigationProperty`"
                )));
            }
        }
        Ok(())
    }
}

/// Where the singleton is: the container holding it, its position among the container's children,
/// and its entity type.
pub(super) struct Singleton<'a> {
    pub(super) container: usize,
    pub(super) child: usize,
    pub(super) container_detail: Detail<'a>,
    pub(super) type_index: usize,
}

/// Find the singleton in the first `EntityContainer` that has it.
pub(super) fn singleton<'a>(ix: &Index<'a>, roots: &Roots) -> Result<Singleton<'a>, SliceError> {
    let name = roots.singleton.as_str();
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
            .position(|c| c.local == "Singleton" && c.name == Some(name))
        {
            found = Some((i, c, d));
            break;
        }
    }
    let Some((container, child, container_detail)) = found else {
        return Err(SliceError::MissingRoot(format!(
            "no singleton `{name}` in any EntityContainer"
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
                format!("the type `{type_raw}` of singleton `{name}` is not a defined EntityType"),
            )
        })?;
    Ok(Singleton {
        container,
        child,
        container_detail,
        type_index,
    })
}

/// The root navigation properties present on the singleton's type or one of its base types, as
/// they are named in the source; a missing required one is an error.
pub(super) fn navigations<'a>(
    ix: &Index<'a>,
    roots: &Roots,
    singleton_type: usize,
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
    let required = roots.navigation_properties.iter().map(|n| (n, true));
    let optional = roots
        .optional_navigation_properties
        .iter()
        .map(|n| (n, false));
    let mut found = Vec::new();
    for (nav, required) in required.chain(optional) {
        let present = chain_details.iter().find_map(|d| {
            d.children
                .iter()
                .find(|c| c.local == "NavigationProperty" && c.name == Some(nav.as_str()))
                .and_then(|c| c.name)
        });
        match present {
            Some(name) => found.push(name),
            None if required => {
                return Err(SliceError::MissingRoot(format!(
                    "no navigation property `{nav}` on the `{}` singleton's type `{}`",
                    roots.singleton,
                    ix.qualified(singleton_type)
                )));
            }
            None => {}
        }
    }
    Ok(found)
}

/// Whether element `i` is an overload of one of the roots' bound operations (an action or a
/// function), bound to a type for which `in_slice` holds (or a collection of one). Returns the
/// operation's name when it is.
pub(super) fn root_operation<'r>(
    ix: &Index<'_>,
    roots: &'r Roots,
    i: usize,
    in_slice: impl Fn(usize) -> bool,
) -> Result<Option<&'r str>, SliceError> {
    let el = &ix.elems[i];
    if !matches!(el.kind, Kind::Action | Kind::Function) {
        return Ok(None);
    }
    let Some(name) = roots.bound_operations.iter().find(|n| *n == el.name) else {
        return Ok(None);
    };
    let d = ix.detail(i)?;
    let bound = attr(&ix.src[d.start_tag.clone()], "IsBound") == Some("true");
    let binding = d
        .children
        .iter()
        .find(|c| c.local == "Parameter")
        .and_then(|p| p.type_ref);
    let in_slice = binding.and_then(|b| ix.lookup(b)).is_some_and(in_slice);
    Ok((bound && in_slice).then_some(name.as_str()))
}

/// The error when a bound operation of the roots has no overload bound to a type of the slice.
pub(super) fn missing_operation(name: &str) -> SliceError {
    SliceError::MissingRoot(format!(
        "no bound action `{name}` whose binding parameter is a type of the slice"
    ))
}
