//! The plan: what it takes to bring a tenant ([`Snapshot`]) to what a file asks ([`DesiredState`]).
//!
//! The rules:
//! - Connectors are matched by display name. One missing from the tenant is created; one whose URL or
//!   user name differs is updated in place; one whose authentication type differs is switched in place
//!   (`PATCH`), so its id and its bindings survive. Nothing is ever deleted and created again.
//! - A basic password cannot be compared, since Graph never returns it: it is sent when the connector is
//!   created, when its authentication type changes or its user name does, and for every basic connector
//!   with [`PlanOptions::update_secrets`]. The plan says which connectors' passwords went unchecked.
//! - A certificate is compared by thumbprint with the connector's `certificateList`: uploaded when
//!   missing, or when present but not the active one (an upload makes it the most recent; Graph presents
//!   the most recent certificate that is valid). A certificate in the list that is not valid yet is left
//!   to become active by itself.
//! - Steps the file mentions are bound to their connector or unbound (`null`); others are left alone.
//! - Connectors absent from the file are deleted only with `prune: true`, and then every step still
//!   calling them is unbound first; without it they are listed as left alone.
//!
//! The order is deterministic and is the order `apply` must follow ([`Phase`]): creates, updates and
//! certificate uploads first (binds need the connector to exist), then binds and unbinds, then deletes.
//! Within a phase actions are independent except those on the same connector, and they are sorted by
//! connector name, then by flow id and step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::error::Quoted;
use crate::snapshot::{AuthenticationSnapshot, ConnectorSnapshot, Snapshot};
use crate::steps::{Family, Step};
use crate::validate::{DesiredAuthentication, DesiredConnector, DesiredState};

/// Choices a plan is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Send the password of every basic connector, as Graph cannot say whether it is current.
    pub update_secrets: bool,
    /// The current time, Unix seconds, for certificate validity.
    pub now: i64,
}

impl PlanOptions {
    /// Options at `now`, without `update_secrets`.
    pub fn new(now: i64) -> Self {
        Self {
            update_secrets: false,
            now,
        }
    }

    /// With or without `update_secrets`.
    pub fn update_secrets(self, update_secrets: bool) -> Self {
        Self {
            update_secrets,
            ..self
        }
    }
}

/// What `apply` would do, in order, and what it leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The changes, in the order they must be carried out.
    pub actions: Vec<Action>,
    /// What is reported but not changed.
    pub notes: Vec<Note>,
}

impl Plan {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The actions of one phase.
    pub fn phase(&self, phase: Phase) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(move |a| a.phase() == phase)
    }
}

/// The stages of `apply`: each runs after the one before has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Create, update, switch authentication, send passwords, upload certificates.
    Connectors,
    /// Bind and unbind steps.
    Bindings,
    /// Delete connectors.
    Deletes,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    /// Create a connector (its password or certificate is sent).
    #[serde(rename_all = "camelCase")]
    CreateConnector {
        /// Its display name.
        display_name: String,
        /// Its target URL.
        target_url: String,
        /// Its authentication.
        authentication: AuthenticationPlan,
    },
    /// Change a connector's URL or user name in place.
    #[serde(rename_all = "camelCase")]
    UpdateConnector {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
        /// What changes.
        changes: Vec<Change>,
        /// Whether the password is sent (a user name is only ever sent with it).
        sends_password: bool,
    },
    /// Replace a connector's authentication with one of another type, in place.
    #[serde(rename_all = "camelCase")]
    SwitchAuthentication {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
        /// The type it has.
        from: AuthenticationKind,
        /// What it gets.
        to: AuthenticationPlan,
    },
    /// Send a basic connector's password again (only with `update_secrets`).
    #[serde(rename_all = "camelCase")]
    UpdateSecret {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
        /// The user name sent with it.
        username: String,
    },
    /// Upload the file's certificate to a certificate connector (`uploadClientCertificate`).
    #[serde(rename_all = "camelCase")]
    UploadCertificate {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
        /// The `.pfx`'s thumbprint.
        thumbprint: String,
        /// Why.
        reason: UploadReason,
    },
    /// Make a step call a connector (`PUT …/{step}/$ref`).
    #[serde(rename_all = "camelCase")]
    Bind {
        /// The user flow.
        flow: String,
        /// Its family.
        family: Family,
        /// The step.
        step: Step,
        /// The connector's display name.
        display_name: String,
        /// Its id; `None` when this plan creates it.
        connector_id: Option<String>,
        /// The connector the step calls now, if any.
        previous: Option<Bound>,
    },
    /// Make a step call nothing (`PUT …/{step}/$ref` with `{}`).
    #[serde(rename_all = "camelCase")]
    Unbind {
        /// The user flow.
        flow: String,
        /// Its family.
        family: Family,
        /// The step.
        step: Step,
        /// The connector the step calls now.
        previous: Bound,
        /// Why.
        reason: UnbindReason,
    },
    /// Delete a connector absent from the file (only with `prune`).
    #[serde(rename_all = "camelCase")]
    DeleteConnector {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
    },
}

