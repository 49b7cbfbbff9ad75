//! Shared by `benches/paging.rs` and `examples/bench_paging.rs`: an emulator holding `n` connectors.

use entra_api_connectors_emulator::{
    DEFAULT_TOKEN, Emulator, EmulatorConfig, GraphVersion, TenantKind,
};
use futures::StreamExt;
use serde_json::json;

/// Starts a B2C emulator with pages of 100 and creates `n` basic-authentication connectors through
/// its `POST /beta/identity/apiConnectors`, 32 requests at a time.
pub async fn emulator_with(n: usize) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::new(TenantKind::B2c).page_size(100))
        .await
        .expect("start emulator");
    // reqwest is built with `rustls-no-provider`: the process must pick the provider (ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = format!(
        "{}/identity/apiConnectors",
        emulator.graph_url(GraphVersion::Beta)
    );
    futures::stream::iter(0..n)
        .map(|i| {
            let body = json!({
                "displayName": format!("Connector {i}"),
                "targetUrl": format!("https://api.contoso-test.example/hooks/{i}"),
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.basicAuthentication",
                    "username": format!("svc-{i}"),
                    "password": "Bench-Pa55-word!"
                }
            });
            let req = http.post(&url).bearer_auth(DEFAULT_TOKEN).json(&body);
            async move {
                let res = req.send().await.expect("POST connector");
                assert_eq!(res.status(), 201, "create connector {i}");
            }
        })
        .buffer_unordered(32)
        .collect::<()>()
        .await;
    assert_eq!(emulator.connectors().len(), n);
    emulator
}
