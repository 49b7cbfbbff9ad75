//! Local handling of PKCS#12 (`.pfx`) client certificates for API connectors.
//!
//! Graph's `uploadClientCertificate` takes the base64 of a PKCS#12 file and its password (`""` when the
//! file has none) and answers with a `clientCertificateAuthentication` whose `certificateList` holds one
//! `pkcs12CertificateInformation` per uploaded certificate
//! (<https://learn.microsoft.com/graph/api/identityapiconnector-uploadclientcertificate>,
//! <https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>).
//! This module parses and checks such a file locally, before anything is sent, and computes what Graph
//! reports about it:
//!
//! - [`Pkcs12Bundle`]: the parsed file: leaf certificate, chain, private key, thumbprint, validity, and the
//!   pieces a TLS client needs to present it ([`Pkcs12Bundle::tls_identity`]).
//! - [`CertificateSummary`] and the list helpers ([`is_active_by_graph_rule`], [`active`],
//!   [`expiring_within`]): Graph's view of the uploaded certificates.
//!
//! Times are Unix seconds (RFC 7519 `NumericDate`, as Graph reports `notBefore`/`notAfter`) and every check
//! that depends on the clock takes `now` as an argument; [`unix_now`] reads the system clock.
//!
//! ```
//! use entra_api_connectors::certificate::{CertificateError, Pkcs12Bundle};
//! use secrecy::SecretString;
//!
//! let err = Pkcs12Bundle::from_der(b"not a pfx", &SecretString::from("")).unwrap_err();
//! assert!(matches!(err, CertificateError::NotPkcs12));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use p12_keystore::Pkcs12Archive;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha1::{Digest as _, Sha1};
use x509_parser::certificate::X509Certificate;

/// Why a PKCS#12 file was rejected. Messages never contain the password, key or file bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The file could not be read.
    #[error("cannot read PKCS#12 file {path}: {source}")]
    Io {
        /// The path that was read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A base64 `pkcs12Value` could not be decoded.
    #[error("PKCS#12 value is not valid standard base64 ({reason})")]
    InvalidBase64 {
        /// What is wrong, without the offending characters.
        reason: &'static str,
    },
    /// The bytes are not a PKCS#12 (PFX) structure at all.
    #[error("data is not a PKCS#12 (.pfx) archive")]
    NotPkcs12,
    /// The integrity check (MAC) failed or the encrypted content could not be decrypted: the password is wrong.
    #[error("wrong PKCS#12 password (integrity check failed)")]
    WrongPassword,
    /// The archive uses an algorithm this crate cannot process.
    #[error("unsupported PKCS#12 content: {reason}")]
    Unsupported {
        /// The parser's description.
        reason: String,
    },
    /// The archive looks like PKCS#12 but its content is broken.
    #[error("malformed PKCS#12 archive: {reason}")]
    Malformed {
        /// The parser's description.
        reason: String,
    },
    /// The archive holds no private key (a certificate-only export).
    #[error("PKCS#12 archive contains no private key")]
    NoPrivateKey,
    /// The archive holds more than one private key, so the client certificate is ambiguous.
    #[error("PKCS#12 archive contains {count} private keys; expected exactly one")]
    MultiplePrivateKeys {
        /// Number of private keys found.
        count: usize,
    },
    /// The archive holds no certificate.
    #[error("PKCS#12 archive contains no certificate")]
    NoCertificate,
    /// A certificate in the archive is not valid X.509.
    #[error("invalid X.509 certificate in PKCS#12 archive: {reason}")]
    InvalidCertificate {
        /// The parser's description.
        reason: String,
    },
    /// The private key does not belong to any certificate in the archive.
    #[error("private key does not match the public key of any certificate in the PKCS#12 archive")]
    KeyMismatch,
    /// The certificate's `notAfter` is in the past.
    #[error("certificate {thumbprint} expired at {not_after} (Unix seconds); now is {now}")]
    Expired {
        /// Thumbprint of the certificate.
        thumbprint: String,
        /// Its `notAfter`, Unix seconds.
        not_after: i64,
        /// The time it was checked against.
        now: i64,
    },
    /// The certificate's `notBefore` is in the future.
    #[error(
        "certificate {thumbprint} is not valid before {not_before} (Unix seconds); now is {now}"
    )]
    NotYetValid {
        /// Thumbprint of the certificate.
        thumbprint: String,
        /// Its `notBefore`, Unix seconds.
        not_before: i64,
        /// The time it was checked against.
        now: i64,
    },
}

