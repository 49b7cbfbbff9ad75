//! The CSDL parser on small inline documents: what it models, what it skips, and how it reports bad input.

use graph_csdl::model::{AnnotationValue, Index, TypeKind, TypeRef};
use graph_csdl::{CsdlError, Location, parse};

/// Wrap schema content in the `edmx:Edmx` envelope Graph uses (the schema starts on line 3).
fn edmx(schema_body: &str) -> String {
    format!(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n\
         <edmx:DataServices>\n\
         <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         {schema_body}\n\
         </Schema>\n\
         </edmx:DataServices>\n\
         </edmx:Edmx>\n"
    )
}

fn tr(collection: bool, name: &str) -> TypeRef {
    TypeRef {
        collection,
        name: name.to_string(),
    }
}

const CONNECTORS: &str = r#"
<ComplexType Name="apiAuthenticationConfigurationBase" Abstract="true" />
<ComplexType Name="basicAuthentication" BaseType="graph.apiAuthenticationConfigurationBase">
  <Property Name="password" Type="Edm.String" />
  <Property Name="username" Type="Edm.String" Nullable="true" />
</ComplexType>
<ComplexType Name="pkcs12CertificateInformation">
  <Property Name="isActive" Type="Edm.Boolean" Nullable="false" />
  <Property Name="notAfter" Type="Edm.Int64" Nullable="false" />
</ComplexType>
<ComplexType Name="clientCertificateAuthentication" BaseType="graph.apiAuthenticationConfigurationBase">
  <Property Name="certificateList" Type="Collection(graph.pkcs12CertificateInformation)" />
</ComplexType>
<EntityType Name="entity" Abstract="true">
  <Key><PropertyRef Name="id" /></Key>
  <Property Name="id" Type="Edm.String" Nullable="false" />
</EntityType>
<EntityType Name="identityApiConnector" BaseType="graph.entity">
  <Property Name="authenticationConfiguration" Type="graph.apiAuthenticationConfigurationBase" />
  <Property Name="displayName" Type="Edm.String" />
</EntityType>
<EntityType Name="identityContainer" OpenType="true">
  <NavigationProperty Name="apiConnectors" Type="Collection(graph.identityApiConnector)" ContainsTarget="true" />
  <NavigationProperty Name="owner" Type="microsoft.graph.entity" Nullable="false" />
</EntityType>
<EntityType Name="userFlowLanguagePage" BaseType="graph.entity" HasStream="true" />
"#;

#[test]
fn base_types_resolve_the_schema_alias() {
    let doc = parse(&edmx(CONNECTORS)).unwrap();
    assert_eq!(doc.schemas.len(), 1);
    let schema = &doc.schemas[0];
    assert_eq!(schema.namespace, "microsoft.graph");
    assert_eq!(schema.alias.as_deref(), Some("graph"));

    let index = Index::new(&doc);
    let basic = index
        .structured("microsoft.graph.basicAuthentication")
        .unwrap();
    assert_eq!(basic.name, "basicAuthentication");
    assert_eq!(basic.kind, TypeKind::Complex);
    assert_eq!(
        basic.base_type.as_deref(),
        Some("microsoft.graph.apiAuthenticationConfigurationBase")
    );

    let connector = index
        .structured("microsoft.graph.identityApiConnector")
        .unwrap();
    assert_eq!(connector.kind, TypeKind::Entity);
    assert_eq!(
        connector.base_type.as_deref(),
        Some("microsoft.graph.entity")
    );
    // inherited properties come first, through the resolved base type
    let names: Vec<&str> = index
        .all_properties(connector)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["id", "authenticationConfiguration", "displayName"]);
    assert_eq!(
        connector.properties[0].type_ref,
        tr(false, "microsoft.graph.apiAuthenticationConfigurationBase")
    );

    let derived: Vec<&str> = index
        .all_derived("microsoft.graph.apiAuthenticationConfigurationBase")
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        derived,
        ["basicAuthentication", "clientCertificateAuthentication"]
    );
}

