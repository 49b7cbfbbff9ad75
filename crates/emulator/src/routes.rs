//! Request handling: path resolution (case-insensitive segments, as Graph resolves them), bearer
//! check, fault injection, then the handlers for connectors, user flows and their
//! `apiConnectorConfiguration`. Behaviour and its sources are listed in `docs/graph-behaviour.md`.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri, header};
use axum::routing::post;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::error::{GraphError, Ids, stamp};
use super::faults::Verdict;
use super::odata::{self, Filter, QueryOptions};
use super::state::{
    AuthRecord, CertificateRecord, ConnectorRecord, FlowFamily, State as Store, Step,
    UserFlowRecord,
};
use super::{App, GraphVersion, TenantKind, auth};
use entra_api_connectors_certificate::{self as certificate, CertificateError, Pkcs12Bundle};

/// Marks a response whose connection must be closed without sending it (injected fault).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        // Emulator-only, outside Graph's namespace (see `signup.rs`).
        .route(
            "/{version}/emulator/userFlows/{id}/simulateSignUp",
            post(super::signup::simulate_route),
        )
        .fallback(graph)
        .with_state(app)
}

fn client_request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
}

async fn token(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(client_request_id(&headers));
    let policy = auth::TokenPolicy {
        tenant_id: &app.tenant_id,
        tenant_domain: &app.tenant_domain,
        client: app.client.as_ref(),
        token: &app.token,
    };
    let mut resp = auth::token_response(&policy, &tenant, &body);
    stamp(&mut resp, &ids);
    resp
}

/// What a request is about once its path is resolved.
#[derive(Debug, Clone, PartialEq)]
enum Route {
    Connectors,
    Connector(String),
    Upload(String),
    Flows(FlowFamily),
    Flow(FlowFamily, String),
    Config(FlowFamily, String),
    StepNav(FlowFamily, String, Step),
    StepRef(FlowFamily, String, Step),
}

/// Per-request facts the handlers need.
struct Ctx<'a> {
    app: &'a App,
    version: GraphVersion,
    origin: String,
    query: QueryOptions,
}

