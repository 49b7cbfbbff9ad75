//! `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` and `--proxy`, against a recording proxy on
//! 127.0.0.1 with the emulator (plain HTTP: an absolute-form request through the proxy) and a
//! fake HTTPS token endpoint (a `CONNECT` tunnel) behind it.
//!
//! reqwest applies no implicit loopback exception: a proxy from the environment is used for
//! 127.0.0.1 too unless `NO_PROXY` lists it, which is what lets these tests use loopback servers.

use assert_cmd::Command;
use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig, TenantKind};
use serde_json::{Value, json};

mod support;

use support::recording_proxy::RecordingProxy;
use support::recording_server::RecordingServer;

/// A closed port: a proxy there fails every request.
const DEAD_PROXY: &str = "http://127.0.0.1:9";

struct Graph {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn graph() -> Graph {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig::new(TenantKind::Workforce)))
        .unwrap();
    Graph {
        emulator,
        _runtime: runtime,
    }
}

fn list(graph: &Graph) -> Command {
    let mut cmd = support::bare();
    cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
        .args(["--base-url", &graph.emulator.base_url(), "--json"])
        .args(["connectors", "list"]);
    cmd
}

#[test]
fn http_proxy_from_the_environment_and_proxy_option() {
    let graph = graph();
    let proxy = RecordingProxy::start();
    let expected = format!(
        "GET {}/v1.0/identity/apiConnectors HTTP/1.1",
        graph.emulator.base_url()
    );

    list(&graph)
        .env("HTTP_PROXY", &proxy.url)
        .assert()
        .success();
    assert_eq!(proxy.request_lines(), std::slice::from_ref(&expected));

    // --proxy replaces the variables
    let mut cmd = list(&graph);
    cmd.env("HTTP_PROXY", DEAD_PROXY)
        .env("ALL_PROXY", DEAD_PROXY)
        .args(["--proxy", &proxy.url]);
    cmd.assert().success();
    assert_eq!(proxy.request_lines(), [expected.clone(), expected]);

    // the dead proxy really is used when nothing overrides it
    list(&graph).env("HTTP_PROXY", DEAD_PROXY).assert().code(1);

    // NO_PROXY: a direct connection
    list(&graph)
        .env("HTTP_PROXY", DEAD_PROXY)
        .env("NO_PROXY", "127.0.0.1")
        .assert()
        .success();
    assert_eq!(proxy.request_lines().len(), 2);
}

#[test]
fn https_proxy_tunnels_the_token_request() {
    let dir = tempfile::tempdir().unwrap();
    let graph = graph();
    let proxy = RecordingProxy::start();
    let endpoint = RecordingServer::https(
        dir.path(),
        json!({"token_type": "Bearer", "expires_in": 3599, "access_token": DEFAULT_TOKEN}),
    );
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "federated").unwrap();
    let mut cmd = list(&graph);
    cmd.env_remove("GRAPH_TOKEN")
        .env("AZURE_TENANT_ID", "t-1")
        .env("AZURE_CLIENT_ID", "c-1")
        .env("AZURE_FEDERATED_TOKEN_FILE", &token_file)
        .env("AZURE_AUTHORITY_HOST", &endpoint.url)
        .env("SSL_CERT_FILE", endpoint.ca_file.as_ref().unwrap())
        // Graph (http) is reached directly: only https requests use HTTPS_PROXY
        .env("HTTPS_PROXY", &proxy.url);
    let out = cmd.assert().success().get_output().stdout.clone();
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), json!([]));
    let authority = endpoint
        .url
        .trim_start_matches("https://")
        .trim_end_matches('/');
    assert_eq!(
        proxy.request_lines(),
        [format!("CONNECT {authority} HTTP/1.1")]
    );
    assert_eq!(endpoint.requests().len(), 1);
}

#[test]
fn auth_status_shows_the_proxy_without_its_password() {
    let mut cmd = support::bare();
    cmd.env("GRAPH_TOKEN", "x")
        .env("NO_PROXY", "localhost")
        .args(["--proxy", "http://alice:SENTINEL@127.0.0.1:3128"])
        .args(["--json", "auth", "status"]);
    let out = cmd.assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("SENTINEL"), "{text}");
    let status: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status["proxy"], "http://alice:******@127.0.0.1:3128/");
    assert_eq!(status["noProxy"], "localhost");
    // a proxy URL that is not http(s) is a usage error, its password not repeated
    support::bare()
        .env("GRAPH_TOKEN", "x")
        .args([
            "--proxy",
            "socks5://bob:SENTINEL@127.0.0.1:1080",
            "connectors",
            "list",
        ])
        .assert()
        .code(2)
        .stderr(predicates::prelude::PredicateBooleanExt::not(
            predicates::str::contains("SENTINEL"),
        ));
}
