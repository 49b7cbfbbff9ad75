//! Which Graph to talk to and with which credentials: `--base-url` or `--cloud`, `--version`, and
//! the token from the environment.

use entra_api_connectors::GraphClient;
use entra_api_connectors::auth::{EnvironmentCredential, StaticToken};
use secrecy::SecretString;

use crate::Failure;
use crate::cli::Global;

/// The environment variable holding a bearer token (takes precedence over client credentials).
pub const TOKEN_VARIABLE: &str = "GRAPH_TOKEN";

/// Build the client for the selected target. Credentials: `GRAPH_TOKEN`, else the `AZURE_*`
/// client-credential variables of the Azure SDKs.
pub fn client(global: &Global) -> Result<GraphClient, Failure> {
    let cloud = global.cloud.unwrap_or_default();
    let mut builder = GraphClient::builder().cloud(cloud);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    builder = match std::env::var(TOKEN_VARIABLE)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        Some(token) => builder.token_provider(StaticToken::new(SecretString::from(
            token.trim().to_owned(),
        ))),
        None => match EnvironmentCredential::from_env_in(cloud) {
            Ok(credential) => builder.token_provider(credential),
            Err(e) => {
                return Err(Failure::Runtime(format!(
                    "no credentials: set {TOKEN_VARIABLE}, or AZURE_TENANT_ID, AZURE_CLIENT_ID and \
                     AZURE_CLIENT_SECRET ({e})"
                )));
            }
        },
    };
    builder = builder.user_agent(concat!("apiconn/", env!("CARGO_PKG_VERSION")));
    Ok(builder.build()?)
}
