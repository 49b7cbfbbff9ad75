//! Every bad input gets one error with its message, line and column; all of a file's problems come out
//! at once; a good file resolves to the desired state.

mod common;

use std::path::PathBuf;

use common::{DAY, Dir, NOW, SENTINEL, pos, pos_nth};
use entra_api_connectors_desired_state::validate::{ConfigWarningKind, DesiredAuthentication};
use entra_api_connectors_desired_state::{
    ApiVersion, ConfigError, ConfigErrorKind, ConfigFile, DesiredState, Family, FixedEnvironment,
    Format, Step, validate,
};

fn env() -> FixedEnvironment {
    FixedEnvironment::new(NOW)
        .with_variable("POSTAL_PASSWORD", SENTINEL)
        .with_variable("PFX_PASSWORD", "pfx-pass")
}

fn run(
    dir: &Dir,
    name: &str,
    text: &str,
    env: &FixedEnvironment,
) -> Result<DesiredState, Vec<ConfigError>> {
    let path = dir.write(name, text);
    let file = ConfigFile::read(&path).map_err(|e| e.0)?;
    validate(&file, env).map_err(|e| e.0)
}

fn errors(dir: &Dir, name: &str, text: &str) -> Vec<ConfigError> {
    run(dir, name, text, &env()).expect_err("the file has problems")
}

/// The one error of a file, checked against its full text (file, line, column, message).
fn single(dir: &Dir, name: &str, text: &str, at: (usize, usize), message: &str) -> ConfigError {
    let errors = errors(dir, name, text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let error = errors.into_iter().next().unwrap();
    assert_eq!(
        (error.line, error.column),
        (Some(at.0), Some(at.1)),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        format!("{}:{}:{}: {message}", dir.path(name).display(), at.0, at.1)
    );
    error
}

const GOOD: &str = r#"# yaml-language-server: $schema=./apiconn.schema.json
tenant: contoso.onmicrosoft.com
cloud: global
apiVersion: beta
connectors:
  Validate postal code:
    targetUrl: https://api.contoso.com/validate
    authentication:
      basic:
        username: b2c
        password: {env: POSTAL_PASSWORD}
  Enrich claims:
    targetUrl: https://api.contoso.com/enrich
    authentication:
      clientCertificate:
        pfx: certs/enrich.pfx
        password: {file: secrets/pfx.txt}
userFlows:
  B2C_1_SignUp:
    family: b2c
    steps:
      postFederationSignup: ~
      postAttributeCollection: Validate postal code
  B2X_1_Partners:
    family: b2x
    steps:
      postFederationSignup: "Enrich claims"
"#;

fn good_dir() -> (Dir, String) {
    let dir = Dir::new();
    let thumbprint = dir.pfx("certs/enrich.pfx", "pfx-pass", NOW - DAY, NOW + 365 * DAY);
    dir.write("secrets/pfx.txt", "pfx-pass\n");
    (dir, thumbprint)
}

#[test]
fn a_good_file_resolves_secrets_and_certificates() {
    let (dir, thumbprint) = good_dir();
    let desired = run(&dir, "tenant.yaml", GOOD, &env()).unwrap();
    assert_eq!(desired.tenant, "contoso.onmicrosoft.com");
    assert_eq!(desired.api_version, ApiVersion::Beta);
    assert!(!desired.prune);
    assert!(desired.warnings.is_empty());
    let postal = &desired.connectors["Validate postal code"];
    assert_eq!(postal.target_url, "https://api.contoso.com/validate");
    let DesiredAuthentication::Basic { username, password } = &postal.authentication else {
        panic!("basic expected")
    };
    assert_eq!(username, "b2c");
    assert_eq!(secrecy::ExposeSecret::expose_secret(password), SENTINEL);
    let DesiredAuthentication::ClientCertificate(certificate) =
        &desired.connectors["Enrich claims"].authentication
    else {
        panic!("certificate expected")
    };
    assert_eq!(certificate.thumbprint(), thumbprint);
    assert_eq!(certificate.pfx, dir.path("certs/enrich.pfx"));
    // The secret file's trailing line break is not part of the password.
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&certificate.password),
        "pfx-pass"
    );

    let signup = &desired.user_flows["B2C_1_SignUp"];
    assert_eq!(signup.family, Family::B2c);
    assert_eq!(signup.steps[&Step::PostFederationSignup], None);
    assert_eq!(
        signup.steps[&Step::PostAttributeCollection].as_deref(),
        Some("Validate postal code")
    );
    let partners = &desired.user_flows["B2X_1_Partners"];
    assert_eq!(partners.steps.len(), 1, "steps not mentioned are left out");

    // No secret in Debug.
    let debug = format!("{desired:?}");
    assert!(
        !debug.contains(SENTINEL) && !debug.contains("pfx-pass"),
        "{debug}"
    );
}

