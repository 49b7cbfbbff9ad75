//! [`handle`] and [`handle_async`]: one custom-extension call answered by a connector handler,
//! from the request body to the response body.

use std::future::Future;

use crate::custom_extension::CustomExtensionRequest;
use crate::{ConnectorRequest, ConnectorResponse};

use super::{AdaptedResponse, AdapterConfig, AdapterError, to_connector_request};

/// Answers one custom-extension call (its request `body`) with `handler`, a function written for
/// the API-connector contract: parses the body, presents it with [`to_connector_request`], and
/// turns the handler's answer into the event's action with
/// [`AdaptedCall::respond`](super::AdaptedCall::respond). The handler is not called when the
/// body cannot be adapted.
///
/// The caller authenticates the call first (the bearer token: `custom_extension::TokenVerifier`
/// with the `jwt` feature). On success, send [`AdaptedResponse::to_http`] with `Content-Type:
/// application/json`; on error, [`AdapterError::http_status`].
///
/// ```
/// use entra_api_connectors_contract::adapter::{self, AdapterConfig};
/// use entra_api_connectors_contract::{ConnectorRequest, ConnectorResponse};
///
/// /// The B2C handler, unchanged.
/// fn check(request: ConnectorRequest) -> ConnectorResponse {
///     match request.postal_code.as_deref() {
///         Some(code) if code.len() < 4 => ConnectorResponse::validation_error("Enter a valid postal code."),
///         _ => ConnectorResponse::continuation(),
///     }
/// }
///
/// let body = br#"{
///   "type": "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
///   "source": "/tenants/aaaabbbb-0000-cccc-1111-dddd2222eeee/applications/00001111-aaaa-2222-bbbb-3333cccc4444",
///   "data": {
///     "tenantId": "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "authenticationEventListenerId": "00001111-aaaa-2222-bbbb-3333cccc4444",
///     "customAuthenticationExtensionId": "11112222-bbbb-3333-cccc-4444dddd5555",
///     "authenticationContext": { "correlationId": "aaaa0000-bb11-2222-33cc-444444dddddd" },
///     "userSignUpInfo": {
///       "attributes": {
///         "postalCode": { "@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": "12", "attributeType": "builtIn" }
///       }
///     }
///   }
/// }"#;
/// let (status, body) = adapter::handle(body, &AdapterConfig::new(), check)?.to_http();
/// assert_eq!(status, 200);
/// assert_eq!(
///     String::from_utf8(body).unwrap(),
///     r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Enter a valid postal code.","attributeErrors":{}}]}}"#
/// );
/// # Ok::<(), entra_api_connectors_contract::adapter::AdapterError>(())
/// ```
pub fn handle<H>(
    body: &[u8],
    config: &AdapterConfig,
    handler: H,
) -> Result<AdaptedResponse, AdapterError>
where
    H: FnOnce(ConnectorRequest) -> ConnectorResponse,
{
    let request = CustomExtensionRequest::from_json(body).map_err(AdapterError::InvalidRequest)?;
    let call = to_connector_request(&request, config)?;
    let response = handler(call.request.clone());
    call.respond(response)
}

/// [`handle`] for an async handler. Needs no particular runtime.
pub async fn handle_async<H, F>(
    body: &[u8],
    config: &AdapterConfig,
    handler: H,
) -> Result<AdaptedResponse, AdapterError>
where
    H: FnOnce(ConnectorRequest) -> F,
    F: Future<Output = ConnectorResponse>,
{
    let request = CustomExtensionRequest::from_json(body).map_err(AdapterError::InvalidRequest)?;
    let call = to_connector_request(&request, config)?;
    let response = handler(call.request.clone()).await;
    call.respond(response)
}
