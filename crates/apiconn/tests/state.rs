//! `apiconn export`, `plan` and `apply` against the emulator: exit codes, output, what reached the
//! emulator, and every bad input of a configuration file refused with file:line:column before any
//! request.

use std::path::PathBuf;

use assert_cmd::Command;
use entra_api_connectors_certificate::{testing, unix_now};
use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};
use secrecy::SecretString;
use serde_json::Value;

const PASSWORD: &str = "St4te-Sentinel-pw";
const PFX_PASSWORD: &str = "St4te-pfx-pw";

struct Env {
    emulator: Emulator,
    dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Env {
    fn start(config: EmulatorConfig) -> Env {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime.block_on(Emulator::start(config)).unwrap();
        Env {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            _runtime: runtime,
        }
    }

    fn apiconn(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiconn"));
        for name in ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"] {
            cmd.env_remove(name);
        }
        cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
            .env("BASIC_PASSWORD", PASSWORD)
            .env("PFX_PASSWORD", PFX_PASSWORD)
            .args([
                "--base-url",
                &self.emulator.base_url(),
                "--api-version",
                "beta",
            ])
            .current_dir(self.dir.path())
            .write_stdin("");
        cmd
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn writes(&self) -> usize {
        self.emulator
            .requests()
            .iter()
            .filter(|r| r.is_write())
            .count()
    }
}

fn pfx(password: &str, not_before: i64, not_after: i64) -> Vec<u8> {
    testing::self_signed_pkcs12(
        "client.contoso.com",
        &SecretString::from(password),
        not_before,
        not_after,
    )
}

const FILE: &str = "\
tenant: emulatorb2c.onmicrosoft.com
apiVersion: beta
connectors:
  Validate postal code:
    targetUrl: https://api.contoso.com/validate
    authentication:
      basic: {username: b2c, password: {env: BASIC_PASSWORD}}
userFlows:
  B2C_1_SignUp:
    family: b2c
    steps:
      postAttributeCollection: Validate postal code
";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn plan_exits_2_apply_converges_plan_exits_0_and_export_plans_empty() {
    let env = Env::start(EmulatorConfig::new(TenantKind::B2c));
    env.write("tenant.yaml", FILE);

