//! [`ExternalTenant`]: what planning and applying the External ID sections need of a tenant,
//! implemented over the client's handles for any Graph version that has them (`v1.0`).

use std::future::Future;

use entra_api_connectors::Result;
use entra_api_connectors::connectors::{ListOptions, Patch};
use entra_api_connectors::custom_extensions::{
    ClientConfiguration, CustomExtensionPatch, ExtensionAuthentication, ExtensionKind,
    NewCustomExtension,
};
use entra_api_connectors::event_listeners::{ListenerPatch, NewListener};
use entra_api_connectors::events_flows::FlowStep;
use entra_api_connectors::extensibility::Extensibility;
use futures::TryStreamExt as _;
use serde_json::{Value, json};

use super::snapshot::{EventsFlowSnapshot, ExtensionSnapshot, ExternalSnapshot, ListenerSnapshot};
use crate::model::{CustomExtension, ExtensionEvent};
use crate::tenant::GraphTenant;

/// The sign-in method of an events flow `apply` creates: email with password
/// (`EmailPassword-OAUTH`, the identity provider of the docs' create example).
pub const NEW_FLOW_IDENTITY_PROVIDER: &str = "EmailPassword-OAUTH";

/// The attribute an events flow `apply` creates collects (the docs' create example); the file's
/// other attributes are added to it.
pub const NEW_FLOW_ATTRIBUTE: &str = "email";

