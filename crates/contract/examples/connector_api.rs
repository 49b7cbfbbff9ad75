//! An example REST API for an API connector, to run against the emulator's simulated sign-ups
//! (see "Testing your connector API" in the README).
//!
//! `POST /signup` checks HTTP basic credentials with `contract::verify_basic_auth`, then:
//! - blocks sign-ups whose email is in `blocked.example` (`ShowBlockPage`);
//! - after attribute collection, rejects a postal code that is not 4 or 5 digits (`ValidationError`);
//! - otherwise continues, returning `displayName` with each word capitalised and the custom
//!   attribute `extension_ScreenedBy`.
//!
//! ```text
//! CONNECTOR_API_PASSWORD=... cargo run --features emulator --example connector_api -- 127.0.0.1:7071
//! ```
//!
//! The user name is `CONNECTOR_API_USERNAME` (default `connector`); the password is read from
//! `CONNECTOR_API_PASSWORD`, never from an argument. The first line printed is the API's URL.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode, header};
use axum::routing::post;
use entra_api_connectors_contract::{
    self as contract, ConnectorRequest, ConnectorResponse, Continuation, Step,
};
use secrecy::SecretString;

struct Credentials {
    username: String,
    password: SecretString,
}

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

fn respond(status: u16, body: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, contract::CONTENT_TYPE)
        .body(Body::from(body))
        .expect("valid response")
}

async fn signup(
    State(credentials): State<Arc<Credentials>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !contract::verify_basic_auth(authorization, &credentials.username, &credentials.password) {
        let mut resp = respond(401, br#"{"error":"unauthorized"}"#.to_vec());
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"connector\""),
        );
        return resp;
    }
    let request = match ConnectorRequest::from_json(&body) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("connector_api: unreadable request: {e}");
            return respond(StatusCode::INTERNAL_SERVER_ERROR.as_u16(), Vec::new());
        }
    };
    match decide(&request) {
        Ok(response) => {
            eprintln!(
                "connector_api: {} {} -> {}",
                request.step.map_or("(no step)", Step::as_str),
                request.email.as_deref().unwrap_or("(no email)"),
                response.action()
            );
            let (status, body) = response.to_http();
            respond(status, body)
        }
        Err(e) => {
            eprintln!("connector_api: {e}");
            respond(StatusCode::INTERNAL_SERVER_ERROR.as_u16(), Vec::new())
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
    let credentials = Arc::new(Credentials {
        username,
        password: SecretString::from(password),
    });
    let app = Router::new()
        .route("/signup", post(signup))
        .with_state(credentials);
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
}
