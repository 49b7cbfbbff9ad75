//! An example REST API for an API connector, to run against the emulator's simulated sign-ups
//! (see "Testing your connector API" in the README).
//!
//! `POST /signup` takes a [`ConnectorCall`], which checks the HTTP basic credentials and parses the
//! user flow's request (rejections are logged and answered as `ConnectorCallRejection` says), then:
//! - blocks sign-ups whose email is in `blocked.example` (`ShowBlockPage`);
//! - after attribute collection, rejects a postal code that is not 4 or 5 digits (`ValidationError`);
//! - otherwise continues, returning `displayName` with each word capitalised and the custom
//!   attribute `extension_ScreenedBy`.
//!
//! ```text
//! CONNECTOR_API_PASSWORD=... cargo run -p entra-api-connectors-contract --features axum --example connector_api -- 127.0.0.1:7071
//! ```
//!
//! The user name is `CONNECTOR_API_USERNAME` (default `connector`); the password is read from
//! `CONNECTOR_API_PASSWORD`, never from an argument. The first line printed is the API's URL.
//!
//! `connector_api_external_id.rs` serves the same handler behind Entra External ID's custom
//! authentication extensions too, through the contract adapter.

use std::net::SocketAddr;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use entra_api_connectors_contract::{
    self as contract, ConnectorAuth, ConnectorCall, ConnectorCallRejection, ConnectorRequest,
    ConnectorResponse, Continuation, Step,
};
use secrecy::SecretString;

/// Capitalises the first letter of every word and lower-cases the rest; collapses blanks.
fn normalize_display_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn valid_postal_code(code: &str) -> bool {
    (4..=5).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// The decision, by the connector contract's rules.
fn decide(request: &ConnectorRequest) -> Result<ConnectorResponse, contract::ContractError> {
    let blocked = request
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case("blocked.example"));
    // External ID does not send `step`; its connectors in this example run after attribute collection.
    let step = request.step.unwrap_or(Step::PostAttributeCollection);
    if blocked && step != Step::PreTokenIssuance {
        return Ok(ConnectorResponse::block(
            "Sign-ups from blocked.example are not allowed. Please contact support.",
        ));
    }
    if step == Step::PostAttributeCollection
        && let Some(code) = request.postal_code.as_deref()
        && !valid_postal_code(code)
    {
        return Ok(ConnectorResponse::validation_error(
            "Please enter a valid postal code (4 or 5 digits).",
        ));
    }
    let mut continuation = Continuation::new();
    if let Some(name) = request.display_name.as_deref() {
        continuation.insert_claim("displayName", normalize_display_name(name))?;
    }
    if step == Step::PostAttributeCollection {
        continuation = continuation.with_custom_attribute("ScreenedBy", "connector_api example")?;
    }
    Ok(continuation.into())
}

/// The handler. `pub` so that `connector_api_external_id.rs` serves it behind the adapter too.
pub async fn signup(call: Result<ConnectorCall, ConnectorCallRejection>) -> Response {
    let call = match call {
        Ok(call) => call,
        Err(rejection) => {
            eprintln!(
                "connector_api: rejected ({}): {rejection}",
                rejection.status()
            );
            return rejection.into_response();
        }
    };
    let request = &call.request;
    match decide(request) {
        Ok(response) => {
            eprintln!(
                "connector_api: {} {} -> {}",
                request.step.map_or("(no step)", Step::as_str),
                request.email.as_deref().unwrap_or("(no email)"),
                response.action()
            );
            response.into_response()
        }
        Err(e) => {
            eprintln!("connector_api: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7071".to_owned())
        .parse()?;
    let username = std::env::var("CONNECTOR_API_USERNAME").unwrap_or_else(|_| "connector".into());
    let password = std::env::var("CONNECTOR_API_PASSWORD")
        .map_err(|_| "set CONNECTOR_API_PASSWORD to the password the API connector sends")?;
    let auth = ConnectorAuth::basic(username, SecretString::from(password))?;
    let app = Router::new()
        .route("/signup", post(signup))
        .with_state(auth);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}/signup", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_capitalised() {
        assert_eq!(
            normalize_display_name("  aNA  de la   CRUZ "),
            "Ana De La Cruz"
        );
    }

    #[test]
    fn postal_codes() {
        assert!(valid_postal_code("1234"));
        assert!(valid_postal_code("98052"));
        assert!(!valid_postal_code("123"));
        assert!(!valid_postal_code("98O52"));
    }

    fn decided(claims: &str) -> String {
        decide(&ConnectorRequest::from_json(claims).unwrap())
            .unwrap()
            .to_json()
    }

    #[test]
    fn decisions() {
        assert_eq!(
            decided(
                r#"{"email":"ana@example.com","displayName":"  aNA  de la CRUZ ","postalCode":"98052","step":"PostAttributeCollection"}"#
            ),
            r#"{"version":"1.0.0","action":"Continue","displayName":"Ana De La Cruz","extension_ScreenedBy":"connector_api example"}"#
        );
        assert_eq!(
            decided(
                r#"{"email":"bo@example.com","postalCode":"98O52","step":"PostAttributeCollection"}"#
            ),
            r#"{"version":"1.0.0","status":400,"action":"ValidationError","userMessage":"Please enter a valid postal code (4 or 5 digits)."}"#
        );
        assert_eq!(
            decided(r#"{"email":"eve@Blocked.Example","postalCode":"1234"}"#),
            r#"{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Sign-ups from blocked.example are not allowed. Please contact support."}"#
        );
        // Before the token, no block page and no custom attribute.
        assert_eq!(
            decided(
                r#"{"email":"eve@blocked.example","displayName":"eve","step":"PreTokenIssuance"}"#
            ),
            r#"{"version":"1.0.0","action":"Continue","displayName":"Eve"}"#
        );
    }
}
