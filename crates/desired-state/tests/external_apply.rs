//! The External ID sections planned and applied against the emulator's external tenant through
//! `Graph<V1>`: an empty tenant is brought to the file, a second plan is empty, an edit plans exactly
//! that change, and prune deletes what the file no longer lists.

use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{GraphClient, V1};
use entra_api_connectors_desired_state::external::{
    ExternalAction, ExternalTenant, apply_external, export_tenant_with_external, plan_external,
};
use entra_api_connectors_desired_state::model::ExtensionEvent;
use entra_api_connectors_desired_state::{
    ConfigFile, DesiredState, FixedEnvironment, Format, GraphTenant, PlanOptions, plan_tenant,
    validate,
};
use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_TOKEN, Emulator, EmulatorConfig, ServicePrincipal, TenantKind,
};

const API_APP: &str = "11111111-2222-3333-4444-555555555555";
const OTHER_APP: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

fn file() -> String {
    format!(
        r#"tenant: contosoexternal.onmicrosoft.com
apiVersion: v1.0
customAuthenticationExtensions:
  Validate postal code (onAttributeCollectionSubmit):
    type: onAttributeCollectionSubmit
    targetUrl: https://api.contoso.com/validate
    resourceId: api://api.contoso.com/{API_APP}
    timeoutInMilliseconds: 2000
    maximumRetries: 1
  Prefill (onAttributeCollectionStart):
    type: onAttributeCollectionStart
    targetUrl: https://api.contoso.com/prefill
    resourceId: api://api.contoso.com/{API_APP}
    timeoutInMilliseconds: 1500
    maximumRetries: 0
  Claims (onTokenIssuanceStart):
    type: onTokenIssuanceStart
    targetUrl: https://api.contoso.com/claims
    resourceId: api://api.contoso.com/{API_APP}
    claims: [loyaltyNumber]
eventsFlows:
  B2C_1_SignUp:
    includeApplications: ["{DEFAULT_CLIENT_ID}"]
    onAttributeCollectionStart: Prefill (onAttributeCollectionStart)
    onAttributeCollectionSubmit: Validate postal code (onAttributeCollectionSubmit)
tokenIssuanceListeners:
  B2C_1_SignUp token issuance:
    includeApplications: ["{DEFAULT_CLIENT_ID}"]
    extension: Claims (onTokenIssuanceStart)
"#
    )
}

fn desired(text: &str) -> DesiredState {
    let file = ConfigFile::parse(text, Format::Yaml, None, ".").unwrap();
    validate(&file, &FixedEnvironment::new(0)).unwrap()
}

/// An emulated tenant of `config` and a client for it that does not retry.
async fn emulated(config: EmulatorConfig) -> (Emulator, GraphClient) {
    let emulator = Emulator::start(config).await.unwrap();
    let client = GraphClient::builder()
        .base_url(emulator.base_url())
        .token_provider(StaticToken::new(DEFAULT_TOKEN))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (emulator, client)
}

async fn external() -> (Emulator, GraphTenant<V1>) {
    let (emulator, client) = emulated(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso API"))
            .service_principal(ServicePrincipal::new(OTHER_APP, "Contoso partners")),
    )
    .await;
    (emulator, GraphTenant::new(client.v1()))
}

async fn converge(tenant: &GraphTenant<V1>, desired: &DesiredState) -> Vec<String> {
    let snapshot = tenant.read_external().await.unwrap();
    let plan = plan_external(desired, &snapshot);
    let lines = plan.actions.iter().map(ToString::to_string).collect();
    apply_external(&plan, desired, &snapshot, tenant)
        .await
        .unwrap();
    lines
}

