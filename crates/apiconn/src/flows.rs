//! `apiconn flows ...`: user flows and the connector each step calls, written once for every
//! Graph version and user-flow family.

use entra_api_connectors::models::ConnectorModel as _;
use entra_api_connectors::{B2c, B2x, Graph, Step, UserFlowFamily, Version};
use futures::StreamExt as _;
use serde_json::{Value, json};

use crate::cli::{ApiVersion, FlowKind, FlowsCommand, Global};
use crate::hints::{self, Operation};
use crate::output::{self, Progress};
use crate::{Failure, Outcome, dry_run, names, target};

/// A flows command, version-neutral (steps are parsed for the version).
enum Request {
    List,
    Show(String),
    Attach {
        flow: String,
        step: String,
        connector: String,
    },
    Detach {
        flow: String,
        step: String,
    },
}

/// Run a flows command.
pub async fn run(global: &Global, command: FlowsCommand) -> Outcome {
    let (kind, request, dry) = match command {
        FlowsCommand::Events(cmd) => return crate::events_flows::run(global, cmd).await,
        FlowsCommand::List { kind } => (kind.kind, Request::List, false),
        FlowsCommand::Show { flow, kind } => (kind.kind, Request::Show(flow), false),
        FlowsCommand::Attach {
            flow,
            step,
            connector,
            kind,
            dry_run,
        } => (
            kind.kind,
            Request::Attach {
                flow,
                step,
                connector,
            },
            dry_run.dry_run,
        ),
        FlowsCommand::Detach {
            flow,
            step,
            kind,
            dry_run,
        } => (kind.kind, Request::Detach { flow, step }, dry_run.dry_run),
    };
    if global.api_version == ApiVersion::V1 && kind == FlowKind::B2c {
        return Err(Failure::Usage(
            "Azure AD B2C user flows (--kind b2c) exist only in Graph beta: add --api-version beta"
                .into(),
        ));
    }
    let client = if dry {
        target::offline_client(global)?
    } else {
        target::client(global)?
    };
    let run = Run { global, kind, dry };
    match (global.api_version, kind) {
        (ApiVersion::Beta, FlowKind::B2c) => run.on::<_, B2c>(client.beta(), request).await,
        (ApiVersion::Beta, FlowKind::B2x) => run.on::<_, B2x>(client.beta(), request).await,
        (ApiVersion::V1, _) => run.on::<_, B2x>(client.v1(), request).await,
    }
}

/// The `flows show` table: for each step of the version, the connector it calls, or `-`.
fn configuration_table(steps: &[&str], configuration: &Value) -> String {
    let rows = steps
        .iter()
        .map(
            |step| match configuration.get(*step).filter(|c| c.is_object()) {
                Some(c) => {
                    let text = |name: &str| {
                        c.get(name)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    };
                    let auth = c
                        .get("authenticationConfiguration")
                        .and_then(|a| a.get("@odata.type"))
                        .and_then(Value::as_str);
                    vec![
                        step.to_string(),
                        text("id"),
                        text("displayName"),
                        text("targetUrl"),
                        output::auth_kind(auth),
                    ]
                }
                None => vec![
                    step.to_string(),
                    "-".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            },
        )
        .collect();
    output::table(
        &["STEP", "CONNECTOR ID", "DISPLAY NAME", "TARGET URL", "AUTH"],
        rows,
    )
}

/// The `flows list` table.
fn flows_table(flows: &[Value]) -> String {
    let rows = flows
        .iter()
        .map(|f| {
            let text = |name: &str| match f.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            vec![
                text("id"),
                text("userFlowType"),
                text("userFlowTypeVersion"),
            ]
        })
        .collect();
    output::table(&["ID", "TYPE", "VERSION"], rows)
}

/// The step of version `V` named `name`: a usage error naming the steps it has otherwise.
fn step<V: Version>(graph: &Graph<V>, name: &str) -> Result<Step, Failure> {
    graph.step(name).map_err(|e| Failure::Usage(e.to_string()))
}

/// How a flows command runs: its output, its family (for the hints), a dry run or not.
struct Run<'a> {
    global: &'a Global,
    kind: FlowKind,
    dry: bool,
}

impl Run<'_> {
    fn failed(&self, op: Operation) -> impl Fn(entra_api_connectors::Error) -> Failure + '_ {
        move |e| hints::failure(op, Some(self.kind), e)
    }

    /// Run a flows command on family `F` of Graph version `V`.
    async fn on<V: Version, F: UserFlowFamily<V>>(
        &self,
        graph: Graph<V>,
        request: Request,
    ) -> Outcome {
        let format = self.global.format();
        let flows = graph.user_flows::<F>();
        match request {
            Request::List | Request::Show(_) if self.dry => Err(Failure::Usage(
                "--dry-run is for commands that change something".into(),
            )),
            Request::List => {
                let mut progress = Progress::new("user flows");
                let mut all = Vec::new();
                let mut stream = flows.list();
                while let Some(item) = stream.next().await {
                    all.push(output::to_json(
                        &item.map_err(self.failed(Operation::ListFlows))?,
                    )?);
                    progress.tick();
                }
                progress.finish();
                output::emit(format, &all, || flows_table(&all))
            }
            Request::Show(flow) => {
                let configuration = output::to_json(
                    &flows
                        .configuration(&flow)
                        .await
                        .map_err(self.failed(Operation::ShowFlow))?,
                )?;
                output::emit(format, &configuration, || {
                    let steps: Vec<&str> = graph.steps().iter().map(|s| s.as_str()).collect();
                    configuration_table(&steps, &configuration)
                })
            }
            Request::Attach {
                flow,
                step: name,
                connector,
            } => {
                let step = step(&graph, &name)?;
                if self.dry {
                    let id = dry_run::connector_id(&connector)?;
                    return dry_run::emit(self.global, &[flows.preview_attach(&flow, step, id)?]);
                }
                let resolved =
                    names::resolve(&graph.connectors(), &connector, Operation::GetConnector)
                        .await?;
                let id = names::id(&resolved);
                flows
                    .attach(&flow, step, &id)
                    .await
                    .map_err(self.failed(Operation::Attach))?;
                let result = json!({
                    "flow": flow,
                    "step": step.as_str(),
                    "connector": id,
                    "connectorDisplayName": resolved.display_name(),
                    "attached": true,
                });
                output::emit(format, &result, || {
                    format!("{flow}: {step} now calls connector {id}\n")
                })
            }
            Request::Detach { flow, step: name } => {
                let step = step(&graph, &name)?;
                if self.dry {
                    return dry_run::emit(self.global, &[flows.preview_detach(&flow, step)?]);
                }
                flows
                    .detach(&flow, step)
                    .await
                    .map_err(self.failed(Operation::Detach))?;
                let result = json!({
                    "flow": flow,
                    "step": step.as_str(),
                    "connector": Value::Null,
                    "detached": true,
                });
                output::emit(format, &result, || {
                    format!("{flow}: {step} calls no connector\n")
                })
            }
        }
    }
}
