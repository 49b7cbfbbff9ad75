//! The plan for each kind of difference, "no changes", dependency order, errors, and no secret in any
//! form of a plan.

mod common;

use std::collections::BTreeMap;

use common::{DAY, Dir, NOW, SENTINEL};
use entra_api_connectors_desired_state::plan::{
    Action, AuthenticationKind, AuthenticationPlan, Bound, Change, Note, Phase, PlanError,
    UnbindReason, UploadReason,
};
use entra_api_connectors_desired_state::snapshot::{
    AuthenticationSnapshot, CertificateSnapshot, ConnectorSnapshot, Snapshot, UserFlowSnapshot,
};
use entra_api_connectors_desired_state::{
    ConfigFile, DesiredState, Family, FixedEnvironment, Plan, PlanOptions, Step, plan, validate,
};

const PFX_PASSWORD: &str = "Pfx-Sentinel-91c2";

const FILE: &str = r#"tenant: contoso.onmicrosoft.com
apiVersion: beta
connectors:
  Validate postal code:
    targetUrl: https://api.contoso.com/validate
    authentication:
      basic: {username: b2c, password: {env: POSTAL_PASSWORD}}
  Enrich claims:
    targetUrl: https://api.contoso.com/enrich
    authentication:
      clientCertificate: {pfx: enrich.pfx, password: {env: PFX_PASSWORD}}
userFlows:
  B2C_1_SignUp:
    family: b2c
    steps:
      postFederationSignup: null
      postAttributeCollection: Validate postal code
  B2X_1_Partners:
    family: b2x
    steps:
      postAttributeCollection: Enrich claims
"#;

struct Fixture {
    _dir: Dir,
    desired: DesiredState,
    thumbprint: String,
}

fn fixture(text: &str) -> Fixture {
    let dir = Dir::new();
    let thumbprint = dir.pfx("enrich.pfx", PFX_PASSWORD, NOW - DAY, NOW + 365 * DAY);
    let path = dir.write("tenant.yaml", text);
    let env = FixedEnvironment::new(NOW)
        .with_variable("POSTAL_PASSWORD", SENTINEL)
        .with_variable("PFX_PASSWORD", PFX_PASSWORD);
    let desired = validate(&ConfigFile::read(&path).unwrap(), &env).unwrap();
    Fixture {
        _dir: dir,
        desired,
        thumbprint,
    }
}

fn basic(id: &str, name: &str, url: &str, username: &str) -> ConnectorSnapshot {
    ConnectorSnapshot {
        id: id.into(),
        display_name: name.into(),
        target_url: url.into(),
        authentication: AuthenticationSnapshot::Basic {
            username: username.into(),
        },
    }
}

fn certificate(thumbprint: &str, not_before: i64, is_active: bool) -> CertificateSnapshot {
    CertificateSnapshot {
        thumbprint: thumbprint.into(),
        not_before,
        not_after: NOW + 300 * DAY,
        is_active,
    }
}

fn with_certificates(
    id: &str,
    name: &str,
    url: &str,
    list: Vec<CertificateSnapshot>,
) -> ConnectorSnapshot {
    ConnectorSnapshot {
        id: id.into(),
        display_name: name.into(),
        target_url: url.into(),
        authentication: AuthenticationSnapshot::ClientCertificate {
            certificate_list: list,
        },
    }
}

