//! Simulated sign-ups: the emulator plays the user flow and calls the API connectors bound to it,
//! the way Azure AD B2C / Entra External ID do, so that a connector's API can be tested end to end.
//!
//! For each step the flow has bound, in order (`postFederationSignup`, `postAttributeCollection`,
//! `preTokenIssuance`), the emulator `POST`s the documented JSON body to the connector's `targetUrl`
//! with `Content-Type: application/json`, authenticated with HTTP basic authentication or with the
//! connector's active client certificate presented in the TLS handshake. It waits up to the
//! timeout, retries once after a timeout or a connection failure, and applies the answer by the
//! service's rules. Everything is recorded in a [`Transcript`].
//!
//! The parts: the flow runner (`runner`: steps in order, one retry, the outcome), the HTTP caller
//! (`caller`: target URL, credentials, TLS), the service's claim rules (`claims`: what each step
//! sends, what an answer may change), the [`Transcript`] types and the emulator-only HTTP route
//! (`route`).
//!
//! Behaviour and sources:
//! - Request bodies, steps, responses and how they are applied:
//!   <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector>,
//!   <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment>,
//!   <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector>,
//!   <https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-approvals>.
//!   `postFederationSignup` runs only when the user signs up with an identity provider; the API then
//!   sees the claims the identity provider gave (email, names) and its answer pre-fills the attribute
//!   collection page (the simulated user keeps the pre-filled values). `postAttributeCollection`
//!   sees every collected attribute and may overwrite them, block, or return a validation error.
//!   `preTokenIssuance` (B2C) sees the created user, `objectId` included, and may only continue;
//!   the claims it returns go into the token, not into the directory. Claims without a value are
//!   left out. Azure AD B2C sends `step`; External ID self-service sign-up (b2x) flows do not.
//! - Failures: an HTTP status other than 200 and 400, a body that is not a response of the
//!   contract, a response that is not allowed at the step (a validation error anywhere but after
//!   attribute collection, a block before token issuance), a timeout after the retry: the sign-up
//!   ends with a generic error ([`SignUpOutcome::ConnectorFailure`]).
//! - Timeouts: 20 s, then one retry, for Azure AD B2C user flows ([`B2C_CONNECTOR_TIMEOUT`]) and for
//!   External ID (b2x) flows ([`EXTERNAL_ID_CONNECTOR_TIMEOUT`]), as the current pages above say;
//!   configurable with [`EmulatorConfig::connector_timeout`].
//! - Authentication: <https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>; the
//!   certificate presented is the newest uploaded one that is valid now (Graph's `isActive`,
//!   <https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>).
//!
//! On an external tenant ([`TenantKind::External`](crate::TenantKind::External)) the sign-up plays
//! an authentication events flow instead and calls its custom authentication extensions with a
//! signed bearer token, the extensions' timeouts and retries, and the troubleshooting codes of
//! `docs/custom-extensions-contract.md` (the `external` module; the same [`Transcript`], with
//! steps named after the events, [`SignUpStep`]).
//!
//! Emulator-only: `https` is required for a `targetUrl` by Graph, but the emulator also accepts
//! `http://` for loopback hosts (127.0.0.0/8, `::1`, `localhost`) so that a test API needs no TLS.
//! Over HTTP the simulation is `POST /{version}/emulator/userFlows/{id}/simulateSignUp`, a route
//! outside Graph's `/identity` namespace that takes a [`SignUpInput`] and returns a [`Transcript`].

mod caller;
mod claims;
mod external;
pub(crate) mod route;
mod runner;
mod transcript;

use std::time::Duration;

use entra_api_connectors_contract::{self as contract, Claims};
use serde::{Deserialize, Serialize};

pub(crate) use self::caller::is_loopback;
pub use self::transcript::{
    CallAuth, CallResponse, ConnectorCall, SignUpOutcome, SignUpStep, Transcript,
};
use crate::{Emulator, EmulatorConfig};

/// Default time the service waits for an API in an Azure AD B2C user flow before its one retry:
/// "Azure AD B2C will wait for a maximum of *20 seconds* to receive a response. If none is received,
/// it will make *one more attempt (retry)*"
/// (<https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector#best-practices>, and
/// the same words in
/// <https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment#best-practices>).
pub const B2C_CONNECTOR_TIMEOUT: Duration = Duration::from_secs(20);
/// Default time the service waits for an API in an External ID (b2x) user flow before its one retry:
/// "Microsoft Entra ID waits for a maximum of *20 seconds* to receive a response. If none is received,
/// it makes *one more attempt (retry)*"
/// (<https://learn.microsoft.com/entra/external-id/self-service-sign-up-add-api-connector#best-practices>).
pub const EXTERNAL_ID_CONNECTOR_TIMEOUT: Duration = Duration::from_secs(20);
/// The `b2c-extensions-app` id the emulator uses in custom attribute names
/// (`extension_<id without dashes>_<name>`) unless [`EmulatorConfig::extensions_app_id`] sets one.
pub const DEFAULT_EXTENSIONS_APP_ID: &str = "e4a1e4a1-0000-4000-8000-00000000e4a1";
/// The `client_id` sent when the [`SignUpInput`] names no application.
pub const DEFAULT_CLIENT_ID: &str = "e4a1c11e-0000-4000-8000-00000000e4a1";
/// The `ui_locales` sent when the [`SignUpInput`] names none.
pub const DEFAULT_UI_LOCALES: &str = "en-US";

