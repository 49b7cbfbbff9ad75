//! `apiconn simulate signup`: ask the emulator to play a sign-up on a user flow and call the API
//! connectors bound to it (the emulator-only route `POST /{version}/emulator/userFlows/{id}/simulateSignUp`).

use entra_api_connectors_emulator::{DEFAULT_TOKEN, SignUpInput, Transcript};

use crate::cli::Format;
use crate::cli::{Global, SimulateCommand};
use crate::credential::{GRAPH_TOKEN, process_env};
use crate::dry_run::{self, Planned};
use crate::{Failure, Outcome, network, output};

/// Run a simulate command. Prints the transcript (as JSON or YAML with `--output`); the exit code is 0
/// whatever the sign-up's outcome, 1 when the simulation could not run.
pub async fn run(global: &Global, command: SimulateCommand) -> Outcome {
    let SimulateCommand::Signup {
        flow,
        claims,
        identity_provider,
        client_id,
        ui_locales,
        dry_run,
    } = command;
    let Some(base_url) = &global.base_url else {
        return Err(Failure::Usage(
            "simulate needs --base-url: sign-ups are simulated by the emulator only".into(),
        ));
    };
    let text = std::fs::read(&claims)
        .map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", claims.display())))?;
    let claims = serde_json::from_slice(&text).map_err(|e| {
        Failure::Runtime(format!(
            "{} is not a JSON object of claims: {e}",
            claims.display()
        ))
    })?;
    let input = SignUpInput {
        claims,
        identity_provider,
        client_id,
        ui_locales,
        ..SignUpInput::default()
    };
    let version = global.api_version.as_str();
    let mut url = url::Url::parse(base_url)
        .map_err(|e| Failure::Usage(format!("--base-url {base_url}: {e}")))?;
    url.path_segments_mut()
        .map_err(|()| Failure::Usage(format!("--base-url {base_url} cannot have a path")))?
        .pop_if_empty()
        .extend([version, "emulator", "userFlows", &flow, "simulateSignUp"]);
    if dry_run.dry_run {
        let body = output::to_json(&input)?;
        return dry_run::emit_planned(
            global,
            &[Planned {
                method: "POST".into(),
                url: url.to_string(),
                headers: vec![
                    ("Accept", "application/json"),
                    ("Content-Type", "application/json"),
                    ("User-Agent", network::USER_AGENT),
                ],
                body: Some(body),
            }],
        );
    }
    // The emulator's token: GRAPH_TOKEN, or the emulator's default one.
    let token = process_env(GRAPH_TOKEN).unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
    let response = network::http_client(global)?
        .post(url.clone())
        .bearer_auth(token.trim())
        .json(&input)
        .send()
        .await
        .map_err(|e| Failure::Runtime(format!("POST {url}: {e}")))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| Failure::Runtime(format!("POST {url}: {e}")))?;
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        return Err(Failure::Runtime(format!(
            "the emulator answered {status}: {message}"
        )));
    }
    let transcript: Transcript = serde_json::from_slice(&body)
        .map_err(|e| Failure::Runtime(format!("unexpected answer from the emulator: {e}")))?;
    match global.format() {
        Format::Table => {
            println!("{transcript}");
            Ok(())
        }
        format => output::emit(format, &transcript, String::new),
    }
}
