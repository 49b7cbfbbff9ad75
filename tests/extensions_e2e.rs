//! End to end through the client against the emulator on an external tenant: custom
//! authentication extensions, validateAuthenticationConfiguration, events flows with their
//! applications, attributes and step handlers, and event listeners.

mod support;

use entra_api_connectors::connectors::{ListOptions, Patch};
use entra_api_connectors::custom_extensions::{
    ClientConfiguration, CustomExtensionPatch, ExtensionAuthentication, ExtensionKind,
    NewCustomExtension,
};
use entra_api_connectors::event_listeners::ListenerPatch;
use entra_api_connectors::events_flows::{EventsFlowPatch, FlowStep};
use entra_api_connectors::models::ValidationModel;
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::v1::types::{
    AuthenticationEventListener, AuthenticationEventsFlow, CustomAuthenticationExtension,
};
use entra_api_connectors::{Error, Graph, V1};
use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, ServicePrincipal, TenantKind,
};
use futures::TryStreamExt;
use serde_json::{Value, json};

/// The API app the extensions authenticate to, with a service principal in the tenant.
const API_APP: &str = "fb96de85-2abe-4b02-b45f-64ba122c509e";
const HOST: &str = "api.contoso.example";

async fn external() -> (Emulator, Graph<V1>) {
    let emulator = Emulator::start(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso extensions API")),
    )
    .await
    .expect("emulator");
    let graph = support::emulator_client(&emulator, RetryPolicy::none()).v1();
    (emulator, graph)
}

fn extension(kind: ExtensionKind, name: &str) -> NewCustomExtension {
    NewCustomExtension::new(
        kind,
        name,
        format!("https://{HOST}/{name}"),
        format!("api://{HOST}/{API_APP}"),
    )
    .client_configuration(ClientConfiguration::new(1500, 1))
}

