//! [`AdapterConfig`]: what the adapter needs to know about the two tenants, and the rewriting
//! of custom attribute names between them.

use crate::ContractError;
use crate::claims::{EXTENSION_PREFIX, normalize_extensions_app_id, split_extension_claim};

use super::AdapterError;

/// The two tenants' *b2c-extensions-app* ids, which custom attribute names carry
/// (`extension_<app id without dashes>_<Name>` in both worlds, with another app in each tenant).
///
/// Both are optional:
/// - with [`b2c_extensions_app_id`](Self::with_b2c_extensions_app_id), the handler sees custom
///   attributes under the B2C tenant's names, as it did before the move;
/// - with [`external_extensions_app_id`](Self::with_external_extensions_app_id), custom attributes
///   the handler returns under the B2C names, or in the short form `extension_<Name>` that B2C
///   accepts in responses, are returned under the external tenant's names.
///
/// Without them, names pass through unchanged, and a short form in a response is an error
/// ([`AdapterError::UnresolvedCustomAttribute`]): External ID has no short form.
///
/// ```
/// use entra_api_connectors_contract::adapter::AdapterConfig;
///
/// let config = AdapterConfig::new()
///     .with_b2c_extensions_app_id("d3f1a9b2-c4e5-467f-8a9b-0c1d2e3f4a5b")?
///     .with_external_extensions_app_id("0123456789abcdef0123456789ABCDEF")?;
/// assert_eq!(config.b2c_extensions_app_id(), Some("d3f1a9b2c4e5467f8a9b0c1d2e3f4a5b"));
/// assert_eq!(config.external_extensions_app_id(), Some("0123456789abcdef0123456789abcdef"));
/// # Ok::<(), entra_api_connectors_contract::ContractError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdapterConfig {
    b2c_extensions_app_id: Option<String>,
    external_extensions_app_id: Option<String>,
}

impl AdapterConfig {
    /// A configuration that rewrites no names.
    pub fn new() -> Self {
        AdapterConfig::default()
    }

    /// The B2C tenant's *b2c-extensions-app* id (a GUID, dashes optional).
    pub fn with_b2c_extensions_app_id(mut self, app_id: &str) -> Result<Self, ContractError> {
        self.b2c_extensions_app_id = Some(normalize_extensions_app_id(app_id)?);
        Ok(self)
    }

    /// The external tenant's *b2c-extensions-app* id (a GUID, dashes optional).
    pub fn with_external_extensions_app_id(mut self, app_id: &str) -> Result<Self, ContractError> {
        self.external_extensions_app_id = Some(normalize_extensions_app_id(app_id)?);
        Ok(self)
    }

    /// The B2C tenant's extensions app id, without dashes, in lower case.
    pub fn b2c_extensions_app_id(&self) -> Option<&str> {
        self.b2c_extensions_app_id.as_deref()
    }

    /// The external tenant's extensions app id, without dashes, in lower case.
    pub fn external_extensions_app_id(&self) -> Option<&str> {
        self.external_extensions_app_id.as_deref()
    }

    /// The name the handler sees for an attribute the external tenant sends as `name`:
    /// `extension_<external app>_<Name>` becomes `extension_<B2C app>_<Name>` when the B2C app is
    /// configured (and the name's app is the configured external one, if that is configured too).
    /// Any other name is kept.
    pub fn to_b2c_name(&self, name: &str) -> String {
        let (Some(b2c), Some((Some(app), bare))) =
            (self.b2c_extensions_app_id(), split_extension_claim(name))
        else {
            return name.to_owned();
        };
        match self.external_extensions_app_id() {
            Some(external) if !app.eq_ignore_ascii_case(external) => name.to_owned(),
            _ => format!("{EXTENSION_PREFIX}{b2c}_{bare}"),
        }
    }

    /// The name the external tenant gets for a claim the handler returns as `name`:
    /// `extension_<B2C app>_<Name>` and `extension_<Name>` become `extension_<external app>_<Name>`.
    /// Fails with [`AdapterError::UnresolvedCustomAttribute`] when that needs the external app id
    /// and it is not configured. Names of other apps, and every other name, are kept.
    pub fn to_external_name(&self, name: &str) -> Result<String, AdapterError> {
        let Some((app, bare)) = split_extension_claim(name) else {
            return Ok(name.to_owned());
        };
        let from_b2c = match app {
            None => true,
            Some(app) => self
                .b2c_extensions_app_id()
                .is_some_and(|b2c| app.eq_ignore_ascii_case(b2c)),
        };
        if !from_b2c {
            return Ok(name.to_owned());
        }
        match self.external_extensions_app_id() {
            Some(external) => Ok(format!("{EXTENSION_PREFIX}{external}_{bare}")),
            None => Err(AdapterError::UnresolvedCustomAttribute {
                claim: name.to_owned(),
            }),
        }
    }
}
