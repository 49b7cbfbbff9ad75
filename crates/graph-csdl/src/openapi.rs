//! CSDL → OpenAPI 3.0.3, shaped so that progenitor generates good Rust.
//!
//! What the conversion decides, and why:
//! - **Paths come from the model**, not from Microsoft's OpenAPI conversion: every root navigation
//!   property of the [`Profile`]'s singleton becomes a collection (`list`, `create`) and an item
//!   (`get`, `update`, `delete`) path; every action bound to the item type becomes a `POST`; every
//!   structural property whose complex type holds navigation properties becomes a `GET` with
//!   `$expand`, and each of those navigation properties marked
//!   `NavigationRestrictions/Referenceable` gets a `PUT .../$ref` (a referenceable collection:
//!   list, `POST .../$ref` and `DELETE .../{key}/$ref`, also through cast
//!   segments to the derived types that declare them; see `references`). This is how the b2c
//!   user-flow configuration paths exist here although Microsoft's own conversion omits them.
//!   Actions bound to a collection of the item type become a `POST` on the collection path.
//! - **Operation ids are readable**: `list_api_connectors`, `get_b2x_user_flow`,
//!   `set_b2c_user_flow_post_federation_signup_ref`, `upload_client_certificate`.
//! - **Polymorphism**: a type that is abstract or has derived types becomes a `oneOf` tagged by
//!   `@odata.type` (with a `discriminator`), and is reported in [`Conversion::polymorphic`] so the
//!   build can generate a tagged Rust enum that keeps unknown `@odata.type`s as raw JSON. This
//!   holds for entity types as for complex types: a root whose item type is polymorphic
//!   (`customAuthenticationExtension`) lists a page of the tagged enum, and its create and update
//!   bodies are the tagged enum too (Graph requires `@odata.type` on both).
//! - **Secrets**: properties and action parameters named in [`Profile::secret_properties`] refer to
//!   one `secretString` schema (`format: password`), which the build maps to a redacting type.
//! - **Optionality**: entity properties are never `required` (Graph omits them under `$select`, and
//!   the same schema serves create and read); non-nullable properties of complex types are.
//! - Inherited properties are flattened into each schema, so every schema is a plain object.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::OpenAPI;
use serde_json::{Map, Value, json};

use crate::error::CsdlError;
use crate::model::*;

mod actions;
mod contained;
mod references;

use actions::Binding;

/// Name of the shared secret schema.
pub const SECRET_SCHEMA: &str = "secretString";
/// Name of the OData error schema.
pub const ERROR_SCHEMA: &str = "ODataError";
/// Name of the `$ref` body schema.
pub const REFERENCE_SCHEMA: &str = "ReferenceUpdate";
/// Name of the body schema of `POST .../$ref` on a collection of references.
pub const REFERENCE_CREATE_SCHEMA: &str = "ReferenceCreate";

/// The OData query options of a list.
const LIST_PARAMETERS: [&str; 8] = [
    "select", "expand", "filter", "orderby", "search", "top", "skip", "count",
];

/// Which part of the model becomes paths, and how.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The entity container singleton the paths start from (`identity`).
    pub singleton: String,
    /// Root navigation properties of the singleton's type, with their operations.
    pub roots: Vec<Root>,
    /// Property and parameter names whose values are secrets.
    pub secret_properties: Vec<String>,
}

/// A collection-valued navigation property of the singleton and the operations it gets.
#[derive(Debug, Clone)]
pub struct Root {
    /// Navigation property name, e.g. `apiConnectors`.
    pub navigation: String,
    /// Whether the root must exist in the model (an optional one may be absent in a version).
    pub required: bool,
    /// Emit `PATCH` on items.
    pub update: bool,
}

