//! [`CustomExtensionCallRejection`] (features `axum` and `jwt`): why
//! [`CustomExtensionCall`](super::CustomExtensionCall) refused a call, and the HTTP answer for
//! each reason.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{CustomExtensionError, TokenError};

/// Why [`CustomExtensionCall`](super::CustomExtensionCall) refused a call. As a response
/// ([`IntoResponse`]), with a text body naming the problem (never the token):
///
/// | rejection | status |
/// | --- | --- |
/// | [`MethodNotAllowed`](Self::MethodNotAllowed) | 405, `Allow: POST` |
/// | [`Unauthorized`](Self::Unauthorized) | 401, `WWW-Authenticate:` [`TokenError::www_authenticate`] (RFC 6750: `Bearer` without a token, `Bearer error="invalid_token", …` with a bad one) |
/// | [`UnsupportedContentType`](Self::UnsupportedContentType) | 415 |
/// | [`UnreadableBody`](Self::UnreadableBody) | 413 when too large, 400 otherwise |
/// | [`InvalidRequest`](Self::InvalidRequest) | 400 |
///
/// Entra treats any answer but 200 as a failed call (troubleshooting code 1003002), so these
/// are for the API's logs and for tests, not for the user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CustomExtensionCallRejection {
    /// The call is not a `POST`.
    #[error("custom extension calls are POST requests, not {0}")]
    MethodNotAllowed(Method),
    /// The bearer token is missing or was refused.
    #[error(transparent)]
    Unauthorized(#[from] TokenError),
    /// The `Content-Type` is missing (`None`) or not `application/json`.
    #[error("custom extension calls send Content-Type: application/json, not {}", .0.as_deref().unwrap_or("none"))]
    UnsupportedContentType(Option<String>),
    /// The body could not be read, or is larger than the body limit.
    #[error("cannot read the request body: {0}")]
    UnreadableBody(#[source] BytesRejection),
    /// The body is not a custom-extension request.
    #[error(transparent)]
    InvalidRequest(CustomExtensionError),
}

impl CustomExtensionCallRejection {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            CustomExtensionCallRejection::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            CustomExtensionCallRejection::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            CustomExtensionCallRejection::UnsupportedContentType(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            CustomExtensionCallRejection::UnreadableBody(e)
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            CustomExtensionCallRejection::UnreadableBody(_)
            | CustomExtensionCallRejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for CustomExtensionCallRejection {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.to_string()).into_response();
        let headers = response.headers_mut();
        match &self {
            CustomExtensionCallRejection::MethodNotAllowed(_) => {
                headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            CustomExtensionCallRejection::Unauthorized(e) => {
                let challenge = HeaderValue::from_str(&e.www_authenticate()).unwrap_or_else(|_| {
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#)
                });
                headers.insert(header::WWW_AUTHENTICATE, challenge);
            }
            _ => {}
        }
        response
    }
}
