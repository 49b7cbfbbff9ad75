//! Custom authentication extensions (`/identity/customAuthenticationExtensions`): list with paging,
//! `$select`, `$filter` (`isOf`, `id`, `displayName`, `description`) and `$count`, create
//! (polymorphic on `@odata.type`), get, PATCH, delete, and `validateAuthenticationConfiguration`
//! bound to an extension or to the collection (`docs/graph-behaviour.md` §7).

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::authentication_configuration_validation::{Finding, check};
use super::collection::{Paging, count_response};
use super::request::{
    Ctx, abstract_type_needs_annotation, bare_type, only_properties, opt_object, opt_string,
    parse_json_object, unresolved_type,
};
use super::response::{Obj, json_response, no_content, with_location};
use super::tenant_kind::{extensions_available, external_only};
use crate::error::GraphError;
use crate::odata::{self, Filter, TYPE_PROPERTY};
use crate::state::{BehaviorOnError, ClientConfiguration, ExtensionKind, ExtensionRecord};

const COLLECTION: &str = "identity/customAuthenticationExtensions";
/// "You can have a maximum of 100 custom extension policies." (create page).
const MAX_EXTENSIONS: usize = 100;
const PROPS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "clientConfiguration",
    "behaviorOnError",
    "authenticationConfiguration",
    "endpointConfiguration",
    "claimsForTokenConfiguration",
];
const FILTERABLE: &[&str] = &["id", "displayName", "description", TYPE_PROPERTY];
const BASE_TYPE: &str = "customAuthenticationExtension";

pub(super) fn extension_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!(
        "The custom authentication extension '{id}' was not found."
    ))
}

fn authentication_json(e: &ExtensionRecord) -> Value {
    if !e.has_authentication {
        return Value::Null;
    }
    json!({
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": e.resource_id,
    })
}

fn endpoint_json(e: &ExtensionRecord) -> Value {
    if !e.has_endpoint {
        return Value::Null;
    }
    json!({
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": e.target_url,
    })
}

/// The extension's members in the documented order (get example), `@odata.type` first; `select`
/// limits them (the type annotation stays, as for every derived type in a polymorphic set).
pub(super) fn extension_fields(
    out: &mut Obj,
    e: &ExtensionRecord,
    select: Option<&[&str]>,
    with_type: bool,
) {
    let want = |p: &str| select.is_none_or(|s| s.contains(&p));
    if with_type {
        out.push(
            "@odata.type",
            format!("#microsoft.graph.{}", e.kind.type_name()),
        );
    }
    if want("id") {
        out.push("id", e.id.clone());
    }
    if want("displayName") {
        out.push("displayName", e.display_name.clone());
    }
    if want("description") {
        out.push("description", e.description.clone());
    }
    if want("clientConfiguration") {
        out.push(
            "clientConfiguration",
            e.client_configuration.map_or(Value::Null, |c| {
                json!({
                    "timeoutInMilliseconds": c.timeout_in_milliseconds,
                    "maximumRetries": c.maximum_retries,
                })
            }),
        );
    }
    if want("behaviorOnError") {
        out.push(
            "behaviorOnError",
            match e.behavior_on_error {
                None => Value::Null,
                Some(BehaviorOnError::Default) => {
                    json!({"@odata.type": "#microsoft.graph.customExtensionBehaviorOnError"})
                }
                Some(BehaviorOnError::FallbackToMicrosoftProvider) => {
                    json!({"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"})
                }
            },
        );
    }
    if want("authenticationConfiguration") {
        out.push("authenticationConfiguration", authentication_json(e));
    }
    if want("endpointConfiguration") {
        out.push("endpointConfiguration", endpoint_json(e));
    }
    if e.kind == ExtensionKind::TokenIssuanceStart && want("claimsForTokenConfiguration") {
        let claims: Vec<Value> = e
            .claims_for_token_configuration
            .iter()
            .map(|c| json!({"claimIdInApiResponse": c}))
            .collect();
        out.push("claimsForTokenConfiguration", claims);
    }
}