/// Something worth telling the user that does not stop an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateWarning {
    /// The certificate is not valid yet. Graph stores it, but it only becomes the active certificate once
    /// `notBefore` has passed.
    NotYetValid {
        /// Its `notBefore`, Unix seconds.
        not_before: i64,
    },
}

impl fmt::Display for CertificateWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotYetValid { not_before } => write!(
                f,
                "certificate is not valid before {not_before} (Unix seconds); it will not be active until then"
            ),
        }
    }
}

/// Where a certificate's validity period stands relative to a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityStatus {
    /// `now < notBefore`.
    NotYetValid,
    /// `notBefore <= now <= notAfter` (RFC 5280 §4.1.2.5: both ends inclusive).
    Valid,
    /// `now > notAfter`.
    Expired,
}

impl ValidityStatus {
    /// Classifies `now` against a validity period given in Unix seconds.
    pub fn at(not_before: i64, not_after: i64, now: i64) -> Self {
        if now < not_before {
            Self::NotYetValid
        } else if now > not_after {
            Self::Expired
        } else {
            Self::Valid
        }
    }
}

/// The current time as Unix seconds (negative before 1970).
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Graph's certificate thumbprint: upper-case hex SHA-1 of the DER certificate, as in the
/// `certificateList` of the uploadClientCertificate response example
/// (<https://learn.microsoft.com/graph/api/identityapiconnector-uploadclientcertificate>).
pub fn thumbprint_of(certificate_der: &[u8]) -> String {
    Sha1::digest(certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

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

/// Facts read from one X.509 certificate.
struct CertFacts {
    der: Vec<u8>,
    spki: Vec<u8>,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    subject: String,
    common_name: Option<String>,
    not_before: i64,
    not_after: i64,
    local_key_id: Option<Vec<u8>>,
}

impl CertFacts {
    fn parse(der: &[u8], local_key_id: Option<Vec<u8>>) -> Result<Self, CertificateError> {
        let (_, cert): (_, X509Certificate<'_>) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| CertificateError::InvalidCertificate {
                reason: e.to_string(),
            })?;
        let validity = cert.validity();
        Ok(Self {
            der: der.to_vec(),
            spki: cert.public_key().raw.to_vec(),
            subject_raw: cert.subject().as_raw().to_vec(),
            issuer_raw: cert.issuer().as_raw().to_vec(),
            subject: cert.subject().to_string(),
            common_name: cert
                .subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map(str::to_owned),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            local_key_id,
        })
    }

    fn is_self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }
}

/// Cheap outer check: a PFX is a SEQUENCE whose first element is the INTEGER version 3 (RFC 7292 §4).
/// BER is accepted here so that a BER-encoded PFX is reported as malformed rather than as "not PKCS#12".
fn looks_like_pfx(bytes: &[u8]) -> bool {
    use x509_parser::der_parser::ber::BerObjectContent;
    let Ok((_, obj)) = x509_parser::der_parser::parse_ber(bytes) else {
        return false;
    };
    let BerObjectContent::Sequence(items) = &obj.content else {
        return false;
    };
    matches!(items.first().map(|v| v.as_u32()), Some(Ok(3)))
}

fn map_archive_error(err: p12_keystore::error::Error) -> CertificateError {
    use p12_keystore::error::Error as P;
    match err {
        P::MacError(_) | P::UnpadError => CertificateError::WrongPassword,
        P::UnsupportedEncryptionScheme
        | P::UnsupportedMacAlgorithm
        | P::UnsupportedContentType
        | P::UnsupportedCertificateType
        | P::InvalidVersion => CertificateError::Unsupported {
            reason: err.to_string(),
        },
        P::X509Error(e) => CertificateError::InvalidCertificate {
            reason: e.to_string(),
        },
        other => CertificateError::Malformed {
            reason: other.to_string(),
        },
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
        if !looks_like_pfx(bytes) {
            return Err(CertificateError::NotPkcs12);
        }
        let archive = Pkcs12Archive::from_pkcs12(bytes, password.expose_secret())
            .map_err(map_archive_error)?;

        let mut keys = archive.keys;
        let key_bag = match keys.len() {
            0 => return Err(CertificateError::NoPrivateKey),
            1 => keys.remove(0),
            count => return Err(CertificateError::MultiplePrivateKeys { count }),
        };
        let private_key: SecretSlice<u8> = key_bag.key.as_der().to_vec().into();
        let key_id = key_bag.local_key_id.as_ref().map(|id| id.0.clone());

        let certs = archive
            .certs
            .iter()
            .map(|bag| CertFacts::parse(bag.cert.as_der(), bag.local_key_id.clone()))
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
    /// whole list with [`apply_graph_active_rule`].
    pub fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            thumbprint: self.thumbprint.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
            is_active: false,
        }
    }
}

