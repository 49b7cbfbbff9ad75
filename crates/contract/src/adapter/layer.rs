//! [`AdapterLayer`] (features `axum` and `jwt`): an existing axum API-connector API, served
//! behind Entra External ID's custom authentication extensions without a change to its handlers.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::custom_extension::{
    CustomExtensionAuth, CustomExtensionCallRejection, CustomExtensionRequest, bearer_credentials,
};
use crate::extract::AdaptedCaller;
use crate::{Caller, ConnectorAuth, ConnectorCallRejection, ConnectorResponse, PeerCertificate};

use super::{AdaptedCall, AdapterConfig, AdapterError, Loss, to_connector_request};

/// The largest answer of the wrapped service that the layer reads (1 MiB); a larger one is
/// passed on as a 500.
const RESPONSE_LIMIT: usize = 1024 * 1024;

/// A tower layer that puts a connector API (handlers taking
/// [`ConnectorCall`](crate::ConnectorCall) and answering [`ConnectorResponse`]) behind Entra
/// External ID's custom authentication extensions:
///
/// 1. it checks Entra's call as [`CustomExtensionCall`](crate::custom_extension::CustomExtensionCall)
///    does, with the same answers ([`CustomExtensionCallRejection`]): `POST`, then the bearer
///    token with the [`CustomExtensionAuth`], then `Content-Type: application/json`, then the
///    body (axum's body limit, `DefaultBodyLimit`, applies);
/// 2. it presents the call with [`to_connector_request`]: the wrapped service gets a `POST` to the
///    same URI with the connector request as its JSON body, no `Authorization` header, and a
///    request extension that makes `ConnectorCall` take the call as authenticated
///    ([`Caller::BearerToken`]) instead of checking its [`ConnectorAuth`](crate::ConnectorAuth);
///    the [`Event`](crate::custom_extension::Event) is a request extension too;
/// 3. it turns the answer (HTTP 200, or 400 for a validation error, with a connector response
///    body) into the event's action with [`AdaptedCall::respond`], answered with HTTP 200. Any
///    other answer (a rejection, a server error) is passed on unchanged: Entra fails the call on it.
///
/// With [`AdapterLayer::serving_api_connectors`], one URL serves both worlds during the move: a
/// request whose `Authorization` is not a bearer token (B2C's basic credentials, or none with a
/// client certificate) is authenticated by the layer with the connector's
/// [`ConnectorAuth`](crate::ConnectorAuth), as [`ConnectorCall`](crate::ConnectorCall) does and
/// with its answers, and only an authenticated one goes to the wrapped service, unchanged. A
/// bearer token is always verified as Entra's call (step 1), never passed through.
///
/// An event without a connector step (`emailOtpSend`) is answered 400 and an answer that cannot
/// be adapted 500, each with the [`AdapterError`] as text. The adapted response carries what the
/// call lost as a `Vec<`[`Loss`]`>` response extension, for a logging layer outside this one.
///
/// ```
/// use axum::{Router, routing::post};
/// use entra_api_connectors_contract::adapter::{AdapterConfig, AdapterLayer};
/// use entra_api_connectors_contract::custom_extension::{
///     CustomExtensionAuth, Jwks, SharedJwks, TokenVerifier,
/// };
/// use entra_api_connectors_contract::{ConnectorAuth, ConnectorCall, ConnectorResponse};
/// use secrecy::SecretString;
///
/// /// The B2C connector handler, unchanged.
/// async fn signup(call: ConnectorCall) -> ConnectorResponse {
///     match call.request.email.as_deref() {
///         Some(email) if email.ends_with("@blocked.example") => {
///             ConnectorResponse::block("Sign-ups from blocked.example are not allowed.")
///         }
///         _ => ConnectorResponse::continuation(),
///     }
/// }
///
/// # fn keys() -> Jwks { Jwks::default() }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let basic = ConnectorAuth::basic("connector", SecretString::from("s3cret"))?;
/// let verifier = TokenVerifier::external_tenant(
///     "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "00001111-aaaa-2222-bbbb-3333cccc4444",
/// )?;
/// let adapter = AdapterLayer::new(
///     CustomExtensionAuth::new(verifier, SharedJwks::new(keys())),
///     AdapterConfig::new().with_external_extensions_app_id("0123456789abcdef0123456789abcdef")?,
/// );
/// // B2C's API connector calls /signup; External ID's custom extensions call /external-id/signup.
/// let app: Router = Router::new()
///     .route("/signup", post(signup))
///     .route("/external-id/signup", post(signup).layer(adapter))
///     .with_state(basic);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AdapterLayer {
    shared: Arc<Shared>,
}

