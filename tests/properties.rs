//! Property tests: JSON round trips of the generated connector types on arbitrary values (every
//! authentication variant, including an `@odata.type` the bindings do not know, with arbitrary extra
//! members), and the PATCH tri-state encoding of `ConnectorPatch::to_body`.
//!
//! Graph sends the authentication configuration as a derived type tagged by `@odata.type`
//! (<https://learn.microsoft.com/graph/api/resources/identityapiconnector?view=graph-rest-beta>);
//! an update sends only the properties to change
//! (<https://learn.microsoft.com/graph/api/identityapiconnector-update?view=graph-rest-beta>), and
//! `null` clears one.

use entra_api_connectors::beta::types::{ApiAuthenticationConfigurationBase, IdentityApiConnector};
use entra_api_connectors::connectors::{Authentication, ConnectorPatch, Patch};
use entra_api_connectors::{Error, v1};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const KNOWN: &[&str] = &[
    "basicAuthentication",
    "clientCertificateAuthentication",
    "pkcs12Certificate",
];

/// Any JSON value without floats (an `f64` may not print back to the same text), a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z@.]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A password that the client does not read as Graph's mask (`******`).
fn password() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][ -~]{0,40}"
}

fn certificate() -> impl Strategy<Value = Value> {
    ("[0-9A-F]{40}", any::<i64>(), any::<i64>(), any::<bool>()).prop_map(|(t, after, before, active)| {
        json!({ "thumbprint": t, "notAfter": after, "notBefore": before, "isActive": active })
    })
}

/// An `authenticationConfiguration` as Graph could send it, of any kind.
fn authentication() -> impl Strategy<Value = Value> {
    prop_oneof![
        ("\\PC{0,30}", password()).prop_map(|(u, p)| json!({
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": u,
            "password": p,
        })),
        // What Graph returns on a read: the password masked.
        "\\PC{0,30}".prop_map(|u| json!({
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": u,
            "password": "******",
        })),
        // An empty list is left out when the type is written back (see `empty_certificate_list_is_omitted`).
        prop::collection::vec(certificate(), 1..4).prop_map(|list| json!({
            "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
            "certificateList": list,
        })),
        ("[A-Za-z0-9+/]{4,64}", password()).prop_map(|(v, p)| json!({
            "@odata.type": "#microsoft.graph.pkcs12Certificate",
            "pkcs12Value": v,
            "password": p,
        })),
        (
            "[a-zA-Z][a-zA-Z0-9]{0,30}",
            prop::collection::btree_map("[a-zA-Z][a-zA-Z0-9]{0,15}", json_value(), 0..6)
        )
            .prop_filter("a type the bindings know", |(name, _)| !KNOWN
                .contains(&name.as_str()))
            .prop_map(|(name, extra)| {
                let mut members: Map<String, Value> = extra.into_iter().collect();
                members.insert(
                    "@odata.type".into(),
                    json!(format!("#microsoft.graph.{name}")),
                );
                Value::Object(members)
            }),
    ]
}

fn connector() -> impl Strategy<Value = Value> {
    (
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "\\PC{0,60}",
        "https://[a-z][a-z0-9-]{0,20}\\.example(:[0-9]{2,5})?/[ -~]{0,40}",
        prop::option::of(authentication()),
    )
        .prop_map(|(id, name, url, auth)| {
            let mut c = json!({ "id": id, "displayName": name, "targetUrl": url });
            if let Some(auth) = auth {
                c["authenticationConfiguration"] = auth;
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// JSON -> beta type -> JSON gives the same JSON, and the variant matches `@odata.type`.
    #[test]
    fn beta_connector_round_trips(wire in connector()) {
        let typed: IdentityApiConnector = serde_json::from_value(wire.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&typed).unwrap(), wire.clone());
        let again: IdentityApiConnector =
            serde_json::from_value(serde_json::to_value(&typed).unwrap()).unwrap();
        prop_assert_eq!(&again, &typed);

        let tag = wire["authenticationConfiguration"]["@odata.type"].as_str();
        let auth = typed.authentication_configuration.as_ref();
        prop_assert_eq!(auth.and_then(|a| a.odata_type()), tag);
        let known = tag.is_some_and(|t| KNOWN.iter().any(|k| t == format!("#microsoft.graph.{k}")));
        prop_assert_eq!(
            matches!(auth, Some(ApiAuthenticationConfigurationBase::Unknown(_))),
            tag.is_some() && !known
        );
    }

    /// The same for the v1.0 bindings.
    #[test]
    fn v1_connector_round_trips(wire in connector()) {
        let typed: v1::types::IdentityApiConnector = serde_json::from_value(wire.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&typed).unwrap(), wire);
    }

    /// A page of such connectors round trips too.
    #[test]
    fn beta_page_round_trips(items in prop::collection::vec(connector(), 0..8), next in prop::option::of("https://graph\\.microsoft\\.com/beta/identity/apiConnectors\\?\\$skiptoken=[A-Za-z0-9]{1,20}")) {
        let mut wire = json!({ "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors", "value": items });
        if let Some(next) = next {
            wire["@odata.nextLink"] = json!(next);
        }
        let typed: entra_api_connectors::beta::types::IdentityApiConnectorCollectionResponse =
            serde_json::from_value(wire.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&typed).unwrap(), wire);
    }
}

