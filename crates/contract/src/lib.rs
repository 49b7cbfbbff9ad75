//! The contract between a sign-up user flow and the REST API that an API connector calls.
//!
//! When a user flow reaches a step that has an API connector, Azure AD B2C / Entra External ID
//! sends an HTTP `POST` with `Content-Type: application/json` whose body is one flat JSON object
//! of claims ([`ConnectorRequest`]). The API answers with one of three documented responses
//! ([`ConnectorResponse`]): a continuation (HTTP 200, optionally overwriting claims), a blocking
//! page (HTTP 200) or a validation error (HTTP 400). The call is authenticated with HTTP basic
//! authentication ([`verify_basic_auth`]) or a client certificate presented in the TLS handshake
//! ([`certificate_thumbprint_matches`]).
//!
//! Both sides are modelled: an API parses requests and builds responses; a simulator of the user
//! flow builds requests and parses responses. Parsing accepts the spellings that differ between
//! the documentation pages; emitting always uses one documented spelling, strict JSON, no nulls.
//!
//! Sources:
//! - <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>
//! - <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment>
//! - <https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>
//! - <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector>
//! - <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-approvals>
//!
//! ```
//! use entra_api_connectors_contract::{ConnectorRequest, ConnectorResponse, Continuation, Step};
//!
//! let body = br#"{"email":"ana@example.com","step":"PostAttributeCollection","postalCode":"1234"}"#;
//! let request = ConnectorRequest::from_json(body)?;
//! assert_eq!(request.step, Some(Step::PostAttributeCollection));
//!
//! let response = if request.postal_code.as_deref() == Some("1234") {
//!     ConnectorResponse::validation_error("Please enter a valid postal code.")
//! } else {
//!     Continuation::new().with_claim("postalCode", "12349")?.into()
//! };
//! response.validate_for(Step::PostAttributeCollection)?;
//! let (status, body) = response.to_http();
//! assert_eq!(status, 400);
//! assert_eq!(
//!     String::from_utf8(body).unwrap(),
//!     r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code."}"#
//! );
//! # Ok::<(), entra_api_connectors_contract::ContractError>(())
//! ```

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use indexmap::IndexMap;
#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

/// Claims by name, in the order they were received or inserted.
pub type Claims = IndexMap<String, Value>;

/// The `Content-Type` of both the request and the response bodies.
pub const CONTENT_TYPE: &str = "application/json";

/// The `version` this crate writes into every response ("the version of your API" in the docs,
/// shown as `1.0.0` in every documented example).
pub const RESPONSE_VERSION: &str = "1.0.0";

/// Errors in the API connector contract.
///
/// Messages never contain passwords or `Authorization` header contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// A request body is not a JSON object of claims in the documented form.
    #[error("invalid API connector request body: {0}")]
    InvalidRequest(String),
    /// A response body is not a JSON object in the documented form.
    #[error("invalid API connector response body: {0}")]
    InvalidResponse(String),
    /// A field that the documentation marks as required is missing from a response.
    #[error("API connector response is missing the required `{field}` field")]
    MissingField {
        /// Wire name of the missing field.
        field: &'static str,
    },
    /// A response field has the wrong type or value.
    #[error("API connector response field `{field}` must be {expected}")]
    InvalidField {
        /// Wire name of the field.
        field: &'static str,
        /// What the documentation allows.
        expected: &'static str,
    },
    /// The `action` of a response is not one of the documented actions.
    #[error(
        "unknown API connector action `{0}` (expected `Continue`, `ShowBlockPage` or `ValidationError`)"
    )]
    UnknownAction(String),
    /// A user flow step name is not one of the documented steps.
    #[error(
        "unknown user flow step `{0}` (expected `PostFederationSignup`, `PostAttributeCollection` or `PreTokenIssuance`)"
    )]
    UnknownStep(String),
    /// The HTTP status does not match the response's action.
    #[error("a `{action}` response must be sent with HTTP status {expected}, got {actual}")]
    HttpStatusMismatch {
        /// The action found in the body.
        action: Action,
        /// The status the documentation requires for it.
        expected: u16,
        /// The status that was sent.
        actual: u16,
    },
    /// The HTTP status is neither 200 nor 400.
    #[error(
        "HTTP status {0} is not part of the API connector contract (responses use 200, validation errors 400)"
    )]
    UnexpectedHttpStatus(u16),
    /// The response's action is not allowed at this step of the user flow.
    #[error("a `{action}` response is not allowed at the `{step}` step")]
    ActionNotAllowed {
        /// The action of the response.
        action: Action,
        /// The step the API connector was called at.
        step: Step,
    },
    /// A continuation response returns a claim that this step cannot overwrite.
    #[error("claim `{claim}` cannot be returned at the `{step}` step")]
    ClaimNotOverwritable {
        /// The claim's name.
        claim: String,
        /// The step the API connector was called at.
        step: Step,
    },
    /// A claim has a `null` value; claims without a value are left out instead.
    #[error("claim `{0}` is null; leave out claims that have no value")]
    NullClaim(String),
    /// A claim name is empty or collides with a field of the response itself.
    #[error("`{0}` cannot be used as a claim name in an API connector response")]
    InvalidClaimName(String),
    /// An extensions app id is not a GUID.
    #[error(
        "invalid extensions app id `{0}`: expected a GUID (32 hexadecimal digits, dashes optional)"
    )]
    InvalidExtensionsAppId(String),
    /// A custom attribute name is empty, contains whitespace or names another app.
    #[error("invalid custom attribute name `{0}`")]
    InvalidAttributeName(String),
    /// An `Authorization` header is not valid HTTP basic authentication.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(&'static str),
}