#[tokio::test]
async fn apply_on_an_empty_external_tenant_then_a_second_plan_is_empty() {
    let (emulator, tenant) = external().await;
    let desired = desired(&file());
    let lines = converge(&tenant, &desired).await;
    assert_eq!(
        lines,
        [
            "+ create custom extension \"Claims (onTokenIssuanceStart)\" (onTokenIssuanceStart)",
            "+ create custom extension \"Prefill (onAttributeCollectionStart)\" (onAttributeCollectionStart)",
            "+ create custom extension \"Validate postal code (onAttributeCollectionSubmit)\" (onAttributeCollectionSubmit)",
            "+ create events flow \"B2C_1_SignUp\"",
            &format!(
                "+ create token issuance listener \"B2C_1_SignUp token issuance\" calling \"Claims (onTokenIssuanceStart)\" for {DEFAULT_CLIENT_ID}"
            ),
            &format!("+ add application {DEFAULT_CLIENT_ID} to events flow \"B2C_1_SignUp\""),
            "~ attach \"Prefill (onAttributeCollectionStart)\" to onAttributeCollectionStart of events flow \"B2C_1_SignUp\"",
            "~ attach \"Validate postal code (onAttributeCollectionSubmit)\" to onAttributeCollectionSubmit of events flow \"B2C_1_SignUp\"",
        ]
    );
    // What reached the emulator.
    let snapshot = tenant.read_external().await.unwrap();
    assert_eq!(snapshot.extensions.len(), 3);
    let submit = snapshot
        .extension("Validate postal code (onAttributeCollectionSubmit)")
        .unwrap();
    assert_eq!(
        submit.event,
        Some(ExtensionEvent::OnAttributeCollectionSubmit)
    );
    assert_eq!(
        submit.target_url.as_deref(),
        Some("https://api.contoso.com/validate")
    );
    assert_eq!(
        submit.resource_id.as_deref(),
        Some(format!("api://api.contoso.com/{API_APP}").as_str())
    );
    assert_eq!(
        (submit.timeout_in_milliseconds, submit.maximum_retries),
        (Some(2000), Some(1))
    );
    let claims = snapshot.extension("Claims (onTokenIssuanceStart)").unwrap();
    assert_eq!(claims.claims, ["loyaltyNumber"]);
    let flow = snapshot.events_flow("B2C_1_SignUp").unwrap();
    assert_eq!(flow.include_applications, [DEFAULT_CLIENT_ID]);
    assert_eq!(
        flow.on_attribute_collection_submit.as_deref(),
        Some(submit.id.as_str())
    );
    assert_eq!(
        flow.on_attribute_collection_start.as_deref(),
        Some(
            snapshot
                .extension("Prefill (onAttributeCollectionStart)")
                .unwrap()
                .id
                .as_str()
        )
    );
    // The flow's handlers show as listeners of the flow too; one token issuance listener of its own.
    let own: Vec<_> = snapshot
        .listeners
        .iter()
        .filter(|l| l.is_managed())
        .collect();
    assert_eq!(own.len(), 1, "{:?}", snapshot.listeners);
    assert_eq!(own[0].extension_id.as_deref(), Some(claims.id.as_str()));
    assert_eq!(own[0].include_applications, [DEFAULT_CLIENT_ID]);
    assert_eq!(
        snapshot
            .listeners
            .iter()
            .filter(|l| l.authentication_events_flow_id.as_deref() == Some(flow.id.as_str()))
            .count(),
        2
    );
    assert_eq!(emulator.events_flows().len(), 1);

    let again = plan_external(&desired, &snapshot);
    assert!(again.is_empty(), "{again}");
    assert!(again.notes.is_empty(), "{again}");
}

#[tokio::test]
async fn an_edit_plans_exactly_that_change() {
    let (_emulator, tenant) = external().await;
    converge(&tenant, &desired(&file())).await;

    // The timeout of one extension.
    let edited = file().replace("timeoutInMilliseconds: 1500", "timeoutInMilliseconds: 1000");
    let lines = converge(&tenant, &desired(&edited)).await;
    assert_eq!(
        lines,
        [
            "~ update custom extension \"Prefill (onAttributeCollectionStart)\": timeoutInMilliseconds 1500 → 1000"
        ]
    );

    // An application moved from the flow to the listener only, and a handler removed.
    let edited = edited
        .replace(
            &format!("  B2C_1_SignUp:\n    includeApplications: [\"{DEFAULT_CLIENT_ID}\"]"),
            &format!("  B2C_1_SignUp:\n    includeApplications: [\"{OTHER_APP}\"]"),
        )
        .replace(
            "    onAttributeCollectionStart: Prefill (onAttributeCollectionStart)\n",
            "",
        )
        .replace(
            &format!("    includeApplications: [\"{DEFAULT_CLIENT_ID}\"]\n    extension"),
            &format!(
                "    includeApplications: [\"{DEFAULT_CLIENT_ID}\", \"{OTHER_APP}\"]\n    extension"
            ),
        );
    let desired_edit = desired(&edited);
    let snapshot = tenant.read_external().await.unwrap();
    let plan = plan_external(&desired_edit, &snapshot);
    let prefill_id = snapshot
        .extension("Prefill (onAttributeCollectionStart)")
        .unwrap()
        .id
        .clone();
    let listener_id = snapshot
        .listeners
        .iter()
        .find(|l| l.is_managed())
        .unwrap()
        .id
        .clone();
    assert_eq!(
        plan.actions,
        [
            ExternalAction::RemoveApplication {
                flow: "B2C_1_SignUp".into(),
                app_id: DEFAULT_CLIENT_ID.into()
            },
            ExternalAction::AddApplication {
                flow: "B2C_1_SignUp".into(),
                app_id: OTHER_APP.into()
            },
            ExternalAction::Detach {
                flow: "B2C_1_SignUp".into(),
                event: ExtensionEvent::OnAttributeCollectionStart,
                previous: prefill_id,
            },
            ExternalAction::UpdateListener {
                id: listener_id,
                name: "B2C_1_SignUp token issuance".into(),
                include_applications: vec![DEFAULT_CLIENT_ID.into(), OTHER_APP.into()],
            },
        ]
    );
    apply_external(&plan, &desired_edit, &snapshot, &tenant)
        .await
        .unwrap();
    let snapshot = tenant.read_external().await.unwrap();
    let flow = snapshot.events_flow("B2C_1_SignUp").unwrap();
    assert_eq!(flow.include_applications, [OTHER_APP]);
    assert_eq!(flow.on_attribute_collection_start, None);
    assert!(plan_external(&desired_edit, &snapshot).is_empty());
}

