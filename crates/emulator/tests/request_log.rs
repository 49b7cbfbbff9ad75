//! The request log: every Graph request with its fault and status, no secret, and nothing from the
//! token endpoint.

mod support;

use std::time::{Duration, Instant};

use entra_api_connectors_emulator::{
    EmulatorConfig, FaultRule, Faults, GraphVersion, InjectedFault, TenantKind,
};
use reqwest::{Method, StatusCode};
use support::{Emu, basic_connector};

#[tokio::test]
async fn every_graph_request_is_logged_with_its_status_and_client_request_id() {
    let e = Emu::b2c().await;
    assert!(e.emu.requests().is_empty());
    let password = "Sentinel-P4ss-log";
    e.create_connector(&basic_connector("A", "https://a.example", "u", password))
        .await;
    let r = e
        .http
        .get(e.url(GraphVersion::V1, "/identity/apiConnectors?$top=5"))
        .bearer_auth(support::TOKEN)
        .header("client-request-id", "11111111-2222-4333-8444-555555555555")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = e
        .beta(Method::GET, "/identity/apiConnectors/nope", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Not Graph: the token endpoint is not logged.
    let token = e
        .http
        .post(e.emu.token_url(e.emu.tenant_id()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "c"),
            ("client_secret", "s"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);

    let log = e.emu.requests();
    assert_eq!(e.emu.request_count(), 3);
    let summary: Vec<(&str, &str, Option<u16>, bool)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status, r.is_write()))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "/beta/identity/apiConnectors", Some(201), true),
            ("GET", "/v1.0/identity/apiConnectors", Some(200), false),
            ("GET", "/beta/identity/apiConnectors/nope", Some(404), false),
        ]
    );
    assert_eq!(
        log[1].client_request_id.as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert!(log.iter().all(|r| r.fault.is_none()));
    let debug = format!("{log:?}");
    assert!(
        !debug.contains(password) && !debug.contains("$top"),
        "{debug}"
    );

    e.emu.clear_requests();
    assert!(e.emu.requests().is_empty());
    assert_eq!(e.emu.request_count(), 0);
}

#[tokio::test]
async fn injected_faults_are_logged_by_kind_and_a_lost_response_has_no_status() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::B2c)
            .fault_rule(FaultRule::new(
                "GET /identity/b2cUserFlows",
                Faults::throttle(1.0, Duration::from_secs(7)),
            ))
            .fault_rule(FaultRule::new(
                "GET /identity/apiConnectors",
                Faults::unavailable(1.0),
            ))
            .fault_rule(FaultRule::new(
                "DELETE /identity/apiConnectors/*",
                Faults::drop_connections(1.0),
            ))
            .fault_rule(FaultRule::new(
                "POST /identity/apiConnectors",
                Faults {
                    lose_response_rate: 1.0,
                    ..Faults::none()
                },
            )),
    )
    .await;
    let r = e.beta(Method::GET, "/identity/b2cUserFlows", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = e.beta(Method::GET, "/identity/apiConnectors", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let gone = e
        .http
        .delete(e.url(GraphVersion::Beta, "/identity/apiConnectors/x"))
        .bearer_auth(support::TOKEN)
        .send()
        .await;
    assert!(gone.is_err(), "the connection is dropped");
    let lost = e
        .http
        .post(e.url(GraphVersion::Beta, "/identity/apiConnectors"))
        .bearer_auth(support::TOKEN)
        .json(&basic_connector("B", "https://b.example", "u", "p"))
        .send()
        .await;
    assert!(lost.is_err(), "the answer is lost");
    assert_eq!(e.emu.connectors().len(), 1, "the create was handled");
    // A lost response of a request that fails is no lost response: the error is answered.
    let bad = e
        .beta(
            Method::POST,
            "/identity/apiConnectors",
            Some(&serde_json::json!({})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let faults: Vec<(Option<InjectedFault>, Option<u16>)> = e
        .emu
        .requests()
        .iter()
        .map(|r| (r.fault, r.status))
        .collect();
    assert_eq!(
        faults,
        [
            (Some(InjectedFault::Throttled), Some(429)),
            (Some(InjectedFault::Unavailable), Some(503)),
            (Some(InjectedFault::Dropped), None),
            (Some(InjectedFault::ResponseLost), None),
            (None, Some(400)),
        ]
    );
}

/// The benchmark adds 50 ms to every response: requests sent at once must wait those 50 ms side by
/// side, not one after the other.
#[tokio::test]
async fn added_latency_does_not_serialise_concurrent_requests() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::B2c).faults(Faults::latency(Duration::from_millis(200))),
    )
    .await;
    let url = e.url(GraphVersion::Beta, "/identity/apiConnectors");
    let started = Instant::now();
    let all = futures_join(&e, &url, 16).await;
    let elapsed = started.elapsed();
    assert!(all.iter().all(|s| *s == StatusCode::OK), "{all:?}");
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(200 * 4),
        "16 requests at once took {elapsed:?}: latency is serialised"
    );
    assert_eq!(e.emu.request_count(), 16);
}

async fn futures_join(e: &Emu, url: &str, n: usize) -> Vec<StatusCode> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let http = e.http.clone();
        let url = url.to_owned();
        tasks.spawn(async move {
            http.get(url)
                .bearer_auth(support::TOKEN)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let mut out = Vec::new();
    while let Some(s) = tasks.join_next().await {
        out.push(s.unwrap());
    }
    out
}
