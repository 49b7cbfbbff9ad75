//! [`CustomExtensionRequest`]: the body Entra posts to a custom extension's `targetUrl`, typed
//! per event, with the common [`CalloutEnvelope`] and the event-specific data
//! ([`UserSignUpInfo`], [`OtpContext`], [`AuthenticationUser`]).

use std::fmt;

use indexmap::IndexMap;
use secrecy::{ExposeSecret, SecretString};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{
    Action, AuthenticationContext, AuthenticationUser, CustomExtensionError,
    CustomExtensionResponse, Event, SignUpAttribute, odata_type,
};
use crate::Identity;

/// What every request carries besides its event's own data: `source`, and in `data` the
/// tenant, the listener and the extension that made the call and the `authenticationContext`.
/// Members this crate does not know are kept, at the top level in
/// [`additional`](Self::additional) and in `data` in [`additional_data`](Self::additional_data).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalloutEnvelope {
    /// `source`: `/tenants/{tenantId}/applications/{appId}`.
    pub source: String,
    /// `data.tenantId`.
    pub tenant_id: String,
    /// `data.authenticationEventListenerId`.
    pub authentication_event_listener_id: String,
    /// `data.customAuthenticationExtensionId`.
    pub custom_authentication_extension_id: String,
    /// `data.authenticationContext`.
    pub authentication_context: AuthenticationContext,
    /// Unknown members of the top-level object.
    pub additional: Map<String, Value>,
    /// Unknown members of `data`.
    pub additional_data: Map<String, Value>,
}

/// `data.userSignUpInfo` of attribute collection start and submit: the attributes the user flow
/// collects (start: their defaults, mostly without values; submit: what the user entered) and
/// the user's identities. The password is never sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserSignUpInfo {
    /// `attributes`, by name (`givenName`, `extension_<appId>_<name>`, …), in order.
    pub attributes: IndexMap<String, SignUpAttribute>,
    /// `identities`: for example the verified email the user signs up with.
    pub identities: Vec<Identity>,
    /// Members this crate does not know.
    pub additional: Map<String, Value>,
}

impl UserSignUpInfo {
    /// Attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&SignUpAttribute> {
        self.attributes.get(name)
    }

    /// The email of the first identity whose `signInType` is `email` or `emailAddress`.
    pub fn email(&self) -> Option<&str> {
        self.identities
            .iter()
            .find(|i| {
                i.sign_in_type.as_deref().is_some_and(|t| {
                    t.eq_ignore_ascii_case("email") || t.eq_ignore_ascii_case("emailAddress")
                })
            })
            .and_then(|i| i.issuer_assigned_id.as_deref())
    }

    fn from_value(value: Value) -> Result<Self, CustomExtensionError> {
        const FIELD: &str = "data.userSignUpInfo";
        let Value::Object(mut object) = value else {
            return Err(invalid(FIELD, "an object"));
        };
        let mut attributes = IndexMap::new();
        match object.remove("attributes") {
            None | Some(Value::Null) => {}
            Some(Value::Object(found)) => {
                for (name, value) in found {
                    let attribute = SignUpAttribute::from_value(&name, value)?;
                    attributes.insert(name, attribute);
                }
            }
            Some(_) => return Err(invalid("data.userSignUpInfo.attributes", "an object")),
        }
        let identities = match object.remove("identities") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v).map_err(|e| {
                CustomExtensionError::InvalidJson(format!("data.userSignUpInfo.identities: {e}"))
            })?,
        };
        Ok(UserSignUpInfo {
            attributes,
            identities,
            additional: object,
        })
    }
}

