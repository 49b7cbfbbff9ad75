//! Graph `beta`: bindings generated at build time from `spec/beta/`, and the typed operations.
//!
//! [`Graph`] (from [`GraphClient::beta`](crate::GraphClient::beta)) has [`Graph::connectors`],
//! [`Graph::b2c_user_flows`] (Azure AD B2C tenants) and [`Graph::b2x_user_flows`] (workforce
//! tenants). [`Client`] is progenitor's generated client; [`types`] holds the Graph types,
//! including the enums tagged by `@odata.type`. [`OPENAPI_JSON`] is the OpenAPI document they
//! were generated from.

crate::client::version_module!("beta", crate::ApiVersion::Beta);
crate::connectors::connector_operations!();
crate::user_flows::steps!(
    /// After federating with an identity provider during sign-up.
    PostFederationSignup = "postFederationSignup",
    /// After collecting the user's attributes, before creating the account.
    PostAttributeCollection = "postAttributeCollection",
    /// Before issuing the token (beta; readable, but Graph defines no `$ref` for it).
    PreTokenIssuance = "preTokenIssuance",
);
crate::user_flows::user_flow_family!(
    /// Azure AD B2C user flows (`/identity/b2cUserFlows`, B2C tenants only).
    B2cUserFlows, b2c_user_flows, B2cIdentityUserFlow, B2cIdentityUserFlowCollectionResponse,
    list: list_b2c_user_flows, get: get_b2c_user_flow, create: create_b2c_user_flow, delete: delete_b2c_user_flow,
    configuration: get_b2c_user_flow_api_connector_configuration,
    refs: {
        PostFederationSignup => set_b2c_user_flow_post_federation_signup_ref,
        PostAttributeCollection => set_b2c_user_flow_post_attribute_collection_ref,
    },
    steps: [PostFederationSignup, PostAttributeCollection, PreTokenIssuance]
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