#[test]
fn json_reads_like_yaml_with_positions_and_surrogate_pairs() {
    let (dir, _) = good_dir();
    // "Enrich \ud83d\udd11" is "Enrich 🔑": a surrogate pair, as json.dumps writes it.
    let json = r#"{
  "$schema": "./apiconn.schema.json",
  "tenant": "contoso.onmicrosoft.com",
  "apiVersion": "beta",
  "connectors": {
    "Enrich \ud83d\udd11": {
      "targetUrl": "https://api.contoso.com/enrich",
      "authentication": {"clientCertificate": {"pfx": "certs/enrich.pfx", "password": {"env": "PFX_PASSWORD"}}}
    }
  },
  "userFlows": {
    "B2C_1_SignUp": {"family": "b2c", "steps": {"postFederationSignup": null, "postAttributeCollection": "Enrich \ud83d\udd11"}}
  }
}"#;
    let desired = run(&dir, "tenant.json", json, &env()).unwrap();
    assert!(desired.connectors.contains_key("Enrich 🔑"));
    assert_eq!(
        desired.user_flows["B2C_1_SignUp"].steps[&Step::PostAttributeCollection].as_deref(),
        Some("Enrich 🔑")
    );
    assert_eq!(
        desired.user_flows["B2C_1_SignUp"].steps[&Step::PostFederationSignup],
        None
    );

    // The same problem in JSON is found at its JSON position.
    let bad = json.replace("\"targetUrl\": \"https://", "\"targetUrl\": \"http://");
    let at = pos(&bad, "\"http://api");
    single(
        &dir,
        "tenant.json",
        &bad,
        at,
        "targetUrl http://api.contoso.com/enrich uses http; Graph calls API connectors over https only",
    );
}

#[test]
fn json_is_strict_and_its_syntax_errors_have_positions() {
    let dir = Dir::new();
    let text = "{\n  \"tenant\": \"contoso.onmicrosoft.com\",\n  \"apiVersion\": \"beta\",\n}\n";
    let errors = errors(&dir, "tenant.json", text);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].kind,
        ConfigErrorKind::Syntax {
            message: "Trailing commas are not allowed".into()
        }
    );
    assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(23)));

    // A comment is YAML, not JSON.
    let errors = errors_of(&dir, "tenant.json", "{\"tenant\": \"x.com\" // no\n}");
    assert!(
        matches!(&errors[0].kind, ConfigErrorKind::Syntax { message } if message == "Comments are not allowed")
    );

    // A top-level array is refused.
    let errors = errors_of(&dir, "tenant.json", "[1]");
    assert_eq!(
        errors[0].to_string(),
        format!(
            "{}:1:1: syntax error: the document must be an object",
            dir.path("tenant.json").display()
        )
    );
}

fn errors_of(dir: &Dir, name: &str, text: &str) -> Vec<ConfigError> {
    errors(dir, name, text)
}

#[test]
fn yaml_syntax_errors_have_positions() {
    let dir = Dir::new();
    let text = "tenant: contoso.onmicrosoft.com\napiVersion: [beta\n";
    let errors = errors(&dir, "tenant.yaml", text);
    assert_eq!(errors.len(), 1);
    assert!(
        matches!(errors[0].kind, ConfigErrorKind::Syntax { .. }),
        "{:?}",
        errors[0]
    );
    assert_eq!(errors[0].line, Some(3));

    let text = "tenant: &t contoso.onmicrosoft.com\napiVersion: beta\n";
    // marked-yaml marks the anchored value, just after the anchor.
    let e = single(
        &dir,
        "tenant.yaml",
        text,
        (1, 12),
        "syntax error: anchors and aliases are not supported",
    );
    assert!(matches!(e.kind, ConfigErrorKind::Syntax { .. }));
}