impl Serialize for UserSignUpInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("attributes", &self.attributes)?;
        map.serialize_entry("identities", &self.identities)?;
        for (k, v) in &self.additional {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `data.otpContext` of email OTP send: the address and the one-time passcode to send it.
///
/// The code is a secret: `Debug` redacts it, and errors never contain it.
#[derive(Clone, Default)]
pub struct OtpContext {
    /// `identifier`: the email address.
    pub identifier: String,
    /// `oneTimeCode`.
    pub one_time_code: SecretString,
    /// Members this crate does not know.
    pub additional: Map<String, Value>,
}

impl OtpContext {
    /// The context for sending `one_time_code` to `identifier`.
    pub fn new(identifier: impl Into<String>, one_time_code: SecretString) -> Self {
        OtpContext {
            identifier: identifier.into(),
            one_time_code,
            additional: Map::new(),
        }
    }

    fn from_value(value: Value) -> Result<Self, CustomExtensionError> {
        let Value::Object(mut object) = value else {
            return Err(invalid("data.otpContext", "an object"));
        };
        let identifier = take_string(&mut object, "identifier", "data.otpContext.identifier")?;
        // Not through serde: its messages would quote a code of the wrong type.
        let one_time_code = match object.remove("oneTimeCode") {
            Some(Value::String(code)) => SecretString::from(code),
            None | Some(Value::Null) => return Err(missing("data.otpContext.oneTimeCode")),
            Some(_) => return Err(invalid("data.otpContext.oneTimeCode", "a string")),
        };
        Ok(OtpContext {
            identifier,
            one_time_code,
            additional: object,
        })
    }
}

impl PartialEq for OtpContext {
    fn eq(&self, other: &Self) -> bool {
        self.identifier == other.identifier
            && self.one_time_code.expose_secret() == other.one_time_code.expose_secret()
            && self.additional == other.additional
    }
}

impl fmt::Debug for OtpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpContext")
            .field("identifier", &self.identifier)
            .field("one_time_code", &"[REDACTED]")
            .field("additional", &self.additional)
            .finish()
    }
}

impl Serialize for OtpContext {
    /// Writes the code: this is the request body the service sends.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("identifier", &self.identifier)?;
        map.serialize_entry("oneTimeCode", self.one_time_code.expose_secret())?;
        for (k, v) in &self.additional {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The request of token issuance start (custom claims provider).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenIssuanceStartRequest {
    /// What every request carries.
    pub envelope: CalloutEnvelope,
    /// `data.authenticationContext.user`: the user the token is for.
    pub user: Option<AuthenticationUser>,
}

/// The request of attribute collection start or submit (the two have the same shape).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributeCollectionRequest {
    /// What every request carries.
    pub envelope: CalloutEnvelope,
    /// `data.userSignUpInfo` (empty when the request has none).
    pub user_sign_up_info: UserSignUpInfo,
}

/// The request of email OTP send.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmailOtpSendRequest {
    /// What every request carries.
    pub envelope: CalloutEnvelope,
    /// `data.otpContext`.
    pub otp_context: OtpContext,
    /// `data.authenticationContext.requestType`, for example `signUp` (the only documented
    /// value; kept as an open string).
    pub request_type: Option<String>,
}

