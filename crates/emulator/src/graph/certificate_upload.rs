//! `uploadClientCertificate`: a new certificate for a client-certificate connector, appended to its
//! list; the newest valid one becomes `isActive` (`docs/graph-behaviour.md` §1, §2.1).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use secrecy::SecretString;
use serde_json::Value;

use super::connectors::{connector_entity, connector_not_found};
use super::request::{Ctx, parse_json_object};
use super::response::json_response;
use crate::error::GraphError;
use crate::state::{AuthRecord, CertificateRecord};
use crate::vault;
use entra_api_connectors_certificate::{CertificateError, Pkcs12Bundle};

/// A PKCS#12 (base64) as the certificate facts Graph reports, or Graph's error (wrong password,
/// not a usable client certificate).
pub(super) fn parse_pkcs12(value: &str, password: &str) -> Result<CertificateRecord, GraphError> {
    match Pkcs12Bundle::from_base64(value, &SecretString::from(password.to_owned())) {
        Ok(bundle) => Ok(CertificateRecord {
            thumbprint: bundle.thumbprint().to_owned(),
            not_before: bundle.not_before(),
            not_after: bundle.not_after(),
        }),
        // Observed wording of the B2C backend (docs/graph-behaviour.md §2.1).
        Err(CertificateError::WrongPassword) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "AADB2C90213",
            "The certificate password provided in request is incorrect.",
        )
        .with_correlation()),
        Err(e) => Err(GraphError::bad_request(format!(
            "The pkcs12Value is not a usable PKCS#12 (.pfx) client certificate: {e}."
        ))),
    }
}

/// `POST …/{id}/uploadClientCertificate`: appends a certificate and answers the updated connector.
pub(super) fn upload_certificate(
    ctx: &Ctx<'_>,
    id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    let map = parse_json_object(body)?;
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !["pkcs12Value", "password"].contains(&k.as_str()))
    {
        return Err(GraphError::bad_request(format!(
            "The parameter '{k}' in the request payload is not a valid parameter for the operation 'uploadClientCertificate'."
        )));
    }
    let param = |name: &str| match map.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(Value::Null) | None => Err(GraphError::bad_request(format!(
            "The parameter '{name}' is required for the operation 'uploadClientCertificate'."
        ))),
        Some(_) => Err(GraphError::invalid_property(name, "a string")),
    };
    let cert = parse_pkcs12(param("pkcs12Value")?, param("password")?)?;
    let record = ctx.app.mutate(|s| {
        let c = s
            .connectors
            .get_mut(&id.to_ascii_lowercase())
            .ok_or_else(|| connector_not_found(id))?;
        match &mut c.authentication {
            Some(AuthRecord::ClientCertificate { certificates }) => certificates.push(cert),
            // Undocumented for a basic-auth connector; treated like the switching PATCH.
            other => {
                *other = Some(AuthRecord::ClientCertificate {
                    certificates: vec![cert],
                });
            }
        }
        Ok(c.clone())
    })?;
    vault::remember_upload(ctx.app, id, body);
    Ok(json_response(
        StatusCode::OK,
        &connector_entity(ctx, &record, None),
    ))
}
