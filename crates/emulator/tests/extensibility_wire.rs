//! External ID's extensibility resources over the wire, with plain reqwest and the Graph fixtures
//! (`tests/fixtures/graph/custom-extensions/`, copies of Microsoft's examples): custom
//! authentication extensions, `validateAuthenticationConfiguration`, authentication events flows
//! with their applications and attributes, and event listeners. A documented response's members
//! must all be in the emulator's answer ([`assert_documented_fields`]).

mod support;

use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, EmulatorConfig, GraphVersion, ServicePrincipal, TenantKind,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Emu, Resp, fixture};

/// The apps of the fixtures (the flow examples' and the listener examples').
const FLOW_APP: &str = "63856651-13d9-4784-9abf-20758d509e19";
const LISTENER_APP: &str = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";
const EXTENSIONS: &str = "/identity/customAuthenticationExtensions";
const FLOWS: &str = "/identity/authenticationEventsFlows";
const LISTENERS: &str = "/identity/authenticationEventListeners";
const ATTRIBUTES: &str = "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes";

fn ext(name: &str) -> Value {
    fixture(&format!("custom-extensions/{name}"))
}

/// Every member of `documented` is in `actual`, recursively (objects member by member, arrays
/// by their first element).
fn assert_documented_fields(actual: &Value, documented: &Value, at: &str) {
    match (actual, documented) {
        (Value::Object(a), Value::Object(d)) => {
            for (k, dv) in d {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}: no `{k}` in {actual}"));
                assert_documented_fields(av, dv, &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(d)) => {
            if let (Some(af), Some(df)) = (a.first(), d.first()) {
                assert_documented_fields(af, df, &format!("{at}[0]"));
            }
        }
        _ => {}
    }
}

async fn external() -> Emu {
    Emu::start(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(FLOW_APP, "Woodgrove Drive"))
            .service_principal(ServicePrincipal::new(LISTENER_APP, "Contoso app")),
    )
    .await
}

async fn v1(emu: &Emu, method: Method, path: &str, body: Option<&Value>) -> Resp {
    emu.send(method, &emu.url(GraphVersion::V1, path), body)
        .await
}

async fn created(emu: &Emu, path: &str, body: &Value) -> Value {
    let r = v1(emu, Method::POST, path, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "POST {path}: {}", r.text);
    r.json()
}

