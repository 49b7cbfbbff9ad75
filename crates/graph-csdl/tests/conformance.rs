//! The OpenAPI derived from our CSDL specs against Microsoft's own conversion of the same Graph slice
//! (`tests/data/microsoft-openapi/`, see its README).
//!
//! Every path and method of Microsoft's fragment must be in the derived document after normalisation
//! (path parameter names such as `{identityApiConnector-id}` become `{id}`; the `microsoft.graph.` prefix of
//! an action segment is dropped, as `openapi.yaml` itself does with `NamespacePrefixToStripForInMethodPaths`),
//! and the derived document must have nothing more in the same scope, except the deliberate differences
//! listed below with their reasons. A listed difference that disappears fails the test as well, so the list
//! stays true.

use std::collections::BTreeSet;

use graph_csdl::openapi::{Options, convert};
use graph_csdl::parse;
use serde_json::Value;

#[path = "support/openapi_paths.rs"]
mod openapi_paths;

use openapi_paths::{microsoft, normalise, panic_text};

/// The operations of `doc` within [`SCOPE`].
fn operations(doc: &Value) -> BTreeSet<String> {
    openapi_paths::operations(doc, SCOPE)
}

fn in_scope(path: &str) -> bool {
    openapi_paths::in_scope(SCOPE, path)
}

const MS_BETA: &str = include_str!("data/microsoft-openapi/beta.fragment.openapi.yaml");
const MS_V1: &str = include_str!("data/microsoft-openapi/v1.0.fragment.openapi.yaml");
const SPEC_BETA: &str = include_str!("../../../spec/beta/identity.csdl.xml");
const SPEC_V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");

/// Paths the comparison covers: what Microsoft's fragments hold (every path of their source under these
/// prefixes), plus the b2c counterpart of the configuration prefix, which the source lacks entirely.
const SCOPE: &[&str] = &[
    "/identity/apiConnectors",
    "/identity/b2xUserFlows/{id}/apiConnectorConfiguration",
    "/identity/b2cUserFlows/{id}/apiConnectorConfiguration",
];

/// Operations of Microsoft's conversion that this crate does not expose.
const NOT_EXPOSED: &[(&str, &str)] = &[
    (
        "GET /identity/apiConnectors/$count",
        "`$count=true` on the list gives `@odata.count` in the same round trip; a text/plain count endpoint adds nothing",
    ),
    (
        "GET /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}/$ref",
        "no Graph reference page documents it; the bound connector is read with `$expand` on apiConnectorConfiguration",
    ),
    (
        "DELETE /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}/$ref",
        "the documented unbind is `PUT .../$ref` with `{}` (docs/graph-behaviour.md, section 2)",
    ),
    (
        "GET /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}",
        "containment read of a step's connector: undocumented; `$expand` on apiConnectorConfiguration returns it",
    ),
    (
        "PATCH /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}",
        "containment update of a step's connector: undocumented; connectors are updated at /identity/apiConnectors/{id}",
    ),
    (
        "DELETE /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}",
        "containment delete of a step's connector: undocumented; unbind with `PUT $ref {}` or delete the connector itself",
    ),
    (
        "POST /identity/b2xUserFlows/{id}/apiConnectorConfiguration/{step}/uploadClientCertificate",
        "step-level upload: undocumented; upload at /identity/apiConnectors/{id}/uploadClientCertificate",
    ),
];

/// Operations this crate adds that Microsoft's conversion lacks.
const ADDED: &[(&str, &str)] = &[
    (
        "GET /identity/b2cUserFlows/{id}/apiConnectorConfiguration",
        "beta CSDL gives b2cIdentityUserFlow the same apiConnectorConfiguration as b2x, and the beta reference pages \
         document it; Microsoft's conversion emits complex-property paths only for targets with Read/UpdateRestrictions",
    ),
    (
        "PUT /identity/b2cUserFlows/{id}/apiConnectorConfiguration/{step}/$ref",
        "documented on the beta page `b2cidentityuserflow-put-apiconnectorconfiguration`; derived from the \
         Referenceable navigation properties in the CSDL",
    ),
];

/// The steps `{step}` stands for: the Referenceable navigation properties of userFlowApiConnectorConfiguration,
/// and beta's `preTokenIssuance`, which Microsoft's conversion gives containment paths but no `$ref`.
fn steps(version: &str) -> Vec<&'static str> {
    let mut steps = vec!["postAttributeCollection", "postFederationSignup"];
    if version == "beta" {
        steps.push("preTokenIssuance");
    }
    steps
}

/// The listed operations with `{step}` expanded.
fn expand(list: &[(&str, &str)], version: &str, b2c: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (op, _reason) in list {
        if op.contains("b2cUserFlows") && !b2c {
            continue;
        }
        if op.contains("{step}") {
            let referenceable = op.ends_with("/$ref");
            for step in steps(version) {
                if referenceable && step == "preTokenIssuance" {
                    continue;
                }
                out.insert(op.replace("{step}", step));
            }
        } else {
            out.insert(op.to_string());
        }
    }
    out
}

fn derived(spec: &str, version: &str) -> Value {
    convert(&parse(spec).unwrap(), &Options::new(version))
        .unwrap()
        .json
}

