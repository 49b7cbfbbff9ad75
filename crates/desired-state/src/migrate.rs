//! From Azure AD B2C API connectors to Microsoft Entra External ID custom authentication extensions
//! (`docs/graph-behaviour.md` §12, `docs/custom-extensions-contract.md` §9).
//!
//! [`migrate`] reads a B2C configuration (the file `apiconn export` writes, or a live [`Snapshot`]
//! through [`migrate_snapshot`]) and returns the External ID configuration, the [`Mapping`] of every
//! binding it carried over, and a [`Note`] for everything that changes meaning or cannot be carried
//! over, each with its reason. Nothing is dropped without a note.
//!
//! * One custom extension per (connector, event), with the connector's target URL, named
//!   `"{connector} ({event})"`; the connector's basic or client-certificate authentication becomes
//!   `azureAdTokenAuthentication` with `resourceId` `api://{target host}/{api app id}`; the timeout is
//!   External ID's ceiling, 2000 ms, with one retry.
//! * `postFederationSignup` → the events flow's `onAttributeCollectionStart` handler;
//!   `postAttributeCollection` → `onAttributeCollectionSubmit`; `preTokenIssuance` → a token issuance
//!   listener calling an `onTokenIssuanceStart` extension.
//! * Every `b2c` user flow becomes an events flow of the same name. B2C does not say which
//!   applications use a user flow, so they come from [`MigrateOptions::applications`].
//!
//! ```
//! use entra_api_connectors_desired_state::migrate::{MigrateOptions, NoteKind, migrate};
//! use entra_api_connectors_desired_state::{ConfigFile, Format};
//!
//! let b2c = "\
//! tenant: contoso.onmicrosoft.com
//! apiVersion: beta
//! connectors:
//!   Validate postal code:
//!     targetUrl: https://api.contoso.com/validate
//!     authentication:
//!       basic: {username: b2c, password: {env: POSTAL_PASSWORD}}
//! userFlows:
//!   B2C_1_SignUp:
//!     family: b2c
//!     steps: {postAttributeCollection: Validate postal code}
//! ";
//! let configuration = ConfigFile::parse(b2c, Format::Yaml, None, ".")?.configuration()?;
//! let options = MigrateOptions::new()
//!     .api_app_id("00000000-0000-0000-0000-0000000000a1")
//!     .target_tenant("contosoexternal.onmicrosoft.com");
//! let migration = migrate(&configuration, &options)?;
//! let extension = &migration.configuration.custom_authentication_extensions
//!     ["Validate postal code (onAttributeCollectionSubmit)"];
//! assert_eq!(
//!     extension.resource_id,
//!     "api://api.contoso.com/00000000-0000-0000-0000-0000000000a1"
//! );
//! assert!(migration.notes.iter().any(|n| n.kind == NoteKind::Authentication));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;

use crate::error::ConfigErrors;
use crate::export::{ExportTarget, export};
use crate::file::{ConfigFile, Format};
use crate::model::{
    Authentication, Configuration, CustomExtension, EventsFlow, ExtensionEvent, StepTarget,
    TokenIssuanceListener,
};
use crate::snapshot::Snapshot;
use crate::steps::{ApiVersion, Family, Step};
use crate::tenant::{Tenant, families, read_snapshot};
use crate::tenant_check::TenantError;
use crate::validate::{MAX_RETRIES, MAX_TIMEOUT_MS};

/// The B2C timeout of an API connector call: "a maximum of 20 seconds" (`add-api-connector`).
pub const B2C_TIMEOUT_MS: u32 = 20_000;

/// What [`migrate`] needs beyond the B2C configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    /// The API's app registration in the external tenant (its application id): the `{appId}` of
    /// every `resourceId`. Required when any connector is carried over.
    pub api_app_id: Option<String>,
    /// The external tenant (id or primary domain). Unset: the file names the B2C tenant and a note
    /// says to replace it.
    pub target_tenant: Option<String>,
    /// The applications of each events flow, by B2C user-flow id (compared without regard to ASCII
    /// case). The key `*` applies to every user flow without its own entry.
    pub applications: BTreeMap<String, Vec<String>>,
}

