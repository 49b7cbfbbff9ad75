//! What the generated code of a version implements: the [`Target`] of `graph-csdl`'s codegen, with
//! the paths of the handwritten layer and the binding table of its traits (`src/version.rs`,
//! `src/user_flows.rs`, `src/extensibility.rs`, `src/models.rs`, `src/paging.rs`).
//!
//! Each entry binds a trait item to what the spec has: an associated type to a schema, a method
//! to an operation id or a property. graph-csdl leaves out an impl whose operations the spec
//! lacks (Azure AD B2C user flows on v1.0: `B2c` is then not a family of `V1`, a compile-time
//! fact), and the per-step tables (which steps a family binds, which a configuration has) are the
//! arms the spec has. A trait item the table gets wrong is a compile error of the crate.

use graph_csdl::codegen::Target;
use graph_csdl::codegen::bindings::{Binding, Implementor};

const STEP: &str = "crate::Step";

/// Every step, with its property of `userFlowApiConnectorConfiguration`.
const STEPS: [(&str, &str); 3] = [
    ("crate::Step::PostFederationSignup", "postFederationSignup"),
    (
        "crate::Step::PostAttributeCollection",
        "postAttributeCollection",
    ),
    ("crate::Step::PreTokenIssuance", "preTokenIssuance"),
];

/// The target of the version module `module` (`beta`, `v1`), implemented for the marker `marker`
/// (`Beta`, `V1`, also the name of its `ApiVersion`).
pub fn target(module: &str, marker: &str) -> Target {
    Target::new(
        &format!("crate::{module}"),
        "crate::transport::Transport",
        "crate::Secret",
        "crate::odata",
    )
    .with_hooks("crate::hooks::pre", "crate::hooks::exec")
    .with_page_trait("crate::paging::Page")
    .with_query("crate::odata::Query")
    .with_bindings(version(marker))
    .with_bindings(models())
}

/// `Version` for the marker, and the user-flow families of the version.
fn version(marker: &str) -> Vec<Binding> {
    let version = format!("crate::version::{marker}");
    let api = format!("crate::ApiVersion::{marker}");
    vec![
        Binding::new("crate::version::Version", Implementor::path(&version))
            .constant("API", "crate::ApiVersion", &api)
            .client_type("Client")
            .schema_type("Connector", "identityApiConnector")
            .schema_type("ConnectorPage", "identityApiConnectorCollectionResponse")
            .schema_type("UploadRequest", "uploadClientCertificateRequest")
            .schema_type("ReferenceUpdate", "ReferenceUpdate")
            .schema_type("Configuration", "userFlowApiConnectorConfiguration")
            .schema_type("ODataError", "ODataError")
            .client_constructor("new_client")
            .operation("list_api_connectors", "list_api_connectors")
            .operation("get_api_connector", "get_api_connector")
            .operation("create_api_connector", "create_api_connector")
            .operation("delete_api_connector", "delete_api_connector")
            .operation("upload_client_certificate", "upload_client_certificate"),
        // B2C user flows read the B2C step "before sending the token" as well; self-service
        // sign-up (b2x) flows have the two sign-up steps (docs/graph-behaviour.md).
        family(&version, "B2c", "b2c", &STEPS),
        family(&version, "B2x", "b2x", &STEPS[..2]),
        extensibility(&version),
    ]
}

/// `Extensibility` for the marker: custom authentication extensions, authentication events flows
/// and event listeners (`/identity/customAuthenticationExtensions`, `…/authenticationEventsFlows`,
/// `…/authenticationEventListeners`). Skipped for a version whose spec lacks them (our beta spec).
fn extensibility(version: &str) -> Binding {
    Binding::new(
        "crate::extensibility::Extensibility",
        Implementor::path(version),
    )
    .schema_type("Extension", "customAuthenticationExtension")
    .schema_type(
        "ExtensionPage",
        "customAuthenticationExtensionCollectionResponse",
    )
    .schema_type(
        "ValidationRequest",
        "validateAuthenticationConfigurationRequest",
    )
    .schema_type("Validation", "authenticationConfigurationValidation")
    .schema_type("EventsFlow", "authenticationEventsFlow")
    .schema_type(
        "EventsFlowPage",
        "authenticationEventsFlowCollectionResponse",
    )
    .schema_type("Listener", "authenticationEventListener")
    .schema_type(
        "ListenerPage",
        "authenticationEventListenerCollectionResponse",
    )
    .schema_type("Application", "authenticationConditionApplication")
    .schema_type(
        "ApplicationPage",
        "authenticationConditionApplicationCollectionResponse",
    )
    .schema_type("Attribute", "identityUserFlowAttribute")
    .schema_type(
        "AttributePage",
        "identityUserFlowAttributeCollectionResponse",
    )
    .schema_type("ReferenceCreate", "ReferenceCreate")
    .operation(
        "list_custom_extensions",
        "list_custom_authentication_extensions",
    )
    .operation(
        "get_custom_extension",
        "get_custom_authentication_extension",
    )
    .operation(
        "create_custom_extension",
        "create_custom_authentication_extension",
    )
    .operation(
        "delete_custom_extension",
        "delete_custom_authentication_extension",
    )
    .operation(
        "validate_custom_extension",
        "validate_custom_authentication_extension_authentication_configuration",
    )
    .operation(
        "validate_configuration",
        "validate_custom_authentication_extensions_authentication_configuration",
    )
    .operation("list_events_flows", "list_authentication_events_flows")
    .operation("get_events_flow", "get_authentication_events_flow")
    .operation("create_events_flow", "create_authentication_events_flow")
    .operation("delete_events_flow", "delete_authentication_events_flow")
    .operation(
        "list_flow_applications",
        "list_authentication_events_flow_include_applications",
    )
    .operation(
        "add_flow_application",
        "create_authentication_events_flow_include_application",
    )
    .operation(
        "remove_flow_application",
        "delete_authentication_events_flow_include_application",
    )
    .operation(
        "list_flow_attributes",
        "list_authentication_events_flow_attributes",
    )
    .operation(
        "add_flow_attribute",
        "add_authentication_events_flow_attributes_ref",
    )
    .operation(
        "remove_flow_attribute",
        "remove_authentication_events_flow_attributes_ref",
    )
    .operation(
        "list_event_listeners",
        "list_authentication_event_listeners",
    )
    .operation("get_event_listener", "get_authentication_event_listener")
    .operation(
        "create_event_listener",
        "create_authentication_event_listener",
    )
    .operation(
        "delete_event_listener",
        "delete_authentication_event_listener",
    )
}

