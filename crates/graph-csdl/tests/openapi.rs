//! CSDL → OpenAPI conversion of the committed specs and of edited copies of them.

use std::collections::BTreeSet;

use graph_csdl::codegen::Target;
use graph_csdl::openapi::{Conversion, Options, Polymorphic, Profile, convert, primitive_schema};
use graph_csdl::rust::{RustPaths, polymorphic_enums};
use graph_csdl::{CsdlError, parse};
use serde_json::{Value, json};

const SPEC_BETA: &str = include_str!("../../../spec/beta/identity.csdl.xml");
const SPEC_V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");

fn convert_text(text: &str, version: &str) -> Result<Conversion, CsdlError> {
    convert(&parse(text)?, &Options::new(version))
}

fn beta() -> Conversion {
    convert_text(SPEC_BETA, "beta").unwrap()
}

fn v1() -> Conversion {
    convert_text(SPEC_V1, "v1.0").unwrap()
}

/// `(METHOD path)` pairs of a converted document.
fn operations(c: &Conversion) -> BTreeSet<String> {
    c.json["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect()
}

fn op<'a>(c: &'a Conversion, method: &str, path: &str) -> &'a Value {
    let v = &c.json["paths"][path][method];
    assert!(v.is_object(), "no {method} {path}");
    v
}

fn schema<'a>(c: &'a Conversion, name: &str) -> &'a Value {
    let v = &c.json["components"]["schemas"][name];
    assert!(v.is_object(), "no schema {name}");
    v
}

/// Replace `old` (which must occur exactly once) by `new`.
fn edit(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "{old:?} must occur once");
    text.replacen(old, new, 1)
}

const COMMON: &[&str] = &[
    "GET /identity/apiConnectors",
    "POST /identity/apiConnectors",
    "GET /identity/apiConnectors/{id}",
    "PATCH /identity/apiConnectors/{id}",
    "DELETE /identity/apiConnectors/{id}",
    "POST /identity/apiConnectors/{id}/uploadClientCertificate",
    "GET /identity/b2xUserFlows",
    "POST /identity/b2xUserFlows",
    "GET /identity/b2xUserFlows/{id}",
    "DELETE /identity/b2xUserFlows/{id}",
    "GET /identity/b2xUserFlows/{id}/apiConnectorConfiguration",
    "PUT /identity/b2xUserFlows/{id}/apiConnectorConfiguration/postAttributeCollection/$ref",
    "PUT /identity/b2xUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref",
];

const BETA_ONLY: &[&str] = &[
    "GET /identity/b2cUserFlows",
    "POST /identity/b2cUserFlows",
    "GET /identity/b2cUserFlows/{id}",
    "DELETE /identity/b2cUserFlows/{id}",
    "GET /identity/b2cUserFlows/{id}/apiConnectorConfiguration",
    "PUT /identity/b2cUserFlows/{id}/apiConnectorConfiguration/postAttributeCollection/$ref",
    "PUT /identity/b2cUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref",
];

/// Custom authentication extensions, events flows and listeners: only the v1.0 spec has them.
const V1_ONLY: &[&str] = &[
    "GET /identity/customAuthenticationExtensions",
    "POST /identity/customAuthenticationExtensions",
    "GET /identity/customAuthenticationExtensions/{id}",
    "PATCH /identity/customAuthenticationExtensions/{id}",
    "DELETE /identity/customAuthenticationExtensions/{id}",
    "POST /identity/customAuthenticationExtensions/{id}/validateAuthenticationConfiguration",
    "POST /identity/customAuthenticationExtensions/validateAuthenticationConfiguration",
    "GET /identity/authenticationEventsFlows",
    "POST /identity/authenticationEventsFlows",
    "GET /identity/authenticationEventsFlows/{id}",
    "PATCH /identity/authenticationEventsFlows/{id}",
    "DELETE /identity/authenticationEventsFlows/{id}",
    "GET /identity/authenticationEventsFlows/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes",
    "POST /identity/authenticationEventsFlows/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/$ref",
    "DELETE /identity/authenticationEventsFlows/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/{attributeId}/$ref",
    "GET /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications",
    "POST /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications",
    "GET /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications/{appId}",
    "DELETE /identity/authenticationEventsFlows/{id}/conditions/applications/includeApplications/{appId}",
    "GET /identity/authenticationEventListeners",
    "POST /identity/authenticationEventListeners",
    "GET /identity/authenticationEventListeners/{id}",
    "PATCH /identity/authenticationEventListeners/{id}",
    "DELETE /identity/authenticationEventListeners/{id}",
];

#[test]
fn v1_paths_and_methods() {
    let expected: BTreeSet<String> = COMMON
        .iter()
        .chain(V1_ONLY)
        .map(|s| s.to_string())
        .collect();
    assert_eq!(operations(&v1()), expected);
}