#[test]
fn abstract_open_and_stream_flags_and_keys() {
    let doc = parse(&edmx(CONNECTORS)).unwrap();
    let index = Index::new(&doc);
    let base = index
        .structured("microsoft.graph.apiAuthenticationConfigurationBase")
        .unwrap();
    assert!(base.is_abstract);
    assert!(base.properties.is_empty());
    let entity = index.structured("microsoft.graph.entity").unwrap();
    assert!(entity.is_abstract);
    assert_eq!(entity.key, ["id"]);
    let connector = index
        .structured("microsoft.graph.identityApiConnector")
        .unwrap();
    assert!(!connector.is_abstract && !connector.open_type && !connector.has_stream);
    assert!(
        connector.key.is_empty(),
        "the key is declared on the base type only"
    );
    assert!(
        index
            .structured("microsoft.graph.identityContainer")
            .unwrap()
            .open_type
    );
    assert!(
        index
            .structured("microsoft.graph.userFlowLanguagePage")
            .unwrap()
            .has_stream
    );
}

#[test]
fn nullable_defaults_to_true() {
    let doc = parse(&edmx(CONNECTORS)).unwrap();
    let index = Index::new(&doc);
    let basic = index
        .structured("microsoft.graph.basicAuthentication")
        .unwrap();
    assert!(basic.properties[0].nullable, "no Nullable attribute");
    assert!(basic.properties[1].nullable, "Nullable=\"true\"");
    let info = index
        .structured("microsoft.graph.pkcs12CertificateInformation")
        .unwrap();
    assert!(info.properties.iter().all(|p| !p.nullable));
    assert_eq!(info.properties[1].type_ref, tr(false, "Edm.Int64"));
    assert!(info.properties[1].type_ref.is_primitive());
    let container = index
        .structured("microsoft.graph.identityContainer")
        .unwrap();
    assert!(container.navigation_properties[0].nullable);
    assert!(!container.navigation_properties[1].nullable);
}

#[test]
fn collections_and_contains_target() {
    let doc = parse(&edmx(CONNECTORS)).unwrap();
    let index = Index::new(&doc);
    let cert = index
        .structured("microsoft.graph.clientCertificateAuthentication")
        .unwrap();
    let list = &cert.properties[0].type_ref;
    assert_eq!(
        list,
        &tr(true, "microsoft.graph.pkcs12CertificateInformation")
    );
    assert!(!list.is_primitive());
    assert_eq!(
        list.to_string(),
        "Collection(microsoft.graph.pkcs12CertificateInformation)"
    );

    let container = index
        .structured("microsoft.graph.identityContainer")
        .unwrap();
    let [connectors, owner] = container.navigation_properties.as_slice() else {
        panic!(
            "two navigation properties expected: {:?}",
            container.navigation_properties
        )
    };
    assert_eq!(connectors.name, "apiConnectors");
    assert_eq!(
        connectors.type_ref,
        tr(true, "microsoft.graph.identityApiConnector")
    );
    assert!(connectors.contains_target);
    // already qualified: left as is
    assert_eq!(owner.type_ref, tr(false, "microsoft.graph.entity"));
    assert!(!owner.contains_target);
}

#[test]
fn bound_actions_with_parameters_and_return_type() {
    let text = edmx(&format!(
        "{CONNECTORS}\n\
         <Action Name=\"uploadClientCertificate\" IsBound=\"true\">\n\
           <Parameter Name=\"bindingParameter\" Type=\"graph.identityApiConnector\" />\n\
           <Parameter Name=\"pkcs12Value\" Type=\"Edm.String\" Unicode=\"false\" />\n\
           <Parameter Name=\"password\" Type=\"Edm.String\" Nullable=\"false\" />\n\
           <ReturnType Type=\"graph.identityApiConnector\" />\n\
         </Action>\n\
         <Action Name=\"resetAll\" IsBound=\"true\">\n\
           <Parameter Name=\"bindingParameter\" Type=\"Collection(graph.identityApiConnector)\" />\n\
         </Action>\n\
         <Action Name=\"unbound\">\n\
           <Parameter Name=\"name\" Type=\"Edm.String\" />\n\
         </Action>\n\
         <Function Name=\"count\" IsBound=\"true\">\n\
           <Parameter Name=\"bindingParameter\" Type=\"graph.identityApiConnector\" />\n\
           <ReturnType Type=\"Edm.Int32\" Nullable=\"false\" />\n\
         </Function>"
    ));
    let doc = parse(&text).unwrap();
    let schema = &doc.schemas[0];
    assert_eq!(schema.actions.len(), 3);
    assert_eq!(schema.functions.len(), 1);
    assert_eq!(
        schema.functions[0].return_type,
        Some(tr(false, "Edm.Int32"))
    );

    let upload = &schema.actions[0];
    assert_eq!(
        upload.qualified_name,
        "microsoft.graph.uploadClientCertificate"
    );
    assert!(upload.is_bound);
    assert_eq!(
        upload.binding_type(),
        Some(&tr(false, "microsoft.graph.identityApiConnector"))
    );
    let body: Vec<(&str, bool)> = upload
        .body_parameters()
        .iter()
        .map(|p| (p.name.as_str(), p.nullable))
        .collect();
    assert_eq!(body, [("pkcs12Value", true), ("password", false)]);
    assert_eq!(
        upload.return_type,
        Some(tr(false, "microsoft.graph.identityApiConnector"))
    );

    let unbound = &schema.actions[2];
    assert!(!unbound.is_bound);
    assert_eq!(unbound.binding_type(), None);
    assert_eq!(unbound.body_parameters().len(), 1);
    assert_eq!(unbound.return_type, None);

    // only single-entity bindings of the type or its bases count as the entity's bound actions
    let index = Index::new(&doc);
    let connector = index
        .structured("microsoft.graph.identityApiConnector")
        .unwrap();
    let bound: Vec<&str> = index
        .bound_actions(connector)
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(bound, ["uploadClientCertificate"]);
    assert_eq!(
        index
            .action("microsoft.graph.resetAll")
            .map(|a| a.name.as_str()),
        Some("resetAll")
    );
}

