//! What an external tenant has: its custom extensions, events flows and listeners, read from
//! Graph's JSON.

use serde::Serialize;
use serde_json::Value;

use crate::model::ExtensionEvent;

/// An external tenant's custom extensions, events flows and listeners.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSnapshot {
    /// Every custom authentication extension.
    pub extensions: Vec<ExtensionSnapshot>,
    /// Every events flow.
    pub events_flows: Vec<EventsFlowSnapshot>,
    /// Every event listener.
    pub listeners: Vec<ListenerSnapshot>,
}

impl ExternalSnapshot {
    /// The first extension with this display name.
    pub fn extension(&self, display_name: &str) -> Option<&ExtensionSnapshot> {
        self.extensions
            .iter()
            .find(|e| e.display_name == display_name)
    }

    /// The first events flow with this display name.
    pub fn events_flow(&self, display_name: &str) -> Option<&EventsFlowSnapshot> {
        self.events_flows
            .iter()
            .find(|f| f.display_name == display_name)
    }
}

/// A custom authentication extension as Graph returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionSnapshot {
    /// Graph's id.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// Its event; `None` for a type the file cannot describe (`onOtpSendCustomExtension`, …).
    pub event: Option<ExtensionEvent>,
    /// `endpointConfiguration.targetUrl`.
    pub target_url: Option<String>,
    /// `authenticationConfiguration.resourceId`.
    pub resource_id: Option<String>,
    /// `clientConfiguration.timeoutInMilliseconds`.
    pub timeout_in_milliseconds: Option<u32>,
    /// `clientConfiguration.maximumRetries`.
    pub maximum_retries: Option<u32>,
    /// `claimsForTokenConfiguration[].claimIdInApiResponse`.
    pub claims: Vec<String>,
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value.pointer(pointer)?.as_str().map(str::to_owned)
}

fn number(value: &Value, pointer: &str) -> Option<u32> {
    value
        .pointer(pointer)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
}

fn event_of_type(odata_type: &str) -> Option<ExtensionEvent> {
    let name = odata_type.trim_start_matches('#');
    ExtensionEvent::ALL
        .into_iter()
        .find(|e| name.eq_ignore_ascii_case(e.kind().extension_type().trim_start_matches('#')))
}

impl ExtensionSnapshot {
    /// Reads Graph's JSON of a `customAuthenticationExtension`; `None` without an id.
    pub fn from_json(value: &Value) -> Option<Self> {
        Some(Self {
            id: text(value, "/id")?,
            display_name: text(value, "/displayName").unwrap_or_default(),
            event: text(value, "/@odata.type")
                .as_deref()
                .and_then(event_of_type),
            target_url: text(value, "/endpointConfiguration/targetUrl"),
            resource_id: text(value, "/authenticationConfiguration/resourceId"),
            timeout_in_milliseconds: number(value, "/clientConfiguration/timeoutInMilliseconds"),
            maximum_retries: number(value, "/clientConfiguration/maximumRetries"),
            claims: value
                .get("claimsForTokenConfiguration")
                .and_then(Value::as_array)
                .map(|claims| {
                    claims
                        .iter()
                        .filter_map(|c| text(c, "/claimIdInApiResponse"))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// An events flow as Graph returns it, with its applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsFlowSnapshot {
    /// Graph's id.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `conditions.applications.includeApplications[].appId`.
    pub include_applications: Vec<String>,
    /// The id of the extension the `onAttributeCollectionStart` handler names.
    pub on_attribute_collection_start: Option<String>,
    /// The id of the extension the `onAttributeCollectionSubmit` handler names.
    pub on_attribute_collection_submit: Option<String>,
    /// The ids of the attributes it collects (`onAttributeCollection.attributes`).
    pub attributes: Vec<String>,
}

impl EventsFlowSnapshot {
    /// Reads Graph's JSON of an `authenticationEventsFlow`, its applications and the ids of its
    /// attributes; `None` without an id.
    pub fn from_json(
        value: &Value,
        include_applications: Vec<String>,
        attributes: Vec<String>,
    ) -> Option<Self> {
        Some(Self {
            id: text(value, "/id")?,
            display_name: text(value, "/displayName").unwrap_or_default(),
            include_applications,
            on_attribute_collection_start: text(
                value,
                "/onAttributeCollectionStart/customExtension/id",
            ),
            on_attribute_collection_submit: text(
                value,
                "/onAttributeCollectionSubmit/customExtension/id",
            ),
            attributes,
        })
    }

    /// The extension id of the handler of `event`.
    pub fn handler(&self, event: ExtensionEvent) -> Option<&str> {
        match event {
            ExtensionEvent::OnAttributeCollectionStart => {
                self.on_attribute_collection_start.as_deref()
            }
            ExtensionEvent::OnAttributeCollectionSubmit => {
                self.on_attribute_collection_submit.as_deref()
            }
            ExtensionEvent::OnTokenIssuanceStart => None,
        }
    }
}

/// An event listener as Graph returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSnapshot {
    /// Graph's id.
    pub id: String,
    /// Whether it is an `onTokenIssuanceStartListener` (the only kind the file describes).
    pub token_issuance: bool,
    /// `authenticationEventsFlowId`: set on the listeners that stand for an events flow's handlers
    /// (managed through the flow, never on their own).
    pub authentication_events_flow_id: Option<String>,
    /// The id of the extension its handler names.
    pub extension_id: Option<String>,
    /// `conditions.applications.includeApplications[].appId`.
    pub include_applications: Vec<String>,
}

impl ListenerSnapshot {
    /// Whether the file's `tokenIssuanceListeners` describe it: a token issuance listener of its
    /// own, not one standing for an events flow's handler.
    pub fn is_managed(&self) -> bool {
        self.token_issuance && self.authentication_events_flow_id.is_none()
    }

    /// Reads Graph's JSON of an `authenticationEventListener`; `None` without an id.
    pub fn from_json(value: &Value) -> Option<Self> {
        let token_issuance = text(value, "/@odata.type").is_some_and(|t| {
            t.trim_start_matches('#')
                .eq_ignore_ascii_case("microsoft.graph.onTokenIssuanceStartListener")
        });
        Some(Self {
            id: text(value, "/id")?,
            token_issuance,
            authentication_events_flow_id: text(value, "/authenticationEventsFlowId"),
            extension_id: text(value, "/handler/customExtension/id"),
            include_applications: app_ids(
                value.pointer("/conditions/applications/includeApplications"),
            ),
        })
    }
}

/// The `appId`s of an `includeApplications` array.
pub(crate) fn app_ids(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|apps| apps.iter().filter_map(|a| text(a, "/appId")).collect())
        .unwrap_or_default()
}
