//! The binding table: which `impl Trait for Type` blocks the generated code carries, and what each
//! item of them is bound to in the spec (a schema, an operation, a property, a variant).
//!
//! The caller owns the traits; graph-csdl knows nothing of them but their paths. Each [`Binding`]
//! becomes one impl block. Whether it is emitted is decided by the spec: an impl whose implementor
//! schema or whose operations the spec lacks is skipped (so the trait is simply not implemented,
//! and using it is a compile error), while a table that names a schema or a property the spec does
//! not have, in an impl that is emitted, is an error ([`BindingError`]).
//!
//! ```
//! use graph_csdl::codegen::bindings::{Binding, Implementor};
//! let version = Binding::new("crate::Version", Implementor::path("crate::Beta"))
//!     .client_type("Client")
//!     .schema_type("Connector", "identityApiConnector")
//!     .operation("get_connector", "get_api_connector");
//! assert_eq!(version.items.len(), 1);
//! ```

/// One impl block: `impl {trait_path} for {implementor} { types...; items... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The trait, with its generic arguments, e.g. `crate::UserFlowFamily<crate::Beta>`.
    pub trait_path: String,
    /// The type that implements it.
    pub implementor: Implementor,
    /// Associated types: name and what it is.
    pub types: Vec<(String, TypeRef)>,
    /// Constants and methods, in order.
    pub items: Vec<Item>,
}

/// The implementing type of a [`Binding`].
#[derive(Debug, Clone, PartialEq)]
pub enum Implementor {
    /// A caller's type, e.g. a marker `crate::Beta`. Its impl needs the operations it names.
    Path(String),
    /// The generated type of a component schema, e.g. `identityApiConnector`. Its impl is skipped
    /// when the spec has no such schema.
    Schema(String),
}

impl Implementor {
    /// A caller's type.
    pub fn path(path: impl Into<String>) -> Implementor {
        Implementor::Path(path.into())
    }

    /// The generated type of a schema.
    pub fn schema(name: impl Into<String>) -> Implementor {
        Implementor::Schema(name.into())
    }
}

/// What an associated type is.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// The generated type of a component schema.
    Schema(String),
    /// The generated client, `Client`.
    Client,
    /// Any Rust type, written as given.
    Path(String),
}

/// A constant or method of an impl block.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `const {name}: {ty} = {value};`, written as given.
    Const {
        /// Name.
        name: String,
        /// Type.
        ty: String,
        /// Value expression.
        value: String,
    },
    /// `fn {method}(baseurl: &str, client: reqwest::Client, inner: Inner) -> Client`: the
    /// generated client's `new_with_client`.
    ClientConstructor {
        /// Method name.
        method: String,
    },
    /// An operation: `async fn {method}(client: &Client, <path parameters as &str, in path order>,
    /// <query: &Query, if the operation has query parameters>, <body, if it has one>) ->
    /// Result<Response, progenitor_client::Error<ODataError>>`, returning the inner value.
    Operation {
        /// Method name.
        method: String,
        /// The operation id in the OpenAPI document.
        operation: String,
    },
    /// One method over several operations of the same shape, chosen by a key: like
    /// [`Item::Operation`] with `key: {key}` after the path parameters. Arms whose operation the
    /// spec lacks are left out, and a key without an arm gives `Error::InvalidRequest` before any
    /// request. `const {keys}: &'static [{key}]` lists the keys that have an operation. The key
    /// type must implement `Debug`.
    Dispatch {
        /// Method name.
        method: String,
        /// The key type, e.g. `crate::Step`.
        key: String,
        /// Name of the constant listing the keys with an operation.
        keys: String,
        /// (key expression, operation id).
        arms: Vec<(String, String)>,
    },
    /// A property accessor of a schema implementor: `fn {method}(&self) -> &FieldType`.
    Property {
        /// Method name.
        method: String,
        /// Property name in the schema, e.g. `displayName`.
        property: String,
    },
    /// One accessor over several optional properties of the same type, chosen by a key:
    /// `fn {method}(&self, key: {key}) -> Option<&T>`, `None` for a key the schema lacks.
    /// `const {keys}: &'static [{key}]` lists the keys whose property the schema has.
    PropertyDispatch {
        /// Method name.
        method: String,
        /// The key type.
        key: String,
        /// Name of the constant listing the keys whose property exists.
        keys: String,
        /// (key expression, property name).
        arms: Vec<(String, String)>,
    },
    /// `const {name}: &'static [{key}]`: the keys whose property `schema` has.
    Keys {
        /// Constant name.
        name: String,
        /// The key type.
        key: String,
        /// The schema whose properties are looked up.
        schema: String,
        /// (key expression, property name).
        arms: Vec<(String, String)>,
    },
    /// A variant accessor of a polymorphic (`@odata.type`) schema implementor:
    /// `fn {method}(&self) -> Option<&Variant>`.
    Variant {
        /// Method name.
        method: String,
        /// The variant's schema, e.g. `basicAuthentication`.
        schema: String,
    },
    /// The `@odata.type` of a polymorphic schema implementor: `fn {method}(&self) -> Option<&str>`.
    ODataType {
        /// Method name.
        method: String,
    },
}

