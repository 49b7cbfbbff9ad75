//! `apiconn connectors ...`

use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};

use crate::cli::{ConnectorsCommand, Global, SecretSource, Version};
use crate::output::{self, ConnectorRow};
use crate::{Failure, Outcome, secrets, target};

/// Run a connectors command.
pub async fn run(global: &Global, command: ConnectorsCommand) -> Outcome {
    // Inputs are read and checked before any request: a wrong .pfx password fails here.
    let request = Request::from_command(command)?;
    let client = target::client(global)?;
    match global.version {
        Version::Beta => beta::run(client.beta(), request, global.json).await,
        Version::V1 => v1::run(client.v1(), request, global.json).await,
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

/// The commands for one Graph version module (the types differ per version, the code does not).
macro_rules! version_commands {
    ($module:ident) => {
        mod $module {
            use entra_api_connectors::$module::{Graph, types};
            use futures::StreamExt as _;

            use super::Request;
            use crate::Outcome;
            use crate::output::{self, ConnectorRow, Progress};

            pub(super) fn row(c: &types::IdentityApiConnector) -> ConnectorRow {
                ConnectorRow {
                    id: c.id.clone().unwrap_or_default(),
                    display_name: c.display_name.clone().unwrap_or_default(),
                    target_url: c.target_url.clone().unwrap_or_default(),
                    auth: output::auth_kind(c.authentication_configuration.as_ref().and_then(|a| a.odata_type())),
                    active_certificate: c.active_certificate(),
                }
            }

            pub(super) async fn run(graph: Graph, request: Request, json: bool) -> Outcome {
                let connectors = graph.connectors();
                match request {
                    Request::List(options) => {
                        let mut progress = Progress::new("connectors");
                        let mut all = Vec::new();
                        let mut stream = std::pin::pin!(connectors.list(options));
                        while let Some(item) = stream.next().await {
                            all.push(item?);
                            progress.tick();
                        }
                        progress.finish();
                        if json {
                            output::print_json(&all)
                        } else {
                            print!("{}", output::connectors_table(&all.iter().map(row).collect::<Vec<_>>()));
                            Ok(())
                        }
                    }
                    Request::Get(id) => {
                        let connector = connectors.get(&id, &[]).await?;
                        super::show(&row(&connector), json, &connector)
                    }
                    Request::Create(new) => {
                        let created = connectors.create(&new).await?;
                        super::show(&row(&created), json, &created)
                    }
                    Request::Update(id, patch) => {
                        connectors.update(&id, &patch).await?;
                        // PATCH answers 204: read the connector back to show the result.
                        let updated = connectors.get(&id, &[]).await?;
                        super::show(&row(&updated), json, &updated)
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
                        super::warn(&upload);
                        let updated = connectors.upload_certificate(&id, &upload).await?;
                        super::show(&row(&updated), json, &updated)
                    }
                }
            }
        }
    };
}

version_commands!(beta);
version_commands!(v1);

/// Print one connector: a one-row table, or its JSON.
fn show<T: serde::Serialize>(row: &ConnectorRow, json: bool, value: &T) -> Outcome {
    if json {
        output::print_json(value)
    } else {
        print!("{}", output::connectors_table(std::slice::from_ref(row)));
        Ok(())
    }
}
