//! Peak memory of streaming connectors: `bench_paging N` starts the emulator with N connectors
//! (pages of 100), streams them all with `connectors().list(..)`, and prints the peak resident
//! set size (`VmHWM` from `/proc/self/status`, Linux) before and after streaming.
//!
//! Run by `scripts/bench-paging-memory.sh`; each N in its own process so that peaks do not mix.

use entra_api_connectors::GraphClient;
use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::connectors::ListOptions;
use entra_api_connectors_emulator::DEFAULT_TOKEN;
use futures::StreamExt;

#[path = "../benches/support/seed.rs"]
mod seed;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .expect("usage: bench_paging N");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let emulator = seed::emulator_with(n).await;
        let client = GraphClient::builder()
            .base_url(emulator.base_url())
            .token_provider(StaticToken::new(DEFAULT_TOKEN))
            .build()
            .expect("client");
        let seeded = vm_hwm_kib();
        let started = std::time::Instant::now();
        let mut stream = std::pin::pin!(client.beta().connectors().list(ListOptions::default()));
        let mut seen = 0usize;
        while let Some(item) = stream.next().await {
            std::hint::black_box(item.expect("connector"));
            seen += 1;
        }
        let elapsed = started.elapsed();
        assert_eq!(seen, n);
        println!(
            "items={n} seconds={:.3} items_per_s={:.0} vmhwm_after_seed_kib={seeded} vmhwm_after_stream_kib={}",
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64(),
            vm_hwm_kib()
        );
    });
}
