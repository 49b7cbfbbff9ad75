//! The B2C → External ID mapping on exported B2C files: every step, both authentication kinds,
//! custom attributes, and each case that cannot be carried over, with its note.

use entra_api_connectors_desired_state::migrate::{
    Caller, MigrateError, MigrateOptions, NoteKind, migrate_snapshot, migrate_text,
};
use entra_api_connectors_desired_state::model::{Cloud, ExtensionEvent};
use entra_api_connectors_desired_state::snapshot::{
    AuthenticationSnapshot, ConnectorSnapshot, Snapshot, UserFlowSnapshot,
};
use entra_api_connectors_desired_state::{
    ApiVersion, ConfigFile, ExportTarget, Family, FixedEnvironment, Format, Step, validate,
};

const API_APP: &str = "11111111-2222-3333-4444-555555555555";
const WEB_APP: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const PARTNER_APP: &str = "aaaaaaaa-bbbb-cccc-dddd-ffffffffffff";

/// As `apiconn export` writes it (comments included); `preTokenIssuance` written by hand, as no Graph
/// version binds it.
const EXPORTED: &str = r#"# Exported from tenant contosob2c.onmicrosoft.com (global, Graph beta).
# Graph returns no secret: set the environment variables named below, and put each certificate
# connector's active .pfx at its path, before running plan.
tenant: "contosob2c.onmicrosoft.com"
cloud: global
apiVersion: beta
connectors:
  "Enrich from IdP":
    # certificateList:
    #   BBBB notBefore 2023-10-21T11:08:42Z notAfter 2024-10-21T11:08:42Z (active)
    authentication:
      clientCertificate:
        pfx: "certificates/enrich-from-idp.pfx"
        password: {env: APICONN_ENRICH_FROM_IDP_PASSWORD}
    targetUrl: "https://enrich.contoso.com/idp"
  "Legacy check":
    targetUrl: "http://legacy.contoso.com/check"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_LEGACY_CHECK_PASSWORD}
  "Token claims":
    targetUrl: "https://api.contoso.com/claims"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_TOKEN_CLAIMS_PASSWORD}
  "Unused":
    targetUrl: "https://api.contoso.com/unused"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_UNUSED_PASSWORD}
  "Validate postal code":
    targetUrl: "https://api.contoso.com/validate"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_VALIDATE_POSTAL_CODE_PASSWORD}
userFlows:
  "B2C_1_Partners":
    family: b2c
    steps:
      postFederationSignup: "Enrich from IdP"
      postAttributeCollection: "Legacy check"
  "B2C_1_SignUp":
    family: b2c
    steps:
      postFederationSignup: "Enrich from IdP"
      postAttributeCollection: "Validate postal code"
      preTokenIssuance: "Token claims"
  "B2C_1_Empty":
    family: b2c
    steps:
      postFederationSignup: null
  "B2X_1_Workforce":
    family: b2x
    steps:
      postAttributeCollection: "Validate postal code"
"#;

fn options() -> MigrateOptions {
    MigrateOptions::new()
        .api_app_id(API_APP)
        .target_tenant("contosoexternal.onmicrosoft.com")
        .application("B2C_1_SignUp", WEB_APP)
        .application("b2c_1_partners", PARTNER_APP)
}

fn notes(migration: &entra_api_connectors_desired_state::Migration) -> Vec<(NoteKind, String)> {
    migration
        .notes
        .iter()
        .map(|n| (n.kind, n.subject.clone()))
        .collect()
}

