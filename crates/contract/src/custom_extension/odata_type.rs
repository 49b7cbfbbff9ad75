//! The tolerant reading of `@odata.type` that the pages need: the key and its value match ASCII
//! case-insensitively, with or without a leading `#` and the `microsoft.graph.` namespace
//! (`docs/custom-extensions-contract.md` §2.2 and §3.3, inconsistencies 3, 4 and 5).

use serde_json::{Map, Value};

/// The key this crate emits.
pub(crate) const KEY: &str = "@odata.type";

const NAMESPACE: &str = "microsoft.graph.";

/// `value` without surrounding whitespace, a leading `#` and the `microsoft.graph.` namespace.
pub(crate) fn local_name(value: &str) -> &str {
    let value = value.trim();
    let value = value.strip_prefix('#').unwrap_or(value);
    match value.get(..NAMESPACE.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(NAMESPACE) => &value[NAMESPACE.len()..],
        _ => value,
    }
}

/// Whether `found` names the type `canonical` (both in any of the accepted spellings).
pub(crate) fn same_type(found: &str, canonical: &str) -> bool {
    local_name(found).eq_ignore_ascii_case(local_name(canonical))
}

/// Removes the `@odata.type` member of `object`, whatever the case of its key.
pub(crate) fn take(object: &mut Map<String, Value>) -> Option<Value> {
    if let Some(value) = object.remove(KEY) {
        return Some(value);
    }
    let key = object.keys().find(|k| k.eq_ignore_ascii_case(KEY))?.clone();
    object.remove(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_type_match() {
        let canonical = "microsoft.graph.OnOtpSendResponseData";
        for found in [
            "microsoft.graph.OnOtpSendResponseData",
            "microsoft.graph.onOtpSendResponseData",
            "#microsoft.graph.onOtpSendResponseData",
            "OnOtpSendResponseData",
            " Microsoft.Graph.ONOTPSENDRESPONSEDATA ",
        ] {
            assert!(same_type(found, canonical), "{found}");
        }
        for found in [
            "microsoft.graph.onTokenIssuanceStartResponseData",
            "microsoft.graph.",
            "",
            "other.namespace.OnOtpSendResponseData",
            "é",
        ] {
            assert!(!same_type(found, canonical), "{found}");
        }
    }

    #[test]
    fn the_key_is_found_in_any_case() {
        let mut object: Map<String, Value> =
            serde_json::from_str(r#"{"@odata.Type":"x","value":1}"#).unwrap();
        assert_eq!(take(&mut object), Some(Value::from("x")));
        assert_eq!(object.len(), 1);
        assert_eq!(take(&mut object), None);
    }
}
