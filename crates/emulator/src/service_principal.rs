//! The service principals an emulated tenant knows. Graph's `/servicePrincipals` is not emulated;
//! these facts come from the [`EmulatorConfig`](crate::EmulatorConfig) and decide what Graph and
//! the sign-up service check about an application: an app linked to an events flow "must have an
//! associated service principal in the tenant", and a custom extension's `resourceId` must name a
//! real, enabled service principal that holds the `CustomAuthenticationExtension.Receive.Payload`
//! permission (`docs/graph-behaviour.md` §7.3, §7.5, §8.1).

/// A service principal of the emulated tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrincipal {
    /// The application (client) id.
    pub app_id: String,
    /// The service principal's object id.
    pub object_id: String,
    /// Its display name (also the app's display name in event payloads).
    pub display_name: String,
    /// `accountEnabled`.
    pub enabled: bool,
    /// Whether the app holds the Microsoft Graph app role
    /// `CustomAuthenticationExtension.Receive.Payload` (id `214e810f-fda8-4fd7-a475-29461495eb00`)
    /// with admin consent; it matters for the API app a `resourceId` names.
    pub receive_payload_granted: bool,
}

impl ServicePrincipal {
    /// An enabled service principal with the receive-payload permission granted, and a fresh object id.
    pub fn new(app_id: impl Into<String>, display_name: impl Into<String>) -> Self {
        ServicePrincipal {
            app_id: app_id.into(),
            object_id: uuid::Uuid::new_v4().to_string(),
            display_name: display_name.into(),
            enabled: true,
            receive_payload_granted: true,
        }
    }

    /// With `accountEnabled: false` (sign-ups calling its API fail with 1003019).
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// Without admin consent for the receive-payload permission (the validation's warning, and
    /// 1003021 at sign-up).
    pub fn without_receive_payload_grant(mut self) -> Self {
        self.receive_payload_granted = false;
        self
    }
}

/// The display name of the application that [`DEFAULT_CLIENT_ID`](crate::DEFAULT_CLIENT_ID) names
/// on external tenants.
pub const DEFAULT_CLIENT_APP_NAME: &str = "Emulator sample app";
