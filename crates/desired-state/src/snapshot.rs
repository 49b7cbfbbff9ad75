//! What a tenant has, in a form that does not depend on the Graph version it was read through: its
//! connectors (without secrets, which Graph never returns) and, for each user flow, which connector each
//! step calls.

use std::collections::BTreeMap;

use entra_api_connectors_certificate::CertificateSummary;
use serde::{Deserialize, Serialize};

use crate::steps::{Family, Step};

/// A tenant's connectors and user-flow bindings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Every connector.
    pub connectors: Vec<ConnectorSnapshot>,
    /// Every user flow of the families the Graph version has.
    pub user_flows: Vec<UserFlowSnapshot>,
}

impl Snapshot {
    /// The connector with this id.
    pub fn connector(&self, id: &str) -> Option<&ConnectorSnapshot> {
        self.connectors.iter().find(|c| c.id == id)
    }

    /// The user flow of `family` whose id is `id` (Graph's ids compared without regard to ASCII case).
    pub fn user_flow(&self, family: Family, id: &str) -> Option<&UserFlowSnapshot> {
        self.user_flows
            .iter()
            .find(|f| f.family == family && f.id.eq_ignore_ascii_case(id))
    }
}

/// A connector as Graph returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorSnapshot {
    /// Graph's id.
    pub id: String,
    /// The display name.
    pub display_name: String,
    /// The target URL.
    pub target_url: String,
    /// The authentication, as far as Graph shows it.
    pub authentication: AuthenticationSnapshot,
}

/// A connector's authentication as Graph shows it: never a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthenticationSnapshot {
    /// `basicAuthentication`: the user name (the password comes back as `******`).
    Basic {
        /// The user name.
        username: String,
    },
    /// `clientCertificateAuthentication`: the uploaded certificates.
    #[serde(rename_all = "camelCase")]
    ClientCertificate {
        /// The `certificateList`, in the order Graph returns it.
        certificate_list: Vec<CertificateSnapshot>,
    },
    /// An authentication type this crate does not know (Graph adds types over time).
    #[serde(rename_all = "camelCase")]
    Unknown {
        /// Its `@odata.type`, if it had one.
        odata_type: Option<String>,
    },
}

/// One `pkcs12CertificateInformation` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSnapshot {
    /// Upper-case hex SHA-1 of the certificate.
    pub thumbprint: String,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// Whether Graph presents this certificate.
    pub is_active: bool,
}

impl From<CertificateSummary> for CertificateSnapshot {
    fn from(c: CertificateSummary) -> Self {
        Self {
            thumbprint: c.thumbprint,
            not_before: c.not_before,
            not_after: c.not_after,
            is_active: c.is_active,
        }
    }
}

/// A user flow's bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFlowSnapshot {
    /// The id, prefix included.
    pub id: String,
    /// Its family.
    pub family: Family,
    /// Each step the tenant reported: the id of the connector it calls, or `None`. A step that was not
    /// reported counts as calling nothing.
    pub steps: BTreeMap<Step, Option<String>>,
}

impl UserFlowSnapshot {
    /// The connector id `step` calls.
    pub fn bound(&self, step: Step) -> Option<&str> {
        self.steps.get(&step).and_then(Option::as_deref)
    }
}
