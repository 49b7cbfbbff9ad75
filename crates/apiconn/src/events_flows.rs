//! `apiconn flows events ...`: the authentication events flows of an External ID external tenant
//! (`/identity/authenticationEventsFlows`, Graph v1.0): list, get, create, delete, the custom
//! extension the attribute-collection start or submit step calls, and the applications a flow
//! applies to. Flows and extensions are named by id or display name.

use clap::{Subcommand, ValueEnum};
use entra_api_connectors::Graph;
use entra_api_connectors::connectors::ListOptions;
use entra_api_connectors::events_flows::{FLOW_TYPE, FlowStep};
use entra_api_connectors::extensibility::Extensibility;
use serde_json::{Map, Value, json};

use crate::cli::{DryRun, Global};
use crate::extensions::{self, EXTENSION};
use crate::hints::{self, Operation};
use crate::names::{self, Candidate, Kind};
use crate::output::{self, Progress};
use crate::{Failure, Outcome, dry_run, target};

/// Events flows, for name resolution.
pub const EVENTS_FLOW: Kind = Kind {
    noun: "events flow",
    plural: "events flows",
    list: "apiconn flows events list",
};

/// A step of an events flow that calls a custom extension (`--step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StepArg {
    /// onAttributeCollectionStart: before the attribute page is shown
    #[value(name = "start", alias = "onAttributeCollectionStart")]
    Start,
    /// onAttributeCollectionSubmit: when the user submits the attribute page
    #[value(name = "submit", alias = "onAttributeCollectionSubmit")]
    Submit,
}

impl StepArg {
    fn step(self) -> FlowStep {
        match self {
            StepArg::Start => FlowStep::AttributeCollectionStart,
            StepArg::Submit => FlowStep::AttributeCollectionSubmit,
        }
    }
}

