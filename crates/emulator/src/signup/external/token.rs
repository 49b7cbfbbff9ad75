//! The bearer token a custom extension receives (`custom-extensions-contract.md` §5): an RS256
//! JWT the emulated tenant signs, with `iss` = the tenant's issuer (external tenants:
//! `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0`), `aud` = the app id of the extension's
//! `resourceId`, `azp` = the authentication events service's app id
//! `99045fe1-7639-4a75-9d4a-577b6ca3810f` (with `azpacr` as a client-credentials token has it),
//! `tid`, `ver: "2.0"`, `iat`, `nbf` and `exp` five minutes later, and the key's `kid` in the
//! header.

use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use serde_json::json;

use crate::App;
use crate::openid::issuer;

/// The app id of the Microsoft Entra authentication events service, the token's `azp`.
pub(crate) const AUTHENTICATION_EVENTS_APP_ID: &str = "99045fe1-7639-4a75-9d4a-577b6ca3810f";
/// How long a token is valid.
const LIFETIME_SECS: u64 = 300;

/// A signed token for the API app `audience`, and the `kid` that signed it.
pub(super) fn bearer_token(app: &App, audience: &str) -> (SecretString, String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = json!({
        "aud": audience,
        "iss": issuer(app.tenant_kind, &app.tenant_id),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECS,
        "azp": AUTHENTICATION_EVENTS_APP_ID,
        "azpacr": "1",
        "tid": app.tenant_id,
        "uti": uuid::Uuid::new_v4().simple().to_string(),
        "ver": "2.0",
    });
    (
        SecretString::from(app.signing_key.sign(&claims)),
        app.signing_key.kid().to_owned(),
    )
}