impl Ctx<'_> {
    /// `http://host:port/{version}`: the emulator's equivalent of `https://graph.microsoft.com/{v}`.
    fn base(&self) -> String {
        format!("{}/{}", self.origin, self.version.as_str())
    }

    fn context(&self, fragment: &str) -> String {
        format!("{}/$metadata#{fragment}", self.base())
    }

    fn steps(&self) -> &'static [&'static str] {
        match self.version {
            GraphVersion::V1 => &["postFederationSignup", "postAttributeCollection"],
            GraphVersion::Beta => &[
                "postFederationSignup",
                "postAttributeCollection",
                "preTokenIssuance",
            ],
        }
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn parse_route(version: GraphVersion, segs: &[String]) -> Result<(Route, String), GraphError> {
    let seg = |i: usize| segs.get(i).map(String::as_str);
    let nf = |i: usize| GraphError::segment_not_found(seg(i).unwrap_or(""));
    if !seg(0).is_some_and(|s| eq(s, "identity")) {
        return Err(nf(0));
    }
    let Some(collection) = seg(1) else {
        return Err(GraphError::method_not_allowed());
    };
    if eq(collection, "apiConnectors") {
        let route = match segs.len() {
            2 => Route::Connectors,
            3 => Route::Connector(segs[2].clone()),
            4 if eq(
                segs[3].trim_start_matches("microsoft.graph."),
                "uploadClientCertificate",
            ) =>
            {
                Route::Upload(segs[2].clone())
            }
            n if n > 4
                && eq(
                    segs[3].trim_start_matches("microsoft.graph."),
                    "uploadClientCertificate",
                ) =>
            {
                return Err(nf(4));
            }
            _ => return Err(nf(3)),
        };
        let path = match &route {
            Route::Connectors => "/identity/apiConnectors".to_owned(),
            Route::Connector(id) => format!("/identity/apiConnectors/{id}"),
            Route::Upload(id) => format!("/identity/apiConnectors/{id}/uploadClientCertificate"),
            _ => unreachable!(),
        };
        return Ok((route, path));
    }
    let family = if eq(collection, "b2xUserFlows") {
        FlowFamily::B2x
    } else if eq(collection, "b2cUserFlows") && version == GraphVersion::Beta {
        FlowFamily::B2c
    } else {
        return Err(nf(1));
    };
    let base = format!("/identity/{}", family.segment());
    let Some(id) = seg(2) else {
        return Ok((Route::Flows(family), base));
    };
    let id = id.to_owned();
    let Some(config) = seg(3) else {
        return Ok((Route::Flow(family, id.clone()), format!("{base}/{id}")));
    };
    if !eq(config, "apiConnectorConfiguration") {
        return Err(nf(3));
    }
    let config_path = format!("{base}/{id}/apiConnectorConfiguration");
    let Some(step_name) = seg(4) else {
        return Ok((Route::Config(family, id), config_path));
    };
    let step = Step::parse(step_name)
        .filter(|s| version == GraphVersion::Beta || *s != Step::PreTokenIssuance)
        .ok_or_else(|| nf(4))?;
    let step_path = format!("{config_path}/{}", step.name());
    match (seg(5), segs.len()) {
        (None, _) => Ok((Route::StepNav(family, id, step), step_path)),
        (Some("$ref"), 6) => Ok((
            Route::StepRef(family, id, step),
            format!("{step_path}/$ref"),
        )),
        _ => Err(nf(5)),
    }
}

fn decode_segment(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

async fn graph(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(client_request_id(&headers));
    match handle(&app, &method, &uri, &headers, &body).await {
        Ok(mut resp) => {
            stamp(&mut resp, &ids);
            resp
        }
        Err(Outcome::Error(e)) => e.into_response(&ids),
        Err(Outcome::Drop) => {
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(DropConnection);
            resp
        }
    }
}

enum Outcome {
    Error(GraphError),
    Drop,
}

impl From<GraphError> for Outcome {
    fn from(e: GraphError) -> Self {
        Outcome::Error(e)
    }
}

async fn handle(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
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
        Route::Connectors if m == Method::GET => list_connectors(&ctx),
        Route::Connectors if m == Method::POST => create_connector(&ctx, body),
        Route::Connector(id) if m == Method::GET => get_connector(&ctx, &id),
        Route::Connector(id) if m == Method::PATCH => update_connector(&ctx, &id, body),
        Route::Connector(id) if m == Method::DELETE => delete_connector(&ctx, &id),
        Route::Upload(id) if m == Method::POST => upload_certificate(&ctx, &id, body),
        Route::Flows(f) if m == Method::GET => {
            family_check(app, f).and_then(|()| list_flows(&ctx, f))
        }
        Route::Flows(f) if m == Method::POST => {
            family_check(app, f).and_then(|()| create_flow(&ctx, f, body))
        }
        Route::Flow(f, id) if m == Method::GET => {
            family_check(app, f).and_then(|()| get_flow(&ctx, f, &id))
        }
        Route::Flow(f, id) if m == Method::DELETE => {
            family_check(app, f).and_then(|()| delete_flow(&ctx, f, &id))
        }
        Route::Config(f, id) if m == Method::GET => {
            family_check(app, f).and_then(|()| get_config(&ctx, f, &id))
        }
        Route::StepNav(f, id, step) if m == Method::GET => {
            family_check(app, f).and_then(|()| get_step(&ctx, f, &id, step))
        }
        Route::StepRef(f, id, step) if m == Method::PUT || m == Method::DELETE => {
            family_check(app, f).and_then(|()| {
                let target = if m == Method::PUT {
                    parse_ref_body(body)?
                } else {
                    None
                };
                set_step(&ctx, f, &id, step, target)
            })
        }
        Route::StepRef(f, id, step) if m == Method::GET => {
            family_check(app, f).and_then(|()| get_step_ref(&ctx, f, &id, step))
        }
        _ => Err(GraphError::method_not_allowed()),
    }?;
    if lose_response {
        return Err(Outcome::Drop);
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A JSON object that keeps its keys in insertion order (Graph puts `@odata.*` first).
struct Obj(Vec<(String, Value)>);

impl Obj {
    fn new() -> Self {
        Obj(Vec::new())
    }
    fn push(&mut self, k: impl Into<String>, v: impl Into<Value>) {
        self.0.push((k.into(), v.into()));
    }
}

impl Serialize for Obj {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

fn json_response(status: StatusCode, body: &Obj) -> Response<Body> {
    let mut resp = Response::new(Body::from(
        serde_json::to_vec(body).expect("JSON values serialize"),
    ));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    h.insert(
        HeaderName::from_static("odata-version"),
        HeaderValue::from_static("4.0"),
    );
    resp
}

fn no_content() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

fn with_location(mut resp: Response<Body>, location: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// API connectors

const CONNECTOR_PROPS: &[&str] = &[
    "id",
    "displayName",
    "targetUrl",
    "authenticationConfiguration",
];
const CONNECTOR_FILTERABLE: &[&str] = &["id", "displayName", "targetUrl"];
const CONNECTOR_TYPE: &str = "identityApiConnector";

fn connector_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!("The API connector '{id}' was not found."))
}

fn auth_json(auth: Option<&AuthRecord>, now: i64) -> Value {
    match auth {
        None => Value::Null,
        Some(AuthRecord::Basic { username, .. }) => json!({
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": username,
            "password": "******",
        }),
        Some(a @ AuthRecord::ClientCertificate { .. }) => {
            let list: Vec<Value> = a
                .certificate_list(now)
                .into_iter()
                .map(|c| {
                    json!({
                        "thumbprint": c.thumbprint,
                        "notAfter": c.not_after,
                        "notBefore": c.not_before,
                        "isActive": c.is_active,
                    })
                })
                .collect();
            json!({
                "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
                "certificateList": list,
            })
        }
    }
}

fn connector_fields(out: &mut Obj, c: &ConnectorRecord, select: Option<&[&str]>) {
    let now = certificate::unix_now();
    let want = |p: &str| select.is_none_or(|s| s.contains(&p));
    if want("id") {
        out.push("id", c.id.clone());
    }
    if want("displayName") {
        out.push("displayName", c.display_name.clone());
    }
    if want("targetUrl") {
        out.push("targetUrl", c.target_url.clone());
    }
    if want("authenticationConfiguration") {
        out.push(
            "authenticationConfiguration",
            auth_json(c.authentication.as_ref(), now),
        );
    }
}

fn connector_value(c: &ConnectorRecord) -> Value {
    let mut o = Obj::new();
    connector_fields(&mut o, c, None);
    Value::Object(o.0.into_iter().collect::<Map<_, _>>())
}

fn select_suffix(select: Option<&[&str]>) -> String {
    select
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default()
}

fn connector_entity(ctx: &Ctx<'_>, c: &ConnectorRecord, select: Option<&[&str]>) -> Obj {
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!(
            "identity/apiConnectors{}/$entity",
            select_suffix(select)
        )),
    );
    connector_fields(&mut o, c, select);
    o
}

fn parse_select(ctx: &Ctx<'_>) -> Result<Option<Vec<&'static str>>, GraphError> {
    ctx.query
        .get("$select")
        .map(|v| odata::parse_property_list(v, CONNECTOR_PROPS, CONNECTOR_TYPE))
        .transpose()
}

fn reject_expand(ctx: &Ctx<'_>) -> Result<(), GraphError> {
    match ctx.query.get("$expand") {
        // identityApiConnector has no navigation property to expand.
        Some(v) => odata::parse_property_list(v, &[], CONNECTOR_TYPE).map(|_| ()),
        None => Ok(()),
    }
}

fn list_connectors(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&[
        "$top",
        "$skip",
        "$skiptoken",
        "$select",
        "$count",
        "$filter",
        "$expand",
    ])?;
    reject_expand(ctx)?;
    let page_size = match ctx.query.get("$top") {
        Some(v) => odata::parse_top(v)?,
        None => ctx.app.page_size,
    };
    let skip = ctx
        .query
        .get("$skip")
        .map(odata::parse_skip)
        .transpose()?
        .unwrap_or(0);
    let after = ctx
        .query
        .get("$skiptoken")
        .map(odata::decode_skiptoken)
        .transpose()?;
    let count = ctx
        .query
        .get("$count")
        .map(odata::parse_count)
        .transpose()?
        .unwrap_or(false);
    let select = parse_select(ctx)?;
    let filter = ctx
        .query
        .get("$filter")
        .map(|f| Filter::parse(f, CONNECTOR_FILTERABLE))
        .transpose()?;

    let store = ctx.app.lock();
    let matching: Vec<&ConnectorRecord> = store
        .connectors
        .values()
        .filter(|c| {
            filter.as_ref().is_none_or(|f| {
                f.eval(&|p| match p {
                    "id" => Some(c.id.clone()),
                    "displayName" => c.display_name.clone(),
                    "targetUrl" => c.target_url.clone(),
                    _ => None,
                })
            })
        })
        .collect();
    let total = matching.len();
    let mut rest = matching
        .into_iter()
        .filter(|c| after.is_none_or(|a| c.seq > a))
        .skip(if after.is_some() { 0 } else { skip });
    let page: Vec<&ConnectorRecord> = rest.by_ref().take(page_size).collect();
    let more = rest.next().is_some();

    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!(
            "identity/apiConnectors{}",
            select_suffix(select.as_deref())
        )),
    );
    if count && after.is_none() {
        o.push("@odata.count", total);
    }
    if more {
        let last = page.last().map_or(0, |c| c.seq);
        let mut link = format!("{}/identity/apiConnectors?", ctx.base());
        for (name, value) in &ctx.query.options {
            if name == "$skip" || name == "$skiptoken" {
                continue;
            }
            let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            link.push_str(&format!("{name}={value}&"));
        }
        link.push_str(&format!("$skiptoken={}", odata::encode_skiptoken(last)));
        o.push("@odata.nextLink", link);
    }
    let values: Vec<Value> = page
        .into_iter()
        .map(|c| {
            let mut item = Obj::new();
            connector_fields(&mut item, c, select.as_deref());
            Value::Object(item.0.into_iter().collect())
        })
        .collect();
    o.push("value", values);
    Ok(json_response(StatusCode::OK, &o))
}