fn flow(id: &str, family: Family, steps: &[(Step, Option<&str>)]) -> UserFlowSnapshot {
    UserFlowSnapshot {
        id: id.into(),
        family,
        steps: steps
            .iter()
            .map(|(s, c)| (*s, c.map(str::to_owned)))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// The tenant exactly as FILE describes it.
fn converged(f: &Fixture) -> Snapshot {
    Snapshot {
        connectors: vec![
            basic(
                "id-postal",
                "Validate postal code",
                "https://api.contoso.com/validate",
                "b2c",
            ),
            with_certificates(
                "id-enrich",
                "Enrich claims",
                "https://api.contoso.com/enrich",
                vec![
                    certificate(
                        "0000000000000000000000000000000000000000",
                        NOW - 90 * DAY,
                        false,
                    ),
                    certificate(&f.thumbprint, NOW - DAY, true),
                ],
            ),
        ],
        user_flows: vec![
            flow(
                "B2C_1_SignUp",
                Family::B2c,
                &[
                    (Step::PostFederationSignup, None),
                    (Step::PostAttributeCollection, Some("id-postal")),
                    (Step::PreTokenIssuance, None),
                ],
            ),
            flow(
                "B2X_1_Partners",
                Family::B2x,
                &[
                    (Step::PostFederationSignup, Some("id-postal")),
                    (Step::PostAttributeCollection, Some("id-enrich")),
                ],
            ),
        ],
    }
}

fn options() -> PlanOptions {
    PlanOptions::new(NOW)
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.to_string().lines().map(str::to_owned).collect()
}

fn assert_no_secret(plan: &Plan) {
    let forms = [
        plan.to_string(),
        format!("{plan:?}"),
        serde_json::to_string(plan).unwrap(),
    ];
    for form in forms {
        assert!(!form.contains(SENTINEL), "{form}");
        assert!(!form.contains(PFX_PASSWORD), "{form}");
    }
}

#[test]
fn an_empty_tenant_gets_everything_created_then_bound() {
    let f = fixture(FILE);
    let snapshot = Snapshot {
        connectors: vec![],
        user_flows: vec![
            flow("B2C_1_SignUp", Family::B2c, &[]),
            flow("B2X_1_Partners", Family::B2x, &[]),
        ],
    };
    let plan = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan),
        [
            format!("+ create connector \"Enrich claims\" (https://api.contoso.com/enrich, client certificate {})", f.thumbprint),
            "+ create connector \"Validate postal code\" (https://api.contoso.com/validate, basic user b2c; password sent)".to_owned(),
            "> bind B2C_1_SignUp.postAttributeCollection → \"Validate postal code\"".to_owned(),
            "> bind B2X_1_Partners.postAttributeCollection → \"Enrich claims\"".to_owned(),
            "4 changes: 2 to connectors, 2 to bindings, 0 deletes.".to_owned(),
        ]
    );
    // A step that calls nothing already and is null in the file needs nothing.
    assert!(
        plan.actions
            .iter()
            .all(|a| !matches!(a, Action::Unbind { .. }))
    );
    assert_eq!(
        plan.actions[1],
        Action::CreateConnector {
            display_name: "Validate postal code".into(),
            target_url: "https://api.contoso.com/validate".into(),
            authentication: AuthenticationPlan::Basic {
                username: "b2c".into()
            },
        }
    );
    assert!(plan.actions[1].sends_password());
    assert!(!plan.actions[0].sends_password());
    // Binds to connectors this plan creates carry no id yet.
    assert!(matches!(
        &plan.actions[2],
        Action::Bind {
            connector_id: None,
            previous: None,
            ..
        }
    ));
    // The JSON form.
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        json["actions"][0],
        serde_json::json!({
            "action": "createConnector",
            "displayName": "Enrich claims",
            "targetUrl": "https://api.contoso.com/enrich",
            "authentication": {"kind": "clientCertificate", "thumbprint": f.thumbprint}
        })
    );
    assert_eq!(
        json["actions"][3],
        serde_json::json!({
            "action": "bind", "flow": "B2X_1_Partners", "family": "b2x", "step": "postAttributeCollection",
            "displayName": "Enrich claims", "connectorId": null, "previous": null
        })
    );
    assert_eq!(json["notes"], serde_json::json!([]));
    assert_no_secret(&plan);
}

#[test]
fn a_converged_tenant_has_no_changes_but_says_passwords_were_not_compared() {
    let f = fixture(FILE);
    let plan = plan(&f.desired, &converged(&f), options()).unwrap();
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(
        plan.notes,
        [Note::PasswordsNotCompared {
            display_names: vec!["Validate postal code".into()]
        }]
    );
    assert_eq!(
        lines(&plan),
        [
            "! passwords not compared (Graph never returns them) for \"Validate postal code\"; --update-secrets sends them",
            "No changes.",
        ]
    );
    // B2X_1_Partners.postFederationSignup is bound in the tenant but not in the file: left alone.
}

#[test]
fn a_changed_url_is_updated_in_place_and_url_spelling_is_not_a_change() {
    let f = fixture(FILE);
    let mut snapshot = converged(&f);
    snapshot.connectors[0].target_url = "https://api.contoso.com/old".into();
    // Scheme and host case and the default port are not differences.
    snapshot.connectors[1].target_url = "HTTPS://API.Contoso.com:443/enrich".into();
    let plan = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        plan.actions,
        [Action::UpdateConnector {
            id: "id-postal".into(),
            display_name: "Validate postal code".into(),
            changes: vec![Change::TargetUrl {
                from: "https://api.contoso.com/old".into(),
                to: "https://api.contoso.com/validate".into()
            }],
            sends_password: false,
        }]
    );
    assert_eq!(
        lines(&plan)[0],
        "~ update connector \"Validate postal code\": targetUrl https://api.contoso.com/old → https://api.contoso.com/validate"
    );
}

