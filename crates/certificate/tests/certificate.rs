//! Tests of `certificate`: PKCS#12 parsing and checks, Graph's thumbprint and `isActive` rules, and use of
//! the parsed identity for TLS client authentication. Every certificate is generated here.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use entra_api_connectors_certificate::{
    CertificateError, CertificateSummary, CertificateWarning, Pkcs12Bundle, ValidityStatus, active,
    apply_graph_active_rule, expiring_within, is_active_by_graph_rule, testing, thumbprint_of,
    unix_now,
};
use secrecy::{ExposeSecret, SecretString};
use sha1::Digest as _;

const DAY: i64 = 86_400;
/// 2024-01-01T00:00:00Z.
const JAN_2024: i64 = 1_704_067_200;

fn pw(s: &str) -> SecretString {
    SecretString::from(s)
}

/// Lower-level hex formatting than the module's, so the comparison is not the code checking itself.
fn sha1_upper_hex(data: &[u8]) -> String {
    let digest = sha1::Sha1::digest(data);
    let mut out = String::new();
    for b in digest.iter() {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap());
        out.push(char::from_digit(u32::from(b & 0x0f), 16).unwrap());
    }
    out.to_ascii_uppercase()
}

#[test]
fn thumbprint_is_upper_case_sha1_hex() {
    // FIPS 180 test vector for SHA-1("abc").
    assert_eq!(
        thumbprint_of(b"abc"),
        "A9993E364706816ABA3E25717850C26C9CD0D89D"
    );
}

#[test]
fn valid_pfx_round_trip() {
    let (nb, na) = (JAN_2024, JAN_2024 + 365 * DAY);
    let id = testing::self_signed("connector.contoso.com", nb, na);
    let password = pw("S3cret!pfx");
    let pfx = testing::pack(
        &password,
        Some(id.private_key_der.expose_secret()),
        &[&id.certificate_der],
    );

    let bundle = Pkcs12Bundle::from_der(&pfx, &password).unwrap();

    let expected = sha1_upper_hex(&id.certificate_der);
    assert_eq!(bundle.thumbprint(), expected);
    assert_eq!(bundle.thumbprint().len(), 40);
    assert_eq!(bundle.not_before(), nb);
    assert_eq!(bundle.not_after(), na);
    assert_eq!(bundle.common_name(), Some("connector.contoso.com"));
    assert_eq!(bundle.subject(), "CN=connector.contoso.com");
    assert_eq!(bundle.leaf_der(), id.certificate_der.as_slice());
    assert_eq!(
        bundle.chain_der(),
        std::slice::from_ref(&id.certificate_der)
    );
    assert_eq!(
        bundle.private_key_pkcs8_der().expose_secret(),
        id.private_key_der.expose_secret()
    );
    assert_eq!(bundle.original_der().expose_secret(), pfx.as_slice());

    // The upload body value is the original file, standard base64.
    let b64 = bundle.to_base64();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(b64.expose_secret())
            .unwrap(),
        pfx
    );

    // What the emulator does with an uploaded pkcs12Value.
    let again = Pkcs12Bundle::from_base64(b64.expose_secret(), &password).unwrap();
    assert_eq!(again.thumbprint(), expected);
    assert_eq!(
        again.summary(),
        CertificateSummary {
            thumbprint: expected,
            not_before: nb,
            not_after: na,
            is_active: false
        }
    );
}

#[test]
fn self_signed_pkcs12_helper_carries_the_requested_validity() {
    let pfx = testing::self_signed_pkcs12("helper", &pw("p"), JAN_2024 - DAY, JAN_2024 + DAY);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap();
    assert_eq!(bundle.not_before(), JAN_2024 - DAY);
    assert_eq!(bundle.not_after(), JAN_2024 + DAY);
    assert_eq!(bundle.common_name(), Some("helper"));
    assert_eq!(bundle.thumbprint(), sha1_upper_hex(bundle.leaf_der()));
}

#[test]
fn empty_password_is_accepted() {
    let pfx = testing::self_signed_pkcs12("nopass", &pw(""), JAN_2024, JAN_2024 + DAY);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert_eq!(bundle.common_name(), Some("nopass"));
    assert!(matches!(
        Pkcs12Bundle::from_der(&pfx, &pw("x")),
        Err(CertificateError::WrongPassword)
    ));
}

