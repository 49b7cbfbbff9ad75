//! Graph `beta`: bindings generated at build time from `spec/beta/`.
//!
//! The typed operations are [`Graph<Beta>`](crate::Graph) (from
//! [`GraphClient::beta`](crate::GraphClient::beta)), which also has the Azure AD B2C user flows
//! and the `preTokenIssuance` step. [`Client`] is progenitor's generated client; [`types`] holds
//! the Graph types, including the enums tagged by `@odata.type`. [`OPENAPI_JSON`] is the OpenAPI
//! document they were generated from.

#[allow(missing_docs, unused_imports, clippy::all, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/beta.rs"));
}

pub use generated::{Client, builder};

/// The Graph types of `beta`.
pub mod types {
    pub use super::generated::polymorphic::*;
    pub use super::generated::types::*;
}

/// The OpenAPI 3.0.3 document derived from the CSDL spec, as JSON.
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/beta.openapi.json"));