impl MigrateOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`MigrateOptions::api_app_id`].
    pub fn api_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.api_app_id = Some(app_id.into());
        self
    }

    /// Sets [`MigrateOptions::target_tenant`].
    pub fn target_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.target_tenant = Some(tenant.into());
        self
    }

    /// Adds an application to the events flow made from `user_flow` (`*`: the user flow without its
    /// own entry that calls a carried-over connector; when there are several, [`migrate`] refuses
    /// with [`MigrateError::ApplicationForSeveralFlows`], as an application can be in one events
    /// flow only).
    pub fn application(mut self, user_flow: impl Into<String>, app_id: impl Into<String>) -> Self {
        self.applications
            .entry(user_flow.into())
            .or_default()
            .push(app_id.into());
        self
    }

    /// The user flow's own applications.
    fn own_applications(&self, user_flow: &str) -> Option<&Vec<String>> {
        self.applications
            .iter()
            .find(|(k, _)| k.as_str() != "*" && k.eq_ignore_ascii_case(user_flow))
            .map(|(_, apps)| apps)
    }

    /// The applications given for any user flow (`*`).
    fn catch_all(&self) -> Option<&Vec<String>> {
        self.applications.get("*")
    }
}

/// Why [`migrate`] produced nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// A connector is carried over but no `--api-app-id` was given: every `resourceId` needs it.
    #[error(
        "--api-app-id is required: the custom extensions authenticate with a bearer token for the API's app registration (resourceId api://{{host}}/{{appId}})"
    )]
    ApiAppIdRequired,
    /// An application id (of the API or of an events flow) that is not a GUID.
    #[error("application id {value:?} is not a GUID")]
    InvalidAppId {
        /// The value.
        value: String,
    },
    /// Applications given without a user flow (`--app-id APPID`) would go to several events
    /// flows, but Entra links an application to one flow only.
    #[error(
        "--app-id {} names no user flow, and {} call a connector; an application can be in one events flow only: pass --app-id FLOW=APPID for each",
        app_ids.join(", "),
        flows.join(" and ")
    )]
    ApplicationForSeveralFlows {
        /// The applications given without a flow.
        app_ids: Vec<String>,
        /// The user flows without their own applications that bind a carried-over connector.
        flows: Vec<String>,
    },
    /// The B2C configuration file does not parse or has the wrong structure.
    #[error("the B2C configuration cannot be read: {0}")]
    Source(#[from] ConfigErrors),
}

/// One binding carried over: the B2C step of a user flow calling a connector, and what calls the
/// extension made from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    /// The B2C user flow.
    pub user_flow: String,
    /// The B2C step.
    pub step: Step,
    /// The B2C connector.
    pub connector: String,
    /// The External ID event.
    pub event: ExtensionEvent,
    /// The custom extension's display name.
    pub extension: String,
    /// What calls it.
    pub caller: Caller,
}

/// What calls a migrated extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "name")]
pub enum Caller {
    /// The handler of this events flow.
    EventsFlow(String),
    /// This token issuance listener.
    Listener(String),
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EventsFlow(name) => write!(f, "events flow {name:?}"),
            Self::Listener(name) => write!(f, "listener {name:?}"),
        }
    }
}

/// What a [`Note`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum NoteKind {
    /// Basic or client-certificate authentication became Entra's bearer token.
    Authentication,
    /// B2C's 20 s timeout became External ID's 2 s ceiling.
    Timeout,
    /// Custom attribute names (`extension_<appId>_<Name>`) use another app id in the new tenant.
    CustomAttributes,
    /// The External ID event behaves differently from the B2C step (when it runs, which answers it
    /// allows).
    StepBehaviour,
    /// Token claims need a claims-mapping policy and the list of claims the API returns.
    TokenClaims,
    /// The applications of an events flow or listener are unknown from B2C.
    Applications,
    /// The file names the B2C tenant: no external tenant was given.
    TargetTenant,
    /// Something that cannot be carried over, and was left out.
    NotCarriedOver,
}

