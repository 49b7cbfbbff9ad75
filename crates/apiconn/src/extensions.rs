//! `apiconn extensions ...`: custom authentication extensions of Microsoft Entra External ID
//! (`/identity/customAuthenticationExtensions`), on Graph v1.0.
//!
//! Inputs are checked with the client's validation before anything is sent (an `https` target URL,
//! a `resourceId` of the form `api://{host of the target URL}/{appId}`, a timeout of 200–2000 ms,
//! 0 or 1 retry, claims only for token issuance start). Extensions are named by id or display
//! name ([`names::resolve_by`]).

use clap::{Args, Subcommand, ValueEnum};
use entra_api_connectors::Graph;
use entra_api_connectors::connectors::{ListOptions, Patch};
use entra_api_connectors::custom_extensions::{
    ClientConfiguration, CustomExtensionPatch, ExtensionAuthentication, ExtensionKind,
    NewCustomExtension, validate_resource_id,
};
use entra_api_connectors::extensibility::Extensibility;
use serde_json::{Value, json};

use crate::cli::{ApiVersion, DryRun, Global};
use crate::hints::{self, Operation};
use crate::names::{self, Candidate, Kind};
use crate::output::{self, Progress};
use crate::{Failure, Outcome, dry_run, target};

/// Custom extensions, for name resolution.
pub const EXTENSION: Kind = Kind {
    noun: "custom extension",
    plural: "custom extensions",
    list: "apiconn extensions list",
};

/// The event a custom extension serves (`--type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventType {
    /// onTokenIssuanceStartCustomExtension: claims for the token being issued
    #[value(name = "onTokenIssuanceStart", alias = "token-issuance-start")]
    TokenIssuanceStart,
    /// onAttributeCollectionStartCustomExtension: before the attribute page is shown
    #[value(
        name = "onAttributeCollectionStart",
        alias = "attribute-collection-start"
    )]
    AttributeCollectionStart,
    /// onAttributeCollectionSubmitCustomExtension: when the user submits the attribute page
    #[value(
        name = "onAttributeCollectionSubmit",
        alias = "attribute-collection-submit"
    )]
    AttributeCollectionSubmit,
    /// onOtpSendCustomExtension: sending a one-time passcode by email
    #[value(name = "onOtpSend", alias = "otp-send")]
    OtpSend,
}

impl EventType {
    /// The client's kind.
    pub fn kind(self) -> ExtensionKind {
        match self {
            EventType::TokenIssuanceStart => ExtensionKind::TokenIssuanceStart,
            EventType::AttributeCollectionStart => ExtensionKind::AttributeCollectionStart,
            EventType::AttributeCollectionSubmit => ExtensionKind::AttributeCollectionSubmit,
            EventType::OtpSend => ExtensionKind::OtpSend,
        }
    }
}

/// The resource (app) Entra requests a token for: `--resource-id`, or `--api-app-id` with the
/// target URL's host.
#[derive(Debug, Clone, Args)]
pub struct ResourceArgs {
    /// The API's application ID URI, `api://{host of the target URL}/{appId}`.
    #[arg(long, value_name = "URI", conflicts_with = "api_app_id")]
    pub resource_id: Option<String>,
    /// The API's application (client) id: the resource id becomes `api://{target host}/{appId}`.
    #[arg(long, value_name = "GUID")]
    pub api_app_id: Option<String>,
}

impl ResourceArgs {
    /// The resource id, given or built from the app id and `target_url`'s host.
    fn resource_id(&self, target_url: Option<&str>) -> Result<Option<String>, Failure> {
        match (&self.resource_id, &self.api_app_id) {
            (Some(r), _) => Ok(Some(r.clone())),
            (None, Some(app)) => {
                let target = target_url.ok_or_else(|| {
                    Failure::Usage(
                        "--api-app-id needs the target URL's host: give --target-url too".into(),
                    )
                })?;
                let host = url::Url::parse(target)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .ok_or_else(|| {
                        Failure::Runtime(format!(
                            "invalid input: targetUrl `{target}` has no host for --api-app-id"
                        ))
                    })?;
                Ok(Some(format!("api://{host}/{app}")))
            }
            (None, None) => Ok(None),
        }
    }
}