#[test]
fn wrong_password_is_reported_without_the_password() {
    let pfx = testing::self_signed_pkcs12("c", &pw("right-password"), JAN_2024, JAN_2024 + DAY);
    let err = Pkcs12Bundle::from_der(&pfx, &pw("wrong-password-xyz")).unwrap_err();
    assert!(matches!(err, CertificateError::WrongPassword), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("wrong-password-xyz"), "{text}");
        assert!(!text.contains("right-password"), "{text}");
    }
    assert!(err.to_string().contains("wrong PKCS#12 password"));
}

#[test]
fn garbage_is_not_pkcs12() {
    let cert = testing::self_signed("c", JAN_2024, JAN_2024 + DAY);
    let inputs: [&[u8]; 4] = [
        b"",
        b"this is not a pfx file at all",
        &[0x30, 0x82, 0xff, 0xff, 0x00],
        // Valid DER, but an X.509 certificate rather than a PFX.
        &cert.certificate_der,
    ];
    for input in inputs {
        let err = Pkcs12Bundle::from_der(input, &pw("")).unwrap_err();
        assert!(matches!(err, CertificateError::NotPkcs12), "{err:?}");
    }
}

#[test]
fn truncated_pfx_is_not_pkcs12() {
    let pfx = testing::self_signed_pkcs12("c", &pw("p"), JAN_2024, JAN_2024 + DAY);
    let err = Pkcs12Bundle::from_der(&pfx[..pfx.len() / 2], &pw("p")).unwrap_err();
    assert!(matches!(err, CertificateError::NotPkcs12), "{err:?}");
}

#[test]
fn invalid_base64_is_reported() {
    let err = Pkcs12Bundle::from_base64("not*base64!", &pw("")).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::InvalidBase64 {
                reason: "invalid character"
            }
        ),
        "{err:?}"
    );
    // URL-safe alphabet is not what Graph expects.
    let err = Pkcs12Bundle::from_base64("ab-_", &pw("")).unwrap_err();
    assert!(
        matches!(err, CertificateError::InvalidBase64 { .. }),
        "{err:?}"
    );
}

#[test]
fn certificate_without_key_is_rejected() {
    let pfx = testing::certificate_only_pkcs12("c", &pw("p"), JAN_2024, JAN_2024 + DAY);
    let err = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap_err();
    assert!(matches!(err, CertificateError::NoPrivateKey), "{err:?}");
}

#[test]
fn key_without_certificate_is_rejected() {
    let pfx = testing::key_only_pkcs12(&pw("p"));
    let err = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap_err();
    assert!(matches!(err, CertificateError::NoCertificate), "{err:?}");
}

#[test]
fn key_of_another_certificate_is_rejected() {
    let pfx = testing::mismatched_key_pkcs12(&pw("p"), JAN_2024, JAN_2024 + DAY);
    let err = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap_err();
    assert!(matches!(err, CertificateError::KeyMismatch), "{err:?}");
}

#[test]
fn chain_is_leaf_first_whatever_the_file_order() {
    let ca = testing::certificate_authority("Contoso Test CA", JAN_2024, JAN_2024 + 10 * DAY);
    let leaf = testing::issued_by(&ca, "client.contoso.com", JAN_2024, JAN_2024 + 5 * DAY);
    let key = leaf.private_key_der.expose_secret();
    for order in [
        [&leaf.certificate_der[..], &ca.certificate_der[..]],
        [&ca.certificate_der[..], &leaf.certificate_der[..]],
    ] {
        let pfx = testing::pack(&pw("p"), Some(key), &order);
        let bundle = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap();
        assert_eq!(
            bundle.chain_der(),
            [leaf.certificate_der.clone(), ca.certificate_der.clone()]
        );
        assert_eq!(bundle.thumbprint(), sha1_upper_hex(&leaf.certificate_der));
        assert_eq!(bundle.common_name(), Some("client.contoso.com"));
        assert_eq!(bundle.not_after(), JAN_2024 + 5 * DAY);
    }
}

