//! [`TokenClaims`]: the claims of `provideClaimsForToken`, with the claims provider's rules
//! (strings or string arrays, names not empty, at most [`MAX_CLAIMS_SIZE`] bytes).

use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::CustomExtensionError;

/// "The maximum claim size that a claims provider can return is limited to 3KB. This is the sum
/// of all the key and value pairs returned by the REST API" (custom claims provider reference).
/// Counted as the UTF-8 bytes of every name and every string value
/// (`docs/custom-extensions-contract.md` §3.3).
pub const MAX_CLAIMS_SIZE: usize = 3072;

/// One claim value: the claims provider supports strings and string arrays only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimValue {
    /// A string claim.
    String(String),
    /// A string-array claim.
    Strings(Vec<String>),
}

impl ClaimValue {
    /// The bytes this value counts towards [`MAX_CLAIMS_SIZE`].
    fn size(&self) -> usize {
        match self {
            ClaimValue::String(s) => s.len(),
            ClaimValue::Strings(v) => v.iter().map(String::len).sum(),
        }
    }

    /// Reads a JSON value returned for claim `name`.
    pub fn from_json_value(name: &str, value: &Value) -> Result<Self, CustomExtensionError> {
        let invalid = || CustomExtensionError::InvalidClaimValue {
            claim: name.to_owned(),
        };
        match value {
            Value::String(s) => Ok(ClaimValue::String(s.clone())),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or_else(invalid))
                .collect::<Result<_, _>>()
                .map(ClaimValue::Strings),
            _ => Err(invalid()),
        }
    }
}

impl From<&str> for ClaimValue {
    fn from(value: &str) -> Self {
        ClaimValue::String(value.to_owned())
    }
}

impl From<String> for ClaimValue {
    fn from(value: String) -> Self {
        ClaimValue::String(value)
    }
}

impl From<Vec<String>> for ClaimValue {
    fn from(value: Vec<String>) -> Self {
        ClaimValue::Strings(value)
    }
}

impl From<&[&str]> for ClaimValue {
    fn from(value: &[&str]) -> Self {
        ClaimValue::Strings(value.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for ClaimValue {
    fn from(value: [&str; N]) -> Self {
        ClaimValue::Strings(value.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl Serialize for ClaimValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ClaimValue::String(s) => serializer.serialize_str(s),
            ClaimValue::Strings(v) => serializer.collect_seq(v),
        }
    }
}

/// The `claims` of `provideClaimsForToken`, in insertion order. Every insertion checks the
/// claims provider's rules, so a `TokenClaims` is always one Entra accepts.
///
/// ```
/// use entra_api_connectors_contract::custom_extension::{CustomExtensionError, TokenClaims};
///
/// let claims = TokenClaims::new()
///     .with("DateOfBirth", "01/01/2000")?
///     .with("CustomRoles", ["Writer", "Editor"])?;
/// assert_eq!(claims.size(), 11 + 10 + 11 + 6 + 6);
/// assert_eq!(
///     TokenClaims::new().with("", "x"),
///     Err(CustomExtensionError::EmptyName { what: "claim" })
/// );
/// # Ok::<(), CustomExtensionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenClaims {
    claims: IndexMap<String, ClaimValue>,
    size: usize,
}

impl TokenClaims {
    /// No claims.
    pub fn new() -> Self {
        TokenClaims::default()
    }

    /// Sets claim `name` (case-sensitive), returning its previous value. Fails, leaving the
    /// claims as they were, when `name` is empty or the claims would exceed
    /// [`MAX_CLAIMS_SIZE`].
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<ClaimValue>,
    ) -> Result<Option<ClaimValue>, CustomExtensionError> {
        let name = name.into();
        if name.is_empty() {
            return Err(CustomExtensionError::EmptyName { what: "claim" });
        }
        let value = value.into();
        let old = self.claims.get(&name).map_or(0, |v| name.len() + v.size());
        let size = self.size - old + name.len() + value.size();
        if size > MAX_CLAIMS_SIZE {
            return Err(CustomExtensionError::ClaimsTooLarge {
                size,
                limit: MAX_CLAIMS_SIZE,
            });
        }
        self.size = size;
        Ok(self.claims.insert(name, value))
    }

    /// These claims and claim `name`.
    pub fn with(
        mut self,
        name: impl Into<String>,
        value: impl Into<ClaimValue>,
    ) -> Result<Self, CustomExtensionError> {
        self.insert(name, value)?;
        Ok(self)
    }

    /// Sets claim `name` from a JSON value (a string or an array of strings), as a handler
    /// written for flat JSON claims returns it.
    pub fn insert_json(
        &mut self,
        name: impl Into<String>,
        value: &Value,
    ) -> Result<Option<ClaimValue>, CustomExtensionError> {
        let name = name.into();
        let value = ClaimValue::from_json_value(&name, value)?;
        self.insert(name, value)
    }

    /// The value of claim `name`.
    pub fn get(&self, name: &str) -> Option<&ClaimValue> {
        self.claims.get(name)
    }

    /// The claims in order.
    pub fn iter(&self) -> indexmap::map::Iter<'_, String, ClaimValue> {
        self.claims.iter()
    }

    /// How many claims there are.
    pub fn len(&self) -> usize {
        self.claims.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The bytes the claims count towards [`MAX_CLAIMS_SIZE`].
    pub fn size(&self) -> usize {
        self.size
    }

    /// Puts the claims in the order of `keys`.
    pub(crate) fn sort_like(&mut self, keys: Option<&IndexMap<String, serde::de::IgnoredAny>>) {
        super::key_order::sort_like(&mut self.claims, keys);
    }

    /// Reads the JSON `claims` object of a response.
    pub(crate) fn from_json_object(
        field: &str,
        value: Value,
    ) -> Result<Self, CustomExtensionError> {
        let Value::Object(object) = value else {
            return Err(CustomExtensionError::InvalidField {
                field: field.to_owned(),
                expected: "an object of claims",
            });
        };
        let mut claims = IndexMap::with_capacity(object.len());
        let mut size = 0;
        for (name, value) in &object {
            if name.is_empty() {
                return Err(CustomExtensionError::EmptyName { what: "claim" });
            }
            let value = ClaimValue::from_json_value(name, value)?;
            size += name.len() + value.size();
            claims.insert(name.clone(), value);
        }
        if size > MAX_CLAIMS_SIZE {
            return Err(CustomExtensionError::ClaimsTooLarge {
                size,
                limit: MAX_CLAIMS_SIZE,
            });
        }
        Ok(TokenClaims { claims, size })
    }
}

impl<'a> IntoIterator for &'a TokenClaims {
    type Item = (&'a String, &'a ClaimValue);
    type IntoIter = indexmap::map::Iter<'a, String, ClaimValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.claims.iter()
    }
}

impl Serialize for TokenClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(&self.claims)
    }
}