/// How long Entra waits for the API and how often it retries.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// How long Entra waits for the API, 200 to 2000 milliseconds (Graph's default: 1000).
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<u32>,
    /// How often Entra retries after a timeout or a connection failure: 0 or 1.
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
}

impl ClientArgs {
    fn configuration(&self) -> Option<ClientConfiguration> {
        (self.timeout_ms.is_some() || self.max_retries.is_some()).then_some(ClientConfiguration {
            timeout_ms: self.timeout_ms,
            maximum_retries: self.max_retries,
        })
    }
}

/// `apiconn extensions ...`
#[derive(Debug, Subcommand)]
pub enum ExtensionsCommand {
    /// List the custom authentication extensions (every page).
    List {
        /// Only extensions of this type.
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        event: Option<EventType>,
    },
    /// Show one extension.
    Get {
        /// Extension id or display name.
        extension: String,
    },
    /// Create a custom authentication extension that Entra calls with a bearer token for the
    /// API's app (`azureAdTokenAuthentication`).
    Create {
        /// The event it serves.
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        event: EventType,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// The API's URL (https).
        #[arg(long, value_name = "URL")]
        target_url: String,
        #[command(flatten)]
        resource: ResourceArgs,
        #[command(flatten)]
        client: ClientArgs,
        /// A claim the API returns (`claimsForTokenConfiguration`; onTokenIssuanceStart only).
        /// Repeat it or separate with commas.
        #[arg(long = "claim", value_name = "NAME", value_delimiter = ',')]
        claims: Vec<String>,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Change an extension (only what is given is sent, with its @odata.type).
    Update {
        /// Extension id or display name.
        extension: String,
        /// The extension's type: checked against the stored one; needed with --dry-run, which
        /// does not read it.
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        event: Option<EventType>,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// New target URL (https).
        #[arg(long, value_name = "URL")]
        target_url: Option<String>,
        #[command(flatten)]
        resource: ResourceArgs,
        #[command(flatten)]
        client: ClientArgs,
        /// The claims the API returns, replacing the current ones (onTokenIssuanceStart only).
        #[arg(long = "claim", value_name = "NAME", value_delimiter = ',')]
        claims: Vec<String>,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Delete an extension.
    Delete {
        /// Extension id or display name.
        extension: String,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Ask Graph to check an extension's configuration (`validateAuthenticationConfiguration`),
    /// or one that need not exist yet (--target-url with --resource-id or --api-app-id). Prints
    /// the errors and warnings; exit 1 when there are errors.
    Validate {
        /// Extension id or display name.
        #[arg(conflicts_with = "target_url", required_unless_present = "target_url")]
        extension: Option<String>,
        /// The target URL of a configuration to check (https).
        #[arg(long, value_name = "URL")]
        target_url: Option<String>,
        #[command(flatten)]
        resource: ResourceArgs,
    },
}

/// Fail unless the run is on Graph v1.0, the version whose bindings have extensions.
pub fn require_v1(global: &Global, what: &str) -> Outcome {
    match global.api_version {
        ApiVersion::V1 => Ok(()),
        ApiVersion::Beta => Err(Failure::Usage(format!(
            "{what} are on Graph v1.0 in this tool: its beta bindings do not have them \
             (drop --api-version beta; v1.0 is the default)"
        ))),
    }
}

/// Run an extensions command.
pub async fn run(global: &Global, command: ExtensionsCommand) -> Outcome {
    require_v1(global, "custom authentication extensions")?;
    let dry = match &command {
        ExtensionsCommand::Create { dry_run, .. }
        | ExtensionsCommand::Update { dry_run, .. }
        | ExtensionsCommand::Delete { dry_run, .. } => dry_run.dry_run,
        _ => false,
    };
    let client = if dry {
        target::offline_client(global)?
    } else {
        target::client(global)?
    };
    run_on(client.v1(), command, global, dry).await
}

/// The kind of a stored extension, from its `@odata.type`.
pub fn kind_of(extension: &Value) -> Option<ExtensionKind> {
    let t = odata_type(extension);
    ExtensionKind::ALL
        .into_iter()
        .find(|k| k.extension_type().trim_start_matches('#') == t)
}

/// The `@odata.type` without `#`.
fn odata_type(value: &Value) -> &str {
    value
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_start_matches('#')
}

/// The short name of an extension type: `onTokenIssuanceStart` for
/// `#microsoft.graph.onTokenIssuanceStartCustomExtension`.
pub fn short_type(odata_type: &str) -> String {
    let t = odata_type
        .trim_start_matches('#')
        .trim_start_matches("microsoft.graph.");
    t.strip_suffix("CustomExtension").unwrap_or(t).to_owned()
}

fn text(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// How name resolution sees an extension.
pub fn candidate(extension: &Value) -> Candidate {
    Candidate {
        id: text(extension, "/id"),
        name: text(extension, "/displayName"),
        detail: format!(
            "{}  {}",
            short_type(odata_type(extension)),
            text(extension, "/endpointConfiguration/targetUrl")
        ),
    }
}

/// The extensions table.
fn table(extensions: &[Value]) -> String {
    let rows = extensions
        .iter()
        .map(|e| {
            vec![
                text(e, "/id"),
                short_type(odata_type(e)),
                text(e, "/displayName"),
                text(e, "/endpointConfiguration/targetUrl"),
                text(e, "/authenticationConfiguration/resourceId"),
                text(e, "/clientConfiguration/timeoutInMilliseconds"),
                text(e, "/clientConfiguration/maximumRetries"),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "TYPE",
            "DISPLAY NAME",
            "TARGET URL",
            "RESOURCE ID",
            "TIMEOUT MS",
            "RETRIES",
        ],
        rows,
    )
}

fn show(extension: &Value, global: &Global) -> Outcome {
    output::emit(global.format(), extension, || {
        table(std::slice::from_ref(extension))
    })
}

/// Every extension, as JSON.
async fn list_all<V: Extensibility>(graph: &Graph<V>) -> Result<Vec<Value>, Failure> {
    let all = graph
        .custom_extensions()
        .list_all(ListOptions::default())
        .await
        .map_err(|e| hints::failure(Operation::ReadExtensions, None, e))?;
    all.iter().map(output::to_json).collect()
}

/// The extension `reference` names (id or display name), as JSON.
pub async fn resolve<V: Extensibility>(
    graph: &Graph<V>,
    reference: &str,
) -> Result<Value, Failure> {
    let extensions = graph.custom_extensions();
    names::resolve_by(
        &EXTENSION,
        reference,
        Operation::ReadExtensions,
        || async {
            let e = extensions.get(reference, &[]).await?;
            output::to_json(&e).map_err(|_| {
                entra_api_connectors::Error::InvalidInput("unprintable extension".into())
            })
        },
        || list_all(graph),
        candidate,
    )
    .await
}

/// The id of a resolved object, or a decoding failure.
pub fn id(value: &Value) -> String {
    text(value, "/id")
}

async fn run_on<V: Extensibility>(
    graph: Graph<V>,
    command: ExtensionsCommand,
    global: &Global,
    dry: bool,
) -> Outcome {
    let format = global.format();
    let extensions = graph.custom_extensions();
    let write = |e| hints::failure(Operation::WriteExtensions, None, e);
    match command {
        ExtensionsCommand::List { event } => {
            let mut progress = Progress::new("custom extensions");
            let mut all = Vec::new();
            for e in list_all(&graph).await? {
                if event.is_none_or(|t| kind_of(&e) == Some(t.kind())) {
                    all.push(e);
                }
                progress.tick();
            }
            progress.finish();
            output::emit(format, &all, || table(&all))
        }
        ExtensionsCommand::Get { extension } => show(&resolve(&graph, &extension).await?, global),
        ExtensionsCommand::Create {
            event,
            name,
            description,
            target_url,
            resource,
            client,
            claims,
            dry_run: _,
        } => {
            let resource_id = resource
                .resource_id(Some(&target_url))?
                .ok_or_else(|| Failure::Usage("give --resource-id or --api-app-id".into()))?;
            let mut new = NewCustomExtension::new(event.kind(), name, target_url, resource_id);
            new.description = description;
            new.client_configuration = client.configuration();
            new.claims = claims;
            new.validate()?;
            if dry {
                return dry_run::emit(global, &[extensions.preview_create(&new)?]);
            }
            let created = extensions.create(&new).await.map_err(write)?;
            show(&output::to_json(&created)?, global)
        }
        ExtensionsCommand::Update {
            extension,
            event,
            name,
            description,
            target_url,
            resource,
            client,
            claims,
            dry_run: _,
        } => {
            // What the patch needs from the stored extension: its type, target URL and client
            // configuration (a complex value: PATCH replaces it whole, so the half not given is
            // the stored one).
            let mut client_configuration = client.configuration();
            let (id, kind, stored_target) = if dry {
                let id = dry_run::object_id(&EXTENSION, &extension)?.to_owned();
                let kind = event.map(EventType::kind).ok_or_else(|| {
                    Failure::Usage(
                        "--dry-run does not read the extension, so it needs its --type \
                         (Graph requires the @odata.type on every PATCH)"
                            .into(),
                    )
                })?;
                (id, kind, None)
            } else {
                let stored = resolve(&graph, &extension).await?;
                let kind = kind_of(&stored).ok_or_else(|| {
                    Failure::Runtime(format!(
                        "the extension is a {}, which this tool cannot update",
                        odata_type(&stored)
                    ))
                })?;
                if let Some(t) = event
                    && t.kind() != kind
                {
                    return Err(Failure::Runtime(format!(
                        "the extension is a {}, not a {} (a type cannot change)",
                        kind.extension_type(),
                        t.kind().extension_type()
                    )));
                }
                if let Some(c) = &mut client_configuration {
                    let stored_number = |name: &str| {
                        stored
                            .pointer(&format!("/clientConfiguration/{name}"))
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok())
                    };
                    c.timeout_ms = c
                        .timeout_ms
                        .or_else(|| stored_number("timeoutInMilliseconds"));
                    c.maximum_retries = c
                        .maximum_retries
                        .or_else(|| stored_number("maximumRetries"));
                }
                let target = text(&stored, "/endpointConfiguration/targetUrl");
                (id(&stored), kind, (!target.is_empty()).then_some(target))
            };
            let mut patch = CustomExtensionPatch::new(kind);
            if let Some(n) = name {
                patch.display_name = Patch::Set(n);
            }
            if let Some(d) = description {
                patch.description = Patch::Set(d);
            }
            let target_for_resource = target_url.clone().or(stored_target);
            if let Some(u) = target_url.clone() {
                patch.target_url = Patch::Set(u);
            }
            if let Some(r) = resource.resource_id(target_for_resource.as_deref())? {
                // The client checks the host against a target URL in the same patch; against
                // the stored one it is checked here.
                if target_url.is_none()
                    && let Some(stored) = &target_for_resource
                {
                    check_host(&r, stored)?;
                }
                patch.authentication = Patch::Set(ExtensionAuthentication::azure_ad_token(r));
            }
            if let Some(c) = client_configuration {
                patch.client_configuration = Patch::Set(c);
            }
            if !claims.is_empty() {
                patch.claims = Patch::Set(claims);
            }
            if patch == CustomExtensionPatch::new(kind) {
                return Err(Failure::Usage(
                    "nothing to update: give --name, --description, --target-url, --resource-id, \
                     --api-app-id, --timeout-ms, --max-retries or --claim"
                        .into(),
                ));
            }
            patch.to_body()?;
            if dry {
                return dry_run::emit(global, &[extensions.preview_update(&id, &patch)?]);
            }
            extensions.update(&id, &patch).await.map_err(write)?;
            let updated = extensions
                .get(&id, &[])
                .await
                .map_err(|e| hints::failure(Operation::ReadExtensions, None, e))?;
            show(&output::to_json(&updated)?, global)
        }
        ExtensionsCommand::Delete {
            extension,
            dry_run: _,
        } => {
            if dry {
                let id = dry_run::object_id(&EXTENSION, &extension)?;
                return dry_run::emit(global, &[extensions.preview_delete(id)?]);
            }
            let stored = resolve(&graph, &extension).await?;
            let id = id(&stored);
            extensions.delete(&id).await.map_err(write)?;
            let result = json!({
                "id": id,
                "displayName": stored.get("displayName"),
                "deleted": true,
            });
            output::emit(format, &result, || {
                format!("deleted custom extension {id}\n")
            })
        }
        ExtensionsCommand::Validate {
            extension,
            target_url,
            resource,
        } => {
            let read = |e| hints::failure(Operation::ReadExtensions, None, e);
            let validation = match (extension, target_url) {
                (Some(reference), _) => {
                    if resource.resource_id.is_some() || resource.api_app_id.is_some() {
                        return Err(Failure::Usage(
                            "an existing extension is checked as it is stored: --resource-id \
                             and --api-app-id go with --target-url"
                                .into(),
                        ));
                    }
                    let id = id(&resolve(&graph, &reference).await?);
                    output::to_json(&extensions.validate(&id).await.map_err(read)?)?
                }
                (None, Some(url)) => {
                    let resource_id = resource.resource_id(Some(&url))?.ok_or_else(|| {
                        Failure::Usage("give --resource-id or --api-app-id".into())
                    })?;
                    let auth = ExtensionAuthentication::azure_ad_token(resource_id);
                    output::to_json(
                        &extensions
                            .validate_configuration(&url, &auth)
                            .await
                            .map_err(read)?,
                    )?
                }
                (None, None) => {
                    return Err(Failure::Usage(
                        "give an extension, or --target-url with --resource-id or --api-app-id"
                            .into(),
                    ));
                }
            };
            report(&validation, global)
        }
    }
}

/// A `resourceId`'s host must be the target URL's (`DomainNameDoesNotMatch`).
fn check_host(resource_id: &str, target_url: &str) -> Outcome {
    let host = validate_resource_id(resource_id)?;
    let target_host = url::Url::parse(target_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    if target_host.eq_ignore_ascii_case(&host) {
        Ok(())
    } else {
        Err(Failure::Runtime(format!(
            "invalid input: resourceId host `{host}` does not match the target URL's host \
             `{target_host}` (DomainNameDoesNotMatch)"
        )))
    }
}

/// Print a validation's findings; a failure when it has errors.
fn report(validation: &Value, global: &Global) -> Outcome {
    let findings = |name: &str| -> Vec<(String, String)> {
        validation
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|f| (text(f, "/code"), text(f, "/message")))
                    .collect()
            })
            .unwrap_or_default()
    };
    let errors = findings("errors");
    let warnings = findings("warnings");
    output::emit(global.format(), validation, || {
        if errors.is_empty() && warnings.is_empty() {
            return "valid: no errors, no warnings\n".to_owned();
        }
        let rows = errors
            .iter()
            .map(|e| ("error", e))
            .chain(warnings.iter().map(|w| ("warning", w)))
            .map(|(level, (code, message))| vec![level.to_owned(), code.clone(), message.clone()])
            .collect();
        output::table(&["LEVEL", "CODE", "MESSAGE"], rows)
    })?;
    if errors.is_empty() {
        Ok(())
    } else {
        let codes: Vec<&str> = errors.iter().map(|(c, _)| c.as_str()).collect();
        Err(Failure::Runtime(format!(
            "the configuration has {} error(s): {}",
            errors.len(),
            codes.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_types_and_kinds() {
        assert_eq!(
            short_type("#microsoft.graph.onTokenIssuanceStartCustomExtension"),
            "onTokenIssuanceStart"
        );
        assert_eq!(short_type("microsoft.graph.other"), "other");
        let e = json!({"@odata.type": "#microsoft.graph.onOtpSendCustomExtension"});
        assert_eq!(kind_of(&e), Some(ExtensionKind::OtpSend));
        assert_eq!(kind_of(&json!({})), None);
    }

    #[test]
    fn hosts_must_match() {
        let app = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";
        assert!(check_host(&format!("api://a.example/{app}"), "https://a.example/x").is_ok());
        assert!(check_host(&format!("api://b.example/{app}"), "https://a.example/x").is_err());
    }

    #[test]
    fn api_app_ids_take_the_target_host() {
        let r = ResourceArgs {
            resource_id: None,
            api_app_id: Some("app".into()),
        };
        assert_eq!(
            r.resource_id(Some("https://api.contoso.example/x"))
                .unwrap(),
            Some("api://api.contoso.example/app".into())
        );
        assert!(matches!(r.resource_id(None), Err(Failure::Usage(_))));
    }
}
