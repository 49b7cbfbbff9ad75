//! The emulated tenant's data: API connectors and user flows, and on external tenants the custom
//! authentication extensions, authentication events flows and event listeners
//! ([`extensibility`]), kept in memory and optionally saved to a JSON file after every change
//! (written to a temporary file, then renamed over the old one).
//!
//! Secrets are never kept: a basic-authentication password is stored as its SHA-256 digest (Graph
//! never returns it, `"******"` is all a client sees) and a PKCS#12 file only as the public
//! information Graph reports about it (thumbprint and validity).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use entra_api_connectors_certificate::{self as certificate, CertificateSummary};

pub(crate) mod extensibility;

pub use extensibility::{
    AttributeCollection, BehaviorOnError, ClientConfiguration, EventsFlowRecord, ExtensionHandler,
    ExtensionKind, ExtensionRecord, FlowHandler, ListenerHandler, ListenerKind, ListenerRecord,
    UserFlowAttribute,
};

/// Which user-flow API a flow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FlowFamily {
    /// `b2cIdentityUserFlow` (`/beta/identity/b2cUserFlows`, Azure AD B2C tenants, beta only).
    B2c,
    /// `b2xIdentityUserFlow` (`/identity/b2xUserFlows`, workforce tenants, v1.0 and beta).
    B2x,
}

impl FlowFamily {
    /// The collection's path segment.
    pub fn segment(self) -> &'static str {
        match self {
            FlowFamily::B2c => "b2cUserFlows",
            FlowFamily::B2x => "b2xUserFlows",
        }
    }

    /// The prefix the service puts in front of a new flow's name.
    pub fn prefix(self) -> &'static str {
        match self {
            FlowFamily::B2c => "B2C_1_",
            FlowFamily::B2x => "B2X_1_",
        }
    }
}

/// A step of `userFlowApiConnectorConfiguration` that can call an API connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// `postFederationSignup` (v1.0 and beta, `$ref`).
    PostFederationSignup,
    /// `postAttributeCollection` (v1.0 and beta, `$ref`).
    PostAttributeCollection,
    /// `preTokenIssuance` (beta only, no `$ref` path).
    PreTokenIssuance,
}

impl Step {
    /// Every step, in the order the CSDL lists them.
    pub const ALL: [Step; 3] = [
        Step::PostFederationSignup,
        Step::PostAttributeCollection,
        Step::PreTokenIssuance,
    ];

    /// The navigation property's name.
    pub fn name(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "postFederationSignup",
            Step::PostAttributeCollection => "postAttributeCollection",
            Step::PreTokenIssuance => "preTokenIssuance",
        }
    }

    /// Parses a step name, case-insensitively.
    pub fn parse(name: &str) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

/// One uploaded certificate, as Graph reports it (`pkcs12CertificateInformation` without `isActive`,
/// which depends on the time it is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRecord {
    /// Upper-case hex SHA-1 of the DER certificate.
    pub thumbprint: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
}

/// A connector's stored authentication.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum AuthRecord {
    /// `basicAuthentication`; only a digest of the password is kept.
    #[serde(rename_all = "camelCase")]
    Basic {
        /// The user name.
        username: String,
        /// Lower-case hex SHA-256 of the password.
        password_sha256: String,
    },
    /// `clientCertificateAuthentication`: the uploaded certificates, oldest first.
    #[serde(rename_all = "camelCase")]
    ClientCertificate {
        /// Upload order, oldest first.
        certificates: Vec<CertificateRecord>,
    },
}

impl fmt::Debug for AuthRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthRecord::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
            AuthRecord::ClientCertificate { certificates } => f
                .debug_struct("ClientCertificate")
                .field("certificates", certificates)
                .finish(),
        }
    }
}