#[tokio::test]
async fn extensions_of_every_type_are_created_as_documented() {
    let emu = external().await;
    for kind in [
        "token_issuance_start",
        "attribute_collection_start",
        "attribute_collection_submit",
        "otp_send",
    ] {
        let request = ext(&format!(
            "create_custom_authentication_extension_{kind}_request.json"
        ));
        let documented = ext(&format!(
            "create_custom_authentication_extension_{kind}_response.json"
        ));
        let r = v1(&emu, Method::POST, EXTENSIONS, Some(&request)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.text);
        let body = r.json();
        assert_documented_fields(&body, &documented, kind);
        assert_eq!(body["@odata.type"], request["@odata.type"], "{kind}");
        assert_eq!(
            body["endpointConfiguration"]["targetUrl"],
            request["endpointConfiguration"]["targetUrl"]
        );
        let id = body["id"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
        assert!(
            r.header("location")
                .ends_with(&format!("{EXTENSIONS}/{id}")),
            "{}",
            r.header("location")
        );
        assert_eq!(
            body["@odata.context"],
            format!(
                "{}/v1.0/$metadata#identity/customAuthenticationExtensions/$entity",
                emu.emu.base_url()
            )
        );
    }
    assert_eq!(emu.emu.custom_extensions().len(), 4);
}

#[tokio::test]
async fn extension_create_requires_a_known_concrete_type() {
    let emu = external().await;
    let mut body =
        ext("create_custom_authentication_extension_attribute_collection_start_request.json");
    body.as_object_mut().unwrap().remove("@odata.type");
    let r = v1(&emu, Method::POST, EXTENSIONS, Some(&body)).await;
    r.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    body["@odata.type"] = json!("#microsoft.graph.onPhoneCallCustomExtension");
    let r = v1(&emu, Method::POST, EXTENSIONS, Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(emu.emu.custom_extensions().is_empty());
}

#[tokio::test]
async fn extensions_get_patch_list_and_delete() {
    let emu = external().await;
    let one = created(
        &emu,
        EXTENSIONS,
        &ext("create_custom_authentication_extension_token_issuance_start_request.json"),
    )
    .await;
    let id = one["id"].as_str().unwrap().to_owned();
    created(
        &emu,
        EXTENSIONS,
        &ext("create_custom_authentication_extension_attribute_collection_start_request.json"),
    )
    .await;
    let r = v1(&emu, Method::GET, &format!("{EXTENSIONS}/{id}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_documented_fields(
        &r.json(),
        &ext("get_custom_authentication_extension_response.json"),
        "get",
    );

    let r = v1(
        &emu,
        Method::PATCH,
        &format!("{EXTENSIONS}/{id}"),
        Some(&json!({
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
            "displayName": "renamed",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    let r = v1(
        &emu,
        Method::PATCH,
        &format!("{EXTENSIONS}/{id}"),
        Some(&ext("update_custom_authentication_extension_request.json")),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let got = v1(&emu, Method::GET, &format!("{EXTENSIONS}/{id}"), None)
        .await
        .json();
    assert_eq!(got["displayName"], "onTokenIssuanceStartCustomExtension");

    // The documented filter, $top paging and $select.
    let r = v1(
        &emu,
        Method::GET,
        &format!(
            "{EXTENSIONS}?$filter=isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')"
        ),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.json();
    assert_documented_fields(
        &list,
        &ext("list_custom_authentication_extensions_response.json"),
        "list",
    );
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    assert_eq!(list["value"][0]["id"], id.as_str());
    let page = v1(&emu, Method::GET, &format!("{EXTENSIONS}?$top=1"), None)
        .await
        .json();
    assert_eq!(page["value"].as_array().unwrap().len(), 1);
    let next = page["@odata.nextLink"].as_str().expect("a next link");
    let rest = emu.send(Method::GET, next, None).await.json();
    assert_eq!(rest["value"].as_array().unwrap().len(), 1);
    assert!(rest.get("@odata.nextLink").is_none());
    let selected = v1(
        &emu,
        Method::GET,
        &format!("{EXTENSIONS}?$select=displayName"),
        None,
    )
    .await
    .json();
    let first = selected["value"][0].as_object().unwrap();
    assert!(first.contains_key("displayName"));
    assert!(!first.contains_key("endpointConfiguration"), "{first:?}");

    let r = v1(&emu, Method::DELETE, &format!("{EXTENSIONS}/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = v1(&emu, Method::GET, &format!("{EXTENSIONS}/{id}"), None).await;
    r.assert_error(StatusCode::NOT_FOUND, "itemNotFound");
}

#[tokio::test]
async fn validate_authentication_configuration_reports_the_documented_checks() {
    let emu = external().await;
    // The docs' request: the resource id's host differs from the target's, its app is unknown.
    let r = v1(
        &emu,
        Method::POST,
        &format!("{EXTENSIONS}/validateAuthenticationConfiguration"),
        Some(&ext("validate_authentication_configuration_request.json")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_documented_fields(
        &body,
        &ext("validate_authentication_configuration_response.json"),
        "validate",
    );
    let codes = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        codes(&body["errors"]),
        ["DomainNameDoesNotMatch", "ServicePrincipalNotFound"]
    );
    assert_eq!(
        body["errors"][0]["message"],
        "The fully qualified domain name in resourceId should match that of the targetUrl"
    );

    // The by-id form checks a stored extension: the fixture's is well formed but its app has a
    // service principal without the receive-payload grant here.
    let emu = Emu::start(
        EmulatorConfig::new(TenantKind::External).service_principal(
            ServicePrincipal::new("fb96de85-2abe-4b02-b45f-64ba122c509e", "API")
                .without_receive_payload_grant(),
        ),
    )
    .await;
    let one = created(
        &emu,
        EXTENSIONS,
        &ext("create_custom_authentication_extension_attribute_collection_start_request.json"),
    )
    .await;
    let r = v1(
        &emu,
        Method::POST,
        &format!(
            "{EXTENSIONS}/{}/validateAuthenticationConfiguration",
            one["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_documented_fields(
        &body,
        &ext("validate_authentication_configuration_by_id_response.json"),
        "by id",
    );
    assert_eq!(codes(&body["errors"]), Vec::<String>::new());
    assert_eq!(
        codes(&body["warnings"]),
        ["PermissionNotGrantedToServicePrincipal"]
    );

    // http to a non-loopback host, a malformed resource id.
    let r = v1(
        &emu,
        Method::POST,
        &format!("{EXTENSIONS}/validateAuthenticationConfiguration"),
        Some(&json!({
            "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "http://contoso.com/api"},
            "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "contoso"},
        })),
    )
    .await;
    assert_eq!(
        codes(&r.json()["errors"]),
        ["IncorrectResourceIdFormat", "IncorrectTargetUrlFormat"]
    );
}

#[tokio::test]
async fn events_flows_crud_with_applications_and_attributes() {
    let emu = external().await;
    let r = v1(
        &emu,
        Method::POST,
        FLOWS,
        Some(&ext(
            "create_authentication_events_flow_with_application_request.json",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let flow = r.json();
    assert_documented_fields(
        &flow,
        &ext("create_authentication_events_flow_with_application_response.json"),
        "create",
    );
    assert_eq!(flow["priority"], 500);
    let id = flow["id"].as_str().unwrap().to_owned();
    let base = format!("{FLOWS}/{id}");

    // The documented application filter finds it.
    let r = v1(
        &emu,
        Method::GET,
        &format!("{FLOWS}?$filter=microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/any(appId:appId/appId eq '{FLOW_APP}')"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.json();
    assert_documented_fields(
        &list,
        &ext("list_authentication_events_flows_filter_application_response.json"),
        "filter",
    );
    assert_eq!(list["value"][0]["id"], id.as_str());

    // Applications.
    let apps = format!("{base}/conditions/applications/includeApplications");
    let r = v1(&emu, Method::GET, &apps, None).await;
    assert_documented_fields(
        &r.json(),
        &ext("list_include_applications_response.json"),
        "apps",
    );
    let r = v1(
        &emu,
        Method::POST,
        &apps,
        Some(&json!({"@odata.type": "#microsoft.graph.authenticationConditionApplication", "appId": DEFAULT_CLIENT_ID})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_documented_fields(
        &r.json(),
        &ext("add_include_application_response.json"),
        "add app",
    );
    let r = v1(
        &emu,
        Method::GET,
        &format!("{apps}/{DEFAULT_CLIENT_ID}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["appId"], DEFAULT_CLIENT_ID);
    let r = v1(
        &emu,
        Method::DELETE,
        &format!("{apps}/{DEFAULT_CLIENT_ID}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        emu.emu.events_flows()[0].include_applications,
        vec![FLOW_APP.to_owned()]
    );
    // An app without a service principal cannot be added.
    let r = v1(
        &emu,
        Method::POST,
        &apps,
        Some(&json!({"appId": "99999999-9999-4999-8999-999999999999"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // Attributes: list, add by $ref, remove by $ref.
    let attrs = format!("{base}/{ATTRIBUTES}");
    let r = v1(&emu, Method::GET, &attrs, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_documented_fields(
        &r.json(),
        &ext("list_user_flow_attributes_response.json"),
        "attrs",
    );
    let r = v1(
        &emu,
        Method::POST,
        &format!("{attrs}/$ref"),
        Some(&ext("add_user_flow_attribute_request.json")),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let ids = |emu: &Emu| {
        emu.emu.events_flows()[0]
            .on_attribute_collection
            .as_ref()
            .unwrap()
            .attributes
            .clone()
    };
    assert_eq!(ids(&emu), ["email", "displayName", "city"]);
    let r = v1(&emu, Method::DELETE, &format!("{attrs}/city/$ref"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(ids(&emu), ["email", "displayName"]);

    // PATCH, get, delete.
    let r = v1(
        &emu,
        Method::PATCH,
        &base,
        Some(&ext("update_authentication_events_flow_request.json")),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let got = v1(&emu, Method::GET, &base, None).await.json();
    assert_eq!(got["displayName"], "New user flow description");
    assert_eq!(got["priority"], 200);
    let r = v1(&emu, Method::DELETE, &base, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    v1(&emu, Method::GET, &base, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "itemNotFound");
}

#[tokio::test]
async fn flow_handlers_name_an_extension_of_their_event() {
    let emu = external().await;
    let start = created(
        &emu,
        EXTENSIONS,
        &ext("create_custom_authentication_extension_attribute_collection_start_request.json"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = ext("create_authentication_events_flow_request.json");
    body["onAttributeCollectionSubmit"] = json!({
        "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
        "customExtension": {"id": start},
    });
    let r = v1(&emu, Method::POST, FLOWS, Some(&body)).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a start extension at submit: {}",
        r.text
    );
    body["onAttributeCollectionStart"] = body
        .as_object_mut()
        .unwrap()
        .remove("onAttributeCollectionSubmit")
        .unwrap();
    body["onAttributeCollectionStart"]["@odata.type"] =
        json!("#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler");
    let flow = created(&emu, FLOWS, &body).await;
    assert_eq!(
        flow["onAttributeCollectionStart"]["customExtension"]["id"],
        start.as_str()
    );
    // The flow's handler shows as a listener of the flow.
    let listeners = emu.emu.listeners();
    assert_eq!(listeners.len(), 1);
    assert_eq!(
        listeners[0].authentication_events_flow_id.as_deref(),
        flow["id"].as_str()
    );
}

#[tokio::test]
async fn listeners_crud() {
    let emu = external().await;
    let extension = created(
        &emu,
        EXTENSIONS,
        &ext("create_custom_authentication_extension_token_issuance_start_request.json"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = ext("create_authentication_event_listener_request.json");
    body["handler"]["customExtension"]["id"] = json!(extension);
    let r = v1(&emu, Method::POST, LISTENERS, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let listener = r.json();
    assert_documented_fields(
        &listener,
        &ext("create_authentication_event_listener_response.json"),
        "create",
    );
    let id = listener["id"].as_str().unwrap().to_owned();
    let got = v1(&emu, Method::GET, &format!("{LISTENERS}/{id}"), None).await;
    assert_eq!(got.status, StatusCode::OK);
    let got = got.json();
    assert_eq!(
        got["@odata.type"],
        "#microsoft.graph.onTokenIssuanceStartListener"
    );
    assert_eq!(
        got["conditions"]["applications"]["includeApplications"][0]["appId"],
        LISTENER_APP
    );
    // Without $expand the handler names its extension by id; the docs' list has it expanded.
    let list = v1(&emu, Method::GET, LISTENERS, None).await.json();
    assert_eq!(
        list["value"][0]["handler"]["customExtension"],
        json!({"id": extension})
    );
    let list = v1(
        &emu,
        Method::GET,
        &format!("{LISTENERS}?$expand=handler/customExtension"),
        None,
    )
    .await
    .json();
    assert_documented_fields(
        &list,
        &ext("list_authentication_event_listeners_response.json"),
        "list",
    );
    let r = v1(
        &emu,
        Method::PATCH,
        &format!("{LISTENERS}/{id}"),
        Some(&json!({
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "conditions": {"applications": {"includeApplications": [{"appId": DEFAULT_CLIENT_ID}]}},
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(emu.emu.listeners()[0].applies_to(DEFAULT_CLIENT_ID));
    // A handler naming no existing extension is refused.
    body["handler"]["customExtension"]["id"] = json!("00000000-0000-4000-8000-000000000000");
    let r = v1(&emu, Method::POST, LISTENERS, Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = v1(&emu, Method::DELETE, &format!("{LISTENERS}/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(emu.emu.listeners().is_empty());
}

#[tokio::test]
async fn tenant_kinds_and_authentication() {
    // Azure AD B2C tenants have none of these APIs.
    let b2c = Emu::b2c().await;
    for path in [EXTENSIONS, FLOWS, LISTENERS] {
        v1(&b2c, Method::GET, path, None)
            .await
            .assert_error(StatusCode::FORBIDDEN, "AADB2C");
    }
    // Workforce tenants: extensions and listeners of token issuance start, no events flows.
    let workforce = Emu::start(EmulatorConfig::new(TenantKind::Workforce)).await;
    let r = v1(
        &workforce,
        Method::POST,
        EXTENSIONS,
        Some(&ext(
            "create_custom_authentication_extension_token_issuance_start_request.json",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = v1(
        &workforce,
        Method::POST,
        EXTENSIONS,
        Some(&ext(
            "create_custom_authentication_extension_attribute_collection_start_request.json",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = v1(&workforce, Method::GET, FLOWS, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // No token: 401.
    let emu = external().await;
    let r = emu
        .http
        .get(emu.url(GraphVersion::V1, EXTENSIONS))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