#[test]
fn from_file_reads_and_reports_missing_files() {
    let dir = std::env::temp_dir().join(format!("eac-certificate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("client.pfx");
    let pfx = testing::self_signed_pkcs12("file", &pw("p"), JAN_2024, JAN_2024 + DAY);
    std::fs::write(&path, &pfx).unwrap();

    let bundle = Pkcs12Bundle::from_file(&path, &pw("p")).unwrap();
    assert_eq!(bundle.common_name(), Some("file"));

    let missing = dir.join("missing.pfx");
    let err = Pkcs12Bundle::from_file(&missing, &pw("p")).unwrap_err();
    match err {
        CertificateError::Io { path, source } => {
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Io, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn expired_certificate_fails_upload_validation() {
    let (nb, na) = (JAN_2024, JAN_2024 + 30 * DAY);
    let pfx = testing::self_signed_pkcs12("old", &pw(""), nb, na);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();

    // notAfter itself is still valid (RFC 5280: inclusive); one second later it is expired.
    assert_eq!(bundle.validity_at(na), ValidityStatus::Valid);
    assert_eq!(bundle.validate_for_upload(na).unwrap(), vec![]);
    let now = na + 1;
    assert_eq!(bundle.validity_at(now), ValidityStatus::Expired);
    match bundle.validate_for_upload(now).unwrap_err() {
        CertificateError::Expired {
            thumbprint,
            not_after,
            now: at,
        } => {
            assert_eq!(thumbprint, bundle.thumbprint());
            assert_eq!((not_after, at), (na, now));
        }
        other => panic!("expected Expired, got {other:?}"),
    }
    assert!(matches!(
        bundle.ensure_valid_at(now),
        Err(CertificateError::Expired { .. })
    ));
}

#[test]
fn not_yet_valid_certificate_is_a_warning_for_upload_and_an_error_for_use() {
    let (nb, na) = (JAN_2024 + 10 * DAY, JAN_2024 + 40 * DAY);
    let pfx = testing::self_signed_pkcs12("future", &pw(""), nb, na);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();

    let now = nb - 1;
    assert_eq!(bundle.validity_at(now), ValidityStatus::NotYetValid);
    let warnings = bundle.validate_for_upload(now).unwrap();
    assert_eq!(
        warnings,
        vec![CertificateWarning::NotYetValid { not_before: nb }]
    );
    assert!(warnings[0].to_string().contains(&nb.to_string()));
    match bundle.ensure_valid_at(now).unwrap_err() {
        CertificateError::NotYetValid {
            not_before,
            now: at,
            ..
        } => assert_eq!((not_before, at), (nb, now)),
        other => panic!("expected NotYetValid, got {other:?}"),
    }

    assert_eq!(bundle.validity_at(nb), ValidityStatus::Valid);
    bundle.ensure_valid_at(nb).unwrap();
    assert_eq!(bundle.validate_for_upload(nb).unwrap(), vec![]);
}

fn info(thumbprint: &str, not_before: i64, not_after: i64) -> CertificateSummary {
    CertificateSummary {
        thumbprint: thumbprint.to_owned(),
        not_before,
        not_after,
        is_active: false,
    }
}

#[test]
fn graph_active_rule_newest_valid_wins() {
    let now = JAN_2024;
    let list = [
        info("A", now - 10 * DAY, now + 10 * DAY),
        info("B", now - DAY, now + 30 * DAY),
    ];
    assert_eq!(is_active_by_graph_rule(&list, now), [false, true]);
}

#[test]
fn graph_active_rule_falls_back_when_newest_is_expired_or_not_yet_valid() {
    let now = JAN_2024;
    let list = [
        info("OLDEST-EXPIRED", now - 20 * DAY, now - 10 * DAY),
        info("VALID", now - 5 * DAY, now + 5 * DAY),
        info("EXPIRED", now - 3 * DAY, now - 1),
        info("FUTURE", now + 1, now + 50 * DAY),
    ];
    assert_eq!(
        is_active_by_graph_rule(&list, now),
        [false, true, false, false]
    );

    // Once FUTURE's notBefore has passed, it takes over.
    assert_eq!(
        is_active_by_graph_rule(&list, now + 1),
        [false, false, false, true]
    );
    // When everything has expired, nothing is active.
    assert_eq!(
        is_active_by_graph_rule(&list, now + 51 * DAY),
        [false, false, false, false]
    );
    assert!(is_active_by_graph_rule(&[], now).is_empty());
}

#[test]
fn apply_rule_and_active_agree() {
    let now = JAN_2024;
    let mut list = vec![
        info("A", now - 10 * DAY, now + 10 * DAY),
        info("B", now + DAY, now + 30 * DAY),
    ];
    list[1].is_active = true; // stale flag from an earlier evaluation
    assert_eq!(active(&list).unwrap().thumbprint, "B");

    apply_graph_active_rule(&mut list, now);
    assert_eq!(
        list.iter().map(|c| c.is_active).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(active(&list).unwrap().thumbprint, "A");

    apply_graph_active_rule(&mut list, now + 2 * DAY);
    assert_eq!(active(&list).unwrap().thumbprint, "B");

    apply_graph_active_rule(&mut list, now + 31 * DAY);
    assert_eq!(active(&list), None);
}

#[test]
fn expiring_within_selects_unexpired_certificates_ending_in_the_window() {
    let now = JAN_2024;
    let list = [
        info("EXPIRED", now - 10 * DAY, now - 1),
        info("AT-NOW", now - 10 * DAY, now),
        info("IN-WINDOW", now - 10 * DAY, now + 7 * DAY),
        info("AT-EDGE", now - 10 * DAY, now + 30 * DAY),
        info("LATER", now - 10 * DAY, now + 30 * DAY + 1),
    ];
    fn thumbprints(v: Vec<&CertificateSummary>) -> Vec<&str> {
        v.into_iter().map(|c| c.thumbprint.as_str()).collect()
    }
    assert_eq!(
        thumbprints(expiring_within(
            &list,
            now,
            Duration::from_secs(30 * 86_400)
        )),
        ["AT-NOW", "IN-WINDOW", "AT-EDGE"]
    );
    assert_eq!(
        thumbprints(expiring_within(&list, now, Duration::ZERO)),
        ["AT-NOW"]
    );
    assert!(expiring_within(&list, now + 31 * DAY, Duration::from_secs(DAY as u64)).is_empty());
}

#[test]
fn debug_shows_public_facts_only() {
    let password = "Pa55-w0rd-never-printed";
    let id = testing::self_signed("debug.contoso.com", JAN_2024, JAN_2024 + DAY);
    let pfx = testing::pack(
        &pw(password),
        Some(id.private_key_der.expose_secret()),
        &[&id.certificate_der],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw(password)).unwrap();
    let debug = format!("{bundle:?}");

    assert!(debug.contains(bundle.thumbprint()), "{debug}");
    assert!(debug.contains("CN=debug.contoso.com"), "{debug}");
    assert!(debug.contains(&JAN_2024.to_string()), "{debug}");
    assert!(!debug.contains(password), "{debug}");

    let key = id.private_key_der.expose_secret();
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let key_b64 = base64::engine::general_purpose::STANDARD.encode(key);
    let pfx_b64 = base64::engine::general_purpose::STANDARD.encode(&pfx);
    for secret in [&key_hex, &key_b64, &pfx_b64[..40]] {
        assert!(
            !debug.to_lowercase().contains(&secret.to_lowercase()),
            "{debug}"
        );
    }
    // Decimal byte lists, as a derived Debug of Vec<u8> would print them.
    let key_bytes = format!("{:?}", &key[..16]);
    assert!(
        !debug.contains(&key_bytes[1..key_bytes.len() - 1]),
        "{debug}"
    );
    assert!(!format!("{:?}", bundle.to_base64()).contains(&pfx_b64[..40]));
    assert!(!format!("{:?}", bundle.private_key_pkcs8_der()).contains(&key_bytes[1..10]));
}

// TLS client authentication with the parsed identity, as the simulated sign-up presents it.

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Runs a TLS handshake between two in-memory endpoints.
fn handshake(
    client: &mut rustls::ClientConnection,
    server: &mut rustls::ServerConnection,
) -> Result<(), rustls::Error> {
    for _ in 0..20 {
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            server.read_tls(&mut buf.as_slice()).unwrap();
            server.process_new_packets()?;
        }
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            client.read_tls(&mut buf.as_slice()).unwrap();
            client.process_new_packets()?;
        }
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

fn mutual_tls(
    bundle: &Pkcs12Bundle,
    client_ca: &testing::TestIdentity,
) -> Result<Vec<u8>, rustls::Error> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

    let now = unix_now();
    let server_id = testing::self_signed("localhost", now - DAY, now + DAY);

    let mut client_roots = rustls::RootCertStore::empty();
    client_roots
        .add(CertificateDer::from(client_ca.certificate_der.clone()))
        .unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(client_roots),
        provider(),
    )
    .build()
    .unwrap();
    let server_config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(server_id.certificate_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                server_id.private_key_der.expose_secret().to_vec(),
            )),
        )
        .unwrap();

    let mut server_roots = rustls::RootCertStore::empty();
    server_roots
        .add(CertificateDer::from(server_id.certificate_der.clone()))
        .unwrap();
    let (chain, key) = bundle.tls_identity();
    let client_config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(server_roots)
        .with_client_auth_cert(chain, key)
        .unwrap();

    let mut client = rustls::ClientConnection::new(
        Arc::new(client_config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
    handshake(&mut client, &mut server)?;
    Ok(server.peer_certificates().unwrap()[0].to_vec())
}

#[test]
fn tls_identity_authenticates_a_client_to_a_server_trusting_its_ca() {
    let now = unix_now();
    let ca = testing::certificate_authority("Sign-up Test CA", now - DAY, now + 10 * DAY);
    let leaf = testing::issued_by(&ca, "signup-client", now - DAY, now + DAY);
    let pfx = testing::pack(
        &pw("p"),
        Some(leaf.private_key_der.expose_secret()),
        &[&leaf.certificate_der, &ca.certificate_der],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap();
    bundle.ensure_valid_at(now).unwrap();

    let presented = mutual_tls(&bundle, &ca).unwrap();
    assert_eq!(presented, leaf.certificate_der);
}

#[test]
fn tls_identity_of_an_untrusted_or_expired_certificate_is_refused_by_the_server() {
    let now = unix_now();
    let ca = testing::certificate_authority("Sign-up Test CA", now - 10 * DAY, now + 10 * DAY);

    let other_ca = testing::certificate_authority("Other CA", now - DAY, now + DAY);
    let stranger = testing::issued_by(&other_ca, "stranger", now - DAY, now + DAY);
    let pfx = testing::pack(
        &pw(""),
        Some(stranger.private_key_der.expose_secret()),
        &[&stranger.certificate_der],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert!(mutual_tls(&bundle, &ca).is_err());

    let expired = testing::issued_by(&ca, "expired", now - 5 * DAY, now - DAY);
    let pfx = testing::pack(
        &pw(""),
        Some(expired.private_key_der.expose_secret()),
        &[&expired.certificate_der],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert!(matches!(
        bundle.ensure_valid_at(now),
        Err(CertificateError::Expired { .. })
    ));
    let err = mutual_tls(&bundle, &ca).unwrap_err();
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired)
                | rustls::Error::InvalidCertificate(
                    rustls::CertificateError::ExpiredContext { .. }
                )
        ),
        "{err:?}"
    );
}

#[test]
fn two_private_keys_are_ambiguous() {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let mut store = KeyStore::new();
    for (i, name) in ["first", "second"].into_iter().enumerate() {
        let id = testing::self_signed(name, JAN_2024, JAN_2024 + DAY);
        let chain = PrivateKeyChain::new(
            vec![i as u8 + 1],
            PrivateKey::from_der(id.private_key_der.expose_secret()).unwrap(),
            [Certificate::from_der(&id.certificate_der).unwrap()],
        );
        store.add_entry(name, KeyStoreEntry::PrivateKeyChain(chain));
    }
    let pfx = store.writer("p").write().unwrap();
    let err = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap_err();
    assert!(
        matches!(err, CertificateError::MultiplePrivateKeys { count: 2 }),
        "{err:?}"
    );
}

#[test]
fn ed25519_keys_are_matched_to_their_certificate() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["ed.contoso.com".to_owned()]).unwrap();
    params.not_before = time_of(JAN_2024);
    params.not_after = time_of(JAN_2024 + DAY);
    let cert = params.self_signed(&key).unwrap();
    let decoy = testing::self_signed("decoy", JAN_2024, JAN_2024 + DAY);

    // The decoy comes first and carries the key's localKeyId; the public key decides.
    let pfx = testing::pack(
        &pw("p"),
        Some(&key.serialize_der()),
        &[&decoy.certificate_der, cert.der()],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("p")).unwrap();
    assert_eq!(bundle.leaf_der(), cert.der().as_ref());
    assert_eq!(bundle.chain_der().len(), 1);

    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let pfx = testing::pack(&pw("p"), Some(&other.serialize_der()), &[cert.der()]);
    assert!(matches!(
        Pkcs12Bundle::from_der(&pfx, &pw("p")),
        Err(CertificateError::KeyMismatch)
    ));
}

#[test]
fn key_of_an_algorithm_ring_cannot_load_is_accepted_without_a_match_check() {
    // An X25519 PKCS#8 key (RFC 8410): a valid private key that cannot sign, so the key/certificate match
    // cannot be checked; the certificate carrying the key's localKeyId (the first packed) is the leaf.
    let mut x25519 = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04,
        0x20,
    ];
    x25519.extend(1..=32u8);
    let first = testing::self_signed("first", JAN_2024, JAN_2024 + DAY);
    let second = testing::self_signed("second", JAN_2024, JAN_2024 + DAY);
    let pfx = testing::pack(
        &pw(""),
        Some(&x25519),
        &[&second.certificate_der, &first.certificate_der],
    );
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert_eq!(bundle.leaf_der(), second.certificate_der.as_slice());
    assert_eq!(
        bundle.private_key_pkcs8_der().expose_secret(),
        x25519.as_slice()
    );
}

fn time_of(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

// PKCS#12 files written by an independent implementation (OpenSSL 3.0; see tests/fixtures/README.md).

const FIXTURE_PASSWORD: &str = "fixture-pass";
/// `notBefore` / `notAfter` of the RSA leaf: 2026-11-26T15:58:41Z (UTCTime) and 2126-11-02T15:58:41Z
/// (GeneralizedTime).
const LEAF_VALIDITY: (i64, i64) = (1_795_708_721, 4_949_308_721);
/// Those of the EC certificate: 2026-11-26T15:51:59Z and 2126-11-02T15:51:59Z.
const EC_VALIDITY: (i64, i64) = (1_795_708_319, 4_949_308_319);
/// `openssl x509 -fingerprint -sha1` of the fixture certificates.
const LEAF_SHA1: &str = "25F55D64C2E23E2EE1465F8834500627DB8D811D";
const CA_SHA1: &str = "AEBDC25532D654310D6841E8DED8F6C09FBA2ECA";
const EC_SHA1: &str = "409675A9F03AE7B62AF500958A896E1FEE182EDE";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn openssl_files_of_every_protection_scheme_decode() {
    let leaf_subject = "C=FI, O=Contoso Ltd, L=Helsinki + OU=Connectors, CN=client.contoso.com, \
                        Email=ops@contoso.com";
    let cases = [
        // RC2-40 certificates, 3-key 3DES key, SHA-1 MAC.
        (
            "legacy-3des-rc2-40.pfx",
            LEAF_SHA1,
            leaf_subject,
            "client.contoso.com",
            2,
        ),
        // RC2-128 certificates, 2-key 3DES key, SHA-1 MAC.
        (
            "rc2-128-2des.pfx",
            LEAF_SHA1,
            leaf_subject,
            "client.contoso.com",
            2,
        ),
        // PBES2: AES-128-CBC certificates, DES-EDE3-CBC key.
        (
            "pbes2-3des-aes128.pfx",
            LEAF_SHA1,
            leaf_subject,
            "client.contoso.com",
            2,
        ),
        // PBES2 AES-256-CBC, SHA-256 MAC.
        (
            "openssl-default-ec.pfx",
            EC_SHA1,
            "CN=Müller EC, O=Contoso",
            "Müller EC",
            1,
        ),
        // No MAC.
        (
            "nomac-ec.pfx",
            EC_SHA1,
            "CN=Müller EC, O=Contoso",
            "Müller EC",
            1,
        ),
        // Plain keyBag, unencrypted certificate bag.
        (
            "unencrypted-ec.pfx",
            EC_SHA1,
            "CN=Müller EC, O=Contoso",
            "Müller EC",
            1,
        ),
    ];
    for (name, thumbprint, subject, common_name, chain_len) in cases {
        let pfx = fixture(name);
        let bundle = Pkcs12Bundle::from_der(&pfx, &pw(FIXTURE_PASSWORD))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(bundle.thumbprint(), thumbprint, "{name}");
        assert_eq!(
            bundle.thumbprint(),
            sha1_upper_hex(bundle.leaf_der()),
            "{name}"
        );
        assert_eq!(bundle.subject(), subject, "{name}");
        assert_eq!(bundle.common_name(), Some(common_name), "{name}");
        let validity = if thumbprint == LEAF_SHA1 {
            LEAF_VALIDITY
        } else {
            EC_VALIDITY
        };
        assert_eq!(
            (bundle.not_before(), bundle.not_after()),
            validity,
            "{name}"
        );
        assert_eq!(bundle.chain_der().len(), chain_len, "{name}");
        if chain_len == 2 {
            assert_eq!(sha1_upper_hex(&bundle.chain_der()[1]), CA_SHA1, "{name}");
        }
        // The key was matched to the leaf by its public key (RSA and P-256 are both ones ring loads),
        // so it decrypted to the right PKCS#8 document; rustls accepts the pair too.
        let (chain, key) = bundle.tls_identity();
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_client_auth_cert(chain, key)
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let err = Pkcs12Bundle::from_der(&pfx, &pw("fixture-pasS")).unwrap_err();
        assert!(
            matches!(err, CertificateError::WrongPassword),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn every_scheme_of_the_test_writer_round_trips() {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };
    let ca = testing::certificate_authority("Writer CA", JAN_2024, JAN_2024 + 10 * DAY);
    let leaf = testing::issued_by(&ca, "writer.contoso.com", JAN_2024, JAN_2024 + DAY);
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
            vec![7],
            PrivateKey::from_der(leaf.private_key_der.expose_secret()).unwrap(),
            [
                Certificate::from_der(&leaf.certificate_der).unwrap(),
                Certificate::from_der(&ca.certificate_der).unwrap(),
            ],
        )),
    );
    let encryptions = [
        EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
        EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
        // Despite its name, pbeWithSHAAnd40BitRC2-CBC.
        EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
    ];
    let macs = [
        MacAlgorithm::HmacSha1,
        MacAlgorithm::HmacSha224,
        MacAlgorithm::HmacSha256,
        MacAlgorithm::HmacSha384,
        MacAlgorithm::HmacSha512,
    ];
    for encryption in encryptions {
        for mac in macs {
            let label = format!("{encryption:?}/{mac:?}");
            let pfx = store
                .writer("wr1ter")
                .encryption_algorithm(encryption)
                .mac_algorithm(mac)
                .write()
                .unwrap();
            let bundle = Pkcs12Bundle::from_der(&pfx, &pw("wr1ter"))
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(
                bundle.chain_der(),
                [leaf.certificate_der.clone(), ca.certificate_der.clone()],
                "{label}"
            );
            assert_eq!(
                bundle.private_key_pkcs8_der().expose_secret(),
                leaf.private_key_der.expose_secret(),
                "{label}"
            );
            assert_eq!(bundle.subject(), "CN=writer.contoso.com", "{label}");
            let err = Pkcs12Bundle::from_der(&pfx, &pw("wr1teR")).unwrap_err();
            assert!(
                matches!(err, CertificateError::WrongPassword),
                "{label}: {err:?}"
            );
        }
    }
}

/// Position of the last occurrence of `needle` in `haystack`.
fn rfind(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .rposition(|w| w == needle)
        .expect("pattern present")
}

#[test]
fn tampering_covered_by_the_mac_reads_as_a_wrong_password() {
    let pfx = fixture("unencrypted-ec.pfx");
    Pkcs12Bundle::from_der(&pfx, &pw(FIXTURE_PASSWORD)).unwrap();

    // The file ends with macSalt (8 octets) and iterations (2048): the 32-octet SHA-256 MAC precedes them.
    let tail = &pfx[pfx.len() - 14..];
    assert_eq!(&tail[..2], &[0x04, 0x08]);
    assert_eq!(&tail[10..], &[0x02, 0x02, 0x08, 0x00]);
    let mut bad_mac = pfx.clone();
    bad_mac[pfx.len() - 15] ^= 0x01;
    let err = Pkcs12Bundle::from_der(&bad_mac, &pw(FIXTURE_PASSWORD)).unwrap_err();
    assert!(matches!(err, CertificateError::WrongPassword), "{err:?}");

    // One bit of the (unencrypted) certificate's signature.
    let id = Pkcs12Bundle::from_der(&pfx, &pw(FIXTURE_PASSWORD)).unwrap();
    let cert = id.leaf_der().to_vec();
    let at = rfind(&pfx, &cert) + cert.len() - 1;
    let mut bad_cert = pfx.clone();
    bad_cert[at] ^= 0x80;
    let err = Pkcs12Bundle::from_der(&bad_cert, &pw(FIXTURE_PASSWORD)).unwrap_err();
    assert!(matches!(err, CertificateError::WrongPassword), "{err:?}");
}

#[test]
fn trailing_bytes_and_ber_encoding_are_malformed() {
    let pfx = testing::self_signed_pkcs12("c", &pw("p"), JAN_2024, JAN_2024 + DAY);
    for extra in [&[0x00][..], &[0x05, 0x00], b"garbage"] {
        let mut longer = pfx.clone();
        longer.extend_from_slice(extra);
        let err = Pkcs12Bundle::from_der(&longer, &pw("p")).unwrap_err();
        assert!(
            matches!(&err, CertificateError::Malformed { reason } if reason.contains("trailing")),
            "{err:?}"
        );
    }

    // The same PFX with an indefinite-length outer SEQUENCE (BER): recognised, but only DER is decoded.
    assert_eq!(&pfx[..2], &[0x30, 0x82]);
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(&pfx[4..]);
    ber.extend_from_slice(&[0x00, 0x00]);
    let err = Pkcs12Bundle::from_der(&ber, &pw("p")).unwrap_err();
    assert!(matches!(err, CertificateError::Malformed { .. }), "{err:?}");

    // One byte short, or the outer length one too large: not a complete PFX.
    for bad in [pfx[..pfx.len() - 1].to_vec(), {
        let mut v = pfx.clone();
        v[3] = v[3].wrapping_add(1);
        v
    }] {
        let err = Pkcs12Bundle::from_der(&bad, &pw("p")).unwrap_err();
        assert!(matches!(err, CertificateError::NotPkcs12), "{err:?}");
    }
}

#[test]
fn unsupported_algorithms_are_named() {
    // MAC digest SHA-256 (2.16.840.1.101.3.4.2.1) turned into SHA3-256 (…2.8).
    let sha256 = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ];
    let mut pfx = fixture("openssl-default-ec.pfx");
    let at = rfind(&pfx, &sha256) + sha256.len() - 1;
    pfx[at] = 0x08;
    let err = Pkcs12Bundle::from_der(&pfx, &pw(FIXTURE_PASSWORD)).unwrap_err();
    assert!(
        matches!(&err, CertificateError::Unsupported { reason } if reason.contains("2.16.840.1.101.3.4.2.8")),
        "{err:?}"
    );

    // In a file without MAC, the key's AES-256-CBC (2.16.840.1.101.3.4.1.42) turned into AES-256-GCM (…1.46).
    let aes256_cbc = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a,
    ];
    let mut pfx = fixture("nomac-ec.pfx");
    let at = rfind(&pfx, &aes256_cbc) + aes256_cbc.len() - 1;
    pfx[at] = 0x2e;
    let err = Pkcs12Bundle::from_der(&pfx, &pw(FIXTURE_PASSWORD)).unwrap_err();
    assert!(
        matches!(&err, CertificateError::Unsupported { reason } if reason.contains("2.16.840.1.101.3.4.1.46")),
        "{err:?}"
    );
}

