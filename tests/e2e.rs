//! End-to-end tests over real HTTP: this crate's client against the local Graph emulator, for every
//! operation on Graph `beta` and `v1.0` and on both tenant kinds (Azure AD B2C and workforce).
//!
//! Each test checks what the client returns *and* the emulator's state afterwards, so a request
//! that the client reports as done must have changed the tenant exactly as Graph documents:
//! - connectors: <https://learn.microsoft.com/graph/api/resources/identityapiconnector>
//!   (create 201, get with `$select`, update 204 with `null` clearing a property, delete 204,
//!   `uploadClientCertificate` 200 returning the whole connector);
//! - certificates: <https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>
//!   (`isActive` is the most recently uploaded certificate that is valid now);
//! - user flows and their steps:
//!   <https://learn.microsoft.com/graph/api/b2xidentityuserflow-put-apiconnectorconfiguration>,
//!   <https://learn.microsoft.com/graph/api/b2cidentityuserflow-put-apiconnectorconfiguration?view=graph-rest-beta>;
//! - paging: <https://learn.microsoft.com/graph/paging>; query options:
//!   <https://learn.microsoft.com/graph/query-parameters>;
//! - a flow family used on the wrong kind of tenant answers `403` with code `AADB2C`
//!   (microsoftgraph/microsoft-graph-docs-contrib#8478, `docs/graph-behaviour.md` §3).
//!
//! `v1.0` has no Azure AD B2C user flows: `client.v1()` has no `b2c_user_flows()` method at all
//! (`B2c` is no family of `V1`), so there is nothing to test at run time.
//!
//! The per-version tests are generic over [`Version`] and run once per version (`beta::…`,
//! `v1::…`); they read the generated types through the model traits, and build them from the
//! JSON Graph documents.

mod support;

use std::collections::BTreeMap;

use entra_api_connectors::certificate::{testing, unix_now};
use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::models::{
    AuthenticationModel, BasicAuthenticationModel, CertificateInfoModel, ClientCertificateModel,
    ConfigurationModel, ConnectorModel, FlowModel,
};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{
    ApiVersion, B2c, B2x, Beta, Error, Graph, GraphClient, Step, UserFlowFamily, Version,
};
use entra_api_connectors_emulator::{
    AuthRecord, ConnectorRecord, DEFAULT_TOKEN, Emulator, EmulatorConfig, FlowFamily,
    Step as StoredStep, TenantKind,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha1::Digest as _;
use support::{expect_graph, page, per_version, typed};

const DAY: i64 = 86_400;

async fn start(kind: TenantKind, page_size: usize) -> Emulator {
    Emulator::start(EmulatorConfig::new(kind).page_size(page_size))
        .await
        .expect("the emulator starts on 127.0.0.1")
}

fn client(emulator: &Emulator) -> GraphClient {
    support::emulator_client(emulator, RetryPolicy::none())
}

fn basic(name: &str, url: &str, username: &str, password: &str) -> NewConnector {
    NewConnector::new(
        name,
        url,
        Authentication::basic(username, SecretString::from(password.to_owned())),
    )
}

/// A fresh self-signed certificate as PKCS#12, and its thumbprint computed here from the DER
/// (upper-case hex SHA-1, as Graph reports it), independently of the crate's certificate code.
struct TestPfx {
    upload: Pkcs12Upload,
    thumbprint: String,
    not_before: i64,
    not_after: i64,
}

fn pfx(cn: &str, not_before: i64, not_after: i64) -> TestPfx {
    let password = SecretString::from(format!("pfx-{cn}-password"));
    let identity = testing::self_signed(cn, not_before, not_after);
    let bytes = testing::pack(
        &password,
        Some(identity.private_key_der.expose_secret()),
        &[&identity.certificate_der],
    );
    let thumbprint = sha1::Sha1::digest(&identity.certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let upload = Pkcs12Upload::from_bytes(&bytes, password).expect("a valid PKCS#12");
    TestPfx {
        upload,
        thumbprint,
        not_before,
        not_after,
    }
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(e) if e.is_not_found() => assert!(matches!(e, Error::Graph(_)), "{what}: {e:?}"),
        other => panic!("{what}: expected 404, got {other:?}"),
    }
}

/// Wrong flow family for the tenant: `403` with code `AADB2C` and B2C's correlation id.
fn assert_aadb2c<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    let g = expect_graph(result, 403);
    assert!(g.code.starts_with("AADB2C"), "{what}: code {}", g.code);
    assert!(g.correlation_id.is_some(), "{what}: {g:?}");
    assert!(g.request_id.is_some(), "{what}: {g:?}");
}

fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The emulator's connector records by id.
fn records(emulator: &Emulator) -> BTreeMap<String, ConnectorRecord> {
    emulator
        .connectors()
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect()
}

/// The b2x user flow type of version `V`.
type FlowOf<V> = <B2x as UserFlowFamily<V>>::Flow;

/// The handle of version `V`.
fn graph<V: Version>(client: &GraphClient) -> Graph<V> {
    client.graph::<V>()
}