impl NoteKind {
    /// The name in the output (`customAttributes`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authentication => "authentication",
            Self::Timeout => "timeout",
            Self::CustomAttributes => "customAttributes",
            Self::StepBehaviour => "stepBehaviour",
            Self::TokenClaims => "tokenClaims",
            Self::Applications => "applications",
            Self::TargetTenant => "targetTenant",
            Self::NotCarriedOver => "notCarriedOver",
        }
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that changed on the way, or could not be carried over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// What it is about.
    pub kind: NoteKind,
    /// The connector, user flow, extension or file it concerns.
    pub subject: String,
    /// Why, and what to do.
    pub reason: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.subject, self.reason)
    }
}

/// The External ID configuration made from a B2C one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The B2C tenant the configuration came from.
    pub source_tenant: String,
    /// The External ID configuration (`apiVersion: v1.0`, no connectors or user flows).
    pub configuration: Configuration,
    /// Every binding carried over, in the order of the B2C file's user flows and steps.
    pub mappings: Vec<Mapping>,
    /// Everything that changed or was left out, with its reason.
    pub notes: Vec<Note>,
}

impl Migration {
    /// The configuration as YAML, the notes as comments at the top.
    pub fn to_yaml(&self) -> String {
        let mut text = format!(
            "# Migrated by apiconn migrate from Azure AD B2C tenant {}.\n# Read every note before running plan:\n",
            self.source_tenant
        );
        for note in &self.notes {
            for (i, line) in note.to_string().lines().enumerate() {
                text.push_str(if i == 0 { "# - " } else { "#   " });
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str(&crate::write::to_yaml(&self.configuration));
        text
    }

    /// The mapping table: one line per carried-over binding, then one per note.
    pub fn table(&self) -> String {
        let mut text = String::new();
        let header = ["user flow", "B2C step", "connector", "External ID", "by"];
        let rows: Vec<[String; 5]> = self
            .mappings
            .iter()
            .map(|m| {
                [
                    m.user_flow.clone(),
                    m.step.to_string(),
                    m.connector.clone(),
                    format!("{} {:?}", m.event, m.extension),
                    m.caller.to_string(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut line = |cells: &[&str]| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(w - cell.chars().count() + 2));
                }
            }
            text.push_str(out.trim_end());
            text.push('\n');
        };
        line(&header);
        for row in &rows {
            line(&row.each_ref().map(String::as_str));
        }
        if rows.is_empty() {
            text.push_str("(no binding to carry over)\n");
        }
        for note in &self.notes {
            text.push_str("note: ");
            text.push_str(&note.to_string());
            text.push('\n');
        }
        text
    }
}

/// The display name of the extension made from `connector` for `event`.
pub fn extension_name(connector: &str, event: ExtensionEvent) -> String {
    format!("{connector} ({event})")
}

/// The event a B2C step becomes.
pub fn event_of(step: Step) -> ExtensionEvent {
    match step {
        Step::PostFederationSignup => ExtensionEvent::OnAttributeCollectionStart,
        Step::PostAttributeCollection => ExtensionEvent::OnAttributeCollectionSubmit,
        Step::PreTokenIssuance => ExtensionEvent::OnTokenIssuanceStart,
    }
}

/// The name of the listener made from a user flow's `preTokenIssuance` step.
pub fn listener_name(user_flow: &str) -> String {
    format!("{user_flow} token issuance")
}

/// Reads a B2C configuration file's text (as `apiconn export` writes it; only its structure is
/// checked, so its secrets need not be set) and migrates it.
pub fn migrate_text(
    text: &str,
    format: Format,
    path: Option<&std::path::Path>,
    options: &MigrateOptions,
) -> Result<Migration, MigrateError> {
    let configuration = ConfigFile::parse(text, format, path, ".")?.configuration()?;
    migrate(&configuration, options)
}

/// Migrates what a B2C tenant has, read live ([`crate::read_snapshot`]): the snapshot is exported
/// first, and what the export leaves out is a [`NoteKind::NotCarriedOver`] note.
pub fn migrate_snapshot(
    snapshot: &Snapshot,
    source: &ExportTarget,
    options: &MigrateOptions,
) -> Result<Migration, MigrateError> {
    let exported = export(snapshot, source);
    let mut migration = migrate_text(&exported.text, Format::Yaml, None, options)?;
    let skipped = exported.skipped.into_iter().map(|reason| Note {
        kind: NoteKind::NotCarriedOver,
        subject: format!("tenant {}", source.tenant),
        reason,
    });
    let mut notes: Vec<Note> = skipped.collect();
    notes.append(&mut migration.notes);
    migration.notes = notes;
    Ok(migration)
}

/// Reads a B2C tenant live (its connectors and user-flow bindings, through `tenant`) and migrates
/// it; [`Migration::source_tenant`] is its default domain, else its id.
pub async fn migrate_tenant<T: Tenant>(
    tenant: &T,
    options: &MigrateOptions,
    concurrency: usize,
) -> Result<Migration, MigrateTenantError> {
    let organization = tenant.organization().await.map_err(TenantError::from)?;
    let version = tenant.api_version();
    let snapshot = read_snapshot(tenant, &families(version, &organization), concurrency)
        .await
        .map_err(TenantError::from)?;
    let source = ExportTarget {
        tenant: organization
            .default_domain()
            .unwrap_or(&organization.id)
            .to_owned(),
        cloud: tenant.cloud().unwrap_or_default(),
        api_version: version,
        schema: None,
    };
    Ok(migrate_snapshot(&snapshot, &source, options)?)
}

/// Why [`migrate_tenant`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateTenantError {
    /// Reading the tenant failed.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The mapping failed.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}

/// Maps a B2C configuration to External ID. See the [module](self) for the rules.
pub fn migrate(
    source: &Configuration,
    options: &MigrateOptions,
) -> Result<Migration, MigrateError> {
    for apps in options.applications.values() {
        for app in apps {
            check_guid(app)?;
        }
    }
    if let Some(app) = &options.api_app_id {
        check_guid(app)?;
    }
    let mut notes = Vec::new();
    let mut mappings = Vec::new();

    // The connectors that can be carried over, and their host.
    let mut carried: BTreeMap<&str, String> = BTreeMap::new();
    let mut bound: BTreeSet<&str> = BTreeSet::new();
    for flow in source.user_flows.values() {
        bound.extend(flow.steps.iter().filter_map(|(_, t)| t.connector()));
    }
    for (name, connector) in &source.connectors {
        let subject = format!("connector {name:?}");
        let url = match url::Url::parse(&connector.target_url) {
            Ok(url) if url.scheme() == "https" && url.host_str().is_some() => url,
            Ok(url) if url.scheme() == "http" => {
                notes.push(Note {
                    kind: NoteKind::NotCarriedOver,
                    subject,
                    reason: format!(
                        "its target URL {} uses http; External ID calls custom extensions over https only, so no extension is made from it and its bindings are left out. Serve the API over https and add the extension by hand",
                        connector.target_url
                    ),
                });
                continue;
            }
            _ => {
                notes.push(Note {
                    kind: NoteKind::NotCarriedOver,
                    subject,
                    reason: "its target URL is not an absolute https URL with a host; no extension is made from it and its bindings are left out".to_owned(),
                });
                continue;
            }
        };
        if !bound.contains(name.as_str()) {
            notes.push(Note {
                kind: NoteKind::NotCarriedOver,
                subject,
                reason: "no user-flow step calls it; a custom extension's type is the event it serves, so an unbound connector has no equivalent and is left out".to_owned(),
            });
            continue;
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        carried.insert(name.as_str(), host);
    }
    let api_app_id = match (&options.api_app_id, carried.is_empty()) {
        (Some(app), _) => app.to_ascii_lowercase(),
        (None, true) => String::new(),
        (None, false) => return Err(MigrateError::ApiAppIdRequired),
    };

    // The catch-all applications go to the one user flow without its own that calls a connector.
    let calls_connector = |flow: &crate::model::UserFlow| {
        flow.steps
            .iter()
            .any(|(_, t)| t.connector().is_some_and(|c| carried.contains_key(c)))
    };
    let catch_all_flows: Vec<String> = source
        .user_flows
        .iter()
        .filter(|(id, flow)| {
            flow.family == Family::B2c
                && calls_connector(flow)
                && options.own_applications(id).is_none()
        })
        .map(|(id, _)| id.clone())
        .collect();
    if let Some(apps) = options.catch_all()
        && catch_all_flows.len() > 1
    {
        return Err(MigrateError::ApplicationForSeveralFlows {
            app_ids: apps.clone(),
            flows: catch_all_flows,
        });
    }
    if let Some(apps) = options.catch_all()
        && catch_all_flows.is_empty()
    {
        notes.push(Note {
            kind: NoteKind::Applications,
            subject: format!("--app-id {}", apps.join(", ")),
            reason: "it names no user flow, and no user flow without its own applications calls a connector that is carried over, so it was not used: pass --app-id FLOW=APPID".to_owned(),
        });
    }

    let mut extensions: IndexMap<String, CustomExtension> = IndexMap::new();
    let mut flows: IndexMap<String, EventsFlow> = IndexMap::new();
    let mut listeners: IndexMap<String, TokenIssuanceListener> = IndexMap::new();
    let mut authentication_noted: BTreeSet<&str> = BTreeSet::new();
    for (flow_id, flow) in &source.user_flows {
        let subject = format!("user flow {flow_id:?}");
        if flow.family != Family::B2c {
            notes.push(Note {
                kind: NoteKind::NotCarriedOver,
                subject,
                reason: format!(
                    "it is a {} (self-service sign-up) user flow of a workforce tenant, where API connectors stay the mechanism; it is not migrated",
                    flow.family
                ),
            });
            continue;
        }
        let apps = options
            .own_applications(flow_id)
            .or_else(|| {
                options
                    .catch_all()
                    .filter(|_| catch_all_flows.contains(flow_id))
            })
            .cloned()
            .unwrap_or_default();
        let mut events_flow = EventsFlow {
            include_applications: apps.clone(),
            ..EventsFlow::default()
        };
        if apps.is_empty() {
            notes.push(Note {
                kind: NoteKind::Applications,
                subject: subject.clone(),
                reason: format!(
                    "B2C does not record which applications use a user flow (the application names the policy); events flow {flow_id:?} has no applications: list them under includeApplications (or pass --app-id {flow_id}=APPID). An application can be in one events flow only"
                ),
            });
        }
        let mut collects = false;
        for (step, target) in flow.steps.iter() {
            let StepTarget::Connector(connector) = target else {
                continue;
            };
            let Some(host) = carried.get(connector.as_str()) else {
                if source.connectors.contains_key(connector) {
                    // Noted with the connector.
                    continue;
                }
                notes.push(Note {
                    kind: NoteKind::NotCarriedOver,
                    subject: subject.clone(),
                    reason: format!(
                        "step {step} names connector {connector:?}, which the file does not define; it is left out"
                    ),
                });
                continue;
            };
            let event = event_of(step);
            let name = extension_name(connector, event);
            let source_connector = &source.connectors[connector.as_str()];
            if !extensions.contains_key(&name) {
                extensions.insert(
                    name.clone(),
                    CustomExtension {
                        event,
                        target_url: source_connector.target_url.clone(),
                        resource_id: format!("api://{host}/{api_app_id}"),
                        timeout_in_milliseconds: Some(MAX_TIMEOUT_MS),
                        maximum_retries: Some(MAX_RETRIES),
                        claims: Vec::new(),
                    },
                );
                notes.push(Note {
                    kind: NoteKind::Timeout,
                    subject: format!("extension {name:?}"),
                    reason: format!(
                        "B2C waits up to {} s for the API and retries once; External ID waits at most {MAX_TIMEOUT_MS} ms (timeoutInMilliseconds {MAX_TIMEOUT_MS}, maximumRetries {MAX_RETRIES}). An API that needs longer fails the sign-up (error 1003005)",
                        B2C_TIMEOUT_MS / 1000
                    ),
                });
                if event == ExtensionEvent::OnTokenIssuanceStart {
                    notes.push(Note {
                        kind: NoteKind::TokenClaims,
                        subject: format!("extension {name:?}"),
                        reason: "the claims the API returns must be listed under claims (claimsForTokenConfiguration), which B2C does not record; the application needs a claims-mapping policy and acceptMappedClaims; claims are strings or string arrays only, 3 KB at most".to_owned(),
                    });
                }
            }
            if authentication_noted.insert(connector.as_str()) {
                let kind = match &source_connector.authentication {
                    Authentication::Basic(_) => "its basic authentication",
                    Authentication::ClientCertificate(_) => "its client certificate",
                };
                notes.push(Note {
                    kind: NoteKind::Authentication,
                    subject: format!("connector {connector:?}"),
                    reason: format!(
                        "{kind} becomes Entra's bearer token (azureAdTokenAuthentication, resourceId api://{host}/{api_app_id}): the API must validate the token's issuer, audience and azp instead, and the password or certificate is not carried over"
                    ),
                });
            }
            let caller = match event {
                ExtensionEvent::OnAttributeCollectionStart => {
                    collects = true;
                    events_flow.on_attribute_collection_start = Some(name.clone());
                    notes.push(Note {
                        kind: NoteKind::StepBehaviour,
                        subject: format!("user flow {flow_id:?} step {step}"),
                        reason: "onAttributeCollectionStart runs for every sign-up, local accounts included (postFederationSignup ran after federation only); returned claims become setPrefillValues, which may name only attributes the flow collects; a ValidationError is not allowed here in B2C and the adapter turns it into showBlockPage".to_owned(),
                    });
                    Caller::EventsFlow(flow_id.clone())
                }
                ExtensionEvent::OnAttributeCollectionSubmit => {
                    collects = true;
                    events_flow.on_attribute_collection_submit = Some(name.clone());
                    notes.push(Note {
                        kind: NoteKind::StepBehaviour,
                        subject: format!("user flow {flow_id:?} step {step}"),
                        reason: "returned claims become modifyAttributeValues; a ValidationError becomes showValidationError without per-attribute errors; B2C's version field and HTTP 400 have no place (every answer is HTTP 200); claims hidden with custom JavaScript or CSS need hidden attributes in External ID".to_owned(),
                    });
                    Caller::EventsFlow(flow_id.clone())
                }
                ExtensionEvent::OnTokenIssuanceStart => {
                    let listener = listener_name(flow_id);
                    if apps.is_empty() {
                        notes.push(Note {
                            kind: NoteKind::Applications,
                            subject: format!("listener {listener:?}"),
                            reason: "a token issuance listener needs at least one application, and B2C does not record them; validation refuses the file until includeApplications lists them".to_owned(),
                        });
                    }
                    listeners.insert(
                        listener.clone(),
                        TokenIssuanceListener {
                            include_applications: apps.clone(),
                            extension: name.clone(),
                        },
                    );
                    Caller::Listener(listener)
                }
            };
            mappings.push(Mapping {
                user_flow: flow_id.clone(),
                step,
                connector: connector.clone(),
                event,
                extension: name,
                caller,
            });
        }
        if collects {
            notes.push(Note {
                kind: NoteKind::CustomAttributes,
                subject: subject.clone(),
                reason: "custom attributes keep the form extension_<appId>_<Name>, but <appId> is the b2c-extensions-app of the external tenant, which has another appId: create the attributes there, add them to the events flow's attribute collection, and rewrite the names in the API (the contract adapter does it with both app ids). B2C's short form extension_<Name> does not exist in External ID".to_owned(),
            });
        }
        flows.insert(flow_id.clone(), events_flow);
    }

    let tenant = match &options.target_tenant {
        Some(tenant) => tenant.clone(),
        None => {
            notes.push(Note {
                kind: NoteKind::TargetTenant,
                subject: "tenant".to_owned(),
                reason: format!(
                    "no external tenant was given (--tenant); the file names the B2C tenant {}, which plan refuses to run against an external tenant: replace it",
                    source.tenant
                ),
            });
            source.tenant.clone()
        }
    };
    Ok(Migration {
        source_tenant: source.tenant.clone(),
        configuration: Configuration {
            schema: None,
            tenant,
            cloud: source.cloud,
            api_version: ApiVersion::V1,
            prune: false,
            connectors: IndexMap::new(),
            user_flows: IndexMap::new(),
            custom_authentication_extensions: extensions,
            events_flows: flows,
            token_issuance_listeners: listeners,
        },
        mappings,
        notes,
    })
}

fn check_guid(value: &str) -> Result<(), MigrateError> {
    if crate::validate::is_guid(value) {
        Ok(())
    } else {
        Err(MigrateError::InvalidAppId {
            value: value.to_owned(),
        })
    }
}