#[test]
fn every_step_and_both_authentication_kinds_map_to_extensions_flows_and_a_listener() {
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options()).unwrap();
    let c = &migration.configuration;
    assert_eq!(c.tenant, "contosoexternal.onmicrosoft.com");
    assert_eq!(c.api_version, ApiVersion::V1);
    assert!(c.connectors.is_empty() && c.user_flows.is_empty());

    // One extension per (connector, event), shared by the two flows that bind the same connector.
    let names: Vec<&str> = c
        .custom_authentication_extensions
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "Enrich from IdP (onAttributeCollectionStart)",
            "Validate postal code (onAttributeCollectionSubmit)",
            "Token claims (onTokenIssuanceStart)",
        ]
    );
    let enrich =
        &c.custom_authentication_extensions["Enrich from IdP (onAttributeCollectionStart)"];
    assert_eq!(enrich.event, ExtensionEvent::OnAttributeCollectionStart);
    assert_eq!(enrich.target_url, "https://enrich.contoso.com/idp");
    assert_eq!(
        enrich.resource_id,
        format!("api://enrich.contoso.com/{API_APP}")
    );
    assert_eq!(enrich.timeout_in_milliseconds, Some(2000));
    assert_eq!(enrich.maximum_retries, Some(1));
    let validate_ext =
        &c.custom_authentication_extensions["Validate postal code (onAttributeCollectionSubmit)"];
    assert_eq!(
        validate_ext.event,
        ExtensionEvent::OnAttributeCollectionSubmit
    );
    assert_eq!(
        validate_ext.resource_id,
        format!("api://api.contoso.com/{API_APP}")
    );
    let token = &c.custom_authentication_extensions["Token claims (onTokenIssuanceStart)"];
    assert_eq!(token.event, ExtensionEvent::OnTokenIssuanceStart);
    assert_eq!(token.target_url, "https://api.contoso.com/claims");

    // Every b2c user flow is an events flow; the b2x one is not.
    let flows: Vec<&str> = c.events_flows.keys().map(String::as_str).collect();
    assert_eq!(flows, ["B2C_1_Partners", "B2C_1_SignUp", "B2C_1_Empty"]);
    let signup = &c.events_flows["B2C_1_SignUp"];
    assert_eq!(signup.include_applications, [WEB_APP]);
    assert_eq!(
        signup.on_attribute_collection_start.as_deref(),
        Some("Enrich from IdP (onAttributeCollectionStart)")
    );
    assert_eq!(
        signup.on_attribute_collection_submit.as_deref(),
        Some("Validate postal code (onAttributeCollectionSubmit)")
    );
    let partners = &c.events_flows["B2C_1_Partners"];
    assert_eq!(partners.include_applications, [PARTNER_APP]);
    assert_eq!(
        partners.on_attribute_collection_start.as_deref(),
        Some("Enrich from IdP (onAttributeCollectionStart)")
    );
    // The http connector's binding is left out.
    assert_eq!(partners.on_attribute_collection_submit, None);
    let empty = &c.events_flows["B2C_1_Empty"];
    assert!(empty.include_applications.is_empty());
    assert_eq!(empty.handlers().count(), 0);

    let listener = &c.token_issuance_listeners["B2C_1_SignUp token issuance"];
    assert_eq!(listener.include_applications, [WEB_APP]);
    assert_eq!(listener.extension, "Token claims (onTokenIssuanceStart)");

    let table: Vec<(&str, Step, &str, ExtensionEvent, &Caller)> = migration
        .mappings
        .iter()
        .map(|m| {
            (
                m.user_flow.as_str(),
                m.step,
                m.connector.as_str(),
                m.event,
                &m.caller,
            )
        })
        .collect();
    let flow = |n: &str| Caller::EventsFlow(n.to_owned());
    assert_eq!(
        table,
        [
            (
                "B2C_1_Partners",
                Step::PostFederationSignup,
                "Enrich from IdP",
                ExtensionEvent::OnAttributeCollectionStart,
                &flow("B2C_1_Partners")
            ),
            (
                "B2C_1_SignUp",
                Step::PostFederationSignup,
                "Enrich from IdP",
                ExtensionEvent::OnAttributeCollectionStart,
                &flow("B2C_1_SignUp")
            ),
            (
                "B2C_1_SignUp",
                Step::PostAttributeCollection,
                "Validate postal code",
                ExtensionEvent::OnAttributeCollectionSubmit,
                &flow("B2C_1_SignUp")
            ),
            (
                "B2C_1_SignUp",
                Step::PreTokenIssuance,
                "Token claims",
                ExtensionEvent::OnTokenIssuanceStart,
                &Caller::Listener("B2C_1_SignUp token issuance".into())
            ),
        ]
    );
}

