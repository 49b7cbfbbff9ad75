//! Authentication event listeners ([`EventListeners`], `/identity/authenticationEventListeners`):
//! which custom extension an event calls for which applications (`docs/graph-behaviour.md` §9).
//!
//! ```
//! use entra_api_connectors::custom_extensions::ExtensionKind;
//! use entra_api_connectors::event_listeners::NewListener;
//! let new = NewListener::new(
//!     ExtensionKind::TokenIssuanceStart,
//!     "6fc5012e-7665-43d6-9708-4370863f4e6e",
//!     ["a13d0fc1-04ab-4ede-b215-63de0174cbb4"],
//! );
//! assert_eq!(
//!     new.to_json().unwrap()["handler"]["customExtension"]["id"],
//!     "6fc5012e-7665-43d6-9708-4370863f4e6e"
//! );
//! assert!(new.priority(1001).validate().is_err());
//! ```

use futures::stream::BoxStream;
use serde_json::{Map, Value, json};

use crate::connectors::{ListOptions, Patch, validate_id};
use crate::custom_extensions::{ExtensionKind, require_id};
use crate::error::{Error, Result};
use crate::events_flows::validate_app_id;
use crate::extensibility::Extensibility;
use crate::graph::{Graph, call, typed};
use crate::odata::Query;
use crate::preview::RequestPreview;

/// The highest listener priority (beta docs: "Between 0 (lower priority) and 1000 (higher
/// priority)").
pub const MAX_PRIORITY: u32 = 1000;

fn validate_priority(priority: u32) -> Result<()> {
    if priority > MAX_PRIORITY {
        return Err(Error::InvalidInput(format!(
            "priority {priority} is outside 0..={MAX_PRIORITY}"
        )));
    }
    Ok(())
}

fn validate_apps(app_ids: &[String]) -> Result<()> {
    if app_ids.is_empty() {
        return Err(Error::InvalidInput(
            "a listener needs at least one application".into(),
        ));
    }
    app_ids.iter().try_for_each(|a| validate_app_id(a))
}

fn conditions_json(app_ids: &[String]) -> Value {
    let apps: Vec<Value> = app_ids.iter().map(|a| json!({ "appId": a })).collect();
    json!({ "applications": { "includeApplications": apps } })
}

fn handler_json(kind: ExtensionKind, extension_id: &str) -> Value {
    json!({
        "@odata.type": kind.handler_type(),
        "customExtension": { "id": extension_id },
    })
}

/// A new listener: event `kind` calls extension `extension_id` for the applications `app_ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListener {
    /// The event (the listener's and handler's `@odata.type`).
    pub kind: ExtensionKind,
    /// The custom extension the handler names.
    pub extension_id: String,
    /// `conditions.applications.includeApplications` (app ids, GUIDs).
    pub app_ids: Vec<String>,
    /// `priority`, 0–1000 (sent only when set; not in the v1.0 CSDL).
    pub priority: Option<u32>,
}

impl NewListener {
    /// Event `kind` calling `extension_id` for `app_ids`.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        kind: ExtensionKind,
        extension_id: impl Into<String>,
        app_ids: I,
    ) -> Self {
        NewListener {
            kind,
            extension_id: extension_id.into(),
            app_ids: app_ids.into_iter().map(Into::into).collect(),
            priority: None,
        }
    }

    /// With a `priority`.
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Check it before it is sent: an extension id, at least one application, GUID app ids,
    /// priority 0–1000.
    pub fn validate(&self) -> Result<()> {
        validate_id("custom extension", &self.extension_id)?;
        validate_apps(&self.app_ids)?;
        if let Some(p) = self.priority {
            validate_priority(p)?;
        }
        Ok(())
    }

    /// The body of the create request (validated).
    pub fn to_json(&self) -> Result<Value> {
        self.validate()?;
        let mut body = Map::new();
        body.insert("@odata.type".into(), self.kind.listener_type().into());
        body.insert("conditions".into(), conditions_json(&self.app_ids));
        body.insert(
            "handler".into(),
            handler_json(self.kind, &self.extension_id),
        );
        if let Some(p) = self.priority {
            body.insert("priority".into(), p.into());
        }
        Ok(Value::Object(body))
    }
}

/// An update of a listener: only the fields that are not [`Patch::Keep`] are sent, with the
/// listener's `@odata.type` (required on every PATCH).
#[derive(Debug, Clone, PartialEq)]
pub struct ListenerPatch {
    /// The stored kind of the listener.
    pub kind: ExtensionKind,
    /// The applications (`conditions`), replacing the current ones.
    pub app_ids: Patch<Vec<String>>,
    /// The extension the handler names.
    pub extension_id: Patch<String>,
    /// `priority`.
    pub priority: Patch<u32>,
}

impl ListenerPatch {
    /// A patch of a listener of `kind` that changes nothing yet.
    pub fn new(kind: ExtensionKind) -> Self {
        ListenerPatch {
            kind,
            app_ids: Patch::Keep,
            extension_id: Patch::Keep,
            priority: Patch::Keep,
        }
    }