#[test]
fn unknown_keys_are_all_reported_where_they_are() {
    let (dir, _) = good_dir();
    let text = GOOD
        .replace("cloud: global", "cloud: global\ntenantId: x")
        .replace(
            "    targetUrl: https://api.contoso.com/validate",
            "    targetUrl: https://api.contoso.com/validate\n    timeout: 10",
        )
        .replace(
            "        username: b2c",
            "        username: b2c\n        user: b2c",
        )
        .replace("    family: b2x", "    family: b2x\n    enabled: true");
    let errors = errors(&dir, "tenant.yaml", &text);
    let found: Vec<(String, (usize, usize))> = errors
        .iter()
        .map(|e| match &e.kind {
            ConfigErrorKind::UnknownKey { key, .. } => {
                (key.clone(), (e.line.unwrap(), e.column.unwrap()))
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        found,
        [
            ("tenantId".to_owned(), pos(&text, "tenantId")),
            ("timeout".to_owned(), pos(&text, "timeout")),
            ("user".to_owned(), pos(&text, "user:")),
            ("enabled".to_owned(), pos(&text, "enabled")),
        ]
    );
    let path = dir.path("tenant.yaml");
    let (l, c) = pos(&text, "timeout");
    assert_eq!(
        errors[1].to_string(),
        format!(
            "{}:{l}:{c}: unknown key \"timeout\"; expected targetUrl or authentication (at connectors.\"Validate postal code\".timeout)",
            path.display()
        )
    );
    let (l, c) = pos(&text, "tenantId");
    assert_eq!(
        errors[0].to_string(),
        format!(
            "{}:{l}:{c}: unknown key \"tenantId\"; expected $schema, tenant, cloud, apiVersion, prune, connectors, userFlows, customAuthenticationExtensions, eventsFlows or tokenIssuanceListeners (at tenantId)",
            path.display()
        )
    );
}

#[test]
fn duplicate_connector_names_are_each_reported() {
    let (dir, _) = good_dir();
    let copy = "  Validate postal code:\n    targetUrl: https://api.contoso.com/validate2\n    authentication:\n      basic:\n        username: b2c\n        password: {env: POSTAL_PASSWORD}\n";
    let text = GOOD.replace("userFlows:\n", &format!("{copy}{copy}userFlows:\n"));
    let errors = errors(&dir, "tenant.yaml", &text);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let first = pos_nth(&text, "  Validate postal code:", 0);
    let first = (first.0, first.1 + 2);
    for (i, error) in errors.iter().enumerate() {
        let at = pos_nth(&text, "  Validate postal code:", i + 1);
        let at = (at.0, at.1 + 2);
        assert_eq!((error.line.unwrap(), error.column.unwrap()), at);
        assert_eq!(
            error.kind,
            ConfigErrorKind::DuplicateConnectorName {
                name: "Validate postal code".into(),
                first: entra_api_connectors_desired_state::Position {
                    line: first.0,
                    column: first.1
                },
            }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{}:{}:{}: duplicate connector name \"Validate postal code\" (first at {}:{}); display names must be unique",
                dir.path("tenant.yaml").display(),
                at.0,
                at.1,
                first.0,
                first.1
            )
        );
    }

    // The same in JSON, and a duplicate key elsewhere is a plain duplicate key.
    let json = r#"{"tenant": "contoso.onmicrosoft.com", "apiVersion": "beta",
 "connectors": {"A": {"targetUrl": "https://a.example", "authentication": {"basic": {"username": "u", "password": {"env": "POSTAL_PASSWORD"}}}},
                "A": {"targetUrl": "https://a.example", "authentication": {"basic": {"username": "u", "password": {"env": "POSTAL_PASSWORD"}}}}},
 "apiVersion": "beta"}"#;
    let errors = errors_of(&dir, "tenant.json", json);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        matches!(&errors[0].kind, ConfigErrorKind::DuplicateConnectorName { name, first } if name == "A" && (first.line, first.column) == (2, 17))
    );
    assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(17)));
    assert!(
        matches!(&errors[1].kind, ConfigErrorKind::DuplicateKey { key, first } if key == "apiVersion" && (first.line, first.column) == (1, 39))
    );
    assert_eq!((errors[1].line, errors[1].column), (Some(4), Some(2)));
}