/// Graph's public information about one uploaded certificate (`pkcs12CertificateInformation`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateSummary {
    /// Upper-case hex SHA-1 of the certificate DER.
    pub thumbprint: String,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// Whether Graph uses this certificate when calling the API.
    pub is_active: bool,
}

impl CertificateSummary {
    /// Where this certificate's validity period stands at `now`.
    pub fn validity_at(&self, now: i64) -> ValidityStatus {
        ValidityStatus::at(self.not_before, self.not_after, now)
    }
}

/// Computes `isActive` for each certificate of a `certificateList` in upload order (oldest first): the
/// active certificate is the most recently uploaded one that is not expired and whose `notBefore` is in
/// the past (<https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>). At most one
/// entry is `true`; none is when no certificate is valid at `now`.
pub fn is_active_by_graph_rule(list: &[CertificateSummary], now: i64) -> Vec<bool> {
    let active = list
        .iter()
        .rposition(|c| c.validity_at(now) == ValidityStatus::Valid);
    (0..list.len()).map(|i| Some(i) == active).collect()
}

/// Sets `is_active` on every entry according to [`is_active_by_graph_rule`].
pub fn apply_graph_active_rule(list: &mut [CertificateSummary], now: i64) {
    let flags = is_active_by_graph_rule(list, now);
    for (cert, flag) in list.iter_mut().zip(flags) {
        cert.is_active = flag;
    }
}

/// The certificate the list marks as active (the first one, should several be marked).
pub fn active(list: &[CertificateSummary]) -> Option<&CertificateSummary> {
    list.iter().find(|c| c.is_active)
}

/// Certificates still valid at `now` whose `notAfter` falls within `within` from `now`
/// (`now <= notAfter <= now + within`), in list order.
pub fn expiring_within(
    list: &[CertificateSummary],
    now: i64,
    within: Duration,
) -> Vec<&CertificateSummary> {
    let horizon = now.saturating_add(i64::try_from(within.as_secs()).unwrap_or(i64::MAX));
    list.iter()
        .filter(|c| c.not_after >= now && c.not_after <= horizon)
        .collect()
}

/// Generation of self-signed certificates packed as PKCS#12, for tests and examples.
#[cfg(feature = "test-util")]
pub mod testing {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    use rcgen::{CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair};
    use secrecy::{ExposeSecret, SecretSlice, SecretString};
    use sha1::Digest as _;

    /// A generated certificate and its private key.
    pub struct TestIdentity {
        /// DER of the certificate.
        pub certificate_der: Vec<u8>,
        /// PKCS#8 DER of the private key.
        pub private_key_der: SecretSlice<u8>,
        params: CertificateParams,
    }

