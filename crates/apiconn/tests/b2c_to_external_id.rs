//! The proof of the move from Azure AD B2C to External ID, through the commands a user runs: the
//! contract crate's example handler (`crates/contract/examples/connector_api.rs`: postal code
//! check, blocked domain, name capitalisation), unchanged, served over HTTPS on 127.0.0.1 (a test
//! CA the emulators trust) behind the contract adapter with `serving_api_connectors`, so one URL
//! takes both B2C's basic-authenticated calls and External ID's bearer-token calls.
//!
//! 1. `apiconn apply` puts the B2C configuration (an API connector with basic authentication at
//!    `postAttributeCollection` of `B2C_1_SignUp`) on the B2C emulator tenant.
//! 2. `apiconn export` reads it back; `apiconn migrate` writes the External ID file from the export.
//! 3. The user lists the flow's attributes, as migrate's note says; `apiconn plan` shows the
//!    changes (exit 2), `apiconn apply` makes them on the external emulator tenant, and a second
//!    `plan` is empty (exit 0).
//! 4. The same three sign-ups give the same three outcomes on both tenants: continue with the
//!    overwritten claim, validation error, block.
//!
//! Run with `--nocapture` to see the commands' output and both transcripts.

#[allow(dead_code)]
#[path = "../../contract/examples/connector_api.rs"]
mod connector_api;
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use entra_api_connectors_contract::ConnectorAuth;
use entra_api_connectors_contract::adapter::{AdapterConfig, AdapterLayer};
use entra_api_connectors_contract::custom_extension::{
    CustomExtensionAuth, Jwks, SharedJwks, TokenVerifier,
};
use entra_api_connectors_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_TOKEN, Emulator, EmulatorConfig, ServicePrincipal, SignUpInput,
    SignUpOutcome, SignUpStep, TenantKind, Transcript,
};
use secrecy::SecretString;
use serde_json::{Value, json};

const USERNAME: &str = "connector";
const PASSWORD: &str = "Pr00f-basic-sentinel";
/// The API's app registration in the external tenant.
const API_APP: &str = "fb96de85-2abe-4b02-b45f-64ba122c509e";
/// The external tenant's b2c-extensions-app (without hyphens in attribute names).
const EXTENSIONS_APP: &str = "6ea3bc85-aec2-4b1c-92ff-4a117afb6621";
const SCREENED_BY: &str = "extension_6ea3bc85aec24b1c92ff4a117afb6621_ScreenedBy";
const EXTERNAL_DOMAIN: &str = "emulatorext.onmicrosoft.com";

/// Serves `app` over HTTPS on 127.0.0.1; returns its origin.
async fn serve_https(app: Router, tls: Arc<rustls::ServerConfig>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("https://{}", listener.local_addr().unwrap());
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    origin
}

/// The example's handler on one route, `/signup`, behind the adapter that also passes B2C's
/// calls through once it has checked their basic credentials. Returns the API's origin.
async fn serve_api(external: &Emulator, tls: Arc<rustls::ServerConfig>) -> String {
    let keys = reqwest::get(external.jwks_url())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let verifier = TokenVerifier::external_tenant(external.tenant_id(), API_APP).unwrap();
    let basic = ConnectorAuth::basic(USERNAME, SecretString::from(PASSWORD)).unwrap();
    let adapter = AdapterLayer::new(
        CustomExtensionAuth::new(verifier, SharedJwks::new(Jwks::from_json(keys).unwrap())),
        AdapterConfig::new()
            .with_external_extensions_app_id(EXTENSIONS_APP)
            .unwrap(),
    )
    .serving_api_connectors(basic.clone());
    let app = Router::new()
        .route("/signup", post(connector_api::signup).layer(adapter))
        .with_state(basic);
    serve_https(app, tls).await
}

/// What a command printed and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `apiconn ARGS` in `dir` against `emulator` (if any), off the runtime's threads.
async fn apiconn(dir: &Path, emulator: Option<&Emulator>, args: &[&str]) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_apiconn"));
    for name in ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"] {
        command.env_remove(name);
    }
    command
        .env("GRAPH_TOKEN", DEFAULT_TOKEN)
        .env("APICONN_VALIDATE_POSTAL_CODE_PASSWORD", PASSWORD)
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    if let Some(emulator) = emulator {
        command.args(["--base-url", &emulator.base_url()]);
    }
    command.args(args);
    let shown = args.join(" ");
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    println!(
        "$ apiconn {shown}\n{}{}(exit {:?})\n",
        run.stdout, run.stderr, run.code
    );
    run
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The three sign-ups: a good one whose name the API capitalises, a bad postal code, a blocked
/// domain.
fn sign_ups() -> [SignUpInput; 3] {
    let input = |claims: Value| SignUpInput::new(serde_json::from_value(claims).unwrap());
    [
        input(
            json!({"email": "ana@example.com", "displayName": "  aNA  de la CRUZ ", "postalCode": "98052"}),
        ),
        input(json!({"email": "bo@example.com", "displayName": "Bo", "postalCode": "98O52"})),
        input(json!({"email": "eve@blocked.example", "displayName": "Eve", "postalCode": "1234"})),
    ]
}

