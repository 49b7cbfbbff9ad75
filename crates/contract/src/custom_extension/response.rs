//! [`CustomExtensionResponse`]: one event's response with its one action, the per-event
//! legality check, and the exact wire form.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{
    Action, ActionKind, AttributeCollectionStartAction, AttributeCollectionSubmitAction,
    AttributeValues, BlockPage, CustomExtensionError, EmailOtpSendAction, Event, TokenClaims,
    TokenIssuanceStartAction, ValidationError, odata_type,
};

/// What the API answers to a custom extension call: the event's response data with exactly one
/// action that the event allows.
///
/// Built with [`new`](Self::new), which checks the action against the event, or from an
/// event's own action type (`From<AttributeCollectionSubmitAction>` and the others), which
/// cannot be illegal. On the wire:
///
/// ```text
/// HTTP/1.1 200 OK
/// Content-Type: application/json
///
/// {"data":{"@odata.type":"<response data type>","actions":[{"@odata.type":"<action type>",…}]}}
/// ```
///
/// ```
/// use entra_api_connectors_contract::custom_extension::{
///     Action, ActionKind, BlockPage, CustomExtensionError, CustomExtensionResponse, Event,
/// };
///
/// let block = Action::ShowBlockPage(BlockPage::new("Sign-ups are closed."));
/// let response = CustomExtensionResponse::new(Event::AttributeCollectionStart, block.clone())?;
/// assert_eq!(
///     response.to_json(),
///     r#"{"data":{"@odata.type":"microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"microsoft.graph.attributeCollectionStart.showBlockPage","message":"Sign-ups are closed."}]}}"#
/// );
/// assert_eq!(
///     CustomExtensionResponse::new(Event::TokenIssuanceStart, block),
///     Err(CustomExtensionError::ActionNotAllowed {
///         action: ActionKind::ShowBlockPage,
///         event: Event::TokenIssuanceStart,
///     })
/// );
/// # Ok::<(), CustomExtensionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomExtensionResponse {
    event: Event,
    action: Action,
}

impl CustomExtensionResponse {
    /// The response to `event` with `action`; fails with
    /// [`ActionNotAllowed`](CustomExtensionError::ActionNotAllowed) when the event does not
    /// allow it.
    pub fn new(event: Event, action: Action) -> Result<Self, CustomExtensionError> {
        let kind = action.kind();
        if !event.allows(kind) {
            return Err(CustomExtensionError::ActionNotAllowed {
                action: kind,
                event,
            });
        }
        Ok(CustomExtensionResponse { event, action })
    }

    /// `continueWithDefaultBehavior` for `event`; fails for token issuance start, which has
    /// no such action.
    pub fn continue_with_default_behavior(event: Event) -> Result<Self, CustomExtensionError> {
        CustomExtensionResponse::new(event, Action::ContinueWithDefaultBehavior)
    }

    /// The event this response answers.
    pub fn event(&self) -> Event {
        self.event
    }

    /// Its action.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// Its action, by value.
    pub fn into_action(self) -> Action {
        self.action
    }

    /// The HTTP status: 200 for every action of every event (`docs/custom-extensions-contract.md`
    /// §1, choice 1).
    pub fn http_status(&self) -> u16 {
        200
    }

    /// The response body: compact JSON in the pages' spelling.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("responses always serialize: all map keys are strings")
    }

    /// The HTTP status and body to send (with `Content-Type:`
    /// [`CONTENT_TYPE`](crate::CONTENT_TYPE)).
    pub fn to_http(&self) -> (u16, Vec<u8>) {
        (self.http_status(), self.to_json().into_bytes())
    }

    /// Parses a response body, for the event that its `data.@odata.type` names. Accepts the
    /// pages' spellings (any ASCII case, `#`, no namespace, `setPreFillValues`) and checks
    /// the number of actions and their legality.
    pub fn from_json(body: impl AsRef<[u8]>) -> Result<Self, CustomExtensionError> {
        parse(None, body.as_ref())
    }

    /// Parses a response to a call of `event`: as [`from_json`](Self::from_json), and the
    /// response must be for `event`.
    pub fn from_json_for(
        event: Event,
        body: impl AsRef<[u8]>,
    ) -> Result<Self, CustomExtensionError> {
        parse(Some(event), body.as_ref())
    }

    /// Parses what the API sent in answer to a call of `event`, as Entra does: the status must
    /// be 200.
    pub fn from_http(
        event: Event,
        status: u16,
        body: impl AsRef<[u8]>,
    ) -> Result<Self, CustomExtensionError> {
        if status != 200 {
            return Err(CustomExtensionError::UnexpectedHttpStatus(status));
        }
        Self::from_json_for(event, body)
    }
}