#[test]
fn entity_container_singletons_and_entity_sets() {
    let text = edmx(&format!(
        "{CONNECTORS}\n\
         <EntityContainer Name=\"GraphService\">\n\
           <EntitySet Name=\"connectors\" EntityType=\"graph.identityApiConnector\" />\n\
           <Singleton Name=\"identity\" Type=\"microsoft.graph.identityContainer\">\n\
             <NavigationPropertyBinding Path=\"apiConnectors\" Target=\"connectors\" />\n\
           </Singleton>\n\
         </EntityContainer>"
    ));
    let doc = parse(&text).unwrap();
    let container = doc.schemas[0].container.as_ref().expect("container");
    assert_eq!(container.name, "GraphService");
    assert_eq!(container.singletons.len(), 1);
    assert_eq!(container.singletons[0].name, "identity");
    assert_eq!(
        container.singletons[0].type_name,
        "microsoft.graph.identityContainer"
    );
    assert_eq!(container.entity_sets.len(), 1);
    assert_eq!(container.entity_sets[0].name, "connectors");
    assert_eq!(
        container.entity_sets[0].type_name,
        "microsoft.graph.identityApiConnector"
    );
    // the span covers the whole element
    let set = &container.singletons[0];
    assert!(text[set.span.clone()].starts_with("<Singleton Name=\"identity\""));
    assert!(text[set.span.clone()].ends_with("</Singleton>"));
    assert_eq!(
        Index::new(&doc)
            .singleton("identity")
            .map(|s| s.name.as_str()),
        Some("identity")
    );
}

const CONFIGURATION: &str = r#"
<EntityType Name="identityApiConnector" />
<ComplexType Name="userFlowApiConnectorConfiguration">
  <NavigationProperty Name="postFederationSignup" Type="graph.identityApiConnector" ContainsTarget="true">
    <Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">
      <Record>
        <PropertyValue Property="Referenceable" Bool="true" />
      </Record>
    </Annotation>
  </NavigationProperty>
  <NavigationProperty Name="postAttributeCollection" Type="graph.identityApiConnector" ContainsTarget="true">
    <Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">
      <Record>
        <PropertyValue Property="Referenceable"><Bool>false</Bool></PropertyValue>
      </Record>
    </Annotation>
  </NavigationProperty>
  <NavigationProperty Name="preTokenIssuance" Type="graph.identityApiConnector" ContainsTarget="true" />
</ComplexType>
<Annotations Target="graph.userFlowApiConnectorConfiguration/preTokenIssuance">
  <Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">
    <Record>
      <PropertyValue Property="Referenceable" Bool="true" />
      <PropertyValue Property="Navigability">
        <EnumMember>Org.OData.Capabilities.V1.NavigationType/Single</EnumMember>
      </PropertyValue>
    </Record>
  </Annotation>
  <Annotation Term="Org.OData.Core.V1.Revisions">
    <Collection>
      <Record>
        <PropertyValue Property="Date" Date="2021-08-24" />
        <PropertyValue Property="Version" String="2021-05/x" />
      </Record>
    </Collection>
  </Annotation>
</Annotations>
"#;