// ---------------------------------------------------------------------------------------------
// Steps and actions
// ---------------------------------------------------------------------------------------------

/// The point of the user flow at which an API connector is called (the request's `step` claim).
///
/// Azure AD B2C sends this claim; Entra External ID self-service sign-up does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
pub enum Step {
    /// "After federating with an identity provider during sign-up", before the attribute
    /// collection page.
    PostFederationSignup,
    /// "Before creating the user", after the attribute collection page.
    PostAttributeCollection,
    /// "Before sending the token (preview)". The B2C sign-up page shows this step as
    /// `PreTokenApplicationClaims` in one example; that spelling is accepted on input.
    #[serde(alias = "PreTokenApplicationClaims")]
    PreTokenIssuance,
}

impl Step {
    /// Every step, in the order a sign-up goes through them.
    pub const ALL: [Step; 3] = [
        Step::PostFederationSignup,
        Step::PostAttributeCollection,
        Step::PreTokenIssuance,
    ];

    /// The value of the `step` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "PostFederationSignup",
            Step::PostAttributeCollection => "PostAttributeCollection",
            Step::PreTokenIssuance => "PreTokenIssuance",
        }
    }

    /// The property of Microsoft Graph's `userFlowApiConnectorConfiguration` that holds the API
    /// connector called at this step
    /// (<https://learn.microsoft.com/graph/api/resources/userflowapiconnectorconfiguration>).
    pub fn configuration_property(self) -> &'static str {
        match self {
            Step::PostFederationSignup => "postFederationSignup",
            Step::PostAttributeCollection => "postAttributeCollection",
            Step::PreTokenIssuance => "preTokenIssuance",
        }
    }

    /// The response actions the API may return at this step: a blocking page only during
    /// sign-up, a validation error only after the attribute collection page.
    pub fn allowed_actions(self) -> &'static [Action] {
        match self {
            Step::PostFederationSignup => &[Action::Continue, Action::ShowBlockPage],
            Step::PostAttributeCollection => &[
                Action::Continue,
                Action::ShowBlockPage,
                Action::ValidationError,
            ],
            Step::PreTokenIssuance => &[Action::Continue],
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = ContractError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PostFederationSignup" => Ok(Step::PostFederationSignup),
            "PostAttributeCollection" => Ok(Step::PostAttributeCollection),
            "PreTokenIssuance" | "PreTokenApplicationClaims" => Ok(Step::PreTokenIssuance),
            other => Err(ContractError::UnknownStep(other.to_owned())),
        }
    }
}

/// The `action` of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
pub enum Action {
    /// Continue the user flow, optionally overwriting claims.
    Continue,
    /// Stop the user flow and show `userMessage` on a block page.
    ShowBlockPage,
    /// Stay on the attribute collection page and show `userMessage`.
    ValidationError,
}