impl Binding {
    /// An impl of `trait_path` for `implementor`, without items yet.
    pub fn new(trait_path: impl Into<String>, implementor: Implementor) -> Binding {
        Binding {
            trait_path: trait_path.into(),
            implementor,
            types: Vec::new(),
            items: Vec::new(),
        }
    }

    /// `type {name} = <the generated type of schema>;`
    pub fn schema_type(mut self, name: &str, schema: &str) -> Binding {
        self.types
            .push((name.to_string(), TypeRef::Schema(schema.to_string())));
        self
    }

    /// `type {name} = Client;` (the generated client).
    pub fn client_type(mut self, name: &str) -> Binding {
        self.types.push((name.to_string(), TypeRef::Client));
        self
    }

    /// `type {name} = {path};`
    pub fn path_type(mut self, name: &str, path: &str) -> Binding {
        self.types
            .push((name.to_string(), TypeRef::Path(path.to_string())));
        self
    }

    /// See [`Item::Const`].
    pub fn constant(mut self, name: &str, ty: &str, value: &str) -> Binding {
        self.items.push(Item::Const {
            name: name.into(),
            ty: ty.into(),
            value: value.into(),
        });
        self
    }

    /// See [`Item::ClientConstructor`].
    pub fn client_constructor(mut self, method: &str) -> Binding {
        self.items.push(Item::ClientConstructor {
            method: method.into(),
        });
        self
    }

    /// See [`Item::Operation`].
    pub fn operation(mut self, method: &str, operation: &str) -> Binding {
        self.items.push(Item::Operation {
            method: method.into(),
            operation: operation.into(),
        });
        self
    }

    /// See [`Item::Dispatch`].
    pub fn dispatch(
        mut self,
        method: &str,
        key: &str,
        keys: &str,
        arms: &[(&str, &str)],
    ) -> Binding {
        self.items.push(Item::Dispatch {
            method: method.into(),
            key: key.into(),
            keys: keys.into(),
            arms: owned(arms),
        });
        self
    }

    /// See [`Item::Property`].
    pub fn property(mut self, method: &str, property: &str) -> Binding {
        self.items.push(Item::Property {
            method: method.into(),
            property: property.into(),
        });
        self
    }

    /// See [`Item::PropertyDispatch`].
    pub fn property_dispatch(
        mut self,
        method: &str,
        key: &str,
        keys: &str,
        arms: &[(&str, &str)],
    ) -> Binding {
        self.items.push(Item::PropertyDispatch {
            method: method.into(),
            key: key.into(),
            keys: keys.into(),
            arms: owned(arms),
        });
        self
    }

    /// See [`Item::Keys`].
    pub fn keys(mut self, name: &str, key: &str, schema: &str, arms: &[(&str, &str)]) -> Binding {
        self.items.push(Item::Keys {
            name: name.into(),
            key: key.into(),
            schema: schema.into(),
            arms: owned(arms),
        });
        self
    }

    /// See [`Item::Variant`].
    pub fn variant(mut self, method: &str, schema: &str) -> Binding {
        self.items.push(Item::Variant {
            method: method.into(),
            schema: schema.into(),
        });
        self
    }

    /// See [`Item::ODataType`].
    pub fn odata_type(mut self, method: &str) -> Binding {
        self.items.push(Item::ODataType {
            method: method.into(),
        });
        self
    }

    /// `trait for implementor`, for messages.
    pub fn describe(&self) -> String {
        let implementor = match &self.implementor {
            Implementor::Path(p) => p.clone(),
            Implementor::Schema(s) => format!("schema `{s}`"),
        };
        format!("impl {} for {implementor}", self.trait_path)
    }
}

fn owned(arms: &[(&str, &str)]) -> Vec<(String, String)> {
    arms.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Why a binding table does not fit the spec. Each error names the impl it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindingError {
    /// The table names a schema the document does not have.
    #[error("{binding}: no schema `{schema}` in the document")]
    UnknownSchema {
        /// The impl, as [`Binding::describe`] writes it.
        binding: String,
        /// The schema name.
        schema: String,
    },
    /// The table names a property its schema does not have.
    #[error("{binding}: schema `{schema}` has no property `{property}`")]
    UnknownProperty {
        /// The impl.
        binding: String,
        /// The schema.
        schema: String,
        /// The property.
        property: String,
    },
    /// An item that needs a kind of implementor it does not have (a property accessor on a
    /// caller's type, a variant accessor on a schema that is not polymorphic, ...).
    #[error("{binding}: `{item}` {reason}")]
    Misplaced {
        /// The impl.
        binding: String,
        /// The method or constant.
        item: String,
        /// What is wrong.
        reason: String,
    },
    /// The spec has something the emitter cannot type (a property or body shape it does not map).
    #[error("{binding}: `{item}`: {reason}")]
    Unsupported {
        /// The impl.
        binding: String,
        /// The method or constant.
        item: String,
        /// What could not be mapped.
        reason: String,
    },
    /// An operation has query parameters, but the target names no query struct.
    #[error("{binding}: `{item}` has query parameters, but the target names no query struct")]
    NoQueryStruct {
        /// The impl.
        binding: String,
        /// The method.
        item: String,
    },
}
