//! Decoding a list page of 1,000 connectors with mixed authentication types (basic, client
//! certificate, and an `@odata.type` the bindings do not know) into the generated
//! `IdentityApiConnectorCollectionResponse`, against `serde_json::Value` of the same bytes.
//!
//! `cargo bench --bench decode`. The page shape follows the Graph list response
//! (<https://learn.microsoft.com/graph/api/identityapiconnector-list?view=graph-rest-beta>).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entra_api_connectors::beta::types::{
    ApiAuthenticationConfigurationBase, IdentityApiConnectorCollectionResponse,
};
use serde_json::{Value, json};
use std::hint::black_box;

const ITEMS: usize = 1000;

fn auth(n: usize) -> Value {
    match n % 3 {
        0 => json!({
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": format!("svc-{n}"),
            "password": "******"
        }),
        1 => json!({
            "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
            "certificateList": [
                { "thumbprint": format!("{:040X}", n), "notAfter": 2024784000, "notBefore": 1709251200, "isActive": true },
                { "thumbprint": format!("{:040X}", n + 1), "notAfter": 2082758400, "notBefore": 1924992000, "isActive": false }
            ]
        }),
        _ => json!({
            "@odata.type": "#microsoft.graph.oAuth2ClientCredentialsAuthentication",
            "tokenEndpoint": "https://login.contoso-test.example/oauth2/v2.0/token",
            "clientId": format!("0f3d7a2c-9b1e-4d6f-a8c5-{n:012}"),
            "scope": "api://risk-scoring/.default",
            "clientSecret": "******"
        }),
    }
}

/// The page as Graph would send it, serialized once.
fn page_bytes() -> Vec<u8> {
    let value: Vec<Value> = (0..ITEMS)
        .map(|n| {
            json!({
                "id": format!("00000000-0000-4000-8000-{n:012}"),
                "displayName": format!("Connector {n}"),
                "targetUrl": format!("https://api.contoso-test.example/hooks/{n}"),
                "authenticationConfiguration": auth(n),
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors",
        "@odata.nextLink": "https://graph.microsoft.com/beta/identity/apiConnectors?$skiptoken=abc",
        "value": value,
    }))
    .expect("serialize page")
}

fn decode(c: &mut Criterion) {
    let bytes = page_bytes();
    // The typed decoding must actually see all three variants, or the comparison is meaningless.
    let page: IdentityApiConnectorCollectionResponse =
        serde_json::from_slice(&bytes).expect("typed decode");
    assert_eq!(page.value.len(), ITEMS);
    let count = |f: fn(&ApiAuthenticationConfigurationBase) -> bool| {
        page.value
            .iter()
            .filter(|c| c.authentication_configuration.as_ref().is_some_and(f))
            .count()
    };
    assert_eq!(
        count(|a| matches!(
            a,
            ApiAuthenticationConfigurationBase::BasicAuthentication(_)
        )),
        334
    );
    assert_eq!(
        count(|a| matches!(
            a,
            ApiAuthenticationConfigurationBase::ClientCertificateAuthentication(_)
        )),
        333
    );
    assert_eq!(
        count(|a| matches!(a, ApiAuthenticationConfigurationBase::Unknown(_))),
        333
    );

    let mut group = c.benchmark_group("decode_page_1000");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("generated_types", |b| {
        b.iter(|| {
            let page: IdentityApiConnectorCollectionResponse =
                serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(page)
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let page: Value = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(page)
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
