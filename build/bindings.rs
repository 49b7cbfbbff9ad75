//! What the generated code of a version implements: the [`Target`] of `graph-csdl`'s codegen, with
//! the paths of the handwritten layer and the binding table of its traits (`src/version.rs`,
//! `src/user_flows.rs`, `src/models.rs`, `src/paging.rs`).
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
    ]
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
        model("FlowModel", "b2cIdentityUserFlow").property("id", "id"),
        model("FlowModel", "b2xIdentityUserFlow").property("id", "id"),
    ]
}
