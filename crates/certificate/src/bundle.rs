//! [`Pkcs12Bundle`]: a parsed PKCS#12 client certificate, its leaf, chain and key, and the checks
//! before it is uploaded or presented.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use crate::x509::CertFacts;
use crate::{
    CertificateError, CertificateSummary, CertificateWarning, ValidityStatus, pfx, thumbprint_of,
};

/// A parsed and structurally checked PKCS#12 client certificate.
///
/// Holds the original file bytes (for upload), the leaf certificate and its issuer chain, and the
/// PKCS#8 private key. The file bytes and the key are kept in zeroizing secret containers and are
/// never shown by `Debug`.
pub struct Pkcs12Bundle {
    original: SecretSlice<u8>,
    private_key: SecretSlice<u8>,
    /// Leaf first, then its issuers as found in the archive.
    chain: Vec<Vec<u8>>,
    thumbprint: String,
    subject: String,
    common_name: Option<String>,
    not_before: i64,
    not_after: i64,
}

impl fmt::Debug for Pkcs12Bundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12Bundle")
            .field("thumbprint", &self.thumbprint)
            .field("subject", &self.subject)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// The SubjectPublicKeyInfo DER of a PKCS#8 key, when `ring` supports its algorithm.
fn public_key_of(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec()));
    let signing_key = rustls::crypto::ring::sign::any_supported_type(&key).ok()?;
    signing_key.public_key().map(|spki| spki.as_ref().to_vec())
}

impl Pkcs12Bundle {
    /// Parses a PKCS#12 file and checks that it holds exactly one private key and the certificate that
    /// belongs to it. Use an empty password for files exported without one. Validity dates are not
    /// checked here; see [`Self::validate_for_upload`] and [`Self::ensure_valid_at`].
    ///
    /// The leaf is the certificate whose public key matches the private key (when the key algorithm is
    /// one `ring` supports: RSA 2048–8192 bits, ECDSA P-256/P-384, Ed25519), else the one with the key's
    /// `localKeyId`, else the first certificate that issued no other certificate in the archive.
    pub fn from_der(bytes: &[u8], password: &SecretString) -> Result<Self, CertificateError> {
        if !pfx::looks_like_pfx(bytes) {
            return Err(CertificateError::NotPkcs12);
        }
        let contents = pfx::decode(bytes, password.expose_secret())?;

        let mut keys = contents.keys;
        let key_bag = match keys.len() {
            0 => return Err(CertificateError::NoPrivateKey),
            1 => keys.remove(0),
            count => return Err(CertificateError::MultiplePrivateKeys { count }),
        };
        let private_key: SecretSlice<u8> = key_bag.pkcs8.to_vec().into();
        let key_id = key_bag.local_key_id;

        let certs = contents
            .certs
            .into_iter()
            .map(|bag| CertFacts::parse(&bag.der, bag.local_key_id))
            .collect::<Result<Vec<_>, _>>()?;
        if certs.is_empty() {
            return Err(CertificateError::NoCertificate);
        }

        let leaf_index = match public_key_of(private_key.expose_secret()) {
            Some(spki) => certs
                .iter()
                .position(|c| c.spki == spki)
                .ok_or(CertificateError::KeyMismatch)?,
            None => certs
                .iter()
                .position(|c| key_id.is_some() && c.local_key_id == key_id)
                .or_else(|| {
                    certs.iter().position(|c| {
                        !certs.iter().any(|other| {
                            !std::ptr::eq(other, c) && other.issuer_raw == c.subject_raw
                        })
                    })
                })
                .unwrap_or(0),
        };

        // Follow issuers from the leaf; stop at a self-issued certificate or a cycle.
        let mut chain_indices = vec![leaf_index];
        let mut current = leaf_index;
        while !certs[current].is_self_issued() {
            let Some(next) = certs
                .iter()
                .position(|c| c.subject_raw == certs[current].issuer_raw)
            else {
                break;
            };
            if chain_indices.contains(&next) {
                break;
            }
            chain_indices.push(next);
            current = next;
        }

        let leaf = &certs[leaf_index];
        Ok(Self {
            original: bytes.to_vec().into(),
            private_key,
            thumbprint: thumbprint_of(&leaf.der),
            subject: leaf.subject.clone(),
            common_name: leaf.common_name.clone(),
            not_before: leaf.not_before,
            not_after: leaf.not_after,
            chain: chain_indices
                .iter()
                .map(|&i| certs[i].der.clone())
                .collect(),
        })
    }

