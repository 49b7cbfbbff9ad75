//! Path resolution of External ID's extensibility resources: `/identity/customAuthenticationExtensions`,
//! `/identity/authenticationEventsFlows` and `/identity/authenticationEventListeners`, with every path
//! of Microsoft's conversion (`/work/shared/graph-spec/v1.0/custom-extensions.openapi.yaml`: casts,
//! `$count`, `$ref`, bound actions). Cast and action segments match with or without the
//! `microsoft.graph.` namespace (Microsoft's OpenAPI has it, the crate's conversion drops it for
//! actions), case-insensitively as every segment.

use crate::GraphVersion;
use crate::error::GraphError;

/// Which event of a flow a handler belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowEvent {
    /// `onAttributeCollectionStart`.
    Start,
    /// `onAttributeCollectionSubmit`.
    Submit,
}

impl FlowEvent {
    /// The flow's property name.
    pub fn property(self) -> &'static str {
        match self {
            FlowEvent::Start => "onAttributeCollectionStart",
            FlowEvent::Submit => "onAttributeCollectionSubmit",
        }
    }

    /// The concrete handler type.
    pub fn handler_type(self) -> &'static str {
        match self {
            FlowEvent::Start => "onAttributeCollectionStartCustomExtensionHandler",
            FlowEvent::Submit => "onAttributeCollectionSubmitCustomExtensionHandler",
        }
    }
}

/// A resolved extensibility path.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ExtRoute {
    Extensions,
    ExtensionsCount,
    Extension(String),
    ValidateById(String),
    ValidateUnsaved,
    Flows,
    FlowsCount,
    /// `/authenticationEventsFlows/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow`.
    FlowsCast,
    FlowsCastCount,
    Flow(String),
    /// `/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow`.
    FlowCast(String),
    Conditions(String),
    IncludeApps(String),
    IncludeAppsCount(String),
    IncludeApp(String, String),
    /// `…/onAttributeCollection`, with or without its cast.
    OnAttributeCollection(String),
    Attributes(String),
    AttributesCount(String),
    AttributesRef(String),
    AttributeRef(String, String),
    /// `…/onAuthenticationMethodLoadStart`, with or without its cast.
    MethodLoadStart(String),
    IdentityProviders(String),
    IdentityProvidersCount(String),
    IdentityProvidersRef(String),
    IdentityProviderRef(String, String),
    /// Beta: `…/{onAttributeCollectionStart|Submit}/microsoft.graph.{handler}/customExtension/$ref`.
    HandlerRef(String, FlowEvent),
    Listeners,
    ListenersCount,
    Listener(String),
}

/// Whether `seg` is `name`, with or without the `microsoft.graph.` namespace, ignoring case.
pub(super) fn is(seg: &str, name: &str) -> bool {
    let bare = seg
        .get(..16)
        .filter(|p| p.eq_ignore_ascii_case("microsoft.graph."))
        .map_or(seg, |_| &seg[16..]);
    bare.eq_ignore_ascii_case(name)
}

const FLOW_CAST: &str = "externalUsersSelfServiceSignUpEventsFlow";
const ATTRIBUTE_CAST: &str = "onAttributeCollectionExternalUsersSelfServiceSignUp";
const METHOD_CAST: &str = "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp";

/// Resolves `segs` (after `identity/{collection}`), or `None` when `collection` is not one of the
/// three. The canonical path is the one fault rules match.
pub(super) fn parse(
    version: GraphVersion,
    collection: &str,
    rest: &[String],
) -> Option<Result<(ExtRoute, String), GraphError>> {
    let out = if is(collection, "customAuthenticationExtensions") {
        extensions(rest)
    } else if is(collection, "authenticationEventsFlows") {
        flows(version, rest)
    } else if is(collection, "authenticationEventListeners") {
        listeners(rest)
    } else {
        return None;
    };
    Some(out.ok_or_else(|| {
        // The first segment that names nothing, or the last when the path stops early.
        GraphError::segment_not_found(rest.last().map_or(collection, String::as_str))
    }))
}