impl Action {
    /// The phase it belongs to.
    pub fn phase(&self) -> Phase {
        match self {
            Self::CreateConnector { .. }
            | Self::UpdateConnector { .. }
            | Self::SwitchAuthentication { .. }
            | Self::UpdateSecret { .. }
            | Self::UploadCertificate { .. } => Phase::Connectors,
            Self::Bind { .. } | Self::Unbind { .. } => Phase::Bindings,
            Self::DeleteConnector { .. } => Phase::Deletes,
        }
    }

    /// The display name of the connector a connector action changes (binds change a flow).
    pub fn connector(&self) -> Option<&str> {
        match self {
            Self::CreateConnector { display_name, .. }
            | Self::UpdateConnector { display_name, .. }
            | Self::SwitchAuthentication { display_name, .. }
            | Self::UpdateSecret { display_name, .. }
            | Self::UploadCertificate { display_name, .. }
            | Self::DeleteConnector { display_name, .. } => Some(display_name),
            Self::Bind { .. } | Self::Unbind { .. } => None,
        }
    }

    /// Whether carrying it out sends a password.
    pub fn sends_password(&self) -> bool {
        match self {
            Self::CreateConnector { authentication, .. }
            | Self::SwitchAuthentication {
                to: authentication, ..
            } => matches!(authentication, AuthenticationPlan::Basic { .. }),
            Self::UpdateConnector { sends_password, .. } => *sends_password,
            Self::UpdateSecret { .. } => true,
            _ => false,
        }
    }
}

/// The authentication an action sends, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthenticationPlan {
    /// Basic authentication; the password goes with it.
    Basic {
        /// The user name.
        username: String,
    },
    /// The `.pfx` (`pkcs12Certificate`); its password goes with it.
    ClientCertificate {
        /// Its thumbprint.
        thumbprint: String,
    },
}

/// The authentication type a connector has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthenticationKind {
    /// Basic authentication.
    Basic,
    /// A client certificate.
    ClientCertificate,
    /// A type this crate does not know.
    #[serde(rename_all = "camelCase")]
    Unknown {
        /// Its `@odata.type`.
        odata_type: Option<String>,
    },
}

/// A changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "camelCase")]
pub enum Change {
    /// `targetUrl`.
    TargetUrl {
        /// The tenant's.
        from: String,
        /// The file's.
        to: String,
    },
    /// The basic user name.
    Username {
        /// The tenant's.
        from: String,
        /// The file's.
        to: String,
    },
}

/// Why a certificate is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UploadReason {
    /// Its thumbprint is not in `certificateList`.
    NotInCertificateList,
    /// It is in `certificateList` and valid, but another certificate is the active one.
    NotActive,
}

/// Why a step is unbound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UnbindReason {
    /// The file says the step calls nothing.
    File,
    /// The connector it calls is deleted by `prune`.
    Pruned,
}

/// The connector a step calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bound {
    /// Its id.
    pub connector_id: String,
    /// Its display name, when the tenant has a connector with that id.
    pub display_name: Option<String>,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.display_name {
            Some(name) => write!(f, "{}", Quoted(name)),
            None => write!(f, "connector {} (not found)", self.connector_id),
        }
    }
}

/// Something reported and left as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "camelCase")]
pub enum Note {
    /// A connector the file does not list, kept because `prune` is off.
    #[serde(rename_all = "camelCase")]
    LeftAlone {
        /// Graph's id.
        id: String,
        /// The display name.
        display_name: String,
    },
    /// Basic connectors whose passwords were not compared and are not sent.
    #[serde(rename_all = "camelCase")]
    PasswordsNotCompared {
        /// Their display names.
        display_names: Vec<String>,
    },
    /// The file's certificate is in `certificateList` but not valid yet: Graph makes it active then.
    #[serde(rename_all = "camelCase")]
    CertificatePending {
        /// The connector.
        display_name: String,
        /// The thumbprint.
        thumbprint: String,
        /// Its `notBefore`, Unix seconds.
        not_before: i64,
    },
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file binds steps of a user flow the tenant does not have (user flows are not created here).
    #[error("user flow {flow} ({family}) does not exist in the tenant")]
    UserFlowNotFound {
        /// The id.
        flow: String,
        /// Its family.
        family: Family,
    },
    /// The tenant has several connectors with a display name the file uses, so none can be picked.
    #[error(
        "the tenant has {} connectors named {}: {}; rename or delete all but one", ids.len(), Quoted(display_name), ids.join(", ")
    )]
    AmbiguousConnector {
        /// The display name.
        display_name: String,
        /// Their ids.
        ids: Vec<String>,
    },
}

