//! The emulator-only HTTP route of simulated sign-ups, outside Graph's `/identity` namespace:
//! `POST /{version}/emulator/userFlows/{id}/simulateSignUp` with a [`SignUpInput`] body answers the
//! [`Transcript`](super::Transcript) as JSON. Errors have Graph's shape.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Response, header};

use super::{SignUpError, SignUpInput};
use crate::error::{GraphError, Ids, stamp};
use crate::{App, auth, graph};

/// `POST /{version}/emulator/userFlows/{id}/simulateSignUp` (bearer token required, like Graph).
pub(crate) async fn simulate_sign_up(
    State(app): State<Arc<App>>,
    Path((version, flow_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(graph::client_request_id(&headers));
    let result = async {
        if !version.eq_ignore_ascii_case("v1.0") && !version.eq_ignore_ascii_case("beta") {
            return Err(GraphError::bad_request(format!(
                "Invalid version: '{version}'."
            )));
        }
        auth::check_bearer(&headers, &app.token)?;
        let input: SignUpInput = serde_json::from_slice(&body).map_err(|e| {
            GraphError::bad_request(format!("The simulateSignUp body is not valid: {e}."))
        })?;
        super::run(&app, &flow_id, input)
            .await
            .map_err(|e| match e {
                SignUpError::FlowNotFound(_) | SignUpError::NoFlowForApplication(_) => {
                    GraphError::not_found(e.to_string())
                }
                SignUpError::InvalidInput(_) => GraphError::bad_request(e.to_string()),
            })
    }
    .await;
    match result {
        Ok(transcript) => {
            let body = serde_json::to_vec(&transcript).expect("transcripts serialize");
            let mut resp = Response::new(Body::from(body));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            stamp(&mut resp, &ids);
            resp
        }
        Err(e) => e.into_response(&ids),
    }
}
