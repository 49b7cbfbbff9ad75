//! `apiconn flows ...`: user flows and the connector each step calls, written once for every
//! Graph version and user-flow family.

use entra_api_connectors::{B2c, B2x, Graph, Step, UserFlowFamily, Version};
use futures::StreamExt as _;
use serde_json::Value;

use crate::cli::{FlowKind, FlowsCommand, Global, Version as GraphVersion};
use crate::output::{self, Progress};
use crate::{Failure, Outcome, target};

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
    let (kind, request) = match command {
        FlowsCommand::List { kind } => (kind.kind, Request::List),
        FlowsCommand::Show { flow, kind } => (kind.kind, Request::Show(flow)),
        FlowsCommand::Attach {
            flow,
            step,
            connector,
            kind,
        } => (
            kind.kind,
            Request::Attach {
                flow,
                step,
                connector,
            },
        ),
        FlowsCommand::Detach { flow, step, kind } => (kind.kind, Request::Detach { flow, step }),
    };
    let client = target::client(global)?;
    match (global.version, kind) {
        (GraphVersion::Beta, FlowKind::B2c) => {
            run_on::<_, B2c>(client.beta(), request, global.json).await
        }
        (GraphVersion::Beta, FlowKind::B2x) => {
            run_on::<_, B2x>(client.beta(), request, global.json).await
        }
        (GraphVersion::V1, FlowKind::B2x) => {
            run_on::<_, B2x>(client.v1(), request, global.json).await
        }
        (GraphVersion::V1, FlowKind::B2c) => Err(Failure::Usage(
            "Azure AD B2C user flows (--kind b2c) exist only in Graph beta: add --version beta"
                .into(),
        )),
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

fn json<T: serde::Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Runtime(format!("JSON output: {e}")))
}

/// Run a flows command on family `F` of Graph version `V`.
async fn run_on<V: Version, F: UserFlowFamily<V>>(
    graph: Graph<V>,
    request: Request,
    as_json: bool,
) -> Outcome {
    let flows = graph.user_flows::<F>();
    match request {
        Request::List => {
            let mut progress = Progress::new("user flows");
            let mut all = Vec::new();
            let mut stream = flows.list();
            while let Some(item) = stream.next().await {
                all.push(json(&item?)?);
                progress.tick();
            }
            progress.finish();
            if as_json {
                output::print_json(&all)
            } else {
                print!("{}", flows_table(&all));
                Ok(())
            }
        }
        Request::Show(flow) => {
            let configuration = json(&flows.configuration(&flow).await?)?;
            if as_json {
                output::print_json(&configuration)
            } else {
                let steps: Vec<&str> = graph.steps().iter().map(|s| s.as_str()).collect();
                print!("{}", configuration_table(&steps, &configuration));
                Ok(())
            }
        }
        Request::Attach {
            flow,
            step: name,
            connector,
        } => {
            flows
                .attach(&flow, step(&graph, &name)?, &connector)
                .await?;
            println!("{flow}: {name} now calls connector {connector}");
            Ok(())
        }
        Request::Detach { flow, step: name } => {
            flows.detach(&flow, step(&graph, &name)?).await?;
            println!("{flow}: {name} calls no connector");
            Ok(())
        }
    }
}
