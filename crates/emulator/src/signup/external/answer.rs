//! What the sign-up service accepts back from a custom extension, event by event, and the
//! troubleshooting code of everything else (`custom-extensions-contract.md` §1, §3, §6.1). The
//! checks run in the order of the page's table, and the first failure wins: status (200 only),
//! content type (`application/json`, parameters ignored), body size (64 KiB), empty body, JSON and
//! envelope, `data.@odata.type`, number of actions (exactly one), action type, action fields.
//! Type names match ASCII case-insensitively, with or without `#` and the `microsoft.graph.`
//! namespace, and the `@odata.type` key does too (the docs spell it `@odata.Type` once).

use serde_json::{Map, Value};

use super::error_code::{ErrorCode, Failure};
use crate::odata::bare_type_name;

/// The largest response body accepted: **UNDOCUMENTED**, the emulator's number (§6.1).
pub(crate) const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// "The maximum claim size that a claims provider can return is limited to 3KB": keys plus string
/// values, in UTF-8 bytes (§3.3).
pub(crate) const MAX_CLAIMS_BYTES: usize = 3072;

/// The events a custom extension is called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    TokenIssuanceStart,
    AttributeCollectionStart,
    AttributeCollectionSubmit,
    EmailOtpSend,
}

impl Event {
    /// The request's `type`.
    pub fn request_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "microsoft.graph.authenticationEvent.tokenIssuanceStart",
            Event::AttributeCollectionStart => {
                "microsoft.graph.authenticationEvent.attributeCollectionStart"
            }
            Event::AttributeCollectionSubmit => {
                "microsoft.graph.authenticationEvent.attributeCollectionSubmit"
            }
            Event::EmailOtpSend => "microsoft.graph.authenticationEvent.emailOtpSend",
        }
    }

    /// The request's `data.@odata.type`.
    pub fn callout_data_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "microsoft.graph.onTokenIssuanceStartCalloutData",
            Event::AttributeCollectionStart => {
                "microsoft.graph.onAttributeCollectionStartCalloutData"
            }
            Event::AttributeCollectionSubmit => {
                "microsoft.graph.onAttributeCollectionSubmitCalloutData"
            }
            Event::EmailOtpSend => "microsoft.graph.onOtpSendCalloutData",
        }
    }

    /// The response's `data.@odata.type`, bare.
    fn response_data_type(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "onTokenIssuanceStartResponseData",
            Event::AttributeCollectionStart => "onAttributeCollectionStartResponseData",
            Event::AttributeCollectionSubmit => "onAttributeCollectionSubmitResponseData",
            Event::EmailOtpSend => "onOtpSendResponseData",
        }
    }

    /// The prefix of its actions' types (`tokenIssuanceStart.provideClaimsForToken`).
    fn action_prefix(self) -> &'static str {
        match self {
            Event::TokenIssuanceStart => "tokenIssuanceStart",
            Event::AttributeCollectionStart => "attributeCollectionStart",
            Event::AttributeCollectionSubmit => "attributeCollectionSubmit",
            Event::EmailOtpSend => "otpSend",
        }
    }

    /// The actions the event allows.
    fn actions(self) -> &'static [&'static str] {
        match self {
            Event::TokenIssuanceStart => &["provideClaimsForToken"],
            Event::AttributeCollectionStart => &[
                "continueWithDefaultBehavior",
                "setPrefillValues",
                "showBlockPage",
            ],
            Event::AttributeCollectionSubmit => &[
                "continueWithDefaultBehavior",
                "modifyAttributeValues",
                "showBlockPage",
                "showValidationError",
            ],
            Event::EmailOtpSend => &["continueWithDefaultBehavior"],
        }
    }
}

/// An accepted action.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    ContinueWithDefaultBehavior,
    /// `setPrefillValues.inputs`.
    SetPrefillValues(Map<String, Value>),
    /// `modifyAttributeValues.attributes`.
    ModifyAttributeValues(Map<String, Value>),
    ShowBlockPage {
        title: Option<String>,
        message: String,
    },
    ShowValidationError {
        message: String,
        attribute_errors: Vec<(String, String)>,
    },
    /// `provideClaimsForToken.claims`.
    ProvideClaimsForToken(Map<String, Value>),
}

/// A member whose key matches `name` ASCII case-insensitively.
fn member<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn odata_type(map: &Map<String, Value>) -> Option<String> {
    member(map, "@odata.type")
        .and_then(Value::as_str)
        .map(bare_type_name)
}

fn invalid(reason: impl Into<String>) -> Failure {
    Failure::new(ErrorCode::CustomExtensionInvalidResponseBody, reason)
}

