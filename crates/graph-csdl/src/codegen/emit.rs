//! Rust text for what the caller's traits need from the generated code: the impls of the binding
//! table ([`super::bindings`]), the `ClientHooks` impl and the collection-page impls.
//!
//! Everything is read from the OpenAPI document the conversion produced, so the emitted code
//! follows the spec: an operation's parameters, body and response type, a property's Rust type,
//! the variants of an `@odata.type` enum. Types are written as progenitor names them, below
//! `{module}::types`; the code is included beside progenitor's, where `Client` is in scope.

use std::fmt::Write;

use serde_json::{Map, Value};

use super::Target;
use super::bindings::{Binding, BindingError, Implementor, Item, TypeRef};
use crate::openapi::{Conversion, Polymorphic, SECRET_SCHEMA, snake_case};
use crate::rust::type_name;

/// The emitted code and the impls the spec had no room for.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    /// Rust items, formatted.
    pub code: String,
    /// The impls that were not emitted, as [`Binding::describe`] writes them, each with why.
    pub skipped: Vec<String>,
}

/// Emit the trait impls of `target` for `conversion`.
pub fn emit(conversion: &Conversion, target: &Target) -> Result<Emitted, BindingError> {
    let spec = Spec {
        json: &conversion.json,
        polymorphic: &conversion.polymorphic,
        target,
        types: format!("{}::types", target.module),
    };
    let mut code = String::new();
    let mut skipped = Vec::new();
    if let Some(hooks) = &target.hooks {
        code.push_str(&spec.hooks(&hooks.pre, &hooks.exec));
    }
    if let Some(page) = &target.page_trait {
        code.push_str(&spec.pages(page));
    }
    for binding in &target.bindings {
        match spec.binding(binding)? {
            Ok(text) => code.push_str(&text),
            Err(why) => skipped.push(format!("{}: {why}", binding.describe())),
        }
    }
    let file = syn::parse_file(&code).map_err(|e| BindingError::Unsupported {
        binding: "emitted code".into(),
        item: "syntax".into(),
        reason: e.to_string(),
    })?;
    Ok(Emitted {
        code: prettyplease::unparse(&file),
        skipped,
    })
}

/// The Rust name progenitor gives a property or parameter (`@odata.nextLink` → `odata_next_link`,
/// `type` → `type_`).
pub fn field_name(name: &str) -> String {
    let words: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let snake = snake_case(&words);
    let mut name = snake
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Argument names the emitted methods use themselves.
const RESERVED: &[&str] = &["client", "query", "body", "key", "call"];

/// An operation of the document, as the emitted method calls it.
struct Operation {
    /// Path parameters in path order: (Rust name, builder setter).
    path: Vec<String>,
    /// Query parameters: builder setter = query struct field.
    query: Vec<String>,
    /// The body's Rust type.
    body: Option<String>,
    /// The success response's Rust type.
    response: String,
    /// The error body's Rust type.
    error: String,
}

impl Operation {
    /// What a dispatch needs to be equal across its arms.
    fn shape(&self) -> (&[String], bool, &Option<String>, &str, &str) {
        (
            &self.path,
            !self.query.is_empty(),
            &self.body,
            &self.response,
            &self.error,
        )
    }
}

struct Spec<'a> {
    json: &'a Value,
    polymorphic: &'a [Polymorphic],
    target: &'a Target,
    types: String,
}

/// The result of one binding: its text, or why the spec has no room for it.
type Outcome = Result<String, String>;

