//! The crate's one error type, [`Error`], and Graph's OData error, [`GraphError`].
//!
//! [`Error`] separates where a call failed: before sending ([`InvalidInput`](Error::InvalidInput),
//! [`Certificate`](Error::Certificate), [`Auth`](Error::Auth)), on the way
//! ([`Transport`](Error::Transport), [`Timeout`](Error::Timeout)), in Graph's answer
//! ([`Graph`](Error::Graph), [`Decode`](Error::Decode)), or at one of the client's own limits
//! ([`ResponseTooLarge`](Error::ResponseTooLarge), [`TooManyPages`](Error::TooManyPages),
//! [`ForeignNextLink`](Error::ForeignNextLink)). The common questions have methods, so that no
//! caller matches on a message: [`is_not_found`](Error::is_not_found),
//! [`is_throttled`](Error::is_throttled), [`is_retryable`](Error::is_retryable),
//! [`code`](Error::code), [`status`](Error::status), [`retry_after`](Error::retry_after).
//!
//! ```
//! use entra_api_connectors::Error;
//! use entra_api_connectors::auth::AuthError;
//!
//! fn advice(e: &Error) -> String {
//!     match e {
//!         Error::Auth(AuthError::TokenEndpoint(t)) => format!("check the app's credentials ({:?})", t.error_codes),
//!         Error::Auth(_) => "no token".into(),
//!         Error::TooManyPages { limit } => format!("narrow the listing (more than {limit} pages)"),
//!         e if e.is_throttled() => format!("slow down, retry after {:?}", e.retry_after()),
//!         e if e.code() == Some("Authorization_RequestDenied") => "grant the permission".into(),
//!         e => e.to_string(), // one line with everything support needs
//!     }
//! }
//! # let e = Error::TooManyPages { limit: 3 };
//! # assert_eq!(advice(&e), "narrow the listing (more than 3 pages)");
//! ```

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::auth::AuthError;
use crate::certificate::CertificateError;
pub use crate::excerpt::excerpt;
use crate::retry::{is_transient_status, parse_retry_after};

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling Graph through this crate.
///
/// `Display` is one line with everything support needs; for Graph errors it names status, code,
/// message and request id, and for authentication failures the token endpoint's diagnostics.
/// [`source`](std::error::Error::source) gives the typed cause where there is one. No variant ever
/// carries a secret, a token or a URL's query string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Graph answered with an error status and (usually) an OData error body.
    #[error("{0}")]
    Graph(Box<GraphError>),
    /// The request could not be sent or the response not received.
    #[error("transport error: {message}")]
    Transport {
        /// What failed, without URLs' query strings.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The request or the connection timed out.
    #[error("timed out: {0}")]
    Timeout(String),
    /// No token could be obtained from the token provider, so nothing was sent to Graph. The
    /// provider's own error, e.g. the token endpoint's answer in
    /// [`AuthError::TokenEndpoint`].
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// The response could not be decoded into the expected type.
    #[error(
        "could not decode the response{}: {message}{}",
        status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
        if excerpt.is_empty() { String::new() } else { format!("; body starts with: {excerpt}") }
    )]
    Decode {
        /// HTTP status of the response, when known.
        status: Option<u16>,
        /// What the decoder said.
        message: String,
        /// The start of the body, with secret values masked (empty when there is none to show).
        excerpt: String,
    },
    /// Invalid input, caught before any request was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A PKCS#12 certificate failed local validation; nothing was sent.
    #[error("certificate rejected before upload: {0}")]
    Certificate(#[from] CertificateError),
    /// A response body was larger than the client's limit
    /// ([`max_response_bytes`](crate::GraphClientBuilder::max_response_bytes)); the rest of it was
    /// not read.
    #[error("limit reached: the response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A listing had more pages than the client follows
    /// ([`max_pages`](crate::GraphClientBuilder::max_pages)); the items of the pages read so far
    /// were yielded.
    #[error("limit reached: the listing has more than {limit} pages")]
    TooManyPages {
        /// The limit, in pages.
        limit: usize,
    },
    /// An `@odata.nextLink` pointed to another origin than the client's base URL; it was not
    /// followed, so the token did not leave for a host it was not meant for.
    #[error(
        "@odata.nextLink points to {link_origin}, not to {expected_origin}; refusing to send credentials there"
    )]
    ForeignNextLink {
        /// The origin (scheme, host, port) of the link, e.g. `https://evil.example`.
        link_origin: String,
        /// The origin of the client's base URL, e.g. `https://graph.microsoft.com`.
        expected_origin: String,
    },
}

