//! The emitter of the caller's trait impls (`codegen::emit`): what it writes for a tiny spec
//! (`tests/data/tiny.csdl.xml`) and for the committed ones, what it leaves out, what it refuses,
//! and that what it writes compiles against a caller's traits.

use std::path::{Path, PathBuf};
use std::process::Command;

use graph_csdl::codegen::Target;
use graph_csdl::codegen::bindings::{Binding, BindingError, Implementor};
use graph_csdl::codegen::emit::{Emitted, emit};
use graph_csdl::openapi::{Conversion, Options, Profile, Root, convert};
use graph_csdl::parse;
use graph_csdl::rust::type_name;

const TINY: &str = include_str!("data/tiny.csdl.xml");
const SPEC_BETA: &str = include_str!("../../../spec/beta/identity.csdl.xml");
const SPEC_V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");

fn tiny_profile() -> Profile {
    Profile {
        singleton: "store".into(),
        roots: vec![Root {
            navigation: "widgets".into(),
            required: true,
            update: true,
        }],
        secret_properties: vec!["password".into()],
    }
}

fn tiny() -> Conversion {
    let mut options = Options::new("1.0");
    options.profile = tiny_profile();
    convert(&parse(TINY).unwrap(), &options).unwrap()
}

fn graph(text: &str, version: &str) -> Conversion {
    convert(&parse(text).unwrap(), &Options::new(version)).unwrap()
}

/// The part keys of the tiny spec's `widgetParts`, `side` being one it does not have.
const PARTS: [(&str, &str); 3] = [
    ("crate::Part::Front", "front"),
    ("crate::Part::Back", "back"),
    ("crate::Part::Side", "side"),
];

/// The tiny crate's traits, bound to the tiny spec.
fn tiny_target() -> Target {
    Target::new(
        "crate::generated",
        "crate::Inner",
        "crate::Secret",
        "crate::odata",
    )
    .with_hooks("crate::hooks::pre", "crate::hooks::exec")
    .with_page_trait("crate::Page")
    .with_query("crate::Query")
    .with_bindings([
        Binding::new("crate::Api", Implementor::path("crate::Shop"))
            .constant("NAME", "&'static str", "\"shop\"")
            .client_type("Client")
            .schema_type("Widget", "widget")
            .client_constructor("new_client")
            .operation("list", "list_widgets")
            .operation("get", "get_widget")
            .operation("create", "create_widget")
            .operation("delete", "delete_widget")
            .operation("parts", "get_widget_parts")
            .dispatch(
                "set_ref",
                "crate::Part",
                "BINDABLE",
                &[
                    ("crate::Part::Front", "set_widget_front_ref"),
                    ("crate::Part::Back", "set_widget_back_ref"),
                ],
            )
            .keys("READABLE", "crate::Part", "widgetParts", &PARTS),
        Binding::new("crate::WidgetModel", Implementor::schema("widget"))
            .property("id", "id")
            .property("display_name", "displayName")
            .property("size", "size")
            .property("password", "password")
            .property("tags", "tags")
            .property("parts", "parts"),
        Binding::new("crate::PartsModel", Implementor::schema("widgetParts"))
            .schema_type("Part", "part")
            .property_dispatch("part", "crate::Part", "PARTS", &PARTS),
        // The tiny spec has no gadgets: this impl is left out.
        Binding::new("crate::Api", Implementor::path("crate::GadgetShop"))
            .operation("list", "list_gadgets"),
    ])
}

fn emitted(conversion: &Conversion, target: &Target) -> Emitted {
    emit(conversion, target).unwrap_or_else(|e| panic!("{e}"))
}

/// `text` without white space and the trailing commas prettyplease adds, for comparing code.
fn flat(text: &str) -> String {
    text.replace([' ', '\n'], "")
        .replace(",)", ")")
        .replace(",>", ">")
        .replace(",]", "]")
}