impl From<TokenIssuanceStartAction> for CustomExtensionResponse {
    fn from(action: TokenIssuanceStartAction) -> Self {
        CustomExtensionResponse {
            event: Event::TokenIssuanceStart,
            action: action.into(),
        }
    }
}

impl From<AttributeCollectionStartAction> for CustomExtensionResponse {
    fn from(action: AttributeCollectionStartAction) -> Self {
        CustomExtensionResponse {
            event: Event::AttributeCollectionStart,
            action: action.into(),
        }
    }
}

impl From<AttributeCollectionSubmitAction> for CustomExtensionResponse {
    fn from(action: AttributeCollectionSubmitAction) -> Self {
        CustomExtensionResponse {
            event: Event::AttributeCollectionSubmit,
            action: action.into(),
        }
    }
}

impl From<EmailOtpSendAction> for CustomExtensionResponse {
    fn from(action: EmailOtpSendAction) -> Self {
        CustomExtensionResponse {
            event: Event::EmailOtpSend,
            action: action.into(),
        }
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

fn take_object(
    object: &mut Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Map<String, Value>, CustomExtensionError> {
    match object.remove(key) {
        Some(Value::Object(inner)) => Ok(inner),
        None | Some(Value::Null) => Err(missing(field)),
        Some(_) => Err(invalid(field, "an object")),
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

fn take_odata_type(
    object: &mut Map<String, Value>,
    field: &str,
) -> Result<String, CustomExtensionError> {
    match odata_type::take(object) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(missing(field)),
        Some(_) => Err(invalid(field, "a string")),
    }
}

fn parse(
    expected: Option<Event>,
    body: &[u8],
) -> Result<CustomExtensionResponse, CustomExtensionError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| CustomExtensionError::InvalidJson(e.to_string()))?;
    let Value::Object(mut root) = value else {
        return Err(CustomExtensionError::InvalidJson(
            "expected a JSON object".to_owned(),
        ));
    };
    let mut data = take_object(&mut root, "data", "data")?;
    let data_type = take_odata_type(&mut data, "data.@odata.type")?;
    let event = Event::from_response_data_type(&data_type)
        .ok_or(CustomExtensionError::UnknownResponseDataType(data_type))?;
    if let Some(expected) = expected
        && expected != event
    {
        return Err(CustomExtensionError::ResponseForAnotherEvent {
            expected,
            found: event,
        });
    }
    let actions = match data.remove("actions") {
        Some(Value::Array(actions)) => actions,
        None | Some(Value::Null) => return Err(missing("data.actions")),
        Some(_) => return Err(invalid("data.actions", "an array")),
    };
    if actions.len() != 1 {
        return Err(CustomExtensionError::WrongNumberOfActions {
            event,
            count: actions.len(),
        });
    }
    let Some(Value::Object(mut action)) = actions.into_iter().next() else {
        return Err(invalid("data.actions[0]", "an object"));
    };
    let action_type = take_odata_type(&mut action, "data.actions[0].@odata.type")?;
    let kind = ActionKind::from_odata_type(event, &action_type)?;
    let action = match kind {
        ActionKind::ProvideClaimsForToken => {
            const FIELD: &str = "data.actions[0].claims";
            match action.remove("claims") {
                None | Some(Value::Null) => return Err(missing(FIELD)),
                Some(claims) => {
                    Action::ProvideClaimsForToken(TokenClaims::from_json_object(FIELD, claims)?)
                }
            }
        }
        ActionKind::ContinueWithDefaultBehavior => Action::ContinueWithDefaultBehavior,
        ActionKind::SetPrefillValues => {
            const FIELD: &str = "data.actions[0].inputs";
            match action.remove("inputs") {
                None | Some(Value::Null) => return Err(missing(FIELD)),
                Some(v) => Action::SetPrefillValues(AttributeValues::from_json_object(FIELD, v)?),
            }
        }
        ActionKind::ModifyAttributeValues => {
            const FIELD: &str = "data.actions[0].attributes";
            match action.remove("attributes") {
                None | Some(Value::Null) => return Err(missing(FIELD)),
                Some(v) => {
                    Action::ModifyAttributeValues(AttributeValues::from_json_object(FIELD, v)?)
                }
            }
        }
        ActionKind::ShowBlockPage => {
            let message = take_string(&mut action, "message", "data.actions[0].message")?;
            let title = match action.remove("title") {
                None | Some(Value::Null) => None,
                Some(Value::String(t)) => Some(t),
                Some(_) => return Err(invalid("data.actions[0].title", "a string")),
            };
            Action::ShowBlockPage(BlockPage { message, title })
        }
        ActionKind::ShowValidationError => {
            let message = take_string(&mut action, "message", "data.actions[0].message")?;
            const FIELD: &str = "data.actions[0].attributeErrors";
            let mut error = ValidationError::new(message);
            match action.remove("attributeErrors") {
                // Choice 4: a missing `attributeErrors` reads as `{}`.
                None | Some(Value::Null) => {}
                Some(Value::Object(errors)) => {
                    for (attribute, message) in errors {
                        let Value::String(message) = message else {
                            return Err(invalid(FIELD, "an object of strings"));
                        };
                        error.attribute_errors.insert(attribute, message);
                    }
                }
                Some(_) => return Err(invalid(FIELD, "an object of strings")),
            }
            Action::ShowValidationError(error)
        }
    };
    let mut action = action;
    let keys = super::key_order::response_action_keys(body);
    match &mut action {
        Action::ProvideClaimsForToken(claims) => claims.sort_like(keys.claims.as_ref()),
        Action::SetPrefillValues(values) => values.sort_like(keys.inputs.as_ref()),
        Action::ModifyAttributeValues(values) => values.sort_like(keys.attributes.as_ref()),
        Action::ShowValidationError(error) => {
            super::key_order::sort_like(&mut error.attribute_errors, keys.attribute_errors.as_ref())
        }
        Action::ContinueWithDefaultBehavior | Action::ShowBlockPage(_) => {}
    }
    Ok(CustomExtensionResponse { event, action })
}

/// One action with the type name of its event.
struct ActionWire<'a> {
    event: Event,
    action: &'a Action,
}

impl Serialize for ActionWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(odata_type::KEY, &self.action.kind().odata_type(self.event))?;
        match self.action {
            Action::ProvideClaimsForToken(claims) => map.serialize_entry("claims", claims)?,
            Action::ContinueWithDefaultBehavior => {}
            Action::SetPrefillValues(inputs) => map.serialize_entry("inputs", inputs)?,
            Action::ModifyAttributeValues(attributes) => {
                map.serialize_entry("attributes", attributes)?
            }
            Action::ShowBlockPage(page) => {
                if let Some(title) = &page.title {
                    map.serialize_entry("title", title)?;
                }
                map.serialize_entry("message", &page.message)?;
            }
            Action::ShowValidationError(error) => {
                map.serialize_entry("message", &error.message)?;
                map.serialize_entry("attributeErrors", &error.attribute_errors)?;
            }
        }
        map.end()
    }
}

struct Actions<'a>(ActionWire<'a>);

impl Serialize for Actions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(1))?;
        seq.serialize_element(&self.0)?;
        seq.end()
    }
}

struct Data<'a>(&'a CustomExtensionResponse);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(odata_type::KEY, self.0.event.response_data_type())?;
        map.serialize_entry(
            "actions",
            &Actions(ActionWire {
                event: self.0.event,
                action: &self.0.action,
            }),
        )?;
        map.end()
    }
}

impl Serialize for CustomExtensionResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("data", &Data(self))?;
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for CustomExtensionResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = Value::deserialize(deserializer)?;
        let body = serde_json::to_vec(&value).map_err(D::Error::custom)?;
        parse(None, &body).map_err(D::Error::custom)
    }
}
