//! The command line, declared with clap's derive API.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// How credentials are chosen, for `--help` (the README's "Credentials" section says the same).
pub const CREDENTIALS_HELP: &str = "\
Credentials: --auth KIND picks one; without it, the first one the environment provides:
  1. token               GRAPH_TOKEN (a bearer token)
  2. client-secret       AZURE_CLIENT_SECRET, with AZURE_TENANT_ID and AZURE_CLIENT_ID
  3. client-certificate  AZURE_CLIENT_CERTIFICATE_PATH (PEM with its key, or PFX with
                         AZURE_CLIENT_CERTIFICATE_PASSWORD), with AZURE_TENANT_ID and AZURE_CLIENT_ID
  4. workload-identity   AZURE_FEDERATED_TOKEN_FILE (GitHub Actions, AKS), with AZURE_TENANT_ID
                         and AZURE_CLIENT_ID
  5. managed-identity    IDENTITY_ENDPOINT or MSI_ENDPOINT (App Service, Functions, Container
                         Apps, Arc, Cloud Shell); a VM's IMDS only with --auth managed-identity;
                         AZURE_CLIENT_ID picks a user-assigned identity
  6. azure-cli           `az` on PATH, signed in with `az login` (AZURE_TENANT_ID picks the tenant)
AZURE_AUTHORITY_HOST replaces the cloud's authority host. `apiconn auth status` shows the choice
without any secret.

Network: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are honoured; --proxy replaces the
first three (NO_PROXY still applies).";

/// Manage Microsoft Graph API connectors (Azure AD B2C / Entra External ID) and the user-flow
/// steps that call them.
///
/// Tables and data go to standard output (`--output json|yaml` for scripts); messages, warnings
/// and progress to standard error. Commands that change something take `--dry-run`: they print
/// the request and send nothing. Secrets such as passwords are read from a file
/// (--password-file), an environment variable (--password-env) or a prompt, never from an
/// argument. A connector is named by its id or its display name.
#[derive(Debug, Parser)]
#[command(name = "apiconn", version, after_long_help = CREDENTIALS_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Graph service root instead of a cloud's, e.g. an emulator's http://127.0.0.1:8080.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// National cloud: global, us-gov, us-gov-dod or china (its Graph, authority and scope).
    #[arg(long, global = true, value_name = "CLOUD")]
    pub cloud: Option<entra_api_connectors::Cloud>,
    /// Graph version.
    #[arg(short = 'A', long, global = true, value_enum, default_value_t = ApiVersion::V1)]
    pub api_version: ApiVersion,
    /// Output format of the data printed on standard output (secrets stay masked).
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Short for --output json.
    #[arg(long, global = true, conflicts_with = "output")]
    pub json: bool,
    /// The credential to use, instead of the first one the environment provides (see below).
    #[arg(long, global = true, value_enum, value_name = "KIND")]
    pub auth: Option<AuthKind>,
    /// HTTP(S) proxy for every request, instead of HTTPS_PROXY / HTTP_PROXY / ALL_PROXY.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
}

impl Global {
    /// The output format, `--json` included.
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.output }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people
    Table,
    /// JSON (Graph's own for Graph objects)
    Json,
    /// YAML (the same data as JSON)
    Yaml,
}

/// A Graph version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiVersion {
    /// Graph beta: Azure AD B2C user flows and the preTokenIssuance step
    #[value(name = "beta")]
    Beta,
    /// Graph v1.0
    #[value(name = "v1.0", alias = "v1")]
    V1,
}

impl ApiVersion {
    /// The URL segment: `beta` or `v1.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::Beta => "beta",
            ApiVersion::V1 => "v1.0",
        }
    }
}

/// A kind of credential (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthKind {
    /// A bearer token from GRAPH_TOKEN
    Token,
    /// Client credentials with AZURE_CLIENT_SECRET
    ClientSecret,
    /// Client credentials with the certificate at AZURE_CLIENT_CERTIFICATE_PATH
    ClientCertificate,
    /// The Azure CLI's signed-in account (`az account get-access-token`)
    AzureCli,
    /// The managed identity of the Azure resource this runs on
    ManagedIdentity,
    /// Workload identity federation with the token in AZURE_FEDERATED_TOKEN_FILE
    WorkloadIdentity,
}

