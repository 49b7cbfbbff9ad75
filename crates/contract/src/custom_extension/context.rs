//! The members that every custom-extension request carries in `data.authenticationContext`
//! ([`AuthenticationContext`], [`ClientContext`], [`ServicePrincipal`]), and the user of token
//! issuance start ([`AuthenticationUser`]). Unknown members are kept in `additional`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `data.authenticationContext`: where the authentication comes from.
///
/// The event-specific members of the context (`user` at token issuance start, `requestType` at
/// email OTP send) are in the event's request type, not here.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationContext {
    /// `correlationId` of the authentication (a GUID from the service; the docs' examples
    /// write placeholders such as `<GUID>`).
    pub correlation_id: String,
    /// `client`: the user's browser or device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientContext>,
    /// `protocol`, for example `OAUTH2.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `clientServicePrincipal`: the application the user signs in to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_service_principal: Option<ServicePrincipal>,
    /// `resourceServicePrincipal`: the resource the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_service_principal: Option<ServicePrincipal>,
    /// Members this crate does not know.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// `authenticationContext.client`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientContext {
    /// `ip`: the client's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// `locale`, for example `en-us`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `market`, for example `en-us`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    /// Members this crate does not know.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// `clientServicePrincipal` or `resourceServicePrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// `id`: the service principal's object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `appId`: the application (client) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `appDisplayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_display_name: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Members this crate does not know.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// `authenticationContext.user` at token issuance start: the Graph user the token is for
/// (custom claims provider reference; `preferredDataLocation` and `userType: "Guest"` for a B2B
/// user).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationUser {
    /// `companyName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// `createdDateTime` (ISO 8601, as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `givenName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `id`: the user's object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `mail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    /// `onPremisesSamAccountName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_premises_sam_account_name: Option<String>,
    /// `onPremisesSecurityIdentifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_premises_security_identifier: Option<String>,
    /// `onPremisesUserPrincipalName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_premises_user_principal_name: Option<String>,
    /// `preferredDataLocation` (sent for B2B users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_data_location: Option<String>,
    /// `preferredLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// `surname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// `userPrincipalName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// `userType`: `Member` or `Guest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Members this crate does not know.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
