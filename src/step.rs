//! [`Step`]: the steps of a sign-up user flow at which an API connector can be called, for every
//! Graph version and user-flow family.
//!
//! Which steps a version has, and which of them a family can bind, comes from the spec: see
//! [`ConfigurationModel::STEPS`](crate::models::ConfigurationModel::STEPS) and
//! [`UserFlows::steps`](crate::user_flows::UserFlows::steps).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A step of a sign-up user flow at which an API connector can be called.
///
/// Serialized as its Graph name (`postAttributeCollection`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// After federating with an identity provider during sign-up.
    PostFederationSignup,
    /// After collecting the user's attributes, before creating the account.
    PostAttributeCollection,
    /// Before issuing the token (beta, Azure AD B2C; readable, but Graph defines no `$ref` for it).
    PreTokenIssuance,
}

impl Step {
    /// Every step of any version.
    pub const ALL: [Step; 3] = [
        Step::PostFederationSignup,
        Step::PostAttributeCollection,
        Step::PreTokenIssuance,
    ];

    /// The navigation property name, e.g. `postAttributeCollection`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "postFederationSignup",
            Step::PostAttributeCollection => "postAttributeCollection",
            Step::PreTokenIssuance => "preTokenIssuance",
        }
    }

    /// The step named `name` (case-insensitive) among `steps`; the error lists them, saying
    /// whose they are (`owner`, e.g. `Graph v1.0`).
    pub fn parse_among(name: &str, steps: &[Step], owner: &str) -> Result<Step> {
        steps
            .iter()
            .copied()
            .find(|step| step.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown step `{name}`; {owner} has: {}",
                    join(steps, ", ")
                ))
            })
    }
}

/// The names of `steps`, separated by `separator`.
pub(crate) fn join(steps: &[Step], separator: &str) -> String {
    steps
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = Error;

    /// Any step of any version, case-insensitive.
    fn from_str(s: &str) -> Result<Self> {
        Step::parse_among(s, &Step::ALL, "Graph")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_steps() {
        for step in Step::ALL {
            assert_eq!(step.as_str().parse::<Step>().unwrap(), step);
            assert_eq!(
                step.to_string().to_uppercase().parse::<Step>().unwrap(),
                step
            );
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::Value::from(step.as_str())
            );
        }
        let e = "preTokenIssuance"
            .parse::<Step>()
            .and_then(|_| Step::parse_among("preTokenIssuance", &Step::ALL[..2], "Graph v1.0"))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "invalid input: unknown step `preTokenIssuance`; Graph v1.0 has: \
             postFederationSignup, postAttributeCollection"
        );
    }
}