#[test]
fn a_changed_username_is_sent_with_the_password() {
    let f = fixture(FILE);
    let mut snapshot = converged(&f);
    snapshot.connectors[0].authentication = AuthenticationSnapshot::Basic {
        username: "old-user".into(),
    };
    let plan = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan)[0],
        "~ update connector \"Validate postal code\": username old-user → b2c (password sent)"
    );
    assert!(plan.actions[0].sends_password());
    // The password was sent, so it is not reported as unchecked.
    assert!(plan.notes.is_empty());
}

#[test]
fn update_secrets_sends_every_basic_password() {
    let f = fixture(FILE);
    let plan_ = plan(&f.desired, &converged(&f), options().update_secrets(true)).unwrap();
    assert_eq!(
        plan_.actions,
        [Action::UpdateSecret {
            id: "id-postal".into(),
            display_name: "Validate postal code".into(),
            username: "b2c".into()
        }]
    );
    assert_eq!(
        lines(&plan_)[0],
        "~ send password of \"Validate postal code\" (basic user b2c; --update-secrets)"
    );
    assert!(plan_.notes.is_empty());
    assert_no_secret(&plan_);

    // With a URL change too, one update carries both.
    let mut snapshot = converged(&f);
    snapshot.connectors[0].target_url = "https://api.contoso.com/old".into();
    let plan_ = plan(&f.desired, &snapshot, options().update_secrets(true)).unwrap();
    assert_eq!(plan_.actions.len(), 1);
    assert!(matches!(
        &plan_.actions[0],
        Action::UpdateConnector {
            sends_password: true,
            ..
        }
    ));
    assert!(lines(&plan_)[0].ends_with("(password sent)"));
}

#[test]
fn an_authentication_type_change_is_switched_in_place() {
    let f = fixture(FILE);
    let mut snapshot = converged(&f);
    // The tenant has basic where the file has a certificate, and a certificate where it has basic.
    snapshot.connectors[1].authentication = AuthenticationSnapshot::Basic {
        username: "x".into(),
    };
    snapshot.connectors[0].authentication = AuthenticationSnapshot::ClientCertificate {
        certificate_list: vec![],
    };
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan_),
        [
            format!("~ switch authentication of \"Enrich claims\": basic → client certificate {} (certificateList replaced)", f.thumbprint),
            "~ switch authentication of \"Validate postal code\": client certificate → basic user b2c; password sent".to_owned(),
            "2 changes: 2 to connectors, 0 to bindings, 0 deletes.".to_owned(),
        ]
    );
    assert!(
        matches!(&plan_.actions[0], Action::SwitchAuthentication { id, from: AuthenticationKind::Basic, .. } if id == "id-enrich")
    );
    assert!(plan_.actions[1].sends_password());

    // An authentication type this crate does not know is replaced the same way.
    snapshot.connectors[0].authentication = AuthenticationSnapshot::Unknown {
        odata_type: Some("#microsoft.graph.oAuth2".into()),
    };
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan_)[1],
        "~ switch authentication of \"Validate postal code\": unknown type #microsoft.graph.oAuth2 → basic user b2c; password sent"
    );
}

