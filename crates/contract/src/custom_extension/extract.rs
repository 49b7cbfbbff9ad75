//! The axum extractor [`CustomExtensionCall`] (features `axum` and `jwt`): one authenticated,
//! parsed call of a custom authentication extension.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderValue, Method, header};

use super::{
    CustomExtensionAuth, CustomExtensionCallRejection, CustomExtensionRequest, VerifiedToken,
};

/// One call of a custom authentication extension, authenticated and parsed: the extractor for
/// the API's handler.
///
/// It accepts what Entra sends: a `POST` with `Content-Type: application/json` (any
/// parameters) and `Authorization: Bearer <token>`, the token verified with the
/// [`CustomExtensionAuth`] taken from the router's state (through [`FromRef`]); the body parsed
/// into a [`CustomExtensionRequest`]. In this order it rejects the method, then the token, then
/// the content type, then the body, each with a [`CustomExtensionCallRejection`]; nothing is
/// read from the body of an unauthenticated call. It consumes the body, so it is the handler's
/// last argument.
///
/// ```
/// use axum::{Router, routing::post};
/// use entra_api_connectors_contract::custom_extension::{
///     Action, BlockPage, CustomExtensionAuth, CustomExtensionCall, CustomExtensionRequest,
///     CustomExtensionResponse, Jwks, SharedJwks, TokenClaims, TokenVerifier,
/// };
///
/// async fn extension(call: CustomExtensionCall) -> Result<CustomExtensionResponse, String> {
///     let action = match &call.request {
///         CustomExtensionRequest::TokenIssuanceStart(_) => {
///             Action::ProvideClaimsForToken(TokenClaims::new().with("tier", "gold").map_err(|e| e.to_string())?)
///         }
///         CustomExtensionRequest::AttributeCollectionSubmit(r)
///             if r.user_sign_up_info.email().is_some_and(|e| e.ends_with("@blocked.example")) =>
///         {
///             Action::ShowBlockPage(BlockPage::new("Sign-ups from blocked.example are not allowed."))
///         }
///         _ => Action::ContinueWithDefaultBehavior,
///     };
///     call.request.respond(action).map_err(|e| e.to_string())
/// }
///
/// # fn keys() -> Jwks { Jwks::default() }
/// let verifier = TokenVerifier::external_tenant(
///     "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "00001111-aaaa-2222-bbbb-3333cccc4444",
/// )?;
/// let auth = CustomExtensionAuth::new(verifier, SharedJwks::new(keys()));
/// let app: Router = Router::new().route("/extension", post(extension)).with_state(auth);
/// # Ok::<(), entra_api_connectors_contract::custom_extension::VerifierConfigError>(())
/// ```
///
/// To answer rejections differently (or to refresh the keys after
/// [`TokenError::UnknownKey`](super::TokenError::UnknownKey)), take
/// `Result<CustomExtensionCall, CustomExtensionCallRejection>` and match on it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CustomExtensionCall {
    /// What Entra sent.
    pub request: CustomExtensionRequest,
    /// The verified bearer token's claims.
    pub token: VerifiedToken,
}

impl<S> FromRequest<S> for CustomExtensionCall
where
    S: Send + Sync,
    CustomExtensionAuth: FromRef<S>,
{
    type Rejection = CustomExtensionCallRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() != Method::POST {
            return Err(CustomExtensionCallRejection::MethodNotAllowed(
                req.method().clone(),
            ));
        }
        let auth = CustomExtensionAuth::from_ref(state);
        let token = auth.verify(
            req.headers()
                .get(header::AUTHORIZATION)
                .map(HeaderValue::as_bytes),
        )?;
        let content_type = req.headers().get(header::CONTENT_TYPE);
        if !content_type.is_some_and(crate::extract::is_json) {
            return Err(CustomExtensionCallRejection::UnsupportedContentType(
                content_type.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(CustomExtensionCallRejection::UnreadableBody)?;
        let request = CustomExtensionRequest::from_json(&body)
            .map_err(CustomExtensionCallRejection::InvalidRequest)?;
        Ok(CustomExtensionCall { request, token })
    }
}
