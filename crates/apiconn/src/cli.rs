//! The command line, declared with clap's derive API.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Manage Microsoft Graph API connectors (Azure AD B2C / Entra External ID).
///
/// Credentials come from the environment: GRAPH_TOKEN (a bearer token), or AZURE_TENANT_ID,
/// AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (client credentials). Secrets such as passwords are read
/// from a file (--password-file), an environment variable (--password-env) or a prompt, never from
/// an argument.
#[derive(Debug, Parser)]
#[command(name = "apiconn", disable_version_flag = true)]
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
    #[arg(long, global = true, value_name = "URL", conflicts_with = "cloud")]
    pub base_url: Option<String>,
    /// National cloud: global, us-gov, us-gov-dod or china.
    #[arg(long, global = true, value_name = "CLOUD")]
    pub cloud: Option<entra_api_connectors::Cloud>,
    /// Graph version.
    #[arg(long = "version", visible_alias = "api-version", global = true, value_enum, default_value_t = Version::V1)]
    pub version: Version,
    /// Print the JSON Graph returned instead of a table (secrets stay masked).
    #[arg(long, global = true)]
    pub json: bool,
}

/// A Graph version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Version {
    /// Graph beta: Azure AD B2C user flows and the preTokenIssuance step
    #[value(name = "beta")]
    Beta,
    /// Graph v1.0
    #[value(name = "v1.0", alias = "v1")]
    V1,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// API connectors: list, get, create, update, delete, upload a client certificate.
    #[command(subcommand)]
    Connectors(ConnectorsCommand),
    /// User flows and the connector each sign-up step calls.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// Run the local Graph emulator until interrupted.
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
    /// Write the tenant's connectors and bindings as a configuration file.
    Export(crate::state::ExportArgs),
    /// Compare a configuration file with the tenant; exit 0: no changes, 2: changes pending, 1: error.
    Plan(crate::state::PlanArgs),
    /// Bring the tenant to a configuration file.
    Apply(crate::state::ApplyArgs),
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
        /// Connector id.
        id: String,
    },
    /// Create a connector with basic authentication (--username) or a client certificate (--pfx).
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// The API's URL (https).
        #[arg(long, value_name = "URL")]
        target_url: String,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Change a connector's name, URL or authentication (only what is given is sent).
    Update {
        /// Connector id.
        id: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New target URL (https).
        #[arg(long, value_name = "URL")]
        target_url: Option<String>,
        #[command(flatten)]
        auth: OptionalAuthArgs,
    },
    /// Delete a connector.
    Delete {
        /// Connector id.
        id: String,
    },
    /// Upload a client certificate (.pfx) to a connector: the way to rotate its certificate.
    UploadCert {
        /// Connector id.
        id: String,
        /// The PKCS#12 file.
        #[arg(long, value_name = "FILE")]
        pfx: PathBuf,
        /// The .pfx password source.
        #[command(flatten)]
        password: SecretSource,
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
        /// Connector id.
        #[arg(long)]
        connector: String,
        #[command(flatten)]
        kind: KindArg,
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
    },
}

/// Tenant kind of the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TenantArg {
    /// Azure AD B2C: `b2cUserFlows` work.
    B2c,
    /// Workforce / External ID: `b2xUserFlows` work.
    Workforce,
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
    /// Cut the spec's fragment out of a full Graph `$metadata` document (use --version).
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
