//! End to end against the emulator over HTTP, both Graph versions and both tenant kinds: apply on an
//! empty tenant, every kind of edit planned exactly and converged, a rotation that keeps the id and
//! the bindings, export → plan is empty, and the tenant check that refuses before any change.

mod common;

use common::SENTINEL;
use common::emulated::{PFX_PASSWORD, World, now};
use entra_api_connectors_desired_state::export::export_tenant;
use entra_api_connectors_desired_state::plan::Note;
use entra_api_connectors_desired_state::{
    ApplyError, ApplyOptions, ConfigFile, DesiredState, Plan, PlanOptions, Tenant, TenantError,
    apply, plan_tenant, validate,
};
use entra_api_connectors_emulator::{ConnectorRecord, EmulatorConfig, TenantKind};

/// The file of one tenant kind and version, with what changes between the steps of [`converge`].
struct Kind {
    config: fn() -> EmulatorConfig,
    header: &'static str,
    flow: &'static str,
    family: &'static str,
}

const B2C: Kind = Kind {
    config: || EmulatorConfig::new(TenantKind::B2c),
    header: "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\n",
    flow: "B2C_1_SignUp",
    family: "b2c",
};

const WORKFORCE_BETA: Kind = Kind {
    config: || EmulatorConfig::new(TenantKind::Workforce),
    header: "tenant: emulator.onmicrosoft.com\ncloud: global\napiVersion: beta\n",
    flow: "B2X_1_PartnerSignUp",
    family: "b2x",
};

const WORKFORCE_V1: Kind = Kind {
    config: || EmulatorConfig::new(TenantKind::Workforce),
    header: "tenant: emulator.onmicrosoft.com\napiVersion: v1.0\n",
    flow: "B2X_1_PartnerSignUp",
    family: "b2x",
};

fn connector(name: &str, url: &str, basic: bool) -> String {
    let auth = if basic {
        "basic: {username: b2c, password: {env: BASIC_PASSWORD}}"
    } else {
        "clientCertificate: {pfx: enrich.pfx, password: {env: PFX_PASSWORD}}"
    };
    format!("  {name}:\n    targetUrl: {url}\n    authentication:\n      {auth}\n")
}

fn file(kind: &Kind, prune: bool, connectors: &[String], steps: &[(&str, &str)]) -> String {
    let mut text = kind.header.to_owned();
    if prune {
        text.push_str("prune: true\n");
    }
    text.push_str("connectors:\n");
    for c in connectors {
        text.push_str(c);
    }
    text.push_str(&format!(
        "userFlows:\n  {}:\n    family: {}\n    steps:\n",
        kind.flow, kind.family
    ));
    if steps.is_empty() {
        text.push_str("      {}\n");
    }
    for (step, target) in steps {
        text.push_str(&format!("      {step}: {target}\n"));
    }
    text
}

