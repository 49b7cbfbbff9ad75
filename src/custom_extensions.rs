//! Custom authentication extensions ([`CustomExtensions`], `/identity/customAuthenticationExtensions`):
//! typed inputs per event, validation before sending, and the JSON bodies Graph documents
//! (`docs/graph-behaviour.md` §7).
//!
//! ```
//! use entra_api_connectors::custom_extensions::{ClientConfiguration, NewCustomExtension};
//! let new = NewCustomExtension::token_issuance_start(
//!     "Claims from the HR API",
//!     "https://hr.contoso.example/claims",
//!     "api://hr.contoso.example/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
//!     ["DateOfBirth"],
//! )
//! .client_configuration(ClientConfiguration::new(2000, 1));
//! assert!(new.validate().is_ok());
//! // The resourceId names another host than the target URL: rejected before sending.
//! let wrong = NewCustomExtension::attribute_collection_submit(
//!     "Check",
//!     "https://api.contoso.example/submit",
//!     "api://other.example/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
//! );
//! assert!(wrong.validate().is_err());
//! ```

use futures::stream::BoxStream;
use serde_json::{Map, Value, json};
use url::Url;

use crate::connectors::{
    ListOptions, Patch, validate_display_name, validate_id, validate_target_url,
};
use crate::error::{Error, Result};
use crate::extensibility::{Extensibility, id_of};
use crate::graph::{Graph, call, typed};
use crate::odata::Query;
use crate::preview::RequestPreview;

/// The event a custom extension (and the listener or flow handler calling it) serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionKind {
    /// `onTokenIssuanceStartCustomExtension`: claims for the token being issued.
    TokenIssuanceStart,
    /// `onAttributeCollectionStartCustomExtension`: before the attribute page is shown.
    AttributeCollectionStart,
    /// `onAttributeCollectionSubmitCustomExtension`: when the user submits the attribute page.
    AttributeCollectionSubmit,
    /// `onOtpSendCustomExtension`: sending a one-time passcode.
    OtpSend,
}

impl ExtensionKind {
    /// Every kind, in declaration order.
    pub const ALL: [ExtensionKind; 4] = [
        ExtensionKind::TokenIssuanceStart,
        ExtensionKind::AttributeCollectionStart,
        ExtensionKind::AttributeCollectionSubmit,
        ExtensionKind::OtpSend,
    ];

    /// The extension's `@odata.type`, e.g. `#microsoft.graph.onTokenIssuanceStartCustomExtension`.
    pub fn extension_type(self) -> &'static str {
        match self {
            ExtensionKind::TokenIssuanceStart => {
                "#microsoft.graph.onTokenIssuanceStartCustomExtension"
            }
            ExtensionKind::AttributeCollectionStart => {
                "#microsoft.graph.onAttributeCollectionStartCustomExtension"
            }
            ExtensionKind::AttributeCollectionSubmit => {
                "#microsoft.graph.onAttributeCollectionSubmitCustomExtension"
            }
            ExtensionKind::OtpSend => "#microsoft.graph.onOtpSendCustomExtension",
        }
    }

    /// The `@odata.type` of the listener for this event, e.g.
    /// `#microsoft.graph.onTokenIssuanceStartListener` (OTP send: `onEmailOtpSendListener`).
    pub fn listener_type(self) -> &'static str {
        match self {
            ExtensionKind::TokenIssuanceStart => "#microsoft.graph.onTokenIssuanceStartListener",
            ExtensionKind::AttributeCollectionStart => {
                "#microsoft.graph.onAttributeCollectionStartListener"
            }
            ExtensionKind::AttributeCollectionSubmit => {
                "#microsoft.graph.onAttributeCollectionSubmitListener"
            }
            ExtensionKind::OtpSend => "#microsoft.graph.onEmailOtpSendListener",
        }
    }

    /// The `@odata.type` of the handler that names an extension of this kind, e.g.
    /// `#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler`.
    pub fn handler_type(self) -> &'static str {
        match self {
            ExtensionKind::TokenIssuanceStart => {
                "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler"
            }
            ExtensionKind::AttributeCollectionStart => {
                "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"
            }
            ExtensionKind::AttributeCollectionSubmit => {
                "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler"
            }
            ExtensionKind::OtpSend => "#microsoft.graph.onOtpSendCustomExtensionHandler",
        }
    }
}