#[test]
fn operations_pass_path_parameters_query_and_body_and_return_the_inner_value() {
    let code = flat(&emitted(&tiny(), &tiny_target()).code);
    for needle in [
        "implcrate::Apiforcrate::Shop{",
        "typeClient=Client;",
        "typeWidget=crate::generated::types::Widget;",
        "constNAME:&'staticstr=\"shop\";",
        "fnnew_client(baseurl:&str,client:::reqwest::Client,inner:crate::Inner)->Client{Client::new_with_client(baseurl,client,inner)}",
        // path parameters as &str in path order, then the query struct, then the body
        "asyncfnget(client:&Client,id:&str,query:&crate::Query)->::std::result::Result<crate::generated::types::Widget,progenitor_client::Error<crate::generated::types::ODataError>>{",
        "letcall=client.get_widget().id(id);",
        "letcall=match&query.select{::std::option::Option::Some(v)=>call.select(::std::clone::Clone::clone(v)),::std::option::Option::None=>call,};",
        "letcall=match&query.expand{",
        "call.send().await.map(progenitor_client::ResponseValue::into_inner)",
        "asyncfncreate(client:&Client,body:crate::generated::types::Widget)->",
        "letcall=client.create_widget().body(body);",
        "asyncfndelete(client:&Client,id:&str)->::std::result::Result<(),progenitor_client::Error<crate::generated::types::ODataError>>",
        "asyncfnlist(client:&Client,query:&crate::Query)->::std::result::Result<crate::generated::types::WidgetCollectionResponse,",
        "letcall=match&query.top{",
        "letcall=match&query.count{",
    ] {
        assert!(code.contains(needle), "missing {needle} in\n{code}");
    }
    // an operation without query parameters takes no query; one without a body takes no body
    assert!(
        !code.contains("asyncfndelete(client:&Client,id:&str,query"),
        "{code}"
    );
    assert!(!code.contains(".id(id).body(body);letcall=match&query"));
}

#[test]
fn a_dispatch_has_the_arms_the_spec_has_and_lists_their_keys() {
    let code = flat(&emitted(&tiny(), &tiny_target()).code);
    // only `front` is referenceable in the tiny spec: `back` has no `$ref` operation
    assert!(
        code.contains("asyncfnset_ref(client:&Client,id:&str,key:crate::Part,body:crate::generated::types::ReferenceUpdate)"),
        "{code}"
    );
    assert!(
        code.contains(
            "crate::Part::Front=>{letcall=client.set_widget_front_ref().id(id).body(body);"
        )
    );
    assert!(!code.contains("set_widget_back_ref"), "{code}");
    assert!(code.contains(
        "_=>{::std::result::Result::Err(progenitor_client::Error::InvalidRequest(::std::format!(\"thedocumenthasnooperationfor{key:?}of`set_ref`\")))}"
    ));
    assert!(
        code.contains("constBINDABLE:&'static[crate::Part]=&[crate::Part::Front];"),
        "{code}"
    );
    // the keys of the properties the schema has; `side` is not one of them
    assert!(
        code.contains(
            "constREADABLE:&'static[crate::Part]=&[crate::Part::Front,crate::Part::Back];"
        ),
        "{code}"
    );
}

#[test]
fn accessors_return_the_fields_as_progenitor_types_them() {
    let code = flat(&emitted(&tiny(), &tiny_target()).code);
    for needle in [
        "implcrate::WidgetModelforcrate::generated::types::Widget{",
        "fnid(&self)->&::std::option::Option<::std::string::String>{&self.id}",
        "fndisplay_name(&self)->&::std::option::Option<::std::string::String>{&self.display_name}",
        "fnsize(&self)->&::std::option::Option<i32>{&self.size}",
        // the secret schema is the caller's type
        "fnpassword(&self)->&::std::option::Option<crate::Secret>{&self.password}",
        // an optional array is a Vec, never an Option
        "fntags(&self)->&::std::vec::Vec<::std::string::String>{&self.tags}",
        "fnparts(&self)->&::std::option::Option<crate::generated::types::WidgetParts>{&self.parts}",
        // a property dispatch: the optional properties of one type, by key
        "fnpart(&self,key:crate::Part)->::std::option::Option<&crate::generated::types::Part>{matchkey{crate::Part::Front=>self.front.as_ref(),crate::Part::Back=>self.back.as_ref(),",
        "constPARTS:&'static[crate::Part]=&[crate::Part::Front,crate::Part::Back];",
    ] {
        assert!(code.contains(needle), "missing {needle} in\n{code}");
    }
}

#[test]
fn hooks_and_pages_go_to_the_callers_functions_and_trait() {
    let code = flat(&emitted(&tiny(), &tiny_target()).code);
    assert!(code.contains("implprogenitor_client::ClientHooks<crate::Inner>forClient{"));
    assert!(code.contains(
        "crate::hooks::pre(progenitor_client::ClientInfo::inner(self),request,info).await"
    ));
    assert!(code.contains(
        "crate::hooks::exec(progenitor_client::ClientInfo::inner(self),request,info).await"
    ));
    assert!(code.contains(
        "implcrate::Pageforcrate::generated::types::WidgetCollectionResponse{typeItem=crate::generated::types::Widget;"
    ));
    assert!(code.contains("(self.value,self.odata_next_link)"));
    // without hooks, pages or bindings in the target, nothing is emitted
    let bare = Target::new(
        "crate::generated",
        "crate::Inner",
        "crate::Secret",
        "crate::odata",
    );
    assert_eq!(emitted(&tiny(), &bare).code, "");
}