/// SHA-256 of a password, lower-case hex.
pub(crate) fn password_digest(password: &str) -> String {
    Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl AuthRecord {
    /// The `certificateList` with `isActive` computed by Graph's rule at `now`.
    pub fn certificate_list(&self, now: i64) -> Vec<CertificateSummary> {
        match self {
            AuthRecord::Basic { .. } => Vec::new(),
            AuthRecord::ClientCertificate { certificates } => {
                let mut list: Vec<CertificateSummary> = certificates
                    .iter()
                    .map(|c| CertificateSummary {
                        thumbprint: c.thumbprint.clone(),
                        not_before: c.not_before,
                        not_after: c.not_after,
                        is_active: false,
                    })
                    .collect();
                certificate::apply_graph_active_rule(&mut list, now);
                list
            }
        }
    }
}

/// A stored `identityApiConnector`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorRecord {
    /// GUID string.
    pub id: String,
    /// `displayName` (`None` once cleared with `null`).
    pub display_name: Option<String>,
    /// `targetUrl`.
    pub target_url: Option<String>,
    /// `authenticationConfiguration`.
    pub authentication: Option<AuthRecord>,
    /// Creation order, the key of the paging `$skiptoken`.
    pub(crate) seq: u64,
}

impl ConnectorRecord {
    /// Whether `password` is the stored basic-authentication password (`None` when not basic).
    pub fn basic_password_matches(&self, password: &str) -> Option<bool> {
        match &self.authentication {
            Some(AuthRecord::Basic {
                password_sha256, ..
            }) => Some(*password_sha256 == password_digest(password)),
            _ => None,
        }
    }
}

/// A stored user flow (`b2xIdentityUserFlow` or `b2cIdentityUserFlow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFlowRecord {
    /// Full id, prefix included (`B2X_1_Partner`).
    pub id: String,
    /// Which API the flow belongs to.
    pub family: FlowFamily,
    /// `userFlowType`.
    pub user_flow_type: String,
    /// `userFlowTypeVersion` as sent (Edm.Single; integers in every example).
    pub user_flow_type_version: serde_json::Number,
    /// b2c only.
    #[serde(default)]
    pub is_language_customization_enabled: bool,
    /// b2c only.
    #[serde(default)]
    pub default_language_tag: Option<String>,
    /// The connector id bound to each step.
    #[serde(default)]
    pub api_connector_configuration: BTreeMap<Step, String>,
}

impl UserFlowRecord {
    /// A flow with no connector bound; `name` gets the family's prefix unless it has it already.
    pub fn new(family: FlowFamily, name: &str, user_flow_type: &str, version: u32) -> Self {
        let id = if name
            .get(..family.prefix().len())
            .is_some_and(|p| p.eq_ignore_ascii_case(family.prefix()))
        {
            name.to_owned()
        } else {
            format!("{}{name}", family.prefix())
        };
        Self {
            id,
            family,
            user_flow_type: user_flow_type.to_owned(),
            user_flow_type_version: version.into(),
            is_language_customization_enabled: false,
            default_language_tag: None,
            api_connector_configuration: BTreeMap::new(),
        }
    }
}

/// Everything the emulator stores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct State {
    /// Keyed by lower-case id, in creation order.
    #[serde(with = "records")]
    pub connectors: IndexMap<String, ConnectorRecord>,
    #[serde(with = "flow_records")]
    pub user_flows: IndexMap<String, UserFlowRecord>,
    pub next_seq: u64,
    /// Custom authentication extensions, keyed by lower-case id, in creation order.
    #[serde(default, with = "keyed")]
    pub custom_extensions: IndexMap<String, ExtensionRecord>,
    /// Authentication events flows, keyed by lower-case id, in creation order.
    #[serde(default, with = "keyed")]
    pub events_flows: IndexMap<String, EventsFlowRecord>,
    /// Listeners created directly (a flow's own listeners are derived from the flow).
    #[serde(default, with = "keyed")]
    pub listeners: IndexMap<String, ListenerRecord>,
    /// Custom user flow attributes defined inline in a flow's create body.
    #[serde(default)]
    pub custom_attributes: Vec<UserFlowAttribute>,
}

/// Records stored as a list and keyed by their lower-case id in memory.
pub(crate) trait Keyed {
    fn key(&self) -> String;
}

impl Keyed for ExtensionRecord {
    fn key(&self) -> String {
        self.id.to_ascii_lowercase()
    }
}