impl Error {
    /// The Graph error, if this is one.
    pub fn graph(&self) -> Option<&GraphError> {
        match self {
            Error::Graph(g) => Some(g),
            _ => None,
        }
    }

    /// The HTTP status, for Graph errors and decode errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Graph(g) => Some(g.status),
            Error::Decode { status, .. } => *status,
            _ => None,
        }
    }

    /// Graph's `error.code`, e.g. `Request_ResourceNotFound` or `AADB2C90063`, for Graph errors.
    /// Graph asks clients to branch on the code and the status, never on the message
    /// (<https://learn.microsoft.com/graph/errors>).
    pub fn code(&self) -> Option<&str> {
        self.graph().map(|g| g.code.as_str())
    }

    /// Whether Graph answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether Graph throttled the request (`429 Too Many Requests`, the only status Graph
    /// throttles with: <https://learn.microsoft.com/graph/throttling>), even after the client's
    /// retries.
    pub fn is_throttled(&self) -> bool {
        self.status() == Some(429)
    }

    /// How long Graph asked to wait (`Retry-After`), for throttled or unavailable answers.
    pub fn retry_after(&self) -> Option<Duration> {
        self.graph().and_then(|g| g.retry_after)
    }

    /// Whether the failure is transient, so the same call may succeed later: Graph answered 429,
    /// 503 or 504 (see [`retry`](crate::retry)), the request timed out or the connection failed,
    /// or the token endpoint was unreachable or answered one of those statuses.
    ///
    /// The client has already retried as its [`RetryPolicy`](crate::retry::RetryPolicy) allows.
    /// A transient failure of a `POST` (create, certificate upload) may still have taken effect:
    /// check before sending it again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Graph(g) => is_transient_status(g.status),
            // A request that could not even be built (a bad URL) fails the same way again.
            Error::Transport { source, .. } => source.as_ref().is_none_or(|e| !e.is_builder()),
            Error::Timeout(_) => true,
            Error::Auth(AuthError::Transport(_)) => true,
            Error::Auth(AuthError::TokenEndpoint(t)) => is_transient_status(t.status.as_u16()),
            _ => false,
        }
    }

    pub(crate) fn transport(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return Error::Timeout(describe_reqwest(&e));
        }
        Error::Transport {
            message: describe_reqwest(&e),
            source: Some(e.without_url()),
        }
    }
}

/// A reqwest error's message with its causes, without the URL's query.
fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// An error answered by Graph: status plus the OData error body.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    /// HTTP status.
    pub status: u16,
    /// `error.code`, e.g. `Request_ResourceNotFound`, `AADB2C`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `error.target`.
    pub target: Option<String>,
    /// `error.innerError.request-id` (or the `request-id` header).
    pub request_id: Option<String>,
    /// `error.innerError.client-request-id` (or the header).
    pub client_request_id: Option<String>,
    /// `error.innerError.date`.
    pub date: Option<String>,
    /// B2C's `error.innerError.correlationId`.
    pub correlation_id: Option<String>,
    /// `error.details`.
    pub details: Vec<ErrorDetail>,
    /// `Retry-After` of a throttled response.
    pub retry_after: Option<Duration>,
}

/// One entry of `error.details`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorDetail {
    /// Its code.
    #[serde(default)]
    pub code: String,
    /// Its message.
    #[serde(default)]
    pub message: String,
    /// Its target.
    #[serde(default)]
    pub target: Option<String>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        write!(
            f,
            "Graph error {} {reason}: {}: {}",
            self.status, self.code, self.message
        )?;
        for d in &self.details {
            write!(f, " [{}: {}]", d.code, d.message)?;
        }
        match (&self.request_id, &self.client_request_id) {
            (Some(r), Some(c)) => write!(f, " (request-id {r}, client-request-id {c}")?,
            (Some(r), None) => write!(f, " (request-id {r}")?,
            (None, Some(c)) => write!(f, " (client-request-id {c}")?,
            (None, None) => return Ok(()),
        }
        if let Some(d) = &self.date {
            write!(f, ", date {d}")?;
        }
        if let Some(c) = &self.correlation_id {
            write!(f, ", correlation id {c}")?;
        }
        f.write_str(")")
    }
}

#[derive(Deserialize)]
struct Body {
    error: MainError,
}

#[derive(Deserialize)]
struct MainError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner: Option<Value>,
}