impl Spec<'_> {
    fn schemas(&self) -> Option<&Map<String, Value>> {
        self.json
            .pointer("/components/schemas")
            .and_then(Value::as_object)
    }

    fn schema(&self, name: &str) -> Option<&Map<String, Value>> {
        self.schemas()?.get(name)?.as_object()
    }

    /// The Rust path of a schema's type.
    fn type_of(&self, schema: &str) -> String {
        if schema == SECRET_SCHEMA {
            self.target.secret.clone()
        } else {
            format!("{}::{}", self.types, type_name(schema))
        }
    }

    /// The schema name a `$ref` points to.
    fn ref_name(value: &Value) -> Option<&str> {
        value
            .get("$ref")?
            .as_str()?
            .strip_prefix("#/components/schemas/")
    }

    /// Follow a `$ref` into `#/components/{kind}/`, or take the value as it is.
    fn resolve<'v>(&'v self, value: &'v Value, kind: &str) -> &'v Value {
        let prefix = format!("#/components/{kind}/");
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(&prefix))
        {
            Some(name) => self
                .json
                .pointer(&format!("/components/{kind}/{}", escape(name)))
                .unwrap_or(value),
            None => value,
        }
    }

    /// The Rust type of a property of schema `owner`, as progenitor (typify) writes the field. A
    /// `$ref` that leads back to `owner` is refused: typify breaks such cycles with a `Box` on an
    /// edge that depends on the order it meets the types in, which the emitter does not model.
    fn field_type(&self, owner: &str, schema: &Value, required: bool) -> Result<String, String> {
        if let Some(items) = schema.get("items") {
            // a Vec needs no Box, even when it is recursive
            return Ok(format!(
                "::std::vec::Vec<{}>",
                self.field_type("", items, true)?
            ));
        }
        let base = if let Some(name) = Self::ref_name(schema) {
            if self.schema(name).is_none() {
                return Err(format!("`$ref` to missing schema `{name}`"));
            }
            if self.reaches(name, owner, &mut Vec::new()) {
                return Err(format!(
                    "`{name}` contains `{owner}` again: progenitor boxes one field of the cycle, \
                     which the emitter does not model"
                ));
            }
            self.type_of(name)
        } else {
            let ty = schema.get("type").and_then(Value::as_str);
            let format = schema.get("format").and_then(Value::as_str);
            match (ty, format) {
                (Some("string"), None) => "::std::string::String".into(),
                (Some("boolean"), _) => "bool".into(),
                (Some("integer"), Some("int8")) => "i8".into(),
                (Some("integer"), Some("uint8")) => "u8".into(),
                (Some("integer"), Some("int16")) => "i16".into(),
                (Some("integer"), Some("int32")) => "i32".into(),
                (Some("integer"), Some("int64") | None) => "i64".into(),
                (Some("number"), Some("float")) => "f32".into(),
                (Some("number"), Some("double") | None) => "f64".into(),
                _ => return Err(format!("no Rust type for the schema {schema}")),
            }
        };
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        Ok(if required && !nullable {
            base
        } else {
            format!("::std::option::Option<{base}>")
        })
    }

    /// Whether schema `from` contains `to` through properties that are not arrays.
    fn reaches(&self, from: &str, to: &str, seen: &mut Vec<String>) -> bool {
        if from == to {
            return true;
        }
        if seen.iter().any(|s| s == from) {
            return false;
        }
        seen.push(from.to_string());
        let Some(properties) = self
            .schema(from)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            return false;
        };
        properties
            .values()
            .filter_map(Self::ref_name)
            .any(|next| self.reaches(next, to, seen))
    }

    /// A property of a schema: its field name and Rust type.
    fn property(&self, schema: &str, property: &str) -> Option<Result<(String, String), String>> {
        let object = self.schema(schema)?;
        let value = object.get("properties")?.get(property)?;
        let required = object
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|p| p == property));
        Some(
            self.field_type(schema, value, required)
                .map(|ty| (field_name(property), ty)),
        )
    }

    /// Find an operation by id and read what the emitted method needs.
    fn operation(&self, id: &str) -> Option<Result<Operation, String>> {
        let paths = self.json.get("paths")?.as_object()?;
        for (path, item) in paths {
            for (method, op) in item.as_object()? {
                if op.get("operationId").and_then(Value::as_str) == Some(id) {
                    return Some(self.read_operation(path, method, op));
                }
            }
        }
        None
    }

    fn read_operation(&self, path: &str, method: &str, op: &Value) -> Result<Operation, String> {
        let parameters: Vec<&Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|p| p.iter().map(|p| self.resolve(p, "parameters")).collect())
            .unwrap_or_default();
        let named = |location: &str| -> Vec<String> {
            parameters
                .iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some(location))
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .map(|n| field_name(n.trim_start_matches('$')))
                .collect()
        };
        // Path parameters in the order the path names them.
        let declared = named("path");
        let mut in_path = Vec::new();
        for segment in path.split('{').skip(1) {
            let name = field_name(segment.split('}').next().unwrap_or_default());
            if !declared.contains(&name) {
                return Err(format!(
                    "{method} {path}: `{{{name}}}` is not a declared parameter"
                ));
            }
            if RESERVED.contains(&name.as_str()) {
                return Err(format!(
                    "{method} {path}: a path parameter is named `{name}`"
                ));
            }
            in_path.push(name);
        }
        let body = match op.get("requestBody") {
            None => None,
            Some(body) => {
                let schema = self
                    .resolve(body, "requestBodies")
                    .pointer("/content/application~1json/schema")
                    .and_then(Self::ref_name)
                    .ok_or_else(|| format!("{method} {path}: the body is not a JSON `$ref`"))?;
                Some(self.type_of(schema))
            }
        };
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{method} {path}: no responses"))?;
        let body_type = |status: &str| -> Result<String, String> {
            let response = self.resolve(&responses[status], "responses");
            match response.pointer("/content/application~1json/schema") {
                None => Ok("()".into()),
                Some(schema) => Self::ref_name(schema)
                    .map(|s| self.type_of(s))
                    .ok_or_else(|| {
                        format!("{method} {path}: the {status} response is not a JSON `$ref`")
                    }),
            }
        };
        let success = responses
            .keys()
            .find(|s| s.starts_with('2'))
            .ok_or_else(|| format!("{method} {path}: no success response"))?;
        let response = body_type(success)?;
        let error = match responses.keys().find(|s| !s.starts_with('2')) {
            Some(status) => body_type(status)?,
            None => "()".into(),
        };
        Ok(Operation {
            path: in_path,
            query: named("query"),
            body,
            response,
            error,
        })
    }

    /// `impl ClientHooks for Client` delegating to the caller's functions.
    fn hooks(&self, pre: &str, exec: &str) -> String {
        let inner = &self.target.inner_type;
        format!(
            "impl progenitor_client::ClientHooks<{inner}> for Client {{\n\
             async fn pre<E>(&self, request: &mut ::reqwest::Request, info: &progenitor_client::OperationInfo)\n\
             -> ::std::result::Result<(), progenitor_client::Error<E>> {{\n\
             {pre}(progenitor_client::ClientInfo::inner(self), request, info).await\n}}\n\
             async fn exec(&self, request: ::reqwest::Request, info: &progenitor_client::OperationInfo)\n\
             -> ::reqwest::Result<::reqwest::Response> {{\n\
             {exec}(progenitor_client::ClientInfo::inner(self), request, info).await\n}}\n}}\n"
        )
    }

    /// `impl {page} for` every collection-response schema: a `value` array of a schema and an
    /// `@odata.nextLink`.
    fn pages(&self, page: &str) -> String {
        let mut out = String::new();
        for (name, schema) in self.schemas().into_iter().flatten() {
            let properties = schema.get("properties");
            let item = properties
                .and_then(|p| p.pointer("/value/items"))
                .and_then(Self::ref_name);
            let next = properties.and_then(|p| p.get("@odata.nextLink"));
            let (Some(item), Some(_)) = (item, next) else {
                continue;
            };
            let (page_type, item_type) = (self.type_of(name), self.type_of(item));
            let _ = writeln!(
                out,
                "impl {page} for {page_type} {{\n\
                 type Item = {item_type};\n\
                 fn into_parts(self) -> (::std::vec::Vec<{item_type}>, ::std::option::Option<::std::string::String>) {{\n\
                 (self.value, self.odata_next_link)\n}}\n}}"
            );
        }
        out
    }

    /// One impl block, `Err` when the spec has no room for it.
    fn binding(&self, b: &Binding) -> Result<Outcome, BindingError> {
        let schema_implementor = match &b.implementor {
            Implementor::Schema(s) if self.schema(s).is_none() => {
                return Ok(Err(format!("the document has no schema `{s}`")));
            }
            Implementor::Schema(s) => Some(s.as_str()),
            Implementor::Path(_) => None,
        };
        // The operations decide whether the impl exists at all.
        for item in &b.items {
            match item {
                Item::Operation { operation, .. } if self.operation(operation).is_none() => {
                    return Ok(Err(format!("the document has no operation `{operation}`")));
                }
                Item::Dispatch { arms, method, .. }
                    if arms.iter().all(|(_, op)| self.operation(op).is_none()) =>
                {
                    return Ok(Err(format!(
                        "no operation of `{method}` is in the document"
                    )));
                }
                _ => {}
            }
        }
        let binding = b.describe();
        let unknown_schema = |schema: &str| BindingError::UnknownSchema {
            binding: binding.clone(),
            schema: schema.to_string(),
        };
        let unsupported = |item: &str, reason: String| BindingError::Unsupported {
            binding: binding.clone(),
            item: item.to_string(),
            reason,
        };
        let misplaced = |item: &str, reason: &str| BindingError::Misplaced {
            binding: binding.clone(),
            item: item.to_string(),
            reason: reason.to_string(),
        };
        let implementor = match &b.implementor {
            Implementor::Path(p) => p.clone(),
            Implementor::Schema(s) => self.type_of(s),
        };
        let mut out = format!("impl {} for {implementor} {{\n", b.trait_path);
        for (name, ty) in &b.types {
            let ty = match ty {
                TypeRef::Schema(s) if self.schema(s).is_none() => return Err(unknown_schema(s)),
                TypeRef::Schema(s) => self.type_of(s),
                TypeRef::Client => "Client".into(),
                TypeRef::Path(p) => p.clone(),
            };
            let _ = writeln!(out, "type {name} = {ty};");
        }
        let polymorphic =
            schema_implementor.and_then(|s| self.polymorphic.iter().find(|p| p.schema == s));
        for item in &b.items {
            match item {
                Item::Const { name, ty, value } => {
                    let _ = writeln!(out, "const {name}: {ty} = {value};");
                }
                Item::ClientConstructor { method } => {
                    let inner = &self.target.inner_type;
                    let _ = writeln!(
                        out,
                        "fn {method}(baseurl: &str, client: ::reqwest::Client, inner: {inner}) -> Client {{\n\
                         Client::new_with_client(baseurl, client, inner)\n}}"
                    );
                }
                Item::Operation { method, operation } => {
                    let op = self
                        .operation(operation)
                        .expect("checked above")
                        .map_err(|e| unsupported(method, e))?;
                    let query = self.query_type(&op, &binding, method)?;
                    out.push_str(&signature(method, &op, None, query));
                    out.push_str(&call(operation, &op));
                    out.push_str("}\n");
                }
                Item::Dispatch {
                    method,
                    key,
                    keys,
                    arms,
                } => {
                    let mut present = Vec::new();
                    for (k, operation) in arms {
                        if let Some(op) = self.operation(operation) {
                            present.push((k, operation, op.map_err(|e| unsupported(method, e))?));
                        }
                    }
                    let first = &present[0].2;
                    if let Some((k, _, _)) = present
                        .iter()
                        .find(|(_, _, op)| op.shape() != first.shape())
                    {
                        return Err(unsupported(
                            method,
                            format!(
                                "the operation of `{k}` differs in parameters, body or response from the first one"
                            ),
                        ));
                    }
                    let query = self.query_type(first, &binding, method)?;
                    out.push_str(&signature(method, first, Some(key), query));
                    out.push_str("match key {\n");
                    for (k, operation, op) in &present {
                        let _ = write!(out, "{k} => {{\n{}}}\n", call(operation, op));
                    }
                    let _ = writeln!(
                        out,
                        "#[allow(unreachable_patterns)]\n\
                         _ => ::std::result::Result::Err(progenitor_client::Error::InvalidRequest(::std::format!(\n\
                         \"the document has no operation for {{key:?}} of `{method}`\"))),\n}}\n}}"
                    );
                    keys_const(
                        &mut out,
                        keys,
                        key,
                        present.iter().map(|(k, _, _)| k.as_str()),
                    );
                }
                Item::Property { method, property } => {
                    let schema = schema_implementor.ok_or_else(|| {
                        misplaced(method, "reads a property: the implementor must be a schema")
                    })?;
                    let (field, ty) = match self.property(schema, property) {
                        None => {
                            return Err(BindingError::UnknownProperty {
                                binding: binding.clone(),
                                schema: schema.into(),
                                property: property.clone(),
                            });
                        }
                        Some(found) => found.map_err(|e| unsupported(method, e))?,
                    };
                    let _ = writeln!(out, "fn {method}(&self) -> &{ty} {{\n&self.{field}\n}}");
                }
                Item::PropertyDispatch {
                    method,
                    key,
                    keys,
                    arms,
                } => {
                    let schema = schema_implementor.ok_or_else(|| {
                        misplaced(method, "reads properties: the implementor must be a schema")
                    })?;
                    let mut present = Vec::new();
                    let mut item_type: Option<String> = None;
                    for (k, property) in arms {
                        let Some(found) = self.property(schema, property) else {
                            continue;
                        };
                        let (field, ty) = found.map_err(|e| unsupported(method, e))?;
                        let inner = ty
                            .strip_prefix("::std::option::Option<")
                            .and_then(|t| t.strip_suffix('>'))
                            .ok_or_else(|| {
                                unsupported(
                                    method,
                                    format!("property `{property}` is not optional ({ty})"),
                                )
                            })?
                            .to_string();
                        if item_type.as_ref().is_some_and(|t| *t != inner) {
                            return Err(unsupported(
                                method,
                                format!("property `{property}` has another type ({inner})"),
                            ));
                        }
                        item_type = Some(inner);
                        present.push((k.as_str(), field));
                    }
                    let Some(item_type) = item_type else {
                        return Err(unsupported(
                            method,
                            format!("schema `{schema}` has none of its properties"),
                        ));
                    };
                    let _ = writeln!(
                        out,
                        "fn {method}(&self, key: {key}) -> ::std::option::Option<&{item_type}> {{\nmatch key {{"
                    );
                    for (k, field) in &present {
                        let _ = writeln!(out, "{k} => self.{field}.as_ref(),");
                    }
                    let _ = writeln!(
                        out,
                        "#[allow(unreachable_patterns)]\n_ => ::std::option::Option::None,\n}}\n}}"
                    );
                    keys_const(&mut out, keys, key, present.iter().map(|(k, _)| *k));
                }
                Item::Keys {
                    name,
                    key,
                    schema,
                    arms,
                } => {
                    let properties = self
                        .schema(schema)
                        .ok_or_else(|| unknown_schema(schema))?
                        .get("properties");
                    let present = arms
                        .iter()
                        .filter(|(_, p)| properties.and_then(|ps| ps.get(p)).is_some())
                        .map(|(k, _)| k.as_str());
                    keys_const(&mut out, name, key, present);
                }
                Item::Variant { method, schema } => {
                    let poly = polymorphic.ok_or_else(|| {
                        misplaced(
                            method,
                            "reads a variant: the implementor must be an `@odata.type` enum",
                        )
                    })?;
                    if self.schema(schema).is_none() {
                        return Err(unknown_schema(schema));
                    }
                    if !poly.variants.iter().any(|(_, s)| s == schema) {
                        return Err(misplaced(
                            method,
                            &format!(
                                "names `{schema}`, which is not a variant of `{}`",
                                poly.schema
                            ),
                        ));
                    }
                    let (variant, ty) = (type_name(schema), self.type_of(schema));
                    let _ = writeln!(
                        out,
                        "fn {method}(&self) -> ::std::option::Option<&{ty}> {{\n\
                         match self {{\nSelf::{variant}(v) => ::std::option::Option::Some(v),\n\
                         #[allow(unreachable_patterns)]\n_ => ::std::option::Option::None,\n}}\n}}"
                    );
                }
                Item::ODataType { method } => {
                    if polymorphic.is_none() {
                        return Err(misplaced(
                            method,
                            "reads `@odata.type`: the implementor must be an `@odata.type` enum",
                        ));
                    }
                    let _ = writeln!(
                        out,
                        "fn {method}(&self) -> ::std::option::Option<&str> {{\n{implementor}::odata_type(self)\n}}"
                    );
                }
            }
        }
        out.push_str("}\n");
        Ok(Ok(out))
    }

    /// The query struct an operation's method takes, if the operation has query parameters.
    fn query_type(
        &self,
        op: &Operation,
        binding: &str,
        method: &str,
    ) -> Result<Option<&str>, BindingError> {
        if op.query.is_empty() {
            return Ok(None);
        }
        self.target
            .query
            .as_deref()
            .map(Some)
            .ok_or_else(|| BindingError::NoQueryStruct {
                binding: binding.to_string(),
                item: method.to_string(),
            })
    }
}

