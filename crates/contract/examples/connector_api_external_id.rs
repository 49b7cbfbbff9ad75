//! The example connector API of `connector_api.rs`, its handler unchanged, serving both worlds
//! during the move from Azure AD B2C to Entra External ID:
//! - `POST /signup`: B2C's API connector calls, with HTTP basic credentials (as `connector_api`);
//! - `POST /external-id/signup`: External ID's custom authentication extensions
//!   (`attributeCollectionStart`, `attributeCollectionSubmit`, `tokenIssuanceStart`), behind the
//!   contract adapter's `AdapterLayer`, which verifies Entra's bearer token, presents each call to
//!   the handler as the connector call of the matching step and turns its answer into the
//!   event's action.
//!
//! ```text
//! CONNECTOR_API_PASSWORD=... \
//! EXTERNAL_ID_TENANT_ID=<tenant GUID> EXTERNAL_ID_API_APP_ID=<the API's app registration GUID> \
//! EXTERNAL_ID_JWKS_FILE=keys.json EXTERNAL_ID_EXTENSIONS_APP_ID=<external tenant's b2c-extensions-app GUID> \
//! B2C_EXTENSIONS_APP_ID=<B2C tenant's b2c-extensions-app GUID> \
//! cargo run -p entra-api-connectors-contract --features axum,jwt --example connector_api_external_id -- 127.0.0.1:7071
//! ```
//!
//! `EXTERNAL_ID_JWKS_FILE` is the tenant's JWKS document (the `jwks_uri` of its OpenID
//! configuration, `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0/.well-known/openid-configuration`),
//! read once at start; a real API refreshes the keys through `SharedJwks` (see
//! `CustomExtensionAuth`'s docs). `EXTERNAL_ID_EXTENSIONS_APP_ID` is needed because the handler
//! returns the custom attribute `extension_ScreenedBy`, which External ID only knows under its
//! full name; `B2C_EXTENSIONS_APP_ID` (optional) makes the handler see custom attributes under
//! the B2C names. The two URLs are printed first.

#[allow(dead_code)]
#[path = "connector_api.rs"]
pub mod connector_api;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::post;
use entra_api_connectors_contract::ConnectorAuth;
use entra_api_connectors_contract::adapter::{AdapterConfig, AdapterLayer};
use entra_api_connectors_contract::custom_extension::{
    CustomExtensionAuth, Jwks, SharedJwks, TokenVerifier,
};
use secrecy::SecretString;

/// The routes: the B2C connector's, and the same handler behind the adapter.
pub fn app(basic: ConnectorAuth, adapter: AdapterLayer) -> Router {
    Router::new()
        .route("/signup", post(connector_api::signup))
        .route(
            "/external-id/signup",
            post(connector_api::signup).layer(adapter),
        )
        .with_state(basic)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7071".to_owned())
        .parse()?;
    let username = std::env::var("CONNECTOR_API_USERNAME").unwrap_or_else(|_| "connector".into());
    let password = env("CONNECTOR_API_PASSWORD")?;
    let basic = ConnectorAuth::basic(username, SecretString::from(password))?;

    let verifier = TokenVerifier::external_tenant(
        &env("EXTERNAL_ID_TENANT_ID")?,
        &env("EXTERNAL_ID_API_APP_ID")?,
    )?;
    let keys = Jwks::from_json(std::fs::read(env("EXTERNAL_ID_JWKS_FILE")?)?)?;
    let mut config = AdapterConfig::new();
    if let Ok(id) = std::env::var("EXTERNAL_ID_EXTENSIONS_APP_ID") {
        config = config.with_external_extensions_app_id(&id)?;
    }
    if let Ok(id) = std::env::var("B2C_EXTENSIONS_APP_ID") {
        config = config.with_b2c_extensions_app_id(&id)?;
    }
    let adapter = AdapterLayer::new(
        CustomExtensionAuth::new(verifier, SharedJwks::new(keys)),
        config,
    );

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("http://{local}/signup");
    println!("http://{local}/external-id/signup");
    axum::serve(listener, app(basic, adapter)).await?;
    Ok(())
}
