//! The events flow runner: the flow and application a sign-up is for, the user's attribute values,
//! the events in order (contract §4), each extension's answer applied, and the outcome.
//!
//! Choices (recorded in `docs/graph-behaviour.md` §11):
//! - The application: [`SignUpInput::client_id`], which must be in the flow's
//!   `includeApplications` (or the flow includes all applications); without one, the flow's first
//!   included application, else [`DEFAULT_CLIENT_ID`](crate::DEFAULT_CLIENT_ID) when the flow
//!   includes all applications. The application needs a service principal in the tenant.
//! - Attribute values: the input's claims are what the user enters on the page, by attribute id
//!   (case-insensitive; a custom attribute also as `extension_<name>`); they must be attributes of
//!   the flow's `onAttributeCollection` (`email` is the sign-in identity in any case) and have the
//!   attribute's `dataType`. At start only `email` has a value (it is verified before the page).
//! - `setPrefillValues` fills the attributes the user leaves empty; `modifyAttributeValues`
//!   overwrites. Keys that are not attributes of the flow are ignored with a note ("Your REST API
//!   can't add new attributes"); a value of the wrong type is an invalid response body (1003003).
//! - Token issuance start: the directly created `onTokenIssuanceStartListener`s that apply to the
//!   application, the lowest `priority` first (unset: 500), then the oldest; only the first one is
//!   called. The token gets the user's attributes and the returned claims; when the extension has
//!   `claimsForTokenConfiguration`, only the claims it lists.
//! - Email OTP send: for a local account, with the same listener rule; when the extension fails and
//!   its `behaviorOnError` is `fallbackToMicrosoftProviderOnError`, the sign-up goes on (Entra
//!   sends the code) with a note.

use serde_json::{Map, Value, json};

use super::answer::{Action, Event};
use super::call::call;
use super::error_code::{ErrorCode, Failure};
use super::payload::{self, Session};
use crate::signup::{
    ConnectorCall, SignUpError, SignUpInput, SignUpOutcome, SignUpStep, Transcript,
};
use crate::state::{
    BehaviorOnError, EventsFlowRecord, ExtensionRecord, ListenerKind, ListenerRecord,
    UserFlowAttribute,
};
use crate::{App, DEFAULT_CLIENT_ID, DEFAULT_UI_LOCALES, ServicePrincipal};
use entra_api_connectors_contract::Claims;

/// A listener's priority when it has none (Graph's default for flows, `graph-behaviour.md` §8).
const DEFAULT_PRIORITY: i64 = 500;

/// An extension to call for an event, read once at the start.
struct Handler {
    listener_id: String,
    /// `None`: the handler names an extension that does not exist (1003011).
    extension: Option<ExtensionRecord>,
    extension_id: String,
    configuration: Option<Value>,
}

/// What the run needs from the tenant, read under the lock at the start.
struct Plan {
    flow: EventsFlowRecord,
    client: ServicePrincipal,
    attributes: Vec<UserFlowAttribute>,
    otp_send: Option<Handler>,
    start: Option<Handler>,
    submit: Option<Handler>,
    token_issuance: Option<Handler>,
    notes: Vec<String>,
}

fn handler_of(
    state: &crate::state::State,
    listener_id: &str,
    h: &crate::state::ExtensionHandler,
) -> Option<Handler> {
    let id = h.custom_extension_id.clone()?;
    Some(Handler {
        listener_id: listener_id.to_owned(),
        extension: state.extension(&id).cloned(),
        extension_id: id,
        configuration: h.configuration.clone(),
    })
}

/// The directly created listener of `kind` that applies to `app_id` and comes first.
fn listener_for<'a>(
    listeners: &'a [ListenerRecord],
    kind: ListenerKind,
    app_id: &str,
    notes: &mut Vec<String>,
) -> Option<&'a ListenerRecord> {
    let mut matching: Vec<&ListenerRecord> = listeners
        .iter()
        .filter(|l| l.kind == kind && l.authentication_events_flow_id.is_none())
        .filter(|l| l.applies_to(app_id) && l.extension_handler().is_some())
        .collect();
    matching.sort_by_key(|l| (l.priority.unwrap_or(DEFAULT_PRIORITY), l.seq));
    if matching.len() > 1 {
        notes.push(format!(
            "{} {} listeners apply to application {app_id}; only {} (priority {}) is called",
            matching.len(),
            kind.type_name(),
            matching[0].id,
            matching[0].priority.unwrap_or(DEFAULT_PRIORITY)
        ));
    }
    matching.first().copied()
}

