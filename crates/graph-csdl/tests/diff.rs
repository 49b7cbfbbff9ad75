//! `diff` on two spec fragments that differ in one thing each.

use graph_csdl::diff::{Change, diff};
use graph_csdl::model::TypeRef;

const V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");
const BETA: &str = include_str!("../../../spec/beta/identity.csdl.xml");

/// Replace exactly one occurrence of `from` in the v1.0 fragment.
fn edit(from: &str, to: &str) -> String {
    assert_eq!(V1.matches(from).count(), 1, "{from:?} must occur once");
    V1.replace(from, to)
}

fn one_change(new: &str) -> Change {
    let d = diff(V1, new).unwrap();
    assert_eq!(d.changes.len(), 1, "{d}");
    d.changes.into_iter().next().unwrap()
}

fn tref(collection: bool, name: &str) -> TypeRef {
    TypeRef {
        collection,
        name: name.into(),
    }
}

#[test]
fn identical_files_have_no_changes() {
    let d = diff(V1, V1).unwrap();
    assert!(d.is_empty());
    assert_eq!(d.to_string(), "no changes\n");
    // Comments and provenance do not count.
    let d = diff(
        V1,
        &V1.replace(
            "Fragment of the Microsoft Graph v1.0 CSDL",
            "Something else",
        ),
    )
    .unwrap();
    assert_eq!(d.to_string(), "no changes\n");
}

#[test]
fn property_type_change() {
    let new = edit(
        r#"<Property Name="displayName" Type="Edm.String" />
        <Property Name="targetUrl""#,
        r#"<Property Name="displayName" Type="Collection(Edm.String)" />
        <Property Name="targetUrl""#,
    );
    let c = one_change(&new);
    assert_eq!(
        c,
        Change::TypeChanged {
            what: "property",
            path: "microsoft.graph.identityApiConnector/displayName".into(),
            old: tref(false, "Edm.String"),
            new: tref(true, "Edm.String"),
        }
    );
    assert_eq!(
        c.to_string(),
        "~ property microsoft.graph.identityApiConnector/displayName: type Edm.String -> Collection(Edm.String)"
    );
}

#[test]
fn property_nullability_change() {
    let new = edit(
        r#"<Property Name="thumbprint" Type="Edm.String" />"#,
        r#"<Property Name="thumbprint" Type="Edm.String" Nullable="false" />"#,
    );
    assert_eq!(
        diff(V1, &new).unwrap().to_string(),
        "1 change:\n~ property microsoft.graph.pkcs12CertificateInformation/thumbprint: nullable true -> false\n"
    );
}

#[test]
fn property_added_and_removed() {
    let new = edit(
        r#"        <Property Name="displayName" Type="Edm.String" />
        <Property Name="targetUrl" Type="Edm.String" />
"#,
        r#"        <Property Name="displayName" Type="Edm.String" />
        <Property Name="target" Type="Edm.String" Nullable="false" />
"#,
    );
    let d = diff(V1, &new).unwrap();
    assert_eq!(
        d.to_string(),
        "2 changes:\n\
         + property microsoft.graph.identityApiConnector/target: Edm.String (not nullable)\n\
         - property microsoft.graph.identityApiConnector/targetUrl\n"
    );
}

#[test]
fn type_added_and_removed() {
    let new = edit(
        r#"      <ComplexType Name="userAttributeValuesItem">"#,
        r#"      <ComplexType Name="oauthAuthentication" BaseType="graph.apiAuthenticationConfigurationBase">
        <Property Name="scope" Type="Edm.String" />
      </ComplexType>
      <ComplexType Name="userAttributeValuesItem">"#,
    );
    let c = one_change(&new);
    assert_eq!(
        c,
        Change::TypeAdded {
            name: "microsoft.graph.oauthAuthentication".into(),
            kind: "ComplexType"
        }
    );
    assert_eq!(
        c.to_string(),
        "+ ComplexType microsoft.graph.oauthAuthentication"
    );
    let d = diff(&new, V1).unwrap();
    assert_eq!(
        d.to_string(),
        "1 change:\n- ComplexType microsoft.graph.oauthAuthentication\n"
    );
}

#[test]
fn enum_member_added_removed_and_renumbered() {
    let new = edit(
        r#"        <Member Name="emailBox" Value="5" />
"#,
        "",
    );
    assert_eq!(
        one_change(&new).to_string(),
        "- enum member microsoft.graph.identityUserFlowAttributeInputType/emailBox"
    );
    let new = edit(
        r#"        <Member Name="resourceOwner" Value="6" />
"#,
        r#"        <Member Name="resourceOwner" Value="6" />
        <Member Name="signInWithPasskey" Value="8" />
"#,
    );
    assert_eq!(
        one_change(&new),
        Change::MemberAdded {
            name: "microsoft.graph.userFlowType".into(),
            member: "signInWithPasskey".into(),
            value: Some(8)
        }
    );
    let new = edit(
        r#"<Member Name="custom" Value="2" />"#,
        r#"<Member Name="custom" Value="20" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "~ enum member microsoft.graph.identityUserFlowAttributeType/custom: value 2 -> 20"
    );
}