#[test]
fn inline_navigation_restrictions() {
    let doc = parse(&edmx(CONFIGURATION)).unwrap();
    let index = Index::new(&doc);
    let config = index
        .structured("microsoft.graph.userFlowApiConnectorConfiguration")
        .unwrap();
    let navs = &config.navigation_properties;
    assert_eq!(navs.len(), 3);
    assert!(navs[0].is_referenceable(), "Bool attribute");
    assert_eq!(
        navs[0].annotations[0]
            .value
            .record_property("Referenceable"),
        Some(&AnnotationValue::Bool(true))
    );
    assert!(!navs[1].is_referenceable(), "<Bool>false</Bool> element");
    assert_eq!(
        navs[1].annotations[0]
            .value
            .record_property("Referenceable"),
        Some(&AnnotationValue::Bool(false))
    );
    assert!(!navs[2].is_referenceable(), "no inline annotation");
    assert!(navs[2].annotations.is_empty());
}

#[test]
fn out_of_line_annotations_resolve_their_target() {
    let doc = parse(&edmx(CONFIGURATION)).unwrap();
    let blocks = &doc.schemas[0].annotations;
    assert_eq!(blocks.len(), 1);
    assert_eq!(
        blocks[0].target,
        "microsoft.graph.userFlowApiConnectorConfiguration/preTokenIssuance"
    );

    let index = Index::new(&doc);
    let found =
        index.annotations_for("microsoft.graph.userFlowApiConnectorConfiguration/preTokenIssuance");
    assert_eq!(found.len(), 2);
    let owned: Vec<_> = found.iter().map(|a| (*a).clone()).collect();
    assert!(graph_csdl::model::referenceable(&owned));
    assert_eq!(
        found[0].value.record_property("Navigability"),
        Some(&AnnotationValue::EnumMember(
            "Org.OData.Capabilities.V1.NavigationType/Single".into()
        ))
    );
    assert_eq!(found[1].term, "Org.OData.Core.V1.Revisions");
    let AnnotationValue::Collection(items) = &found[1].value else {
        panic!("a collection expected, got {:?}", found[1].value)
    };
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].record_property("Date"),
        Some(&AnnotationValue::Date("2021-08-24".into()))
    );
    assert_eq!(
        items[0].record_property("Version"),
        Some(&AnnotationValue::String("2021-05/x".into()))
    );
    assert!(
        index
            .annotations_for("microsoft.graph.userFlowApiConnectorConfiguration")
            .is_empty()
    );
}

#[test]
fn enum_members_with_and_without_values() {
    let text = edmx(
        r#"<EnumType Name="userFlowType">
             <Member Name="signUp" Value="1" />
             <Member Name="signIn" Value="2" />
             <Member Name="unknownFutureValue" Value="7" />
           </EnumType>
           <EnumType Name="flags" IsFlags="true">
             <Member Name="none" />
             <Member Name="negative" Value="-3" />
           </EnumType>"#,
    );
    let doc = parse(&text).unwrap();
    let index = Index::new(&doc);
    let flow = index.enum_type("microsoft.graph.userFlowType").unwrap();
    assert!(!flow.is_flags);
    let members: Vec<(&str, Option<i64>)> = flow
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(
        members,
        [
            ("signUp", Some(1)),
            ("signIn", Some(2)),
            ("unknownFutureValue", Some(7))
        ]
    );
    let flags = index.enum_type("microsoft.graph.flags").unwrap();
    assert!(flags.is_flags);
    let members: Vec<(&str, Option<i64>)> = flags
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(members, [("none", None), ("negative", Some(-3))]);
}

#[test]
fn unknown_elements_and_attributes_are_ignored() {
    let with_extras = edmx(
        r#"<TypeDefinition Name="future" UnderlyingType="Edm.String" />
           <Term Name="someTerm" Type="Edm.String" />
           <EntityType Name="identityApiConnector" Future="yes" xmlns:x="urn:x" x:extra="1">
             <x:Unknown><Property Name="hidden" Type="Edm.String" /></x:Unknown>
             <Property Name="displayName" Type="Edm.String" MaxLength="256" Precision="3" />
             <FutureElement Name="z"><Deeper /></FutureElement>
           </EntityType>"#,
    );
    let plain = edmx(
        r#"<EntityType Name="identityApiConnector">
             <Property Name="displayName" Type="Edm.String" />
           </EntityType>"#,
    );
    let a = parse(&with_extras).unwrap();
    let b = parse(&plain).unwrap();
    let (ta, tb) = (&a.schemas[0].types, &b.schemas[0].types);
    assert_eq!(ta.len(), 1);
    assert_eq!(
        ta[0].properties, tb[0].properties,
        "the property inside <x:Unknown> is not picked up"
    );
    assert_eq!(ta[0].navigation_properties, tb[0].navigation_properties);
    assert!(a.schemas[0].enums.is_empty());
}

