//! [`Continuation`]: the claims a `Continue` response returns.

use serde_json::Value;

use crate::claims::{
    EXTENSION_PREFIX, bare_attribute_name, find_custom_attribute, split_extension_claim,
};
use crate::{Claims, ContractError, custom_attribute_claim_name};

/// The claims a continuation response returns: at `PostFederationSignup` they pre-fill the
/// attribute collection page, at `PostAttributeCollection` they overwrite what the user entered,
/// before token issuance they go into the token.
///
/// Claim names are never `version` or `action` and values are never `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Continuation {
    claims: Claims,
}

impl Continuation {
    /// A continuation that returns no claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a claim.
    pub fn with_claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        self.insert_claim(name, value)?;
        Ok(self)
    }

    /// Adds (or replaces) a claim, returning the previous value.
    pub fn insert_claim(
        &mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, ContractError> {
        let name = name.into();
        let value = value.into();
        check_response_claim(&name, &value)?;
        Ok(self.claims.insert(name, value))
    }

    /// Returns custom attribute `name` as `extension_<name>`, the form without the app id that
    /// the docs allow in responses. If `name` already carries `extension_<app id>_`, it is kept.
    /// Any other entry for the same attribute is replaced.
    pub fn with_custom_attribute(
        mut self,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        let key = match split_extension_claim(name) {
            Some((Some(_), _)) => {
                bare_attribute_name(name, None)?;
                name.to_owned()
            }
            _ => format!("{EXTENSION_PREFIX}{}", bare_attribute_name(name, None)?),
        };
        let bare = bare_attribute_name(name, None)?.to_owned();
        self.set_custom_attribute_key(&bare, key, value.into())?;
        Ok(self)
    }

    /// Returns custom attribute `name` under its full name `extension_<app id>_<name>`.
    /// Any other entry for the same attribute is replaced.
    pub fn with_custom_attribute_for_app(
        mut self,
        extensions_app_id: &str,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<Self, ContractError> {
        let key = custom_attribute_claim_name(extensions_app_id, name)?;
        let bare = bare_attribute_name(name, None)?.to_owned();
        self.set_custom_attribute_key(&bare, key, value.into())?;
        Ok(self)
    }

    fn set_custom_attribute_key(
        &mut self,
        bare: &str,
        key: String,
        value: Value,
    ) -> Result<(), ContractError> {
        check_response_claim(&key, &value)?;
        self.claims.retain(|existing, _| {
            !matches!(split_extension_claim(existing), Some((_, name)) if name == bare)
        });
        self.claims.insert(key, value);
        Ok(())
    }

    /// The returned claims, in order.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// One returned claim.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// A returned custom attribute, whether its name carries the app id
    /// (`extension_<app id>_<name>`, preferred) or not (`extension_<name>`).
    pub fn custom_attribute(&self, extensions_app_id: &str, name: &str) -> Option<&Value> {
        find_custom_attribute(&self.claims, extensions_app_id, name, true)
    }

    /// Whether no claim is returned.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The returned claims.
    pub fn into_claims(self) -> Claims {
        self.claims
    }
}

fn check_response_claim(name: &str, value: &Value) -> Result<(), ContractError> {
    if name.is_empty() || name == "version" || name == "action" {
        return Err(ContractError::InvalidClaimName(name.to_owned()));
    }
    if value.is_null() {
        return Err(ContractError::NullClaim(name.to_owned()));
    }
    Ok(())
}