#[test]
fn a_step_bound_to_an_undefined_connector() {
    let (dir, _) = good_dir();
    let text = GOOD.replace(
        "postAttributeCollection: Validate postal code",
        "postAttributeCollection: Validate postcode",
    );
    let at = pos(&text, "Validate postcode");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "step postAttributeCollection of user flow B2C_1_SignUp names connector \"Validate postcode\", which the file does not define",
    );
    assert_eq!(
        e.kind,
        ConfigErrorKind::UndefinedConnector {
            flow: "B2C_1_SignUp".into(),
            step: Step::PostAttributeCollection,
            name: "Validate postcode".into()
        }
    );

    // A quoted "null" is a name, not null.
    let text = GOOD.replace("postFederationSignup: ~", "postFederationSignup: \"null\"");
    let at = pos(&text, "\"null\"");
    single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "step postFederationSignup of user flow B2C_1_SignUp names connector \"null\", which the file does not define",
    );
}

#[test]
fn pre_token_issuance_cannot_be_bound_in_either_version() {
    let (dir, _) = good_dir();
    let text = GOOD.replace(
        "      postFederationSignup: ~\n",
        "      postFederationSignup: ~\n      preTokenIssuance: Validate postal code\n",
    );
    let at = pos(&text, "preTokenIssuance");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "step preTokenIssuance cannot be bound in user flow B2C_1_SignUp: Graph beta offers no $ref binding of it for b2c user flows",
    );
    assert_eq!(
        e.kind,
        ConfigErrorKind::StepNotBindable {
            flow: "B2C_1_SignUp".into(),
            step: Step::PreTokenIssuance,
            version: ApiVersion::Beta,
            family: Family::B2c
        }
    );

    // v1.0, b2x: also not bindable (and the b2c flow is gone, so it is the only error).
    let v1 = "tenant: contoso.onmicrosoft.com\napiVersion: v1.0\nuserFlows:\n  B2X_1_Partners:\n    family: b2x\n    steps:\n      preTokenIssuance: null\n";
    single(
        &dir,
        "v1.yaml",
        v1,
        (7, 7),
        "step preTokenIssuance cannot be bound in user flow B2X_1_Partners: Graph v1.0 offers no $ref binding of it for b2x user flows",
    );
}

#[test]
fn b2c_user_flows_do_not_exist_in_v1() {
    let dir = Dir::new();
    let text = "tenant: contoso.onmicrosoft.com\napiVersion: v1.0\nuserFlows:\n  B2C_1_SignUp:\n    family: b2c\n    steps:\n      postAttributeCollection: null\n";
    let e = single(
        &dir,
        "tenant.yaml",
        text,
        (5, 13),
        "user flow B2C_1_SignUp: family b2c does not exist in Graph v1.0 (b2cUserFlows is beta only)",
    );
    assert_eq!(
        e.kind,
        ConfigErrorKind::FamilyUnavailable {
            flow: "B2C_1_SignUp".into(),
            family: Family::B2c,
            version: ApiVersion::V1
        }
    );
}

#[test]
fn user_flow_ids_carry_their_family_prefix() {
    let dir = Dir::new();
    let text = "tenant: contoso.onmicrosoft.com\napiVersion: beta\nuserFlows:\n  B2X_1_SignUp:\n    family: b2c\n";
    single(
        &dir,
        "tenant.yaml",
        text,
        (4, 3),
        "user flow id B2X_1_SignUp does not start with B2C_1_, the prefix Graph gives every b2c user flow",
    );
    // Graph's ids are matched without regard to case.
    let text = text.replace("B2X_1_SignUp", "b2c_1_signup");
    assert!(run(&dir, "tenant.yaml", &text, &env()).is_ok());
}

