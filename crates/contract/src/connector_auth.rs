//! [`ConnectorAuth`]: the credentials an API expects from the user flow, and their check on one
//! call, independent of any HTTP framework.
//!
//! The user flow authenticates its call with HTTP basic authentication or with a client
//! certificate presented in the TLS handshake; "your API endpoint then checks the credentials and
//! performs authorization decisions"
//! (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>,
//! <https://learn.microsoft.com/entra/external-id/self-service-sign-up-secure-api-connector>).

use secrecy::SecretString;

use crate::{BasicCredentials, ContractError, normalize_thumbprint, thumbprint_of};

/// How the API expects the user flow to authenticate its call: the API connector's
/// `authenticationConfiguration`, seen from the API's side.
///
/// Built with [`basic`](Self::basic) or [`client_certificate`](Self::client_certificate), which
/// check their input; the fields can be read by matching. `Debug` never shows the password.
///
/// ```
/// use entra_api_connectors_contract::{Caller, ConnectorAuth, ConnectorAuthError};
/// use secrecy::SecretString;
///
/// let auth = ConnectorAuth::basic("connector", SecretString::from("s3cret"))?;
/// // "Basic " + base64("connector:s3cret")
/// let header = b"Basic Y29ubmVjdG9yOnMzY3JldA==";
/// assert_eq!(
///     auth.verify(Some(header), None),
///     Ok(Caller::Basic { username: "connector".to_owned() })
/// );
/// assert_eq!(auth.verify(None, None), Err(ConnectorAuthError::MissingCredentials));
/// # Ok::<(), entra_api_connectors_contract::ContractError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConnectorAuth {
    /// HTTP basic authentication (`basicAuthentication` in Graph): the `Authorization` header
    /// must carry exactly this user name and password.
    #[non_exhaustive]
    Basic {
        /// The expected user name.
        username: String,
        /// The expected password.
        password: SecretString,
    },
    /// Client-certificate authentication (`clientCertificateAuthentication` in Graph): the
    /// certificate presented in the TLS handshake must have one of these thumbprints.
    #[non_exhaustive]
    ClientCertificate {
        /// Accepted thumbprints, normalized to upper-case hex SHA-1 of the DER (Graph's
        /// `certificateList[].thumbprint`). More than one while a certificate is rolled over.
        thumbprints: Vec<String>,
    },
}

impl ConnectorAuth {
    /// Expects HTTP basic credentials. The user name cannot contain `:` (RFC 7617).
    pub fn basic(
        username: impl Into<String>,
        password: SecretString,
    ) -> Result<Self, ContractError> {
        let username = username.into();
        if username.contains(':') {
            // The same rule as `BasicCredentials::new`.
            return Err(ContractError::MalformedAuthorization(
                "a basic authentication user name cannot contain ':'",
            ));
        }
        Ok(ConnectorAuth::Basic { username, password })
    }

