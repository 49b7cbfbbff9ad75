//! [`ConnectorRequest`]: the claims the user flow posts to the API, and the [`Identity`] entries
//! of its `identities` claim.

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::claims::{custom_attribute_claim_name, find_custom_attribute};
use crate::{Claims, ContractError, Step};

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
