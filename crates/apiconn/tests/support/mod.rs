//! Fake servers for the integration tests.

// Each test binary uses part of the support code.
#![allow(dead_code)]

pub mod recording_proxy;
pub mod recording_server;
pub mod test_ca;

use assert_cmd::Command;

/// `apiconn` with no credentials from the developer's environment.
pub fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiconn"));
    for name in [
        "GRAPH_TOKEN",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_AUTHORITY_HOST",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "MSI_ENDPOINT",
        "MSI_SECRET",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(name);
    }
    // No `az` of the developer's machine: the Azure CLI is only found where a test puts it.
    cmd.env("PATH", "");
    cmd.write_stdin("");
    cmd
}
