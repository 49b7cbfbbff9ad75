//! Authentication events flows ([`EventsFlows`], `/identity/authenticationEventsFlows`): the
//! self-service sign-up flows of external tenants, their applications and attributes, and the
//! custom extension each attribute-collection step calls (`docs/graph-behaviour.md` §8).
//!
//! A flow's step calls an extension through its handler. Graph v1.0 documents no `$ref` for it,
//! so [`EventsFlows::attach_extension`] PATCHes the flow with the handler naming the extension,
//! and [`EventsFlows::detach`] PATCHes it with `null` (the choice of §8.3).

use futures::stream::BoxStream;
use serde_json::{Map, Value, json};

use crate::connectors::{ListOptions, Patch, validate_display_name, validate_id};
use crate::custom_extensions::{ExtensionKind, require_id};
use crate::error::{Error, Result};
use crate::extensibility::Extensibility;
use crate::graph::{Graph, call, typed};
use crate::odata::Query;
use crate::preview::RequestPreview;

/// The `@odata.type` of the one concrete flow type.
pub const FLOW_TYPE: &str = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow";

/// A step of a flow that calls a custom extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowStep {
    /// `onAttributeCollectionStart`: before the attribute page is shown.
    AttributeCollectionStart,
    /// `onAttributeCollectionSubmit`: when the user submits it.
    AttributeCollectionSubmit,
}

impl FlowStep {
    /// The flow's property, e.g. `onAttributeCollectionSubmit`.
    pub fn property(self) -> &'static str {
        match self {
            FlowStep::AttributeCollectionStart => "onAttributeCollectionStart",
            FlowStep::AttributeCollectionSubmit => "onAttributeCollectionSubmit",
        }
    }

    /// The kind of extension the step calls.
    pub fn kind(self) -> ExtensionKind {
        match self {
            FlowStep::AttributeCollectionStart => ExtensionKind::AttributeCollectionStart,
            FlowStep::AttributeCollectionSubmit => ExtensionKind::AttributeCollectionSubmit,
        }
    }
}

/// Check an application id (`appId`, the client id): a GUID.
pub fn validate_app_id(app_id: &str) -> Result<()> {
    if app_id.len() == 36 && uuid::Uuid::parse_str(app_id).is_ok() {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "application id {app_id:?} is not a GUID (the appId, also known as the client id)"
        )))
    }
}

/// An update of a flow: only the fields that are not [`Patch::Keep`] are sent, with the flow's
/// `@odata.type` (required on every PATCH).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventsFlowPatch {
    /// `displayName` (required by Graph: it cannot be cleared).
    pub display_name: Patch<String>,
    /// `description`.
    pub description: Patch<String>,
    /// `priority` (returned by Graph and documented on the update page, not in the v1.0 CSDL).
    pub priority: Patch<u32>,
    /// `onAttributeCollection`, as JSON: the whole attribute page (every input to keep must be
    /// listed, Graph removes the others).
    pub on_attribute_collection: Patch<Value>,
}

impl EventsFlowPatch {
    /// Validate and produce the PATCH body. An empty patch is an error.
    pub fn to_body(&self) -> Result<Value> {
        match &self.display_name {
            Patch::Set(name) => validate_display_name(name)?,
            Patch::Null => return Err(Error::InvalidInput("displayName cannot be cleared".into())),
            Patch::Keep => {}
        }
        if let Patch::Set(v) = &self.on_attribute_collection
            && !v.is_object()
        {
            return Err(Error::InvalidInput(
                "onAttributeCollection must be a JSON object".into(),
            ));
        }
        let mut body = Map::new();
        self.display_name
            .encode("displayName", &mut body, |v| v.clone().into());
        self.description
            .encode("description", &mut body, |v| v.clone().into());
        self.priority.encode("priority", &mut body, |v| (*v).into());
        self.on_attribute_collection
            .encode("onAttributeCollection", &mut body, Value::clone);
        if body.is_empty() {
            return Err(Error::InvalidInput("the update changes nothing".into()));
        }
        body.insert("@odata.type".into(), FLOW_TYPE.into());
        Ok(Value::Object(body))
    }
}

