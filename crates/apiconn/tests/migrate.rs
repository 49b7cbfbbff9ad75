//! `apiconn migrate`: an exported B2C file (or the B2C emulator tenant read live) written as the
//! External ID file, with the mapping table and every note on standard error, `--output json` for
//! scripts, and usage errors for missing or malformed options.

use assert_cmd::Command;
use entra_api_connectors_desired_state::{ConfigFile, FixedEnvironment, validate};
use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};
use serde_json::Value;

const API_APP: &str = "11111111-2222-3333-4444-555555555555";
const WEB_APP: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/// An exported B2C file: both authentication kinds, both bindable steps, an http connector.
const EXPORTED: &str = r#"# Exported from tenant contosob2c.onmicrosoft.com (global, Graph beta).
tenant: "contosob2c.onmicrosoft.com"
cloud: global
apiVersion: beta
connectors:
  "Enrich from IdP":
    targetUrl: "https://enrich.contoso.com/idp"
    authentication:
      clientCertificate:
        pfx: "certificates/enrich-from-idp.pfx"
        password: {env: APICONN_ENRICH_FROM_IDP_PASSWORD}
  "Legacy check":
    targetUrl: "http://legacy.contoso.com/check"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_LEGACY_CHECK_PASSWORD}
  "Validate postal code":
    targetUrl: "https://api.contoso.com/validate"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_VALIDATE_POSTAL_CODE_PASSWORD}
userFlows:
  "B2C_1_SignUp":
    family: b2c
    steps:
      postFederationSignup: "Enrich from IdP"
      postAttributeCollection: "Validate postal code"
  "B2C_1_Legacy":
    family: b2c
    steps:
      postAttributeCollection: "Legacy check"
"#;

fn apiconn(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiconn"));
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "GRAPH_TOKEN",
    ] {
        cmd.env_remove(name);
    }
    cmd.current_dir(dir).write_stdin("");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn a_file_is_migrated_with_its_table_and_notes_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b2c.yaml"), EXPORTED).unwrap();
    let out = apiconn(dir.path())
        .args([
            "migrate",
            "--from",
            "b2c.yaml",
            "--api-app-id",
            API_APP,
            "--tenant",
            "contosoexternal.onmicrosoft.com",
            "--app-id",
            &format!("B2C_1_SignUp={WEB_APP}"),
            "--out",
            "external.yaml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "user flow     B2C step                 connector             External ID                                                                       by",
            "B2C_1_SignUp  postFederationSignup     Enrich from IdP       onAttributeCollectionStart \"Enrich from IdP (onAttributeCollectionStart)\"         events flow \"B2C_1_SignUp\"",
            "B2C_1_SignUp  postAttributeCollection  Validate postal code  onAttributeCollectionSubmit \"Validate postal code (onAttributeCollectionSubmit)\"  events flow \"B2C_1_SignUp\"",
        ],
        "{stderr}"
    );
    // Every note, each with its kind, subject and reason.
    for expected in [
        "note: notCarriedOver connector \"Legacy check\": its target URL http://legacy.contoso.com/check uses http",
        "note: timeout extension \"Enrich from IdP (onAttributeCollectionStart)\": B2C waits up to 20 s",
        "note: authentication connector \"Enrich from IdP\": its client certificate becomes Entra's bearer token",
        "note: authentication connector \"Validate postal code\": its basic authentication becomes Entra's bearer token",
        "note: stepBehaviour user flow \"B2C_1_SignUp\" step postFederationSignup: onAttributeCollectionStart runs for every sign-up",
        "note: stepBehaviour user flow \"B2C_1_SignUp\" step postAttributeCollection: returned claims become modifyAttributeValues",
        "note: customAttributes user flow \"B2C_1_SignUp\": custom attributes keep the form extension_<appId>_<Name>",
        "note: applications user flow \"B2C_1_Legacy\": B2C does not record which applications use a user flow",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "missing {expected:?} in\n{stderr}"
        );
    }
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("note: ")).count(),
        9,
        "{stderr}"
    );
    assert_eq!(*lines.last().unwrap(), "wrote external.yaml");

    // The written file validates and says what the table says.
    let file = ConfigFile::read(dir.path().join("external.yaml")).unwrap();
    let desired = validate(&file, &FixedEnvironment::new(0)).unwrap();
    assert_eq!(desired.tenant, "contosoexternal.onmicrosoft.com");
    let enrich = &desired.custom_extensions["Enrich from IdP (onAttributeCollectionStart)"];
    assert_eq!(
        enrich.resource_id,
        format!("api://enrich.contoso.com/{API_APP}")
    );
    assert_eq!(enrich.timeout_in_milliseconds, Some(2000));
    let flow = &desired.events_flows["B2C_1_SignUp"];
    assert_eq!(flow.include_applications, [WEB_APP]);
    assert_eq!(
        flow.on_attribute_collection_submit.as_deref(),
        Some("Validate postal code (onAttributeCollectionSubmit)")
    );
    assert!(
        desired.events_flows["B2C_1_Legacy"]
            .handlers()
            .next()
            .is_none()
    );
    let written = std::fs::read_to_string(dir.path().join("external.yaml")).unwrap();
    assert!(
        written.contains("# - notCarriedOver connector \"Legacy check\""),
        "{written}"
    );
}

