//! Apply of 200 connectors and 20 flows × 2 bound steps on an empty emulator that adds 50 ms to
//! every response, with concurrency 1 and with the default, in one run. Not a timed test: it prints
//! wall time, requests, requests per second, the default's throughput against the ideal
//! `concurrency / 50 ms`, and the speed-up.
//!
//! `cargo bench -p entra-api-connectors-desired-state --bench apply`

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use entra_api_connectors::GraphClient;
use entra_api_connectors::auth::StaticToken;
use entra_api_connectors_desired_state::{
    ApplyOptions, ConfigFile, DEFAULT_CONCURRENCY, FixedEnvironment, Format, GraphTenant,
    PlanOptions, apply, plan_tenant, validate,
};
use entra_api_connectors_emulator::{
    DEFAULT_TOKEN, Emulator, EmulatorConfig, Faults, FlowFamily, TenantKind, UserFlowRecord,
};

const CONNECTORS: usize = 200;
const FLOWS: usize = 20;
const LATENCY: Duration = Duration::from_millis(50);

fn file() -> String {
    let mut text =
        String::from("tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n");
    for i in 0..CONNECTORS {
        let _ = write!(
            text,
            "  Connector {i:03}:\n    targetUrl: https://api.contoso.com/c{i}\n    authentication:\n      basic: {{username: b2c, password: {{env: BENCH_PASSWORD}}}}\n"
        );
    }
    text.push_str("userFlows:\n");
    for f in 0..FLOWS {
        let _ = write!(
            text,
            "  B2C_1_Flow{f:02}:\n    family: b2c\n    steps:\n      postFederationSignup: Connector {:03}\n      postAttributeCollection: Connector {:03}\n",
            2 * f,
            2 * f + 1
        );
    }
    text
}

struct Figures {
    wall: Duration,
    requests: u64,
}

async fn run(concurrency: usize) -> Figures {
    let flows = (0..FLOWS)
        .map(|f| UserFlowRecord::new(FlowFamily::B2c, &format!("Flow{f:02}"), "signUp", 3))
        .collect();
    let emulator = Emulator::start(
        EmulatorConfig::new(TenantKind::B2c)
            .user_flows(flows)
            .faults(Faults::latency(LATENCY)),
    )
    .await
    .expect("emulator starts");
    let client = GraphClient::builder()
        .base_url(emulator.base_url())
        .token_provider(StaticToken::new(DEFAULT_TOKEN))
        .build()
        .expect("client");
    let tenant = GraphTenant::new(client.beta());
    let now = entra_api_connectors::certificate::unix_now();
    let config = ConfigFile::parse(&file(), Format::Yaml, None, ".").expect("parses");
    let env = FixedEnvironment::new(now).with_variable("BENCH_PASSWORD", "bench-password");
    let desired = validate(&config, &env).expect("valid");
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now), concurrency)
        .await
        .expect("plan");
    assert_eq!(plan.actions.len(), CONNECTORS + 2 * FLOWS);
    let before = emulator.request_count();
    let started = Instant::now();
    let report = apply(
        &plan,
        &desired,
        &tenant,
        &ApplyOptions::new(now).concurrency(concurrency),
    )
    .await
    .expect("apply");
    let wall = started.elapsed();
    assert!(report.is_complete());
    assert_eq!(emulator.connectors().len(), CONNECTORS);
    Figures {
        wall,
        requests: emulator.request_count() - before,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "apply: {CONNECTORS} connectors, {FLOWS} flows x 2 bound steps, {} ms added to every response, {cores} cores",
        LATENCY.as_millis()
    );
    let mut results = Vec::new();
    for concurrency in [1, DEFAULT_CONCURRENCY] {
        let f = runtime.block_on(run(concurrency));
        let rate = f.requests as f64 / f.wall.as_secs_f64();
        let ideal = concurrency as f64 / LATENCY.as_secs_f64();
        println!(
            "concurrency {concurrency:>2}: {:>7.2} s, {} requests, {rate:>6.1} requests/s (ideal {ideal:.0}/s, {:.2} of ideal)",
            f.wall.as_secs_f64(),
            f.requests,
            rate / ideal
        );
        results.push(f);
    }
    println!(
        "speed-up of concurrency {DEFAULT_CONCURRENCY} over 1: {:.1}x",
        results[0].wall.as_secs_f64() / results[1].wall.as_secs_f64()
    );
}