#[test]
fn every_change_and_every_left_out_part_has_a_note_with_its_reason() {
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options()).unwrap();
    let s = |t: &str| t.to_owned();
    assert_eq!(
        notes(&migration),
        [
            (NoteKind::NotCarriedOver, s("connector \"Legacy check\"")),
            (NoteKind::NotCarriedOver, s("connector \"Unused\"")),
            (
                NoteKind::Timeout,
                s("extension \"Enrich from IdP (onAttributeCollectionStart)\"")
            ),
            (NoteKind::Authentication, s("connector \"Enrich from IdP\"")),
            (
                NoteKind::StepBehaviour,
                s("user flow \"B2C_1_Partners\" step postFederationSignup")
            ),
            (
                NoteKind::CustomAttributes,
                s("user flow \"B2C_1_Partners\"")
            ),
            (
                NoteKind::StepBehaviour,
                s("user flow \"B2C_1_SignUp\" step postFederationSignup")
            ),
            (
                NoteKind::Timeout,
                s("extension \"Validate postal code (onAttributeCollectionSubmit)\"")
            ),
            (
                NoteKind::Authentication,
                s("connector \"Validate postal code\"")
            ),
            (
                NoteKind::StepBehaviour,
                s("user flow \"B2C_1_SignUp\" step postAttributeCollection")
            ),
            (
                NoteKind::Timeout,
                s("extension \"Token claims (onTokenIssuanceStart)\"")
            ),
            (
                NoteKind::TokenClaims,
                s("extension \"Token claims (onTokenIssuanceStart)\"")
            ),
            (NoteKind::Authentication, s("connector \"Token claims\"")),
            (NoteKind::CustomAttributes, s("user flow \"B2C_1_SignUp\"")),
            (NoteKind::Applications, s("user flow \"B2C_1_Empty\"")),
            (NoteKind::NotCarriedOver, s("user flow \"B2X_1_Workforce\"")),
        ]
    );
    let reason = |kind: NoteKind, subject: &str| {
        migration
            .notes
            .iter()
            .find(|n| n.kind == kind && n.subject == subject)
            .unwrap()
            .reason
            .clone()
    };
    let http = reason(NoteKind::NotCarriedOver, "connector \"Legacy check\"");
    assert!(
        http.contains("http://legacy.contoso.com/check uses http"),
        "{http}"
    );
    assert!(http.contains("https only"), "{http}");
    assert!(
        reason(NoteKind::NotCarriedOver, "connector \"Unused\"")
            .contains("no user-flow step calls it")
    );
    let cert = reason(NoteKind::Authentication, "connector \"Enrich from IdP\"");
    assert!(
        cert.starts_with("its client certificate becomes Entra's bearer token"),
        "{cert}"
    );
    assert!(
        cert.contains(&format!("resourceId api://enrich.contoso.com/{API_APP}")),
        "{cert}"
    );
    let basic = reason(
        NoteKind::Authentication,
        "connector \"Validate postal code\"",
    );
    assert!(
        basic.starts_with("its basic authentication becomes"),
        "{basic}"
    );
    let timeout = reason(
        NoteKind::Timeout,
        "extension \"Validate postal code (onAttributeCollectionSubmit)\"",
    );
    assert!(
        timeout.contains("up to 20 s") && timeout.contains("at most 2000 ms"),
        "{timeout}"
    );
    let attributes = reason(NoteKind::CustomAttributes, "user flow \"B2C_1_SignUp\"");
    assert!(
        attributes.contains("extension_<appId>_<Name>"),
        "{attributes}"
    );
    assert!(attributes.contains("another appId"), "{attributes}");
    let start = reason(
        NoteKind::StepBehaviour,
        "user flow \"B2C_1_SignUp\" step postFederationSignup",
    );
    assert!(start.contains("local accounts included"), "{start}");
    assert!(start.contains("showBlockPage"), "{start}");
    let submit = reason(
        NoteKind::StepBehaviour,
        "user flow \"B2C_1_SignUp\" step postAttributeCollection",
    );
    assert!(
        submit.contains("showValidationError without per-attribute errors"),
        "{submit}"
    );
    let claims = reason(
        NoteKind::TokenClaims,
        "extension \"Token claims (onTokenIssuanceStart)\"",
    );
    assert!(claims.contains("claims-mapping policy"), "{claims}");
    assert!(
        reason(NoteKind::NotCarriedOver, "user flow \"B2X_1_Workforce\"").contains("workforce")
    );
    assert!(
        reason(NoteKind::Applications, "user flow \"B2C_1_Empty\"")
            .contains("--app-id B2C_1_Empty=APPID")
    );
}

