//! The plan of the External ID sections: what it takes to bring an [`ExternalSnapshot`] to the
//! file's extensions, events flows and listeners, in the order `apply_external` follows.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::snapshot::ExternalSnapshot;
use super::tenant::NEW_FLOW_ATTRIBUTE;
use crate::error::Quoted;
use crate::model::{CustomExtension, ExtensionEvent};
use crate::validate::DesiredState;

/// The changes and what is left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExternalPlan {
    /// The changes, in the order they must be carried out: extensions, then new flows and
    /// listeners, then removed applications, then added applications, attributes, handlers and
    /// listener updates, then deletes.
    pub actions: Vec<ExternalAction>,
    /// What the plan leaves alone, and why.
    pub notes: Vec<String>,
}

impl ExternalPlan {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// One change. Extensions and flows are named by display name; `apply_external` finds their ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum ExternalAction {
    /// Create a custom extension.
    #[serde(rename_all = "camelCase")]
    CreateExtension {
        /// Its display name.
        display_name: String,
        /// Its event.
        event: ExtensionEvent,
    },
    /// Update a custom extension in place.
    #[serde(rename_all = "camelCase")]
    UpdateExtension {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
        /// What changes (`timeoutInMilliseconds 1000 → 2000`, …).
        changes: Vec<String>,
    },
    /// Create an events flow (email with password).
    #[serde(rename_all = "camelCase")]
    CreateEventsFlow {
        /// Its display name.
        display_name: String,
    },
    /// Create a token issuance listener.
    #[serde(rename_all = "camelCase")]
    CreateListener {
        /// The file's name of it.
        name: String,
        /// The extension's display name.
        extension: String,
        /// Its applications.
        include_applications: Vec<String>,
    },
    /// Add an application to an events flow.
    #[serde(rename_all = "camelCase")]
    AddApplication {
        /// The flow's display name.
        flow: String,
        /// The application id.
        app_id: String,
    },
    /// Add a user-flow attribute to a flow's attribute collection.
    #[serde(rename_all = "camelCase")]
    AddAttribute {
        /// The flow's display name.
        flow: String,
        /// The attribute's id.
        attribute: String,
    },
    /// Make a flow's handler call an extension.
    #[serde(rename_all = "camelCase")]
    Attach {
        /// The flow's display name.
        flow: String,
        /// The event.
        event: ExtensionEvent,
        /// The extension's display name.
        extension: String,
    },
    /// Give a flow's event its default behaviour.
    #[serde(rename_all = "camelCase")]
    Detach {
        /// The flow's display name.
        flow: String,
        /// The event.
        event: ExtensionEvent,
        /// The id of the extension it calls now.
        previous: String,
    },
    /// Set a listener's applications.
    #[serde(rename_all = "camelCase")]
    UpdateListener {
        /// Graph's id.
        id: String,
        /// The file's name of it.
        name: String,
        /// The applications it gets.
        include_applications: Vec<String>,
    },
    /// Remove an application from an events flow.
    #[serde(rename_all = "camelCase")]
    RemoveApplication {
        /// The flow's display name.
        flow: String,
        /// The application id.
        app_id: String,
    },
    /// Delete a listener absent from the file (`prune`).
    #[serde(rename_all = "camelCase")]
    DeleteListener {
        /// Graph's id.
        id: String,
    },
    /// Delete an events flow absent from the file (`prune`).
    #[serde(rename_all = "camelCase")]
    DeleteEventsFlow {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
    },
    /// Delete an extension absent from the file (`prune`).
    #[serde(rename_all = "camelCase")]
    DeleteExtension {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
    },
}

impl fmt::Display for ExternalAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateExtension {
                display_name,
                event,
            } => write!(
                f,
                "+ create custom extension {} ({event})",
                Quoted(display_name)
            ),
            Self::UpdateExtension {
                display_name,
                changes,
                ..
            } => write!(
                f,
                "~ update custom extension {}: {}",
                Quoted(display_name),
                changes.join(", ")
            ),
            Self::CreateEventsFlow { display_name } => {
                write!(f, "+ create events flow {}", Quoted(display_name))
            }
            Self::CreateListener {
                name,
                extension,
                include_applications,
            } => write!(
                f,
                "+ create token issuance listener {} calling {} for {}",
                Quoted(name),
                Quoted(extension),
                include_applications.join(", ")
            ),
            Self::AddAttribute { flow, attribute } => write!(
                f,
                "+ collect attribute {attribute} in events flow {}",
                Quoted(flow)
            ),
            Self::AddApplication { flow, app_id } => write!(
                f,
                "+ add application {app_id} to events flow {}",
                Quoted(flow)
            ),
            Self::Attach {
                flow,
                event,
                extension,
            } => write!(
                f,
                "~ attach {} to {event} of events flow {}",
                Quoted(extension),
                Quoted(flow)
            ),
            Self::Detach {
                flow,
                event,
                previous,
            } => write!(
                f,
                "~ detach extension {previous} from {event} of events flow {}",
                Quoted(flow)
            ),
            Self::UpdateListener {
                name,
                include_applications,
                ..
            } => write!(
                f,
                "~ update token issuance listener {}: applications {}",
                Quoted(name),
                include_applications.join(", ")
            ),
            Self::RemoveApplication { flow, app_id } => write!(
                f,
                "- remove application {app_id} from events flow {}",
                Quoted(flow)
            ),
            Self::DeleteListener { id } => write!(f, "- delete listener {id}"),
            Self::DeleteEventsFlow { display_name, .. } => {
                write!(f, "- delete events flow {}", Quoted(display_name))
            }
            Self::DeleteExtension { display_name, .. } => {
                write!(f, "- delete custom extension {}", Quoted(display_name))
            }
        }
    }
}

