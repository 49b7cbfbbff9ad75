//! The slicer against the real Microsoft Graph v1.0 metadata, the committed fragments, synthetic metadata
//! and broken input.

use graph_csdl::CsdlError;
use graph_csdl::slice::{Roots, RootsError, SliceError, provenance, slice};

mod support;

const FULL_V1: &str = include_str!("data/v1.0-cleanMetadata.xml");
const SPEC_V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");
const SPEC_BETA: &str = include_str!("../../../spec/beta/identity.csdl.xml");
const ROOTS_V1: &str = include_str!("../../../spec/v1.0/slice.json");
const ROOTS_BETA: &str = include_str!("../../../spec/beta/slice.json");

/// The checked-in roots of v1.0 (`spec/v1.0/slice.json`).
fn v1() -> &'static Roots {
    static ROOTS: std::sync::OnceLock<Roots> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| Roots::from_json(ROOTS_V1).unwrap())
}

/// The checked-in roots of beta (`spec/beta/slice.json`).
fn beta() -> &'static Roots {
    static ROOTS: std::sync::OnceLock<Roots> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| Roots::from_json(ROOTS_BETA).unwrap())
}

fn prov(fragment: &str) -> &str {
    provenance(fragment).expect("fragment starts with a provenance comment")
}

/// Show the first differing line, so a mismatch is readable.
fn assert_same(actual: &str, expected: &str) {
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e);
        panic!(
            "output differs from the expected fragment at line {:?}:\n  got:      {:?}\n  expected: {:?}",
            line.map(|l| l + 1),
            line.and_then(|l| actual.lines().nth(l)),
            line.and_then(|l| expected.lines().nth(l)),
        );
    }
}

#[test]
fn real_v1_metadata_gives_the_committed_v1_fragment() {
    let out = slice(FULL_V1, v1(), prov(SPEC_V1)).unwrap();
    assert_same(&out, SPEC_V1);
}

#[test]
fn beta_fragment_slices_to_itself() {
    let out = slice(SPEC_BETA, beta(), prov(SPEC_BETA)).unwrap();
    assert_same(&out, SPEC_BETA);
}

#[test]
fn v1_fragment_slices_to_itself() {
    let out = slice(SPEC_V1, v1(), prov(SPEC_V1)).unwrap();
    assert_same(&out, SPEC_V1);
}

#[test]
fn output_is_deterministic() {
    let a = slice(FULL_V1, v1(), "a").unwrap();
    let b = slice(FULL_V1, v1(), "a").unwrap();
    assert_eq!(a, b);
}

#[test]
fn output_starts_with_the_provenance_comment() {
    let out = slice(FULL_V1, v1(), "  sliced by a test\n  second line").unwrap();
    assert!(out.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!--\n  sliced by a test\n  second line\n-->\n<edmx:Edmx "
    ));
    assert_eq!(provenance(&out), Some("  sliced by a test\n  second line"));
}

#[test]
fn provenance_that_would_break_the_comment_is_refused() {
    let err = slice(SPEC_V1, v1(), "a -- b").unwrap_err();
    assert!(matches!(err, SliceError::Provenance(_)), "{err:?}");
    assert!(err.to_string().contains("`--`"), "{err}");
}

