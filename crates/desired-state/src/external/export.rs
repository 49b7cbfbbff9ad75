//! An external tenant's custom extensions, events flows and token issuance listeners
//! ([`ExternalSnapshot`]) written as the file's External ID sections, so that
//! [`plan_external`](super::plan_external) of the exported file against the same tenant has no
//! actions. What the sections cannot hold is left out with its reason, never silently:
//! - an extension of a type the file does not describe (`onOtpSendCustomExtension`, …), without a
//!   target URL or a `resourceId`, or with the display name of another (the first in Graph's order,
//!   the one plan matches, is the one written);
//! - an events flow with the display name of another, or whose handler calls an extension that is
//!   not exported (writing it without that handler would make plan detach it);
//! - a token issuance listener without applications, calling an extension that is not exported,
//!   or calling the same extension as another (plan matches listeners by their extension);
//! - anything the file's validation refuses (an empty display name, a target URL that is not
//!   `https`, a `resourceId` not of the form `api://{host}/{appId}` with the target URL's host, a
//!   timeout or retry count out of bounds), so the exported file always loads.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use indexmap::IndexMap;

use super::snapshot::{EventsFlowSnapshot, ExtensionSnapshot, ExternalSnapshot, ListenerSnapshot};
use super::tenant::ExternalTenant;
use crate::error::Quoted;
use crate::export::{Exported, export_tenant};
use crate::model::{
    Cloud, Configuration, CustomExtension, EventsFlow, ExtensionEvent, TokenIssuanceListener,
};
use crate::steps::ApiVersion;
use crate::tenant::Tenant;
use crate::tenant_check::TenantError;
use crate::validate::extension_problems;

/// The External ID sections of an exported file, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalExport {
    /// `customAuthenticationExtensions`, by display name.
    pub custom_authentication_extensions: IndexMap<String, CustomExtension>,
    /// `eventsFlows`, by display name.
    pub events_flows: IndexMap<String, EventsFlow>,
    /// `tokenIssuanceListeners`, each named `"{extension} listener"`.
    pub token_issuance_listeners: IndexMap<String, TokenIssuanceListener>,
    /// What was left out, and why.
    pub skipped: Vec<String>,
}

impl ExternalExport {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.custom_authentication_extensions.is_empty()
            && self.events_flows.is_empty()
            && self.token_issuance_listeners.is_empty()
    }
}

fn extension(e: &ExtensionSnapshot) -> Result<CustomExtension, String> {
    let what = || format!("custom extension {} (id {})", Quoted(&e.display_name), e.id);
    let event = e
        .event
        .ok_or_else(|| format!("{} is of a type the file cannot describe", what()))?;
    let target_url = e
        .target_url
        .clone()
        .ok_or_else(|| format!("{} has no target URL", what()))?;
    let resource_id = e.resource_id.clone().ok_or_else(|| {
        format!(
            "{} does not authenticate with azureAdTokenAuthentication (no resourceId)",
            what()
        )
    })?;
    // What the file's validation would refuse is left out, so the export always loads.
    if e.display_name.trim().is_empty() {
        return Err(format!("{} has an empty display name", what()));
    }
    let extension = CustomExtension {
        event,
        target_url,
        resource_id,
        timeout_in_milliseconds: e.timeout_in_milliseconds,
        maximum_retries: e.maximum_retries,
        claims: if event == ExtensionEvent::OnTokenIssuanceStart {
            e.claims.clone()
        } else {
            Vec::new()
        },
    };
    match extension_problems(&extension).into_iter().next() {
        Some(problem) => Err(format!("{}: {}", what(), problem.kind)),
        None => Ok(extension),
    }
}

