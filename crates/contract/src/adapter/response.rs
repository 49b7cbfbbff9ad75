//! B2C → External ID: [`from_connector_response`] turns a connector handler's answer into the
//! custom-extension action of the event.

use crate::custom_extension::{
    Action, AttributeValue, AttributeValues, BlockPage, CustomExtensionError,
    CustomExtensionResponse, Event, TokenClaims, ValidationError,
};
use crate::{Claims, ConnectorResponse};

use super::{AdapterConfig, AdapterError, Loss};

/// A connector answer turned into a custom-extension response, and what it lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdaptedResponse {
    /// The response to send to Entra (HTTP 200).
    pub response: CustomExtensionResponse,
    /// What the answer lost on the way.
    pub losses: Vec<Loss>,
}

impl AdaptedResponse {
    /// The HTTP status (200) and body to send, with `Content-Type:`
    /// [`CONTENT_TYPE`](crate::CONTENT_TYPE).
    pub fn to_http(&self) -> (u16, Vec<u8>) {
        self.response.to_http()
    }

    /// The attributes of `setPrefillValues` or `modifyAttributeValues`.
    pub(crate) fn attribute_values(&self) -> Option<&AttributeValues> {
        match self.response.action() {
            Action::SetPrefillValues(values) | Action::ModifyAttributeValues(values) => {
                Some(values)
            }
            _ => None,
        }
    }
}

/// Turns the connector handler's `response` into the action of `event`:
///
/// | connector answer | attribute collection start | attribute collection submit | token issuance start |
/// | --- | --- | --- | --- |
/// | `Continue` without claims | `continueWithDefaultBehavior` | `continueWithDefaultBehavior` | `provideClaimsForToken` with `claims: {}` |
/// | `Continue` with claims | `setPrefillValues` | `modifyAttributeValues` | `provideClaimsForToken` |
/// | `ShowBlockPage` | `showBlockPage` (`message` = `userMessage`, no `title`) | `showBlockPage` | [`AdapterError::ActionNotAllowed`] |
/// | `ValidationError` | `showBlockPage`, [`Loss::ValidationErrorAsBlockPage`] | `showValidationError` (`attributeErrors: {}`) | [`AdapterError::ActionNotAllowed`] |
///
/// Claim names of custom attributes are rewritten with [`AdapterConfig::to_external_name`].
/// Values: attributes take strings, integers and booleans, token claims strings and arrays of
/// strings; anything else is [`AdapterError::UnsupportedClaimValue`]. A `userMessage` claim of a
/// continuation is dropped ([`Loss::ContinueUserMessage`]). `emailOtpSend` is
/// [`AdapterError::NotAdaptable`].
///
/// [`AdaptedCall::respond`](super::AdaptedCall::respond) does the same and also checks the
/// attributes against the call.
pub fn from_connector_response(
    response: ConnectorResponse,
    event: Event,
    config: &AdapterConfig,
) -> Result<AdaptedResponse, AdapterError> {
    if super::step_for(event).is_none() {
        return Err(AdapterError::NotAdaptable { event });
    }
    let mut losses = Vec::new();
    let action_kind = response.action();
    let action = match (response, event) {
        (ConnectorResponse::Continue(continuation), _) => {
            let mut claims = continuation.into_claims();
            if claims.shift_remove("userMessage").is_some() {
                losses.push(Loss::ContinueUserMessage);
            }
            continuation_action(claims, event, config)?
        }
        (
            ConnectorResponse::ShowBlockPage { .. } | ConnectorResponse::ValidationError { .. },
            Event::TokenIssuanceStart,
        ) => {
            return Err(AdapterError::ActionNotAllowed {
                action: action_kind,
                event,
            });
        }
        (ConnectorResponse::ShowBlockPage { user_message }, _) => {
            Action::ShowBlockPage(BlockPage::new(user_message))
        }
        (ConnectorResponse::ValidationError { user_message }, Event::AttributeCollectionSubmit) => {
            Action::ShowValidationError(ValidationError::new(user_message))
        }
        (ConnectorResponse::ValidationError { user_message }, _) => {
            losses.push(Loss::ValidationErrorAsBlockPage);
            Action::ShowBlockPage(BlockPage::new(user_message))
        }
    };
    let response = CustomExtensionResponse::new(event, action).map_err(AdapterError::Response)?;
    Ok(AdaptedResponse { response, losses })
}

fn continuation_action(
    claims: Claims,
    event: Event,
    config: &AdapterConfig,
) -> Result<Action, AdapterError> {
    if event == Event::TokenIssuanceStart {
        let mut token_claims = TokenClaims::new();
        for (name, value) in &claims {
            let external = config.to_external_name(name)?;
            token_claims
                .insert_json(external, value)
                .map_err(|e| match e {
                    CustomExtensionError::InvalidClaimValue { .. } => {
                        AdapterError::UnsupportedClaimValue {
                            claim: name.clone(),
                            event,
                            expected: "a string or an array of strings",
                        }
                    }
                    other => AdapterError::Response(other),
                })?;
        }
        return Ok(Action::ProvideClaimsForToken(token_claims));
    }
    if claims.is_empty() {
        return Ok(Action::ContinueWithDefaultBehavior);
    }
    let mut values = AttributeValues::new();
    for (name, value) in &claims {
        let external = config.to_external_name(name)?;
        let value = AttributeValue::from_json_value(name, value).map_err(|_| {
            AdapterError::UnsupportedClaimValue {
                claim: name.clone(),
                event,
                expected: "a string, an integer or a boolean",
            }
        })?;
        values
            .insert(external, value)
            .map_err(AdapterError::Response)?;
    }
    Ok(if event == Event::AttributeCollectionStart {
        Action::SetPrefillValues(values)
    } else {
        Action::ModifyAttributeValues(values)
    })
}