/// The extension as a JSON value (for a listener's `$expand=handler/customExtension`, which the
/// list example shows without `@odata.type`).
pub(super) fn extension_value(e: &ExtensionRecord, with_type: bool) -> Value {
    let mut o = Obj::new();
    extension_fields(&mut o, e, None, with_type);
    o.into_value()
}

fn select_suffix(select: Option<&[&str]>) -> String {
    select
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default()
}

fn parse_select(ctx: &Ctx<'_>) -> Result<Option<Vec<&'static str>>, GraphError> {
    ctx.query
        .get("$select")
        .map(|v| odata::parse_property_list(v, PROPS, BASE_TYPE))
        .transpose()
}

fn matches(e: &ExtensionRecord, filter: Option<&Filter>) -> bool {
    filter.is_none_or(|f| {
        f.eval(&|p| match p {
            "id" => Some(e.id.clone()),
            "displayName" => e.display_name.clone(),
            "description" => e.description.clone(),
            TYPE_PROPERTY => Some(e.kind.type_name().to_owned()),
            _ => None,
        })
    })
}

pub(super) fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&[
        "$top",
        "$skip",
        "$skiptoken",
        "$select",
        "$count",
        "$filter",
    ])?;
    let paging = Paging::parse(ctx)?;
    let select = parse_select(ctx)?;
    let filter = ctx
        .query
        .get("$filter")
        .map(|f| Filter::parse(f, FILTERABLE))
        .transpose()?;
    let store = ctx.app.lock();
    let items: Vec<(u64, Value)> = store
        .custom_extensions
        .values()
        .filter(|e| matches(e, filter.as_ref()))
        .map(|e| {
            let mut o = Obj::new();
            extension_fields(&mut o, e, select.as_deref(), true);
            (e.seq, o.into_value())
        })
        .collect();
    let context = ctx.context(&format!("{COLLECTION}{}", select_suffix(select.as_deref())));
    Ok(paging.respond(ctx, &format!("/{COLLECTION}"), context, items))
}

pub(super) fn count(ctx: &Ctx<'_>) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&["$filter"])?;
    let filter = ctx
        .query
        .get("$filter")
        .map(|f| Filter::parse(f, FILTERABLE))
        .transpose()?;
    let store = ctx.app.lock();
    Ok(count_response(
        store
            .custom_extensions
            .values()
            .filter(|e| matches(e, filter.as_ref()))
            .count(),
    ))
}

pub(super) fn get(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.query.only(&["$select"])?;
    let select = parse_select(ctx)?;
    let store = ctx.app.lock();
    let e = store.extension(id).ok_or_else(|| extension_not_found(id))?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!(
            "{COLLECTION}{}/$entity",
            select_suffix(select.as_deref())
        )),
    );
    extension_fields(&mut o, e, select.as_deref(), true);
    Ok(json_response(StatusCode::OK, &o))
}

/// The kind an `@odata.type` names, or Graph's error.
fn kind_of(map: &Map<String, Value>) -> Result<ExtensionKind, GraphError> {
    let Some(t) = bare_type(map)? else {
        return Err(GraphError::bad_request(
            "You must specify the '@odata.type' of a custom authentication extension: the type 'microsoft.graph.customAuthenticationExtension' is abstract.",
        ));
    };
    if let Some(kind) = ExtensionKind::ALL
        .into_iter()
        .find(|k| k.type_name().eq_ignore_ascii_case(&t))
    {
        return Ok(kind);
    }
    match t.as_str() {
        "onpasswordsubmitcustomextension" | "onverifiedidclaimvalidationcustomextension" => {
            Err(GraphError::bad_request(format!(
                "The emulator does not serve custom extensions of type '{}': no event payload is documented for it.",
                map["@odata.type"].as_str().unwrap_or_default()
            )))
        }
        "customauthenticationextension" | "customcalloutextension" => Err(GraphError::bad_request(
            "The type 'microsoft.graph.customAuthenticationExtension' is abstract; specify a derived type in '@odata.type'.",
        )),
        _ => Err(unresolved_type(&map["@odata.type"])),
    }
}