/// How long Entra waits for the API and how often it retries (`customExtensionClientConfiguration`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientConfiguration {
    /// `timeoutInMilliseconds`: 200 to 2000 (`None`: the service default, 1000).
    pub timeout_ms: Option<u32>,
    /// `maximumRetries`: 0 or 1 (`None`: the service default).
    pub maximum_retries: Option<u32>,
}

impl ClientConfiguration {
    /// A timeout (ms) and a retry count.
    pub fn new(timeout_ms: u32, maximum_retries: u32) -> Self {
        ClientConfiguration {
            timeout_ms: Some(timeout_ms),
            maximum_retries: Some(maximum_retries),
        }
    }

    /// Check the documented ranges: timeout 200–2000 ms, retries 0 or 1.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.timeout_ms
            && !(200..=2000).contains(&t)
        {
            return Err(Error::InvalidInput(format!(
                "timeoutInMilliseconds {t} is outside 200..=2000"
            )));
        }
        if let Some(r) = self.maximum_retries
            && r > 1
        {
            return Err(Error::InvalidInput(format!(
                "maximumRetries {r} is not 0 or 1"
            )));
        }
        Ok(())
    }

    fn to_json(self) -> Value {
        let mut body = Map::new();
        if let Some(t) = self.timeout_ms {
            body.insert("timeoutInMilliseconds".into(), t.into());
        }
        if let Some(r) = self.maximum_retries {
            body.insert("maximumRetries".into(), r.into());
        }
        Value::Object(body)
    }
}

/// How Entra authenticates to the API (`customExtensionAuthenticationConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionAuthentication {
    /// `azureAdTokenAuthentication`: a bearer token for the app `resourceId`
    /// (`api://{target host}/{appId}`).
    AzureAdToken {
        /// `resourceId`, of the form `api://{fqdn}/{appId}`.
        resource_id: String,
    },
}

