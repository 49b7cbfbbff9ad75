//! The request bodies Entra sends to a custom extension (`custom-extensions-contract.md` §2): the
//! common envelope `{type, source, data: {@odata.type, tenantId, authenticationEventListenerId,
//! customAuthenticationExtensionId, authenticationContext, …}}` and each event's own members, and
//! the typed attribute values of the attribute collection events.

use serde_json::{Map, Value, json};

use super::answer::Event;
use crate::service_principal::ServicePrincipal;
use crate::state::UserFlowAttribute;

/// What every call of one sign-up shares.
pub(crate) struct Session<'a> {
    pub tenant_id: &'a str,
    pub correlation_id: &'a str,
    /// `client.locale` and `client.market` (lower case, as the examples).
    pub locale: String,
    /// The application signed up to: both client and resource service principal (an ID token for
    /// the app itself; the docs do not say which app `source` names, §2.1).
    pub client: &'a ServicePrincipal,
}

fn service_principal(sp: &ServicePrincipal) -> Value {
    json!({
        "id": sp.object_id,
        "appId": sp.app_id,
        "appDisplayName": sp.display_name,
        "displayName": sp.display_name,
    })
}

/// The event's request body. `context_extra` goes into `authenticationContext` (`user`,
/// `requestType`), `data_extra` into `data` (`userSignUpInfo`, `otpContext`).
pub(crate) fn body(
    event: Event,
    session: &Session<'_>,
    listener_id: &str,
    extension_id: &str,
    context_extra: Vec<(&str, Value)>,
    data_extra: Vec<(&str, Value)>,
) -> Value {
    let mut context = Map::new();
    context.insert("correlationId".into(), json!(session.correlation_id));
    context.insert(
        "client".into(),
        json!({"ip": "127.0.0.1", "locale": session.locale, "market": session.locale}),
    );
    context.insert("protocol".into(), json!("OAUTH2.0"));
    context.insert(
        "clientServicePrincipal".into(),
        service_principal(session.client),
    );
    context.insert(
        "resourceServicePrincipal".into(),
        service_principal(session.client),
    );
    for (k, v) in context_extra {
        context.insert(k.into(), v);
    }
    let mut data = Map::new();
    data.insert("@odata.type".into(), json!(event.callout_data_type()));
    data.insert("tenantId".into(), json!(session.tenant_id));
    data.insert("authenticationEventListenerId".into(), json!(listener_id));
    data.insert(
        "customAuthenticationExtensionId".into(),
        json!(extension_id),
    );
    data.insert("authenticationContext".into(), Value::Object(context));
    for (k, v) in data_extra {
        data.insert(k.into(), v);
    }
    json!({
        "type": event.request_type(),
        "source": format!("/tenants/{}/applications/{}", session.tenant_id, session.client.app_id),
        "data": data,
    })
}

/// The value type of an attribute's `dataType`.
fn value_type(attribute: &UserFlowAttribute) -> &'static str {
    match attribute.data_type.as_str() {
        "boolean" => "microsoft.graph.booleanDirectoryAttributeValue",
        "int64" => "microsoft.graph.int64DirectoryAttributeValue",
        // string, stringCollection (comma-delimited), dateTime
        _ => "microsoft.graph.stringDirectoryAttributeValue",
    }
}

/// A value as the attribute's type, or why it is not one: strings for string attributes (an
/// array of strings becomes the comma-delimited form the docs describe for multiple values),
/// integers for `int64`, booleans for `boolean`.
pub(crate) fn typed_value(attribute: &UserFlowAttribute, value: &Value) -> Result<Value, String> {
    match (attribute.data_type.as_str(), value) {
        ("boolean", Value::Bool(_)) => Ok(value.clone()),
        ("int64", Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        ("boolean" | "int64", _) => Err(format!(
            "`{}` is a {} attribute, and {value} is not one",
            attribute.id, attribute.data_type
        )),
        (_, Value::String(_)) => Ok(value.clone()),
        (_, Value::Array(items)) if items.iter().all(Value::is_string) => Ok(Value::from(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        )),
        _ => Err(format!(
            "`{}` is a {} attribute, and {value} is not a string",
            attribute.id, attribute.data_type
        )),
    }
}

/// `userSignUpInfo.attributes`: every attribute of the flow, with its value when it has one
/// ("most attributes won't have values assigned" at start; the member is then left out).
pub(crate) fn attributes(
    flow_attributes: &[UserFlowAttribute],
    value_of: impl Fn(&str) -> Option<Value>,
) -> Value {
    let mut out = Map::new();
    for a in flow_attributes {
        let mut item = Map::new();
        item.insert("@odata.type".into(), json!(value_type(a)));
        if let Some(v) = value_of(&a.id) {
            item.insert("value".into(), v);
        }
        item.insert(
            "attributeType".into(),
            json!(if a.is_custom() {
                "directorySchemaExtension"
            } else {
                "builtIn"
            }),
        );
        out.insert(a.id.clone(), Value::Object(item));
    }
    Value::Object(out)
}

/// `authenticationContext.user` at token issuance, in the members of the claims provider example.
pub(crate) fn user(
    object_id: &str,
    created: &str,
    values: &dyn Fn(&str) -> Option<Value>,
    upn_domain: &str,
    locale: &str,
) -> Value {
    json!({
        "companyName": values("companyName"),
        "createdDateTime": created,
        "displayName": values("displayName"),
        "givenName": values("givenName"),
        "id": object_id,
        "mail": values("email"),
        "onPremisesSamAccountName": null,
        "onPremisesSecurityIdentifier": null,
        "onPremisesUserPrincipalName": null,
        "preferredLanguage": locale,
        "surname": values("surname"),
        "userPrincipalName": format!("{object_id}@{upn_domain}"),
        "userType": "Member",
    })
}
