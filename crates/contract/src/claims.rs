//! [`Claims`] and the names of custom attributes: `extension_<extensions app id>_<Name>` in
//! requests, with the app id optional in responses
//! (<https://learn.microsoft.com/azure/active-directory-b2c/user-flow-custom-attributes>).

use indexmap::IndexMap;
use serde_json::Value;

use crate::ContractError;

/// Claims by name, in the order they were received or inserted.
pub type Claims = IndexMap<String, Value>;

pub(crate) const EXTENSION_PREFIX: &str = "extension_";

/// Removes the dashes from an extensions app id (a GUID) and lower-cases it, as it appears in
/// custom attribute claim names.
pub fn normalize_extensions_app_id(app_id: &str) -> Result<String, ContractError> {
    let trimmed = app_id.trim();
    let compact: String = trimmed.chars().filter(|c| *c != '-').collect();
    let dashes_ok = !trimmed.contains('-') || is_dashed_guid(trimmed);
    if compact.len() == 32 && dashes_ok && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(compact.to_ascii_lowercase())
    } else {
        Err(ContractError::InvalidExtensionsAppId(app_id.to_owned()))
    }
}

fn is_dashed_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
}

/// The claim name of a custom attribute: `extension_<app id without dashes>_<name>`.
///
/// `name` may be the bare attribute name, or already carry the `extension_` prefix with or
/// without this app id.
pub fn custom_attribute_claim_name(
    extensions_app_id: &str,
    name: &str,
) -> Result<String, ContractError> {
    let app_id = normalize_extensions_app_id(extensions_app_id)?;
    let bare = bare_attribute_name(name, Some(&app_id))?;
    Ok(format!("{EXTENSION_PREFIX}{app_id}_{bare}"))
}

/// Splits a claim name `extension_<32 hex>_<name>` or `extension_<name>` into its app id
/// (if present) and attribute name. Returns `None` for other claim names.
pub(crate) fn split_extension_claim(key: &str) -> Option<(Option<&str>, &str)> {
    let rest = key.strip_prefix(EXTENSION_PREFIX)?;
    if rest.len() > 33
        && rest.as_bytes()[32] == b'_'
        && rest.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit)
    {
        return Some((Some(&rest[..32]), &rest[33..]));
    }
    (!rest.is_empty()).then_some((None, rest))
}

/// The bare attribute name of `name` (`Name`, `extension_Name` or `extension_<app>_Name`);
/// when `name` carries an app id it must be `expected_app_id` (normalized).
pub(crate) fn bare_attribute_name<'a>(
    name: &'a str,
    expected_app_id: Option<&str>,
) -> Result<&'a str, ContractError> {
    let invalid = || ContractError::InvalidAttributeName(name.to_owned());
    let bare = match split_extension_claim(name) {
        Some((Some(app), bare)) => {
            if let Some(expected) = expected_app_id
                && !app.eq_ignore_ascii_case(expected)
            {
                return Err(invalid());
            }
            bare
        }
        Some((None, bare)) => bare,
        None if name.starts_with(EXTENSION_PREFIX) => return Err(invalid()),
        None => name,
    };
    if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    Ok(bare)
}

/// Finds a custom attribute among `claims`: the full `extension_<app id>_<name>` form, or, when
/// `allow_short` is set, the `extension_<name>` form that responses may use.
pub(crate) fn find_custom_attribute<'c>(
    claims: &'c Claims,
    extensions_app_id: &str,
    name: &str,
    allow_short: bool,
) -> Option<&'c Value> {
    let app_id = normalize_extensions_app_id(extensions_app_id).ok()?;
    let bare = bare_attribute_name(name, Some(&app_id)).ok()?;
    let mut short = None;
    for (key, value) in claims {
        match split_extension_claim(key) {
            Some((Some(app), key_name))
                if key_name == bare && app.eq_ignore_ascii_case(&app_id) =>
            {
                return Some(value);
            }
            Some((None, key_name)) if allow_short && key_name == bare => short = Some(value),
            _ => {}
        }
    }
    short
}