#[derive(Debug, Clone)]
struct Shared {
    auth: CustomExtensionAuth,
    config: AdapterConfig,
    /// Set by [`AdapterLayer::serving_api_connectors`]: the credentials of B2C's calls.
    api_connectors: Option<ConnectorAuth>,
}

impl AdapterLayer {
    /// The layer that verifies Entra's calls with `auth` and adapts them with `config`.
    pub fn new(auth: CustomExtensionAuth, config: AdapterConfig) -> Self {
        AdapterLayer {
            shared: Arc::new(Shared {
                auth,
                config,
                api_connectors: None,
            }),
        }
    }

    /// Also serves Azure AD B2C's API-connector calls on the same URL, authenticated with `auth`
    /// (the connector's credentials, usually the same [`ConnectorAuth`] the handlers'
    /// [`ConnectorCall`](crate::ConnectorCall) takes from the router's state). This lets a
    /// connector keep its URL when `apiconn migrate` carries it over as a custom extension.
    ///
    /// Every request whose `Authorization` header is not a bearer token (basic credentials, no
    /// header, any other scheme) is checked here, as `ConnectorCall` checks it: `POST`, then
    /// `auth` with the `Authorization` header and the [`PeerCertificate`] request extension.
    /// It is refused with `ConnectorCall`'s answer ([`ConnectorCallRejection`]: 405 with
    /// `Allow: POST`; 401 with `WWW-Authenticate:` [`BASIC_CHALLENGE`](crate::BASIC_CHALLENGE)
    /// for missing or wrong basic credentials; 403 for a missing or unknown client certificate;
    /// the reason as text), and the wrapped service never sees it. An authenticated request
    /// goes to the wrapped service unchanged (headers, extensions and body as received), so
    /// the handler may check it again; the layer reads neither its body nor the answer.
    ///
    /// A request is a bearer call when its `Authorization` header, trimmed, has the scheme
    /// `Bearer` in any case before its first space or as the whole value (`Bearer`,
    /// ` bearer x`), as [`TokenVerifier::verify_authorization`] reads it; such a call is
    /// always verified as Entra's, and refused with the token's 401 when its token is missing
    /// or bad.
    ///
    /// [`TokenVerifier::verify_authorization`]: crate::custom_extension::TokenVerifier::verify_authorization
    pub fn serving_api_connectors(self, auth: ConnectorAuth) -> Self {
        let shared = Arc::unwrap_or_clone(self.shared);
        AdapterLayer {
            shared: Arc::new(Shared {
                api_connectors: Some(auth),
                ..shared
            }),
        }
    }
}

/// Whether the request carries a bearer token, read as the token verifier reads it
/// ([`bearer_credentials`]): an empty one counts, so that the verifier refuses it.
fn is_bearer(request: &Request) -> bool {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .and_then(bearer_credentials)
        .is_some()
}

/// Checks a B2C call as [`ConnectorCall`](crate::ConnectorCall) does before it reads the body:
/// the method, then the credentials (the `Authorization` header and the [`PeerCertificate`]).
/// `None` when it is authenticated, else `ConnectorCall`'s answer.
fn refuse_connector_call(auth: &ConnectorAuth, request: &Request) -> Option<Response> {
    if request.method() != Method::POST {
        let method = request.method().clone();
        return Some(ConnectorCallRejection::MethodNotAllowed(method).into_response());
    }
    auth.verify(
        request
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
        request
            .extensions()
            .get::<PeerCertificate>()
            .map(PeerCertificate::der),
    )
    .err()
    .map(|e| ConnectorCallRejection::Unauthenticated(e).into_response())
}

