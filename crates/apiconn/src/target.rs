//! Which Graph a run talks to and how: `--base-url` or `--cloud`, the run's HTTP client
//! ([`network`]) and its credential ([`credential`]). Every
//! command that calls Graph builds its client here.

use entra_api_connectors::GraphClient;

use crate::cli::Global;
use crate::credential::{self, process_env};
use crate::{Failure, network};

/// The client for the selected target, authenticated with the run's credential.
pub fn client(global: &Global) -> Result<GraphClient, Failure> {
    let http = network::http_client(global)?;
    let env = &process_env;
    let choice = credential::choose(global, env)?;
    let provider = credential::provider(&choice, global, env, &http)?;
    Ok(builder(global, http).token_provider(provider).build()?)
}

/// A client without credentials, for what needs no request: dry runs build their requests with
/// it, so that no token is fetched.
pub fn offline_client(global: &Global) -> Result<GraphClient, Failure> {
    Ok(builder(global, network::http_client(global)?).build()?)
}

fn builder(global: &Global, http: reqwest::Client) -> entra_api_connectors::GraphClientBuilder {
    let mut builder = GraphClient::builder()
        .cloud(global.cloud.unwrap_or_default())
        .http_client(http);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    builder
}