fn extensions(rest: &[String]) -> Option<(ExtRoute, String)> {
    let base = "/identity/customAuthenticationExtensions";
    let route = match rest {
        [] => ExtRoute::Extensions,
        [c] if c == "$count" => ExtRoute::ExtensionsCount,
        [a] if is(a, "validateAuthenticationConfiguration") => ExtRoute::ValidateUnsaved,
        [id] => ExtRoute::Extension(id.clone()),
        [id, a] if is(a, "validateAuthenticationConfiguration") => {
            ExtRoute::ValidateById(id.clone())
        }
        _ => return None,
    };
    let path = match &route {
        ExtRoute::Extensions => base.to_owned(),
        ExtRoute::ExtensionsCount => format!("{base}/$count"),
        ExtRoute::ValidateUnsaved => format!("{base}/validateAuthenticationConfiguration"),
        ExtRoute::Extension(id) => format!("{base}/{id}"),
        ExtRoute::ValidateById(id) => format!("{base}/{id}/validateAuthenticationConfiguration"),
        _ => unreachable!(),
    };
    Some((route, path))
}

fn listeners(rest: &[String]) -> Option<(ExtRoute, String)> {
    let base = "/identity/authenticationEventListeners";
    match rest {
        [] => Some((ExtRoute::Listeners, base.to_owned())),
        [c] if c == "$count" => Some((ExtRoute::ListenersCount, format!("{base}/$count"))),
        [id] => Some((ExtRoute::Listener(id.clone()), format!("{base}/{id}"))),
        _ => None,
    }
}

fn flows(version: GraphVersion, rest: &[String]) -> Option<(ExtRoute, String)> {
    let base = "/identity/authenticationEventsFlows";
    let route = match rest {
        [] => ExtRoute::Flows,
        [c] if c == "$count" => ExtRoute::FlowsCount,
        [cast] if is(cast, FLOW_CAST) => ExtRoute::FlowsCast,
        [cast, c] if is(cast, FLOW_CAST) && c == "$count" => ExtRoute::FlowsCastCount,
        [id, tail @ ..] => {
            // The cast to the flow's only derived type is optional everywhere below the id.
            let tail = match tail {
                [cast, more @ ..] if is(cast, FLOW_CAST) => {
                    if more.is_empty() {
                        return Some((
                            ExtRoute::FlowCast(id.clone()),
                            format!("{base}/{id}/{FLOW_CAST}"),
                        ));
                    }
                    more
                }
                other => other,
            };
            return flow_item(version, base, id, tail);
        }
    };
    let path = match &route {
        ExtRoute::Flows => base.to_owned(),
        ExtRoute::FlowsCount => format!("{base}/$count"),
        ExtRoute::FlowsCast => format!("{base}/{FLOW_CAST}"),
        _ => format!("{base}/{FLOW_CAST}/$count"),
    };
    Some((route, path))
}

