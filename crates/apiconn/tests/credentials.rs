//! Credential selection and use: the binary against fake token endpoints on 127.0.0.1 (HTTPS for
//! the assertion credentials, trusted through `SSL_CERT_FILE`; plain HTTP for managed identity),
//! a fake federated token file, a fake `az` on `PATH`, and the emulator's own token endpoint for
//! client secrets. Each test checks the credential chosen, what its token request carried, and
//! that the token reached Graph (the emulator accepts only its own token).

use std::path::Path;

use assert_cmd::Command;
use base64::Engine as _;
use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};
use secrecy::SecretString;
use serde_json::{Value, json};

mod support;

use support::recording_server::RecordingServer;

const TENANT: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/// What the Microsoft identity platform answers to a client-credentials request.
fn token_answer() -> Value {
    json!({"token_type": "Bearer", "expires_in": 3599, "access_token": DEFAULT_TOKEN})
}

struct Graph {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn graph(config: EmulatorConfig) -> Graph {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime.block_on(Emulator::start(config)).unwrap();
    Graph {
        emulator,
        _runtime: runtime,
    }
}

/// `apiconn --base-url <emulator> --json connectors list` must succeed with the credential.
fn lists_connectors(cmd: impl Fn() -> Command, graph: &Graph) {
    let out = cmd()
        .args(["--base-url", &graph.emulator.base_url(), "--json"])
        .args(["connectors", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(list, json!([]));
}

/// `apiconn auth status --json`, checked to contain no `SENTINEL` anywhere, as JSON or table.
fn status(cmd: impl Fn() -> Command, extra: &[&str]) -> Value {
    let assert = cmd()
        .args(extra)
        .args(["--json", "auth", "status"])
        .assert()
        .success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let err = String::from_utf8_lossy(&assert.get_output().stderr);
    assert!(
        !text.contains("SENTINEL") && !err.contains("SENTINEL"),
        "{text}{err}"
    );
    let assert = cmd()
        .args(extra)
        .args(["auth", "status"])
        .assert()
        .success();
    let shown = String::from_utf8_lossy(&assert.get_output().stdout);
    assert!(
        shown.starts_with("SETTING") && !shown.contains("SENTINEL"),
        "{shown}"
    );
    serde_json::from_str(&text).unwrap()
}

fn app(cmd: &mut Command) -> &mut Command {
    cmd.env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT)
}

#[test]
fn workload_identity_sends_the_federated_token_as_client_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = RecordingServer::https(dir.path(), token_answer());
    let token_file = dir.path().join("azure-identity-token");
    std::fs::write(&token_file, "eyJ.federated-SENTINEL.jwt").unwrap();
    let graph = graph(EmulatorConfig::new(TenantKind::Workforce));
    let cmd = || {
        let mut cmd = support::bare();
        app(&mut cmd)
            .env("AZURE_FEDERATED_TOKEN_FILE", &token_file)
            .env("AZURE_AUTHORITY_HOST", &endpoint.url)
            .env("SSL_CERT_FILE", endpoint.ca_file.as_ref().unwrap());
        cmd
    };
    let shown = status(cmd, &[]);
    assert_eq!(shown["credential"], "workload-identity");
    assert_eq!(shown["reason"], "AZURE_FEDERATED_TOKEN_FILE is set");
    assert_eq!(shown["tenant"], TENANT);
    assert_eq!(shown["clientId"], CLIENT);
    assert_eq!(shown["authority"], format!("{}{TENANT}", endpoint.url));
    assert_eq!(shown["scope"], "https://graph.microsoft.com/.default");
    assert_eq!(shown["federatedTokenFile"], token_file.to_str().unwrap());
    assert!(
        endpoint.requests().is_empty(),
        "auth status fetches no token"
    );

    lists_connectors(cmd, &graph);
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(
        r.field("client_assertion").as_deref(),
        Some("eyJ.federated-SENTINEL.jwt")
    );
    assert_eq!(
        r.field("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert_eq!(r.field("client_id").as_deref(), Some(CLIENT));
    assert_eq!(r.field("grant_type").as_deref(), Some("client_credentials"));
    assert_eq!(
        r.field("scope").as_deref(),
        Some("https://graph.microsoft.com/.default")
    );

    // --check gets a token and prints only that it did
    let checked = status(cmd, &["--auth", "workload-identity"]);
    assert_eq!(checked["reason"], "--auth workload-identity");
    let mut check = cmd();
    let out = check
        .args(["--json", "auth", "status", "--check"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let checked: Value = serde_json::from_slice(&out).unwrap();
    assert!(
        checked["token"]
            .as_str()
            .unwrap()
            .starts_with("acquired (not shown)")
    );
    assert!(!String::from_utf8_lossy(&out).contains(DEFAULT_TOKEN));
}

#[test]
fn a_client_certificate_signs_a_ps256_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = RecordingServer::https(dir.path(), token_answer());
    let key_pem = include_str!("fixtures/rsa-test-key.pem");
    let key_der = {
        use rustls_pki_types::pem::PemObject as _;
        rustls_pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap()
    };
    let key = rcgen::KeyPair::from_der_and_sign_algo(&key_der, &rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["apiconn-ci".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let cert_file = dir.path().join("client.pem");
    std::fs::write(
        &cert_file,
        format!("{}{key_pem}", support::recording_server::pem(cert.der())),
    )
    .unwrap();
    let graph = graph(EmulatorConfig::new(TenantKind::Workforce));
    let cmd = || {
        let mut cmd = support::bare();
        app(&mut cmd)
            .env("AZURE_CLIENT_CERTIFICATE_PATH", &cert_file)
            .env("AZURE_AUTHORITY_HOST", &endpoint.url)
            .env("SSL_CERT_FILE", endpoint.ca_file.as_ref().unwrap());
        cmd
    };
    let shown = status(cmd, &[]);
    assert_eq!(shown["credential"], "client-certificate");
    assert_eq!(shown["reason"], "AZURE_CLIENT_CERTIFICATE_PATH is set");
    assert_eq!(
        shown["certificateThumbprint"],
        entra_api_connectors_certificate::thumbprint_of(cert.der())
    );
    lists_connectors(cmd, &graph);

    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.target, format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(r.field("grant_type").as_deref(), Some("client_credentials"));
    assert_eq!(r.field("client_id").as_deref(), Some(CLIENT));
    let jwt = r.field("client_assertion").unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    use sha2::Digest as _;
    assert_eq!(header["alg"], "PS256");
    assert_eq!(
        header["x5t#S256"],
        b64.encode(sha2::Sha256::digest(cert.der()))
    );
    assert_eq!(
        claims["aud"],
        format!("{}{TENANT}/oauth2/v2.0/token", endpoint.url)
    );
    assert_eq!(claims["iss"], CLIENT);
    assert_eq!(claims["sub"], CLIENT);
}

#[test]
fn a_client_secret_goes_to_the_authority_and_never_shows() {
    let graph = graph(
        EmulatorConfig::new(TenantKind::Workforce)
            .client_credentials(CLIENT, SecretString::from("SENTINEL-client-secret")),
    );
    let cmd = || {
        let mut cmd = support::bare();
        cmd.env("AZURE_TENANT_ID", graph.emulator.tenant_id())
            .env("AZURE_CLIENT_ID", CLIENT)
            .env("AZURE_CLIENT_SECRET", "SENTINEL-client-secret")
            .env("AZURE_AUTHORITY_HOST", graph.emulator.base_url());
        cmd
    };
    let shown = status(cmd, &[]);
    assert_eq!(shown["credential"], "client-secret");
    assert_eq!(shown["reason"], "AZURE_CLIENT_SECRET is set");
    assert_eq!(
        shown["authority"],
        format!(
            "{}/{}",
            graph.emulator.base_url(),
            graph.emulator.tenant_id()
        )
    );
    lists_connectors(cmd, &graph);
    // a wrong secret fails, and its value is not in the message
    cmd()
        .env("AZURE_CLIENT_SECRET", "SENTINEL-wrong")
        .args([
            "--base-url",
            &graph.emulator.base_url(),
            "connectors",
            "list",
        ])
        .assert()
        .code(1)
        .stderr(predicates::prelude::PredicateBooleanExt::not(
            predicates::str::contains("SENTINEL"),
        ));
}

#[test]
fn managed_identity_asks_the_platform_endpoint() {
    let expires = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600)
        .to_string();
    let endpoint = RecordingServer::http(json!({
        "access_token": DEFAULT_TOKEN,
        "expires_on": expires,
        "resource": "https://graph.microsoft.com",
        "token_type": "Bearer",
    }));
    let graph = graph(EmulatorConfig::new(TenantKind::Workforce));
    let msi = format!("{}msi/token", endpoint.url);
    let cmd = || {
        let mut cmd = support::bare();
        cmd.env("IDENTITY_ENDPOINT", &msi)
            .env("IDENTITY_HEADER", "SENTINEL-identity-header");
        cmd
    };
    let shown = status(cmd, &[]);
    assert_eq!(shown["credential"], "managed-identity");
    assert_eq!(shown["reason"], "IDENTITY_ENDPOINT is set");
    assert_eq!(shown["identity"], "system-assigned");
    lists_connectors(cmd, &graph);
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    let url = url::Url::parse(&format!("http://x{}", r.target)).unwrap();
    assert_eq!(url.path(), "/msi/token");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("api-version".into(), "2019-08-01".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&("resource".into(), "https://graph.microsoft.com".into())),
        "{query:?}"
    );
    assert_eq!(
        r.header("x-identity-header"),
        Some("SENTINEL-identity-header")
    );
}

/// A fake `az` that records its arguments and prints what `az account get-access-token` prints.
fn fake_az(dir: &Path) {
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let answer = json!({
        "accessToken": DEFAULT_TOKEN,
        "expiresOn": "2030-01-02 03:04:05.000000",
        "expires_on": expires,
        "subscription": "00000000-0000-0000-0000-000000000001",
        "tenant": TENANT,
        "tokenType": "Bearer",
    });
    let az = dir.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nprintf '%s' '{answer}'\n",
            dir.join("az.log").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn the_azure_cli_is_last_and_gets_the_graph_scope() {
    let dir = tempfile::tempdir().unwrap();
    fake_az(dir.path());
    let graph = graph(EmulatorConfig::new(TenantKind::Workforce));
    let cmd = || {
        let mut cmd = support::bare();
        cmd.env("PATH", dir.path());
        cmd
    };
    let shown = status(cmd, &[]);
    assert_eq!(shown["credential"], "azure-cli");
    assert_eq!(
        shown["reason"],
        format!(
            "the Azure CLI is on PATH ({})",
            dir.path().join("az").display()
        )
    );
    lists_connectors(cmd, &graph);
    lists_connectors(
        || {
            let mut c = cmd();
            c.env("AZURE_TENANT_ID", TENANT);
            c
        },
        &graph,
    );
    let log = std::fs::read_to_string(dir.path().join("az.log")).unwrap();
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls.len(), 2, "{log}");
    for call in &calls {
        assert!(
            call.starts_with("account get-access-token")
                && call.contains("--scope https://graph.microsoft.com/.default"),
            "{call}"
        );
    }
    assert!(!calls[0].contains("--tenant"), "{log}");
    assert!(calls[1].contains(&format!("--tenant {TENANT}")), "{log}");
}

#[test]
fn auth_status_names_every_credential_without_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "SENTINEL-federated").unwrap();
    let cmd = || {
        let mut cmd = support::bare();
        app(&mut cmd)
            .env("GRAPH_TOKEN", "SENTINEL-graph-token")
            .env("AZURE_CLIENT_SECRET", "SENTINEL-secret")
            .env("AZURE_CLIENT_CERTIFICATE_PATH", dir.path().join("c.pfx"))
            .env("AZURE_CLIENT_CERTIFICATE_PASSWORD", "SENTINEL-pfx-password")
            .env("AZURE_FEDERATED_TOKEN_FILE", &token_file)
            .env("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi")
            .env("IDENTITY_HEADER", "SENTINEL-header");
        cmd
    };
    // the documented order: GRAPH_TOKEN first
    assert_eq!(status(cmd, &[])["credential"], "token");
    for kind in [
        "token",
        "client-secret",
        "client-certificate",
        "workload-identity",
        "managed-identity",
        "azure-cli",
    ] {
        let shown = status(cmd, &["--auth", kind]);
        assert_eq!(shown["credential"], kind);
        assert_eq!(shown["cloud"], "global");
    }
    // a national cloud: its authority and Graph scope
    let shown = status(cmd, &["--auth", "client-secret", "--cloud", "us-gov"]);
    assert_eq!(
        shown["authority"],
        format!("https://login.microsoftonline.us/{TENANT}")
    );
    assert_eq!(shown["scope"], "https://graph.microsoft.us/.default");
    assert_eq!(shown["graph"], "https://graph.microsoft.us/v1.0");
    let shown = status(cmd, &["--auth", "workload-identity", "--cloud", "china"]);
    assert_eq!(
        shown["authority"],
        format!("https://login.chinacloudapi.cn/{TENANT}")
    );
    assert_eq!(
        shown["scope"],
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
    // a missing setting is named
    support::bare()
        .args(["--auth", "workload-identity", "auth", "status"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "the workload-identity credential needs AZURE_TENANT_ID",
        ));
}
