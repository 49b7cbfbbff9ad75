//! The `apiconn` binary against the crate's Graph emulator, started in the test on 127.0.0.1.
//!
//! Each test checks what the binary prints and exits with, and what it changed in the emulator.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use entra_api_connectors_certificate::{testing, thumbprint_of, unix_now};
use entra_api_connectors_emulator::{
    AuthRecord, DEFAULT_TOKEN, Emulator, EmulatorConfig, Step, TenantKind,
};
use predicates::prelude::*;
use secrecy::SecretString;
use serde_json::Value;

mod support;

const BASIC_PASSWORD: &str = "b4sic-Pa55word";
const PFX_PASSWORD: &str = "pfx-Pa55word";

/// A running emulator and a scratch folder.
struct Env {
    emulator: Emulator,
    dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Env {
    fn start(kind: TenantKind) -> Env {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(Emulator::start(EmulatorConfig::new(kind)))
            .unwrap();
        Env {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            _runtime: runtime,
        }
    }

    /// `apiconn` with no credentials from the developer's environment.
    fn bare() -> Command {
        support::bare()
    }

    /// `apiconn --base-url <emulator> --api-version <version>` with the emulator's token.
    fn apiconn(&self, version: &str) -> Command {
        let mut cmd = Self::bare();
        cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
            .args([
                "--base-url",
                &self.emulator.base_url(),
                "--api-version",
                version,
            ])
            .current_dir(self.dir.path());
        cmd
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Create a basic-auth connector through the CLI; returns its id.
    fn create_basic(&self, version: &str, name: &str) -> String {
        let pw = self.write("basic.pw", format!("{BASIC_PASSWORD}\n"));
        let out = self
            .apiconn(version)
            .args(["--json", "connectors", "create", "--name", name])
            .args([
                "--target-url",
                "https://api.contoso.example/signup",
                "--username",
                "svc-signup",
            ])
            .arg("--password-file")
            .arg(&pw)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let created: Value = serde_json::from_slice(&out).unwrap();
        created["id"].as_str().unwrap().to_string()
    }
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

/// A .pfx file (self-signed, valid for a year) and its certificate's thumbprint.
fn pfx(dir: &Path, name: &str) -> (PathBuf, PathBuf, String, i64) {
    let now = unix_now();
    let not_after = now + 365 * 86_400;
    let id = testing::self_signed("api.contoso.example", now - 3600, not_after);
    let bytes = testing::pack(
        &SecretString::from(PFX_PASSWORD),
        Some(secrecy::ExposeSecret::expose_secret(&id.private_key_der)),
        &[&id.certificate_der],
    );
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let pw = dir.join(format!("{name}.pw"));
    std::fs::write(&pw, PFX_PASSWORD).unwrap();
    (path, pw, thumbprint_of(&id.certificate_der), not_after)
}

#[test]
fn connector_lifecycle_create_list_get_update_upload_delete() {
    let env = Env::start(TenantKind::Workforce);

    // create, basic auth, password from a file (its trailing newline is not part of the password)
    let pw = env.write("basic.pw", format!("{BASIC_PASSWORD}\n"));
    let out = stdout(
        env.apiconn("v1.0")
            .args([
                "connectors",
                "create",
                "--name",
                "Check age",
                "--target-url",
                "https://api.contoso.example/age",
            ])
            .args(["--username", "svc-age", "--password-file"])
            .arg(&pw),
    );
    let record = env
        .emulator
        .connectors()
        .pop()
        .expect("the connector was created");
    let id = record.id.clone();
    assert_eq!(record.display_name.as_deref(), Some("Check age"));
    assert_eq!(
        record.target_url.as_deref(),
        Some("https://api.contoso.example/age")
    );
    assert_eq!(record.basic_password_matches(BASIC_PASSWORD), Some(true));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("ID  ")
            && lines[0].contains("DISPLAY NAME")
            && lines[0].contains("ACTIVE CERT")
    );
    assert!(
        lines[1].starts_with(&id) && lines[1].contains("basic"),
        "{out}"
    );

    // list as a table: columns aligned under their headers
    env.create_basic("v1.0", "Enrich claims");
    let out = stdout(env.apiconn("v1.0").args(["connectors", "list"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let col = lines[0].find("TARGET URL").unwrap();
    for row in &lines[1..] {
        assert_eq!(
            &row[col..col + "https://".len()],
            "https://",
            "misaligned: {out}"
        );
    }
    assert!(out.contains("Check age") && out.contains("Enrich claims"));

    // list as JSON: Graph's JSON, secrets masked
    let out = stdout(env.apiconn("v1.0").args(["--json", "connectors", "list"]));
    let all: Value = serde_json::from_str(&out).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], id.as_str());
    assert_eq!(
        all[0]["authenticationConfiguration"]["@odata.type"],
        "#microsoft.graph.basicAuthentication"
    );
    assert_eq!(all[0]["authenticationConfiguration"]["password"], "******");
    assert!(!out.contains(BASIC_PASSWORD));

    // get
    let out = stdout(env.apiconn("v1.0").args(["connectors", "get", &id]));
    assert!(
        out.lines().nth(1).unwrap().starts_with(&id)
            && out.contains("https://api.contoso.example/age")
    );

    // update: only the name is sent; the URL and authentication stay
    let out =
        stdout(
            env.apiconn("v1.0")
                .args(["connectors", "update", &id, "--name", "Check age v2"]),
        );
    assert!(out.contains("Check age v2"), "{out}");
    let record = env.emulator.connector(&id).unwrap();
    assert_eq!(record.display_name.as_deref(), Some("Check age v2"));
    assert_eq!(
        record.target_url.as_deref(),
        Some("https://api.contoso.example/age")
    );
    assert_eq!(record.basic_password_matches(BASIC_PASSWORD), Some(true));

    // upload-cert: the connector switches to certificate auth and the table shows the certificate
    let (pfx, pfx_pw, thumbprint, not_after) = pfx(env.dir.path(), "client.pfx");
    let assert = env
        .apiconn("v1.0")
        .args(["connectors", "upload-cert", &id, "--pfx"])
        .arg(&pfx)
        .arg("--password-file")
        .arg(&pfx_pw)
        .assert()
        .success();
    let output = assert.get_output();
    let out = String::from_utf8_lossy(&output.stdout);
    let row = out.lines().nth(1).unwrap();
    assert!(
        row.contains("certificate") && row.contains(&thumbprint),
        "{out}"
    );
    let expiry = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
    assert!(
        row.contains(&format!(
            "{:04}-{:02}-{:02}T",
            expiry.year(),
            u8::from(expiry.month()),
            expiry.day()
        )),
        "{out}"
    );
    assert!(
        !out.contains(PFX_PASSWORD)
            && !String::from_utf8_lossy(&output.stderr).contains(PFX_PASSWORD)
    );
    match env.emulator.connector(&id).unwrap().authentication {
        Some(AuthRecord::ClientCertificate { certificates }) => {
            assert_eq!(certificates.len(), 1);
            assert_eq!(certificates[0].thumbprint, thumbprint);
        }
        other => panic!("expected certificate authentication, got {other:?}"),
    }
    let out = stdout(
        env.apiconn("v1.0")
            .args(["--json", "connectors", "get", &id]),
    );
    let got: Value = serde_json::from_str(&out).unwrap();
    let list = &got["authenticationConfiguration"]["certificateList"];
    assert_eq!(list[0]["thumbprint"], thumbprint.as_str());
    assert_eq!(list[0]["isActive"], true);

    // delete
    let out = stdout(env.apiconn("v1.0").args(["connectors", "delete", &id]));
    assert_eq!(out, format!("deleted connector {id}\n"));
    assert!(env.emulator.connector(&id).is_none());
    assert_eq!(env.emulator.connectors().len(), 1);
}

#[test]
fn create_with_a_certificate_and_the_password_from_an_environment_variable() {
    let env = Env::start(TenantKind::Workforce);
    let (pfx, _, thumbprint, _) = pfx(env.dir.path(), "new.pfx");
    let out = stdout(
        env.apiconn("beta")
            .env("APICONN_TEST_PFX_PASSWORD", PFX_PASSWORD)
            .args([
                "connectors",
                "create",
                "--name",
                "mTLS",
                "--target-url",
                "https://mtls.contoso.example/",
            ])
            .arg("--pfx")
            .arg(&pfx)
            .args(["--password-env", "APICONN_TEST_PFX_PASSWORD"]),
    );
    assert!(
        out.contains(&thumbprint) && out.contains("certificate"),
        "{out}"
    );
    let record = env.emulator.connectors().pop().unwrap();
    assert!(matches!(
        record.authentication,
        Some(AuthRecord::ClientCertificate { .. })
    ));
}

#[test]
fn a_wrong_pfx_password_is_rejected_before_anything_is_sent() {
    let env = Env::start(TenantKind::Workforce);
    let id = env.create_basic("v1.0", "Keep basic");
    let (pfx, _, _, _) = pfx(env.dir.path(), "client.pfx");
    let wrong = env.write("wrong.pw", "not-the-password");
    env.apiconn("v1.0")
        .args(["connectors", "upload-cert", &id, "--pfx"])
        .arg(&pfx)
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "apiconn: error: certificate rejected before upload",
        ));
    assert_eq!(
        env.emulator
            .connector(&id)
            .unwrap()
            .basic_password_matches(BASIC_PASSWORD),
        Some(true)
    );
}

#[test]
fn flows_attach_show_detach_b2c() {
    let env = Env::start(TenantKind::B2c);
    let id = env.create_basic("beta", "Validate loyalty");

    let out = stdout(env.apiconn("beta").args(["flows", "list", "--kind", "b2c"]));
    assert!(
        out.starts_with("ID ")
            && out.contains("B2C_1_SignUp ")
            && out.contains("B2C_1_SignUpSignIn"),
        "{out}"
    );

    let out = stdout(
        env.apiconn("beta")
            .args(["flows", "attach", "B2C_1_SignUp", "--kind", "b2c"])
            .args(["--step", "postAttributeCollection", "--connector", &id]),
    );
    assert!(out.contains("postAttributeCollection") && out.contains(&id));
    let flow = env.emulator.user_flow("B2C_1_SignUp").unwrap();
    assert_eq!(
        flow.api_connector_configuration
            .get(&Step::PostAttributeCollection),
        Some(&id)
    );
    assert_eq!(flow.api_connector_configuration.len(), 1);

    let out = stdout(
        env.apiconn("beta")
            .args(["flows", "show", "B2C_1_SignUp", "--kind", "b2c"]),
    );
    let row = |step: &str| {
        out.lines()
            .find(|l| l.starts_with(step))
            .unwrap_or_else(|| panic!("{step}: {out}"))
            .to_string()
    };
    let attached = row("postAttributeCollection ");
    assert!(
        attached.contains(&id)
            && attached.contains("Validate loyalty")
            && attached.contains("basic"),
        "{out}"
    );
    assert_eq!(
        row("postFederationSignup ")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["postFederationSignup", "-"]
    );
    assert_eq!(
        row("preTokenIssuance ")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["preTokenIssuance", "-"]
    );

    let out = stdout(env.apiconn("beta").args([
        "--json",
        "flows",
        "show",
        "B2C_1_SignUp",
        "--kind",
        "b2c",
    ]));
    let config: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(config["postAttributeCollection"]["id"], id.as_str());
    assert_eq!(
        config["postAttributeCollection"]["authenticationConfiguration"]["password"],
        "******"
    );

    stdout(env.apiconn("beta").args([
        "flows",
        "detach",
        "B2C_1_SignUp",
        "--kind",
        "b2c",
        "--step",
        "postAttributeCollection",
    ]));
    assert!(
        env.emulator
            .user_flow("B2C_1_SignUp")
            .unwrap()
            .api_connector_configuration
            .is_empty()
    );
    let out = stdout(
        env.apiconn("beta")
            .args(["flows", "show", "B2C_1_SignUp", "--kind", "b2c"]),
    );
    assert!(!out.contains(&id), "{out}");
}

#[test]
fn flows_b2x_in_v1_and_bad_steps() {
    let env = Env::start(TenantKind::Workforce);
    let id = env.create_basic("v1.0", "Approval");
    stdout(
        env.apiconn("v1.0")
            .args([
                "flows",
                "attach",
                "B2X_1_PartnerSignUp",
                "--step",
                "postFederationSignup",
            ])
            .args(["--connector", &id]),
    );
    let flow = env.emulator.user_flow("B2X_1_PartnerSignUp").unwrap();
    assert_eq!(
        flow.api_connector_configuration
            .get(&Step::PostFederationSignup),
        Some(&id)
    );
    let out = stdout(
        env.apiconn("v1.0")
            .args(["flows", "show", "B2X_1_PartnerSignUp"]),
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("postFederationSignup") && l.contains(&id)),
        "{out}"
    );
    assert!(
        !out.contains("preTokenIssuance"),
        "v1.0 has no preTokenIssuance step: {out}"
    );