impl Action {
    /// The value of the `action` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Continue => "Continue",
            Action::ShowBlockPage => "ShowBlockPage",
            Action::ValidationError => "ValidationError",
        }
    }

    /// The HTTP status a response with this action is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            Action::Continue | Action::ShowBlockPage => 200,
            Action::ValidationError => 400,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = ContractError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Continue" => Ok(Action::Continue),
            "ShowBlockPage" => Ok(Action::ShowBlockPage),
            "ValidationError" => Ok(Action::ValidationError),
            other => Err(ContractError::UnknownAction(other.to_owned())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Custom attributes
// ---------------------------------------------------------------------------------------------

const EXTENSION_PREFIX: &str = "extension_";

/// Removes the dashes from an extensions app id (a GUID) and lower-cases it, as it appears in
/// custom attribute claim names.
pub fn normalize_extensions_app_id(app_id: &str) -> Result<String, ContractError> {
    let trimmed = app_id.trim();
    let compact: String = trimmed.chars().filter(|c| *c != '-').collect();
    let dashes_ok = !trimmed.contains('-') || is_dashed_guid(trimmed);
    if compact.len() == 32 && dashes_ok && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(compact.to_ascii_lowercase())
    } else {
        Err(ContractError::InvalidExtensionsAppId(app_id.to_owned()))
    }
}

fn is_dashed_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
}

/// The claim name of a custom attribute: `extension_<app id without dashes>_<name>`.
///
/// `name` may be the bare attribute name, or already carry the `extension_` prefix with or
/// without this app id.
pub fn custom_attribute_claim_name(
    extensions_app_id: &str,
    name: &str,
) -> Result<String, ContractError> {
    let app_id = normalize_extensions_app_id(extensions_app_id)?;
    let bare = bare_attribute_name(name, Some(&app_id))?;
    Ok(format!("{EXTENSION_PREFIX}{app_id}_{bare}"))
}

/// Splits a claim name `extension_<32 hex>_<name>` or `extension_<name>` into its app id
/// (if present) and attribute name. Returns `None` for other claim names.
fn split_extension_claim(key: &str) -> Option<(Option<&str>, &str)> {
    let rest = key.strip_prefix(EXTENSION_PREFIX)?;
    if rest.len() > 33
        && rest.as_bytes()[32] == b'_'
        && rest.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit)
    {
        return Some((Some(&rest[..32]), &rest[33..]));
    }
    (!rest.is_empty()).then_some((None, rest))
}

/// The bare attribute name of `name` (`Name`, `extension_Name` or `extension_<app>_Name`);
/// when `name` carries an app id it must be `expected_app_id` (normalized).
fn bare_attribute_name<'a>(
    name: &'a str,
    expected_app_id: Option<&str>,
) -> Result<&'a str, ContractError> {
    let invalid = || ContractError::InvalidAttributeName(name.to_owned());
    let bare = match split_extension_claim(name) {
        Some((Some(app), bare)) => {
            if let Some(expected) = expected_app_id
                && !app.eq_ignore_ascii_case(expected)
            {
                return Err(invalid());
            }
            bare
        }
        Some((None, bare)) => bare,
        None if name.starts_with(EXTENSION_PREFIX) => return Err(invalid()),
        None => name,
    };
    if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    Ok(bare)
}

/// Finds a custom attribute among `claims`: the full `extension_<app id>_<name>` form, or, when
/// `allow_short` is set, the `extension_<name>` form that responses may use.
fn find_custom_attribute<'c>(
    claims: &'c Claims,
    extensions_app_id: &str,
    name: &str,
    allow_short: bool,
) -> Option<&'c Value> {
    let app_id = normalize_extensions_app_id(extensions_app_id).ok()?;
    let bare = bare_attribute_name(name, Some(&app_id)).ok()?;
    let mut short = None;
    for (key, value) in claims {
        match split_extension_claim(key) {
            Some((Some(app), key_name))
                if key_name == bare && app.eq_ignore_ascii_case(&app_id) =>
            {
                return Some(value);
            }
            Some((None, key_name)) if allow_short && key_name == bare => short = Some(value),
            _ => {}
        }
    }
    short
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// One entry of the `identities` claim: how the user signs in (Microsoft Graph `objectIdentity`,
/// <https://learn.microsoft.com/graph/api/resources/objectidentity>).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// `federated` for social and enterprise identity providers, `emailAddress`, `userName`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub sign_in_type: Option<String>,
    /// The identity provider, for example `facebook.com` or `google.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub issuer: Option<String>,
    /// The user's identifier at the identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub issuer_assigned_id: Option<String>,
}

