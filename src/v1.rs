//! Graph `v1.0`: bindings generated at build time from `spec/v1.0/`.
//!
//! The typed operations are [`Graph<V1>`](crate::Graph) (from
//! [`GraphClient::v1`](crate::GraphClient::v1)); Azure AD B2C user flows exist only in
//! [`beta`](crate::beta). [`Client`] is progenitor's generated client; [`types`] holds the
//! Graph types. [`OPENAPI_JSON`] is the OpenAPI document they were generated from.

#[allow(missing_docs, unused_imports, clippy::all, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/v1.rs"));
}

pub use generated::{Client, builder};

/// The Graph types of `v1.0`.
pub mod types {
    pub use super::generated::polymorphic::*;
    pub use super::generated::types::*;
}

/// The OpenAPI 3.0.3 document derived from the CSDL spec, as JSON.
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/v1.openapi.json"));