/// The sections for `snapshot`, in the order of display name. Of two extensions or flows with one
/// display name, or two listeners calling one extension, the first in `snapshot` (the one plan
/// matches) is the one written, or left out with its reason; the other is left out as a duplicate.
pub fn export_external(snapshot: &ExternalSnapshot) -> ExternalExport {
    let mut out = ExternalExport::default();

    // Per display name, the extension plan matches (`ExternalSnapshot::extension`: the first in
    // Graph's order) is the one written; a twin is a duplicate even when that one is left out.
    let mut by_name: BTreeMap<&str, &ExtensionSnapshot> = BTreeMap::new();
    for e in &snapshot.extensions {
        if by_name.contains_key(e.display_name.as_str()) {
            out.skipped.push(format!(
                "custom extension {} (id {}) has the display name of another; display names must be unique",
                Quoted(&e.display_name),
                e.id
            ));
        } else {
            by_name.insert(&e.display_name, e);
        }
    }
    // Graph id → display name, of the exported extensions.
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, e) in by_name {
        match extension(e) {
            Ok(x) => {
                names.insert(&e.id, name);
                out.custom_authentication_extensions
                    .insert(name.to_owned(), x);
            }
            Err(reason) => out.skipped.push(reason),
        }
    }

    // Events flows the same way (`ExternalSnapshot::events_flow`).
    let mut flows_by_name: BTreeMap<&str, &EventsFlowSnapshot> = BTreeMap::new();
    for f in &snapshot.events_flows {
        if flows_by_name.contains_key(f.display_name.as_str()) {
            out.skipped.push(format!(
                "events flow {} (id {}) has the display name of another; display names must be unique",
                Quoted(&f.display_name),
                f.id
            ));
        } else {
            flows_by_name.insert(&f.display_name, f);
        }
    }
    'flows: for (name, f) in flows_by_name {
        let what = format!("events flow {} (id {})", Quoted(name), f.id);
        if name.trim().is_empty() {
            out.skipped
                .push(format!("{what} has an empty display name"));
            continue;
        }
        let handler = |event: ExtensionEvent| -> Result<Option<String>, String> {
            match f.handler(event) {
                None => Ok(None),
                Some(id) => match names.get(id) {
                    Some(name) => Ok(Some((*name).to_owned())),
                    None => Err(format!(
                        "{what}: its {event} handler calls extension {id}, which is not exported"
                    )),
                },
            }
        };
        let mut flow = EventsFlow {
            include_applications: f.include_applications.clone(),
            attributes: f.attributes.clone(),
            ..EventsFlow::default()
        };
        for event in [
            ExtensionEvent::OnAttributeCollectionStart,
            ExtensionEvent::OnAttributeCollectionSubmit,
        ] {
            let handler_name = match handler(event) {
                Ok(handler_name) => handler_name,
                Err(reason) => {
                    out.skipped.push(reason);
                    continue 'flows;
                }
            };
            match event {
                ExtensionEvent::OnAttributeCollectionStart => {
                    flow.on_attribute_collection_start = handler_name;
                }
                _ => flow.on_attribute_collection_submit = handler_name,
            }
        }
        out.events_flows.insert(name.to_owned(), flow);
    }

    // Listeners: per extension, the one plan matches (the first managed listener calling it, in
    // Graph's order); another calling the same extension is left out even when that one is.
    let mut by_extension: BTreeMap<&str, &ListenerSnapshot> = BTreeMap::new();
    for l in snapshot.listeners.iter().filter(|l| l.is_managed()) {
        let Some(extension) = l.extension_id.as_deref().and_then(|id| names.get(id)) else {
            out.skipped.push(format!(
                "token issuance listener {} calls an extension that is not exported",
                l.id
            ));
            continue;
        };
        if by_extension.contains_key(extension) {
            out.skipped.push(format!(
                "token issuance listener {} calls {} like another listener; the file matches listeners by their extension",
                l.id,
                Quoted(extension)
            ));
        } else {
            by_extension.insert(extension, l);
        }
    }
    for (extension, l) in by_extension {
        if l.include_applications.is_empty() {
            out.skipped.push(format!(
                "token issuance listener {} has no application; the file needs at least one",
                l.id
            ));
            continue;
        }
        out.token_issuance_listeners.insert(
            format!("{extension} listener"),
            TokenIssuanceListener {
                include_applications: l.include_applications.clone(),
                extension: extension.to_owned(),
            },
        );
    }
    out
}

/// Appends `part` to an exported file: its sections after the connectors and user flows, and what
/// it left out as comments (and in [`Exported::skipped`]).
pub fn append_external(exported: &mut Exported, part: &ExternalExport) {
    let sections = Configuration {
        schema: None,
        tenant: String::new(),
        cloud: Cloud::default(),
        api_version: ApiVersion::V1,
        prune: false,
        connectors: IndexMap::new(),
        user_flows: IndexMap::new(),
        custom_authentication_extensions: part.custom_authentication_extensions.clone(),
        events_flows: part.events_flows.clone(),
        token_issuance_listeners: part.token_issuance_listeners.clone(),
    };
    crate::write::external_sections(&sections, &mut exported.text);
    if !part.skipped.is_empty() {
        exported.text.push_str("# Left out (External ID):\n");
        for reason in &part.skipped {
            let _ = writeln!(exported.text, "# - {reason}");
        }
        exported.skipped.extend(part.skipped.iter().cloned());
    }
}

