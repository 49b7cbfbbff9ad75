//! [`TokenVerifier`] (feature `jwt`): the check of the bearer token that Entra sends with every
//! custom-extension call (`docs/custom-extensions-contract.md` §5).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::Jwks;

/// The app id of the Microsoft Entra authentication events service, the `azp` (v2 tokens) or
/// `appid` (v1 tokens) of every token it sends (custom-extension overview, "Protect your REST
/// API").
pub const AUTHENTICATION_EVENTS_APP_ID: &str = "99045fe1-7639-4a75-9d4a-577b6ca3810f";

/// The clock skew allowed on `exp` and `nbf`: 300 s (choice of
/// `docs/custom-extensions-contract.md` §5).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(300);

/// What an API expects of the bearer token: the tenant, the accepted issuers, the API's own app
/// (the audience) and the calling service.
///
/// Checked, in this order: the `Authorization: Bearer` header, the algorithm (RS256 only, so
/// `alg: none` and HMAC are refused), the `kid` among the [`Jwks`], the signature, `exp` and
/// `nbf` with [`leeway`](Self::with_leeway), `iss`, `aud`, `azp` (or `appid` in a v1 token
/// without `azp`) and `tid` when present. The token itself never appears in an error.
///
/// ```
/// use entra_api_connectors_contract::custom_extension::TokenVerifier;
///
/// let verifier = TokenVerifier::external_tenant(
///     "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "00001111-aaaa-2222-bbbb-3333cccc4444",
/// )?
/// .with_tenant_name("contoso");
/// assert_eq!(
///     verifier.issuers(),
///     [
///         "https://aaaabbbb-0000-cccc-1111-dddd2222eeee.ciamlogin.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0",
///         "https://contoso.ciamlogin.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0",
///     ]
/// );
/// assert_eq!(
///     verifier.metadata_url(),
///     "https://aaaabbbb-0000-cccc-1111-dddd2222eeee.ciamlogin.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0/.well-known/openid-configuration"
/// );
/// # Ok::<(), entra_api_connectors_contract::custom_extension::VerifierConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenVerifier {
    tenant_id: String,
    issuers: Vec<String>,
    audiences: Vec<String>,
    authorized_party: String,
    leeway: Duration,
    metadata_url: String,
}

impl TokenVerifier {
    /// For an API called by an **external** tenant (Entra External ID): issuer
    /// `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0` (observed form; add the documented
    /// tenant-name form with [`with_tenant_name`](Self::with_tenant_name)), audience
    /// `api_app_id`, metadata under the same issuer.
    pub fn external_tenant(tenant_id: &str, api_app_id: &str) -> Result<Self, VerifierConfigError> {
        let tenant_id = guid(tenant_id, VerifierConfigError::InvalidTenantId)?;
        let issuer = format!("https://{tenant_id}.ciamlogin.com/{tenant_id}/v2.0");
        TokenVerifier::new(&tenant_id, api_app_id, issuer)
    }

    /// For an API called by a **workforce** tenant: issuer
    /// `https://login.microsoftonline.com/{tenantId}/v2.0`, audience `api_app_id`.
    pub fn workforce_tenant(
        tenant_id: &str,
        api_app_id: &str,
    ) -> Result<Self, VerifierConfigError> {
        let tenant_id = guid(tenant_id, VerifierConfigError::InvalidTenantId)?;
        let issuer = format!("https://login.microsoftonline.com/{tenant_id}/v2.0");
        TokenVerifier::new(&tenant_id, api_app_id, issuer)
    }

    /// For tokens of `issuer` (for example an emulator's), metadata at
    /// `{issuer}/.well-known/openid-configuration`.
    pub fn new(
        tenant_id: &str,
        api_app_id: &str,
        issuer: impl Into<String>,
    ) -> Result<Self, VerifierConfigError> {
        let tenant_id = guid(tenant_id, VerifierConfigError::InvalidTenantId)?;
        let api_app_id = guid(api_app_id, VerifierConfigError::InvalidAppId)?;
        let issuer = issuer.into();
        let metadata_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        Ok(TokenVerifier {
            tenant_id,
            issuers: vec![issuer],
            audiences: vec![api_app_id],
            authorized_party: AUTHENTICATION_EVENTS_APP_ID.to_owned(),
            leeway: DEFAULT_LEEWAY,
            metadata_url,
        })
    }

