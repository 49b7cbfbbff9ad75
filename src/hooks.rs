//! Where progenitor's generated clients meet the [`Transport`]: the `ClientHooks` that send every
//! generated operation through the pipeline ([`pre`], [`exec`]), and the mapping of the generated
//! code's errors to [`Error`] ([`from_generated`]).
//!
//! # How a typed authentication error crosses the pre hook
//!
//! progenitor calls `ClientHooks::pre` before each generated request, and `pre` can fail only with
//! `progenitor_client::Error::Custom(String)`. The token provider's error must nevertheless reach
//! the caller as the typed [`AuthError`] it was (`Error::Auth(AuthError::TokenEndpoint(..))` with
//! the token endpoint's diagnostics, the provider's own error, ...). So:
//!
//! 1. When the token provider fails, [`pre`] parks the `AuthError` in the transport's
//!    [`Stash`](crate::stash::Stash) under a fresh id, and fails with
//!    `Custom("auth#<id>: <the error's Display>")`.
//! 2. [`from_generated`], the one mapping of generated errors to [`Error`], reads the id back from
//!    the string and takes that very `AuthError` out of the stash: `Error::Auth(error)`.
//!
//! This is deterministic under concurrency: each failure gets its own id (a counter under the
//! stash's lock), and the id travels inside the error value of the call that failed, not through
//! shared "last error" state, so any number of concurrent calls each get their own error back, in
//! any order. The stash belongs to the transport (a [`GraphClient`](crate::GraphClient) and its
//! clones), not to the process. A caller of a generated client itself (`Graph::generated`) gets
//! the `Custom` string, which reads like the error; a value parked for such a call is never taken
//! back and is dropped once more than [`Stash::CAPACITY`](crate::stash::Stash::CAPACITY) wait.
//! Handwritten requests ([`Transport::send`]) do not need any of this: they get the `AuthError`
//! directly.

use std::sync::Arc;

use crate::auth::AuthError;
use crate::error::{Error, GraphError, excerpt};
use crate::transport::{Transport, map_body_error, read_body};

/// How the pre hook's `Custom` string starts; the stash id follows.
const AUTH_PREFIX: &str = "auth#";

/// `ClientHooks::pre`: drop progenitor's `api-version` header, add `client-request-id` and the
/// bearer token. A failure to get a token is handed off as described in the [module docs](self).
pub(crate) async fn pre<E>(
    transport: &Transport,
    request: &mut reqwest::Request,
    _info: &progenitor_client::OperationInfo,
) -> Result<(), progenitor_client::Error<E>> {
    transport
        .prepare(request)
        .await
        .map_err(|e| progenitor_client::Error::Custom(hand_off(transport, e)))
}

/// `ClientHooks::exec`: send through the transport (retries, re-authentication, size limit).
pub(crate) async fn exec(
    transport: &Transport,
    request: reqwest::Request,
    _info: &progenitor_client::OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    transport.execute(request).await
}

/// Park `error` and describe it with its id.
fn hand_off(transport: &Transport, error: AuthError) -> String {
    let message = error.to_string();
    let id = transport.auth_failures().put(error);
    format!("{AUTH_PREFIX}{id}: {message}")
}

/// The `AuthError` parked for the `Custom` string `message`. Should it not be there (a string the
/// pre hook did not make, a value dropped as the oldest of too many), the message itself becomes
/// the provider error, so the caller still gets `Error::Auth` with every word of it.
fn take_back(transport: &Transport, message: String) -> AuthError {
    let parked = message
        .strip_prefix(AUTH_PREFIX)
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(id, _)| id.parse().ok())
        .and_then(|id| transport.auth_failures().take(id));
    match parked {
        Some(error) => error,
        None => {
            let text = match message.strip_prefix(AUTH_PREFIX) {
                Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m).to_owned(),
                None => message,
            };
            AuthError::Provider(Arc::new(Unrecovered(text)))
        }
    }
}

/// The text of an authentication error whose typed value could not be recovered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Unrecovered(String);