impl Profile {
    /// The profile of this crate: API connectors and the user-flow connector configuration, and,
    /// where the spec has them (v1.0), custom authentication extensions, authentication events
    /// flows and authentication event listeners.
    pub fn api_connectors() -> Profile {
        let root = |navigation: &str, required, update| Root {
            navigation: navigation.to_string(),
            required,
            update,
        };
        Profile {
            singleton: "identity".into(),
            roots: vec![
                root("apiConnectors", true, true),
                root("b2cUserFlows", false, false),
                root("b2xUserFlows", true, false),
                root("customAuthenticationExtensions", false, true),
                root("authenticationEventsFlows", false, true),
                root("authenticationEventListeners", false, true),
            ],
            secret_properties: vec![
                "password".into(),
                "pkcs12Value".into(),
                "clientSecret".into(),
            ],
        }
    }
}

/// Conversion options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Graph version label (`beta`, `v1.0`), used for the title and server URL.
    pub version: String,
    /// What to convert.
    pub profile: Profile,
}

impl Options {
    /// This crate's profile for a Graph version.
    pub fn new(version: &str) -> Options {
        Options {
            version: version.to_string(),
            profile: Profile::api_connectors(),
        }
    }
}

/// A polymorphic CSDL type, to be generated as a Rust enum tagged by `@odata.type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polymorphic {
    /// Schema name of the base type (`apiAuthenticationConfigurationBase`).
    pub schema: String,
    /// Qualified CSDL name of the base type.
    pub qualified_name: String,
    /// Concrete members: (`@odata.type` value, schema name), sorted by schema name.
    pub variants: Vec<(String, String)>,
    /// The schema to use when `@odata.type` is absent (the base itself, when it is concrete).
    pub default_variant: Option<String>,
}

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The OpenAPI document.
    pub openapi: OpenAPI,
    /// The same document as JSON, in the order it was built.
    pub json: Value,
    /// Polymorphic types referenced by the document.
    pub polymorphic: Vec<Polymorphic>,
    /// Operation ids, in path order.
    pub operations: Vec<String>,
}

/// Convert a parsed document into an OpenAPI document for `options.version`.
pub fn convert(doc: &Document, options: &Options) -> Result<Conversion, CsdlError> {
    Converter::new(doc, options)?.run()
}

