//! Graph requests: the version prefix, the bearer token, path resolution ([`path`]), injected faults
//! ([`crate::faults`]), then the handler of the resource. Behaviour and its sources are listed in
//! `docs/graph-behaviour.md`.

mod api_connector_configuration;
mod certificate_upload;
mod connectors;
mod organization;
mod path;
mod request;
mod response;
mod user_flows;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri, header};

use self::api_connector_configuration as configuration;
use self::path::{Route, decode_segment, eq, parse_route};
use self::request::Ctx;
pub(crate) use self::request::client_request_id;
use crate::error::{GraphError, Ids, stamp};
use crate::faults::Verdict;
use crate::odata::QueryOptions;
use crate::request_log::{InjectedFault, RequestRecord};
use crate::{App, GraphVersion, auth, server};

/// The fallback route: every request that is not the token endpoint or an emulator-only route is a
/// Graph request.
pub(crate) async fn handler(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(client_request_id(&headers));
    let mut fault = None;
    let (resp, status) = match handle(&app, &method, &uri, &headers, &body, &mut fault).await {
        Ok(mut resp) => {
            stamp(&mut resp, &ids);
            let status = resp.status().as_u16();
            (resp, Some(status))
        }
        Err(Outcome::Error(e)) => {
            let resp = e.into_response(&ids);
            let status = resp.status().as_u16();
            (resp, Some(status))
        }
        Err(Outcome::Drop) => {
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(server::DropConnection);
            (resp, None)
        }
    };
    // A lost response applies only to a request that was answered successfully.
    let fault = fault.filter(|f| *f != InjectedFault::ResponseLost || status.is_none());
    app.requests().push(RequestRecord {
        method: method.as_str().to_owned(),
        path: uri.path().to_owned(),
        client_request_id: client_request_id(&headers).map(str::to_owned),
        fault,
        status,
    });
    resp
}

/// Why a request got no regular answer.
enum Outcome {
    /// Graph's error body.
    Error(GraphError),
    /// An injected fault: close the connection without answering.
    Drop,
}

impl From<GraphError> for Outcome {
    fn from(e: GraphError) -> Self {
        Outcome::Error(e)
    }
}

/// Version, bearer token, path, faults (noted in `fault`), then the handler of the route.
async fn handle(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    fault: &mut Option<InjectedFault>,
) -> Result<Response<Body>, Outcome> {
    let segs: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect();
    let version = match segs.first().map(String::as_str) {
        Some(v) if eq(v, "v1.0") => GraphVersion::V1,
        Some(v) if eq(v, "beta") => GraphVersion::Beta,
        other => {
            return Err(GraphError::bad_request(format!(
                "Invalid version: '{}'.",
                other.unwrap_or("")
            ))
            .into());
        }
    };
    auth::check_bearer(headers, &app.token)?;
    let (route, path) = parse_route(version, &segs[1..])?;

    // Faults come before anything reads or changes the state.
    let (latency, verdict) = app
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .decide(method.as_str(), &path);
    *fault = InjectedFault::of(&verdict);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let lose_response = matches!(verdict, Verdict::LoseResponse);
    match verdict {
        Verdict::Pass | Verdict::LoseResponse => {}
        Verdict::Drop => return Err(Outcome::Drop),
        Verdict::Throttle { retry_after } => {
            let mut e = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!(
                    "Too many requests from Identifier:{}+emulator under category:throttle.aad.ags.identity. Please try again later.",
                    app.tenant_id
                ),
            );
            e.retry_after = Some(retry_after);
            return Err(e.into());
        }
        Verdict::Unavailable { retry_after } => {
            let mut e = GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Retry the request after the delay given in the Retry-After header.",
            );
            e.retry_after = Some(retry_after);
            return Err(e.into());
        }
    }

    let origin = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| app.origin.clone(), |h| format!("http://{h}"));
    let ctx = Ctx {
        app,
        version,
        origin,
        query: QueryOptions::parse(uri.query(), version)?,
    };
    let m = method.clone();
    let resp = match route {
        Route::Organization(id) if m == Method::GET => organization::get(&ctx, id.as_deref()),
        Route::Connectors if m == Method::GET => connectors::list_connectors(&ctx),
        Route::Connectors if m == Method::POST => connectors::create_connector(&ctx, body),
        Route::Connector(id) if m == Method::GET => connectors::get_connector(&ctx, &id),
        Route::Connector(id) if m == Method::PATCH => connectors::update_connector(&ctx, &id, body),
        Route::Connector(id) if m == Method::DELETE => connectors::delete_connector(&ctx, &id),
        Route::Upload(id) if m == Method::POST => {
            certificate_upload::upload_certificate(&ctx, &id, body)
        }
        Route::Flows(f) if m == Method::GET => {
            user_flows::family_check(app, f).and_then(|()| user_flows::list_flows(&ctx, f))
        }
        Route::Flows(f) if m == Method::POST => {
            user_flows::family_check(app, f).and_then(|()| user_flows::create_flow(&ctx, f, body))
        }
        Route::Flow(f, id) if m == Method::GET => {
            user_flows::family_check(app, f).and_then(|()| user_flows::get_flow(&ctx, f, &id))
        }
        Route::Flow(f, id) if m == Method::DELETE => {
            user_flows::family_check(app, f).and_then(|()| user_flows::delete_flow(&ctx, f, &id))
        }
        Route::Config(f, id) if m == Method::GET => {
            user_flows::family_check(app, f).and_then(|()| configuration::get_config(&ctx, f, &id))
        }
        Route::StepNav(f, id, step) if m == Method::GET => user_flows::family_check(app, f)
            .and_then(|()| configuration::get_step(&ctx, f, &id, step)),
        Route::StepRef(f, id, step) if m == Method::PUT || m == Method::DELETE => {
            user_flows::family_check(app, f).and_then(|()| {
                let target = if m == Method::PUT {
                    configuration::parse_ref_body(body)?
                } else {
                    None
                };
                configuration::set_step(&ctx, f, &id, step, target)
            })
        }
        Route::StepRef(f, id, step) if m == Method::GET => user_flows::family_check(app, f)
            .and_then(|()| configuration::get_step_ref(&ctx, f, &id, step)),
        _ => Err(GraphError::method_not_allowed()),
    }?;
    if lose_response {
        return Err(Outcome::Drop);
    }
    Ok(resp)
}