#[test]
fn navigation_property_changes() {
    // Added.
    let new = edit(
        r#"        <NavigationProperty Name="postFederationSignup""#,
        r#"        <NavigationProperty Name="preTokenIssuance" Type="graph.identityApiConnector" ContainsTarget="true" />
        <NavigationProperty Name="postFederationSignup""#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "+ navigation microsoft.graph.userFlowApiConnectorConfiguration/preTokenIssuance: microsoft.graph.identityApiConnector"
    );
    // ContainsTarget.
    let new = edit(
        r#"<NavigationProperty Name="defaultPages" Type="Collection(graph.userFlowLanguagePage)" ContainsTarget="true" />"#,
        r#"<NavigationProperty Name="defaultPages" Type="Collection(graph.userFlowLanguagePage)" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "~ navigation microsoft.graph.userFlowLanguageConfiguration/defaultPages: ContainsTarget true -> false"
    );
    // Referenceable (inline annotation removed).
    let from = r#"<NavigationProperty Name="postFederationSignup" Type="graph.identityApiConnector" ContainsTarget="true">
          <Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">
            <Record>
              <PropertyValue Property="Referenceable" Bool="true" />
            </Record>
          </Annotation>
        </NavigationProperty>"#;
    let new = edit(
        from,
        r#"<NavigationProperty Name="postFederationSignup" Type="graph.identityApiConnector" ContainsTarget="true" />"#,
    );
    assert_eq!(
        one_change(&new),
        Change::FacetChanged {
            what: "navigation",
            path: "microsoft.graph.userFlowApiConnectorConfiguration/postFederationSignup".into(),
            facet: "Referenceable",
            old: true,
            new: false,
        }
    );
    // Removed, and type changed.
    let new = edit(
        r#"        <NavigationProperty Name="userAttribute" Type="graph.identityUserFlowAttribute" />
"#,
        "",
    );
    assert_eq!(
        one_change(&new).to_string(),
        "- navigation microsoft.graph.identityUserFlowAttributeAssignment/userAttribute"
    );
    let new = edit(
        r#"<NavigationProperty Name="userAttribute" Type="graph.identityUserFlowAttribute" />"#,
        r#"<NavigationProperty Name="userAttribute" Type="Collection(graph.identityUserFlowAttribute)" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "~ navigation microsoft.graph.identityUserFlowAttributeAssignment/userAttribute: type \
         microsoft.graph.identityUserFlowAttribute -> Collection(microsoft.graph.identityUserFlowAttribute)"
    );
}

#[test]
fn action_parameter_and_return_type_changes() {
    let sig = "microsoft.graph.uploadClientCertificate(microsoft.graph.identityApiConnector)";
    let new = edit(
        r#"        <Parameter Name="password" Type="Edm.String" Unicode="false" />
"#,
        "",
    );
    assert_eq!(
        one_change(&new),
        Change::ParameterRemoved {
            path: format!("{sig}/password")
        }
    );
    let new = edit(
        r#"<Parameter Name="password" Type="Edm.String" Unicode="false" />"#,
        r#"<Parameter Name="password" Type="Edm.String" Unicode="false" Nullable="false" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        format!("~ parameter {sig}/password: nullable true -> false")
    );
    let new = edit(
        r#"<Parameter Name="password" Type="Edm.String" Unicode="false" />"#,
        r#"<Parameter Name="password" Type="Edm.String" Unicode="false" />
        <Parameter Name="notBefore" Type="Edm.DateTimeOffset" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        format!("+ parameter {sig}/notBefore: Edm.DateTimeOffset")
    );
    let new = edit(
        r#"<ReturnType Type="graph.identityApiConnector" />"#,
        r#"<ReturnType Type="graph.pkcs12CertificateInformation" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        format!(
            "~ operation {sig}: return type microsoft.graph.identityApiConnector -> microsoft.graph.pkcs12CertificateInformation"
        )
    );
    let new = edit(
        r#"        <Parameter Name="pkcs12Value" Type="Edm.String" Unicode="false" />
        <Parameter Name="password" Type="Edm.String" Unicode="false" />"#,
        r#"        <Parameter Name="password" Type="Edm.String" Unicode="false" />
        <Parameter Name="pkcs12Value" Type="Edm.String" Unicode="false" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        format!("~ operation {sig}: parameters reordered")
    );
}

#[test]
fn base_type_and_abstract_changes() {
    let new = edit(
        r#"<ComplexType Name="apiAuthenticationConfigurationBase" Abstract="true" />"#,
        r#"<ComplexType Name="apiAuthenticationConfigurationBase" />"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "~ type microsoft.graph.apiAuthenticationConfigurationBase: Abstract true -> false"
    );
    let new = edit(
        r#"<ComplexType Name="pkcs12Certificate" BaseType="graph.apiAuthenticationConfigurationBase">"#,
        r#"<ComplexType Name="pkcs12Certificate" BaseType="graph.clientCertificateAuthentication">"#,
    );
    assert_eq!(
        one_change(&new).to_string(),
        "~ type microsoft.graph.pkcs12Certificate: BaseType microsoft.graph.apiAuthenticationConfigurationBase -> \
         microsoft.graph.clientCertificateAuthentication"
    );
}

#[test]
fn v1_to_beta() {
    let d = diff(V1, BETA).unwrap();
    let text = d.to_string();
    for line in [
        "+ EntityType microsoft.graph.b2cIdentityUserFlow",
        "- EntityType microsoft.graph.identityBuiltInUserFlowAttribute",
        "~ type microsoft.graph.identityContainer: BaseType microsoft.graph.entity -> (none)",
        "+ navigation microsoft.graph.identityContainer/b2cUserFlows: Collection(microsoft.graph.b2cIdentityUserFlow)",
        "+ navigation microsoft.graph.userFlowApiConnectorConfiguration/preTokenIssuance: microsoft.graph.identityApiConnector",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line:?} missing from:\n{text}"
        );
    }
    assert!(text.starts_with(&format!("{} changes:\n", d.changes.len())));
}

#[test]
fn malformed_input_is_an_error() {
    let err = diff(V1, &V1[..V1.len() / 2]).unwrap_err();
    assert!(err.to_string().contains("line"), "{err}");
}
