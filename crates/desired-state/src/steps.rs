//! The file's names for Graph versions and user-flow families, and which step each (version, family)
//! can bind.
//!
//! [`Step`] and the table of what can be bound are the client's (`entra_api_connectors::Step` and
//! `UserFlowFamily::BINDABLE`, generated from the spec's `$ref` operations), so there is one source of
//! truth; [`bindable_steps`] only maps the file's [`ApiVersion`] and [`Family`] onto the client's
//! markers. The facts behind it (`docs/graph-behaviour.md` §1 and §6):
//! - `b2xUserFlows` exist in v1.0 and beta, `b2cUserFlows` in beta only
//!   (<https://learn.microsoft.com/graph/api/resources/b2cidentityuserflow?view=graph-rest-beta>).
//! - `postFederationSignup` and `postAttributeCollection` are bound with `PUT …/{step}/$ref` in both
//!   versions (<https://learn.microsoft.com/graph/api/b2xidentityuserflow-put-apiconnectorconfiguration>).
//! - `preTokenIssuance` is in the beta CSDL only, without the `Referenceable` annotation, so no `$ref`
//!   path exists for it and no reference page documents setting it: it cannot be bound anywhere.

use std::fmt;

use entra_api_connectors::{B2c, B2x, Beta, UserFlowFamily, V1};
use serde::{Deserialize, Serialize};

pub use entra_api_connectors::Step;

/// A Microsoft Graph version: one configuration file describes a tenant through one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum ApiVersion {
    /// `https://graph.microsoft.com/beta`.
    #[serde(rename = "beta")]
    Beta,
    /// `https://graph.microsoft.com/v1.0`.
    #[serde(rename = "v1.0")]
    V1,
}

impl ApiVersion {
    /// The path segment: `beta` or `v1.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beta => "beta",
            Self::V1 => "v1.0",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user-flow family: the Graph collection a flow lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Azure AD B2C user flows (`/identity/b2cUserFlows`, beta only; ids start with `B2C_1_`).
    B2c,
    /// External Identities self-service sign-up flows (`/identity/b2xUserFlows`; ids start with `B2X_1_`).
    B2x,
}

impl Family {
    /// `b2c` or `b2x`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::B2c => "b2c",
            Self::B2x => "b2x",
        }
    }

    /// The prefix Graph gives every id of this family.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::B2c => "B2C_1_",
            Self::B2x => "B2X_1_",
        }
    }

    /// The Graph collection under `/identity`.
    pub fn collection(self) -> &'static str {
        match self {
            Self::B2c => "b2cUserFlows",
            Self::B2x => "b2xUserFlows",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family does not exist in the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyUnavailable;

/// The steps that `PUT …/apiConnectorConfiguration/{step}/$ref` can bind for a family in a version, or
/// [`FamilyUnavailable`] when the version has no such family.
pub fn bindable_steps(
    version: ApiVersion,
    family: Family,
) -> Result<&'static [Step], FamilyUnavailable> {
    match (version, family) {
        (ApiVersion::V1, Family::B2c) => Err(FamilyUnavailable),
        (ApiVersion::V1, Family::B2x) => Ok(<B2x as UserFlowFamily<V1>>::BINDABLE),
        (ApiVersion::Beta, Family::B2x) => Ok(<B2x as UserFlowFamily<Beta>>::BINDABLE),
        (ApiVersion::Beta, Family::B2c) => Ok(<B2c as UserFlowFamily<Beta>>::BINDABLE),
    }
}

impl From<ApiVersion> for entra_api_connectors::ApiVersion {
    fn from(version: ApiVersion) -> Self {
        match version {
            ApiVersion::Beta => Self::Beta,
            ApiVersion::V1 => Self::V1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_graph_behaviour_section_6() {
        assert_eq!(
            bindable_steps(ApiVersion::V1, Family::B2c),
            Err(FamilyUnavailable)
        );
        for (version, family) in [
            (ApiVersion::V1, Family::B2x),
            (ApiVersion::Beta, Family::B2x),
            (ApiVersion::Beta, Family::B2c),
        ] {
            let steps = bindable_steps(version, family).unwrap();
            assert_eq!(
                steps,
                [Step::PostFederationSignup, Step::PostAttributeCollection]
            );
            assert!(!steps.contains(&Step::PreTokenIssuance));
        }
    }

    #[test]
    fn names_are_the_graph_names() {
        assert_eq!(
            serde_json::to_string(&Step::ALL).unwrap(),
            r#"["postFederationSignup","postAttributeCollection","preTokenIssuance"]"#
        );
        for step in Step::ALL {
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::Value::from(step.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&[ApiVersion::Beta, ApiVersion::V1]).unwrap(),
            r#"["beta","v1.0"]"#
        );
        assert_eq!(Family::B2c.id_prefix(), "B2C_1_");
        assert_eq!(Family::B2x.collection(), "b2xUserFlows");
    }
}
