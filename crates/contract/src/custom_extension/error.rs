//! [`CustomExtensionError`]: everything that can be wrong with a custom-extension request or
//! response, each with the troubleshooting code Entra logs for it where there is one.

use super::{ActionKind, Event};

/// Errors in the custom-extension contract. Messages name fields, never the one-time passcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomExtensionError {
    /// The body is not JSON, or a member has the wrong JSON type.
    #[error("invalid custom extension body: {0}")]
    InvalidJson(String),
    /// A member that the documented shape requires is missing.
    #[error("custom extension body is missing `{field}`")]
    MissingField {
        /// Its path, for example `data.tenantId`.
        field: String,
    },
    /// A member has the wrong type or value.
    #[error("`{field}` must be {expected}")]
    InvalidField {
        /// Its path, for example `data.userSignUpInfo.attributes.givenName.value`.
        field: String,
        /// What the contract allows.
        expected: &'static str,
    },
    /// A request's `type` is not one of the four documented events.
    #[error("unknown authentication event type `{0}`")]
    UnknownEvent(String),
    /// A request's `data.@odata.type` is not the callout data type of its event.
    #[error("a `{event}` request carries `data.@odata.type` `{found}`, expected `{}`", event.callout_data_type())]
    CalloutDataTypeMismatch {
        /// The event of the request's `type`.
        event: Event,
        /// The `data.@odata.type` it carries.
        found: String,
    },
    /// A response's `data.@odata.type` names no event's response data.
    #[error("unknown custom extension response data type `{0}`")]
    UnknownResponseDataType(String),
    /// A response is for another event than the one that was called.
    #[error("the response is for `{found}`, the call was `{expected}`")]
    ResponseForAnotherEvent {
        /// The event that was called.
        expected: Event,
        /// The event the response's `data.@odata.type` names.
        found: Event,
    },
    /// A response does not carry exactly one action.
    #[error("a `{event}` response must carry exactly one action, it carries {count}")]
    WrongNumberOfActions {
        /// The response's event.
        event: Event,
        /// How many actions it carries.
        count: usize,
    },
    /// An action's `@odata.type` names no documented action.
    #[error("unknown custom extension action `{0}`")]
    UnknownAction(String),
    /// An action's `@odata.type` is in another event's namespace (for example
    /// `attributeCollectionStart.showBlockPage` in a submit response).
    #[error("action `{found}` belongs to another event than `{event}`")]
    ActionOfAnotherEvent {
        /// The response's event.
        event: Event,
        /// The action's `@odata.type`.
        found: String,
    },
    /// The action is not allowed for the event.
    #[error("action `{action}` is not allowed for `{event}` (allowed: {})", allowed(*event))]
    ActionNotAllowed {
        /// The action.
        action: ActionKind,
        /// The event.
        event: Event,
    },
    /// A claim or attribute name is empty.
    #[error("a {what} name cannot be empty")]
    EmptyName {
        /// `claim` or `attribute`.
        what: &'static str,
    },
    /// A claim value is neither a string nor an array of strings.
    #[error("claim `{claim}` must be a string or an array of strings")]
    InvalidClaimValue {
        /// The claim's name.
        claim: String,
    },
    /// The claims exceed the 3 KB that a claims provider can return.
    #[error("the claims take {size} bytes, more than the {limit} a claims provider can return")]
    ClaimsTooLarge {
        /// Bytes of names and string values.
        size: usize,
        /// [`MAX_CLAIMS_SIZE`](super::MAX_CLAIMS_SIZE).
        limit: usize,
    },
    /// An attribute value returned to attribute collection is not a string, an integer or a
    /// boolean.
    #[error("attribute `{attribute}` must be a string, an integer or a boolean")]
    InvalidAttributeValue {
        /// The attribute's name.
        attribute: String,
    },
    /// The HTTP status of a response is not 200.
    #[error("HTTP status {0} is not part of the custom extension contract (every answer is 200)")]
    UnexpectedHttpStatus(u16),
}

fn allowed(event: Event) -> String {
    let names: Vec<&str> = event.allowed_actions().iter().map(|a| a.as_str()).collect();
    names.join(", ")
}

impl CustomExtensionError {
    /// For an error met while reading a *response*, the code of Entra's custom-extension
    /// troubleshooting table that the sign-in logs show for it
    /// (`docs/custom-extensions-contract.md` §6.1): 1003002 for the status, 1003003 for the body,
    /// 1003007 for missing claims, 1003010 for the number of actions, 1003012 for the action type,
    /// 1003025 for the claims size and 1003026 for an empty claim name. `None` for the errors
    /// only requests have ([`UnknownEvent`](Self::UnknownEvent),
    /// [`CalloutDataTypeMismatch`](Self::CalloutDataTypeMismatch)).
    pub fn troubleshooting_code(&self) -> Option<u32> {
        match self {
            CustomExtensionError::UnexpectedHttpStatus(_) => Some(1003002),
            CustomExtensionError::InvalidJson(_)
            | CustomExtensionError::InvalidField { .. }
            | CustomExtensionError::InvalidClaimValue { .. }
            | CustomExtensionError::InvalidAttributeValue { .. } => Some(1003003),
            CustomExtensionError::MissingField { field } if field.ends_with(".claims") => {
                Some(1003007)
            }
            CustomExtensionError::MissingField { .. } => Some(1003003),
            CustomExtensionError::WrongNumberOfActions { .. } => Some(1003010),
            CustomExtensionError::UnknownResponseDataType(_)
            | CustomExtensionError::ResponseForAnotherEvent { .. }
            | CustomExtensionError::UnknownAction(_)
            | CustomExtensionError::ActionOfAnotherEvent { .. }
            | CustomExtensionError::ActionNotAllowed { .. } => Some(1003012),
            CustomExtensionError::ClaimsTooLarge { .. } => Some(1003025),
            CustomExtensionError::EmptyName { what: "claim" } => Some(1003026),
            CustomExtensionError::EmptyName { .. } => Some(1003003),
            CustomExtensionError::UnknownEvent(_)
            | CustomExtensionError::CalloutDataTypeMismatch { .. } => None,
        }
    }
}
