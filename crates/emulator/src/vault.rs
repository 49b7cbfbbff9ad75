//! The secrets a simulated sign-up needs to call a connector's API as the service does: the basic
//! authentication password and the uploaded PKCS#12 files (with their private keys).
//!
//! The tenant state (`state.rs`) keeps no secret: only a password digest and the public facts of each
//! certificate, and that is what the state file holds. This vault keeps the secrets in memory only,
//! in `secrecy` containers, next to the state; it is never saved, logged or shown. After the emulator
//! restarts from a state file the vault is empty, and a simulated sign-up reports that the secret
//! must be sent again (PATCH the connector or upload the certificate again).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use secrecy::SecretString;
use serde_json::{Map, Value};

use super::App;
use entra_api_connectors_certificate::Pkcs12Bundle;

/// A connector's secrets.
#[derive(Clone)]
pub(crate) enum ConnectorSecrets {
    /// The basic-authentication password.
    Basic(SecretString),
    /// The uploaded certificates with their keys, in upload order (oldest first).
    Certificates(Vec<Arc<Pkcs12Bundle>>),
}

/// Secrets by lower-case connector id.
#[derive(Default)]
pub(crate) struct Vault {
    connectors: HashMap<String, ConnectorSecrets>,
}

impl Vault {
    /// The secrets of `connector_id`, if the emulator received them since it started.
    pub fn get(&self, connector_id: &str) -> Option<ConnectorSecrets> {
        self.connectors
            .get(&connector_id.to_ascii_lowercase())
            .cloned()
    }
}

fn lock(app: &App) -> std::sync::MutexGuard<'_, Vault> {
    app.vault.lock().unwrap_or_else(|p| p.into_inner())
}

fn parse_bundle(map: &Map<String, Value>) -> Option<Arc<Pkcs12Bundle>> {
    let value = map.get("pkcs12Value")?.as_str()?;
    let password = SecretString::from(map.get("password")?.as_str()?.to_owned());
    let der = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    Pkcs12Bundle::from_der(&der, &password).ok().map(Arc::new)
}

/// After a connector create or PATCH that succeeded: keeps the secrets of the
/// `authenticationConfiguration` the body sent (a new configuration replaces the old one whole).
/// The body was validated by the handler already.
pub(crate) fn remember_auth(app: &App, connector_id: &str, body: &[u8]) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(auth) = map.get("authenticationConfiguration") else {
        return;
    };
    let key = connector_id.to_ascii_lowercase();
    let mut vault = lock(app);
    let Value::Object(auth) = auth else {
        vault.connectors.remove(&key);
        return;
    };
    let kind = auth
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches('#').to_ascii_lowercase());
    let secrets = match kind.as_deref() {
        Some("microsoft.graph.basicauthentication") => auth
            .get("password")
            .and_then(Value::as_str)
            .map(|p| ConnectorSecrets::Basic(SecretString::from(p.to_owned()))),
        Some("microsoft.graph.pkcs12certificate") => {
            parse_bundle(auth).map(|b| ConnectorSecrets::Certificates(vec![b]))
        }
        _ => None,
    };
    match secrets {
        Some(secrets) => vault.connectors.insert(key, secrets),
        None => vault.connectors.remove(&key),
    };
}

/// After `uploadClientCertificate` succeeded: appends the certificate (or replaces basic
/// authentication, as the handler does).
pub(crate) fn remember_upload(app: &App, connector_id: &str, body: &[u8]) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(bundle) = parse_bundle(&map) else {
        return;
    };
    let mut vault = lock(app);
    let entry = vault
        .connectors
        .entry(connector_id.to_ascii_lowercase())
        .or_insert_with(|| ConnectorSecrets::Certificates(Vec::new()));
    match entry {
        ConnectorSecrets::Certificates(list) => list.push(bundle),
        other => *other = ConnectorSecrets::Certificates(vec![bundle]),
    }
}

/// After a connector was deleted.
pub(crate) fn forget(app: &App, connector_id: &str) {
    lock(app)
        .connectors
        .remove(&connector_id.to_ascii_lowercase());
}