/// The changes a create or PATCH body asks for: `None` = not sent.
#[derive(Default)]
struct Changes {
    display_name: Option<Option<String>>,
    description: Option<Option<String>>,
    endpoint: Option<Option<Option<String>>>,
    resource_id: Option<Option<Option<String>>>,
    client_configuration: Option<Option<ClientConfiguration>>,
    behavior_on_error: Option<Option<BehaviorOnError>>,
    claims: Option<Vec<String>>,
}

fn typed_object<'v>(
    value: &'v Map<String, Value>,
    property: &str,
    abstract_type: &str,
) -> Result<(String, &'v Map<String, Value>), GraphError> {
    match bare_type(value)? {
        Some(t) => Ok((t, value)),
        None => Err(abstract_type_needs_annotation(property, abstract_type)),
    }
}

fn parse_endpoint(map: &Map<String, Value>) -> Result<Option<String>, GraphError> {
    let (t, map) = typed_object(
        map,
        "endpointConfiguration",
        "customExtensionEndpointConfiguration",
    )?;
    match t.as_str() {
        "httprequestendpoint" => {
            only_properties(map, &["targetUrl"], "httpRequestEndpoint")?;
            Ok(opt_string(map, "targetUrl")?.flatten())
        }
        "logicapptriggerendpointconfiguration" => Err(GraphError::bad_request(
            "A custom authentication extension calls an 'httpRequestEndpoint'; 'logicAppTriggerEndpointConfiguration' is for identity governance extensions.",
        )),
        _ => Err(unresolved_type(&map["@odata.type"])),
    }
}

fn parse_authentication(map: &Map<String, Value>) -> Result<Option<String>, GraphError> {
    let (t, map) = typed_object(
        map,
        "authenticationConfiguration",
        "customExtensionAuthenticationConfiguration",
    )?;
    match t.as_str() {
        "azureadtokenauthentication" => {
            only_properties(map, &["resourceId"], "azureAdTokenAuthentication")?;
            Ok(opt_string(map, "resourceId")?.flatten())
        }
        "azureadpoptokenauthentication" => Err(GraphError::bad_request(
            "A custom authentication extension authenticates with 'azureAdTokenAuthentication'; 'azureAdPopTokenAuthentication' is for Logic Apps.",
        )),
        _ => Err(unresolved_type(&map["@odata.type"])),
    }
}

fn int_in(
    map: &Map<String, Value>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, GraphError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(GraphError::bad_request(format!(
                "Invalid value for property '{name}': expected an integer between {} and {}.",
                range.start(),
                range.end()
            ))),
        },
    }
}

/// `clientConfiguration`: "The valid range is between 200 and 2000 milliseconds"; "Values of 0 or
/// 1 are supported" (`customExtensionClientConfiguration`).
pub(super) fn parse_client_configuration(
    map: &Map<String, Value>,
) -> Result<ClientConfiguration, GraphError> {
    only_properties(
        map,
        &["timeoutInMilliseconds", "maximumRetries"],
        "customExtensionClientConfiguration",
    )?;
    Ok(ClientConfiguration {
        timeout_in_milliseconds: int_in(map, "timeoutInMilliseconds", 200..=2000)?,
        maximum_retries: int_in(map, "maximumRetries", 0..=1)?,
    })
}

/// `behaviorOnError`: the abstract base (no `@odata.type` counts as it) means the default.
pub(super) fn parse_behavior_on_error(
    map: &Map<String, Value>,
) -> Result<BehaviorOnError, GraphError> {
    match bare_type(map)?.as_deref() {
        None | Some("customextensionbehavioronerror") => Ok(BehaviorOnError::Default),
        Some("fallbacktomicrosoftprovideronerror") => {
            Ok(BehaviorOnError::FallbackToMicrosoftProvider)
        }
        Some(_) => Err(unresolved_type(&map["@odata.type"])),
    }
}