impl fmt::Display for ExternalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for action in &self.actions {
            writeln!(f, "{action}")?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        if self.actions.is_empty() {
            f.write_str("No External ID changes.")
        } else {
            write!(f, "{} External ID changes.", self.actions.len())
        }
    }
}

fn same_apps(a: &[String], b: &[String]) -> bool {
    let set =
        |x: &[String]| -> BTreeSet<String> { x.iter().map(|s| s.to_ascii_lowercase()).collect() };
    set(a) == set(b)
}

fn extension_changes(
    want: &CustomExtension,
    have: &super::snapshot::ExtensionSnapshot,
) -> Vec<String> {
    let mut changes = Vec::new();
    let show = |v: Option<&str>| v.unwrap_or("(none)").to_owned();
    if have.target_url.as_deref() != Some(want.target_url.as_str()) {
        changes.push(format!(
            "targetUrl {} → {}",
            show(have.target_url.as_deref()),
            want.target_url
        ));
    }
    if !have
        .resource_id
        .as_deref()
        .is_some_and(|r| r.eq_ignore_ascii_case(&want.resource_id))
    {
        changes.push(format!(
            "resourceId {} → {}",
            show(have.resource_id.as_deref()),
            want.resource_id
        ));
    }
    let number = |v: Option<u32>| v.map_or("(default)".to_owned(), |n| n.to_string());
    if let Some(timeout) = want.timeout_in_milliseconds
        && have.timeout_in_milliseconds != Some(timeout)
    {
        changes.push(format!(
            "timeoutInMilliseconds {} → {timeout}",
            number(have.timeout_in_milliseconds)
        ));
    }
    if let Some(retries) = want.maximum_retries
        && have.maximum_retries != Some(retries)
    {
        changes.push(format!(
            "maximumRetries {} → {retries}",
            number(have.maximum_retries)
        ));
    }
    if want.event == ExtensionEvent::OnTokenIssuanceStart && have.claims != want.claims {
        changes.push(format!(
            "claims [{}] → [{}]",
            have.claims.join(", "),
            want.claims.join(", ")
        ));
    }
    changes
}