async fn plan_of<T: Tenant>(tenant: &T, desired: &DesiredState) -> Plan {
    plan_tenant(desired, tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.actions.iter().map(ToString::to_string).collect()
}

/// Applies and checks the report says every action was done, and that the next plan is empty.
async fn apply_and_converge<T: Tenant>(world: &World, tenant: &T, desired: &DesiredState) {
    let plan = plan_of(tenant, desired).await;
    let before = world.emu.request_count();
    let report = apply(&plan, desired, tenant, &ApplyOptions::new(now()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete());
    assert_eq!(report.actions.len(), plan.actions.len());
    assert!(report.reconciliations.is_empty(), "{report:?}");
    // One GET /organization, then one request per action (no faults, no reconciliation).
    let sent = world.emu.requests();
    let sent = &sent[sent.len() - (world.emu.request_count() - before) as usize..];
    assert_eq!(sent.len(), 1 + plan.actions.len(), "{sent:?}");
    assert!(sent[0].path.ends_with("/organization"), "{:?}", sent[0]);
    assert!(sent[1..].iter().all(|r| r.is_write()), "{sent:?}");
    let again = plan_of(tenant, desired).await;
    assert!(again.is_empty(), "not converged:\n{again}");
}

fn by_name<'a>(connectors: &'a [ConnectorRecord], name: &str) -> &'a ConnectorRecord {
    connectors
        .iter()
        .find(|c| c.display_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no connector {name}"))
}

fn bound(world: &World, flow: &str) -> Vec<(String, String)> {
    let flows = world.emu.user_flows();
    let f = flows.iter().find(|f| f.id == flow).unwrap();
    f.api_connector_configuration
        .iter()
        .map(|(step, id)| (step.name().to_owned(), id.clone()))
        .collect()
}

fn active_thumbprint(c: &ConnectorRecord) -> String {
    let list = c.authentication.as_ref().unwrap().certificate_list(now());
    list.into_iter()
        .find(|c| c.is_active)
        .expect("an active certificate")
        .thumbprint
}

async fn converge<T: Tenant>(kind: &Kind, world: &World, tenant: &T) {
    let flow = kind.flow;
    let first = world.pfx("enrich.pfx", 1);
    let validate_c = connector(
        "Validate postal code",
        "https://api.contoso.com/validate",
        true,
    );
    let enrich = connector("Enrich claims", "https://api.contoso.com/enrich", false);
    let steps = [
        ("postFederationSignup", "Enrich claims"),
        ("postAttributeCollection", "Validate postal code"),
    ];

    // 1. An empty tenant.
    let desired = world.desired(&file(
        kind,
        false,
        &[validate_c.clone(), enrich.clone()],
        &steps,
    ));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        [
            format!("+ create connector \"Enrich claims\" (https://api.contoso.com/enrich, client certificate {first})"),
            "+ create connector \"Validate postal code\" (https://api.contoso.com/validate, basic user b2c; password sent)".to_owned(),
            format!("> bind {flow}.postFederationSignup → \"Enrich claims\""),
            format!("> bind {flow}.postAttributeCollection → \"Validate postal code\""),
        ]
    );
    apply_and_converge(world, tenant, &desired).await;
    let connectors = world.emu.connectors();
    assert_eq!(connectors.len(), 2);
    let basic = by_name(&connectors, "Validate postal code");
    assert_eq!(basic.basic_password_matches(SENTINEL), Some(true));
    let cert = by_name(&connectors, "Enrich claims").clone();
    assert_eq!(active_thumbprint(&cert), first);
    let bindings = vec![
        ("postFederationSignup".to_owned(), cert.id.clone()),
        ("postAttributeCollection".to_owned(), basic.id.clone()),
    ];
    assert_eq!(bound(world, flow), bindings);

    // 2. A new URL: one in-place update.
    let moved = connector(
        "Validate postal code",
        "https://api2.contoso.com/validate",
        true,
    );
    let desired = world.desired(&file(kind, false, &[moved.clone(), enrich.clone()], &steps));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        [
            "~ update connector \"Validate postal code\": targetUrl https://api.contoso.com/validate → https://api2.contoso.com/validate"
        ]
    );
    apply_and_converge(world, tenant, &desired).await;
    assert_eq!(
        by_name(&world.emu.connectors(), "Validate postal code")
            .target_url
            .as_deref(),
        Some("https://api2.contoso.com/validate")
    );

    // 3. A rotated certificate: one upload; the id and the bindings survive.
    let second = world.pfx("enrich.pfx", 2);
    assert_ne!(first, second);
    let desired = world.desired(&file(kind, false, &[moved.clone(), enrich.clone()], &steps));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        [format!(
            "^ upload certificate to \"Enrich claims\": thumbprint {second} (not in certificateList)"
        )]
    );
    apply_and_converge(world, tenant, &desired).await;
    let rotated = by_name(&world.emu.connectors(), "Enrich claims").clone();
    assert_eq!(rotated.id, cert.id);
    assert_eq!(active_thumbprint(&rotated), second);
    assert_eq!(bound(world, flow), bindings);

    // 4. A step rebound to the other connector.
    let rebound = [
        ("postFederationSignup", "Enrich claims"),
        ("postAttributeCollection", "Enrich claims"),
    ];
    let desired = world.desired(&file(
        kind,
        false,
        &[moved.clone(), enrich.clone()],
        &rebound,
    ));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        [format!(
            "> bind {flow}.postAttributeCollection → \"Enrich claims\" (was \"Validate postal code\")"
        )]
    );
    apply_and_converge(world, tenant, &desired).await;

    // 5. A connector removed from the file without prune: left alone.
    let desired = world.desired(&file(kind, false, std::slice::from_ref(&enrich), &rebound));
    let plan = plan_of(tenant, &desired).await;
    assert!(plan.is_empty(), "{plan}");
    assert!(plan.notes.iter().any(|n| matches!(n, Note::LeftAlone { display_name, .. } if display_name == "Validate postal code")));
    assert_eq!(world.emu.connectors().len(), 2);

    // 6. With prune: deleted.
    let desired = world.desired(&file(kind, true, std::slice::from_ref(&enrich), &rebound));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        ["- delete connector \"Validate postal code\" (prune)"]
    );
    apply_and_converge(world, tenant, &desired).await;
    assert_eq!(world.emu.connectors().len(), 1);

    // 7. Prune a connector two steps still call (the file no longer mentions them): unbinds first.
    let third = connector("Third", "https://api.contoso.com/third", true);
    let desired = world.desired(&file(kind, true, &[third], &[]));
    let plan = plan_of(tenant, &desired).await;
    assert_eq!(
        lines(&plan),
        [
            "+ create connector \"Third\" (https://api.contoso.com/third, basic user b2c; password sent)".to_owned(),
            format!("< unbind {flow}.postFederationSignup (was \"Enrich claims\"; the connector is deleted by prune)"),
            format!("< unbind {flow}.postAttributeCollection (was \"Enrich claims\"; the connector is deleted by prune)"),
            "- delete connector \"Enrich claims\" (prune)".to_owned(),
        ]
    );
    apply_and_converge(world, tenant, &desired).await;
    let left = world.emu.connectors();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].display_name.as_deref(), Some("Third"));
    assert!(bound(world, flow).is_empty());
}