    /// Expects a client certificate with one of `thumbprints` (any case, `:` or space separators
    /// allowed, as [`normalize_thumbprint`] reads them). To roll a certificate over, accept the
    /// old and the new one for a while.
    pub fn client_certificate<I>(thumbprints: I) -> Result<Self, ContractError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let thumbprints = thumbprints
            .into_iter()
            .map(|t| {
                let t = t.as_ref();
                normalize_thumbprint(t)
                    .ok_or_else(|| ContractError::InvalidThumbprint(t.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if thumbprints.is_empty() {
            return Err(ContractError::NoAcceptedThumbprints);
        }
        Ok(ConnectorAuth::ClientCertificate { thumbprints })
    }

    /// Checks one call: `authorization` is the raw `Authorization` header value, if any;
    /// `client_certificate_der` is the leaf certificate the caller presented in the TLS
    /// handshake, if any. Only the input that this kind of authentication uses is looked at.
    /// Basic credentials are compared in constant time.
    pub fn verify(
        &self,
        authorization: Option<&[u8]>,
        client_certificate_der: Option<&[u8]>,
    ) -> Result<Caller, ConnectorAuthError> {
        match self {
            ConnectorAuth::Basic { username, password } => {
                let header = authorization.ok_or(ConnectorAuthError::MissingCredentials)?;
                let header = std::str::from_utf8(header).map_err(|_| {
                    ConnectorAuthError::MalformedCredentials("the header is not valid UTF-8")
                })?;
                let credentials =
                    BasicCredentials::parse_authorization(header).map_err(|e| match e {
                        ContractError::MalformedAuthorization(reason) => {
                            ConnectorAuthError::MalformedCredentials(reason)
                        }
                        _ => ConnectorAuthError::MalformedCredentials("not HTTP basic credentials"),
                    })?;
                if credentials.matches(username, password) {
                    Ok(Caller::Basic {
                        username: credentials.username().to_owned(),
                    })
                } else {
                    Err(ConnectorAuthError::WrongCredentials)
                }
            }
            ConnectorAuth::ClientCertificate { thumbprints } => {
                let der =
                    client_certificate_der.ok_or(ConnectorAuthError::MissingClientCertificate)?;
                let thumbprint = thumbprint_of(der);
                if thumbprints.contains(&thumbprint) {
                    Ok(Caller::ClientCertificate { thumbprint })
                } else {
                    Err(ConnectorAuthError::UnknownClientCertificate { thumbprint })
                }
            }
        }
    }
}

/// Who made an authenticated call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// The call carried the expected basic credentials.
    Basic {
        /// The user name it carried.
        username: String,
    },
    /// The call came with an accepted client certificate.
    ClientCertificate {
        /// Its thumbprint (upper-case hex SHA-1), one of the accepted ones.
        thumbprint: String,
    },
    /// The call is a custom-extension call of Entra External ID that the contract adapter's
    /// `AdapterLayer` (features `axum` and `jwt`) verified by its bearer token instead of the
    /// connector's credentials, and presented as a connector call.
    BearerToken {
        /// The token's `aud`: the API's app registration.
        audience: String,
        /// The token's `azp` (or `appid`): the authentication events service.
        authorized_party: String,
        /// The token's `tid`, when it has one.
        tenant_id: Option<String>,
    },
}

/// Why a call was not authenticated. Messages never contain the header or the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorAuthError {
    /// Basic authentication is expected and the call has no `Authorization` header.
    #[error("the call has no Authorization header; HTTP basic credentials are expected")]
    MissingCredentials,
    /// The `Authorization` header is not HTTP basic credentials.
    #[error("the Authorization header is not valid HTTP basic credentials: {0}")]
    MalformedCredentials(&'static str),
    /// The basic credentials are not the expected ones.
    #[error("the HTTP basic credentials are not the expected ones")]
    WrongCredentials,
    /// A client certificate is expected and the caller presented none (or the TLS acceptor did
    /// not hand it over).
    #[error("the caller presented no client certificate")]
    MissingClientCertificate,
    /// The client certificate's thumbprint is not an accepted one.
    #[error("client certificate {thumbprint} is not an accepted one")]
    UnknownClientCertificate {
        /// The presented certificate's thumbprint (upper-case hex SHA-1).
        thumbprint: String,
    },
}

impl ConnectorAuthError {
    /// The HTTP status to answer with: 401 for basic authentication (with
    /// `WWW-Authenticate: Basic`), 403 for a missing or unknown client certificate, which no
    /// retry with other HTTP credentials can fix.
    pub fn http_status(&self) -> u16 {
        match self {
            ConnectorAuthError::MissingCredentials
            | ConnectorAuthError::MalformedCredentials(_)
            | ConnectorAuthError::WrongCredentials => 401,
            ConnectorAuthError::MissingClientCertificate
            | ConnectorAuthError::UnknownClientCertificate { .. } => 403,
        }
    }
}
