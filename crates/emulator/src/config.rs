//! How to run an [`Emulator`](crate::Emulator): [`EmulatorConfig`] and the defaults it starts from.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

use crate::TenantKind;
use crate::faults::{FaultRule, Faults};
use crate::service_principal::{DEFAULT_CLIENT_APP_NAME, ServicePrincipal};
use crate::signup::SignUpSettings;
use crate::state::{FlowFamily, UserFlowAttribute, UserFlowRecord};

/// How to run an [`Emulator`](crate::Emulator). Start from [`EmulatorConfig::new`] and adjust with the builder methods.
#[derive(Clone)]
pub struct EmulatorConfig {
    pub(crate) tenant_kind: TenantKind,
    pub(crate) listen: SocketAddr,
    pub(crate) tenant_id: String,
    pub(crate) tenant_domain: String,
    pub(crate) token: SecretString,
    pub(crate) client: Option<(String, SecretString)>,
    pub(crate) page_size: usize,
    pub(crate) user_flows: Vec<UserFlowRecord>,
    pub(crate) faults: Faults,
    pub(crate) fault_rules: Vec<FaultRule>,
    pub(crate) seed: u64,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) sign_up: SignUpSettings,
    pub(crate) service_principals: Vec<ServicePrincipal>,
    pub(crate) custom_attributes: Vec<UserFlowAttribute>,
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("tenant_kind", &self.tenant_kind)
            .field("listen", &self.listen)
            .field("tenant_id", &self.tenant_id)
            .field("tenant_domain", &self.tenant_domain)
            .field("client_id", &self.client.as_ref().map(|(id, _)| id))
            .field("page_size", &self.page_size)
            .field("user_flows", &self.user_flows)
            .field("faults", &self.faults)
            .field("fault_rules", &self.fault_rules)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            .field("service_principals", &self.service_principals)
            .field("custom_attributes", &self.custom_attributes)
            .finish_non_exhaustive()
    }
}

/// The bearer token accepted by default.
pub const DEFAULT_TOKEN: &str = "emulator-token";
/// The tenant id used by default (in token URLs and messages).
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-4000-8000-00000000e4a1";

/// Flows present in a new tenant: `B2C_1_SignUp` and `B2C_1_SignUpSignIn` for B2C,
/// `B2X_1_PartnerSignUp` for workforce, none for external tenants (their sign-up flows are
/// authentication events flows).
pub fn default_user_flows(kind: TenantKind) -> Vec<UserFlowRecord> {
    match kind {
        TenantKind::B2c => {
            let mut sign_up = UserFlowRecord::new(FlowFamily::B2c, "SignUp", "signUp", 3);
            sign_up.default_language_tag = Some("en".into());
            vec![
                sign_up,
                UserFlowRecord::new(FlowFamily::B2c, "SignUpSignIn", "signUpOrSignIn", 3),
            ]
        }
        TenantKind::Workforce => vec![UserFlowRecord::new(
            FlowFamily::B2x,
            "PartnerSignUp",
            "signUpOrSignIn",
            1,
        )],
        TenantKind::External => Vec::new(),
    }
}

/// Service principals present in a new tenant: on external tenants, the sample application
/// [`DEFAULT_CLIENT_ID`](crate::DEFAULT_CLIENT_ID) ("Emulator sample app"), so that a flow can be
/// linked to an app at once; none elsewhere.
pub fn default_service_principals(kind: TenantKind) -> Vec<ServicePrincipal> {
    match kind {
        TenantKind::External => vec![ServicePrincipal::new(
            crate::DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_APP_NAME,
        )],
        TenantKind::B2c | TenantKind::Workforce => Vec::new(),
    }
}

impl EmulatorConfig {
    /// Defaults: listen on `127.0.0.1:0`, accept [`DEFAULT_TOKEN`], any client id and secret at the token
    /// endpoint, page size 100, the [`default_user_flows`] and [`default_service_principals`] of
    /// `kind`, no faults, seed 0, no state file.
    pub fn new(kind: TenantKind) -> Self {
        let tenant_domain = match kind {
            TenantKind::B2c => "emulatorb2c.onmicrosoft.com",
            TenantKind::Workforce => "emulator.onmicrosoft.com",
            TenantKind::External => "emulatorext.onmicrosoft.com",
        };
        Self {
            tenant_kind: kind,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            tenant_domain: tenant_domain.to_owned(),
            token: SecretString::from(DEFAULT_TOKEN),
            client: None,
            page_size: 100,
            user_flows: default_user_flows(kind),
            faults: Faults::none(),
            fault_rules: Vec::new(),
            seed: 0,
            state_file: None,
            sign_up: SignUpSettings::default(),
            service_principals: default_service_principals(kind),
            custom_attributes: Vec::new(),
        }
    }

    /// Adds a service principal to the tenant (an app to link to events flows and listeners, or the
    /// API app a custom extension's `resourceId` names). One with the same app id is replaced.
    pub fn service_principal(mut self, principal: ServicePrincipal) -> Self {
        self.service_principals
            .retain(|p| !p.app_id.eq_ignore_ascii_case(&principal.app_id));
        self.service_principals.push(principal);
        self
    }

    /// Defines a custom user-flow attribute (`/identity/userFlowAttributes`, type `custom`) in a new
    /// tenant, so events flows can collect it by `$ref`: `id` is its full name
    /// (`extension_<appId>_<Name>`), `data_type` one of `string`, `boolean`, `int64`,
    /// `stringCollection`, `dateTime`. Not added to a state file that already exists.
    pub fn custom_attribute(
        mut self,
        id: impl Into<String>,
        display_name: impl Into<String>,
        data_type: impl Into<String>,
    ) -> Self {
        self.custom_attributes.push(UserFlowAttribute {
            id: id.into(),
            display_name: display_name.into(),
            description: None,
            user_flow_attribute_type: "custom".to_owned(),
            data_type: data_type.into(),
        });
        self
    }

    /// The address to listen on (port 0 picks a free one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The tenant id and domain name (used by the token endpoint and in error messages).
    pub fn tenant(mut self, id: impl Into<String>, domain: impl Into<String>) -> Self {
        self.tenant_id = id.into();
        self.tenant_domain = domain.into();
        self
    }

    /// The only bearer token Graph routes accept, and the one the token endpoint issues.
    pub fn token(mut self, token: SecretString) -> Self {
        self.token = token;
        self
    }

    /// Restricts the token endpoint to one client id and secret.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: SecretString,
    ) -> Self {
        self.client = Some((client_id.into(), secret));
        self
    }

    /// Server-side page size of connector lists when the request has no `$top`.
    ///
    /// # Panics
    /// If `size` is 0.
    pub fn page_size(mut self, size: usize) -> Self {
        assert!(size > 0, "page size must be positive");
        self.page_size = size;
        self
    }

    /// Replaces the user flows present at start.
    pub fn user_flows(mut self, flows: Vec<UserFlowRecord>) -> Self {
        self.user_flows = flows;
        self
    }

    /// Faults applied to every Graph request no rule matches.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Adds a per-route fault rule (the first matching rule wins).
    pub fn fault_rule(mut self, rule: FaultRule) -> Self {
        self.fault_rules.push(rule);
        self
    }

    /// Seed of the random source that draws faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A JSON file to load at start (when it exists; the configured flows are then ignored) and to
    /// save after every change.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }
}
