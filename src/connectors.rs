//! API connector operations ([`Connectors`], for either Graph version): typed inputs, validation
//! before sending, and the JSON bodies Graph documents (create, PATCH, certificate upload).

use std::path::Path;

use futures::stream::BoxStream;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use url::Url;

use crate::certificate::{CertificateSummary, CertificateWarning, Pkcs12Bundle, unix_now};
use crate::error::{Error, Result};
use crate::graph::{Graph, call, typed};
use crate::odata::Query;
use crate::preview::RequestPreview;
use crate::version::Version;

/// Check an entity id before it goes into a path: not empty, no control characters, not `.`/`..`.
/// (Path segments are percent-encoded as well, so an id can never reach another path.)
pub fn validate_id(kind: &str, id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::InvalidInput(format!("{kind} id is empty")));
    }
    if id == "." || id == ".." || id.chars().any(|c| c.is_control()) {
        return Err(Error::InvalidInput(format!(
            "{kind} id {id:?} is not a valid id"
        )));
    }
    Ok(())
}

/// Check a connector's `targetUrl`: an absolute `https` URL with a host.
pub fn validate_target_url(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|e| {
        Error::InvalidInput(format!("targetUrl `{url}` is not an absolute URL: {e}"))
    })?;
    if parsed.scheme() != "https" {
        return Err(Error::InvalidInput(format!(
            "targetUrl `{url}` must use https"
        )));
    }
    if parsed.host().is_none() {
        return Err(Error::InvalidInput(format!(
            "targetUrl `{url}` has no host"
        )));
    }
    Ok(parsed)
}

/// Check a display name: not empty or blank.
pub fn validate_display_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidInput("displayName is empty".into()));
    }
    Ok(())
}

/// A PKCS#12 (`.pfx`) certificate checked locally and ready for upload.
///
/// Building one parses the file with its password and rejects a wrong password, a file without a
/// private key or certificate, and an expired certificate, before anything is sent.
#[derive(Clone)]
pub struct Pkcs12Upload {
    base64: SecretString,
    password: SecretString,
    summary: CertificateSummary,
    warnings: Vec<CertificateWarning>,
}

impl std::fmt::Debug for Pkcs12Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Upload")
            .field("thumbprint", &self.summary.thumbprint)
            .field("not_before", &self.summary.not_before)
            .field("not_after", &self.summary.not_after)
            .finish_non_exhaustive()
    }
}

impl Pkcs12Upload {
    /// Check PKCS#12 bytes with their password (empty when the file has none).
    pub fn from_bytes(bytes: &[u8], password: SecretString) -> Result<Self> {
        Self::from_bytes_at(bytes, password, unix_now())
    }

    /// [`Self::from_bytes`] at a given time (Unix seconds).
    pub fn from_bytes_at(bytes: &[u8], password: SecretString, now: i64) -> Result<Self> {
        let bundle = Pkcs12Bundle::from_der(bytes, &password)?;
        let warnings = bundle.validate_for_upload(now)?;
        Ok(Pkcs12Upload {
            base64: bundle.to_base64(),
            password,
            summary: bundle.summary(),
            warnings,
        })
    }

    /// Read and check a `.pfx` file.
    pub fn from_file(path: impl AsRef<Path>, password: SecretString) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        Self::from_bytes(&bytes, password)
    }

    /// Thumbprint and validity of the certificate (as Graph will list it).
    pub fn summary(&self) -> &CertificateSummary {
        &self.summary
    }

    /// Warnings found by the local check (e.g. not valid yet).
    pub fn warnings(&self) -> &[CertificateWarning] {
        &self.warnings
    }

    /// The body of `uploadClientCertificate`.
    fn to_json(&self) -> Value {
        serde_json::json!({
            "pkcs12Value": self.base64.expose_secret(),
            "password": self.password.expose_secret(),
        })
    }
}

/// How Graph authenticates to the customer's API, for create and update.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// HTTP basic authentication.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: SecretString,
    },
    /// A client certificate presented in the TLS handshake.
    Certificate(Pkcs12Upload),
}

impl Authentication {
    /// HTTP basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Authentication::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The JSON Graph expects for this authentication.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Authentication::Basic { username, password } => serde_json::json!({
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": username,
                "password": password.expose_secret(),
            }),
            Authentication::Certificate(upload) => serde_json::json!({
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": upload.base64.expose_secret(),
                "password": upload.password.expose_secret(),
            }),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Authentication::Basic { username, .. } = self
            && username.trim().is_empty()
        {
            return Err(Error::InvalidInput(
                "basic authentication username is empty".into(),
            ));
        }
        Ok(())
    }
}