/// What a sign-up ended with, the same words for both tenants.
fn outcome(transcript: &Transcript) -> (String, Option<String>) {
    match &transcript.outcome {
        SignUpOutcome::UserCreated { claims, .. } => (
            "created".to_owned(),
            claims
                .get("displayName")
                .and_then(|v| v.as_str().map(str::to_owned)),
        ),
        SignUpOutcome::ValidationError { user_message, .. } => {
            ("validation error".to_owned(), Some(user_message.clone()))
        }
        SignUpOutcome::Blocked { user_message, .. } => {
            ("blocked".to_owned(), Some(user_message.clone()))
        }
        other => panic!("unexpected outcome {other:?}\n{transcript}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_handler_gives_the_same_outcomes_on_b2c_and_on_external_id() {
    // reqwest is built without a default crypto provider in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = support::test_ca::loopback("apiconn proof CA");
    let external = Emulator::start(
        EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso connector API"))
            .custom_attribute(SCREENED_BY, "Screened by", "string")
            .trusted_ca(ca.ca_der.clone()),
    )
    .await
    .unwrap();
    let b2c = Emulator::start(EmulatorConfig::new(TenantKind::B2c).trusted_ca(ca.ca_der.clone()))
        .await
        .unwrap();
    let api = serve_api(&external, ca.server.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    // 1. The B2C tenant, as code.
    std::fs::write(
        dir.join("b2c.yaml"),
        format!(
            "tenant: emulatorb2c.onmicrosoft.com
apiVersion: beta
connectors:
  Validate postal code:
    targetUrl: {api}/signup
    authentication:
      basic: {{username: {USERNAME}, password: {{env: APICONN_VALIDATE_POSTAL_CODE_PASSWORD}}}}
userFlows:
  B2C_1_SignUp:
    family: b2c
    steps:
      postAttributeCollection: Validate postal code
"
        ),
    )
    .unwrap();
    let run = apiconn(dir, Some(&b2c), &["apply", "-f", "b2c.yaml", "--yes"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    // 2. Export, then migrate the export.
    let run = apiconn(
        dir,
        Some(&b2c),
        &["--api-version", "beta", "export", "--out", "exported.yaml"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = apiconn(
        dir,
        None,
        &[
            "migrate",
            "--from",
            "exported.yaml",
            "--api-app-id",
            API_APP,
            "--tenant",
            EXTERNAL_DOMAIN,
            "--app-id",
            DEFAULT_CLIENT_ID,
            "--out",
            "external.yaml",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("B2C_1_SignUp")
            && run.stderr.contains("postAttributeCollection")
            && run.stderr.contains("onAttributeCollectionSubmit"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "note: applications user flow \"B2C_1_SignUpSignIn\": B2C does not record which applications use a user flow"
        ),
        "{}",
        run.stderr
    );
    println!("exported.yaml:\n{}", read(dir.join("exported.yaml")));
    let migrated = read(dir.join("external.yaml"));
    println!("external.yaml:\n{migrated}");
    let extension = "Validate postal code (onAttributeCollectionSubmit)";
    assert!(migrated.contains(&format!("{api}/signup")), "{migrated}");
    assert!(
        migrated.contains(&format!("api://127.0.0.1/{API_APP}")),
        "{migrated}"
    );

    // 3. The attributes the sign-up page collects (B2C's user flow settings are not in the
    //    export; migrate's note asks for them), then plan, apply, plan.
    let anchor = format!("    onAttributeCollectionSubmit: \"{extension}\"\n");
    assert!(migrated.contains(&anchor), "{migrated}");
    let edited = migrated.replace(
        &anchor,
        &format!("{anchor}    attributes: [email, displayName, postalCode, {SCREENED_BY}]\n"),
    );
    std::fs::write(dir.join("external.yaml"), &edited).unwrap();
    let run = apiconn(dir, Some(&external), &["plan", "-f", "external.yaml"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "+ create custom extension \"{extension}\" (onAttributeCollectionSubmit)
+ create events flow \"B2C_1_SignUp\"
+ create events flow \"B2C_1_SignUpSignIn\"
+ add application {DEFAULT_CLIENT_ID} to events flow \"B2C_1_SignUp\"
+ collect attribute displayName in events flow \"B2C_1_SignUp\"
+ collect attribute postalCode in events flow \"B2C_1_SignUp\"
+ collect attribute {SCREENED_BY} in events flow \"B2C_1_SignUp\"
~ attach \"{extension}\" to onAttributeCollectionSubmit of events flow \"B2C_1_SignUp\"
8 External ID changes.
"
        )
    );
    let run = apiconn(
        dir,
        Some(&external),
        &["--output", "json", "plan", "-f", "external.yaml"],
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["actions"], json!([]));
    assert_eq!(plan["externalId"]["actions"].as_array().unwrap().len(), 8);
    assert_eq!(
        plan["externalId"]["actions"][0],
        json!({"action": "createExtension", "displayName": extension, "event": "onAttributeCollectionSubmit"})
    );
    let before = external.request_count();
    let run = apiconn(
        dir,
        Some(&external),
        &["apply", "-f", "external.yaml", "--yes"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.ends_with("8 External ID changes done.\n"),
        "{}",
        run.stdout
    );
    assert!(external.request_count() > before);
    let run = apiconn(dir, Some(&external), &["plan", "-f", "external.yaml"]).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No changes.\n");
    // The external tenant exported (its sections included) plans empty too.
    let run = apiconn(
        dir,
        Some(&external),
        &[
            "--api-version",
            "v1.0",
            "export",
            "--out",
            "external-exported.yaml",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let exported = read(dir.join("external-exported.yaml"));
    assert!(
        exported.contains(&format!(
            "  \"{extension}\":\n    type: onAttributeCollectionSubmit\n"
        )),
        "{exported}"
    );
    assert!(
        exported.contains(&format!(
            "    attributes: [\"email\", \"displayName\", \"postalCode\", \"{SCREENED_BY}\"]\n"
        )),
        "{exported}"
    );
    let run = apiconn(
        dir,
        Some(&external),
        &["plan", "-f", "external-exported.yaml"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No changes.\n");
    // No secret in anything the commands wrote.
    for file in [
        "b2c.yaml",
        "exported.yaml",
        "external.yaml",
        "external-exported.yaml",
    ] {
        assert!(!read(dir.join(file)).contains(PASSWORD), "{file}");
    }

    let extensions = external.custom_extensions();
    assert_eq!(extensions.len(), 1);
    // B2C_1_SignUpSignIn calls no connector: its events flow has no application (migrate's note).
    let flows = external.events_flows();
    assert_eq!(flows.len(), 2);
    let flow = flows
        .iter()
        .find(|f| f.display_name == "B2C_1_SignUp")
        .unwrap()
        .id
        .clone();

    // 4. The same sign-ups on both tenants.
    let expected = [
        ("created", "Ana De La Cruz"),
        (
            "validation error",
            "Please enter a valid postal code (4 or 5 digits).",
        ),
        (
            "blocked",
            "Sign-ups from blocked.example are not allowed. Please contact support.",
        ),
    ];
    for (input, (kind, detail)) in sign_ups().into_iter().zip(expected) {
        let on_b2c = b2c
            .simulate_sign_up("B2C_1_SignUp", input.clone())
            .await
            .unwrap();
        let on_external = external.simulate_sign_up(&flow, input).await.unwrap();
        println!("--- Azure AD B2C (API connector, basic authentication)\n{on_b2c}");
        println!(
            "--- External ID (custom extension behind the adapter, bearer token)\n{on_external}"
        );
        let expected = (kind.to_owned(), Some(detail.to_owned()));
        assert_eq!(outcome(&on_b2c), expected, "{on_b2c}");
        assert_eq!(outcome(&on_external), expected, "{on_external}");

        // Where it happened: the B2C step and the External ID event it became.
        let (b2c_step, external_step) = match (&on_b2c.outcome, &on_external.outcome) {
            (
                SignUpOutcome::ValidationError { step: a, .. },
                SignUpOutcome::ValidationError { step: b, .. },
            )
            | (SignUpOutcome::Blocked { step: a, .. }, SignUpOutcome::Blocked { step: b, .. }) => {
                (Some(*a), Some(*b))
            }
            _ => (None, None),
        };
        if kind != "created" {
            assert_eq!(b2c_step, Some(SignUpStep::PostAttributeCollection));
            assert_eq!(external_step, Some(SignUpStep::OnAttributeCollectionSubmit));
        }
        // One call each to the same URL, B2C's with basic credentials, External ID's with a bearer
        // token; the password is in neither transcript.
        assert_eq!(on_b2c.calls.len(), 1, "{on_b2c}");
        assert_eq!(on_external.calls.len(), 1, "{on_external}");
        for transcript in [&on_b2c, &on_external] {
            assert!(!transcript.to_string().contains(PASSWORD));
            assert!(
                !serde_json::to_string(transcript)
                    .unwrap()
                    .contains(PASSWORD)
            );
        }
        if kind == "created" {
            // The custom attribute the handler returns, under the external tenant's name for it.
            let SignUpOutcome::UserCreated { claims, .. } = &on_external.outcome else {
                unreachable!()
            };
            assert_eq!(
                claims.get(SCREENED_BY).and_then(|v| v.as_str()),
                Some("connector_api example"),
                "{on_external}"
            );
        }
    }
}