// Tests that run once per Graph version (`beta::…`, `v1::…`): the generated types differ per
// version, the code is the same.

/// The steps of version `V`, as the Graph reference lists them (`docs/graph-behaviour.md`).
fn steps<V: Version>() -> &'static [Step] {
    match V::API {
        ApiVersion::Beta => &Step::ALL,
        ApiVersion::V1 => &[Step::PostFederationSignup, Step::PostAttributeCollection],
    }
}

/// The client's view of a connector equals the emulator's record.
fn assert_same<C: ConnectorModel + std::fmt::Debug>(listed: &C, record: &ConnectorRecord) {
    assert_eq!(listed.id().as_deref(), Some(record.id.as_str()));
    assert_eq!(listed.display_name(), &record.display_name, "{}", record.id);
    assert_eq!(listed.target_url(), &record.target_url, "{}", record.id);
    let auth = listed.authentication().as_ref();
    match (auth, &record.authentication) {
        (None, None) => {}
        (Some(a), Some(AuthRecord::Basic { username, .. })) if a.basic().is_some() => {
            let b = a.basic().unwrap();
            assert_eq!(b.username().as_ref(), Some(username));
            assert!(
                b.password().as_ref().is_some_and(|p| p.is_masked()),
                "password masked"
            );
        }
        (Some(a), Some(AuthRecord::ClientCertificate { certificates }))
            if a.client_certificate().is_some() =>
        {
            let listed: Vec<_> = a
                .client_certificate()
                .unwrap()
                .certificate_list()
                .iter()
                .map(|i| {
                    (
                        i.thumbprint().clone().unwrap_or_default(),
                        *i.not_before(),
                        *i.not_after(),
                    )
                })
                .collect();
            let stored: Vec<_> = certificates
                .iter()
                .map(|i| (i.thumbprint.clone(), i.not_before, i.not_after))
                .collect();
            assert_eq!(listed, stored);
        }
        (_, b) => panic!("authentication differs: client {listed:?}, emulator {b:?}"),
    }
}

/// Listing through the client gives exactly the emulator's connectors, in its order.
async fn assert_state<V: Version>(client: &GraphClient, emulator: &Emulator) {
    let listed = graph::<V>(client)
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap();
    let stored = emulator.connectors();
    assert_eq!(listed.len(), stored.len(), "{listed:?} vs {stored:?}");
    for (l, s) in listed.iter().zip(&stored) {
        assert_same(l, s);
    }
}

async fn connector_lifecycle_create_list_get_update_delete<V: Version>() {
    for kind in [TenantKind::B2c, TenantKind::Workforce] {
        let emulator = start(kind, 100).await;
        let client = client(&emulator);
        let connectors = graph::<V>(&client).connectors();

        // Create: 201 with the entity, password masked.
        let new = basic(
            "Validate postal code",
            "https://api.contoso.example/postal",
            "b2c",
            "pw-1",
        );
        let created = connectors.create(&new).await.unwrap();
        let id = created.id().clone().expect("an id");
        assert_eq!(
            created.display_name().as_deref(),
            Some("Validate postal code")
        );
        assert_eq!(
            created.target_url().as_deref(),
            Some("https://api.contoso.example/postal")
        );
        let stored = emulator.connector(&id).expect("stored");
        assert_same(&created, &stored);
        assert_eq!(stored.basic_password_matches("pw-1"), Some(true));

        // List and get (whole, and with $select).
        let listed = connectors.list_all(ListOptions::default()).await.unwrap();
        assert_eq!(listed, vec![created.clone()]);
        assert_eq!(connectors.get(&id, &[]).await.unwrap(), created);
        let selected = connectors.get(&id, &["id", "displayName"]).await.unwrap();
        assert_eq!(
            selected,
            typed::<V::Connector>(json!({ "id": id, "displayName": "Validate postal code" }))
        );
        let selected = connectors.get(&id, &["targetUrl"]).await.unwrap();
        assert_eq!(selected.id(), &None);
        assert_eq!(
            selected.target_url().as_deref(),
            Some("https://api.contoso.example/postal")
        );

        // Update with Set: only the fields sent change; the password stays.
        let patch = ConnectorPatch {
            display_name: Patch::Set("Validate postal code v2".into()),
            target_url: Patch::Set("https://api.contoso.example/v2/postal".into()),
            ..ConnectorPatch::default()
        };
        connectors.update(&id, &patch).await.unwrap();
        let after = connectors.get(&id, &[]).await.unwrap();
        assert_eq!(
            after.display_name().as_deref(),
            Some("Validate postal code v2")
        );
        assert_eq!(
            after.target_url().as_deref(),
            Some("https://api.contoso.example/v2/postal")
        );
        let stored = emulator.connector(&id).unwrap();
        assert_same(&after, &stored);
        assert_eq!(stored.basic_password_matches("pw-1"), Some(true));

        // Update with Null: the property is cleared, the others are kept.
        let patch = ConnectorPatch {
            display_name: Patch::Null,
            ..ConnectorPatch::default()
        };
        connectors.update(&id, &patch).await.unwrap();
        let after = connectors.get(&id, &[]).await.unwrap();
        assert_eq!(after.display_name(), &None);
        assert_eq!(
            after.target_url().as_deref(),
            Some("https://api.contoso.example/v2/postal")
        );
        assert_eq!(emulator.connector(&id).unwrap().display_name, None);

        // Update of the credentials: a new basic password replaces the old one.
        let patch = ConnectorPatch {
            display_name: Patch::Set("Renamed".into()),
            authentication: Patch::Set(Authentication::basic("b2c-2", SecretString::from("pw-2"))),
            ..ConnectorPatch::default()
        };
        connectors.update(&id, &patch).await.unwrap();
        let stored = emulator.connector(&id).unwrap();
        assert_eq!(stored.basic_password_matches("pw-2"), Some(true));
        assert_eq!(stored.basic_password_matches("pw-1"), Some(false));
        assert_same(&connectors.get(&id, &[]).await.unwrap(), &stored);

        // An empty patch is refused before anything is sent.
        let before = emulator.connectors();
        let e = connectors
            .update(&id, &ConnectorPatch::default())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        assert_eq!(emulator.connectors(), before);

        // A second connector, then the state seen by the client equals the emulator's.
        let other = connectors
            .create(&basic(
                "Second",
                "https://api.contoso.example/second",
                "u",
                "p",
            ))
            .await
            .unwrap();
        let other_id = other.id().clone().unwrap();
        assert_state::<V>(&client, &emulator).await;

        // Delete: 204, then 404 for the id, and only the other connector is left.
        connectors.delete(&id).await.unwrap();
        assert_not_found(connectors.get(&id, &[]).await, "get after delete");
        assert_not_found(connectors.delete(&id).await, "second delete");
        assert_eq!(
            records(&emulator).into_keys().collect::<Vec<_>>(),
            vec![other_id]
        );
        assert_state::<V>(&client, &emulator).await;
        emulator.shutdown().await;
    }
}

