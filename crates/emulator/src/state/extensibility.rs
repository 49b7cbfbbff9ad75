//! The stored records of External ID's extensibility resources: custom authentication extensions,
//! authentication events flows and authentication event listeners (`docs/graph-behaviour.md` §7–§9).
//! Values Graph passes through unchanged (a page layout, a handler's overwrite configuration) are
//! kept as JSON; everything the emulator acts on is typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The concrete type of a custom authentication extension the emulator serves (the four with a
/// documented payload; `docs/graph-behaviour.md` §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtensionKind {
    /// `onTokenIssuanceStartCustomExtension` (custom claims provider).
    TokenIssuanceStart,
    /// `onAttributeCollectionStartCustomExtension`.
    AttributeCollectionStart,
    /// `onAttributeCollectionSubmitCustomExtension`.
    AttributeCollectionSubmit,
    /// `onOtpSendCustomExtension`.
    OtpSend,
}

impl ExtensionKind {
    /// Every kind.
    pub const ALL: [ExtensionKind; 4] = [
        ExtensionKind::TokenIssuanceStart,
        ExtensionKind::AttributeCollectionStart,
        ExtensionKind::AttributeCollectionSubmit,
        ExtensionKind::OtpSend,
    ];

    /// The entity type's name in the CSDL.
    pub fn type_name(self) -> &'static str {
        match self {
            ExtensionKind::TokenIssuanceStart => "onTokenIssuanceStartCustomExtension",
            ExtensionKind::AttributeCollectionStart => "onAttributeCollectionStartCustomExtension",
            ExtensionKind::AttributeCollectionSubmit => {
                "onAttributeCollectionSubmitCustomExtension"
            }
            ExtensionKind::OtpSend => "onOtpSendCustomExtension",
        }
    }

    /// Whether workforce tenants have this event too (only token issuance start; the others are
    /// external-tenant events, `custom-extensions-contract.md` §4).
    pub fn in_workforce_tenants(self) -> bool {
        self == ExtensionKind::TokenIssuanceStart
    }
}

/// `clientConfiguration`: `null` members mean the service defaults (1000 ms, 1 retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfiguration {
    /// `timeoutInMilliseconds`, 200 to 2000.
    pub timeout_in_milliseconds: Option<i64>,
    /// `maximumRetries`, 0 or 1.
    pub maximum_retries: Option<i64>,
}

/// `behaviorOnError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BehaviorOnError {
    /// The abstract base `customExtensionBehaviorOnError`: the default behaviour.
    Default,
    /// `fallbackToMicrosoftProviderOnError` (OTP send: Entra sends the code itself).
    FallbackToMicrosoftProvider,
}

/// A stored custom authentication extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionRecord {
    /// GUID string.
    pub id: String,
    /// The concrete type.
    pub kind: ExtensionKind,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `endpointConfiguration` (`httpRequestEndpoint`) `targetUrl`; `None` when not set.
    pub target_url: Option<String>,
    /// Whether `endpointConfiguration` is set at all (an `httpRequestEndpoint` without a URL is
    /// possible).
    #[serde(default)]
    pub has_endpoint: bool,
    /// `authenticationConfiguration` (`azureAdTokenAuthentication`) `resourceId`.
    pub resource_id: Option<String>,
    /// Whether `authenticationConfiguration` is set at all.
    #[serde(default)]
    pub has_authentication: bool,
    /// `clientConfiguration`, `None` for `null`.
    pub client_configuration: Option<ClientConfiguration>,
    /// `behaviorOnError`, `None` for `null`.
    pub behavior_on_error: Option<BehaviorOnError>,
    /// `claimsForTokenConfiguration[].claimIdInApiResponse` (token issuance start only).
    #[serde(default)]
    pub claims_for_token_configuration: Vec<String>,
    /// Creation order, the key of the paging `$skiptoken`.
    pub(crate) seq: u64,
}

/// A handler that names a custom extension: a flow's `onAttributeCollectionStart/Submit`, or an
/// extension listener's `handler`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionHandler {
    /// `customExtension.id` (`None` when the handler names none yet).
    pub custom_extension_id: Option<String>,
    /// `configuration` (`customExtensionOverwriteConfiguration`) as sent, `None` for `null`.
    pub configuration: Option<Value>,
    /// `migrationPropertyId` (`onPasswordMigrationCustomExtensionHandler` only).
    #[serde(default)]
    pub migration_property_id: Option<String>,
}

