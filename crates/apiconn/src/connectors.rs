//! `apiconn connectors ...`: written once for both Graph versions.

use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::models::{AuthenticationModel, ConnectorModel};
use entra_api_connectors::{Graph, Version};
use futures::StreamExt as _;
use serde_json::json;

use crate::cli::{ApiVersion, ConnectorsCommand, Global, SecretSource};
use crate::hints::{self, Operation};
use crate::output::{self, ConnectorRow, Progress};
use crate::{Failure, Outcome, dry_run, names, secrets, target};

/// Run a connectors command.
pub async fn run(global: &Global, command: ConnectorsCommand) -> Outcome {
    // Inputs are read and checked before any request: a wrong .pfx password fails here.
    let (request, dry) = Request::from_command(command)?;
    if dry {
        let client = target::offline_client(global)?;
        let previews = match global.api_version {
            ApiVersion::Beta => preview(client.beta(), request)?,
            ApiVersion::V1 => preview(client.v1(), request)?,
        };
        return dry_run::emit(global, &previews);
    }
    let client = target::client(global)?;
    match global.api_version {
        ApiVersion::Beta => run_on(client.beta(), request, global).await,
        ApiVersion::V1 => run_on(client.v1(), request, global).await,
    }
}

/// A connectors command with its secrets read and its input checked; connectors are named by
/// id or display name.
enum Request {
    List(ListOptions),
    Get(String),
    Create {
        new: NewConnector,
        allow_duplicate: bool,
    },
    Update(String, ConnectorPatch),
    Delete(String),
    UploadCert(String, Pkcs12Upload),
}

impl Request {
    /// The request, and whether it is a dry run.
    fn from_command(command: ConnectorsCommand) -> Result<(Request, bool), Failure> {
        Ok(match command {
            ConnectorsCommand::List { filter, top } => (
                Request::List(ListOptions {
                    filter,
                    top,
                    ..ListOptions::default()
                }),
                false,
            ),
            ConnectorsCommand::Get { connector } => (Request::Get(connector), false),
            ConnectorsCommand::Create {
                name,
                target_url,
                auth,
                allow_duplicate,
                dry_run,
            } => {
                let authentication = match authentication(auth.username, auth.pfx, &auth.password)?
                {
                    Some(a) => a,
                    None => return Err(Failure::Usage("give --username or --pfx".into())),
                };
                let new = NewConnector::new(name, target_url, authentication);
                new.validate()?;
                (
                    Request::Create {
                        new,
                        allow_duplicate,
                    },
                    dry_run.dry_run,
                )
            }
            ConnectorsCommand::Update {
                connector,
                name,
                target_url,
                auth,
                dry_run,
            } => {
                let mut patch = ConnectorPatch::default();
                if let Some(name) = name {
                    patch.display_name = Patch::Set(name);
                }
                if let Some(url) = target_url {
                    patch.target_url = Patch::Set(url);
                }
                if let Some(a) = authentication(auth.username, auth.pfx, &auth.password)? {
                    patch.authentication = Patch::Set(a);
                }
                if matches!(
                    (
                        &patch.display_name,
                        &patch.target_url,
                        &patch.authentication
                    ),
                    (Patch::Keep, Patch::Keep, Patch::Keep)
                ) {
                    return Err(Failure::Usage(
                        "nothing to update: give --name, --target-url, --username or --pfx".into(),
                    ));
                }
                // The same checks as the update itself, before the connector is looked up.
                patch.to_body()?;
                (Request::Update(connector, patch), dry_run.dry_run)
            }
            ConnectorsCommand::Delete { connector, dry_run } => {
                (Request::Delete(connector), dry_run.dry_run)
            }
            ConnectorsCommand::UploadCert {
                connector,
                pfx,
                password,
                dry_run,
            } => {
                let password = secrets::read(&password, ".pfx password")?;
                (
                    Request::UploadCert(connector, Pkcs12Upload::from_file(&pfx, password)?),
                    dry_run.dry_run,
                )
            }
        })
    }
}

/// Basic authentication (with the password read now) or a checked certificate, or none.
fn authentication(
    username: Option<String>,
    pfx: Option<std::path::PathBuf>,
    source: &SecretSource,
) -> Result<Option<Authentication>, Failure> {
    match (username, pfx) {
        (Some(username), None) => {
            let password = secrets::read(source, "basic authentication password")?;
            Ok(Some(Authentication::basic(username, password)))
        }
        (None, Some(path)) => {
            let password = secrets::read(source, ".pfx password")?;
            let upload = Pkcs12Upload::from_file(&path, password)?;
            warn(&upload);
            Ok(Some(Authentication::Certificate(upload)))
        }
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Failure::Usage(
            "--username and --pfx cannot be used together".into(),
        )),
    }
}

/// Print the local check's warnings (e.g. not valid yet) on standard error.
fn warn(upload: &Pkcs12Upload) {
    for w in upload.warnings() {
        output::warning(w);
    }
}

/// A connector as the table shows it.
fn row<C: ConnectorModel>(c: &C) -> ConnectorRow {
    ConnectorRow {
        id: c.id().clone().unwrap_or_default(),
        display_name: c.display_name().clone().unwrap_or_default(),
        target_url: c.target_url().clone().unwrap_or_default(),
        auth: output::auth_kind(c.authentication().as_ref().and_then(|a| a.odata_type())),
        active_certificate: c.active_certificate(),
    }
}