async fn certificates_switch_upload_and_active_rule<V: Version>() {
    let emulator = start(TenantKind::B2c, 100).await;
    let client = client(&emulator);
    let connectors = graph::<V>(&client).connectors();
    let now = unix_now();
    let a = pfx("cert-a", now - 60, now + 365 * DAY);
    let b = pfx("cert-b", now - 60, now + 730 * DAY);
    let future = pfx("cert-future", now + 10 * DAY, now + 900 * DAY);

    // Create with a certificate: it comes back as clientCertificateAuthentication.
    let new = NewConnector::new(
        "mTLS",
        "https://api.contoso.example/mtls",
        Authentication::Certificate(a.upload.clone()),
    );
    let created = connectors.create(&new).await.unwrap();
    let id = created.id().clone().unwrap();
    let certs = created.certificates();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].thumbprint, a.thumbprint);
    assert_eq!(
        (certs[0].not_before, certs[0].not_after),
        (a.not_before, a.not_after)
    );
    assert!(certs[0].is_active);

    // Upload appends; the newest valid certificate is the active one.
    let rolled = connectors.upload_certificate(&id, &b.upload).await.unwrap();
    let thumbs: Vec<_> = rolled
        .certificates()
        .iter()
        .map(|c| (c.thumbprint.clone(), c.is_active))
        .collect();
    assert_eq!(
        thumbs,
        vec![(a.thumbprint.clone(), false), (b.thumbprint.clone(), true)]
    );

    // A certificate not valid yet is listed but not active: B stays active.
    assert!(
        !future.upload.warnings().is_empty(),
        "a not-yet-valid certificate warns"
    );
    let rolled = connectors
        .upload_certificate(&id, &future.upload)
        .await
        .unwrap();
    let thumbs: Vec<_> = rolled
        .certificates()
        .iter()
        .map(|c| (c.thumbprint.clone(), c.is_active))
        .collect();
    assert_eq!(
        thumbs,
        vec![
            (a.thumbprint.clone(), false),
            (b.thumbprint.clone(), true),
            (future.thumbprint.clone(), false),
        ]
    );
    assert_eq!(
        rolled.active_certificate().map(|c| c.thumbprint),
        Some(b.thumbprint.clone())
    );
    let got = connectors.get(&id, &[]).await.unwrap();
    assert_eq!(got, rolled);
    assert_same(&got, &emulator.connector(&id).unwrap());

    // An expired certificate is refused locally: nothing is sent.
    let password = SecretString::from("expired-pw");
    let expired_bytes =
        testing::self_signed_pkcs12("cert-expired", &password, now - 400 * DAY, now - DAY);
    let e = Pkcs12Upload::from_bytes(&expired_bytes, password).unwrap_err();
    assert!(matches!(e, Error::Certificate(_)), "{e:?}");

    // A PATCH with a certificate replaces the whole list with that one certificate.
    let c = pfx("cert-c", now - 60, now + 100 * DAY);
    let patch = ConnectorPatch {
        authentication: Patch::Set(Authentication::Certificate(c.upload.clone())),
        ..ConnectorPatch::default()
    };
    connectors.update(&id, &patch).await.unwrap();
    let got = connectors.get(&id, &[]).await.unwrap();
    let thumbs: Vec<_> = got
        .certificates()
        .iter()
        .map(|c| (c.thumbprint.clone(), c.is_active))
        .collect();
    assert_eq!(thumbs, vec![(c.thumbprint.clone(), true)]);
    assert_same(&got, &emulator.connector(&id).unwrap());

    // Upload to an unknown connector: 404, and nothing changed.
    let before = emulator.connectors();
    assert_not_found(
        connectors.upload_certificate(&random_id(), &b.upload).await,
        "upload",
    );
    assert_eq!(emulator.connectors(), before);
    assert_state::<V>(&client, &emulator).await;
}