/// An external tenant's sign-up flow (`externalUsersSelfServiceSignUpEventsFlow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsFlowRecord {
    /// GUID string.
    pub id: String,
    /// `displayName` (required, unique).
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `priority` (not in the v1.0 CSDL; default 500).
    pub priority: i64,
    /// `conditions.applications.includeApplications[].appId`, in the order they were added.
    pub include_applications: Vec<String>,
    /// `conditions.applications.includeAllApplications`.
    pub include_all_applications: bool,
    /// `onAttributeCollectionStart`, with the id of the listener it materialises.
    pub on_attribute_collection_start: Option<FlowHandler>,
    /// `onAttributeCollectionSubmit`, with the id of the listener it materialises.
    pub on_attribute_collection_submit: Option<FlowHandler>,
    /// `onAttributeCollection`; `None` when the flow was created without one.
    pub on_attribute_collection: Option<AttributeCollection>,
    /// `onAuthenticationMethodLoadStart.identityProviders[].id`.
    pub identity_providers: Vec<String>,
    /// `onInteractiveAuthFlowStart.isSignUpAllowed`.
    pub is_sign_up_allowed: bool,
    /// `onUserCreateStart.userTypeToCreate` (`None`: no `onUserCreateStart`).
    pub user_type_to_create: Option<String>,
    /// Creation order.
    pub(crate) seq: u64,
}

/// A flow's extension handler and the listener it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowHandler {
    /// The handler.
    pub handler: ExtensionHandler,
    /// The id of the listener the flow manages for it (`authenticationEventsFlowId` = the flow).
    pub listener_id: String,
}

/// `onAttributeCollectionExternalUsersSelfServiceSignUp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeCollection {
    /// `attributes[].id`, in order.
    pub attributes: Vec<String>,
    /// `attributeCollectionPage.views`, each with its `inputs` in Graph's full form.
    pub views: Vec<Value>,
}

/// `identityUserFlowAttribute`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFlowAttribute {
    /// `id` (`city`, `extension_{appId}_{name}`).
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `userFlowAttributeType`: `builtIn`, `custom` or `required`.
    pub user_flow_attribute_type: String,
    /// `dataType`: `string`, `boolean`, `int64`, `stringCollection` or `dateTime`.
    pub data_type: String,
}

impl UserFlowAttribute {
    fn built_in(id: &str, display_name: &str, description: &str) -> Self {
        UserFlowAttribute {
            id: id.to_owned(),
            display_name: display_name.to_owned(),
            description: Some(description.to_owned()),
            user_flow_attribute_type: "builtIn".to_owned(),
            data_type: "string".to_owned(),
        }
    }

    /// Whether the attribute is a directory schema extension (custom).
    pub fn is_custom(&self) -> bool {
        self.user_flow_attribute_type == "custom"
    }
}

/// The built-in user flow attributes of an external tenant. The wording of `email`,
/// `displayName`, `city` and `country` is the one of the Graph examples
/// (`identitycontainer-list-authenticationeventsflows`); the others follow the same pattern.
pub fn built_in_attributes() -> Vec<UserFlowAttribute> {
    vec![
        UserFlowAttribute::built_in("email", "Email Address", "Email address of the user"),
        UserFlowAttribute::built_in("displayName", "Display Name", "Display Name of the User."),
        UserFlowAttribute::built_in(
            "givenName",
            "Given Name",
            "The user's given name (also known as first name).",
        ),
        UserFlowAttribute::built_in(
            "surname",
            "Surname",
            "The user's surname (also known as family name or last name).",
        ),
        UserFlowAttribute::built_in("jobTitle", "Job Title", "The user's job title."),
        UserFlowAttribute::built_in(
            "streetAddress",
            "Street Address",
            "The street address where the user is located.",
        ),
        UserFlowAttribute::built_in("city", "City", "The city in which the user is located."),
        UserFlowAttribute::built_in(
            "state",
            "State/Province",
            "The state or province in user's address.",
        ),
        UserFlowAttribute::built_in(
            "postalCode",
            "Postal Code",
            "The postal code of the user's address.",
        ),
        UserFlowAttribute::built_in(
            "country",
            "Country/Region",
            "The country/region in which the user is located.",
        ),
    ]
}

