//! The tenant's signing keys (feature `jwt`): [`Jwks`] read from a JWKS document,
//! [`SharedJwks`] to swap them while the API runs, and [`OpenIdConfiguration`], the metadata
//! that names the JWKS document. This crate fetches nothing: the caller's HTTP client does.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use serde_json::Value;

/// The RS256 signing keys of a JWKS document (RFC 7517), by `kid`.
///
/// Keys that cannot verify an RS256 signature are skipped: other key types, keys whose `use`
/// is not `sig`, and keys whose `alg` is set and not `RS256`. A key without `kid` is skipped
/// too, since tokens pick their key by `kid`. `Debug` lists the key ids.
#[derive(Clone, Default)]
pub struct Jwks {
    keys: HashMap<String, DecodingKey>,
}

impl Jwks {
    /// Reads a JWKS document (`{"keys": [...]}`), as served at the `jwks_uri` of the tenant's
    /// OpenID configuration. Fails when the document is not one, when an RSA signing key has an
    /// invalid modulus or exponent, or when no key is usable.
    pub fn from_json(document: impl AsRef<[u8]>) -> Result<Jwks, JwksError> {
        #[derive(Deserialize)]
        struct Document {
            keys: Vec<Value>,
        }
        let document: Document = serde_json::from_slice(document.as_ref())
            .map_err(|e| JwksError::InvalidDocument(e.to_string()))?;
        let mut keys = HashMap::new();
        for key in &document.keys {
            let member = |name: &str| key.get(name).and_then(Value::as_str);
            let signs_rs256 = member("kty") == Some("RSA")
                && member("use").is_none_or(|u| u == "sig")
                && member("alg").is_none_or(|a| a == "RS256");
            let (true, Some(kid)) = (signs_rs256, member("kid")) else {
                continue;
            };
            let (Some(n), Some(e)) = (member("n"), member("e")) else {
                return Err(JwksError::InvalidKey {
                    kid: kid.to_owned(),
                });
            };
            super::token::ensure_crypto_provider();
            let key =
                DecodingKey::from_rsa_components(n, e).map_err(|_| JwksError::InvalidKey {
                    kid: kid.to_owned(),
                })?;
            keys.insert(kid.to_owned(), key);
        }
        if keys.is_empty() {
            return Err(JwksError::NoUsableKeys);
        }
        Ok(Jwks { keys })
    }

    /// The key whose `kid` is `kid`.
    pub(crate) fn key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.get(kid)
    }

    /// Whether a key has this `kid`.
    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// The key ids, in no particular order.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none (only for [`Jwks::default`]).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<&str> = self.key_ids().collect();
        kids.sort_unstable();
        f.debug_struct("Jwks").field("key_ids", &kids).finish()
    }
}

/// Why a JWKS or OpenID configuration document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// Not a JSON object with a `keys` array.
    #[error("invalid JWKS document: {0}")]
    InvalidDocument(String),
    /// An RSA signing key lacks `n` or `e`, or they are not base64url.
    #[error("JWKS key `{kid}` is not a valid RSA public key")]
    InvalidKey {
        /// The key's `kid`.
        kid: String,
    },
    /// Not an OpenID configuration document with `issuer` and `jwks_uri` strings.
    #[error("invalid OpenID configuration document: {0}")]
    InvalidOpenIdConfiguration(String),
    /// No key can verify RS256 tokens.
    #[error("the JWKS document has no RS256 signing key with a `kid`")]
    NoUsableKeys,
}

/// The tenant's keys, shared between the verifier and whatever refreshes them: a cheap handle
/// (clone it into the router's state and into the refresh task) over the current [`Jwks`].
///
/// Microsoft rolls its signing keys "on a periodic basis and, in the case of an emergency, …
/// immediately. There's no set or guaranteed time between these key rolls"
/// (<https://learn.microsoft.com/entra/identity-platform/signing-key-rollover>). Refresh the keys
/// on a schedule and when a token names an unknown `kid`
/// ([`TokenError::UnknownKey`](super::TokenError::UnknownKey)).
#[derive(Debug, Clone, Default)]
pub struct SharedJwks(Arc<RwLock<Arc<Jwks>>>);

impl SharedJwks {
    /// A handle over `keys`.
    pub fn new(keys: Jwks) -> Self {
        SharedJwks(Arc::new(RwLock::new(Arc::new(keys))))
    }

    /// The current keys.
    pub fn current(&self) -> Arc<Jwks> {
        match self.0.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the keys for every holder of this handle.
    pub fn replace(&self, keys: Jwks) {
        let keys = Arc::new(keys);
        match self.0.write() {
            Ok(mut current) => *current = keys,
            Err(poisoned) => *poisoned.into_inner() = keys,
        }
    }
}

/// The members of an OpenID Provider configuration document
/// (`…/v2.0/.well-known/openid-configuration`) that token verification needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OpenIdConfiguration {
    /// `issuer`: the `iss` of the tokens.
    pub issuer: String,
    /// `jwks_uri`: where the signing keys are.
    pub jwks_uri: String,
}

impl OpenIdConfiguration {
    /// Reads the configuration document.
    pub fn from_json(document: impl AsRef<[u8]>) -> Result<Self, JwksError> {
        serde_json::from_slice(document.as_ref())
            .map_err(|e| JwksError::InvalidOpenIdConfiguration(e.to_string()))
    }
}
