//! Graph `v1.0`: bindings generated at build time from `spec/v1.0/`, and the typed operations.
//!
//! [`Graph`] (from [`GraphClient::v1`](crate::GraphClient::v1)) has [`Graph::connectors`] and
//! [`Graph::b2x_user_flows`]; Azure AD B2C user flows exist only in [`beta`](crate::beta).
//! [`Client`] is progenitor's generated client; [`types`] holds the Graph types. [`OPENAPI_JSON`]
//! is the OpenAPI document they were generated from.

crate::client::version_module!("v1", crate::ApiVersion::V1);
crate::connectors::connector_operations!();
crate::user_flows::steps!(
    /// After federating with an identity provider during sign-up.
    PostFederationSignup = "postFederationSignup",
    /// After collecting the user's attributes, before creating the account.
    PostAttributeCollection = "postAttributeCollection",
);
crate::user_flows::user_flow_family!(
    /// Self-service sign-up user flows of workforce / External ID tenants (`/identity/b2xUserFlows`).
    B2xUserFlows, b2x_user_flows, B2xIdentityUserFlow, B2xIdentityUserFlowCollectionResponse,
    list: list_b2x_user_flows, get: get_b2x_user_flow, create: create_b2x_user_flow, delete: delete_b2x_user_flow,
    configuration: get_b2x_user_flow_api_connector_configuration,
    refs: {
        PostFederationSignup => set_b2x_user_flow_post_federation_signup_ref,
        PostAttributeCollection => set_b2x_user_flow_post_attribute_collection_ref,
    },
    steps: [PostFederationSignup, PostAttributeCollection]
);