fn get_connector(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$select", "$expand"])?;
    reject_expand(ctx)?;
    let select = parse_select(ctx)?;
    let store = ctx.app.lock();
    let c = store.connector(id).ok_or_else(|| connector_not_found(id))?;
    Ok(json_response(
        StatusCode::OK,
        &connector_entity(ctx, c, select.as_deref()),
    ))
}

/// A parsed create or PATCH body: `None` = not sent, `Some(None)` = sent as `null`.
#[derive(Default)]
struct ConnectorChanges {
    display_name: Option<Option<String>>,
    target_url: Option<Option<String>>,
    authentication: Option<Option<AuthRecord>>,
}

fn parse_json_object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::unreadable_json()),
    }
}

fn odata_type(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(|t| t.trim_start_matches('#').to_ascii_lowercase())
}

fn check_entity_type(map: &Map<String, Value>, expected: &str) -> Result<(), GraphError> {
    if let Some(t) = map.get("@odata.type") {
        let ok = odata_type(t)
            .is_some_and(|t| t == format!("microsoft.graph.{}", expected.to_ascii_lowercase()));
        if !ok {
            return Err(unresolved_type(t));
        }
    }
    Ok(())
}

fn unresolved_type(t: &Value) -> GraphError {
    GraphError::bad_request(format!(
        "A type named '{}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
        t.as_str().unwrap_or("<not a string>")
    ))
}

