//! [`Event`]: the four events that call a custom authentication extension, and the type names
//! of their requests, responses and actions.

use std::fmt;
use std::str::FromStr;

use super::odata_type;
use super::{ActionKind, CustomExtensionError};

/// An authentication event that calls the customer's API through a custom authentication
/// extension (`docs/custom-extensions-contract.md` §2.1 and §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Event {
    /// `microsoft.graph.authenticationEvent.tokenIssuanceStart`: a token is about to be issued
    /// (custom claims provider).
    TokenIssuanceStart,
    /// `microsoft.graph.authenticationEvent.attributeCollectionStart`: before the sign-up's
    /// attribute collection page renders.
    AttributeCollectionStart,
    /// `microsoft.graph.authenticationEvent.attributeCollectionSubmit`: after the user submits
    /// the attribute collection page.
    AttributeCollectionSubmit,
    /// `microsoft.graph.authenticationEvent.emailOtpSend`: a one-time passcode email is due.
    EmailOtpSend,
}

impl Event {
    /// Every event, in the order of the docs' tables.
    pub const ALL: [Event; 4] = [
        Event::TokenIssuanceStart,
        Event::AttributeCollectionStart,
        Event::AttributeCollectionSubmit,
        Event::EmailOtpSend,
    ];

    /// The request's `type`, for example `microsoft.graph.authenticationEvent.tokenIssuanceStart`.
    pub fn event_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "microsoft.graph.authenticationEvent.tokenIssuanceStart",
            Event::AttributeCollectionStart => {
                "microsoft.graph.authenticationEvent.attributeCollectionStart"
            }
            Event::AttributeCollectionSubmit => {
                "microsoft.graph.authenticationEvent.attributeCollectionSubmit"
            }
            Event::EmailOtpSend => "microsoft.graph.authenticationEvent.emailOtpSend",
        }
    }

    /// The request's `data.@odata.type`, for example
    /// `microsoft.graph.onTokenIssuanceStartCalloutData`.
    pub fn callout_data_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "microsoft.graph.onTokenIssuanceStartCalloutData",
            Event::AttributeCollectionStart => {
                "microsoft.graph.onAttributeCollectionStartCalloutData"
            }
            Event::AttributeCollectionSubmit => {
                "microsoft.graph.onAttributeCollectionSubmitCalloutData"
            }
            Event::EmailOtpSend => "microsoft.graph.onOtpSendCalloutData",
        }
    }

    /// The response's `data.@odata.type` as this crate emits it. The OTP page spells its own
    /// with a capital `O`: `microsoft.graph.OnOtpSendResponseData`.
    pub fn response_data_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "microsoft.graph.onTokenIssuanceStartResponseData",
            Event::AttributeCollectionStart => {
                "microsoft.graph.onAttributeCollectionStartResponseData"
            }
            Event::AttributeCollectionSubmit => {
                "microsoft.graph.onAttributeCollectionSubmitResponseData"
            }
            Event::EmailOtpSend => "microsoft.graph.OnOtpSendResponseData",
        }
    }

    /// The middle part of the event's action types (`microsoft.graph.<namespace>.<action>`):
    /// `tokenIssuanceStart`, `attributeCollectionStart`, `attributeCollectionSubmit` or `OtpSend`.
    pub fn action_namespace(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "tokenIssuanceStart",
            Event::AttributeCollectionStart => "attributeCollectionStart",
            Event::AttributeCollectionSubmit => "attributeCollectionSubmit",
            Event::EmailOtpSend => "OtpSend",
        }
    }

    /// The actions a response to this event may carry (exactly one of them per response).
    pub fn allowed_actions(self) -> &'static [ActionKind] {
        match self {
            Event::TokenIssuanceStart => &[ActionKind::ProvideClaimsForToken],
            Event::AttributeCollectionStart => &[
                ActionKind::ContinueWithDefaultBehavior,
                ActionKind::SetPrefillValues,
                ActionKind::ShowBlockPage,
            ],
            Event::AttributeCollectionSubmit => &[
                ActionKind::ContinueWithDefaultBehavior,
                ActionKind::ModifyAttributeValues,
                ActionKind::ShowBlockPage,
                ActionKind::ShowValidationError,
            ],
            Event::EmailOtpSend => &[ActionKind::ContinueWithDefaultBehavior],
        }
    }

    /// Whether a response to this event may carry `action`.
    pub fn allows(self, action: ActionKind) -> bool {
        self.allowed_actions().contains(&action)
    }

    /// The event whose request `type` is `value`, read tolerantly (any ASCII case, with or
    /// without `#` and the `microsoft.graph.` namespace).
    pub fn from_event_type(value: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .find(|e| odata_type::same_type(value, e.event_type()))
    }

    /// The event whose callout data type (`data.@odata.type` of a request) is `value`, read
    /// tolerantly.
    pub fn from_callout_data_type(value: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .find(|e| odata_type::same_type(value, e.callout_data_type()))
    }

    /// The event whose response data type (`data.@odata.type` of a response) is `value`, read
    /// tolerantly.
    pub fn from_response_data_type(value: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .find(|e| odata_type::same_type(value, e.response_data_type()))
    }

    /// The event whose action namespace is `value` (any ASCII case).
    pub(crate) fn from_action_namespace(value: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .find(|e| value.eq_ignore_ascii_case(e.action_namespace()))
    }
}

impl fmt::Display for Event {
    /// The request's `type`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.event_type())
    }
}

impl FromStr for Event {
    type Err = CustomExtensionError;

    /// Parses a request `type` as [`from_event_type`](Event::from_event_type) does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Event::from_event_type(s).ok_or_else(|| CustomExtensionError::UnknownEvent(s.to_owned()))
    }
}