/// The plan that brings `snapshot` to the External ID sections of `desired`. Sends nothing.
pub fn plan_external(desired: &DesiredState, snapshot: &ExternalSnapshot) -> ExternalPlan {
    let mut creates = Vec::new();
    let mut new_objects = Vec::new();
    let mut links = Vec::new();
    let mut removals = Vec::new();
    let mut deletes = Vec::new();
    let mut notes = Vec::new();

    // Extensions, by display name.
    for (name, want) in &desired.custom_extensions {
        match snapshot.extension(name) {
            None => creates.push(ExternalAction::CreateExtension {
                display_name: name.clone(),
                event: want.event,
            }),
            Some(have) if have.event != Some(want.event) => notes.push(format!(
                "custom extension {} (id {}) is not of type {}; Graph cannot change an extension's type: delete it or rename one of them",
                Quoted(name),
                have.id,
                want.event
            )),
            Some(have) => {
                let changes = extension_changes(want, have);
                if !changes.is_empty() {
                    creates.push(ExternalAction::UpdateExtension {
                        id: have.id.clone(),
                        display_name: name.clone(),
                        changes,
                    });
                }
            }
        }
    }
    let extension_id = |name: &str| snapshot.extension(name).map(|e| e.id.as_str());

    // Events flows, by display name.
    for (name, want) in &desired.events_flows {
        let have = snapshot.events_flow(name);
        if have.is_none() {
            new_objects.push(ExternalAction::CreateEventsFlow {
                display_name: name.clone(),
            });
        }
        let have_apps = have
            .map(|h| h.include_applications.as_slice())
            .unwrap_or(&[]);
        for app in &want.include_applications {
            if !have_apps.iter().any(|a| a.eq_ignore_ascii_case(app)) {
                links.push(ExternalAction::AddApplication {
                    flow: name.clone(),
                    app_id: app.clone(),
                });
            }
        }
        for app in have_apps {
            if !want
                .include_applications
                .iter()
                .any(|a| a.eq_ignore_ascii_case(app))
            {
                removals.push(ExternalAction::RemoveApplication {
                    flow: name.clone(),
                    app_id: app.clone(),
                });
            }
        }
        let have_attributes: Vec<&str> = match have {
            Some(h) => h.attributes.iter().map(String::as_str).collect(),
            None => vec![NEW_FLOW_ATTRIBUTE],
        };
        for attribute in &want.attributes {
            if !have_attributes
                .iter()
                .any(|a| a.eq_ignore_ascii_case(attribute))
            {
                links.push(ExternalAction::AddAttribute {
                    flow: name.clone(),
                    attribute: attribute.clone(),
                });
            }
        }
        if !want.attributes.is_empty() {
            let extra: Vec<&str> = have_attributes
                .iter()
                .copied()
                .filter(|a| !want.attributes.iter().any(|w| w.eq_ignore_ascii_case(a)))
                .collect();
            if !extra.is_empty() {
                notes.push(format!(
                    "events flow {} also collects {}; left alone (remove attributes in the admin center or through Graph)",
                    Quoted(name),
                    extra.join(", ")
                ));
            }
        }
        for event in [
            ExtensionEvent::OnAttributeCollectionStart,
            ExtensionEvent::OnAttributeCollectionSubmit,
        ] {
            let wanted = want.handlers().find(|(e, _)| *e == event).map(|(_, n)| n);
            let current = have.and_then(|h| h.handler(event));
            match (wanted, current) {
                (Some(extension), current) => {
                    if extension_id(extension).is_none_or(|id| Some(id) != current) {
                        links.push(ExternalAction::Attach {
                            flow: name.clone(),
                            event,
                            extension: extension.to_owned(),
                        });
                    }
                }
                (None, Some(previous)) => links.push(ExternalAction::Detach {
                    flow: name.clone(),
                    event,
                    previous: previous.to_owned(),
                }),
                (None, None) => {}
            }
        }
    }

    // Listeners, by the extension they call.
    let mut claimed = BTreeSet::new();
    for (name, want) in &desired.token_issuance_listeners {
        let have = extension_id(&want.extension).and_then(|id| {
            snapshot
                .listeners
                .iter()
                .find(|l| l.is_managed() && l.extension_id.as_deref() == Some(id))
        });
        match have {
            None => new_objects.push(ExternalAction::CreateListener {
                name: name.clone(),
                extension: want.extension.clone(),
                include_applications: want.include_applications.clone(),
            }),
            Some(have) => {
                claimed.insert(have.id.as_str());
                if !same_apps(&have.include_applications, &want.include_applications) {
                    links.push(ExternalAction::UpdateListener {
                        id: have.id.clone(),
                        name: name.clone(),
                        include_applications: want.include_applications.clone(),
                    });
                }
            }
        }
    }

    // What the file does not list.
    for listener in snapshot.listeners.iter().filter(|l| l.is_managed()) {
        if claimed.contains(listener.id.as_str()) {
            continue;
        }
        if desired.prune {
            deletes.push(ExternalAction::DeleteListener {
                id: listener.id.clone(),
            });
        } else {
            notes.push(format!(
                "listener {} is not in the file; left alone (prune: true deletes it)",
                listener.id
            ));
        }
    }
    for flow in &snapshot.events_flows {
        if desired.events_flows.contains_key(&flow.display_name) {
            continue;
        }
        if desired.prune {
            deletes.push(ExternalAction::DeleteEventsFlow {
                id: flow.id.clone(),
                display_name: flow.display_name.clone(),
            });
        } else {
            notes.push(format!(
                "events flow {} is not in the file; left alone (prune: true deletes it)",
                Quoted(&flow.display_name)
            ));
        }
    }
    for extension in &snapshot.extensions {
        if desired
            .custom_extensions
            .contains_key(&extension.display_name)
        {
            continue;
        }
        if desired.prune {
            deletes.push(ExternalAction::DeleteExtension {
                id: extension.id.clone(),
                display_name: extension.display_name.clone(),
            });
        } else {
            notes.push(format!(
                "custom extension {} is not in the file; left alone (prune: true deletes it)",
                Quoted(&extension.display_name)
            ));
        }
    }

    // Removals before additions: an application moving between flows must leave one first.
    let mut actions = creates;
    actions.append(&mut new_objects);
    actions.append(&mut removals);
    actions.append(&mut links);
    actions.append(&mut deletes);
    ExternalPlan { actions, notes }
}