impl Keyed for EventsFlowRecord {
    fn key(&self) -> String {
        self.id.to_ascii_lowercase()
    }
}

impl Keyed for ListenerRecord {
    fn key(&self) -> String {
        self.id.to_ascii_lowercase()
    }
}

mod keyed {
    use super::*;
    pub fn serialize<S: serde::Serializer, T: Serialize>(
        map: &IndexMap<String, T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.values())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Keyed>(
        d: D,
    ) -> Result<IndexMap<String, T>, D::Error> {
        let list = Vec::<T>::deserialize(d)?;
        Ok(list.into_iter().map(|r| (r.key(), r)).collect())
    }
}

mod records {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        map: &IndexMap<String, ConnectorRecord>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.values())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<IndexMap<String, ConnectorRecord>, D::Error> {
        let list = Vec::<ConnectorRecord>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|c| (c.id.to_ascii_lowercase(), c))
            .collect())
    }
}

mod flow_records {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        map: &IndexMap<String, UserFlowRecord>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.values())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<IndexMap<String, UserFlowRecord>, D::Error> {
        let list = Vec::<UserFlowRecord>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|f| (f.id.to_ascii_lowercase(), f))
            .collect())
    }
}

impl State {
    pub fn with_flows(flows: Vec<UserFlowRecord>) -> Self {
        let mut state = State::default();
        for flow in flows {
            state.user_flows.insert(flow.id.to_ascii_lowercase(), flow);
        }
        state
    }

    pub fn connector(&self, id: &str) -> Option<&ConnectorRecord> {
        self.connectors.get(&id.to_ascii_lowercase())
    }

    pub fn flow(&self, family: FlowFamily, id: &str) -> Option<&UserFlowRecord> {
        self.user_flows
            .get(&id.to_ascii_lowercase())
            .filter(|f| f.family == family)
    }

    pub fn insert_connector(&mut self, mut record: ConnectorRecord) -> ConnectorRecord {
        self.next_seq += 1;
        record.seq = self.next_seq;
        self.connectors
            .insert(record.id.to_ascii_lowercase(), record.clone());
        record
    }

    /// Removes a connector and every step binding that pointed at it (OData removes the links to a
    /// deleted entity; the Graph docs do not say, see `docs/graph-behaviour.md`).
    pub fn remove_connector(&mut self, id: &str) -> Option<ConnectorRecord> {
        let removed = self.connectors.shift_remove(&id.to_ascii_lowercase())?;
        for flow in self.user_flows.values_mut() {
            flow.api_connector_configuration
                .retain(|_, bound| !bound.eq_ignore_ascii_case(&removed.id));
        }
        Some(removed)
    }

    /// The next creation sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn extension(&self, id: &str) -> Option<&ExtensionRecord> {
        self.custom_extensions.get(&id.to_ascii_lowercase())
    }

    pub fn events_flow(&self, id: &str) -> Option<&EventsFlowRecord> {
        self.events_flows.get(&id.to_ascii_lowercase())
    }

    /// Every listener: the ones created directly and the ones the flows manage, in creation order.
    pub fn all_listeners(&self) -> Vec<ListenerRecord> {
        let mut all: Vec<ListenerRecord> = self.listeners.values().cloned().collect();
        for flow in self.events_flows.values() {
            all.extend(flow.managed_listeners());
        }
        all.sort_by_key(|l| l.seq);
        all
    }

    /// A user flow attribute by id (case-insensitive): built-in, or custom and defined in a flow.
    pub fn user_flow_attribute(&self, id: &str) -> Option<UserFlowAttribute> {
        extensibility::built_in_attributes()
            .into_iter()
            .chain(self.custom_attributes.iter().cloned())
            .find(|a| a.id.eq_ignore_ascii_case(id))
    }

    pub fn load(path: &Path) -> std::io::Result<Option<State>> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the state to a temporary file next to `path`, then renames it over `path`, so a reader
    /// never sees a half-written file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut tmp: PathBuf = path.to_owned();
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(format!(".{}.tmp", std::process::id()));
        tmp.set_file_name(name);
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }
}