#[test]
fn v1_operation_ids_of_custom_extensions() {
    let c = v1();
    let ids: Vec<&str> = c
        .operations
        .iter()
        .map(String::as_str)
        .filter(|id| {
            !id.contains("api_connector")
                && !id.contains("b2x")
                && *id != "upload_client_certificate"
        })
        .collect();
    assert_eq!(
        ids,
        [
            "list_custom_authentication_extensions",
            "create_custom_authentication_extension",
            "get_custom_authentication_extension",
            "update_custom_authentication_extension",
            "delete_custom_authentication_extension",
            "validate_custom_authentication_extension_authentication_configuration",
            "validate_custom_authentication_extensions_authentication_configuration",
            "list_authentication_events_flows",
            "create_authentication_events_flow",
            "get_authentication_events_flow",
            "update_authentication_events_flow",
            "delete_authentication_events_flow",
            "list_authentication_events_flow_attributes",
            "add_authentication_events_flow_attributes_ref",
            "remove_authentication_events_flow_attributes_ref",
            "list_authentication_events_flow_include_applications",
            "create_authentication_events_flow_include_application",
            "get_authentication_events_flow_include_application",
            "delete_authentication_events_flow_include_application",
            "list_authentication_event_listeners",
            "create_authentication_event_listener",
            "get_authentication_event_listener",
            "update_authentication_event_listener",
            "delete_authentication_event_listener",
        ]
    );
    // the entity roots are tagged enums: list, create, get and update use them
    for (root, poly) in [
        (
            "customAuthenticationExtensions",
            "customAuthenticationExtension",
        ),
        ("authenticationEventsFlows", "authenticationEventsFlow"),
        (
            "authenticationEventListeners",
            "authenticationEventListener",
        ),
    ] {
        let tagged = json!({ "$ref": format!("#/components/schemas/{poly}") });
        let item = &c.json["paths"][format!("/identity/{root}/{{id}}")];
        assert_eq!(
            item["patch"]["requestBody"]["content"]["application/json"]["schema"],
            tagged
        );
        assert_eq!(
            item["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            tagged
        );
        assert_eq!(
            schema(&c, &format!("{poly}CollectionResponse"))["properties"]["value"]["items"],
            tagged
        );
    }
    let validate = c
        .polymorphic
        .iter()
        .find(|p| p.schema == "customAuthenticationExtension")
        .unwrap();
    let variants: Vec<&str> = validate.variants.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        variants,
        [
            "onAttributeCollectionStartCustomExtension",
            "onAttributeCollectionSubmitCustomExtension",
            "onOtpSendCustomExtension",
            "onPasswordSubmitCustomExtension",
            "onTokenIssuanceStartCustomExtension",
            "onVerifiedIdClaimValidationCustomExtension",
        ]
    );
}

#[test]
fn beta_paths_and_methods_add_b2c_user_flows() {
    let expected: BTreeSet<String> = COMMON
        .iter()
        .chain(BETA_ONLY)
        .map(|s| s.to_string())
        .collect();
    assert_eq!(operations(&beta()), expected);
    assert!(
        v1().json["paths"]
            .as_object()
            .unwrap()
            .keys()
            .all(|p| !p.contains("b2c"))
    );
}

#[test]
fn document_header() {
    for (c, version) in [(beta(), "beta"), (v1(), "v1.0")] {
        assert_eq!(c.json["openapi"], "3.0.3");
        assert_eq!(c.json["info"]["version"], version);
        assert_eq!(
            c.json["servers"][0]["url"],
            format!("https://graph.microsoft.com/{version}")
        );
        assert_eq!(
            c.openapi.paths.paths.len(),
            c.json["paths"].as_object().unwrap().len()
        );
    }
}

#[test]
fn operation_ids() {
    let c = beta();
    assert_eq!(
        c.operations,
        [
            "list_api_connectors",
            "create_api_connector",
            "get_api_connector",
            "update_api_connector",
            "delete_api_connector",
            "upload_client_certificate",
            "list_b2c_user_flows",
            "create_b2c_user_flow",
            "get_b2c_user_flow",
            "delete_b2c_user_flow",
            "get_b2c_user_flow_api_connector_configuration",
            "set_b2c_user_flow_post_attribute_collection_ref",
            "set_b2c_user_flow_post_federation_signup_ref",
            "list_b2x_user_flows",
            "create_b2x_user_flow",
            "get_b2x_user_flow",
            "delete_b2x_user_flow",
            "get_b2x_user_flow_api_connector_configuration",
            "set_b2x_user_flow_post_attribute_collection_ref",
            "set_b2x_user_flow_post_federation_signup_ref",
        ]
    );
    assert_eq!(
        op(&c, "get", "/identity/apiConnectors")["operationId"],
        "list_api_connectors"
    );
    assert_eq!(
        op(
            &c,
            "put",
            "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref"
        )["operationId"],
        "set_b2x_user_flow_post_federation_signup_ref"
    );
}

/// The success status and its body schema `$ref` (if any) of an operation.
fn success(op: &Value) -> (String, Option<String>) {
    let responses = op["responses"].as_object().unwrap();
    let ok: Vec<&String> = responses.keys().filter(|k| k.starts_with('2')).collect();
    assert_eq!(ok.len(), 1, "one success response: {responses:?}");
    let body = responses[ok[0]]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .map(str::to_string);
    if body.is_none() {
        assert!(
            responses[ok[0]].get("content").is_none(),
            "no body: {:?}",
            responses[ok[0]]
        );
    }
    (ok[0].clone(), body)
}