#[test]
fn several_schemas_resolve_each_others_aliases() {
    let text = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="entity" Abstract="true" />
    </Schema>
    <Schema Namespace="microsoft.graph.identityGovernance" Alias="identityGovernance" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="workflow" BaseType="graph.entity">
        <Property Name="owner" Type="identityGovernance.task" />
      </EntityType>
      <ComplexType Name="task" />
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;
    let doc = parse(text).unwrap();
    assert_eq!(doc.schemas.len(), 2);
    let index = Index::new(&doc);
    let wf = index
        .structured("microsoft.graph.identityGovernance.workflow")
        .unwrap();
    assert_eq!(wf.base_type.as_deref(), Some("microsoft.graph.entity"));
    assert_eq!(
        wf.properties[0].type_ref,
        tr(false, "microsoft.graph.identityGovernance.task")
    );
}

/// The 1-based line and column of the first occurrence of `needle`.
fn position_of(text: &str, needle: &str) -> Location {
    Location::of(text, text.find(needle).expect("needle in text"))
}

#[test]
fn mismatched_end_tag_reports_its_line_and_column() {
    let text = edmx(
        "<EntityType Name=\"a\">\n  <Property Name=\"x\" Type=\"Edm.String\" />\n  </ComplexType>\n</EntityType>",
    );
    let err = parse(&text).unwrap_err();
    let CsdlError::Xml { at, message } = &err else {
        panic!("an XML error expected, got {err:?}")
    };
    // line 4 is `<EntityType ...>`, so the bad end tag is on line 6, after two spaces
    assert_eq!(
        position_of(&text, "</ComplexType>"),
        Location { line: 6, column: 3 }
    );
    assert_eq!(*at, Location { line: 6, column: 3 }, "{err}");
    assert!(message.contains("ComplexType"), "{message}");
    assert!(err.to_string().contains("line 6, column 3"), "{err}");
}

#[test]
fn unclosed_constructs_report_where_they_start() {
    let head = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"urn:x\">\n<edmx:DataServices>\n  <Schema Namespace=\"x\">\n";
    for (rest, what) in [
        (
            "    <!-- never closed\n  </Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n",
            "comment not closed",
        ),
        ("    <EnumType Name=\"e\"\n", "tag not closed"),
        (
            "    <EnumType Name='e\"/>\n</Schema>\n",
            "attribute value not closed",
        ),
    ] {
        let text = format!("{head}{rest}");
        let err = parse(&text).unwrap_err();
        let CsdlError::Xml { at, message } = &err else {
            panic!("an XML error expected, got {err:?}")
        };
        // the construct starts on line 4, after four spaces
        assert_eq!(*at, Location { line: 4, column: 5 }, "{err}");
        assert!(message.contains(what), "{message}");
        assert!(
            err.to_string()
                .starts_with("malformed XML at line 4, column 5: "),
            "{err}"
        );
    }
}

#[test]
fn truncated_document_is_an_error() {
    let full = edmx(CONNECTORS);
    let cut = &full[..full.find("<EntityType Name=\"identityContainer\"").unwrap()];
    let err = parse(cut).unwrap_err();
    let CsdlError::Xml { at, message } = &err else {
        panic!("an XML error expected, got {err:?}")
    };
    assert!(
        message.contains("end of document") || message.contains("unclosed"),
        "{message}"
    );
    // reported at the end of the text
    assert_eq!(*at, Location::of(cut, cut.len()), "{err}");
    assert!(parse("").is_err(), "an empty text is not a CSDL document");
}

