//! `apiconn export`, `apiconn plan` and `apiconn apply`: connectors and user-flow bindings as code
//! (the `entra-api-connectors-desired-state` crate), and on an external tenant the file's External
//! ID sections too (`crate::external_state`).
//!
//! `plan` exits 0 when the tenant matches the file, 2 when changes are pending and 1 on error, so a
//! CI job detects drift from the exit code. The file names its Graph version (`apiVersion`), so
//! `--api-version` does not apply to `plan` and `apply`; `export` reads through `--api-version`.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use clap::Args;
use entra_api_connectors::{Beta, GraphClient, V1};
use entra_api_connectors_desired_state::apply::{DEFAULT_CONCURRENCY, Progress};
use entra_api_connectors_desired_state::export::export_tenant;
use entra_api_connectors_desired_state::external::export_tenant_with_external;
use entra_api_connectors_desired_state::{
    ApiVersion, ApplyError, ApplyOptions, DesiredState, GraphTenant, Outcome as ActionOutcome,
    Plan, PlanOptions, Tenant, TenantError, apply, load, plan_tenant,
};

use crate::cli::{ApiVersion as CliApiVersion, Format, Global};
use crate::external_state::{ExternalSections, TenantPlan, TenantReport};
use crate::{Failure, Outcome, output, target};

/// The exit code of `plan` when changes are pending.
pub const CHANGES_PENDING: i32 = 2;

/// `apiconn export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the file here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The JSON Schema to name in the `# yaml-language-server: $schema=` line.
    #[arg(long, value_name = "URL_OR_PATH")]
    pub schema: Option<String>,
}

/// `apiconn plan`
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The configuration file (YAML or JSON).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// Send every basic connector's password again (Graph never returns them, so they cannot be compared).
    #[arg(long)]
    pub update_secrets: bool,
}

/// `apiconn apply`
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The configuration file (YAML or JSON).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// Apply without asking (required when standard input is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// The most Graph requests in flight.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Send every basic connector's password again.
    #[arg(long)]
    pub update_secrets: bool,
}

fn unix_now() -> i64 {
    entra_api_connectors::certificate::unix_now()
}

fn tenant_failure(e: TenantError) -> Failure {
    Failure::Runtime(e.to_string())
}

/// Reads and checks the file: every problem with its file:line:column, before any request.
fn desired(file: &std::path::Path) -> Result<DesiredState, Failure> {
    let desired = load(file).map_err(|e| Failure::Runtime(e.to_string()))?;
    for warning in &desired.warnings {
        eprintln!("apiconn: warning: {warning}");
    }
    Ok(desired)
}

/// Runs `body` on the tenant of the file's version.
macro_rules! on_version {
    ($version:expr, $client:expr, |$tenant:ident| $body:expr) => {
        match $version {
            ApiVersion::Beta => {
                let $tenant = GraphTenant::<Beta>::new($client.beta());
                $body
            }
            ApiVersion::V1 => {
                let $tenant = GraphTenant::<V1>::new($client.v1());
                $body
            }
        }
    };
}

/// `apiconn export`
pub async fn export(global: &Global, args: ExportArgs) -> Outcome {
    let client = target::client(global)?;
    let exported = match global.api_version {
        CliApiVersion::Beta => {
            export_tenant(
                &GraphTenant::new(client.beta()),
                args.schema,
                DEFAULT_CONCURRENCY,
            )
            .await
        }
        // An external tenant's custom extensions, events flows and listeners too.
        CliApiVersion::V1 => {
            export_tenant_with_external(
                &GraphTenant::new(client.v1()),
                args.schema,
                DEFAULT_CONCURRENCY,
            )
            .await
        }
    }
    .map_err(tenant_failure)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &exported.text)
                .map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{}", exported.text),
    }
    for v in &exported.variables {
        eprintln!("set {} to the password of {:?}", v.variable, v.display_name);
    }
    for c in &exported.certificates {
        eprintln!(
            "put the .pfx of {:?}{} at {}",
            c.display_name,
            c.active_thumbprint
                .as_deref()
                .map(|t| format!(" (active certificate {t})"))
                .unwrap_or_default(),
            c.pfx.display()
        );
    }
    for s in &exported.skipped {
        eprintln!("apiconn: warning: left out: {s}");
    }
    Ok(())
}