/// How simulated sign-ups call APIs (part of [`EmulatorConfig`]).
#[derive(Clone)]
pub(crate) struct SignUpSettings {
    timeout: Option<Duration>,
    trusted_cas: Vec<Vec<u8>>,
    extensions_app_id: String,
}

impl Default for SignUpSettings {
    fn default() -> Self {
        SignUpSettings {
            timeout: None,
            trusted_cas: Vec::new(),
            extensions_app_id: contract::normalize_extensions_app_id(DEFAULT_EXTENSIONS_APP_ID)
                .expect("the default extensions app id is a GUID"),
        }
    }
}

impl EmulatorConfig {
    /// How long a simulated sign-up waits for an API before it retries once and then fails
    /// (default: [`B2C_CONNECTOR_TIMEOUT`] for b2c flows, [`EXTERNAL_ID_CONNECTOR_TIMEOUT`] for b2x).
    pub fn connector_timeout(mut self, timeout: Duration) -> Self {
        self.sign_up.timeout = Some(timeout);
        self
    }

    /// Trust this CA certificate (DER) for `https` target URLs in simulated sign-ups. Once one is
    /// given, only the given CAs are trusted; without any, the platform's roots are.
    pub fn trusted_ca(mut self, certificate_der: impl Into<Vec<u8>>) -> Self {
        self.sign_up.trusted_cas.push(certificate_der.into());
        self
    }

    /// The extensions app id used in custom attribute claim names (default
    /// [`DEFAULT_EXTENSIONS_APP_ID`]).
    ///
    /// # Panics
    /// If `app_id` is not a GUID.
    pub fn extensions_app_id(mut self, app_id: &str) -> Self {
        self.sign_up.extensions_app_id =
            contract::normalize_extensions_app_id(app_id).unwrap_or_else(|e| panic!("{e}"));
        self
    }
}

/// What the simulated user brings to the sign-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpInput {
    /// The claims the user has: from the identity provider (`email`, `displayName`, `givenName`,
    /// `surname`) and entered on the attribute collection page (any user attribute, custom
    /// attributes as `extension_<name>` or with the app id). Null values are left out.
    #[serde(default)]
    pub claims: Claims,
    /// The identity provider the user signs up with (for example `facebook.com`); `None` for a
    /// local (email) account, in which case `postFederationSignup` does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    /// The application's `client_id` (default [`DEFAULT_CLIENT_ID`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user's `ui_locales` (default [`DEFAULT_UI_LOCALES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
    /// External tenants: what the user enters on the attribute collection page after each
    /// `showValidationError`, in order (each set changes the listed attributes and submits again).
    /// When none is left, the sign-up ends with the validation error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resubmissions: Vec<Claims>,
}

impl SignUpInput {
    /// A local-account sign-up with these claims.
    pub fn new(claims: Claims) -> Self {
        SignUpInput {
            claims,
            ..Self::default()
        }
    }

    /// Signs up with an identity provider (`issuer`, for example `google.com`).
    pub fn with_identity_provider(mut self, issuer: impl Into<String>) -> Self {
        self.identity_provider = Some(issuer.into());
        self
    }
}

/// Why a sign-up could not be simulated at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignUpError {
    /// No user flow has this id.
    #[error("user flow `{0}` does not exist")]
    FlowNotFound(String),
    /// The input is not usable.
    #[error("invalid sign-up input: {0}")]
    InvalidInput(String),
    /// External tenants: no events flow applies to this application.
    #[error("no authentication events flow applies to application `{0}`")]
    NoFlowForApplication(String),
}

impl Emulator {
    /// Simulates a sign-up on user flow `flow_id` (case-insensitive), calling the APIs it names
    /// over HTTP: on Azure AD B2C and workforce tenants the API connectors bound to the user flow;
    /// on an external tenant (`flow_id` is an authentication events flow's id) the custom
    /// authentication extensions of its events, for the application [`SignUpInput::client_id`]
    /// names (default: the flow's first application). The rules are in the crate's `signup`
    /// module (and its README).
    pub async fn simulate_sign_up(
        &self,
        flow_id: &str,
        input: SignUpInput,
    ) -> Result<Transcript, SignUpError> {
        run(&self.app, flow_id, input).await
    }

    /// External tenants: simulates a sign-up to the application `client_id` on the events flow
    /// that applies to it (the one that lists it in `includeApplications`, else one that includes
    /// all applications; the lowest `priority`, then the oldest, when several do).
    pub async fn simulate_sign_up_for_application(
        &self,
        client_id: &str,
        mut input: SignUpInput,
    ) -> Result<Transcript, SignUpError> {
        let flow_id = {
            let state = self.app.lock();
            let mut flows: Vec<_> = state
                .events_flows
                .values()
                .filter(|f| f.applies_to(client_id))
                .collect();
            flows.sort_by_key(|f| {
                let listed = f
                    .include_applications
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(client_id));
                (!listed, f.priority, f.seq)
            });
            flows
                .first()
                .map(|f| f.id.clone())
                .ok_or_else(|| SignUpError::NoFlowForApplication(client_id.to_owned()))?
        };
        input.client_id = Some(client_id.to_owned());
        external::run(&self.app, &flow_id, input).await
    }
}

/// The sign-up of the tenant's kind.
pub(crate) async fn run(
    app: &crate::App,
    flow_id: &str,
    input: SignUpInput,
) -> Result<Transcript, SignUpError> {
    match app.tenant_kind {
        crate::TenantKind::External => external::run(app, flow_id, input).await,
        crate::TenantKind::B2c | crate::TenantKind::Workforce => {
            runner::run(app, flow_id, input).await
        }
    }
}
