//! Keys and tokens for the bearer-token tests: RSA keys generated once per test binary, a JWKS
//! document of their public halves, and tokens signed with jsonwebtoken's encoder as Entra
//! would sign them.

#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entra_api_connectors_contract::custom_extension::{
    AUTHENTICATION_EVENTS_APP_ID, Jwks, TokenVerifier,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Generate, PrivateKey};
use serde_json::{Value, json};

pub const TENANT_ID: &str = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
pub const API_APP_ID: &str = "00001111-aaaa-2222-bbbb-3333cccc4444";

/// The issuer of an external tenant's tokens, in the observed form.
pub fn issuer() -> String {
    format!("https://{TENANT_ID}.ciamlogin.com/{TENANT_ID}/v2.0")
}

/// A signing key with its `kid` and its public JWK.
pub struct TestKey {
    pub kid: String,
    encoding: EncodingKey,
    pub jwk: Value,
}

impl TestKey {
    fn generate(kid: &str) -> TestKey {
        let private = PrivateKey::generate();
        let der = private.to_pkcs1_der().expect("PKCS#1 encoding");
        let public = private.to_public_key();
        TestKey {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk: json!({
                "kty": "RSA",
                "use": "sig",
                "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(public.n_bytes()),
                "e": URL_SAFE_NO_PAD.encode(public.e_bytes()),
            }),
        }
    }

    /// `claims` signed RS256 with this key, its `kid` in the header.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing")
    }

    /// `claims` signed with this key but a header of our own.
    pub fn sign_with_header(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing")
    }
}

/// The tenant's key, a second key of the tenant, and a key of nobody's.
pub fn keys() -> &'static (TestKey, TestKey, TestKey) {
    static KEYS: OnceLock<(TestKey, TestKey, TestKey)> = OnceLock::new();
    // Prime search is slow in debug builds: one thread per key.
    KEYS.get_or_init(|| {
        std::thread::scope(|scope| {
            let one = scope.spawn(|| TestKey::generate("tenant-key-1"));
            let two = scope.spawn(|| TestKey::generate("tenant-key-2"));
            let attacker = TestKey::generate("attacker-key");
            (one.join().unwrap(), two.join().unwrap(), attacker)
        })
    })
}

/// The JWKS document of the tenant's two keys, as its `jwks_uri` serves it (with members this
/// crate ignores, like Microsoft's).
pub fn jwks_document() -> Value {
    let (one, two, _) = keys();
    let mut one = one.jwk.clone();
    one["x5t"] = json!("ignored");
    one["issuer"] = json!(issuer());
    json!({"keys": [one, two.jwk]})
}

pub fn jwks() -> Jwks {
    Jwks::from_json(jwks_document().to_string()).expect("the tenant's JWKS")
}

pub fn verifier() -> TokenVerifier {
    TokenVerifier::external_tenant(TENANT_ID, API_APP_ID).expect("GUIDs")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// The claims of a v2 token Entra sends to the API.
pub fn entra_claims() -> Value {
    let now = now();
    json!({
        "aud": API_APP_ID,
        "iss": issuer(),
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + 300,
        "azp": AUTHENTICATION_EVENTS_APP_ID,
        "azpacr": "1",
        "oid": "fafafafa-0000-1111-2222-333333333333",
        "tid": TENANT_ID,
        "ver": "2.0",
    })
}

/// A valid token signed with the tenant's first key.
pub fn valid_token() -> String {
    keys().0.sign(&entra_claims())
}

/// A JWS of `header` and `claims` (JSON) with `signature`, built by hand.
pub fn raw_token(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}