#[test]
fn a_certificate_is_uploaded_when_missing_or_not_active_and_never_recreated() {
    let f = fixture(FILE);
    let other = "1A2B3C4D5E6F708192A3B4C5D6E7F80912A3B4C5";

    // Not in the list.
    let mut snapshot = converged(&f);
    snapshot.connectors[1] = with_certificates(
        "id-enrich",
        "Enrich claims",
        "https://api.contoso.com/enrich",
        vec![certificate(other, NOW - DAY, true)],
    );
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        plan_.actions,
        [Action::UploadCertificate {
            id: "id-enrich".into(),
            display_name: "Enrich claims".into(),
            thumbprint: f.thumbprint.clone(),
            reason: UploadReason::NotInCertificateList
        }]
    );
    assert_eq!(
        lines(&plan_)[0],
        format!(
            "^ upload certificate to \"Enrich claims\": thumbprint {} (not in certificateList)",
            f.thumbprint
        )
    );
    assert!(plan_.actions.iter().all(|a| !matches!(
        a,
        Action::DeleteConnector { .. } | Action::CreateConnector { .. }
    )));

    // In the list, valid, but another one is active.
    snapshot.connectors[1] = with_certificates(
        "id-enrich",
        "Enrich claims",
        "https://api.contoso.com/enrich",
        vec![
            certificate(&f.thumbprint.to_lowercase(), NOW - DAY, false),
            certificate(other, NOW - DAY, true),
        ],
    );
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan_)[0],
        format!(
            "^ upload certificate to \"Enrich claims\": thumbprint {} (in certificateList but not the active one)",
            f.thumbprint
        )
    );

    // In the list but not valid yet: left to become active by itself.
    snapshot.connectors[1] = with_certificates(
        "id-enrich",
        "Enrich claims",
        "https://api.contoso.com/enrich",
        vec![
            certificate(other, NOW - DAY, true),
            certificate(&f.thumbprint, NOW + 2 * DAY, false),
        ],
    );
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert!(plan_.is_empty());
    assert_eq!(
        plan_.notes[0],
        Note::CertificatePending {
            display_name: "Enrich claims".into(),
            thumbprint: f.thumbprint.clone(),
            not_before: NOW + 2 * DAY
        }
    );
    assert_eq!(
        plan_.notes[0].to_string(),
        format!(
            "! certificate {} of \"Enrich claims\" is in certificateList but not valid before 2025-06-17T16:26:40Z; Graph makes it active then",
            f.thumbprint
        )
    );
}

#[test]
fn steps_are_rebound_unbound_or_left_alone() {
    let f = fixture(FILE);
    let mut snapshot = converged(&f);
    snapshot
        .connectors
        .push(basic("id-old", "Old check", "https://old.contoso.com", "u"));
    // SignUp's postAttributeCollection calls the old connector and postFederationSignup calls one that
    // no longer exists; the file wants the first rebound and the second to call nothing.
    snapshot.user_flows[0] = flow(
        "B2C_1_SignUp",
        Family::B2c,
        &[
            (Step::PostFederationSignup, Some("id-gone")),
            (Step::PostAttributeCollection, Some("id-old")),
        ],
    );
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        plan_.actions,
        [
            Action::Unbind {
                flow: "B2C_1_SignUp".into(),
                family: Family::B2c,
                step: Step::PostFederationSignup,
                previous: Bound {
                    connector_id: "id-gone".into(),
                    display_name: None
                },
                reason: UnbindReason::File,
            },
            Action::Bind {
                flow: "B2C_1_SignUp".into(),
                family: Family::B2c,
                step: Step::PostAttributeCollection,
                display_name: "Validate postal code".into(),
                connector_id: Some("id-postal".into()),
                previous: Some(Bound {
                    connector_id: "id-old".into(),
                    display_name: Some("Old check".into())
                }),
            },
        ]
    );
    assert_eq!(
        lines(&plan_),
        [
            "< unbind B2C_1_SignUp.postFederationSignup (was connector id-gone (not found))",
            "> bind B2C_1_SignUp.postAttributeCollection → \"Validate postal code\" (was \"Old check\")",
            "= connector \"Old check\" is not in the file; left alone (prune is off)",
            "! passwords not compared (Graph never returns them) for \"Validate postal code\"; --update-secrets sends them",
            "2 changes: 0 to connectors, 2 to bindings, 0 deletes.",
        ]
    );
    // B2X_1_Partners.postFederationSignup (not in the file) is left as it is.
    assert!(plan_.actions.iter().all(|a| !matches!(a, Action::Bind { flow, .. } | Action::Unbind { flow, .. } if flow == "B2X_1_Partners")));
}

