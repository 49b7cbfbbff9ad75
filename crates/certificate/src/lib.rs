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
//! use entra_api_connectors_certificate::{CertificateError, Pkcs12Bundle};
//! use secrecy::SecretString;
//!
//! let err = Pkcs12Bundle::from_der(b"not a pfx", &SecretString::from("")).unwrap_err();
//! assert!(matches!(err, CertificateError::NotPkcs12));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha1::{Digest as _, Sha1};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode as _, Encode as _, Tag, Tagged as _};
use x509_cert::name::Name;

mod pfx;

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
        let invalid = |e: x509_cert::der::Error| CertificateError::InvalidCertificate {
            reason: e.to_string(),
        };
        let cert = x509_cert::Certificate::from_der(der).map_err(invalid)?;
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let unix = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        Ok(Self {
            der: der.to_vec(),
            spki: tbs.subject_public_key_info().to_der().map_err(invalid)?,
            subject_raw: tbs.subject().to_der().map_err(invalid)?,
            issuer_raw: tbs.issuer().to_der().map_err(invalid)?,
            subject: name_to_string(tbs.subject())
                .unwrap_or_else(|| "<X509Error: Invalid X.509 name>".to_owned()),
            common_name: first_common_name(tbs.subject()),
            not_before: unix(validity.not_before),
            not_after: unix(validity.not_after),
            local_key_id,
        })
    }

    fn is_self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }
}

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Short names of the attribute types found in distinguished names: the usual abbreviations first, then
/// the X.520 / RFC 4519 / PKCS#9 names.
const NAME_ATTRIBUTES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "Email"),
    ("0.9.2342.19200300.100.1.1", "uid"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.3.6.1.4.1.311.60.2.1.1", "msJurisdictionLocality"),
    ("1.3.6.1.4.1.311.60.2.1.2", "msJurisdictionStateOrProvince"),
    ("1.3.6.1.4.1.311.60.2.1.3", "msJurisdictionCountry"),
    ("2.5.4.0", "objectClass"),
    ("2.5.4.1", "aliasedEntryName"),
    ("2.5.4.2", "knowledgeInformation"),
    ("2.5.4.4", "surname"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "uniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
];

/// A distinguished name as `TYPE=value` pairs in certificate order: RDNs separated by `", "`, the
/// attributes of a multi-valued RDN by `" + "`. String values are shown as text, other values as
/// upper-case hex of their content octets, and types without a short name as `OID(dotted)`.
/// `None` when a string value is not valid in its encoding.
fn name_to_string(name: &Name) -> Option<String> {
    let mut out = String::new();
    for (i, rdn) in name.iter_rdn().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push_str(" + ");
            }
            let dotted = atv.oid.to_string();
            match NAME_ATTRIBUTES.iter().find(|(oid, _)| *oid == dotted) {
                Some((_, short)) => out.push_str(short),
                None => {
                    out.push_str("OID(");
                    out.push_str(&dotted);
                    out.push(')');
                }
            }
            out.push('=');
            out.push_str(&attribute_value_string(atv.value.tag(), atv.value.value())?);
        }
    }
    Some(out)
}

fn attribute_value_string(tag: Tag, content: &[u8]) -> Option<String> {
    match tag {
        Tag::NumericString
        | Tag::VisibleString
        | Tag::PrintableString
        | Tag::GeneralString
        | Tag::TeletexString
        | Tag::VideotexString
        | Tag::Utf8String
        | Tag::Ia5String => std::str::from_utf8(content).ok().map(str::to_owned),
        Tag::BmpString => {
            if !content.len().is_multiple_of(2) {
                return None;
            }
            let units = content
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => Some(content.iter().map(|b| format!("{b:02X}")).collect()),
    }
}

/// The first common name attribute, when it is a text string type.
fn first_common_name(name: &Name) -> Option<String> {
    let cn = name.iter().find(|atv| atv.oid == COMMON_NAME)?;
    match cn.value.tag() {
        Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String => {
            std::str::from_utf8(cn.value.value())
                .ok()
                .map(str::to_owned)
        }
        _ => None,
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

#[cfg(feature = "test-util")]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_text_or_upper_case_hex() {
        assert_eq!(
            attribute_value_string(Tag::Utf8String, "Müller".as_bytes()).as_deref(),
            Some("Müller")
        );
        assert_eq!(
            attribute_value_string(Tag::PrintableString, b"FI").as_deref(),
            Some("FI")
        );
        // BMPString: UTF-16 big-endian, surrogate pairs included.
        assert_eq!(
            attribute_value_string(
                Tag::BmpString,
                &[0x00, 0x4d, 0x00, 0xfc, 0xd8, 0x3d, 0xdd, 0x11]
            )
            .as_deref(),
            Some("M\u{fc}\u{1F511}")
        );
        // Not a string type: hex of the content octets.
        assert_eq!(
            attribute_value_string(Tag::OctetString, &[0x0a, 0xff]).as_deref(),
            Some("0AFF")
        );
        // Invalid encodings make the whole name unprintable.
        assert_eq!(attribute_value_string(Tag::Utf8String, &[0xff]), None);
        assert_eq!(attribute_value_string(Tag::BmpString, &[0x00]), None);
        assert_eq!(attribute_value_string(Tag::BmpString, &[0xd8, 0x3d]), None);
    }

    #[test]
    fn multi_valued_rdns_are_joined_with_plus() {
        use std::str::FromStr as _;
        // RFC 4514 strings list RDNs last-first; the certificate order is the reverse.
        let name = Name::from_str("CN=client,OU=Connectors+L=Helsinki,O=Contoso,C=FI").unwrap();
        assert_eq!(
            name_to_string(&name).as_deref(),
            Some("C=FI, O=Contoso, L=Helsinki + OU=Connectors, CN=client")
        );
        assert_eq!(first_common_name(&name).as_deref(), Some("client"));
        assert_eq!(name_to_string(&Name::default()).as_deref(), Some(""));
        assert_eq!(first_common_name(&Name::default()), None);
    }
}
