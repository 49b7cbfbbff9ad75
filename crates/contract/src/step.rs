//! [`Step`]: where in the user flow the API connector is called, and [`Action`]: what a response
//! asks the user flow to do, with the actions each step allows.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ContractError;

/// The point of the user flow at which an API connector is called (the request's `step` claim).
///
/// Azure AD B2C sends this claim; Entra External ID self-service sign-up does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
pub enum Step {
    /// "After federating with an identity provider during sign-up", before the attribute
    /// collection page.
    PostFederationSignup,
    /// "Before creating the user", after the attribute collection page.
    PostAttributeCollection,
    /// "Before sending the token (preview)". The B2C sign-up page shows this step as
    /// `PreTokenApplicationClaims` in one example; that spelling is accepted on input.
    #[serde(alias = "PreTokenApplicationClaims")]
    PreTokenIssuance,
}

impl Step {
    /// Every step, in the order a sign-up goes through them.
    pub const ALL: [Step; 3] = [
        Step::PostFederationSignup,
        Step::PostAttributeCollection,
        Step::PreTokenIssuance,
    ];

    /// The value of the `step` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "PostFederationSignup",
            Step::PostAttributeCollection => "PostAttributeCollection",
            Step::PreTokenIssuance => "PreTokenIssuance",
        }
    }

    /// The property of Microsoft Graph's `userFlowApiConnectorConfiguration` that holds the API
    /// connector called at this step
    /// (<https://learn.microsoft.com/graph/api/resources/userflowapiconnectorconfiguration>).
    pub fn configuration_property(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "postFederationSignup",
            Step::PostAttributeCollection => "postAttributeCollection",
            Step::PreTokenIssuance => "preTokenIssuance",
        }
    }

    /// The response actions the API may return at this step: a blocking page only during
    /// sign-up, a validation error only after the attribute collection page.
    pub fn allowed_actions(self) -> &'static [Action] {
        match self {
            Step::PostFederationSignup => &[Action::Continue, Action::ShowBlockPage],
            Step::PostAttributeCollection => &[
                Action::Continue,
                Action::ShowBlockPage,
                Action::ValidationError,
            ],
            Step::PreTokenIssuance => &[Action::Continue],
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = ContractError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PostFederationSignup" => Ok(Step::PostFederationSignup),
            "PostAttributeCollection" => Ok(Step::PostAttributeCollection),
            "PreTokenIssuance" | "PreTokenApplicationClaims" => Ok(Step::PreTokenIssuance),
            other => Err(ContractError::UnknownStep(other.to_owned())),
        }
    }
}

/// The `action` of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
pub enum Action {
    /// Continue the user flow, optionally overwriting claims.
    Continue,
    /// Stop the user flow and show `userMessage` on a block page.
    ShowBlockPage,
    /// Stay on the attribute collection page and show `userMessage`.
    ValidationError,
}

impl Action {
    /// The value of the `action` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Continue => "Continue",
            Action::ShowBlockPage => "ShowBlockPage",
            Action::ValidationError => "ValidationError",
        }
    }

    /// The HTTP status a response with this action is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            Action::Continue | Action::ShowBlockPage => 200,
            Action::ValidationError => 400,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = ContractError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Continue" => Ok(Action::Continue),
            "ShowBlockPage" => Ok(Action::ShowBlockPage),
            "ValidationError" => Ok(Action::ValidationError),
            other => Err(ContractError::UnknownAction(other.to_owned())),
        }
    }
}