/// `camelCase` → `snake_case`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c == '-' || c == '.' || c == ' ' {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// `snake_case` or `camelCase` → `lowerCamelCase`.
pub fn lower_camel_case(name: &str) -> String {
    let pascal = pascal_case(name);
    let mut c = pascal.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `camelCase` → `PascalCase`, as progenitor names the types of component schemas.
pub fn pascal_case(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn singular(plural: &str) -> &str {
    plural.strip_suffix('s').unwrap_or(plural)
}

struct Converter<'a> {
    index: Index<'a>,
    options: &'a Options,
    schemas: Map<String, Value>,
    /// Structured types whose schema must be emitted (qualified names).
    wanted: BTreeSet<String>,
    polymorphic: BTreeMap<String, Polymorphic>,
    paths: Map<String, Value>,
    operations: Vec<String>,
}

impl<'a> Converter<'a> {
    fn new(doc: &'a Document, options: &'a Options) -> Result<Self, CsdlError> {
        let index = Index::new(doc);
        validate(&index)?;
        Ok(Converter {
            index,
            options,
            schemas: Map::new(),
            wanted: BTreeSet::new(),
            polymorphic: BTreeMap::new(),
            paths: Map::new(),
            operations: Vec::new(),
        })
    }

    fn run(mut self) -> Result<Conversion, CsdlError> {
        let profile = &self.options.profile;
        let singleton = self.index.singleton(&profile.singleton).ok_or_else(|| {
            CsdlError::model(
                "EntityContainer",
                format!("no singleton `{}`", profile.singleton),
            )
        })?;
        let container = self.index.structured(&singleton.type_name).ok_or_else(|| {
            CsdlError::model(
                format!("singleton {}", singleton.name),
                format!("its type `{}` is not defined", singleton.type_name),
            )
        })?;
        let navs = self.index.all_navigation_properties(container);
        for root in &profile.roots {
            let Some(nav) = navs.iter().find(|n| n.name == root.navigation) else {
                if root.required {
                    return Err(CsdlError::model(
                        &container.qualified_name,
                        format!("no navigation property `{}`", root.navigation),
                    ));
                }
                continue;
            };
            if !nav.type_ref.collection || !nav.contains_target {
                return Err(CsdlError::model(
                    format!("{}/{}", container.qualified_name, nav.name),
                    "a root must be a contained collection",
                ));
            }
            self.root(&singleton.name, nav, root)?;
        }
        // emit every wanted schema, growing the set as references are found
        let mut done = BTreeSet::new();
        while let Some(next) = self.wanted.iter().find(|w| !done.contains(*w)).cloned() {
            done.insert(next.clone());
            self.emit_schema(&next)?;
        }
        let mut seen = BTreeSet::new();
        if let Some(twice) = self.operations.iter().find(|o| !seen.insert(o.as_str())) {
            return Err(CsdlError::model(
                "OpenAPI document",
                format!("the operation id `{twice}` would be generated twice"),
            ));
        }
        self.common_schemas();

        let version = &self.options.version;
        let json = json!({
            "openapi": "3.0.3",
            "info": {
                "title": format!("Microsoft Graph {version}: identity API connectors"),
                "version": version,
                "description": "Derived from the Microsoft Graph CSDL by graph-csdl.",
            },
            "servers": [{ "url": format!("https://graph.microsoft.com/{version}") }],
            "paths": Value::Object(std::mem::take(&mut self.paths)),
            "components": {
                "schemas": Value::Object(std::mem::take(&mut self.schemas)),
                "responses": {
                    "error": {
                        "description": "An OData error",
                        "content": { "application/json": { "schema": schema_ref(ERROR_SCHEMA) } },
                    }
                },
                "securitySchemes": {
                    "azureaadv2": {
                        "type": "oauth2",
                        "flows": { "clientCredentials": {
                            "tokenUrl": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                            "scopes": { "https://graph.microsoft.com/.default": "Application permissions" },
                        }},
                    }
                },
            },
            "security": [{ "azureaadv2": [] }],
        });
        let openapi: OpenAPI = serde_json::from_value(json.clone())
            .map_err(|e| CsdlError::model("OpenAPI document", e.to_string()))?;
        Ok(Conversion {
            openapi,
            json,
            polymorphic: self.polymorphic.into_values().collect(),
            operations: self.operations,
        })
    }

    fn root(
        &mut self,
        singleton: &str,
        nav: &NavigationProperty,
        root: &Root,
    ) -> Result<(), CsdlError> {
        let item_type = self.structured(&nav.type_ref.name, &nav.name)?;
        let plural = snake_case(&nav.name);
        let one = singular(&plural).to_string();
        let collection = format!("/{singleton}/{}", nav.name);
        let item = format!("{collection}/{{id}}");
        let tag = format!("{singleton}.{}", nav.name);
        let item_ref = self.reference(&nav.type_ref.name);
        let list_schema = self.collection_response(item_type, item_ref.clone());

        let mut list = self.operation(
            &format!("list_{plural}"),
            &tag,
            &format!("List the {} of `{}`.", nav.name, singleton),
            &LIST_PARAMETERS,
            false,
            None,
            "200",
            Some(schema_ref(&list_schema)),
        );
        list["x-ms-pageable"] =
            json!({ "nextLinkName": "@odata.nextLink", "operationName": "listMore" });
        let create = self.operation(
            &format!("create_{one}"),
            &tag,
            &format!("Create a `{}`.", item_type.name),
            &[],
            false,
            Some(item_ref.clone()),
            "201",
            Some(item_ref.clone()),
        );
        self.paths
            .insert(collection.clone(), json!({ "get": list, "post": create }));

        let mut ops = Map::new();
        ops.insert(
            "get".into(),
            self.operation(
                &format!("get_{one}"),
                &tag,
                &format!("Get a `{}` by id.", item_type.name),
                &["select", "expand"],
                true,
                None,
                "200",
                Some(item_ref.clone()),
            ),
        );
        if root.update {
            ops.insert(
                "patch".into(),
                self.operation(
                    &format!("update_{one}"),
                    &tag,
                    &format!("Update the properties of a `{}`.", item_type.name),
                    &[],
                    true,
                    Some(item_ref.clone()),
                    "204",
                    None,
                ),
            );
        }
        ops.insert(
            "delete".into(),
            self.operation(
                &format!("delete_{one}"),
                &tag,
                &format!("Delete a `{}`.", item_type.name),
                &[],
                true,
                None,
                "204",
                None,
            ),
        );
        self.paths.insert(item.clone(), Value::Object(ops));

        for action in self.index.bound_actions(item_type) {
            self.action(&item, &tag, Binding::Item(&one), action, item_type)?;
        }
        for action in self.index.collection_bound_actions(item_type) {
            self.action(
                &collection,
                &tag,
                Binding::Collection(&plural),
                action,
                item_type,
            )?;
        }
        self.references(&item, &tag, &one, item_type)?;
        self.contained(&item, &tag, &one, item_type)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        id: &str,
        tag: &str,
        summary: &str,
        query: &[&str],
        has_id: bool,
        body: Option<Value>,
        status: &str,
        response: Option<Value>,
    ) -> Value {
        self.operations.push(id.to_string());
        let mut params: Vec<Value> = Vec::new();
        if has_id {
            params.push(json!({
                "name": "id", "in": "path", "required": true,
                "description": "The key of the entity.",
                "schema": { "type": "string" },
            }));
        }
        for q in query {
            params.push(query_parameter(q));
        }
        let mut success = json!({ "description": "Success" });
        if let Some(schema) = response {
            success["content"] = json!({ "application/json": { "schema": schema } });
        }
        let mut op = json!({
            "operationId": id,
            "summary": summary,
            "tags": [tag],
            "parameters": params,
            "responses": {
                status: success,
                "4XX": { "$ref": "#/components/responses/error" },
                "5XX": { "$ref": "#/components/responses/error" },
            },
        });
        if let Some(schema) = body {
            op["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": schema } },
            });
        }
        op
    }

    fn structured(&self, name: &str, context: &str) -> Result<&'a StructuredType, CsdlError> {
        self.index.structured(name).ok_or_else(|| {
            CsdlError::model(context, format!("type `{name}` is not defined in the spec"))
        })
    }

    fn type_schema_name(&self, t: &StructuredType) -> String {
        schema_name(&t.qualified_name)
    }

    fn is_secret(&self, name: &str) -> bool {
        self.options
            .profile
            .secret_properties
            .iter()
            .any(|s| s == name)
    }

    fn is_polymorphic(&self, t: &StructuredType) -> bool {
        t.is_abstract || !self.index.direct_derived(&t.qualified_name).is_empty()
    }

    /// A `$ref` to the schema of a structured or enum type, registering it for emission.
    fn reference(&mut self, qualified: &str) -> Value {
        if let Some(t) = self.index.structured(qualified) {
            self.wanted.insert(t.qualified_name.clone());
            if self.is_polymorphic(t) {
                self.register_polymorphic(t);
            }
        } else if self.index.enum_type(qualified).is_some() {
            self.wanted.insert(qualified.to_string());
        }
        schema_ref(&schema_name(qualified))
    }

    fn register_polymorphic(&mut self, t: &'a StructuredType) {
        if self.polymorphic.contains_key(&t.qualified_name) {
            return;
        }
        let mut members: Vec<&StructuredType> = self.index.all_derived(&t.qualified_name);
        if !t.is_abstract {
            members.insert(0, t);
        }
        let members: Vec<&StructuredType> =
            members.into_iter().filter(|m| !m.is_abstract).collect();
        let variants: Vec<(String, String)> = members
            .iter()
            .map(|m| (format!("#{}", m.qualified_name), variant_schema_name(t, m)))
            .collect();
        for m in &members {
            self.wanted.insert(m.qualified_name.clone());
        }
        self.polymorphic.insert(
            t.qualified_name.clone(),
            Polymorphic {
                schema: schema_name(&t.qualified_name),
                qualified_name: t.qualified_name.clone(),
                variants,
                default_variant: (!t.is_abstract).then(|| variant_schema_name(t, t)),
            },
        );
    }

    fn type_ref_schema(&mut self, t: &TypeRef, context: &str) -> Result<Value, CsdlError> {
        let element = if t.is_primitive() {
            primitive_schema(&t.name).ok_or_else(|| {
                CsdlError::model(context, format!("unsupported primitive type `{}`", t.name))
            })?
        } else if self.index.get(&t.name).is_some() {
            self.reference(&t.name)
        } else {
            return Err(CsdlError::model(
                context,
                format!("type `{}` is not defined in the spec", t.name),
            ));
        };
        Ok(if t.collection {
            json!({ "type": "array", "items": element })
        } else {
            element
        })
    }

    fn property_schema(
        &mut self,
        t: &TypeRef,
        nullable: bool,
        name: &str,
        owner: &str,
    ) -> Result<Value, CsdlError> {
        let context = format!("{owner}/{name}");
        if self.is_secret(name) {
            if t.name != "Edm.String" || t.collection {
                return Err(CsdlError::model(
                    context,
                    "a secret property must be an Edm.String",
                ));
            }
            return Ok(schema_ref(SECRET_SCHEMA));
        }
        let schema = self.type_ref_schema(t, &context)?;
        Ok(
            if nullable && !t.collection && schema.get("$ref").is_none() {
                let mut s = schema;
                s["nullable"] = Value::Bool(true);
                s
            } else {
                schema
            },
        )
    }

    fn emit_schema(&mut self, qualified: &str) -> Result<(), CsdlError> {
        if let Some(e) = self.index.enum_type(qualified) {
            let members: Vec<&str> = e.members.iter().map(|m| m.name.as_str()).collect();
            self.schemas.insert(
                schema_name(qualified),
                json!({
                    "type": "string",
                    "description": format!("`{}`", e.qualified_name),
                    "enum": members,
                }),
            );
            return Ok(());
        }
        let t = self.structured(qualified, qualified)?;
        if self.is_polymorphic(t) {
            self.register_polymorphic(t);
            let poly = self.polymorphic[&t.qualified_name].clone();
            let one_of: Vec<Value> = poly
                .variants
                .iter()
                .map(|(tag, schema)| {
                    json!({ "allOf": [
                        schema_ref(schema),
                        {
                            "type": "object",
                            "required": ["@odata.type"],
                            "properties": { "@odata.type": { "type": "string", "enum": [tag] } },
                        }
                    ]})
                })
                .collect();
            let mapping: Map<String, Value> = poly
                .variants
                .iter()
                .map(|(tag, schema)| {
                    (
                        tag.clone(),
                        Value::String(format!("#/components/schemas/{schema}")),
                    )
                })
                .collect();
            let mut s = json!({
                "description": format!(
                    "`{}`: one of its concrete types, tagged by `@odata.type`. \
                     Types unknown to this document are kept as raw JSON by the generated client.",
                    t.qualified_name
                ),
                "discriminator": { "propertyName": "@odata.type", "mapping": mapping },
                "x-ms-polymorphic-base": t.qualified_name,
            });
            if one_of.is_empty() {
                s["type"] = json!("object");
                s["required"] = json!(["@odata.type"]);
                s["properties"] = json!({ "@odata.type": { "type": "string" } });
            } else {
                s["oneOf"] = Value::Array(one_of);
            }
            self.schemas.insert(poly.schema.clone(), s);
            if t.is_abstract {
                return Ok(());
            }
            // a concrete base also needs its plain object schema; it is emitted under its own
            // name by the variant list (`default_variant`), so nothing more to do here.
        }
        let complex = t.kind == TypeKind::Complex;
        let mut props = Map::new();
        let mut required = Vec::new();
        for p in self.index.all_properties(t) {
            if p.type_ref.name == "Edm.Stream" {
                continue;
            }
            let schema = self.property_schema(&p.type_ref, p.nullable, &p.name, qualified)?;
            if complex && !p.nullable && !self.is_secret(&p.name) {
                required.push(p.name.clone());
            }
            props.insert(p.name.clone(), schema);
        }
        for n in self.index.all_navigation_properties(t) {
            let schema = self.type_ref_schema(&n.type_ref, &format!("{qualified}/{}", n.name))?;
            props.insert(n.name.clone(), schema);
        }
        let name = if self.is_polymorphic(t) {
            // the plain object schema of a concrete base is the variant schema
            format!("{}Object", schema_name(qualified))
        } else {
            schema_name(qualified)
        };
        let mut s = json!({
            "type": "object",
            "description": format!("`{}`", t.qualified_name),
            "properties": props,
        });
        if !required.is_empty() {
            s["required"] = json!(required);
        }
        // An open type (or one deriving from it) may carry dynamic properties: keep them, as a
        // map beside the declared ones, rather than dropping them on a round trip.
        if self.index.ancestry(t).iter().any(|a| a.open_type) {
            s["additionalProperties"] = json!({});
        }
        self.schemas.insert(name, s);
        Ok(())
    }

    fn collection_response(&mut self, item: &StructuredType, item_ref: Value) -> String {
        let name = format!("{}CollectionResponse", self.type_schema_name(item));
        self.schemas.insert(
            name.clone(),
            json!({
                "type": "object",
                "description": format!("A page of `{}` entities.", item.qualified_name),
                "required": ["value"],
                "properties": {
                    "@odata.context": { "type": "string" },
                    "@odata.count": { "type": "integer", "format": "int64" },
                    "@odata.nextLink": { "type": "string", "nullable": true },
                    "value": { "type": "array", "items": item_ref },
                },
            }),
        );
        name
    }

    fn common_schemas(&mut self) {
        let s = &mut self.schemas;
        s.insert(
            SECRET_SCHEMA.into(),
            json!({
                "type": "string",
                "format": "password",
                "description": "A write-only secret. Graph returns it masked as `******`.",
            }),
        );
        s.insert(
            REFERENCE_SCHEMA.into(),
            json!({
                "type": "object",
                "description": "Body of `PUT .../$ref`: the full URL of the entity to bind, or `{}` to unbind.",
                "properties": {
                    "@odata.id": { "type": "string", "description": "Full URL of the referenced entity." },
                },
            }),
        );
        s.insert(
            ERROR_SCHEMA.into(),
            json!({
                "type": "object",
                "description": "The OData error body of every Graph error response.",
                "required": ["error"],
                "properties": { "error": schema_ref("MainError") },
            }),
        );
        s.insert(
            "MainError".into(),
            json!({
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string" },
                    "message": { "type": "string" },
                    "target": { "type": "string", "nullable": true },
                    "details": { "type": "array", "items": schema_ref("ErrorDetails") },
                    "innerError": schema_ref("InnerError"),
                },
            }),
        );
        s.insert(
            "ErrorDetails".into(),
            json!({
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string" },
                    "message": { "type": "string" },
                    "target": { "type": "string", "nullable": true },
                },
            }),
        );
        s.insert(
            "InnerError".into(),
            json!({
                "type": "object",
                "description": "Diagnostics; Graph may add further members.",
                "properties": {
                    "request-id": { "type": "string" },
                    "client-request-id": { "type": "string" },
                    "date": { "type": "string" },
                    "correlationId": { "type": "string" },
                    "code": { "type": "string" },
                },
            }),
        );
    }
}

