//! A test CA and a server certificate for 127.0.0.1 signed by it, for HTTPS servers on loopback
//! that a client under test trusts (through `SSL_CERT_FILE`, or the emulator's `trusted_ca`).

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The CA (DER) and a rustls server configuration presenting a 127.0.0.1 certificate it signed.
pub struct TestCa {
    /// The CA certificate, DER.
    pub ca_der: Vec<u8>,
    /// The server side, with the leaf certificate and its key.
    pub server: Arc<rustls::ServerConfig>,
}

/// A new CA named `common_name` and its 127.0.0.1 leaf.
pub fn loopback(common_name: &str) -> TestCa {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let ca =
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap(),
        )
        .unwrap();
    TestCa {
        ca_der: ca.der().to_vec(),
        server: Arc::new(server),
    }
}
