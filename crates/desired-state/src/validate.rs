//! Checking a configuration before anything is sent: every problem, each once, with where it is; and
//! the [`DesiredState`] that a valid configuration resolves to (secrets read, `.pfx` files opened).
//!
//! The checks, beyond the structure ([`ConfigFile::configuration`]): the tenant's form; each connector's
//! `https` target URL, non-empty user name, resolvable secret references, and a `.pfx` that opens with
//! its password and has not expired; each user flow's id prefix, its family existing in the file's
//! Graph version, each step being one that version and family can bind ([`bindable_steps`]), and each
//! step naming a connector the file defines.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use entra_api_connectors_certificate::{CertificateError, CertificateWarning, Pkcs12Bundle};
use secrecy::SecretString;

use crate::error::{ConfigError, ConfigErrorKind, ConfigErrors, KeyPath, Position};
use crate::file::{ConfigFile, Parts};
use crate::model::{
    Authentication, Cloud, Configuration, Connector, CustomExtension, EventsFlow, ExtensionEvent,
    StepTarget, TokenIssuanceListener, UserFlow,
};
use crate::secret::{Environment, ProcessEnvironment, resolve, resolve_path};
use crate::steps::{ApiVersion, Family, Step, bindable_steps};

/// What a valid configuration asks of the tenant, with its secrets resolved.
#[derive(Debug)]
pub struct DesiredState {
    /// The tenant id or primary domain.
    pub tenant: String,
    /// Its cloud.
    pub cloud: Cloud,
    /// The Graph version the file is written for.
    pub api_version: ApiVersion,
    /// Whether connectors absent from the file are deleted.
    pub prune: bool,
    /// The connectors, by display name.
    pub connectors: BTreeMap<String, DesiredConnector>,
    /// The user flows, by id.
    pub user_flows: BTreeMap<String, DesiredUserFlow>,
    /// External ID: the custom authentication extensions, by display name.
    pub custom_extensions: BTreeMap<String, CustomExtension>,
    /// External ID: the events flows, by display name.
    pub events_flows: BTreeMap<String, EventsFlow>,
    /// External ID: the token issuance listeners, by their name in the file.
    pub token_issuance_listeners: BTreeMap<String, TokenIssuanceListener>,
    /// What deserves attention but does not stop anything.
    pub warnings: Vec<ConfigWarning>,
}

impl DesiredState {
    /// Whether the file has any External ID section (extensions, events flows, listeners).
    pub fn has_external_id(&self) -> bool {
        !self.custom_extensions.is_empty()
            || !self.events_flows.is_empty()
            || !self.token_issuance_listeners.is_empty()
    }
}

/// A connector as the file wants it.
#[derive(Debug)]
pub struct DesiredConnector {
    /// The display name, unique in the file.
    pub display_name: String,
    /// The target URL as written.
    pub target_url: String,
    /// The authentication, secrets resolved.
    pub authentication: DesiredAuthentication,
}

/// A connector's authentication with its secrets. `Debug` shows no secret.
#[derive(Debug)]
pub enum DesiredAuthentication {
    /// Basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// A client certificate.
    ClientCertificate(DesiredCertificate),
}

/// A `.pfx` that opened with its password.
#[derive(Debug, Clone)]
pub struct DesiredCertificate {
    /// The resolved path.
    pub pfx: PathBuf,
    /// Its password (empty for a `.pfx` without one).
    pub password: SecretString,
    /// The parsed file.
    pub bundle: Arc<Pkcs12Bundle>,
}

impl DesiredCertificate {
    /// The leaf certificate's thumbprint (upper-case hex SHA-1), as Graph reports it.
    pub fn thumbprint(&self) -> &str {
        self.bundle.thumbprint()
    }
}

/// A user flow's steps as the file wants them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredUserFlow {
    /// The id.
    pub id: String,
    /// Its family.
    pub family: Family,
    /// Each mentioned step: `Some(display name)`, or `None` for "calls nothing". Steps not in the map
    /// are left alone.
    pub steps: BTreeMap<Step, Option<String>>,
}

