//! `IntoResponse` for [`CustomExtensionResponse`] (feature `axum`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::CustomExtensionResponse;

/// The response as Entra expects it: status 200, `Content-Type: application/json` and the body
/// of [`CustomExtensionResponse::to_http`].
impl IntoResponse for CustomExtensionResponse {
    fn into_response(self) -> Response {
        let (_, body) = self.to_http();
        (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::CONTENT_TYPE),
            )],
            body,
        )
            .into_response()
    }
}