async fn paging_top_select_filter_and_count<V: Version>() {
    let emulator = start(TenantKind::Workforce, 3).await;
    let client = client(&emulator);
    let connectors = graph::<V>(&client).connectors();
    let mut ids = Vec::new();
    for i in 0..10 {
        let name = if i < 6 {
            format!("Age check {i}")
        } else {
            format!("Postal check {i}")
        };
        let url = format!("https://api.contoso.example/{i}");
        let c = connectors
            .create(&basic(&name, &url, "u", "p"))
            .await
            .unwrap();
        ids.push(c.id().clone().unwrap());
    }
    let ids_of = |list: &[V::Connector]| -> Vec<String> {
        list.iter().map(|c| c.id().clone().unwrap()).collect()
    };

    // One page: the server's page size, a next link, no count unless asked.
    let (items, next, count) = page(connectors.list_page(&ListOptions::default()).await.unwrap());
    assert_eq!(ids_of(&items), ids[..3]);
    assert!(next.is_some());
    assert_eq!(count, None);

    // All pages, in creation order (the emulator's order).
    let all = connectors.list_all(ListOptions::default()).await.unwrap();
    assert_eq!(ids_of(&all), ids);
    let stored: Vec<String> = emulator.connectors().into_iter().map(|c| c.id).collect();
    assert_eq!(stored, ids);

    // $top sets the page size, and the next links keep it.
    let (items, _, _) = page(
        connectors
            .list_page(&ListOptions::default().top(4))
            .await
            .unwrap(),
    );
    assert_eq!(ids_of(&items), ids[..4]);
    let all = connectors
        .list_all(ListOptions::default().top(4))
        .await
        .unwrap();
    assert_eq!(ids_of(&all), ids);
    let (items, next, _) = page(
        connectors
            .list_page(&ListOptions::default().top(10))
            .await
            .unwrap(),
    );
    assert_eq!(ids_of(&items), ids);
    assert_eq!(next, None);

    // $select applies to every page.
    let all = connectors
        .list_all(ListOptions::default().top(4).select(["id", "displayName"]))
        .await
        .unwrap();
    assert_eq!(ids_of(&all), ids);
    assert!(
        all.iter()
            .all(|c| c.target_url().is_none() && c.authentication().is_none())
    );
    assert!(all.iter().all(|c| c.display_name().is_some()));

    // $filter eq and startswith, across pages; $count on the first page.
    let one = connectors
        .list_all(ListOptions::default().filter("displayName eq 'Postal check 7'"))
        .await
        .unwrap();
    assert_eq!(ids_of(&one), ids[7..8]);
    let age = connectors
        .list_all(ListOptions::default().filter("startswith(displayName,'Age')"))
        .await
        .unwrap();
    assert_eq!(ids_of(&age), ids[..6]);
    let (items, _, count) = page(
        connectors
            .list_page(
                &ListOptions::default()
                    .filter("startswith(displayName,'Postal')")
                    .count(),
            )
            .await
            .unwrap(),
    );
    assert_eq!(count, Some(4));
    assert_eq!(ids_of(&items), ids[6..9]);
    let (_, _, count) = page(
        connectors
            .list_page(&ListOptions::default().count())
            .await
            .unwrap(),
    );
    assert_eq!(count, Some(10));
    let none = connectors
        .list_all(
            ListOptions::default()
                .filter("displayName eq 'nobody'")
                .count(),
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    // A filter the service cannot evaluate is a 400, not an empty list.
    let e = connectors
        .list_all(ListOptions::default().filter("length(displayName) gt 3"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    // The client's page limit stops a listing with more pages.
    let limited = support::builder(&emulator.base_url(), DEFAULT_TOKEN, RetryPolicy::default())
        .max_pages(2)
        .build()
        .unwrap();
    let e = graph::<V>(&limited)
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TooManyPages { limit: 2 }), "{e:?}");
    assert_state::<V>(&client, &emulator).await;
}

/// Filter values with URL-reserved characters and an escaped quote survive the
/// next links (`@odata.nextLink` is used as is, <https://learn.microsoft.com/graph/paging>).
async fn filter_with_reserved_characters_across_pages<V: Version>() {
    let emulator = start(TenantKind::B2c, 1).await;
    let client = client(&emulator);
    let connectors = graph::<V>(&client).connectors();
    let name = "R&D #1 + 50% = ü's?";
    let mut ids = Vec::new();
    for i in 0..3 {
        let c = connectors
            .create(&basic(
                name,
                &format!("https://api.contoso.example/{i}"),
                "u",
                "p",
            ))
            .await
            .unwrap();
        ids.push(c.id().clone().unwrap());
        connectors
            .create(&basic("R&D", "https://api.contoso.example/x", "u", "p"))
            .await
            .unwrap();
    }
    let filter = format!("displayName eq '{}'", name.replace('\'', "''"));
    let found = connectors
        .list_all(ListOptions::default().filter(filter.clone()))
        .await
        .unwrap();
    let found_ids: Vec<String> = found.iter().map(|c| c.id().clone().unwrap()).collect();
    assert_eq!(found_ids, ids);
    assert!(
        found
            .iter()
            .all(|c| c.display_name().as_deref() == Some(name))
    );
    let (items, _, count) = page(
        connectors
            .list_page(&ListOptions::default().filter(filter).count())
            .await
            .unwrap(),
    );
    assert_eq!(count, Some(3));
    assert_eq!(items.len(), 1);
    let found = connectors
        .list_all(ListOptions::default().filter("startswith(displayName,'R&D #')"))
        .await
        .unwrap();
    assert_eq!(found.len(), 3);
}

async fn unknown_ids_are_not_found<V: Version>()
where
    B2x: UserFlowFamily<V>,
{
    let emulator = start(TenantKind::Workforce, 100).await;
    let client = client(&emulator);
    let g = graph::<V>(&client);
    let missing = random_id();
    let connectors = g.connectors();
    assert_not_found(connectors.get(&missing, &[]).await, "get");
    assert_not_found(connectors.get(&missing, &["id"]).await, "get with select");
    let patch = ConnectorPatch {
        display_name: Patch::Set("x".into()),
        ..ConnectorPatch::default()
    };
    assert_not_found(connectors.update(&missing, &patch).await, "update");
    assert_not_found(connectors.delete(&missing).await, "delete");
    let flows = g.b2x_user_flows();
    assert_not_found(flows.get("B2X_1_Missing").await, "flow get");
    assert_not_found(
        flows.configuration("B2X_1_Missing").await,
        "flow configuration",
    );
    assert_not_found(flows.delete("B2X_1_Missing").await, "flow delete");
    assert_not_found(
        flows
            .attach(
                "B2X_1_PartnerSignUp",
                Step::PostAttributeCollection,
                &missing,
            )
            .await,
        "attach of an unknown connector",
    );
    let c = connectors
        .create(&basic("c", "https://api.contoso.example/c", "u", "p"))
        .await
        .unwrap();
    let c = c.id().clone().unwrap();
    assert_not_found(
        flows
            .attach("B2X_1_Missing", Step::PostAttributeCollection, &c)
            .await,
        "attach to an unknown flow",
    );
    assert_not_found(
        flows
            .detach("B2X_1_Missing", Step::PostFederationSignup)
            .await,
        "detach",
    );
    // Ids with reserved characters are percent-encoded: they name one (unknown)
    // entity and never reach another path or the query.
    for odd in [
        "x/y",
        "../apiConnectors",
        "x?$top=1",
        "x#y",
        "x%2Fy",
        "a b",
        "ü",
    ] {
        assert_not_found(connectors.get(odd, &[]).await, &format!("get {odd:?}"));
        assert_not_found(
            connectors.update(odd, &patch).await,
            &format!("update {odd:?}"),
        );
        assert_not_found(connectors.delete(odd).await, &format!("delete {odd:?}"));
        assert_not_found(flows.get(odd).await, &format!("flow get {odd:?}"));
        assert_not_found(
            flows
                .attach("B2X_1_PartnerSignUp", Step::PostAttributeCollection, odd)
                .await,
            &format!("attach {odd:?}"),
        );
    }
    // Ids that could escape the path are refused before sending.
    for bad in ["", " ", "..", "a\nb"] {
        let e = connectors.get(bad, &[]).await.unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{bad:?}: {e:?}");
    }
    assert!(
        emulator
            .user_flow("B2X_1_PartnerSignUp")
            .unwrap()
            .api_connector_configuration
            .is_empty()
    );
    assert_eq!(emulator.connectors().len(), 1);
}

/// The connector id bound to each step of version `V` in a configuration, by step name.
fn bound<V: Version>(config: &V::Configuration) -> BTreeMap<&'static str, Option<String>> {
    assert_eq!(
        V::Configuration::STEPS,
        steps::<V>(),
        "the steps of Graph {}",
        V::API
    );
    steps::<V>()
        .iter()
        .map(|&step| {
            (
                step.as_str(),
                config.connector(step).and_then(|c| c.id().clone()),
            )
        })
        .collect()
}