fn parse_changes(map: &Map<String, Value>, kind: ExtensionKind) -> Result<Changes, GraphError> {
    let mut allowed = PROPS.to_vec();
    if kind != ExtensionKind::TokenIssuanceStart {
        allowed.retain(|p| *p != "claimsForTokenConfiguration");
    }
    only_properties(map, &allowed, kind.type_name())?;
    let mut c = Changes {
        display_name: opt_string(map, "displayName")?,
        description: opt_string(map, "description")?,
        ..Changes::default()
    };
    if let Some(v) = opt_object(map, "endpointConfiguration")? {
        c.endpoint = Some(v.map(parse_endpoint).transpose()?);
    }
    if let Some(v) = opt_object(map, "authenticationConfiguration")? {
        c.resource_id = Some(v.map(parse_authentication).transpose()?);
    }
    if let Some(v) = opt_object(map, "clientConfiguration")? {
        c.client_configuration = Some(v.map(parse_client_configuration).transpose()?);
    }
    if let Some(v) = opt_object(map, "behaviorOnError")? {
        c.behavior_on_error = Some(v.map(parse_behavior_on_error).transpose()?);
    }
    match map.get("claimsForTokenConfiguration") {
        None => {}
        Some(Value::Null) => c.claims = Some(Vec::new()),
        Some(Value::Array(items)) => {
            let mut claims = Vec::new();
            for item in items {
                match item.get("claimIdInApiResponse").and_then(Value::as_str) {
                    Some(id) if item.as_object().is_some_and(|o| o.len() == 1) => {
                        claims.push(id.to_owned())
                    }
                    _ => {
                        return Err(GraphError::invalid_property(
                            "claimsForTokenConfiguration",
                            "a list of {\"claimIdInApiResponse\": string}",
                        ));
                    }
                }
            }
            c.claims = Some(claims);
        }
        Some(_) => {
            return Err(GraphError::invalid_property(
                "claimsForTokenConfiguration",
                "a list",
            ));
        }
    }
    if matches!(c.resource_id, Some(None)) {
        return Err(GraphError::missing_property(
            "authenticationConfiguration",
            kind.type_name(),
        ));
    }
    Ok(c)
}

fn apply(e: &mut ExtensionRecord, c: Changes) {
    if let Some(v) = c.display_name {
        e.display_name = v;
    }
    if let Some(v) = c.description {
        e.description = v;
    }
    if let Some(v) = c.endpoint {
        e.has_endpoint = v.is_some();
        e.target_url = v.flatten();
    }
    if let Some(v) = c.resource_id {
        e.has_authentication = v.is_some();
        e.resource_id = v.flatten();
    }
    if let Some(v) = c.client_configuration {
        e.client_configuration = v;
    }
    if let Some(v) = c.behavior_on_error {
        e.behavior_on_error = v;
    }
    if let Some(v) = c.claims {
        e.claims_for_token_configuration = v;
    }
}

pub(super) fn create(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    let map = parse_json_object(body)?;
    let kind = kind_of(&map)?;
    if !kind.in_workforce_tenants() {
        external_only(ctx.app, kind.type_name())?;
    }
    let changes = parse_changes(&map, kind)?;
    if changes.resource_id.is_none() {
        return Err(GraphError::missing_property(
            "authenticationConfiguration",
            kind.type_name(),
        ));
    }
    let record = ctx.app.mutate(|s| {
        if s.custom_extensions.len() >= MAX_EXTENSIONS {
            return Err(GraphError::bad_request(format!(
                "The tenant has the maximum of {MAX_EXTENSIONS} custom extension policies."
            )));
        }
        let mut e = ExtensionRecord {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            display_name: None,
            description: None,
            target_url: None,
            has_endpoint: false,
            resource_id: None,
            has_authentication: false,
            client_configuration: None,
            behavior_on_error: None,
            claims_for_token_configuration: Vec::new(),
            seq: s.next_seq(),
        };
        apply(&mut e, changes);
        s.custom_extensions
            .insert(e.id.to_ascii_lowercase(), e.clone());
        Ok(e)
    })?;
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context(&format!("{COLLECTION}/$entity")),
    );
    extension_fields(&mut o, &record, None, true);
    let location = format!("{}/{COLLECTION}/{}", ctx.base(), record.id);
    Ok(with_location(
        json_response(StatusCode::CREATED, &o),
        &location,
    ))
}

