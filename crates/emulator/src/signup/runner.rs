//! The flow runner: the bound steps in order, each call with one retry after a timeout or a
//! connection failure, the answer checked against the contract and applied, and the outcome.

use std::time::{Duration, Instant};

use entra_api_connectors_contract::{ConnectorResponse, Step};

use super::caller;
use super::claims::{Attributes, contract_step};
use super::{
    B2C_CONNECTOR_TIMEOUT, CallResponse, ConnectorCall, EXTERNAL_ID_CONNECTOR_TIMEOUT, SignUpError,
    SignUpInput, SignUpOutcome, Transcript,
};
use crate::App;
use crate::state::{ConnectorRecord, FlowFamily};
use crate::vault::ConnectorSecrets;

/// A step the flow has bound, with what the call needs, read once at the start.
struct Binding {
    step: Step,
    connector: Option<ConnectorRecord>,
    secrets: Option<ConnectorSecrets>,
}

/// The service's default wait for an API in a flow of `family`.
fn default_timeout(family: FlowFamily) -> Duration {
    match family {
        FlowFamily::B2c => B2C_CONNECTOR_TIMEOUT,
        FlowFamily::B2x => EXTERNAL_ID_CONNECTOR_TIMEOUT,
    }
}

struct Run<'a> {
    app: &'a App,
    timeout: Duration,
    attributes: Attributes,
    calls: Vec<ConnectorCall>,
    notes: Vec<String>,
}

/// Simulates a sign-up on `flow_id` (case-insensitive) with `input`.
pub(crate) async fn run(
    app: &App,
    flow_id: &str,
    input: SignUpInput,
) -> Result<Transcript, SignUpError> {
    let settings = &app.sign_up;
    let (flow, bindings) = {
        let state = app.lock();
        let flow = state
            .user_flows
            .get(&flow_id.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| SignUpError::FlowNotFound(flow_id.to_owned()))?;
        let vault = app.vault.lock().unwrap_or_else(|p| p.into_inner());
        let bindings: Vec<Binding> = flow
            .api_connector_configuration
            .iter()
            .map(|(step, id)| Binding {
                step: contract_step(*step),
                connector: state.connector(id).cloned(),
                secrets: vault.get(id),
            })
            .collect();
        (flow, bindings)
    };

    let federated = input.identity_provider.is_some();
    let attributes = Attributes::new(
        input,
        flow.family,
        &app.tenant_domain,
        &settings.extensions_app_id,
    )?;
    let mut run = Run {
        app,
        timeout: settings
            .timeout
            .unwrap_or_else(|| default_timeout(flow.family)),
        attributes,
        calls: Vec::new(),
        notes: Vec::new(),
    };

    let mut object_id = None;
    let mut token_claims = None;
    for binding in &bindings {
        let step = binding.step;
        if step == Step::PostFederationSignup && !federated {
            run.notes.push(
                "postFederationSignup is bound but not called: the user signs up with a local \
                 account, and the step runs only after federating with an identity provider"
                    .to_owned(),
            );
            continue;
        }
        if step == Step::PreTokenIssuance {
            object_id = Some(uuid::Uuid::new_v4().to_string());
        }
        let response = match run.call(binding, object_id.as_deref()).await {
            Ok(response) => response,
            Err(reason) => {
                return Ok(run.finish(
                    flow.id,
                    SignUpOutcome::ConnectorFailure {
                        step: step.into(),
                        reason,
                    },
                ));
            }
        };
        match response {
            ConnectorResponse::Continue(continuation) => {
                let applied =
                    run.attributes
                        .apply(step, continuation.into_claims(), &mut run.notes);
                if step == Step::PreTokenIssuance {
                    token_claims = Some(applied);
                }
            }
            ConnectorResponse::ShowBlockPage { user_message } => {
                return Ok(run.finish(
                    flow.id,
                    SignUpOutcome::Blocked {
                        user_message,
                        step: step.into(),
                        title: None,
                    },
                ));
            }
            ConnectorResponse::ValidationError { user_message } => {
                return Ok(run.finish(
                    flow.id,
                    SignUpOutcome::ValidationError {
                        user_message,
                        step: step.into(),
                        attribute_errors: Default::default(),
                    },
                ));
            }
        }
    }
    let object_id = object_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let claims = run.attributes.claims.clone();
    let token_claims = token_claims.unwrap_or_else(|| claims.clone());
    Ok(run.finish(
        flow.id,
        SignUpOutcome::UserCreated {
            object_id,
            claims,
            token_claims,
        },
    ))
}

impl Run<'_> {
    fn finish(self, user_flow_id: String, outcome: SignUpOutcome) -> Transcript {
        Transcript {
            user_flow_id,
            application_id: None,
            calls: self.calls,
            notes: self.notes,
            outcome,
        }
    }

    /// Calls the connector of `binding` (with one retry) and parses the answer by the contract.
    async fn call(
        &mut self,
        binding: &Binding,
        object_id: Option<&str>,
    ) -> Result<ConnectorResponse, String> {
        let step = binding.step;
        let connector = binding
            .connector
            .as_ref()
            .ok_or("the bound API connector does not exist")?;
        let url = caller::target_url(connector)?;
        let (auth, credential) = caller::credential(connector, binding.secrets.as_ref())?;
        let body = self.attributes.request_body(step, object_id);
        let mut last_error = String::new();
        for attempt in 1..=2 {
            let started = Instant::now();
            let result = caller::post(
                &self.app.sign_up,
                self.timeout,
                url,
                &credential,
                body.bytes.clone(),
            )
            .await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let (response, outcome) = match result {
                Ok(answer) => (
                    CallResponse::Http {
                        status: answer.status,
                        body: String::from_utf8_lossy(&answer.body).into_owned(),
                        content_type: answer.content_type,
                    },
                    Some((answer.status, answer.body)),
                ),
                Err(failure) => (
                    CallResponse::Error {
                        error: failure.message,
                    },
                    None,
                ),
            };
            self.calls.push(ConnectorCall {
                step: step.into(),
                connector_id: connector.id.clone(),
                attempt,
                url: url.to_owned(),
                request_body: body.value.clone(),
                auth: auth.clone(),
                response: response.clone(),
                elapsed_ms,
            });
            match outcome {
                Some((status, body)) => {
                    let response = ConnectorResponse::from_http(status, &body)
                        .map_err(|e| format!("the API's answer breaks the contract: {e}"))?;
                    response.validate_for(step).map_err(|e| e.to_string())?;
                    return Ok(response);
                }
                None => {
                    if let CallResponse::Error { error } = response {
                        last_error = error;
                    }
                }
            }
        }
        Err(format!("no answer after one retry: {last_error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The current docs give both kinds of flow 20 s (sources on the constants).
    #[test]
    fn both_flow_families_wait_twenty_seconds_by_default() {
        assert_eq!(default_timeout(FlowFamily::B2c), Duration::from_secs(20));
        assert_eq!(default_timeout(FlowFamily::B2x), Duration::from_secs(20));
    }
}