/// `UserFlowFamily<version>` for the family marker: the operations on `/identity/{prefix}UserFlows`.
fn family(version: &str, marker: &str, prefix: &str, readable: &[(&str, &str)]) -> Binding {
    let op = |name: &str| name.replace("{f}", prefix);
    let set_ref: Vec<(&str, String)> = STEPS
        .iter()
        .map(|(step, property)| {
            let snake = graph_csdl::openapi::snake_case(property);
            (*step, op(&format!("set_{{f}}_user_flow_{snake}_ref")))
        })
        .collect();
    let set_ref: Vec<(&str, &str)> = set_ref.iter().map(|(k, o)| (*k, o.as_str())).collect();
    Binding::new(
        format!("crate::user_flows::UserFlowFamily<{version}>"),
        Implementor::path(format!("crate::user_flows::{marker}")),
    )
    .constant(
        "COLLECTION",
        "&'static str",
        &format!("\"{prefix}UserFlows\""),
    )
    .schema_type("Flow", &op("{f}IdentityUserFlow"))
    .schema_type("Page", &op("{f}IdentityUserFlowCollectionResponse"))
    .keys(
        "READABLE",
        STEP,
        "userFlowApiConnectorConfiguration",
        readable,
    )
    .operation("list", &op("list_{f}_user_flows"))
    .operation("get", &op("get_{f}_user_flow"))
    .operation("create", &op("create_{f}_user_flow"))
    .operation("delete", &op("delete_{f}_user_flow"))
    .operation(
        "configuration",
        &op("get_{f}_user_flow_api_connector_configuration"),
    )
    .dispatch("set_ref", STEP, "BINDABLE", &set_ref)
}

/// The model traits, for the schemas of any version.
fn models() -> Vec<Binding> {
    let model = |name: &str, schema: &str| {
        Binding::new(
            format!("crate::models::{name}"),
            Implementor::schema(schema),
        )
    };
    vec![
        model("ConnectorModel", "identityApiConnector")
            .schema_type("Authentication", "apiAuthenticationConfigurationBase")
            .property("id", "id")
            .property("display_name", "displayName")
            .property("target_url", "targetUrl")
            .property("authentication", "authenticationConfiguration"),
        model("AuthenticationModel", "apiAuthenticationConfigurationBase")
            .schema_type("Basic", "basicAuthentication")
            .schema_type("Pkcs12", "pkcs12Certificate")
            .schema_type("ClientCertificate", "clientCertificateAuthentication")
            .odata_type("odata_type")
            .variant("basic", "basicAuthentication")
            .variant("pkcs12", "pkcs12Certificate")
            .variant("client_certificate", "clientCertificateAuthentication"),
        model("BasicAuthenticationModel", "basicAuthentication")
            .property("username", "username")
            .property("password", "password"),
        model("ClientCertificateModel", "clientCertificateAuthentication")
            .schema_type("Certificate", "pkcs12CertificateInformation")
            .property("certificate_list", "certificateList"),
        model("CertificateInfoModel", "pkcs12CertificateInformation")
            .property("thumbprint", "thumbprint")
            .property("not_before", "notBefore")
            .property("not_after", "notAfter")
            .property("is_active", "isActive"),
        model("ConfigurationModel", "userFlowApiConnectorConfiguration")
            .schema_type("Connector", "identityApiConnector")
            .property_dispatch("connector", STEP, "STEPS", &STEPS),
        model("ValidationModel", "authenticationConfigurationValidation")
            .schema_type("Error", "genericError")
            .property("errors", "errors")
            .property("warnings", "warnings"),
        model("GenericErrorModel", "genericError")
            .property("code", "code")
            .property("message", "message"),
        model("FlowModel", "b2cIdentityUserFlow").property("id", "id"),
        model("FlowModel", "b2xIdentityUserFlow").property("id", "id"),
    ]
}