impl Identity {
    /// A federated identity from `issuer` with the user's id there.
    pub fn federated(issuer: impl Into<String>, issuer_assigned_id: impl Into<String>) -> Self {
        Identity {
            sign_in_type: Some("federated".to_owned()),
            issuer: Some(issuer.into()),
            issuer_assigned_id: Some(issuer_assigned_id.into()),
        }
    }
}

/// The JSON body an API connector posts to the API: built-in claims, the call's context
/// (`step`, `client_id`, `objectId`, `ui_locales`) and every other claim, custom attributes
/// included, kept in order in [`additional_claims`](Self::additional_claims).
///
/// A claim without a value is left out of the request, never sent as `null`, so every field is
/// optional; `null` received on input is read as absent. Accepted alternative spellings:
/// `clientId` for `client_id`, `lastName` for `surname`, `PreTokenApplicationClaims` for
/// `PreTokenIssuance`. Serialization writes the documented main spelling and no nulls.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectorRequest {
    /// `email`: always sent after federation; identifies the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub email: Option<String>,
    /// `identities`: the user's sign-in identities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Identity>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub display_name: Option<String>,
    /// `objectId`: the user's id, sent before token issuance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub object_id: Option<String>,
    /// `givenName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub given_name: Option<String>,
    /// `surname` (`lastName` in an External ID example).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "lastName")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub surname: Option<String>,
    /// `jobTitle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub job_title: Option<String>,
    /// `streetAddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub street_address: Option<String>,
    /// `city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub city: Option<String>,
    /// `postalCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub postal_code: Option<String>,
    /// `state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub state: Option<String>,
    /// `country`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub country: Option<String>,
    /// Custom attributes (`extension_<app id>_<Name>`) and any other claim, in order.
    /// Nulls and names of the typed fields above are skipped when serializing.
    #[serde(
        flatten,
        serialize_with = "serialize_additional_claims",
        deserialize_with = "deserialize_non_null_claims"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Claims"))]
    pub additional_claims: Claims,
    /// `step`: where in the user flow the API connector was called (B2C only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "Step"))]
    pub step: Option<Step>,
    /// `client_id` (`clientId` in one example): the app the user is signing in to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "client_id",
        alias = "clientId"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub client_id: Option<String>,
    /// `ui_locales`: the user's locales, for localized messages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "ui_locales"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub ui_locales: Option<String>,
}

/// Wire names of the typed fields of [`ConnectorRequest`], alternative spellings included.
const REQUEST_FIELDS: &[&str] = &[
    "email",
    "identities",
    "displayName",
    "objectId",
    "givenName",
    "surname",
    "lastName",
    "jobTitle",
    "streetAddress",
    "city",
    "postalCode",
    "state",
    "country",
    "step",
    "client_id",
    "clientId",
    "ui_locales",
];

fn serialize_additional_claims<S: Serializer>(
    claims: &Claims,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        claims
            .iter()
            .filter(|(k, v)| !v.is_null() && !REQUEST_FIELDS.contains(&k.as_str())),
    )
}

fn deserialize_non_null_claims<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Claims, D::Error> {
    let mut claims = Claims::deserialize(deserializer)?;
    claims.retain(|_, v| !v.is_null());
    Ok(claims)
}

impl ConnectorRequest {
    /// Parses a request body.
    pub fn from_json(body: impl AsRef<[u8]>) -> Result<Self, ContractError> {
        serde_json::from_slice(body.as_ref())
            .map_err(|e| ContractError::InvalidRequest(e.to_string()))
    }

    /// The request body as sent by the user flow: compact JSON without nulls.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("claims always serialize: all map keys are strings")
    }

    /// The value of custom attribute `name` (`extension_<app id>_<name>`). `extensions_app_id`
    /// may be written with or without dashes; `name` may be bare or carry the full prefix.
    pub fn custom_attribute(&self, extensions_app_id: &str, name: &str) -> Option<&Value> {
        find_custom_attribute(&self.additional_claims, extensions_app_id, name, false)
    }

    /// Sets custom attribute `name` under its full claim name, returning the previous value.
    pub fn set_custom_attribute(
        &mut self,
        extensions_app_id: &str,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, ContractError> {
        let key = custom_attribute_claim_name(extensions_app_id, name)?;
        let value = value.into();
        if value.is_null() {
            return Err(ContractError::NullClaim(key));
        }
        Ok(self.additional_claims.insert(key, value))
    }
}

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