fn id<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).unwrap()["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[tokio::test]
async fn custom_extensions_round_trip_through_the_emulator() {
    let (emulator, graph) = external().await;
    let extensions = graph.custom_extensions();
    let token = extensions
        .create(
            &NewCustomExtension::token_issuance_start(
                "Claims",
                format!("https://{HOST}/claims"),
                format!("api://{HOST}/{API_APP}"),
                ["DateOfBirth"],
            )
            .description("claims from HR"),
        )
        .await
        .expect("create");
    assert!(matches!(
        token,
        CustomAuthenticationExtension::OnTokenIssuanceStartCustomExtension(_)
    ));
    let token_id = id(&token);
    let submit = extensions
        .create(&extension(
            ExtensionKind::AttributeCollectionSubmit,
            "submit",
        ))
        .await
        .expect("create");
    assert_eq!(emulator.custom_extensions().len(), 2);

    let all = extensions
        .list_all(ListOptions::default())
        .await
        .expect("list");
    assert_eq!(all.len(), 2);
    let filtered = extensions
        .list_all(
            ListOptions::default()
                .filter("isOf('microsoft.graph.onAttributeCollectionSubmitCustomExtension')"),
        )
        .await
        .expect("list");
    assert_eq!(filtered.iter().map(id).collect::<Vec<_>>(), [id(&submit)]);

    let patch = CustomExtensionPatch {
        display_name: Patch::Set("Claims v2".into()),
        client_configuration: Patch::Set(ClientConfiguration::new(2000, 0)),
        ..CustomExtensionPatch::new(ExtensionKind::TokenIssuanceStart)
    };
    extensions.update(&token_id, &patch).await.expect("update");
    let got = json_of(&extensions.get(&token_id, &[]).await.expect("get"));
    assert_eq!(got["displayName"], "Claims v2");
    assert_eq!(
        got["clientConfiguration"],
        json!({"timeoutInMilliseconds": 2000, "maximumRetries": 0})
    );
    assert_eq!(got["description"], "claims from HR", "PATCH keeps the rest");

    // Changing the type is refused by the emulator (§7.2): a typed Graph error.
    let wrong_type = CustomExtensionPatch {
        display_name: Patch::Set("x".into()),
        ..CustomExtensionPatch::new(ExtensionKind::OtpSend)
    };
    match extensions.update(&token_id, &wrong_type).await {
        Err(Error::Graph(g)) => assert_eq!(g.status, 400),
        other => panic!("{other:?}"),
    }

    extensions.delete(&token_id).await.expect("delete");
    match extensions.get(&token_id, &[]).await {
        Err(e) => assert!(e.is_not_found(), "{e:?}"),
        Ok(v) => panic!("still there: {v:?}"),
    }
    assert_eq!(emulator.custom_extensions().len(), 1);
}

#[tokio::test]
async fn validation_through_the_emulator() {
    let (_emulator, graph) = external().await;
    let extensions = graph.custom_extensions();
    let ok = extensions
        .validate_configuration(
            &format!("https://{HOST}/x"),
            &ExtensionAuthentication::azure_ad_token(format!("api://{HOST}/{API_APP}")),
        )
        .await
        .expect("validate");
    assert!(ok.is_valid(), "{ok:?}");
    let unknown_app = extensions
        .validate_configuration(
            &format!("https://{HOST}/x"),
            &ExtensionAuthentication::azure_ad_token(format!(
                "api://{HOST}/11111111-2222-4333-8444-555555555555"
            )),
        )
        .await
        .expect("validate");
    assert_eq!(unknown_app.error_codes(), ["ServicePrincipalNotFound"]);
    let created = extensions
        .create(&extension(ExtensionKind::AttributeCollectionStart, "start"))
        .await
        .expect("create");
    let by_id = extensions.validate(&id(&created)).await.expect("validate");
    assert!(by_id.is_valid(), "{by_id:?}");
    match extensions.validate("no-such-extension").await {
        Err(e) => assert!(e.is_not_found(), "{e:?}"),
        Ok(v) => panic!("{v:?}"),
    }
}

#[tokio::test]
async fn events_flows_applications_attributes_and_handlers() {
    let (emulator, graph) = external().await;
    let flows = graph.events_flows();
    let new: AuthenticationEventsFlow = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
        "displayName": "Sign up",
        "onAuthenticationMethodLoadStart": {
            "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            "identityProviders": [{"id": "EmailPassword-OAUTH"}]
        },
        "onInteractiveAuthFlowStart": {
            "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "isSignUpAllowed": true
        },
        "onAttributeCollection": {
            "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
            "attributes": [{"id": "email"}],
            "attributeCollectionPage": {"views": [{"inputs": [
                {"attribute": "email", "label": "Email", "inputType": "text"}
            ]}]}
        }
    }))
    .unwrap();
    let created = flows.create(&new).await.expect("create");
    let flow_id = id(&created);
    // The emulator defaults `priority` to 500; the open type keeps it.
    assert_eq!(json_of(&created)["priority"], 500);

    flows
        .add_application(&flow_id, DEFAULT_CLIENT_ID)
        .await
        .expect("add app");
    let apps: Vec<_> = flows
        .applications(&flow_id)
        .try_collect()
        .await
        .expect("apps");
    assert_eq!(apps.len(), 1);
    let found = flows
        .find_by_application(DEFAULT_CLIENT_ID)
        .await
        .expect("find")
        .expect("the flow of the app");
    assert_eq!(id(&found), flow_id);

    flows
        .add_attribute(&flow_id, "city")
        .await
        .expect("add attribute");
    let attributes: Vec<_> = flows
        .attributes(&flow_id)
        .try_collect()
        .await
        .expect("attrs");
    let ids: Vec<String> = attributes.iter().map(id).collect();
    assert!(ids.contains(&"city".to_string()), "{ids:?}");
    flows
        .remove_attribute(&flow_id, "city")
        .await
        .expect("remove");
    let attributes: Vec<_> = flows
        .attributes(&flow_id)
        .try_collect()
        .await
        .expect("attrs");
    assert!(!attributes.iter().map(id).any(|a| a == "city"));

    let submit = graph
        .custom_extensions()
        .create(&extension(
            ExtensionKind::AttributeCollectionSubmit,
            "submit",
        ))
        .await
        .expect("extension");
    flows
        .attach_extension(&flow_id, FlowStep::AttributeCollectionSubmit, &id(&submit))
        .await
        .expect("attach");
    let got = json_of(&flows.get(&flow_id).await.expect("get"));
    assert_eq!(
        got["onAttributeCollectionSubmit"]["customExtension"]["id"],
        json!(id(&submit))
    );
    // The wrong kind of extension for the step is refused.
    match flows
        .attach_extension(&flow_id, FlowStep::AttributeCollectionStart, &id(&submit))
        .await
    {
        Err(Error::Graph(g)) => assert_eq!(g.status, 400),
        other => panic!("{other:?}"),
    }
    flows
        .detach(&flow_id, FlowStep::AttributeCollectionSubmit)
        .await
        .expect("detach");
    let got = json_of(&flows.get(&flow_id).await.expect("get"));
    assert!(got["onAttributeCollectionSubmit"].is_null(), "{got}");

    let rename = EventsFlowPatch {
        display_name: Patch::Set("Sign up v2".into()),
        priority: Patch::Set(200),
        ..EventsFlowPatch::default()
    };
    flows.update(&flow_id, &rename).await.expect("update");
    let got = json_of(&flows.get(&flow_id).await.expect("get"));
    assert_eq!(
        (got["displayName"].clone(), got["priority"].clone()),
        (json!("Sign up v2"), json!(200))
    );

    flows
        .remove_application(&flow_id, DEFAULT_CLIENT_ID)
        .await
        .expect("remove app");
    flows.delete(&flow_id).await.expect("delete");
    assert!(emulator.events_flows().is_empty());
}