impl AuthKind {
    /// The name `--auth` takes.
    pub fn name(self) -> &'static str {
        match self {
            AuthKind::Token => "token",
            AuthKind::ClientSecret => "client-secret",
            AuthKind::ClientCertificate => "client-certificate",
            AuthKind::AzureCli => "azure-cli",
            AuthKind::ManagedIdentity => "managed-identity",
            AuthKind::WorkloadIdentity => "workload-identity",
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// API connectors: list, get, create, update, delete, upload a client certificate.
    #[command(subcommand)]
    Connectors(ConnectorsCommand),
    /// User flows and the connector each sign-up step calls; `flows events`: External ID's
    /// authentication events flows and the custom extension each step calls.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// Custom authentication extensions (External ID, Graph v1.0): list, get, create, update,
    /// delete, validate.
    #[command(subcommand)]
    Extensions(crate::extensions::ExtensionsCommand),
    /// Authentication event listeners (External ID, Graph v1.0): which custom extension an event
    /// such as token issuance start calls for which applications.
    #[command(subcommand)]
    Listeners(crate::listeners::ListenersCommand),
    /// Which credential, tenant and cloud the tool would use.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Run the local Graph emulator until interrupted, optionally with injected faults.
    Emulator(EmulatorArgs),
    /// JSON Schemas of the model types and the OpenAPI documents.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Maintain the CSDL spec the bindings are generated from.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Simulated sign-ups on the emulator (emulator only).
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Write the tenant's connectors and bindings (and, for an external tenant on v1.0, its custom
    /// extensions, events flows and listeners) as a configuration file.
    Export(crate::state::ExportArgs),
    /// Compare a configuration file with the tenant; exit 0: no changes, 2: changes pending, 1: error.
    Plan(crate::state::PlanArgs),
    /// Bring the tenant to a configuration file.
    Apply(crate::state::ApplyArgs),
    /// Write an Azure AD B2C tenant's connectors and bindings as External ID custom extensions,
    /// events flows and listeners; the mapping and what does not carry over go to standard error.
    Migrate(crate::migrate::MigrateArgs),
    /// Print a shell completion script (see the README for where to put it).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `--dry-run` of the commands that change something.
#[derive(Debug, Clone, Copy, Args)]
pub struct DryRun {
    /// Print the request (method, URL, headers, body with secrets masked) and send nothing: no
    /// request, no token. A connector must then be named by its id.
    #[arg(long)]
    pub dry_run: bool,
}

/// `apiconn auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show the credential that would be used, why, and its tenant, client id, cloud, authority
    /// and scope. Never prints a secret.
    #[command(after_long_help = CREDENTIALS_HELP)]
    Status {
        /// Also request a token (not printed) to check that the credential works.
        #[arg(long)]
        check: bool,
    },
}

/// `apiconn simulate ...`
#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// Play a sign-up on a user flow: the emulator calls the connectors bound to it and prints
    /// each call and the outcome.
    Signup {
        /// User-flow id, e.g. B2C_1_SignUp.
        #[arg(long)]
        flow: String,
        /// JSON object of the claims the user has, e.g. {"email": "...", "postalCode": "..."}.
        #[arg(long, value_name = "FILE")]
        claims: PathBuf,
        /// Sign up with this identity provider (e.g. facebook.com) instead of a local account.
        #[arg(long, value_name = "ISSUER")]
        identity_provider: Option<String>,
        /// The application's client_id sent to the API.
        #[arg(long)]
        client_id: Option<String>,
        /// The ui_locales sent to the API.
        #[arg(long)]
        ui_locales: Option<String>,
        #[command(flatten)]
        dry_run: DryRun,
    },
}

/// Where a secret comes from. Without either option, it is prompted for on a terminal.
#[derive(Debug, Clone, Args)]
pub struct SecretSource {
    /// Read the password from this file (one trailing newline is ignored).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
}