/// The claims a continuation response returns: at `PostFederationSignup` they pre-fill the
/// attribute collection page, at `PostAttributeCollection` they overwrite what the user entered,
/// before token issuance they go into the token.
///
/// Claim names are never `version` or `action` and values are never `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Continuation {
    claims: Claims,
}

impl Continuation {
    /// A continuation that returns no claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a claim.
    pub fn with_claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        self.insert_claim(name, value)?;
        Ok(self)
    }

    /// Adds (or replaces) a claim, returning the previous value.
    pub fn insert_claim(
        &mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, ContractError> {
        let name = name.into();
        let value = value.into();
        check_response_claim(&name, &value)?;
        Ok(self.claims.insert(name, value))
    }

    /// Returns custom attribute `name` as `extension_<name>`, the form without the app id that
    /// the docs allow in responses. If `name` already carries `extension_<app id>_`, it is kept.
    /// Any other entry for the same attribute is replaced.
    pub fn with_custom_attribute(
        mut self,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        let key = match split_extension_claim(name) {
            Some((Some(_), _)) => {
                bare_attribute_name(name, None)?;
                name.to_owned()
            }
            _ => format!("{EXTENSION_PREFIX}{}", bare_attribute_name(name, None)?),
        };
        let bare = bare_attribute_name(name, None)?.to_owned();
        self.set_custom_attribute_key(&bare, key, value.into())?;
        Ok(self)
    }

    /// Returns custom attribute `name` under its full name `extension_<app id>_<name>`.
    /// Any other entry for the same attribute is replaced.
    pub fn with_custom_attribute_for_app(
        mut self,
        extensions_app_id: &str,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        let key = custom_attribute_claim_name(extensions_app_id, name)?;
        let bare = bare_attribute_name(name, None)?.to_owned();
        self.set_custom_attribute_key(&bare, key, value.into())?;
        Ok(self)
    }

    fn set_custom_attribute_key(
        &mut self,
        bare: &str,
        key: String,
        value: Value,
    ) -> Result<(), ContractError> {
        check_response_claim(&key, &value)?;
        self.claims.retain(|existing, _| {
            !matches!(split_extension_claim(existing), Some((_, name)) if name == bare)
        });
        self.claims.insert(key, value);
        Ok(())
    }

    /// The returned claims, in order.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// One returned claim.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// A returned custom attribute, whether its name carries the app id
    /// (`extension_<app id>_<name>`, preferred) or not (`extension_<name>`).
    pub fn custom_attribute(&self, extensions_app_id: &str, name: &str) -> Option<&Value> {
        find_custom_attribute(&self.claims, extensions_app_id, name, true)
    }

    /// Whether no claim is returned.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The returned claims.
    pub fn into_claims(self) -> Claims {
        self.claims
    }
}

fn check_response_claim(name: &str, value: &Value) -> Result<(), ContractError> {
    if name.is_empty() || name == "version" || name == "action" {
        return Err(ContractError::InvalidClaimName(name.to_owned()));
    }
    if value.is_null() {
        return Err(ContractError::NullClaim(name.to_owned()));
    }
    Ok(())
}

/// What the API answers to an API connector call.
///
/// On the wire every response carries `version` ([`RESPONSE_VERSION`] when written by this
/// crate) and `action`; [`to_http`](Self::to_http) gives the exact status and body.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectorResponse {
    /// HTTP 200, `"action": "Continue"`, plus the claims to return.
    Continue(Continuation),
    /// HTTP 200, `"action": "ShowBlockPage"`: ends the sign-up and shows `userMessage`.
    /// Not allowed before token issuance.
    ShowBlockPage {
        /// Message shown to the user.
        user_message: String,
    },
    /// HTTP 400, `"status": 400`, `"action": "ValidationError"`: the user stays on the
    /// attribute collection page and sees `userMessage`. Only after attribute collection.
    ValidationError {
        /// Message shown to the user.
        user_message: String,
    },
}

impl From<Continuation> for ConnectorResponse {
    fn from(continuation: Continuation) -> Self {
        ConnectorResponse::Continue(continuation)
    }
}

impl ConnectorResponse {
    /// A continuation that returns no claims.
    pub fn continuation() -> Self {
        ConnectorResponse::Continue(Continuation::new())
    }

    /// A blocking response showing `user_message`.
    pub fn block(user_message: impl Into<String>) -> Self {
        ConnectorResponse::ShowBlockPage {
            user_message: user_message.into(),
        }
    }

