//! The configuration file's types: what a file says, before anything is resolved or checked.
//!
//! One file describes one tenant through one Graph version. Every struct denies unknown keys, so a typo
//! is an error rather than a setting silently ignored, and sections added later (External ID custom
//! authentication extensions, events flows and listeners) are new optional top-level keys: every file
//! valid today stays valid, and an older tool rejects a newer file instead of ignoring half of it.
//!
//! ```yaml
//! # yaml-language-server: $schema=./apiconn.schema.json
//! tenant: contoso.onmicrosoft.com
//! cloud: global
//! apiVersion: beta
//! connectors:
//!   Validate postal code:
//!     targetUrl: https://api.contoso.com/validate
//!     authentication:
//!       basic:
//!         username: b2c
//!         password: {env: APICONN_VALIDATE_POSTAL_CODE_PASSWORD}
//! userFlows:
//!   B2C_1_SignUp:
//!     family: b2c
//!     steps:
//!       postAttributeCollection: Validate postal code
//!       postFederationSignup: null
//! ```

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, EnumAccess, VariantAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::steps::{ApiVersion, Family, Step};

/// A configuration file: the connectors and user-flow bindings one tenant should have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(title = "API connectors and user-flow bindings of one tenant")
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Configuration {
    /// The JSON Schema of this file, for editors of JSON files (YAML files use a
    /// `# yaml-language-server: $schema=…` comment instead). Ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The tenant: its id (a GUID) or its primary domain (`contoso.onmicrosoft.com`).
    pub tenant: String,
    /// The national cloud of the tenant.
    #[serde(default)]
    pub cloud: Cloud,
    /// The Graph version this file is written for: it decides which user-flow families and steps exist.
    pub api_version: ApiVersion,
    /// Delete the tenant's connectors that this file does not list. Without it they are left alone and
    /// only reported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune: bool,
    /// The API connectors, keyed by their display name (unique in the file).
    #[serde(default)]
    pub connectors: IndexMap<String, Connector>,
    /// The user flows whose steps this file binds, keyed by id (`B2C_1_SignUp`, `B2X_1_partners`).
    #[serde(default)]
    pub user_flows: IndexMap<String, UserFlow>,
    /// External ID: the custom authentication extensions, keyed by their display name (unique in the
    /// file). `v1.0` only.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub custom_authentication_extensions: IndexMap<String, CustomExtension>,
    /// External ID: the sign-up events flows (`externalUsersSelfServiceSignUpEventsFlow`), keyed by
    /// their display name. `v1.0` only.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub events_flows: IndexMap<String, EventsFlow>,
    /// External ID: the token-issuance-start listeners, keyed by a name local to this file (Graph's
    /// listeners have none; a listener is recognised by the extension it calls). `v1.0` only.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub token_issuance_listeners: IndexMap<String, TokenIssuanceListener>,
}

impl Configuration {
    /// The top-level keys, in the order they are written.
    pub const KEYS: [&'static str; 10] = [
        "$schema",
        "tenant",
        "cloud",
        "apiVersion",
        "prune",
        "connectors",
        "userFlows",
        "customAuthenticationExtensions",
        "eventsFlows",
        "tokenIssuanceListeners",
    ];

    /// Whether the file has any External ID section.
    pub fn has_external_id(&self) -> bool {
        !self.custom_authentication_extensions.is_empty()
            || !self.events_flows.is_empty()
            || !self.token_issuance_listeners.is_empty()
    }
}

/// The event a custom authentication extension serves: its `@odata.type`, and what may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ExtensionEvent {
    /// `onAttributeCollectionStartCustomExtension`, called by an events flow's
    /// `onAttributeCollectionStart` handler, before the attribute page is shown.
    OnAttributeCollectionStart,
    /// `onAttributeCollectionSubmitCustomExtension`, called by an events flow's
    /// `onAttributeCollectionSubmit` handler, when the user submits the attribute page.
    OnAttributeCollectionSubmit,
    /// `onTokenIssuanceStartCustomExtension`, called by an `onTokenIssuanceStartListener`.
    OnTokenIssuanceStart,
}

impl ExtensionEvent {
    /// Every event, in the order of a sign-up.
    pub const ALL: [ExtensionEvent; 3] = [
        ExtensionEvent::OnAttributeCollectionStart,
        ExtensionEvent::OnAttributeCollectionSubmit,
        ExtensionEvent::OnTokenIssuanceStart,
    ];

