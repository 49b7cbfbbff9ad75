//! One custom extension's call in a sign-up: the configuration checks the service makes before it
//! calls (the `validateAuthenticationConfiguration` checks, failing with 1003014–1003021), the
//! timeout and retries (`clientConfiguration`, or the handler's
//! `customExtensionOverwriteConfiguration`; `null` members: 1000 ms and 1 retry, contract §6), the
//! signed bearer token, each attempt recorded in the transcript, and the answer checked
//! (`answer`).

use std::time::{Duration, Instant};

use serde_json::Value;

use super::answer::{self, Action, Event};
use super::error_code::{ErrorCode, Failure};
use super::token::bearer_token;
use crate::App;
use crate::graph::{Finding, check_configuration};
use crate::signup::caller::{self, Credential, FailureKind};
use crate::signup::{CallAuth, CallResponse, ConnectorCall, SignUpStep};
use crate::state::ExtensionRecord;

/// The service's wait for one attempt when nothing is configured (Graph's
/// `customExtensionClientConfiguration`: "Default duration is 1000").
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_millis(1000);
/// The retries when nothing is configured ("Default is 1").
pub(crate) const DEFAULT_RETRIES: u32 = 1;

/// The code a sign-up fails with when a configuration check fails.
fn finding_code(finding: Finding) -> ErrorCode {
    match finding {
        Finding::IncorrectResourceIdFormat => ErrorCode::CustomExtensionIncorrectResourceIdFormat,
        Finding::DomainNameDoesNotMatch => ErrorCode::CustomExtensionDomainNameDoesNotMatch,
        Finding::ServicePrincipalNotFound => {
            ErrorCode::CustomExtensionResourceServicePrincipalNotFound
        }
        Finding::ServicePrincipalDisabled => {
            ErrorCode::CustomExtensionResourceServicePrincipalDisabled
        }
        Finding::IncorrectTargetUrlFormat => ErrorCode::CustomExtensionIncorrectTargetUrlFormat,
        Finding::PermissionNotGrantedToServicePrincipal => {
            ErrorCode::CustomExtensionPermissionNotGrantedToServicePrincipal
        }
    }
}

/// `clientConfiguration`'s members in a handler's overwrite configuration, when set.
fn overwrite(configuration: Option<&Value>, member: &str) -> Option<i64> {
    configuration?
        .get("clientConfiguration")?
        .get(member)?
        .as_i64()
}

/// The timeout of one attempt and the number of retries: the handler's overwrite, else the
/// extension's `clientConfiguration`, else the defaults.
pub(super) fn limits(
    extension: &ExtensionRecord,
    configuration: Option<&Value>,
) -> (Duration, u32) {
    let own = extension.client_configuration.unwrap_or_default();
    let timeout = overwrite(configuration, "timeoutInMilliseconds")
        .or(own.timeout_in_milliseconds)
        .and_then(|ms| u64::try_from(ms).ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_millis);
    let retries = overwrite(configuration, "maximumRetries")
        .or(own.maximum_retries)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(DEFAULT_RETRIES);
    (timeout, retries)
}

/// Calls `extension` for `event` with `body`, recording every attempt in `calls`.
pub(super) async fn call(
    app: &App,
    extension: &ExtensionRecord,
    configuration: Option<&Value>,
    event: Event,
    step: SignUpStep,
    body: &Value,
    calls: &mut Vec<ConnectorCall>,
) -> Result<Action, Failure> {
    let findings = check_configuration(
        app,
        extension.target_url.as_deref(),
        extension.resource_id.as_deref(),
    );
    if let Some(first) = findings.first() {
        return Err(Failure::new(finding_code(*first), first.message()));
    }
    let url = extension
        .target_url
        .as_deref()
        .expect("the checks passed, so there is a target URL");
    let (_, audience) = crate::graph::parse_resource_id(
        extension
            .resource_id
            .as_deref()
            .expect("the checks passed, so there is a resource id"),
    )
    .expect("the checks passed, so the resource id is well formed");
    let (timeout, retries) = limits(extension, configuration);
    let bytes = serde_json::to_vec(body).expect("JSON values serialize");
    let mut last = None;
    for attempt in 1..=retries + 1 {
        // A fresh token for each attempt, as a new call gets.
        let (token, key_id) = bearer_token(app, audience);
        let started = Instant::now();
        let result = caller::post(
            &app.sign_up,
            timeout,
            url,
            &Credential::Bearer(token),
            bytes.clone(),
        )
        .await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let response = match &result {
            Ok(answer) => CallResponse::Http {
                status: answer.status,
                body: String::from_utf8_lossy(&answer.body).into_owned(),
                content_type: answer.content_type.clone(),
            },
            Err(failure) => CallResponse::Error {
                error: failure.message.clone(),
            },
        };
        calls.push(ConnectorCall {
            step,
            connector_id: extension.id.clone(),
            attempt,
            url: url.to_owned(),
            request_body: redacted(body),
            auth: CallAuth::Bearer {
                audience: audience.to_owned(),
                key_id,
            },
            response,
            elapsed_ms,
        });
        match result {
            Ok(reply) => {
                return answer::check(
                    event,
                    reply.status,
                    reply.content_type.as_deref(),
                    &reply.body,
                );
            }
            Err(failure) if failure.kind == FailureKind::Other => {
                return Err(Failure::new(
                    ErrorCode::CustomExtensionUnexpectedError,
                    failure.message,
                ));
            }
            Err(failure) => last = Some(failure),
        }
    }
    let failure = last.expect("at least one attempt ran");
    let attempts = retries + 1;
    let code = match failure.kind {
        FailureKind::Timeout => ErrorCode::CustomExtensionTimedOut,
        _ => ErrorCode::CustomExtensionConnectionError,
    };
    Err(Failure::new(
        code,
        format!(
            "no answer after {attempts} attempt{}: {}",
            if attempts == 1 { "" } else { "s" },
            failure.message
        ),
    ))
}

/// The request as the transcript keeps it: the one-time passcode of an `emailOtpSend` call
/// (`data.otpContext.oneTimeCode`) is a credential, shown as `******`.
fn redacted(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(code) = body.pointer_mut("/data/otpContext/oneTimeCode") {
        *code = Value::String("******".to_owned());
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{ClientConfiguration, ExtensionKind};
    use serde_json::json;

    fn extension(client: Option<ClientConfiguration>) -> ExtensionRecord {
        ExtensionRecord {
            id: "x".into(),
            kind: ExtensionKind::AttributeCollectionStart,
            display_name: None,
            description: None,
            target_url: None,
            has_endpoint: false,
            resource_id: None,
            has_authentication: false,
            client_configuration: client,
            behavior_on_error: None,
            claims_for_token_configuration: Vec::new(),
            seq: 0,
        }
    }

    #[test]
    fn limits_come_from_the_overwrite_then_the_extension_then_the_defaults() {
        assert_eq!(limits(&extension(None), None), (DEFAULT_TIMEOUT, 1));
        let own = extension(Some(ClientConfiguration {
            timeout_in_milliseconds: Some(300),
            maximum_retries: Some(0),
        }));
        assert_eq!(limits(&own, None), (Duration::from_millis(300), 0));
        let partial = json!({"clientConfiguration": {"timeoutInMilliseconds": 1500}});
        assert_eq!(
            limits(&own, Some(&partial)),
            (Duration::from_millis(1500), 0)
        );
        let nulls =
            json!({"clientConfiguration": {"timeoutInMilliseconds": null, "maximumRetries": 1}});
        assert_eq!(limits(&own, Some(&nulls)), (Duration::from_millis(300), 1));
    }
}