/// The body Entra posts to a custom authentication extension, typed by its event.
///
/// Parsing is tolerant where the pages disagree: `type` and `@odata.type` values in any ASCII
/// case, with or without `#` and the `microsoft.graph.` namespace, the `@odata.type` key in any
/// case, ids as plain strings (the docs' examples use placeholders). Unknown members are kept
/// and written back. Serialization writes the documented spelling.
///
/// ```
/// use entra_api_connectors_contract::custom_extension::{
///     AttributeCollectionSubmitAction, CustomExtensionRequest, CustomExtensionResponse, Event,
///     ValidationError,
/// };
///
/// let body = br#"{
///   "type": "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
///   "source": "/tenants/aaaabbbb-0000-cccc-1111-dddd2222eeee/applications/00001111-aaaa-2222-bbbb-3333cccc4444",
///   "data": {
///     "@odata.type": "microsoft.graph.onAttributeCollectionSubmitCalloutData",
///     "tenantId": "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "authenticationEventListenerId": "00001111-aaaa-2222-bbbb-3333cccc4444",
///     "customAuthenticationExtensionId": "11112222-bbbb-3333-cccc-4444dddd5555",
///     "authenticationContext": { "correlationId": "aaaa0000-bb11-2222-33cc-444444dddddd" },
///     "userSignUpInfo": {
///       "attributes": {
///         "city": {
///           "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
///           "value": "Tacoma 9",
///           "attributeType": "builtIn"
///         }
///       },
///       "identities": []
///     }
///   }
/// }"#;
/// let CustomExtensionRequest::AttributeCollectionSubmit(request) =
///     CustomExtensionRequest::from_json(body)?
/// else {
///     panic!("a submit request");
/// };
/// let city = request.user_sign_up_info.attributes["city"].value.as_str().unwrap_or_default();
/// let response: CustomExtensionResponse = if city.chars().any(|c| c.is_ascii_digit()) {
///     AttributeCollectionSubmitAction::ShowValidationError(
///         ValidationError::new("Please fix the below errors to proceed.")
///             .with_attribute_error("city", "City cannot contain any numbers"),
///     )
///     .into()
/// } else {
///     AttributeCollectionSubmitAction::ContinueWithDefaultBehavior.into()
/// };
/// assert_eq!(response.event(), Event::AttributeCollectionSubmit);
/// assert_eq!(
///     response.to_json(),
///     r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionSubmitResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showValidationError","message":"Please fix the below errors to proceed.","attributeErrors":{"city":"City cannot contain any numbers"}}]}}"#
/// );
/// # Ok::<(), entra_api_connectors_contract::custom_extension::CustomExtensionError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
// One request per call, matched on by value: boxing the user would only cost an allocation.
#[allow(clippy::large_enum_variant)]
pub enum CustomExtensionRequest {
    /// `microsoft.graph.authenticationEvent.tokenIssuanceStart`.
    TokenIssuanceStart(TokenIssuanceStartRequest),
    /// `microsoft.graph.authenticationEvent.attributeCollectionStart`.
    AttributeCollectionStart(AttributeCollectionRequest),
    /// `microsoft.graph.authenticationEvent.attributeCollectionSubmit`.
    AttributeCollectionSubmit(AttributeCollectionRequest),
    /// `microsoft.graph.authenticationEvent.emailOtpSend`.
    EmailOtpSend(EmailOtpSendRequest),
}

impl CustomExtensionRequest {
    /// The request's event.
    pub fn event(&self) -> Event {
        match self {
            CustomExtensionRequest::TokenIssuanceStart(_) => Event::TokenIssuanceStart,
            CustomExtensionRequest::AttributeCollectionStart(_) => Event::AttributeCollectionStart,
            CustomExtensionRequest::AttributeCollectionSubmit(_) => {
                Event::AttributeCollectionSubmit
            }
            CustomExtensionRequest::EmailOtpSend(_) => Event::EmailOtpSend,
        }
    }

    /// What every request carries.
    pub fn envelope(&self) -> &CalloutEnvelope {
        match self {
            CustomExtensionRequest::TokenIssuanceStart(r) => &r.envelope,
            CustomExtensionRequest::AttributeCollectionStart(r)
            | CustomExtensionRequest::AttributeCollectionSubmit(r) => &r.envelope,
            CustomExtensionRequest::EmailOtpSend(r) => &r.envelope,
        }
    }

    /// `data.userSignUpInfo`, for attribute collection start and submit.
    pub fn user_sign_up_info(&self) -> Option<&UserSignUpInfo> {
        match self {
            CustomExtensionRequest::AttributeCollectionStart(r)
            | CustomExtensionRequest::AttributeCollectionSubmit(r) => Some(&r.user_sign_up_info),
            _ => None,
        }
    }

    /// The answer `action` to this request; fails when the event does not allow it.
    pub fn respond(&self, action: Action) -> Result<CustomExtensionResponse, CustomExtensionError> {
        CustomExtensionResponse::new(self.event(), action)
    }

