//! Cut a fragment out of the full Microsoft Graph CSDL.
//!
//! [`slice()`] keeps the [`Roots`] — navigation properties of a singleton's type (for this repository's spec:
//! `apiConnectors`, `b2xUserFlows`, ... of `identity`) and bound actions or functions (`uploadClientCertificate`),
//! read from a roots file beside the spec ([`ROOTS_FILE`]) — and the transitive closure of the types they
//! reference:
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
//! place of the removal): the singleton type's navigation properties other than the roots, and the ones the
//! roots' `prune` names. The `EntityContainer` keeps only the singleton, without the
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
//!
//! The steps, one module each: `index` (pass 1, the lean index) and `detail` (pass 2, the children of a kept
//! element) over the raw-tag helpers of `xml`; `roots` (the singleton, the roots and the pruned navigation
//! properties); `closure` (the walk from the roots); `emit` (the verbatim output); `provenance` (the comment that
//! starts a fragment).

mod closure;
mod detail;
mod emit;
mod index;
mod provenance;
mod roots;
mod xml;

use crate::error::CsdlError;

pub use provenance::provenance;
pub use roots::{ROOTS_FILE, Roots, RootsError};

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

/// Slice `full` (the text of a Microsoft Graph `$metadata` document) down to the fragment of `roots`.
///
/// The result starts with an XML declaration and `provenance` as an XML comment, and is deterministic: the same
/// input gives the same bytes.
///
/// ```
/// use graph_csdl::slice::{provenance, slice, Roots};
///
/// let roots = Roots::from_json(include_str!("../../../spec/v1.0/slice.json")).unwrap();
/// let fragment = include_str!("../../../spec/v1.0/identity.csdl.xml");
/// let again = slice(fragment, &roots, provenance(fragment).unwrap()).unwrap();
/// assert_eq!(again, fragment);
/// ```
pub fn slice(full: &str, roots: &Roots, provenance: &str) -> Result<String, SliceError> {
    provenance::check_provenance(provenance)?;
    let index = index::Index::build(full)?;
    let kept = closure::Closure::compute(&index, roots)?;
    Ok(emit::write(&index, &kept, provenance))
}