#[test]
fn without_applications_or_tenant_the_notes_say_what_to_fill_in() {
    let options = MigrateOptions::new().api_app_id(API_APP);
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options).unwrap();
    let found = notes(&migration);
    for subject in [
        "user flow \"B2C_1_Partners\"",
        "user flow \"B2C_1_SignUp\"",
        "user flow \"B2C_1_Empty\"",
        "listener \"B2C_1_SignUp token issuance\"",
    ] {
        assert!(
            found.contains(&(NoteKind::Applications, subject.to_owned())),
            "{subject}: {found:?}"
        );
    }
    assert_eq!(
        found.last().unwrap(),
        &(NoteKind::TargetTenant, "tenant".to_owned())
    );
    assert_eq!(migration.configuration.tenant, "contosob2c.onmicrosoft.com");
    assert!(
        migration
            .notes
            .last()
            .unwrap()
            .reason
            .contains("replace it")
    );

    // The written file parses; validation refuses only the listener without applications.
    let text = migration.to_yaml();
    let file = ConfigFile::parse(&text, Format::Yaml, Some("external.yaml".as_ref()), ".").unwrap();
    let errors = validate(&file, &FixedEnvironment::new(0)).unwrap_err();
    let messages: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("a token issuance listener needs at least one application"),
        "{messages:?}"
    );
    assert!(messages[0].starts_with("external.yaml:"), "{messages:?}");
}

#[test]
fn the_written_file_reads_back_to_the_same_configuration_and_validates() {
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options()).unwrap();
    let text = migration.to_yaml();
    assert!(text.starts_with(
        "# Migrated by apiconn migrate from Azure AD B2C tenant contosob2c.onmicrosoft.com.\n"
    ));
    // Every note is in the file as a comment.
    for note in &migration.notes {
        assert!(text.contains(&format!("# - {note}")), "{note}");
    }
    let file = ConfigFile::parse(&text, Format::Yaml, None, ".").unwrap();
    assert_eq!(file.configuration().unwrap(), migration.configuration);
    let desired = validate(&file, &FixedEnvironment::new(0)).unwrap();
    assert_eq!(desired.custom_extensions.len(), 3);
    assert_eq!(desired.events_flows.len(), 3);
    assert_eq!(desired.token_issuance_listeners.len(), 1);
}

#[test]
fn api_app_id_is_required_and_app_ids_must_be_guids() {
    assert_eq!(
        migrate_text(EXPORTED, Format::Yaml, None, &MigrateOptions::new()).unwrap_err(),
        MigrateError::ApiAppIdRequired
    );
    assert_eq!(
        migrate_text(
            EXPORTED,
            Format::Yaml,
            None,
            &MigrateOptions::new().api_app_id("my-api")
        )
        .unwrap_err(),
        MigrateError::InvalidAppId {
            value: "my-api".into()
        }
    );
    assert_eq!(
        migrate_text(
            EXPORTED,
            Format::Yaml,
            None,
            &options().application("*", "web")
        )
        .unwrap_err(),
        MigrateError::InvalidAppId {
            value: "web".into()
        }
    );
    // Without any connector to carry over, no API app id is needed.
    let empty = "tenant: contosob2c.onmicrosoft.com\napiVersion: beta\nuserFlows:\n  B2C_1_A: {family: b2c}\n";
    let migration = migrate_text(empty, Format::Yaml, None, &MigrateOptions::new()).unwrap();
    assert!(
        migration
            .configuration
            .custom_authentication_extensions
            .is_empty()
    );
    assert_eq!(migration.configuration.events_flows.len(), 1);
    // A file that is not a configuration is an error with its position.
    let Err(MigrateError::Source(errors)) =
        migrate_text("tenant: [1]\n", Format::Yaml, None, &options())
    else {
        panic!()
    };
    assert!(errors.to_string().contains("1:9"), "{errors}");
}