/// Something worth telling that does not stop the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigWarningKind {
    /// The certificate is not valid yet: Graph stores it but makes it active only from `notBefore` on.
    CertificateNotYetValid {
        /// The resolved path.
        path: PathBuf,
        /// The thumbprint.
        thumbprint: String,
        /// Its `notBefore`, Unix seconds.
        not_before: i64,
    },
}

/// A warning and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// What.
    pub kind: ConfigWarningKind,
    /// The configuration file, when there is one.
    pub path: Option<PathBuf>,
    /// Line and column, when known.
    pub position: Option<Position>,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}:", path.display())?;
        }
        if let Some(position) = self.position {
            write!(f, "{position}:")?;
        }
        if self.path.is_some() || self.position.is_some() {
            f.write_str(" ")?;
        }
        match &self.kind {
            ConfigWarningKind::CertificateNotYetValid {
                path,
                thumbprint,
                not_before,
            } => write!(
                f,
                "warning: the certificate in {} (thumbprint {thumbprint}) is not valid before {}; Graph makes it active only then",
                path.display(),
                crate::time::iso8601(*not_before)
            ),
        }
    }
}

/// Reads, checks and resolves a configuration file with the process's environment and clock.
pub fn load(path: impl AsRef<Path>) -> Result<DesiredState, ConfigErrors> {
    let file = ConfigFile::read(path)?;
    validate(&file, &ProcessEnvironment)
}

/// Checks a parsed file and resolves it: every problem is reported, with its line and column.
pub fn validate(
    file: &ConfigFile,
    environment: &dyn Environment,
) -> Result<DesiredState, ConfigErrors> {
    let mut errors = Vec::new();
    let parts = file.parts(&mut errors);
    Checker {
        file: Some(file),
        base_dir: file.base_dir(),
        environment,
        errors,
        warnings: Vec::new(),
    }
    .run(parts)
}

/// Checks a configuration built in code; relative paths resolve against `base_dir`. Errors carry key
/// paths but no line or column.
pub fn validate_configuration(
    configuration: &Configuration,
    base_dir: &Path,
    environment: &dyn Environment,
) -> Result<DesiredState, ConfigErrors> {
    Checker {
        file: None,
        base_dir,
        environment,
        errors: Vec::new(),
        warnings: Vec::new(),
    }
    .run(Parts::of(configuration))
}

struct Checker<'a> {
    file: Option<&'a ConfigFile>,
    base_dir: &'a Path,
    environment: &'a dyn Environment,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigWarning>,
}