/// An external tenant's custom extensions, events flows and listeners.
pub trait ExternalTenant: Send + Sync {
    /// Reads every extension, events flow (with its applications) and listener.
    fn read_external(&self) -> impl Future<Output = Result<ExternalSnapshot>> + Send;
    /// Creates an extension; returns its id.
    fn create_extension(
        &self,
        display_name: &str,
        extension: &CustomExtension,
    ) -> impl Future<Output = Result<String>> + Send;
    /// Sets an extension's URL, `resourceId`, client configuration and claims to the file's.
    fn update_extension(
        &self,
        id: &str,
        extension: &CustomExtension,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Deletes an extension.
    fn delete_extension(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Creates a sign-up events flow (email with password, the email attribute); returns its id.
    fn create_events_flow(&self, display_name: &str)
    -> impl Future<Output = Result<String>> + Send;
    /// Deletes an events flow.
    fn delete_events_flow(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Adds an application to a flow.
    fn add_application(
        &self,
        flow_id: &str,
        app_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Adds a user-flow attribute to a flow's attribute collection.
    fn add_attribute(
        &self,
        flow_id: &str,
        attribute_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Removes an application from a flow.
    fn remove_application(
        &self,
        flow_id: &str,
        app_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Makes the flow's handler of `event` call the extension.
    fn attach(
        &self,
        flow_id: &str,
        event: ExtensionEvent,
        extension_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Gives the flow's `event` its default behaviour again.
    fn detach(
        &self,
        flow_id: &str,
        event: ExtensionEvent,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Creates an `onTokenIssuanceStartListener`; returns its id.
    fn create_listener(
        &self,
        extension_id: &str,
        app_ids: &[String],
    ) -> impl Future<Output = Result<String>> + Send;
    /// Sets a token issuance listener's applications.
    fn update_listener(
        &self,
        id: &str,
        app_ids: &[String],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Deletes a listener.
    fn delete_listener(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn id_of<T: serde::Serialize>(value: &T) -> String {
    json_of(value)["id"].as_str().unwrap_or_default().to_owned()
}

/// The ids of a flow's attributes as the list returns them (`onAttributeCollection.attributes`,
/// the list example's form): none when the flow has no `onAttributeCollection` (a sign-in flow),
/// `None` when it has one without `attributes`.
fn flow_attributes(flow: &Value) -> Option<Vec<String>> {
    match flow.get("onAttributeCollection") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(collection) => collection
            .get("attributes")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|a| a["id"].as_str().map(str::to_owned))
                    .collect()
            }),
    }
}

fn step(event: ExtensionEvent) -> FlowStep {
    match event {
        ExtensionEvent::OnAttributeCollectionStart => FlowStep::AttributeCollectionStart,
        // Token issuance has no flow handler; validation keeps it out of flows.
        _ => FlowStep::AttributeCollectionSubmit,
    }
}

fn client_configuration(extension: &CustomExtension) -> Option<ClientConfiguration> {
    let set = extension.timeout_in_milliseconds.is_some() || extension.maximum_retries.is_some();
    set.then_some(ClientConfiguration {
        timeout_ms: extension.timeout_in_milliseconds,
        maximum_retries: extension.maximum_retries,
    })
}

impl<V: Extensibility> ExternalTenant for GraphTenant<V> {
    async fn read_external(&self) -> Result<ExternalSnapshot> {
        let extensions = self
            .graph
            .custom_extensions()
            .list_all(ListOptions::default())
            .await?;
        let flows_handle = self.graph.events_flows();
        let flows = flows_handle.list_all(ListOptions::default()).await?;
        let mut events_flows = Vec::new();
        for flow in &flows {
            let value = json_of(flow);
            let id = value["id"].as_str().unwrap_or_default().to_owned();
            let apps: Vec<V::Application> = flows_handle.applications(&id).try_collect().await?;
            let apps = apps
                .iter()
                .filter_map(|a| json_of(a)["appId"].as_str().map(str::to_owned))
                .collect();
            let attributes = match flow_attributes(&value) {
                Some(ids) => ids,
                None => {
                    // `onAttributeCollection` without its `attributes`: their own list. Graph
                    // answers 400 when none are assigned (`list-attributes`).
                    let listed: Result<Vec<V::Attribute>> =
                        flows_handle.attributes(&id).try_collect().await;
                    match listed {
                        Ok(listed) => listed
                            .iter()
                            .filter_map(|a| json_of(a)["id"].as_str().map(str::to_owned))
                            .collect(),
                        Err(e) if e.status() == Some(400) => Vec::new(),
                        Err(e) => return Err(e),
                    }
                }
            };
            events_flows.extend(EventsFlowSnapshot::from_json(&value, apps, attributes));
        }
        let listeners = self
            .graph
            .event_listeners()
            .list_all(ListOptions::default())
            .await?;
        Ok(ExternalSnapshot {
            extensions: extensions
                .iter()
                .filter_map(|e| ExtensionSnapshot::from_json(&json_of(e)))
                .collect(),
            events_flows,
            listeners: listeners
                .iter()
                .filter_map(|l| ListenerSnapshot::from_json(&json_of(l)))
                .collect(),
        })
    }

    async fn create_extension(&self, display_name: &str, e: &CustomExtension) -> Result<String> {
        let mut new = NewCustomExtension::new(
            e.event.kind(),
            display_name,
            e.target_url.clone(),
            e.resource_id.clone(),
        );
        new.client_configuration = client_configuration(e);
        new.claims = e.claims.clone();
        let created = self.graph.custom_extensions().create(&new).await?;
        Ok(id_of(&created))
    }

    async fn update_extension(&self, id: &str, e: &CustomExtension) -> Result<()> {
        let mut patch = CustomExtensionPatch::new(e.event.kind());
        patch.target_url = Patch::Set(e.target_url.clone());
        patch.authentication = Patch::Set(ExtensionAuthentication::azure_ad_token(
            e.resource_id.clone(),
        ));
        if let Some(configuration) = client_configuration(e) {
            patch.client_configuration = Patch::Set(configuration);
        }
        if e.event == ExtensionEvent::OnTokenIssuanceStart {
            patch.claims = Patch::Set(e.claims.clone());
        }
        self.graph.custom_extensions().update(id, &patch).await
    }

    async fn delete_extension(&self, id: &str) -> Result<()> {
        self.graph.custom_extensions().delete(id).await
    }

    async fn create_events_flow(&self, display_name: &str) -> Result<String> {
        let body = json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "displayName": display_name,
            "onInteractiveAuthFlowStart": {
                "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                "isSignUpAllowed": true
            },
            "onAuthenticationMethodLoadStart": {
                "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                "identityProviders": [{"id": NEW_FLOW_IDENTITY_PROVIDER}]
            },
            "onAttributeCollection": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                "attributes": [{"id": NEW_FLOW_ATTRIBUTE}],
                "attributeCollectionPage": {"views": [{"inputs": [
                    {"attribute": NEW_FLOW_ATTRIBUTE, "label": "Email", "inputType": "text"}
                ]}]}
            }
        });
        let flow: V::EventsFlow = serde_json::from_value(body).map_err(|_| {
            entra_api_connectors::Error::InvalidInput(
                "the events flow body does not fit the generated type".into(),
            )
        })?;
        let created = self.graph.events_flows().create(&flow).await?;
        Ok(id_of(&created))
    }

    async fn delete_events_flow(&self, id: &str) -> Result<()> {
        self.graph.events_flows().delete(id).await
    }

    async fn add_application(&self, flow_id: &str, app_id: &str) -> Result<()> {
        self.graph
            .events_flows()
            .add_application(flow_id, app_id)
            .await
            .map(drop)
    }

    async fn add_attribute(&self, flow_id: &str, attribute_id: &str) -> Result<()> {
        self.graph
            .events_flows()
            .add_attribute(flow_id, attribute_id)
            .await
    }

    async fn remove_application(&self, flow_id: &str, app_id: &str) -> Result<()> {
        self.graph
            .events_flows()
            .remove_application(flow_id, app_id)
            .await
    }

    async fn attach(&self, flow_id: &str, event: ExtensionEvent, extension_id: &str) -> Result<()> {
        self.graph
            .events_flows()
            .attach_extension(flow_id, step(event), extension_id)
            .await
    }

    async fn detach(&self, flow_id: &str, event: ExtensionEvent) -> Result<()> {
        self.graph.events_flows().detach(flow_id, step(event)).await
    }

    async fn create_listener(&self, extension_id: &str, app_ids: &[String]) -> Result<String> {
        let new = NewListener::new(
            ExtensionKind::TokenIssuanceStart,
            extension_id,
            app_ids.iter().cloned(),
        );
        let created = self.graph.event_listeners().create_listener(&new).await?;
        Ok(id_of(&created))
    }

    async fn update_listener(&self, id: &str, app_ids: &[String]) -> Result<()> {
        let mut patch = ListenerPatch::new(ExtensionKind::TokenIssuanceStart);
        patch.app_ids = Patch::Set(app_ids.to_vec());
        self.graph.event_listeners().update(id, &patch).await
    }

    async fn delete_listener(&self, id: &str) -> Result<()> {
        self.graph.event_listeners().delete(id).await
    }
}