    /// Also accepts the documented issuer `https://{tenantName}.ciamlogin.com/{tenantId}/v2.0`
    /// (`tenant_name` as in `contoso.onmicrosoft.com` → `contoso`).
    pub fn with_tenant_name(self, tenant_name: &str) -> Self {
        let issuer = format!(
            "https://{}.ciamlogin.com/{}/v2.0",
            tenant_name.trim().to_ascii_lowercase(),
            self.tenant_id
        );
        self.with_issuer(issuer)
    }

    /// Also accepts `issuer`, for example the v1 `https://sts.windows.net/{tenantId}/`.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        if !self.issuers.contains(&issuer) {
            self.issuers.push(issuer);
        }
        self
    }

    /// Also accepts `audience`, for example the API's identifier URI `api://{host}/{appId}`.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        let audience = audience.into();
        if !self.audiences.contains(&audience) {
            self.audiences.push(audience);
        }
        self
    }

    /// Allows `leeway` of clock skew on `exp` and `nbf` instead of [`DEFAULT_LEEWAY`].
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Reads the keys' metadata from `url` instead of the default.
    pub fn with_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.metadata_url = url.into();
        self
    }

    /// The tenant id (lower case).
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> &[String] {
        &self.issuers
    }

    /// The accepted audiences.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// The allowed clock skew.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// The OpenID configuration document whose `jwks_uri` lists the signing keys.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// Checks the raw `Authorization` header of a call: `Bearer <token>` (scheme in any case).
    ///
    /// The header is trimmed and its scheme is what comes before the first space, or the whole
    /// value when it has none: `Bearer` alone is a bearer header with an empty token
    /// ([`TokenError::MalformedAuthorization`]), any other scheme is [`TokenError::NotBearer`].
    pub fn verify_authorization(
        &self,
        authorization: Option<&[u8]>,
        keys: &Jwks,
    ) -> Result<VerifiedToken, TokenError> {
        let header = authorization.ok_or(TokenError::MissingAuthorization)?;
        let header = std::str::from_utf8(header)
            .map_err(|_| TokenError::MalformedAuthorization("the header is not valid UTF-8"))?;
        let token = bearer_credentials(header).ok_or(TokenError::NotBearer)?;
        if token.is_empty() {
            return Err(TokenError::MalformedAuthorization(
                "the bearer token is empty",
            ));
        }
        self.verify(token, keys)
    }

    /// Checks a bearer token (compact JWS).
    pub fn verify(&self, token: &str, keys: &Jwks) -> Result<VerifiedToken, TokenError> {
        let header = read_header(token)?;
        match header.get("alg") {
            Some(Value::String(alg)) if alg == "RS256" => {}
            Some(Value::String(alg)) => return Err(TokenError::UnsupportedAlgorithm(alg.clone())),
            _ => return Err(TokenError::MalformedToken("the header has no `alg`")),
        }
        let kid = match header.get("kid") {
            Some(Value::String(kid)) => kid.clone(),
            _ => return Err(TokenError::MissingKeyId),
        };
        let key = keys
            .key(&kid)
            .ok_or_else(|| TokenError::UnknownKey { kid: kid.clone() })?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp"]);
        ensure_crypto_provider();
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|e| match e.into_kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                // jsonwebtoken reads an `exp` of the wrong type as a missing one.
                ErrorKind::MissingRequiredClaim(_) if payload_has(token, "exp") => {
                    TokenError::InvalidClaim("exp")
                }
                ErrorKind::MissingRequiredClaim(_) => TokenError::MissingClaim("exp"),
                ErrorKind::InvalidClaimFormat(claim) => {
                    TokenError::InvalidClaim(match claim.as_str() {
                        "exp" => "exp",
                        "nbf" => "nbf",
                        _ => "a registered claim",
                    })
                }
                ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                    TokenError::UnsupportedAlgorithm("?".to_owned())
                }
                _ => TokenError::MalformedToken("not a JWT with a JSON payload"),
            })?
            .claims;
        self.check_claims(kid, claims)
    }

    fn check_claims(
        &self,
        key_id: String,
        claims: Map<String, Value>,
    ) -> Result<VerifiedToken, TokenError> {
        let issuer = string_claim(&claims, "iss")?.ok_or(TokenError::MissingClaim("iss"))?;
        if !self.issuers.iter().any(|i| i == issuer) {
            return Err(TokenError::WrongIssuer {
                found: issuer.to_owned(),
            });
        }
        let found_audiences: Vec<String> = match claims.get("aud") {
            None | Some(Value::Null) => return Err(TokenError::MissingClaim("aud")),
            Some(Value::String(aud)) => vec![aud.clone()],
            Some(Value::Array(auds)) => auds
                .iter()
                .map(|a| {
                    a.as_str()
                        .map(str::to_owned)
                        .ok_or(TokenError::InvalidClaim("aud"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(TokenError::InvalidClaim("aud")),
        };
        let audience = found_audiences
            .iter()
            .find(|found| self.audiences.iter().any(|a| a.eq_ignore_ascii_case(found)))
            .cloned()
            .ok_or(TokenError::WrongAudience {
                found: found_audiences.clone(),
            })?;
        let (claim, authorized_party) = match string_claim(&claims, "azp")? {
            Some(azp) => ("azp", azp),
            None => (
                "appid",
                string_claim(&claims, "appid")?.ok_or(TokenError::MissingClaim("azp"))?,
            ),
        };
        if !authorized_party.eq_ignore_ascii_case(&self.authorized_party) {
            return Err(TokenError::WrongAuthorizedParty {
                claim,
                found: authorized_party.to_owned(),
            });
        }
        let tenant_id = string_claim(&claims, "tid")?;
        if let Some(tid) = tenant_id
            && !tid.eq_ignore_ascii_case(&self.tenant_id)
        {
            return Err(TokenError::WrongTenant {
                found: tid.to_owned(),
            });
        }
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_u64)
            .unwrap_or_default();
        Ok(VerifiedToken {
            issuer: issuer.to_owned(),
            audience,
            authorized_party: authorized_party.to_owned(),
            tenant_id: tenant_id.map(str::to_owned),
            key_id,
            expires_at,
            claims,
        })
    }
}

/// The credentials of an `Authorization` header value when its scheme is `Bearer` (compared
/// case-insensitively, RFC 9110), `None` for any other scheme. The value is trimmed and split at
/// its first space; without a space the whole value is the scheme, so a bare `Bearer` gives an
/// empty token. The credentials are trimmed too.
///
/// The one reading of the scheme for [`TokenVerifier::verify_authorization`] and the contract
/// adapter's layer, which sends every bearer call to the token verifier.
pub(crate) fn bearer_credentials(header: &str) -> Option<&str> {
    let header = header.trim();
    let (scheme, credentials) = header.split_once(' ').unwrap_or((header, ""));
    scheme
        .eq_ignore_ascii_case("Bearer")
        .then(|| credentials.trim())
}

fn guid<E>(value: &str, error: fn(String) -> E) -> Result<String, E> {
    let v = value.trim();
    let groups: Vec<&str> = v.split('-').collect();
    let shaped = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    if shaped
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(error(value.to_owned()))
    }
}

fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

/// The JOSE header, read before any key is chosen (so that `alg: none`, which jsonwebtoken has
/// no name for, gets its own error).
fn read_header(token: &str) -> Result<Map<String, Value>, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::MalformedToken("not three dot-separated parts"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::MalformedToken("the header is not base64url"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| TokenError::MalformedToken("the header is not a JSON object"))
}

/// Whether the (unverified) payload of `token` has member `claim`: only to name an error.
fn payload_has(token: &str, claim: &str) -> bool {
    token
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
        .is_some_and(|payload| payload.get(claim).is_some_and(|v| !v.is_null()))
}

/// Makes jsonwebtoken's RustCrypto provider the process default unless one is set: jsonwebtoken
/// panics when it finds none, which happens when another crate of the build also enables its
/// `aws_lc_rs` feature.
pub(crate) fn ensure_crypto_provider() {
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        // Losing a race to another thread's installation is fine: a provider is then set.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    }
}

/// A token that passed every check: who issued it, for which audience, and all its claims.
/// It never holds the token itself.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// `iss`, one of the accepted issuers.
    pub issuer: String,
    /// The `aud` value that matched an accepted audience.
    pub audience: String,
    /// `azp` (or `appid`): [`AUTHENTICATION_EVENTS_APP_ID`].
    pub authorized_party: String,
    /// `tid`, when the token has one.
    pub tenant_id: Option<String>,
    /// `kid` of the key that verified the signature.
    pub key_id: String,
    /// `exp`, seconds since the Unix epoch.
    pub expires_at: u64,
    /// Every claim of the payload.
    pub claims: Map<String, Value>,
}

