//! API connectors and user-flow bindings as code.
//!
//! A configuration file (YAML or JSON, one per tenant and Graph version) says which API connectors a
//! tenant has and which user-flow step calls which of them. This crate reads such a file
//! ([`ConfigFile`], [`model`]), checks it without sending anything and reports every problem with its
//! line and column ([`validate`](mod@validate), [`ConfigErrors`]), compares it with what a tenant has
//! ([`snapshot`]) and computes the [`plan`](mod@plan) that converges the tenant to it; [`export`](mod@export)
//! writes a tenant's state as such a file.
//!
//! Nothing here talks to Graph: reading a tenant into a [`snapshot::Snapshot`] and carrying a plan out
//! belong to the layer above, over the client.

pub mod error;
pub mod export;
pub mod file;
mod json;
pub mod model;
mod node_de;
pub mod plan;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod secret;
pub mod snapshot;
pub mod steps;
mod time;
pub mod validate;
mod yaml;

pub use error::{ConfigError, ConfigErrorKind, ConfigErrors, KeyPath, Position};
pub use export::{ExportTarget, Exported, export};
pub use file::{ConfigFile, Format};
pub use model::Configuration;
pub use plan::{Action, Plan, PlanError, PlanErrors, PlanOptions, plan};
pub use secret::{Environment, FixedEnvironment, ProcessEnvironment};
pub use snapshot::Snapshot;
pub use steps::{ApiVersion, Family, Step};
pub use validate::{DesiredState, load, validate, validate_configuration};