/// Authentication events flows (`/identity/authenticationEventsFlows`) of Graph version `V`,
/// from [`Graph::events_flows`].
#[derive(Clone, Debug)]
pub struct EventsFlows<V: Extensibility> {
    graph: Graph<V>,
}

impl<V: Extensibility> EventsFlows<V> {
    pub(crate) fn new(graph: Graph<V>) -> Self {
        EventsFlows { graph }
    }

    /// One page of flows (the first), as Graph returned it.
    pub async fn list_page(&self, options: &ListOptions) -> Result<V::EventsFlowPage> {
        call(
            self.graph.transport(),
            V::list_events_flows(self.graph.generated(), &options.query()),
        )
        .await
    }

    /// Every flow, following `@odata.nextLink`.
    pub fn list(&self, options: ListOptions) -> BoxStream<'static, Result<V::EventsFlow>> {
        let this = self.clone();
        crate::paging::items::<V::EventsFlowPage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move { this.list_page(&options).await },
        )
    }

    /// Every flow, collected.
    pub async fn list_all(&self, options: ListOptions) -> Result<Vec<V::EventsFlow>> {
        futures::TryStreamExt::try_collect(self.list(options)).await
    }

    /// The flow an application is linked to, if any (the `$filter` of the list page's example 4).
    pub async fn find_by_application(&self, app_id: &str) -> Result<Option<V::EventsFlow>> {
        validate_app_id(app_id)?;
        let filter = format!(
            "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/any(appId:appId/appId eq '{app_id}')"
        );
        let mut all = self.list_all(ListOptions::default().filter(filter)).await?;
        Ok((!all.is_empty()).then(|| all.swap_remove(0)))
    }

    /// A flow by id. A response that wraps the entity in `{"value": {…}}` (as the docs' example
    /// does) is read as the entity.
    pub async fn get(&self, id: &str) -> Result<V::EventsFlow> {
        validate_id("events flow", id)?;
        let flow = call(
            self.graph.transport(),
            V::get_events_flow(self.graph.generated(), id, &Query::default()),
        )
        .await?;
        unwrap_value(flow)
    }

    /// Create a flow (`201 Created`): an `externalUsersSelfServiceSignUpEventsFlow` with a
    /// display name.
    pub async fn create(&self, flow: &V::EventsFlow) -> Result<V::EventsFlow> {
        check_new(flow)?;
        let created = call(
            self.graph.transport(),
            V::create_events_flow(self.graph.generated(), flow.clone()),
        )
        .await?;
        require_id(created, "events flow")
    }

    /// Update a flow: a real PATCH (`204 No Content`).
    pub async fn update(&self, id: &str, patch: &EventsFlowPatch) -> Result<()> {
        validate_id("events flow", id)?;
        let body = patch.to_body()?;
        self.patch(id, &body).await
    }

    /// Delete a flow (`204 No Content`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_id("events flow", id)?;
        call(
            self.graph.transport(),
            V::delete_events_flow(self.graph.generated(), id),
        )
        .await
    }

    /// Make `step` of flow `flow_id` call the custom extension `extension_id` (`204`): a PATCH of
    /// the flow whose handler names the extension (an extension of another kind is refused by
    /// Graph, `400`).
    pub async fn attach_extension(
        &self,
        flow_id: &str,
        step: FlowStep,
        extension_id: &str,
    ) -> Result<()> {
        validate_id("events flow", flow_id)?;
        let body = attach_body(step, extension_id)?;
        self.patch(flow_id, &body).await
    }

    /// Make `step` of flow `flow_id` call no extension (a PATCH with `null`).
    pub async fn detach(&self, flow_id: &str, step: FlowStep) -> Result<()> {
        validate_id("events flow", flow_id)?;
        self.patch(flow_id, &detach_body(step)).await
    }

    /// The applications the flow applies to (`includeApplications`).
    pub fn applications(&self, flow_id: &str) -> BoxStream<'static, Result<V::Application>> {
        let this = self.clone();
        let id = flow_id.to_string();
        crate::paging::items::<V::ApplicationPage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move {
                validate_id("events flow", &id)?;
                call(
                    this.graph.transport(),
                    V::list_flow_applications(this.graph.generated(), &id, &Query::default()),
                )
                .await
            },
        )
    }

    /// Link application `app_id` (its client id) to the flow (`201`, the link).
    pub async fn add_application(&self, flow_id: &str, app_id: &str) -> Result<V::Application> {
        validate_id("events flow", flow_id)?;
        validate_app_id(app_id)?;
        let body = typed(application_body(app_id))?;
        call(
            self.graph.transport(),
            V::add_flow_application(self.graph.generated(), flow_id, body),
        )
        .await
    }

    /// Unlink application `app_id` from the flow (`204`).
    pub async fn remove_application(&self, flow_id: &str, app_id: &str) -> Result<()> {
        validate_id("events flow", flow_id)?;
        validate_app_id(app_id)?;
        call(
            self.graph.transport(),
            V::remove_flow_application(self.graph.generated(), flow_id, app_id),
        )
        .await
    }

    /// The user-flow attributes the flow collects.
    pub fn attributes(&self, flow_id: &str) -> BoxStream<'static, Result<V::Attribute>> {
        let this = self.clone();
        let id = flow_id.to_string();
        crate::paging::items::<V::AttributePage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move {
                validate_id("events flow", &id)?;
                call(
                    this.graph.transport(),
                    V::list_flow_attributes(this.graph.generated(), &id, &Query::default()),
                )
                .await
            },
        )
    }

    /// Add attribute `attribute_id` (e.g. `city`) to the flow (`POST …/attributes/$ref`, `204`);
    /// the body names `identity/userFlowAttributes/{id}` by its full URL.
    pub async fn add_attribute(&self, flow_id: &str, attribute_id: &str) -> Result<()> {
        validate_id("events flow", flow_id)?;
        validate_id("user flow attribute", attribute_id)?;
        let url = self
            .graph
            .entity_url(&["identity", "userFlowAttributes", attribute_id]);
        let body = typed(json!({ "@odata.id": url.as_str() }))?;
        call(
            self.graph.transport(),
            V::add_flow_attribute(self.graph.generated(), flow_id, body),
        )
        .await
    }

    /// Remove attribute `attribute_id` from the flow (`DELETE …/attributes/{id}/$ref`, `204`).
    pub async fn remove_attribute(&self, flow_id: &str, attribute_id: &str) -> Result<()> {
        validate_id("events flow", flow_id)?;
        validate_id("user flow attribute", attribute_id)?;
        call(
            self.graph.transport(),
            V::remove_flow_attribute(self.graph.generated(), flow_id, attribute_id),
        )
        .await
    }

    async fn patch(&self, id: &str, body: &Value) -> Result<()> {
        self.graph
            .send_json(
                reqwest::Method::PATCH,
                &["identity", "authenticationEventsFlows", id],
                body,
            )
            .await?;
        Ok(())
    }
}