/// Graph requires https; the emulator also accepts http for loopback hosts, so that a local test
/// API for simulated sign-ups needs no TLS (emulator-only, see `signup.rs`).
fn target_url(value: &str) -> Result<String, GraphError> {
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(value.to_owned()),
        Ok(u) if u.scheme() == "http" && super::signup::is_loopback(&u) => Ok(value.to_owned()),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value for property 'targetUrl': '{value}' is not an absolute https URL."
        ))),
    }
}

fn string_prop<'v>(
    map: &'v Map<String, Value>,
    name: &str,
    type_name: &str,
) -> Result<&'v str, GraphError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(GraphError::missing_property(name, type_name)),
        Some(_) => Err(GraphError::invalid_property(name, "a string")),
    }
}

fn parse_pkcs12(value: &str, password: &str) -> Result<CertificateRecord, GraphError> {
    match Pkcs12Bundle::from_base64(value, &SecretString::from(password.to_owned())) {
        Ok(bundle) => Ok(CertificateRecord {
            thumbprint: bundle.thumbprint().to_owned(),
            not_before: bundle.not_before(),
            not_after: bundle.not_after(),
        }),
        // Observed wording of the B2C backend (docs/graph-behaviour.md §2.1).
        Err(CertificateError::WrongPassword) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "AADB2C90213",
            "The certificate password provided in request is incorrect.",
        )
        .with_correlation()),
        Err(e) => Err(GraphError::bad_request(format!(
            "The pkcs12Value is not a usable PKCS#12 (.pfx) client certificate: {e}."
        ))),
    }
}

/// `#microsoft.graph.basicAuthentication` or `#microsoft.graph.pkcs12Certificate` (with or without
/// `#`); the response-only `clientCertificateAuthentication` is refused.
fn parse_auth(value: &Value) -> Result<AuthRecord, GraphError> {
    let Value::Object(map) = value else {
        return Err(GraphError::invalid_property(
            "authenticationConfiguration",
            "an object or null",
        ));
    };
    let Some(t) = map.get("@odata.type") else {
        return Err(GraphError::bad_request(
            "The '@odata.type' annotation is required for 'authenticationConfiguration', whose type 'microsoft.graph.apiAuthenticationConfigurationBase' is abstract.",
        ));
    };
    let (type_name, allowed): (&str, &[&str]) = match odata_type(t).as_deref() {
        Some("microsoft.graph.basicauthentication") => {
            ("basicAuthentication", &["username", "password"])
        }
        Some("microsoft.graph.pkcs12certificate") => {
            ("pkcs12Certificate", &["pkcs12Value", "password"])
        }
        Some("microsoft.graph.clientcertificateauthentication") => {
            return Err(GraphError::bad_request(
                "'microsoft.graph.clientCertificateAuthentication' is returned by the service and cannot be sent; send a 'microsoft.graph.pkcs12Certificate' or use uploadClientCertificate.",
            ));
        }
        _ => return Err(unresolved_type(t)),
    };
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        return Err(GraphError::unknown_property(k, type_name));
    }
    if type_name == "basicAuthentication" {
        let username = string_prop(map, "username", type_name)?;
        let password = string_prop(map, "password", type_name)?;
        if username.is_empty() {
            return Err(GraphError::invalid_property(
                "username",
                "a non-empty string",
            ));
        }
        Ok(AuthRecord::Basic {
            username: username.to_owned(),
            password_sha256: super::state::password_digest(password),
        })
    } else {
        let value = string_prop(map, "pkcs12Value", type_name)?;
        let password = string_prop(map, "password", type_name)?;
        Ok(AuthRecord::ClientCertificate {
            certificates: vec![parse_pkcs12(value, password)?],
        })
    }
}