/// A new API connector.
#[derive(Debug, Clone)]
pub struct NewConnector {
    /// Display name (required).
    pub display_name: String,
    /// The API's URL (absolute `https`).
    pub target_url: String,
    /// How Graph authenticates to the API.
    pub authentication: Authentication,
}

impl NewConnector {
    /// A connector calling `target_url` with `authentication`.
    pub fn new(
        display_name: impl Into<String>,
        target_url: impl Into<String>,
        authentication: Authentication,
    ) -> Self {
        NewConnector {
            display_name: display_name.into(),
            target_url: target_url.into(),
            authentication,
        }
    }

    /// Check the connector before it is sent.
    pub fn validate(&self) -> Result<()> {
        validate_display_name(&self.display_name)?;
        validate_target_url(&self.target_url)?;
        self.authentication.validate()
    }

    /// The body of the create request.
    fn to_json(&self) -> Value {
        serde_json::json!({
            "displayName": self.display_name,
            "targetUrl": self.target_url,
            "authenticationConfiguration": self.authentication.to_json(),
        })
    }
}

/// One field of a PATCH: left alone, set, or cleared with `null`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Not sent: Graph keeps the current value.
    #[default]
    Keep,
    /// Sent with this value.
    Set(T),
    /// Sent as `null`.
    Null,
}

impl<T> Patch<T> {
    pub(crate) fn encode(
        &self,
        name: &str,
        body: &mut Map<String, Value>,
        value: impl FnOnce(&T) -> Value,
    ) {
        match self {
            Patch::Keep => {}
            Patch::Set(v) => {
                body.insert(name.to_string(), value(v));
            }
            Patch::Null => {
                body.insert(name.to_string(), Value::Null);
            }
        }
    }
}

/// An update of a connector: only the fields that are not [`Patch::Keep`] are sent.
#[derive(Debug, Clone, Default)]
pub struct ConnectorPatch {
    /// `displayName`.
    pub display_name: Patch<String>,
    /// `targetUrl`.
    pub target_url: Patch<String>,
    /// `authenticationConfiguration`; a certificate replaces any previous configuration.
    pub authentication: Patch<Authentication>,
}

impl ConnectorPatch {
    /// Validate and produce the PATCH body. An empty patch is an error (nothing to send).
    pub fn to_body(&self) -> Result<Value> {
        let mut body = Map::new();
        if let Patch::Set(name) = &self.display_name {
            validate_display_name(name)?;
        }
        if let Patch::Set(url) = &self.target_url {
            validate_target_url(url)?;
        }
        if let Patch::Set(auth) = &self.authentication {
            auth.validate()?;
        }
        self.display_name
            .encode("displayName", &mut body, |v| Value::String(v.clone()));
        self.target_url
            .encode("targetUrl", &mut body, |v| Value::String(v.clone()));
        self.authentication.encode(
            "authenticationConfiguration",
            &mut body,
            Authentication::to_json,
        );
        if body.is_empty() {
            return Err(Error::InvalidInput("the update changes nothing".into()));
        }
        Ok(Value::Object(body))
    }
}

/// Options of a listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOptions {
    /// `$select`: properties to return.
    pub select: Vec<String>,
    /// `$filter`.
    pub filter: Option<String>,
    /// `$orderby`.
    pub orderby: Option<String>,
    /// `$top`: page size.
    pub top: Option<u32>,
    /// `$count=true`.
    pub count: bool,
}

impl ListOptions {
    /// Return only these properties.
    pub fn select<I: IntoIterator<Item = S>, S: Into<String>>(mut self, properties: I) -> Self {
        self.select = properties.into_iter().map(Into::into).collect();
        self
    }

    /// An OData `$filter`, e.g. `startswith(displayName,'Age')`.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Page size.
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// Ask for `@odata.count`.
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// `$orderby`.
    pub fn orderby(mut self, orderby: impl Into<String>) -> Self {
        self.orderby = Some(orderby.into());
        self
    }

    /// The query options to send: `$select` as one comma-joined value, `$count` only when asked.
    pub fn query(&self) -> Query {
        Query {
            select: (!self.select.is_empty()).then(|| self.select.join(",")),
            filter: self.filter.clone(),
            orderby: self.orderby.clone(),
            top: self.top.map(i64::from),
            count: self.count.then_some(true),
            ..Query::default()
        }
    }
}