#[tokio::test]
async fn what_the_file_drops_is_left_alone_or_deleted_with_prune() {
    let (emulator, tenant) = external().await;
    converge(&tenant, &desired(&file())).await;
    let smaller = file()
        .replace("    onAttributeCollectionStart: Prefill (onAttributeCollectionStart)\n", "")
        .replace(
            &format!(
                "  Prefill (onAttributeCollectionStart):\n    type: onAttributeCollectionStart\n    targetUrl: https://api.contoso.com/prefill\n    resourceId: api://api.contoso.com/{API_APP}\n    timeoutInMilliseconds: 1500\n    maximumRetries: 0\n"
            ),
            "",
        )
        .replace(
            &format!(
                "  Claims (onTokenIssuanceStart):\n    type: onTokenIssuanceStart\n    targetUrl: https://api.contoso.com/claims\n    resourceId: api://api.contoso.com/{API_APP}\n    claims: [loyaltyNumber]\n"
            ),
            "",
        );
    let cut = smaller.find("tokenIssuanceListeners:").unwrap();
    let smaller = smaller[..cut].to_owned();
    assert!(!smaller.contains("Claims"), "{smaller}");
    let snapshot = tenant.read_external().await.unwrap();
    let plan = plan_external(&desired(&smaller), &snapshot);
    let lines: Vec<String> = plan.actions.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 1, "{plan}");
    assert!(lines[0].starts_with("~ detach extension "), "{plan}");
    assert_eq!(plan.notes.len(), 3, "{plan}");
    assert!(plan.notes[0].starts_with("listener "), "{plan}");
    assert!(
        plan.notes[1].contains("\"Claims (onTokenIssuanceStart)\" is not in the file"),
        "{plan}"
    );
    assert!(
        plan.notes[2].contains("\"Prefill (onAttributeCollectionStart)\" is not in the file"),
        "{plan}"
    );

    let pruned = smaller.replace("apiVersion: v1.0\n", "apiVersion: v1.0\nprune: true\n");
    let lines = converge(&tenant, &desired(&pruned)).await;
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with("~ detach extension "));
    assert!(lines[1].starts_with("- delete listener "));
    assert_eq!(
        lines[2],
        "- delete custom extension \"Claims (onTokenIssuanceStart)\""
    );
    assert_eq!(
        lines[3],
        "- delete custom extension \"Prefill (onAttributeCollectionStart)\""
    );
    // Left: the listener standing for the flow's submit handler.
    assert_eq!(emulator.listeners().len(), 1);
    assert_eq!(emulator.custom_extensions().len(), 1);
}

#[tokio::test]
async fn a_failed_action_says_which_and_how_many_were_done() {
    let (_emulator, tenant) = external().await;
    // An application without a service principal: Graph refuses to add it.
    let text = file().replace(
        &format!("  B2C_1_SignUp:\n    includeApplications: [\"{DEFAULT_CLIENT_ID}\"]"),
        "  B2C_1_SignUp:\n    includeApplications: [\"99999999-9999-4999-8999-999999999999\"]",
    );
    let desired = desired(&text);
    let snapshot = tenant.read_external().await.unwrap();
    let plan = plan_external(&desired, &snapshot);
    let err = apply_external(&plan, &desired, &snapshot, &tenant)
        .await
        .unwrap_err();
    assert_eq!(err.done, 5);
    assert_eq!(err.total, 8);
    assert_eq!(
        err.action,
        "+ add application 99999999-9999-4999-8999-999999999999 to events flow \"B2C_1_SignUp\""
    );
    assert!(err.to_string().contains("no service principal"), "{err}");
}

