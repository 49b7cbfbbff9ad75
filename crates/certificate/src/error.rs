//! [`CertificateError`]: why a PKCS#12 file cannot be used, and [`CertificateWarning`]: what is
//! worth telling the user about one that can.

use std::fmt;
use std::path::PathBuf;

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
