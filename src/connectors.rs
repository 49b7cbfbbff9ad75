//! API connector operations: typed inputs, validation before sending, and the PATCH encoding.
//!
//! The operations themselves are on each version's `Connectors` handle
//! (`client.beta().connectors()`, `client.v1().connectors()`).

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use url::Url;

use crate::certificate::{CertificateSummary, CertificateWarning, Pkcs12Bundle, unix_now};
use crate::error::{Error, Result};

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

    /// The base64 `pkcs12Value`.
    pub(crate) fn base64(&self) -> &SecretString {
        &self.base64
    }

    /// The password.
    pub(crate) fn password(&self) -> &SecretString {
        &self.password
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
                "pkcs12Value": upload.base64().expose_secret(),
                "password": upload.password().expose_secret(),
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
    fn encode(&self, name: &str, body: &mut Map<String, Value>, value: impl FnOnce(&T) -> Value) {
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
}

/// `$select` as Graph wants it: one comma-joined value.
pub(crate) fn join(properties: &[String]) -> Option<String> {
    (!properties.is_empty()).then(|| properties.join(","))
}

/// Operations on `/identity/apiConnectors` for one Graph version module.
macro_rules! connector_operations {
    () => {
        /// API connectors (`/identity/apiConnectors`).
        #[derive(Clone, Debug)]
        pub struct Connectors {
            graph: Graph,
        }

        impl Graph {
            /// API connectors of the tenant.
            pub fn connectors(&self) -> Connectors {
                Connectors { graph: self.clone() }
            }
        }

        impl Connectors {
            /// One page of connectors (the first), as Graph returned it.
            pub async fn list_page(
                &self,
                options: &$crate::connectors::ListOptions,
            ) -> $crate::Result<types::IdentityApiConnectorCollectionResponse> {
                let mut call = self.graph.client.list_api_connectors();
                if let Some(select) = $crate::connectors::join(&options.select) {
                    call = call.select(select);
                }
                if let Some(filter) = &options.filter {
                    call = call.filter(filter.clone());
                }
                if let Some(orderby) = &options.orderby {
                    call = call.orderby(orderby.clone());
                }
                if let Some(top) = options.top {
                    call = call.top(top as i64);
                }
                if options.count {
                    call = call.count(true);
                }
                match call.send().await {
                    Ok(page) => Ok(page.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Every connector, following `@odata.nextLink`, as a stream.
            pub fn list(
                &self,
                options: $crate::connectors::ListOptions,
            ) -> futures::stream::BoxStream<'static, $crate::Result<types::IdentityApiConnector>> {
                let this = self.clone();
                $crate::paging::items::<types::IdentityApiConnectorCollectionResponse, _>(
                    self.graph.graph.transport().clone(),
                    self.graph.base_url(),
                    self.graph.graph.max_pages(),
                    async move { this.list_page(&options).await },
                )
            }

            /// Every connector, collected.
            pub async fn list_all(
                &self,
                options: $crate::connectors::ListOptions,
            ) -> $crate::Result<Vec<types::IdentityApiConnector>> {
                futures::TryStreamExt::try_collect(self.list(options)).await
            }

            /// A connector by id; `select` limits the properties returned.
            pub async fn get(&self, id: &str, select: &[&str]) -> $crate::Result<types::IdentityApiConnector> {
                $crate::connectors::validate_id("connector", id)?;
                let mut call = self.graph.client.get_api_connector().id(id);
                if !select.is_empty() {
                    call = call.select(select.join(","));
                }
                match call.send().await {
                    Ok(c) => Ok(c.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Create a connector (`201 Created`). Not retried after the request may have reached
            /// Graph, so a connector is never created twice.
            pub async fn create(
                &self,
                connector: &$crate::connectors::NewConnector,
            ) -> $crate::Result<types::IdentityApiConnector> {
                connector.validate()?;
                let body = types::IdentityApiConnector {
                    display_name: Some(connector.display_name.clone()),
                    target_url: Some(connector.target_url.clone()),
                    authentication_configuration: Some(authentication(&connector.authentication)),
                    ..Default::default()
                };
                match self.graph.client.create_api_connector().body(body).send().await {
                    Ok(c) => Ok(c.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Update a connector: a real PATCH; only fields that are not `Keep` are sent, `Null`
            /// as JSON `null` (`204 No Content`).
            pub async fn update(&self, id: &str, patch: &$crate::connectors::ConnectorPatch) -> $crate::Result<()> {
                $crate::connectors::validate_id("connector", id)?;
                let body = patch.to_body()?;
                self.graph.send_json(reqwest::Method::PATCH, &["identity", "apiConnectors", id], &body).await?;
                Ok(())
            }

            /// Delete a connector (`204 No Content`).
            pub async fn delete(&self, id: &str) -> $crate::Result<()> {
                $crate::connectors::validate_id("connector", id)?;
                match self.graph.client.delete_api_connector().id(id).send().await {
                    Ok(_) => Ok(()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Upload a client certificate (`uploadClientCertificate`); returns the connector with
            /// its `certificateList`. The certificate was checked locally when `upload` was built.
            pub async fn upload_certificate(
                &self,
                id: &str,
                upload: &$crate::connectors::Pkcs12Upload,
            ) -> $crate::Result<types::IdentityApiConnector> {
                $crate::connectors::validate_id("connector", id)?;
                let body = types::UploadClientCertificateRequest {
                    pkcs12_value: $crate::Secret::from(upload.base64().clone()),
                    password: $crate::Secret::from(upload.password().clone()),
                };
                match self.graph.client.upload_client_certificate().id(id).body(body).send().await {
                    Ok(c) => Ok(c.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }
        }

        /// The generated form of an [`Authentication`]($crate::connectors::Authentication).
        fn authentication(a: &$crate::connectors::Authentication) -> types::ApiAuthenticationConfigurationBase {
            match a {
                $crate::connectors::Authentication::Basic { username, password } => {
                    types::BasicAuthentication {
                        username: Some(username.clone()),
                        password: Some($crate::Secret::from(password.clone())),
                    }
                    .into()
                }
                $crate::connectors::Authentication::Certificate(upload) => types::Pkcs12Certificate {
                    pkcs12_value: Some($crate::Secret::from(upload.base64().clone())),
                    password: Some($crate::Secret::from(upload.password().clone())),
                }
                .into(),
            }
        }

        impl types::IdentityApiConnector {
            /// The uploaded certificates, when the connector uses client certificates.
            pub fn certificates(&self) -> Vec<$crate::certificate::CertificateSummary> {
                match &self.authentication_configuration {
                    Some(types::ApiAuthenticationConfigurationBase::ClientCertificateAuthentication(c)) => c
                        .certificate_list
                        .iter()
                        .map(|i| $crate::certificate::CertificateSummary {
                            thumbprint: i.thumbprint.clone().unwrap_or_default(),
                            not_before: i.not_before,
                            not_after: i.not_after,
                            is_active: i.is_active,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            }

            /// The certificate Graph presents now (`isActive`).
            pub fn active_certificate(&self) -> Option<$crate::certificate::CertificateSummary> {
                self.certificates().into_iter().find(|c| c.is_active)
            }

            /// Certificates that expire within `within` from now.
            pub fn certificates_expiring_within(
                &self,
                within: std::time::Duration,
            ) -> Vec<$crate::certificate::CertificateSummary> {
                let all = self.certificates();
                $crate::certificate::expiring_within(&all, $crate::certificate::unix_now(), within)
                    .into_iter()
                    .cloned()
                    .collect()
            }
        }

        $crate::paging::collection_pages!(
            types::IdentityApiConnectorCollectionResponse => types::IdentityApiConnector,
        );
    };
}
pub(crate) use connector_operations;
