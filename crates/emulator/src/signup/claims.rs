//! The service's rules for the user's attributes during a sign-up: which claims the input may give,
//! the documented request body of each step (members, order, `step` value), and what an API's
//! continuation may change (sources in the `signup` module's docs).

use entra_api_connectors_contract::{
    self as contract, Claims, ContractError, Step, custom_attribute_claim_name,
};
use serde::Serialize;
use serde_json::Value;

use super::{DEFAULT_CLIENT_ID, DEFAULT_UI_LOCALES, SignUpError, SignUpInput};
use crate::state::{self, FlowFamily};

/// Typed user attributes, in the order the documented request examples list them.
const ATTRIBUTE_ORDER: &[&str] = &[
    "email",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "streetAddress",
    "city",
    "postalCode",
    "state",
    "country",
];

/// What an identity provider gives, sent at `postFederationSignup`.
const FEDERATION_CLAIMS: &[&str] = &["email", "displayName", "givenName", "surname"];

/// Request fields the service itself fills; neither the input nor a response can set them.
const RESERVED: &[&str] = &[
    "identities",
    "objectId",
    "step",
    "client_id",
    "clientId",
    "ui_locales",
];

/// The contract's name of a configuration step.
pub(super) fn contract_step(step: state::Step) -> Step {
    match step {
        state::Step::PostFederationSignup => Step::PostFederationSignup,
        state::Step::PostAttributeCollection => Step::PostAttributeCollection,
        state::Step::PreTokenIssuance => Step::PreTokenIssuance,
    }
}

/// Canonical claim name: custom attributes with the app id, `lastName` as `surname`.
fn canonical_name(name: &str, app_id: &str) -> Result<String, ContractError> {
    if name.starts_with("extension_") {
        custom_attribute_claim_name(app_id, name)
    } else if name == "lastName" {
        Ok("surname".to_owned())
    } else {
        Ok(name.to_owned())
    }
}

/// The user's attributes as the sign-up goes on, and what the service adds to every call.
pub(super) struct Attributes {
    family: FlowFamily,
    extensions_app_id: String,
    client_id: String,
    ui_locales: String,
    identities: Value,
    identity_list: Vec<contract::Identity>,
    /// The user's attributes, canonical names, no nulls.
    pub claims: Claims,
}

