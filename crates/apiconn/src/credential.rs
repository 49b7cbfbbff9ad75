//! Which credential a run uses ([`choose`]: `--auth`, or the first the environment provides) and
//! the token provider it becomes ([`provider`]).
//!
//! The order is the one `--help` and the README give: `GRAPH_TOKEN`, then the Azure SDKs'
//! environment credentials (client secret, then client certificate), workload identity, managed
//! identity (only where the platform announces one with `IDENTITY_ENDPOINT` or `MSI_ENDPOINT`; a
//! VM's IMDS endpoint cannot be detected without a request, so it takes `--auth
//! managed-identity`), and last the Azure CLI when `az` is on `PATH` — the order of the Azure SDKs'
//! `DefaultAzureCredential`, with the explicit token first. A [`Choice`] holds no secret: secrets
//! are read again from the environment when the provider is built.
//!
//! Client secrets use the client crate's own `ClientSecretCredential` (it keeps the token
//! endpoint's diagnostics, and accepts `http` on loopback for the emulator's token endpoint); the
//! others are `azure_identity` credentials, sending their requests through the run's HTTP client
//! (its proxy) to the authority of the cloud, or to `AZURE_AUTHORITY_HOST`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use entra_api_connectors::Cloud;
use entra_api_connectors::auth::azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use entra_api_connectors::auth::azure_core::credentials::TokenCredential;
use entra_api_connectors::auth::azure_core::http::{ClientOptions, Transport};
use entra_api_connectors::auth::azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use entra_api_connectors::auth::{
    AzureCredential, ClientSecretCredential, StaticToken, TokenProvider,
};
use secrecy::SecretString;
use serde::Serialize;
use url::Url;

use crate::Failure;
use crate::certificate_assertion::CertificateAssertion;
use crate::cli::{AuthKind, Global};

/// The environment of the run: a variable's value, `None` when unset or empty.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, empty values counting as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A bearer token.
pub const GRAPH_TOKEN: &str = "GRAPH_TOKEN";
const TENANT_ID: &str = "AZURE_TENANT_ID";
const CLIENT_ID: &str = "AZURE_CLIENT_ID";
const CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
const CERTIFICATE_PATH: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
const CERTIFICATE_PASSWORD: &str = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
const FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
const AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
const MSI_ENDPOINT: &str = "MSI_ENDPOINT";

/// The credential of a run and what it is for; everything `auth status` shows, and no secret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// The kind, as `--auth` names it.
    pub credential: &'static str,
    #[serde(skip)]
    pub kind: AuthKind,
    /// Why this one: `--auth ...`, or the variable that selected it.
    pub reason: String,
    /// The tenant tokens are requested from, when the credential names one.
    pub tenant: Option<String>,
    /// The application (client) id, or the user-assigned managed identity's.
    pub client_id: Option<String>,
    /// The national cloud.
    pub cloud: String,
    /// The authority tokens come from (`{authority host}{tenant}`), when the tool contacts it.
    pub authority: Option<String>,
    /// The scope requested.
    pub scope: String,
    /// What else the credential reads (files, endpoints), never a secret's value.
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// The credential for this run: `--auth`, or the first the environment provides.
pub fn choose(global: &Global, env: Env<'_>) -> Result<Choice, Failure> {
    let (kind, reason) = match global.auth {
        Some(kind) => (kind, format!("--auth {}", kind.name())),
        None => detect(env)?,
    };
    let cloud = global.cloud.unwrap_or_default();
    let need = |name: &str| {
        env(name).ok_or_else(|| {
            Failure::Runtime(format!(
                "the {} credential needs {name}, which is not set",
                kind.name()
            ))
        })
    };
    let mut choice = Choice {
        credential: kind.name(),
        kind,
        reason,
        tenant: None,
        client_id: None,
        cloud: cloud.name().to_owned(),
        authority: None,
        scope: cloud.default_scope(),
        details: serde_json::Map::new(),
    };
    let mut detail = |key: &str, value: String| {
        choice
            .details
            .insert(key.to_owned(), serde_json::Value::String(value));
    };
    let mut tenant = None;
    let mut client_id = None;
    let mut authority = false;
    match kind {
        AuthKind::Token => {
            need(GRAPH_TOKEN)?;
            detail("token", format!("from {GRAPH_TOKEN} (not shown)"));
        }
        AuthKind::ClientSecret => {
            tenant = Some(need(TENANT_ID)?);
            client_id = Some(need(CLIENT_ID)?);
            need(CLIENT_SECRET)?;
            detail("clientSecret", format!("from {CLIENT_SECRET} (not shown)"));
            authority = true;
        }
        AuthKind::ClientCertificate => {
            tenant = Some(need(TENANT_ID)?);
            client_id = Some(need(CLIENT_ID)?);
            detail("certificate", need(CERTIFICATE_PATH)?);
            if env(CERTIFICATE_PASSWORD).is_some() {
                detail(
                    "certificatePassword",
                    format!("from {CERTIFICATE_PASSWORD} (not shown)"),
                );
            }
            authority = true;
        }
        AuthKind::WorkloadIdentity => {
            tenant = Some(need(TENANT_ID)?);
            client_id = Some(need(CLIENT_ID)?);
            detail("federatedTokenFile", need(FEDERATED_TOKEN_FILE)?);
            authority = true;
        }
        AuthKind::ManagedIdentity => {
            client_id = env(CLIENT_ID);
            let (source, endpoint) = match (env(IDENTITY_ENDPOINT), env(MSI_ENDPOINT)) {
                (Some(e), _) => (IDENTITY_ENDPOINT, e),
                (None, Some(e)) => (MSI_ENDPOINT, e),
                (None, None) => ("IMDS", "http://169.254.169.254/metadata/identity".into()),
            };
            detail("identityEndpoint", format!("{endpoint} ({source})"));
            detail(
                "identity",
                match &client_id {
                    Some(id) => format!("user-assigned, client id {id} ({CLIENT_ID})"),
                    None => "system-assigned".into(),
                },
            );
        }
        AuthKind::AzureCli => {
            tenant = env(TENANT_ID);
            let az = find_on_path(env, "az").map_or_else(
                || "not found on PATH".to_owned(),
                |p| p.display().to_string(),
            );
            detail("azureCli", az);
            if tenant.is_none() {
                detail("tenantFrom", "the account `az login` signed in to".into());
            }
        }
    }
    if authority {
        let host = authority_host(cloud, env)?;
        let tenant = tenant.as_deref().unwrap_or_default();
        choice.authority = Some(format!("{host}{tenant}"));
    }
    choice.tenant = tenant;
    choice.client_id = client_id;
    Ok(choice)
}

