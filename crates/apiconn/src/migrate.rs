//! `apiconn migrate`: an Azure AD B2C tenant's API connectors and user-flow bindings (an exported
//! file, or the tenant read live) written as the External ID configuration file (custom
//! authentication extensions, events flows, token issuance listeners), with the mapping and every
//! note on standard error (`entra_api_connectors_desired_state::migrate`).

use std::path::PathBuf;

use clap::Args;
use entra_api_connectors::Beta;
use entra_api_connectors_desired_state::migrate::{
    MigrateError, MigrateOptions, MigrateTenantError, Migration, migrate_tenant, migrate_text,
};
use entra_api_connectors_desired_state::{DEFAULT_CONCURRENCY, Format as FileFormat, GraphTenant};
use serde_json::json;

use crate::cli::{Format, Global};
use crate::{Failure, Outcome, target};

/// `apiconn migrate`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["from", "from_tenant"]))]
pub struct MigrateArgs {
    /// A B2C configuration file, as `apiconn export` wrote it (its secrets need not be set).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Read the B2C tenant live with the current credential, through Graph beta.
    #[arg(long)]
    pub from_tenant: bool,
    /// The API's app registration (application id) in the external tenant: every extension's
    /// resourceId is api://{target host}/{this id}. Required when a connector is carried over.
    #[arg(long, value_name = "GUID")]
    pub api_app_id: Option<String>,
    /// The external tenant (id or primary domain) the file is for; without it the file names the
    /// B2C tenant and a note says to replace it.
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// An application of the events flow made from a user flow: FLOW=APPID, or APPID for the one
    /// flow without its own that calls a connector (repeatable).
    #[arg(long = "app-id", value_name = "[FLOW=]APPID")]
    pub app_ids: Vec<String>,
    /// Write the External ID file here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl MigrateArgs {
    fn options(&self) -> MigrateOptions {
        let mut options = MigrateOptions::new();
        options.api_app_id = self.api_app_id.clone();
        options.target_tenant = self.tenant.clone();
        for app in &self.app_ids {
            options = match app.split_once('=') {
                Some((flow, app)) => options.application(flow, app),
                None => options.application("*", app.as_str()),
            };
        }
        options
    }
}

fn failure(e: MigrateError) -> Failure {
    match e {
        MigrateError::ApiAppIdRequired
        | MigrateError::InvalidAppId { .. }
        | MigrateError::ApplicationForSeveralFlows { .. } => Failure::Usage(e.to_string()),
        other => Failure::Runtime(other.to_string()),
    }
}

/// `apiconn migrate`: the file to `--out` (or standard output), the mapping and notes to standard
/// error; with `--output json` the mapping and notes as JSON on standard output.
pub async fn run(global: &Global, args: MigrateArgs) -> Outcome {
    let options = args.options();
    let migration = match &args.from {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))?;
            let format = FileFormat::from_path(path).unwrap_or(FileFormat::Yaml);
            migrate_text(&text, format, Some(path), &options).map_err(failure)?
        }
        None => {
            let client = target::client(global)?;
            let tenant = GraphTenant::<Beta>::new(client.beta());
            migrate_tenant(&tenant, &options, DEFAULT_CONCURRENCY)
                .await
                .map_err(|e| match e {
                    MigrateTenantError::Migrate(e) => failure(e),
                    other => Failure::Runtime(other.to_string()),
                })?
        }
    };
    let yaml = migration.to_yaml();
    if let Some(path) = &args.out {
        std::fs::write(path, &yaml)
            .map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))?;
    }
    match global.format() {
        Format::Json | Format::Yaml => {
            let value = machine(&migration, args.out.is_none().then_some(&yaml));
            if global.format() == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&value).expect("JSON values serialize")
                );
            } else {
                print!(
                    "{}",
                    serde_norway::to_string(&value).expect("JSON values serialize as YAML")
                );
            }
        }
        Format::Table => {
            eprint!("{}", migration.table());
            if args.out.is_none() {
                print!("{yaml}");
            }
        }
    }
    if let Some(path) = &args.out {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The mapping and notes (and the file, when it is not written to `--out`) for scripts.
fn machine(migration: &Migration, file: Option<&String>) -> serde_json::Value {
    let mut value = json!({
        "source": migration.source_tenant,
        "tenant": migration.configuration.tenant,
        "mappings": migration.mappings,
        "notes": migration.notes,
    });
    if let Some(file) = file {
        value["file"] = json!(file);
    }
    value
}