/// A configuration value that [`TokenVerifier`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierConfigError {
    /// The tenant id is not a GUID.
    #[error("invalid tenant id `{0}`: expected a GUID")]
    InvalidTenantId(String),
    /// The API's app id is not a GUID.
    #[error("invalid application (client) id `{0}`: expected a GUID")]
    InvalidAppId(String),
}

/// Why a bearer token was refused. Messages never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The call has no `Authorization` header.
    #[error("the call has no Authorization header")]
    MissingAuthorization,
    /// The `Authorization` header uses another scheme than `Bearer`.
    #[error("the Authorization header's scheme is not Bearer")]
    NotBearer,
    /// The `Authorization` header is `Bearer` without a usable token.
    #[error("the Authorization header is not a bearer token: {0}")]
    MalformedAuthorization(&'static str),
    /// The token is not a compact JWS with a JSON header.
    #[error("the bearer token is malformed: {0}")]
    MalformedToken(&'static str),
    /// The token is not signed with RS256 (for example `none` or `HS256`).
    #[error("the bearer token's algorithm `{0}` is not RS256")]
    UnsupportedAlgorithm(String),
    /// The token's header has no `kid`.
    #[error("the bearer token's header has no `kid`")]
    MissingKeyId,
    /// No key of the [`Jwks`] has the token's `kid`: refresh the keys.
    #[error("no signing key has the bearer token's kid `{kid}`")]
    UnknownKey {
        /// The token's `kid`.
        kid: String,
    },
    /// The signature does not verify with the key.
    #[error("the bearer token's signature is invalid")]
    BadSignature,
    /// `exp` is past, beyond the leeway.
    #[error("the bearer token has expired")]
    Expired,
    /// `nbf` is ahead, beyond the leeway.
    #[error("the bearer token is not valid yet")]
    NotYetValid,
    /// A required claim is missing.
    #[error("the bearer token has no `{0}` claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type.
    #[error("the bearer token's `{0}` claim has the wrong type")]
    InvalidClaim(&'static str),
    /// `iss` is not an accepted issuer.
    #[error("the bearer token's issuer `{found}` is not an accepted one")]
    WrongIssuer {
        /// The token's `iss`.
        found: String,
    },
    /// No `aud` value is an accepted audience.
    #[error("the bearer token's audience {found:?} is not this API")]
    WrongAudience {
        /// The token's `aud` values.
        found: Vec<String>,
    },
    /// `azp` (or `appid`) is not the authentication events service.
    #[error("the bearer token's `{claim}` `{found}` is not the authentication events service")]
    WrongAuthorizedParty {
        /// `azp` or `appid`.
        claim: &'static str,
        /// Its value.
        found: String,
    },
    /// `tid` is another tenant.
    #[error("the bearer token's tenant `{found}` is not the expected one")]
    WrongTenant {
        /// The token's `tid`.
        found: String,
    },
}

impl TokenError {
    /// Whether the call carried no bearer token at all (no header, or another scheme): RFC 6750
    /// §3.1 answers those with a bare `Bearer` challenge, without an error code.
    pub fn is_missing_token(&self) -> bool {
        matches!(
            self,
            TokenError::MissingAuthorization | TokenError::NotBearer
        )
    }

    /// The `WWW-Authenticate` value of the 401 (RFC 6750 §3): `Bearer` when no bearer token was
    /// sent, otherwise `Bearer error="invalid_token", error_description="…"` with this error's
    /// message (which never contains the token).
    pub fn www_authenticate(&self) -> String {
        if self.is_missing_token() {
            "Bearer".to_owned()
        } else {
            let description: String = self
                .to_string()
                .chars()
                .map(|c| {
                    if c == '"' || c == '\\' || !(' '..='~').contains(&c) {
                        '\''
                    } else {
                        c
                    }
                })
                .collect();
            format!(r#"Bearer error="invalid_token", error_description="{description}""#)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_credentials;

    #[test]
    fn the_bearer_scheme_is_read_once_for_every_caller() {
        for (header, expected) in [
            ("Bearer abc", Some("abc")),
            ("bearer   abc", Some("abc")),
            (" Bearer abc ", Some("abc")),
            ("BEARER abc def", Some("abc def")),
            ("Bearer", Some("")),
            ("  bearer  ", Some("")),
            ("Bearer ", Some("")),
            ("Basic abc", None),
            ("Bearerabc", None),
            ("", None),
            ("Bearer\tabc", None),
        ] {
            assert_eq!(bearer_credentials(header), expected, "{header:?}");
        }
    }
}
