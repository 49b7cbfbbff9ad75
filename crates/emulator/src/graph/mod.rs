//! Graph requests: the version prefix, the bearer token, path resolution ([`path`]), injected faults
//! ([`crate::faults`]), then the handler of the resource. Behaviour and its sources are listed in
//! `docs/graph-behaviour.md`.

mod api_connector_configuration;
mod authentication_configuration_validation;
mod authentication_event_listeners;
mod authentication_events_flows;
mod certificate_upload;
mod collection;
mod connectors;
mod custom_authentication_extensions;
mod extensibility_path;
mod extension_handlers;
mod flow_attributes;
mod flow_identity_providers;
mod include_applications;
mod organization;
mod path;
mod request;
mod response;
mod tenant_kind;
mod user_flows;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri, header};

use self::api_connector_configuration as configuration;
pub(crate) use self::authentication_configuration_validation::{
    Finding, check as check_configuration, parse_resource_id,
};
use self::extensibility_path::ExtRoute;
pub(crate) use self::flow_attributes::attributes_of;
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
        Route::Ext(route) => extensibility(&ctx, &m, route, body),
        _ => Err(GraphError::method_not_allowed()),
    }?;
    if lose_response {
        return Err(Outcome::Drop);
    }
    Ok(resp)
}

/// The handler of an extensibility route (`extensibility_path`).
fn extensibility(
    ctx: &Ctx<'_>,
    m: &Method,
    route: ExtRoute,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    use self::authentication_event_listeners as listeners;
    use self::authentication_events_flows as flows;
    use self::custom_authentication_extensions as extensions;
    use self::flow_attributes as attributes;
    use self::flow_identity_providers as providers;
    use self::include_applications as apps;
    let get = *m == Method::GET;
    let post = *m == Method::POST;
    let patch = *m == Method::PATCH;
    let delete = *m == Method::DELETE;
    match route {
        ExtRoute::Extensions if get => extensions::list(ctx),
        ExtRoute::Extensions if post => extensions::create(ctx, body),
        ExtRoute::ExtensionsCount if get => extensions::count(ctx),
        ExtRoute::Extension(id) if get => extensions::get(ctx, &id),
        ExtRoute::Extension(id) if patch => extensions::update(ctx, &id, body),
        ExtRoute::Extension(id) if delete => extensions::delete(ctx, &id),
        ExtRoute::ValidateById(id) if post => extensions::validate_by_id(ctx, &id, body),
        ExtRoute::ValidateUnsaved if post => extensions::validate_unsaved(ctx, body),
        ExtRoute::Flows if get => flows::list(ctx, false),
        ExtRoute::Flows if post => flows::create(ctx, body),
        ExtRoute::FlowsCount | ExtRoute::FlowsCastCount if get => flows::count(ctx),
        ExtRoute::FlowsCast if get => flows::list(ctx, true),
        ExtRoute::Flow(id) if get => flows::get(ctx, &id, false),
        ExtRoute::FlowCast(id) if get => flows::get(ctx, &id, true),
        ExtRoute::Flow(id) if patch => flows::update(ctx, &id, body),
        ExtRoute::Flow(id) if delete => flows::delete(ctx, &id),
        ExtRoute::Conditions(id) if get => flows::get_conditions(ctx, &id),
        ExtRoute::IncludeApps(id) if get => apps::list(ctx, &id),
        ExtRoute::IncludeApps(id) if post => apps::add(ctx, &id, body),
        ExtRoute::IncludeAppsCount(id) if get => apps::count(ctx, &id),
        ExtRoute::IncludeApp(id, app) if get => apps::get(ctx, &id, &app),
        ExtRoute::IncludeApp(id, app) if patch => apps::update(ctx, &id, &app, body),
        ExtRoute::IncludeApp(id, app) if delete => apps::remove(ctx, &id, &app),
        ExtRoute::OnAttributeCollection(id) if get => attributes::get_collection(ctx, &id),
        ExtRoute::Attributes(id) if get => attributes::list(ctx, &id),
        ExtRoute::AttributesCount(id) if get => attributes::count(ctx, &id),
        ExtRoute::AttributesRef(id) if get => attributes::list_refs(ctx, &id),
        ExtRoute::AttributesRef(id) if post => attributes::add_ref(ctx, &id, body),
        ExtRoute::AttributesRef(id) if delete => attributes::remove_ref(ctx, &id, None),
        ExtRoute::AttributeRef(id, a) if delete => attributes::remove_ref(ctx, &id, Some(&a)),
        ExtRoute::MethodLoadStart(id) if get => providers::get_handler(ctx, &id),
        ExtRoute::IdentityProviders(id) if get => providers::list(ctx, &id),
        ExtRoute::IdentityProvidersCount(id) if get => providers::count(ctx, &id),
        ExtRoute::IdentityProvidersRef(id) if get => providers::list_refs(ctx, &id),
        ExtRoute::IdentityProvidersRef(id) if post => providers::add_ref(ctx, &id, body),
        ExtRoute::IdentityProvidersRef(id) if delete => providers::remove_ref(ctx, &id, None),
        ExtRoute::IdentityProviderRef(id, p) if delete => providers::remove_ref(ctx, &id, Some(&p)),
        ExtRoute::HandlerRef(id, event) if *m == Method::PUT => {
            flows::set_handler_ref(ctx, &id, event, body)
        }
        ExtRoute::HandlerRef(id, event) if get => flows::get_handler_ref(ctx, &id, event),
        ExtRoute::HandlerRef(id, event) if delete => flows::delete_handler_ref(ctx, &id, event),
        ExtRoute::Listeners if get => listeners::list(ctx),
        ExtRoute::Listeners if post => listeners::create(ctx, body),
        ExtRoute::ListenersCount if get => listeners::count(ctx),
        ExtRoute::Listener(id) if get => listeners::get(ctx, &id),
        ExtRoute::Listener(id) if patch => listeners::update(ctx, &id, body),
        ExtRoute::Listener(id) if delete => listeners::delete(ctx, &id),
        _ => Err(GraphError::method_not_allowed()),
    }
}