#[test]
fn missing_required_attribute_names_element_and_attribute() {
    let cases = [
        (
            "<EntityType><Property Name=\"x\" Type=\"Edm.String\" /></EntityType>",
            "EntityType",
            "Name",
        ),
        (
            "<EntityType Name=\"a\"><Property Name=\"x\" /></EntityType>",
            "Property",
            "Type",
        ),
        (
            "<EntityType Name=\"a\"><NavigationProperty Type=\"graph.a\" /></EntityType>",
            "NavigationProperty",
            "Name",
        ),
        (
            "<EnumType Name=\"e\"><Member Value=\"1\" /></EnumType>",
            "Member",
            "Name",
        ),
        (
            "<Action Name=\"a\" IsBound=\"true\"><Parameter Name=\"p\" /></Action>",
            "Parameter",
            "Type",
        ),
        (
            "<EntityContainer Name=\"c\"><Singleton Name=\"identity\" /></EntityContainer>",
            "Singleton",
            "Type",
        ),
        (
            "<EntityContainer Name=\"c\"><EntitySet Name=\"s\" Type=\"graph.a\" /></EntityContainer>",
            "EntitySet",
            "EntityType",
        ),
        (
            "<Annotations><Annotation Term=\"t\" /></Annotations>",
            "Annotations",
            "Target",
        ),
    ];
    for (body, element, attribute) in cases {
        let text = edmx(body);
        let err = parse(&text).unwrap_err();
        let CsdlError::Structure { at, message } = &err else {
            panic!("{body}: a structure error expected, got {err:?}")
        };
        assert!(
            message.contains(&format!("<{element}>")),
            "{body}: {message}"
        );
        assert!(message.contains(attribute), "{body}: {message}");
        let expected = position_of(&text, &format!("<{element}"));
        assert_eq!(*at, expected, "{body}: {err}");
        assert!(err.to_string().contains(&expected.to_string()), "{err}");
    }
    let missing_namespace = "<edmx:Edmx xmlns:edmx=\"urn:x\"><edmx:DataServices><Schema Alias=\"g\" /></edmx:DataServices></edmx:Edmx>";
    let err = parse(missing_namespace).unwrap_err();
    assert!(
        err.to_string()
            .contains("<Schema> has no Namespace attribute"),
        "{err}"
    );
}

#[test]
fn bad_enum_value_is_reported() {
    let text = edmx("<EnumType Name=\"e\">\n<Member Name=\"a\" Value=\"one\" />\n</EnumType>");
    let err = parse(&text).unwrap_err();
    let CsdlError::Structure { at, message } = &err else {
        panic!("got {err:?}")
    };
    assert_eq!(*at, Location { line: 5, column: 1 });
    assert!(message.contains("\"one\""), "{message}");
}

#[test]
fn other_xml_is_not_csdl() {
    let err = parse("<?xml version=\"1.0\"?>\n<feed><entry /></feed>").unwrap_err();
    let CsdlError::Structure { at, message } = &err else {
        panic!("got {err:?}")
    };
    assert!(message.contains("root element is <feed>"), "{message}");
    assert_eq!(*at, Location { line: 2, column: 1 });

    let err = parse("<?xml version=\"1.0\"?>\n<!-- nothing -->\n").unwrap_err();
    assert!(
        err.to_string().contains("no <edmx:Edmx> root element"),
        "{err}"
    );
}

#[test]
fn the_committed_specs_parse() {
    for (file, text) in [
        ("beta", include_str!("../../../spec/beta/identity.csdl.xml")),
        ("v1.0", include_str!("../../../spec/v1.0/identity.csdl.xml")),
    ] {
        let doc = parse(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let index = Index::new(&doc);
        let connector = index
            .structured("microsoft.graph.identityApiConnector")
            .expect(file);
        let names: Vec<&str> = index
            .all_properties(connector)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "id",
                "authenticationConfiguration",
                "displayName",
                "targetUrl"
            ],
            "{file}"
        );
        assert_eq!(
            index
                .all_derived("microsoft.graph.apiAuthenticationConfigurationBase")
                .len(),
            3,
            "{file}"
        );
        let upload = index.action("uploadClientCertificate").expect(file);
        assert_eq!(upload.parameters.len(), 3, "{file}");
    }
}

#[test]
fn malformed_attributes_are_errors_not_silently_dropped() {
    let head = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"urn:x\">\n<edmx:DataServices>\n  <Schema Namespace=\"x\">\n";
    for (element, what) in [
        (
            "    <EnumType Name=\"e\" IsFlags=true />\n",
            "bad attribute",
        ),
        ("    <EnumType Name=\"e\" Name=\"f\" />\n", "bad attribute"),
        (
            "    <EnumType Name=\"&bogus;\" />\n",
            "bad value of attribute Name",
        ),
    ] {
        let text = format!("{head}{element}  </Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n");
        let err = parse(&text).unwrap_err();
        let CsdlError::Xml { at, message } = &err else {
            panic!("an XML error expected for {element:?}, got {err:?}")
        };
        assert_eq!(*at, Location { line: 4, column: 5 }, "{err}");
        assert!(message.contains(what), "{element:?}: {message}");
    }
}