/// The concrete type of an authentication event listener (the CSDL's eleven).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ListenerKind {
    /// `onTokenIssuanceStartListener`.
    TokenIssuanceStart,
    /// `onAttributeCollectionStartListener`.
    AttributeCollectionStart,
    /// `onAttributeCollectionSubmitListener`.
    AttributeCollectionSubmit,
    /// `onEmailOtpSendListener`.
    EmailOtpSend,
    /// `onPasswordSubmitListener`.
    PasswordSubmit,
    /// `onVerifiedIdClaimValidationListener`.
    VerifiedIdClaimValidation,
    /// `onAttributeCollectionListener`.
    AttributeCollection,
    /// `onAuthenticationMethodLoadStartListener`.
    AuthenticationMethodLoadStart,
    /// `onInteractiveAuthFlowStartListener`.
    InteractiveAuthFlowStart,
    /// `onUserCreateStartListener`.
    UserCreateStart,
    /// `onFraudProtectionLoadStartListener`.
    FraudProtectionLoadStart,
}

impl ListenerKind {
    /// Every kind.
    pub const ALL: [ListenerKind; 11] = [
        ListenerKind::TokenIssuanceStart,
        ListenerKind::AttributeCollectionStart,
        ListenerKind::AttributeCollectionSubmit,
        ListenerKind::EmailOtpSend,
        ListenerKind::PasswordSubmit,
        ListenerKind::VerifiedIdClaimValidation,
        ListenerKind::AttributeCollection,
        ListenerKind::AuthenticationMethodLoadStart,
        ListenerKind::InteractiveAuthFlowStart,
        ListenerKind::UserCreateStart,
        ListenerKind::FraudProtectionLoadStart,
    ];

    /// The entity type's name in the CSDL.
    pub fn type_name(self) -> &'static str {
        match self {
            ListenerKind::TokenIssuanceStart => "onTokenIssuanceStartListener",
            ListenerKind::AttributeCollectionStart => "onAttributeCollectionStartListener",
            ListenerKind::AttributeCollectionSubmit => "onAttributeCollectionSubmitListener",
            ListenerKind::EmailOtpSend => "onEmailOtpSendListener",
            ListenerKind::PasswordSubmit => "onPasswordSubmitListener",
            ListenerKind::VerifiedIdClaimValidation => "onVerifiedIdClaimValidationListener",
            ListenerKind::AttributeCollection => "onAttributeCollectionListener",
            ListenerKind::AuthenticationMethodLoadStart => {
                "onAuthenticationMethodLoadStartListener"
            }
            ListenerKind::InteractiveAuthFlowStart => "onInteractiveAuthFlowStartListener",
            ListenerKind::UserCreateStart => "onUserCreateStartListener",
            ListenerKind::FraudProtectionLoadStart => "onFraudProtectionLoadStartListener",
        }
    }

    /// The concrete handler type of the listener (CSDL).
    pub fn handler_type(self) -> &'static str {
        match self {
            ListenerKind::TokenIssuanceStart => "onTokenIssuanceStartCustomExtensionHandler",
            ListenerKind::AttributeCollectionStart => {
                "onAttributeCollectionStartCustomExtensionHandler"
            }
            ListenerKind::AttributeCollectionSubmit => {
                "onAttributeCollectionSubmitCustomExtensionHandler"
            }
            ListenerKind::EmailOtpSend => "onOtpSendCustomExtensionHandler",
            ListenerKind::PasswordSubmit => "onPasswordMigrationCustomExtensionHandler",
            ListenerKind::VerifiedIdClaimValidation => {
                "onVerifiedIdClaimValidationCustomExtensionHandler"
            }
            ListenerKind::AttributeCollection => {
                "onAttributeCollectionExternalUsersSelfServiceSignUp"
            }
            ListenerKind::AuthenticationMethodLoadStart => {
                "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp"
            }
            ListenerKind::InteractiveAuthFlowStart => {
                "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp"
            }
            ListenerKind::UserCreateStart => "onUserCreateStartExternalUsersSelfServiceSignUp",
            ListenerKind::FraudProtectionLoadStart => {
                "onFraudProtectionLoadStartExternalUsersAuthHandler"
            }
        }
    }

    /// The extension type its handler names, for the listeners whose handler calls a custom
    /// extension the emulator serves. `PasswordSubmit` and `VerifiedIdClaimValidation` name types
    /// the emulator does not serve (§7.1), so their handlers can name no extension here.
    pub fn extension_kind(self) -> Option<ExtensionKind> {
        match self {
            ListenerKind::TokenIssuanceStart => Some(ExtensionKind::TokenIssuanceStart),
            ListenerKind::AttributeCollectionStart => Some(ExtensionKind::AttributeCollectionStart),
            ListenerKind::AttributeCollectionSubmit => {
                Some(ExtensionKind::AttributeCollectionSubmit)
            }
            ListenerKind::EmailOtpSend => Some(ExtensionKind::OtpSend),
            _ => None,
        }
    }

    /// Whether the handler has `configuration` and `customExtension`.
    pub fn has_extension_handler(self) -> bool {
        matches!(
            self,
            ListenerKind::TokenIssuanceStart
                | ListenerKind::AttributeCollectionStart
                | ListenerKind::AttributeCollectionSubmit
                | ListenerKind::EmailOtpSend
                | ListenerKind::PasswordSubmit
                | ListenerKind::VerifiedIdClaimValidation
        )
    }

    /// Whether workforce tenants have this listener (token issuance start only).
    pub fn in_workforce_tenants(self) -> bool {
        self == ListenerKind::TokenIssuanceStart
    }
}

