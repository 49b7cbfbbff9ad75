//! Export writes a file that the loader reads back, and whose plan against the same tenant is empty.

mod common;

use std::collections::BTreeMap;

use common::{DAY, Dir, NOW, SENTINEL};
use entra_api_connectors_desired_state::model::Cloud;
use entra_api_connectors_desired_state::plan::Note;
use entra_api_connectors_desired_state::snapshot::{
    AuthenticationSnapshot, CertificateSnapshot, ConnectorSnapshot, Snapshot, UserFlowSnapshot,
};
use entra_api_connectors_desired_state::{
    ApiVersion, ConfigFile, ExportTarget, Family, FixedEnvironment, PlanOptions, Step, export,
    plan, validate,
};

fn target(version: ApiVersion) -> ExportTarget {
    ExportTarget {
        tenant: "contoso.onmicrosoft.com".into(),
        cloud: Cloud::Global,
        api_version: version,
        schema: Some("./apiconn.schema.json".into()),
    }
}

fn basic(id: &str, name: &str, username: &str) -> ConnectorSnapshot {
    ConnectorSnapshot {
        id: id.into(),
        display_name: name.into(),
        target_url: format!("https://api.contoso.com/{id}"),
        authentication: AuthenticationSnapshot::Basic {
            username: username.into(),
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

#[test]
fn the_exported_text() {
    let snapshot = Snapshot {
        connectors: vec![
            basic("c1", "Validate postal code", "b2c"),
            ConnectorSnapshot {
                id: "c2".into(),
                display_name: "Enrich claims".into(),
                target_url: "https://api.contoso.com/enrich".into(),
                authentication: AuthenticationSnapshot::ClientCertificate {
                    certificate_list: vec![
                        CertificateSnapshot {
                            thumbprint: "AAAA".into(),
                            not_before: 1_666_350_522,
                            not_after: 1_697_886_522,
                            is_active: false,
                        },
                        CertificateSnapshot {
                            thumbprint: "BBBB".into(),
                            not_before: 1_697_886_522,
                            not_after: 1_729_508_922,
                            is_active: true,
                        },
                    ],
                },
            },
            ConnectorSnapshot {
                id: "c3".into(),
                display_name: "Future".into(),
                target_url: "https://api.contoso.com/future".into(),
                authentication: AuthenticationSnapshot::Unknown {
                    odata_type: Some("#microsoft.graph.oAuth2".into()),
                },
            },
        ],
        user_flows: vec![
            flow(
                "B2C_1_SignUp",
                Family::B2c,
                &[
                    (Step::PostFederationSignup, None),
                    (Step::PostAttributeCollection, Some("c1")),
                    (Step::PreTokenIssuance, Some("c2")),
                ],
            ),
            flow(
                "B2X_1_Partners",
                Family::B2x,
                &[(Step::PostAttributeCollection, Some("c3"))],
            ),
        ],
    };
    let exported = export(&snapshot, &target(ApiVersion::Beta));
    assert_eq!(
        exported.text,
        r#"# Exported from tenant contoso.onmicrosoft.com (global, Graph beta).
# Graph returns no secret: set the environment variables named below, and put each certificate
# connector's active .pfx at its path, before running plan.
# yaml-language-server: $schema=./apiconn.schema.json
tenant: "contoso.onmicrosoft.com"
cloud: global
apiVersion: beta
connectors:
  "Enrich claims":
    targetUrl: "https://api.contoso.com/enrich"
    # certificateList:
    #   AAAA notBefore 2022-10-21T11:08:42Z notAfter 2023-10-21T11:08:42Z
    #   BBBB notBefore 2023-10-21T11:08:42Z notAfter 2024-10-21T11:08:42Z (active)
    # Put the .pfx of the active certificate (BBBB) at certificates/enrich-claims.pfx.
    authentication:
      clientCertificate:
        pfx: "certificates/enrich-claims.pfx"
        password: {env: APICONN_ENRICH_CLAIMS_PASSWORD}
  "Validate postal code":
    targetUrl: "https://api.contoso.com/c1"
    authentication:
      basic:
        username: "b2c"
        password: {env: APICONN_VALIDATE_POSTAL_CODE_PASSWORD}
userFlows:
  "B2C_1_SignUp":
    family: b2c
    steps:
      postFederationSignup: null
      postAttributeCollection: "Validate postal code"
  "B2X_1_Partners":
    family: b2x
    steps: {}
# Left out:
# - connector "Future" (id c3) uses an authentication type this format cannot describe (#microsoft.graph.oAuth2)
# - step preTokenIssuance of user flow "B2C_1_SignUp" calls connector c2, but Graph beta cannot bind it; it is left as it is
# - step postAttributeCollection of user flow "B2X_1_Partners" calls connector c3, which is not exported; it is left as it is
"#
    );
    assert_eq!(exported.variables.len(), 2);
    assert_eq!(
        exported.certificates[0].active_thumbprint.as_deref(),
        Some("BBBB")
    );
    assert_eq!(exported.skipped.len(), 3);

    // In v1.0 a b2c flow cannot be described at all.
    let exported = export(&snapshot, &target(ApiVersion::V1));
    assert!(exported.text.contains(
        "# - user flow \"B2C_1_SignUp\" is of family b2c, which Graph v1.0 does not have\n"
    ));
    assert!(!exported.text.contains("  \"B2C_1_SignUp\":"));
}

#[test]
fn export_then_plan_against_the_same_tenant_has_no_changes() {
    let dir = Dir::new();
    let pfx_password = "export-pfx-pass";
    let thumbprint = dir.pfx("made.pfx", pfx_password, NOW - DAY, NOW + 365 * DAY);
    let names = [
        "Validate postal code",
        "Name with \"quotes\", a \\ backslash: and # hash",
        "null",
        "true",
        "  leading and trailing  ",
        "Schlüssel 🔑",
        "A-B",
        "A B",
        "line\nbreak",
        "- dash",
    ];
    let mut connectors: Vec<ConnectorSnapshot> = names
        .iter()
        .enumerate()
        .map(|(i, name)| basic(&format!("id-{i}"), name, &format!("user {i}")))
        .collect();
    connectors.push(ConnectorSnapshot {
        id: "id-cert".into(),
        display_name: "Enrich: claims".into(),
        target_url: "https://api.contoso.com/enrich?x=1&y=2".into(),
        authentication: AuthenticationSnapshot::ClientCertificate {
            certificate_list: vec![
                CertificateSnapshot {
                    thumbprint: "0".repeat(40),
                    not_before: NOW - 400 * DAY,
                    not_after: NOW - DAY,
                    is_active: false,
                },
                CertificateSnapshot {
                    thumbprint: thumbprint.clone(),
                    not_before: NOW - DAY,
                    not_after: NOW + 365 * DAY,
                    is_active: true,
                },
            ],
        },
    });
    connectors.push(ConnectorSnapshot {
        id: "id-unknown".into(),
        display_name: "Future".into(),
        target_url: "https://api.contoso.com/future".into(),
        authentication: AuthenticationSnapshot::Unknown { odata_type: None },
    });
    let snapshot = Snapshot {
        connectors,
        user_flows: vec![
            flow(
                "B2C_1_SignUp",
                Family::B2c,
                &[
                    (Step::PostFederationSignup, None),
                    (Step::PostAttributeCollection, Some("id-1")),
                    (Step::PreTokenIssuance, Some("id-2")),
                ],
            ),
            flow(
                "B2X_1_Partners",
                Family::B2x,
                &[
                    (Step::PostFederationSignup, Some("id-cert")),
                    (Step::PostAttributeCollection, Some("id-unknown")),
                ],
            ),
            flow("B2C_1_Empty", Family::B2c, &[]),
        ],
    };

    let exported = export(&snapshot, &target(ApiVersion::Beta));
    let path = dir.write("tenant.yaml", &exported.text);
    // The .pfx of the active certificate goes where the file says.
    assert_eq!(exported.certificates.len(), 1);
    assert_eq!(
        exported.certificates[0].active_thumbprint.as_deref(),
        Some(thumbprint.as_str())
    );
    std::fs::create_dir_all(dir.path("certificates")).unwrap();
    std::fs::copy(
        dir.path("made.pfx"),
        dir.root().join(&exported.certificates[0].pfx),
    )
    .unwrap();
    // Every variable set; each name distinct.
    let mut env = FixedEnvironment::new(NOW);
    let mut seen = std::collections::BTreeSet::new();
    for secret in &exported.variables {
        assert!(
            seen.insert(secret.variable.clone()),
            "{} twice",
            secret.variable
        );
        let value = if secret.display_name == "Enrich: claims" {
            pfx_password
        } else {
            SENTINEL
        };
        env = env.with_variable(&secret.variable, value);
    }
    assert_eq!(exported.variables.len(), names.len() + 1);

    let file = ConfigFile::read(&path).unwrap();
    let desired = validate(&file, &env).unwrap_or_else(|e| panic!("{e}\n{}", exported.text));
    for name in names {
        assert!(
            desired.connectors.contains_key(name),
            "{name:?} lost in\n{}",
            exported.text
        );
    }
    assert_eq!(desired.user_flows["B2C_1_Empty"].steps.len(), 0);
    let plan = plan(&desired, &snapshot, PlanOptions::new(NOW)).unwrap();
    assert!(plan.is_empty(), "{plan}\n{}", exported.text);
    // What export left out is left alone, and said so.
    assert!(plan.notes.contains(&Note::LeftAlone {
        id: "id-unknown".into(),
        display_name: "Future".into()
    }));
    assert!(!plan.to_string().contains(SENTINEL));
}
