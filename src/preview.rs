//! Requests as they would be sent, without sending them: [`RequestPreview`], for dry runs and
//! plans.
//!
//! The `preview_*` methods of [`Connectors`](crate::connectors::Connectors), the extensibility
//! handles ([`CustomExtensions`](crate::custom_extensions::CustomExtensions),
//! [`EventsFlows`](crate::events_flows::EventsFlows),
//! [`EventListeners`](crate::event_listeners::EventListeners)) and
//! [`UserFlows`](crate::UserFlows) check their input as the operation does and build the method,
//! URL and JSON body from the same encoders the operation sends. Nothing is sent, and no token is
//! fetched. Secret values (`password`, `pkcs12Value`, client secrets, tokens) are replaced with
//! [`MASK`], the mask Graph itself answers with, so a preview can be printed or logged.
//!
//! ```
//! use entra_api_connectors::GraphClient;
//! use entra_api_connectors::connectors::{Authentication, NewConnector};
//!
//! let client = GraphClient::builder().build()?;
//! let new = NewConnector::new(
//!     "Check age",
//!     "https://api.contoso.example/age",
//!     Authentication::basic("svc", "hunter2"),
//! );
//! let preview = client.v1().connectors().preview_create(&new)?;
//! assert_eq!(preview.method().as_str(), "POST");
//! assert_eq!(preview.url().as_str(), "https://graph.microsoft.com/v1.0/identity/apiConnectors");
//! let body = preview.body().unwrap();
//! assert_eq!(body["authenticationConfiguration"]["password"], "******");
//! assert!(!preview.to_string().contains("hunter2"));
//! # Ok::<(), entra_api_connectors::Error>(())
//! ```

use std::fmt;

use reqwest::Method;
use serde_json::Value;
use url::Url;

use crate::excerpt::mask_values;

/// What secret values are replaced with in a preview: `******`, as Graph masks passwords.
pub const MASK: &str = "******";

/// A request the client would send: method, URL, the headers that describe the body, and the JSON
/// body with every secret value replaced by [`MASK`].
///
/// The `Authorization` header is never part of a preview (no token is fetched to build one), nor
/// are the per-request `client-request-id` and the client's `User-Agent`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPreview {
    method: Method,
    url: Url,
    body: Option<Value>,
}

impl RequestPreview {
    /// A preview of `method url` with `body`, whose secrets are masked here.
    pub(crate) fn new(method: Method, url: Url, body: Option<Value>) -> Self {
        let body = body.map(|mut b| {
            mask_values(&mut b, MASK);
            b
        });
        RequestPreview { method, url, body }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The full URL, path segments percent-encoded as they would be sent.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The JSON body, secrets masked; `None` for a request without a body.
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }

    /// The request's content headers: `Accept: application/json`, and
    /// `Content-Type: application/json` when there is a body.
    pub fn headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut headers = vec![("Accept", "application/json")];
        if self.body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        headers
    }
}

/// The request as HTTP text: the request line with the full URL, the headers, a blank line and
/// the pretty-printed body.
impl fmt::Display for RequestPreview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in self.headers() {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            let text = serde_json::to_string_pretty(body).map_err(|_| fmt::Error)?;
            writeln!(f)?;
            writeln!(f, "{text}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth_and_display_is_http_text() {
        let url = Url::parse("https://graph.microsoft.com/v1.0/identity/apiConnectors").unwrap();
        let preview = RequestPreview::new(
            Method::POST,
            url,
            Some(serde_json::json!({
                "displayName": "x",
                "authenticationConfiguration": {"password": "hunter2", "pkcs12Value": "MIIblob"},
            })),
        );
        let body = preview.body().unwrap();
        assert_eq!(body["displayName"], "x");
        assert_eq!(body["authenticationConfiguration"]["password"], MASK);
        assert_eq!(body["authenticationConfiguration"]["pkcs12Value"], MASK);
        let text = preview.to_string();
        assert!(
            text.starts_with(
                "POST https://graph.microsoft.com/v1.0/identity/apiConnectors\n\
                 Accept: application/json\nContent-Type: application/json\n\n{"
            ),
            "{text}"
        );
        assert!(
            !text.contains("hunter2") && !text.contains("MIIblob"),
            "{text}"
        );
    }

    #[test]
    fn a_request_without_body_has_no_content_type() {
        let url = Url::parse("https://graph.microsoft.com/beta/identity/apiConnectors/1").unwrap();
        let preview = RequestPreview::new(Method::DELETE, url, None);
        assert_eq!(preview.headers(), [("Accept", "application/json")]);
        assert_eq!(
            preview.to_string(),
            "DELETE https://graph.microsoft.com/beta/identity/apiConnectors/1\nAccept: application/json\n"
        );
    }
}