    /// A validation-error response showing `user_message`.
    pub fn validation_error(user_message: impl Into<String>) -> Self {
        ConnectorResponse::ValidationError {
            user_message: user_message.into(),
        }
    }

    /// The response's `action`.
    pub fn action(&self) -> Action {
        match self {
            ConnectorResponse::Continue(_) => Action::Continue,
            ConnectorResponse::ShowBlockPage { .. } => Action::ShowBlockPage,
            ConnectorResponse::ValidationError { .. } => Action::ValidationError,
        }
    }

    /// The HTTP status to send: 400 for a validation error, 200 otherwise.
    pub fn http_status(&self) -> u16 {
        self.action().http_status()
    }

    /// The message shown to the user, for blocking and validation-error responses.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            ConnectorResponse::Continue(_) => None,
            ConnectorResponse::ShowBlockPage { user_message }
            | ConnectorResponse::ValidationError { user_message } => Some(user_message),
        }
    }

    /// The claims of a continuation response.
    pub fn continuation_claims(&self) -> Option<&Continuation> {
        match self {
            ConnectorResponse::Continue(c) => Some(c),
            _ => None,
        }
    }

    /// The response body: compact JSON, `version` first, no nulls.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("responses always serialize: all map keys are strings")
    }

    /// The HTTP status and body to send (with `Content-Type:` [`CONTENT_TYPE`]).
    pub fn to_http(&self) -> (u16, Vec<u8>) {
        (self.http_status(), self.to_json().into_bytes())
    }

    /// Parses a response body, ignoring the HTTP status. Accepts `status` as `400` or `"400"`
    /// and any `version` string.
    pub fn from_json(body: impl AsRef<[u8]>) -> Result<Self, ContractError> {
        let value: Value = serde_json::from_slice(body.as_ref())
            .map_err(|e| ContractError::InvalidResponse(e.to_string()))?;
        match value {
            Value::Object(map) => Self::from_object(map),
            _ => Err(ContractError::InvalidResponse(
                "expected a JSON object".to_owned(),
            )),
        }
    }

    /// Parses what the API sent, as the user flow does: the status must be 200, or 400 for a
    /// validation error.
    pub fn from_http(status: u16, body: impl AsRef<[u8]>) -> Result<Self, ContractError> {
        if status != 200 && status != 400 {
            return Err(ContractError::UnexpectedHttpStatus(status));
        }
        let response = Self::from_json(body)?;
        let expected = response.http_status();
        if expected != status {
            return Err(ContractError::HttpStatusMismatch {
                action: response.action(),
                expected,
                actual: status,
            });
        }
        Ok(response)
    }

    fn from_object(mut map: Map<String, Value>) -> Result<Self, ContractError> {
        let version = map
            .remove("version")
            .ok_or(ContractError::MissingField { field: "version" })?;
        if !version.is_string() {
            return Err(ContractError::InvalidField {
                field: "version",
                expected: "a string",
            });
        }
        let action: Action = match map.remove("action") {
            Some(Value::String(action)) => action.parse()?,
            Some(_) => {
                return Err(ContractError::InvalidField {
                    field: "action",
                    expected: "a string",
                });
            }
            None => return Err(ContractError::MissingField { field: "action" }),
        };
        match action {
            Action::Continue => {
                let mut continuation = Continuation::new();
                for (name, value) in map {
                    continuation.insert_claim(name, value)?;
                }
                Ok(ConnectorResponse::Continue(continuation))
            }
            Action::ShowBlockPage => Ok(ConnectorResponse::ShowBlockPage {
                user_message: take_user_message(&mut map)?,
            }),
            Action::ValidationError => {
                match map.remove("status") {
                    Some(status) if is_validation_status(&status) => {}
                    Some(_) => {
                        return Err(ContractError::InvalidField {
                            field: "status",
                            expected: "400 or \"400\"",
                        });
                    }
                    None => return Err(ContractError::MissingField { field: "status" }),
                }
                Ok(ConnectorResponse::ValidationError {
                    user_message: take_user_message(&mut map)?,
                })
            }
        }
    }

    /// Whether this response may be returned at `step`.
    pub fn is_allowed_at(&self, step: Step) -> bool {
        self.validate_for(step).is_ok()
    }

    /// Checks this response against the rules of `step`: a validation error only after
    /// attribute collection, a blocking page only during sign-up (not before token issuance),
    /// and `email` cannot be returned before token issuance.
    pub fn validate_for(&self, step: Step) -> Result<(), ContractError> {
        let action = self.action();
        if !step.allowed_actions().contains(&action) {
            return Err(ContractError::ActionNotAllowed { action, step });
        }
        if let ConnectorResponse::Continue(c) = self
            && step == Step::PreTokenIssuance
            && c.claims.contains_key("email")
        {
            // "Claims that can be returned by the API correspond to the set found under User
            // attributes with the exception of email." (add-api-connector-token-enrichment)
            return Err(ContractError::ClaimNotOverwritable {
                claim: "email".to_owned(),
                step,
            });
        }
        Ok(())
    }
}