    /// The name used in the file (`onAttributeCollectionSubmit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnAttributeCollectionStart => "onAttributeCollectionStart",
            Self::OnAttributeCollectionSubmit => "onAttributeCollectionSubmit",
            Self::OnTokenIssuanceStart => "onTokenIssuanceStart",
        }
    }

    /// The client's kind of extension.
    pub fn kind(self) -> entra_api_connectors::custom_extensions::ExtensionKind {
        use entra_api_connectors::custom_extensions::ExtensionKind;
        match self {
            Self::OnAttributeCollectionStart => ExtensionKind::AttributeCollectionStart,
            Self::OnAttributeCollectionSubmit => ExtensionKind::AttributeCollectionSubmit,
            Self::OnTokenIssuanceStart => ExtensionKind::TokenIssuanceStart,
        }
    }
}

impl fmt::Display for ExtensionEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A custom authentication extension (`customAuthenticationExtension`) calling an API with an Entra
/// bearer token (`azureAdTokenAuthentication`); its display name is its key in
/// [`Configuration::custom_authentication_extensions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomExtension {
    /// The event it serves.
    #[serde(rename = "type")]
    pub event: ExtensionEvent,
    /// The `https` URL of the API (`endpointConfiguration.targetUrl`).
    pub target_url: String,
    /// The API's application ID URI, `api://{targetUrl host}/{appId}`, for which Entra issues the
    /// bearer token.
    #[cfg_attr(
        feature = "schemars",
        schemars(regex(pattern = r"^api://[^/]+/[0-9a-fA-F-]{36}$"))
    )]
    pub resource_id: String,
    /// `clientConfiguration.timeoutInMilliseconds`: 200 to 2000. Unset: Graph's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 200, max = 2000)))]
    pub timeout_in_milliseconds: Option<u32>,
    /// `clientConfiguration.maximumRetries`: 0 or 1. Unset: Graph's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 0, max = 1)))]
    pub maximum_retries: Option<u32>,
    /// `claimsForTokenConfiguration`: the claims the API returns (`onTokenIssuanceStart` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<String>,
}

/// A sign-up events flow; its display name is its key in [`Configuration::events_flows`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventsFlow {
    /// The application (client) ids the flow runs for
    /// (`conditions.applications.includeApplications`); an application can be in one flow only.
    #[serde(default)]
    pub include_applications: Vec<String>,
    /// The `onAttributeCollectionStart` extension, by display name; unset: the default behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_attribute_collection_start: Option<String>,
    /// The `onAttributeCollectionSubmit` extension, by display name; unset: the default behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_attribute_collection_submit: Option<String>,
    /// The user-flow attributes the sign-up page collects, by id (`email`, `displayName`,
    /// `postalCode`, or a custom attribute's `extension_<appId>_<Name>`). Those the flow lacks are
    /// added (Graph puts each on the page with its default settings); those it has beyond the list
    /// are left alone and reported. A new flow starts with `email`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
}

impl EventsFlow {
    /// The handlers the flow names: (event, extension display name).
    pub fn handlers(&self) -> impl Iterator<Item = (ExtensionEvent, &str)> {
        [
            (
                ExtensionEvent::OnAttributeCollectionStart,
                self.on_attribute_collection_start.as_deref(),
            ),
            (
                ExtensionEvent::OnAttributeCollectionSubmit,
                self.on_attribute_collection_submit.as_deref(),
            ),
        ]
        .into_iter()
        .filter_map(|(event, name)| Some((event, name?)))
    }
}

/// An `onTokenIssuanceStartListener`: which applications' tokens call which extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenIssuanceListener {
    /// The application (client) ids whose tokens call the extension (at least one).
    pub include_applications: Vec<String>,
    /// The `onTokenIssuanceStart` extension, by display name.
    pub extension: String,
}

/// A Microsoft Graph national cloud, named as the client's `Cloud` names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    /// `graph.microsoft.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High), `graph.microsoft.us`.
    UsGov,
    /// US Government L5 (DoD), `dod-graph.microsoft.us`.
    UsGovDod,
    /// China operated by 21Vianet, `microsoftgraph.chinacloudapi.cn`.
    China,
}

