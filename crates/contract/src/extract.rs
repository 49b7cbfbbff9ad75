//! The axum extractor [`ConnectorCall`] (feature `axum`): one authenticated, parsed call of the
//! user flow, and the [`PeerCertificate`] request extension through which a TLS acceptor hands
//! over the client certificate. [`ConnectorResponse`] answers it as an axum response.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{Caller, ConnectorAuth, ConnectorCallRejection, ConnectorRequest, ConnectorResponse};

/// One call of the user flow, authenticated and parsed: the extractor for an API connector's
/// handler.
///
/// It accepts what Azure AD B2C and Entra External ID send
/// (<https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>): a `POST` with
/// `Content-Type: application/json` whose body is a [`ConnectorRequest`], authenticated as the
/// [`ConnectorAuth`] taken from the router's state (through [`FromRef`], so the state can be a
/// `ConnectorAuth` or any struct that holds one). Behind the contract adapter's `AdapterLayer`
/// (features `axum` and `jwt`), the layer has verified Entra's bearer token instead, and the
/// caller is [`Caller::BearerToken`]. Basic credentials come from the `Authorization`
/// header, a client certificate from the [`PeerCertificate`] extension. In this order it rejects
/// the method, then the credentials, then the content type, then the body, each with a
/// [`ConnectorCallRejection`]; nothing is read from the body of an unauthenticated call. The body
/// size limit is axum's (`DefaultBodyLimit`, 2 MB unless changed).
///
/// It consumes the body, so it is the handler's last argument.
///
/// ```
/// use axum::{Router, routing::post};
/// use entra_api_connectors_contract::{ConnectorAuth, ConnectorCall, ConnectorResponse, Continuation};
/// use secrecy::SecretString;
///
/// async fn signup(call: ConnectorCall) -> ConnectorResponse {
///     match call.request.email.as_deref() {
///         Some(email) if email.ends_with("@blocked.example") => {
///             ConnectorResponse::block("Sign-ups from blocked.example are not allowed.")
///         }
///         _ => Continuation::new().into(),
///     }
/// }
///
/// let auth = ConnectorAuth::basic("connector", SecretString::from("s3cret"))?;
/// let app: Router = Router::new().route("/signup", post(signup)).with_state(auth);
/// # Ok::<(), entra_api_connectors_contract::ContractError>(())
/// ```
///
/// To answer rejections differently, take `Result<ConnectorCall, ConnectorCallRejection>` and
/// match on it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectorCall {
    /// The claims the user flow sent.
    pub request: ConnectorRequest,
    /// Who sent them.
    pub caller: Caller,
}

impl<S> FromRequest<S> for ConnectorCall
where
    S: Send + Sync,
    ConnectorAuth: FromRef<S>,
{
    type Rejection = ConnectorCallRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() != Method::POST {
            return Err(ConnectorCallRejection::MethodNotAllowed(
                req.method().clone(),
            ));
        }
        let caller = match req.extensions().get::<AdaptedCaller>() {
            // The adapter's layer verified the call's bearer token and rebuilt its body.
            Some(AdaptedCaller(caller)) => caller.clone(),
            None => ConnectorAuth::from_ref(state).verify(
                req.headers()
                    .get(header::AUTHORIZATION)
                    .map(HeaderValue::as_bytes),
                req.extensions()
                    .get::<PeerCertificate>()
                    .map(PeerCertificate::der),
            )?,
        };
        let content_type = req.headers().get(header::CONTENT_TYPE);
        if !content_type.is_some_and(is_json) {
            return Err(ConnectorCallRejection::UnsupportedContentType(
                content_type.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(ConnectorCallRejection::UnreadableBody)?;
        let request =
            ConnectorRequest::from_json(&body).map_err(ConnectorCallRejection::InvalidRequest)?;
        Ok(ConnectorCall { request, caller })
    }
}

/// The request extension through which the adapter's `AdapterLayer` tells [`ConnectorCall`] that
/// it authenticated the call itself. Only code in this crate can insert it, never a caller.
#[derive(Debug, Clone)]
pub(crate) struct AdaptedCaller(pub(crate) Caller);

/// `application/json`, in any case, with or without parameters such as `charset=utf-8`.
pub(crate) fn is_json(content_type: &HeaderValue) -> bool {
    let Ok(value) = content_type.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(crate::CONTENT_TYPE)
}

/// The leaf certificate (DER) that the caller presented in the TLS handshake, as a request
/// extension for [`ConnectorCall`].
///
/// axum itself serves plain TCP; whatever terminates TLS inserts this extension into each
/// request of a connection whose client presented a certificate. Without it, a call to an API
/// that expects a client certificate is rejected with 403. With `tokio-rustls` and `hyper`:
///
/// ```no_run
/// use std::sync::Arc;
///
/// use axum::Router;
/// use entra_api_connectors_contract::PeerCertificate;
/// use tower::ServiceExt as _;
///
/// async fn serve_tls(listener: tokio::net::TcpListener, tls: Arc<rustls::ServerConfig>, app: Router) {
///     // `tls` requests client certificates, e.g. with `WebPkiClientVerifier` and your CA.
///     let acceptor = tokio_rustls::TlsAcceptor::from(tls);
///     loop {
///         let Ok((tcp, _)) = listener.accept().await else { continue };
///         let (acceptor, app) = (acceptor.clone(), app.clone());
///         tokio::spawn(async move {
///             let Ok(stream) = acceptor.accept(tcp).await else { return };
///             let peer = stream
///                 .get_ref()
///                 .1
///                 .peer_certificates()
///                 .and_then(|chain| chain.first())
///                 .map(|leaf| PeerCertificate::new(leaf.as_ref()));
///             let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
///                 if let Some(peer) = &peer {
///                     req.extensions_mut().insert(peer.clone());
///                 }
///                 app.clone().oneshot(req)
///             });
///             let _ = hyper::server::conn::http1::Builder::new()
///                 .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
///                 .await;
///         });
///     }
/// }
/// ```
///
/// With `axum-server`, do the same in a custom `Accept` around its `RustlsAcceptor`: read
/// `peer_certificates()` from the accepted stream and wrap the service so that it inserts the
/// extension.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerCertificate(Arc<[u8]>);

impl PeerCertificate {
    /// The extension for a certificate's DER bytes.
    pub fn new(der: impl Into<Arc<[u8]>>) -> Self {
        PeerCertificate(der.into())
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for PeerCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PeerCertificate")
            .field(&crate::thumbprint_of(&self.0))
            .finish()
    }
}

/// The response as the contract sends it: status 200, or 400 for a validation error,
/// `Content-Type: application/json` and the body of [`ConnectorResponse::to_http`].
impl IntoResponse for ConnectorResponse {
    fn into_response(self) -> Response {
        let (status, body) = self.to_http();
        let status = StatusCode::from_u16(status).expect("the contract's statuses are 200 and 400");
        (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::CONTENT_TYPE),
            )],
            body,
        )
            .into_response()
    }
}
