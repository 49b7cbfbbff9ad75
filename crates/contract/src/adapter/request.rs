//! External ID → B2C: [`to_connector_request`] presents a custom-extension call as the
//! [`ConnectorRequest`] a B2C user flow would have sent at the matching [`Step`].

use indexmap::IndexMap;
use serde_json::Value;

use crate::custom_extension::{
    AttributeCollectionRequest, CalloutEnvelope, CustomExtensionRequest, DirectoryAttributeValue,
    Event, TokenIssuanceStartRequest,
};
use crate::{ConnectorRequest, ConnectorResponse, Step};

use super::{AdaptedResponse, AdapterConfig, AdapterError, Loss};

/// The API-connector step a custom-extension event stands for (`docs/graph-behaviour.md` §12):
/// attribute collection start → `PostFederationSignup` (it can pre-fill or block, as that step
/// could continue or block), attribute collection submit → `PostAttributeCollection`, token
/// issuance start → `PreTokenIssuance`. Email OTP send has none.
pub fn step_for(event: Event) -> Option<Step> {
    match event {
        Event::AttributeCollectionStart => Some(Step::PostFederationSignup),
        Event::AttributeCollectionSubmit => Some(Step::PostAttributeCollection),
        Event::TokenIssuanceStart => Some(Step::PreTokenIssuance),
        _ => None,
    }
}

/// The custom-extension event that replaces an API-connector step: the inverse of [`step_for`].
pub fn event_for(step: Step) -> Event {
    match step {
        Step::PostFederationSignup => Event::AttributeCollectionStart,
        Step::PostAttributeCollection => Event::AttributeCollectionSubmit,
        Step::PreTokenIssuance => Event::TokenIssuanceStart,
    }
}

/// The value type of a collected attribute, which the answer must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    String,
    Int64,
    Boolean,
    Unknown,
}

impl ValueKind {
    fn of(value: &DirectoryAttributeValue) -> Self {
        match value {
            DirectoryAttributeValue::String(_) => ValueKind::String,
            DirectoryAttributeValue::Int64(_) => ValueKind::Int64,
            DirectoryAttributeValue::Boolean(_) => ValueKind::Boolean,
            _ => ValueKind::Unknown,
        }
    }
}

/// A custom-extension call presented as an API-connector call: the request for the handler, its
/// step, and what the adaptation lost. [`respond`](Self::respond) turns the handler's answer into
/// the event's action.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AdaptedCall {
    /// The connector request, as a B2C user flow would have sent it at [`step`](Self::step)
    /// (its `step` claim is set).
    pub request: ConnectorRequest,
    /// The connector step the event stands for.
    pub step: Step,
    /// The event of the call.
    pub event: Event,
    /// What the request lost (unknown attribute value types).
    pub losses: Vec<Loss>,
    /// The collected attributes (external names) with their value types.
    pub(crate) collected: IndexMap<String, ValueKind>,
    pub(crate) config: AdapterConfig,
}

impl AdaptedCall {
    /// The custom-extension response for the handler's `response`, as
    /// [`from_connector_response`](super::from_connector_response) builds it, with two checks
    /// that need the call: a returned attribute must have the value type the call sent for it
    /// ([`AdapterError::AttributeTypeMismatch`]), and one the call did not collect is reported
    /// as [`Loss::AttributeNotCollected`] (Entra ignores it).
    pub fn respond(&self, response: ConnectorResponse) -> Result<AdaptedResponse, AdapterError> {
        let mut adapted = super::from_connector_response(response, self.event, &self.config)?;
        if let Some(values) = adapted.attribute_values() {
            let mut losses = Vec::new();
            for (name, value) in values {
                match self.collected.get(name) {
                    None => losses.push(Loss::AttributeNotCollected {
                        attribute: name.clone(),
                    }),
                    Some(kind) => check_type(name, *kind, value)?,
                }
            }
            adapted.losses.extend(losses);
        }
        Ok(adapted)
    }
}

fn check_type(
    name: &str,
    kind: ValueKind,
    value: &crate::custom_extension::AttributeValue,
) -> Result<(), AdapterError> {
    use crate::custom_extension::AttributeValue as V;
    let expected = match (kind, value) {
        (ValueKind::String, V::String(_))
        | (ValueKind::Int64, V::Int64(_))
        | (ValueKind::Boolean, V::Boolean(_))
        | (ValueKind::Unknown, _) => return Ok(()),
        (ValueKind::String, _) => "a string",
        (ValueKind::Int64, _) => "an integer",
        (ValueKind::Boolean, _) => "a boolean",
    };
    Err(AdapterError::AttributeTypeMismatch {
        attribute: name.to_owned(),
        expected,
    })
}