/// API connectors (`/identity/apiConnectors`) of Graph version `V`, from
/// [`Graph::connectors`].
#[derive(Clone, Debug)]
pub struct Connectors<V: Version> {
    graph: Graph<V>,
}

impl<V: Version> Connectors<V> {
    pub(crate) fn new(graph: Graph<V>) -> Self {
        Connectors { graph }
    }

    /// One page of connectors (the first), as Graph returned it.
    pub async fn list_page(&self, options: &ListOptions) -> Result<V::ConnectorPage> {
        call(
            self.graph.transport(),
            V::list_api_connectors(self.graph.generated(), &options.query()),
        )
        .await
    }

    /// Every connector, following `@odata.nextLink`, as a stream.
    pub fn list(&self, options: ListOptions) -> BoxStream<'static, Result<V::Connector>> {
        let this = self.clone();
        crate::paging::items::<V::ConnectorPage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move { this.list_page(&options).await },
        )
    }

    /// Every connector, collected.
    pub async fn list_all(&self, options: ListOptions) -> Result<Vec<V::Connector>> {
        futures::TryStreamExt::try_collect(self.list(options)).await
    }

    /// A connector by id; `select` limits the properties returned.
    pub async fn get(&self, id: &str, select: &[&str]) -> Result<V::Connector> {
        validate_id("connector", id)?;
        let query = Query {
            select: (!select.is_empty()).then(|| select.join(",")),
            ..Query::default()
        };
        call(
            self.graph.transport(),
            V::get_api_connector(self.graph.generated(), id, &query),
        )
        .await
    }

    /// Create a connector (`201 Created`). Not retried after the request may have reached
    /// Graph, so a connector is never created twice.
    pub async fn create(&self, connector: &NewConnector) -> Result<V::Connector> {
        connector.validate()?;
        let body = typed(connector.to_json())?;
        call(
            self.graph.transport(),
            V::create_api_connector(self.graph.generated(), body),
        )
        .await
    }

    /// Update a connector: a real PATCH; only fields that are not `Keep` are sent, `Null` as
    /// JSON `null` (`204 No Content`).
    pub async fn update(&self, id: &str, patch: &ConnectorPatch) -> Result<()> {
        validate_id("connector", id)?;
        let body = patch.to_body()?;
        self.graph
            .send_json(
                reqwest::Method::PATCH,
                &["identity", "apiConnectors", id],
                &body,
            )
            .await?;
        Ok(())
    }

    /// Delete a connector (`204 No Content`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_id("connector", id)?;
        call(
            self.graph.transport(),
            V::delete_api_connector(self.graph.generated(), id),
        )
        .await
    }

    /// The request [`create`](Self::create) would send, checked the same way, secrets masked.
    pub fn preview_create(&self, connector: &NewConnector) -> Result<RequestPreview> {
        connector.validate()?;
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.graph.entity_url(&["identity", "apiConnectors"]),
            Some(connector.to_json()),
        ))
    }

    /// The request [`update`](Self::update) would send, checked the same way, secrets masked.
    pub fn preview_update(&self, id: &str, patch: &ConnectorPatch) -> Result<RequestPreview> {
        validate_id("connector", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::PATCH,
            self.graph.entity_url(&["identity", "apiConnectors", id]),
            Some(patch.to_body()?),
        ))
    }

    /// The request [`delete`](Self::delete) would send.
    pub fn preview_delete(&self, id: &str) -> Result<RequestPreview> {
        validate_id("connector", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::DELETE,
            self.graph.entity_url(&["identity", "apiConnectors", id]),
            None,
        ))
    }

    /// The request [`upload_certificate`](Self::upload_certificate) would send, `pkcs12Value`
    /// and `password` masked.
    pub fn preview_upload_certificate(
        &self,
        id: &str,
        upload: &Pkcs12Upload,
    ) -> Result<RequestPreview> {
        validate_id("connector", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.graph
                .entity_url(&["identity", "apiConnectors", id, "uploadClientCertificate"]),
            Some(upload.to_json()),
        ))
    }

    /// Upload a client certificate (`uploadClientCertificate`); returns the connector with its
    /// `certificateList`. The certificate was checked locally when `upload` was built.
    pub async fn upload_certificate(
        &self,
        id: &str,
        upload: &Pkcs12Upload,
    ) -> Result<V::Connector> {
        validate_id("connector", id)?;
        let body = typed(upload.to_json())?;
        call(
            self.graph.transport(),
            V::upload_client_certificate(self.graph.generated(), id, body),
        )
        .await
    }
}