impl<V: Extensibility> EventsFlows<V> {
    /// The request [`create`](Self::create) would send, checked the same way.
    pub fn preview_create(&self, flow: &V::EventsFlow) -> Result<RequestPreview> {
        let body = check_new(flow)?;
        Ok(self.preview(reqwest::Method::POST, &[], Some(body)))
    }

    /// The request [`update`](Self::update) would send, checked the same way.
    pub fn preview_update(&self, id: &str, patch: &EventsFlowPatch) -> Result<RequestPreview> {
        validate_id("events flow", id)?;
        Ok(self.preview(reqwest::Method::PATCH, &[id], Some(patch.to_body()?)))
    }

    /// The request [`delete`](Self::delete) would send.
    pub fn preview_delete(&self, id: &str) -> Result<RequestPreview> {
        validate_id("events flow", id)?;
        Ok(self.preview(reqwest::Method::DELETE, &[id], None))
    }

    /// The request [`attach_extension`](Self::attach_extension) would send, checked the same way.
    pub fn preview_attach_extension(
        &self,
        flow_id: &str,
        step: FlowStep,
        extension_id: &str,
    ) -> Result<RequestPreview> {
        validate_id("events flow", flow_id)?;
        let body = attach_body(step, extension_id)?;
        Ok(self.preview(reqwest::Method::PATCH, &[flow_id], Some(body)))
    }