fn plan(app: &App, flow_id: &str, input: &SignUpInput) -> Result<Plan, SignUpError> {
    let state = app.lock();
    let flow = state
        .events_flow(flow_id)
        .cloned()
        .ok_or_else(|| SignUpError::FlowNotFound(flow_id.to_owned()))?;
    let client_id = match &input.client_id {
        Some(id) if flow.applies_to(id) => id.clone(),
        Some(id) => {
            return Err(SignUpError::InvalidInput(format!(
                "the events flow `{}` does not apply to application `{id}` (not in conditions.applications.includeApplications)",
                flow.id
            )));
        }
        None => match flow.include_applications.first() {
            Some(id) => id.clone(),
            None if flow.include_all_applications => DEFAULT_CLIENT_ID.to_owned(),
            None => {
                return Err(SignUpError::InvalidInput(format!(
                    "the events flow `{}` applies to no application: add one to conditions.applications.includeApplications",
                    flow.id
                )));
            }
        },
    };
    let client = app.service_principal(&client_id).cloned().ok_or_else(|| {
        SignUpError::InvalidInput(format!(
            "application `{client_id}` has no service principal in the emulated tenant (EmulatorConfig::service_principal)"
        ))
    })?;
    let attributes = flow
        .on_attribute_collection
        .as_ref()
        .map(|a| crate::graph::attributes_of(&state, a))
        .unwrap_or_default();
    let mut notes = Vec::new();
    let start = flow
        .on_attribute_collection_start
        .as_ref()
        .and_then(|h| handler_of(&state, &h.listener_id, &h.handler));
    let submit = flow
        .on_attribute_collection_submit
        .as_ref()
        .and_then(|h| handler_of(&state, &h.listener_id, &h.handler));
    let listeners: Vec<ListenerRecord> = state.listeners.values().cloned().collect();
    let mut pick = |kind| {
        listener_for(&listeners, kind, &client.app_id, &mut notes)
            .and_then(|l| handler_of(&state, &l.id, l.extension_handler().expect("filtered")))
    };
    let token_issuance = pick(ListenerKind::TokenIssuanceStart);
    let otp_send = if input.identity_provider.is_none() {
        pick(ListenerKind::EmailOtpSend)
    } else {
        None
    };
    Ok(Plan {
        flow,
        client,
        attributes,
        otp_send,
        start,
        submit,
        token_issuance,
        notes,
    })
}

/// The flow attribute a claim name means, if any.
fn resolve<'a>(attributes: &'a [UserFlowAttribute], name: &str) -> Option<&'a UserFlowAttribute> {
    attributes
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(name))
        .or_else(|| {
            let short = name.strip_prefix("extension_")?;
            let suffix = format!("_{}", short.to_ascii_lowercase());
            let mut custom = attributes.iter().filter(|a| {
                a.id.starts_with("extension_") && a.id.to_ascii_lowercase().ends_with(&suffix)
            });
            let one = custom.next()?;
            custom.next().is_none().then_some(one)
        })
}

/// The user's attribute values as the sign-up goes on, by attribute id, in the flow's order.
struct Values {
    attributes: Vec<UserFlowAttribute>,
    values: Map<String, Value>,
    email: Option<String>,
}

impl Values {
    /// Entered values from the user: every key an attribute of the flow, every value of its type.
    fn entered(&self, claims: &Claims) -> Result<Map<String, Value>, SignUpError> {
        let mut out = Map::new();
        for (name, value) in claims {
            if value.is_null() {
                continue;
            }
            if name.eq_ignore_ascii_case("email") && resolve(&self.attributes, name).is_none() {
                continue;
            }
            let attribute = resolve(&self.attributes, name).ok_or_else(|| {
                SignUpError::InvalidInput(format!(
                    "`{name}` is not an attribute of the events flow's attribute collection"
                ))
            })?;
            let typed =
                payload::typed_value(attribute, value).map_err(SignUpError::InvalidInput)?;
            out.insert(attribute.id.clone(), typed);
        }
        Ok(out)
    }