impl Cloud {
    /// The name used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::UsGov => "us-gov",
            Self::UsGovDod => "us-gov-dod",
            Self::China => "china",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API connector (`identityApiConnector`); its display name is its key in [`Configuration::connectors`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Connector {
    /// The `https` URL of the API that the user flow calls.
    pub target_url: String,
    /// How Graph authenticates to the API: exactly one of `basic` or `clientCertificate`.
    pub authentication: Authentication,
}

/// How the connector authenticates to the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum Authentication {
    /// HTTP basic authentication (`basicAuthentication`).
    Basic(BasicAuthentication),
    /// A client certificate (`pkcs12Certificate`), presented by Graph in the TLS handshake.
    ClientCertificate(ClientCertificate),
}

impl Authentication {
    /// The keys of the choice.
    pub const KEYS: [&'static str; 2] = ["basic", "clientCertificate"];
}

/// Basic authentication: a user name and a reference to the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasicAuthentication {
    /// The user name.
    pub username: String,
    /// Where the password is: `{env: VARIABLE}` or `{file: PATH}`, never the password itself.
    pub password: SecretRef,
}

/// A client certificate: a PKCS#12 file and a reference to its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientCertificate {
    /// The `.pfx` file, relative to this file's folder unless absolute.
    pub pfx: PathBuf,
    /// Where the `.pfx` password is (`{env: VARIABLE}` or `{file: PATH}`; an empty value for a `.pfx`
    /// without password).
    pub password: SecretRef,
}

/// Where a secret is. The secret itself is never written in the file.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum SecretRef {
    /// An environment variable of the process that reads the file.
    Env(String),
    /// A file holding the secret as UTF-8 text (one trailing line break is dropped), relative to the
    /// configuration file's folder unless absolute.
    File(PathBuf),
}

impl SecretRef {
    /// The keys of the choice.
    pub const KEYS: [&'static str; 2] = ["env", "file"];
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// Deserialized by hand so that no error ever repeats a value given where a reference belongs: that
/// value would be the password.
impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_enum("SecretRef", &Self::KEYS, SecretRefVisitor)
    }
}

struct SecretRefVisitor;

/// The `expected` text of a reference, also used by the node deserializer to recognise it.
pub(crate) const SECRET_REF_EXPECTED: &str = "a reference {env: VARIABLE} or {file: PATH}";

impl<'de> Visitor<'de> for SecretRefVisitor {
    type Value = SecretRef;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SECRET_REF_EXPECTED)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<SecretRef, A::Error> {
        let (kind, variant) = data.variant::<SecretKind>()?;
        match kind {
            SecretKind::Env => variant.newtype_variant().map(SecretRef::Env),
            SecretKind::File => variant.newtype_variant().map(SecretRef::File),
        }
    }

    fn visit_str<E: de::Error>(self, _value: &str) -> Result<SecretRef, E> {
        Err(E::invalid_type(
            de::Unexpected::Other(INLINE_SECRET),
            &SECRET_REF_EXPECTED,
        ))
    }
}

/// What the deserializers report for a scalar where a reference belongs.
pub(crate) const INLINE_SECRET: &str = "an inline password";

enum SecretKind {
    Env,
    File,
}

impl<'de> Deserialize<'de> for SecretKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KindVisitor;
        impl Visitor<'_> for KindVisitor {
            type Value = SecretKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("env or file")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<SecretKind, E> {
                match value {
                    "env" => Ok(SecretKind::Env),
                    "file" => Ok(SecretKind::File),
                    // The value may be a password given as a plain scalar: never repeat it.
                    _ => Err(E::invalid_type(
                        de::Unexpected::Other(INLINE_SECRET),
                        &SECRET_REF_EXPECTED,
                    )),
                }
            }
        }
        deserializer.deserialize_identifier(KindVisitor)
    }
}

/// A user flow whose steps the file binds; its id is its key in [`Configuration::user_flows`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserFlow {
    /// `b2c` (Azure AD B2C, beta only) or `b2x` (self-service sign-up).
    pub family: Family,
    /// The steps to bind. A step not listed is left as it is; `null` means it calls nothing.
    #[serde(default)]
    pub steps: Steps,
}

/// What a step calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepTarget {
    /// The connector with this display name.
    Connector(String),
    /// Nothing (`null` in the file).
    Nothing,
}

impl StepTarget {
    /// The connector's display name, if any.
    pub fn connector(&self) -> Option<&str> {
        match self {
            Self::Connector(name) => Some(name),
            Self::Nothing => None,
        }
    }
}

impl Serialize for StepTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Connector(name) => serializer.serialize_str(name),
            Self::Nothing => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for StepTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<String>::deserialize(deserializer)? {
            Some(name) => Self::Connector(name),
            None => Self::Nothing,
        })
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for StepTarget {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StepTarget".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The display name of a connector this file defines, or null for \"calls nothing\".",
            "type": ["string", "null"]
        })
    }
}

/// A present key, `null` included (a missing key is `None` through `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<StepTarget>, D::Error> {
    StepTarget::deserialize(deserializer).map(Some)
}