const SCREENED_BY: &str = "extension_6ea3bc85aec24b1c92ff4a117afb6621_ScreenedBy";

#[tokio::test]
async fn a_flow_collects_the_attributes_the_file_lists() {
    let (emulator, client) = emulated(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso API"))
            .custom_attribute(SCREENED_BY, "Screened by", "string"),
    )
    .await;
    let tenant = GraphTenant::new(client.v1());
    let with_attributes = |list: &str| {
        file().replace(
            "    onAttributeCollectionSubmit: Validate postal code (onAttributeCollectionSubmit)\n",
            &format!(
                "    onAttributeCollectionSubmit: Validate postal code (onAttributeCollectionSubmit)\n    attributes: [{list}]\n"
            ),
        )
    };
    let text = with_attributes(&format!("email, displayName, postalCode, {SCREENED_BY}"));
    let desired_state = desired(&text);
    let lines = converge(&tenant, &desired_state).await;
    // A new flow collects email; the other three are added after it is created.
    let added: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("+ collect"))
        .collect();
    assert_eq!(
        added,
        [
            "+ collect attribute displayName in events flow \"B2C_1_SignUp\"",
            "+ collect attribute postalCode in events flow \"B2C_1_SignUp\"",
            &format!("+ collect attribute {SCREENED_BY} in events flow \"B2C_1_SignUp\""),
        ]
    );
    let create = lines
        .iter()
        .position(|l| l.starts_with("+ create events flow"))
        .unwrap();
    let first_add = lines
        .iter()
        .position(|l| l.starts_with("+ collect"))
        .unwrap();
    assert!(create < first_add, "{lines:?}");
    // What reached the emulator: the attributes in order, each on the page.
    let flows = emulator.events_flows();
    let collection = flows[0].on_attribute_collection.as_ref().unwrap();
    assert_eq!(
        collection.attributes,
        ["email", "displayName", "postalCode", SCREENED_BY]
    );
    let snapshot = tenant.read_external().await.unwrap();
    assert_eq!(
        snapshot.events_flow("B2C_1_SignUp").unwrap().attributes,
        ["email", "displayName", "postalCode", SCREENED_BY]
    );
    let again = plan_external(&desired_state, &snapshot);
    assert!(again.is_empty() && again.notes.is_empty(), "{again}");

    // A shorter list removes nothing: the extras are a note.
    let shorter = desired(&with_attributes("email, displayName"));
    let plan = plan_external(&shorter, &snapshot);
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(
        plan.notes,
        [format!(
            "events flow \"B2C_1_SignUp\" also collects postalCode, {SCREENED_BY}; left alone (remove attributes in the admin center or through Graph)"
        )]
    );

    // An attribute the tenant does not define: Graph's refusal, with the action that failed.
    let unknown = desired(&with_attributes(
        "email, extension_6ea3bc85aec24b1c92ff4a117afb6621_Nope",
    ));
    let plan = plan_external(&unknown, &snapshot);
    assert_eq!(
        plan.actions,
        [ExternalAction::AddAttribute {
            flow: "B2C_1_SignUp".into(),
            attribute: "extension_6ea3bc85aec24b1c92ff4a117afb6621_Nope".into(),
        }]
    );
    let err = apply_external(&plan, &unknown, &snapshot, &tenant)
        .await
        .unwrap_err();
    assert_eq!((err.done, err.total), (0, 1));
    assert!(err.to_string().contains("was not found"), "{err}");
}