    /// Applies an extension's values: `overwrite` for `modifyAttributeValues`, else only the empty
    /// attributes (`setPrefillValues`).
    fn apply(
        &mut self,
        from_api: &Map<String, Value>,
        overwrite: bool,
        action: &str,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        for (name, value) in from_api {
            let Some(attribute) = resolve(&self.attributes, name) else {
                notes.push(format!(
                    "{action}: `{name}` is not an attribute of the flow and is ignored (an API can't add attributes)"
                ));
                continue;
            };
            let typed = payload::typed_value(attribute, value).map_err(|e| {
                Failure::new(
                    ErrorCode::CustomExtensionInvalidResponseBody,
                    format!("{action}: {e}"),
                )
            })?;
            if overwrite || !self.values.contains_key(&attribute.id) {
                self.values.insert(attribute.id.clone(), typed);
            } else {
                notes.push(format!(
                    "{action}: the user entered `{}`, so the pre-filled value is not used",
                    attribute.id
                ));
            }
        }
        Ok(())
    }

    fn value_of(&self, id: &str) -> Option<Value> {
        if id == "email"
            && let Some(email) = &self.email
        {
            return Some(Value::from(email.clone()));
        }
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, v)| v.clone())
    }

    /// The user's claims: the email, then the attributes in the flow's order.
    fn claims(&self) -> Claims {
        let mut claims = Claims::new();
        if let Some(email) = &self.email {
            claims.insert("email".into(), Value::from(email.clone()));
        }
        for a in &self.attributes {
            if let Some(v) = self.values.get(&a.id) {
                claims.insert(a.id.clone(), v.clone());
            }
        }
        claims
    }
}

struct Run<'a> {
    app: &'a App,
    calls: Vec<ConnectorCall>,
    notes: Vec<String>,
    correlation_id: String,
    locale: String,
    client: ServicePrincipal,
    identities: Value,
}

impl Run<'_> {
    fn session(&self) -> Session<'_> {
        Session {
            tenant_id: &self.app.tenant_id,
            correlation_id: &self.correlation_id,
            locale: self.locale.clone(),
            client: &self.client,
        }
    }

    /// Calls the handler's extension; `Err` is the outcome that ends the sign-up.
    async fn event(
        &mut self,
        handler: &Handler,
        event: Event,
        step: SignUpStep,
        context_extra: Vec<(&str, Value)>,
        data_extra: Vec<(&str, Value)>,
    ) -> Result<Action, (SignUpStep, Failure)> {
        let Some(extension) = &handler.extension else {
            return Err((
                step,
                Failure::new(
                    ErrorCode::CustomExtensionNotFound,
                    format!(
                        "listener {} names custom extension {}, which does not exist",
                        handler.listener_id, handler.extension_id
                    ),
                ),
            ));
        };
        let body = payload::body(
            event,
            &self.session(),
            &handler.listener_id,
            &extension.id,
            context_extra,
            data_extra,
        );
        call(
            self.app,
            extension,
            handler.configuration.as_ref(),
            event,
            step,
            &body,
            &mut self.calls,
        )
        .await
        .map_err(|f| (step, f))
    }

    fn sign_up_info(&self, values: &Values) -> Vec<(&'static str, Value)> {
        vec![(
            "userSignUpInfo",
            json!({
                "attributes": payload::attributes(&values.attributes, |id| values.value_of(id)),
                "identities": self.identities,
            }),
        )]
    }
}

fn failure_outcome(correlation_id: &str, step: SignUpStep, failure: Failure) -> SignUpOutcome {
    SignUpOutcome::ExtensionFailure {
        step,
        code: failure.code.code(),
        name: failure.code.name().to_owned(),
        reason: failure.reason,
        error_description: format!(
            "AADSTS1100001: Non-retryable error has occurred. Correlation ID: {correlation_id}"
        ),
    }
}

fn unexpected(event: Event, action: &Action) -> Failure {
    // `answer::check` accepts only the event's actions, so this is the emulator's own error.
    Failure::new(
        ErrorCode::EventHandlerUnexpectedError,
        format!("{action:?} cannot be applied at {}", event.request_type()),
    )
}

