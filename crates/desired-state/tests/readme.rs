//! The root README's "Connectors as code" section: its example file is valid, and planning it
//! against an empty emulated tenant prints exactly the plan the README shows.

mod common;

use common::emulated::{World, now};
use entra_api_connectors_desired_state::{
    ConfigFile, FixedEnvironment, PlanOptions, plan_tenant, validate,
};
use entra_api_connectors_emulator::{EmulatorConfig, TenantKind};

/// The body of the first fenced block with `lang` after `heading`.
fn block<'a>(text: &'a str, heading: &str, lang: &str) -> &'a str {
    let section = &text[text.find(heading).expect("the section")..];
    let fence = format!("```{lang}\n");
    let start = section.find(&fence).expect("the block") + fence.len();
    let len = section[start..].find("```").unwrap();
    &section[start..start + len]
}

#[tokio::test]
async fn the_readme_example_is_valid_and_plans_as_shown() {
    let readme = include_str!("../../../README.md");
    let example = block(readme, "## Connectors as code", "yaml");
    let shown = block(readme, "## Connectors as code", "text");
    assert!(example.starts_with("# yaml-language-server: $schema=./schemas/apiconn.schema.json\n"));

    let world = World::start(EmulatorConfig::new(TenantKind::B2c).tenant(
        "0b7a7c4e-1f2d-4c3b-9a8e-5d6f7a8b9c0d",
        "contoso.onmicrosoft.com",
    ))
    .await;
    let thumbprint = world.pfx("certificates/enrich-claims.pfx", 1);
    let path = world.dir.write("tenant.yaml", example);
    let env = FixedEnvironment::new(now())
        .with_variable("APICONN_VALIDATE_POSTAL_CODE_PASSWORD", "readme-password")
        .with_variable(
            "APICONN_ENRICH_CLAIMS_PASSWORD",
            common::emulated::PFX_PASSWORD,
        );
    let desired =
        validate(&ConfigFile::read(&path).unwrap(), &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(desired.connectors.len(), 2);
    assert_eq!(desired.user_flows.len(), 2);
    let plan = plan_tenant(&desired, &world.beta(), PlanOptions::new(now()), 4)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        format!("{plan}\n"),
        shown.replace("<THUMBPRINT>", &thumbprint)
    );
}

#[test]
fn the_readme_migrate_output_is_what_migrate_prints_and_writes() {
    use entra_api_connectors_desired_state::migrate::{MigrateOptions, migrate};
    let readme = include_str!("../../../README.md");
    let b2c = block(readme, "## Connectors as code", "yaml");
    let table = block(readme, "## Moving from Azure AD B2C", "text");
    let file = block(readme, "## Moving from Azure AD B2C", "yaml");
    let configuration = ConfigFile::parse(
        b2c,
        entra_api_connectors_desired_state::Format::Yaml,
        None,
        ".",
    )
    .unwrap()
    .configuration()
    .unwrap();
    let options = MigrateOptions::new()
        .api_app_id("11111111-2222-3333-4444-555555555555")
        .target_tenant("contosoexternal.onmicrosoft.com")
        .application("B2C_1_SignUp", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        .application("B2C_1_SignUpSignIn", "aaaaaaaa-bbbb-cccc-dddd-ffffffffffff");
    let migration = migrate(&configuration, &options).unwrap();
    assert_eq!(migration.table(), table);
    assert_eq!(
        entra_api_connectors_desired_state::write::to_yaml(&migration.configuration),
        file
    );
    validate(
        &ConfigFile::parse(
            file,
            entra_api_connectors_desired_state::Format::Yaml,
            None,
            ".",
        )
        .unwrap(),
        &FixedEnvironment::new(0),
    )
    .unwrap();
}
