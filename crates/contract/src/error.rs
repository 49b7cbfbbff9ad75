//! [`ContractError`]: everything that can be wrong with a request, a response or a credential.

use crate::{Action, Step};

/// Errors in the API connector contract.
///
/// Messages never contain passwords or `Authorization` header contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// A request body is not a JSON object of claims in the documented form.
    #[error("invalid API connector request body: {0}")]
    InvalidRequest(String),
    /// A response body is not a JSON object in the documented form.
    #[error("invalid API connector response body: {0}")]
    InvalidResponse(String),
    /// A field that the documentation marks as required is missing from a response.
    #[error("API connector response is missing the required `{field}` field")]
    MissingField {
        /// Wire name of the missing field.
        field: &'static str,
    },
    /// A response field has the wrong type or value.
    #[error("API connector response field `{field}` must be {expected}")]
    InvalidField {
        /// Wire name of the field.
        field: &'static str,
        /// What the documentation allows.
        expected: &'static str,
    },
    /// The `action` of a response is not one of the documented actions.
    #[error(
        "unknown API connector action `{0}` (expected `Continue`, `ShowBlockPage` or `ValidationError`)"
    )]
    UnknownAction(String),
    /// A user flow step name is not one of the documented steps.
    #[error(
        "unknown user flow step `{0}` (expected `PostFederationSignup`, `PostAttributeCollection` or `PreTokenIssuance`)"
    )]
    UnknownStep(String),
    /// The HTTP status does not match the response's action.
    #[error("a `{action}` response must be sent with HTTP status {expected}, got {actual}")]
    HttpStatusMismatch {
        /// The action found in the body.
        action: Action,
        /// The status the documentation requires for it.
        expected: u16,
        /// The status that was sent.
        actual: u16,
    },
    /// The HTTP status is neither 200 nor 400.
    #[error(
        "HTTP status {0} is not part of the API connector contract (responses use 200, validation errors 400)"
    )]
    UnexpectedHttpStatus(u16),
    /// The response's action is not allowed at this step of the user flow.
    #[error("a `{action}` response is not allowed at the `{step}` step")]
    ActionNotAllowed {
        /// The action of the response.
        action: Action,
        /// The step the API connector was called at.
        step: Step,
    },
    /// A continuation response returns a claim that this step cannot overwrite.
    #[error("claim `{claim}` cannot be returned at the `{step}` step")]
    ClaimNotOverwritable {
        /// The claim's name.
        claim: String,
        /// The step the API connector was called at.
        step: Step,
    },
    /// A claim has a `null` value; claims without a value are left out instead.
    #[error("claim `{0}` is null; leave out claims that have no value")]
    NullClaim(String),
    /// A claim name is empty or collides with a field of the response itself.
    #[error("`{0}` cannot be used as a claim name in an API connector response")]
    InvalidClaimName(String),
    /// An extensions app id is not a GUID.
    #[error(
        "invalid extensions app id `{0}`: expected a GUID (32 hexadecimal digits, dashes optional)"
    )]
    InvalidExtensionsAppId(String),
    /// A custom attribute name is empty, contains whitespace or names another app.
    #[error("invalid custom attribute name `{0}`")]
    InvalidAttributeName(String),
    /// An `Authorization` header is not valid HTTP basic authentication.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(&'static str),
    /// An accepted certificate thumbprint is not 40 hexadecimal digits (Graph's SHA-1 form,
    /// separators `:` and space allowed).
    #[error("invalid certificate thumbprint `{0}`: expected 40 hexadecimal digits (SHA-1)")]
    InvalidThumbprint(String),
    /// Client-certificate authentication was configured without any accepted thumbprint.
    #[error("client-certificate authentication needs at least one accepted thumbprint")]
    NoAcceptedThumbprints,
}
