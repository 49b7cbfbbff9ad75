//! The order of members as received. The bodies are read through `serde_json::Value`, whose
//! maps sort their keys (the workspace does not enable serde_json's `preserve_order`, a global
//! switch), so the maps whose order a reader sees (sign-up attributes, claims, attribute values
//! and errors) are put back in the body's order from a second, shallow read of their keys.

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::IgnoredAny;

type Keys = IndexMap<String, IgnoredAny>;

/// The keys of `data.userSignUpInfo.attributes` in a request body, in order.
pub(crate) fn request_attribute_keys(body: &[u8]) -> Option<Keys> {
    #[derive(Deserialize)]
    struct Root {
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "userSignUpInfo")]
        info: Option<Info>,
    }
    #[derive(Deserialize)]
    struct Info {
        attributes: Option<Keys>,
    }
    serde_json::from_slice::<Root>(body)
        .ok()?
        .data
        .info?
        .attributes
}

/// The keys of the maps of a response's first action, in order.
#[derive(Deserialize, Default)]
pub(crate) struct ActionKeys {
    pub(crate) claims: Option<Keys>,
    pub(crate) inputs: Option<Keys>,
    pub(crate) attributes: Option<Keys>,
    #[serde(rename = "attributeErrors")]
    pub(crate) attribute_errors: Option<Keys>,
}

/// The [`ActionKeys`] of a response body (empty when the body does not have the shape).
pub(crate) fn response_action_keys(body: &[u8]) -> ActionKeys {
    #[derive(Deserialize)]
    struct Root {
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        actions: Vec<ActionKeys>,
    }
    serde_json::from_slice::<Root>(body)
        .ok()
        .and_then(|root| root.data.actions.into_iter().next())
        .unwrap_or_default()
}

/// Sorts `map` in the order of `keys`; keys `keys` lacks go last.
pub(crate) fn sort_like<V>(map: &mut IndexMap<String, V>, keys: Option<&Keys>) {
    if let Some(keys) = keys {
        map.sort_by_cached_key(|k, _| keys.get_index_of(k).unwrap_or(usize::MAX));
    }
}
