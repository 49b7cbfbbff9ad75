//! Quick start: the whole life of an API connector.
//!
//! Without credentials in the environment it starts the built-in Graph emulator in-process (a B2C
//! tenant) and runs against it, offline:
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` set (an app with
//! `APIConnectors.ReadWrite.All` and `IdentityUserFlow.ReadWrite.All`), it runs against the real
//! Graph `beta` endpoint of that B2C tenant; `QUICKSTART_FLOW` names the user flow to use
//! (default `B2C_1_SignUp`). It deletes the connector it created at the end.

use std::time::Duration;

use entra_api_connectors::auth::EnvironmentCredential;
use entra_api_connectors::certificate::{testing, unix_now};
use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::prelude::*;
use entra_api_connectors::{GraphClient, auth::StaticToken};
use entra_api_connectors_emulator::{Emulator, EmulatorConfig, TenantKind};
use futures::TryStreamExt;
use secrecy::SecretString;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, flow, _emulator) = match EnvironmentCredential::from_env() {
        Ok(credential) => {
            println!("Using the real Microsoft Graph (credentials from the environment).");
            let client = GraphClient::builder().token_provider(credential).build()?;
            let flow = std::env::var("QUICKSTART_FLOW").unwrap_or_else(|_| "B2C_1_SignUp".into());
            (client, flow, None)
        }
        Err(_) => {
            let emulator = Emulator::start(EmulatorConfig::new(TenantKind::B2c)).await?;
            println!(
                "Started the Graph emulator at {} (a B2C tenant).",
                emulator.base_url()
            );
            let client = GraphClient::builder()
                .base_url(emulator.base_url())
                .token_provider(StaticToken::new(
                    entra_api_connectors_emulator::DEFAULT_TOKEN,
                ))
                .build()?;
            (client, "B2C_1_SignUp".to_string(), Some(emulator))
        }
    };
    let graph = client.beta();
    let connectors = graph.connectors();

    // 1. Create a connector with HTTP basic authentication.
    let new = NewConnector::new(
        "Quickstart: validate postal code",
        "https://api.contoso.example/validate",
        Authentication::basic(
            "b2c-caller",
            SecretString::from("correct horse battery staple"),
        ),
    );
    let created = connectors.create(&new).await?;
    let id = created.id.clone().expect("Graph returns the id");
    println!("1. created connector {id} ({})", describe(&created));

    // 2. List the connectors (following @odata.nextLink).
    let all: Vec<_> = connectors
        .list(ListOptions::default().select(["id", "displayName"]))
        .try_collect()
        .await?;
    println!("2. the tenant has {} connector(s)", all.len());
    for c in &all {
        println!(
            "   - {} {}",
            c.id.as_deref().unwrap_or("?"),
            c.display_name.as_deref().unwrap_or("")
        );
    }

    // 3. Switch it to a client certificate generated on the spot.
    let now = unix_now();
    let pfx_password = SecretString::from("pfx-password-1");
    let first =
        testing::self_signed_pkcs12("quickstart-1", &pfx_password, now - 60, now + 365 * 86_400);
    let first = Pkcs12Upload::from_bytes(&first, pfx_password)?;
    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::Certificate(first)),
        ..ConnectorPatch::default()
    };
    connectors.update(&id, &patch).await?;
    let switched = connectors.get(&id, &[]).await?;
    println!(
        "3. switched to a client certificate ({})",
        describe(&switched)
    );

    // 4. Upload a second certificate (a rollover): the newest valid one becomes active.
    let pfx_password = SecretString::from("pfx-password-2");
    let second =
        testing::self_signed_pkcs12("quickstart-2", &pfx_password, now - 60, now + 730 * 86_400);
    let second = Pkcs12Upload::from_bytes(&second, pfx_password)?;
    let rolled = connectors.upload_certificate(&id, &second).await?;
    println!("4. uploaded a second certificate:");
    for cert in rolled.certificates() {
        println!(
            "   - {} valid {}..{} {}",
            cert.thumbprint,
            cert.not_before,
            cert.not_after,
            if cert.is_active { "(active)" } else { "" }
        );
    }
    let expiring = rolled.certificates_expiring_within(Duration::from_secs(400 * 86_400));
    println!(
        "   {} certificate(s) expire within 400 days",
        expiring.len()
    );

    // 5. Attach it to a step of a user flow.
    let flows = graph.b2c_user_flows();
    flows
        .attach(&flow, Step::PostAttributeCollection, &id)
        .await?;
    println!("5. attached to {flow} / {}", Step::PostAttributeCollection);

    // 6. Read the flow's configuration back: every step of the family, bound or only read.
    let config = flows.configuration(&flow).await?;
    println!("6. {flow} calls:");
    for (step, access) in flows.steps() {
        let name = config
            .connector(step)
            .and_then(|c| c.display_name.as_deref())
            .unwrap_or("(none)");
        println!("   - {step} ({access:?}): {name}");
    }

    // 7. Detach it.
    flows.detach(&flow, Step::PostAttributeCollection).await?;
    let config = flows.configuration(&flow).await?;
    println!(
        "7. detached; {} now calls {}",
        Step::PostAttributeCollection,
        config
            .post_attribute_collection
            .as_ref()
            .map_or("nothing", |_| "a connector")
    );

    // 8. Delete the connector.
    connectors.delete(&id).await?;
    match connectors.get(&id, &[]).await {
        Err(e) if e.is_not_found() => println!("8. deleted; reading it again gives: {e}"),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err("the connector still exists".into()),
    }
    Ok(())
}

fn describe(c: &entra_api_connectors::beta::types::IdentityApiConnector) -> String {
    use entra_api_connectors::beta::types::ApiAuthenticationConfigurationBase as Auth;
    let auth = match &c.authentication_configuration {
        Some(Auth::BasicAuthentication(b)) => format!(
            "basic auth as {}, password {}",
            b.username.as_deref().unwrap_or("?"),
            if b.password.as_ref().is_some_and(|p| p.is_masked()) {
                "masked by Graph"
            } else {
                "not masked!"
            }
        ),
        Some(Auth::ClientCertificateAuthentication(cc)) => {
            format!("{} certificate(s)", cc.certificate_list.len())
        }
        Some(other) => format!("{:?}", other.odata_type()),
        None => "no authentication".into(),
    };
    format!(
        "{} -> {}, {auth}",
        c.display_name.as_deref().unwrap_or(""),
        c.target_url.as_deref().unwrap_or("")
    )
}