#[test]
fn output_json_gives_mapping_and_notes_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b2c.yaml"), EXPORTED).unwrap();
    let out = apiconn(dir.path())
        .args([
            "--output",
            "json",
            "migrate",
            "--from",
            "b2c.yaml",
            "--api-app-id",
            API_APP,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["source"], "contosob2c.onmicrosoft.com");
    assert_eq!(value["tenant"], "contosob2c.onmicrosoft.com");
    assert_eq!(
        value["mappings"][1],
        serde_json::json!({
            "userFlow": "B2C_1_SignUp",
            "step": "postAttributeCollection",
            "connector": "Validate postal code",
            "event": "onAttributeCollectionSubmit",
            "extension": "Validate postal code (onAttributeCollectionSubmit)",
            "caller": {"kind": "eventsFlow", "name": "B2C_1_SignUp"}
        })
    );
    let notes = value["notes"].as_array().unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "notCarriedOver",
            "applications",
            "timeout",
            "authentication",
            "stepBehaviour",
            "timeout",
            "authentication",
            "stepBehaviour",
            "customAttributes",
            "applications",
            "targetTenant"
        ]
    );
    assert!(
        notes
            .iter()
            .all(|n| !n["reason"].as_str().unwrap().is_empty())
    );
    // Without --out the file is in the JSON, and nothing is printed as a table.
    let file = value["file"].as_str().unwrap();
    assert!(file.contains("apiVersion: v1.0\n"), "{file}");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn usage_errors_exit_2_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b2c.yaml"), EXPORTED).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["migrate", "--from", "b2c.yaml", "--out", "x.yaml"],
            "--api-app-id is required",
        ),
        (
            &["migrate", "--from", "b2c.yaml", "--api-app-id", "api"],
            "application id \"api\" is not a GUID",
        ),
        (&["migrate", "--api-app-id", API_APP], "--from <FILE>"),
        (
            &["migrate", "--from", "b2c.yaml", "--from-tenant"],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let out = apiconn(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!dir.path().join("x.yaml").exists());

    // A file that is not a configuration: a runtime error with file:line:column.
    std::fs::write(
        dir.path().join("bad.yaml"),
        "tenant: [1]\napiVersion: beta\n",
    )
    .unwrap();
    let out = apiconn(dir.path())
        .args(["migrate", "--from", "bad.yaml", "--api-app-id", API_APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad.yaml:1:9"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn from_tenant_reads_the_b2c_tenant_live() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig::new(TenantKind::B2c)))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The B2C tenant gets a connector bound to a step through `apiconn apply`.
    std::fs::write(
        dir.path().join("b2c.yaml"),
        "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n  Validate postal code:\n    targetUrl: https://api.contoso.com/validate\n    authentication:\n      basic: {username: b2c, password: {env: BASIC_PASSWORD}}\nuserFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps: {postAttributeCollection: Validate postal code}\n",
    )
    .unwrap();
    let base = emulator.base_url();
    let with_graph = |cmd: &mut Command| {
        cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
            .env("BASIC_PASSWORD", "Migr4te-sentinel")
            .args(["--base-url", &base, "--api-version", "beta"]);
    };
    let mut apply = apiconn(dir.path());
    with_graph(&mut apply);
    let out = apply
        .args(["apply", "-f", "b2c.yaml", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut migrate = apiconn(dir.path());
    with_graph(&mut migrate);
    let out = migrate
        .args([
            "migrate",
            "--from-tenant",
            "--api-app-id",
            API_APP,
            "--app-id",
            WEB_APP,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "# Migrated by apiconn migrate from Azure AD B2C tenant emulatorb2c.onmicrosoft.com.\n"
        ),
        "{stdout}"
    );
    let file = ConfigFile::parse(
        &stdout,
        entra_api_connectors_desired_state::Format::Yaml,
        None,
        ".",
    )
    .unwrap();
    let configuration = file.configuration().unwrap();
    let submit = &configuration.custom_authentication_extensions["Validate postal code (onAttributeCollectionSubmit)"];
    assert_eq!(submit.target_url, "https://api.contoso.com/validate");
    assert_eq!(
        configuration.events_flows["B2C_1_SignUp"].include_applications,
        [WEB_APP]
    );
    // The emulator's other flow has no binding; it becomes an events flow too, without the
    // `--app-id` given without a flow (an application can be in one events flow only).
    assert!(
        configuration.events_flows["B2C_1_SignUpSignIn"]
            .include_applications
            .is_empty()
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: authentication connector \"Validate postal code\""),
        "{stderr}"
    );
    // Reading is all it did: no write reached the emulator.
    let writes_after_apply = emulator.requests().iter().filter(|r| r.is_write()).count();
    assert_eq!(writes_after_apply, 2, "create + bind");
    // The password never appears.
    assert!(!stdout.contains("Migr4te-sentinel") && !stderr.contains("Migr4te-sentinel"));
    runtime.block_on(emulator.shutdown());
}
