//! Reading the generated Graph types of either version: one trait per model type, implemented by
//! the code `graph-csdl` emits for each version (property accessors return the field as
//! progenitor generated it).
//!
//! Generic code reads a connector as `V::Connector: ConnectorModel`; concrete code can keep using
//! the fields (`connector.display_name`), and gets the certificate helpers by importing the
//! trait (or [`crate::prelude`]).
//!
//! ```
//! use entra_api_connectors::models::ConnectorModel;
//! use entra_api_connectors::v1::types::IdentityApiConnector;
//! let connector: IdentityApiConnector = serde_json::from_value(serde_json::json!({
//!     "id": "c-1",
//!     "authenticationConfiguration": {
//!         "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
//!         "certificateList": [
//!             { "thumbprint": "AB12", "notBefore": 1, "notAfter": 2, "isActive": true }
//!         ]
//!     }
//! })).unwrap();
//! assert_eq!(connector.id().as_deref(), Some("c-1"));
//! assert_eq!(connector.active_certificate().unwrap().thumbprint, "AB12");
//! ```

use std::fmt::Debug;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Secret;
use crate::certificate::{CertificateSummary, expiring_within, unix_now};
use crate::step::Step;

/// What every generated model type is: JSON both ways, cloned, compared and printed (secrets
/// redacted).
pub trait Model:
    Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send + Sync + 'static
{
}

impl<T: Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send + Sync + 'static> Model
    for T
{
}

/// An API connector (`identityApiConnector`).
pub trait ConnectorModel {
    /// Its authentication configuration, tagged by `@odata.type`.
    type Authentication: AuthenticationModel + Model;

    /// `id`.
    fn id(&self) -> &Option<String>;
    /// `displayName`.
    fn display_name(&self) -> &Option<String>;
    /// `targetUrl`.
    fn target_url(&self) -> &Option<String>;
    /// `authenticationConfiguration`.
    fn authentication(&self) -> &Option<Self::Authentication>;

    /// The uploaded certificates, when the connector uses client certificates.
    fn certificates(&self) -> Vec<CertificateSummary> {
        match self
            .authentication()
            .as_ref()
            .and_then(|a| a.client_certificate())
        {
            Some(c) => c
                .certificate_list()
                .iter()
                .map(CertificateInfoModel::summary)
                .collect(),
            None => Vec::new(),
        }
    }

    /// The certificate Graph presents now (`isActive`).
    fn active_certificate(&self) -> Option<CertificateSummary> {
        self.certificates().into_iter().find(|c| c.is_active)
    }

    /// Certificates that expire within `within` from now.
    fn certificates_expiring_within(&self, within: Duration) -> Vec<CertificateSummary> {
        let all = self.certificates();
        expiring_within(&all, unix_now(), within)
            .into_iter()
            .cloned()
            .collect()
    }
}

/// An authentication configuration (`apiAuthenticationConfigurationBase` and the types deriving
/// from it), as the enum tagged by `@odata.type`.
pub trait AuthenticationModel {
    /// `basicAuthentication`.
    type Basic: BasicAuthenticationModel + Model;
    /// `pkcs12Certificate` (what is sent to configure a certificate).
    type Pkcs12: Model;
    /// `clientCertificateAuthentication` (what Graph returns for a certificate).
    type ClientCertificate: ClientCertificateModel + Model;

    /// The `@odata.type`, as Graph writes it (`#microsoft.graph.basicAuthentication`).
    fn odata_type(&self) -> Option<&str>;
    /// The basic authentication, if it is one.
    fn basic(&self) -> Option<&Self::Basic>;
    /// The PKCS#12 certificate, if it is one.
    fn pkcs12(&self) -> Option<&Self::Pkcs12>;
    /// The client-certificate authentication, if it is one.
    fn client_certificate(&self) -> Option<&Self::ClientCertificate>;
}

/// HTTP basic authentication (`basicAuthentication`).
pub trait BasicAuthenticationModel {
    /// `username`.
    fn username(&self) -> &Option<String>;
    /// `password` ([`Secret::Masked`] when read from Graph).
    fn password(&self) -> &Option<Secret>;
}

/// Client-certificate authentication (`clientCertificateAuthentication`).
pub trait ClientCertificateModel {
    /// One entry of the list.
    type Certificate: CertificateInfoModel + Model;

    /// `certificateList`.
    fn certificate_list(&self) -> &Vec<Self::Certificate>;
}

/// One uploaded certificate (`pkcs12CertificateInformation`).
pub trait CertificateInfoModel {
    /// `thumbprint`.
    fn thumbprint(&self) -> &Option<String>;
    /// `notBefore`, Unix seconds.
    fn not_before(&self) -> &i64;
    /// `notAfter`, Unix seconds.
    fn not_after(&self) -> &i64;
    /// `isActive`.
    fn is_active(&self) -> &bool;

    /// The entry as a [`CertificateSummary`] (an absent thumbprint is empty).
    fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            thumbprint: self.thumbprint().clone().unwrap_or_default(),
            not_before: *self.not_before(),
            not_after: *self.not_after(),
            is_active: *self.is_active(),
        }
    }
}

/// The API connector configuration of a user flow (`userFlowApiConnectorConfiguration`).
pub trait ConfigurationModel {
    /// The connector type.
    type Connector: ConnectorModel;

    /// The steps this version's configuration has (its properties), in the order of [`Step`].
    const STEPS: &'static [Step];

    /// The connector bound to `step`, when the configuration was read with `$expand` and one is
    /// bound (`None` for a step this version does not have).
    fn connector(&self, step: Step) -> Option<&Self::Connector>;
}

/// A user flow (`b2cIdentityUserFlow`, `b2xIdentityUserFlow`).
pub trait FlowModel {
    /// `id`, e.g. `B2C_1_SignUp`.
    fn id(&self) -> &Option<String>;
}

/// The answer of `validateAuthenticationConfiguration` (`authenticationConfigurationValidation`):
/// a failed check is a `200` whose `errors` is not empty.
pub trait ValidationModel {
    /// One finding (`genericError`).
    type Error: GenericErrorModel + Model;

    /// `errors`: the configuration does not work as it is.
    fn errors(&self) -> &Vec<Self::Error>;
    /// `warnings`: it may work, but something is missing (e.g. a permission grant).
    fn warnings(&self) -> &Vec<Self::Error>;

    /// No errors (warnings allowed).
    fn is_valid(&self) -> bool {
        self.errors().is_empty()
    }

    /// The codes of the errors, e.g. `DomainNameDoesNotMatch`.
    fn error_codes(&self) -> Vec<String> {
        self.errors()
            .iter()
            .filter_map(|e| e.code().clone())
            .collect()
    }
}

/// A code and a message (`genericError`).
pub trait GenericErrorModel {
    /// `code`, e.g. `IncorrectResourceIdFormat`.
    fn code(&self) -> &Option<String>;
    /// `message`.
    fn message(&self) -> &Option<String>;
}