/// `apiconn connectors ...`
#[derive(Debug, Subcommand)]
pub enum ConnectorsCommand {
    /// List the connectors (every page).
    List {
        /// OData `$filter`, e.g. "startswith(displayName,'Age')".
        #[arg(long)]
        filter: Option<String>,
        /// Page size (`$top`).
        #[arg(long)]
        top: Option<u32>,
    },
    /// Show one connector.
    Get {
        /// Connector id or display name.
        connector: String,
    },
    /// Create a connector with basic authentication (--username) or a client certificate (--pfx).
    ///
    /// A connector with the same display name must not exist yet (Graph allows duplicates;
    /// --allow-duplicate creates one anyway).
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// The API's URL (https).
        #[arg(long, value_name = "URL")]
        target_url: String,
        #[command(flatten)]
        auth: AuthArgs,
        /// Create it even if a connector with this display name exists.
        #[arg(long)]
        allow_duplicate: bool,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Change a connector's name, URL or authentication (only what is given is sent).
    Update {
        /// Connector id or display name.
        connector: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New target URL (https).
        #[arg(long, value_name = "URL")]
        target_url: Option<String>,
        #[command(flatten)]
        auth: OptionalAuthArgs,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Delete a connector.
    Delete {
        /// Connector id or display name.
        connector: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Upload a client certificate (.pfx) to a connector: the way to rotate its certificate.
    UploadCert {
        /// Connector id or display name.
        connector: String,
        /// The PKCS#12 file.
        #[arg(long, value_name = "FILE")]
        pfx: PathBuf,
        /// The .pfx password source.
        #[command(flatten)]
        password: SecretSource,
        #[command(flatten)]
        dry_run: DryRun,
    },
}

/// Authentication of a new connector: exactly one of `--username` and `--pfx`.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// Basic authentication with this user name (the password comes from the password source).
    #[arg(long, required_unless_present = "pfx", conflicts_with = "pfx")]
    pub username: Option<String>,
    /// Client certificate authentication with this PKCS#12 file (its password from the password source).
    #[arg(long, value_name = "FILE")]
    pub pfx: Option<PathBuf>,
    #[command(flatten)]
    pub password: SecretSource,
}

/// Authentication of an update (optional).
#[derive(Debug, Clone, Args)]
pub struct OptionalAuthArgs {
    /// Switch to basic authentication with this user name.
    #[arg(long, conflicts_with = "pfx")]
    pub username: Option<String>,
    /// Switch to client certificate authentication with this PKCS#12 file.
    #[arg(long, value_name = "FILE")]
    pub pfx: Option<PathBuf>,
    #[command(flatten)]
    pub password: SecretSource,
}

/// A user-flow family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowKind {
    /// Azure AD B2C user flows (`b2cUserFlows`, beta only).
    B2c,
    /// Self-service sign-up flows of workforce / External ID tenants (`b2xUserFlows`).
    B2x,
}

/// `--kind` of the flow commands.
#[derive(Debug, Clone, Args)]
pub struct KindArg {
    /// User-flow family: b2c (Azure AD B2C, beta only) or b2x.
    #[arg(long, value_enum, default_value_t = FlowKind::B2x)]
    pub kind: FlowKind,
}

/// `apiconn flows ...`
#[derive(Debug, Subcommand)]
pub enum FlowsCommand {
    /// List the user flows.
    List {
        #[command(flatten)]
        kind: KindArg,
    },
    /// Show which connector each step of a flow calls.
    Show {
        /// User-flow id, e.g. B2C_1_SignUp.
        flow: String,
        #[command(flatten)]
        kind: KindArg,
    },
    /// Make a step of a flow call a connector.
    Attach {
        /// User-flow id.
        flow: String,
        /// Step: postFederationSignup or postAttributeCollection.
        #[arg(long)]
        step: String,
        /// Connector id or display name.
        #[arg(long)]
        connector: String,
        #[command(flatten)]
        kind: KindArg,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Stop a step of a flow calling any connector.
    Detach {
        /// User-flow id.
        flow: String,
        /// Step: postFederationSignup or postAttributeCollection.
        #[arg(long)]
        step: String,
        #[command(flatten)]
        kind: KindArg,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Authentication events flows of an External ID external tenant (Graph v1.0).
    #[command(subcommand)]
    Events(crate::events_flows::EventsCommand),
}

/// Tenant kind of the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TenantArg {
    /// Azure AD B2C: `b2cUserFlows` work.
    B2c,
    /// Workforce / External ID: `b2xUserFlows` work.
    Workforce,
    /// External ID external tenant: custom authentication extensions, authentication events
    /// flows and listeners.
    External,
}

/// `apiconn emulator`
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Kind of tenant to emulate.
    #[arg(long, value_enum, default_value_t = TenantArg::B2c)]
    pub tenant: TenantArg,
    /// JSON file to load the state from (when it exists) and to save it to after every change.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Register an application's service principal (external tenants: an app a flow or listener
    /// applies to, or the API app a custom extension's resourceId names); repeat it.
    #[arg(long = "service-principal", value_name = "APP_ID[=NAME]")]
    pub service_principals: Vec<String>,
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Fault injection of `apiconn emulator`, applied to Graph requests (not to the token endpoint).
/// Rates are shares of requests from 0 to 1, drawn in this order: dropped connection, lost
/// response, 429, 503.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Fault injection (Graph requests only)")]
pub struct FaultArgs {
    /// Share of requests answered `429 TooManyRequests` with a Retry-After header, as Graph
    /// throttles.
    #[arg(long, value_name = "RATE", value_parser = rate, default_value_t = 0.0)]
    pub fault_429_rate: f64,
    /// Share of requests answered `503 serviceNotAvailable` with a Retry-After header.
    #[arg(long, value_name = "RATE", value_parser = rate, default_value_t = 0.0)]
    pub fault_503_rate: f64,
    /// The Retry-After of those 429 and 503 answers, in seconds (fractions allowed).
    #[arg(long, value_name = "SECONDS", value_parser = seconds, default_value = "1")]
    pub retry_after: std::time::Duration,
    /// Share of connections closed before the request is handled (nothing changes).
    #[arg(long, value_name = "RATE", value_parser = rate, default_value_t = 0.0)]
    pub fault_drop_rate: f64,
    /// Share of requests handled (the state changes) whose answer is then lost: the connection
    /// closes without a byte, so the client cannot tell whether a create happened.
    #[arg(long, value_name = "RATE", value_parser = rate, default_value_t = 0.0)]
    pub fault_lose_response_rate: f64,
    /// Delay added before every Graph request is handled, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Seed of the random draws: the same seed gives the same faults for the same requests.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
}

/// A rate from 0 to 1.
fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("`{text}` is not a rate from 0 to 1 (e.g. 0.25)")),
    }
}