/// A listener's handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ListenerHandler {
    /// A handler that calls a custom extension.
    Extension(ExtensionHandler),
    /// Any other handler, as sent (with its `@odata.type` normalised).
    Other {
        /// The handler's JSON.
        value: Value,
    },
}

/// A stored authentication event listener (one created directly; the listeners a flow manages are
/// derived from the flow).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerRecord {
    /// GUID string.
    pub id: String,
    /// The concrete type.
    pub kind: ListenerKind,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `priority`, returned only once set (0 to 1000).
    pub priority: Option<i64>,
    /// `conditions.applications.includeApplications[].appId`.
    pub include_applications: Vec<String>,
    /// `conditions.applications.includeAllApplications`, returned only once set.
    pub include_all_applications: Option<bool>,
    /// `handler`.
    pub handler: Option<ListenerHandler>,
    /// `authenticationEventsFlowId`: the flow that manages this listener.
    pub authentication_events_flow_id: Option<String>,
    /// Creation order.
    pub(crate) seq: u64,
}

impl ListenerRecord {
    /// The extension handler, if the listener has one.
    pub fn extension_handler(&self) -> Option<&ExtensionHandler> {
        match &self.handler {
            Some(ListenerHandler::Extension(h)) => Some(h),
            _ => None,
        }
    }

    /// Whether the listener applies to the application `app_id`.
    pub fn applies_to(&self, app_id: &str) -> bool {
        self.include_all_applications == Some(true)
            || self
                .include_applications
                .iter()
                .any(|a| a.eq_ignore_ascii_case(app_id))
    }
}

impl EventsFlowRecord {
    /// Whether the flow applies to the application `app_id`.
    pub fn applies_to(&self, app_id: &str) -> bool {
        self.include_all_applications
            || self
                .include_applications
                .iter()
                .any(|a| a.eq_ignore_ascii_case(app_id))
    }

    /// The listeners the flow manages: one per extension handler (`docs/graph-behaviour.md` §8.3).
    pub fn managed_listeners(&self) -> Vec<ListenerRecord> {
        let mut out = Vec::new();
        for (kind, handler) in [
            (
                ListenerKind::AttributeCollectionStart,
                &self.on_attribute_collection_start,
            ),
            (
                ListenerKind::AttributeCollectionSubmit,
                &self.on_attribute_collection_submit,
            ),
        ] {
            if let Some(h) = handler {
                out.push(ListenerRecord {
                    id: h.listener_id.clone(),
                    kind,
                    display_name: None,
                    priority: Some(self.priority),
                    include_applications: self.include_applications.clone(),
                    include_all_applications: Some(self.include_all_applications),
                    handler: Some(ListenerHandler::Extension(h.handler.clone())),
                    authentication_events_flow_id: Some(self.id.clone()),
                    seq: self.seq,
                });
            }
        }
        out
    }
}