impl<S> Layer<S> for AdapterLayer {
    type Service = AdapterService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AdapterService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service of [`AdapterLayer`] around the connector API's service `S`.
#[derive(Debug, Clone)]
pub struct AdapterService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for AdapterService<S>
where
    S: Service<Request, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Readiness of the wrapped service is awaited in the call, after the checks.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        Box::pin(async move { Ok(serve(inner, &shared, request).await) })
    }
}

async fn serve<S>(mut inner: S, shared: &Shared, request: Request) -> Response
where
    S: Service<Request, Error = Infallible>,
    S::Response: IntoResponse,
{
    if let Some(auth) = &shared.api_connectors
        && !is_bearer(&request)
    {
        if let Some(refusal) = refuse_connector_call(auth, &request) {
            return refusal;
        }
        if poll_fn(|cx| inner.poll_ready(cx)).await.is_err() {
            unreachable!("the wrapped service's error is Infallible");
        }
        let Ok(answer) = inner.call(request).await;
        return answer.into_response();
    }
    let call = match adapt_call(shared, request).await {
        Ok(call) => call,
        Err(response) => return response,
    };
    let (call, forwarded) = call;
    if poll_fn(|cx| inner.poll_ready(cx)).await.is_err() {
        unreachable!("the wrapped service's error is Infallible");
    }
    let Ok(answer) = inner.call(forwarded).await;
    adapt_answer(&call, answer.into_response()).await
}

/// Checks Entra's call and builds the connector call for the wrapped service.
async fn adapt_call(shared: &Shared, request: Request) -> Result<(AdaptedCall, Request), Response> {
    if request.method() != Method::POST {
        let method = request.method().clone();
        return Err(CustomExtensionCallRejection::MethodNotAllowed(method).into_response());
    }
    let token = shared
        .auth
        .verify(
            request
                .headers()
                .get(header::AUTHORIZATION)
                .map(HeaderValue::as_bytes),
        )
        .map_err(|e| CustomExtensionCallRejection::Unauthorized(e).into_response())?;
    let content_type = request.headers().get(header::CONTENT_TYPE);
    if !content_type.is_some_and(crate::extract::is_json) {
        let found = content_type.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return Err(CustomExtensionCallRejection::UnsupportedContentType(found).into_response());
    }
    let (mut parts, body) = request.into_parts();
    let body = Bytes::from_request(Request::from_parts(parts.clone(), body), &())
        .await
        .map_err(|e| CustomExtensionCallRejection::UnreadableBody(e).into_response())?;
    let request = CustomExtensionRequest::from_json(&body)
        .map_err(|e| CustomExtensionCallRejection::InvalidRequest(e).into_response())?;
    let call = to_connector_request(&request, &shared.config).map_err(error_response)?;
    parts.headers.remove(header::AUTHORIZATION);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::CONTENT_TYPE),
    );
    parts.extensions.insert(AdaptedCaller(Caller::BearerToken {
        audience: token.audience,
        authorized_party: token.authorized_party,
        tenant_id: token.tenant_id,
    }));
    parts.extensions.insert(call.event);
    let forwarded = Request::from_parts(parts, Body::from(call.request.to_json()));
    Ok((call, forwarded))
}

/// The custom-extension answer for the wrapped service's `answer`.
async fn adapt_answer(call: &AdaptedCall, answer: Response) -> Response {
    let (parts, body) = answer.into_parts();
    let Ok(body) = axum::body::to_bytes(body, RESPONSE_LIMIT).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the connector API's answer could not be read",
        )
            .into_response();
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(crate::extract::is_json);
    let connector = is_json
        .then(|| ConnectorResponse::from_http(parts.status.as_u16(), &body).ok())
        .flatten();
    let Some(connector) = connector else {
        return Response::from_parts(parts, Body::from(body));
    };
    match call.respond(connector) {
        Ok(adapted) => {
            let mut losses: Vec<Loss> = call.losses.clone();
            losses.extend(adapted.losses);
            let mut response = adapted.response.into_response();
            response.extensions_mut().insert(losses);
            response
        }
        Err(e) => error_response(e),
    }
}

fn error_response(error: AdapterError) -> Response {
    let status =
        StatusCode::from_u16(error.http_status()).expect("the adapter's statuses are 400 and 500");
    (status, error.to_string()).into_response()
}