fn parse_connector_body(body: &[u8], create: bool) -> Result<ConnectorChanges, GraphError> {
    let map = parse_json_object(body)?;
    check_entity_type(&map, CONNECTOR_TYPE)?;
    let mut changes = ConnectorChanges::default();
    for (k, v) in &map {
        match k.as_str() {
            // Read-only; Graph ignores it in a request body.
            "id" => {}
            "displayName" => {
                changes.display_name = Some(match v {
                    Value::Null => None,
                    Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                    _ => {
                        return Err(GraphError::invalid_property(
                            "displayName",
                            "a non-empty string",
                        ));
                    }
                });
            }
            "targetUrl" => {
                changes.target_url = Some(match v {
                    Value::Null => None,
                    Value::String(s) => Some(target_url(s)?),
                    _ => return Err(GraphError::invalid_property("targetUrl", "a string")),
                });
            }
            "authenticationConfiguration" => {
                changes.authentication = Some(match v {
                    Value::Null => None,
                    other => Some(parse_auth(other)?),
                });
            }
            k if k.starts_with('@') => {}
            k => return Err(GraphError::unknown_property(k, CONNECTOR_TYPE)),
        }
    }
    if create {
        for (name, present) in [
            ("displayName", matches!(changes.display_name, Some(Some(_)))),
            ("targetUrl", matches!(changes.target_url, Some(Some(_)))),
            (
                "authenticationConfiguration",
                matches!(changes.authentication, Some(Some(_))),
            ),
        ] {
            if !present {
                return Err(GraphError::missing_property(name, CONNECTOR_TYPE));
            }
        }
    }
    Ok(changes)
}

fn create_connector(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    let changes = parse_connector_body(body, true)?;
    let record = ConnectorRecord {
        id: uuid::Uuid::new_v4().to_string(),
        display_name: changes.display_name.flatten(),
        target_url: changes.target_url.flatten(),
        authentication: changes.authentication.flatten(),
        seq: 0,
    };
    let record = ctx.app.mutate(|s| Ok(s.insert_connector(record)))?;
    super::vault::remember_auth(ctx.app, &record.id, body);
    let location = format!("{}/identity/apiConnectors/{}", ctx.base(), record.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &connector_entity(ctx, &record, None)),
        &location,
    ))
}

fn update_connector(ctx: &Ctx<'_>, id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    let changes = parse_connector_body(body, false)?;
    ctx.app.mutate(|s| {
        let key = id.to_ascii_lowercase();
        let c = s
            .connectors
            .get_mut(&key)
            .ok_or_else(|| connector_not_found(id))?;
        if let Some(v) = changes.display_name {
            c.display_name = v;
        }
        if let Some(v) = changes.target_url {
            c.target_url = v;
        }
        // A new configuration replaces the old one whole, certificates included
        // (https://learn.microsoft.com/graph/api/identityapiconnector-update, example 2).
        if let Some(v) = changes.authentication {
            c.authentication = v;
        }
        Ok(())
    })?;
    super::vault::remember_auth(ctx.app, id, body);
    Ok(no_content())
}

fn delete_connector(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.app.mutate(|s| {
        s.remove_connector(id)
            .map(|_| ())
            .ok_or_else(|| connector_not_found(id))
    })?;
    super::vault::forget(ctx.app, id);
    Ok(no_content())
}

fn upload_certificate(ctx: &Ctx<'_>, id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    let map = parse_json_object(body)?;
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !["pkcs12Value", "password"].contains(&k.as_str()))
    {
        return Err(GraphError::bad_request(format!(
            "The parameter '{k}' in the request payload is not a valid parameter for the operation 'uploadClientCertificate'."
        )));
    }
    let param = |name: &str| match map.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(Value::Null) | None => Err(GraphError::bad_request(format!(
            "The parameter '{name}' is required for the operation 'uploadClientCertificate'."
        ))),
        Some(_) => Err(GraphError::invalid_property(name, "a string")),
    };
    let cert = parse_pkcs12(param("pkcs12Value")?, param("password")?)?;
    let record = ctx.app.mutate(|s| {
        let c = s
            .connectors
            .get_mut(&id.to_ascii_lowercase())
            .ok_or_else(|| connector_not_found(id))?;
        match &mut c.authentication {
            Some(AuthRecord::ClientCertificate { certificates }) => certificates.push(cert),
            // Undocumented for a basic-auth connector; treated like the switching PATCH.
            other => {
                *other = Some(AuthRecord::ClientCertificate {
                    certificates: vec![cert],
                });
            }
        }
        Ok(c.clone())
    })?;
    super::vault::remember_upload(ctx.app, id, body);
    Ok(json_response(
        StatusCode::OK,
        &connector_entity(ctx, &record, None),
    ))
}

// ---------------------------------------------------------------------------------------------
// User flows

/// `403 AADB2C` when the flow family does not exist in this kind of tenant (observed wording for
/// b2x on a B2C tenant, microsoftgraph/microsoft-graph-docs-contrib#8478; the reverse mirrors it).
fn family_check(app: &App, family: FlowFamily) -> Result<(), GraphError> {
    let message = match (app.tenant_kind, family) {
        (TenantKind::B2c, FlowFamily::B2x) => format!(
            "'{}' is an Azure AD B2C directory. Access to this Api can only be made for an Azure AD directory (non b2c).",
            app.tenant_domain
        ),
        (TenantKind::Workforce, FlowFamily::B2c) => format!(
            "'{}' is not an Azure AD B2C directory. Access to this Api can only be made for an Azure AD B2C directory.",
            app.tenant_domain
        ),
        _ => return Ok(()),
    };
    Err(GraphError::new(StatusCode::FORBIDDEN, "AADB2C", message).with_correlation())
}

