//! Apply under injected faults: throttling with `Retry-After`, `503`, dropped connections and lost
//! responses (creates included). The tenant ends equal to the file, with no duplicate connector, and a
//! second plan is empty. Also: a lost create is reconciled by name, and a failure midway says what was
//! done and what was not, and the next apply converges.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::SENTINEL;
use common::emulated::{World, now};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors_desired_state::apply::ReconciliationKind;
use entra_api_connectors_desired_state::{
    ApplyError, ApplyOptions, Outcome, PlanOptions, apply, plan_tenant,
};
use entra_api_connectors_emulator::{
    EmulatorConfig, FaultRule, Faults, FlowFamily, InjectedFault, TenantKind, UserFlowRecord,
};

const CONNECTORS: usize = 50;
const FLOWS: usize = 10;

fn big_file(world: &World) -> String {
    world.pfx("enrich.pfx", 1);
    let mut text =
        String::from("tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n");
    for i in 0..CONNECTORS {
        let auth = if i % 5 == 0 {
            "clientCertificate: {pfx: enrich.pfx, password: {env: PFX_PASSWORD}}"
        } else {
            "basic: {username: b2c, password: {env: BASIC_PASSWORD}}"
        };
        let _ = write!(
            text,
            "  Connector {i:02}:\n    targetUrl: https://api.contoso.com/c{i}\n    authentication:\n      {auth}\n"
        );
    }
    text.push_str("userFlows:\n");
    for f in 0..FLOWS {
        let _ = write!(
            text,
            "  B2C_1_Flow{f:02}:\n    family: b2c\n    steps:\n      postFederationSignup: Connector {:02}\n      postAttributeCollection: Connector {:02}\n",
            2 * f,
            2 * f + 1
        );
    }
    text
}

fn flows() -> Vec<UserFlowRecord> {
    (0..FLOWS)
        .map(|f| UserFlowRecord::new(FlowFamily::B2c, &format!("Flow{f:02}"), "signUp", 3))
        .collect()
}

fn patient() -> RetryPolicy {
    RetryPolicy {
        max_retries: 10,
        max_total_delay: Duration::from_secs(30),
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(100),
    }
}