impl ExtensionAuthentication {
    /// `azureAdTokenAuthentication` for `resource_id`.
    pub fn azure_ad_token(resource_id: impl Into<String>) -> Self {
        ExtensionAuthentication::AzureAdToken {
            resource_id: resource_id.into(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            ExtensionAuthentication::AzureAdToken { resource_id } => json!({
                "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                "resourceId": resource_id,
            }),
        }
    }

    /// Check it against the target URL it is used with (when known).
    fn validate(&self, target: Option<&Url>) -> Result<()> {
        match self {
            ExtensionAuthentication::AzureAdToken { resource_id } => {
                let host = validate_resource_id(resource_id)?;
                match target.and_then(Url::host_str) {
                    Some(target_host) if !target_host.eq_ignore_ascii_case(&host) => {
                        Err(Error::InvalidInput(format!(
                            "resourceId host `{host}` does not match the target URL's host `{target_host}` (DomainNameDoesNotMatch)"
                        )))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Check a `resourceId` of the form `api://{fqdn}/{appId}` (a DNS name without port or path, and
/// a GUID) and return its host, as `validateAuthenticationConfiguration` checks it
/// (`IncorrectResourceIdFormat`).
pub fn validate_resource_id(resource_id: &str) -> Result<String> {
    let bad = || {
        Error::InvalidInput(format!(
            "resourceId `{resource_id}` is not of the form api://{{fully qualified domain name}}/{{appId}} (IncorrectResourceIdFormat)"
        ))
    };
    let rest = resource_id.strip_prefix("api://").ok_or_else(bad)?;
    let (host, app_id) = rest.split_once('/').ok_or_else(bad)?;
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if host.is_empty() || !labels_ok {
        return Err(bad());
    }
    if app_id.len() != 36 || uuid::Uuid::parse_str(app_id).is_err() {
        return Err(bad());
    }
    Ok(host.to_string())
}

/// What happens when the API fails (`customExtensionBehaviorOnError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BehaviorOnError {
    /// The abstract base, as the docs' OTP example sends it: the default behaviour.
    Default,
    /// `fallbackToMicrosoftProviderOnError` (OTP send: Entra sends the code itself).
    FallbackToMicrosoftProvider,
}

impl BehaviorOnError {
    fn to_json(self) -> Value {
        match self {
            BehaviorOnError::Default => {
                json!({"@odata.type": "microsoft.graph.customExtensionBehaviorOnError"})
            }
            BehaviorOnError::FallbackToMicrosoftProvider => {
                json!({"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"})
            }
        }
    }
}

/// A new custom authentication extension of one [`ExtensionKind`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomExtension {
    /// The event it serves (its `@odata.type`).
    pub kind: ExtensionKind,
    /// `displayName` (not empty).
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `endpointConfiguration.targetUrl` of an `httpRequestEndpoint` (absolute `https`).
    pub target_url: String,
    /// `authenticationConfiguration`.
    pub authentication: ExtensionAuthentication,
    /// `clientConfiguration`.
    pub client_configuration: Option<ClientConfiguration>,
    /// `behaviorOnError`.
    pub behavior_on_error: Option<BehaviorOnError>,
    /// `claimsForTokenConfiguration` (`claimIdInApiResponse` each; token issuance start only).
    pub claims: Vec<String>,
}

impl NewCustomExtension {
    /// An extension of `kind` calling `target_url` with a token for `resource_id`.
    pub fn new(
        kind: ExtensionKind,
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        NewCustomExtension {
            kind,
            display_name: display_name.into(),
            description: None,
            target_url: target_url.into(),
            authentication: ExtensionAuthentication::azure_ad_token(resource_id),
            client_configuration: None,
            behavior_on_error: None,
            claims: Vec::new(),
        }
    }

    /// `onTokenIssuanceStartCustomExtension` with the claims the API returns.
    pub fn token_issuance_start<I: IntoIterator<Item = S>, S: Into<String>>(
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        resource_id: impl Into<String>,
        claims: I,
    ) -> Self {
        let mut new = Self::new(
            ExtensionKind::TokenIssuanceStart,
            display_name,
            target_url,
            resource_id,
        );
        new.claims = claims.into_iter().map(Into::into).collect();
        new
    }

    /// `onAttributeCollectionStartCustomExtension`.
    pub fn attribute_collection_start(
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        Self::new(
            ExtensionKind::AttributeCollectionStart,
            display_name,
            target_url,
            resource_id,
        )
    }

    /// `onAttributeCollectionSubmitCustomExtension`.
    pub fn attribute_collection_submit(
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        Self::new(
            ExtensionKind::AttributeCollectionSubmit,
            display_name,
            target_url,
            resource_id,
        )
    }

    /// `onOtpSendCustomExtension`.
    pub fn otp_send(
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        Self::new(
            ExtensionKind::OtpSend,
            display_name,
            target_url,
            resource_id,
        )
    }

    /// With a `description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// With a `clientConfiguration`.
    pub fn client_configuration(mut self, configuration: ClientConfiguration) -> Self {
        self.client_configuration = Some(configuration);
        self
    }

    /// With a `behaviorOnError`.
    pub fn behavior_on_error(mut self, behavior: BehaviorOnError) -> Self {
        self.behavior_on_error = Some(behavior);
        self
    }

    /// Check everything before it is sent: display name, `https` target URL with a host,
    /// `resourceId` form and host, client configuration ranges, claims only for token issuance.
    pub fn validate(&self) -> Result<()> {
        validate_display_name(&self.display_name)?;
        let target = validate_endpoint(&self.target_url)?;
        self.authentication.validate(Some(&target))?;
        if let Some(c) = &self.client_configuration {
            c.validate()?;
        }
        validate_claims(self.kind, &self.claims)
    }

    /// The body of the create request.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("@odata.type".into(), self.kind.extension_type().into());
        body.insert("displayName".into(), self.display_name.clone().into());
        if let Some(d) = &self.description {
            body.insert("description".into(), d.clone().into());
        }
        body.insert(
            "endpointConfiguration".into(),
            endpoint_json(&self.target_url),
        );
        body.insert(
            "authenticationConfiguration".into(),
            self.authentication.to_json(),
        );
        if let Some(c) = self.client_configuration {
            body.insert("clientConfiguration".into(), c.to_json());
        }
        if let Some(b) = self.behavior_on_error {
            body.insert("behaviorOnError".into(), b.to_json());
        }
        if !self.claims.is_empty() {
            body.insert(
                "claimsForTokenConfiguration".into(),
                claims_json(&self.claims),
            );
        }
        Value::Object(body)
    }
}

fn validate_endpoint(url: &str) -> Result<Url> {
    validate_target_url(url)
}

fn validate_claims(kind: ExtensionKind, claims: &[String]) -> Result<()> {
    if !claims.is_empty() && kind != ExtensionKind::TokenIssuanceStart {
        return Err(Error::InvalidInput(format!(
            "claimsForTokenConfiguration is only for token issuance start extensions, not {}",
            kind.extension_type()
        )));
    }
    if claims.iter().any(|c| c.trim().is_empty()) {
        return Err(Error::InvalidInput("a claim name is empty".into()));
    }
    Ok(())
}

fn endpoint_json(target_url: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": target_url,
    })
}

fn claims_json(claims: &[String]) -> Value {
    claims
        .iter()
        .map(|c| json!({ "claimIdInApiResponse": c }))
        .collect()
}

/// An update of a custom extension: only the fields that are not [`Patch::Keep`] are sent, with
/// the extension's `@odata.type` (which Graph requires on every PATCH, and which cannot change).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomExtensionPatch {
    /// The stored kind of the extension (sent as `@odata.type`).
    pub kind: ExtensionKind,
    /// `displayName`.
    pub display_name: Patch<String>,
    /// `description`.
    pub description: Patch<String>,
    /// `endpointConfiguration.targetUrl`.
    pub target_url: Patch<String>,
    /// `authenticationConfiguration`.
    pub authentication: Patch<ExtensionAuthentication>,
    /// `clientConfiguration`.
    pub client_configuration: Patch<ClientConfiguration>,
    /// `behaviorOnError`.
    pub behavior_on_error: Patch<BehaviorOnError>,
    /// `claimsForTokenConfiguration` (token issuance start only).
    pub claims: Patch<Vec<String>>,
}

impl CustomExtensionPatch {
    /// A patch of an extension of `kind` that changes nothing yet.
    pub fn new(kind: ExtensionKind) -> Self {
        CustomExtensionPatch {
            kind,
            display_name: Patch::Keep,
            description: Patch::Keep,
            target_url: Patch::Keep,
            authentication: Patch::Keep,
            client_configuration: Patch::Keep,
            behavior_on_error: Patch::Keep,
            claims: Patch::Keep,
        }
    }

    /// Validate and produce the PATCH body. An empty patch is an error (nothing to send). The
    /// `resourceId` host is checked against the target URL when the patch sets both.
    pub fn to_body(&self) -> Result<Value> {
        if let Patch::Set(name) = &self.display_name {
            validate_display_name(name)?;
        }
        if self.display_name == Patch::Null {
            return Err(Error::InvalidInput("displayName cannot be cleared".into()));
        }
        let target = match &self.target_url {
            Patch::Set(url) => Some(validate_endpoint(url)?),
            Patch::Null => {
                return Err(Error::InvalidInput(
                    "the target URL cannot be cleared".into(),
                ));
            }
            Patch::Keep => None,
        };
        match &self.authentication {
            Patch::Set(auth) => auth.validate(target.as_ref())?,
            Patch::Null => {
                return Err(Error::InvalidInput(
                    "authenticationConfiguration is required and cannot be cleared".into(),
                ));
            }
            Patch::Keep => {}
        }
        if let Patch::Set(c) = &self.client_configuration {
            c.validate()?;
        }
        if let Patch::Set(claims) = &self.claims {
            validate_claims(self.kind, claims)?;
        }
        let mut body = Map::new();
        self.display_name
            .encode("displayName", &mut body, |v| v.clone().into());
        self.description
            .encode("description", &mut body, |v| v.clone().into());
        self.target_url
            .encode("endpointConfiguration", &mut body, |v| endpoint_json(v));
        self.authentication.encode(
            "authenticationConfiguration",
            &mut body,
            ExtensionAuthentication::to_json,
        );
        self.client_configuration
            .encode("clientConfiguration", &mut body, |c| c.to_json());
        self.behavior_on_error
            .encode("behaviorOnError", &mut body, |b| b.to_json());
        self.claims
            .encode("claimsForTokenConfiguration", &mut body, |c| claims_json(c));
        if body.is_empty() {
            return Err(Error::InvalidInput("the update changes nothing".into()));
        }
        body.insert("@odata.type".into(), self.kind.extension_type().into());
        Ok(Value::Object(body))
    }
}

/// Custom authentication extensions (`/identity/customAuthenticationExtensions`) of Graph version
/// `V`, from [`Graph::custom_extensions`].
#[derive(Clone, Debug)]
pub struct CustomExtensions<V: Extensibility> {
    graph: Graph<V>,
}

impl<V: Extensibility> CustomExtensions<V> {
    pub(crate) fn new(graph: Graph<V>) -> Self {
        CustomExtensions { graph }
    }

    /// One page of extensions (the first), as Graph returned it.
    pub async fn list_page(&self, options: &ListOptions) -> Result<V::ExtensionPage> {
        call(
            self.graph.transport(),
            V::list_custom_extensions(self.graph.generated(), &options.query()),
        )
        .await
    }

    /// Every extension, following `@odata.nextLink`, as a stream (e.g. filtered with
    /// `isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')`).
    pub fn list(&self, options: ListOptions) -> BoxStream<'static, Result<V::Extension>> {
        let this = self.clone();
        crate::paging::items::<V::ExtensionPage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move { this.list_page(&options).await },
        )
    }