/// Bind and unbind each referenceable step of a b2x flow, checking the client's
/// configuration and the emulator's record after every change; then delete a bound
/// connector and check that its step is unbound (OData removes links to a deleted
/// entity, `docs/graph-behaviour.md`).
async fn check_b2x_steps<V: Version>(client: &GraphClient, emulator: &Emulator, flow_id: &str)
where
    B2x: UserFlowFamily<V>,
{
    let g = graph::<V>(client);
    let flows = g.b2x_user_flows();
    let connectors = g.connectors();
    let mut expected = bound::<V>(&Default::default());
    let check = |expected: &BTreeMap<&'static str, Option<String>>| {
        let stored: BTreeMap<&'static str, Option<String>> = expected
            .keys()
            .map(|k| {
                let record = emulator.user_flow(flow_id).expect("the flow exists");
                let step = StoredStep::parse(k).unwrap();
                (*k, record.api_connector_configuration.get(&step).cloned())
            })
            .collect();
        assert_eq!(&stored, expected, "emulator state");
    };
    let referenceable = [Step::PostFederationSignup, Step::PostAttributeCollection];
    let mut created = Vec::new();
    for (i, step) in referenceable.into_iter().enumerate() {
        let c = connectors
            .create(&basic(
                &format!("step {step}"),
                &format!("https://api.contoso.example/s{i}"),
                "u",
                "p",
            ))
            .await
            .unwrap();
        let id = c.id().clone().unwrap();
        created.push(id.clone());
        flows.attach(flow_id, step, &id).await.unwrap();
        expected.insert(step.as_str(), Some(id.clone()));
        let config = flows.configuration(flow_id).await.unwrap();
        assert_eq!(bound::<V>(&config), expected, "after binding {step}");
        // The expanded step is the whole connector, password masked.
        let full = config.connector(step).cloned().unwrap();
        assert_same(&full, &emulator.connector(&id).unwrap());
        check(&expected);
    }
    // Rebinding a step to another connector replaces the binding.
    flows
        .attach(flow_id, Step::PostFederationSignup, &created[1])
        .await
        .unwrap();
    expected.insert("postFederationSignup", Some(created[1].clone()));
    assert_eq!(
        bound::<V>(&flows.configuration(flow_id).await.unwrap()),
        expected
    );
    check(&expected);
    // Unbind each step with PUT {}; unbinding an unbound step is accepted too.
    for step in referenceable {
        flows.detach(flow_id, step).await.unwrap();
        expected.insert(step.as_str(), None);
        assert_eq!(
            bound::<V>(&flows.configuration(flow_id).await.unwrap()),
            expected,
            "{step}"
        );
        check(&expected);
    }
    flows
        .detach(flow_id, Step::PostFederationSignup)
        .await
        .unwrap();
    check(&expected);
    // Every step the version knows but Graph marks not referenceable is refused locally.
    for step in steps::<V>()
        .iter()
        .copied()
        .filter(|s| !referenceable.contains(s))
    {
        let e = flows.attach(flow_id, step, &created[0]).await.unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{step}: {e:?}");
        let e = flows.detach(flow_id, step).await.unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{step}: {e:?}");
    }
    // Deleting a bound connector unbinds it.
    flows
        .attach(flow_id, Step::PostAttributeCollection, &created[0])
        .await
        .unwrap();
    expected.insert("postAttributeCollection", Some(created[0].clone()));
    check(&expected);
    connectors.delete(&created[0]).await.unwrap();
    expected.insert("postAttributeCollection", None);
    assert_eq!(
        bound::<V>(&flows.configuration(flow_id).await.unwrap()),
        expected
    );
    check(&expected);
}