/// The first kind the environment provides, and the variable that provided it.
fn detect(env: Env<'_>) -> Result<(AuthKind, String), Failure> {
    let set = |name: &str| env(name).is_some();
    let by = |kind, name: &str| Ok((kind, format!("{name} is set")));
    if set(GRAPH_TOKEN) {
        return by(AuthKind::Token, GRAPH_TOKEN);
    }
    if set(CLIENT_SECRET) {
        return by(AuthKind::ClientSecret, CLIENT_SECRET);
    }
    if set(CERTIFICATE_PATH) {
        return by(AuthKind::ClientCertificate, CERTIFICATE_PATH);
    }
    if set(FEDERATED_TOKEN_FILE) {
        return by(AuthKind::WorkloadIdentity, FEDERATED_TOKEN_FILE);
    }
    for name in [IDENTITY_ENDPOINT, MSI_ENDPOINT] {
        if set(name) {
            return by(AuthKind::ManagedIdentity, name);
        }
    }
    if let Some(path) = find_on_path(env, "az") {
        return Ok((
            AuthKind::AzureCli,
            format!("the Azure CLI is on PATH ({})", path.display()),
        ));
    }
    Err(Failure::Runtime(format!(
        "no credentials: set {GRAPH_TOKEN}, or {TENANT_ID} and {CLIENT_ID} with \
         {CLIENT_SECRET}, {CERTIFICATE_PATH} or {FEDERATED_TOKEN_FILE}; on Azure, use \
         --auth managed-identity; or sign in with `az login` (see `apiconn --help`)"
    )))
}