/// Every reason no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanErrors(pub Vec<PlanError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}

/// Compares the file with the tenant.
pub fn plan(
    desired: &DesiredState,
    snapshot: &Snapshot,
    options: PlanOptions,
) -> Result<Plan, PlanErrors> {
    let mut errors = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&ConnectorSnapshot>> = BTreeMap::new();
    for connector in &snapshot.connectors {
        by_name
            .entry(connector.display_name.as_str())
            .or_default()
            .push(connector);
    }

    let mut creates = Vec::new();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let mut unchecked_passwords = Vec::new();
    // The id each desired connector has in the tenant (`None`: created by this plan).
    let mut ids: BTreeMap<&str, Option<&str>> = BTreeMap::new();

    for (name, connector) in &desired.connectors {
        match by_name.get(name.as_str()).map(Vec::as_slice) {
            None | Some([]) => {
                creates.push(Action::CreateConnector {
                    display_name: name.clone(),
                    target_url: connector.target_url.clone(),
                    authentication: authentication_plan(connector),
                });
                ids.insert(name, None);
            }
            Some([current]) => {
                ids.insert(name, Some(&current.id));
                compare(
                    connector,
                    current,
                    options,
                    &mut changes,
                    &mut notes,
                    &mut unchecked_passwords,
                );
            }
            Some(several) => {
                let mut found: Vec<String> = several.iter().map(|c| c.id.clone()).collect();
                found.sort();
                errors.push(PlanError::AmbiguousConnector {
                    display_name: name.clone(),
                    ids: found,
                });
            }
        }
    }

    // Connectors the file does not list.
    let mut absent: Vec<&ConnectorSnapshot> = snapshot
        .connectors
        .iter()
        .filter(|c| !desired.connectors.contains_key(&c.display_name))
        .collect();
    absent.sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    let mut deletes = Vec::new();
    let mut deleted = BTreeSet::new();
    for connector in absent {
        if desired.prune {
            deleted.insert(connector.id.as_str());
            deletes.push(Action::DeleteConnector {
                id: connector.id.clone(),
                display_name: connector.display_name.clone(),
            });
        } else {
            notes.push(Note::LeftAlone {
                id: connector.id.clone(),
                display_name: connector.display_name.clone(),
            });
        }
    }

    let bound = |id: &str| Bound {
        connector_id: id.to_owned(),
        display_name: snapshot.connector(id).map(|c| c.display_name.clone()),
    };

    // Bindings, flow by flow, step by step.
    let mut bindings: Vec<((String, Step), Action)> = Vec::new();
    let mut mentioned = BTreeSet::new();
    for flow in desired.user_flows.values() {
        let Some(current) = snapshot.user_flow(flow.family, &flow.id) else {
            errors.push(PlanError::UserFlowNotFound {
                flow: flow.id.clone(),
                family: flow.family,
            });
            continue;
        };
        for (&step, target) in &flow.steps {
            mentioned.insert((flow.family, current.id.as_str(), step));
            let now = current.bound(step);
            match target {
                Some(name) => {
                    let Some(&id) = ids.get(name.as_str()) else {
                        // An ambiguous name, already an error.
                        continue;
                    };
                    if id.is_some() && id == now {
                        continue;
                    }
                    bindings.push((
                        (current.id.clone(), step),
                        Action::Bind {
                            flow: current.id.clone(),
                            family: flow.family,
                            step,
                            display_name: name.clone(),
                            connector_id: id.map(str::to_owned),
                            previous: now.map(bound),
                        },
                    ));
                }
                None => {
                    if let Some(now) = now {
                        bindings.push((
                            (current.id.clone(), step),
                            Action::Unbind {
                                flow: current.id.clone(),
                                family: flow.family,
                                step,
                                previous: bound(now),
                                reason: UnbindReason::File,
                            },
                        ));
                    }
                }
            }
        }
    }
    // Steps the file does not mention that call a connector prune deletes.
    for flow in &snapshot.user_flows {
        for (&step, id) in &flow.steps {
            let Some(id) = id.as_deref() else { continue };
            if deleted.contains(id) && !mentioned.contains(&(flow.family, flow.id.as_str(), step)) {
                bindings.push((
                    (flow.id.clone(), step),
                    Action::Unbind {
                        flow: flow.id.clone(),
                        family: flow.family,
                        step,
                        previous: bound(id),
                        reason: UnbindReason::Pruned,
                    },
                ));
            }
        }
    }
    bindings.sort_by(|a, b| a.0.cmp(&b.0));

    if !unchecked_passwords.is_empty() {
        notes.push(Note::PasswordsNotCompared {
            display_names: unchecked_passwords,
        });
    }
    if !errors.is_empty() {
        return Err(PlanErrors(errors));
    }
    let mut actions = creates;
    actions.extend(changes);
    actions.extend(bindings.into_iter().map(|(_, a)| a));
    actions.extend(deletes);
    Ok(Plan { actions, notes })
}