#[test]
fn status_codes_and_bodies() {
    let c = beta();
    let s = |name: &str| Some(format!("#/components/schemas/{name}"));
    let cases = [
        (
            "get",
            "/identity/apiConnectors",
            "200",
            s("identityApiConnectorCollectionResponse"),
        ),
        (
            "post",
            "/identity/apiConnectors",
            "201",
            s("identityApiConnector"),
        ),
        (
            "get",
            "/identity/apiConnectors/{id}",
            "200",
            s("identityApiConnector"),
        ),
        ("patch", "/identity/apiConnectors/{id}", "204", None),
        ("delete", "/identity/apiConnectors/{id}", "204", None),
        (
            "post",
            "/identity/apiConnectors/{id}/uploadClientCertificate",
            "200",
            s("identityApiConnector"),
        ),
        (
            "get",
            "/identity/b2xUserFlows/{id}/apiConnectorConfiguration",
            "200",
            s("userFlowApiConnectorConfiguration"),
        ),
        (
            "put",
            "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/postAttributeCollection/$ref",
            "204",
            None,
        ),
        (
            "get",
            "/identity/b2cUserFlows",
            "200",
            s("b2cIdentityUserFlowCollectionResponse"),
        ),
    ];
    for (method, path, status, body) in cases {
        assert_eq!(
            success(op(&c, method, path)),
            (status.to_string(), body),
            "{method} {path}"
        );
    }
    let bodies = [
        ("post", "/identity/apiConnectors", "identityApiConnector"),
        (
            "patch",
            "/identity/apiConnectors/{id}",
            "identityApiConnector",
        ),
        (
            "post",
            "/identity/apiConnectors/{id}/uploadClientCertificate",
            "uploadClientCertificateRequest",
        ),
        (
            "put",
            "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/postFederationSignup/$ref",
            "ReferenceUpdate",
        ),
    ];
    for (method, path, name) in bodies {
        let body = &op(&c, method, path)["requestBody"];
        assert_eq!(body["required"], true, "{method} {path}");
        assert_eq!(
            body["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{name}"),
            "{method} {path}"
        );
    }
    for (method, path) in [
        ("get", "/identity/apiConnectors"),
        ("delete", "/identity/apiConnectors/{id}"),
    ] {
        assert!(
            op(&c, method, path).get("requestBody").is_none(),
            "{method} {path}"
        );
    }
}

#[test]
fn every_operation_maps_4xx_and_5xx_to_odata_error() {
    for c in [beta(), v1()] {
        for (path, item) in c.json["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let r = &op["responses"];
                assert_eq!(r.as_object().unwrap().len(), 3, "{method} {path}: {r}");
                assert_eq!(
                    r["4XX"],
                    json!({ "$ref": "#/components/responses/error" }),
                    "{method} {path}"
                );
                assert_eq!(
                    r["5XX"],
                    json!({ "$ref": "#/components/responses/error" }),
                    "{method} {path}"
                );
            }
        }
        let error =
            &c.json["components"]["responses"]["error"]["content"]["application/json"]["schema"];
        assert_eq!(error["$ref"], "#/components/schemas/ODataError");
        let odata_error = schema(&c, "ODataError");
        assert_eq!(odata_error["required"], json!(["error"]));
        assert_eq!(
            odata_error["properties"]["error"]["$ref"],
            "#/components/schemas/MainError"
        );
        assert_eq!(
            schema(&c, "MainError")["required"],
            json!(["code", "message"])
        );
    }
}