    /// Reads and parses a `.pfx`/`.p12` file; see [`Self::from_der`].
    pub fn from_file(
        path: impl AsRef<Path>,
        password: &SecretString,
    ) -> Result<Self, CertificateError> {
        let path = path.as_ref();
        let bytes: SecretSlice<u8> = std::fs::read(path)
            .map_err(|source| CertificateError::Io {
                path: path.to_owned(),
                source,
            })?
            .into();
        Self::from_der(bytes.expose_secret(), password)
    }

    /// Decodes a standard-base64 `pkcs12Value` (as sent to `uploadClientCertificate`) and parses it.
    pub fn from_base64(
        pkcs12_value: &str,
        password: &SecretString,
    ) -> Result<Self, CertificateError> {
        let bytes: SecretSlice<u8> = base64::engine::general_purpose::STANDARD
            .decode(pkcs12_value.trim())
            .map_err(|e| CertificateError::InvalidBase64 {
                reason: match e {
                    base64::DecodeError::InvalidByte(..) => "invalid character",
                    base64::DecodeError::InvalidLength(_) => "invalid length",
                    base64::DecodeError::InvalidLastSymbol(..) => "invalid last symbol",
                    base64::DecodeError::InvalidPadding => "invalid padding",
                },
            })?
            .into();
        Self::from_der(bytes.expose_secret(), password)
    }

    /// The original file, standard base64: the `pkcs12Value` of an upload body.
    pub fn to_base64(&self) -> SecretString {
        base64::engine::general_purpose::STANDARD
            .encode(self.original.expose_secret())
            .into()
    }

    /// The original PKCS#12 bytes.
    pub fn original_der(&self) -> &SecretSlice<u8> {
        &self.original
    }

    /// DER of the leaf (client) certificate.
    pub fn leaf_der(&self) -> &[u8] {
        &self.chain[0]
    }

    /// DER certificates, leaf first, then each issuer found in the archive (the root included when present).
    pub fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The private key, PKCS#8 DER.
    pub fn private_key_pkcs8_der(&self) -> &SecretSlice<u8> {
        &self.private_key
    }

    /// The chain and key in the form `rustls::ClientConfig::builder()...with_client_auth_cert` takes.
    pub fn tls_identity(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let chain = self
            .chain
            .iter()
            .map(|der| CertificateDer::from(der.clone()))
            .collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            self.private_key.expose_secret().to_vec(),
        ));
        (chain, key)
    }

    /// Upper-case hex SHA-1 of the leaf certificate DER, as Graph reports `thumbprint`.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The leaf's `notBefore`, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// The leaf's `notAfter`, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The leaf's subject distinguished name (RFC 4514 style).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The leaf's first subject common name, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// Where the leaf's validity period stands at `now` (Unix seconds).
    pub fn validity_at(&self, now: i64) -> ValidityStatus {
        ValidityStatus::at(self.not_before, self.not_after, now)
    }

    /// Checks before upload: an expired certificate is an error (Graph would never make it active); a
    /// certificate that is not valid yet is accepted with a warning.
    pub fn validate_for_upload(
        &self,
        now: i64,
    ) -> Result<Vec<CertificateWarning>, CertificateError> {
        match self.validity_at(now) {
            ValidityStatus::Expired => Err(self.expired_error(now)),
            ValidityStatus::NotYetValid => Ok(vec![CertificateWarning::NotYetValid {
                not_before: self.not_before,
            }]),
            ValidityStatus::Valid => Ok(Vec::new()),
        }
    }

    /// Checks that the certificate can be presented at `now`: both expired and not-yet-valid are errors.
    pub fn ensure_valid_at(&self, now: i64) -> Result<(), CertificateError> {
        match self.validity_at(now) {
            ValidityStatus::Expired => Err(self.expired_error(now)),
            ValidityStatus::NotYetValid => Err(CertificateError::NotYetValid {
                thumbprint: self.thumbprint.clone(),
                not_before: self.not_before,
                now,
            }),
            ValidityStatus::Valid => Ok(()),
        }
    }

    fn expired_error(&self, now: i64) -> CertificateError {
        CertificateError::Expired {
            thumbprint: self.thumbprint.clone(),
            not_after: self.not_after,
            now,
        }
    }

    /// Graph's public information about this certificate, with `is_active` left `false`; set it over the
    /// whole list with [`apply_graph_active_rule`](crate::apply_graph_active_rule).
    pub fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            thumbprint: self.thumbprint.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
            is_active: false,
        }
    }
}