fn is_validation_status(status: &Value) -> bool {
    match status {
        Value::Number(n) => n.as_u64() == Some(400),
        Value::String(s) => s == "400",
        _ => false,
    }
}

fn take_user_message(map: &mut Map<String, Value>) -> Result<String, ContractError> {
    match map.remove("userMessage") {
        Some(Value::String(message)) => Ok(message),
        Some(_) => Err(ContractError::InvalidField {
            field: "userMessage",
            expected: "a string",
        }),
        None => Err(ContractError::MissingField {
            field: "userMessage",
        }),
    }
}

impl Serialize for ConnectorResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", RESPONSE_VERSION)?;
        if let ConnectorResponse::ValidationError { .. } = self {
            map.serialize_entry("status", &400)?;
        }
        map.serialize_entry("action", self.action().as_str())?;
        match self {
            ConnectorResponse::Continue(c) => {
                for (name, value) in &c.claims {
                    map.serialize_entry(name, value)?;
                }
            }
            ConnectorResponse::ShowBlockPage { user_message }
            | ConnectorResponse::ValidationError { user_message } => {
                map.serialize_entry("userMessage", user_message)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ConnectorResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        ConnectorResponse::from_object(map).map_err(D::Error::custom)
    }
}

/// The body of an API connector response: a continuation (HTTP 200) with the claims to return,
/// a blocking page (HTTP 200) or a validation error (HTTP 400).
#[cfg(feature = "schemars")]
#[derive(JsonSchema)]
#[serde(tag = "action")]
#[allow(dead_code)]
enum ConnectorResponseWire {
    /// Continue the user flow; every other property is a claim to return.
    Continue {
        version: String,
        #[serde(flatten)]
        claims: Claims,
    },
    /// End the sign-up and show `userMessage`.
    ShowBlockPage {
        version: String,
        #[serde(rename = "userMessage")]
        user_message: String,
    },
    /// Stay on the attribute collection page and show `userMessage` (HTTP status 400 too).
    ValidationError {
        version: String,
        status: ValidationStatusWire,
        #[serde(rename = "userMessage")]
        user_message: String,
    },
}

/// `status` of a validation error: `400` or `"400"`.
#[cfg(feature = "schemars")]
struct ValidationStatusWire;

#[cfg(feature = "schemars")]
impl JsonSchema for ValidationStatusWire {
    fn schema_name() -> Cow<'static, str> {
        "ValidationErrorStatus".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                { "type": "integer", "const": 400 },
                { "type": "string", "const": "400" }
            ]
        })
    }
}

#[cfg(feature = "schemars")]
impl JsonSchema for ConnectorResponse {
    fn schema_name() -> Cow<'static, str> {
        "ConnectorResponse".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        ConnectorResponseWire::json_schema(generator)
    }
}

// ---------------------------------------------------------------------------------------------
// Authentication of the call
// ---------------------------------------------------------------------------------------------

/// HTTP basic credentials (RFC 7617) as an API connector sends them in `Authorization`
/// (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).
/// `Debug` never shows the password.
#[derive(Clone)]
pub struct BasicCredentials {
    username: String,
    password: SecretString,
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

impl BasicCredentials {
    /// Credentials from a user name (which cannot contain `:`) and a password.
    pub fn new(username: impl Into<String>, password: SecretString) -> Result<Self, ContractError> {
        let username = username.into();
        if username.contains(':') {
            return Err(ContractError::MalformedAuthorization(
                "a basic authentication user name cannot contain ':'",
            ));
        }
        Ok(BasicCredentials { username, password })
    }