impl Checker<'_> {
    /// An error about the key at the end of `key`.
    fn at_key(&mut self, kind: ConfigErrorKind, key: KeyPath) {
        let position = self.file.and_then(|f| f.key_position(&key));
        self.errors.push(ConfigError::new(kind, key, position));
    }

    /// An error about the value at `key`.
    fn at_value(&mut self, kind: ConfigErrorKind, key: KeyPath) {
        let position = self.file.and_then(|f| f.value_position(&key));
        self.errors.push(ConfigError::new(kind, key, position));
    }

    fn run(mut self, parts: Parts) -> Result<DesiredState, ConfigErrors> {
        let root = KeyPath::root();
        if let Some(tenant) = &parts.tenant
            && !is_tenant(tenant)
        {
            self.at_value(
                ConfigErrorKind::InvalidTenant {
                    value: tenant.clone(),
                },
                root.key("tenant"),
            );
        }

        let names: BTreeSet<&str> = parts.connectors.iter().map(|(n, _)| n.as_str()).collect();
        let mut connectors = BTreeMap::new();
        for (name, connector) in &parts.connectors {
            let key = root.key("connectors").key(name);
            if name.trim().is_empty() {
                self.at_key(
                    ConfigErrorKind::Empty {
                        what: "connector display name",
                    },
                    key.clone(),
                );
            }
            if let Some(connector) = connector
                && let Some(desired) = self.connector(name, connector, &key)
            {
                connectors.insert(name.clone(), desired);
            }
        }

        let mut user_flows = BTreeMap::new();
        for (id, flow) in &parts.user_flows {
            if let Some(flow) = flow {
                let desired = self.user_flow(id, flow, parts.api_version, &names);
                user_flows.insert(id.clone(), desired);
            }
        }

        let (custom_extensions, events_flows, token_issuance_listeners) = self.external_id(&parts);

        let path = self.file.and_then(ConfigFile::path);
        if !self.errors.is_empty() {
            return Err(ConfigErrors::finish(self.errors, path));
        }
        let (Some(tenant), Some(api_version)) = (parts.tenant, parts.api_version) else {
            unreachable!("a missing tenant or apiVersion is an error")
        };
        for warning in &mut self.warnings {
            warning.path = path.map(Path::to_path_buf);
        }
        Ok(DesiredState {
            tenant,
            cloud: parts.cloud.unwrap_or_default(),
            api_version,
            prune: parts.prune.unwrap_or(false),
            connectors,
            user_flows,
            custom_extensions,
            events_flows,
            token_issuance_listeners,
            warnings: self.warnings,
        })
    }

    /// The External ID sections: `v1.0` only; extensions' URL, `resourceId`, timeout, retries and
    /// claims; flows' and listeners' applications and the extensions they name.
    #[allow(clippy::type_complexity)]
    fn external_id(
        &mut self,
        parts: &Parts,
    ) -> (
        BTreeMap<String, CustomExtension>,
        BTreeMap<String, EventsFlow>,
        BTreeMap<String, TokenIssuanceListener>,
    ) {
        let root = KeyPath::root();
        if let Some(version) = parts.api_version
            && version != ApiVersion::V1
        {
            for (section, present) in [
                (
                    "customAuthenticationExtensions",
                    !parts.extensions.is_empty(),
                ),
                ("eventsFlows", !parts.events_flows.is_empty()),
                ("tokenIssuanceListeners", !parts.listeners.is_empty()),
            ] {
                if present {
                    self.at_key(
                        ConfigErrorKind::ExternalIdVersion { section, version },
                        root.key(section),
                    );
                }
            }
        }

        // Every extension's event, also of the broken ones, so that a handler naming one is not
        // reported as naming an undefined extension.
        let events: BTreeMap<&str, ExtensionEvent> = parts
            .extensions
            .iter()
            .filter_map(|(name, e)| Some((name.as_str(), e.as_ref()?.event)))
            .collect();
        let mut extensions = BTreeMap::new();
        for (name, extension) in &parts.extensions {
            let key = root.key("customAuthenticationExtensions").key(name);
            if name.trim().is_empty() {
                self.at_key(
                    ConfigErrorKind::Empty {
                        what: "custom extension display name",
                    },
                    key.clone(),
                );
            }
            if let Some(extension) = extension {
                self.extension(extension, &key);
                extensions.insert(name.clone(), extension.clone());
            }
        }

        let mut flows = BTreeMap::new();
        let mut app_flows: BTreeMap<String, String> = BTreeMap::new();
        for (name, flow) in &parts.events_flows {
            let key = root.key("eventsFlows").key(name);
            if name.trim().is_empty() {
                self.at_key(
                    ConfigErrorKind::Empty {
                        what: "events flow display name",
                    },
                    key.clone(),
                );
            }
            let Some(flow) = flow else { continue };
            let apps_key = key.key("includeApplications");
            for (i, app) in flow.include_applications.iter().enumerate() {
                if self.app_id(app, &apps_key.index(i)) {
                    let normal = app.to_ascii_lowercase();
                    if let Some(first) = app_flows.get(&normal) {
                        self.at_value(
                            ConfigErrorKind::ApplicationInTwoFlows {
                                app_id: app.clone(),
                                first: first.clone(),
                            },
                            apps_key.index(i),
                        );
                    } else {
                        app_flows.insert(normal, name.clone());
                    }
                }
            }
            let attributes_key = key.key("attributes");
            for (i, attribute) in flow.attributes.iter().enumerate() {
                if attribute.trim().is_empty() {
                    self.at_value(
                        ConfigErrorKind::Empty {
                            what: "attribute id",
                        },
                        attributes_key.index(i),
                    );
                } else if attribute.trim() != attribute
                    || entra_api_connectors::connectors::validate_id("attribute", attribute)
                        .is_err()
                {
                    // The client would refuse it when adding; Graph's ids have no spaces around.
                    self.at_value(
                        ConfigErrorKind::Invalid {
                            message: format!("attribute id {attribute:?} is not a valid id"),
                        },
                        attributes_key.index(i),
                    );
                } else if flow.attributes[..i]
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(attribute))
                {
                    self.at_value(
                        ConfigErrorKind::Invalid {
                            message: format!("attribute {attribute} is listed twice"),
                        },
                        attributes_key.index(i),
                    );
                }
            }
            for (event, extension) in flow.handlers() {
                let owner = format!(
                    "handler {event} of events flow {}",
                    crate::error::Quoted(name)
                );
                self.names_extension(&events, owner, extension, event, key.key(event.as_str()));
            }
            flows.insert(name.clone(), flow.clone());
        }

        let mut listeners = BTreeMap::new();
        for (name, listener) in &parts.listeners {
            let key = root.key("tokenIssuanceListeners").key(name);
            let Some(listener) = listener else { continue };
            let apps_key = key.key("includeApplications");
            if listener.include_applications.is_empty() {
                self.at_value(ConfigErrorKind::NoApplications, apps_key.clone());
            }
            for (i, app) in listener.include_applications.iter().enumerate() {
                self.app_id(app, &apps_key.index(i));
            }
            let owner = format!("token issuance listener {}", crate::error::Quoted(name));
            self.names_extension(
                &events,
                owner,
                &listener.extension,
                ExtensionEvent::OnTokenIssuanceStart,
                key.key("extension"),
            );
            listeners.insert(name.clone(), listener.clone());
        }
        (extensions, flows, listeners)
    }

    fn extension(&mut self, extension: &CustomExtension, key: &KeyPath) {
        for problem in extension_problems(extension) {
            let at = key.key(problem.field);
            if problem.at_key {
                self.at_key(problem.kind, at);
            } else {
                self.at_value(problem.kind, at);
            }
        }
    }

    /// Whether `app` is a GUID; reports it otherwise.
    fn app_id(&mut self, app: &str, key: &KeyPath) -> bool {
        let ok = is_guid(app);
        if !ok {
            self.at_value(
                ConfigErrorKind::InvalidAppId {
                    value: app.to_owned(),
                },
                key.clone(),
            );
        }
        ok
    }

    fn names_extension(
        &mut self,
        events: &BTreeMap<&str, ExtensionEvent>,
        owner: String,
        name: &str,
        expected: ExtensionEvent,
        key: KeyPath,
    ) {
        match events.get(name) {
            None => self.at_value(
                ConfigErrorKind::UndefinedExtension {
                    owner,
                    name: name.to_owned(),
                },
                key,
            ),
            Some(&found) if found != expected => self.at_value(
                ConfigErrorKind::ExtensionEventMismatch {
                    owner,
                    name: name.to_owned(),
                    expected,
                    found,
                },
                key,
            ),
            Some(_) => {}
        }
    }

    fn connector(
        &mut self,
        name: &str,
        connector: &Connector,
        key: &KeyPath,
    ) -> Option<DesiredConnector> {
        let mut ok = true;
        if let Err(kind) = check_target_url(&connector.target_url) {
            self.at_value(kind, key.key("targetUrl"));
            ok = false;
        }
        let key = key.key("authentication");
        let authentication = match &connector.authentication {
            Authentication::Basic(basic) => {
                let key = key.key("basic");
                if basic.username.is_empty() {
                    self.at_value(
                        ConfigErrorKind::Empty { what: "username" },
                        key.key("username"),
                    );
                    ok = false;
                }
                let password = self.secret(&basic.password, &key.key("password"), false);
                Some(DesiredAuthentication::Basic {
                    username: basic.username.clone(),
                    password: password?,
                })
            }
            Authentication::ClientCertificate(certificate) => {
                let key = key.key("clientCertificate");
                let password = self.secret(&certificate.password, &key.key("password"), true);
                let pfx = resolve_path(self.base_dir, &certificate.pfx);
                self.certificate(pfx, password, &key.key("pfx"))
                    .map(DesiredAuthentication::ClientCertificate)
            }
        }?;
        ok.then(|| DesiredConnector {
            display_name: name.to_owned(),
            target_url: connector.target_url.clone(),
            authentication,
        })
    }

    fn secret(
        &mut self,
        reference: &crate::model::SecretRef,
        key: &KeyPath,
        empty_allowed: bool,
    ) -> Option<SecretString> {
        match resolve(reference, self.base_dir, self.environment) {
            Ok(secret) => {
                if !empty_allowed && secrecy::ExposeSecret::expose_secret(&secret).is_empty() {
                    self.at_value(ConfigErrorKind::EmptyPassword, key.clone());
                    return None;
                }
                Some(secret)
            }
            Err(kind) => {
                self.at_value(kind, key.clone());
                None
            }
        }
    }

    fn certificate(
        &mut self,
        pfx: PathBuf,
        password: Option<SecretString>,
        key: &KeyPath,
    ) -> Option<DesiredCertificate> {
        let bytes = match std::fs::read(&pfx) {
            Ok(bytes) => secrecy::SecretSlice::from(bytes),
            Err(e) => {
                let reason = if e.kind() == std::io::ErrorKind::NotFound {
                    "the file does not exist".to_owned()
                } else {
                    e.to_string()
                };
                self.at_value(
                    ConfigErrorKind::PfxUnreadable { path: pfx, reason },
                    key.clone(),
                );
                return None;
            }
        };
        // Without its password (already reported) the file cannot be opened.
        let password = password?;
        let bundle =
            match Pkcs12Bundle::from_der(secrecy::ExposeSecret::expose_secret(&bytes), &password) {
                Ok(bundle) => bundle,
                Err(CertificateError::WrongPassword) => {
                    self.at_value(ConfigErrorKind::PfxWrongPassword { path: pfx }, key.clone());
                    return None;
                }
                Err(e) => {
                    self.at_value(
                        ConfigErrorKind::PfxInvalid {
                            path: pfx,
                            reason: e.to_string(),
                        },
                        key.clone(),
                    );
                    return None;
                }
            };
        match bundle.validate_for_upload(self.environment.now()) {
            Err(_) => {
                self.at_value(
                    ConfigErrorKind::PfxExpired {
                        path: pfx,
                        thumbprint: bundle.thumbprint().to_owned(),
                        not_after: bundle.not_after(),
                    },
                    key.clone(),
                );
                return None;
            }
            Ok(warnings) => {
                for warning in warnings {
                    let CertificateWarning::NotYetValid { not_before } = warning else {
                        continue;
                    };
                    self.warnings.push(ConfigWarning {
                        kind: ConfigWarningKind::CertificateNotYetValid {
                            path: pfx.clone(),
                            thumbprint: bundle.thumbprint().to_owned(),
                            not_before,
                        },
                        path: None,
                        position: self.file.and_then(|f| f.value_position(key)),
                    });
                }
            }
        }
        Some(DesiredCertificate {
            pfx,
            password,
            bundle: Arc::new(bundle),
        })
    }

    fn user_flow(
        &mut self,
        id: &str,
        flow: &UserFlow,
        version: Option<ApiVersion>,
        connectors: &BTreeSet<&str>,
    ) -> DesiredUserFlow {
        let key = KeyPath::root().key("userFlows").key(id);
        if id.is_empty() {
            self.at_key(
                ConfigErrorKind::Empty {
                    what: "user flow id",
                },
                key.clone(),
            );
        } else if !starts_with_ignore_case(id, flow.family.id_prefix()) {
            self.at_key(
                ConfigErrorKind::FlowIdPrefix {
                    flow: id.to_owned(),
                    family: flow.family,
                },
                key.clone(),
            );
        }
        let bindable = match version.map(|v| (v, bindable_steps(v, flow.family))) {
            Some((version, Err(_))) => {
                self.at_value(
                    ConfigErrorKind::FamilyUnavailable {
                        flow: id.to_owned(),
                        family: flow.family,
                        version,
                    },
                    key.key("family"),
                );
                None
            }
            Some((version, Ok(steps))) => Some((version, steps)),
            None => None,
        };
        let mut steps = BTreeMap::new();
        for (step, target) in flow.steps.iter() {
            let step_key = key.key("steps").key(step.as_str());
            if let Some((version, bindable)) = bindable
                && !bindable.contains(&step)
            {
                self.at_key(
                    ConfigErrorKind::StepNotBindable {
                        flow: id.to_owned(),
                        step,
                        version,
                        family: flow.family,
                    },
                    step_key.clone(),
                );
            }
            if let StepTarget::Connector(name) = target
                && !connectors.contains(name.as_str())
            {
                self.at_value(
                    ConfigErrorKind::UndefinedConnector {
                        flow: id.to_owned(),
                        step,
                        name: name.clone(),
                    },
                    step_key,
                );
            }
            steps.insert(step, target.connector().map(str::to_owned));
        }
        DesiredUserFlow {
            id: id.to_owned(),
            family: flow.family,
            steps,
        }
    }
}

