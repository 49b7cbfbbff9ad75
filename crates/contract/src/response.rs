//! [`ConnectorResponse`]: the three documented answers of the API, their exact wire form and the
//! rules of which answer each step allows.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Action, Continuation, ContractError, Step};

/// The `version` this crate writes into every response ("the version of your API" in the docs,
/// shown as `1.0.0` in every documented example).
pub const RESPONSE_VERSION: &str = "1.0.0";

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

    /// The HTTP status and body to send (with `Content-Type:` [`CONTENT_TYPE`](crate::CONTENT_TYPE)).
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
            && c.claims().contains_key("email")
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
                for (name, value) in c.claims() {
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