#[test]
fn an_http_target_url_is_refused() {
    let (dir, _) = good_dir();
    let text = GOOD.replace(
        "targetUrl: https://api.contoso.com/validate",
        "targetUrl: http://api.contoso.com/validate",
    );
    let at = pos(&text, "http://");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "targetUrl http://api.contoso.com/validate uses http; Graph calls API connectors over https only",
    );
    assert!(matches!(e.kind, ConfigErrorKind::InsecureTargetUrl { .. }));

    let text = GOOD.replace(
        "targetUrl: https://api.contoso.com/validate",
        &format!("targetUrl: https://b2c:{SENTINEL}@api.contoso.com/validate"),
    );
    let at = pos(&text, "https://b2c:");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "targetUrl holds credentials (user:password@); put them under authentication",
    );
    assert!(!format!("{e:?}").contains(SENTINEL));

    let text = GOOD.replace(
        "targetUrl: https://api.contoso.com/validate",
        "targetUrl: /validate",
    );
    let at = pos(&text, "/validate\n");
    single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "targetUrl is not an absolute URL (relative URL without a base)",
    );
}

#[test]
fn an_unset_variable_and_a_missing_secret_file() {
    let (dir, _) = good_dir();
    let text = GOOD.replace("{env: POSTAL_PASSWORD}", "{env: POSTAL_PASSWORD_TYPO}");
    let at = pos(&text, "{env: POSTAL_PASSWORD_TYPO}");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        "environment variable POSTAL_PASSWORD_TYPO is not set (at connectors.\"Validate postal code\".authentication.basic.password)",
    );
    assert_eq!(
        e.kind,
        ConfigErrorKind::VariableUnset {
            name: "POSTAL_PASSWORD_TYPO".into()
        }
    );

    let text = GOOD.replace("{file: secrets/pfx.txt}", "{file: secrets/missing.txt}");
    let at = pos(&text, "{file: secrets/missing.txt}");
    let missing = dir.path("secrets/missing.txt");
    let e = single(
        &dir,
        "tenant.yaml",
        &text,
        at,
        &format!(
            "secret file {} does not exist (at connectors.\"Enrich claims\".authentication.clientCertificate.password)",
            missing.display()
        ),
    );
    assert_eq!(e.kind, ConfigErrorKind::SecretFileMissing { path: missing });

    // An empty basic password is refused; an empty .pfx password is allowed (a .pfx without password).
    let env = FixedEnvironment::new(NOW)
        .with_variable("POSTAL_PASSWORD", "")
        .with_variable("PFX_PASSWORD", "");
    let errors = run(&dir, "tenant.yaml", GOOD, &env).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, ConfigErrorKind::EmptyPassword);
}