/// The emulator's state equals the file: each connector once, with its URL, and every binding.
fn assert_state_is_the_file(world: &World) {
    let connectors = world.emu.connectors();
    let names: Vec<String> = connectors
        .iter()
        .map(|c| c.display_name.clone().unwrap())
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "duplicates: {names:?}");
    assert_eq!(names.len(), CONNECTORS);
    let by_name: BTreeMap<&str, _> = connectors
        .iter()
        .map(|c| (c.display_name.as_deref().unwrap(), c))
        .collect();
    for i in 0..CONNECTORS {
        let c = by_name[format!("Connector {i:02}").as_str()];
        assert_eq!(
            c.target_url.as_deref(),
            Some(format!("https://api.contoso.com/c{i}").as_str())
        );
        if i % 5 != 0 {
            assert_eq!(c.basic_password_matches(SENTINEL), Some(true));
        } else {
            let list = c.authentication.as_ref().unwrap().certificate_list(now());
            assert_eq!(list.len(), 1, "uploaded once: {list:?}");
        }
    }
    for flow in world.emu.user_flows() {
        let f: usize = flow.id["B2C_1_Flow".len()..].parse().unwrap();
        let bound: Vec<(&str, &str)> = flow
            .api_connector_configuration
            .iter()
            .map(|(step, id)| (step.name(), id.as_str()))
            .collect();
        let expected = [
            (
                "postFederationSignup",
                by_name[format!("Connector {:02}", 2 * f).as_str()]
                    .id
                    .as_str(),
            ),
            (
                "postAttributeCollection",
                by_name[format!("Connector {:02}", 2 * f + 1).as_str()]
                    .id
                    .as_str(),
            ),
        ];
        assert_eq!(bound, expected, "{}", flow.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_under_a_third_of_requests_failing() {
    let faults = Faults {
        // Drawn one after the other: 1 - 0.88^4 = 40% of requests get one.
        throttle_rate: 0.12,
        unavailable_rate: 0.12,
        drop_rate: 0.12,
        lose_response_rate: 0.12,
        retry_after: Duration::from_millis(20),
        latency: Duration::ZERO,
    };
    let world = World::start_with(
        EmulatorConfig::new(TenantKind::B2c)
            .user_flows(flows())
            .faults(faults)
            .seed(13),
        patient(),
    )
    .await;
    let tenant = world.beta();
    let desired = world.desired(&big_file(&world));
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.actions.len(), CONNECTORS + 2 * FLOWS);
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let options = ApplyOptions::new(now()).progress(move |p| {
        assert_eq!(p.total, CONNECTORS + 2 * FLOWS);
        counter.fetch_max(p.finished, Ordering::SeqCst);
    });
    let report = apply(&plan, &desired, &tenant, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete());
    assert_eq!(seen.load(Ordering::SeqCst), plan.actions.len());
    assert_state_is_the_file(&world);
    let again = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 10)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again}");

    // The figures.
    let log = world.emu.requests();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for r in &log {
        if let Some(f) = r.fault {
            *by_kind.entry(format!("{f:?}")).or_default() += 1;
        }
    }
    let faulted: usize = by_kind.values().sum();
    let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &log {
        if let Some(id) = r.client_request_id.as_deref() {
            *per_id.entry(id).or_default() += 1;
        }
    }
    let client_retries: usize = per_id.values().map(|n| n - 1).sum();
    let lost_creates = log
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.path == "/beta/identity/apiConnectors"
                && matches!(
                    r.fault,
                    Some(InjectedFault::ResponseLost | InjectedFault::Dropped)
                )
        })
        .count();
    let rate = faulted as f64 / log.len() as f64;
    println!(
        "fault run: {} requests, {faulted} faults ({:.0}%): {by_kind:?}; client retries {client_retries}, \
         apply retries {}, reconciliations {} (creates {}, uploads {}); creates lost or dropped {lost_creates}",
        log.len(),
        rate * 100.0,
        report.retries,
        report.reconciliations.len(),
        report
            .reconciliations
            .iter()
            .filter(|r| r.kind == ReconciliationKind::Create)
            .count(),
        report
            .reconciliations
            .iter()
            .filter(|r| r.kind == ReconciliationKind::Upload)
            .count(),
    );
    assert!(rate >= 0.30, "the run must be hard: {rate}");
    for kind in ["Throttled", "Unavailable", "Dropped", "ResponseLost"] {
        assert!(
            by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no {kind}: {by_kind:?}"
        );
    }
    assert!(
        lost_creates > 0,
        "no create was lost: the run proves nothing"
    );
    assert!(!report.reconciliations.is_empty());
}

#[tokio::test]
async fn a_lost_create_response_is_reconciled_by_name_without_a_duplicate() {
    let world = World::start(
        EmulatorConfig::new(TenantKind::B2c).fault_rule(FaultRule::new(
            "POST /identity/apiConnectors",
            Faults {
                lose_response_rate: 1.0,
                ..Faults::none()
            },
        )),
    )
    .await;
    let tenant = world.beta();
    let desired = world.desired(
        "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      basic: {username: u, password: {env: BASIC_PASSWORD}}\nuserFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps:\n      postAttributeCollection: A\n",
    );
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap();
    world.emu.clear_requests();
    let report = apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.reconciliations.len(), 1);
    assert!(report.reconciliations[0].found);
    let connectors = world.emu.connectors();
    assert_eq!(connectors.len(), 1);
    let id = &connectors[0].id;
    assert_eq!(
        report.actions[0].1,
        Outcome::Done {
            created_id: Some(id.clone())
        }
    );
    // organization, the create (lost), the listing that found it, then the bind with its id.
    let sent: Vec<(String, String)> = world
        .emu
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        sent,
        [
            ("GET".to_owned(), "/beta/organization".to_owned()),
            ("POST".to_owned(), "/beta/identity/apiConnectors".to_owned()),
            ("GET".to_owned(), "/beta/identity/apiConnectors".to_owned()),
            (
                "PUT".to_owned(),
                "/beta/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/postAttributeCollection/$ref".to_owned()
            ),
        ]
    );
    assert_eq!(
        world.emu.user_flows()[0]
            .api_connector_configuration
            .values()
            .next(),
        Some(id)
    );
}

