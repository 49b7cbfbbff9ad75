//! The emulated issuer's published metadata, so that a custom extension's API validates the
//! emulator's bearer tokens as it validates Entra's: the OpenID Connect discovery document
//! (`GET /{tenant}/v2.0/.well-known/openid-configuration`) and the key set it names
//! (`GET /{tenant}/discovery/v2.0/keys`), at the paths ciamlogin.com and login.microsoftonline.com
//! use, on the emulator's own address. `{tenant}` is the tenant id or domain name.
//!
//! The issuer is the one the tokens carry: `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0` for an
//! external tenant (the observed form, `custom-extensions-contract.md` §5) and
//! `https://login.microsoftonline.com/{tenantId}/v2.0` for the others. So the document's `issuer`
//! is not the emulator's URL, as a real tenant's would be; an API checks `iss` against it and
//! fetches the keys from `jwks_uri`, which is the emulator's.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Response, header};
use serde_json::{Value, json};

use crate::error::{Ids, stamp};
use crate::{App, TenantKind, auth, graph};

/// The issuer (`iss`) of the tokens the emulated tenant issues to custom extensions.
pub(crate) fn issuer(kind: TenantKind, tenant_id: &str) -> String {
    match kind {
        TenantKind::External => format!("https://{tenant_id}.ciamlogin.com/{tenant_id}/v2.0"),
        TenantKind::B2c | TenantKind::Workforce => {
            format!("https://login.microsoftonline.com/{tenant_id}/v2.0")
        }
    }
}

fn json_response(body: &Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(body.to_string()));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// Whether the tenant segment names this tenant (otherwise the identity platform's
/// `AADSTS90002`, `auth::tenant_not_found`).
fn is_this_tenant(app: &App, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(&app.tenant_id) || tenant.eq_ignore_ascii_case(&app.tenant_domain)
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub(crate) async fn openid_configuration(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    let ids = Ids::new(graph::client_request_id(&headers));
    let mut resp = match is_this_tenant(&app, &tenant) {
        false => auth::tenant_not_found(&tenant),
        true => {
            let tid = &app.tenant_id;
            let base = &app.origin;
            json_response(&json!({
                "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": issuer(app.tenant_kind, tid),
                "request_uri_parameter_supported": false,
                "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "azp", "azpacr", "oid", "tid", "ver", "uti"],
                "tenant_region_scope": null,
                "cloud_instance_name": match app.tenant_kind {
                    TenantKind::External => "ciamlogin.com",
                    _ => "microsoftonline.com",
                },
            }))
        }
    };
    stamp(&mut resp, &ids);
    resp
}

/// `GET /{tenant}/discovery/v2.0/keys`: the key set with the emulator's one signing key.
pub(crate) async fn keys(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    let ids = Ids::new(graph::client_request_id(&headers));
    let mut resp = match is_this_tenant(&app, &tenant) {
        false => auth::tenant_not_found(&tenant),
        true => json_response(&json!({
            "keys": [app.signing_key.jwk(&issuer(app.tenant_kind, &app.tenant_id))]
        })),
    };
    stamp(&mut resp, &ids);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_per_tenant_kind() {
        assert_eq!(
            issuer(TenantKind::External, "t"),
            "https://t.ciamlogin.com/t/v2.0"
        );
        assert_eq!(
            issuer(TenantKind::Workforce, "t"),
            "https://login.microsoftonline.com/t/v2.0"
        );
    }
}