async fn b2x_flows_on_a_workforce_tenant<V: Version>()
where
    B2x: UserFlowFamily<V>,
{
    let emulator = start(TenantKind::Workforce, 100).await;
    let client = client(&emulator);
    let g = graph::<V>(&client);
    let flows = g.b2x_user_flows();

    // List: the tenant's default flow, as the emulator has it.
    let listed = flows.list_all().await.unwrap();
    let listed_ids: Vec<_> = listed.iter().map(|f| f.id().clone().unwrap()).collect();
    let stored: Vec<_> = emulator
        .user_flows()
        .into_iter()
        .filter(|f| f.family == FlowFamily::B2x)
        .map(|f| f.id)
        .collect();
    assert_eq!(listed_ids, stored);
    assert_eq!(listed_ids, vec!["B2X_1_PartnerSignUp".to_string()]);

    // Create: the service adds the B2X_1_ prefix.
    let new: FlowOf<V> = typed(json!({
        "id": "Partner2", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1.0
    }));
    let created = flows.create(&new).await.unwrap();
    assert_eq!(created.id().as_deref(), Some("B2X_1_Partner2"));
    assert_eq!(
        serde_json::to_value(&created).unwrap()["userFlowType"],
        "signUpOrSignIn"
    );
    let flow_id = "B2X_1_Partner2";
    let got = flows.get(flow_id).await.unwrap();
    assert_eq!(got.id().as_deref(), Some(flow_id));
    assert_eq!(
        serde_json::to_value(&got).unwrap()["userFlowTypeVersion"],
        json!(1.0)
    );
    assert_eq!(emulator.user_flow(flow_id).unwrap().family, FlowFamily::B2x);
    assert_eq!(flows.list_all().await.unwrap().len(), 2);
    // A flow without an id is refused locally.
    let e = flows
        .create(&typed::<FlowOf<V>>(json!({})))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");

    // Nothing bound yet.
    let config = flows.configuration(flow_id).await.unwrap();
    assert!(
        bound::<V>(&config).iter().all(|(_, id)| id.is_none()),
        "{config:?}"
    );

    check_b2x_steps::<V>(&client, &emulator, flow_id).await;

    // Delete: 204, then 404; the default flow is untouched.
    flows.delete(flow_id).await.unwrap();
    assert_not_found(flows.get(flow_id).await, "get after delete");
    assert!(emulator.user_flow(flow_id).is_none());
    assert!(emulator.user_flow("B2X_1_PartnerSignUp").is_some());
}