/// The steps of a user flow that the file mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Steps {
    /// After federating with an identity provider during sign-up.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub post_federation_signup: Option<StepTarget>,
    /// After collecting attributes, before the account is created.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub post_attribute_collection: Option<StepTarget>,
    /// Before sending the token: no Graph version can bind it (see `steps::bindable_steps`); accepted
    /// here so that the file gets a clear error rather than "unknown key".
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_token_issuance: Option<StepTarget>,
}

impl Steps {
    /// What the file says for `step`: `None` when it does not mention it.
    pub fn get(&self, step: Step) -> Option<&StepTarget> {
        self.slot(step).as_ref()
    }

    /// Sets (`Some`) or forgets (`None`) what `step` calls.
    pub fn set(&mut self, step: Step, target: Option<StepTarget>) {
        *self.slot_mut(step) = target;
    }

    /// The mentioned steps, in flow order.
    pub fn iter(&self) -> impl Iterator<Item = (Step, &StepTarget)> {
        Step::ALL
            .into_iter()
            .filter_map(|step| self.get(step).map(|target| (step, target)))
    }

    fn slot(&self, step: Step) -> &Option<StepTarget> {
        match step {
            Step::PostFederationSignup => &self.post_federation_signup,
            Step::PostAttributeCollection => &self.post_attribute_collection,
            Step::PreTokenIssuance => &self.pre_token_issuance,
        }
    }

    fn slot_mut(&mut self, step: Step) -> &mut Option<StepTarget> {
        match step {
            Step::PostFederationSignup => &mut self.post_federation_signup,
            Step::PostAttributeCollection => &mut self.post_attribute_collection,
            Step::PreTokenIssuance => &mut self.pre_token_issuance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTINEL: &str = "s3ntinel-Pa55word";

    #[test]
    fn serde_json_reads_the_same_format() {
        let config: Configuration = serde_json::from_str(
            r#"{"tenant":"contoso.onmicrosoft.com","apiVersion":"v1.0",
                "connectors":{"A":{"targetUrl":"https://a.example","authentication":{"basic":{"username":"u","password":{"env":"A_PW"}}}}},
                "userFlows":{"B2X_1_x":{"family":"b2x","steps":{"postAttributeCollection":"A","postFederationSignup":null}}}}"#,
        )
        .unwrap();
        assert_eq!(config.cloud, Cloud::Global);
        assert!(!config.prune);
        let steps = &config.user_flows["B2X_1_x"].steps;
        assert_eq!(
            steps.get(Step::PostAttributeCollection),
            Some(&StepTarget::Connector("A".into()))
        );
        assert_eq!(
            steps.get(Step::PostFederationSignup),
            Some(&StepTarget::Nothing)
        );
        assert_eq!(steps.get(Step::PreTokenIssuance), None);
        // Written back: the null stays, the missing step stays missing, `prune: false` is left out.
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json["userFlows"]["B2X_1_x"]["steps"],
            serde_json::json!({"postFederationSignup": null, "postAttributeCollection": "A"})
        );
        assert!(json.get("prune").is_none());
        assert_eq!(json["cloud"], "global");
    }

    #[test]
    fn an_inline_password_is_rejected_without_being_repeated() {
        for body in [
            format!(r#"{{"username":"u","password":"{SENTINEL}"}}"#),
            format!(r#"{{"username":"u","password":{{"{SENTINEL}":"x"}}}}"#),
        ] {
            let err = serde_json::from_str::<BasicAuthentication>(&body).unwrap_err();
            let message = err.to_string();
            assert!(!message.contains(SENTINEL), "{message}");
            assert!(message.contains("inline password"), "{message}");
        }
        assert!(!format!("{:?}", SecretRef::Env("X".into())).contains(SENTINEL));
    }

    #[test]
    fn unknown_keys_are_denied() {
        let err = serde_json::from_str::<Connector>(
            r#"{"targetUrl":"https://a","authentication":{"basic":{"username":"u","password":{"env":"X"}}},"timeout":3}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `timeout`"), "{err}");
    }

    #[test]
    fn steps_iterate_in_flow_order() {
        let mut steps = Steps::default();
        steps.set(Step::PreTokenIssuance, Some(StepTarget::Nothing));
        steps.set(
            Step::PostFederationSignup,
            Some(StepTarget::Connector("A".into())),
        );
        let order: Vec<Step> = steps.iter().map(|(step, _)| step).collect();
        assert_eq!(order, [Step::PostFederationSignup, Step::PreTokenIssuance]);
        steps.set(Step::PreTokenIssuance, None);
        assert_eq!(steps.iter().count(), 1);
    }
}