#[tokio::test]
async fn b2c_tenant_through_beta_converges_at_every_edit() {
    let world = World::start((B2C.config)()).await;
    converge(&B2C, &world, &world.beta()).await;
}

#[tokio::test]
async fn workforce_tenant_through_beta_converges_at_every_edit() {
    let world = World::start((WORKFORCE_BETA.config)()).await;
    converge(&WORKFORCE_BETA, &world, &world.beta()).await;
}

#[tokio::test]
async fn workforce_tenant_through_v1_converges_at_every_edit() {
    let world = World::start((WORKFORCE_V1.config)()).await;
    converge(&WORKFORCE_V1, &world, &world.v1()).await;
}

/// A B2C tenant through v1.0 has no user flows Graph can reach: connectors only.
#[tokio::test]
async fn b2c_tenant_through_v1_manages_connectors_only() {
    let world = World::start(EmulatorConfig::new(TenantKind::B2c)).await;
    let tenant = world.v1();
    let text = format!(
        "tenant: emulatorb2c.onmicrosoft.com\napiVersion: v1.0\nconnectors:\n{}",
        connector(
            "Validate postal code",
            "https://api.contoso.com/validate",
            true
        )
    );
    let desired = world.desired(&text);
    let plan = plan_of(&tenant, &desired).await;
    assert_eq!(plan.actions.len(), 1, "{plan}");
    apply_and_converge(&world, &tenant, &desired).await;
    // No user-flow listing was sent: v1.0 has no b2cUserFlows and the tenant no b2xUserFlows.
    assert!(
        world
            .emu
            .requests()
            .iter()
            .all(|r| !r.path.contains("UserFlows"))
    );
}

#[tokio::test]
async fn export_then_plan_is_empty() {
    for (kind, v1) in [(&B2C, false), (&WORKFORCE_V1, true)] {
        let world = World::start((kind.config)()).await;
        let thumbprint = world.pfx("enrich.pfx", 1);
        let desired = world.desired(&file(
            kind,
            false,
            &[
                connector(
                    "Validate postal code",
                    "https://api.contoso.com/validate",
                    true,
                ),
                connector("Enrich claims", "https://api.contoso.com/enrich", false),
            ],
            &[
                ("postAttributeCollection", "Enrich claims"),
                ("postFederationSignup", "Validate postal code"),
            ],
        ));
        let exported = if v1 {
            apply_and_converge(&world, &world.v1(), &desired).await;
            export_tenant(&world.v1(), None, 4).await.unwrap()
        } else {
            apply_and_converge(&world, &world.beta(), &desired).await;
            export_tenant(&world.beta(), None, 4).await.unwrap()
        };
        assert!(exported.skipped.is_empty(), "{:?}", exported.skipped);
        assert_eq!(exported.certificates.len(), 1);
        assert_eq!(
            exported.certificates[0].active_thumbprint.as_deref(),
            Some(thumbprint.as_str())
        );
        // Put the secrets where the exported file says.
        let export_dir = common::Dir::new();
        let bytes = std::fs::read(world.dir.path("enrich.pfx")).unwrap();
        export_dir.write(&exported.certificates[0].pfx.to_string_lossy(), bytes);
        let mut env = entra_api_connectors_desired_state::FixedEnvironment::new(now());
        for v in &exported.variables {
            let value = if v.display_name == "Enrich claims" {
                PFX_PASSWORD
            } else {
                SENTINEL
            };
            env = env.with_variable(&v.variable, value);
        }
        let path = export_dir.write("exported.yaml", &exported.text);
        let again =
            validate(&ConfigFile::read(&path).unwrap(), &env).unwrap_or_else(|e| panic!("{e}"));
        let plan = if v1 {
            plan_of(&world.v1(), &again).await
        } else {
            plan_of(&world.beta(), &again).await
        };
        assert!(plan.is_empty(), "{}\n{plan}", exported.text);
    }
}

