//! The emulator's token signing key: RS256 JSON Web Tokens (RFC 7519, RFC 7515) for the bearer
//! token a simulated sign-up sends to a custom extension, and the key as a JWK (RFC 7517) for the
//! published key set. Signing uses `ring`, which rustls already brings; `ring` cannot generate RSA
//! keys, so the emulator ships one fixed 2048-bit test key (`emulator_signing_key.pk8`, PKCS#8,
//! generated once with the pure-Rust `rsa` crate). It is a published test key: every emulator has
//! it, and nothing outside tests may trust it. The key id is the key's RFC 7638 thumbprint.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::rsa::PublicKeyComponents;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// PKCS#8 DER of the emulator's RSA test key.
const TEST_KEY_PKCS8: &[u8] = include_bytes!("emulator_signing_key.pk8");

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RSA key pair that signs RS256 tokens.
pub(crate) struct SigningKey {
    pair: RsaKeyPair,
    rng: SystemRandom,
    kid: String,
    n: String,
    e: String,
}

impl SigningKey {
    /// The emulator's fixed test key.
    pub fn test_key() -> Self {
        let pair = RsaKeyPair::from_pkcs8(TEST_KEY_PKCS8).expect("the bundled test key is valid");
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public());
        let n = b64url(&public.n);
        let e = b64url(&public.e);
        // RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
        let thumbprint_input = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = b64url(&Sha256::digest(thumbprint_input.as_bytes()));
        SigningKey {
            pair,
            rng: SystemRandom::new(),
            kid,
            n,
            e,
        }
    }

    /// The key id (`kid`).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK of the key set, in the members Microsoft's key sets use for RSA
    /// signing keys (`kty`, `use`, `kid`, `n`, `e`), with `alg` and `issuer`.
    pub fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
            "alg": "RS256",
            "issuer": issuer,
        })
    }

    /// `base64url(header).base64url(claims).base64url(RS256 signature)`, with the header
    /// `{"typ":"JWT","alg":"RS256","kid":…}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .expect("RS256 signing with a valid key does not fail");
        format!("{signing_input}.{}", b64url(&signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::RSA_PKCS1_2048_8192_SHA256;

    #[test]
    fn tokens_verify_against_the_published_key() {
        let key = SigningKey::test_key();
        let token = key.sign(&json!({"aud": "x"}));
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |s: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap()
        };
        let header: Value = serde_json::from_slice(&decode(parts[0])).unwrap();
        assert_eq!(
            header,
            json!({"typ": "JWT", "alg": "RS256", "kid": key.kid()})
        );
        let jwk = key.jwk("iss");
        let public = PublicKeyComponents {
            n: decode(jwk["n"].as_str().unwrap()),
            e: decode(jwk["e"].as_str().unwrap()),
        };
        assert_eq!(public.n.len(), 256, "a 2048-bit modulus");
        public
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &decode(parts[2]),
            )
            .unwrap();
        // A changed payload does not verify.
        let forged = format!("{}.{}", parts[0], b64url(br#"{"aud":"y"}"#));
        assert!(
            public
                .verify(
                    &RSA_PKCS1_2048_8192_SHA256,
                    forged.as_bytes(),
                    &decode(parts[2])
                )
                .is_err()
        );
        assert_eq!(key.kid().len(), 43, "a base64url SHA-256");
    }
}