fn authentication_plan(connector: &DesiredConnector) -> AuthenticationPlan {
    match &connector.authentication {
        DesiredAuthentication::Basic { username, .. } => AuthenticationPlan::Basic {
            username: username.clone(),
        },
        DesiredAuthentication::ClientCertificate(certificate) => {
            AuthenticationPlan::ClientCertificate {
                thumbprint: certificate.thumbprint().to_owned(),
            }
        }
    }
}

/// Target URLs are compared as URLs (scheme and host case, default port, empty path), so that a form
/// Graph normalises does not show as a change forever.
fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn compare(
    desired: &DesiredConnector,
    current: &ConnectorSnapshot,
    options: PlanOptions,
    actions: &mut Vec<Action>,
    notes: &mut Vec<Note>,
    unchecked_passwords: &mut Vec<String>,
) {
    let id = current.id.clone();
    let display_name = desired.display_name.clone();
    let mut fields = Vec::new();
    if !same_url(&desired.target_url, &current.target_url) {
        fields.push(Change::TargetUrl {
            from: current.target_url.clone(),
            to: desired.target_url.clone(),
        });
    }
    match (&desired.authentication, &current.authentication) {
        (
            DesiredAuthentication::Basic { username, .. },
            AuthenticationSnapshot::Basic { username: now },
        ) => {
            if username != now {
                fields.push(Change::Username {
                    from: now.clone(),
                    to: username.clone(),
                });
            }
            let username_changes = username != now;
            if !fields.is_empty() {
                actions.push(Action::UpdateConnector {
                    id,
                    display_name,
                    changes: fields,
                    sends_password: username_changes || options.update_secrets,
                });
            } else if options.update_secrets {
                actions.push(Action::UpdateSecret {
                    id,
                    display_name,
                    username: username.clone(),
                });
            } else {
                unchecked_passwords.push(display_name);
            }
        }
        (
            DesiredAuthentication::ClientCertificate(certificate),
            AuthenticationSnapshot::ClientCertificate { certificate_list },
        ) => {
            if !fields.is_empty() {
                actions.push(Action::UpdateConnector {
                    id: id.clone(),
                    display_name: display_name.clone(),
                    changes: fields,
                    sends_password: false,
                });
            }
            let thumbprint = certificate.thumbprint();
            let listed = certificate_list
                .iter()
                .find(|c| c.thumbprint.eq_ignore_ascii_case(thumbprint));
            let reason = match listed {
                None => Some(UploadReason::NotInCertificateList),
                Some(c) if c.is_active => None,
                Some(c) if c.not_before > options.now => {
                    notes.push(Note::CertificatePending {
                        display_name: display_name.clone(),
                        thumbprint: thumbprint.to_owned(),
                        not_before: c.not_before,
                    });
                    None
                }
                Some(_) => Some(UploadReason::NotActive),
            };
            if let Some(reason) = reason {
                actions.push(Action::UploadCertificate {
                    id,
                    display_name,
                    thumbprint: thumbprint.to_owned(),
                    reason,
                });
            }
        }
        (_, now) => {
            if !fields.is_empty() {
                actions.push(Action::UpdateConnector {
                    id: id.clone(),
                    display_name: display_name.clone(),
                    changes: fields,
                    sends_password: false,
                });
            }
            actions.push(Action::SwitchAuthentication {
                id,
                display_name,
                from: match now {
                    AuthenticationSnapshot::Basic { .. } => AuthenticationKind::Basic,
                    AuthenticationSnapshot::ClientCertificate { .. } => {
                        AuthenticationKind::ClientCertificate
                    }
                    AuthenticationSnapshot::Unknown { odata_type } => AuthenticationKind::Unknown {
                        odata_type: odata_type.clone(),
                    },
                },
                to: authentication_plan(desired),
            });
        }
    }
}