/// `apiconn flows events ...`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List the events flows (every page).
    List,
    /// Show one events flow.
    Get {
        /// Flow id or display name.
        flow: String,
    },
    /// Create a self-service sign-up events flow (externalUsersSelfServiceSignUpEventsFlow) that
    /// allows sign-up, with its identity providers.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// An application (its appId, the client id) the flow applies to; repeat it.
        #[arg(long = "app", value_name = "APP_ID")]
        apps: Vec<String>,
        /// An identity provider users sign up with (`onAuthenticationMethodLoadStart`, at least
        /// one), e.g. EmailPassword-OAUTH, EmailOtpSignup-OAUTH; repeat it.
        #[arg(
            long = "identity-provider",
            value_name = "ID",
            default_value = "EmailPassword-OAUTH"
        )]
        identity_providers: Vec<String>,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Delete an events flow.
    Delete {
        /// Flow id or display name.
        flow: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Make the attribute-collection start or submit step call a custom extension of its type.
    Attach {
        /// Flow id or display name.
        flow: String,
        /// The step.
        #[arg(long, value_enum)]
        step: StepArg,
        /// Custom extension id or display name.
        #[arg(long)]
        extension: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Make the attribute-collection start or submit step call no custom extension.
    Detach {
        /// Flow id or display name.
        flow: String,
        /// The step.
        #[arg(long, value_enum)]
        step: StepArg,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Apply the flow to an application too (includeApplications).
    AddApp {
        /// Flow id or display name.
        flow: String,
        /// The application's appId (client id).
        #[arg(long = "app", value_name = "APP_ID")]
        app: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Stop applying the flow to an application.
    RemoveApp {
        /// Flow id or display name.
        flow: String,
        /// The application's appId (client id).
        #[arg(long = "app", value_name = "APP_ID")]
        app: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
}

impl EventsCommand {
    fn dry(&self) -> bool {
        match self {
            EventsCommand::List | EventsCommand::Get { .. } => false,
            EventsCommand::Create { dry_run, .. }
            | EventsCommand::Delete { dry_run, .. }
            | EventsCommand::Attach { dry_run, .. }
            | EventsCommand::Detach { dry_run, .. }
            | EventsCommand::AddApp { dry_run, .. }
            | EventsCommand::RemoveApp { dry_run, .. } => dry_run.dry_run,
        }
    }
}

/// Run an events-flows command.
pub async fn run(global: &Global, command: EventsCommand) -> Outcome {
    extensions::require_v1(global, "authentication events flows")?;
    let dry = command.dry();
    let client = if dry {
        target::offline_client(global)?
    } else {
        target::client(global)?
    };
    run_on(client.v1(), command, global, dry).await
}

fn text(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The extension id a flow's step calls, or `-`.
fn step_extension(flow: &Value, step: FlowStep) -> String {
    let id = text(flow, &format!("/{}/customExtension/id", step.property()));
    if id.is_empty() { "-".into() } else { id }
}

/// The app ids of `includeApplications`, when the response lists them.
fn applications(flow: &Value) -> String {
    flow.pointer("/conditions/applications/includeApplications")
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .map(|a| text(a, "/appId"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn table(flows: &[Value]) -> String {
    let rows = flows
        .iter()
        .map(|f| {
            vec![
                text(f, "/id"),
                text(f, "/displayName"),
                applications(f),
                step_extension(f, FlowStep::AttributeCollectionStart),
                step_extension(f, FlowStep::AttributeCollectionSubmit),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "DISPLAY NAME",
            "APPLICATIONS",
            "START EXTENSION",
            "SUBMIT EXTENSION",
        ],
        rows,
    )
}

fn candidate(flow: &Value) -> Candidate {
    Candidate {
        id: text(flow, "/id"),
        name: text(flow, "/displayName"),
        detail: applications(flow),
    }
}

async fn list_all<V: Extensibility>(graph: &Graph<V>) -> Result<Vec<Value>, Failure> {
    let all = graph
        .events_flows()
        .list_all(ListOptions::default())
        .await
        .map_err(|e| hints::failure(Operation::ReadEventsFlows, None, e))?;
    all.iter().map(output::to_json).collect()
}

/// The flow `reference` names (id or display name), as JSON.
async fn resolve<V: Extensibility>(graph: &Graph<V>, reference: &str) -> Result<Value, Failure> {
    let flows = graph.events_flows();
    names::resolve_by(
        &EVENTS_FLOW,
        reference,
        Operation::ReadEventsFlows,
        || async {
            let flow = flows.get(reference).await?;
            serde_json::to_value(&flow)
                .map_err(|e| entra_api_connectors::Error::InvalidInput(e.to_string()))
        },
        || list_all(graph),
        candidate,
    )
    .await
}

/// The flow's id: the argument in a dry run (which must be an id), resolved otherwise.
async fn flow_id<V: Extensibility>(
    graph: &Graph<V>,
    reference: &str,
    dry: bool,
) -> Result<(String, Option<Value>), Failure> {
    if dry {
        return Ok((
            dry_run::object_id(&EVENTS_FLOW, reference)?.to_owned(),
            None,
        ));
    }
    let flow = resolve(graph, reference).await?;
    Ok((text(&flow, "/id"), Some(flow)))
}

/// The body of a new flow: the one concrete type, a display name, the two handlers the resource
/// page marks "Required" (`onInteractiveAuthFlowStart` allowing sign-up, and
/// `onAuthenticationMethodLoadStart` with at least one identity provider), and the applications.
fn new_flow(
    name: String,
    description: Option<String>,
    apps: &[String],
    identity_providers: &[String],
) -> Value {
    let mut body = Map::new();
    body.insert("@odata.type".into(), FLOW_TYPE.into());
    body.insert("displayName".into(), name.into());
    if let Some(d) = description {
        body.insert("description".into(), d.into());
    }
    body.insert(
        "onInteractiveAuthFlowStart".into(),
        json!({
            "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "isSignUpAllowed": true,
        }),
    );
    let providers: Vec<Value> = identity_providers
        .iter()
        .map(|id| json!({ "id": id }))
        .collect();
    body.insert(
        "onAuthenticationMethodLoadStart".into(),
        json!({
            "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            "identityProviders": providers,
        }),
    );
    if !apps.is_empty() {
        let apps: Vec<Value> = apps.iter().map(|a| json!({ "appId": a })).collect();
        body.insert(
            "conditions".into(),
            json!({ "applications": { "includeApplications": apps } }),
        );
    }
    Value::Object(body)
}

async fn run_on<V: Extensibility>(
    graph: Graph<V>,
    command: EventsCommand,
    global: &Global,
    dry: bool,
) -> Outcome {
    let format = global.format();
    let flows = graph.events_flows();
    let write = |e| hints::failure(Operation::WriteEventsFlows, None, e);
    match command {
        EventsCommand::List => {
            let mut progress = Progress::new("events flows");
            let all = list_all(&graph).await?;
            for _ in &all {
                progress.tick();
            }
            progress.finish();
            output::emit(format, &all, || table(&all))
        }
        EventsCommand::Get { flow } => {
            let flow = resolve(&graph, &flow).await?;
            output::emit(format, &flow, || table(std::slice::from_ref(&flow)))
        }
        EventsCommand::Create {
            name,
            description,
            apps,
            identity_providers,
            dry_run: _,
        } => {
            for app in &apps {
                entra_api_connectors::events_flows::validate_app_id(app)?;
            }
            if identity_providers.iter().any(|p| p.trim().is_empty()) {
                return Err(Failure::Usage("an identity provider id is empty".into()));
            }
            let body = new_flow(name, description, &apps, &identity_providers);
            let body: V::EventsFlow = serde_json::from_value(body)
                .map_err(|e| Failure::Runtime(format!("invalid input: {e}")))?;
            if dry {
                return dry_run::emit(global, &[flows.preview_create(&body)?]);
            }
            let created = output::to_json(&flows.create(&body).await.map_err(write)?)?;
            output::emit(format, &created, || table(std::slice::from_ref(&created)))
        }
        EventsCommand::Delete { flow, dry_run: _ } => {
            let (id, stored) = flow_id(&graph, &flow, dry).await?;
            if dry {
                return dry_run::emit(global, &[flows.preview_delete(&id)?]);
            }
            flows.delete(&id).await.map_err(write)?;
            let result = json!({
                "id": id,
                "displayName": stored.as_ref().and_then(|f| f.get("displayName")),
                "deleted": true,
            });
            output::emit(format, &result, || format!("deleted events flow {id}\n"))
        }
        EventsCommand::Attach {
            flow,
            step,
            extension,
            dry_run: _,
        } => {
            let step = step.step();
            if dry {
                let id = dry_run::object_id(&EVENTS_FLOW, &flow)?;
                let ext = dry_run::object_id(&EXTENSION, &extension)?;
                return dry_run::emit(global, &[flows.preview_attach_extension(id, step, ext)?]);
            }
            let (id, _) = flow_id(&graph, &flow, false).await?;
            let resolved = extensions::resolve(&graph, &extension).await?;
            // Graph refuses an extension of another type (400); say so before sending.
            if extensions::kind_of(&resolved) != Some(step.kind()) {
                return Err(Failure::Runtime(format!(
                    "invalid input: the {} step calls a {}; '{}' is a {}",
                    step.property(),
                    step.kind().extension_type(),
                    text(&resolved, "/displayName"),
                    text(&resolved, "/@odata.type"),
                )));
            }
            let ext = extensions::id(&resolved);
            flows
                .attach_extension(&id, step, &ext)
                .await
                .map_err(write)?;
            let result = json!({
                "flow": id,
                "step": step.property(),
                "extension": ext,
                "extensionDisplayName": resolved.get("displayName"),
                "attached": true,
            });
            output::emit(format, &result, || {
                format!(
                    "{id}: {} now calls custom extension {ext}\n",
                    step.property()
                )
            })
        }
        EventsCommand::Detach {
            flow,
            step,
            dry_run: _,
        } => {
            let step = step.step();
            let (id, _) = flow_id(&graph, &flow, dry).await?;
            if dry {
                return dry_run::emit(global, &[flows.preview_detach(&id, step)?]);
            }
            flows.detach(&id, step).await.map_err(write)?;
            let result = json!({
                "flow": id,
                "step": step.property(),
                "extension": Value::Null,
                "detached": true,
            });
            output::emit(format, &result, || {
                format!("{id}: {} calls no custom extension\n", step.property())
            })
        }
        EventsCommand::AddApp {
            flow,
            app,
            dry_run: _,
        } => {
            entra_api_connectors::events_flows::validate_app_id(&app)?;
            let (id, _) = flow_id(&graph, &flow, dry).await?;
            if dry {
                return dry_run::emit(global, &[flows.preview_add_application(&id, &app)?]);
            }
            flows.add_application(&id, &app).await.map_err(write)?;
            let result = json!({ "flow": id, "appId": app, "added": true });
            output::emit(format, &result, || {
                format!("{id}: applies to application {app}\n")
            })
        }
        EventsCommand::RemoveApp {
            flow,
            app,
            dry_run: _,
        } => {
            entra_api_connectors::events_flows::validate_app_id(&app)?;
            let (id, _) = flow_id(&graph, &flow, dry).await?;
            if dry {
                return dry_run::emit(global, &[flows.preview_remove_application(&id, &app)?]);
            }
            flows.remove_application(&id, &app).await.map_err(write)?;
            let result = json!({ "flow": id, "appId": app, "removed": true });
            output::emit(format, &result, || {
                format!("{id}: no longer applies to application {app}\n")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_flow_names_its_type_required_handlers_and_applications() {
        let app = "a13d0fc1-04ab-4ede-b215-63de0174cbb4".to_owned();
        let body = new_flow(
            "Sign up".into(),
            None,
            std::slice::from_ref(&app),
            &["EmailPassword-OAUTH".into()],
        );
        assert_eq!(body["@odata.type"], FLOW_TYPE);
        assert_eq!(body["displayName"], "Sign up");
        assert_eq!(
            body["conditions"],
            json!({"applications": {"includeApplications": [{"appId": app}]}})
        );
        assert_eq!(body["onInteractiveAuthFlowStart"]["isSignUpAllowed"], true);
        assert_eq!(
            body["onAuthenticationMethodLoadStart"]["identityProviders"],
            json!([{"id": "EmailPassword-OAUTH"}])
        );
        let body = new_flow("x".into(), Some("d".into()), &[], &[]);
        assert_eq!(body["description"], "d");
        assert!(body.get("conditions").is_none());
    }

    #[test]
    fn steps_read_the_handlers_extension() {
        let flow = json!({"onAttributeCollectionSubmit": {"customExtension": {"id": "e1"}}});
        assert_eq!(
            step_extension(&flow, FlowStep::AttributeCollectionSubmit),
            "e1"
        );
        assert_eq!(
            step_extension(&flow, FlowStep::AttributeCollectionStart),
            "-"
        );
    }
}