#[test]
fn an_impl_whose_operation_is_missing_is_skipped() {
    let out = emitted(&tiny(), &tiny_target());
    assert_eq!(
        out.skipped,
        ["impl crate::Api for crate::GadgetShop: the document has no operation `list_gadgets`"]
    );
    assert!(!out.code.contains("GadgetShop"));

    // Azure AD B2C user flows are beta-only: the same family binding is emitted for beta only.
    let family = Binding::new("crate::Family<crate::V>", Implementor::path("crate::B2c"))
        .schema_type("Flow", "b2cIdentityUserFlow")
        .operation("list", "list_b2c_user_flows");
    let model = Binding::new(
        "crate::FlowModel",
        Implementor::schema("b2cIdentityUserFlow"),
    )
    .property("id", "id");
    let target = Target::new("crate::v", "crate::Inner", "crate::Secret", "crate::odata")
        .with_query("crate::Query")
        .with_bindings([family, model]);
    let beta = emitted(&graph(SPEC_BETA, "beta"), &target);
    assert!(beta.skipped.is_empty(), "{:?}", beta.skipped);
    assert!(
        beta.code
            .contains("impl crate::Family<crate::V> for crate::B2c {")
    );
    assert!(
        beta.code
            .contains("impl crate::FlowModel for crate::v::types::B2cIdentityUserFlow {")
    );
    let v1 = emitted(&graph(SPEC_V1, "v1.0"), &target);
    assert_eq!(v1.code, "");
    assert_eq!(
        v1.skipped,
        [
            "impl crate::Family<crate::V> for crate::B2c: the document has no operation `list_b2c_user_flows`",
            "impl crate::FlowModel for schema `b2cIdentityUserFlow`: the document has no schema `b2cIdentityUserFlow`",
        ]
    );
}

#[test]
fn the_committed_specs_bind_the_steps_they_have() {
    let steps = [
        ("S::PostFederationSignup", "postFederationSignup"),
        ("S::PostAttributeCollection", "postAttributeCollection"),
        ("S::PreTokenIssuance", "preTokenIssuance"),
    ];
    let target = Target::new("crate::v", "crate::Inner", "crate::Secret", "crate::odata")
        .with_bindings([
            Binding::new("crate::Family", Implementor::path("crate::B2x")).dispatch(
                "set_ref",
                "S",
                "BINDABLE",
                &[
                    (
                        "S::PostFederationSignup",
                        "set_b2x_user_flow_post_federation_signup_ref",
                    ),
                    (
                        "S::PostAttributeCollection",
                        "set_b2x_user_flow_post_attribute_collection_ref",
                    ),
                    (
                        "S::PreTokenIssuance",
                        "set_b2x_user_flow_pre_token_issuance_ref",
                    ),
                ],
            ),
            Binding::new(
                "crate::Configuration",
                Implementor::schema("userFlowApiConnectorConfiguration"),
            )
            .property_dispatch("connector", "S", "STEPS", &steps),
        ]);
    let beta = flat(&emitted(&graph(SPEC_BETA, "beta"), &target).code);
    let v1 = flat(&emitted(&graph(SPEC_V1, "v1.0"), &target).code);
    let bindable =
        "constBINDABLE:&'static[S]=&[S::PostFederationSignup,S::PostAttributeCollection];";
    assert!(beta.contains(bindable) && v1.contains(bindable), "{beta}");
    assert!(beta.contains(
        "constSTEPS:&'static[S]=&[S::PostFederationSignup,S::PostAttributeCollection,S::PreTokenIssuance];"
    ));
    assert!(beta.contains("S::PreTokenIssuance=>self.pre_token_issuance.as_ref(),"));
    assert!(
        v1.contains(
            "constSTEPS:&'static[S]=&[S::PostFederationSignup,S::PostAttributeCollection];"
        )
    );
    assert!(!v1.contains("pre_token_issuance"), "{v1}");
}

/// The error of `binding` added to the tiny target.
fn refused(binding: Binding) -> BindingError {
    let target = Target::new(
        "crate::generated",
        "crate::Inner",
        "crate::Secret",
        "crate::odata",
    )
    .with_bindings([binding]);
    emit(&tiny(), &target).expect_err("the table does not fit the spec")
}