const ANOTHER_ID: &str = "2d5f6a7b-8c9d-4e0f-a1b2-c3d4e5f60718";

#[tokio::test]
async fn another_tenant_is_refused_before_any_change() {
    let world = World::start(
        EmulatorConfig::new(TenantKind::B2c).tenant(ANOTHER_ID, "fabrikam.onmicrosoft.com"),
    )
    .await;
    world.pfx("enrich.pfx", 1);
    let tenant = world.beta();
    let desired = world.desired(&file(
        &B2C,
        true,
        &[connector(
            "Validate postal code",
            "https://api.contoso.com/validate",
            true,
        )],
        &[("postAttributeCollection", "Validate postal code")],
    ));
    let e = plan_tenant(&desired, &tenant, PlanOptions::new(now()), 4)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, TenantError::WrongTenant { id, .. } if id == ANOTHER_ID),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the file is for tenant \"emulatorb2c.onmicrosoft.com\", but the credential is for tenant {ANOTHER_ID} (fabrikam.onmicrosoft.com); nothing was changed"
        )
    );
    // apply re-checks, whatever plan it is handed (here one made against an empty snapshot).
    let plan = entra_api_connectors_desired_state::plan(
        &desired,
        &Default::default(),
        PlanOptions::new(now()),
    )
    .unwrap_err();
    assert!(matches!(
        plan.0[0],
        entra_api_connectors_desired_state::PlanError::UserFlowNotFound { .. }
    ));
    let desired = world.desired(&format!(
        "tenant: emulatorb2c.onmicrosoft.com\napiVersion: beta\nconnectors:\n{}",
        connector(
            "Validate postal code",
            "https://api.contoso.com/validate",
            true
        )
    ));
    let plan = entra_api_connectors_desired_state::plan(
        &desired,
        &Default::default(),
        PlanOptions::new(now()),
    )
    .unwrap();
    assert_eq!(plan.actions.len(), 1);
    let e = apply(&plan, &desired, &tenant, &ApplyOptions::new(now()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApplyError::Refused(TenantError::WrongTenant { .. })),
        "{e:?}"
    );
    // Only GET /organization reached the emulator, and nothing changed.
    let sent = world.emu.requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter()
            .all(|r| r.method == "GET" && r.path == "/beta/organization"),
        "{sent:?}"
    );
    assert!(world.emu.connectors().is_empty());

    // The tenant's id or any verified domain is accepted, in any case.
    for name in [
        ANOTHER_ID.to_uppercase(),
        "Fabrikam.onmicrosoft.com".to_owned(),
    ] {
        let desired = world.desired(&format!(
            "tenant: {name}\napiVersion: beta\nconnectors: {{}}\n"
        ));
        assert!(plan_of(&tenant, &desired).await.is_empty());
    }
}

#[tokio::test]
async fn another_version_is_refused_without_a_request() {
    let world = World::start(EmulatorConfig::new(TenantKind::Workforce)).await;
    let desired =
        world.desired("tenant: emulator.onmicrosoft.com\napiVersion: v1.0\nconnectors: {}\n");
    let e = plan_tenant(&desired, &world.beta(), PlanOptions::new(now()), 4)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the file is written for Graph v1.0, but the client uses Graph beta; nothing was changed"
    );
    let e = apply(
        &Plan {
            actions: vec![],
            notes: vec![],
        },
        &desired,
        &world.beta(),
        &ApplyOptions::new(now()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, ApplyError::Refused(TenantError::WrongVersion { .. })),
        "{e:?}"
    );
    assert_eq!(world.emu.request_count(), 0);
}
