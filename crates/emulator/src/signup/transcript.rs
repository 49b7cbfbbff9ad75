//! What a simulated sign-up did, call by call: the [`Transcript`], serialisable (the HTTP route
//! returns it as JSON) and printable. It never holds a secret: a call's authentication is the user
//! name or the certificate thumbprint.

use std::fmt;

use entra_api_connectors_contract::{Claims, Step};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a call was authenticated. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CallAuth {
    /// `Authorization: Basic …` for this user name.
    Basic {
        /// The user name.
        username: String,
    },
    /// The client certificate presented in the TLS handshake.
    ClientCertificate {
        /// Its thumbprint.
        thumbprint: String,
    },
}

/// What came back from one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CallResponse {
    /// An HTTP response.
    Http {
        /// The status code.
        status: u16,
        /// The body (lossy UTF-8).
        body: String,
    },
    /// No response: a timeout or a connection failure.
    Error {
        /// What happened.
        error: String,
    },
}

/// One HTTP attempt at calling a connector's API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorCall {
    /// The step.
    pub step: Step,
    /// The connector's id.
    pub connector_id: String,
    /// 1 for the first attempt, 2 for the retry.
    pub attempt: u32,
    /// The `targetUrl` posted to.
    pub url: String,
    /// The JSON body sent.
    pub request_body: Value,
    /// How the call was authenticated.
    pub auth: CallAuth,
    /// What came back.
    pub response: CallResponse,
    /// Time until the response or the error, in milliseconds.
    pub elapsed_ms: u64,
}

/// How the sign-up ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SignUpOutcome {
    /// The user was created.
    #[serde(rename_all = "camelCase")]
    UserCreated {
        /// The new user's `objectId`.
        object_id: String,
        /// The user's attributes as stored.
        claims: Claims,
        /// The claims of the issued token: the attributes plus what `preTokenIssuance` returned.
        token_claims: Claims,
    },
    /// An API answered `ShowBlockPage`.
    #[serde(rename_all = "camelCase")]
    Blocked {
        /// The message on the block page.
        user_message: String,
        /// Where.
        step: Step,
    },
    /// An API answered `ValidationError`: the user stays on the attribute collection page.
    #[serde(rename_all = "camelCase")]
    ValidationError {
        /// The message shown on the page.
        user_message: String,
        /// Where (always `PostAttributeCollection`).
        step: Step,
    },
    /// The call failed or the answer broke the contract; the user sees a generic error.
    #[serde(rename_all = "camelCase")]
    ConnectorFailure {
        /// Where.
        step: Step,
        /// Why.
        reason: String,
    },
}

/// Everything a simulated sign-up did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    /// The user flow's id.
    pub user_flow_id: String,
    /// Every HTTP attempt, in order.
    pub calls: Vec<ConnectorCall>,
    /// Remarks: skipped steps, ignored claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How it ended.
    pub outcome: SignUpOutcome,
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sign-up on {}", self.user_flow_id)?;
        for call in &self.calls {
            let auth = match &call.auth {
                CallAuth::Basic { username } => format!("basic {username}"),
                CallAuth::ClientCertificate { thumbprint } => format!("certificate {thumbprint}"),
            };
            writeln!(
                f,
                "  {} attempt {}: POST {} ({auth})",
                call.step, call.attempt, call.url
            )?;
            writeln!(f, "    request  {}", call.request_body)?;
            match &call.response {
                CallResponse::Http { status, body } => {
                    writeln!(f, "    response {status} {body} ({} ms)", call.elapsed_ms)?
                }
                CallResponse::Error { error } => {
                    writeln!(f, "    error    {error} ({} ms)", call.elapsed_ms)?
                }
            }
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        match &self.outcome {
            SignUpOutcome::UserCreated {
                object_id,
                claims,
                token_claims,
            } => {
                writeln!(f, "outcome: user created, objectId {object_id}")?;
                writeln!(
                    f,
                    "  claims {}",
                    Value::from(Map::from_iter(claims.clone()))
                )?;
                write!(
                    f,
                    "  token  {}",
                    Value::from(Map::from_iter(token_claims.clone()))
                )
            }
            SignUpOutcome::Blocked { user_message, step } => {
                write!(f, "outcome: blocked at {step}: {user_message}")
            }
            SignUpOutcome::ValidationError { user_message, step } => {
                write!(f, "outcome: validation error at {step}: {user_message}")
            }
            SignUpOutcome::ConnectorFailure { step, reason } => {
                write!(f, "outcome: connector failure at {step}: {reason}")
            }
        }
    }
}