#[test]
fn a_pfx_that_does_not_open_or_has_expired() {
    let (dir, _) = good_dir();
    let at = pos(GOOD, "certs/enrich.pfx");

    // Wrong password.
    dir.write("secrets/pfx.txt", "not-the-password");
    let e = single(
        &dir,
        "tenant.yaml",
        GOOD,
        at,
        &format!(
            ".pfx file {} does not open with its password",
            dir.path("certs/enrich.pfx").display()
        ),
    );
    assert_eq!(
        e.kind,
        ConfigErrorKind::PfxWrongPassword {
            path: dir.path("certs/enrich.pfx")
        }
    );
    assert!(!e.to_string().contains("not-the-password"));
    dir.write("secrets/pfx.txt", "pfx-pass");

    // Expired.
    let thumbprint = dir.pfx("certs/enrich.pfx", "pfx-pass", NOW - 400 * DAY, NOW - DAY);
    let e = single(
        &dir,
        "tenant.yaml",
        GOOD,
        at,
        &format!(
            "the certificate in {} (thumbprint {thumbprint}) expired at 2025-06-14T16:26:40Z (notAfter {})",
            dir.path("certs/enrich.pfx").display(),
            NOW - DAY
        ),
    );
    assert!(matches!(e.kind, ConfigErrorKind::PfxExpired { .. }));

    // Not a PKCS#12 file.
    dir.write("certs/enrich.pfx", "-----BEGIN CERTIFICATE-----\n");
    single(
        &dir,
        "tenant.yaml",
        GOOD,
        at,
        &format!(
            ".pfx file {} is not usable: data is not a PKCS#12 (.pfx) archive",
            dir.path("certs/enrich.pfx").display()
        ),
    );

    // Missing.
    std::fs::remove_file(dir.path("certs/enrich.pfx")).unwrap();
    single(
        &dir,
        "tenant.yaml",
        GOOD,
        at,
        &format!(
            "cannot read .pfx file {}: the file does not exist",
            dir.path("certs/enrich.pfx").display()
        ),
    );

    // Not valid yet: accepted, with a warning.
    let thumbprint = dir.pfx("certs/enrich.pfx", "pfx-pass", NOW + DAY, NOW + 365 * DAY);
    let desired = run(&dir, "tenant.yaml", GOOD, &env()).unwrap();
    assert_eq!(desired.warnings.len(), 1);
    assert_eq!(
        desired.warnings[0].kind,
        ConfigWarningKind::CertificateNotYetValid {
            path: dir.path("certs/enrich.pfx"),
            thumbprint: thumbprint.clone(),
            not_before: NOW + DAY
        }
    );
    assert_eq!(
        desired.warnings[0].to_string(),
        format!(
            "{}:{}:{}: warning: the certificate in {} (thumbprint {thumbprint}) is not valid before 2025-06-16T16:26:40Z; Graph makes it active only then",
            dir.path("tenant.yaml").display(),
            at.0,
            at.1,
            dir.path("certs/enrich.pfx").display()
        )
    );
}

#[test]
fn an_inline_password_is_refused_and_never_repeated() {
    let (dir, _) = good_dir();
    for replacement in [
        SENTINEL.to_owned(),
        format!("\"{SENTINEL}\""),
        format!("{{{SENTINEL}: x}}"),
    ] {
        let text = GOOD.replace("{env: POSTAL_PASSWORD}", &replacement);
        let errors = errors(&dir, "tenant.yaml", &text);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let shown = format!("{} {:?}", errors[0], errors[0]);
        // A mapping's key is a key, not a secret; only the scalar forms must not be repeated.
        if !replacement.starts_with('{') {
            assert_eq!(errors[0].kind, ConfigErrorKind::InlineSecret);
            assert!(!shown.contains(SENTINEL), "{shown}");
            let at = pos(&text, SENTINEL);
            let at = if replacement.starts_with('"') {
                (at.0, at.1 - 1)
            } else {
                at
            };
            assert_eq!((errors[0].line.unwrap(), errors[0].column.unwrap()), at);
            assert_eq!(
                errors[0].to_string(),
                format!(
                    "{}:{}:{}: a password cannot be written into the file; use {{env: VARIABLE}} or {{file: PATH}} (at connectors.\"Validate postal code\".authentication.basic.password)",
                    dir.path("tenant.yaml").display(),
                    at.0,
                    at.1
                )
            );
        } else {
            assert!(
                matches!(&errors[0].kind, ConfigErrorKind::UnknownKey { expected, .. } if expected == &["env", "file"])
            );
        }
    }
}