    /// Every extension, collected.
    pub async fn list_all(&self, options: ListOptions) -> Result<Vec<V::Extension>> {
        futures::TryStreamExt::try_collect(self.list(options)).await
    }

    /// An extension by id; `select` limits the properties returned.
    pub async fn get(&self, id: &str, select: &[&str]) -> Result<V::Extension> {
        validate_id("custom extension", id)?;
        let query = Query {
            select: (!select.is_empty()).then(|| select.join(",")),
            ..Query::default()
        };
        call(
            self.graph.transport(),
            V::get_custom_extension(self.graph.generated(), id, &query),
        )
        .await
    }

    /// Create an extension (`201 Created`). A response without `id` is a decoding error: the
    /// extension cannot be referenced.
    pub async fn create(&self, extension: &NewCustomExtension) -> Result<V::Extension> {
        extension.validate()?;
        let body = typed(extension.to_json())?;
        let created = call(
            self.graph.transport(),
            V::create_custom_extension(self.graph.generated(), body),
        )
        .await?;
        require_id(created, "custom extension")
    }

    /// Update an extension: a real PATCH with `@odata.type` (`204 No Content`).
    pub async fn update(&self, id: &str, patch: &CustomExtensionPatch) -> Result<()> {
        validate_id("custom extension", id)?;
        let body = patch.to_body()?;
        self.graph
            .send_json(
                reqwest::Method::PATCH,
                &["identity", "customAuthenticationExtensions", id],
                &body,
            )
            .await?;
        Ok(())
    }