    // a step v1.0 does not have: a usage error naming the steps it has
    env.apiconn("v1.0")
        .args([
            "flows",
            "attach",
            "B2X_1_PartnerSignUp",
            "--step",
            "preTokenIssuance",
            "--connector",
            &id,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "postFederationSignup, postAttributeCollection",
        ));
    // beta can read preTokenIssuance but Graph defines no $ref to bind it
    env.apiconn("beta")
        .args([
            "flows",
            "attach",
            "B2X_1_PartnerSignUp",
            "--step",
            "preTokenIssuance",
            "--connector",
            &id,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not referenceable"));
    // B2C flows are beta-only
    env.apiconn("v1.0")
        .args(["flows", "list", "--kind", "b2c"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exist only in Graph beta"));
}

#[test]
fn graph_errors_print_code_message_and_request_id_and_exit_1() {
    let env = Env::start(TenantKind::Workforce);
    let assert = env
        .apiconn("v1.0")
        .args(["connectors", "get", "00000000-0000-0000-0000-000000000000"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.starts_with("apiconn: error: Graph error 404"), "{err}");
    assert!(
        err.contains("itemNotFound") && err.contains("was not found"),
        "{err}"
    );
    assert!(err.contains("request-id "), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(assert.get_output().stdout.is_empty());

    // a B2C flow in a workforce tenant: Graph's 403 AADB2C
    env.apiconn("beta")
        .args(["flows", "list", "--kind", "b2c"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("403").and(predicate::str::contains("request-id")));

    // a token the emulator does not accept
    env.apiconn("v1.0")
        .env("GRAPH_TOKEN", "not-the-token")
        .args(["connectors", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Graph error 401"));
}

#[test]
fn usage_errors_exit_2_with_usage() {
    Env::bare()
        .args(["connectors", "frobnicate"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unrecognized subcommand")
                .and(predicate::str::contains("Usage:")),
        );
    Env::bare()
        .args(["--api-version", "v2", "connectors", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'v2'"));
    Env::bare()
        .args(["--cloud", "mars", "connectors", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown cloud `mars`"));
    Env::bare()
        .args([
            "connectors",
            "create",
            "--name",
            "x",
            "--target-url",
            "https://x.example",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--username"));
    Env::bare()
        .args([
            "connectors",
            "create",
            "--name",
            "x",
            "--target-url",
            "https://x.example",
            "--username",
            "u",
        ])
        .args(["--pfx", "a.pfx", "--password-file", "pw"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn a_password_cannot_be_given_as_an_argument() {
    for flag in ["--password", "--pfx-password", "--secret"] {
        Env::bare()
            .args([
                "connectors",
                "create",
                "--name",
                "x",
                "--target-url",
                "https://x.example",
                "--username",
                "u",
            ])
            .args([flag, "hunter2"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "unexpected argument '{flag}'"
            )));
    }
    // no source and no terminal to prompt on: a usage error, nothing sent
    let env = Env::start(TenantKind::Workforce);
    env.apiconn("v1.0")
        .args([
            "connectors",
            "create",
            "--name",
            "x",
            "--target-url",
            "https://x.example",
            "--username",
            "u",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--password-file FILE or --password-env NAME",
        ));
    env.apiconn("v1.0")
        .args([
            "connectors",
            "create",
            "--name",
            "x",
            "--target-url",
            "https://x.example",
            "--username",
            "u",
        ])
        .args(["--password-env", "APICONN_TEST_UNSET_VARIABLE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("APICONN_TEST_UNSET_VARIABLE"));
    assert!(env.emulator.connectors().is_empty());
}

#[test]
fn invalid_input_is_caught_before_sending() {
    let env = Env::start(TenantKind::Workforce);
    let pw = env.write("pw", "x");
    env.apiconn("v1.0")
        .args([
            "connectors",
            "create",
            "--name",
            "x",
            "--target-url",
            "http://plain.example",
            "--username",
            "u",
        ])
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("must use https"));
    env.apiconn("v1.0")
        .args(["connectors", "update", "some-id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to update"));
    assert!(env.emulator.connectors().is_empty());
}

#[test]
fn no_credentials_is_an_error() {
    Env::bare()
        .args(["--base-url", "http://127.0.0.1:9", "connectors", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no credentials: set GRAPH_TOKEN"));
}

#[test]
fn emulator_subcommand_serves_graph_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apiconn"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--tenant",
            "workforce",
            "--state",
        ])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base_url = first.trim().to_string();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{first}");

    let run = || {
        let mut cmd = Env::bare();
        cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
            .args(["--base-url", &base_url]);
        cmd
    };
    let out = stdout(run().args(["flows", "list"]));
    assert!(out.contains("B2X_1_PartnerSignUp"), "{out}");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "pw").unwrap();
    stdout(
        run()
            .args([
                "connectors",
                "create",
                "--name",
                "Saved",
                "--target-url",
                "https://s.example",
            ])
            .args(["--username", "u", "--password-file", pw.to_str().unwrap()]),
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(
        saved.contains("\"Saved\""),
        "the state file keeps the connector: {saved}"
    );
}

#[test]
fn spec_check_diff_and_slice() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec");
    let out = stdout(Env::bare().args(["spec", "check", "--spec-dir"]).arg(&spec));
    assert_eq!(
        out.lines().filter(|l| l.contains(": ok (")).count(),
        2,
        "{out}"
    );

    // a spec without the uploadClientCertificate action does not cover the crate
    let dir = tempfile::tempdir().unwrap();
    for version in ["beta", "v1.0"] {
        std::fs::create_dir_all(dir.path().join(version)).unwrap();
        let text = std::fs::read_to_string(spec.join(version).join("identity.csdl.xml")).unwrap();
        let text = if version == "v1.0" {
            let start = text
                .find("<Action Name=\"uploadClientCertificate\"")
                .unwrap();
            let end = start + text[start..].find("</Action>").unwrap() + "</Action>".len();
            format!("{}{}", &text[..start], &text[end..])
        } else {
            text
        };
        std::fs::write(dir.path().join(version).join("identity.csdl.xml"), text).unwrap();
    }
    Env::bare()
        .args(["spec", "check", "--spec-dir"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("beta: ok ("))
        .stderr(predicate::str::contains(
            "missing: upload_client_certificate",
        ));

    // diff: the edited file against the checked-in one
    let old = spec.join("v1.0").join("identity.csdl.xml");
    let new = dir.path().join("v1.0").join("identity.csdl.xml");
    let out = stdout(Env::bare().args(["spec", "diff"]).arg(&old).arg(&new));
    assert!(
        out.starts_with("1 change:\n- ") && out.contains("uploadClientCertificate"),
        "{out}"
    );
    let out = stdout(Env::bare().args(["spec", "diff"]).arg(&old).arg(&old));
    assert_eq!(out, "no changes\n");

    // slice: slicing a fragment with its own provenance gives it back byte for byte
    let fragment = std::fs::read_to_string(&old).unwrap();
    let provenance = graph_csdl::slice::provenance(&fragment)
        .unwrap()
        .to_string();
    let out_file = dir.path().join("sliced.xml");
    Env::bare()
        .args(["--api-version", "v1.0", "spec", "slice", "--metadata"])
        .arg(&old)
        .arg("--roots")
        .arg(spec.join("v1.0").join("slice.json"))
        .arg("--out")
        .arg(&out_file)
        .args(["--provenance", &provenance])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), fragment);
    // the roots default to spec/<version>/slice.json, seen from the working directory
    let beta = spec.join("beta").join("identity.csdl.xml");
    let beta_fragment = std::fs::read_to_string(&beta).unwrap();
    let out = stdout(
        Env::bare()
            .current_dir(spec.parent().unwrap())
            .args(["--api-version", "beta", "spec", "slice", "--metadata"])
            .arg(&beta)
            .args([
                "--provenance",
                graph_csdl::slice::provenance(&beta_fragment).unwrap(),
            ]),
    );
    assert_eq!(out, beta_fragment);
    // other roots give another fragment: without b2cUserFlows, the beta fragment loses its b2c types
    let roots = dir.path().join("roots.json");
    std::fs::write(
        &roots,
        r#"{"singleton": "identity", "navigationProperties": ["apiConnectors", "b2xUserFlows"],
            "boundOperations": ["uploadClientCertificate"]}"#,
    )
    .unwrap();
    let out = stdout(
        Env::bare()
            .args(["spec", "slice", "--metadata"])
            .arg(&beta)
            .arg("--roots")
            .arg(&roots),
    );
    assert!(beta_fragment.contains("Name=\"b2cIdentityUserFlow\""));
    assert!(!out.contains("Name=\"b2cIdentityUserFlow\""), "{out}");
    assert!(out.contains("Name=\"b2xIdentityUserFlow\""), "{out}");
    // a missing or broken roots file is named
    Env::bare()
        .current_dir(dir.path())
        .args(["spec", "slice", "--metadata"])
        .arg(&old)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("slice.json"));
    std::fs::write(
        &roots,
        r#"{"singleton": "identity", "navigationProperty": []}"#,
    )
    .unwrap();
    Env::bare()
        .args(["spec", "slice", "--metadata"])
        .arg(&old)
        .arg("--roots")
        .arg(&roots)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "roots.json: invalid roots file at line 1",
        ))
        .stderr(predicate::str::contains(
            "unknown field `navigationProperty`",
        ));
    Env::bare()
        .args(["spec", "slice", "--metadata"])
        .arg(dir.path().join("missing.xml"))
        .arg("--roots")
        .arg(spec.join("v1.0").join("slice.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.xml"));
}

#[test]
fn schema_export_writes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(
        Env::bare()
            .args(["schema", "export", "--out"])
            .arg(dir.path()),
    );
    assert!(out.starts_with("wrote "), "{out}");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("index.json")).unwrap())
            .unwrap();
    let path = index["groups"]["v1.0"]["schemas"]["identityApiConnector"]
        .as_str()
        .unwrap();
    assert!(dir.path().join(path).is_file());
    assert!(dir.path().join("beta").join("openapi.yaml").is_file());
}

/// The commands of the README's "Export schemas" section, as written there.
#[test]
fn readme_schema_example_validates_the_connector_yaml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut cmd = Env::bare();
        cmd.current_dir(&root);
        cmd
    };
    run()
        .args(["schema", "export", "--out"])
        .arg(dir.path().join("schemas"))
        .assert()
        .success();
    let schema = dir
        .path()
        .join("schemas/v1.0/identityApiConnector.schema.json");
    run()
        .args(["schema", "validate", "--schema"])
        .arg(&schema)
        .arg("examples/schemas/connector.yaml")
        .assert()
        .success()
        .stdout("examples/schemas/connector.yaml: valid\n");
    let assert = run()
        .args(["schema", "validate", "--schema"])
        .arg(&schema)
        .args([
            "examples/schemas/connector.yaml",
            "examples/schemas/connector-plain-http.yaml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 of 2 documents do not match"));
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        out.contains("examples/schemas/connector-plain-http.yaml: INVALID"),
        "{out}"
    );
    assert!(
        out.contains("  at /targetUrl: ") && out.contains("  at /authenticationConfiguration: "),
        "{out}"
    );
    // the README shows these exact commands
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("apiconn schema export --out schemas\n"));
    assert!(readme.contains(
        "apiconn schema validate --schema schemas/v1.0/identityApiConnector.schema.json examples/schemas/connector.yaml\n"
    ));
}

/// Standard output of a successful run, parsed as JSON.
fn json_out(cmd: &mut Command) -> Value {
    let out = stdout(cmd);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Standard output of a successful run, parsed as YAML.
fn yaml_out(cmd: &mut Command) -> Value {
    let out = stdout(cmd);
    serde_norway::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn version_prints_the_tools_name_and_version() {
    let out = stdout(Env::bare().arg("--version"));
    assert_eq!(out, format!("apiconn {}\n", env!("CARGO_PKG_VERSION")));
    // the Graph version is --api-version, or -A
    let env = Env::start(TenantKind::Workforce);
    let mut cmd = Env::bare();
    cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
        .args(["--base-url", &env.emulator.base_url(), "-A", "beta"])
        .args(["--output", "json", "flows", "list"]);
    let flows = json_out(&mut cmd);
    assert_eq!(flows[0]["id"], "B2X_1_PartnerSignUp");
}

#[test]
fn every_completion_script_is_generated() {
    for (shell, marker) in [
        ("bash", "_apiconn()"),
        ("zsh", "#compdef apiconn"),
        ("fish", "complete -c apiconn"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = stdout(Env::bare().args(["completions", shell]));
        assert!(out.contains(marker), "{shell}: {out}");
        assert!(
            out.contains("api-version") && out.contains("dry-run"),
            "{shell}"
        );
    }
    Env::bare()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn each_output_format_parses_back_for_list_get_show_attach_detach() {
    let env = Env::start(TenantKind::B2c);
    let id = env.create_basic("beta", "Check age");
    let flow = ["B2C_1_SignUp", "--kind", "b2c"];
    let step = ["--step", "postAttributeCollection"];
    for format in ["json", "yaml"] {
        let parse = |args: &[&str]| {
            let mut cmd = env.apiconn("beta");
            cmd.args(["--output", format]).args(args);
            if format == "json" {
                json_out(&mut cmd)
            } else {
                yaml_out(&mut cmd)
            }
        };
        let list = parse(&["connectors", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 1, "{format}");
        assert_eq!(list[0]["id"], id.as_str());
        let got = parse(&["connectors", "get", "Check age"]);
        assert_eq!(got["id"], id.as_str());
        assert_eq!(got["authenticationConfiguration"]["password"], "******");
        let attached = parse(
            &[
                &["flows", "attach"][..],
                &flow,
                &step,
                &["--connector", "Check age"],
            ]
            .concat(),
        );
        assert_eq!(
            attached,
            serde_json::json!({
                "flow": "B2C_1_SignUp",
                "step": "postAttributeCollection",
                "connector": id,
                "connectorDisplayName": "Check age",
                "attached": true,
            }),
            "{format}"
        );
        let shown = parse(&[&["flows", "show"][..], &flow].concat());
        assert_eq!(shown["postAttributeCollection"]["id"], id.as_str());
        let flows = parse(&["flows", "list", "--kind", "b2c"]);
        assert!(
            flows
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "B2C_1_SignUp")
        );
        let detached = parse(&[&["flows", "detach"][..], &flow, &step].concat());
        assert_eq!(
            detached,
            serde_json::json!({
                "flow": "B2C_1_SignUp",
                "step": "postAttributeCollection",
                "connector": null,
                "detached": true,
            })
        );
        assert!(
            env.emulator
                .user_flow("B2C_1_SignUp")
                .unwrap()
                .api_connector_configuration
                .is_empty()
        );
    }
    // --json is short for --output json, and cannot be combined with --output
    let list = json_out(env.apiconn("beta").args(["--json", "connectors", "list"]));
    assert_eq!(list[0]["id"], id.as_str());
    env.apiconn("beta")
        .args(["--json", "--output", "yaml", "connectors", "list"])
        .assert()
        .code(2);
    // messages go to standard error: the delete result alone is on standard output
    let assert = env
        .apiconn("beta")
        .args(["-o", "yaml", "connectors", "delete", &id])
        .assert()
        .success();
    let deleted: Value = serde_norway::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        deleted,
        serde_json::json!({"id": id, "displayName": "Check age", "deleted": true})
    );
    assert!(env.emulator.connectors().is_empty());
}

#[test]
fn dry_runs_print_the_request_and_change_nothing() {
    let env = Env::start(TenantKind::B2c);
    let id = env.create_basic("beta", "Existing");
    let before = env.emulator.connectors();
    let base = env.emulator.base_url();
    let base = base.trim_end_matches('/');
    let pw = env.write("new.pw", "Sentinel-Pa55word");
    let (pfx_path, pfx_pw, _, _) = pfx(env.dir.path(), "dry.pfx");

    // create, as text: the request exactly, the password masked
    let assert = env
        .apiconn("beta")
        .args(["connectors", "create", "--name", "New"])
        .args(["--target-url", "https://api.contoso.example/new"])
        .args(["--username", "svc", "--password-file"])
        .arg(&pw)
        .arg("--dry-run")
        .assert()
        .success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(
        out,
        format!(
            "POST {base}/beta/identity/apiConnectors\nAccept: application/json\n\
             Content-Type: application/json\nUser-Agent: apiconn/{}\n\n{}\n",
            env!("CARGO_PKG_VERSION"),
            serde_json::to_string_pretty(&serde_json::json!({
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.basicAuthentication",
                    "password": "******",
                    "username": "svc",
                },
                "displayName": "New",
                "targetUrl": "https://api.contoso.example/new",
            }))
            .unwrap()
        )
    );
    let err = String::from_utf8_lossy(&assert.get_output().stderr);
    assert!(err.contains("dry run: nothing was sent"), "{err}");
    assert!(!out.contains("Sentinel") && !err.contains("Sentinel"));

    // the others as JSON: method, URL, no Authorization, secrets masked
    let plan = |args: &[&str]| {
        let mut cmd = env.apiconn("beta");
        cmd.args(["--json"]).args(args).arg("--dry-run");
        let v = json_out(&mut cmd);
        assert_eq!(v["dryRun"], true);
        assert_eq!(v["requests"].as_array().unwrap().len(), 1, "{v}");
        let request = v["requests"][0].clone();
        assert!(
            request["headers"].get("Authorization").is_none(),
            "{request}"
        );
        request
    };
    let r = plan(&["connectors", "update", &id, "--name", "Renamed"]);
    assert_eq!(r["method"], "PATCH");
    assert_eq!(r["url"], format!("{base}/beta/identity/apiConnectors/{id}"));
    assert_eq!(r["body"], serde_json::json!({"displayName": "Renamed"}));
    let r = plan(&["connectors", "delete", &id]);
    assert_eq!(r["method"], "DELETE");
    assert_eq!(r["url"], format!("{base}/beta/identity/apiConnectors/{id}"));
    assert_eq!(r["body"], Value::Null);
    let r = plan(&[
        "connectors",
        "upload-cert",
        &id,
        "--pfx",
        pfx_path.to_str().unwrap(),
        "--password-file",
        pfx_pw.to_str().unwrap(),
    ]);
    assert_eq!(r["method"], "POST");
    assert_eq!(
        r["url"],
        format!("{base}/beta/identity/apiConnectors/{id}/uploadClientCertificate")
    );
    assert_eq!(
        r["body"],
        serde_json::json!({"pkcs12Value": "******", "password": "******"})
    );
    let flow = [
        "B2C_1_SignUp",
        "--kind",
        "b2c",
        "--step",
        "postAttributeCollection",
    ];
    let r = plan(&[&["flows", "attach"][..], &flow, &["--connector", &id]].concat());
    assert_eq!(r["method"], "PUT");
    assert_eq!(
        r["url"],
        format!(
            "{base}/beta/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/postAttributeCollection/$ref"
        )
    );
    assert_eq!(
        r["body"],
        serde_json::json!({"@odata.id": format!("{base}/beta/identity/apiConnectors/{id}")})
    );
    let r = plan(&[&["flows", "detach"][..], &flow].concat());
    assert_eq!(r["method"], "PUT");
    assert_eq!(r["body"], serde_json::json!({}));

    // nothing changed
    assert_eq!(env.emulator.connectors(), before);
    assert!(
        env.emulator
            .user_flow("B2C_1_SignUp")
            .unwrap()
            .api_connector_configuration
            .is_empty()
    );

    // no token is fetched either: a dry run works without any credential
    let mut cmd = Env::bare();
    cmd.args(["--base-url", &env.emulator.base_url(), "--json"])
        .args(["connectors", "delete", &id, "--dry-run"]);
    assert_eq!(json_out(&mut cmd)["requests"][0]["method"], "DELETE");
    // a name needs a lookup, which a dry run does not send
    env.apiconn("beta")
        .args(["connectors", "delete", "Existing", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give its id"));
    assert_eq!(env.emulator.connectors(), before);
}

#[test]
fn connectors_are_named_by_id_or_display_name() {
    let env = Env::start(TenantKind::Workforce);
    let first = env.create_basic("v1.0", "Twin");
    let other = env.create_basic("v1.0", "Single");

    // a unique name: get, update, attach by name
    let got = json_out(
        env.apiconn("v1.0")
            .args(["--json", "connectors", "get", "Single"]),
    );
    assert_eq!(got["id"], other.as_str());
    let updated = json_out(env.apiconn("v1.0").args([
        "--json",
        "connectors",
        "update",
        "Single",
        "--target-url",
        "https://api.contoso.example/v2",
    ]));
    assert_eq!(updated["targetUrl"], "https://api.contoso.example/v2");
    assert_eq!(
        env.emulator.connector(&other).unwrap().target_url,
        Some("https://api.contoso.example/v2".to_string())
    );

    // a second "Twin" needs --allow-duplicate
    let pw = env.write("pw", "pw");
    let create = |extra: &[&str]| {
        let mut cmd = env.apiconn("v1.0");
        cmd.args(["--json", "connectors", "create", "--name", "Twin"])
            .args(["--target-url", "https://api.contoso.example/twin"])
            .args(["--username", "u", "--password-file"])
            .arg(&pw)
            .args(extra);
        cmd
    };
    let assert = create(&[]).assert().code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("a connector with the display name 'Twin' exists already")
            && err.contains(&first)
            && err.contains("--allow-duplicate"),
        "{err}"
    );
    assert_eq!(env.emulator.connectors().len(), 2);
    let second: Value = serde_json::from_slice(
        &create(&["--allow-duplicate"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let second = second["id"].as_str().unwrap().to_string();
    assert_eq!(env.emulator.connectors().len(), 3);

    // an ambiguous name is an error that lists each match (id and target URL)
    for args in [
        vec!["connectors", "get", "Twin"],
        vec!["connectors", "delete", "Twin"],
        vec![
            "flows",
            "attach",
            "B2X_1_PartnerSignUp",
            "--step",
            "postFederationSignup",
            "--connector",
            "Twin",
        ],
    ] {
        let assert = env.apiconn("v1.0").args(&args).assert().code(1);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            err.contains("2 connectors have the display name 'Twin'"),
            "{err}"
        );
        for id in [&first, &second] {
            assert!(
                err.lines()
                    .any(|l| l.contains(id.as_str()) && l.contains("https://api.contoso.example/")),
                "{err}"
            );
        }
        assert!(err.contains("name the connector by its id"), "{err}");
    }
    assert_eq!(env.emulator.connectors().len(), 3);
    assert!(
        env.emulator
            .user_flow("B2X_1_PartnerSignUp")
            .unwrap()
            .api_connector_configuration
            .is_empty()
    );

    // an unknown name, and one that differs in case only
    env.apiconn("v1.0")
        .args(["connectors", "get", "Nobody"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no connector has the display name 'Nobody'",
        ));
    env.apiconn("v1.0")
        .args(["connectors", "get", "single"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 'Single'"));

    // ids still work, also for the ambiguous name's connectors; delete by id
    let got = json_out(
        env.apiconn("v1.0")
            .args(["--json", "connectors", "get", &second]),
    );
    assert_eq!(got["displayName"], "Twin");
    stdout(env.apiconn("v1.0").args(["connectors", "delete", &second]));
    // now the name is unique again
    let deleted = json_out(
        env.apiconn("v1.0")
            .args(["--json", "connectors", "delete", "Twin"]),
    );
    assert_eq!(deleted["id"], first.as_str());
    assert_eq!(env.emulator.connectors().len(), 1);
}

#[test]
fn emulator_fault_options_take_effect() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apiconn"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--tenant",
            "workforce",
        ])
        .args(["--fault-429-rate", "1", "--retry-after", "7", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base_url = first.trim().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let statuses = runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut seen = Vec::new();
        for path in ["v1.0/identity/apiConnectors", "beta/identity/b2xUserFlows"] {
            for _ in 0..3 {
                let response = http
                    .get(format!("{base_url}/{path}"))
                    .bearer_auth(DEFAULT_TOKEN)
                    .send()
                    .await
                    .unwrap();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_string());
                seen.push((response.status().as_u16(), retry_after));
            }
        }
        seen
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(statuses, vec![(429, Some("7".to_string())); 6]);

    // bad rates are usage errors
    Env::bare()
        .args(["emulator", "--fault-503-rate", "1.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a rate from 0 to 1"));
    // --help documents each option
    let help = stdout(Env::bare().args(["emulator", "--help"]));
    for option in [
        "--fault-429-rate",
        "--fault-503-rate",
        "--retry-after",
        "--fault-drop-rate",
        "--fault-lose-response-rate",
        "--latency",
        "--seed",
    ] {
        assert!(help.contains(option), "{option}: {help}");
    }
}

#[test]
fn the_wrong_user_flow_family_gets_a_hint() {
    let env = Env::start(TenantKind::Workforce);
    let assert = env
        .apiconn("beta")
        .args(["flows", "list", "--kind", "b2c"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("AADB2C") && err.contains("403"), "{err}");
    assert!(
        err.contains("apiconn: hint: this is not an Azure AD B2C tenant")
            && err.contains("--kind b2x"),
        "{err}"
    );
    let env = Env::start(TenantKind::B2c);
    let assert = env.apiconn("beta").args(["flows", "list"]).assert().code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("apiconn: hint: this is an Azure AD B2C tenant")
            && err.contains("--kind b2c --api-version beta"),
        "{err}"
    );
}