    let out = env
        .apiconn()
        .args(["plan", "-f", "tenant.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "+ create connector \"Validate postal code\" (https://api.contoso.com/validate, basic user b2c; password sent)\n\
         > bind B2C_1_SignUp.postAttributeCollection → \"Validate postal code\"\n\
         2 changes: 1 to connectors, 1 to bindings, 0 deletes.\n"
    );
    let out = env
        .apiconn()
        .args(["plan", "-f", "tenant.yaml", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["actions"][0]["action"], "createConnector");
    assert_eq!(json["actions"][0]["displayName"], "Validate postal code");
    assert_eq!(json["actions"][1]["action"], "bind");
    assert_eq!(json["actions"][1]["connectorId"], Value::Null);
    assert!(!stdout(&out).contains(PASSWORD));
    assert_eq!(env.writes(), 0, "plan writes nothing");

    // Without --yes and without a terminal: refused, nothing written.
    let out = env
        .apiconn()
        .args(["apply", "-f", "tenant.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert_eq!(env.writes(), 0);

    let out = env
        .apiconn()
        .args(["apply", "-f", "tenant.yaml", "--yes", "--concurrency", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("done: + create connector \"Validate postal code\""),
        "{text}"
    );
    assert!(
        text.contains("done: > bind B2C_1_SignUp.postAttributeCollection"),
        "{text}"
    );
    assert!(
        text.ends_with("2 of 2 actions done, 0 not done; 0 reconciliations, 0 retries.\n"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD) && !stderr(&out).contains(PASSWORD));
    assert_eq!(env.writes(), 2);
    let connectors = env.emulator.connectors();
    assert_eq!(connectors.len(), 1);
    assert_eq!(connectors[0].basic_password_matches(PASSWORD), Some(true));

    let out = env
        .apiconn()
        .args(["plan", "-f", "tenant.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("! passwords not compared"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).ends_with("No changes.\n"));

    let out = env
        .apiconn()
        .args([
            "export",
            "--out",
            "exported.yaml",
            "--schema",
            "./apiconn.schema.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "set APICONN_VALIDATE_POSTAL_CODE_PASSWORD to the password of \"Validate postal code\""
        ),
        "{}",
        stderr(&out)
    );
    let exported = std::fs::read_to_string(env.dir.path().join("exported.yaml")).unwrap();
    assert!(
        exported.contains("# yaml-language-server: $schema=./apiconn.schema.json\n"),
        "{exported}"
    );
    assert!(
        exported.contains("tenant: \"emulatorb2c.onmicrosoft.com\"\n"),
        "{exported}"
    );
    let out = env
        .apiconn()
        .env("APICONN_VALIDATE_POSTAL_CODE_PASSWORD", PASSWORD)
        .args(["plan", "-f", "exported.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}\n{exported}", stdout(&out));
}

#[test]
fn another_tenant_is_refused_with_exit_1_and_nothing_written() {
    let env = Env::start(EmulatorConfig::new(TenantKind::B2c).tenant(
        "2d5f6a7b-8c9d-4e0f-a1b2-c3d4e5f60718",
        "fabrikam.onmicrosoft.com",
    ));
    env.write("tenant.yaml", FILE);
    for command in ["plan", "apply"] {
        let out = env
            .apiconn()
            .args(
                [command, "-f", "tenant.yaml", "--yes"]
                    .iter()
                    .filter(|a| command == "apply" || **a != "--yes"),
            )
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stdout(&out));
        assert_eq!(
            stderr(&out),
            "apiconn: error: the file is for tenant \"emulatorb2c.onmicrosoft.com\", but the credential is for tenant \
             2d5f6a7b-8c9d-4e0f-a1b2-c3d4e5f60718 (fabrikam.onmicrosoft.com); nothing was changed\n"
        );
    }
    let sent = env.emulator.requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter()
            .all(|r| r.method == "GET" && r.path == "/beta/organization")
    );
}

#[test]
fn schema_export_includes_the_configuration_file_schema() {
    let env = Env::start(EmulatorConfig::new(TenantKind::B2c));
    let out = env
        .apiconn()
        .args(["schema", "export", "--out", "schemas"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(env.dir.path().join("schemas/apiconn.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["properties"]["connectors"].is_object());
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("tenant"))
    );
    // An example file validates against it.
    env.write("tenant.yaml", FILE);
    let out = env
        .apiconn()
        .args([
            "schema",
            "validate",
            "--schema",
            "schemas/apiconn.schema.json",
            "tenant.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// Line and column (1-based) of the only occurrence of `needle`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} must occur once"
    );
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

#[test]
fn every_bad_input_is_refused_with_file_line_column_and_nothing_is_sent() {
    let env = Env::start(EmulatorConfig::new(TenantKind::B2c));
    let now = unix_now();
    env.write(
        "good.pfx",
        pfx(PFX_PASSWORD, now - 86_400, now + 365 * 86_400),
    );
    env.write(
        "expired.pfx",
        pfx(PFX_PASSWORD, now - 400 * 86_400, now - 86_400),
    );
    let head = "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\n";
    let basic =
        "    authentication:\n      basic: {username: b2c, password: {env: BASIC_PASSWORD}}\n";
    let cases: Vec<(&str, String, &str, String)> = vec![
        (
            "unknown key",
            format!("{head}colour: blue\nconnectors: {{}}\n"),
            "colour",
            "unknown key \"colour\"; expected $schema, tenant, cloud, apiVersion, prune, connectors, userFlows, customAuthenticationExtensions, eventsFlows or tokenIssuanceListeners (at colour)".into(),
        ),
        (
            "duplicate connector name",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n{basic}  A :\n    targetUrl: https://b.example\n{basic}"),
            "A :",
            "duplicate connector name \"A\" (first at 4:3); display names must be unique".into(),
        ),
        (
            "step bound to an undefined connector",
            format!("{head}connectors: {{}}\nuserFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps:\n      postAttributeCollection: Nobody\n"),
            "Nobody",
            "step postAttributeCollection of user flow B2C_1_SignUp names connector \"Nobody\", which the file does not define".into(),
        ),
        (
            "preTokenIssuance",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n{basic}userFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps:\n      preTokenIssuance: A\n"),
            "preTokenIssuance",
            "step preTokenIssuance cannot be bound in user flow B2C_1_SignUp: Graph beta offers no $ref binding of it for b2c user flows".into(),
        ),
        (
            "http target URL",
            format!("{head}connectors:\n  A:\n    targetUrl: http://a.example\n{basic}"),
            "http://a.example",
            "targetUrl http://a.example uses http; Graph calls API connectors over https only".into(),
        ),
        (
            "unset variable",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      basic: {{username: b2c, password: {{env: NOT_SET_ANYWHERE}}}}\n"),
            "{env: NOT_SET_ANYWHERE}",
            "environment variable NOT_SET_ANYWHERE is not set (at connectors.A.authentication.basic.password)".into(),
        ),
        (
            "missing secret file",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      basic: {{username: b2c, password: {{file: nowhere.txt}}}}\n"),
            "{file: nowhere.txt}",
            "secret file ./nowhere.txt does not exist (at connectors.A.authentication.basic.password)".into(),
        ),
        (
            "wrong .pfx password",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      clientCertificate: {{pfx: good.pfx, password: {{env: BASIC_PASSWORD}}}}\n"),
            "good.pfx",
            ".pfx file ./good.pfx does not open with its password".into(),
        ),
        (
            "expired .pfx",
            format!("{head}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      clientCertificate: {{pfx: expired.pfx, password: {{env: PFX_PASSWORD}}}}\n"),
            "expired.pfx",
            "the certificate in ./expired.pfx (thumbprint ".into(),
        ),
    ];
    for (what, text, needle, message) in cases {
        env.write("bad.yaml", &text);
        let (line, column) = pos(&text, needle);
        for command in ["plan", "apply"] {
            let out = env
                .apiconn()
                .args(
                    [command, "-f", "bad.yaml", "--yes"]
                        .iter()
                        .filter(|a| command == "apply" || **a != "--yes"),
                )
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{what}: {}", stdout(&out));
            let err = stderr(&out);
            let at = format!("apiconn: error: bad.yaml:{line}:{column}: ");
            assert!(err.starts_with(&at), "{what}: expected {at}…, got {err}");
            assert!(err[at.len()..].starts_with(&message), "{what}: {err}");
            assert!(
                !err.contains(PASSWORD) && !err.contains(PFX_PASSWORD),
                "{what}: {err}"
            );
            assert_eq!(
                env.emulator.request_count(),
                0,
                "{what}: a request was sent"
            );
        }
    }
}

/// An external tenant's file: a connector, and an events flow whose application has no service
/// principal there, so Graph refuses to add it.
const EXTERNAL_FILE: &str = "\
tenant: emulatorext.onmicrosoft.com
apiVersion: v1.0
connectors:
  Validate postal code:
    targetUrl: https://api.contoso.com/validate
    authentication:
      basic: {username: b2c, password: {env: BASIC_PASSWORD}}
customAuthenticationExtensions:
  Validate (submit):
    type: onAttributeCollectionSubmit
    targetUrl: https://api.contoso.com/validate
    resourceId: api://api.contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e
eventsFlows:
  Sign up:
    includeApplications: [99999999-9999-4999-8999-999999999999]
    onAttributeCollectionSubmit: Validate (submit)
";

#[test]
fn an_external_id_failure_reports_what_was_done_connectors_included() {
    let env = Env::start(EmulatorConfig::new(TenantKind::External).service_principal(
        entra_api_connectors_emulator::ServicePrincipal::new(
            "fb96de85-2abe-4b02-b45f-64ba122c509e",
            "Contoso API",
        ),
    ));
    env.write("external.yaml", EXTERNAL_FILE);
    let out = env
        .apiconn()
        .args(["plan", "-f", "external.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "+ create connector \"Validate postal code\" (https://api.contoso.com/validate, basic user b2c; password sent)\n\
         1 changes: 1 to connectors, 0 to bindings, 0 deletes.\n\
         + create custom extension \"Validate (submit)\" (onAttributeCollectionSubmit)\n\
         + create events flow \"Sign up\"\n\
         + add application 99999999-9999-4999-8999-999999999999 to events flow \"Sign up\"\n\
         ~ attach \"Validate (submit)\" to onAttributeCollectionSubmit of events flow \"Sign up\"\n\
         4 External ID changes.\n"
    );

    let out = env
        .apiconn()
        .args(["--output", "json", "apply", "-f", "external.yaml", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["actions"].as_array().unwrap().len(), 1);
    assert_eq!(report["actions"][0][1]["outcome"], "done", "{report}");
    assert_eq!(
        report["externalIdDone"],
        serde_json::json!([
            {"action": "createExtension", "displayName": "Validate (submit)", "event": "onAttributeCollectionSubmit"},
            {"action": "createEventsFlow", "displayName": "Sign up"},
        ])
    );
    let err = stderr(&out);
    assert!(
        err.contains("External ID: + add application 99999999-9999-4999-8999-999999999999 to events flow \"Sign up\" failed after 2 of 4 changes"),
        "{err}"
    );
    assert!(err.contains("run plan again to see what is left"), "{err}");
    assert!(!err.contains(PASSWORD) && !stdout(&out).contains(PASSWORD));
    assert_eq!(env.emulator.connectors().len(), 1);
    assert_eq!(env.emulator.custom_extensions().len(), 1);

    // What is left is what plan shows.
    let out = env
        .apiconn()
        .args(["plan", "-f", "external.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "! passwords not compared (Graph never returns them) for \"Validate postal code\"; --update-secrets sends them\n\
         + add application 99999999-9999-4999-8999-999999999999 to events flow \"Sign up\"\n\
         ~ attach \"Validate (submit)\" to onAttributeCollectionSubmit of events flow \"Sign up\"\n\
         2 External ID changes.\n"
    );
}
