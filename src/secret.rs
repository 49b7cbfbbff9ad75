//! [`Secret`]: the type of every secret property in the bindings (passwords, PKCS#12 values).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A write-only secret value, such as a basic-authentication password or a PKCS#12 blob.
///
/// Graph never returns secrets: it answers `"******"`, which reads as [`Secret::Masked`], a state
/// distinct from any password. `Debug` never shows the value; it is only written out when the value
/// is serialized into a request body.
///
/// `Masked` serializes back as `"******"` (so read values print as Graph sent them). Do not send
/// a connector read from Graph back in a request: Graph would take the mask as the new password.
/// The handwritten operations ([`crate::connectors`]) take secrets only as `SecretString`s, so they
/// cannot send a mask.
///
/// ```
/// use entra_api_connectors::Secret;
/// let s = Secret::new("p@ssw0rd");
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// let masked: Secret = serde_json::from_str("\"******\"").unwrap();
/// assert!(masked.is_masked());
/// ```
#[derive(Clone)]
pub enum Secret {
    /// A value supplied by the caller.
    Value(SecretString),
    /// The masked form Graph returns in place of a secret (`"******"`).
    Masked,
}

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret::Value(SecretString::from(value.into()))
    }

    /// Whether this is Graph's masked placeholder rather than a value.
    pub fn is_masked(&self) -> bool {
        matches!(self, Secret::Masked)
    }

    /// The secret value, or `None` when masked. Call only to hand the value to where it belongs.
    pub fn expose(&self) -> Option<&str> {
        match self {
            Secret::Value(v) => Some(v.expose_secret()),
            Secret::Masked => None,
        }
    }
}

impl From<SecretString> for Secret {
    fn from(value: SecretString) -> Self {
        Secret::Value(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Value(_) => f.write_str("Secret(<redacted>)"),
            Secret::Masked => f.write_str("Secret(masked)"),
        }
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Secret::Masked, Secret::Masked) => true,
            (Secret::Value(a), Secret::Value(b)) => {
                // constant time for equal lengths
                subtle::ConstantTimeEq::ct_eq(
                    a.expose_secret().as_bytes(),
                    b.expose_secret().as_bytes(),
                )
                .into()
            }
            _ => false,
        }
    }
}

/// Graph's mask: a run of asterisks (six for connector passwords, seven elsewhere).
fn is_mask(s: &str) -> bool {
    s.len() >= 6 && s.bytes().all(|b| b == b'*')
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Secret::Value(v) => serializer.serialize_str(v.expose_secret()),
            Secret::Masked => serializer.serialize_str("******"),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(if is_mask(&s) {
            Secret::Masked
        } else {
            Secret::new(s)
        })
    }
}

/// A write-only string: `{"type": "string", "writeOnly": true}`.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Secret {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "writeOnly": true })
    }
}
