//! [`ConnectorCallRejection`] (feature `axum`): why [`ConnectorCall`](crate::ConnectorCall)
//! refused a call, and the HTTP answer for each reason.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{ConnectorAuthError, ConnectorResponse, ContractError};

/// The `userMessage` of the validation error sent for a body that is not a contract request. The
/// user flow shows it on the attribute collection page, so it says nothing about the cause (which
/// is in the rejection, for the API's own log).
pub const INVALID_REQUEST_USER_MESSAGE: &str =
    "Your sign-up could not be checked. Please try again.";

/// The `WWW-Authenticate` challenge of a 401 (RFC 7617).
pub const BASIC_CHALLENGE: &str = r#"Basic realm="API connector", charset="UTF-8""#;

/// Why [`ConnectorCall`](crate::ConnectorCall) refused a call. As a response
/// ([`IntoResponse`]):
///
/// | rejection | status | body |
/// | --- | --- | --- |
/// | [`MethodNotAllowed`](Self::MethodNotAllowed) | 405, `Allow: POST` | text |
/// | [`Unauthenticated`](Self::Unauthenticated), basic | 401, `WWW-Authenticate:` [`BASIC_CHALLENGE`] | text |
/// | [`Unauthenticated`](Self::Unauthenticated), certificate | 403 | text |
/// | [`UnsupportedContentType`](Self::UnsupportedContentType) | 415 | text |
/// | [`UnreadableBody`](Self::UnreadableBody), too large | 413 | text |
/// | [`UnreadableBody`](Self::UnreadableBody), otherwise, and [`InvalidRequest`](Self::InvalidRequest) | 400, `Content-Type: application/json` | the contract's validation error with [`INVALID_REQUEST_USER_MESSAGE`] |
///
/// A 400 is the contract's validation-error status ("HTTP status code has to be 400 in addition
/// to the status value in the body", add-api-connector), so its body is a validation error in the
/// documented shape; the other statuses are outside the contract, and the user flow fails the
/// sign-up on them. Text bodies name the problem, never a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorCallRejection {
    /// The call is not a `POST`.
    #[error("API connector calls are POST requests, not {0}")]
    MethodNotAllowed(Method),
    /// The call does not carry the expected credentials.
    #[error(transparent)]
    Unauthenticated(#[from] ConnectorAuthError),
    /// The `Content-Type` is missing (`None`) or not `application/json`.
    #[error("API connector calls send Content-Type: application/json, not {}", .0.as_deref().unwrap_or("none"))]
    UnsupportedContentType(Option<String>),
    /// The body could not be read, or is larger than the body limit.
    #[error("cannot read the request body: {0}")]
    UnreadableBody(#[source] BytesRejection),
    /// The body is not a contract request (a JSON object of claims).
    #[error(transparent)]
    InvalidRequest(ContractError),
}

impl ConnectorCallRejection {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            ConnectorCallRejection::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ConnectorCallRejection::Unauthenticated(e) => {
                StatusCode::from_u16(e.http_status()).expect("401 and 403 are valid")
            }
            ConnectorCallRejection::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ConnectorCallRejection::UnreadableBody(e)
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ConnectorCallRejection::UnreadableBody(_)
            | ConnectorCallRejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for ConnectorCallRejection {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::BAD_REQUEST {
            return ConnectorResponse::validation_error(INVALID_REQUEST_USER_MESSAGE)
                .into_response();
        }
        let mut response = (status, self.to_string()).into_response();
        let headers = response.headers_mut();
        match self {
            ConnectorCallRejection::MethodNotAllowed(_) => {
                headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            ConnectorCallRejection::Unauthenticated(_) if status == StatusCode::UNAUTHORIZED => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(BASIC_CHALLENGE),
                );
            }
            _ => {}
        }
        response
    }
}
