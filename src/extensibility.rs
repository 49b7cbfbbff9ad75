//! [`Extensibility`]: what a Graph version needs for custom authentication extensions,
//! authentication events flows and event listeners (Microsoft Entra External ID), implemented by
//! the code `graph-csdl` emits from the binding table in `build/bindings.rs`.
//!
//! The impl exists only for a version whose spec has the operations, so using
//! [`Graph::custom_extensions`](crate::Graph::custom_extensions) on it is a compile-time property
//! (as `B2c` is for user flows). Our `v1.0` spec has them; our `beta` spec does not (the real beta
//! service has them, but `spec/beta` was sliced without these roots), so `Graph<Beta>` has no
//! `custom_extensions()`:
//!
//! ```compile_fail
//! # let client = entra_api_connectors::GraphClient::builder().build().unwrap();
//! let _ = client.beta().custom_extensions();
//! ```
//!
//! ```
//! use entra_api_connectors::extensibility::Extensibility;
//! fn has_extensions<V: Extensibility>() {}
//! has_extensions::<entra_api_connectors::V1>();
//! # let client = entra_api_connectors::GraphClient::builder().build().unwrap();
//! let _ = client.v1().custom_extensions();
//! ```

use std::future::Future;

use crate::models::{Model, ValidationModel};
use crate::odata::Query;
use crate::paging::Page;
use crate::version::{Generated, Version};

/// A Graph version with custom authentication extensions, events flows and event listeners.
///
/// The operations call the generated client and return the response's inner value; the handles
/// ([`CustomExtensions`](crate::custom_extensions::CustomExtensions),
/// [`EventsFlows`](crate::events_flows::EventsFlows),
/// [`EventListeners`](crate::event_listeners::EventListeners)) validate input and map errors.
/// PATCH requests are sent by the handles (they need `null`s the typed structs cannot say).
pub trait Extensibility: Version {
    /// `customAuthenticationExtension`, tagged by `@odata.type` (unknown types kept raw).
    type Extension: Model;
    /// A page of custom extensions.
    type ExtensionPage: Page<Item = Self::Extension> + Model;
    /// The body of the collection-level `validateAuthenticationConfiguration`.
    type ValidationRequest: Model;
    /// `authenticationConfigurationValidation`.
    type Validation: ValidationModel + Model;
    /// `authenticationEventsFlow`, tagged by `@odata.type`.
    type EventsFlow: Model;
    /// A page of events flows.
    type EventsFlowPage: Page<Item = Self::EventsFlow> + Model;
    /// `authenticationEventListener`, tagged by `@odata.type`.
    type Listener: Model;
    /// A page of listeners.
    type ListenerPage: Page<Item = Self::Listener> + Model;
    /// `authenticationConditionApplication` (`{appId}`).
    type Application: Model;
    /// A page of a flow's applications.
    type ApplicationPage: Page<Item = Self::Application> + Model;
    /// `identityUserFlowAttribute`, tagged by `@odata.type`.
    type Attribute: Model;
    /// A page of a flow's attributes.
    type AttributePage: Page<Item = Self::Attribute> + Model;
    /// The body of a `$ref` POST (`{"@odata.id": ...}`).
    type ReferenceCreate: Model;

    /// `GET /identity/customAuthenticationExtensions`.
    fn list_custom_extensions(
        client: &Self::Client,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::ExtensionPage, Self>> + Send;

    /// `GET /identity/customAuthenticationExtensions/{id}`.
    fn get_custom_extension(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::Extension, Self>> + Send;

    /// `POST /identity/customAuthenticationExtensions`.
    fn create_custom_extension(
        client: &Self::Client,
        body: Self::Extension,
    ) -> impl Future<Output = Generated<Self::Extension, Self>> + Send;

    /// `DELETE /identity/customAuthenticationExtensions/{id}`.
    fn delete_custom_extension(
        client: &Self::Client,
        id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `POST /identity/customAuthenticationExtensions/{id}/validateAuthenticationConfiguration`.
    fn validate_custom_extension(
        client: &Self::Client,
        id: &str,
    ) -> impl Future<Output = Generated<Self::Validation, Self>> + Send;

    /// `POST /identity/customAuthenticationExtensions/validateAuthenticationConfiguration`.
    fn validate_configuration(
        client: &Self::Client,
        body: Self::ValidationRequest,
    ) -> impl Future<Output = Generated<Self::Validation, Self>> + Send;

    /// `GET /identity/authenticationEventsFlows`.
    fn list_events_flows(
        client: &Self::Client,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::EventsFlowPage, Self>> + Send;

    /// `GET /identity/authenticationEventsFlows/{id}`.
    fn get_events_flow(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::EventsFlow, Self>> + Send;

    /// `POST /identity/authenticationEventsFlows`.
    fn create_events_flow(
        client: &Self::Client,
        body: Self::EventsFlow,
    ) -> impl Future<Output = Generated<Self::EventsFlow, Self>> + Send;

    /// `DELETE /identity/authenticationEventsFlows/{id}`.
    fn delete_events_flow(
        client: &Self::Client,
        id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `GET /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications`.
    fn list_flow_applications(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::ApplicationPage, Self>> + Send;

    /// `POST /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications`.
    fn add_flow_application(
        client: &Self::Client,
        id: &str,
        body: Self::Application,
    ) -> impl Future<Output = Generated<Self::Application, Self>> + Send;

    /// `DELETE …/{id}/conditions/applications/includeApplications/{appId}`.
    fn remove_flow_application(
        client: &Self::Client,
        id: &str,
        app_id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `GET …/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes`.
    fn list_flow_attributes(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::AttributePage, Self>> + Send;

    /// `POST …/attributes/$ref`.
    fn add_flow_attribute(
        client: &Self::Client,
        id: &str,
        body: Self::ReferenceCreate,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `DELETE …/attributes/{attributeId}/$ref`.
    fn remove_flow_attribute(
        client: &Self::Client,
        id: &str,
        attribute_id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;

    /// `GET /identity/authenticationEventListeners`.
    fn list_event_listeners(
        client: &Self::Client,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::ListenerPage, Self>> + Send;

    /// `GET /identity/authenticationEventListeners/{id}`.
    fn get_event_listener(
        client: &Self::Client,
        id: &str,
        query: &Query,
    ) -> impl Future<Output = Generated<Self::Listener, Self>> + Send;

    /// `POST /identity/authenticationEventListeners`.
    fn create_event_listener(
        client: &Self::Client,
        body: Self::Listener,
    ) -> impl Future<Output = Generated<Self::Listener, Self>> + Send;

    /// `DELETE /identity/authenticationEventListeners/{id}`.
    fn delete_event_listener(
        client: &Self::Client,
        id: &str,
    ) -> impl Future<Output = Generated<(), Self>> + Send;
}

/// The `id` of a generated entity, read from its JSON (the polymorphic enums have no accessor).
pub(crate) fn id_of<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value)
        .ok()?
        .get("id")?
        .as_str()
        .map(str::to_string)
}