#[test]
fn real_v1_slice_contents() {
    let out = slice(FULL_V1, v1(), "p").unwrap();
    let doc = graph_csdl::parse(&out).unwrap();
    let ix = graph_csdl::model::Index::new(&doc);
    let mut names: Vec<&str> = ix
        .structured_types()
        .map(|t| t.name.as_str())
        .chain(ix.enum_types().map(|e| e.name.as_str()))
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "apiAuthenticationConfigurationBase",
            "authenticationAttributeCollectionInputConfiguration",
            "authenticationAttributeCollectionInputType",
            "authenticationAttributeCollectionOptionConfiguration",
            "authenticationAttributeCollectionPage",
            "authenticationAttributeCollectionPageViewConfiguration",
            "authenticationConditionApplication",
            "authenticationConditions",
            "authenticationConditionsApplications",
            "authenticationConfigurationValidation",
            "authenticationEventListener",
            "authenticationEventsFlow",
            "azureAdPopTokenAuthentication",
            "azureAdTokenAuthentication",
            "b2xIdentityUserFlow",
            "basicAuthentication",
            "clientCertificateAuthentication",
            "customAuthenticationExtension",
            "customCalloutExtension",
            "customExtensionAuthenticationConfiguration",
            "customExtensionBehaviorOnError",
            "customExtensionClientConfiguration",
            "customExtensionEndpointConfiguration",
            "customExtensionOverwriteConfiguration",
            "entity",
            "externalUsersSelfServiceSignUpEventsFlow",
            "fallbackToMicrosoftProviderOnError",
            "fraudProtectionConfiguration",
            "fraudProtectionProviderConfiguration",
            "genericError",
            "httpRequestEndpoint",
            "identityApiConnector",
            "identityBuiltInUserFlowAttribute",
            "identityContainer",
            "identityCustomUserFlowAttribute",
            "identityProvider",
            "identityUserFlow",
            "identityUserFlowAttribute",
            "identityUserFlowAttributeAssignment",
            "identityUserFlowAttributeDataType",
            "identityUserFlowAttributeInputType",
            "identityUserFlowAttributeType",
            "logicAppTriggerEndpointConfiguration",
            "onAttributeCollectionExternalUsersSelfServiceSignUp",
            "onAttributeCollectionHandler",
            "onAttributeCollectionListener",
            "onAttributeCollectionStartCustomExtension",
            "onAttributeCollectionStartCustomExtensionHandler",
            "onAttributeCollectionStartHandler",
            "onAttributeCollectionStartListener",
            "onAttributeCollectionSubmitCustomExtension",
            "onAttributeCollectionSubmitCustomExtensionHandler",
            "onAttributeCollectionSubmitHandler",
            "onAttributeCollectionSubmitListener",
            "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            "onAuthenticationMethodLoadStartHandler",
            "onAuthenticationMethodLoadStartListener",
            "onEmailOtpSendListener",
            "onFraudProtectionLoadStartExternalUsersAuthHandler",
            "onFraudProtectionLoadStartHandler",
            "onFraudProtectionLoadStartListener",
            "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "onInteractiveAuthFlowStartHandler",
            "onInteractiveAuthFlowStartListener",
            "onOtpSendCustomExtension",
            "onOtpSendCustomExtensionHandler",
            "onOtpSendHandler",
            "onPasswordMigrationCustomExtensionHandler",
            "onPasswordSubmitCustomExtension",
            "onPasswordSubmitHandler",
            "onPasswordSubmitListener",
            "onTokenIssuanceStartCustomExtension",
            "onTokenIssuanceStartCustomExtensionHandler",
            "onTokenIssuanceStartHandler",
            "onTokenIssuanceStartListener",
            "onTokenIssuanceStartReturnClaim",
            "onUserCreateStartExternalUsersSelfServiceSignUp",
            "onUserCreateStartHandler",
            "onUserCreateStartListener",
            "onVerifiedIdClaimValidationCustomExtension",
            "onVerifiedIdClaimValidationCustomExtensionHandler",
            "onVerifiedIdClaimValidationHandler",
            "onVerifiedIdClaimValidationListener",
            "pkcs12Certificate",
            "pkcs12CertificateInformation",
            "userAttributeValuesItem",
            "userFlowApiConnectorConfiguration",
            "userFlowLanguageConfiguration",
            "userFlowLanguagePage",
            "userFlowType",
            "userType",
        ]
    );
    let container = ix.structured("microsoft.graph.identityContainer").unwrap();
    let navs: Vec<&str> = container
        .navigation_properties
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(
        navs,
        [
            "apiConnectors",
            "authenticationEventListeners",
            "authenticationEventsFlows",
            "b2xUserFlows",
            "customAuthenticationExtensions"
        ]
    );
    assert!(out.contains(
        "<!-- pruned for this fragment: conditionalAccess, identityProviders, riskPrevention, userFlowAttributes, verifiedId -->"
    ));
    // the prune entries of the roots, each marked where it happened
    assert!(out.contains("<!-- pruned for this fragment: userFlowIdentityProviders -->"));
    assert!(out.contains("<!-- pruned for this fragment: identityProviders -->"));
    assert!(out.contains("<!-- pruned for this fragment: fraudProtectionProvider -->"));
    assert!(!out.contains(r#"Name="identityProviderBase""#));
    assert!(!out.contains(r#"Name="fraudProtectionProvider""#));
    let action = ix.action("uploadClientCertificate").unwrap();
    assert_eq!(action.parameters.len(), 3);
    // both overloads of validateAuthenticationConfiguration: on the collection and on one extension
    let validate: Vec<String> = doc
        .schemas
        .iter()
        .flat_map(|s| s.actions.iter())
        .filter(|a| a.name == "validateAuthenticationConfiguration")
        .map(|a| a.binding_type().unwrap().to_string())
        .collect();
    assert_eq!(
        validate,
        [
            "Collection(microsoft.graph.customAuthenticationExtension)",
            "microsoft.graph.customAuthenticationExtension"
        ]
    );
    // Every type reference inside the slice is defined in it.
    for t in ix.structured_types() {
        let refs = t.base_type.iter().cloned().chain(
            t.properties.iter().map(|p| p.type_ref.name.clone()).chain(
                t.navigation_properties
                    .iter()
                    .map(|n| n.type_ref.name.clone()),
            ),
        );
        for r in refs.filter(|r| !r.starts_with("Edm.")) {
            assert!(
                ix.get(&r).is_some(),
                "{} references {r}, which is not in the slice",
                t.name
            );
        }
    }
    // One singleton and no entity set.
    let c = doc
        .schemas
        .iter()
        .find_map(|s| s.container.as_ref())
        .unwrap();
    assert_eq!(c.singletons.len(), 1);
    assert!(c.entity_sets.is_empty());
    assert!(out.contains("<!-- pruned 1 NavigationPropertyBinding(s)"));
    // Out-of-line annotations: only those that target kept elements, found in both schemas.
    let targets: Vec<&str> = doc
        .schemas
        .iter()
        .flat_map(|s| s.annotations.iter())
        .map(|a| a.target.as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "microsoft.graph.b2xIdentityUserFlow/apiConnectorConfiguration",
            "microsoft.graph.b2xIdentityUserFlow/apiConnectorConfiguration",
            "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection",
            "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAuthenticationMethodLoadStart",
            "microsoft.graph.authenticationEventsFlow/conditions",
            "microsoft.graph.b2xIdentityUserFlow/identityProviders",
            "microsoft.graph.identityProvider",
        ]
    );
}

#[test]
fn large_synthetic_metadata_gives_the_fragment_back() {
    let synth = support::synth::synthetic(SPEC_V1, 3 * FULL_V1.len(), 42);
    assert!(synth.len() >= 3 * FULL_V1.len());
    assert!(
        synth.matches("<EntityType ").count() > 2000,
        "realistic shape"
    );
    // The generated document is itself valid CSDL.
    graph_csdl::parse(&synth).unwrap();
    let out = slice(&synth, v1(), prov(SPEC_V1)).unwrap();
    assert_same(&out, SPEC_V1);
    // Up to provenance: another comment changes nothing else.
    let other = slice(&synth, v1(), "  synthetic").unwrap();
    assert_eq!(
        other.split_once("-->").unwrap().1,
        SPEC_V1.split_once("-->").unwrap().1
    );
}

#[test]
fn synthetic_beta_metadata_gives_the_beta_fragment_back() {
    let synth = support::synth::synthetic(SPEC_BETA, 2_000_000, 7);
    let out = slice(&synth, beta(), prov(SPEC_BETA)).unwrap();
    assert_same(&out, SPEC_BETA);
}

fn xml_error(err: SliceError) -> (usize, usize, String) {
    match err {
        SliceError::Csdl(CsdlError::Xml { at, message }) => (at.line, at.column, message),
        other => panic!("expected an XML error, got {other:?}"),
    }
}

#[test]
fn truncated_metadata_is_an_error_with_line_and_column() {
    // Cut in the middle of the document, after a complete tag.
    let cut = FULL_V1
        .find("<EntityType Name=\"identityContainer\"")
        .unwrap();
    let err = slice(&FULL_V1[..cut], v1(), "p").unwrap_err();
    let text = err.to_string();
    let (line, column, message) = xml_error(err);
    assert_eq!(line, 16621);
    assert_eq!(column, 7);
    assert!(
        message.contains("<Schema> opened at line 3, column 5 is not closed"),
        "{message}"
    );
    assert!(
        text.starts_with("malformed XML at line 16621, column 7"),
        "{text}"
    );
}

#[test]
fn metadata_cut_inside_a_tag_is_an_error_with_line_and_column() {
    let cut = FULL_V1
        .find("<EntityType Name=\"identityContainer\"")
        .unwrap()
        + 20;
    let (line, column, message) = xml_error(slice(&FULL_V1[..cut], v1(), "p").unwrap_err());
    assert_eq!((line, column), (16621, 7), "{message}");
}

#[test]
fn mismatched_end_tag_is_an_error_with_line_and_column() {
    let broken = SPEC_V1.replacen("</ComplexType>", "</EntityType>", 1);
    let line = SPEC_V1[..SPEC_V1.find("</ComplexType>").unwrap()]
        .lines()
        .count();
    let (l, c, message) = xml_error(slice(&broken, v1(), "p").unwrap_err());
    assert_eq!((l, c), (line, 7), "{message}");
    assert!(
        message.contains("ComplexType") && message.contains("EntityType"),
        "{message}"
    );
}

#[test]
fn broken_attribute_is_an_error_with_line_and_column() {
    let broken = SPEC_V1.replacen(
        r#"<Property Name="targetUrl" Type="Edm.String" />"#,
        r#"<Property Name=targetUrl />"#,
        1,
    );
    let line = SPEC_V1[..SPEC_V1.find(r#"<Property Name="targetUrl""#).unwrap()]
        .lines()
        .count();
    let (l, c, message) = xml_error(slice(&broken, v1(), "p").unwrap_err());
    assert_eq!((l, c), (line, 9), "{message}");
    assert!(message.contains("attribute"), "{message}");
}

#[test]
fn not_xml_and_not_csdl_are_errors() {
    let err = slice("", v1(), "p").unwrap_err();
    assert!(
        err.to_string().contains("no <edmx:Edmx> root element"),
        "{err}"
    );
    let err = slice("<html><body/></html>", v1(), "p").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid CSDL at line 1, column 1: not a CSDL document: root element is <html>"
    );
    let (l, c, _) =
        xml_error(slice("<edmx:Edmx>\n  <a></b>\n</edmx:Edmx>", v1(), "p").unwrap_err());
    assert_eq!((l, c), (2, 6));
}

#[test]
fn undefined_type_in_the_closure_is_an_error_naming_it() {
    let broken = SPEC_V1.replace(
        "graph.pkcs12CertificateInformation)",
        "graph.pkcs12CertificateInfo)",
    );
    let err = slice(&broken, v1(), "p").unwrap_err();
    assert!(
        err.to_string().contains(
            "type `Collection(graph.pkcs12CertificateInfo)` of `microsoft.graph.clientCertificateAuthentication/certificateList` is not defined"
        ),
        "{err}"
    );
}

fn missing_root(text: &str, roots: &Roots) -> String {
    match slice(text, roots, "p").unwrap_err() {
        SliceError::MissingRoot(m) => m,
        other => panic!("expected a missing root, got {other:?}"),
    }
}

/// Remove the line(s) of the element that starts with `start` (a one-line element or a block).
fn without(text: &str, start: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the text"));
    let line_start = text[..at].rfind('\n').unwrap() + 1;
    let end = if text[at..]
        .find('\n')
        .is_some_and(|nl| text[at..at + nl].ends_with("/>"))
    {
        at + text[at..].find('\n').unwrap() + 1
    } else {
        let name = &start[1..start.find(' ').unwrap()];
        let close = format!("</{name}>\n");
        at + text[at..].find(&close).unwrap() + close.len()
    };
    format!("{}{}", &text[..line_start], &text[end..])
}

#[test]
fn missing_roots_are_named() {
    let m = missing_root(
        &without(FULL_V1, r#"<NavigationProperty Name="apiConnectors""#),
        v1(),
    );
    assert_eq!(
        m,
        "no navigation property `apiConnectors` on the `identity` singleton's type `microsoft.graph.identityContainer`"
    );
    let m = missing_root(
        &without(SPEC_BETA, r#"<NavigationProperty Name="b2xUserFlows""#),
        beta(),
    );
    assert_eq!(
        m,
        "no navigation property `b2xUserFlows` on the `identity` singleton's type `microsoft.graph.identityContainer`"
    );
    let m = missing_root(
        &without(SPEC_BETA, r#"<NavigationProperty Name="b2cUserFlows""#),
        beta(),
    );
    assert!(
        m.starts_with("no navigation property `b2cUserFlows`"),
        "{m}"
    );
    let m = missing_root(
        &without(FULL_V1, r#"<Action Name="uploadClientCertificate""#),
        v1(),
    );
    assert_eq!(
        m,
        "no bound action `uploadClientCertificate` whose binding parameter is a type of the slice"
    );
    let m = missing_root(&without(SPEC_V1, r#"<Singleton Name="identity""#), v1());
    assert_eq!(m, "no singleton `identity` in any EntityContainer");
    // An unbound action of that name is not the root either.
    let unbound = SPEC_V1.replace(
        r#"<Action Name="uploadClientCertificate" IsBound="true">"#,
        r#"<Action Name="uploadClientCertificate">"#,
    );
    assert!(missing_root(&unbound, v1()).starts_with("no bound action `uploadClientCertificate`"));
}

#[test]
fn b2c_user_flows_are_optional_in_v1_only() {
    // v1.0 has no b2cUserFlows and that is fine; the beta fragment sliced with the v1.0 roots keeps them
    // (with the custom-extension roots, which beta's fragment lacks, made optional as well).
    assert!(!SPEC_V1.contains(r#"Name="b2cUserFlows""#));
    let mut roots = v1().clone();
    let (kept, extensions): (Vec<String>, Vec<String>) = roots
        .navigation_properties
        .iter()
        .cloned()
        .partition(|n| n == "apiConnectors" || n == "b2xUserFlows");
    roots.navigation_properties = kept;
    roots.optional_navigation_properties.extend(extensions);
    roots
        .bound_operations
        .retain(|op| op == "uploadClientCertificate");
    let out = slice(SPEC_BETA, &roots, prov(SPEC_BETA)).unwrap();
    assert_same(&out, SPEC_BETA);
    // the v1.0 roots as they are require the custom-extension roots
    assert_eq!(
        missing_root(SPEC_BETA, v1()),
        "no navigation property `authenticationEventListeners` on the `identity` singleton's type `microsoft.graph.identityContainer`"
    );
}

#[test]
fn pruning_is_marked_and_derived_types_of_referenced_types_are_kept() {
    // A new navigation on a kept type pulls its target in; a new derived type of a referenced type comes along.
    let extra = SPEC_V1
        .replace(
            "      <ComplexType Name=\"pkcs12CertificateInformation\">",
            "      <ComplexType Name=\"oauthAuthentication\" BaseType=\"graph.apiAuthenticationConfigurationBase\">\n        <Property Name=\"scope\" Type=\"Edm.String\" />\n      </ComplexType>\n      <ComplexType Name=\"pkcs12CertificateInformation\">",
        )
        .replace(
            "      <EntityType Name=\"identityProvider\" BaseType=\"graph.entity\">",
            "      <EntityType Name=\"unrelated\" BaseType=\"graph.entity\" />\n      <EntityType Name=\"identityProvider\" BaseType=\"graph.entity\">",
        );
    let out = slice(&extra, v1(), prov(SPEC_V1)).unwrap();
    assert!(out.contains("<ComplexType Name=\"oauthAuthentication\""));
    assert!(
        !out.contains(r#"Name="unrelated""#),
        "a type derived from `entity` only is not part of the slice"
    );
    // A binding into the slice survives, one out of it is pruned.
    let bound = SPEC_V1.replace(
        "          <!-- pruned 1 NavigationPropertyBinding(s) for navigation properties not in this fragment -->\n",
        "          <NavigationPropertyBinding Path=\"apiConnectors\" Target=\"identity/apiConnectors\" />\n          <NavigationPropertyBinding Path=\"b2xUserFlows/userFlowIdentityProviders\" Target=\"identityProviders\" />\n",
    );
    let out = slice(&bound, v1(), "p").unwrap();
    // Out-of-line annotations: on an inherited member kept, on a pruned navigation dropped.
    let annotated = SPEC_V1.replace(
        "      <Annotations Target=\"microsoft.graph.b2xIdentityUserFlow/apiConnectorConfiguration\">\n        <Annotation Term=\"Org.OData.Capabilities.V1.ReadRestrictions\">",
        "      <Annotations Target=\"microsoft.graph.b2xIdentityUserFlow/userFlowType\">\n        <Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\" />\n      </Annotations>\n      <Annotations Target=\"microsoft.graph.b2xIdentityUserFlow/userFlowIdentityProviders\">\n        <Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\" />\n      </Annotations>\n      <Annotations Target=\"microsoft.graph.b2xIdentityUserFlow/apiConnectorConfiguration\">\n        <Annotation Term=\"Org.OData.Capabilities.V1.ReadRestrictions\">",
    );
    let sliced = slice(&annotated, v1(), "p").unwrap();
    assert!(sliced.contains("Target=\"microsoft.graph.b2xIdentityUserFlow/userFlowType\""));
    assert!(
        !sliced
            .contains("Target=\"microsoft.graph.b2xIdentityUserFlow/userFlowIdentityProviders\"")
    );
    assert!(out.contains(
        "        <Singleton Name=\"identity\" Type=\"microsoft.graph.identityContainer\">\n          <NavigationPropertyBinding Path=\"apiConnectors\" Target=\"identity/apiConnectors\" />\n          <!-- pruned 1 NavigationPropertyBinding(s) for navigation properties not in this fragment -->\n        </Singleton>\n"
    ), "{out}");
}

#[test]
fn unclosed_comment_tag_and_attribute_are_reported_where_they_start() {
    let head = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"urn:x\">\n<edmx:DataServices>\n  <Schema Namespace=\"x\">\n";
    for (rest, what) in [
        (
            "    <!-- never closed\n  </Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n",
            "comment not closed",
        ),
        ("    <EnumType Name=\"e\"\n  </Schema>\n", "attribute"),
        (
            "    <EnumType Name='e\"/>\n</Schema>\n",
            "attribute value not closed",
        ),
    ] {
        let (line, column, message) =
            xml_error(slice(&format!("{head}{rest}"), v1(), "p").unwrap_err());
        assert_eq!((line, column), (4, 5), "{message}");
        assert!(message.contains(what), "{message}");
    }
}

#[test]
fn the_checked_in_roots_files() {
    let v1 = v1();
    assert_eq!(v1.singleton, "identity");
    assert_eq!(
        v1.navigation_properties,
        [
            "apiConnectors",
            "authenticationEventListeners",
            "authenticationEventsFlows",
            "b2xUserFlows",
            "customAuthenticationExtensions"
        ]
    );
    assert_eq!(v1.optional_navigation_properties, ["b2cUserFlows"]);
    assert_eq!(
        v1.bound_operations,
        [
            "uploadClientCertificate",
            "validateAuthenticationConfiguration"
        ]
    );
    assert!(v1.prunes(
        "microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
        "identityProviders"
    ));
    assert_eq!(beta().bound_operations, ["uploadClientCertificate"]);
    assert!(v1.prunes(
        "microsoft.graph.b2xIdentityUserFlow",
        "userFlowIdentityProviders"
    ));
    assert!(!v1.prunes("microsoft.graph.b2xIdentityUserFlow", "languages"));
    assert!(!v1.prunes(
        "microsoft.graph.identityContainer",
        "userFlowIdentityProviders"
    ));
    let beta = beta();
    assert_eq!(
        beta.navigation_properties,
        ["apiConnectors", "b2cUserFlows", "b2xUserFlows"]
    );
    assert!(beta.optional_navigation_properties.is_empty());
    // the file sits beside the spec under the documented name
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/v1.0");
    assert_eq!(
        &Roots::read(&dir.join(graph_csdl::slice::ROOTS_FILE)).unwrap(),
        v1
    );
}

#[test]
fn the_spec_folder_loads_without_its_roots_file() {
    // build.rs and `apiconn spec check` read `spec/<version>/*.xml`; the roots file is not CSDL
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/v1.0");
    assert!(dir.join(graph_csdl::slice::ROOTS_FILE).is_file());
    let spec = graph_csdl::load::load_dir(&dir).unwrap();
    let names: Vec<_> = spec
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["identity.csdl.xml"]);
}

fn roots(json: &str) -> Roots {
    Roots::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn roots_decide_what_is_kept() {
    // only apiConnectors: the user-flow types go, and b2xUserFlows is listed as pruned
    let only = roots(
        r#"{"singleton": "identity", "navigationProperties": ["apiConnectors"],
            "boundOperations": ["uploadClientCertificate"]}"#,
    );
    let out = slice(FULL_V1, &only, "p").unwrap();
    assert!(out.contains(r#"<EntityType Name="identityApiConnector""#));
    assert!(!out.contains(r#"Name="b2xIdentityUserFlow""#));
    assert!(out.contains(
        "<!-- pruned for this fragment: authenticationEventListeners, authenticationEventsFlows, b2xUserFlows, \
         conditionalAccess, customAuthenticationExtensions, identityProviders, riskPrevention, userFlowAttributes, \
         verifiedId -->"
    ));
    // without the prune entries, userFlowIdentityProviders pulls in identityProviderBase and its derived types
    let unpruned = roots(
        r#"{"singleton": "identity", "navigationProperties": ["apiConnectors", "b2xUserFlows"],
            "boundOperations": ["uploadClientCertificate"]}"#,
    );
    let out = slice(FULL_V1, &unpruned, "p").unwrap();
    assert!(out.contains(r#"<EntityType Name="socialIdentityProvider""#));
    assert!(out.contains(r#"<NavigationProperty Name="userFlowIdentityProviders""#));
    let pruned = slice(FULL_V1, v1(), "p").unwrap();
    assert!(!pruned.contains(r#"Name="socialIdentityProvider""#));
    assert!(pruned.contains("<!-- pruned for this fragment: userFlowIdentityProviders -->"));
}

/// A small metadata document with a singleton `root` of type `t.container`.
fn metadata(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="t" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="container">
        <NavigationProperty Name="things" Type="Collection(t.thing)" ContainsTarget="true" />
        <NavigationProperty Name="others" Type="Collection(t.other)" ContainsTarget="true" />
      </EntityType>
      <EntityType Name="thing">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="other" />
      <ComplexType Name="result" />
      <ComplexType Name="input" />
{body}      <EntityContainer Name="c">
        <Singleton Name="root" Type="t.container" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#
    )
}

#[test]
fn bound_operations_keep_every_overload_bound_into_the_slice() {
    let full = metadata(
        r#"      <Action Name="check" IsBound="true">
        <Parameter Name="bindingParameter" Type="Collection(t.thing)" />
        <Parameter Name="input" Type="t.input" />
        <ReturnType Type="t.result" />
      </Action>
      <Action Name="check" IsBound="true">
        <Parameter Name="bindingParameter" Type="t.thing" />
      </Action>
      <Action Name="check" IsBound="true">
        <Parameter Name="bindingParameter" Type="t.other" />
      </Action>
      <Action Name="check">
        <Parameter Name="thing" Type="t.thing" />
      </Action>
      <Function Name="count" IsBound="true">
        <Parameter Name="bindingParameter" Type="Collection(t.thing)" />
        <ReturnType Type="Edm.Int32" />
      </Function>
"#,
    );
    let out = slice(
        &full,
        &roots(
            r#"{"singleton": "root", "navigationProperties": ["things"],
                "boundOperations": ["check", "count"]}"#,
        ),
        "p",
    )
    .unwrap();
    let doc = graph_csdl::parse(&out).unwrap();
    let schema = &doc.schemas[0];
    let bindings: Vec<String> = schema
        .actions
        .iter()
        .map(|a| a.binding_type().map(|b| b.to_string()).unwrap_or_default())
        .collect();
    // the collection- and item-bound overloads; not the one bound to a type outside the slice, not the unbound one
    assert_eq!(bindings, ["Collection(t.thing)", "t.thing"]);
    assert_eq!(schema.functions.len(), 1);
    // the collection-bound overload's parameter and return types come along
    let types: Vec<&str> = schema.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(types, ["result", "input", "container", "thing"]);
    assert!(out.contains("<!-- pruned for this fragment: others -->"));
    // an operation with no overload bound into the slice is a missing root, named
    let err = slice(
        &full,
        &roots(
            r#"{"singleton": "root", "navigationProperties": ["things"],
                "boundOperations": ["check", "refresh"]}"#,
        ),
        "p",
    )
    .unwrap_err();
    assert_eq!(
        err,
        SliceError::MissingRoot(
            "no bound action `refresh` whose binding parameter is a type of the slice".into()
        )
    );
    // the singleton comes from the roots
    let err = slice(
        &full,
        &roots(r#"{"singleton": "identity", "navigationProperties": ["things"]}"#),
        "p",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing root: no singleton `identity` in any EntityContainer"
    );
    // an optional root that is absent is no error; a required one is
    let out = slice(
        &full,
        &roots(
            r#"{"singleton": "root", "navigationProperties": ["things"],
                "optionalNavigationProperties": ["gone"]}"#,
        ),
        "p",
    )
    .unwrap();
    assert!(out.contains("<!-- pruned for this fragment: others -->"));
    assert_eq!(
        missing_root(
            &full,
            &roots(r#"{"singleton": "root", "navigationProperties": ["things", "gone"]}"#)
        ),
        "no navigation property `gone` on the `root` singleton's type `t.container`"
    );
}

#[test]
fn bad_roots_files_are_clear_errors() {
    let json = |text: &str| match Roots::from_json(text).unwrap_err() {
        RootsError::Json {
            path,
            line,
            column,
            message,
        } => {
            assert_eq!(path, None);
            (line, column, message)
        }
        other => panic!("expected a JSON error, got {other:?}"),
    };
    let (line, column, message) =
        json("{\n  \"singleton\": \"identity\",\n  \"navigationProperties\": [\"a\",]\n}");
    assert_eq!((line, column), (3, 32), "{message}");
    // a misspelt field is not silently ignored
    let (_, _, message) = json(r#"{"singleton": "identity", "navigationProperty": ["a"]}"#);
    assert!(
        message.contains("unknown field `navigationProperty`"),
        "{message}"
    );
    let (_, _, message) = json(r#"{"navigationProperties": ["a"]}"#);
    assert!(message.contains("missing field `singleton`"), "{message}");
    let (_, _, message) = json(r#"{"singleton": "identity", "boundOperations": "a"}"#);
    assert!(message.contains("invalid type"), "{message}");

    let invalid = |text: &str| match Roots::from_json(text).unwrap_err() {
        RootsError::Invalid {
            path: None,
            message,
        } => message,
        other => panic!("expected an invalid-roots error, got {other:?}"),
    };
    assert_eq!(invalid(r#"{"singleton": " "}"#), "`singleton` is empty");
    assert_eq!(
        invalid(r#"{"singleton": "identity", "navigationProperties": ["a", ""]}"#),
        "`navigationProperties` holds an empty name"
    );
    assert_eq!(
        invalid(
            r#"{"singleton": "identity", "navigationProperties": ["a"], "optionalNavigationProperties": ["a"]}"#
        ),
        "`a` is listed twice"
    );
    assert_eq!(
        invalid(r#"{"singleton": "identity", "prune": {"identityUserFlow/languages": "x"}}"#),
        "`prune` entry `identityUserFlow/languages` is not `namespace.type/navigationProperty`"
    );
    assert!(invalid(r#"{"singleton": "identity", "prune": {"ns.t/": "x"}}"#).contains("`ns.t/`"));
    // an operation may share a navigation property's name
    roots(r#"{"singleton": "identity", "navigationProperties": ["a"], "boundOperations": ["a"]}"#);

    // read from a file: the error names it
    let dir = std::env::temp_dir().join(format!("graph-csdl-roots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.json");
    let err = Roots::read(&missing).unwrap_err();
    assert!(
        matches!(&err, RootsError::Io { path, .. } if path == &missing),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{err}"
    );
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"singleton": ""}"#).unwrap();
    let err = Roots::read(&bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: invalid roots: `singleton` is empty", bad.display())
    );
    std::fs::write(&bad, "[]").unwrap();
    let err = Roots::read(&bad).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: invalid roots file at line 1, column ",
            bad.display()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