async fn plan_on<T: Tenant>(
    desired: &DesiredState,
    tenant: &T,
    update_secrets: bool,
) -> Result<Plan, Failure> {
    plan_tenant(
        desired,
        tenant,
        PlanOptions::new(unix_now()).update_secrets(update_secrets),
        DEFAULT_CONCURRENCY,
    )
    .await
    .map_err(tenant_failure)
}

/// `apiconn plan`: prints the plan (with the External ID sections' when the file has them); exits 2
/// when it has changes.
pub async fn plan(global: &Global, args: PlanArgs) -> Outcome {
    let desired = desired(&args.file)?;
    let client = target::client(global)?;
    let (plan, external) = on_version!(desired.api_version, client, |tenant| {
        let plan = plan_on(&desired, &tenant, args.update_secrets).await?;
        (plan, tenant.plan_external_sections(&desired).await?)
    });
    let plan = TenantPlan {
        connectors: &plan,
        external_id: external.as_ref().map(|e| &e.plan),
    };
    // `--output json|yaml`: the plan as data (`actions`, `notes`, `externalId`); table: one line
    // per change.
    output::emit(global.format(), &plan, || format!("{plan}\n"))?;
    if plan.is_empty() {
        Ok(())
    } else {
        let _ = std::io::stdout().flush();
        std::process::exit(CHANGES_PENDING);
    }
}

fn confirm(plan: &TenantPlan<'_>) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "apply asks before changing anything; pass --yes when standard input is not a terminal"
                .into(),
        ));
    }
    eprint!("Apply these {} changes? [y/N] ", plan.len());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::Runtime(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn progress_line(p: &Progress<'_>) {
    let status = match p.outcome {
        ActionOutcome::Done { .. } => "done",
        ActionOutcome::Failed { .. } => "FAILED",
        ActionOutcome::Skipped { .. } => "not done",
    };
    eprintln!("[{}/{}] {status}: {}", p.finished, p.total, p.action);
}

async fn apply_on<T: Tenant + ExternalSections>(
    desired: &DesiredState,
    tenant: &T,
    args: &ApplyArgs,
    format: Format,
) -> Outcome {
    let connectors = plan_on(desired, tenant, args.update_secrets).await?;
    let external = tenant.plan_external_sections(desired).await?;
    let plan = TenantPlan {
        connectors: &connectors,
        external_id: external.as_ref().map(|e| &e.plan),
    };
    // With `--output json|yaml` standard output carries only the report; the plan is a message.
    if format == Format::Table {
        println!("{plan}");
    } else {
        eprintln!("{plan}");
    }
    if plan.is_empty() {
        return Ok(());
    }
    if !args.yes && !confirm(&plan)? {
        eprintln!("Nothing applied.");
        return Ok(());
    }
    let mut options = ApplyOptions::new(unix_now()).concurrency(usize::from(args.concurrency));
    if std::io::stderr().is_terminal() {
        options = options.progress(progress_line);
    }
    // Connectors and bindings first; the External ID sections do not depend on them, and a
    // connector failure stops apply before them.
    let report = match apply(&connectors, desired, tenant, &options).await {
        Ok(report) => report,
        Err(ApplyError::Incomplete(report)) => {
            let report = TenantReport {
                connectors: &report,
                external_id_done: None,
            };
            output::emit(format, &report, || format!("{report}\n"))?;
            return Err(Failure::Runtime(
                "apply stopped short (see above); run plan again to see what is left".into(),
            ));
        }
        Err(e) => return Err(Failure::Runtime(e.to_string())),
    };
    let external_id_done = match &external {
        Some(part) => match tenant.apply_external_sections(desired, part).await {
            Ok(_) => Some(part.plan.actions.as_slice()),
            Err(e) => {
                // What was done, connectors included, then the failure.
                let report = TenantReport {
                    connectors: &report,
                    external_id_done: Some(
                        &part.plan.actions[..e.done.min(part.plan.actions.len())],
                    ),
                };
                output::emit(format, &report, || format!("{report}\n"))?;
                return Err(crate::external_state::apply_failure(part, e));
            }
        },
        None => None,
    };
    let report = TenantReport {
        connectors: &report,
        external_id_done,
    };
    output::emit(format, &report, || format!("{report}\n"))
}

/// `apiconn apply`: plans, asks (unless `--yes`), applies, prints what was done.
pub async fn apply_command(global: &Global, args: ApplyArgs) -> Outcome {
    let desired = desired(&args.file)?;
    let client: GraphClient = target::client(global)?;
    on_version!(desired.api_version, client, |tenant| {
        apply_on(&desired, &tenant, &args, global.format()).await
    })
}