#[tokio::test]
async fn token_issuance_listeners() {
    let (emulator, graph) = external().await;
    let token = graph
        .custom_extensions()
        .create(&NewCustomExtension::token_issuance_start(
            "Claims",
            format!("https://{HOST}/claims"),
            format!("api://{HOST}/{API_APP}"),
            ["Role"],
        ))
        .await
        .expect("extension");
    let listeners = graph.event_listeners();
    let created = listeners
        .create_token_issuance_listener(&id(&token), &[DEFAULT_CLIENT_ID], Some(700))
        .await
        .expect("create");
    let AuthenticationEventListener::OnTokenIssuanceStartListener(listener) = &created else {
        panic!("{created:?}")
    };
    assert_eq!(listener.extra.get("priority"), Some(&json!(700)));
    let listener_id = id(&created);
    assert_eq!(emulator.listeners().len(), 1);

    let all = listeners
        .list_all(ListOptions::default())
        .await
        .expect("list");
    assert_eq!(
        all.iter().map(id).collect::<Vec<_>>(),
        [listener_id.clone()]
    );
    let got = json_of(&listeners.get(&listener_id).await.expect("get"));
    assert_eq!(got["handler"]["customExtension"]["id"], json!(id(&token)));

    let patch = ListenerPatch {
        priority: Patch::Set(100),
        ..ListenerPatch::new(ExtensionKind::TokenIssuanceStart)
    };
    listeners
        .update(&listener_id, &patch)
        .await
        .expect("update");
    let got = json_of(&listeners.get(&listener_id).await.expect("get"));
    assert_eq!(got["priority"], 100);

    // An unknown extension is refused (§9.2).
    match listeners
        .create_token_issuance_listener("no-such-extension", &[DEFAULT_CLIENT_ID], None)
        .await
    {
        Err(Error::Graph(g)) => assert_eq!(g.status, 400),
        other => panic!("{other:?}"),
    }
    listeners.delete(&listener_id).await.expect("delete");
    assert!(emulator.listeners().is_empty());
}