/// `async fn method(client, path..., [key], [query], [body]) -> Result<..> {`
fn signature(method: &str, op: &Operation, key: Option<&str>, query: Option<&str>) -> String {
    let mut args = vec!["client: &Client".to_string()];
    args.extend(op.path.iter().map(|p| format!("{p}: &str")));
    if let Some(key) = key {
        args.push(format!("key: {key}"));
    }
    if let Some(query) = query {
        args.push(format!("query: &{query}"));
    }
    if let Some(body) = &op.body {
        args.push(format!("body: {body}"));
    }
    format!(
        "async fn {method}({}) -> ::std::result::Result<{}, progenitor_client::Error<{}>> {{\n",
        args.join(", "),
        op.response,
        op.error
    )
}

/// The builder calls of one operation, ending in the inner value of its response.
fn call(operation: &str, op: &Operation) -> String {
    let mut out = format!("let call = client.{operation}()");
    for p in &op.path {
        let _ = write!(out, ".{p}({p})");
    }
    if op.body.is_some() {
        out.push_str(".body(body)");
    }
    out.push_str(";\n");
    for q in &op.query {
        let _ = writeln!(
            out,
            "let call = match &query.{q} {{ ::std::option::Option::Some(v) => call.{q}(::std::clone::Clone::clone(v)), ::std::option::Option::None => call }};"
        );
    }
    out.push_str("call.send().await.map(progenitor_client::ResponseValue::into_inner)\n");
    out
}

/// `const {name}: &'static [{key}] = &[...];`
fn keys_const<'k>(out: &mut String, name: &str, key: &str, keys: impl Iterator<Item = &'k str>) {
    let keys: Vec<&str> = keys.collect();
    let _ = writeln!(
        out,
        "const {name}: &'static [{key}] = &[{}];",
        keys.join(", ")
    );
}

/// A JSON pointer token (`~` and `/` escaped).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn field_names_follow_progenitor() {
        for (property, field) in [
            ("@odata.nextLink", "odata_next_link"),
            ("displayName", "display_name"),
            ("pkcs12Value", "pkcs12_value"),
            ("request-id", "request_id"),
            ("type", "type_"),
            ("$select", "select"),
            ("id", "id"),
        ] {
            assert_eq!(
                field_name(property.trim_start_matches('$')),
                field,
                "{property}"
            );
        }
    }
}
