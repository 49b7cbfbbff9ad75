//! The operations of an OpenAPI document as `METHOD path` strings, with path parameters and action
//! prefixes normalised, for comparing our conversion with Microsoft's. Included by path from the
//! conformance tests.

use std::collections::BTreeSet;

use serde_json::Value;

/// `{anything}` → `{id}`, and `/microsoft.graph.name` → `/name` (a cast or an action segment).
pub fn normalise(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{id}"
            } else {
                segment.strip_prefix("microsoft.graph.").unwrap_or(segment)
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` is one of `scope` or below one.
pub fn in_scope(scope: &[&str], path: &str) -> bool {
    scope
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `METHOD path` of every operation of an OpenAPI document (as JSON), paths normalised, within `scope`.
pub fn operations(doc: &Value, scope: &[&str]) -> BTreeSet<String> {
    let paths = doc["paths"]
        .as_object()
        .expect("an OpenAPI document with paths");
    let mut out = BTreeSet::new();
    for (path, item) in paths {
        let path = normalise(path);
        if !in_scope(scope, &path) {
            continue;
        }
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| METHODS.contains(&k.as_str()))
        {
            assert!(
                out.insert(format!("{} {path}", method.to_uppercase())),
                "duplicate after normalising: {path}"
            );
        }
    }
    out
}

/// Microsoft's YAML document as JSON.
pub fn microsoft(yaml: &str) -> Value {
    serde_norway::from_str(yaml).expect("Microsoft's fragment is valid YAML")
}

/// The text of a panic, for tests that check a comparison fails.
pub fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