/// [`export_tenant`], and for an External ID external tenant (`tenantType` `CIAM`) its custom
/// extensions, events flows and token issuance listeners too (one more `GET /organization`, then
/// [`ExternalTenant::read_external`]).
pub async fn export_tenant_with_external<T: Tenant + ExternalTenant>(
    tenant: &T,
    schema: Option<String>,
    concurrency: usize,
) -> Result<Exported, TenantError> {
    let mut exported = export_tenant(tenant, schema, concurrency).await?;
    if tenant.api_version() != ApiVersion::V1 {
        return Ok(exported);
    }
    let organization = tenant.organization().await?;
    if organization.tenant_type.is_none() {
        // `User.Read` alone reads the organization without its tenantType.
        let reason = "the tenant's type is not readable (tenantType is null), so its custom extensions, events flows and listeners were not read; Organization.Read.All shows it".to_owned();
        let _ = writeln!(exported.text, "# Left out (External ID):\n# - {reason}");
        exported.skipped.push(reason);
        return Ok(exported);
    }
    if !organization.is_external() {
        return Ok(exported);
    }
    let snapshot = tenant.read_external().await?;
    append_external(&mut exported, &export_external(&snapshot));
    Ok(exported)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(id: &str, name: &str, event: Option<ExtensionEvent>) -> ExtensionSnapshot {
        ExtensionSnapshot {
            id: id.into(),
            display_name: name.into(),
            event,
            target_url: Some("https://api.contoso.com/x".into()),
            resource_id: Some("api://api.contoso.com/11111111-2222-3333-4444-555555555555".into()),
            timeout_in_milliseconds: None,
            maximum_retries: None,
            claims: vec!["tier".into()],
        }
    }

    fn listener(id: &str, extension: &str) -> ListenerSnapshot {
        ListenerSnapshot {
            id: id.into(),
            token_issuance: true,
            authentication_events_flow_id: None,
            extension_id: Some(extension.into()),
            include_applications: vec!["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into()],
        }
    }

    #[test]
    fn what_the_sections_cannot_hold_is_left_out_with_its_reason() {
        let submit = Some(ExtensionEvent::OnAttributeCollectionSubmit);
        let token = Some(ExtensionEvent::OnTokenIssuanceStart);
        let mut no_resource = ext("e4", "Basic", submit);
        no_resource.resource_id = None;
        let mut short_resource = ext("e6", "Short", submit);
        short_resource.resource_id = Some("api://11111111-2222-3333-4444-555555555555".into());
        let mut http = ext("e7", "Plain", submit);
        http.target_url = Some("http://api.contoso.com/x".into());
        let mut slow = ext("e8", "Slow", submit);
        slow.timeout_in_milliseconds = Some(5000);
        let snapshot = ExternalSnapshot {
            extensions: vec![
                ext("e2", "Validate", submit),
                ext("e1", "Validate", submit),
                ext("e3", "OTP", None),
                no_resource,
                ext("e5", "Claims", token),
                short_resource,
                http,
                slow,
            ],
            events_flows: vec![
                EventsFlowSnapshot {
                    id: "f1".into(),
                    display_name: "Sign up".into(),
                    include_applications: vec![],
                    on_attribute_collection_start: None,
                    on_attribute_collection_submit: Some("e2".into()),
                    attributes: vec!["email".into()],
                },
                EventsFlowSnapshot {
                    id: "f2".into(),
                    display_name: "Partners".into(),
                    include_applications: vec![],
                    on_attribute_collection_start: Some("e3".into()),
                    on_attribute_collection_submit: None,
                    attributes: vec![],
                },
            ],
            listeners: vec![
                listener("l1", "e5"),
                listener("l2", "e5"),
                ListenerSnapshot {
                    include_applications: vec![],
                    ..listener("l0", "e5")
                },
                listener("l3", "e3"),
                // A flow's handler: described by the flow, not exported as a listener.
                ListenerSnapshot {
                    authentication_events_flow_id: Some("f1".into()),
                    ..listener("l4", "e1")
                },
            ],
        };
        let out = export_external(&snapshot);
        assert_eq!(
            out.custom_authentication_extensions
                .keys()
                .collect::<Vec<_>>(),
            ["Claims", "Validate"]
        );
        // Claims are kept for token issuance only.
        assert_eq!(
            out.custom_authentication_extensions["Claims"].claims,
            ["tier"]
        );
        assert!(
            out.custom_authentication_extensions["Validate"]
                .claims
                .is_empty()
        );
        assert_eq!(
            out.events_flows["Sign up"]
                .on_attribute_collection_submit
                .as_deref(),
            Some("Validate")
        );
        assert_eq!(out.events_flows["Sign up"].attributes, ["email"]);
        assert!(!out.events_flows.contains_key("Partners"));
        assert_eq!(
            out.token_issuance_listeners.keys().collect::<Vec<_>>(),
            ["Claims listener"]
        );
        assert_eq!(
            out.skipped,
            [
                "custom extension \"Validate\" (id e1) has the display name of another; display names must be unique",
                "custom extension \"Basic\" (id e4) does not authenticate with azureAdTokenAuthentication (no resourceId)",
                "custom extension \"OTP\" (id e3) is of a type the file cannot describe",
                "custom extension \"Plain\" (id e7): targetUrl http://api.contoso.com/x uses http; Graph calls API connectors over https only",
                "custom extension \"Short\" (id e6): resourceId is not of the form api://{fully qualified domain name}/{appId} (IncorrectResourceIdFormat)",
                "custom extension \"Slow\" (id e8): timeoutInMilliseconds 5000 is outside 200..=2000",
                "events flow \"Partners\" (id f2): its onAttributeCollectionStart handler calls extension e3, which is not exported",
                "token issuance listener l2 calls \"Claims\" like another listener; the file matches listeners by their extension",
                "token issuance listener l0 calls \"Claims\" like another listener; the file matches listeners by their extension",
                "token issuance listener l3 calls an extension that is not exported",
            ]
        );
        // What is written loads and validates.
        let mut exported = Exported {
            text: "tenant: contosoexternal.onmicrosoft.com\napiVersion: v1.0\n".into(),
            variables: vec![],
            certificates: vec![],
            skipped: vec![],
        };
        append_external(&mut exported, &out);
        let file =
            crate::ConfigFile::parse(&exported.text, crate::Format::Yaml, None, ".").unwrap();
        let state = crate::validate(&file, &crate::FixedEnvironment::new(0))
            .unwrap_or_else(|e| panic!("{e}\n{}", exported.text));
        assert_eq!(state.custom_extensions.len(), 2);
        assert_eq!(exported.skipped.len(), 10);
        assert!(exported.text.contains("# Left out (External ID):\n"));
    }

    /// The object written for a name (or an extension) is the one plan matches: the first in
    /// Graph's order. When that one cannot be written, its twin is not written in its place.
    #[test]
    fn the_twin_plan_matches_is_the_one_written_or_left_out() {
        let submit = Some(ExtensionEvent::OnAttributeCollectionSubmit);
        let mut plain = ext("e9", "Dup", submit);
        plain.target_url = Some("http://api.contoso.com/x".into());
        let snapshot = ExternalSnapshot {
            extensions: vec![
                plain,
                ext("e1", "Dup", submit),
                ext("t1", "Tok", Some(ExtensionEvent::OnTokenIssuanceStart)),
            ],
            events_flows: vec![
                EventsFlowSnapshot {
                    id: "f9".into(),
                    display_name: "Sign up".into(),
                    include_applications: vec![],
                    on_attribute_collection_start: None,
                    on_attribute_collection_submit: Some("e9".into()),
                    attributes: vec![],
                },
                EventsFlowSnapshot {
                    id: "f1".into(),
                    display_name: "Sign up".into(),
                    include_applications: vec![],
                    on_attribute_collection_start: None,
                    on_attribute_collection_submit: Some("e1".into()),
                    attributes: vec![],
                },
            ],
            listeners: vec![
                ListenerSnapshot {
                    include_applications: vec![],
                    ..listener("lA", "t1")
                },
                listener("lB", "t1"),
            ],
        };
        let out = export_external(&snapshot);
        assert_eq!(
            out.custom_authentication_extensions
                .keys()
                .collect::<Vec<_>>(),
            ["Tok"]
        );
        assert!(out.events_flows.is_empty(), "{:?}", out.events_flows);
        assert!(out.token_issuance_listeners.is_empty());
        assert_eq!(
            out.skipped,
            [
                "custom extension \"Dup\" (id e1) has the display name of another; display names must be unique",
                "custom extension \"Dup\" (id e9): targetUrl http://api.contoso.com/x uses http; Graph calls API connectors over https only",
                "events flow \"Sign up\" (id f1) has the display name of another; display names must be unique",
                "events flow \"Sign up\" (id f9): its onAttributeCollectionSubmit handler calls extension e9, which is not exported",
                "token issuance listener lB calls \"Tok\" like another listener; the file matches listeners by their extension",
                "token issuance listener lA has no application; the file needs at least one",
            ]
        );
        // The exported sections plan no change against the same tenant.
        let mut exported = Exported {
            text: "tenant: contosoexternal.onmicrosoft.com\napiVersion: v1.0\n".into(),
            variables: vec![],
            certificates: vec![],
            skipped: vec![],
        };
        append_external(&mut exported, &out);
        let file =
            crate::ConfigFile::parse(&exported.text, crate::Format::Yaml, None, ".").unwrap();
        let state = crate::validate(&file, &crate::FixedEnvironment::new(0)).unwrap();
        let plan = crate::external::plan_external(&state, &snapshot);
        assert!(plan.is_empty(), "{plan}");
    }
}
