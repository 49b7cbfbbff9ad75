//! The crate's one error type, [`Error`], and Graph's OData error, [`GraphError`].

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::auth::AuthError;
use crate::certificate::CertificateError;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling Graph through this crate.
///
/// `Display` is one line; for Graph errors it names status, code, message and request id, so a
/// support ticket can be opened from it. No variant ever carries a secret.
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
    /// A token could not be obtained.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The response could not be decoded into the expected type.
    #[error("could not decode the response{}: {message}; body starts with: {excerpt}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Decode {
        /// HTTP status of the response, when known.
        status: Option<u16>,
        /// What the decoder said.
        message: String,
        /// The start of the body, with secret values masked.
        excerpt: String,
    },
    /// Invalid input, caught before any request was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A PKCS#12 certificate failed local validation; nothing was sent.
    #[error("certificate rejected before upload: {0}")]
    Certificate(#[from] CertificateError),
    /// A limit of the client was reached (response size, number of pages, foreign next link).
    #[error("limit reached: {0}")]
    Limit(String),
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        Error::Auth(e.to_string())
    }
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

    /// Whether Graph answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
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
            .and_then(|v| crate::retry::parse_retry_after(v, std::time::SystemTime::now()));
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

/// Keys whose values are masked in excerpts.
const SECRET_KEYS: &[&str] = &[
    "password",
    "pkcs12value",
    "client_secret",
    "clientsecret",
    "access_token",
    "refresh_token",
];

/// The start of a body for an error message (200 characters), with secret JSON values masked.
pub fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            mask(&mut v);
            v.to_string()
        }
        Err(_) => {
            let t = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
            mask_text(&t)
        }
    };
    shorten(&text, MAX)
}

/// `text` cut to at most `max` characters, with `…` when something was cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

fn mask(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
                    *val = Value::String("***".into());
                } else {
                    mask(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask),
        _ => {}
    }
}

/// Mask `"key": "value"` pairs of secret keys in text that is not valid JSON (e.g. truncated).
fn mask_text(t: &str) -> String {
    let lower = t.to_ascii_lowercase();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    'outer: while i < t.len() {
        for key in SECRET_KEYS {
            let pat = format!("\"{key}\"");
            if lower[i..].starts_with(&pat) {
                out.push_str(&t[i..i + pat.len()]);
                i += pat.len();
                // copy up to the value's opening quote, then skip the value
                let rest = &t[i..];
                if let Some(q) = rest.find('"')
                    && rest[..q].trim().trim_start_matches(':').trim().is_empty()
                {
                    out.push_str(&rest[..=q]);
                    out.push_str("***");
                    let after = &rest[q + 1..];
                    let end = after.find('"').map_or(after.len(), |e| e);
                    i += q + 1 + end;
                    continue 'outer;
                }
                continue 'outer;
            }
        }
        let c = t[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Map an error of a generated operation to [`Error`].
pub(crate) async fn from_generated<E: serde::Serialize>(e: progenitor_client::Error<E>) -> Error {
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
            match crate::transport::read_body(response).await {
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
        P::ResponseBodyError(e) | P::InvalidUpgrade(e) => crate::transport::map_body_error(e),
        P::CommunicationError(e) => Error::transport(e),
        P::InvalidRequest(m) => Error::InvalidInput(m),
        P::Custom(m) => Error::Auth(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_secrets_in_json_and_in_truncated_text() {
        let json = br#"{"authenticationConfiguration":{"password":"hunter22","username":"u"}}"#;
        let e = excerpt(json);
        assert!(!e.contains("hunter22"), "{e}");
        assert!(e.contains("\"username\":\"u\""), "{e}");
        let truncated = br#"{"pkcs12Value": "MIIKAAAAsecretblob", "password": "p4ss"#;
        let e = excerpt(truncated);
        assert!(!e.contains("secretblob") && !e.contains("p4ss"), "{e}");
    }

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
    fn non_odata_body_still_gives_an_error_with_masked_excerpt() {
        let e = GraphError::from_parts(502, &Default::default(), b"<html>Bad gateway</html>");
        assert_eq!(e.code, "HTTP502");
        assert_eq!(e.message, "<html>Bad gateway</html>");
    }
}