    /// Delete an extension (`204 No Content`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_id("custom extension", id)?;
        call(
            self.graph.transport(),
            V::delete_custom_extension(self.graph.generated(), id),
        )
        .await
    }

    /// Ask Graph to check the stored extension's configuration (no request body). A failed check
    /// is a `200` whose `errors` is not empty.
    pub async fn validate(&self, id: &str) -> Result<V::Validation> {
        validate_id("custom extension", id)?;
        call(
            self.graph.transport(),
            V::validate_custom_extension(self.graph.generated(), id),
        )
        .await
    }

    /// Ask Graph to check a configuration that need not exist yet (the collection-level form).
    /// The local checks of [`NewCustomExtension::validate`] run first.
    pub async fn validate_configuration(
        &self,
        target_url: &str,
        authentication: &ExtensionAuthentication,
    ) -> Result<V::Validation> {
        let body = typed(configuration_body(target_url, authentication)?)?;
        call(
            self.graph.transport(),
            V::validate_configuration(self.graph.generated(), body),
        )
        .await
    }
}

impl<V: Extensibility> CustomExtensions<V> {
    /// The request [`create`](Self::create) would send, checked the same way.
    pub fn preview_create(&self, extension: &NewCustomExtension) -> Result<RequestPreview> {
        extension.validate()?;
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.collection_url(&[]),
            Some(extension.to_json()),
        ))
    }

    /// The request [`update`](Self::update) would send, checked the same way.
    pub fn preview_update(&self, id: &str, patch: &CustomExtensionPatch) -> Result<RequestPreview> {
        validate_id("custom extension", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::PATCH,
            self.collection_url(&[id]),
            Some(patch.to_body()?),
        ))
    }

    /// The request [`delete`](Self::delete) would send.
    pub fn preview_delete(&self, id: &str) -> Result<RequestPreview> {
        validate_id("custom extension", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::DELETE,
            self.collection_url(&[id]),
            None,
        ))
    }

    /// The request [`validate`](Self::validate) would send (a `POST` without a body).
    pub fn preview_validate(&self, id: &str) -> Result<RequestPreview> {
        validate_id("custom extension", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.collection_url(&[id, VALIDATE]),
            None,
        ))
    }

    /// The request [`validate_configuration`](Self::validate_configuration) would send, checked
    /// the same way.
    pub fn preview_validate_configuration(
        &self,
        target_url: &str,
        authentication: &ExtensionAuthentication,
    ) -> Result<RequestPreview> {
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.collection_url(&[VALIDATE]),
            Some(configuration_body(target_url, authentication)?),
        ))
    }

    fn collection_url(&self, below: &[&str]) -> Url {
        let mut segments = vec!["identity", "customAuthenticationExtensions"];
        segments.extend_from_slice(below);
        self.graph.entity_url(&segments)
    }
}

/// The bound action that checks an extension's configuration.
const VALIDATE: &str = "validateAuthenticationConfiguration";

/// The body of the collection-level `validateAuthenticationConfiguration`, checked locally first.
fn configuration_body(target_url: &str, authentication: &ExtensionAuthentication) -> Result<Value> {
    let target = validate_endpoint(target_url)?;
    authentication.validate(Some(&target))?;
    Ok(json!({
        "endpointConfiguration": endpoint_json(target_url),
        "authenticationConfiguration": authentication.to_json(),
    }))
}

/// A created entity must carry its `id`.
pub(crate) fn require_id<T: serde::Serialize>(created: T, kind: &str) -> Result<T> {
    match id_of(&created) {
        Some(id) if !id.is_empty() => Ok(created),
        _ => Err(Error::Decode {
            status: None,
            message: format!("the created {kind} has no id"),
            excerpt: String::new(),
        }),
    }
}