/// The least `timeoutInMilliseconds` Graph accepts.
pub const MIN_TIMEOUT_MS: u32 = 200;
/// One thing wrong with a custom extension: the key it is at, and what.
pub(crate) struct ExtensionProblem {
    /// `targetUrl`, `resourceId`, `timeoutInMilliseconds`, `maximumRetries` or `claims`.
    pub(crate) field: &'static str,
    /// What is wrong.
    pub(crate) kind: ConfigErrorKind,
    /// Whether it is reported at the key rather than at its value.
    at_key: bool,
}

/// What Graph would refuse in an extension, in the order of its fields: an `https` target URL, a
/// `resourceId` of the form `api://{host}/{appId}` with the target URL's host, the timeout and
/// retry bounds, and claims on `onTokenIssuanceStart` only. The file's validation reports each
/// with its position; export leaves an extension with any of them out.
pub(crate) fn extension_problems(extension: &CustomExtension) -> Vec<ExtensionProblem> {
    let mut problems = Vec::new();
    let mut problem = |field, kind, at_key| {
        problems.push(ExtensionProblem {
            field,
            kind,
            at_key,
        });
    };
    let url = match check_target_url(&extension.target_url) {
        Ok(url) => Some(url),
        Err(kind) => {
            problem("targetUrl", kind, false);
            None
        }
    };
    match entra_api_connectors::custom_extensions::validate_resource_id(&extension.resource_id) {
        Err(_) => problem(
            "resourceId",
            ConfigErrorKind::InvalidResourceId {
                reason: "is not of the form api://{fully qualified domain name}/{appId} (IncorrectResourceIdFormat)".to_owned(),
            },
            false,
        ),
        Ok(host) => {
            if let Some(target) = url.as_ref().and_then(|u| u.host_str())
                && !target.eq_ignore_ascii_case(&host)
            {
                problem(
                    "resourceId",
                    ConfigErrorKind::InvalidResourceId {
                        reason: format!(
                            "host {host} is not the target URL's host {target} (DomainNameDoesNotMatch)"
                        ),
                    },
                    false,
                );
            }
        }
    }
    if let Some(timeout) = extension.timeout_in_milliseconds
        && !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&timeout)
    {
        problem(
            "timeoutInMilliseconds",
            ConfigErrorKind::OutOfRange {
                what: "timeoutInMilliseconds",
                value: timeout,
                min: MIN_TIMEOUT_MS,
                max: MAX_TIMEOUT_MS,
            },
            false,
        );
    }
    if let Some(retries) = extension.maximum_retries
        && retries > MAX_RETRIES
    {
        problem(
            "maximumRetries",
            ConfigErrorKind::OutOfRange {
                what: "maximumRetries",
                value: retries,
                min: 0,
                max: MAX_RETRIES,
            },
            false,
        );
    }
    if !extension.claims.is_empty() && extension.event != ExtensionEvent::OnTokenIssuanceStart {
        problem(
            "claims",
            ConfigErrorKind::ClaimsNotAllowed {
                event: extension.event,
            },
            true,
        );
    }
    problems
}

