//! `apiconn connectors ...`: written once for both Graph versions.

use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::models::{AuthenticationModel, ConnectorModel};
use entra_api_connectors::{Graph, Version};
use futures::StreamExt as _;

use crate::cli::{ConnectorsCommand, Global, SecretSource, Version as GraphVersion};
use crate::output::{self, ConnectorRow, Progress};
use crate::{Failure, Outcome, secrets, target};

/// Run a connectors command.
pub async fn run(global: &Global, command: ConnectorsCommand) -> Outcome {
    // Inputs are read and checked before any request: a wrong .pfx password fails here.
    let request = Request::from_command(command)?;
    let client = target::client(global)?;
    match global.version {
        GraphVersion::Beta => run_on(client.beta(), request, global.json).await,
        GraphVersion::V1 => run_on(client.v1(), request, global.json).await,
    }
}

/// A connectors command with its secrets read and its certificate checked.
enum Request {
    List(ListOptions),
    Get(String),
    Create(NewConnector),
    Update(String, ConnectorPatch),
    Delete(String),
    UploadCert(String, Pkcs12Upload),
}

impl Request {
    fn from_command(command: ConnectorsCommand) -> Result<Request, Failure> {
        Ok(match command {
            ConnectorsCommand::List { filter, top } => Request::List(ListOptions {
                filter,
                top,
                ..ListOptions::default()
            }),
            ConnectorsCommand::Get { id } => Request::Get(id),
            ConnectorsCommand::Create {
                name,
                target_url,
                auth,
            } => {
                let authentication = match authentication(auth.username, auth.pfx, &auth.password)?
                {
                    Some(a) => a,
                    None => return Err(Failure::Usage("give --username or --pfx".into())),
                };
                Request::Create(NewConnector::new(name, target_url, authentication))
            }
            ConnectorsCommand::Update {
                id,
                name,
                target_url,
                auth,
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
                Request::Update(id, patch)
            }
            ConnectorsCommand::Delete { id } => Request::Delete(id),
            ConnectorsCommand::UploadCert { id, pfx, password } => {
                let password = secrets::read(&password, ".pfx password")?;
                Request::UploadCert(id, Pkcs12Upload::from_file(&pfx, password)?)
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
        eprintln!("apiconn: warning: {w}");
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

/// Run a checked request on Graph version `V`.
async fn run_on<V: Version>(graph: Graph<V>, request: Request, json: bool) -> Outcome {
    let connectors = graph.connectors();
    match request {
        Request::List(options) => {
            let mut progress = Progress::new("connectors");
            let mut all = Vec::new();
            let mut stream = connectors.list(options);
            while let Some(item) = stream.next().await {
                all.push(item?);
                progress.tick();
            }
            progress.finish();
            if json {
                output::print_json(&all)
            } else {
                let rows: Vec<ConnectorRow> = all.iter().map(row).collect();
                print!("{}", output::connectors_table(&rows));
                Ok(())
            }
        }
        Request::Get(id) => show(&connectors.get(&id, &[]).await?, json),
        Request::Create(new) => show(&connectors.create(&new).await?, json),
        Request::Update(id, patch) => {
            connectors.update(&id, &patch).await?;
            // PATCH answers 204: read the connector back to show the result.
            show(&connectors.get(&id, &[]).await?, json)
        }
        Request::Delete(id) => {
            connectors.delete(&id).await?;
            if json {
                output::print_json(&serde_json::json!({ "id": id, "deleted": true }))
            } else {
                println!("deleted connector {id}");
                Ok(())
            }
        }
        Request::UploadCert(id, upload) => {
            warn(&upload);
            show(&connectors.upload_certificate(&id, &upload).await?, json)
        }
    }
}

/// Print one connector: a one-row table, or its JSON.
fn show<C: ConnectorModel + serde::Serialize>(connector: &C, json: bool) -> Outcome {
    if json {
        output::print_json(connector)
    } else {
        print!("{}", output::connectors_table(&[row(connector)]));
        Ok(())
    }
}
