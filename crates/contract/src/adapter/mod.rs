//! The contract adapter: one API serves Azure AD B2C's API connectors and Entra External ID's
//! custom authentication extensions during the move, with its handler written once, for the
//! API-connector contract.
//!
//! A custom-extension call is presented to the handler as the [`ConnectorRequest`](crate::ConnectorRequest)
//! a B2C user flow would have sent ([`to_connector_request`]: flat claims, `extension_<appId>_<Name>`
//! custom attributes, the [`Step`](crate::Step)), and the handler's
//! [`ConnectorResponse`](crate::ConnectorResponse) becomes the event's action
//! ([`from_connector_response`], [`AdaptedCall::respond`]). [`handle`] and [`handle_async`] do
//! both around a handler function; with the `axum` and `jwt` features, [`AdapterLayer`] puts an
//! existing axum connector API behind External ID, verifying Entra's bearer token instead of the
//! connector's basic credentials or client certificate.
//!
//! | event | connector step | `Continue` without / with claims | `ShowBlockPage` | `ValidationError` |
//! | --- | --- | --- | --- | --- |
//! | `attributeCollectionStart` | `PostFederationSignup` | `continueWithDefaultBehavior` / `setPrefillValues` | `showBlockPage` | `showBlockPage` ([`Loss::ValidationErrorAsBlockPage`]) |
//! | `attributeCollectionSubmit` | `PostAttributeCollection` | `continueWithDefaultBehavior` / `modifyAttributeValues` | `showBlockPage` | `showValidationError`, `attributeErrors: {}` |
//! | `tokenIssuanceStart` | `PreTokenIssuance` | `provideClaimsForToken` (`claims: {}` / the claims) | error | error |
//! | `emailOtpSend` | none: [`AdapterError::NotAdaptable`] | | | |
//!
//! What does not carry over, on every call (not reported per call):
//! - from the request: `source`, `tenantId`, the listener and extension ids, `correlationId`,
//!   `client.ip` and `client.market`, `protocol`, `resourceServicePrincipal`, the
//!   `clientServicePrincipal`'s names, the attributes' `attributeType` and value `@odata.type`
//!   (integers and booleans stay JSON numbers and booleans), and unknown members; at attribute
//!   collection, attributes without a value (B2C does not send claims without a value); at token
//!   issuance, `identities` (the request has none);
//! - from the answer: `version`, the validation error's HTTP 400 and `status` (every
//!   custom-extension answer is HTTP 200), a `userMessage` on `Continue`
//!   ([`Loss::ContinueUserMessage`]);
//! - the B2C contract's 20 s budget: Entra waits at most 2 s per attempt.
//!
//! What one call loses is in [`AdaptedCall::losses`] and [`AdaptedResponse::losses`]
//! ([`Loss`]); what cannot be adapted at all is an [`AdapterError`]. The choices and their
//! sources are in `docs/custom-extensions-contract.md` §9 in the repository.

mod config;
mod error;
mod handle;
#[cfg(all(feature = "axum", feature = "jwt"))]
mod layer;
mod loss;
mod request;
mod response;

pub use config::AdapterConfig;
pub use error::AdapterError;
pub use handle::{handle, handle_async};
#[cfg(all(feature = "axum", feature = "jwt"))]
pub use layer::{AdapterLayer, AdapterService};
pub use loss::Loss;
pub use request::{AdaptedCall, event_for, step_for, to_connector_request};
pub use response::{AdaptedResponse, from_connector_response};