/// A family used on the wrong kind of tenant: every operation is `403 AADB2C`, nothing changes.
struct WrongTenant {
    /// The tenant, which the family does not serve.
    kind: TenantKind,
    /// One of the tenant's own flows, and how many it has.
    flow: &'static str,
    flows: usize,
    /// A flow of the family to create, as Graph documents it.
    new: fn() -> serde_json::Value,
    step: Step,
}

const B2X_ON_B2C: WrongTenant = WrongTenant {
    kind: TenantKind::B2c,
    flow: "B2C_1_SignUp",
    flows: 2,
    new: || json!({ "id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1.0 }),
    step: Step::PostAttributeCollection,
};

const B2C_ON_WORKFORCE: WrongTenant = WrongTenant {
    kind: TenantKind::Workforce,
    flow: "B2X_1_PartnerSignUp",
    flows: 1,
    new: || json!({ "id": "SignUp", "userFlowType": "signUp", "userFlowTypeVersion": 3.0 }),
    step: Step::PostFederationSignup,
};

async fn flows_on_the_wrong_tenant_are_403_aadb2c<V: Version, F: UserFlowFamily<V>>(
    case: WrongTenant,
) {
    let emulator = start(case.kind, 100).await;
    let client = client(&emulator);
    let flows = graph::<V>(&client).user_flows::<F>();
    let c = graph::<V>(&client)
        .connectors()
        .create(&basic("c", "https://api.contoso.example/c", "u", "p"))
        .await
        .unwrap()
        .id()
        .clone()
        .unwrap();
    assert_aadb2c(flows.list_all().await, "list");
    assert_aadb2c(flows.get(case.flow).await, "get");
    let new: F::Flow = typed((case.new)());
    assert_aadb2c(flows.create(&new).await, "create");
    assert_aadb2c(flows.configuration(case.flow).await, "configuration");
    assert_aadb2c(flows.attach(case.flow, case.step, &c).await, "attach");
    assert_aadb2c(flows.detach(case.flow, case.step).await, "detach");
    assert_aadb2c(flows.delete(case.flow).await, "delete");
    // Nothing changed in the tenant.
    assert_eq!(emulator.user_flows().len(), case.flows);
    assert!(
        emulator
            .user_flows()
            .iter()
            .all(|f| f.api_connector_configuration.is_empty())
    );
}

async fn b2x_flows_on_a_b2c_tenant_are_403_aadb2c<V: Version>()
where
    B2x: UserFlowFamily<V>,
{
    flows_on_the_wrong_tenant_are_403_aadb2c::<V, B2x>(B2X_ON_B2C).await
}

per_version!(
    connector_lifecycle_create_list_get_update_delete,
    certificates_switch_upload_and_active_rule,
    paging_top_select_filter_and_count,
    filter_with_reserved_characters_across_pages,
    unknown_ids_are_not_found,
    b2x_flows_on_a_workforce_tenant,
    b2x_flows_on_a_b2c_tenant_are_403_aadb2c,
);

/// Azure AD B2C user flows exist only in `beta`, and only in B2C tenants.
mod b2c_beta {
    use super::*;
    use entra_api_connectors::Step;
    use entra_api_connectors::beta::types::{
        B2cIdentityUserFlow, UserFlowApiConnectorConfiguration, UserFlowType,
    };

    fn bound(config: &UserFlowApiConnectorConfiguration) -> [Option<String>; 3] {
        [
            &config.post_federation_signup,
            &config.post_attribute_collection,
            &config.pre_token_issuance,
        ]
        .map(|c| c.as_ref().and_then(|c| c.id.clone()))
    }

    fn stored(emulator: &Emulator, flow: &str) -> [Option<String>; 3] {
        let record = emulator.user_flow(flow).expect("the flow exists");
        assert_eq!(record.family, FlowFamily::B2c);
        StoredStep::ALL.map(|s| record.api_connector_configuration.get(&s).cloned())
    }

    #[tokio::test]
    async fn b2c_flows_on_a_b2c_tenant() {
        let emulator = start(TenantKind::B2c, 100).await;
        let client = client(&emulator);
        let g = client.beta();
        let flows = g.b2c_user_flows();

        let listed: Vec<_> = flows
            .list_all()
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.id.unwrap())
            .collect();
        assert_eq!(
            listed,
            vec!["B2C_1_SignUp".to_string(), "B2C_1_SignUpSignIn".to_string()]
        );
        let sign_up = flows.get("B2C_1_SignUp").await.unwrap();
        assert_eq!(sign_up.user_flow_type, Some(UserFlowType::SignUp));
        assert_eq!(sign_up.default_language_tag.as_deref(), Some("en"));

        // Create: B2C_1_ prefix, b2c-only properties kept.
        let new = B2cIdentityUserFlow {
            id: Some("Partners".into()),
            user_flow_type: Some(UserFlowType::SignUpOrSignIn),
            user_flow_type_version: Some(3.0),
            is_language_customization_enabled: Some(true),
            default_language_tag: Some("fr".into()),
            ..Default::default()
        };
        let created = flows.create(&new).await.unwrap();
        let flow = created.id.clone().unwrap();
        assert_eq!(flow, "B2C_1_Partners");
        let got = flows.get(&flow).await.unwrap();
        assert_eq!(got.is_language_customization_enabled, Some(true));
        assert_eq!(got.default_language_tag.as_deref(), Some("fr"));
        let record = emulator.user_flow(&flow).unwrap();
        assert!(record.is_language_customization_enabled);
        assert_eq!(record.default_language_tag.as_deref(), Some("fr"));
        // Creating it again is a conflict; the tenant keeps one.
        let e = flows.create(&new).await.unwrap_err();
        assert_eq!(e.status(), Some(409), "{e}");
        assert_eq!(flows.list_all().await.unwrap().len(), 3);

        // Configuration: all three beta steps are expanded; nothing bound.
        assert_eq!(
            bound(&flows.configuration(&flow).await.unwrap()),
            [None, None, None]
        );

        let connectors = g.connectors();
        let a = connectors
            .create(&basic("A", "https://api.contoso.example/a", "u", "p"))
            .await
            .unwrap()
            .id
            .unwrap();
        let b = connectors
            .create(&basic("B", "https://api.contoso.example/b", "u", "p"))
            .await
            .unwrap()
            .id
            .unwrap();

        flows
            .attach(&flow, Step::PostFederationSignup, &a)
            .await
            .unwrap();
        let want = [Some(a.clone()), None, None];
        assert_eq!(bound(&flows.configuration(&flow).await.unwrap()), want);
        assert_eq!(stored(&emulator, &flow), want);
        flows
            .attach(&flow, Step::PostAttributeCollection, &b)
            .await
            .unwrap();
        let want = [Some(a.clone()), Some(b.clone()), None];
        assert_eq!(bound(&flows.configuration(&flow).await.unwrap()), want);
        assert_eq!(stored(&emulator, &flow), want);
        let config = flows.configuration(&flow).await.unwrap();
        assert_eq!(
            config
                .post_attribute_collection
                .unwrap()
                .display_name
                .as_deref(),
            Some("B")
        );
        // The other flows are untouched.
        assert_eq!(stored(&emulator, "B2C_1_SignUp"), [None, None, None]);

        // preTokenIssuance has no $ref in Graph: refused before sending, nothing changes.
        let e = flows
            .attach(&flow, Step::PreTokenIssuance, &a)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        let e = flows
            .detach(&flow, Step::PreTokenIssuance)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        assert_eq!(stored(&emulator, &flow), want);

        flows
            .detach(&flow, Step::PostFederationSignup)
            .await
            .unwrap();
        let want = [None, Some(b.clone()), None];
        assert_eq!(bound(&flows.configuration(&flow).await.unwrap()), want);
        assert_eq!(stored(&emulator, &flow), want);
        flows
            .detach(&flow, Step::PostAttributeCollection)
            .await
            .unwrap();
        assert_eq!(
            bound(&flows.configuration(&flow).await.unwrap()),
            [None, None, None]
        );
        assert_eq!(stored(&emulator, &flow), [None, None, None]);

        // Deleting a bound connector unbinds it.
        flows
            .attach(&flow, Step::PostAttributeCollection, &a)
            .await
            .unwrap();
        connectors.delete(&a).await.unwrap();
        assert_eq!(
            bound(&flows.configuration(&flow).await.unwrap()),
            [None, None, None]
        );
        assert_eq!(stored(&emulator, &flow), [None, None, None]);

        flows.delete(&flow).await.unwrap();
        assert_not_found(flows.get(&flow).await, "get after delete");
        assert_not_found(
            flows.attach(&flow, Step::PostAttributeCollection, &b).await,
            "attach after delete",
        );
        assert!(emulator.user_flow(&flow).is_none());
        assert_eq!(emulator.user_flows().len(), 2);
    }

    #[tokio::test]
    async fn b2c_flows_on_a_workforce_tenant_are_403_aadb2c() {
        flows_on_the_wrong_tenant_are_403_aadb2c::<Beta, B2c>(B2C_ON_WORKFORCE).await
    }
}