/// Map an error of a generated operation sent through `transport` to [`Error`].
pub(crate) async fn from_generated<E: serde::Serialize>(
    e: progenitor_client::Error<E>,
    transport: &Transport,
) -> Error {
    use progenitor_client::Error as P;
    match e {
        P::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let headers = rv.headers().clone();
            let body = serde_json::to_vec(&rv.into_inner()).unwrap_or_default();
            Error::Graph(Box::new(GraphError::from_parts(status, &headers, &body)))
        }
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            match read_body(response).await {
                Ok(body) if (200..300).contains(&status) => Error::Decode {
                    status: Some(status),
                    message: "unexpected success status for this operation".into(),
                    excerpt: excerpt(&body),
                },
                Ok(body) => Error::Graph(Box::new(GraphError::from_parts(status, &headers, &body))),
                Err(e) => e,
            }
        }
        P::InvalidResponsePayload(body, e) => Error::Decode {
            status: None,
            message: e.to_string(),
            excerpt: excerpt(&body),
        },
        P::ResponseBodyError(e) | P::InvalidUpgrade(e) => map_body_error(e),
        P::CommunicationError(e) => Error::transport(e),
        P::InvalidRequest(m) => Error::InvalidInput(m),
        P::Custom(m) => Error::Auth(take_back(transport, m)),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::{TokenFuture, TokenProvider};
    use crate::retry::RetryPolicy;

    tokio::task_local! {
        /// Which test caller is polling: the provider fails with it.
        static CALLER: usize;
    }

    /// Fails every token request with the number of the caller that asked, after a pause that
    /// differs per caller, so that failures of concurrent callers interleave.
    #[derive(Debug)]
    struct FailsWithCaller;

    #[derive(Debug, thiserror::Error)]
    #[error("caller {0} has no token")]
    struct NoToken(usize);

    impl TokenProvider for FailsWithCaller {
        fn token(&self) -> TokenFuture<'_> {
            let caller = CALLER.get();
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis((caller % 7) as u64)).await;
                Err(AuthError::provider(NoToken(caller)))
            })
        }
    }

    fn transport() -> Transport {
        // reqwest is built without a crypto provider of its own.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No cache in front of the provider, so each caller's request fails on its own.
        Transport::new(
            reqwest::Client::new(),
            Some(Arc::new(FailsWithCaller)),
            RetryPolicy::none(),
            1 << 20,
        )
    }

    fn request() -> reqwest::Request {
        reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:9/beta/identity/apiConnectors"
                .parse()
                .unwrap(),
        )
    }

    fn caller_of(e: &Error) -> usize {
        match e {
            Error::Auth(AuthError::Provider(p)) => {
                p.downcast_ref::<NoToken>()
                    .unwrap_or_else(|| panic!("not the provider's own error: {e:?}"))
                    .0
            }
            other => panic!("not an Auth(Provider) error: {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_failures_each_come_back_to_their_own_caller() {
        let transport = transport();
        let tasks: Vec<_> = (0..200)
            .map(|caller| {
                let transport = transport.clone();
                tokio::spawn(CALLER.scope(caller, async move {
                    let mut request = request();
                    let e = pre::<()>(
                        &transport,
                        &mut request,
                        &progenitor_client::OperationInfo {
                            operation_id: "test",
                        },
                    )
                    .await
                    .unwrap_err();
                    let progenitor_client::Error::Custom(text) = &e else {
                        panic!("{e:?}")
                    };
                    assert_eq!(
                        text.split_once(": ").unwrap().1,
                        format!("token provider failed: caller {caller} has no token")
                    );
                    // Let other callers park their errors before this one is taken back.
                    tokio::task::yield_now().await;
                    (caller, from_generated(e, &transport).await)
                }))
            })
            .collect();
        for task in tasks {
            let (caller, e) = task.await.unwrap();
            assert_eq!(caller_of(&e), caller, "{e}");
        }
        assert_eq!(transport.auth_failures().len(), 0, "every value was taken");
    }

    #[tokio::test]
    async fn a_custom_string_without_a_parked_value_keeps_its_text() {
        let transport = transport();
        for (custom, text) in [
            (
                "auth#999: could not reach the token endpoint: refused",
                "could not reach the token endpoint: refused",
            ),
            ("not from the hook", "not from the hook"),
        ] {
            let e =
                from_generated::<()>(progenitor_client::Error::Custom(custom.into()), &transport)
                    .await;
            assert!(matches!(e, Error::Auth(AuthError::Provider(_))), "{e:?}");
            assert_eq!(
                e.to_string(),
                format!("authentication failed: token provider failed: {text}")
            );
        }
    }
}