impl GraphError {
    /// Build from a response's status, headers and body. A body that is not an OData error still
    /// gives a `GraphError`, with the status as code and a masked excerpt as message.
    pub fn from_parts(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> GraphError {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        let mut e = GraphError {
            status,
            code: String::new(),
            message: String::new(),
            target: None,
            request_id: header("request-id"),
            client_request_id: header("client-request-id"),
            date: None,
            correlation_id: None,
            details: Vec::new(),
            retry_after,
        };
        match serde_json::from_slice::<Body>(body) {
            Ok(Body { error }) => {
                e.code = error.code;
                e.message = error.message;
                e.target = error.target;
                e.details = error.details;
                if let Some(inner) = error.inner {
                    let s = |k: &str| inner.get(k).and_then(Value::as_str).map(String::from);
                    e.request_id = s("request-id").or(e.request_id);
                    e.client_request_id = s("client-request-id").or(e.client_request_id);
                    e.date = s("date");
                    e.correlation_id = s("correlationId");
                }
            }
            Err(_) => {
                e.code = format!("HTTP{status}");
                e.message = excerpt(body);
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_code_message_and_ids() {
        let body = br#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2026-11-26T10:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let e = GraphError::from_parts(404, &Default::default(), body);
        assert_eq!(
            e.to_string(),
            "Graph error 404 Not Found: Request_ResourceNotFound: Resource 'x' does not exist. \
             (request-id r-1, client-request-id c-1, date 2026-11-26T10:00:00)"
        );
    }

    #[test]
    fn limit_and_next_link_errors_print_their_numbers_and_origins() {
        assert_eq!(
            Error::ResponseTooLarge { limit: 64 }.to_string(),
            "limit reached: the response body exceeds the limit of 64 bytes"
        );
        assert_eq!(
            Error::TooManyPages { limit: 3 }.to_string(),
            "limit reached: the listing has more than 3 pages"
        );
        let e = Error::ForeignNextLink {
            link_origin: "https://evil.example".into(),
            expected_origin: "https://graph.microsoft.com".into(),
        };
        assert_eq!(
            e.to_string(),
            "@odata.nextLink points to https://evil.example, not to https://graph.microsoft.com; \
             refusing to send credentials there"
        );
        for e in [Error::TooManyPages { limit: 3 }, e] {
            assert!(!e.is_retryable() && !e.is_throttled() && !e.is_not_found());
            assert_eq!((e.status(), e.code(), e.retry_after()), (None, None, None));
        }
    }

    #[test]
    fn decode_error_shows_the_excerpt_only_when_there_is_one() {
        let e = Error::Decode {
            status: Some(200),
            message: "expected a connector".into(),
            excerpt: "[]".into(),
        };
        assert_eq!(
            e.to_string(),
            "could not decode the response (HTTP 200): expected a connector; body starts with: []"
        );
        let e = Error::Decode {
            status: None,
            message: "no body".into(),
            excerpt: String::new(),
        };
        assert_eq!(e.to_string(), "could not decode the response: no body");
    }

    #[test]
    fn a_request_that_cannot_be_built_is_not_retryable() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let built = reqwest::Client::new().get("not a url").build().unwrap_err();
        let e = Error::transport(built);
        assert!(matches!(e, Error::Transport { .. }), "{e:?}");
        assert!(!e.is_retryable(), "{e:?}");
    }

    #[test]
    fn graph_errors_answer_code_status_throttling_and_not_found() {
        let headers = {
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("retry-after", "7".parse().unwrap());
            h
        };
        let body = br#"{"error":{"code":"TooManyRequests","message":"Too many requests"}}"#;
        let e = Error::Graph(Box::new(GraphError::from_parts(429, &headers, body)));
        assert_eq!((e.status(), e.code()), (Some(429), Some("TooManyRequests")));
        assert!(e.is_throttled() && e.is_retryable() && !e.is_not_found());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let body = br#"{"error":{"code":"Request_ResourceNotFound","message":"gone"}}"#;
        let e = Error::Graph(Box::new(GraphError::from_parts(
            404,
            &Default::default(),
            body,
        )));
        assert!(e.is_not_found() && !e.is_retryable() && !e.is_throttled());
        assert_eq!(e.code(), Some("Request_ResourceNotFound"));
    }

    #[test]
    fn non_odata_body_still_gives_an_error_with_masked_excerpt() {
        let e = GraphError::from_parts(502, &Default::default(), b"<html>Bad gateway</html>");
        assert_eq!(e.code, "HTTP502");
        assert_eq!(e.message, "<html>Bad gateway</html>");
    }
}
