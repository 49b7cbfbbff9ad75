//! Typed, fast and safe management of API connectors in Microsoft Entra External ID and
//! Azure AD B2C through Microsoft Graph.

#![warn(missing_docs)]

pub mod auth;
#[cfg(feature = "beta")]
pub mod beta;
pub mod certificate;
mod client;
pub mod cloud;
pub mod connectors;
pub mod contract;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod odata;
pub mod paging;
pub mod retry;
#[cfg(feature = "schema")]
pub mod schema;
mod secret;
pub mod transport;
mod user_flows;
#[cfg(feature = "v1")]
pub mod v1;

pub use client::{ApiVersion, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES, GraphClient, GraphClientBuilder};
pub use cloud::Cloud;
pub use error::{Error, GraphError, Result};
pub use secret::Secret;