/// Simulates a sign-up on the events flow `flow_id` (case-insensitive) with `input`.
pub(crate) async fn run(
    app: &App,
    flow_id: &str,
    input: SignUpInput,
) -> Result<Transcript, SignUpError> {
    let plan = plan(app, flow_id, &input)?;
    let email = input
        .claims
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("email"))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned);
    let identities = match (&input.identity_provider, &email) {
        (Some(issuer), _) => json!([{
            "signInType": "federated",
            "issuer": issuer,
            "issuerAssignedId": uuid::Uuid::new_v4().to_string(),
        }]),
        (None, Some(email)) => json!([{
            "signInType": "email",
            "issuer": app.tenant_domain,
            "issuerAssignedId": email,
        }]),
        (None, None) => {
            return Err(SignUpError::InvalidInput(
                "a local account signs up with its email: give an `email` claim".to_owned(),
            ));
        }
    };
    let mut values = Values {
        attributes: plan.attributes.clone(),
        values: Map::new(),
        email: email.clone(),
    };
    let entered = values.entered(&input.claims)?;
    let resubmissions = input
        .resubmissions
        .iter()
        .map(|c| values.entered(c))
        .collect::<Result<Vec<_>, _>>()?;
    let locale = input
        .ui_locales
        .as_deref()
        .unwrap_or(DEFAULT_UI_LOCALES)
        .to_ascii_lowercase();
    let mut run = Run {
        app,
        calls: Vec::new(),
        notes: plan.notes,
        correlation_id: uuid::Uuid::new_v4().to_string(),
        locale,
        client: plan.client,
        identities,
    };
    let flow_id = plan.flow.id.clone();
    let finish = |run: Run<'_>, outcome| Transcript {
        user_flow_id: flow_id.clone(),
        application_id: Some(run.client.app_id.clone()),
        calls: run.calls,
        notes: run.notes,
        outcome,
    };
    let fail = |run: Run<'_>, (step, failure): (SignUpStep, Failure)| {
        let outcome = failure_outcome(&run.correlation_id, step, failure);
        finish(run, outcome)
    };

    // Email one-time passcode.
    if let (Some(handler), Some(email)) = (&plan.otp_send, &email) {
        let code = format!("{:08}", fastrand::u32(0..100_000_000));
        let result = run
            .event(
                handler,
                Event::EmailOtpSend,
                SignUpStep::OnEmailOtpSend,
                vec![("requestType", json!("signUp"))],
                vec![(
                    "otpContext",
                    json!({"identifier": email, "oneTimeCode": code}),
                )],
            )
            .await;
        match result {
            Ok(Action::ContinueWithDefaultBehavior) => {}
            Ok(other) => {
                return Ok(fail(
                    run,
                    (
                        SignUpStep::OnEmailOtpSend,
                        unexpected(Event::EmailOtpSend, &other),
                    ),
                ));
            }
            Err((step, failure)) => {
                let fallback = handler.extension.as_ref().and_then(|e| e.behavior_on_error)
                    == Some(BehaviorOnError::FallbackToMicrosoftProvider);
                if !fallback {
                    return Ok(fail(run, (step, failure)));
                }
                run.notes.push(format!(
                    "the email OTP extension failed with {} {} ({}); fallbackToMicrosoftProviderOnError: Entra sends the code itself",
                    failure.code.code(),
                    failure.code.name(),
                    failure.reason
                ));
            }
        }
    }

    // Attribute collection start, before the page renders.
    if let Some(handler) = &plan.start {
        let info = run.sign_up_info(&values);
        match run
            .event(
                handler,
                Event::AttributeCollectionStart,
                SignUpStep::OnAttributeCollectionStart,
                Vec::new(),
                info,
            )
            .await
        {
            Ok(Action::ContinueWithDefaultBehavior) => {}
            Ok(Action::SetPrefillValues(inputs)) => {
                // The user enters values first; the pre-filled ones fill the rest.
                values.values = entered.clone();
                if let Err(f) = values.apply(&inputs, false, "setPrefillValues", &mut run.notes) {
                    return Ok(fail(run, (SignUpStep::OnAttributeCollectionStart, f)));
                }
            }
            Ok(Action::ShowBlockPage { title, message }) => {
                return Ok(finish(
                    run,
                    SignUpOutcome::Blocked {
                        user_message: message,
                        step: SignUpStep::OnAttributeCollectionStart,
                        title,
                    },
                ));
            }
            Ok(other) => {
                return Ok(fail(
                    run,
                    (
                        SignUpStep::OnAttributeCollectionStart,
                        unexpected(Event::AttributeCollectionStart, &other),
                    ),
                ));
            }
            Err(e) => return Ok(fail(run, e)),
        }
    }
    // The page: what the user entered, on top of any pre-filled values.
    for (k, v) in &entered {
        values.values.insert(k.clone(), v.clone());
    }

    // Attribute collection submit, once per submission of the page.
    if let Some(handler) = &plan.submit {
        let mut next = resubmissions.into_iter();
        loop {
            let info = run.sign_up_info(&values);
            match run
                .event(
                    handler,
                    Event::AttributeCollectionSubmit,
                    SignUpStep::OnAttributeCollectionSubmit,
                    Vec::new(),
                    info,
                )
                .await
            {
                Ok(Action::ContinueWithDefaultBehavior) => break,
                Ok(Action::ModifyAttributeValues(attributes)) => {
                    if let Err(f) =
                        values.apply(&attributes, true, "modifyAttributeValues", &mut run.notes)
                    {
                        return Ok(fail(run, (SignUpStep::OnAttributeCollectionSubmit, f)));
                    }
                    break;
                }
                Ok(Action::ShowBlockPage { title, message }) => {
                    return Ok(finish(
                        run,
                        SignUpOutcome::Blocked {
                            user_message: message,
                            step: SignUpStep::OnAttributeCollectionSubmit,
                            title,
                        },
                    ));
                }
                Ok(Action::ShowValidationError {
                    message,
                    attribute_errors,
                }) => match next.next() {
                    Some(resubmitted) => {
                        run.notes.push(format!(
                            "showValidationError: {message}; the user corrects the page and submits again"
                        ));
                        for (k, v) in resubmitted {
                            values.values.insert(k, v);
                        }
                    }
                    None => {
                        return Ok(finish(
                            run,
                            SignUpOutcome::ValidationError {
                                user_message: message,
                                step: SignUpStep::OnAttributeCollectionSubmit,
                                attribute_errors: attribute_errors.into_iter().collect(),
                            },
                        ));
                    }
                },
                Ok(other) => {
                    return Ok(fail(
                        run,
                        (
                            SignUpStep::OnAttributeCollectionSubmit,
                            unexpected(Event::AttributeCollectionSubmit, &other),
                        ),
                    ));
                }
                Err(e) => return Ok(fail(run, e)),
            }
        }
    }

    // The user is created.
    let object_id = uuid::Uuid::new_v4().to_string();
    let claims = values.claims();
    let mut token_claims = claims.clone();

    // Token issuance start.
    if let Some(handler) = &plan.token_issuance {
        let created = crate::error::graph_date() + "Z";
        let user = payload::user(
            &object_id,
            &created,
            &|id| values.value_of(id),
            &app.tenant_domain,
            &run.locale.clone(),
        );
        match run
            .event(
                handler,
                Event::TokenIssuanceStart,
                SignUpStep::OnTokenIssuanceStart,
                vec![("user", user)],
                Vec::new(),
            )
            .await
        {
            Ok(Action::ProvideClaimsForToken(provided)) => {
                let allowed = handler
                    .extension
                    .as_ref()
                    .map(|e| e.claims_for_token_configuration.clone())
                    .unwrap_or_default();
                for (k, v) in provided {
                    if allowed.is_empty() || allowed.iter().any(|a| a.eq_ignore_ascii_case(&k)) {
                        token_claims.insert(k, v);
                    } else {
                        run.notes.push(format!(
                            "provideClaimsForToken: `{k}` is not in the extension's claimsForTokenConfiguration and is not in the token"
                        ));
                    }
                }
            }
            Ok(other) => {
                return Ok(fail(
                    run,
                    (
                        SignUpStep::OnTokenIssuanceStart,
                        unexpected(Event::TokenIssuanceStart, &other),
                    ),
                ));
            }
            Err(e) => return Ok(fail(run, e)),
        }
    }
    Ok(finish(
        run,
        SignUpOutcome::UserCreated {
            object_id,
            claims,
            token_claims,
        },
    ))
}