fn flow_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!("The user flow '{id}' was not found."))
}

const FLOW_NAVIGATIONS: &[&str] = &[
    "identityProviders",
    "userFlowIdentityProviders",
    "userAttributeAssignments",
    "languages",
];

fn flow_type_name(family: FlowFamily) -> &'static str {
    match family {
        FlowFamily::B2c => "b2cIdentityUserFlow",
        FlowFamily::B2x => "b2xIdentityUserFlow",
    }
}

fn flow_fields(out: &mut Obj, f: &UserFlowRecord, expand: &[&str]) {
    out.push("id", f.id.clone());
    out.push("userFlowType", f.user_flow_type.clone());
    out.push(
        "userFlowTypeVersion",
        Value::Number(f.user_flow_type_version.clone()),
    );
    if f.family == FlowFamily::B2c {
        out.push(
            "isLanguageCustomizationEnabled",
            f.is_language_customization_enabled,
        );
        out.push("defaultLanguageTag", f.default_language_tag.clone());
    }
    // Identity providers, attributes and languages are not modelled: expanded, they are empty.
    for nav in expand {
        out.push(*nav, Value::Array(Vec::new()));
    }
}

fn flow_expand(ctx: &Ctx<'_>, family: FlowFamily) -> Result<Vec<&'static str>, GraphError> {
    ctx.query.only(&["$expand"])?;
    ctx.query
        .get("$expand")
        .map(|v| odata::parse_property_list(v, FLOW_NAVIGATIONS, flow_type_name(family)))
        .transpose()
        .map(Option::unwrap_or_default)
}

fn list_flows(ctx: &Ctx<'_>, family: FlowFamily) -> Result<Response<Body>, GraphError> {
    let expand = flow_expand(ctx, family)?;
    let store = ctx.app.lock();
    let values: Vec<Value> = store
        .user_flows
        .values()
        .filter(|f| f.family == family)
        .map(|f| {
            let mut o = Obj::new();
            flow_fields(&mut o, f, &expand);
            Value::Object(o.0.into_iter().collect())
        })
        .collect();
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}", family.segment())),
    );
    o.push("value", values);
    Ok(json_response(StatusCode::OK, &o))
}

fn get_flow(ctx: &Ctx<'_>, family: FlowFamily, id: &str) -> Result<Response<Body>, GraphError> {
    let expand = flow_expand(ctx, family)?;
    let store = ctx.app.lock();
    let f = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}/$entity", family.segment())),
    );
    flow_fields(&mut o, f, &expand);
    Ok(json_response(StatusCode::OK, &o))
}

const B2C_FLOW_TYPES: &[&str] = &[
    "signUp",
    "signIn",
    "signUpOrSignIn",
    "passwordReset",
    "profileUpdate",
    "resourceOwner",
];

fn create_flow(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    let type_name = flow_type_name(family);
    let map = parse_json_object(body)?;
    check_entity_type(&map, type_name)?;
    let mut allowed = vec![
        "id",
        "userFlowType",
        "userFlowTypeVersion",
        "apiConnectorConfiguration",
        "identityProviders",
    ];
    if family == FlowFamily::B2c {
        allowed.extend(["isLanguageCustomizationEnabled", "defaultLanguageTag"]);
    }
    if let Some(k) = map
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        return Err(GraphError::unknown_property(k, type_name));
    }
    let name = string_prop(&map, "id", type_name)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(GraphError::invalid_property(
            "id",
            "a name of letters, digits, '_' or '-'",
        ));
    }
    let flow_type = string_prop(&map, "userFlowType", type_name)?;
    let valid_type = match family {
        FlowFamily::B2x => flow_type == "signUpOrSignIn",
        FlowFamily::B2c => B2C_FLOW_TYPES.contains(&flow_type),
    };
    if !valid_type {
        return Err(GraphError::bad_request(format!(
            "The value '{flow_type}' is not a valid userFlowType for {type_name}."
        )));
    }
    let version = match map.get("userFlowTypeVersion") {
        Some(Value::Number(n)) => n.clone(),
        None | Some(Value::Null) => {
            return Err(GraphError::missing_property(
                "userFlowTypeVersion",
                type_name,
            ));
        }
        Some(_) => {
            return Err(GraphError::invalid_property(
                "userFlowTypeVersion",
                "a number",
            ));
        }
    };
    let mut flow = UserFlowRecord::new(family, name, flow_type, 1);
    flow.user_flow_type_version = version;
    if family == FlowFamily::B2c {
        match map.get("isLanguageCustomizationEnabled") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => flow.is_language_customization_enabled = *b,
            Some(_) => {
                return Err(GraphError::invalid_property(
                    "isLanguageCustomizationEnabled",
                    "a boolean",
                ));
            }
        }
        match map.get("defaultLanguageTag") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => flow.default_language_tag = Some(s.clone()),
            Some(_) => {
                return Err(GraphError::invalid_property(
                    "defaultLanguageTag",
                    "a string",
                ));
            }
        }
    }
    // An inline `apiConnectorConfiguration` is accepted but not applied, as observed on the real service
    // (microsoftgraph/microsoft-graph-docs#11875); bind steps with PUT .../$ref instead.
    if let Some(v) = map.get("apiConnectorConfiguration")
        && !v.is_object()
        && !v.is_null()
    {
        return Err(GraphError::invalid_property(
            "apiConnectorConfiguration",
            "an object",
        ));
    }
    let flow = ctx.app.mutate(|s| {
        let key = flow.id.to_ascii_lowercase();
        if s.user_flows.contains_key(&key) {
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!("A user flow with the id '{}' already exists.", flow.id),
            ));
        }
        s.user_flows.insert(key, flow.clone());
        Ok(flow)
    })?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("identity/{}/$entity", family.segment())),
    );
    flow_fields(&mut o, &flow, &[]);
    o.push("apiConnectorConfiguration", json!({}));
    let location = format!("{}/identity/{}/{}", ctx.base(), family.segment(), flow.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &o),
        &location,
    ))
}