#[test]
fn structural_problems_have_positions() {
    let dir = Dir::new();
    // Missing keys: at the start of the mapping that lacks them.
    let text = "cloud: global\n";
    let errors = errors(&dir, "tenant.yaml", text);
    let shown: Vec<String> = errors.iter().map(|e| e.kind.to_string()).collect();
    assert_eq!(shown, ["missing key tenant", "missing key apiVersion"]);
    assert!(
        errors
            .iter()
            .all(|e| (e.line, e.column) == (Some(1), Some(1)))
    );

    let base = "tenant: contoso.onmicrosoft.com\napiVersion: beta\n";
    // An unknown value.
    single(
        &dir,
        "a.yaml",
        "tenant: contoso.onmicrosoft.com\napiVersion: v2\n",
        (2, 13),
        "unknown value \"v2\"; expected beta or v1.0 (at apiVersion)",
    );
    // A quoted boolean is a string.
    single(
        &dir,
        "b.yaml",
        &format!("{base}prune: \"true\"\n"),
        (3, 8),
        "expected true or false, found a string (at prune)",
    );
    // A connector without targetUrl: at the connector's mapping.
    let text = format!(
        "{base}connectors:\n  A:\n    authentication: {{basic: {{username: u, password: {{env: POSTAL_PASSWORD}}}}}}\n"
    );
    single(
        &dir,
        "c.yaml",
        &text,
        (5, 5),
        "missing key targetUrl (at connectors.A)",
    );
    // Both authentications.
    let text = format!(
        "{base}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      basic: {{username: u, password: {{env: POSTAL_PASSWORD}}}}\n      clientCertificate: {{pfx: a.pfx, password: {{env: PFX_PASSWORD}}}}\n"
    );
    let e = single(
        &dir,
        "d.yaml",
        &text,
        (7, 7),
        "expected exactly one of basic, clientCertificate, found basic, clientCertificate (at connectors.A.authentication)",
    );
    assert!(matches!(e.kind, ConfigErrorKind::ExactlyOne { .. }));
    // An unknown authentication.
    let text = format!(
        "{base}connectors:\n  A:\n    targetUrl: https://a.example\n    authentication:\n      oauth: {{}}\n"
    );
    single(
        &dir,
        "e.yaml",
        &text,
        (7, 7),
        "unknown key \"oauth\"; expected basic or clientCertificate (at connectors.A.authentication.oauth)",
    );
    // A step that does not exist.
    let text = format!(
        "{base}userFlows:\n  B2C_1_x:\n    family: b2c\n    steps:\n      postSignIn: null\n"
    );
    single(
        &dir,
        "f.yaml",
        &text,
        (7, 7),
        "unknown key \"postSignIn\"; expected postFederationSignup, postAttributeCollection or preTokenIssuance (at userFlows.B2C_1_x.steps.postSignIn)",
    );
    // A mapping where a string belongs.
    single(
        &dir,
        "g.yaml",
        "tenant: {id: x}\napiVersion: beta\n",
        (1, 9),
        "expected a string, found a mapping (at tenant)",
    );
    // An invalid tenant.
    single(
        &dir,
        "h.yaml",
        "tenant: contoso\napiVersion: beta\n",
        (1, 9),
        "tenant \"contoso\" is neither a tenant id (GUID) nor a domain name",
    );
    // `connectors:` with nothing after it is an empty mapping.
    assert!(
        run(
            &dir,
            "i.yaml",
            &format!("{base}connectors:\nuserFlows:\n"),
            &env()
        )
        .is_ok()
    );
}

#[test]
fn every_problem_of_a_file_comes_out_at_once_in_file_order() {
    let dir = Dir::new();
    let text = r#"tenant: contoso.onmicrosoft.com
apiVersion: v1.0
colud: global
connectors:
  A:
    targetUrl: http://a.example
    authentication:
      basic: {username: "", password: {env: NOPE}}
  B:
    targetUrl: https://b.example
    authentication:
      clientCertificate: {pfx: missing.pfx, password: {env: PFX_PASSWORD}}
  C:
    authentication: {basic: {username: u, password: {env: POSTAL_PASSWORD}}}
userFlows:
  B2C_1_SignUp:
    family: b2c
    steps:
      postAttributeCollection: Z
  B2X_1_Partners:
    family: b2x
    steps:
      preTokenIssuance: C
      postFederationSignup: Y
"#;
    let errors = errors(&dir, "tenant.yaml", text);
    let kinds: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{} {}", e.line.unwrap(), e.column.unwrap(), e.kind))
        .collect();
    let missing = dir.path("missing.pfx");
    assert_eq!(
        kinds,
        [
            "3:1 unknown key \"colud\"; expected $schema, tenant, cloud, apiVersion, prune, connectors, userFlows, customAuthenticationExtensions, eventsFlows or tokenIssuanceListeners".to_owned(),
            "6:16 targetUrl http://a.example uses http; Graph calls API connectors over https only".to_owned(),
            "8:25 username is empty".to_owned(),
            "8:39 environment variable NOPE is not set".to_owned(),
            format!("12:32 cannot read .pfx file {}: the file does not exist", missing.display()),
            "14:5 missing key targetUrl".to_owned(),
            "17:13 user flow B2C_1_SignUp: family b2c does not exist in Graph v1.0 (b2cUserFlows is beta only)".to_owned(),
            "19:32 step postAttributeCollection of user flow B2C_1_SignUp names connector \"Z\", which the file does not define".to_owned(),
            "23:7 step preTokenIssuance cannot be bound in user flow B2X_1_Partners: Graph v1.0 offers no $ref binding of it for b2x user flows".to_owned(),
            "24:29 step postFederationSignup of user flow B2X_1_Partners names connector \"Y\", which the file does not define".to_owned(),
        ]
    );
}