/// A request body: the ordered claims, and the exact bytes sent.
pub(super) struct RequestBody {
    /// As recorded in the transcript.
    pub value: Value,
    /// As sent (`identities` keeps its documented member order).
    pub bytes: Vec<u8>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Wire<'a> {
    Value(&'a Value),
    Identities(&'a [contract::Identity]),
}

impl Attributes {
    /// The input's claims (nulls left out, reserved names refused, custom attributes with the app
    /// id) and the user's identity: federated with the input's identity provider, else an email
    /// account of `tenant_domain`.
    pub fn new(
        input: SignUpInput,
        family: FlowFamily,
        tenant_domain: &str,
        extensions_app_id: &str,
    ) -> Result<Self, SignUpError> {
        let mut claims = Claims::new();
        for (name, value) in input.claims {
            if value.is_null() {
                continue;
            }
            if RESERVED.contains(&name.as_str()) {
                return Err(SignUpError::InvalidInput(format!(
                    "`{name}` is filled in by the service and cannot be given as a claim"
                )));
            }
            let name = canonical_name(&name, extensions_app_id)
                .map_err(|e| SignUpError::InvalidInput(e.to_string()))?;
            claims.insert(name, value);
        }
        let identity = match &input.identity_provider {
            Some(issuer) => contract::Identity::federated(
                issuer.clone(),
                uuid::Uuid::new_v4().simple().to_string(),
            ),
            None => contract::Identity {
                sign_in_type: Some("emailAddress".to_owned()),
                issuer: Some(tenant_domain.to_owned()),
                issuer_assigned_id: claims
                    .get("email")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
        };
        Ok(Attributes {
            family,
            extensions_app_id: extensions_app_id.to_owned(),
            client_id: input
                .client_id
                .unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned()),
            ui_locales: input
                .ui_locales
                .unwrap_or_else(|| DEFAULT_UI_LOCALES.to_owned()),
            identities: serde_json::to_value([&identity]).expect("identities serialize"),
            identity_list: vec![identity],
            claims,
        })
    }

    /// The documented request body of `step`, in the documented order.
    pub fn request_body(&self, step: Step, object_id: Option<&str>) -> RequestBody {
        let ordered = self.ordered_claims(step, object_id);
        // `identities` keeps its documented member order on the wire (a `Value` would sort it).
        let wire: indexmap::IndexMap<&str, Wire<'_>> = ordered
            .iter()
            .map(|(k, v)| match k.as_str() {
                "identities" => (k.as_str(), Wire::Identities(&self.identity_list)),
                _ => (k.as_str(), Wire::Value(v)),
            })
            .collect();
        let bytes = serde_json::to_vec(&wire).expect("JSON values serialize");
        RequestBody {
            value: Value::Object(ordered.into_iter().collect()),
            bytes,
        }
    }

    fn ordered_claims(&self, step: Step, object_id: Option<&str>) -> Claims {
        let mut body = Claims::new();
        let mut put = |name: &str, value: Option<&Value>| {
            if let Some(value) = value.filter(|v| !v.is_null()) {
                body.insert(name.to_owned(), value.clone());
            }
        };
        let federation = step == Step::PostFederationSignup;
        for name in ATTRIBUTE_ORDER {
            if federation && !FEDERATION_CLAIMS.contains(name) {
                continue;
            }
            put(name, self.claims.get(*name));
            if *name == "email" {
                put("identities", Some(&self.identities));
            }
            if *name == "displayName"
                && let Some(id) = object_id
            {
                put("objectId", Some(&Value::from(id)));
            }
        }
        if !federation {
            for (name, value) in &self.claims {
                if !ATTRIBUTE_ORDER.contains(&name.as_str()) {
                    put(name, Some(value));
                }
            }
        }
        if self.family == FlowFamily::B2c {
            // The token enrichment page shows this step's value as `PreTokenApplicationClaims`
            // (https://learn.microsoft.com/azure/active-directory-b2c/add-api-connector-token-enrichment).
            let value = match step {
                Step::PreTokenIssuance => "PreTokenApplicationClaims",
                other => other.as_str(),
            };
            put("step", Some(&Value::from(value)));
        }
        put("client_id", Some(&Value::from(self.client_id.clone())));
        put("ui_locales", Some(&Value::from(self.ui_locales.clone())));
        body
    }

    /// Applies the claims of a continuation: they pre-fill the page after federation, overwrite the
    /// collected attributes after collection, and go into the token before token issuance (returned
    /// as the token's claims). What is ignored is said in `notes`.
    pub fn apply(&mut self, step: Step, returned: Claims, notes: &mut Vec<String>) -> Claims {
        let mut token = self.claims.clone();
        for (name, value) in returned {
            if RESERVED.contains(&name.as_str()) {
                notes.push(format!(
                    "{step}: returned claim `{name}` ignored (set by the service)"
                ));
                continue;
            }
            let canonical = match canonical_name(&name, &self.extensions_app_id) {
                Ok(n) => n,
                Err(e) => {
                    notes.push(format!("{step}: returned claim `{name}` ignored: {e}"));
                    continue;
                }
            };
            if step == Step::PreTokenIssuance {
                token.insert(canonical, value);
            } else {
                self.claims.insert(canonical, value);
            }
        }
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signup::DEFAULT_EXTENSIONS_APP_ID;

    #[test]
    fn canonical_claim_names() {
        let app = contract::normalize_extensions_app_id(DEFAULT_EXTENSIONS_APP_ID).unwrap();
        assert_eq!(
            canonical_name("extension_Loyalty", &app).unwrap(),
            format!("extension_{app}_Loyalty")
        );
        assert_eq!(
            canonical_name(&format!("extension_{app}_Loyalty"), &app).unwrap(),
            format!("extension_{app}_Loyalty")
        );
        assert!(
            canonical_name("extension_0123456789abcdef0123456789abcdef_Loyalty", &app).is_err()
        );
        assert_eq!(canonical_name("lastName", &app).unwrap(), "surname");
        assert_eq!(canonical_name("city", &app).unwrap(), "city");
    }
}