/// progenitor skips an empty optional array when serializing: `certificateList: []` is written back
/// without the member, and reads back as the same typed value.
#[test]
fn empty_certificate_list_is_omitted() {
    let wire = json!({
        "id": "3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
            "certificateList": []
        }
    });
    let typed: IdentityApiConnector = serde_json::from_value(wire).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        back,
        json!({
            "id": "3c7f2b4e-8d1a-4f6b-9e2c-5a0d7b1c9e43",
            "authenticationConfiguration": { "@odata.type": "#microsoft.graph.clientCertificateAuthentication" }
        })
    );
    assert_eq!(
        serde_json::from_value::<IdentityApiConnector>(back).unwrap(),
        typed
    );
}

/// One field of a patch with the value it should produce on the wire when set.
fn tri<T: std::fmt::Debug + Clone>(
    set: impl Strategy<Value = T>,
) -> impl Strategy<Value = Patch<T>> {
    prop_oneof![
        Just(Patch::Keep),
        Just(Patch::Null),
        set.prop_map(Patch::Set)
    ]
}

/// Checks one member of a PATCH body against the field it came from.
fn member<T>(
    body: &Map<String, Value>,
    key: &str,
    field: &Patch<T>,
    wire: impl Fn(&T) -> Value,
) -> Result<(), TestCaseError> {
    match field {
        Patch::Keep => prop_assert!(!body.contains_key(key), "{} sent although Keep", key),
        Patch::Null => prop_assert_eq!(body.get(key), Some(&Value::Null)),
        Patch::Set(v) => prop_assert_eq!(body.get(key), Some(&wire(v))),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Keep -> key absent, Set -> the value, Null -> `null`; nothing else is sent; an all-Keep
    /// patch is refused.
    #[test]
    fn patch_tri_state(
        name in tri("[A-Za-z0-9][ -~]{0,40}"),
        url in tri("https://[a-z][a-z0-9-]{0,20}\\.example/[a-z0-9/]{0,20}"),
        auth in tri(("[a-z][a-z0-9-]{0,20}", password())),
    ) {
        let patch = ConnectorPatch {
            display_name: name.clone(),
            target_url: url.clone(),
            authentication: match &auth {
                Patch::Keep => Patch::Keep,
                Patch::Null => Patch::Null,
                Patch::Set((u, p)) => Patch::Set(Authentication::basic(u.clone(), p.clone())),
            },
        };
        let all_keep = matches!((&name, &url, &auth), (Patch::Keep, Patch::Keep, Patch::Keep));
        match patch.to_body() {
            Err(Error::InvalidInput(message)) => {
                prop_assert!(all_keep, "refused: {}", message);
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            Ok(body) => {
                prop_assert!(!all_keep);
                let body = body.as_object().expect("a JSON object").clone();
                member(&body, "displayName", &name, |v| json!(v))?;
                member(&body, "targetUrl", &url, |v| json!(v))?;
                member(&body, "authenticationConfiguration", &auth, |(u, p)| json!({
                    "@odata.type": "#microsoft.graph.basicAuthentication",
                    "username": u,
                    "password": p,
                }))?;
                let expected = [&name.is_keep(), &url.is_keep(), &auth.is_keep()].iter().filter(|k| !***k).count();
                prop_assert_eq!(body.len(), expected);
            }
        }
    }

    /// A set but invalid value is refused with a clear error, whatever else the patch holds.
    #[test]
    fn patch_refuses_invalid_values(
        blank in "[ \t]{0,5}",
        scheme in "(http|ftp|file)",
        other in tri("[A-Za-z0-9]{1,10}"),
    ) {
        let bad_name = ConnectorPatch { display_name: Patch::Set(blank), target_url: Patch::Keep, authentication: Patch::Keep };
        let err = bad_name.to_body().unwrap_err().to_string();
        prop_assert!(err.contains("displayName"), "{}", err);

        let bad_url = ConnectorPatch {
            display_name: other.clone(),
            target_url: Patch::Set(format!("{scheme}://api.contoso-test.example/x")),
            authentication: Patch::Keep,
        };
        let err = bad_url.to_body().unwrap_err().to_string();
        prop_assert!(err.contains("https"), "{}", err);
    }
}

trait IsKeep {
    fn is_keep(&self) -> bool;
}

impl<T> IsKeep for Patch<T> {
    fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

/// The `fuzz/` targets (cargo-fuzz layout), run here as bounded property tests on stable: cargo-fuzz
/// is not installed on the development machines. Each input is arbitrary bytes or text, partly
/// derived from the seed files (`spec/`, `tests/fixtures/graph/`) by truncation and byte flips.
mod fuzz_targets {
    use super::*;
    use entra_api_connectors::beta::types as beta;
    use entra_api_connectors::paging::check_next_link;
    use entra_api_connectors::retry::parse_retry_after;
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::time::{Duration, SystemTime};

    fn seeds(dir: &str, ext: &str) -> Vec<Vec<u8>> {
        let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        out.sort();
        assert!(!out.is_empty(), "no seeds in {dir}");
        out
    }

    /// A seed cut at some point, with a few bytes replaced.
    fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
        (
            0..seeds.len(),
            any::<prop::sample::Index>(),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        )
            .prop_map(move |(i, cut, flips)| {
                let mut bytes = seeds[i].clone();
                bytes.truncate(cut.index(bytes.len() + 1));
                for (at, b) in flips {
                    if !bytes.is_empty() {
                        let at = at.index(bytes.len());
                        bytes[at] = b;
                    }
                }
                bytes
            })
    }

    fn stable<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) -> bool {
        match serde_json::from_slice::<T>(data) {
            Ok(value) => {
                let again: T =
                    serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
                assert_eq!(again, value);
                true
            }
            Err(_) => false,
        }
    }

    fn decode(data: &[u8]) {
        stable::<beta::IdentityApiConnector>(data);
        stable::<beta::IdentityApiConnectorCollectionResponse>(data);
        stable::<beta::UserFlowApiConnectorConfiguration>(data);
        stable::<beta::ODataError>(data);
        stable::<v1::types::IdentityApiConnector>(data);
        stable::<v1::types::IdentityApiConnectorCollectionResponse>(data);
    }

    #[test]
    fn csdl_seeds_unchanged() {
        for seed in seeds("spec/beta", "xml")
            .iter()
            .chain(&seeds("spec/v1.0", "xml"))
        {
            let doc = graph_csdl::parse(std::str::from_utf8(seed).unwrap()).unwrap();
            graph_csdl::openapi::convert(&doc, &graph_csdl::openapi::Options::new("beta")).unwrap();
        }
    }

    #[test]
    fn decode_seeds_unchanged() {
        // Unmutated fixtures: every connector fixture decodes (the targets do get past the parser).
        let decoded = seeds("tests/fixtures/graph", "json")
            .iter()
            .filter(|s| stable::<beta::IdentityApiConnector>(s))
            .count();
        assert!(
            decoded >= 5,
            "only {decoded} fixtures decode as a connector"
        );
    }

    /// The `pkcs12` fuzz target: decoding never panics and no error shows the password.
    fn pkcs12(data: &[u8], password: &str) -> bool {
        use entra_api_connectors::certificate::Pkcs12Bundle;
        match Pkcs12Bundle::from_der(data, &secrecy::SecretString::from(password)) {
            Ok(bundle) => {
                let _ = bundle.summary();
                true
            }
            Err(e) => {
                let text = format!("{e} {e:?}");
                assert!(!text.contains(password), "password in {text}");
                false
            }
        }
    }

    #[test]
    fn pkcs12_seeds_unchanged() {
        // The OpenSSL fixtures with `fixture-pass` all decode, so mutations reach past the MAC.
        let decoded = seeds("crates/certificate/tests/fixtures", "pfx")
            .iter()
            .filter(|s| pkcs12(s, "fixture-pass"))
            .count();
        assert_eq!(decoded, 6);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pkcs12_mutated(data in mutated(seeds("crates/certificate/tests/fixtures", "pfx"))) {
            pkcs12(&data, "fixture-pass");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn csdl(data in mutated(seeds("spec/beta", "xml"))) {
            if let Ok(text) = std::str::from_utf8(&data)
                && let Ok(doc) = graph_csdl::parse(text)
            {
                for version in ["beta", "v1.0"] {
                    let _ = graph_csdl::openapi::convert(&doc, &graph_csdl::openapi::Options::new(version));
                }
            }
        }

        #[test]
        fn decode_mutated(data in mutated(seeds("tests/fixtures/graph", "json"))) {
            decode(&data);
        }

        #[test]
        fn decode_arbitrary(data in prop::collection::vec(any::<u8>(), 0..256)) {
            decode(&data);
        }

        #[test]
        fn retry_after(data in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..40),
            "[0-9.eE+-]{0,20}".prop_map(String::into_bytes),
            "[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT".prop_map(String::into_bytes),
        ]) {
            if let Ok(value) = http::HeaderValue::from_bytes(&data) {
                let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
                if let Some(delay) = parse_retry_after(&value, now) {
                    prop_assert!(delay < Duration::from_secs(1_000_000_000), "{:?}", delay);
                }
            }
        }

        #[test]
        fn next_link(text in prop_oneof![
            "\\PC{0,80}",
            "(https?|ftp)://(graph\\.microsoft\\.com|evil\\.example|[a-z.]{1,12})(:[0-9]{1,5})?/[ -~]{0,40}",
        ]) {
            let base = url::Url::parse("https://graph.microsoft.com/beta/").unwrap();
            if let Ok(next) = check_next_link(&base, &text) {
                prop_assert_eq!(next.origin(), base.origin(), "{:?}", text);
            }
        }
    }
}
