//! Bearer-token check for Graph routes and a fake Microsoft identity platform token endpoint
//! (`POST /{tenant}/oauth2/v2.0/token`, client-credentials grant).
//!
//! Token errors follow the identity platform's shape: `error`, `error_description` (starting with an
//! `AADSTS` code and ending with trace id, correlation id and timestamp), `error_codes`, `timestamp`,
//! `trace_id`, `correlation_id`, `error_uri`
//! (<https://learn.microsoft.com/entra/identity-platform/reference-error-codes>).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq as _;

use super::error::GraphError;

/// Lifetime reported for issued tokens, in seconds.
pub(crate) const TOKEN_LIFETIME_SECS: u64 = 3599;

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// `401 InvalidAuthenticationToken` unless the request carries `Authorization: Bearer <accepted>`.
pub(crate) fn check_bearer(headers: &HeaderMap, accepted: &SecretString) -> Result<(), GraphError> {
    let unauthorized = |message: &str| {
        let mut e = GraphError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        e.www_authenticate = true;
        e
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized("Access token is empty."));
    };
    let value = value.to_str().unwrap_or("");
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(unauthorized("Access token is empty.")),
    };
    if token.is_empty() {
        return Err(unauthorized("Access token is empty."));
    }
    if ct_eq(token, accepted.expose_secret()) {
        Ok(())
    } else {
        Err(unauthorized(
            "Access token validation failure. Invalid audience.",
        ))
    }
}

/// What the token endpoint accepts.
pub(crate) struct TokenPolicy<'a> {
    pub tenant_id: &'a str,
    pub tenant_domain: &'a str,
    pub client: Option<&'a (String, SecretString)>,
    pub token: &'a SecretString,
}

fn entra_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response<Body> {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    // Entra's `timestamp`: Graph's date with a space and a `Z`, e.g. `2024-05-01 10:00:00Z`.
    let stamp = format!("{}Z", super::error::graph_date().replacen('T', " ", 1));
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {stamp}"
        ),
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(
        serde_json::to_vec(body).expect("JSON values serialize"),
    ));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// The identity platform's answer to a tenant it does not know (`AADSTS90002`).
pub(crate) fn tenant_not_found(tenant: &str) -> Response<Body> {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
}

/// Handles a token request: form-encoded `grant_type=client_credentials`, `client_id`,
/// `client_secret`, `scope` (ending in `/.default`).
pub(crate) fn token_response(
    policy: &TokenPolicy<'_>,
    tenant: &str,
    body: &[u8],
) -> Response<Body> {
    if !(tenant.eq_ignore_ascii_case(policy.tenant_id)
        || tenant.eq_ignore_ascii_case(policy.tenant_domain))
    {
        return tenant_not_found(tenant);
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let missing = |name: &str| {
        entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            &format!("The request body must contain the following parameter: '{name}'."),
        )
    };
    let Some(grant_type) = field("grant_type") else {
        return missing("grant_type");
    };
    if grant_type != "client_credentials" {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant_type}'."),
        );
    }
    let Some(client_id) = field("client_id") else {
        return missing("client_id");
    };
    if let Some((expected_id, _)) = policy.client
        && !expected_id.eq_ignore_ascii_case(client_id)
    {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                policy.tenant_domain
            ),
        );
    }
    let Some(scope) = field("scope") else {
        return missing("scope");
    };
    if !scope.split(' ').all(|s| s.ends_with("/.default")) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let Some(secret) = field("client_secret") else {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    };
    if let Some((_, expected_secret)) = policy.client
        && !ct_eq(secret, expected_secret.expose_secret())
    {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        );
    }
    json_response(
        StatusCode::OK,
        &json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "ext_expires_in": TOKEN_LIFETIME_SECS,
            "access_token": policy.token.expose_secret(),
        }),
    )
}