fn check(ms_yaml: &str, spec: &str, version: &str, b2c: bool) {
    let ms = operations(&microsoft(ms_yaml));
    let ours = operations(&derived(spec, version));
    let not_exposed = expand(NOT_EXPOSED, version, b2c);
    let added = expand(ADDED, version, b2c);

    let missing: BTreeSet<&String> = ms.difference(&ours).collect();
    let extra: BTreeSet<&String> = ours.difference(&ms).collect();
    let unlisted_missing: Vec<&&String> = missing
        .iter()
        .filter(|op| !not_exposed.contains(**op))
        .collect();
    let unlisted_extra: Vec<&&String> = extra.iter().filter(|op| !added.contains(**op)).collect();
    let stale_not_exposed: Vec<&String> = not_exposed
        .iter()
        .filter(|op| !missing.contains(op))
        .collect();
    let stale_added: Vec<&String> = added.iter().filter(|op| !extra.contains(op)).collect();
    assert!(
        unlisted_missing.is_empty()
            && unlisted_extra.is_empty()
            && stale_not_exposed.is_empty()
            && stale_added.is_empty(),
        "{version}:\n  in Microsoft's OpenAPI only, not listed: {unlisted_missing:#?}\n  \
         derived only, not listed: {unlisted_extra:#?}\n  listed as not exposed but present or not in Microsoft's: \
         {stale_not_exposed:#?}\n  listed as added but absent or also in Microsoft's: {stale_added:#?}"
    );
    // what both have: the core of the API
    let common: BTreeSet<&String> = ms.intersection(&ours).collect();
    for op in [
        "GET /identity/apiConnectors",
        "POST /identity/apiConnectors",
        "GET /identity/apiConnectors/{id}",
        "PATCH /identity/apiConnectors/{id}",
        "DELETE /identity/apiConnectors/{id}",
        "POST /identity/apiConnectors/{id}/uploadClientCertificate",
        "GET /identity/b2xUserFlows/{id}/apiConnectorConfiguration",
        "PUT /identity/b2xUserFlows/{id}/apiConnectorConfiguration/postAttributeCollection/$ref",
        "PUT /identity/b2xUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref",
    ] {
        assert!(
            common.contains(&op.to_string()),
            "{version}: {op} is not in both documents"
        );
    }
}

#[test]
fn beta_matches_microsofts_conversion_except_listed_differences() {
    check(MS_BETA, SPEC_BETA, "beta", true);
}

#[test]
fn v1_matches_microsofts_conversion_except_listed_differences() {
    check(MS_V1, SPEC_V1, "v1.0", false);
}

#[test]
fn microsoft_fragments_have_the_expected_shape() {
    // guards against reading an empty or wrongly parsed document, which would make the comparison vacuous
    let beta = operations(&microsoft(MS_BETA));
    let v1 = operations(&microsoft(MS_V1));
    assert_eq!(beta.len(), 26, "{beta:#?}");
    assert_eq!(v1.len(), 22, "{v1:#?}");
    assert!(beta.contains("POST /identity/b2xUserFlows/{id}/apiConnectorConfiguration/preTokenIssuance/uploadClientCertificate"));
    assert!(!beta.iter().any(|op| op.contains("preTokenIssuance/$ref")));
    assert!(!beta.iter().chain(&v1).any(|op| op.contains("b2cUserFlows")));
    let raw = microsoft(MS_BETA);
    assert!(raw["paths"].as_object().unwrap().contains_key(
        "/identity/apiConnectors/{identityApiConnector-id}/microsoft.graph.uploadClientCertificate"
    ));
}

#[test]
fn normalisation() {
    assert_eq!(
        normalise(
            "/identity/apiConnectors/{identityApiConnector-id}/microsoft.graph.uploadClientCertificate"
        ),
        "/identity/apiConnectors/{id}/uploadClientCertificate"
    );
    assert_eq!(
        normalise(
            "/identity/b2xUserFlows/{b2xIdentityUserFlow-id}/apiConnectorConfiguration/postFederationSignup/$ref"
        ),
        "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref"
    );
    assert!(in_scope("/identity/apiConnectors/$count"));
    assert!(!in_scope("/identity/apiConnectorsX"));
    assert!(!in_scope("/identity/b2xUserFlows/{id}"));
}

#[test]
fn a_new_difference_fails_the_check() {
    // an operation Microsoft has and we would lose: drop the bound action from the spec
    let without_upload = SPEC_V1.replace(
        "<Action Name=\"uploadClientCertificate\"",
        "<Action Name=\"uploadCertificate\"",
    );
    let result = std::panic::catch_unwind(|| check(MS_V1, &without_upload, "v1.0", false));
    let message = panic_text(result.expect_err("a lost operation must fail the check"));
    assert!(
        message.contains("POST /identity/apiConnectors/{id}/uploadClientCertificate"),
        "{message}"
    );
    assert!(
        message.contains("POST /identity/apiConnectors/{id}/uploadCertificate"),
        "{message}"
    );

    // a listed difference that disappears: with `b2c` off the b2c additions are not expected, yet present
    let result = std::panic::catch_unwind(|| check(MS_BETA, SPEC_BETA, "beta", false));
    let message = panic_text(result.expect_err("an unlisted addition must fail the check"));
    assert!(message.contains(
        "PUT /identity/b2cUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref"
    ));

    // a listed difference that no longer exists: v1.0 checked against the beta list of steps
    let result = std::panic::catch_unwind(|| check(MS_V1, SPEC_V1, "beta", false));
    let message = panic_text(result.expect_err("a stale listed difference must fail the check"));
    assert!(message.contains("preTokenIssuance"), "{message}");
}