impl fmt::Display for AuthenticationPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { username } => write!(f, "basic user {username}; password sent"),
            Self::ClientCertificate { thumbprint } => write!(f, "client certificate {thumbprint}"),
        }
    }
}

impl fmt::Display for AuthenticationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic => f.write_str("basic"),
            Self::ClientCertificate => f.write_str("client certificate"),
            Self::Unknown {
                odata_type: Some(t),
            } => write!(f, "unknown type {t}"),
            Self::Unknown { odata_type: None } => f.write_str("unknown type"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TargetUrl { from, to } => write!(f, "targetUrl {from} → {to}"),
            Self::Username { from, to } => write!(f, "username {from} → {to}"),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateConnector {
                display_name,
                target_url,
                authentication,
            } => write!(
                f,
                "+ create connector {} ({target_url}, {authentication})",
                Quoted(display_name)
            ),
            Self::UpdateConnector {
                display_name,
                changes,
                sends_password,
                ..
            } => {
                write!(f, "~ update connector {}: ", Quoted(display_name))?;
                for (i, change) in changes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{change}")?;
                }
                if *sends_password {
                    f.write_str(" (password sent)")?;
                }
                Ok(())
            }
            Self::SwitchAuthentication {
                display_name,
                from,
                to,
                ..
            } => {
                write!(
                    f,
                    "~ switch authentication of {}: {from} → {to}",
                    Quoted(display_name)
                )?;
                if matches!(to, AuthenticationPlan::ClientCertificate { .. }) {
                    f.write_str(" (certificateList replaced)")?;
                }
                Ok(())
            }
            Self::UpdateSecret {
                display_name,
                username,
                ..
            } => write!(
                f,
                "~ send password of {} (basic user {username}; --update-secrets)",
                Quoted(display_name)
            ),
            Self::UploadCertificate {
                display_name,
                thumbprint,
                reason,
                ..
            } => write!(
                f,
                "^ upload certificate to {}: thumbprint {thumbprint} ({})",
                Quoted(display_name),
                match reason {
                    UploadReason::NotInCertificateList => "not in certificateList",
                    UploadReason::NotActive => "in certificateList but not the active one",
                }
            ),
            Self::Bind {
                flow,
                step,
                display_name,
                previous,
                ..
            } => {
                write!(f, "> bind {flow}.{step} → {}", Quoted(display_name))?;
                if let Some(previous) = previous {
                    write!(f, " (was {previous})")?;
                }
                Ok(())
            }
            Self::Unbind {
                flow,
                step,
                previous,
                reason,
                ..
            } => {
                write!(f, "< unbind {flow}.{step} (was {previous}")?;
                match reason {
                    UnbindReason::File => f.write_str(")"),
                    UnbindReason::Pruned => f.write_str("; the connector is deleted by prune)"),
                }
            }
            Self::DeleteConnector { display_name, .. } => {
                write!(f, "- delete connector {} (prune)", Quoted(display_name))
            }
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LeftAlone { display_name, .. } => write!(
                f,
                "= connector {} is not in the file; left alone (prune is off)",
                Quoted(display_name)
            ),
            Self::PasswordsNotCompared { display_names } => {
                f.write_str("! passwords not compared (Graph never returns them) for ")?;
                for (i, name) in display_names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Quoted(name))?;
                }
                f.write_str("; --update-secrets sends them")
            }
            Self::CertificatePending {
                display_name,
                thumbprint,
                not_before,
            } => write!(
                f,
                "! certificate {thumbprint} of {} is in certificateList but not valid before {}; Graph makes it active then",
                Quoted(display_name),
                crate::time::iso8601(*not_before)
            ),
        }
    }
}

/// One line per action, then one per note, then a summary.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for action in &self.actions {
            writeln!(f, "{action}")?;
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        if self.actions.is_empty() {
            f.write_str("No changes.")
        } else {
            let count = |phase| self.phase(phase).count();
            write!(
                f,
                "{} changes: {} to connectors, {} to bindings, {} deletes.",
                self.actions.len(),
                count(Phase::Connectors),
                count(Phase::Bindings),
                count(Phase::Deletes)
            )
        }
    }
}