/// A non-negative number of seconds, fractions allowed.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{text}` is not a number of seconds (e.g. 2 or 0.5)"))
}

/// `apiconn schema ...`
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Write the JSON Schemas (draft 2020-12) and OpenAPI documents of every version, and the schema
    /// of the `plan`/`apply` configuration file (apiconn.schema.json), to a folder.
    Export {
        /// Output folder (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Validate JSON or YAML documents against an exported schema (exit 1 if one is invalid).
    Validate {
        /// The schema, e.g. schemas/v1.0/identityApiConnector.schema.json.
        #[arg(long, value_name = "FILE")]
        schema: PathBuf,
        /// The documents (`.json`, `.yaml`, `.yml`).
        #[arg(required = true, value_name = "DOCUMENT")]
        documents: Vec<PathBuf>,
    },
}

/// `apiconn spec ...`
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Cut the spec's fragment out of a full Graph `$metadata` document (use --api-version).
    ///
    /// What is kept comes from a roots file (JSON): `singleton` (the entity container's singleton,
    /// e.g. `identity`), `navigationProperties` (of the singleton's type; each must exist),
    /// `optionalNavigationProperties` (kept when present), `boundOperations` (actions and functions
    /// kept with every overload bound to a type of the slice) and `prune` (`"namespace.type/navigation":
    /// "reason"`, cut off although reachable). Everything they reference comes along.
    Slice {
        /// The full CSDL (`$metadata`) of the Graph version.
        #[arg(long, value_name = "FULL.xml")]
        metadata: PathBuf,
        /// The roots file (default: `spec/<version>/slice.json`, beside the version's spec).
        #[arg(long, value_name = "FILE")]
        roots: Option<PathBuf>,
        /// Where to write the fragment (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Text of the provenance comment at the top of the fragment (default: names the input file).
        #[arg(long)]
        provenance: Option<String>,
    },
    /// Check that the spec parses, converts to OpenAPI and covers every operation the crate uses.
    Check {
        /// The spec folder, with one sub-folder per version (`beta`, `v1.0`).
        #[arg(long, value_name = "DIR", default_value = "spec")]
        spec_dir: PathBuf,
    },
    /// Show what changed between two CSDL files.
    Diff {
        /// The old file.
        old: PathBuf,
        /// The new file.
        new: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rates_and_seconds_are_checked() {
        assert_eq!(rate("0.25"), Ok(0.25));
        assert_eq!(rate("1"), Ok(1.0));
        assert!(rate("1.5").unwrap_err().contains("from 0 to 1"));
        assert!(rate("-0.1").is_err() && rate("often").is_err());
        assert_eq!(seconds("0.5"), Ok(std::time::Duration::from_millis(500)));
        assert!(seconds("-1").is_err() && seconds("soon").is_err());
    }
}