fn delete_flow(ctx: &Ctx<'_>, family: FlowFamily, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.app.mutate(|s| {
        let key = id.to_ascii_lowercase();
        match s.user_flows.get(&key) {
            Some(f) if f.family == family => {
                s.user_flows.shift_remove(&key);
                Ok(())
            }
            _ => Err(flow_not_found(id)),
        }
    })?;
    Ok(no_content())
}

// ---------------------------------------------------------------------------------------------
// apiConnectorConfiguration

fn config_context(ctx: &Ctx<'_>, family: FlowFamily, flow_id: &str) -> String {
    ctx.context(&format!(
        "identity/{}('{flow_id}')/apiConnectorConfiguration",
        family.segment()
    ))
}

/// Without `$expand` only the context comes back (our choice: the docs show only expanded responses);
/// an expanded step with nothing bound is `null`.
fn get_config(ctx: &Ctx<'_>, family: FlowFamily, id: &str) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$expand"])?;
    let expand = ctx
        .query
        .get("$expand")
        .map(|v| odata::parse_property_list(v, ctx.steps(), "userFlowApiConnectorConfiguration"))
        .transpose()?
        .unwrap_or_default();
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    let base_context = config_context(ctx, family, &flow.id);
    let mut o = Obj::new();
    if expand.is_empty() {
        o.push("@odata.context", base_context);
    } else {
        let list: Vec<String> = expand.iter().map(|s| format!("{s}()")).collect();
        o.push(
            "@odata.context",
            format!("{base_context}({})", list.join(",")),
        );
        for name in &expand {
            let step = Step::parse(name).expect("names come from the step list");
            match bound_connector(&store, flow, step) {
                Some(c) => {
                    o.push(
                        format!("{name}@odata.context"),
                        format!("{base_context}/microsoft.graph.userFlowApiConnectorConfiguration/{name}/$entity"),
                    );
                    o.push(*name, connector_value(c));
                }
                None => o.push(*name, Value::Null),
            }
        }
    }
    Ok(json_response(StatusCode::OK, &o))
}

fn bound_connector<'s>(
    store: &'s Store,
    flow: &UserFlowRecord,
    step: Step,
) -> Option<&'s ConnectorRecord> {
    flow.api_connector_configuration
        .get(&step)
        .and_then(|id| store.connector(id))
}

/// `GET …/{step}`: the bound connector, or `204` when nothing is bound (OData's answer for an empty
/// single-valued navigation). Not documented by Graph; the OpenAPI lists it.
fn get_step(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
) -> Result<Response<Body>, GraphError> {
    ctx.query.only(&["$select"])?;
    let select = parse_select(ctx)?;
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    match bound_connector(&store, flow, step) {
        Some(c) => Ok(json_response(
            StatusCode::OK,
            &connector_entity(ctx, c, select.as_deref()),
        )),
        None => Ok(no_content()),
    }
}

fn get_step_ref(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
) -> Result<Response<Body>, GraphError> {
    not_referenceable(step)?;
    let store = ctx.app.lock();
    let flow = store.flow(family, id).ok_or_else(|| flow_not_found(id))?;
    match bound_connector(&store, flow, step) {
        Some(c) => {
            let mut o = Obj::new();
            o.push("@odata.context", ctx.context("$ref"));
            o.push(
                "@odata.id",
                format!("{}/identity/apiConnectors/{}", ctx.base(), c.id),
            );
            Ok(json_response(StatusCode::OK, &o))
        }
        None => Ok(no_content()),
    }
}