/// Presents `request` as the [`ConnectorRequest`] a B2C user flow would have sent at the
/// event's step ([`step_for`]).
///
/// | connector claim | attribute collection start / submit | token issuance start |
/// | --- | --- | --- |
/// | `step` | `PostFederationSignup` / `PostAttributeCollection` | `PreTokenIssuance` |
/// | built-in claims (`displayName`, `givenName`, `surname`, `city`, `postalCode`, …) | `userSignUpInfo.attributes` of the same name, when they have a value | `authenticationContext.user` of the same name |
/// | `email` | the `email` attribute, else the identity whose `signInType` is `email` or `emailAddress` | `user.mail` |
/// | `objectId` | none (the user does not exist yet) | `user.id` |
/// | `identities` | `userSignUpInfo.identities`, as sent | none |
/// | `extension_<app>_<Name>` | the attribute, its app id rewritten with [`AdapterConfig::to_b2c_name`]; integers and booleans stay JSON numbers and booleans | none |
/// | other claims | other attributes (`companyName`, …) under their names | the other members of `user` (`companyName`, `userPrincipalName`, `userType`, …) |
/// | `client_id` | `authenticationContext.clientServicePrincipal.appId` | the same |
/// | `ui_locales` | `authenticationContext.client.locale` | the same |
///
/// Attributes without a value are left out, as B2C leaves out claims without a value. Fails
/// with [`AdapterError::NotAdaptable`] for `emailOtpSend`, and with
/// [`AdapterError::InvalidAttribute`] when a built-in claim's attribute is not a string.
pub fn to_connector_request(
    request: &CustomExtensionRequest,
    config: &AdapterConfig,
) -> Result<AdaptedCall, AdapterError> {
    let event = request.event();
    let step = step_for(event).ok_or(AdapterError::NotAdaptable { event })?;
    let mut adapted = AdaptedCall {
        request: ConnectorRequest {
            step: Some(step),
            ..ConnectorRequest::default()
        },
        step,
        event,
        losses: Vec::new(),
        collected: IndexMap::new(),
        config: config.clone(),
    };
    match request {
        CustomExtensionRequest::AttributeCollectionStart(r)
        | CustomExtensionRequest::AttributeCollectionSubmit(r) => {
            attribute_collection(r, config, &mut adapted)?
        }
        CustomExtensionRequest::TokenIssuanceStart(r) => token_issuance(r, &mut adapted.request)?,
        _ => return Err(AdapterError::NotAdaptable { event }),
    }
    context(request.envelope(), &mut adapted.request);
    Ok(adapted)
}

fn attribute_collection(
    r: &AttributeCollectionRequest,
    config: &AdapterConfig,
    adapted: &mut AdaptedCall,
) -> Result<(), AdapterError> {
    let info = &r.user_sign_up_info;
    for (name, attribute) in &info.attributes {
        adapted
            .collected
            .insert(name.clone(), ValueKind::of(&attribute.value));
        if let DirectoryAttributeValue::Unknown { odata_type, .. } = &attribute.value {
            adapted.losses.push(Loss::UnknownAttributeValueType {
                attribute: name.clone(),
                odata_type: odata_type.clone(),
            });
        }
        let value = attribute.value.to_json_value();
        if !value.is_null() {
            set_claim(&mut adapted.request, name, config.to_b2c_name(name), value)?;
        }
    }
    adapted.request.identities = info.identities.clone();
    if adapted.request.email.is_none() {
        adapted.request.email = info.email().map(str::to_owned);
    }
    Ok(())
}

fn token_issuance(
    r: &TokenIssuanceStartRequest,
    request: &mut ConnectorRequest,
) -> Result<(), AdapterError> {
    let Some(user) = &r.user else {
        return Ok(());
    };
    let Ok(Value::Object(members)) = serde_json::to_value(user) else {
        unreachable!("a user serializes to an object")
    };
    for (name, value) in members {
        if value.is_null() {
            continue;
        }
        let claim = match name.as_str() {
            "id" => "objectId".to_owned(),
            "mail" => "email".to_owned(),
            _ => name.clone(),
        };
        set_claim(request, &name, claim, value)?;
    }
    Ok(())
}

fn context(envelope: &CalloutEnvelope, request: &mut ConnectorRequest) {
    let context = &envelope.authentication_context;
    request.client_id = context
        .client_service_principal
        .as_ref()
        .and_then(|sp| sp.app_id.clone());
    request.ui_locales = context.client.as_ref().and_then(|c| c.locale.clone());
}

/// Sets claim `claim` (from attribute `attribute`) on the request: a built-in claim into its
/// field, anything else into the additional claims.
fn set_claim(
    request: &mut ConnectorRequest,
    attribute: &str,
    claim: String,
    value: Value,
) -> Result<(), AdapterError> {
    let field = match claim.as_str() {
        "email" => &mut request.email,
        "displayName" => &mut request.display_name,
        "objectId" => &mut request.object_id,
        "givenName" => &mut request.given_name,
        "surname" | "lastName" => &mut request.surname,
        "jobTitle" => &mut request.job_title,
        "streetAddress" => &mut request.street_address,
        "city" => &mut request.city,
        "postalCode" => &mut request.postal_code,
        "state" => &mut request.state,
        "country" => &mut request.country,
        "identities" | "step" | "client_id" | "clientId" | "ui_locales" => {
            return Err(AdapterError::InvalidAttribute {
                attribute: attribute.to_owned(),
                expected: "named other than a claim the connector request reserves",
            });
        }
        _ => {
            request.additional_claims.insert(claim, value);
            return Ok(());
        }
    };
    match value {
        Value::String(s) => {
            *field = Some(s);
            Ok(())
        }
        _ => Err(AdapterError::InvalidAttribute {
            attribute: attribute.to_owned(),
            expected: "a string",
        }),
    }
}
