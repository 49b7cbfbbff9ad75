//! Per-request overhead of the crate (`connectors().get` of one connector, `list_page` of 100)
//! against hand-written `reqwest` + `serde_json` calls, both against the same minimal axum server on
//! 127.0.0.1 that returns fixed bytes, on a multi-thread tokio runtime.
//!
//! `cargo bench --features emulator --bench request_overhead`. After the runs it prints the ratio
//! crate / hand-written of the mean times (target: at most 1.10).

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use entra_api_connectors::GraphClient;
use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::connectors::ListOptions;
use serde::Deserialize;
use serde_json::{Value, json};

const TOKEN: &str = "bench-token";
const ID: &str = "3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43";

fn connector(n: usize) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "displayName": format!("Connector {n}"),
        "targetUrl": format!("https://api.contoso-test.example/hooks/{n}"),
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "svc",
            "password": "******"
        }
    })
}

/// The hand-written client's view of a connector: what a caller would write without the crate.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandConnector {
    id: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    #[serde(rename = "targetUrl")]
    target_url: Option<String>,
    #[serde(rename = "authenticationConfiguration")]
    authentication_configuration: Option<Value>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandPage {
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    value: Vec<HandConnector>,
}

/// Starts the fixed-bytes server; returns its origin.
async fn serve() -> String {
    let one = serde_json::to_vec(&connector(1)).unwrap();
    let page = serde_json::to_vec(&json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors",
        "value": (0..100).map(connector).collect::<Vec<_>>(),
    }))
    .unwrap();
    let json = || [(header::CONTENT_TYPE, "application/json")];
    let app = Router::new()
        .route(
            "/beta/identity/apiConnectors/{id}",
            get(move || async move { (json(), one.clone()) }),
        )
        .route(
            "/beta/identity/apiConnectors",
            get(move || async move { (json(), page.clone()) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let origin = rt.block_on(serve());
    let client = GraphClient::builder()
        .base_url(origin.clone())
        .token_provider(StaticToken::new(TOKEN))
        .build()
        .unwrap();
    let connectors = client.beta().connectors();
    let hand = reqwest::Client::new();
    let one_url = format!("{origin}/beta/identity/apiConnectors/{ID}");
    let list_url = format!("{origin}/beta/identity/apiConnectors");
    let options = ListOptions::default();

    // Both clients must get the same data before they are timed.
    rt.block_on(async {
        let ours = connectors.get(ID, &[]).await.unwrap();
        assert_eq!(ours.display_name.as_deref(), Some("Connector 1"));
        let page = connectors.list_page(&options).await.unwrap();
        assert_eq!(page.value.len(), 100);
        let theirs: HandPage = hand
            .get(&list_url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(theirs.value.len(), 100);
    });

    let mut group = c.benchmark_group("request_overhead");
    group.bench_function("get_one/crate", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(connectors.get(ID, &[]).await.unwrap()) })
    });
    group.bench_function("get_one/handwritten", |b| {
        b.to_async(&rt).iter(|| async {
            let c: HandConnector = hand
                .get(&one_url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            black_box(c)
        })
    });
    group.bench_function("list_page_100/crate", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(connectors.list_page(&options).await.unwrap()) })
    });
    group.bench_function("list_page_100/handwritten", |b| {
        b.to_async(&rt).iter(|| async {
            let p: HandPage = hand
                .get(&list_url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            black_box(p)
        })
    });
    group.finish();

    // Ratio of medians, measured interleaved so that machine load hits both sides alike.
    let rounds = 9;
    let per_round = 300u32;
    let one = || async {
        black_box(connectors.get(ID, &[]).await.unwrap());
    };
    let one_hand = || async {
        let c: HandConnector = hand
            .get(&one_url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        black_box(c);
    };
    let page = || async {
        black_box(connectors.list_page(&options).await.unwrap());
    };
    let page_hand = || async {
        let p: HandPage = hand
            .get(&list_url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        black_box(p);
    };
    let (a, b) = rt.block_on(interleaved(rounds, per_round, one, one_hand));
    report("get_one", a, b);
    let (a, b) = rt.block_on(interleaved(rounds, per_round, page, page_hand));
    report("list_page_100", a, b);
}

/// Median time per call of `ours` and `theirs`, alternating rounds of `per_round` calls.
async fn interleaved<A, FA, B, FB>(
    rounds: usize,
    per_round: u32,
    ours: A,
    theirs: B,
) -> (Duration, Duration)
where
    A: Fn() -> FA,
    FA: Future<Output = ()>,
    B: Fn() -> FB,
    FB: Future<Output = ()>,
{
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per_round {
            ours().await;
        }
        a.push(t.elapsed() / per_round);
        let t = Instant::now();
        for _ in 0..per_round {
            theirs().await;
        }
        b.push(t.elapsed() / per_round);
    }
    a.sort();
    b.sort();
    (a[rounds / 2], b[rounds / 2])
}

fn report(name: &str, ours: Duration, theirs: Duration) {
    println!(
        "ratio {name}: crate {:.1} us / handwritten {:.1} us = {:.3}x",
        ours.as_secs_f64() * 1e6,
        theirs.as_secs_f64() * 1e6,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = overhead
}
criterion_main!(benches);
