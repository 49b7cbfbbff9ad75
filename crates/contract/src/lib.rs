//! The contract between a sign-up user flow and the REST API that an API connector calls.
//!
//! When a user flow reaches a step that has an API connector, Azure AD B2C / Entra External ID
//! sends an HTTP `POST` with `Content-Type: application/json` whose body is one flat JSON object
//! of claims ([`ConnectorRequest`]). The API answers with one of three documented responses
//! ([`ConnectorResponse`]): a continuation (HTTP 200, optionally overwriting claims), a blocking
//! page (HTTP 200) or a validation error (HTTP 400). The call is authenticated with HTTP basic
//! authentication ([`verify_basic_auth`]) or a client certificate presented in the TLS handshake
//! ([`certificate_thumbprint_matches`]); [`ConnectorAuth`] holds what an API expects and checks
//! one call.
//!
//! Both sides are modelled: an API parses requests and builds responses; a simulator of the user
//! flow builds requests and parses responses. Parsing accepts the spellings that differ between
//! the documentation pages; emitting always uses one documented spelling, strict JSON, no nulls.
//!
//! External ID's successor of API connectors, custom authentication extensions, has its own
//! contract in [`custom_extension`]: typed requests per event, one-action responses checked
//! against the event, and (feature `jwt`) verification of the bearer token Entra sends.
//!
//! The [`adapter`] lets one API serve both during the move from B2C to External ID: it presents
//! a custom-extension call to a handler written for the API-connector contract and turns the
//! handler's answer into the event's action, saying what does not carry over.
//!
//! The crate depends on serde and a few small pure-Rust crates only (no HTTP stack, no TLS, no
//! async runtime). Features:
//! - `axum`: the extractor `ConnectorCall`, which authenticates and parses the user flow's call,
//!   its typed rejection `ConnectorCallRejection`, and `IntoResponse` for [`ConnectorResponse`]
//!   (axum without its default features: no tokio or hyper either).
//! - `jwt`: bearer-token verification of custom-extension calls (`custom_extension::TokenVerifier`,
//!   `Jwks`, `CustomExtensionAuth`; with `axum`, the `CustomExtensionCall` extractor), with
//!   jsonwebtoken's pure-Rust backend. With `axum` too: `adapter::AdapterLayer`, which serves an
//!   axum connector API behind External ID.
//! - `schemars`: `JsonSchema` for the request and response types.
//!
//! Sources:
//! - <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>
//! - <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment>
//! - <https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>
//! - <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector>
//! - <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-approvals>
//!
//! ```
//! use entra_api_connectors_contract::{ConnectorRequest, ConnectorResponse, Continuation, Step};
//!
//! let body = br#"{"email":"ana@example.com","step":"PostAttributeCollection","postalCode":"1234"}"#;
//! let request = ConnectorRequest::from_json(body)?;
//! assert_eq!(request.step, Some(Step::PostAttributeCollection));
//!
//! let response = if request.postal_code.as_deref() == Some("1234") {
//!     ConnectorResponse::validation_error("Please enter a valid postal code.")
//! } else {
//!     Continuation::new().with_claim("postalCode", "12349")?.into()
//! };
//! response.validate_for(Step::PostAttributeCollection)?;
//! let (status, body) = response.to_http();
//! assert_eq!(status, 400);
//! assert_eq!(
//!     String::from_utf8(body).unwrap(),
//!     r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code."}"#
//! );
//! # Ok::<(), entra_api_connectors_contract::ContractError>(())
//! ```

pub mod adapter;
mod basic_auth;
mod claims;
mod client_certificate;
mod connector_auth;
mod continuation;
pub mod custom_extension;
mod error;
#[cfg(feature = "axum")]
mod extract;
#[cfg(feature = "axum")]
mod rejection;
mod request;
mod response;
#[cfg(feature = "schemars")]
mod schema;
mod step;

pub use basic_auth::{BasicCredentials, verify_basic_auth};
pub use claims::{Claims, custom_attribute_claim_name, normalize_extensions_app_id};
pub use client_certificate::{
    certificate_thumbprint_matches, client_certificate_matches, normalize_thumbprint, thumbprint_of,
};
pub use connector_auth::{Caller, ConnectorAuth, ConnectorAuthError};
pub use continuation::Continuation;
pub use error::ContractError;
#[cfg(feature = "axum")]
pub use extract::{ConnectorCall, PeerCertificate};
#[cfg(feature = "axum")]
pub use rejection::{BASIC_CHALLENGE, ConnectorCallRejection, INVALID_REQUEST_USER_MESSAGE};
pub use request::{ConnectorRequest, Identity};
pub use response::{ConnectorResponse, RESPONSE_VERSION};
pub use step::{Action, Step};

/// The README's examples, compiled as doc tests (they need the `axum` and `jwt` features).
#[cfg(all(doctest, feature = "axum", feature = "jwt"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

/// The `Content-Type` of both the request and the response bodies.
pub const CONTENT_TYPE: &str = "application/json";