#[test]
fn a_table_naming_what_the_spec_lacks_is_a_clear_error() {
    let shop = || Binding::new("crate::Api", Implementor::path("crate::Shop"));
    let widget = || Binding::new("crate::WidgetModel", Implementor::schema("widget"));

    let e = refused(
        shop()
            .schema_type("Widget", "gizmo")
            .operation("get", "get_widget"),
    );
    assert_eq!(
        e,
        BindingError::UnknownSchema {
            binding: "impl crate::Api for crate::Shop".into(),
            schema: "gizmo".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "impl crate::Api for crate::Shop: no schema `gizmo` in the document"
    );

    let e = refused(shop().keys("READABLE", "K", "gizmoParts", &[("K::A", "a")]));
    assert!(
        matches!(&e, BindingError::UnknownSchema { schema, .. } if schema == "gizmoParts"),
        "{e}"
    );

    let e = refused(widget().property("colour", "colour"));
    assert_eq!(
        e.to_string(),
        "impl crate::WidgetModel for schema `widget`: schema `widget` has no property `colour`"
    );
    assert!(matches!(e, BindingError::UnknownProperty { .. }));
}

#[test]
fn items_in_the_wrong_place_or_of_a_shape_it_cannot_type_are_errors() {
    let shop = || Binding::new("crate::Api", Implementor::path("crate::Shop"));
    let widget = || Binding::new("crate::WidgetModel", Implementor::schema("widget"));

    let e = refused(shop().property("name", "displayName"));
    assert!(
        matches!(&e, BindingError::Misplaced { item, .. } if item == "name"),
        "{e}"
    );
    assert!(
        e.to_string().contains("the implementor must be a schema"),
        "{e}"
    );

    let e = refused(widget().variant("circle", "widget"));
    assert!(matches!(e, BindingError::Misplaced { .. }), "{e}");
    assert!(e.to_string().contains("`@odata.type` enum"), "{e}");
    let e = refused(widget().odata_type("odata_type"));
    assert!(matches!(e, BindingError::Misplaced { .. }), "{e}");

    // a dispatch over operations of different shapes
    let e = refused(shop().dispatch(
        "either",
        "K",
        "KEYS",
        &[("K::A", "get_widget"), ("K::B", "delete_widget")],
    ));
    assert!(
        matches!(&e, BindingError::Unsupported { item, .. } if item == "either"),
        "{e}"
    );
    assert!(e.to_string().contains("`K::B` differs"), "{e}");

    // a property dispatch over a property that is not optional
    let e = refused(widget().property_dispatch("tag", "K", "KEYS", &[("K::A", "tags")]));
    assert!(e.to_string().contains("is not optional"), "{e}");

    // a property of a containment cycle (progenitor boxes one of its fields)
    let recursive = TINY.replace("Type=\"graph.part\"", "Type=\"graph.widget\"");
    let mut options = Options::new("1.0");
    options.profile = tiny_profile();
    let conversion = convert(&parse(&recursive).unwrap(), &options).unwrap();
    let target = Target::new(
        "crate::generated",
        "crate::Inner",
        "crate::Secret",
        "crate::odata",
    )
    .with_bindings([widget().property("parts", "parts")]);
    let e = emit(&conversion, &target).unwrap_err();
    assert!(matches!(e, BindingError::Unsupported { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("`widgetParts` contains `widget` again"),
        "{e}"
    );

    // query parameters need a query struct
    let e = refused(shop().operation("list", "list_widgets"));
    assert_eq!(
        e,
        BindingError::NoQueryStruct {
            binding: "impl crate::Api for crate::Shop".into(),
            item: "list".into()
        }
    );
}

#[test]
fn type_names_follow_progenitor() {
    for (schema, name) in [
        ("identityApiConnector", "IdentityApiConnector"),
        ("ODataError", "ODataError"),
        ("ReferenceUpdate", "ReferenceUpdate"),
        ("pkcs12Certificate", "Pkcs12Certificate"),
        (
            "pkcs12CertificateInformation",
            "Pkcs12CertificateInformation",
        ),
        (
            "oAuth2ClientCredentialsAuthentication",
            "OAuth2ClientCredentialsAuthentication",
        ),
        (
            "b2cIdentityUserFlowCollectionResponse",
            "B2cIdentityUserFlowCollectionResponse",
        ),
    ] {
        assert_eq!(type_name(schema), name, "{schema}");
    }
}

/// The caller of the compile check: traits the tiny target binds, and generic code using them.
const TINY_CRATE: &str = r#"
//! The caller's side of tests/bindings.rs: its traits, implemented by the emitted code.
#![allow(dead_code)]
use std::future::Future;

pub type Secret = String;
#[derive(Clone, Debug)]
pub struct Inner;
pub struct Shop;
pub struct GadgetShop;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Part { Front, Back, Side }

#[derive(Debug, Default)]
pub struct Query {
    pub select: Option<String>, pub expand: Option<String>, pub filter: Option<String>,
    pub orderby: Option<String>, pub search: Option<String>, pub top: Option<i64>,
    pub skip: Option<i64>, pub count: Option<bool>,
}

pub trait Page { type Item; fn into_parts(self) -> (Vec<Self::Item>, Option<String>); }

type Failure = progenitor_client::Error<generated::types::ODataError>;

pub trait Api {
    const NAME: &'static str;
    const BINDABLE: &'static [Part];
    const READABLE: &'static [Part];
    type Client;
    type Widget: WidgetModel;
    fn new_client(baseurl: &str, http: reqwest::Client, inner: Inner) -> Self::Client;
    fn list(client: &Self::Client, query: &Query)
        -> impl Future<Output = Result<generated::types::WidgetCollectionResponse, Failure>> + Send;
    fn get(client: &Self::Client, id: &str, query: &Query)
        -> impl Future<Output = Result<Self::Widget, Failure>> + Send;
    fn create(client: &Self::Client, body: Self::Widget)
        -> impl Future<Output = Result<Self::Widget, Failure>> + Send;
    fn delete(client: &Self::Client, id: &str) -> impl Future<Output = Result<(), Failure>> + Send;
    fn parts(client: &Self::Client, id: &str, query: &Query)
        -> impl Future<Output = Result<generated::types::WidgetParts, Failure>> + Send;
    fn set_ref(client: &Self::Client, id: &str, key: Part, body: generated::types::ReferenceUpdate)
        -> impl Future<Output = Result<(), Failure>> + Send;
}

pub trait WidgetModel {
    fn id(&self) -> &Option<String>;
    fn display_name(&self) -> &Option<String>;
    fn size(&self) -> &Option<i32>;
    fn password(&self) -> &Option<Secret>;
    fn tags(&self) -> &Vec<String>;
    fn parts(&self) -> &Option<generated::types::WidgetParts>;
}

pub trait PartsModel {
    type Part;
    const PARTS: &'static [Part];
    fn part(&self, key: Part) -> Option<&Self::Part>;
}

pub mod hooks {
    use progenitor_client::{Error, OperationInfo};
    pub async fn pre<E>(_: &super::Inner, _: &mut reqwest::Request, _: &OperationInfo) -> Result<(), Error<E>> {
        Ok(())
    }
    pub async fn exec(_: &super::Inner, request: reqwest::Request, _: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        reqwest::Client::new().execute(request).await
    }
}

/// Generic code over the traits: whether a widget's front part is bound, through any `Api`.
pub async fn has_front<A: Api>(client: &A::Client, id: &str) -> Result<bool, Failure> {
    let parts = A::parts(client, id, &Query { expand: Some("front".into()), ..Query::default() }).await?;
    Ok(parts.part(Part::Front).is_some())
}

// The consts say what the spec has, at compile time.
const _: () = assert!(<Shop as Api>::BINDABLE.len() == 1 && <Shop as Api>::READABLE.len() == 2);
const _: () = assert!(<generated::types::WidgetParts as PartsModel>::PARTS.len() == 2);

#[allow(clippy::all, unused)]
pub mod generated { include!("generated.rs"); }
"#;

/// Write the tiny crate with the emitted code for `target` and `cargo check` it offline, in a
/// folder kept between runs (its dependencies build once).
fn cargo_check(target: &Target) -> std::process::Output {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tiny-bindings");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let workspace: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // the workspace's versions, so that nothing is fetched
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"tiny-bindings\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\nprogenitor-client = \"0.15.1\"\n\
         reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), TINY_CRATE).unwrap();
    let code = graph_csdl::codegen::generate(&tiny(), target).unwrap();
    std::fs::write(dir.join("src/generated.rs"), code).unwrap();
    Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--lib"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn the_emitted_code_for_a_tiny_spec_compiles() {
    let out = cargo_check(&tiny_target());
    assert!(
        out.status.success(),
        "cargo check failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // and a table that disagrees with the caller's trait is a compile error, not a run-time one
    let mut wrong = tiny_target();
    wrong.bindings[1] = Binding::new("crate::WidgetModel", Implementor::schema("widget"))
        .property("id", "id")
        .property("display_name", "id")
        .property("size", "tags")
        .property("password", "password")
        .property("tags", "tags")
        .property("parts", "parts");
    let out = cargo_check(&wrong);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a wrong table compiled");
    assert!(
        stderr.contains("E0053") && stderr.contains("fn size"),
        "{stderr}"
    );
}
