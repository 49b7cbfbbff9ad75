//! The transport under the generated clients: it authenticates, tags, retries and bounds every
//! request.
//!
//! progenitor's generated `Client`s hold a [`Transport`] as their inner value, and their
//! `ClientHooks` (emitted by graph-csdl) call `prepare_hook` and `execute_hook` here for each
//! request, so generated and handwritten calls share one pipeline: `client-request-id`, bearer token, `User-Agent`, retries, response size limit.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{self, HeaderValue};
use tracing::{debug, warn};

use crate::auth::TokenProvider;
use crate::error::{Error, GraphError};
use crate::retry::{RetryPolicy, parse_retry_after, retryable_error, retryable_status};

/// Shared request pipeline: token provider, retry policy, limits.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<TransportInner>,
}

struct TransportInner {
    http: reqwest::Client,
    tokens: Option<Arc<dyn TokenProvider>>,
    retry: RetryPolicy,
    max_response_bytes: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("authenticated", &self.inner.tokens.is_some())
            .field("retry", &self.inner.retry)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish()
    }
}

/// The error a response body stream yields past the size limit.
#[derive(Debug, thiserror::Error)]
#[error("the response body exceeds the limit of {limit} bytes")]
pub struct BodyTooLarge {
    /// The limit.
    pub limit: usize,
}

impl Transport {
    pub(crate) fn new(
        http: reqwest::Client,
        tokens: Option<Arc<dyn TokenProvider>>,
        retry: RetryPolicy,
        max_response_bytes: usize,
    ) -> Self {
        Transport {
            inner: Arc::new(TransportInner {
                http,
                tokens,
                retry,
                max_response_bytes,
            }),
        }
    }

    /// The HTTP client.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Ask the token provider for a token, surfacing its typed error.
    pub(crate) async fn authorization(&self) -> Result<Option<HeaderValue>, Error> {
        match &self.inner.tokens {
            Some(tokens) => Ok(Some(tokens.token().await?.authorization_header()?)),
            None => Ok(None),
        }
    }

    /// Prepare a request: drop progenitor's `api-version` header (Graph has none), add
    /// `client-request-id` (kept across retries) and the bearer token.
    pub(crate) async fn prepare(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if !headers.contains_key("client-request-id") {
            let id = uuid::Uuid::new_v4().to_string();
            headers.insert(
                "client-request-id",
                HeaderValue::from_str(&id).expect("a UUID is a valid header"),
            );
        }
        if let Some(auth) = self.authorization().await? {
            request.headers_mut().insert(header::AUTHORIZATION, auth);
        }
        Ok(())
    }

