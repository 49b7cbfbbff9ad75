//! Graph's error body and the headers every emulator response carries.
//!
//! Shape: `{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`
//! (<https://learn.microsoft.com/graph/errors>). B2C-backed errors (`AADB2C…` codes) also carry
//! `innerError.correlationId` (observed, see `docs/graph-behaviour.md` §3).

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use serde_json::json;

/// The ids of one request, echoed in headers and in `innerError`.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    pub request_id: String,
    pub client_request_id: String,
}

impl Ids {
    /// A new `request-id`; `client-request-id` echoes the caller's header, else equals `request-id`
    /// (every observed sample, `docs/graph-behaviour.md` §4).
    pub fn new(client_request_id: Option<&str>) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = client_request_id
            .filter(|v| !v.is_empty())
            .map_or_else(|| request_id.clone(), str::to_owned);
        Self {
            request_id,
            client_request_id,
        }
    }
}

/// `innerError.date`: UTC, no offset and no fractional seconds (`2020-11-25T08:38:06`).
pub(crate) fn graph_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// A Graph error response, before the request's ids are stamped on it.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Add `innerError.correlationId`, as the B2C backend does.
    pub correlation_id: bool,
    pub retry_after: Option<String>,
    pub www_authenticate: bool,
}

impl GraphError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            correlation_id: false,
            retry_after: None,
            www_authenticate: false,
        }
    }

    /// `400 BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// OData's answer to a path segment it cannot resolve.
    pub fn segment_not_found(segment: &str) -> Self {
        Self::bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    /// A body that is not JSON (Graph's wording for an unreadable payload).
    pub fn unreadable_json() -> Self {
        Self::bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// A property the type does not define (OData's wording).
    pub fn unknown_property(property: &str, type_name: &str) -> Self {
        Self::bad_request(format!(
            "Property '{property}' does not exist on type 'microsoft.graph.{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
        ))
    }

    /// A required property is missing or null.
    pub fn missing_property(property: &str, type_name: &str) -> Self {
        Self::bad_request(format!(
            "The property '{property}' is required on type 'microsoft.graph.{type_name}' and must not be null."
        ))
    }

    /// A property has the wrong JSON type or an invalid value.
    pub fn invalid_property(property: &str, expected: &str) -> Self {
        Self::bad_request(format!(
            "Invalid value for property '{property}': expected {expected}."
        ))
    }

    /// `404 itemNotFound` (`error_not_found.json`).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "itemNotFound", message)
    }

    /// `405` for a method the resource does not support.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request uri.",
        )
    }

    pub fn with_correlation(mut self) -> Self {
        self.correlation_id = true;
        self
    }

    /// The JSON body with the request's ids.
    pub fn body(&self, ids: &Ids) -> serde_json::Value {
        let mut inner = serde_json::Map::new();
        if self.correlation_id {
            inner.insert(
                "correlationId".into(),
                json!(uuid::Uuid::new_v4().to_string()),
            );
        }
        inner.insert("date".into(), json!(graph_date()));
        inner.insert("request-id".into(), json!(ids.request_id));
        inner.insert("client-request-id".into(), json!(ids.client_request_id));
        json!({"error": {"code": self.code, "message": self.message, "innerError": inner}})
    }

    /// The full response: status, `Content-Type: application/json`, ids, and `Retry-After` /
    /// `WWW-Authenticate` where they apply.
    pub fn into_response(self, ids: &Ids) -> Response<Body> {
        let body = serde_json::to_vec(&self.body(ids)).expect("JSON values serialize");
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(retry) = &self.retry_after
            && let Ok(v) = HeaderValue::from_str(retry)
        {
            h.insert(header::RETRY_AFTER, v);
        }
        if self.www_authenticate {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
        }
        stamp(&mut resp, ids);
        resp
    }
}

/// Adds `request-id`, `client-request-id` and `x-ms-ags-diagnostic`, as Graph sends on every response.
pub(crate) fn stamp(resp: &mut Response<Body>, ids: &Ids) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        h.insert(HeaderName::from_static("request-id"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
        h.insert(HeaderName::from_static("client-request-id"), v);
    }
    h.insert(
        HeaderName::from_static("x-ms-ags-diagnostic"),
        HeaderValue::from_static(
            r#"{"ServerInfo":{"DataCenter":"Local Emulator","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"emulator"}}"#,
        ),
    );
}