#[test]
fn the_format_comes_from_the_extension_or_the_text() {
    assert_eq!(Format::from_path("a.JSON".as_ref()), Some(Format::Json));
    assert_eq!(Format::from_path("a.yml".as_ref()), Some(Format::Yaml));
    assert_eq!(Format::from_path("a".as_ref()), None);
    let dir = Dir::new();
    // No extension: JSON text is read as JSON (the surrogate pair proves it), YAML text as YAML.
    let json = "{\"tenant\": \"contoso.onmicrosoft.com\", \"apiVersion\": \"beta\", \"userFlows\": {\"B2C_1_\\ud83d\\udd11\": {\"family\": \"b2c\"}}}";
    let desired = run(&dir, "tenant", json, &env()).unwrap();
    assert!(desired.user_flows.contains_key("B2C_1_🔑"));
    let yaml = "{tenant: contoso.onmicrosoft.com, apiVersion: beta}";
    assert!(run(&dir, "tenant", yaml, &env()).is_ok());
    // A file that cannot be read.
    let err = ConfigFile::read(dir.path("nothing.yaml")).unwrap_err();
    assert!(matches!(err.0[0].kind, ConfigErrorKind::Read { .. }));
    assert_eq!(err.0[0].path, Some(dir.path("nothing.yaml")));
}

#[test]
fn configuration_reads_the_structure_without_resolving_secrets() {
    let dir = Dir::new();
    // Secrets unset and the .pfx missing: the structure is fine all the same.
    let path = dir.write("tenant.yaml", GOOD);
    let configuration = ConfigFile::read(&path).unwrap().configuration().unwrap();
    assert_eq!(configuration.connectors.len(), 2);
    assert_eq!(
        configuration.connectors.keys().collect::<Vec<_>>(),
        ["Validate postal code", "Enrich claims"],
        "file order is kept"
    );
    // serde_json reads the same configuration from its JSON form.
    let json = serde_json::to_string(&configuration).unwrap();
    let back: entra_api_connectors_desired_state::Configuration =
        serde_json::from_str(&json).unwrap();
    assert_eq!(back, configuration);
    let reparsed = ConfigFile::parse(&json, Format::Json, None, PathBuf::from("."))
        .unwrap()
        .configuration()
        .unwrap();
    assert_eq!(reparsed, configuration);
}

#[test]
fn a_configuration_built_in_code_is_validated_without_positions() {
    let dir = Dir::new();
    let path = dir.write(
        "tenant.yaml",
        GOOD.replace("https://api.contoso.com/validate", "http://x.example"),
    );
    let configuration = ConfigFile::read(&path).unwrap().configuration().unwrap();
    let errors = entra_api_connectors_desired_state::validate_configuration(
        &configuration,
        dir.root(),
        &env(),
    )
    .unwrap_err();
    assert_eq!(errors.0.len(), 3, "{errors}");
    assert!(
        errors
            .0
            .iter()
            .all(|e| e.line.is_none() && e.path.is_none())
    );
    assert_eq!(
        errors.to_string(),
        format!(
            "targetUrl http://x.example uses http; Graph calls API connectors over https only\n\
             secret file {} does not exist (at connectors.\"Enrich claims\".authentication.clientCertificate.password)\n\
             cannot read .pfx file {}: the file does not exist",
            dir.path("secrets/pfx.txt").display(),
            dir.path("certs/enrich.pfx").display()
        )
    );
}