#[test]
fn passwords_beyond_the_basic_multilingual_plane_work_as_openssl_writes_them() {
    // OpenSSL encodes U+1F511 as a UTF-16 surrogate pair for the MAC and RFC 7292 key derivation, and as
    // UTF-8 for PBKDF2.
    for name in ["nonbmp-password-ec.pfx", "nonbmp-password-legacy-ec.pfx"] {
        let pfx = fixture(name);
        let bundle = Pkcs12Bundle::from_der(&pfx, &pw("clé-\u{1F511}-x9"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(bundle.thumbprint(), EC_SHA1, "{name}");

        let err = Pkcs12Bundle::from_der(&pfx, &pw("clé-\u{1F512}-x9")).unwrap_err();
        assert!(
            matches!(err, CertificateError::WrongPassword),
            "{name}: {err:?}"
        );
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("x9") && !text.contains("clé"), "{text}");
        }
    }
}

#[test]
fn subject_lists_attributes_in_certificate_order() {
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "FI");
    dn.push(DnType::OrganizationName, "Contoso");
    dn.push(DnType::OrganizationalUnitName, "Ops");
    dn.push(DnType::CommonName, "ops client");
    dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), "42");
    dn.push(DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, 1]), "x");
    params.distinguished_name = dn;
    params.not_before = time_of(JAN_2024);
    params.not_after = time_of(JAN_2024 + DAY);
    let cert = params.self_signed(&key).unwrap();
    let pfx = testing::pack(&pw(""), Some(&key.serialize_der()), &[cert.der()]);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert_eq!(
        bundle.subject(),
        "C=FI, O=Contoso, OU=Ops, CN=ops client, serialNumber=42, OID(1.3.6.1.4.1.99999.1)=x"
    );
    assert_eq!(bundle.common_name(), Some("ops client"));

    // No common name at all.
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Contoso");
    params.distinguished_name = dn;
    let cert = params.self_signed(&key).unwrap();
    let pfx = testing::pack(&pw(""), Some(&key.serialize_der()), &[cert.der()]);
    let bundle = Pkcs12Bundle::from_der(&pfx, &pw("")).unwrap();
    assert_eq!(bundle.subject(), "O=Contoso");
    assert_eq!(bundle.common_name(), None);
}
