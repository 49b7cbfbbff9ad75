//! What a simulated sign-up did, call by call: the [`Transcript`], serialisable (the HTTP route
//! returns it as JSON) and printable. One format for both kinds of sign-up: the steps of an API
//! connector user flow and the events of an external tenant's events flow ([`SignUpStep`]). It
//! never holds a secret: a call's authentication is the user name, the certificate thumbprint, or
//! the bearer token's audience and key id (never the token).

use std::collections::BTreeMap;
use std::fmt;

use entra_api_connectors_contract::{Claims, Step};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where in a sign-up an API was called: an API connector step (Azure AD B2C, b2x user flows) or
/// a custom authentication extension's event (external tenants). The connector steps keep the
/// contract's names ([`Step`]); the events are named after their listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignUpStep {
    /// `postFederationSignup`.
    PostFederationSignup,
    /// `postAttributeCollection`.
    PostAttributeCollection,
    /// `preTokenIssuance`.
    PreTokenIssuance,
    /// The email one-time passcode is sent (`onEmailOtpSendListener`, event `emailOtpSend`).
    OnEmailOtpSend,
    /// Before the attribute collection page renders (`attributeCollectionStart`).
    OnAttributeCollectionStart,
    /// After the user submits the page (`attributeCollectionSubmit`).
    OnAttributeCollectionSubmit,
    /// A token is about to be issued (`tokenIssuanceStart`).
    OnTokenIssuanceStart,
}

impl SignUpStep {
    /// The name in transcripts.
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpStep::PostFederationSignup => "PostFederationSignup",
            SignUpStep::PostAttributeCollection => "PostAttributeCollection",
            SignUpStep::PreTokenIssuance => "PreTokenIssuance",
            SignUpStep::OnEmailOtpSend => "OnEmailOtpSend",
            SignUpStep::OnAttributeCollectionStart => "OnAttributeCollectionStart",
            SignUpStep::OnAttributeCollectionSubmit => "OnAttributeCollectionSubmit",
            SignUpStep::OnTokenIssuanceStart => "OnTokenIssuanceStart",
        }
    }
}

impl fmt::Display for SignUpStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Step> for SignUpStep {
    fn from(step: Step) -> Self {
        match step {
            Step::PostFederationSignup => SignUpStep::PostFederationSignup,
            Step::PostAttributeCollection => SignUpStep::PostAttributeCollection,
            Step::PreTokenIssuance => SignUpStep::PreTokenIssuance,
        }
    }
}

impl PartialEq<Step> for SignUpStep {
    fn eq(&self, other: &Step) -> bool {
        *self == SignUpStep::from(*other)
    }
}

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
    /// `Authorization: Bearer …` with a token the emulated tenant signed.
    #[serde(rename_all = "camelCase")]
    Bearer {
        /// The token's `aud`: the app id of the extension's `resourceId`.
        audience: String,
        /// The `kid` of the signing key.
        key_id: String,
    },
}

/// What came back from one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CallResponse {
    /// An HTTP response.
    #[serde(rename_all = "camelCase")]
    Http {
        /// The status code.
        status: u16,
        /// The body (lossy UTF-8).
        body: String,
        /// The `Content-Type` header, when there was one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
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
    /// The step or event.
    pub step: SignUpStep,
    /// The connector's id, or the custom extension's.
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
    /// An API answered `ShowBlockPage` (a custom extension: `showBlockPage`).
    #[serde(rename_all = "camelCase")]
    Blocked {
        /// The message on the block page.
        user_message: String,
        /// Where.
        step: SignUpStep,
        /// The block page's `title` (custom extensions only, when the API sent one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// An API answered `ValidationError` (a custom extension: `showValidationError`) and the user
    /// had nothing more to submit: the user stays on the attribute collection page.
    #[serde(rename_all = "camelCase")]
    ValidationError {
        /// The message shown on the page.
        user_message: String,
        /// Where (`PostAttributeCollection` or `OnAttributeCollectionSubmit`).
        step: SignUpStep,
        /// Per attribute messages (custom extensions' `attributeErrors`).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        attribute_errors: BTreeMap<String, String>,
    },
    /// The call failed or the answer broke the contract; the user sees a generic error.
    #[serde(rename_all = "camelCase")]
    ConnectorFailure {
        /// Where.
        step: SignUpStep,
        /// Why.
        reason: String,
    },
    /// A custom extension failed: the sign-up ends with the error code the troubleshooting page
    /// lists for the cause, and the application gets `error=server_error` with `error_description`.
    #[serde(rename_all = "camelCase")]
    ExtensionFailure {
        /// Where.
        step: SignUpStep,
        /// The troubleshooting code, for example `1003005`.
        code: u32,
        /// Its name, for example `CustomExtensionTimedOut`.
        name: String,
        /// What happened.
        reason: String,
        /// What the application receives (generic, as the docs say).
        error_description: String,
    },
}

/// Everything a simulated sign-up did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    /// The user flow's id (the events flow's on an external tenant).
    pub user_flow_id: String,
    /// The application signed up to (external tenants: the client id the flow applies to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
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
        match &self.application_id {
            Some(app) => writeln!(f, "sign-up on {} for application {app}", self.user_flow_id)?,
            None => writeln!(f, "sign-up on {}", self.user_flow_id)?,
        }
        for call in &self.calls {
            let auth = match &call.auth {
                CallAuth::Basic { username } => format!("basic {username}"),
                CallAuth::ClientCertificate { thumbprint } => format!("certificate {thumbprint}"),
                CallAuth::Bearer { audience, key_id } => {
                    format!("bearer aud {audience}, kid {key_id}")
                }
            };
            writeln!(
                f,
                "  {} attempt {}: POST {} ({auth})",
                call.step, call.attempt, call.url
            )?;
            writeln!(f, "    request  {}", call.request_body)?;
            match &call.response {
                CallResponse::Http {
                    status,
                    body,
                    content_type,
                } => {
                    let content_type = content_type.as_deref().unwrap_or("no content type");
                    writeln!(
                        f,
                        "    response {status} ({content_type}) {body} ({} ms)",
                        call.elapsed_ms
                    )?
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
            SignUpOutcome::Blocked {
                user_message,
                step,
                title,
            } => match title {
                Some(title) => write!(f, "outcome: blocked at {step}: {title}: {user_message}"),
                None => write!(f, "outcome: blocked at {step}: {user_message}"),
            },
            SignUpOutcome::ValidationError {
                user_message,
                step,
                attribute_errors,
            } => {
                write!(f, "outcome: validation error at {step}: {user_message}")?;
                for (attribute, message) in attribute_errors {
                    write!(f, "\n  {attribute}: {message}")?;
                }
                Ok(())
            }
            SignUpOutcome::ConnectorFailure { step, reason } => {
                write!(f, "outcome: connector failure at {step}: {reason}")
            }
            SignUpOutcome::ExtensionFailure {
                step,
                code,
                name,
                reason,
                error_description,
            } => write!(
                f,
                "outcome: failed at {step} with {code} {name}: {reason}\n  the application gets error=server_error, error_description={error_description}"
            ),
        }
    }
}