#[test]
fn a_star_gives_applications_to_the_one_flow_without_its_own_that_calls_a_connector() {
    let options = MigrateOptions::new()
        .api_app_id(API_APP)
        .application("*", WEB_APP)
        .application("B2C_1_Partners", PARTNER_APP);
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options).unwrap();
    let flows = &migration.configuration.events_flows;
    assert_eq!(flows["B2C_1_SignUp"].include_applications, [WEB_APP]);
    // B2C_1_Empty calls no connector: it keeps no application (and a note says so).
    assert!(flows["B2C_1_Empty"].include_applications.is_empty());
    assert_eq!(flows["B2C_1_Partners"].include_applications, [PARTNER_APP]);
    assert!(
        migration
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Applications && n.subject == "user flow \"B2C_1_Empty\"")
    );
    // The file validates: no application is in two flows.
    let text = migration.to_yaml();
    let file = ConfigFile::parse(&text, Format::Yaml, None, ".").unwrap();
    validate(&file, &FixedEnvironment::new(0)).unwrap();

    // With two such flows, `*` would put one application in both: refused, naming them.
    let options = MigrateOptions::new()
        .api_app_id(API_APP)
        .application("*", WEB_APP);
    let err = migrate_text(EXPORTED, Format::Yaml, None, &options).unwrap_err();
    assert_eq!(
        err,
        MigrateError::ApplicationForSeveralFlows {
            app_ids: vec![WEB_APP.into()],
            flows: vec!["B2C_1_Partners".into(), "B2C_1_SignUp".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "--app-id {WEB_APP} names no user flow, and B2C_1_Partners and B2C_1_SignUp call a connector; an application can be in one events flow only: pass --app-id FLOW=APPID for each"
        )
    );
}

#[test]
fn a_live_snapshot_migrates_like_its_export_and_notes_what_the_export_left_out() {
    let snapshot = Snapshot {
        connectors: vec![
            ConnectorSnapshot {
                id: "c1".into(),
                display_name: "Validate postal code".into(),
                target_url: "https://api.contoso.com/validate".into(),
                authentication: AuthenticationSnapshot::Basic {
                    username: "b2c".into(),
                },
            },
            ConnectorSnapshot {
                id: "c2".into(),
                display_name: "Future".into(),
                target_url: "https://api.contoso.com/future".into(),
                authentication: AuthenticationSnapshot::Unknown {
                    odata_type: Some("#microsoft.graph.oAuth2".into()),
                },
            },
        ],
        user_flows: vec![UserFlowSnapshot {
            id: "B2C_1_SignUp".into(),
            family: Family::B2c,
            steps: [(Step::PostAttributeCollection, Some("c1".to_owned()))].into(),
        }],
    };
    let source = ExportTarget {
        tenant: "contosob2c.onmicrosoft.com".into(),
        cloud: Cloud::Global,
        api_version: ApiVersion::Beta,
        schema: None,
    };
    let migration = migrate_snapshot(&snapshot, &source, &options()).unwrap();
    assert_eq!(migration.mappings.len(), 1);
    assert_eq!(
        migration.configuration.events_flows["B2C_1_SignUp"]
            .on_attribute_collection_submit
            .as_deref(),
        Some("Validate postal code (onAttributeCollectionSubmit)")
    );
    let first = &migration.notes[0];
    assert_eq!(first.kind, NoteKind::NotCarriedOver);
    assert!(first.reason.contains("\"Future\""), "{}", first.reason);
    assert!(
        first.reason.contains("#microsoft.graph.oAuth2"),
        "{}",
        first.reason
    );
}

#[test]
fn the_table_lists_each_binding_then_each_note() {
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options()).unwrap();
    let table = migration.table();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("user flow       B2C step"), "{table}");
    assert!(
        lines[3].starts_with("B2C_1_SignUp    postAttributeCollection  Validate postal code  onAttributeCollectionSubmit \"Validate postal code (onAttributeCollectionSubmit)\""),
        "{table}"
    );
    assert!(
        lines[4].ends_with("listener \"B2C_1_SignUp token issuance\""),
        "{table}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("note: ")).count(),
        migration.notes.len()
    );
}

#[test]
fn a_star_no_flow_can_take_is_noted_not_dropped() {
    // Every flow that calls a connector has its own applications.
    let options = MigrateOptions::new()
        .api_app_id(API_APP)
        .application("*", WEB_APP)
        .application("B2C_1_SignUp", WEB_APP)
        .application("B2C_1_Partners", PARTNER_APP);
    let migration = migrate_text(EXPORTED, Format::Yaml, None, &options).unwrap();
    let note = migration
        .notes
        .iter()
        .find(|n| n.subject == format!("--app-id {WEB_APP}"))
        .unwrap_or_else(|| panic!("{:?}", migration.notes));
    assert_eq!(note.kind, NoteKind::Applications);
    assert!(note.reason.contains("was not used"), "{}", note.reason);
    assert!(
        migration.configuration.events_flows["B2C_1_Empty"]
            .include_applications
            .is_empty()
    );
}
