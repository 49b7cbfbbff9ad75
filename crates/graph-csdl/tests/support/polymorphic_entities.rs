//! The conversion of the synthetic `tests/data/polymorphic-entities.csdl.xml` (roots `extensions`
//! and `flows` below the `identity` singleton) and lookups in its OpenAPI document. Included by
//! path from the tests of the converter's entity-polymorphism capabilities; each uses a part.
#![allow(dead_code)]

use graph_csdl::openapi::{Conversion, Options, Profile, Root, convert};
use graph_csdl::{CsdlError, parse};
use serde_json::Value;

/// The synthetic spec.
pub const SPEC: &str = include_str!("../data/polymorphic-entities.csdl.xml");

/// Conversion options: both roots required and updatable.
pub fn options() -> Options {
    let root = |navigation: &str| Root {
        navigation: navigation.into(),
        required: true,
        update: true,
    };
    Options {
        version: "v1.0".into(),
        profile: Profile {
            singleton: "identity".into(),
            roots: vec![root("extensions"), root("flows")],
            secret_properties: Vec::new(),
        },
    }
}

/// `text` parsed and converted with [`options`].
pub fn conversion(text: &str) -> Result<Conversion, CsdlError> {
    convert(&parse(text)?, &options())
}

/// The operation `method` (lower case) of `path`; panics when there is none.
pub fn op<'a>(c: &'a Conversion, method: &str, path: &str) -> &'a Value {
    let v = &c.json["paths"][path][method];
    assert!(v.is_object(), "no {method} {path}");
    v
}

/// `METHOD path` of every operation whose path satisfies `keep`, sorted.
pub fn operations_where(c: &Conversion, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = c.json["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, _)| keep(p))
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_uppercase()))
        })
        .collect();
    out.sort();
    out
}
