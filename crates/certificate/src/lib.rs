//! `entra-api-connectors-certificate`: local handling of PKCS#12 (`.pfx`) client certificates for
//! API connectors, in pure Rust (no OpenSSL). The client crate `entra-api-connectors` re-exports it
//! as `entra_api_connectors::certificate`; the emulator uses it to read uploaded certificates.
//!
//! Graph's `uploadClientCertificate` takes the base64 of a PKCS#12 file and its password (`""` when the
//! file has none) and answers with a `clientCertificateAuthentication` whose `certificateList` holds one
//! `pkcs12CertificateInformation` per uploaded certificate
//! (<https://learn.microsoft.com/graph/api/identityapiconnector-uploadclientcertificate>,
//! <https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>).
//! This crate parses and checks such a file locally, before anything is sent, and computes what Graph
//! reports about it:
//!
//! - [`Pkcs12Bundle`]: the parsed file: leaf certificate, chain, private key, thumbprint, validity, and the
//!   pieces a TLS client needs to present it ([`Pkcs12Bundle::tls_identity`]).
//! - [`CertificateSummary`] and the list helpers ([`is_active_by_graph_rule`], [`active`],
//!   [`expiring_within`]): Graph's view of the uploaded certificates.
//! - [`thumbprint_of`]: Graph's thumbprint of a DER certificate (upper-case hex SHA-1).
//! - `testing` (feature `test-util`): self-signed certificates, CAs and PKCS#12 files for tests.
//!
//! The decoder (`pfx.rs`) reads what Windows, OpenSSL 1.x and 3.x, Java and Azure Key Vault export:
//! PBES2 with PBKDF2 and AES or 3DES, the legacy RFC 7292 3DES and RC2 schemes, and HMAC-SHA-1/SHA-2
//! integrity.
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

mod bundle;
mod error;
mod pfx;
mod summary;
#[cfg(feature = "test-util")]
pub mod testing;
mod validity;
mod x509;

pub use bundle::Pkcs12Bundle;
pub use error::{CertificateError, CertificateWarning};
pub use summary::{
    CertificateSummary, active, apply_graph_active_rule, expiring_within, is_active_by_graph_rule,
};
pub use validity::{ValidityStatus, unix_now};
pub use x509::thumbprint_of;

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