    impl std::fmt::Debug for TestIdentity {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("TestIdentity")
                .field("thumbprint", &super::thumbprint_of(&self.certificate_der))
                .finish_non_exhaustive()
        }
    }

    fn params(
        common_name: &str,
        not_before: i64,
        not_after: i64,
        is_ca: bool,
    ) -> CertificateParams {
        // A host-like common name is also the DNS subject alternative name, so a test can serve TLS with it.
        let host_like = !common_name.is_empty()
            && common_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let sans = if host_like {
            vec![common_name.to_owned()]
        } else {
            Vec::new()
        };
        let mut params = CertificateParams::new(sans).expect("ASCII host names are valid SANs");
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.not_before = time::OffsetDateTime::from_unix_timestamp(not_before)
            .expect("not_before within the range X.509 can express");
        params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after)
            .expect("not_after within the range X.509 can express");
        if is_ca {
            params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        params
    }

    fn finish(
        params: CertificateParams,
        key: &KeyPair,
        issuer: Option<&TestIdentity>,
    ) -> TestIdentity {
        let cert = match issuer {
            None => params.self_signed(key),
            Some(ca) => {
                let ca_key = KeyPair::try_from(ca.private_key_der.expose_secret())
                    .expect("issuer key generated by this module");
                let issuer = Issuer::from_params(&ca.params, ca_key);
                params.signed_by(key, &issuer)
            }
        }
        .expect("signing a generated certificate");
        TestIdentity {
            certificate_der: cert.der().to_vec(),
            private_key_der: key.serialize_der().into(),
            params,
        }
    }

    /// A self-signed ECDSA P-256 certificate with the given common name and validity (Unix seconds).
    ///
    /// # Panics
    /// If a time is outside what X.509 can express.
    pub fn self_signed(common_name: &str, not_before: i64, not_after: i64) -> TestIdentity {
        let key = KeyPair::generate().expect("ECDSA P-256 key generation");
        finish(
            params(common_name, not_before, not_after, false),
            &key,
            None,
        )
    }

    /// A self-signed CA certificate that can issue others with [`issued_by`].
    ///
    /// # Panics
    /// If a time is outside what X.509 can express.
    pub fn certificate_authority(
        common_name: &str,
        not_before: i64,
        not_after: i64,
    ) -> TestIdentity {
        let key = KeyPair::generate().expect("ECDSA P-256 key generation");
        finish(params(common_name, not_before, not_after, true), &key, None)
    }

    /// A certificate signed by `ca` (from [`certificate_authority`]).
    ///
    /// # Panics
    /// If a time is outside what X.509 can express.
    pub fn issued_by(
        ca: &TestIdentity,
        common_name: &str,
        not_before: i64,
        not_after: i64,
    ) -> TestIdentity {
        let key = KeyPair::generate().expect("ECDSA P-256 key generation");
        finish(
            params(common_name, not_before, not_after, false),
            &key,
            Some(ca),
        )
    }

    /// Packs an optional private key and certificates (leaf first) into a PKCS#12 file protected by
    /// `password` (AES-256 PBES2, HMAC-SHA-256 MAC). With a key, the certificates form its chain and the
    /// leaf carries the key's `localKeyId`; without one, they are stored as plain certificate bags. A key
    /// with no certificates is stored alone.
    ///
    /// # Panics
    /// If the key or a certificate is not valid DER.
    pub fn pack(
        password: &SecretString,
        private_key_der: Option<&[u8]>,
        certificates: &[&[u8]],
    ) -> Vec<u8> {
        let certs: Vec<Certificate> = certificates
            .iter()
            .map(|der| Certificate::from_der(der).expect("valid certificate DER"))
            .collect();
        let mut store = KeyStore::new();
        match private_key_der {
            Some(key) => {
                let key = PrivateKey::from_der(key).expect("valid PKCS#8 DER");
                let local_key_id = match certificates.first() {
                    Some(leaf) => super::Sha1::digest(leaf).to_vec(),
                    None => vec![1],
                };
                let chain = PrivateKeyChain::new(local_key_id, key, certs);
                store.add_entry("client", KeyStoreEntry::PrivateKeyChain(chain));
            }
            None => {
                for (i, cert) in certs.into_iter().enumerate() {
                    store.add_entry(&format!("cert{i}"), KeyStoreEntry::Certificate(cert));
                }
            }
        }
        store
            .writer(password.expose_secret())
            .write()
            .expect("writing a PKCS#12 archive")
    }

    /// A PKCS#12 file holding a new self-signed certificate and its key.
    ///
    /// # Panics
    /// If a time is outside what X.509 can express.
    pub fn self_signed_pkcs12(
        common_name: &str,
        password: &SecretString,
        not_before: i64,
        not_after: i64,
    ) -> Vec<u8> {
        let id = self_signed(common_name, not_before, not_after);
        pack(
            password,
            Some(id.private_key_der.expose_secret()),
            &[&id.certificate_der],
        )
    }

    /// A PKCS#12 file holding a self-signed certificate but no private key.
    ///
    /// # Panics
    /// If a time is outside what X.509 can express.
    pub fn certificate_only_pkcs12(
        common_name: &str,
        password: &SecretString,
        not_before: i64,
        not_after: i64,
    ) -> Vec<u8> {
        let id = self_signed(common_name, not_before, not_after);
        pack(password, None, &[&id.certificate_der])
    }

    /// A PKCS#12 file holding a private key but no certificate.
    pub fn key_only_pkcs12(password: &SecretString) -> Vec<u8> {
        let id = self_signed("key only", 0, 1);
        pack(password, Some(id.private_key_der.expose_secret()), &[])
    }

    /// A PKCS#12 file whose private key belongs to a different certificate than the one it holds.
    pub fn mismatched_key_pkcs12(
        password: &SecretString,
        not_before: i64,
        not_after: i64,
    ) -> Vec<u8> {
        let cert = self_signed("certificate", not_before, not_after);
        let other = self_signed("other key", not_before, not_after);
        pack(
            password,
            Some(other.private_key_der.expose_secret()),
            &[&cert.certificate_der],
        )
    }
}