fn parameter_names(op: &Value) -> Vec<(String, String)> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["in"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn list_query_parameters() {
    let c = beta();
    let list = op(&c, "get", "/identity/apiConnectors");
    let names: Vec<String> = parameter_names(list)
        .into_iter()
        .map(|(at, n)| format!("{at}:{n}"))
        .collect();
    assert_eq!(
        names,
        [
            "query:$select",
            "query:$expand",
            "query:$filter",
            "query:$orderby",
            "query:$search",
            "query:$top",
            "query:$skip",
            "query:$count"
        ]
    );
    let param = |name: &str| {
        list["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    // $select and $expand are one comma-separated string, not an exploded array
    for name in ["$select", "$expand", "$filter", "$orderby", "$search"] {
        assert_eq!(param(name)["schema"], json!({ "type": "string" }), "{name}");
        assert_eq!(param(name)["required"], false, "{name}");
    }
    for name in ["$top", "$skip"] {
        assert_eq!(
            param(name)["schema"],
            json!({ "type": "integer", "format": "int64", "minimum": 0 })
        );
    }
    assert_eq!(param("$count")["schema"], json!({ "type": "boolean" }));
    assert_eq!(list["x-ms-pageable"]["nextLinkName"], "@odata.nextLink");

    let get = op(&c, "get", "/identity/apiConnectors/{id}");
    assert_eq!(
        parameter_names(get),
        [
            ("path".into(), "id".into()),
            ("query".into(), "$select".into()),
            ("query".into(), "$expand".into())
        ]
    );
    let config = op(
        &c,
        "get",
        "/identity/b2xUserFlows/{id}/apiConnectorConfiguration",
    );
    assert_eq!(parameter_names(config), parameter_names(get));
    for (method, path) in [
        ("post", "/identity/apiConnectors"),
        ("patch", "/identity/apiConnectors/{id}"),
        ("delete", "/identity/apiConnectors/{id}"),
        (
            "post",
            "/identity/apiConnectors/{id}/uploadClientCertificate",
        ),
    ] {
        assert!(
            parameter_names(op(&c, method, path))
                .iter()
                .all(|(at, _)| at == "path"),
            "{method} {path} has no query options"
        );
    }
}

#[test]
fn collection_response_schema() {
    let c = v1();
    let page = schema(&c, "identityApiConnectorCollectionResponse");
    assert_eq!(page["required"], json!(["value"]));
    assert_eq!(
        page["properties"]["value"]["items"]["$ref"],
        "#/components/schemas/identityApiConnector"
    );
    assert_eq!(
        page["properties"]["@odata.nextLink"],
        json!({ "type": "string", "nullable": true })
    );
    assert_eq!(page["properties"]["@odata.context"]["type"], "string");
}

#[test]
fn authentication_configuration_is_a_tagged_one_of() {
    for c in [beta(), v1()] {
        let base = schema(&c, "apiAuthenticationConfigurationBase");
        assert_eq!(base["discriminator"]["propertyName"], "@odata.type");
        assert_eq!(
            base["discriminator"]["mapping"],
            json!({
                "#microsoft.graph.basicAuthentication": "#/components/schemas/basicAuthentication",
                "#microsoft.graph.clientCertificateAuthentication": "#/components/schemas/clientCertificateAuthentication",
                "#microsoft.graph.pkcs12Certificate": "#/components/schemas/pkcs12Certificate",
            })
        );
        let one_of = base["oneOf"].as_array().unwrap();
        assert_eq!(one_of.len(), 3);
        for (member, name) in one_of.iter().zip([
            "basicAuthentication",
            "clientCertificateAuthentication",
            "pkcs12Certificate",
        ]) {
            assert_eq!(
                member["allOf"][0]["$ref"],
                format!("#/components/schemas/{name}")
            );
            assert_eq!(member["allOf"][1]["required"], json!(["@odata.type"]));
            assert_eq!(
                member["allOf"][1]["properties"]["@odata.type"]["enum"],
                json!([format!("#microsoft.graph.{name}")])
            );
        }
        // the abstract base has no object schema of its own
        assert!(
            c.json["components"]["schemas"]
                .get("apiAuthenticationConfigurationBaseObject")
                .is_none()
        );
        assert_eq!(
            schema(&c, "identityApiConnector")["properties"]["authenticationConfiguration"],
            json!({ "$ref": "#/components/schemas/apiAuthenticationConfigurationBase" })
        );
        assert_eq!(
            schema(&c, "clientCertificateAuthentication")["properties"]["certificateList"],
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/pkcs12CertificateInformation" } })
        );
        assert_eq!(
            c.polymorphic[..1],
            [Polymorphic {
                schema: "apiAuthenticationConfigurationBase".into(),
                qualified_name: "microsoft.graph.apiAuthenticationConfigurationBase".into(),
                variants: vec![
                    (
                        "#microsoft.graph.basicAuthentication".into(),
                        "basicAuthentication".into()
                    ),
                    (
                        "#microsoft.graph.clientCertificateAuthentication".into(),
                        "clientCertificateAuthentication".into()
                    ),
                    (
                        "#microsoft.graph.pkcs12Certificate".into(),
                        "pkcs12Certificate".into()
                    ),
                ],
                default_variant: None,
            }]
        );
    }
}

#[test]
fn v1_user_flow_attribute_is_polymorphic_with_a_concrete_base() {
    // v1.0 has identityBuiltInUserFlowAttribute and identityCustomUserFlowAttribute; the beta fragment does not
    assert_eq!(beta().polymorphic.len(), 1);
    let c = v1();
    let names: Vec<&str> = c.polymorphic.iter().map(|p| p.schema.as_str()).collect();
    assert_eq!(
        names,
        [
            "apiAuthenticationConfigurationBase",
            "authenticationEventListener",
            "authenticationEventsFlow",
            "customAuthenticationExtension",
            "customExtensionAuthenticationConfiguration",
            "customExtensionBehaviorOnError",
            "customExtensionEndpointConfiguration",
            "fraudProtectionConfiguration",
            "identityUserFlowAttribute",
            "onAttributeCollectionHandler",
            "onAttributeCollectionStartHandler",
            "onAttributeCollectionSubmitHandler",
            "onAuthenticationMethodLoadStartHandler",
            "onFraudProtectionLoadStartHandler",
            "onInteractiveAuthFlowStartHandler",
            "onOtpSendHandler",
            "onPasswordSubmitHandler",
            "onTokenIssuanceStartHandler",
            "onUserCreateStartHandler",
            "onVerifiedIdClaimValidationHandler",
        ]
    );
    assert_eq!(
        c.polymorphic[8],
        Polymorphic {
            schema: "identityUserFlowAttribute".into(),
            qualified_name: "microsoft.graph.identityUserFlowAttribute".into(),
            variants: vec![
                (
                    "#microsoft.graph.identityUserFlowAttribute".into(),
                    "identityUserFlowAttributeObject".into()
                ),
                (
                    "#microsoft.graph.identityBuiltInUserFlowAttribute".into(),
                    "identityBuiltInUserFlowAttribute".into()
                ),
                (
                    "#microsoft.graph.identityCustomUserFlowAttribute".into(),
                    "identityCustomUserFlowAttribute".into()
                ),
            ],
            default_variant: Some("identityUserFlowAttributeObject".into()),
        }
    );
    let object = schema(&c, "identityUserFlowAttributeObject");
    let names: Vec<&String> = object["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "dataType",
            "description",
            "displayName",
            "id",
            "userFlowAttributeType"
        ]
    );
    // derived entity types carry the inherited properties
    assert_eq!(
        schema(&c, "identityBuiltInUserFlowAttribute")["properties"],
        object["properties"]
    );
    assert_eq!(
        schema(&c, "identityUserFlowAttributeAssignment")["properties"]["userAttribute"],
        json!({ "$ref": "#/components/schemas/identityUserFlowAttribute" })
    );
    let code = polymorphic_enums(&c.polymorphic, &rust_paths());
    assert!(code.contains(
        "::std::option::Option::None => tagged.into_variant().map(Self::IdentityUserFlowAttributeObject),"
    ));
}

#[test]
fn entity_properties_are_optional_and_flattened() {
    let c = beta();
    let connector = schema(&c, "identityApiConnector");
    assert_eq!(connector["type"], "object");
    assert!(
        connector.get("required").is_none(),
        "entity properties are never required: {connector}"
    );
    assert!(connector.get("allOf").is_none());
    let names: Vec<&String> = connector["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        names,
        [
            "authenticationConfiguration",
            "displayName",
            "id",
            "targetUrl"
        ]
    );
    assert_eq!(connector["properties"]["id"], json!({ "type": "string" }));
    assert_eq!(
        connector["properties"]["displayName"],
        json!({ "type": "string", "nullable": true })
    );
    // the base `entity` is not emitted: nothing refers to it once properties are flattened
    assert!(c.json["components"]["schemas"].get("entity").is_none());
}

#[test]
fn pre_token_issuance_has_no_ref_path_in_beta() {
    let c = beta();
    let config = schema(&c, "userFlowApiConnectorConfiguration");
    let navs: Vec<&String> = config["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        navs,
        [
            "postAttributeCollection",
            "postFederationSignup",
            "preTokenIssuance"
        ]
    );
    assert_eq!(
        config["properties"]["preTokenIssuance"]["$ref"],
        "#/components/schemas/identityApiConnector"
    );
    let paths = c.json["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| !p.contains("preTokenIssuance")),
        "{:?}",
        paths.keys()
    );
    assert!(paths.contains_key(
        "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/postAttributeCollection/$ref"
    ));
    let v1 = v1();
    assert!(
        schema(&v1, "userFlowApiConnectorConfiguration")["properties"]
            .get("preTokenIssuance")
            .is_none()
    );
}

#[test]
fn referenceable_out_of_line_makes_a_ref_path() {
    // NavigationRestrictions/Referenceable given in an <Annotations> block counts as well as the inline form
    let text = edit(
        SPEC_BETA,
        "    </Schema>",
        "      <Annotations Target=\"graph.userFlowApiConnectorConfiguration/preTokenIssuance\">\n\
         <Annotation Term=\"Org.OData.Capabilities.V1.NavigationRestrictions\">\
         <Record><PropertyValue Property=\"Referenceable\" Bool=\"true\" /></Record></Annotation>\n\
         </Annotations>\n    </Schema>",
    );
    let c = convert_text(&text, "beta").unwrap();
    let put = op(
        &c,
        "put",
        "/identity/b2xUserFlows/{id}/apiConnectorConfiguration/preTokenIssuance/$ref",
    );
    assert_eq!(
        put["operationId"],
        "set_b2x_user_flow_pre_token_issuance_ref"
    );
    assert!(
        c.operations
            .contains(&"set_b2c_user_flow_pre_token_issuance_ref".to_string())
    );
}

#[test]
fn secrets_refer_to_secret_string() {
    for c in [beta(), v1()] {
        let secret = json!({ "$ref": "#/components/schemas/secretString" });
        assert_eq!(
            schema(&c, "basicAuthentication")["properties"]["password"],
            secret
        );
        assert_eq!(
            schema(&c, "basicAuthentication")["properties"]["username"],
            json!({ "type": "string", "nullable": true })
        );
        assert_eq!(
            schema(&c, "pkcs12Certificate")["properties"]["password"],
            secret
        );
        assert_eq!(
            schema(&c, "pkcs12Certificate")["properties"]["pkcs12Value"],
            secret
        );
        assert_eq!(
            schema(&c, "identityProvider")["properties"]["clientSecret"],
            secret
        );
        let upload = schema(&c, "uploadClientCertificateRequest");
        assert_eq!(upload["properties"]["password"], secret);
        assert_eq!(upload["properties"]["pkcs12Value"], secret);
        assert_eq!(upload["required"], json!(["pkcs12Value", "password"]));
        assert_eq!(
            schema(&c, "secretString"),
            &json!({
                "type": "string",
                "format": "password",
                "description": "A write-only secret. Graph returns it masked as `******`.",
            })
        );
    }
}

#[test]
fn a_secret_must_be_a_string() {
    let text = edit(
        SPEC_V1,
        "<Property Name=\"password\" Type=\"Edm.String\" />\n        <Property Name=\"username\"",
        "<Property Name=\"password\" Type=\"Edm.Int32\" />\n        <Property Name=\"username\"",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    assert_eq!(
        err,
        CsdlError::Model {
            element: "microsoft.graph.basicAuthentication/password".into(),
            message: "a secret property must be an Edm.String".into(),
        }
    );
}

#[test]
fn edm_primitive_mapping() {
    let c = beta();
    let info = schema(&c, "pkcs12CertificateInformation");
    assert_eq!(
        info["properties"]["notAfter"],
        json!({ "type": "integer", "format": "int64" })
    );
    assert_eq!(info["properties"]["isActive"], json!({ "type": "boolean" }));
    assert_eq!(
        info["properties"]["thumbprint"],
        json!({ "type": "string", "nullable": true })
    );
    // non-nullable members of a complex type are required, nullable ones are not
    assert_eq!(
        info["required"],
        json!(["isActive", "notAfter", "notBefore"])
    );
    let flow = schema(&c, "b2xIdentityUserFlow");
    assert_eq!(
        flow["properties"]["userFlowTypeVersion"],
        json!({ "type": "number", "format": "float" })
    );
    assert_eq!(
        flow["properties"]["userFlowType"],
        json!({ "$ref": "#/components/schemas/userFlowType" })
    );
    assert_eq!(
        flow["properties"]["languages"],
        json!({ "type": "array", "items": { "$ref": "#/components/schemas/userFlowLanguageConfiguration" } })
    );
    assert_eq!(
        schema(&c, "b2cIdentityUserFlow")["properties"]["isLanguageCustomizationEnabled"],
        json!({ "type": "boolean" })
    );

    for (edm, expected) in [
        ("Edm.String", json!({ "type": "string" })),
        ("Edm.Boolean", json!({ "type": "boolean" })),
        ("Edm.Int32", json!({ "type": "integer", "format": "int32" })),
        ("Edm.Int64", json!({ "type": "integer", "format": "int64" })),
        ("Edm.Single", json!({ "type": "number", "format": "float" })),
        (
            "Edm.Double",
            json!({ "type": "number", "format": "double" }),
        ),
        ("Edm.Guid", json!({ "type": "string", "format": "uuid" })),
        (
            "Edm.DateTimeOffset",
            json!({ "type": "string", "format": "date-time" }),
        ),
        ("Edm.Date", json!({ "type": "string", "format": "date" })),
    ] {
        assert_eq!(primitive_schema(edm), Some(expected), "{edm}");
    }
    assert_eq!(primitive_schema("Edm.Geography"), None);
    assert_eq!(primitive_schema("microsoft.graph.entity"), None);
}

#[test]
fn enums_keep_every_member_including_unknown_future_value() {
    let c = beta();
    assert_eq!(
        schema(&c, "userFlowType"),
        &json!({
            "type": "string",
            "description": "`microsoft.graph.userFlowType`",
            "enum": ["signUp", "signIn", "signUpOrSignIn", "passwordReset", "profileUpdate", "resourceOwner", "unknownFutureValue"],
        })
    );
    assert_eq!(
        schema(&c, "identityUserFlowAttributeInputType")["enum"],
        json!([
            "textBox",
            "dateTimeDropdown",
            "radioSingleSelect",
            "dropdownSingleSelect",
            "emailBox",
            "checkboxMultiSelect"
        ])
    );
}

#[test]
fn an_unsupported_primitive_names_the_property() {
    let text = edit(
        SPEC_BETA,
        "<Property Name=\"targetUrl\" Type=\"Edm.String\" />",
        "<Property Name=\"targetUrl\" Type=\"Edm.Geography\" />",
    );
    let err = convert_text(&text, "beta").unwrap_err();
    assert_eq!(
        err,
        CsdlError::Model {
            element: "microsoft.graph.identityApiConnector/targetUrl".into(),
            message: "unsupported primitive type `Edm.Geography`".into(),
        }
    );
}

#[test]
fn an_undefined_property_type_names_the_property() {
    let text = edit(
        SPEC_BETA,
        "<Property Name=\"displayName\" Type=\"Edm.String\" />\n        <Property Name=\"targetUrl\"",
        "<Property Name=\"displayName\" Type=\"graph.localizedName\" />\n        <Property Name=\"targetUrl\"",
    );
    let err = convert_text(&text, "beta").unwrap_err();
    let CsdlError::Model { element, message } = &err else {
        panic!("got {err:?}")
    };
    assert_eq!(element, "microsoft.graph.identityApiConnector/displayName");
    assert!(
        message.contains("`microsoft.graph.localizedName` is not defined"),
        "{message}"
    );
    assert!(
        err.to_string()
            .contains("microsoft.graph.identityApiConnector/displayName"),
        "{err}"
    );
}

#[test]
fn an_undefined_base_type_names_the_type() {
    let text = edit(
        SPEC_V1,
        "<ComplexType Name=\"basicAuthentication\" BaseType=\"graph.apiAuthenticationConfigurationBase\">",
        "<ComplexType Name=\"basicAuthentication\" BaseType=\"graph.authenticationBase\">",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    assert_eq!(
        err,
        CsdlError::Model {
            element: "microsoft.graph.basicAuthentication".into(),
            message: "base type `microsoft.graph.authenticationBase` is not defined in the spec"
                .into(),
        }
    );
}

#[test]
fn an_inheritance_cycle_is_reported() {
    let text = edit(
        SPEC_V1,
        "<ComplexType Name=\"apiAuthenticationConfigurationBase\" Abstract=\"true\" />",
        "<ComplexType Name=\"apiAuthenticationConfigurationBase\" Abstract=\"true\" BaseType=\"graph.basicAuthentication\" />",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    let CsdlError::Model { element, message } = &err else {
        panic!("got {err:?}")
    };
    assert_eq!(message, "inheritance cycle");
    assert!(
        element.ends_with("apiAuthenticationConfigurationBase")
            || element.ends_with("basicAuthentication")
    );
}

#[test]
fn missing_singleton_or_root_is_reported() {
    let text = edit(
        SPEC_V1,
        "<Singleton Name=\"identity\"",
        "<Singleton Name=\"identityV2\"",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    assert_eq!(
        err,
        CsdlError::model("EntityContainer", "no singleton `identity`")
    );

    let text = edit(
        SPEC_V1,
        "<NavigationProperty Name=\"apiConnectors\"",
        "<NavigationProperty Name=\"connectors\"",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    assert_eq!(
        err,
        CsdlError::model(
            "microsoft.graph.identityContainer",
            "no navigation property `apiConnectors`"
        )
    );

    // b2cUserFlows is optional in the profile: its absence is how v1.0 differs; so are the roots
    // of custom authentication extensions, which only the v1.0 spec has
    let profile = Profile::api_connectors();
    let optional: Vec<&str> = profile
        .roots
        .iter()
        .filter(|r| !r.required)
        .map(|r| r.navigation.as_str())
        .collect();
    assert_eq!(
        optional,
        [
            "b2cUserFlows",
            "customAuthenticationExtensions",
            "authenticationEventsFlows",
            "authenticationEventListeners"
        ]
    );
}

#[test]
fn a_root_must_be_a_contained_collection() {
    let text = edit(
        SPEC_V1,
        "<NavigationProperty Name=\"apiConnectors\" Type=\"Collection(graph.identityApiConnector)\" ContainsTarget=\"true\" />",
        "<NavigationProperty Name=\"apiConnectors\" Type=\"Collection(graph.identityApiConnector)\" />",
    );
    let err = convert_text(&text, "v1.0").unwrap_err();
    assert_eq!(
        err,
        CsdlError::model(
            "microsoft.graph.identityContainer/apiConnectors",
            "a root must be a contained collection"
        )
    );
}

#[test]
fn conversion_is_deterministic() {
    let a = serde_json::to_string(&beta().json).unwrap();
    let b = serde_json::to_string(&beta().json).unwrap();
    assert_eq!(a, b);
}

fn rust_paths() -> RustPaths {
    RustPaths {
        types: "crate::beta::types".into(),
        runtime: "crate::odata".into(),
        json_schema: true,
    }
}

/// A target like the build script's: the code is included in `crate::beta`.
fn target() -> Target {
    Target::new(
        "crate::beta",
        "crate::transport::Transport",
        "crate::Secret",
        "crate::odata",
    )
    .with_json_schema(true)
}

/// The build script's Rust for a conversion, with white space removed; the secret and polymorphic
/// schemas are replaced by handwritten types.
fn progenitor_code(c: &Conversion) -> String {
    graph_csdl::codegen::generate(c, &target())
        .unwrap()
        .replace([' ', '\n'], "")
}

#[test]
fn json_schema_impls_follow_the_target() {
    let c = beta();
    let with = progenitor_code(&c);
    let without = graph_csdl::codegen::generate(&c, &target().with_json_schema(false))
        .unwrap()
        .replace([' ', '\n'], "");
    // progenitor's derives on every type, and the hand-rolled impl on the polymorphic enums
    assert!(with.contains("schemars::JsonSchema"), "derive missing");
    assert!(with.contains("impl::schemars::JsonSchemaforApiAuthenticationConfigurationBase"));
    assert!(
        !without.contains("JsonSchema"),
        "JsonSchema without the schema target"
    );
    assert!(!without.contains("schemars"));
    // nothing else differs: the same types and operations are generated
    for item in [
        "pubstructIdentityApiConnector",
        "pubenumApiAuthenticationConfigurationBase",
    ] {
        assert!(with.contains(item) && without.contains(item), "{item}");
    }
}

#[test]
fn a_new_property_changes_the_openapi_and_the_generated_code() {
    let text = edit(
        SPEC_BETA,
        "<Property Name=\"displayName\" Type=\"Edm.String\" />\n        <Property Name=\"targetUrl\"",
        "<Property Name=\"description\" Type=\"Edm.String\" />\n        \
         <Property Name=\"displayName\" Type=\"Edm.String\" />\n        <Property Name=\"targetUrl\"",
    );
    let before = beta();
    let after = convert_text(&text, "beta").unwrap();
    assert!(
        schema(&before, "identityApiConnector")["properties"]
            .get("description")
            .is_none()
    );
    assert_eq!(
        schema(&after, "identityApiConnector")["properties"]["description"],
        json!({ "type": "string", "nullable": true })
    );
    // nothing else changes
    let mut patched = before.json.clone();
    patched["components"]["schemas"]["identityApiConnector"]["properties"]["description"] =
        json!({ "type": "string", "nullable": true });
    assert_eq!(
        serde_json::to_string(&patched).unwrap(),
        serde_json::to_string(&after.json).unwrap()
    );

    let field = "pubdescription:::std::option::Option<::std::string::String>";
    let old = progenitor_code(&before);
    let new = progenitor_code(&after);
    assert!(!struct_body(&old, "IdentityApiConnector").contains(field));
    let body = struct_body(&new, "IdentityApiConnector");
    assert!(body.contains(field), "{body}");
}

/// The fields of the first `pub struct NAME { ... }` in spaceless token text.
fn struct_body<'a>(code: &'a str, name: &str) -> &'a str {
    let start = code
        .find(&format!("pubstruct{name}{{"))
        .unwrap_or_else(|| panic!("no struct {name}"));
    let end = start + code[start..].find('}').unwrap();
    &code[start..end]
}

#[test]
fn a_new_authentication_type_adds_an_enum_variant() {
    let text = edit(
        SPEC_BETA,
        "<ComplexType Name=\"pkcs12Certificate\"",
        "<ComplexType Name=\"oAuth2ClientCredentialsAuthentication\" BaseType=\"graph.apiAuthenticationConfigurationBase\">\n\
           <Property Name=\"clientId\" Type=\"Edm.String\" />\n\
           <Property Name=\"clientSecret\" Type=\"Edm.String\" />\n\
           <Property Name=\"tokenEndpoint\" Type=\"Edm.String\" />\n\
         </ComplexType>\n      <ComplexType Name=\"pkcs12Certificate\"",
    );
    let before = beta();
    let after = convert_text(&text, "beta").unwrap();
    let tag = "#microsoft.graph.oAuth2ClientCredentialsAuthentication";
    assert_eq!(after.polymorphic[0].variants.len(), 4);
    assert_eq!(
        after.polymorphic[0].variants[2],
        (
            tag.to_string(),
            "oAuth2ClientCredentialsAuthentication".to_string()
        )
    );
    let base = schema(&after, "apiAuthenticationConfigurationBase");
    assert_eq!(
        base["discriminator"]["mapping"][tag],
        "#/components/schemas/oAuth2ClientCredentialsAuthentication"
    );
    let new_schema = schema(&after, "oAuth2ClientCredentialsAuthentication");
    assert_eq!(
        new_schema["properties"]["clientSecret"]["$ref"],
        "#/components/schemas/secretString"
    );

    let old = polymorphic_enums(&before.polymorphic, &rust_paths());
    let new = polymorphic_enums(&after.polymorphic, &rust_paths());
    // the variant and the struct it wraps carry the name progenitor gives the schema
    let variant = "OAuth2ClientCredentialsAuthentication(crate::beta::types::OAuth2ClientCredentialsAuthentication),";
    assert!(!old.contains("ClientCredentialsAuthentication"));
    assert!(new.contains(variant), "{new}");
    assert!(new.contains(
        "Some(\"microsoft.graph.oAuth2ClientCredentialsAuthentication\") => tagged.into_variant()"
    ));
    assert!(new.contains(&format!("serialize_tagged({tag:?}, v, serializer)")));
    // progenitor emits the struct the new variant wraps
    let code = progenitor_code(&after);
    let body = struct_body(&code, "OAuth2ClientCredentialsAuthentication");
    assert!(
        body.contains("pubclient_secret:::std::option::Option<crate::Secret>"),
        "{body}"
    );
}

#[test]
fn polymorphic_enum_code_for_the_committed_spec() {
    let code = polymorphic_enums(&beta().polymorphic, &rust_paths());
    for needle in [
        "pub enum ApiAuthenticationConfigurationBase {",
        "BasicAuthentication(crate::beta::types::BasicAuthentication),",
        "ClientCertificateAuthentication(crate::beta::types::ClientCertificateAuthentication),",
        "Pkcs12Certificate(crate::beta::types::Pkcs12Certificate),",
        "Unknown(crate::odata::UnknownType),",
        "Self::BasicAuthentication(_) => ::std::option::Option::Some(\"#microsoft.graph.basicAuthentication\"),",
        "Some(\"microsoft.graph.pkcs12Certificate\") => tagged.into_variant().map(Self::Pkcs12Certificate),",
        "_ => ::std::result::Result::Ok(Self::Unknown(tagged.into_unknown())),",
    ] {
        assert!(code.contains(needle), "missing {needle:?} in\n{code}");
    }
    // abstract base: no variant for a missing @odata.type, so it is kept as Unknown
    assert!(!code.contains("::std::option::Option::None => tagged.into_variant()"));
}

#[test]
fn a_concrete_polymorphic_base_gets_an_object_variant_and_a_default() {
    // make the base concrete: it then is its own variant and the default for a missing @odata.type
    let text = edit(
        SPEC_V1,
        "<ComplexType Name=\"apiAuthenticationConfigurationBase\" Abstract=\"true\" />",
        "<ComplexType Name=\"apiAuthenticationConfigurationBase\">\n<Property Name=\"note\" Type=\"Edm.String\" />\n</ComplexType>",
    );
    let c = convert_text(&text, "v1.0").unwrap();
    let poly = &c.polymorphic[0];
    assert_eq!(
        poly.default_variant.as_deref(),
        Some("apiAuthenticationConfigurationBaseObject")
    );
    assert_eq!(
        poly.variants[0],
        (
            "#microsoft.graph.apiAuthenticationConfigurationBase".to_string(),
            "apiAuthenticationConfigurationBaseObject".to_string()
        )
    );
    assert_eq!(
        schema(&c, "apiAuthenticationConfigurationBaseObject")["properties"]["note"],
        json!({ "type": "string", "nullable": true })
    );
    // derived types inherit the base's properties
    assert!(
        schema(&c, "basicAuthentication")["properties"]
            .get("note")
            .is_some()
    );
    let code = polymorphic_enums(&c.polymorphic, &rust_paths());
    assert!(code.contains(
        "::std::option::Option::None => tagged.into_variant().map(Self::ApiAuthenticationConfigurationBaseObject),"
    ));
    // the document still converts into progenitor code
    assert!(progenitor_code(&c).contains("pubstructApiAuthenticationConfigurationBaseObject{"));
}
