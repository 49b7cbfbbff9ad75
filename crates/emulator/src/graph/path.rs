//! Path resolution: which resource a Graph path names. Segments match case-insensitively, as Graph
//! resolves them; `b2cUserFlows` exists in beta only, and `preTokenIssuance` is a beta step
//! (`docs/graph-behaviour.md` §6).

use super::extensibility_path::{self, ExtRoute};
use crate::GraphVersion;
use crate::error::GraphError;
use crate::state::{FlowFamily, Step};

/// What a request is about once its path is resolved.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Route {
    /// `/organization`, or `/organization/{id}`.
    Organization(Option<String>),
    Connectors,
    Connector(String),
    Upload(String),
    Flows(FlowFamily),
    Flow(FlowFamily, String),
    Config(FlowFamily, String),
    StepNav(FlowFamily, String, Step),
    StepRef(FlowFamily, String, Step),
    /// Custom authentication extensions, events flows and listeners.
    Ext(ExtRoute),
}

/// Graph compares path segments case-insensitively.
pub(super) fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Resolves the segments after the version into a [`Route`] and the canonical path (the one fault
/// rules match), or Graph's error for the first segment that names nothing.
pub(super) fn parse_route(
    version: GraphVersion,
    segs: &[String],
) -> Result<(Route, String), GraphError> {
    let seg = |i: usize| segs.get(i).map(String::as_str);
    let nf = |i: usize| GraphError::segment_not_found(seg(i).unwrap_or(""));
    if seg(0).is_some_and(|s| eq(s, "organization")) {
        return match segs.len() {
            1 => Ok((Route::Organization(None), "/organization".to_owned())),
            2 => Ok((
                Route::Organization(Some(segs[1].clone())),
                format!("/organization/{}", segs[1]),
            )),
            _ => Err(nf(2)),
        };
    }
    if !seg(0).is_some_and(|s| eq(s, "identity")) {
        return Err(nf(0));
    }
    let Some(collection) = seg(1) else {
        return Err(GraphError::method_not_allowed());
    };
    if let Some(resolved) = extensibility_path::parse(version, collection, &segs[2..]) {
        return resolved.map(|(route, path)| (Route::Ext(route), path));
    }
    if eq(collection, "apiConnectors") {
        let route = match segs.len() {
            2 => Route::Connectors,
            3 => Route::Connector(segs[2].clone()),
            4 if eq(
                segs[3].trim_start_matches("microsoft.graph."),
                "uploadClientCertificate",
            ) =>
            {
                Route::Upload(segs[2].clone())
            }
            n if n > 4
                && eq(
                    segs[3].trim_start_matches("microsoft.graph."),
                    "uploadClientCertificate",
                ) =>
            {
                return Err(nf(4));
            }
            _ => return Err(nf(3)),
        };
        let path = match &route {
            Route::Connectors => "/identity/apiConnectors".to_owned(),
            Route::Connector(id) => format!("/identity/apiConnectors/{id}"),
            Route::Upload(id) => format!("/identity/apiConnectors/{id}/uploadClientCertificate"),
            _ => unreachable!(),
        };
        return Ok((route, path));
    }
    let family = if eq(collection, "b2xUserFlows") {
        FlowFamily::B2x
    } else if eq(collection, "b2cUserFlows") && version == GraphVersion::Beta {
        FlowFamily::B2c
    } else {
        return Err(nf(1));
    };
    let base = format!("/identity/{}", family.segment());
    let Some(id) = seg(2) else {
        return Ok((Route::Flows(family), base));
    };
    let id = id.to_owned();
    let Some(config) = seg(3) else {
        return Ok((Route::Flow(family, id.clone()), format!("{base}/{id}")));
    };
    if !eq(config, "apiConnectorConfiguration") {
        return Err(nf(3));
    }
    let config_path = format!("{base}/{id}/apiConnectorConfiguration");
    let Some(step_name) = seg(4) else {
        return Ok((Route::Config(family, id), config_path));
    };
    let step = Step::parse(step_name)
        .filter(|s| version == GraphVersion::Beta || *s != Step::PreTokenIssuance)
        .ok_or_else(|| nf(4))?;
    let step_path = format!("{config_path}/{}", step.name());
    match (seg(5), segs.len()) {
        (None, _) => Ok((Route::StepNav(family, id, step), step_path)),
        (Some("$ref"), 6) => Ok((
            Route::StepRef(family, id, step),
            format!("{step_path}/$ref"),
        )),
        _ => Err(nf(5)),
    }
}

/// A percent-decoded path segment.
pub(super) fn decode_segment(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn routes_resolve_case_insensitively_and_per_version() {
        let r = |v, p| parse_route(v, &segs(p)).map(|(r, _)| r);
        assert_eq!(
            r(GraphVersion::V1, "identity/apiconnectors").unwrap(),
            Route::Connectors
        );
        assert_eq!(
            r(
                GraphVersion::Beta,
                "identity/apiConnectors/x/microsoft.graph.uploadClientCertificate"
            )
            .unwrap(),
            Route::Upload("x".into())
        );
        assert!(r(GraphVersion::V1, "identity/b2cUserFlows").is_err());
        assert_eq!(
            r(GraphVersion::Beta, "identity/b2cUserFlows").unwrap(),
            Route::Flows(FlowFamily::B2c)
        );
        assert!(
            r(
                GraphVersion::V1,
                "identity/b2xUserFlows/f/apiConnectorConfiguration/preTokenIssuance/$ref"
            )
            .is_err()
        );
        assert_eq!(
            r(
                GraphVersion::Beta,
                "identity/b2xUserFlows/f/apiConnectorConfiguration/PreTokenIssuance/$ref"
            )
            .unwrap(),
            Route::StepRef(FlowFamily::B2x, "f".into(), Step::PreTokenIssuance)
        );
        assert_eq!(
            r(GraphVersion::V1, "Organization").unwrap(),
            Route::Organization(None)
        );
        assert_eq!(
            parse_route(GraphVersion::Beta, &segs("organization/abc")).unwrap(),
            (
                Route::Organization(Some("abc".into())),
                "/organization/abc".to_owned()
            )
        );
        assert!(r(GraphVersion::V1, "organization/abc/branding").is_err());
        let e = r(GraphVersion::Beta, "identity/apiConnectors/x/nope").unwrap_err();
        assert_eq!(e.message, "Resource not found for the segment 'nope'.");
    }
}