pub(super) fn update(ctx: &Ctx<'_>, id: &str, body: &[u8]) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    let map = parse_json_object(body)?;
    let stored = ctx
        .app
        .lock()
        .extension(id)
        .map(|e| e.kind)
        .ok_or_else(|| extension_not_found(id))?;
    // "You must specify the @odata.type property" (update page); it cannot change the type.
    let kind = kind_of(&map)?;
    if kind != stored {
        return Err(GraphError::bad_request(format!(
            "The '@odata.type' of an update must be the extension's type 'microsoft.graph.{}'.",
            stored.type_name()
        )));
    }
    let changes = parse_changes(&map, kind)?;
    ctx.app.mutate(|s| {
        let e = s
            .custom_extensions
            .get_mut(&id.to_ascii_lowercase())
            .ok_or_else(|| extension_not_found(id))?;
        apply(e, changes);
        Ok(())
    })?;
    Ok(no_content())
}

pub(super) fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    ctx.app.mutate(|s| {
        s.custom_extensions
            .shift_remove(&id.to_ascii_lowercase())
            .map(|_| ())
            .ok_or_else(|| extension_not_found(id))
    })?;
    Ok(no_content())
}

fn validation_response(
    ctx: &Ctx<'_>,
    target_url: Option<&str>,
    resource_id: Option<&str>,
) -> Response<Body> {
    let findings = check(ctx.app, target_url, resource_id);
    let item = |f: &Finding| json!({"code": f.code(), "message": f.message()});
    let (warnings, errors): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .filter(|f| *f != Finding::ServicePrincipalDisabled)
        .partition(|f| *f == Finding::PermissionNotGrantedToServicePrincipal);
    let mut o = Obj::new();
    o.push(
        "@odata.context",
        ctx.context("microsoft.graph.authenticationConfigurationValidation"),
    );
    o.push("errors", errors.iter().map(item).collect::<Vec<_>>());
    o.push("warnings", warnings.iter().map(item).collect::<Vec<_>>());
    json_response(StatusCode::OK, &o)
}

/// `POST …/{id}/validateAuthenticationConfiguration`: "Don't supply a request body"; an empty
/// body or `{}` is accepted.
pub(super) fn validate_by_id(
    ctx: &Ctx<'_>,
    id: &str,
    body: &[u8],
) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    if !body.iter().all(u8::is_ascii_whitespace)
        && parse_json_object(body)?.keys().any(|k| !k.starts_with('@'))
    {
        return Err(GraphError::bad_request(
            "The bound action 'validateAuthenticationConfiguration' of a custom authentication extension takes no parameters.",
        ));
    }
    let (target, resource) = {
        let store = ctx.app.lock();
        let e = store.extension(id).ok_or_else(|| extension_not_found(id))?;
        (e.target_url.clone(), e.resource_id.clone())
    };
    Ok(validation_response(
        ctx,
        target.as_deref(),
        resource.as_deref(),
    ))
}

/// `POST …/validateAuthenticationConfiguration` with `{endpointConfiguration, authenticationConfiguration}`.
pub(super) fn validate_unsaved(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, GraphError> {
    extensions_available(ctx.app)?;
    let map = parse_json_object(body)?;
    if let Some(k) = map.keys().find(|k| {
        !k.starts_with('@')
            && !["endpointConfiguration", "authenticationConfiguration"].contains(&k.as_str())
    }) {
        return Err(GraphError::bad_request(format!(
            "The parameter '{k}' in the request payload is not a valid parameter for the operation 'validateAuthenticationConfiguration'."
        )));
    }
    let param = |name: &str| match map.get(name) {
        Some(Value::Object(o)) => Ok(o),
        _ => Err(GraphError::bad_request(format!(
            "The parameter '{name}' is required for the operation 'validateAuthenticationConfiguration'."
        ))),
    };
    let target = parse_endpoint(param("endpointConfiguration")?)?;
    let resource = parse_authentication(param("authenticationConfiguration")?)?;
    Ok(validation_response(
        ctx,
        target.as_deref(),
        resource.as_deref(),
    ))
}
