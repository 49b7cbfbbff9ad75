//! [`AdapterError`]: why a custom-extension call cannot be presented to a connector handler, or
//! its answer cannot be turned into a custom-extension action.

use crate::custom_extension::{CustomExtensionError, Event};
use crate::{Action, ContractError};

/// Errors of the contract adapter. Messages name events, claims and attributes, never a value
/// (one-time passcodes are never read: an `emailOtpSend` call is refused before its data is
/// looked at).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The body is not a custom-extension request.
    #[error(transparent)]
    InvalidRequest(CustomExtensionError),
    /// The event has no API-connector step (`emailOtpSend`: B2C user flows have no step that
    /// sends the one-time passcode).
    #[error("`{event}` has no API connector step: a connector handler cannot answer it")]
    NotAdaptable {
        /// The event of the call.
        event: Event,
    },
    /// An attribute of the call cannot be a claim of the connector request: a built-in claim
    /// that is not a string, or a name the connector request reserves (`step`, `client_id`, …).
    #[error("attribute `{attribute}` cannot be sent as a connector claim: it must be {expected}")]
    InvalidAttribute {
        /// The attribute's name, as the external tenant sent it.
        attribute: String,
        /// What the connector request needs.
        expected: &'static str,
    },
    /// The handler answered with an action that has no equivalent for the event
    /// (`ShowBlockPage` or `ValidationError` before token issuance).
    #[error("a `{action}` answer has no equivalent for `{event}`")]
    ActionNotAllowed {
        /// The handler's action.
        action: Action,
        /// The event of the call.
        event: Event,
    },
    /// A claim the handler returned has a value the event's action cannot carry.
    #[error("claim `{claim}` cannot be returned for `{event}`: its value must be {expected}")]
    UnsupportedClaimValue {
        /// The claim's name, as the handler returned it.
        claim: String,
        /// The event of the call.
        event: Event,
        /// What the event's action carries.
        expected: &'static str,
    },
    /// A returned attribute's value type is not the one the call sent for it ("the response
    /// value types match the request value types").
    #[error("attribute `{attribute}` must be returned as {expected}, the type the call sent")]
    AttributeTypeMismatch {
        /// The attribute's name, in the external tenant's form.
        attribute: String,
        /// The type the call sent.
        expected: &'static str,
    },
    /// A returned custom attribute (`extension_<Name>`, or under the B2C app's id) needs the
    /// external tenant's extensions app id, which is not configured.
    #[error(
        "claim `{claim}` is a custom attribute, and the external tenant's extensions app id is not configured"
    )]
    UnresolvedCustomAttribute {
        /// The claim's name, as the handler returned it.
        claim: String,
    },
    /// The adapted answer breaks a rule of the custom-extension contract (for example, token
    /// claims over 3 KB).
    #[error(transparent)]
    Response(CustomExtensionError),
    /// The handler's answer breaks a rule of the connector contract.
    #[error(transparent)]
    Connector(ContractError),
}

impl AdapterError {
    /// The HTTP status to answer the call with: 400 when the call itself is the problem (not a
    /// custom-extension request, or an event without a connector step), 500 when the handler's
    /// answer cannot be adapted. Entra fails the sign-up on either (1003002).
    pub fn http_status(&self) -> u16 {
        match self {
            AdapterError::InvalidRequest(_) | AdapterError::NotAdaptable { .. } => 400,
            _ => 500,
        }
    }
}