#[tokio::test]
async fn an_exported_external_tenant_plans_empty() {
    let (_emulator, client) = emulated(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso API"))
            .custom_attribute(SCREENED_BY, "Screened by", "string"),
    )
    .await;
    let tenant = GraphTenant::new(client.v1());
    let text = file()
        .replace("contosoexternal.onmicrosoft.com", "emulatorext.onmicrosoft.com")
        .replace(
            "    onAttributeCollectionSubmit: Validate postal code (onAttributeCollectionSubmit)\n",
            &format!(
                "    onAttributeCollectionSubmit: Validate postal code (onAttributeCollectionSubmit)\n    attributes: [email, postalCode, {SCREENED_BY}]\n"
            ),
        );
    converge(&tenant, &desired(&text)).await;

    let exported = export_tenant_with_external(&tenant, None, 4).await.unwrap();
    assert!(exported.skipped.is_empty(), "{}", exported.text);
    let file = ConfigFile::parse(&exported.text, Format::Yaml, None, ".").unwrap();
    let configuration = file.configuration().unwrap();
    // The file's sections, read back from the tenant.
    let original = ConfigFile::parse(&text, Format::Yaml, None, ".")
        .unwrap()
        .configuration()
        .unwrap();
    assert_eq!(
        configuration.custom_authentication_extensions.len(),
        original.custom_authentication_extensions.len()
    );
    for (name, extension) in &original.custom_authentication_extensions {
        assert_eq!(
            &configuration.custom_authentication_extensions[name], extension,
            "{name}"
        );
    }
    assert_eq!(configuration.events_flows, original.events_flows);
    assert_eq!(
        configuration.token_issuance_listeners["Claims (onTokenIssuanceStart) listener"],
        original.token_issuance_listeners["B2C_1_SignUp token issuance"]
    );
    // Plan of the export: nothing to do, nothing to note.
    let exported_state = validate(&file, &FixedEnvironment::new(0)).unwrap();
    let snapshot = tenant.read_external().await.unwrap();
    let plan = plan_external(&exported_state, &snapshot);
    assert!(plan.is_empty() && plan.notes.is_empty(), "{plan}");
    let connectors = plan_tenant(&exported_state, &tenant, PlanOptions::new(0), 4)
        .await
        .unwrap();
    assert!(connectors.is_empty(), "{connectors}");
}

/// A flow as Graph's JSON, created through the client.
async fn create_flow(tenant_client: &GraphClient, body: serde_json::Value) -> String {
    let flow: <V1 as entra_api_connectors::extensibility::Extensibility>::EventsFlow =
        serde_json::from_value(body).unwrap();
    let created = tenant_client
        .v1()
        .events_flows()
        .create(&flow)
        .await
        .unwrap();
    serde_json::to_value(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn flows_without_attributes_are_read_planned_and_exported() {
    let (emulator, client) = emulated(EmulatorConfig::new(TenantKind::External)).await;
    // A sign-in-only flow (no attribute collection at all), whose attribute list Graph answers 400.
    let sign_in = create_flow(
        &client,
        serde_json::json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "displayName": "Sign in only",
            "onInteractiveAuthFlowStart": {
                "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                "isSignUpAllowed": false
            },
            "onAuthenticationMethodLoadStart": {
                "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                "identityProviders": [{"id": "EmailPassword-OAUTH"}]
            }
        }),
    )
    .await;
    // An attribute collection with no attribute: its list is asked for, and its 400 means none.
    let empty = create_flow(
        &client,
        serde_json::json!({
            "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
            "displayName": "No attributes",
            "onInteractiveAuthFlowStart": {
                "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                "isSignUpAllowed": true
            },
            "onAuthenticationMethodLoadStart": {
                "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                "identityProviders": [{"id": "EmailPassword-OAUTH"}]
            },
            "onAttributeCollection": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                "attributes": [],
                "attributeCollectionPage": {"views": []}
            }
        }),
    )
    .await;
    let tenant = GraphTenant::new(client.v1());
    let snapshot = tenant.read_external().await.unwrap();
    let flow = snapshot.events_flow("Sign in only").unwrap();
    assert_eq!(flow.id, sign_in);
    assert!(flow.attributes.is_empty());
    assert!(
        snapshot
            .events_flow("No attributes")
            .unwrap()
            .attributes
            .is_empty()
    );
    let asked: Vec<(String, Option<u16>)> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/attributes"))
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].0.contains(&empty), "{asked:?}");
    assert_eq!(asked[0].1, Some(400), "{asked:?}");
    // In the file without attributes: nothing to do; the export plans empty.
    let text = "tenant: emulatorext.onmicrosoft.com\napiVersion: v1.0\neventsFlows:\n  Sign in only:\n    includeApplications: []\n  No attributes:\n    includeApplications: []\n";
    let plan = plan_external(&desired(text), &snapshot);
    assert!(plan.is_empty() && plan.notes.is_empty(), "{plan}");
    let exported = export_tenant_with_external(&tenant, None, 4).await.unwrap();
    assert!(exported.skipped.is_empty(), "{}", exported.text);
    let file = ConfigFile::parse(&exported.text, Format::Yaml, None, ".").unwrap();
    let state = validate(&file, &FixedEnvironment::new(0)).unwrap();
    assert!(
        state.events_flows["Sign in only"].attributes.is_empty(),
        "{}",
        exported.text
    );
    assert!(plan_external(&state, &snapshot).is_empty());
}
