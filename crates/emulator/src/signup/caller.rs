//! The HTTP caller of simulated sign-ups: the target URL a call may go to, the credential it
//! presents (basic authentication, the active client certificate in the TLS handshake, or a
//! bearer token for a custom extension) and one `POST` with a timeout, over rustls with `ring` and
//! the platform's roots or the configured CAs.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use entra_api_connectors_certificate::{self as certificate, Pkcs12Bundle};
use entra_api_connectors_contract::{self as contract, BasicCredentials};
use secrecy::{ExposeSecret as _, SecretString};

use super::{CallAuth, SignUpSettings};
use crate::state::{AuthRecord, ConnectorRecord};
use crate::vault::ConnectorSecrets;

/// The connector's `targetUrl`, if the service may call it: `https`, or (emulator-only) `http` to
/// a loopback host.
pub(super) fn target_url(connector: &ConnectorRecord) -> Result<&str, String> {
    let url = connector
        .target_url
        .as_deref()
        .ok_or("the API connector has no targetUrl")?;
    let parsed = url::Url::parse(url).map_err(|e| format!("targetUrl `{url}`: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&parsed) => Ok(url),
        _ => Err(format!(
            "targetUrl `{url}` must use https (http only for loopback hosts in the emulator)"
        )),
    }
}

/// How the service authenticates a call to `connector`: its basic credentials, or its active
/// certificate (the newest uploaded one that is valid now) with the key from the vault.
pub(super) fn credential(
    connector: &ConnectorRecord,
    secrets: Option<&ConnectorSecrets>,
) -> Result<(CallAuth, Credential), String> {
    let missing = "the emulator does not hold this connector's secret (it was started from a \
                   state file): send the authentication configuration or the certificate again";
    match (&connector.authentication, secrets) {
        (None, _) => Err("the API connector has no authenticationConfiguration".to_owned()),
        (Some(AuthRecord::Basic { username, .. }), Some(ConnectorSecrets::Basic(password))) => {
            let credentials = BasicCredentials::new(username.clone(), password.clone())
                .map_err(|e| e.to_string())?;
            Ok((
                CallAuth::Basic {
                    username: username.clone(),
                },
                Credential::Basic(credentials),
            ))
        }
        (Some(record @ AuthRecord::ClientCertificate { .. }), secrets) => {
            let list = record.certificate_list(certificate::unix_now());
            let active = certificate::active(&list)
                .ok_or("no uploaded certificate is valid now, so there is no active certificate")?;
            let bundle = match secrets {
                Some(ConnectorSecrets::Certificates(bundles)) => bundles
                    .iter()
                    .rev()
                    .find(|b| b.thumbprint() == active.thumbprint)
                    .cloned(),
                _ => None,
            }
            .ok_or(missing)?;
            Ok((
                CallAuth::ClientCertificate {
                    thumbprint: active.thumbprint.clone(),
                },
                Credential::Certificate(bundle),
            ))
        }
        (Some(AuthRecord::Basic { .. }), _) => Err(missing.to_owned()),
    }
}

/// What came back from one attempt.
pub(super) struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Why an attempt got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailureKind {
    /// No response within the timeout.
    Timeout,
    /// The connection could not be made (refused, reset, TLS).
    Connect,
    /// Anything else.
    Other,
}

/// An attempt without an answer.
#[derive(Debug, Clone)]
pub(super) struct CallFailure {
    pub kind: FailureKind,
    pub message: String,
}

/// One attempt: a new client (as the service opens a new call), `POST` with the body, waiting up to
/// `timeout`.
pub(super) async fn post(
    settings: &SignUpSettings,
    timeout: Duration,
    url: &str,
    credential: &Credential,
    body: Vec<u8>,
) -> Result<Answer, CallFailure> {
    let other = |message: String| CallFailure {
        kind: FailureKind::Other,
        message,
    };
    let identity = match credential {
        Credential::Certificate(bundle) => Some(bundle.as_ref()),
        Credential::Basic(_) | Credential::Bearer(_) => None,
    };
    let tls = tls_config(settings, identity).map_err(other)?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| other(format!("cannot build the HTTP client: {e}")))?;
    let mut request = client
        .post(url)
        .header(header::CONTENT_TYPE, contract::CONTENT_TYPE)
        .body(body);
    let authorization = match credential {
        Credential::Basic(credentials) => Some(
            HeaderValue::from_str(credentials.to_authorization_header().expose_secret()).map_err(
                |_| other("the basic credentials cannot be sent in a header".to_owned()),
            )?,
        ),
        Credential::Bearer(token) => Some(
            HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| other("the bearer token cannot be sent in a header".to_owned()))?,
        ),
        Credential::Certificate(_) => None,
    };
    if let Some(mut value) = authorization {
        value.set_sensitive(true);
        request = request.header(header::AUTHORIZATION, value);
    }
    let describe = move |e: reqwest::Error| {
        if e.is_timeout() {
            CallFailure {
                kind: FailureKind::Timeout,
                message: format!("timed out after {} ms", timeout.as_millis()),
            }
        } else if e.is_connect() {
            CallFailure {
                kind: FailureKind::Connect,
                message: format!("connection failed: {}", error_chain(&e)),
            }
        } else {
            other(format!("request failed: {}", error_chain(&e)))
        }
    };
    let response = request.send().await.map_err(describe)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = response.bytes().await.map_err(describe)?;
    Ok(Answer {
        status,
        content_type,
        body: body.to_vec(),
    })
}

/// What authenticates a call.
pub(super) enum Credential {
    /// `Authorization: Basic …`.
    Basic(BasicCredentials),
    /// The client certificate and its key, presented in TLS.
    Certificate(Arc<Pkcs12Bundle>),
    /// `Authorization: Bearer …` (a custom extension's call).
    Bearer(SecretString),
}

/// An error and its sources, one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// 127.0.0.0/8, `::1` or `localhost`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// rustls with `ring`: the configured CAs (or the platform's roots), and the client certificate
/// when the connector uses one.
fn tls_config(
    settings: &SignUpSettings,
    identity: Option<&Pkcs12Bundle>,
) -> Result<rustls::ClientConfig, String> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let builder = if settings.trusted_cas.is_empty() {
        builder
            .with_platform_verifier()
            .map_err(|e| format!("TLS configuration: {e}"))?
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for der in &settings.trusted_cas {
            roots
                .add(rustls::pki_types::CertificateDer::from(der.clone()))
                .map_err(|e| format!("trusted CA: {e}"))?;
        }
        builder.with_root_certificates(roots)
    };
    match identity {
        Some(bundle) => {
            let (chain, key) = bundle.tls_identity();
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("client certificate: {e}"))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (url, expected) in [
            ("http://127.0.0.1:8080/x", true),
            ("http://127.9.8.7/", true),
            ("http://[::1]:1/", true),
            ("http://LOCALHOST:1/", true),
            ("http://128.0.0.1/", false),
            ("http://example.com/", false),
            ("http://localhost.example.com/", false),
        ] {
            assert_eq!(
                is_loopback(&url::Url::parse(url).unwrap()),
                expected,
                "{url}"
            );
        }
    }
}
