//! `apiconn listeners ...`: authentication event listeners (`/identity/authenticationEventListeners`,
//! Graph v1.0), which make an event (token issuance start by default) call a custom extension for
//! given applications. A listener is named by its id (listeners need no display name); its
//! extension by id or display name.

use clap::Subcommand;
use entra_api_connectors::Graph;
use entra_api_connectors::connectors::ListOptions;
use entra_api_connectors::event_listeners::NewListener;
use entra_api_connectors::extensibility::Extensibility;
use serde_json::{Value, json};

use crate::cli::{DryRun, Global};
use crate::extensions::{self, EXTENSION, EventType};
use crate::hints::{self, Operation};
use crate::output::{self, Progress};
use crate::{Failure, Outcome, dry_run, target};

/// `apiconn listeners ...`
#[derive(Debug, Subcommand)]
pub enum ListenersCommand {
    /// List the event listeners (every page).
    List,
    /// Show one listener.
    Get {
        /// Listener id.
        listener: String,
    },
    /// Make an event call a custom extension for the given applications.
    Create {
        /// The event: the listener's and the extension's type.
        #[arg(
            long = "event",
            value_enum,
            value_name = "TYPE",
            default_value = "onTokenIssuanceStart"
        )]
        event: EventType,
        /// Custom extension id or display name (of the event's type).
        #[arg(long)]
        extension: String,
        /// An application (appId) the listener applies to; repeat it (at least one).
        #[arg(long = "app", value_name = "APP_ID", required = true)]
        apps: Vec<String>,
        /// Priority, 0 (lowest) to 1000.
        #[arg(long)]
        priority: Option<u32>,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Delete a listener.
    Delete {
        /// Listener id.
        listener: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
}

/// Run a listeners command.
pub async fn run(global: &Global, command: ListenersCommand) -> Outcome {
    extensions::require_v1(global, "authentication event listeners")?;
    let dry = match &command {
        ListenersCommand::Create { dry_run, .. } | ListenersCommand::Delete { dry_run, .. } => {
            dry_run.dry_run
        }
        _ => false,
    };
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

/// `onTokenIssuanceStart` for `#microsoft.graph.onTokenIssuanceStartListener`.
fn short_type(listener: &Value) -> String {
    let t = text(listener, "/@odata.type");
    let t = t
        .trim_start_matches('#')
        .trim_start_matches("microsoft.graph.");
    t.strip_suffix("Listener").unwrap_or(t).to_owned()
}

fn table(listeners: &[Value]) -> String {
    let rows = listeners
        .iter()
        .map(|l| {
            let apps = l
                .pointer("/conditions/applications/includeApplications")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|app| text(app, "/appId"))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                text(l, "/id"),
                short_type(l),
                text(l, "/handler/customExtension/id"),
                apps,
                text(l, "/priority"),
                text(l, "/authenticationEventsFlowId"),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "EVENT",
            "EXTENSION",
            "APPLICATIONS",
            "PRIORITY",
            "EVENTS FLOW",
        ],
        rows,
    )
}

async fn run_on<V: Extensibility>(
    graph: Graph<V>,
    command: ListenersCommand,
    global: &Global,
    dry: bool,
) -> Outcome {
    let format = global.format();
    let listeners = graph.event_listeners();
    let read = |e| hints::failure(Operation::ReadListeners, None, e);
    let write = |e| hints::failure(Operation::WriteListeners, None, e);
    match command {
        ListenersCommand::List => {
            let mut progress = Progress::new("event listeners");
            let all = listeners
                .list_all(ListOptions::default())
                .await
                .map_err(read)?;
            let all: Vec<Value> = all
                .iter()
                .map(|l| {
                    progress.tick();
                    output::to_json(l)
                })
                .collect::<Result<_, _>>()?;
            progress.finish();
            output::emit(format, &all, || table(&all))
        }
        ListenersCommand::Get { listener } => {
            let one = output::to_json(&listeners.get(&listener).await.map_err(read)?)?;
            output::emit(format, &one, || table(std::slice::from_ref(&one)))
        }
        ListenersCommand::Create {
            event,
            extension,
            apps,
            priority,
            dry_run: _,
        } => {
            let kind = event.kind();
            let extension_id = if dry {
                dry_run::object_id(&EXTENSION, &extension)?.to_owned()
            } else {
                let resolved = extensions::resolve(&graph, &extension).await?;
                if extensions::kind_of(&resolved) != Some(kind) {
                    return Err(Failure::Runtime(format!(
                        "invalid input: a {} listener calls a {}; '{}' is a {}",
                        extensions::short_type(kind.extension_type()),
                        kind.extension_type(),
                        text(&resolved, "/displayName"),
                        text(&resolved, "/@odata.type"),
                    )));
                }
                extensions::id(&resolved)
            };
            let mut new = NewListener::new(kind, extension_id, apps);
            new.priority = priority;
            new.validate()?;
            if dry {
                return dry_run::emit(global, &[listeners.preview_create_listener(&new)?]);
            }
            let created = output::to_json(&listeners.create_listener(&new).await.map_err(write)?)?;
            output::emit(format, &created, || table(std::slice::from_ref(&created)))
        }
        ListenersCommand::Delete {
            listener,
            dry_run: _,
        } => {
            if dry {
                return dry_run::emit(global, &[listeners.preview_delete(&listener)?]);
            }
            listeners.delete(&listener).await.map_err(write)?;
            let result = json!({ "id": listener, "deleted": true });
            output::emit(format, &result, || {
                format!("deleted event listener {listener}\n")
            })
        }
    }
}