/// `preTokenIssuance` has no `Referenceable` annotation in the CSDL, so no `$ref` path.
fn not_referenceable(step: Step) -> Result<(), GraphError> {
    if step == Step::PreTokenIssuance {
        return Err(GraphError::bad_request(
            "The navigation property 'preTokenIssuance' cannot be changed through $ref.",
        ));
    }
    Ok(())
}

fn bad_ref_url() -> GraphError {
    GraphError::bad_request("Invalid URL format specified in payload.")
}

/// The body of `PUT …/$ref`: `{}` unbinds; `{"@odata.id": "<absolute URL of a connector>"}` binds.
/// Returns the connector id, or `None` to unbind.
fn parse_ref_body(body: &[u8]) -> Result<Option<String>, GraphError> {
    let map = parse_json_object(body)?;
    if map.is_empty() {
        return Ok(None);
    }
    if let Some(k) = map.keys().find(|k| !k.starts_with('@')) {
        return Err(GraphError::bad_request(format!(
            "The property '{k}' is not allowed in a $ref request body; send only '@odata.id'."
        )));
    }
    let Some(Value::String(link)) = map.get("@odata.id") else {
        return Err(bad_ref_url());
    };
    let url = url::Url::parse(link).map_err(|_| bad_ref_url())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad_ref_url());
    }
    let segs: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(decode_segment).collect())
        .unwrap_or_default();
    match segs.as_slice() {
        [.., v, identity, connectors, id]
            if (eq(v, "v1.0") || eq(v, "beta"))
                && eq(identity, "identity")
                && eq(connectors, "apiConnectors") =>
        {
            Ok(Some(id.clone()))
        }
        _ => Err(bad_ref_url()),
    }
}

fn set_step(
    ctx: &Ctx<'_>,
    family: FlowFamily,
    id: &str,
    step: Step,
    target: Option<String>,
) -> Result<Response<Body>, GraphError> {
    not_referenceable(step)?;
    ctx.app.mutate(|s| {
        if s.flow(family, id).is_none() {
            return Err(flow_not_found(id));
        }
        let connector_id = match &target {
            Some(cid) => Some(
                s.connector(cid)
                    .ok_or_else(|| connector_not_found(cid))?
                    .id
                    .clone(),
            ),
            None => None,
        };
        let flow = s
            .user_flows
            .get_mut(&id.to_ascii_lowercase())
            .expect("checked above");
        match connector_id {
            Some(cid) => {
                flow.api_connector_configuration.insert(step, cid);
            }
            None => {
                flow.api_connector_configuration.remove(&step);
            }
        }
        Ok(())
    })?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn routes_resolve_case_insensitively_and_per_version() {
        let r = |v, p| parse_route(v, &segs(p)).map(|(r, _)| r);
        assert_eq!(
            r(GraphVersion::V1, "identity/apiconnectors").unwrap(),
            Route::Connectors
        );
        assert_eq!(
            r(
                GraphVersion::Beta,
                "identity/apiConnectors/x/microsoft.graph.uploadClientCertificate"
            )
            .unwrap(),
            Route::Upload("x".into())
        );
        assert!(r(GraphVersion::V1, "identity/b2cUserFlows").is_err());
        assert_eq!(
            r(GraphVersion::Beta, "identity/b2cUserFlows").unwrap(),
            Route::Flows(FlowFamily::B2c)
        );
        assert!(
            r(
                GraphVersion::V1,
                "identity/b2xUserFlows/f/apiConnectorConfiguration/preTokenIssuance/$ref"
            )
            .is_err()
        );
        assert_eq!(
            r(
                GraphVersion::Beta,
                "identity/b2xUserFlows/f/apiConnectorConfiguration/PreTokenIssuance/$ref"
            )
            .unwrap(),
            Route::StepRef(FlowFamily::B2x, "f".into(), Step::PreTokenIssuance)
        );
        let e = r(GraphVersion::Beta, "identity/apiConnectors/x/nope").unwrap_err();
        assert_eq!(e.message, "Resource not found for the segment 'nope'.");
    }

    #[test]
    fn ref_bodies_are_validated() {
        assert_eq!(parse_ref_body(b"{}").unwrap(), None);
        assert_eq!(
            parse_ref_body(
                br#"{"@odata.id":"https://graph.microsoft.com/v1.0/identity/apiConnectors/abc"}"#
            )
            .unwrap(),
            Some("abc".into())
        );
        for bad in [
            r#"{"@odata.id":"abc"}"#,
            r#"{"@odata.id":"/beta/identity/apiConnectors/abc"}"#,
            r#"{"@odata.id":"https://h/beta/identity/b2xUserFlows/abc"}"#,
            r#"{"@odata.id":"ftp://h/beta/identity/apiConnectors/abc"}"#,
            r#"{"@odata.id":42}"#,
            r#"{"id":"abc"}"#,
            r#""abc""#,
            "not json",
        ] {
            assert_eq!(
                parse_ref_body(bad.as_bytes()).unwrap_err().status,
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
    }
}
