//! `--dry-run`: print the requests a command would send and send nothing.
//!
//! The requests come from the client crate's `preview_*` methods, which check the input and build
//! the method, URL and body with the encoders the real operations use; secrets are masked
//! (`******`). The client that builds them has no credential, so no token is fetched either. As
//! text, a request prints as HTTP (request line, headers, blank line, body); as JSON or YAML,
//! `{"dryRun": true, "requests": [{"method", "url", "headers", "body"}]}`.

use entra_api_connectors::preview::RequestPreview;
use serde_json::{Map, Value, json};

use crate::cli::Global;
use crate::{Failure, Outcome, names, network, output};

/// A request as a dry run prints it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The HTTP method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The headers, without `Authorization`.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The JSON body, secrets masked.
    pub body: Option<Value>,
}

impl From<&RequestPreview> for Planned {
    /// The preview's content headers and the tool's `User-Agent`.
    fn from(preview: &RequestPreview) -> Self {
        let mut headers = preview.headers();
        headers.push(("User-Agent", network::USER_AGENT));
        Planned {
            method: preview.method().as_str().to_owned(),
            url: preview.url().to_string(),
            headers,
            body: preview.body().cloned(),
        }
    }
}

/// Print `requests` in the run's output format, and say on standard error that nothing was sent.
pub fn emit(global: &Global, requests: &[RequestPreview]) -> Outcome {
    let planned: Vec<Planned> = requests.iter().map(Planned::from).collect();
    emit_planned(global, &planned)
}

/// [`emit`] for requests that are not Graph operations (e.g. the emulator's simulate route).
pub fn emit_planned(global: &Global, requests: &[Planned]) -> Outcome {
    output::note("dry run: nothing was sent");
    let as_json: Vec<Value> = requests.iter().map(request).collect();
    output::emit(
        global.format(),
        &json!({ "dryRun": true, "requests": as_json }),
        || requests.iter().map(text).collect::<Vec<_>>().join("\n"),
    )
}

fn request(planned: &Planned) -> Value {
    let headers: Map<String, Value> = planned
        .headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    json!({
        "method": planned.method,
        "url": planned.url,
        "headers": headers,
        "body": planned.body,
    })
}

fn text(planned: &Planned) -> String {
    let mut out = format!("{} {}\n", planned.method, planned.url);
    for (name, value) in &planned.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(body) = &planned.body {
        let body = serde_json::to_string_pretty(body).unwrap_or_default();
        out.push_str(&format!("\n{body}\n"));
    }
    out
}

/// The connector id a dry run can put in its request: the argument when it is an id. A display
/// name would need a request to resolve, which a dry run does not send.
pub fn connector_id(reference: &str) -> Result<&str, Failure> {
    object_id(&names::CONNECTOR, reference)
}

/// [`connector_id`] for any kind of object (custom extensions, events flows).
pub fn object_id<'a>(kind: &names::Kind, reference: &'a str) -> Result<&'a str, Failure> {
    if names::is_id(reference) {
        Ok(reference)
    } else {
        Err(Failure::Usage(format!(
            "--dry-run sends no request, so it cannot look up the {} named '{reference}': \
             give its id (`{}` shows it)",
            kind.noun, kind.list
        )))
    }
}