#[tokio::test]
async fn a_failure_midway_says_what_was_done_and_the_next_apply_converges() {
    let world = World::start_with(
        EmulatorConfig::new(TenantKind::B2c).fault_rule(FaultRule::new(
            "PUT /identity/b2cUserFlows/B2C_1_SignUp/**",
            Faults::unavailable(1.0),
        )),
        RetryPolicy::none(),
    )
    .await;
    let tenant = world.beta();
    let desired = world.desired(
        "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      basic: {username: u, password: {env: BASIC_PASSWORD}}\nuserFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps:\n      postAttributeCollection: A\n  B2C_1_SignUpSignIn:\n    family: b2c\n    steps:\n      postAttributeCollection: A\n",
    );
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap();
    let e = apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap_err();
    let ApplyError::Incomplete(report) = &e else {
        panic!("{e:?}")
    };
    let outcomes: Vec<&str> = report
        .actions
        .iter()
        .map(|(_, o)| match o {
            Outcome::Done { .. } => "done",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
        })
        .collect();
    assert_eq!(outcomes, ["done", "failed", "done"]);
    assert_eq!(report.retries, 3, "the 503 was tried 4 times");
    let text = e.to_string();
    assert!(text.contains("done: + create connector \"A\""), "{text}");
    assert!(
        text.contains("failed: > bind B2C_1_SignUp.postAttributeCollection → \"A\": "),
        "{text}"
    );
    assert!(text.contains("503"), "{text}");
    assert!(
        text.contains("done: > bind B2C_1_SignUpSignIn.postAttributeCollection → \"A\""),
        "{text}"
    );
    assert!(
        text.ends_with("2 of 3 actions done, 1 not done; 0 reconciliations, 3 retries."),
        "{text}"
    );
    assert!(!text.contains(SENTINEL));

    world.emu.clear_faults();
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap();
    assert_eq!(
        plan.actions.len(),
        1,
        "only the failed bind is left:\n{plan}"
    );
    apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap();
    assert!(
        plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(world.emu.connectors().len(), 1);
}

#[tokio::test]
async fn a_lost_upload_response_is_reconciled_from_the_certificate_list() {
    let world = World::start(EmulatorConfig::new(TenantKind::B2c)).await;
    let tenant = world.beta();
    let text = "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n  C:\n    targetUrl: https://c.example\n    authentication:\n      clientCertificate: {pfx: enrich.pfx, password: {env: PFX_PASSWORD}}\n";
    world.pfx("enrich.pfx", 1);
    let desired = world.desired(text);
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap();
    apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap();
    let id = world.emu.connectors()[0].id.clone();

    // Rotate, and lose the answer of every upload.
    let second = world.pfx("enrich.pfx", 2);
    world.emu.add_fault_rule(FaultRule::new(
        "POST /identity/apiConnectors/*/uploadClientCertificate",
        Faults {
            lose_response_rate: 1.0,
            ..Faults::none()
        },
    ));
    let desired = world.desired(text);
    let plan = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap();
    assert_eq!(plan.actions.len(), 1, "{plan}");
    world.emu.clear_requests();
    let report = apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.reconciliations.len(), 1);
    assert_eq!(report.reconciliations[0].kind, ReconciliationKind::Upload);
    assert!(report.reconciliations[0].found);
    let uploads = world
        .emu
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(uploads, 1, "uploaded once, then read back");
    let connectors = world.emu.connectors();
    assert_eq!(connectors.len(), 1);
    assert_eq!(connectors[0].id, id);
    let list = connectors[0]
        .authentication
        .as_ref()
        .unwrap()
        .certificate_list(now());
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|c| c.is_active && c.thumbprint == second));
}
