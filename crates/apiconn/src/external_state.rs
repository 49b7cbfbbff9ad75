//! The External ID sections of a configuration file (`customAuthenticationExtensions`,
//! `eventsFlows`, `tokenIssuanceListeners`) in `apiconn plan` and `apiconn apply`: read, planned
//! and applied through `entra_api_connectors_desired_state::external`, after the connectors and
//! user flows (which also check the tenant), on the Graph versions that have them (v1.0).

use std::fmt;

use entra_api_connectors::{Beta, V1};
use entra_api_connectors_desired_state::external::{
    ExternalAction, ExternalApplyError, ExternalPlan, ExternalSnapshot, ExternalTenant as _,
    apply_external, plan_external,
};
use entra_api_connectors_desired_state::{ApplyReport, DesiredState, GraphTenant, Plan};
use serde::Serialize;

use crate::Failure;
use crate::hints::{self, Operation};

/// A tenant handle that can plan and apply the External ID sections, or knows it has none.
pub trait ExternalSections {
    /// Reads the tenant's extensions, events flows and listeners and plans the file's sections;
    /// `None` when the file has none.
    fn plan_external_sections(
        &self,
        desired: &DesiredState,
    ) -> impl Future<Output = Result<Option<ExternalPart>, Failure>> + Send;

    /// Carries out `part`; returns how many changes were made, or which one failed.
    fn apply_external_sections(
        &self,
        desired: &DesiredState,
        part: &ExternalPart,
    ) -> impl Future<Output = Result<usize, ExternalApplyError>> + Send;
}

/// The operation an External ID action is, for the 403 hint.
fn operation(action: &ExternalAction) -> Operation {
    match action {
        ExternalAction::CreateExtension { .. }
        | ExternalAction::UpdateExtension { .. }
        | ExternalAction::DeleteExtension { .. } => Operation::WriteExtensions,
        ExternalAction::CreateListener { .. }
        | ExternalAction::UpdateListener { .. }
        | ExternalAction::DeleteListener { .. } => Operation::WriteListeners,
        _ => Operation::WriteEventsFlows,
    }
}

/// The failure of an External ID apply, with the permission hint when Graph answered 403.
pub fn apply_failure(part: &ExternalPart, e: ExternalApplyError) -> Failure {
    let done = e.done;
    let what = e.to_string();
    let op = part.plan.actions.get(done).map(operation);
    let failure = match op {
        Some(op) => hints::failure(op, None, e.error),
        None => Failure::Runtime(e.error.to_string()),
    };
    let context = format!("External ID: {what}; run plan again to see what is left");
    match failure {
        Failure::Advised { hint, .. } => Failure::Advised {
            message: context,
            hint,
        },
        _ => Failure::Runtime(context),
    }
}

/// The External ID plan and the snapshot it was made from (apply needs the snapshot's ids).
#[derive(Debug)]
pub struct ExternalPart {
    /// What the tenant had.
    pub snapshot: ExternalSnapshot,
    /// What apply does.
    pub plan: ExternalPlan,
}

/// Graph beta has no custom extensions: the file's validation refuses the sections there.
impl ExternalSections for GraphTenant<Beta> {
    async fn plan_external_sections(
        &self,
        _desired: &DesiredState,
    ) -> Result<Option<ExternalPart>, Failure> {
        Ok(None)
    }

    async fn apply_external_sections(
        &self,
        _desired: &DesiredState,
        _part: &ExternalPart,
    ) -> Result<usize, ExternalApplyError> {
        Ok(0)
    }
}

impl ExternalSections for GraphTenant<V1> {
    async fn plan_external_sections(
        &self,
        desired: &DesiredState,
    ) -> Result<Option<ExternalPart>, Failure> {
        if !desired.has_external_id() {
            return Ok(None);
        }
        let snapshot = self.read_external().await.map_err(|e| {
            let message =
                format!("cannot read the custom extensions, events flows and listeners: {e}");
            if e.status() == Some(403) {
                Failure::Advised {
                    message,
                    hint: format!(
                        "reading them needs the Microsoft Graph permissions {} and {}",
                        Operation::ReadExtensions.permission(),
                        Operation::ReadListeners.permission()
                    ),
                }
            } else {
                Failure::Runtime(message)
            }
        })?;
        let plan = plan_external(desired, &snapshot);
        Ok(Some(ExternalPart { snapshot, plan }))
    }

    async fn apply_external_sections(
        &self,
        desired: &DesiredState,
        part: &ExternalPart,
    ) -> Result<usize, ExternalApplyError> {
        apply_external(&part.plan, desired, &part.snapshot, self).await
    }
}

/// What `plan` prints: the connectors' plan and, for a file with External ID sections, theirs.
/// As data: the connector plan's `actions` and `notes`, and `externalId` with its own.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantPlan<'a> {
    /// Connectors and user-flow bindings.
    #[serde(flatten)]
    pub connectors: &'a Plan,
    /// Custom extensions, events flows and listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<&'a ExternalPlan>,
}

impl TenantPlan<'_> {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.external_id.is_none_or(ExternalPlan::is_empty)
    }

    /// How many changes, both parts.
    pub fn len(&self) -> usize {
        self.connectors.actions.len() + self.external_id.map_or(0, |p| p.actions.len())
    }
}

impl fmt::Display for TenantPlan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.external_id {
            None => write!(f, "{}", self.connectors),
            Some(external) => {
                if self.connectors.is_empty() {
                    // Its notes, without its "No changes." (a file of External ID sections only
                    // has none); nothing to do at all is "No changes.".
                    for note in &self.connectors.notes {
                        writeln!(f, "{note}")?;
                    }
                    if external.is_empty() {
                        for note in &external.notes {
                            writeln!(f, "  note: {note}")?;
                        }
                        return f.write_str("No changes.");
                    }
                } else {
                    writeln!(f, "{}", self.connectors)?;
                }
                write!(f, "{external}")
            }
        }
    }
}

/// What `apply` did: the connectors' report and the External ID changes made.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantReport<'a> {
    /// Connectors and user-flow bindings.
    #[serde(flatten)]
    pub connectors: &'a ApplyReport,
    /// The External ID changes made, in order (the first failure stops apply: those before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id_done: Option<&'a [ExternalAction]>,
}

impl fmt::Display for TenantReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.external_id_done {
            None => write!(f, "{}", self.connectors),
            Some(done) => {
                if !self.connectors.actions.is_empty() {
                    writeln!(f, "{}", self.connectors)?;
                }
                for action in done {
                    writeln!(f, "done: {action}")?;
                }
                write!(f, "{} External ID changes done.", done.len())
            }
        }
    }
}