/// The greatest `timeoutInMilliseconds` Graph accepts (External ID's ceiling).
pub const MAX_TIMEOUT_MS: u32 = 2000;
/// The greatest `maximumRetries` Graph accepts.
pub const MAX_RETRIES: u32 = 1;

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A tenant id (GUID, `8-4-4-4-12` hex digits) or a DNS domain name with at least two labels.
fn is_tenant(value: &str) -> bool {
    is_guid(value) || is_domain(value)
}

pub(crate) fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_domain(value: &str) -> bool {
    let labels: Vec<&str> = value.split('.').collect();
    value.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// An absolute `https` URL with a host and no credentials. The URL is repeated in the error only when it
/// holds no credentials.
pub(crate) fn check_target_url(value: &str) -> Result<url::Url, ConfigErrorKind> {
    let url = url::Url::parse(value).map_err(|e| ConfigErrorKind::InvalidTargetUrl {
        reason: format!("is not an absolute URL ({e})"),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigErrorKind::InvalidTargetUrl {
            reason: "holds credentials (user:password@); put them under authentication".to_owned(),
        });
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            return Err(ConfigErrorKind::InsecureTargetUrl {
                url: value.to_owned(),
            });
        }
        other => {
            return Err(ConfigErrorKind::InvalidTargetUrl {
                reason: format!("uses the scheme {other}; only https is allowed"),
            });
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigErrorKind::InvalidTargetUrl {
            reason: "has no host".to_owned(),
        });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_forms() {
        for ok in [
            "contoso.onmicrosoft.com",
            "8f2e4f1a-0b7c-4e6d-9a3b-1c2d3e4f5a6b",
            "8F2E4F1A-0B7C-4E6D-9A3B-1C2D3E4F5A6B",
            "id.contoso-b2c.com",
        ] {
            assert!(is_tenant(ok), "{ok}");
        }
        for bad in [
            "",
            "contoso",
            "contoso..com",
            "-contoso.com",
            "contoso.com-",
            "conto so.com",
            "8f2e4f1a-0b7c-4e6d-9a3b-1c2d3e4f5a6",
            "10.0.0.1",
            "https://contoso.com",
        ] {
            assert!(!is_tenant(bad), "{bad}");
        }
    }

    #[test]
    fn target_urls() {
        assert!(check_target_url("https://api.contoso.com/validate?x=1").is_ok());
        assert_eq!(
            check_target_url("http://api.contoso.com"),
            Err(ConfigErrorKind::InsecureTargetUrl {
                url: "http://api.contoso.com".into()
            })
        );
        let Err(ConfigErrorKind::InvalidTargetUrl { reason }) =
            check_target_url("https://user:s3cret@api.contoso.com")
        else {
            panic!()
        };
        assert!(!reason.contains("s3cret"));
        // Credentials are refused before the scheme is looked at, so an http URL with a password is not
        // repeated either.
        assert!(matches!(
            check_target_url("http://user:s3cret@api.contoso.com"),
            Err(ConfigErrorKind::InvalidTargetUrl { .. })
        ));
        assert!(matches!(
            check_target_url("ftp://api.contoso.com"),
            Err(ConfigErrorKind::InvalidTargetUrl { reason }) if reason.contains("ftp")
        ));
        assert!(matches!(
            check_target_url("api.contoso.com/validate"),
            Err(ConfigErrorKind::InvalidTargetUrl { reason }) if reason.starts_with("is not an absolute URL")
        ));
    }
}
