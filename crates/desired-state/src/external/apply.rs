//! Carrying an [`ExternalPlan`] out, action by action in its order.

use std::collections::BTreeMap;

use super::plan::{ExternalAction, ExternalPlan};
use super::snapshot::ExternalSnapshot;
use super::tenant::ExternalTenant;
use crate::validate::DesiredState;

/// An action failed; the ones before it were done.
#[derive(Debug, thiserror::Error)]
#[error("{action} failed after {done} of {total} changes: {error}")]
pub struct ExternalApplyError {
    /// The actions carried out before.
    pub done: usize,
    /// How many the plan has.
    pub total: usize,
    /// The action that failed, as the plan prints it.
    pub action: String,
    /// Why.
    #[source]
    pub error: entra_api_connectors::Error,
}

/// Carries out `plan`, made from `desired` and `snapshot`, in order; returns how many actions were
/// done. The ids of extensions and flows come from `snapshot` and from what the plan creates.
pub async fn apply_external<T: ExternalTenant>(
    plan: &ExternalPlan,
    desired: &DesiredState,
    snapshot: &ExternalSnapshot,
    tenant: &T,
) -> Result<usize, ExternalApplyError> {
    let mut extensions: BTreeMap<String, String> = snapshot
        .extensions
        .iter()
        .rev()
        .map(|e| (e.display_name.clone(), e.id.clone()))
        .collect();
    let mut flows: BTreeMap<String, String> = snapshot
        .events_flows
        .iter()
        .rev()
        .map(|f| (f.display_name.clone(), f.id.clone()))
        .collect();
    let total = plan.actions.len();
    for (done, action) in plan.actions.iter().enumerate() {
        let fail = |error| ExternalApplyError {
            done,
            total,
            action: action.to_string(),
            error,
        };
        let id = |map: &BTreeMap<String, String>, name: &str| {
            map.get(name).cloned().ok_or_else(|| {
                fail(entra_api_connectors::Error::InvalidInput(format!(
                    "{name:?} has no id: it was neither in the tenant nor created"
                )))
            })
        };
        match action {
            ExternalAction::CreateExtension { display_name, .. } => {
                let extension = &desired.custom_extensions[display_name];
                let created = tenant
                    .create_extension(display_name, extension)
                    .await
                    .map_err(fail)?;
                extensions.insert(display_name.clone(), created);
            }
            ExternalAction::UpdateExtension {
                id, display_name, ..
            } => tenant
                .update_extension(id, &desired.custom_extensions[display_name])
                .await
                .map_err(fail)?,
            ExternalAction::CreateEventsFlow { display_name } => {
                let created = tenant
                    .create_events_flow(display_name)
                    .await
                    .map_err(fail)?;
                flows.insert(display_name.clone(), created);
            }
            ExternalAction::CreateListener {
                extension,
                include_applications,
                ..
            } => {
                let extension_id = id(&extensions, extension)?;
                tenant
                    .create_listener(&extension_id, include_applications)
                    .await
                    .map_err(fail)?;
            }
            ExternalAction::AddApplication { flow, app_id } => {
                let flow_id = id(&flows, flow)?;
                tenant
                    .add_application(&flow_id, app_id)
                    .await
                    .map_err(fail)?;
            }
            ExternalAction::AddAttribute { flow, attribute } => {
                let flow_id = id(&flows, flow)?;
                tenant
                    .add_attribute(&flow_id, attribute)
                    .await
                    .map_err(fail)?;
            }
            ExternalAction::RemoveApplication { flow, app_id } => {
                let flow_id = id(&flows, flow)?;
                tenant
                    .remove_application(&flow_id, app_id)
                    .await
                    .map_err(fail)?;
            }
            ExternalAction::Attach {
                flow,
                event,
                extension,
            } => {
                let flow_id = id(&flows, flow)?;
                let extension_id = id(&extensions, extension)?;
                tenant
                    .attach(&flow_id, *event, &extension_id)
                    .await
                    .map_err(fail)?;
            }
            ExternalAction::Detach { flow, event, .. } => {
                let flow_id = id(&flows, flow)?;
                tenant.detach(&flow_id, *event).await.map_err(fail)?;
            }
            ExternalAction::UpdateListener {
                id,
                include_applications,
                ..
            } => tenant
                .update_listener(id, include_applications)
                .await
                .map_err(fail)?,
            ExternalAction::DeleteListener { id } => {
                tenant.delete_listener(id).await.map_err(fail)?;
            }
            ExternalAction::DeleteEventsFlow { id, .. } => {
                tenant.delete_events_flow(id).await.map_err(fail)?;
            }
            ExternalAction::DeleteExtension { id, .. } => {
                tenant.delete_extension(id).await.map_err(fail)?;
            }
        }
    }
    Ok(total)
}
