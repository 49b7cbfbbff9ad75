//! Rust code for what progenitor cannot express: enums tagged by `@odata.type` that keep an unknown
//! type's JSON. The build script includes this code beside progenitor's output and tells progenitor
//! to use these enums for the polymorphic schemas.

use std::fmt::Write;

use crate::openapi::Polymorphic;

/// Paths the generated code refers to.
#[derive(Debug, Clone)]
pub struct RustPaths {
    /// Path of the module holding progenitor's types, e.g. `crate::beta::types`.
    pub types: String,
    /// Path of the runtime support module, e.g. `crate::odata`.
    pub runtime: String,
    /// Also implement `schemars::JsonSchema` for the enums.
    pub json_schema: bool,
}

/// The Rust name progenitor gives a component schema: its words (split after a lower-case letter
/// or digit followed by a capital, and before the last capital of an acronym) capitalised and
/// joined, so
/// `apiAuthenticationConfigurationBase` → `ApiAuthenticationConfigurationBase` and `ODataError`
/// stays `ODataError`.
pub fn type_name(schema: &str) -> String {
    let chars: Vec<char> = schema.chars().collect();
    let mut out = String::with_capacity(schema.len());
    let mut word_start = true;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            word_start = true;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let lower_to_upper = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && c.is_ascii_uppercase();
        let acronym_end = prev.is_some_and(|p| p.is_ascii_uppercase())
            && c.is_ascii_uppercase()
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if word_start || lower_to_upper || acronym_end {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        word_start = false;
    }
    out
}

/// Generate the tagged enums for `polymorphic` types.
pub fn polymorphic_enums(polymorphic: &[Polymorphic], paths: &RustPaths) -> String {
    let mut out = String::new();
    let (types, rt) = (&paths.types, &paths.runtime);
    for p in polymorphic {
        let name = type_name(&p.schema);
        let variants: Vec<(String, &str, String)> = p
            .variants
            .iter()
            .map(|(tag, schema)| (type_name(schema), tag.as_str(), type_name(schema)))
            .collect();
        let _ = writeln!(
            out,
            "/// `{q}` and the types deriving from it, tagged on the wire by `@odata.type`.\n\
             ///\n\
             /// A type this version of the bindings does not know deserializes as\n\
             /// [`{name}::Unknown`] with its JSON kept, so a new Graph type never breaks a caller.\n\
             #[derive(Clone, Debug, PartialEq)]\n\
             pub enum {name} {{",
            q = p.qualified_name
        );
        for (variant, tag, ty) in &variants {
            let _ = writeln!(out, "    /// `{tag}`\n    {variant}({types}::{ty}),");
        }
        let _ = writeln!(
            out,
            "    /// An `@odata.type` unknown to this version of the bindings, kept as received.\n    \
             Unknown({rt}::UnknownType),\n}}\n"
        );
        // odata_type()
        let _ = writeln!(
            out,
            "impl {name} {{\n    /// The `@odata.type` of this value, as Graph writes it.\n    \
             pub fn odata_type(&self) -> ::std::option::Option<&str> {{\n        match self {{"
        );
        for (variant, tag, _) in &variants {
            let _ = writeln!(
                out,
                "            Self::{variant}(_) => ::std::option::Option::Some({tag:?}),"
            );
        }
        let _ = writeln!(
            out,
            "            Self::Unknown(u) => u.odata_type(),\n        }}\n    }}\n}}\n"
        );
        for (variant, _, ty) in &variants {
            let _ = writeln!(
                out,
                "impl ::std::convert::From<{types}::{ty}> for {name} {{\n    \
                 fn from(value: {types}::{ty}) -> Self {{\n        Self::{variant}(value)\n    }}\n}}\n"
            );
        }
        // Serialize
        let _ = writeln!(
            out,
            "impl ::serde::Serialize for {name} {{\n    \
             fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {{\n        \
             match self {{"
        );
        for (variant, tag, _) in &variants {
            let _ = writeln!(
                out,
                "            Self::{variant}(v) => {rt}::serialize_tagged({tag:?}, v, serializer),"
            );
        }
        let _ = writeln!(
            out,
            "            Self::Unknown(u) => ::serde::Serialize::serialize(u, serializer),\n        }}\n    }}\n}}\n"
        );
        // Deserialize
        let _ = writeln!(
            out,
            "impl<'de> ::serde::Deserialize<'de> for {name} {{\n    \
             fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{\n        \
             let tagged = {rt}::Tagged::deserialize(deserializer)?;\n        \
             match tagged.type_name() {{"
        );
        for (variant, tag, _) in &variants {
            let bare = tag.trim_start_matches('#');
            let _ = writeln!(
                out,
                "            ::std::option::Option::Some({bare:?}) => tagged.into_variant().map(Self::{variant}),"
            );
        }
        if let Some(default) = &p.default_variant {
            let variant = type_name(default);
            let _ = writeln!(
                out,
                "            ::std::option::Option::None => tagged.into_variant().map(Self::{variant}),"
            );
        }
        let _ = writeln!(
            out,
            "            _ => ::std::result::Result::Ok(Self::Unknown(tagged.into_unknown())),\n        }}\n    }}\n}}\n"
        );
        if !paths.json_schema {
            continue;
        }
        // JsonSchema: the runtime's tagged union of the variants' schemas.
        let _ = writeln!(
            out,
            "impl ::schemars::JsonSchema for {name} {{\n    \
             fn schema_name() -> ::std::borrow::Cow<'static, str> {{\n        {name:?}.into()\n    }}\n\n    \
             fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {{\n        \
             {rt}::tagged_union_schema(\n            ::std::vec!["
        );
        for (_, tag, ty) in &variants {
            let _ = writeln!(
                out,
                "                ({tag:?}, generator.subschema_for::<{types}::{ty}>()),"
            );
        }
        let default_tag = p
            .default_variant
            .as_ref()
            .and_then(|d| p.variants.iter().find(|(_, s)| s == d));
        let default_tag = match default_tag {
            Some((tag, _)) => format!("::std::option::Option::Some({tag:?})"),
            None => "::std::option::Option::None".to_string(),
        };
        let _ = writeln!(
            out,
            "            ],\n            {default_tag},\n        )\n    }}\n}}\n"
        );
    }
    out
}
