//! The client assertion of the client-certificate credential: a JWT signed with the certificate's
//! RSA key, which `azure_identity`'s `ClientAssertionCredential` sends as `client_assertion`.
//!
//! The format is the one of "Microsoft identity platform application authentication certificate
//! credentials" (learn.microsoft.com/entra/identity-platform/certificate-credentials, MicrosoftDocs/
//! entra-docs `docs/identity-platform/certificate-credentials.md`, ms.date 01/04/2025): header
//! `alg` PS256 (RSA-PSS with SHA-256), `typ` JWT, `x5t#S256` the base64url SHA-256 thumbprint of the
//! certificate's DER; claims `aud` (the token endpoint), `iss` and `sub` (the client id), `jti` (a
//! GUID), `nbf` and `iat` (now) and `exp` (10 minutes later, the most the page advises).
//!
//! The certificate comes from a PEM file (the certificate, leaf first, and its unencrypted private
//! key) or a PKCS#12 file (read by the certificate crate, with its password), as
//! `AZURE_CLIENT_CERTIFICATE_PATH` allows in the Azure SDKs. azure_identity's own certificate
//! credential is not used: it needs OpenSSL.

use std::fmt;
use std::path::{Path, PathBuf};

use azure_identity::ClientAssertion;
use base64::Engine as _;
use entra_api_connectors::auth::{azure_core, azure_identity};
use entra_api_connectors::certificate::{CertificateError, Pkcs12Bundle};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PSS_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// How long an assertion is valid: 10 minutes, the most the certificate-credentials page advises.
pub const LIFETIME_SECS: i64 = 600;

/// Why the certificate cannot sign assertions. Never contains the key or the password.
#[derive(Debug, thiserror::Error)]
pub enum CertificateCredentialError {
    /// The file cannot be read.
    #[error("cannot read the client certificate {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A PEM file without a `CERTIFICATE` block.
    #[error("the client certificate {0} has no CERTIFICATE block")]
    NoCertificate(PathBuf),
    /// A PEM file without an unencrypted private key.
    #[error(
        "the client certificate {0} has no unencrypted private key (PRIVATE KEY or RSA PRIVATE KEY \
         block); give the key in the PEM file, or use a PFX file with AZURE_CLIENT_CERTIFICATE_PASSWORD"
    )]
    NoKey(PathBuf),
    /// The key is not an RSA key, which PS256 needs.
    #[error(
        "the key of the client certificate {0} is not an RSA key: Entra ID client assertions are \
         signed with RSA (PS256)"
    )]
    NotRsa(PathBuf),
    /// The PKCS#12 file cannot be opened or has no usable key and certificate.
    #[error("the client certificate {path}: {source}")]
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// What the certificate crate found.
        source: CertificateError,
    },
    /// Signing failed.
    #[error("cannot sign the client assertion")]
    Sign,
}

/// A certificate and its RSA key, ready to sign client assertions for one client and token
/// endpoint.
pub struct CertificateAssertion {
    key: RsaKeyPair,
    x5t_s256: String,
    thumbprint: String,
    client_id: String,
    audience: String,
}

impl fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("thumbprint", &self.thumbprint)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Read the certificate at `path`: PEM (when the file starts with `-----BEGIN`), else PKCS#12
    /// opened with `password` (empty when `None`). Assertions are for `client_id` at the token
    /// endpoint `audience`.
    pub fn from_file(
        path: &Path,
        password: Option<&SecretString>,
        client_id: &str,
        audience: &str,
    ) -> Result<Self, CertificateCredentialError> {
        let bytes = std::fs::read(path).map_err(|source| CertificateCredentialError::Read {
            path: path.to_owned(),
            source,
        })?;
        let (certificate, key) = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            from_pem(path, &bytes)?
        } else {
            let empty = SecretString::from("");
            let bundle =
                Pkcs12Bundle::from_der(&bytes, password.unwrap_or(&empty)).map_err(|source| {
                    CertificateCredentialError::Pkcs12 {
                        path: path.to_owned(),
                        source,
                    }
                })?;
            let key = RsaKeyPair::from_pkcs8(bundle.private_key_pkcs8_der().expose_secret())
                .map_err(|_| CertificateCredentialError::NotRsa(path.to_owned()))?;
            (bundle.leaf_der().to_vec(), key)
        };
        Ok(Self::new(&certificate, key, client_id, audience))
    }

    fn new(certificate_der: &[u8], key: RsaKeyPair, client_id: &str, audience: &str) -> Self {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        CertificateAssertion {
            key,
            x5t_s256: b64.encode(Sha256::digest(certificate_der)),
            thumbprint: entra_api_connectors::certificate::thumbprint_of(certificate_der),
            client_id: client_id.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// The SHA-1 thumbprint of the certificate (hex), as the app registration lists it.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// A signed assertion issued at `now` (Unix seconds) with the JWT id `jti`.
    pub fn assertion_at(&self, now: i64, jti: &str) -> Result<String, CertificateCredentialError> {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": self.x5t_s256});
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": jti,
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            b64.encode(header.to_string()),
            b64.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PSS_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| CertificateCredentialError::Sign)?;
        Ok(format!("{signing_input}.{}", b64.encode(signature)))
    }
}