    /// Parses a request body.
    pub fn from_json(body: impl AsRef<[u8]>) -> Result<Self, CustomExtensionError> {
        let body = body.as_ref();
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| CustomExtensionError::InvalidJson(e.to_string()))?;
        let mut request = Self::from_value(value)?;
        if let CustomExtensionRequest::AttributeCollectionStart(r)
        | CustomExtensionRequest::AttributeCollectionSubmit(r) = &mut request
        {
            let keys = super::key_order::request_attribute_keys(body);
            super::key_order::sort_like(&mut r.user_sign_up_info.attributes, keys.as_ref());
        }
        Ok(request)
    }

    /// The request body in the documented spelling (compact JSON, no nulls).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("requests always serialize: all map keys are strings")
    }

    /// Reads a request from parsed JSON. The order of the attributes is that of the
    /// `serde_json` map (sorted unless its `preserve_order` feature is on); [`from_json`](Self::from_json)
    /// keeps the body's order.
    pub fn from_value(value: Value) -> Result<Self, CustomExtensionError> {
        let Value::Object(mut root) = value else {
            return Err(CustomExtensionError::InvalidJson(
                "expected a JSON object".to_owned(),
            ));
        };
        let event_type = take_string(&mut root, "type", "type")?;
        let event = Event::from_event_type(&event_type)
            .ok_or(CustomExtensionError::UnknownEvent(event_type))?;
        let source = take_string(&mut root, "source", "source")?;
        let mut data = match root.remove("data") {
            Some(Value::Object(data)) => data,
            None | Some(Value::Null) => return Err(missing("data")),
            Some(_) => return Err(invalid("data", "an object")),
        };
        match odata_type::take(&mut data) {
            // Choice: a missing `data.@odata.type` is accepted; `type` decides the event.
            None | Some(Value::Null) => {}
            Some(Value::String(found)) => {
                if !odata_type::same_type(&found, event.callout_data_type()) {
                    return Err(CustomExtensionError::CalloutDataTypeMismatch { event, found });
                }
            }
            Some(_) => return Err(invalid("data.@odata.type", "a string")),
        }
        let tenant_id = take_string(&mut data, "tenantId", "data.tenantId")?;
        let authentication_event_listener_id = take_string(
            &mut data,
            "authenticationEventListenerId",
            "data.authenticationEventListenerId",
        )?;
        let custom_authentication_extension_id = take_string(
            &mut data,
            "customAuthenticationExtensionId",
            "data.customAuthenticationExtensionId",
        )?;
        let mut context = match data.remove("authenticationContext") {
            Some(Value::Object(context)) => context,
            None | Some(Value::Null) => return Err(missing("data.authenticationContext")),
            Some(_) => return Err(invalid("data.authenticationContext", "an object")),
        };
        let user = match event {
            Event::TokenIssuanceStart => match context.remove("user") {
                None | Some(Value::Null) => None,
                Some(user) => Some(serde_json::from_value(user).map_err(|e| {
                    CustomExtensionError::InvalidJson(format!(
                        "data.authenticationContext.user: {e}"
                    ))
                })?),
            },
            _ => None,
        };
        let request_type = match event {
            Event::EmailOtpSend => match context.remove("requestType") {
                None | Some(Value::Null) => None,
                Some(Value::String(t)) => Some(t),
                Some(_) => {
                    return Err(invalid(
                        "data.authenticationContext.requestType",
                        "a string",
                    ));
                }
            },
            _ => None,
        };
        let authentication_context =
            serde_json::from_value(Value::Object(context)).map_err(|e| {
                CustomExtensionError::InvalidJson(format!("data.authenticationContext: {e}"))
            })?;
        let user_sign_up_info = match event {
            Event::AttributeCollectionStart | Event::AttributeCollectionSubmit => {
                match data.remove("userSignUpInfo") {
                    None | Some(Value::Null) => UserSignUpInfo::default(),
                    Some(info) => UserSignUpInfo::from_value(info)?,
                }
            }
            _ => UserSignUpInfo::default(),
        };
        let otp_context = match event {
            Event::EmailOtpSend => match data.remove("otpContext") {
                None | Some(Value::Null) => return Err(missing("data.otpContext")),
                Some(otp) => Some(OtpContext::from_value(otp)?),
            },
            _ => None,
        };
        let envelope = CalloutEnvelope {
            source,
            tenant_id,
            authentication_event_listener_id,
            custom_authentication_extension_id,
            authentication_context,
            additional: root,
            additional_data: data,
        };
        Ok(match event {
            Event::TokenIssuanceStart => {
                CustomExtensionRequest::TokenIssuanceStart(TokenIssuanceStartRequest {
                    envelope,
                    user,
                })
            }
            Event::AttributeCollectionStart => {
                CustomExtensionRequest::AttributeCollectionStart(AttributeCollectionRequest {
                    envelope,
                    user_sign_up_info,
                })
            }
            Event::AttributeCollectionSubmit => {
                CustomExtensionRequest::AttributeCollectionSubmit(AttributeCollectionRequest {
                    envelope,
                    user_sign_up_info,
                })
            }
            Event::EmailOtpSend => CustomExtensionRequest::EmailOtpSend(EmailOtpSendRequest {
                envelope,
                otp_context: otp_context.unwrap_or_default(),
                request_type,
            }),
        })
    }
}