/// The requests a changing command would send on Graph version `V`, built without sending.
fn preview<V: Version>(
    graph: Graph<V>,
    request: Request,
) -> Result<Vec<entra_api_connectors::preview::RequestPreview>, Failure> {
    let connectors = graph.connectors();
    let one = match request {
        Request::Create {
            new,
            allow_duplicate,
        } => {
            if !allow_duplicate {
                output::note(
                    "dry run: the check for a connector with the same display name needs a \
                     listing, so it was skipped",
                );
            }
            connectors.preview_create(&new)?
        }
        Request::Update(reference, patch) => {
            connectors.preview_update(dry_run::connector_id(&reference)?, &patch)?
        }
        Request::Delete(reference) => {
            connectors.preview_delete(dry_run::connector_id(&reference)?)?
        }
        Request::UploadCert(reference, upload) => {
            warn(&upload);
            connectors.preview_upload_certificate(dry_run::connector_id(&reference)?, &upload)?
        }
        Request::List(_) | Request::Get(_) => {
            return Err(Failure::Usage(
                "--dry-run is for commands that change something".into(),
            ));
        }
    };
    Ok(vec![one])
}

/// Run a checked request on Graph version `V`.
async fn run_on<V: Version>(graph: Graph<V>, request: Request, global: &Global) -> Outcome {
    let format = global.format();
    let connectors = graph.connectors();
    match request {
        Request::List(options) => {
            let mut progress = Progress::new("connectors");
            let mut all = Vec::new();
            let mut stream = connectors.list(options);
            while let Some(item) = stream.next().await {
                all.push(item.map_err(|e| hints::failure(Operation::ListConnectors, None, e))?);
                progress.tick();
            }
            progress.finish();
            output::emit(format, &all, || {
                let rows: Vec<ConnectorRow> = all.iter().map(row).collect();
                output::connectors_table(&rows)
            })
        }
        Request::Get(reference) => {
            let connector =
                names::resolve(&connectors, &reference, Operation::GetConnector).await?;
            show(&connector, global)
        }
        Request::Create {
            new,
            allow_duplicate,
        } => {
            if !allow_duplicate {
                refuse_duplicate(&graph, &new.display_name).await?;
            }
            let created = connectors
                .create(&new)
                .await
                .map_err(|e| hints::failure(Operation::CreateConnector, None, e))?;
            show(&created, global)
        }
        Request::Update(reference, patch) => {
            let id = resolve_id(&graph, &reference, Operation::UpdateConnector).await?;
            let failed = |e| hints::failure(Operation::UpdateConnector, None, e);
            connectors.update(&id, &patch).await.map_err(failed)?;
            // PATCH answers 204: read the connector back to show the result.
            show(&connectors.get(&id, &[]).await.map_err(failed)?, global)
        }
        Request::Delete(reference) => {
            let connector =
                names::resolve(&connectors, &reference, Operation::DeleteConnector).await?;
            let id = names::id(&connector);
            connectors
                .delete(&id)
                .await
                .map_err(|e| hints::failure(Operation::DeleteConnector, None, e))?;
            let result = json!({
                "id": id,
                "displayName": connector.display_name(),
                "deleted": true,
            });
            output::emit(format, &result, || format!("deleted connector {id}\n"))
        }
        Request::UploadCert(reference, upload) => {
            let id = resolve_id(&graph, &reference, Operation::UploadCertificate).await?;
            warn(&upload);
            let connector = connectors
                .upload_certificate(&id, &upload)
                .await
                .map_err(|e| hints::failure(Operation::UploadCertificate, None, e))?;
            show(&connector, global)
        }
    }
}

/// The id of the connector `reference` names.
async fn resolve_id<V: Version>(
    graph: &Graph<V>,
    reference: &str,
    op: Operation,
) -> Result<String, Failure> {
    let connector = names::resolve(&graph.connectors(), reference, op).await?;
    Ok(names::id(&connector))
}

/// Fail when a connector named `name` exists already (Graph would create a second one).
async fn refuse_duplicate<V: Version>(graph: &Graph<V>, name: &str) -> Outcome {
    let all = graph
        .connectors()
        .list_all(ListOptions::default())
        .await
        .map_err(|e| hints::failure(Operation::ListConnectors, None, e))?;
    let same = names::named(&all, name);
    if same.is_empty() {
        return Ok(());
    }
    let existing: Vec<String> = same
        .iter()
        .map(|c| {
            format!(
                "{} ({})",
                names::id(*c),
                c.target_url().clone().unwrap_or_default()
            )
        })
        .collect();
    Err(Failure::Advised {
        message: format!(
            "a connector with the display name '{name}' exists already: {}",
            existing.join(", ")
        ),
        hint: "Graph allows duplicate display names; give --allow-duplicate to create another one"
            .into(),
    })
}

/// Print one connector: a one-row table, or its JSON or YAML.
fn show<C: ConnectorModel + serde::Serialize>(connector: &C, global: &Global) -> Outcome {
    output::emit(global.format(), connector, || {
        output::connectors_table(&[row(connector)])
    })
}
