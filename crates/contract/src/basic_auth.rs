//! HTTP basic authentication of the call: [`BasicCredentials`] and [`verify_basic_auth`]
//! (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).

use std::fmt;

use base64::Engine as _;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

use crate::ContractError;

/// HTTP basic credentials (RFC 7617) as an API connector sends them in `Authorization`
/// (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).
/// `Debug` never shows the password.
#[derive(Clone)]
pub struct BasicCredentials {
    username: String,
    password: SecretString,
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

impl BasicCredentials {
    /// Credentials from a user name (which cannot contain `:`) and a password.
    pub fn new(username: impl Into<String>, password: SecretString) -> Result<Self, ContractError> {
        let username = username.into();
        if username.contains(':') {
            return Err(ContractError::MalformedAuthorization(
                "a basic authentication user name cannot contain ':'",
            ));
        }
        Ok(BasicCredentials { username, password })
    }

    /// Parses an `Authorization: Basic <base64(user:password)>` header value. The scheme is
    /// matched case-insensitively; the password may contain `:`.
    pub fn parse_authorization(header: &str) -> Result<Self, ContractError> {
        let header = header.trim();
        let (scheme, token) =
            header
                .split_once([' ', '\t'])
                .ok_or(ContractError::MalformedAuthorization(
                    "expected `Basic <credentials>`",
                ))?;
        if !scheme.eq_ignore_ascii_case("Basic") {
            return Err(ContractError::MalformedAuthorization(
                "the scheme is not Basic",
            ));
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(ContractError::MalformedAuthorization(
                "the credentials are empty",
            ));
        }
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(token)
                .map_err(|_| {
                    ContractError::MalformedAuthorization("the credentials are not valid base64")
                })?,
        );
        let colon = decoded.iter().position(|b| *b == b':').ok_or(
            ContractError::MalformedAuthorization("the credentials have no ':' separator"),
        )?;
        let username = std::str::from_utf8(&decoded[..colon]).map_err(|_| {
            ContractError::MalformedAuthorization("the user name is not valid UTF-8")
        })?;
        let password = std::str::from_utf8(&decoded[colon + 1..]).map_err(|_| {
            ContractError::MalformedAuthorization("the password is not valid UTF-8")
        })?;
        Ok(BasicCredentials {
            username: username.to_owned(),
            password: SecretString::from(password),
        })
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// The `Authorization` header value, `Basic <base64(user:password)>`; it is itself secret.
    pub fn to_authorization_header(&self) -> SecretString {
        let plain = Zeroizing::new(format!(
            "{}:{}",
            self.username,
            self.password.expose_secret()
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(plain.as_bytes());
        SecretString::from(format!("Basic {encoded}"))
    }

    /// Whether these are the expected credentials, compared in constant time.
    pub fn matches(&self, expected_user: &str, expected_password: &SecretString) -> bool {
        let user = constant_time_eq(self.username.as_bytes(), expected_user.as_bytes());
        let password = constant_time_eq(
            self.password.expose_secret().as_bytes(),
            expected_password.expose_secret().as_bytes(),
        );
        bool::from(user & password)
    }
}

/// Compares the SHA-256 digests so that neither the contents nor the lengths leak through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> subtle::Choice {
    sha2::Sha256::digest(a)
        .as_slice()
        .ct_eq(sha2::Sha256::digest(b).as_slice())
}

/// Whether an `Authorization` header carries the expected basic credentials. Malformed headers
/// and other schemes give `false`. The comparison runs in constant time.
pub fn verify_basic_auth(
    authorization_header: &str,
    expected_user: &str,
    expected_password: &SecretString,
) -> bool {
    BasicCredentials::parse_authorization(authorization_header)
        .is_ok_and(|credentials| credentials.matches(expected_user, expected_password))
}