/// The first certificate (the leaf) and the private key of a PEM file.
fn from_pem(
    path: &Path,
    bytes: &[u8],
) -> Result<(Vec<u8>, RsaKeyPair), CertificateCredentialError> {
    let certificate = CertificateDer::pem_slice_iter(bytes)
        .find_map(Result::ok)
        .ok_or_else(|| CertificateCredentialError::NoCertificate(path.to_owned()))?;
    let key = PrivateKeyDer::from_pem_slice(bytes)
        .map_err(|_| CertificateCredentialError::NoKey(path.to_owned()))?;
    let key = match &key {
        PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
        _ => return Err(CertificateCredentialError::NotRsa(path.to_owned())),
    }
    .map_err(|_| CertificateCredentialError::NotRsa(path.to_owned()))?;
    Ok((certificate.to_vec(), key))
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(
        &self,
        _: Option<azure_core::http::ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        let now = entra_api_connectors::certificate::unix_now();
        self.assertion_at(now, &uuid::Uuid::new_v4().to_string())
            .map_err(|e| {
                azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    e.to_string(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};

    const KEY_PEM: &str = include_str!("../tests/fixtures/rsa-test-key.pem");

    /// A self-signed certificate for the fixture key, as DER.
    fn certificate() -> Vec<u8> {
        let key_der = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
        let key =
            rcgen::KeyPair::from_der_and_sign_algo(&key_der, &rcgen::PKCS_RSA_SHA256).unwrap();
        let params = rcgen::CertificateParams::new(vec!["apiconn.test".to_string()]).unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    fn pem(der: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }

    fn decode(part: &str) -> serde_json::Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn a_pem_certificate_signs_a_ps256_assertion_with_its_sha256_thumbprint() {
        let dir = tempfile::tempdir().unwrap();
        let cert = certificate();
        let path = dir.path().join("client.pem");
        std::fs::write(&path, format!("{}{KEY_PEM}", pem(&cert))).unwrap();
        let endpoint =
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
        let assertion = CertificateAssertion::from_file(&path, None, "app-id", endpoint).unwrap();
        assert_eq!(
            assertion.thumbprint(),
            entra_api_connectors::certificate::thumbprint_of(&cert)
        );
        let jwt = assertion.assertion_at(1_700_000_000, "jti-1").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(
            header["x5t#S256"],
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&cert))
        );
        let claims = decode(parts[1]);
        assert_eq!(claims["aud"], endpoint);
        assert_eq!(claims["iss"], "app-id");
        assert_eq!(claims["sub"], "app-id");
        assert_eq!(claims["jti"], "jti-1");
        assert_eq!(claims["nbf"], 1_700_000_000);
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["exp"], 1_700_000_000 + LIFETIME_SECS);
        // The signature verifies with the certificate's public key (RSA-PSS, SHA-256).
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap();
        let public = UnparsedPublicKey::new(
            &RSA_PSS_2048_8192_SHA256,
            assertion.key.public().as_ref().to_vec(),
        );
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("a valid PS256 signature");
        // The Debug output names the certificate, never the key.
        let debug = format!("{assertion:?}");
        assert!(debug.contains(assertion.thumbprint()) && !debug.contains("PRIVATE"));
    }

    #[test]
    fn a_pkcs12_certificate_needs_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let cert = certificate();
        let key_der = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
        let password = SecretString::from("pfx-pw");
        let pfx = entra_api_connectors_certificate::testing::pack(
            &password,
            Some(key_der.secret_der()),
            &[&cert],
        );
        let path = dir.path().join("client.pfx");
        std::fs::write(&path, pfx).unwrap();
        let assertion =
            CertificateAssertion::from_file(&path, Some(&password), "app", "https://x/t").unwrap();
        assert_eq!(
            assertion.thumbprint(),
            entra_api_connectors::certificate::thumbprint_of(&cert)
        );
        let wrong = SecretString::from("SENTINEL-not-the-pw");
        let err =
            CertificateAssertion::from_file(&path, Some(&wrong), "app", "https://x/t").unwrap_err();
        assert!(
            matches!(err, CertificateCredentialError::Pkcs12 { .. }),
            "{err}"
        );
        assert!(!err.to_string().contains("SENTINEL"), "{err}");
    }

    #[test]
    fn unusable_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let only_cert = dir.path().join("cert.pem");
        std::fs::write(&only_cert, pem(&certificate())).unwrap();
        assert!(matches!(
            CertificateAssertion::from_file(&only_cert, None, "a", "b"),
            Err(CertificateCredentialError::NoKey(_))
        ));
        let only_key = dir.path().join("key.pem");
        std::fs::write(&only_key, KEY_PEM).unwrap();
        assert!(matches!(
            CertificateAssertion::from_file(&only_key, None, "a", "b"),
            Err(CertificateCredentialError::NoCertificate(_))
        ));
        // An ECDSA key cannot sign PS256.
        let ec = entra_api_connectors_certificate::testing::self_signed("ec", 0, 4_000_000_000);
        let ec_path = dir.path().join("ec.pem");
        let ec_key =
            base64::engine::general_purpose::STANDARD.encode(ec.private_key_der.expose_secret());
        std::fs::write(
            &ec_path,
            format!(
                "{}-----BEGIN PRIVATE KEY-----\n{ec_key}\n-----END PRIVATE KEY-----\n",
                pem(&ec.certificate_der)
            ),
        )
        .unwrap();
        let err = CertificateAssertion::from_file(&ec_path, None, "a", "b").unwrap_err();
        assert!(
            matches!(err, CertificateCredentialError::NotRsa(_)),
            "{err}"
        );
        let missing = dir.path().join("missing.pem");
        let err = CertificateAssertion::from_file(&missing, None, "a", "b").unwrap_err();
        assert!(err.to_string().contains("missing.pem"), "{err}");
    }
}