/// Whether the content type's media type is `application/json`.
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Checks an HTTP answer of a custom extension called for `event`.
pub(crate) fn check(
    event: Event,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Action, Failure> {
    if status != 200 {
        return Err(Failure::new(
            ErrorCode::CustomExtensionInvalidHttpStatus,
            format!("the API answered HTTP {status}; a custom extension must answer 200"),
        ));
    }
    if !is_json(content_type) {
        return Err(Failure::new(
            ErrorCode::CustomExtensionInvalidResponseContentType,
            format!(
                "the response content-type is {}, not application/json",
                content_type.map_or_else(|| "missing".to_owned(), |c| format!("'{c}'"))
            ),
        ));
    }
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(Failure::new(
            ErrorCode::CustomExtensionResponseSizeExceeded,
            format!(
                "the response body has {} bytes, more than {MAX_RESPONSE_BYTES}",
                body.len()
            ),
        ));
    }
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() || text.trim() == "null" {
        return Err(Failure::new(
            ErrorCode::CustomExtensionEmptyResponse,
            "the response body is empty",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("the response body is not JSON: {e}")))?;
    let data = value
        .as_object()
        .and_then(|o| member(o, "data"))
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the response has no `data` object"))?;
    let data_type = odata_type(data).ok_or_else(|| invalid("`data` has no `@odata.type`"))?;
    if !data_type.eq_ignore_ascii_case(event.response_data_type()) {
        return Err(Failure::new(
            ErrorCode::CustomExtensionInvalidActionType,
            format!(
                "`data.@odata.type` is '{data_type}', not 'microsoft.graph.{}'",
                event.response_data_type()
            ),
        ));
    }
    let actions = member(data, "actions")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("`data` has no `actions` list"))?;
    if actions.len() != 1 {
        return Err(Failure::new(
            ErrorCode::CustomExtensionInvalidNumberOfActions,
            format!(
                "the response has {} actions; exactly one is supported",
                actions.len()
            ),
        ));
    }
    let action = actions[0]
        .as_object()
        .ok_or_else(|| invalid("the action is not an object"))?;
    let action_type =
        odata_type(action).ok_or_else(|| invalid("the action has no `@odata.type`"))?;
    let name = action_type
        .split_once('.')
        .filter(|(prefix, _)| prefix.eq_ignore_ascii_case(event.action_prefix()))
        .and_then(|(_, name)| {
            event
                .actions()
                .iter()
                .find(|a| a.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::CustomExtensionInvalidActionType,
                format!(
                    "'{action_type}' is not an action of {}: allowed are {}",
                    event.request_type(),
                    event
                        .actions()
                        .iter()
                        .map(|a| format!("microsoft.graph.{}.{a}", event.action_prefix()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    fields(name, action)
}

fn object_member(
    action: &Map<String, Value>,
    name: &str,
    action_name: &str,
) -> Result<Map<String, Value>, Failure> {
    member(action, name)
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| invalid(format!("`{action_name}` needs an object `{name}`")))
}

fn string_member(
    action: &Map<String, Value>,
    name: &str,
    action_name: &str,
) -> Result<Option<String>, Failure> {
    match member(action, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("`{action_name}.{name}` must be a string"))),
    }
}

fn fields(name: &str, action: &Map<String, Value>) -> Result<Action, Failure> {
    match name {
        "continueWithDefaultBehavior" => Ok(Action::ContinueWithDefaultBehavior),
        "setPrefillValues" => Ok(Action::SetPrefillValues(object_member(
            action, "inputs", name,
        )?)),
        "modifyAttributeValues" => Ok(Action::ModifyAttributeValues(object_member(
            action,
            "attributes",
            name,
        )?)),
        "showBlockPage" => Ok(Action::ShowBlockPage {
            title: string_member(action, "title", name)?,
            message: string_member(action, "message", name)?
                .ok_or_else(|| invalid("`showBlockPage` needs a `message`"))?,
        }),
        "showValidationError" => {
            let message = string_member(action, "message", name)?
                .ok_or_else(|| invalid("`showValidationError` needs a `message`"))?;
            let attribute_errors = match member(action, "attributeErrors") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(errors)) => errors
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(m) => Ok((k.clone(), m.clone())),
                        _ => Err(invalid(format!("`attributeErrors.{k}` must be a string"))),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(invalid("`attributeErrors` must be an object")),
            };
            Ok(Action::ShowValidationError {
                message,
                attribute_errors,
            })
        }
        "provideClaimsForToken" => {
            let claims = match member(action, "claims") {
                None | Some(Value::Null) => {
                    return Err(Failure::new(
                        ErrorCode::CustomExtensionNullClaimsResponse,
                        "`provideClaimsForToken` has no claims bag",
                    ));
                }
                Some(Value::Object(claims)) => claims.clone(),
                Some(_) => return Err(invalid("`claims` must be an object")),
            };
            let mut size = 0;
            for (key, value) in &claims {
                if key.trim().is_empty() {
                    return Err(Failure::new(
                        ErrorCode::CustomExtensionNullOrEmptyClaimKeyNotSupported,
                        "a claim has an empty key",
                    ));
                }
                size += key.len();
                match value {
                    Value::String(s) => size += s.len(),
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        size += items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::len)
                            .sum::<usize>();
                    }
                    _ => {
                        return Err(invalid(format!(
                            "claim `{key}` is not a string or an array of strings (the only supported claim types)"
                        )));
                    }
                }
            }
            if size > MAX_CLAIMS_BYTES {
                return Err(Failure::new(
                    ErrorCode::CustomExtensionResponseClaimsSizeExceeded,
                    format!("the claims have {size} bytes, more than {MAX_CLAIMS_BYTES}"),
                ));
            }
            Ok(Action::ProvideClaimsForToken(claims))
        }
        _ => unreachable!("names come from the event's action list"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(event: Event, status: u16, ct: Option<&str>, body: &str) -> u32 {
        check(event, status, ct, body.as_bytes())
            .map(|a| panic!("accepted: {a:?}"))
            .unwrap_err()
            .code
            .code()
    }

    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    #[test]
    fn the_first_failure_in_table_order_wins() {
        let e = Event::AttributeCollectionSubmit;
        assert_eq!(code(e, 500, Some("text/plain"), ""), 1_003_002);
        assert_eq!(code(e, 200, Some("text/plain"), ""), 1_003_006);
        assert_eq!(code(e, 200, None, "{}"), 1_003_006);
        assert_eq!(
            code(e, 200, JSON, &" ".repeat(MAX_RESPONSE_BYTES + 1)),
            1_003_024
        );
        assert_eq!(code(e, 200, JSON, ""), 1_003_009);
        assert_eq!(code(e, 200, JSON, "null"), 1_003_009);
        assert_eq!(code(e, 200, JSON, "{"), 1_003_003);
        assert_eq!(code(e, 200, JSON, r#"{"data":{}}"#), 1_003_003);
        let env = |data_type: &str, actions: &str| {
            format!(r#"{{"data":{{"@odata.type":"{data_type}","actions":{actions}}}}}"#)
        };
        let t = "microsoft.graph.onAttributeCollectionSubmitResponseData";
        assert_eq!(
            code(
                e,
                200,
                JSON,
                &env(
                    "microsoft.graph.onAttributeCollectionStartResponseData",
                    "[]"
                )
            ),
            1_003_012
        );
        assert_eq!(code(e, 200, JSON, &env(t, "[]")), 1_003_010);
        let two = r#"[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"},{"@odata.type":"microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"}]"#;
        assert_eq!(code(e, 200, JSON, &env(t, two)), 1_003_010);
        let start_action = r#"[{"@odata.type":"microsoft.graph.attributeCollectionStart.setPrefillValues","inputs":{}}]"#;
        assert_eq!(code(e, 200, JSON, &env(t, start_action)), 1_003_012);
        let no_message =
            r#"[{"@odata.type":"microsoft.graph.attributeCollectionSubmit.showBlockPage"}]"#;
        assert_eq!(code(e, 200, JSON, &env(t, no_message)), 1_003_003);
    }

    #[test]
    fn claims_rules() {
        let e = Event::TokenIssuanceStart;
        let body = |claims: &str| {
            format!(
                r#"{{"data":{{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken"{claims}}}]}}}}"#
            )
        };
        assert_eq!(code(e, 200, JSON, &body("")), 1_003_007);
        assert_eq!(code(e, 200, JSON, &body(r#","claims":null"#)), 1_003_007);
        assert_eq!(
            code(e, 200, JSON, &body(r#","claims":{"":"x"}"#)),
            1_003_026
        );
        assert_eq!(code(e, 200, JSON, &body(r#","claims":{"n":1}"#)), 1_003_003);
        let big = format!(r#","claims":{{"k":"{}"}}"#, "x".repeat(MAX_CLAIMS_BYTES));
        assert_eq!(code(e, 200, JSON, &body(&big)), 1_003_025);
        let ok = format!(
            r#","claims":{{"k":"{}"}}"#,
            "x".repeat(MAX_CLAIMS_BYTES - 1)
        );
        assert!(check(e, 200, JSON, body(&ok).as_bytes()).is_ok());
    }

    #[test]
    fn spellings_of_the_docs_are_accepted() {
        // setPreFillValues (the action lists), `#`, no namespace, `@odata.Type`, OTP's capital O.
        let start = r##"{"data":{"@odata.Type":"#microsoft.graph.onAttributeCollectionStartResponseData","actions":[{"@odata.type":"attributeCollectionStart.setPreFillValues","inputs":{"city":"x"}}]}}"##;
        assert!(matches!(
            check(Event::AttributeCollectionStart, 200, JSON, start.as_bytes()),
            Ok(Action::SetPrefillValues(_))
        ));
        let otp = r#"{"data":{"@odata.type":"microsoft.graph.OnOtpSendResponseData","actions":[{"@odata.type":"microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}}"#;
        assert_eq!(
            check(
                Event::EmailOtpSend,
                200,
                Some("Application/JSON"),
                otp.as_bytes()
            ),
            Ok(Action::ContinueWithDefaultBehavior)
        );
    }
}
