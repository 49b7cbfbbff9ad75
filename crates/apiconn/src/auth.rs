//! `apiconn auth status`: the credential a run would use, why, for which tenant, cloud, authority
//! and scope, the Graph root and the proxy; with `--check`, whether a token can be had. Never a
//! secret: the [`Choice`](crate::credential::Choice) holds none, and a token is only reported as
//! acquired, with its expiry.

use entra_api_connectors::ApiVersion;
use serde_json::{Map, Value};

use secrecy::SecretString;

use crate::certificate_assertion::CertificateAssertion;
use crate::cli::{AuthCommand, AuthKind, Global};
use crate::credential::{self, process_env};
use crate::{Failure, Outcome, network, output, target};

/// Run an auth command.
pub async fn run(global: &Global, command: AuthCommand) -> Outcome {
    let AuthCommand::Status { check } = command;
    let env = &process_env;
    let choice = credential::choose(global, env)?;
    let graph = target::offline_client(global)?.base_url(match global.api_version {
        crate::cli::ApiVersion::Beta => ApiVersion::Beta,
        crate::cli::ApiVersion::V1 => ApiVersion::V1,
    });
    let mut status = match output::to_json(&choice)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    status.insert("graph".into(), Value::String(graph.to_string()));
    let (proxy, no_proxy) = network::describe_proxy(global, &graph, env);
    status.insert(
        "proxy".into(),
        Value::String(proxy.unwrap_or_else(|| "none".into())),
    );
    if let Some(list) = no_proxy {
        status.insert("noProxy".into(), Value::String(list));
    }
    if choice.kind == AuthKind::ClientCertificate {
        // The SHA-1 thumbprint the app registration lists, to check it is the registered one.
        status.insert(
            "certificateThumbprint".into(),
            Value::String(certificate_thumbprint(&choice, env)),
        );
    }
    if check {
        let http = network::http_client(global)?;
        let provider = credential::provider(&choice, global, env, &http)?;
        let token = provider.token().await.map_err(|e| {
            Failure::Runtime(format!(
                "the {} credential could not get a token: {e}",
                choice.credential
            ))
        })?;
        let expiry = token
            .expires_at()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or_else(
                || "no expiry given".to_owned(),
                |d| format!("expires {}", output::timestamp(d.as_secs() as i64)),
            );
        status.insert(
            "token".into(),
            Value::String(format!("acquired (not shown), {expiry}")),
        );
    }
    output::emit(global.format(), &status, || table(&status))
}

/// The thumbprint of the certificate at `AZURE_CLIENT_CERTIFICATE_PATH`, or why it cannot be read
/// (the errors never contain the key or the password).
fn certificate_thumbprint(choice: &credential::Choice, env: credential::Env<'_>) -> String {
    let Some(path) = choice.details.get("certificate").and_then(Value::as_str) else {
        return "-".into();
    };
    let password = env("AZURE_CLIENT_CERTIFICATE_PASSWORD").map(SecretString::from);
    match CertificateAssertion::from_file(
        std::path::Path::new(path),
        password.as_ref(),
        choice.client_id.as_deref().unwrap_or_default(),
        "",
    ) {
        Ok(assertion) => assertion.thumbprint().to_owned(),
        Err(e) => format!("unreadable: {e}"),
    }
}

/// The settings shown first, in this order; the credential's details follow.
const ORDER: &[&str] = &[
    "credential",
    "reason",
    "tenant",
    "clientId",
    "cloud",
    "authority",
    "scope",
    "graph",
    "proxy",
    "noProxy",
];

/// `SETTING  VALUE` lines: [`ORDER`] first, then the rest by name.
fn table(status: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = status.keys().collect();
    keys.sort_by_key(|k| (ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()), *k));
    let rows = keys
        .into_iter()
        .map(|key| (key, &status[key]))
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => "-".into(),
                other => other.to_string(),
            };
            vec![key.clone(), text]
        })
        .collect();
    output::table(&["SETTING", "VALUE"], rows)
}