    /// Validate and produce the PATCH body. An empty patch is an error.
    pub fn to_body(&self) -> Result<Value> {
        if let Patch::Set(apps) = &self.app_ids {
            validate_apps(apps)?;
        }
        match &self.extension_id {
            Patch::Set(id) => validate_id("custom extension", id)?,
            Patch::Null => {
                return Err(Error::InvalidInput(
                    "a listener's handler cannot be cleared; delete the listener".into(),
                ));
            }
            Patch::Keep => {}
        }
        if let Patch::Set(p) = self.priority {
            validate_priority(p)?;
        }
        let mut body = Map::new();
        self.app_ids
            .encode("conditions", &mut body, |a| conditions_json(a));
        self.extension_id
            .encode("handler", &mut body, |id| handler_json(self.kind, id));
        self.priority.encode("priority", &mut body, |p| (*p).into());
        if body.is_empty() {
            return Err(Error::InvalidInput("the update changes nothing".into()));
        }
        body.insert("@odata.type".into(), self.kind.listener_type().into());
        Ok(Value::Object(body))
    }
}

/// Authentication event listeners (`/identity/authenticationEventListeners`) of Graph version
/// `V`, from [`Graph::event_listeners`].
#[derive(Clone, Debug)]
pub struct EventListeners<V: Extensibility> {
    graph: Graph<V>,
}

impl<V: Extensibility> EventListeners<V> {
    pub(crate) fn new(graph: Graph<V>) -> Self {
        EventListeners { graph }
    }

    /// One page of listeners (the first), as Graph returned it.
    pub async fn list_page(&self, options: &ListOptions) -> Result<V::ListenerPage> {
        call(
            self.graph.transport(),
            V::list_event_listeners(self.graph.generated(), &options.query()),
        )
        .await
    }

    /// Every listener, following `@odata.nextLink`.
    pub fn list(&self, options: ListOptions) -> BoxStream<'static, Result<V::Listener>> {
        let this = self.clone();
        crate::paging::items::<V::ListenerPage, _>(
            self.graph.transport().clone(),
            self.graph.base_url(),
            self.graph.max_pages(),
            async move { this.list_page(&options).await },
        )
    }

    /// Every listener, collected.
    pub async fn list_all(&self, options: ListOptions) -> Result<Vec<V::Listener>> {
        futures::TryStreamExt::try_collect(self.list(options)).await
    }

    /// A listener by id (Graph supports no query options here).
    pub async fn get(&self, id: &str) -> Result<V::Listener> {
        validate_id("event listener", id)?;
        call(
            self.graph.transport(),
            V::get_event_listener(self.graph.generated(), id, &Query::default()),
        )
        .await
    }

    /// Create a listener (`201 Created`) from a value of the generated type.
    pub async fn create(&self, listener: &V::Listener) -> Result<V::Listener> {
        let created = call(
            self.graph.transport(),
            V::create_event_listener(self.graph.generated(), listener.clone()),
        )
        .await?;
        require_id(created, "event listener")
    }

    /// Create the listener `new` describes (`201 Created`). A `priority` is not in the v1.0
    /// CSDL; listeners are an open type, so it travels in the generated type's `extra` members.
    pub async fn create_listener(&self, new: &NewListener) -> Result<V::Listener> {
        self.create(&typed(new.to_json()?)?).await
    }

    /// Create an `onTokenIssuanceStartListener` whose handler names extension `extension_id` and
    /// whose conditions include the applications `app_ids`.
    pub async fn create_token_issuance_listener(
        &self,
        extension_id: &str,
        app_ids: &[&str],
        priority: Option<u32>,
    ) -> Result<V::Listener> {
        let mut new = NewListener::new(
            ExtensionKind::TokenIssuanceStart,
            extension_id,
            app_ids.iter().copied(),
        );
        new.priority = priority;
        self.create_listener(&new).await
    }

    /// Update a listener: a real PATCH with `@odata.type` (`204 No Content`).
    pub async fn update(&self, id: &str, patch: &ListenerPatch) -> Result<()> {
        validate_id("event listener", id)?;
        let body = patch.to_body()?;
        self.graph
            .send_json(
                reqwest::Method::PATCH,
                &["identity", "authenticationEventListeners", id],
                &body,
            )
            .await?;
        Ok(())
    }

    /// Delete a listener (`204 No Content`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_id("event listener", id)?;
        call(
            self.graph.transport(),
            V::delete_event_listener(self.graph.generated(), id),
        )
        .await
    }
}

impl<V: Extensibility> EventListeners<V> {
    /// The request [`create_listener`](Self::create_listener) would send, checked the same way.
    pub fn preview_create_listener(&self, new: &NewListener) -> Result<RequestPreview> {
        Ok(RequestPreview::new(
            reqwest::Method::POST,
            self.graph
                .entity_url(&["identity", "authenticationEventListeners"]),
            Some(new.to_json()?),
        ))
    }

    /// The request [`delete`](Self::delete) would send.
    pub fn preview_delete(&self, id: &str) -> Result<RequestPreview> {
        validate_id("event listener", id)?;
        Ok(RequestPreview::new(
            reqwest::Method::DELETE,
            self.graph
                .entity_url(&["identity", "authenticationEventListeners", id]),
            None,
        ))
    }
}