fn flow_item(
    version: GraphVersion,
    base: &str,
    id: &str,
    tail: &[String],
) -> Option<(ExtRoute, String)> {
    let item = format!("{base}/{id}");
    let id = id.to_owned();
    let apps = format!("{item}/conditions/applications/includeApplications");
    let attrs = format!("{item}/onAttributeCollection/attributes");
    let idps = format!("{item}/onAuthenticationMethodLoadStart/identityProviders");
    let strip = |segs: &[String], cast: &str| -> Vec<String> {
        match segs {
            [first, more @ ..] if is(first, cast) => more.to_vec(),
            other => other.to_vec(),
        }
    };
    Some(match tail {
        [] => (ExtRoute::Flow(id), item),
        [c] if is(c, "conditions") => (ExtRoute::Conditions(id), format!("{item}/conditions")),
        [c, a, i, more @ ..]
            if is(c, "conditions") && is(a, "applications") && is(i, "includeApplications") =>
        {
            match more {
                [] => (ExtRoute::IncludeApps(id), apps),
                [n] if n == "$count" => (ExtRoute::IncludeAppsCount(id), format!("{apps}/$count")),
                [app] => (
                    ExtRoute::IncludeApp(id, app.clone()),
                    format!("{apps}/{app}"),
                ),
                _ => return None,
            }
        }
        [p, more @ ..] if is(p, "onAttributeCollection") => {
            match strip(more, ATTRIBUTE_CAST).as_slice() {
                [] => (
                    ExtRoute::OnAttributeCollection(id),
                    format!("{item}/onAttributeCollection"),
                ),
                [a] if is(a, "attributes") => (ExtRoute::Attributes(id), attrs),
                [a, n] if is(a, "attributes") && n == "$count" => {
                    (ExtRoute::AttributesCount(id), format!("{attrs}/$count"))
                }
                [a, r] if is(a, "attributes") && r == "$ref" => {
                    (ExtRoute::AttributesRef(id), format!("{attrs}/$ref"))
                }
                [a, attr, r] if is(a, "attributes") && r == "$ref" => (
                    ExtRoute::AttributeRef(id, attr.clone()),
                    format!("{attrs}/{attr}/$ref"),
                ),
                _ => return None,
            }
        }
        [p, more @ ..] if is(p, "onAuthenticationMethodLoadStart") => {
            match strip(more, METHOD_CAST).as_slice() {
                [] => (
                    ExtRoute::MethodLoadStart(id),
                    format!("{item}/onAuthenticationMethodLoadStart"),
                ),
                [a] if is(a, "identityProviders") => (ExtRoute::IdentityProviders(id), idps),
                [a, n] if is(a, "identityProviders") && n == "$count" => (
                    ExtRoute::IdentityProvidersCount(id),
                    format!("{idps}/$count"),
                ),
                [a, r] if is(a, "identityProviders") && r == "$ref" => {
                    (ExtRoute::IdentityProvidersRef(id), format!("{idps}/$ref"))
                }
                [a, idp, r] if is(a, "identityProviders") && r == "$ref" => (
                    ExtRoute::IdentityProviderRef(id, idp.clone()),
                    format!("{idps}/{idp}/$ref"),
                ),
                _ => return None,
            }
        }
        // Beta only: the Learn module's `PUT …/customExtension/$ref` (§8.3); the v1.0 CSDL's
        // `customExtension` is not Referenceable.
        [p, handler, c, r]
            if version == GraphVersion::Beta && is(c, "customExtension") && r == "$ref" =>
        {
            let event = [FlowEvent::Start, FlowEvent::Submit]
                .into_iter()
                .find(|e| is(p, e.property()) && is(handler, e.handler_type()))?;
            (
                ExtRoute::HandlerRef(id, event),
                format!("{item}/{}/customExtension/$ref", event.property()),
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(version: GraphVersion, path: &str) -> Option<ExtRoute> {
        let segs: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        parse(version, &segs[0], &segs[1..]).and_then(|r| r.ok().map(|(r, _)| r))
    }

    #[test]
    fn casts_and_namespaces_are_optional() {
        let v = GraphVersion::V1;
        assert_eq!(
            r(
                v,
                "customAuthenticationExtensions/x/microsoft.graph.validateAuthenticationConfiguration"
            ),
            Some(ExtRoute::ValidateById("x".into()))
        );
        assert_eq!(
            r(
                v,
                "customauthenticationextensions/validateAuthenticationConfiguration"
            ),
            Some(ExtRoute::ValidateUnsaved)
        );
        for p in [
            "authenticationEventsFlows/f/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes",
            "authenticationEventsFlows/f/externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/onAttributeCollectionExternalUsersSelfServiceSignUp/attributes",
            "authenticationEventsFlows/f/onAttributeCollection/attributes",
        ] {
            assert_eq!(r(v, p), Some(ExtRoute::Attributes("f".into())), "{p}");
        }
        assert_eq!(
            r(
                v,
                "authenticationEventsFlows/f/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/app/"
            ),
            Some(ExtRoute::IncludeApp("f".into(), "app".into()))
        );
        let handler_ref = "authenticationEventsFlows/f/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollectionSubmit/microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler/customExtension/$ref";
        assert_eq!(r(v, handler_ref), None, "beta only");
        assert_eq!(
            r(GraphVersion::Beta, handler_ref),
            Some(ExtRoute::HandlerRef("f".into(), FlowEvent::Submit))
        );
        assert_eq!(r(v, "authenticationEventListeners/l/x"), None);
        assert_eq!(r(v, "apiConnectors"), None);
    }
}