    /// Parses an `Authorization: Basic <base64(user:password)>` header value. The scheme is
    /// matched case-insensitively; the password may contain `:`.
    pub fn parse_authorization(header: &str) -> Result<Self, ContractError> {
        let header = header.trim();
        let (scheme, token) =
            header
                .split_once([' ', '\t'])
                .ok_or(ContractError::MalformedAuthorization(
                    "expected `Basic <credentials>`",
                ))?;
        if !scheme.eq_ignore_ascii_case("Basic") {
            return Err(ContractError::MalformedAuthorization(
                "the scheme is not Basic",
            ));
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(ContractError::MalformedAuthorization(
                "the credentials are empty",
            ));
        }
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(token)
                .map_err(|_| {
                    ContractError::MalformedAuthorization("the credentials are not valid base64")
                })?,
        );
        let colon = decoded.iter().position(|b| *b == b':').ok_or(
            ContractError::MalformedAuthorization("the credentials have no ':' separator"),
        )?;
        let username = std::str::from_utf8(&decoded[..colon]).map_err(|_| {
            ContractError::MalformedAuthorization("the user name is not valid UTF-8")
        })?;
        let password = std::str::from_utf8(&decoded[colon + 1..]).map_err(|_| {
            ContractError::MalformedAuthorization("the password is not valid UTF-8")
        })?;
        Ok(BasicCredentials {
            username: username.to_owned(),
            password: SecretString::from(password),
        })
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// The `Authorization` header value, `Basic <base64(user:password)>`; it is itself secret.
    pub fn to_authorization_header(&self) -> SecretString {
        let plain = Zeroizing::new(format!(
            "{}:{}",
            self.username,
            self.password.expose_secret()
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(plain.as_bytes());
        SecretString::from(format!("Basic {encoded}"))
    }

    /// Whether these are the expected credentials, compared in constant time.
    pub fn matches(&self, expected_user: &str, expected_password: &SecretString) -> bool {
        let user = constant_time_eq(self.username.as_bytes(), expected_user.as_bytes());
        let password = constant_time_eq(
            self.password.expose_secret().as_bytes(),
            expected_password.expose_secret().as_bytes(),
        );
        bool::from(user & password)
    }
}

/// Compares the SHA-256 digests so that neither the contents nor the lengths leak through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> subtle::Choice {
    sha2::Sha256::digest(a)
        .as_slice()
        .ct_eq(sha2::Sha256::digest(b).as_slice())
}

/// Whether an `Authorization` header carries the expected basic credentials. Malformed headers
/// and other schemes give `false`. The comparison runs in constant time.
pub fn verify_basic_auth(
    authorization_header: &str,
    expected_user: &str,
    expected_password: &SecretString,
) -> bool {
    BasicCredentials::parse_authorization(authorization_header)
        .is_ok_and(|credentials| credentials.matches(expected_user, expected_password))
}

/// A SHA-1 thumbprint in upper-case hex, from any case and with optional `:` or space
/// separators (`ab:cd:…`, `AB CD …`). `None` if it is not 20 bytes of hex.
pub fn normalize_thumbprint(thumbprint: &str) -> Option<String> {
    let hex: String = thumbprint
        .trim()
        .chars()
        .filter(|c| *c != ':' && *c != ' ')
        .collect();
    (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_uppercase())
}

/// Whether the thumbprint of the certificate the caller presented is one of the accepted ones
/// (for example the current and the next certificate while rolling it over). Case and `:`/space
/// separators do not matter; malformed thumbprints never match.
pub fn certificate_thumbprint_matches<I>(presented: &str, accepted: I) -> bool
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let Some(presented) = normalize_thumbprint(presented) else {
        return false;
    };
    accepted.into_iter().any(|candidate| {
        normalize_thumbprint(candidate.as_ref()).is_some_and(|candidate| candidate == presented)
    })
}

/// Whether a client certificate (DER, as a TLS stack hands it over) has one of the accepted
/// thumbprints (Graph's form: upper-case hex SHA-1 of the DER, see [`thumbprint_of`]).
pub fn client_certificate_matches<I>(der: &[u8], accepted: I) -> bool
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    certificate_thumbprint_matches(&thumbprint_of(der), accepted)
}

/// Graph's certificate thumbprint of a DER certificate: upper-case hex SHA-1, as Graph lists it in
/// a connector's `certificateList`.
pub fn thumbprint_of(certificate_der: &[u8]) -> String {
    use sha1::Digest as _;
    sha1::Sha1::digest(certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
