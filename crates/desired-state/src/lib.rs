//! API connectors and user-flow bindings as code.
//!
//! A configuration file (YAML or JSON, one per tenant and Graph version) says which API connectors a
//! tenant has and which user-flow step calls which of them. This crate reads such a file
//! ([`ConfigFile`], [`model`]), checks it without sending anything and reports every problem with its
//! line and column ([`validate`](mod@validate), [`ConfigErrors`]), compares it with what a tenant has
//! ([`snapshot`]) and computes the [`plan`](mod@plan) that converges the tenant to it; [`export`](mod@export)
//! writes a tenant's state as such a file.
//!
//! Validation and planning send nothing. The [`Tenant`] trait is what talks to Graph ([`GraphTenant`]
//! over the client's `Graph<V>`): [`read_tenant`] checks that the credential is for the file's tenant
//! ([`check_tenant`]) and reads a [`Snapshot`]; [`apply`](mod@apply) carries a plan out, phase by
//! phase ([`plan::Phase`]), with bounded concurrency and a typed report; [`export::export_tenant`]
//! writes what a tenant has. A plan holds no secret; `apply` takes the passwords and `.pfx` files from
//! the [`DesiredState`] the plan was made from, by connector name.
//!
//! ```
//! use entra_api_connectors_desired_state::{
//!     ConfigFile, FixedEnvironment, Format, PlanOptions, Snapshot, plan, validate,
//! };
//!
//! let text = "\
//! tenant: contoso.onmicrosoft.com
//! apiVersion: beta
//! connectors:
//!   Validate postal code:
//!     targetUrl: https://api.contoso.com/validate
//!     authentication:
//!       basic: {username: b2c, password: {env: POSTAL_PASSWORD}}
//! ";
//! let file = ConfigFile::parse(text, Format::Yaml, Some("tenant.yaml".as_ref()), ".")?;
//!
//! // Without the variable, nothing is planned and the error says where.
//! let errors = validate(&file, &FixedEnvironment::new(0)).unwrap_err();
//! assert_eq!(
//!     errors.to_string(),
//!     "tenant.yaml:7:40: environment variable POSTAL_PASSWORD is not set \
//!      (at connectors.\"Validate postal code\".authentication.basic.password)"
//! );
//!
//! let environment = FixedEnvironment::new(0).with_variable("POSTAL_PASSWORD", "s3cret");
//! let desired = validate(&file, &environment)?;
//! let plan = plan(&desired, &Snapshot::default(), PlanOptions::new(0))?;
//! assert_eq!(
//!     plan.to_string(),
//!     "+ create connector \"Validate postal code\" (https://api.contoso.com/validate, basic user b2c; password sent)\n\
//!      1 changes: 1 to connectors, 0 to bindings, 0 deletes."
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apply;
pub mod error;
pub mod export;
pub mod external;
pub mod file;
mod json;
pub mod migrate;
pub mod model;
mod node_de;
pub mod plan;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod secret;
pub mod snapshot;
pub mod steps;
pub mod tenant;
pub mod tenant_check;
mod time;
pub mod validate;
pub mod write;
mod yaml;

pub use apply::{ApplyError, ApplyOptions, ApplyReport, DEFAULT_CONCURRENCY, Outcome, apply};
pub use error::{ConfigError, ConfigErrorKind, ConfigErrors, KeyPath, Position};
pub use export::{ExportTarget, Exported, export};
pub use file::{ConfigFile, Format};
pub use migrate::{MigrateError, MigrateOptions, Migration, Note, NoteKind, migrate};
pub use model::Configuration;
pub use plan::{Action, Plan, PlanError, PlanErrors, PlanOptions, plan};
pub use secret::{Environment, FixedEnvironment, ProcessEnvironment};
pub use snapshot::Snapshot;
pub use steps::{ApiVersion, Family, Step};
pub use tenant::{GraphTenant, Tenant, read_snapshot};
pub use tenant_check::{TenantError, check_tenant, plan_tenant, read_tenant};
pub use validate::{DesiredState, load, validate, validate_configuration};
