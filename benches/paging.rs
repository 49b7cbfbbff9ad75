//! Streaming every connector with `connectors().list(..)` (pages of 100, following
//! `@odata.nextLink`) from the in-process emulator: 1,000 and 10,000 items, reported in items/s.
//!
//! `cargo bench --features emulator --bench paging`. Peak memory is measured in separate
//! processes by `scripts/bench-paging-memory.sh` (`examples/bench_paging.rs`).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entra_api_connectors::GraphClient;
use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::connectors::ListOptions;
use entra_api_connectors_emulator::DEFAULT_TOKEN;
use futures::StreamExt;

#[path = "support/seed.rs"]
mod seed;

fn paging(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("paging_stream");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for n in [1_000usize, 10_000] {
        let emulator = rt.block_on(seed::emulator_with(n));
        let client = GraphClient::builder()
            .base_url(emulator.base_url())
            .token_provider(StaticToken::new(DEFAULT_TOKEN))
            .build()
            .unwrap();
        let connectors = client.beta().connectors();
        let count = || async {
            let mut stream = std::pin::pin!(connectors.list(ListOptions::default()));
            let mut seen = 0usize;
            while let Some(item) = stream.next().await {
                item.unwrap();
                seen += 1;
            }
            seen
        };
        assert_eq!(rt.block_on(count()), n, "every connector streamed once");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n}_items_pages_of_100"), |b| {
            b.to_async(&rt).iter(|| async {
                assert_eq!(count().await, n);
            })
        });
        drop(emulator);
    }
    group.finish();
}

criterion_group!(benches, paging);
criterion_main!(benches);