fn missing(field: &str) -> CustomExtensionError {
    CustomExtensionError::MissingField {
        field: field.to_owned(),
    }
}

fn invalid(field: &str, expected: &'static str) -> CustomExtensionError {
    CustomExtensionError::InvalidField {
        field: field.to_owned(),
        expected,
    }
}

fn take_string(
    object: &mut Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<String, CustomExtensionError> {
    match object.remove(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(missing(field)),
        Some(_) => Err(invalid(field, "a string")),
    }
}

/// Members of the top level that [`CalloutEnvelope::additional`] cannot override (skipped when
/// serializing).
const ROOT_MEMBERS: &[&str] = &["type", "source", "data"];

/// Members of `data` that [`CalloutEnvelope::additional_data`] cannot override (skipped when
/// serializing, as is any spelling of `@odata.type`).
const DATA_MEMBERS: &[&str] = &[
    "otpContext",
    "tenantId",
    "authenticationEventListenerId",
    "customAuthenticationExtensionId",
    "authenticationContext",
    "userSignUpInfo",
];

/// `authenticationContext` with the event's own members put back.
struct ContextWire<'a> {
    context: &'a AuthenticationContext,
    request_type: Option<&'a str>,
    user: Option<&'a AuthenticationUser>,
}

impl Serialize for ContextWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.context;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("correlationId", &c.correlation_id)?;
        if let Some(client) = &c.client {
            map.serialize_entry("client", client)?;
        }
        if let Some(protocol) = &c.protocol {
            map.serialize_entry("protocol", protocol)?;
        }
        if let Some(request_type) = self.request_type {
            map.serialize_entry("requestType", request_type)?;
        }
        if let Some(sp) = &c.client_service_principal {
            map.serialize_entry("clientServicePrincipal", sp)?;
        }
        if let Some(sp) = &c.resource_service_principal {
            map.serialize_entry("resourceServicePrincipal", sp)?;
        }
        if let Some(user) = self.user {
            map.serialize_entry("user", user)?;
        }
        for (k, v) in &c.additional {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct DataWire<'a>(&'a CustomExtensionRequest);

impl Serialize for DataWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        let envelope = request.envelope();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(odata_type::KEY, request.event().callout_data_type())?;
        if let CustomExtensionRequest::EmailOtpSend(r) = request {
            map.serialize_entry("otpContext", &r.otp_context)?;
        }
        map.serialize_entry("tenantId", &envelope.tenant_id)?;
        map.serialize_entry(
            "authenticationEventListenerId",
            &envelope.authentication_event_listener_id,
        )?;
        map.serialize_entry(
            "customAuthenticationExtensionId",
            &envelope.custom_authentication_extension_id,
        )?;
        let (request_type, user) = match request {
            CustomExtensionRequest::TokenIssuanceStart(r) => (None, r.user.as_ref()),
            CustomExtensionRequest::EmailOtpSend(r) => (r.request_type.as_deref(), None),
            _ => (None, None),
        };
        map.serialize_entry(
            "authenticationContext",
            &ContextWire {
                context: &envelope.authentication_context,
                request_type,
                user,
            },
        )?;
        if let Some(info) = request.user_sign_up_info() {
            map.serialize_entry("userSignUpInfo", info)?;
        }
        for (k, v) in &envelope.additional_data {
            if !DATA_MEMBERS.contains(&k.as_str()) && !k.eq_ignore_ascii_case(odata_type::KEY) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl Serialize for CustomExtensionRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let envelope = self.envelope();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.event().event_type())?;
        map.serialize_entry("source", &envelope.source)?;
        map.serialize_entry("data", &DataWire(self))?;
        for (k, v) in &envelope.additional {
            if !ROOT_MEMBERS.contains(&k.as_str()) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for CustomExtensionRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        CustomExtensionRequest::from_value(Value::deserialize(deserializer)?)
            .map_err(D::Error::custom)
    }
}
