//! What this crate assumes about Graph's user flows: the versions, the user-flow families, the steps,
//! and the one table of which step each (version, family) can bind.
//!
//! This module is the only place that knows these facts, so that it can be replaced by the client's
//! own `Step` enum and per-version/family table once the client is generic; everything else asks
//! [`bindable_steps`]. Sources (`docs/graph-behaviour.md` §1 and §6):
//! - `b2xUserFlows` exist in v1.0 and beta, `b2cUserFlows` in beta only
//!   (<https://learn.microsoft.com/graph/api/resources/b2cidentityuserflow?view=graph-rest-beta>).
//! - `postFederationSignup` and `postAttributeCollection` are bound with `PUT …/{step}/$ref` in both
//!   versions (<https://learn.microsoft.com/graph/api/b2xidentityuserflow-put-apiconnectorconfiguration>).
//! - `preTokenIssuance` is in the beta CSDL only, without the `Referenceable` annotation, so no `$ref`
//!   path exists for it and no reference page documents setting it: it cannot be bound anywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

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

/// A step of a user flow that can call an API connector (`userFlowApiConnectorConfiguration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// After federating with an identity provider during sign-up.
    PostFederationSignup,
    /// After collecting the user's attributes, before the account is created.
    PostAttributeCollection,
    /// Before sending the token (B2C preview; beta CSDL only, not bindable through Graph).
    PreTokenIssuance,
}

impl Step {
    /// Every step, in the order of the user flow.
    pub const ALL: [Step; 3] = [
        Step::PostFederationSignup,
        Step::PostAttributeCollection,
        Step::PreTokenIssuance,
    ];

    /// The Graph property name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PostFederationSignup => "postFederationSignup",
            Self::PostAttributeCollection => "postAttributeCollection",
            Self::PreTokenIssuance => "preTokenIssuance",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family does not exist in the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyUnavailable;

const BINDABLE: [Step; 2] = [Step::PostFederationSignup, Step::PostAttributeCollection];

/// The steps that `PUT …/apiConnectorConfiguration/{step}/$ref` can bind for a family in a version, or
/// [`FamilyUnavailable`] when the version has no such family.
pub fn bindable_steps(
    version: ApiVersion,
    family: Family,
) -> Result<&'static [Step], FamilyUnavailable> {
    match (version, family) {
        (ApiVersion::V1, Family::B2c) => Err(FamilyUnavailable),
        (ApiVersion::V1 | ApiVersion::Beta, Family::B2x) | (ApiVersion::Beta, Family::B2c) => {
            Ok(&BINDABLE)
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
