//! Microsoft Graph CSDL tooling for `entra-api-connectors`.
//!
//! Data flows one way: CSDL text → [`parse`] → [`model::Document`] → [`openapi::convert`] → an
//! OpenAPI 3.0.3 document shaped for progenitor. The same model drives the slicer and the differ
//! (feature `tools`, on by default; the build script does without them).

#![warn(missing_docs)]

#[cfg(feature = "codegen")]
pub mod codegen;
#[cfg(feature = "tools")]
pub mod diff;
pub mod error;
pub mod load;
pub mod model;
pub mod openapi;
mod parse;
pub mod rust;
#[cfg(feature = "tools")]
pub mod slice;

pub use error::{CsdlError, Location};
pub use model::Document;
pub use parse::parse;
