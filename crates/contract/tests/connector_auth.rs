//! `ConnectorAuth`: the check of one call's credentials, independent of any HTTP framework
//! (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).

use base64::Engine as _;
use entra_api_connectors_contract::{Caller, ConnectorAuth, ConnectorAuthError, ContractError};
use secrecy::{ExposeSecret, SecretString};
use sha1::Digest as _;

const PASSWORD: &str = "pa:ss w0rd!";

fn basic_header(user_colon_password: &str) -> Vec<u8> {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_colon_password)
    )
    .into_bytes()
}

fn basic_auth() -> ConnectorAuth {
    ConnectorAuth::basic("connector", SecretString::from(PASSWORD)).unwrap()
}

/// Graph's thumbprint, computed here independently of the crate: upper-case hex SHA-1 of the DER.
fn sha1_hex(der: &[u8]) -> String {
    sha1::Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[test]
fn basic_accepts_only_the_expected_credentials() {
    let auth = basic_auth();
    let header = basic_header(&format!("connector:{PASSWORD}"));
    assert_eq!(
        auth.verify(Some(&header), None),
        Ok(Caller::Basic {
            username: "connector".to_owned()
        })
    );
    // A client certificate does not replace the basic credentials.
    assert_eq!(
        auth.verify(None, Some(b"certificate")),
        Err(ConnectorAuthError::MissingCredentials)
    );
    for wrong in [
        "connector:pa:ss w0rd",
        "Connector:pa:ss w0rd!",
        "connector:",
        ":pa:ss w0rd!",
    ] {
        assert_eq!(
            auth.verify(Some(&basic_header(wrong)), None),
            Err(ConnectorAuthError::WrongCredentials),
            "{wrong}"
        );
    }
}

#[test]
fn basic_rejects_missing_and_malformed_headers_with_their_reason() {
    let auth = basic_auth();
    assert_eq!(
        auth.verify(None, None),
        Err(ConnectorAuthError::MissingCredentials)
    );
    let cases: [(&[u8], &str); 5] = [
        (b"Bearer abc", "the scheme is not Basic"),
        (b"Basic", "expected `Basic <credentials>`"),
        (b"Basic !!!", "the credentials are not valid base64"),
        (
            b"Basic Y29ubmVjdG9y",
            "the credentials have no ':' separator",
        ),
        (b"Basic \xff\xfe", "the header is not valid UTF-8"),
    ];
    for (header, reason) in cases {
        assert_eq!(
            auth.verify(Some(header), None),
            Err(ConnectorAuthError::MalformedCredentials(reason)),
            "{}",
            String::from_utf8_lossy(header)
        );
    }
}

#[test]
fn basic_configuration_rejects_a_user_name_with_a_colon() {
    let err = ConnectorAuth::basic("a:b", SecretString::from("x")).unwrap_err();
    assert_eq!(
        err,
        ContractError::MalformedAuthorization(
            "a basic authentication user name cannot contain ':'"
        )
    );
}

#[test]
fn client_certificate_accepts_any_listed_thumbprint_in_any_form() {
    let (old, new, other) = (
        b"old certificate".as_slice(),
        b"new certificate".as_slice(),
        b"another".as_slice(),
    );
    let new_colons = sha1_hex(new)
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).unwrap().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(":");
    let auth = ConnectorAuth::client_certificate([sha1_hex(old), new_colons]).unwrap();
    let ConnectorAuth::ClientCertificate { thumbprints, .. } = &auth else {
        panic!("client-certificate configuration expected: {auth:?}");
    };
    assert_eq!(thumbprints, &[sha1_hex(old), sha1_hex(new)]);

    for der in [old, new] {
        assert_eq!(
            auth.verify(None, Some(der)),
            Ok(Caller::ClientCertificate {
                thumbprint: sha1_hex(der)
            })
        );
    }
    assert_eq!(
        auth.verify(None, Some(other)),
        Err(ConnectorAuthError::UnknownClientCertificate {
            thumbprint: sha1_hex(other)
        })
    );
    // Basic credentials do not replace the certificate.
    assert_eq!(
        auth.verify(Some(&basic_header("connector:x")), None),
        Err(ConnectorAuthError::MissingClientCertificate)
    );
}

#[test]
fn client_certificate_configuration_rejects_bad_thumbprints() {
    assert_eq!(
        ConnectorAuth::client_certificate(["AB".repeat(20), "not a thumbprint".to_owned()])
            .unwrap_err(),
        ContractError::InvalidThumbprint("not a thumbprint".to_owned())
    );
    assert_eq!(
        ConnectorAuth::client_certificate(Vec::<String>::new()).unwrap_err(),
        ContractError::NoAcceptedThumbprints
    );
}

#[test]
fn statuses_are_401_for_basic_and_403_for_certificates() {
    assert_eq!(ConnectorAuthError::MissingCredentials.http_status(), 401);
    assert_eq!(
        ConnectorAuthError::MalformedCredentials("x").http_status(),
        401
    );
    assert_eq!(ConnectorAuthError::WrongCredentials.http_status(), 401);
    assert_eq!(
        ConnectorAuthError::MissingClientCertificate.http_status(),
        403
    );
    assert_eq!(
        ConnectorAuthError::UnknownClientCertificate {
            thumbprint: "AB".repeat(20)
        }
        .http_status(),
        403
    );
}

#[test]
fn neither_debug_nor_errors_show_the_password() {
    let auth = basic_auth();
    let debug = format!("{auth:?}");
    assert!(debug.contains("connector"), "{debug}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    let ConnectorAuth::Basic { password, .. } = &auth else {
        panic!("basic configuration expected");
    };
    assert_eq!(password.expose_secret(), PASSWORD);

    let wrong = auth
        .verify(Some(&basic_header("connector:guess")), None)
        .unwrap_err();
    let malformed = auth.verify(Some(b"Basic !!!secret"), None).unwrap_err();
    for err in [wrong, malformed] {
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("guess") && !text.contains("secret"),
            "{text}"
        );
    }
}
