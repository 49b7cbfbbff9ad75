//! The customer's side of Microsoft Entra External ID's **custom authentication extensions**,
//! the successor of API connectors: the typed requests Entra posts to the extension's
//! `targetUrl` for each event, the response with each event's allowed actions, and (feature
//! `jwt`) the verification of the bearer token that authenticates the call.
//!
//! | event | request | allowed actions |
//! | --- | --- | --- |
//! | [`Event::TokenIssuanceStart`] | [`TokenIssuanceStartRequest`] | [`TokenIssuanceStartAction`]: `provideClaimsForToken` |
//! | [`Event::AttributeCollectionStart`] | [`AttributeCollectionRequest`] | [`AttributeCollectionStartAction`]: `continueWithDefaultBehavior`, `setPrefillValues`, `showBlockPage` |
//! | [`Event::AttributeCollectionSubmit`] | [`AttributeCollectionRequest`] | [`AttributeCollectionSubmitAction`]: `continueWithDefaultBehavior`, `modifyAttributeValues`, `showBlockPage`, `showValidationError` |
//! | [`Event::EmailOtpSend`] | [`EmailOtpSendRequest`] | [`EmailOtpSendAction`]: `continueWithDefaultBehavior` |
//!
//! A [`CustomExtensionRequest`] is one of the four requests. A [`CustomExtensionResponse`]
//! carries exactly one action: built from an event's action type it is legal by construction;
//! built from a general [`Action`] with [`CustomExtensionResponse::new`] (or
//! [`CustomExtensionRequest::respond`]) the event's rules are checked first, and an action the
//! event does not allow is [`CustomExtensionError::ActionNotAllowed`]. Every answer is HTTP 200
//! with `Content-Type: application/json`.
//!
//! Parsing accepts the spellings the pages disagree on; emitting uses the pages' JSON examples'
//! spelling. The choices and their sources are in `docs/custom-extensions-contract.md` in the
//! repository.
//!
//! Sources:
//! - <https://learn.microsoft.com/entra/identity-platform/custom-extension-overview>
//! - <https://learn.microsoft.com/entra/identity-platform/custom-claims-provider-reference>
//! - <https://learn.microsoft.com/entra/identity-platform/custom-extension-onattributecollectionstart-retrieve-return-data>
//! - <https://learn.microsoft.com/entra/identity-platform/custom-extension-onattributecollectionsubmit-retrieve-return-data>
//! - <https://learn.microsoft.com/entra/identity-platform/custom-extension-email-otp-send-data>
//! - <https://learn.microsoft.com/entra/identity-platform/custom-extension-troubleshoot>

mod action;
mod attribute;
#[cfg(feature = "jwt")]
mod auth;
mod claims;
mod context;
mod error;
mod event;
#[cfg(all(feature = "axum", feature = "jwt"))]
mod extract;
#[cfg(feature = "axum")]
mod into_response;
#[cfg(feature = "jwt")]
mod jwks;
mod key_order;
mod odata_type;
#[cfg(all(feature = "axum", feature = "jwt"))]
mod rejection;
mod request;
mod response;
#[cfg(feature = "jwt")]
mod token;

pub use action::{
    Action, ActionKind, AttributeCollectionStartAction, AttributeCollectionSubmitAction, BlockPage,
    EmailOtpSendAction, TokenIssuanceStartAction, ValidationError,
};
pub use attribute::{
    AttributeType, AttributeValue, AttributeValues, BOOLEAN_VALUE_TYPE, DirectoryAttributeValue,
    INT64_VALUE_TYPE, STRING_VALUE_TYPE, SignUpAttribute,
};
#[cfg(feature = "jwt")]
pub use auth::CustomExtensionAuth;
pub use claims::{ClaimValue, MAX_CLAIMS_SIZE, TokenClaims};
pub use context::{AuthenticationContext, AuthenticationUser, ClientContext, ServicePrincipal};
pub use error::CustomExtensionError;
pub use event::Event;
#[cfg(all(feature = "axum", feature = "jwt"))]
pub use extract::CustomExtensionCall;
#[cfg(feature = "jwt")]
pub use jwks::{Jwks, JwksError, OpenIdConfiguration, SharedJwks};
#[cfg(all(feature = "axum", feature = "jwt"))]
pub use rejection::CustomExtensionCallRejection;
pub use request::{
    AttributeCollectionRequest, CalloutEnvelope, CustomExtensionRequest, EmailOtpSendRequest,
    OtpContext, TokenIssuanceStartRequest, UserSignUpInfo,
};
pub use response::CustomExtensionResponse;
#[cfg(all(feature = "axum", feature = "jwt"))]
pub(crate) use token::bearer_credentials;
#[cfg(feature = "jwt")]
pub use token::{
    AUTHENTICATION_EVENTS_APP_ID, DEFAULT_LEEWAY, TokenError, TokenVerifier, VerifiedToken,
    VerifierConfigError,
};
