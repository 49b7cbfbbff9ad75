//! [`CustomExtensionAuth`] (feature `jwt`): a verifier and the tenant's current keys, the state
//! that checks each call.

use super::{SharedJwks, TokenError, TokenVerifier, VerifiedToken};

/// What an API needs to authenticate Entra's calls: the [`TokenVerifier`] and the tenant's
/// keys, which a task of the caller's refreshes through the [`SharedJwks`] handle.
///
/// It is the state (or part of the state, through `FromRef`) of the axum extractor
/// `CustomExtensionCall`.
///
/// How to fetch and refresh the keys with any HTTP client (this crate fetches nothing), here a
/// function the application provides:
///
/// ```no_run
/// use entra_api_connectors_contract::custom_extension::{
///     CustomExtensionAuth, Jwks, OpenIdConfiguration, SharedJwks, TokenVerifier,
/// };
///
/// /// GETs `url` and returns the body: reqwest, hyper, ureq, … whatever the application uses.
/// async fn http_get(url: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
///     unimplemented!("{url}")
/// }
///
/// /// Fetches the keys named by the verifier's OpenID configuration.
/// async fn fetch_keys(verifier: &TokenVerifier) -> Result<Jwks, Box<dyn std::error::Error>> {
///     let configuration = OpenIdConfiguration::from_json(http_get(verifier.metadata_url()).await?)?;
///     Ok(Jwks::from_json(http_get(&configuration.jwks_uri).await?)?)
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = TokenVerifier::external_tenant(
///     "aaaabbbb-0000-cccc-1111-dddd2222eeee",
///     "00001111-aaaa-2222-bbbb-3333cccc4444",
/// )?;
/// let keys = SharedJwks::new(fetch_keys(&verifier).await?);
/// let auth = CustomExtensionAuth::new(verifier.clone(), keys.clone());
/// // Elsewhere, on a schedule (say hourly) and after a `TokenError::UnknownKey`:
/// keys.replace(fetch_keys(&verifier).await?);
/// # drop(auth);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CustomExtensionAuth {
    /// What the tokens must say.
    pub verifier: TokenVerifier,
    /// The keys that sign them.
    pub keys: SharedJwks,
}

impl CustomExtensionAuth {
    /// The state for `verifier` and `keys`.
    pub fn new(verifier: TokenVerifier, keys: SharedJwks) -> Self {
        CustomExtensionAuth { verifier, keys }
    }

    /// Checks the raw `Authorization` header of one call against the current keys.
    pub fn verify(&self, authorization: Option<&[u8]>) -> Result<VerifiedToken, TokenError> {
        self.verifier
            .verify_authorization(authorization, &self.keys.current())
    }
}