/// The schema name of a concrete member of a polymorphic hierarchy: a concrete base's own object
/// schema is `<base>Object`, since the base's name is taken by the `oneOf`.
fn variant_schema_name(base: &StructuredType, member: &StructuredType) -> String {
    if std::ptr::eq(base, member) {
        format!("{}Object", schema_name(&member.qualified_name))
    } else {
        schema_name(&member.qualified_name)
    }
}

fn strip_nullable(mut s: Value) -> Value {
    if let Some(o) = s.as_object_mut() {
        o.remove("nullable");
    }
    s
}

/// The component schema name of a qualified CSDL name: the bare name in `microsoft.graph`, the
/// qualified name with dots removed elsewhere.
pub fn schema_name(qualified: &str) -> String {
    match qualified.strip_prefix("microsoft.graph.") {
        Some(bare) if !bare.contains('.') => bare.to_string(),
        _ => qualified.replace('.', "_"),
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn query_parameter(name: &str) -> Value {
    let (schema, description) = match name {
        "select" => (
            json!({ "type": "string" }),
            "Properties to return, comma-separated.",
        ),
        "expand" => (
            json!({ "type": "string" }),
            "Related entities to include, comma-separated.",
        ),
        "filter" => (json!({ "type": "string" }), "OData filter expression."),
        "orderby" => (
            json!({ "type": "string" }),
            "Order of the items, comma-separated.",
        ),
        "search" => (json!({ "type": "string" }), "Search expression."),
        "top" => (
            json!({ "type": "integer", "format": "int64", "minimum": 0 }),
            "Page size.",
        ),
        "skip" => (
            json!({ "type": "integer", "format": "int64", "minimum": 0 }),
            "Items to skip.",
        ),
        "count" => (json!({ "type": "boolean" }), "Include `@odata.count`."),
        other => (json!({ "type": "string" }), other),
    };
    json!({
        "name": format!("${name}"),
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    })
}

/// The OpenAPI schema of an `Edm` primitive type.
pub fn primitive_schema(name: &str) -> Option<Value> {
    Some(match name {
        "Edm.String" => json!({ "type": "string" }),
        "Edm.Boolean" => json!({ "type": "boolean" }),
        "Edm.Byte" => json!({ "type": "integer", "format": "uint8" }),
        "Edm.SByte" => json!({ "type": "integer", "format": "int8" }),
        "Edm.Int16" => json!({ "type": "integer", "format": "int16" }),
        "Edm.Int32" => json!({ "type": "integer", "format": "int32" }),
        "Edm.Int64" => json!({ "type": "integer", "format": "int64" }),
        "Edm.Single" => json!({ "type": "number", "format": "float" }),
        "Edm.Double" => json!({ "type": "number", "format": "double" }),
        "Edm.Decimal" => json!({ "type": "number" }),
        "Edm.Guid" => json!({ "type": "string", "format": "uuid" }),
        "Edm.DateTimeOffset" => json!({ "type": "string", "format": "date-time" }),
        "Edm.Date" => json!({ "type": "string", "format": "date" }),
        "Edm.TimeOfDay" | "Edm.Duration" => json!({ "type": "string" }),
        "Edm.Binary" => json!({ "type": "string", "format": "base64url" }),
        "Edm.Untyped" | "Edm.PrimitiveType" => json!({}),
        _ => return None,
    })
}

/// Check the model for what the conversion relies on: defined base types, no inheritance cycle.
pub fn validate(index: &Index<'_>) -> Result<(), CsdlError> {
    for t in index.structured_types() {
        if let Some(base) = &t.base_type {
            let Some(b) = index.structured(base) else {
                return Err(CsdlError::model(
                    &t.qualified_name,
                    format!("base type `{base}` is not defined in the spec"),
                ));
            };
            if b.kind != t.kind {
                return Err(CsdlError::model(
                    &t.qualified_name,
                    format!("base type `{base}` is of another kind"),
                ));
            }
        }
    }
    // Walk each chain of base types once: a type whose chain already ended without a cycle is not
    // walked again, so a long chain costs linear time, not quadratic.
    let mut acyclic: BTreeSet<&str> = BTreeSet::new();
    for t in index.structured_types() {
        let mut path = BTreeSet::new();
        let mut cur = Some(t);
        while let Some(c) = cur {
            if acyclic.contains(c.qualified_name.as_str()) {
                break;
            }
            if !path.insert(c.qualified_name.as_str()) {
                return Err(CsdlError::model(&t.qualified_name, "inheritance cycle"));
            }
            cur = c.base_type.as_deref().and_then(|b| index.structured(b));
        }
        acyclic.extend(path);
    }
    Ok(())
}