#[test]
fn prune_deletes_absent_connectors_after_unbinding_what_still_calls_them() {
    let f = fixture(&FILE.replace("apiVersion: beta\n", "apiVersion: beta\nprune: true\n"));
    let mut snapshot = converged(&f);
    snapshot
        .connectors
        .push(basic("id-old", "Old check", "https://old.contoso.com", "u"));
    snapshot.connectors.push(basic(
        "id-older",
        "Ancient check",
        "https://older.contoso.com",
        "u",
    ));
    // B2X_1_Partners.postFederationSignup is not in the file and calls the connector prune deletes.
    snapshot.user_flows[1]
        .steps
        .insert(Step::PostFederationSignup, Some("id-old".into()));
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    assert_eq!(
        lines(&plan_),
        [
            "< unbind B2X_1_Partners.postFederationSignup (was \"Old check\"; the connector is deleted by prune)",
            "- delete connector \"Ancient check\" (prune)",
            "- delete connector \"Old check\" (prune)",
            "! passwords not compared (Graph never returns them) for \"Validate postal code\"; --update-secrets sends them",
            "3 changes: 0 to connectors, 1 to bindings, 2 deletes.",
        ]
    );
    assert!(matches!(
        &plan_.actions[0],
        Action::Unbind {
            reason: UnbindReason::Pruned,
            ..
        }
    ));
    assert!(matches!(&plan_.actions[2], Action::DeleteConnector { id, .. } if id == "id-old"));
}

#[test]
fn every_kind_of_action_comes_in_dependency_order() {
    let f = fixture(&FILE.replace("apiVersion: beta\n", "apiVersion: beta\nprune: true\n").replace(
        "userFlows:\n",
        "  New one:\n    targetUrl: https://new.contoso.com\n    authentication: {basic: {username: n, password: {env: POSTAL_PASSWORD}}}\nuserFlows:\n",
    ).replace("postFederationSignup: null", "postFederationSignup: New one"));
    let mut snapshot = converged(&f);
    snapshot.connectors[0].target_url = "https://api.contoso.com/old".into();
    snapshot.connectors[1] = with_certificates(
        "id-enrich",
        "Enrich claims",
        "https://api.contoso.com/enrich",
        vec![],
    );
    snapshot
        .connectors
        .push(basic("id-old", "Old check", "https://old.contoso.com", "u"));
    snapshot.user_flows[1]
        .steps
        .insert(Step::PostFederationSignup, Some("id-old".into()));
    let plan_ = plan(&f.desired, &snapshot, options()).unwrap();
    let phases: Vec<Phase> = plan_.actions.iter().map(Action::phase).collect();
    assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{plan_}");
    let kinds: Vec<&str> = plan_
        .actions
        .iter()
        .map(|a| match a {
            Action::CreateConnector { .. } => "create",
            Action::UpdateConnector { .. } => "update",
            Action::SwitchAuthentication { .. } => "switch",
            Action::UpdateSecret { .. } => "secret",
            Action::UploadCertificate { .. } => "upload",
            Action::Bind { .. } => "bind",
            Action::Unbind { .. } => "unbind",
            Action::DeleteConnector { .. } => "delete",
        })
        .collect();
    assert_eq!(
        kinds,
        ["create", "upload", "update", "bind", "unbind", "delete"],
        "{plan_}"
    );
    assert_eq!(plan_.phase(Phase::Bindings).count(), 2);
    // The same inputs give the same plan.
    assert_eq!(plan(&f.desired, &snapshot, options()).unwrap(), plan_);
    assert_no_secret(&plan_);
}

#[test]
fn a_missing_user_flow_and_an_ambiguous_name_stop_the_plan() {
    let f = fixture(FILE);
    let mut snapshot = converged(&f);
    snapshot.user_flows.remove(1);
    // A b2c flow of the same id does not stand in for the b2x one.
    snapshot
        .user_flows
        .push(flow("B2X_1_Partners", Family::B2c, &[]));
    snapshot.connectors.push(basic(
        "id-postal-2",
        "Validate postal code",
        "https://x.contoso.com",
        "b2c",
    ));
    let errors = plan(&f.desired, &snapshot, options()).unwrap_err();
    assert_eq!(
        errors.0,
        [
            PlanError::AmbiguousConnector {
                display_name: "Validate postal code".into(),
                ids: vec!["id-postal".into(), "id-postal-2".into()]
            },
            PlanError::UserFlowNotFound {
                flow: "B2X_1_Partners".into(),
                family: Family::B2x
            },
        ]
    );
    assert_eq!(
        errors.to_string(),
        "the tenant has 2 connectors named \"Validate postal code\": id-postal, id-postal-2; rename or delete all but one\n\
         user flow B2X_1_Partners (b2x) does not exist in the tenant"
    );
    // Flow ids are Graph's and compared without regard to case.
    let mut snapshot = converged(&f);
    snapshot.user_flows[0].id = "b2c_1_signup".into();
    assert!(plan(&f.desired, &snapshot, options()).unwrap().is_empty());
}