    /// The request [`detach`](Self::detach) would send.
    pub fn preview_detach(&self, flow_id: &str, step: FlowStep) -> Result<RequestPreview> {
        validate_id("events flow", flow_id)?;
        Ok(self.preview(reqwest::Method::PATCH, &[flow_id], Some(detach_body(step))))
    }

    /// The request [`add_application`](Self::add_application) would send, checked the same way.
    pub fn preview_add_application(&self, flow_id: &str, app_id: &str) -> Result<RequestPreview> {
        validate_id("events flow", flow_id)?;
        validate_app_id(app_id)?;
        Ok(self.preview(
            reqwest::Method::POST,
            &[flow_id, "conditions", "applications", "includeApplications"],
            Some(application_body(app_id)),
        ))
    }

    /// The request [`remove_application`](Self::remove_application) would send.
    pub fn preview_remove_application(
        &self,
        flow_id: &str,
        app_id: &str,
    ) -> Result<RequestPreview> {
        validate_id("events flow", flow_id)?;
        validate_app_id(app_id)?;
        Ok(self.preview(
            reqwest::Method::DELETE,
            &[
                flow_id,
                "conditions",
                "applications",
                "includeApplications",
                app_id,
            ],
            None,
        ))
    }

    fn preview(
        &self,
        method: reqwest::Method,
        below: &[&str],
        body: Option<Value>,
    ) -> RequestPreview {
        let mut segments = vec!["identity", "authenticationEventsFlows"];
        segments.extend_from_slice(below);
        RequestPreview::new(method, self.graph.entity_url(&segments), body)
    }
}

/// Check a new flow (an `externalUsersSelfServiceSignUpEventsFlow` with a display name) and
/// return its JSON.
fn check_new<T: serde::Serialize>(flow: &T) -> Result<Value> {
    let json = serde_json::to_value(flow).map_err(|e| Error::InvalidInput(e.to_string()))?;
    let odata_type = json.get("@odata.type").and_then(Value::as_str);
    if odata_type.map(|t| t.trim_start_matches('#')) != Some(FLOW_TYPE.trim_start_matches('#')) {
        return Err(Error::InvalidInput(format!(
            "a new events flow must be a {FLOW_TYPE}, not {}",
            odata_type.unwrap_or("a value without @odata.type")
        )));
    }
    validate_display_name(
        json.get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )?;
    Ok(json)
}

/// The PATCH body that makes `step` call extension `extension_id`.
fn attach_body(step: FlowStep, extension_id: &str) -> Result<Value> {
    validate_id("custom extension", extension_id)?;
    Ok(json!({
        "@odata.type": FLOW_TYPE,
        step.property(): {
            "@odata.type": step.kind().handler_type(),
            "customExtension": { "id": extension_id },
        },
    }))
}

/// The PATCH body that makes `step` call no extension.
fn detach_body(step: FlowStep) -> Value {
    json!({ "@odata.type": FLOW_TYPE, step.property(): null })
}

/// The body that links an application. The docs also send `"@odata.type":
/// "#microsoft.graph.authenticationConditionApplication"`; the type has no derived types, so the
/// generated one carries no tag.
fn application_body(app_id: &str) -> Value {
    json!({ "appId": app_id })
}

/// A single-entity response read as the entity: `{"value": {…}}` without `@odata.type` is the
/// entity in `value` (`docs/graph-behaviour.md` §8.2).
fn unwrap_value<T: serde::Serialize + serde::de::DeserializeOwned>(entity: T) -> Result<T> {
    let json = serde_json::to_value(&entity).map_err(|e| Error::Decode {
        status: None,
        message: e.to_string(),
        excerpt: String::new(),
    })?;
    match json.get("value") {
        Some(inner @ Value::Object(_)) if json.get("@odata.type").is_none() => {
            serde_json::from_value(inner.clone()).map_err(|e| Error::Decode {
                status: None,
                message: format!("the events flow in `value`: {e}"),
                excerpt: String::new(),
            })
        }
        _ => Ok(entity),
    }
}