    /// Send a prepared request, retrying as the [`RetryPolicy`] allows, and bound the response
    /// body's size.
    pub(crate) async fn execute(
        &self,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner.retry;
        let mut waited = Duration::ZERO;
        let mut retry = 0;
        let mut reauthenticated = false;
        loop {
            let replay = if retry < policy.max_retries || !reauthenticated {
                request.try_clone()
            } else {
                None
            };
            let method = request.method().clone();
            let sent_auth = request.headers().get(header::AUTHORIZATION).cloned();
            let result = self.inner.http.execute(request).await;
            // A 401 may mean the cached token was revoked or expired early: drop it and send the
            // request once more with a new token, if the provider gives a different one.
            if let (Ok(resp), Some(next), Some(tokens), false) =
                (&result, &replay, &self.inner.tokens, reauthenticated)
                && resp.status() == reqwest::StatusCode::UNAUTHORIZED
            {
                reauthenticated = true;
                tokens.invalidate();
                if let Ok(Some(fresh)) = self.authorization().await
                    && Some(&fresh) != sent_auth.as_ref()
                {
                    debug!(
                        path = next.url().path(),
                        "401: retrying once with a new token"
                    );
                    let mut next = next.try_clone().expect("cloned once already");
                    next.headers_mut().insert(header::AUTHORIZATION, fresh);
                    request = next;
                    continue;
                }
            }
            let replay = if retry < policy.max_retries {
                replay
            } else {
                None
            };
            let delay = match (&result, &replay) {
                (_, None) => None,
                (Ok(resp), Some(_)) if retryable_status(resp.status(), &method) => Some(
                    resp.headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()))
                        .unwrap_or_else(|| policy.backoff(retry)),
                ),
                (Err(e), Some(_)) if retryable_error(e, &method) => Some(policy.backoff(retry)),
                _ => None,
            };
            match (delay, replay) {
                (Some(delay), Some(next)) if waited + delay <= policy.max_total_delay => {
                    let reason = match &result {
                        Ok(r) => format!("HTTP {}", r.status().as_u16()),
                        Err(e) => format!("transport error: {e}"),
                    };
                    warn!(
                        method = %method,
                        path = next.url().path(),
                        retry = retry + 1,
                        delay_ms = delay.as_millis() as u64,
                        %reason,
                        "retrying Graph request"
                    );
                    tokio::time::sleep(delay).await;
                    waited += delay;
                    retry += 1;
                    request = next;
                }
                _ => {
                    return match result {
                        Ok(r) if !r.status().is_success() => Ok(normalize_error(r).await),
                        other => other.map(|r| self.limit_body(r)),
                    };
                }
            }
        }
    }

    /// Wrap the body so that reading more than the limit fails with [`BodyTooLarge`].
    fn limit_body(&self, response: reqwest::Response) -> reqwest::Response {
        let limit = self.inner.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|n| n as usize <= limit)
        {
            return response;
        }
        let mut seen = 0usize;
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let stream = response.bytes_stream().map(move |chunk| {
            let chunk =
                chunk.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            seen += chunk.len();
            if seen > limit {
                debug!(limit, "response body over the limit");
                return Err(
                    Box::new(BodyTooLarge { limit }) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(chunk)
        });
        rebuild(status, version, headers, reqwest::Body::wrap_stream(stream))
    }

    /// Send a request built by the handwritten layer through the whole pipeline and return the
    /// body of a successful response; errors become [`Error`].
    pub(crate) async fn send(
        &self,
        mut request: reqwest::Request,
    ) -> Result<(u16, bytes::Bytes), Error> {
        self.prepare(&mut request).await?;
        let response = self.execute(request).await.map_err(Error::transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = read_body(response).await?;
        if (200..300).contains(&status) {
            Ok((status, body))
        } else {
            Err(Error::Graph(Box::new(GraphError::from_parts(
                status, &headers, &body,
            ))))
        }
    }
}

/// Make sure an error response carries an OData error body, so that the generated code can decode
/// it: a body that is not one (an HTML page from a gateway, an empty 503) is replaced by
/// `{"error": {"code": "HTTP<status>", "message": <masked excerpt>}}`. Error bodies are small; at
/// most 64 KiB is read.
async fn normalize_error(response: reqwest::Response) -> reqwest::Response {
    #[derive(serde::Deserialize)]
    struct Shape {
        #[allow(dead_code)]
        error: serde::de::IgnoredAny,
    }
    const MAX: usize = 64 << 10;
    let status = response.status();
    let version = response.version();
    let mut headers = response.headers().clone();
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX {
            body.truncate(MAX);
            break;
        }
    }
    // https://learn.microsoft.com/graph/errors spells it `innererror`, real responses send
    // `innerError`, and the generated `ODataError` reads only the latter: rename it.
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body)
        && let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut())
        && !error.contains_key("innerError")
        && let Some(inner) = error.remove("innererror")
    {
        error.insert("innerError".into(), inner);
        body = serde_json::to_vec(&value).expect("JSON");
    }
    if serde_json::from_slice::<Shape>(&body).is_err() {
        let message = if body.is_empty() {
            status.canonical_reason().unwrap_or("error").to_string()
        } else {
            crate::error::excerpt(&body)
        };
        body = serde_json::to_vec(&serde_json::json!({
            "error": { "code": format!("HTTP{}", status.as_u16()), "message": message }
        }))
        .expect("JSON");
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_ENCODING);
    rebuild(status, version, headers, reqwest::Body::from(body))
}

/// A response with the parts of one that was read, and a new body.
fn rebuild(
    status: reqwest::StatusCode,
    version: reqwest::Version,
    headers: reqwest::header::HeaderMap,
    body: reqwest::Body,
) -> reqwest::Response {
    let mut builder = http::Response::builder().status(status).version(version);
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    reqwest::Response::from(builder.body(body).expect("valid parts"))
}

/// Read a whole body, mapping the size limit to [`Error::Limit`].
pub(crate) async fn read_body(response: reqwest::Response) -> Result<bytes::Bytes, Error> {
    response.bytes().await.map_err(map_body_error)
}

/// Turn a body-read failure into an [`Error`], recognising the size limit.
pub(crate) fn map_body_error(e: reqwest::Error) -> Error {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = src {
        if let Some(limit) = s.downcast_ref::<BodyTooLarge>() {
            return Error::Limit(limit.to_string());
        }
        src = s.source();
    }
    Error::transport(e)
}

/// progenitor's `ClientHooks::pre` of every generated client: [`Transport::prepare`].
pub(crate) async fn prepare_hook<E>(
    transport: &Transport,
    request: &mut reqwest::Request,
    _info: &progenitor_client::OperationInfo,
) -> Result<(), progenitor_client::Error<E>> {
    // `from_generated` turns `Custom` back into `Error::Auth`: pass the bare message so that its
    // Display does not say "authentication failed" twice.
    transport.prepare(request).await.map_err(|e| {
        progenitor_client::Error::Custom(match e {
            Error::Auth(message) => message,
            other => other.to_string(),
        })
    })
}

/// progenitor's `ClientHooks::exec` of every generated client: [`Transport::execute`].
pub(crate) async fn execute_hook(
    transport: &Transport,
    request: reqwest::Request,
    _info: &progenitor_client::OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    transport.execute(request).await
}