/// `AZURE_AUTHORITY_HOST` (a URL, or a host name for https), else the cloud's authority host;
/// always ending in `/`.
fn authority_host(cloud: Cloud, env: Env<'_>) -> Result<Url, Failure> {
    let Some(text) = env(AUTHORITY_HOST) else {
        return Ok(cloud.authority_host());
    };
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let mut url = Url::parse(&with_scheme)
        .ok()
        .filter(|u| u.host().is_some() && !u.cannot_be_a_base())
        .ok_or_else(|| Failure::Runtime(format!("{AUTHORITY_HOST} `{text}` is not a URL")))?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The token endpoint of `tenant` below `host`, as azure_identity builds it.
fn token_endpoint(host: &Url, tenant: &str) -> String {
    format!("{host}{tenant}/oauth2/v2.0/token")
}

/// The first executable `name` in the directories of `PATH`.
fn find_on_path(env: Env<'_>, name: &str) -> Option<PathBuf> {
    let path = env("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            [
                name.to_owned(),
                format!("{name}.cmd"),
                format!("{name}.exe"),
            ]
            .map(|file| dir.join(file))
        })
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// The token provider of `choice`, its requests sent with `http`.
pub fn provider(
    choice: &Choice,
    global: &Global,
    env: Env<'_>,
    http: &reqwest::Client,
) -> Result<Box<dyn TokenProvider>, Failure> {
    let cloud = global.cloud.unwrap_or_default();
    let setting = |name: &str| {
        env(name).ok_or_else(|| Failure::Runtime(format!("{name} is not set any more")))
    };
    let tenant = || choice.tenant.clone().unwrap_or_default();
    let client_id = || choice.client_id.clone().unwrap_or_default();
    let failed = |e: entra_api_connectors::auth::azure_core::Error| {
        Failure::Runtime(format!("the {} credential: {e}", choice.credential))
    };
    let options = || -> Result<ClientOptions, Failure> {
        let mut custom = CustomConfiguration::default();
        custom.authority_host = authority_host(cloud, env)?.to_string();
        Ok(ClientOptions {
            transport: Some(Transport::new(Arc::new(http.clone()))),
            cloud: Some(Arc::new(CloudConfiguration::from(custom))),
            ..ClientOptions::default()
        })
    };
    let credential: Arc<dyn TokenCredential> = match choice.kind {
        AuthKind::Token => {
            let token = setting(GRAPH_TOKEN)?;
            return Ok(Box::new(StaticToken::new(SecretString::from(
                token.trim().to_owned(),
            ))));
        }
        AuthKind::ClientSecret => {
            let secret = SecretString::from(setting(CLIENT_SECRET)?);
            let credential = ClientSecretCredential::new(tenant(), client_id(), secret)
                .with_cloud(cloud)
                .with_authority_host(authority_host(cloud, env)?)
                .with_http_client(http.clone());
            return Ok(Box::new(credential));
        }
        AuthKind::ClientCertificate => {
            let path = PathBuf::from(setting(CERTIFICATE_PATH)?);
            let password = env(CERTIFICATE_PASSWORD).map(SecretString::from);
            let audience = token_endpoint(&authority_host(cloud, env)?, &tenant());
            let assertion =
                CertificateAssertion::from_file(&path, password.as_ref(), &client_id(), &audience)
                    .map_err(|e| Failure::Runtime(e.to_string()))?;
            ClientAssertionCredential::new(
                tenant(),
                client_id(),
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: options()?,
                }),
            )
            .map_err(failed)?
        }
        AuthKind::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: options()?,
                },
                client_id: Some(client_id()),
                tenant_id: Some(tenant()),
                token_file_path: Some(PathBuf::from(setting(FEDERATED_TOKEN_FILE)?)),
            }))
            .map_err(failed)?
        }
        AuthKind::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: choice.client_id.clone().map(UserAssignedId::ClientId),
                client_options: options()?,
            }))
            .map_err(failed)?
        }
        AuthKind::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: choice.tenant.clone(),
            ..AzureCliCredentialOptions::default()
        }))
        .map_err(failed)?,
    };
    Ok(Box::new(
        AzureCredential::new(credential, cloud).with_scopes([choice.scope.clone()]),
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser as _;

    use super::*;
    use crate::cli::Cli;

    fn global(args: &[&str]) -> Global {
        let mut all = vec!["apiconn"];
        all.extend_from_slice(args);
        all.push("completions");
        all.push("bash");
        Cli::parse_from(all).global
    }

    fn with<'a>(vars: &'a HashMap<&str, String>) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.get(name).cloned()
    }

    fn vars(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    const APP: [(&str, &str); 2] = [("AZURE_TENANT_ID", "t-1"), ("AZURE_CLIENT_ID", "c-1")];

    #[test]
    fn the_environment_is_read_in_the_documented_order() {
        let everything = [
            ("GRAPH_TOKEN", "x"),
            ("AZURE_CLIENT_SECRET", "x"),
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/t"),
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi"),
        ];
        let order = [
            "token",
            "client-secret",
            "client-certificate",
            "workload-identity",
            "managed-identity",
        ];
        for (i, expected) in order.iter().enumerate() {
            let mut v = vars(&everything[i..]);
            v.extend(vars(&APP));
            let choice = choose(&global(&[]), &with(&v)).unwrap();
            assert_eq!(choice.credential, *expected);
            assert_eq!(choice.reason, format!("{} is set", everything[i].0));
        }
        let v = vars(&[("MSI_ENDPOINT", "http://127.0.0.1:1/msi")]);
        assert_eq!(
            choose(&global(&[]), &with(&v)).unwrap().credential,
            "managed-identity"
        );
        let v = vars(&[("PATH", "/nonexistent-dir")]);
        match choose(&global(&[]), &with(&v)) {
            Err(Failure::Runtime(m)) => assert!(m.starts_with("no credentials: set GRAPH_TOKEN")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_azure_cli_is_chosen_when_az_is_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let az = dir.path().join("az");
        std::fs::write(&az, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let v = vars(&[("PATH", dir.path().to_str().unwrap())]);
        let choice = choose(&global(&[]), &with(&v)).unwrap();
        assert_eq!(choice.credential, "azure-cli");
        assert!(choice.reason.contains("on PATH"), "{}", choice.reason);
        assert_eq!(choice.tenant, None);
    }

    #[test]
    fn auth_picks_one_and_names_what_it_lacks() {
        let mut v = vars(&[("GRAPH_TOKEN", "x"), ("AZURE_TENANT_ID", "t-1")]);
        match choose(&global(&["--auth", "client-secret"]), &with(&v)) {
            Err(Failure::Runtime(m)) => {
                assert_eq!(
                    m,
                    "the client-secret credential needs AZURE_CLIENT_ID, which is not set"
                )
            }
            other => panic!("{other:?}"),
        }
        v.extend(vars(&[
            ("AZURE_CLIENT_ID", "c-1"),
            ("AZURE_CLIENT_SECRET", "s"),
        ]));
        let choice = choose(&global(&["--auth", "client-secret"]), &with(&v)).unwrap();
        assert_eq!(choice.reason, "--auth client-secret");
        // Managed identity without a platform variable: the VM's IMDS.
        let choice = choose(&global(&["--auth", "managed-identity"]), &with(&v)).unwrap();
        assert!(
            choice.details["identityEndpoint"]
                .as_str()
                .unwrap()
                .contains("IMDS")
        );
        assert!(choice.details["identity"].as_str().unwrap().contains("c-1"));
    }

    #[test]
    fn national_clouds_have_their_authority_and_scope() {
        let mut v = vars(&[("AZURE_CLIENT_SECRET", "s")]);
        v.extend(vars(&APP));
        let cases = [
            (
                "global",
                "https://login.microsoftonline.com/t-1",
                "https://graph.microsoft.com/.default",
            ),
            (
                "us-gov",
                "https://login.microsoftonline.us/t-1",
                "https://graph.microsoft.us/.default",
            ),
            (
                "us-gov-dod",
                "https://login.microsoftonline.us/t-1",
                "https://dod-graph.microsoft.us/.default",
            ),
            (
                "china",
                "https://login.chinacloudapi.cn/t-1",
                "https://microsoftgraph.chinacloudapi.cn/.default",
            ),
        ];
        for (cloud, authority, scope) in cases {
            let choice = choose(&global(&["--cloud", cloud]), &with(&v)).unwrap();
            assert_eq!(choice.authority.as_deref(), Some(authority), "{cloud}");
            assert_eq!(choice.scope, scope, "{cloud}");
            assert_eq!(choice.cloud, cloud);
        }
        v.insert("AZURE_AUTHORITY_HOST", "login.example.test".into());
        let choice = choose(&global(&[]), &with(&v)).unwrap();
        assert_eq!(
            choice.authority.as_deref(),
            Some("https://login.example.test/t-1")
        );
        v.insert("AZURE_AUTHORITY_HOST", "::".into());
        assert!(choose(&global(&[]), &with(&v)).is_err());
    }

    #[test]
    fn a_choice_holds_no_secret() {
        let mut v = vars(&[
            ("AZURE_CLIENT_SECRET", "SENTINEL-SECRET"),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "SENTINEL-PASSWORD"),
            ("GRAPH_TOKEN", "SENTINEL-TOKEN"),
        ]);
        v.extend(vars(&APP));
        for kind in ["token", "client-secret", "client-certificate"] {
            v.insert("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pfx".into());
            let choice = choose(&global(&["--auth", kind]), &with(&v)).unwrap();
            let text = format!("{choice:?} {}", serde_json::to_string(&choice).unwrap());
            assert!(!text.contains("SENTINEL"), "{text}");
        }
    }
}
