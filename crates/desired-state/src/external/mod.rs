//! External ID: the custom authentication extensions, events flows and token issuance listeners of
//! a configuration file, planned and applied against an external tenant through the client's
//! `Graph<V1>` handles.
//!
//! - [`ExternalSnapshot`]: what the tenant has, read by [`ExternalTenant::read_external`].
//! - [`plan_external`]: the [`ExternalPlan`] that brings it to the file's sections.
//! - [`apply_external`]: carries the plan out, in its order.
//! - [`export_external`]: the sections that describe what the tenant has
//!   ([`export_tenant_with_external`] for a whole external tenant).
//!
//! The rules (`docs/graph-behaviour.md` §13):
//! - Extensions and events flows are matched by display name; an extension whose fields differ is
//!   updated in place (`PATCH`); one of another type is left alone with a note, as Graph cannot
//!   change an extension's `@odata.type`.
//! - A listener is matched by the extension its handler names (Graph's listeners have no name the
//!   file could use); its applications are updated in place. Only `onTokenIssuanceStartListener`s
//!   of their own are managed: listeners of other kinds, and those that stand for an events flow's
//!   handler (`authenticationEventsFlowId` set), are left alone.
//! - A flow's applications are added and removed one by one; its handlers are attached or, when
//!   the file names none for an event, detached. Its attributes are added when missing; those it
//!   collects beyond the file's are left alone with a note (removing one loses what users entered).
//! - What the tenant has and the file does not list is deleted only with `prune: true`; otherwise it
//!   is listed as left alone.

mod apply;
mod export;
mod plan;
mod snapshot;
mod tenant;

pub use apply::{ExternalApplyError, apply_external};
pub use export::{ExternalExport, append_external, export_external, export_tenant_with_external};
pub use plan::{ExternalAction, ExternalPlan, plan_external};
pub use snapshot::{EventsFlowSnapshot, ExtensionSnapshot, ExternalSnapshot, ListenerSnapshot};
pub use tenant::{ExternalTenant, NEW_FLOW_ATTRIBUTE, NEW_FLOW_IDENTITY_PROVIDER};
