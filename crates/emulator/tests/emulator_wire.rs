//! Wire-level tests of the local Graph emulator: plain HTTP requests (reqwest, not this crate's client)
//! checked against the documented request and response shapes (`docs/graph-behaviour.md`, fixtures in
//! `tests/fixtures/graph/`).

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use entra_api_connectors_certificate::testing;
use entra_api_connectors_emulator::{
    AuthRecord, Emulator, EmulatorConfig, FaultRule, Faults, GraphVersion, TenantKind,
};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha1::Digest as _;
use support::{Emu, Resp, TOKEN, basic_connector, fixture};

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A PKCS#12 holding a fresh self-signed certificate, its base64, and its thumbprint computed here
/// (SHA-1 of the DER certificate, upper-case hex) independently of the emulator.
fn pkcs12(password: &str, not_before: i64, not_after: i64) -> (String, String) {
    let id = testing::self_signed("emulator-test", not_before, not_after);
    let pfx = testing::pack(
        &SecretString::from(password.to_owned()),
        Some(id.private_key_der.expose_secret()),
        &[&id.certificate_der],
    );
    let thumbprint = sha1::Sha1::digest(&id.certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    (
        base64::engine::general_purpose::STANDARD.encode(pfx),
        thumbprint,
    )
}

/// A basic-authentication connector named `name`; its id.
async fn create_basic(e: &Emu, name: &str) -> String {
    e.create_connector(&basic_connector(
        name,
        "https://api.contoso-test.example/x",
        "svc",
        "Secret-Pa55",
    ))
    .await
}

/// A create whose connection is closed without an answer (an injected fault); the client's error.
async fn create_without_answer(e: &Emu, body: &Value) -> reqwest::Error {
    e.http
        .post(e.url(GraphVersion::Beta, "/identity/apiConnectors"))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .expect_err("no response is sent")
}

fn without(mut v: Value, keys: &[&str]) -> Value {
    for k in keys {
        v.as_object_mut().unwrap().remove(*k);
    }
    v
}

// ------------------------------------------------------------------------------------------------
// Connectors

#[tokio::test]
async fn create_basic_connector_answers_201_with_masked_password_and_graph_headers() {
    let e = Emu::b2c().await;
    let resp = e
        .http
        .post(e.url(GraphVersion::Beta, "/identity/apiConnectors"))
        .bearer_auth(TOKEN)
        .header("client-request-id", "0e9b1c3a-7f2d-4c5e-9a1b-3d5f7e9a1c2b")
        .json(&fixture("create_api_connector_basic_request.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let h = resp.headers().clone();
    assert_eq!(
        h["client-request-id"],
        "0e9b1c3a-7f2d-4c5e-9a1b-3d5f7e9a1c2b"
    );
    let request_id = h["request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = resp.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "GUID id: {id}");
    assert_eq!(
        h["location"].to_str().unwrap(),
        e.url(GraphVersion::Beta, &format!("/identity/apiConnectors/{id}"))
    );
    assert_eq!(
        body["@odata.context"],
        e.url(
            GraphVersion::Beta,
            "/$metadata#identity/apiConnectors/$entity"
        )
    );
    let expected = fixture("create_api_connector_basic_response_beta.json");
    assert_eq!(
        without(body.clone(), &["id", "@odata.context"]),
        without(expected, &["id", "@odata.context"])
    );
    assert!(!body.to_string().contains("Fixture-Basic-Pa55!"));
    // The emulator keeps a digest only, and it matches the sent password.
    let stored = e.emu.connector(id).unwrap();
    assert_eq!(
        stored.basic_password_matches("Fixture-Basic-Pa55!"),
        Some(true)
    );
    assert_eq!(stored.basic_password_matches("other"), Some(false));
    assert!(!format!("{stored:?}").contains("Fixture-Basic-Pa55!"));
}

#[tokio::test]
async fn create_pkcs12_connector_reports_the_certificate_of_the_fixture_pfx() {
    let e = Emu::b2c().await;
    // The fixture PFX is PBE-SHA1-3DES, as B2C requires; its thumbprint and dates are in the README.
    let r = e
        .send(
            Method::POST,
            &e.url(GraphVersion::V1, "/identity/apiConnectors"),
            Some(&fixture("create_api_connector_pkcs12_request.json")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let body = r.json();
    assert_eq!(
        body["@odata.context"],
        e.url(
            GraphVersion::V1,
            "/$metadata#identity/apiConnectors/$entity"
        )
    );
    let expected = fixture("create_api_connector_certificate_response_v1.json");
    assert_eq!(
        without(body.clone(), &["id", "@odata.context"]),
        without(expected, &["id", "@odata.context"])
    );
    assert_eq!(
        body["authenticationConfiguration"]["certificateList"][0]["thumbprint"],
        "DF5B8A3DAFDBF17365B985E3C0A04F5D9B3A00E0"
    );
    assert!(!r.text.contains("pkcs12Value") && !r.text.contains("fixture-create-pfx-pass"));
}

#[tokio::test]
async fn create_rejects_bad_bodies_with_graph_errors_and_writes_nothing() {
    let e = Emu::b2c().await;
    let (pfx, _) = pkcs12("right", now() - DAY, now() + 365 * DAY);
    let basic = json!({"@odata.type": "#microsoft.graph.basicAuthentication", "username": "u", "password": "p"});
    let ok = json!({"displayName": "x", "targetUrl": "https://a.example/x", "authenticationConfiguration": basic});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (
            without(ok.clone(), &["displayName"]),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "displayName",
        ),
        (
            without(ok.clone(), &["targetUrl"]),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "targetUrl",
        ),
        (
            without(ok.clone(), &["authenticationConfiguration"]),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "authenticationConfiguration",
        ),
        (
            with("targetUrl", json!("http://a.example/x")),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "https",
        ),
        (
            with("targetUrl", json!("not a url")),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "targetUrl",
        ),
        (
            with("colour", json!("red")),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Property 'colour' does not exist",
        ),
        (
            with(
                "authenticationConfiguration",
                json!({"username": "u", "password": "p"}),
            ),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "@odata.type",
        ),
        (
            with(
                "authenticationConfiguration",
                json!({"@odata.type": "#microsoft.graph.clientCertificateAuthentication", "certificateList": []}),
            ),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "clientCertificateAuthentication",
        ),
        (
            with(
                "authenticationConfiguration",
                json!({"@odata.type": "#microsoft.graph.pkcs12Certificate", "pkcs12Value": "%%%not base64", "password": ""}),
            ),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "PKCS#12",
        ),
        (
            with(
                "authenticationConfiguration",
                json!({"@odata.type": "#microsoft.graph.pkcs12Certificate", "pkcs12Value": pfx}),
            ),
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "password",
        ),
        (
            with(
                "authenticationConfiguration",
                json!({"@odata.type": "#microsoft.graph.pkcs12Certificate", "pkcs12Value": pfx, "password": "wrong"}),
            ),
            StatusCode::BAD_REQUEST,
            "AADB2C90213",
            "The certificate password provided in request is incorrect.",
        ),
    ];
    for (body, status, code, needle) in cases {
        let r = e
            .beta(Method::POST, "/identity/apiConnectors", Some(&body))
            .await;
        let err = r.assert_error(status, code);
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{message:?} should mention {needle:?}"
        );
        assert!(
            !message.contains("wrong") || code != "AADB2C90213",
            "no password in errors"
        );
        if code == "AADB2C90213" {
            assert!(err["error"]["innerError"]["correlationId"].is_string());
        }
    }
    let r = e
        .http
        .post(e.url(GraphVersion::Beta, "/identity/apiConnectors"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let err: Value = r.json().await.unwrap();
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unable to read JSON request payload")
    );
    assert!(e.emu.connectors().is_empty());
    // Both spellings of @odata.type are accepted (the docs' PATCH example has no '#').
    let plain = with(
        "authenticationConfiguration",
        json!({"@odata.type": "microsoft.graph.basicAuthentication", "username": "u", "password": "p"}),
    );
    assert_eq!(
        e.beta(Method::POST, "/identity/apiConnectors", Some(&plain))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn get_select_patch_and_delete_follow_the_documented_shapes() {
    let e = Emu::b2c().await;
    let id = create_basic(&e, "Validate loyalty number").await;
    let path = format!("/identity/apiConnectors/{id}");

    let r = e.beta(Method::GET, &path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["authenticationConfiguration"]["password"],
        "******"
    );

    let r = e
        .beta(
            Method::GET,
            &format!("{path}?$select=displayName,targetUrl"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({
            "@odata.context": e.url(GraphVersion::Beta, "/$metadata#identity/apiConnectors(displayName,targetUrl)/$entity"),
            "displayName": "Validate loyalty number",
            "targetUrl": "https://api.contoso-test.example/x"
        })
    );
    e.beta(Method::GET, &format!("{path}?$select=password"), None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");

    // PATCH: 204 with an empty body; only the sent properties change.
    let r = e
        .beta(
            Method::PATCH,
            &path,
            Some(&fixture("update_api_connector_request.json")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
    let stored = e.emu.connector(&id).unwrap();
    assert_eq!(
        stored.display_name.as_deref(),
        Some("Validate loyalty number v2")
    );
    assert_eq!(
        stored.basic_password_matches("Fixture-Rotated-Pa55!"),
        Some(true)
    );
    let r = e
        .beta(Method::PATCH, &path, Some(&json!({"targetUrl": null})))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let got = e.beta(Method::GET, &path, None).await.json();
    assert_eq!(got["targetUrl"], Value::Null);
    assert_eq!(got["displayName"], "Validate loyalty number v2");

    // Switching to a certificate replaces the configuration whole.
    let r = e
        .beta(
            Method::PATCH,
            &path,
            Some(&fixture("update_api_connector_to_certificate_request.json")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let got = e.beta(Method::GET, &path, None).await.json();
    let expected = fixture("get_api_connector_after_switch_to_certificate_beta.json");
    assert_eq!(
        got["authenticationConfiguration"],
        expected["authenticationConfiguration"]
    );

    // A failed PATCH changes nothing.
    let before = e.emu.connector(&id).unwrap();
    let bad = json!({"displayName": "changed", "targetUrl": "ftp://nope"});
    e.beta(Method::PATCH, &path, Some(&bad))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(e.emu.connector(&id).unwrap(), before);

    let r = e.beta(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({"displayName": "x"}));
        let r = e.beta(method, &path, body.as_ref()).await;
        let err = r.assert_error(StatusCode::NOT_FOUND, "itemNotFound");
        assert_eq!(
            err["error"]["message"],
            format!("The API connector '{id}' was not found.")
        );
    }
}

#[tokio::test]
async fn upload_client_certificate_appends_and_moves_is_active() {
    let e = Emu::b2c().await;
    let (old, old_tp) = pkcs12("p1", now() - 400 * DAY, now() + 400 * DAY);
    let (new, new_tp) = pkcs12("", now() - DAY, now() + 700 * DAY);
    let (future, future_tp) = pkcs12("p3", now() + 30 * DAY, now() + 900 * DAY);
    let create = json!({
        "displayName": "mTLS", "targetUrl": "https://a.example/x",
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.pkcs12Certificate", "pkcs12Value": old, "password": "p1"}
    });
    let id = e
        .beta(Method::POST, "/identity/apiConnectors", Some(&create))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let upload = format!("/identity/apiConnectors/{id}/uploadClientCertificate");
    let r = e
        .beta(
            Method::POST,
            &upload,
            Some(&json!({"pkcs12Value": new, "password": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["id"], id);
    assert_eq!(body["displayName"], "mTLS");
    assert_eq!(
        body["@odata.context"],
        e.url(
            GraphVersion::Beta,
            "/$metadata#identity/apiConnectors/$entity"
        )
    );
    let list = |v: &Value| -> Vec<(String, bool)> {
        v["authenticationConfiguration"]["certificateList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["thumbprint"].as_str().unwrap().to_owned(),
                    c["isActive"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        list(&body),
        vec![(old_tp.clone(), false), (new_tp.clone(), true)]
    );
    // A certificate that is not valid yet is stored but does not become active.
    let r = e
        .beta(
            Method::POST,
            &upload,
            Some(&json!({"pkcs12Value": future, "password": "p3"})),
        )
        .await;
    assert_eq!(
        list(&r.json()),
        vec![(old_tp, false), (new_tp.clone(), true), (future_tp, false)]
    );
    let cert = &r.json()["authenticationConfiguration"]["certificateList"][2];
    assert!(
        cert["notBefore"].as_i64().unwrap() > now()
            && cert["notAfter"].as_i64().unwrap() > cert["notBefore"].as_i64().unwrap()
    );

    // The docs' URL forms: lower-case collection and the namespaced action.
    let alt = format!("/identity/apiconnectors/{id}/microsoft.graph.uploadClientCertificate");
    let fx = fixture("upload_client_certificate_request.json");
    let r = e.beta(Method::POST, &alt, Some(&fx)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The fixture certificate (valid 2024-2034) is now the most recent valid upload, so it is the active one.
    let flags: Vec<bool> = list(&r.json())
        .into_iter()
        .map(|(_, active)| active)
        .collect();
    assert_eq!(flags, vec![false, false, false, true]);
    assert_eq!(
        list(&r.json())[3].0,
        "94908F3D0D47D8AD98E435B9C5B87C73179041C5"
    );

    // A basic connector becomes a certificate connector with just the upload.
    let basic = create_basic(&e, "basic").await;
    let r = e
        .beta(
            Method::POST,
            &format!("/identity/apiConnectors/{basic}/uploadClientCertificate"),
            Some(&json!({"pkcs12Value": new, "password": ""})),
        )
        .await;
    assert_eq!(list(&r.json()), vec![(new_tp, true)]);

    e.beta(Method::POST, &upload, Some(&json!({"pkcs12Value": new})))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    e.beta(
        Method::POST,
        &upload,
        Some(&json!({"pkcs12Value": new, "password": "", "extra": 1})),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    e.beta(
        Method::POST,
        "/identity/apiConnectors/0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/uploadClientCertificate",
        Some(&json!({"pkcs12Value": new, "password": ""})),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "itemNotFound");
    assert!(matches!(
        e.emu.connector(&id).unwrap().authentication,
        Some(AuthRecord::ClientCertificate { ref certificates }) if certificates.len() == 4
    ));
}

#[tokio::test]
async fn list_pages_with_absolute_next_links_and_query_options() {
    let e = Emu::start(EmulatorConfig::new(TenantKind::B2c).page_size(3)).await;
    let mut created = Vec::new();
    for i in 0..8 {
        created.push(create_basic(&e, &format!("Connector {i}")).await);
    }
    let mut url = e.url(GraphVersion::Beta, "/identity/apiConnectors");
    let (mut seen, mut sizes) = (Vec::new(), Vec::new());
    loop {
        let body = e.send(Method::GET, &url, None).await.json();
        assert_eq!(
            body["@odata.context"],
            e.url(GraphVersion::Beta, "/$metadata#identity/apiConnectors")
        );
        let items = body["value"].as_array().unwrap();
        sizes.push(items.len());
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        assert!(
            items
                .iter()
                .all(|c| c["authenticationConfiguration"]["password"] == "******")
        );
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&e.url(GraphVersion::Beta, "/identity/apiConnectors?")),
                    "{next}"
                );
                assert!(next.contains("$skiptoken="));
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(sizes, vec![3, 3, 2]);
    assert_eq!(seen, created);

    // $top sets the page size and is repeated in nextLink with $select; $count only on the first page.
    let first = e
        .beta(
            Method::GET,
            "/identity/apiConnectors?$top=5&$count=true&$select=id,displayName",
            None,
        )
        .await
        .json();
    assert_eq!(first["@odata.count"], 8);
    assert_eq!(
        first["@odata.context"],
        e.url(
            GraphVersion::Beta,
            "/$metadata#identity/apiConnectors(id,displayName)"
        )
    );
    assert_eq!(first["value"].as_array().unwrap().len(), 5);
    assert_eq!(
        first["value"][0],
        json!({"id": created[0], "displayName": "Connector 0"})
    );
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("$top=5") && next.contains("$select=id%2CdisplayName"),
        "{next}"
    );
    let second = e.send(Method::GET, next, None).await.json();
    assert!(second.get("@odata.count").is_none());
    assert!(second.get("@odata.nextLink").is_none());
    assert_eq!(second["value"].as_array().unwrap().len(), 3);
    assert_eq!(
        second["value"][2],
        json!({"id": created[7], "displayName": "Connector 7"})
    );

    let skip = e
        .beta(Method::GET, "/identity/apiConnectors?$skip=6", None)
        .await
        .json();
    let ids: Vec<&str> = skip["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![created[6].as_str(), created[7].as_str()]);

    let eq = e
        .beta(
            Method::GET,
            "/identity/apiConnectors?$filter=displayName%20eq%20'Connector%203'",
            None,
        )
        .await
        .json();
    assert_eq!(eq["value"].as_array().unwrap().len(), 1);
    assert_eq!(eq["value"][0]["id"], created[3]);
    let sw = e
        .send(
            Method::GET,
            &format!(
                "{}?$filter=startswith(displayName,'conn')&$count=true&$top=2",
                e.url(GraphVersion::V1, "/identity/apiConnectors")
            ),
            None,
        )
        .await
        .json();
    assert_eq!(sw["@odata.count"], 8);
    assert_eq!(sw["value"].as_array().unwrap().len(), 2);
    let none = e
        .beta(
            Method::GET,
            "/identity/apiConnectors?$filter=displayName eq 'nope'&$count=true",
            None,
        )
        .await
        .json();
    assert_eq!(none["@odata.count"], 0);
    assert_eq!(none["value"], json!([]));

    for bad in [
        "$filter=contains(displayName,'C')",
        "$filter=displayName gt 'C'",
        "$filter=displayName eq",
        "$top=0",
        "$top=1000",
        "$count=maybe",
        "$orderby=displayName",
        "$select=secret",
        "$skiptoken=garbage",
        "$expand=anything",
    ] {
        let r = e
            .beta(Method::GET, &format!("/identity/apiConnectors?{bad}"), None)
            .await;
        r.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    }
}

// ------------------------------------------------------------------------------------------------
// User flows and apiConnectorConfiguration

#[tokio::test]
async fn b2c_tenant_serves_b2c_flows_in_beta_only_and_forbids_b2x() {
    let e = Emu::b2c().await;
    let list = e.beta(Method::GET, "/identity/b2cUserFlows", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let body = list.json();
    assert_eq!(
        body["@odata.context"],
        e.url(GraphVersion::Beta, "/$metadata#identity/b2cUserFlows")
    );
    assert_eq!(
        body["value"][0],
        json!({"id": "B2C_1_SignUp", "userFlowType": "signUp", "userFlowTypeVersion": 3,
               "isLanguageCustomizationEnabled": false, "defaultLanguageTag": "en"})
    );
    let v1 = e
        .send(
            Method::GET,
            &e.url(GraphVersion::V1, "/identity/b2cUserFlows"),
            None,
        )
        .await;
    let err = v1.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        err["error"]["message"],
        "Resource not found for the segment 'b2cUserFlows'."
    );

    for path in [
        "/identity/b2xUserFlows",
        "/identity/b2xUserFlows/B2X_1_x/apiConnectorConfiguration",
    ] {
        let r = e.beta(Method::GET, path, None).await;
        let err = r.assert_error(StatusCode::FORBIDDEN, "AADB2C");
        assert_eq!(
            err["error"]["message"],
            "'emulatorb2c.onmicrosoft.com' is an Azure AD B2C directory. Access to this Api can only be made for an Azure AD directory (non b2c)."
        );
        assert!(err["error"]["innerError"]["correlationId"].is_string());
    }

    let create =
        json!({"id": "Partners", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 3});
    let r = e
        .beta(Method::POST, "/identity/b2cUserFlows", Some(&create))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.header("location"),
        e.url(GraphVersion::Beta, "/identity/b2cUserFlows/B2C_1_Partners")
    );
    let body = r.json();
    assert_eq!(body["id"], "B2C_1_Partners");
    assert_eq!(body["apiConnectorConfiguration"], json!({}));
    assert_eq!(
        body["@odata.context"],
        e.url(
            GraphVersion::Beta,
            "/$metadata#identity/b2cUserFlows/$entity"
        )
    );
    e.beta(Method::POST, "/identity/b2cUserFlows", Some(&create))
        .await
        .assert_error(StatusCode::CONFLICT, "Conflict");
    let bad = json!({"id": "X", "userFlowType": "teleport", "userFlowTypeVersion": 3});
    e.beta(Method::POST, "/identity/b2cUserFlows", Some(&bad))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    let got = e
        .beta(Method::GET, "/identity/b2cUserFlows/b2c_1_partners", None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.json().get("apiConnectorConfiguration").is_none());
    assert_eq!(
        e.beta(
            Method::DELETE,
            "/identity/b2cUserFlows/B2C_1_Partners",
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    e.beta(Method::GET, "/identity/b2cUserFlows/B2C_1_Partners", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "itemNotFound");
}

#[tokio::test]
async fn workforce_tenant_serves_b2x_flows_in_both_versions_and_forbids_b2c() {
    let e = Emu::start(EmulatorConfig::new(TenantKind::Workforce)).await;
    for v in [GraphVersion::V1, GraphVersion::Beta] {
        let r = e
            .send(Method::GET, &e.url(v, "/identity/b2xUserFlows"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json()["value"],
            json!([{"id": "B2X_1_PartnerSignUp", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}])
        );
    }
    let err = e
        .beta(Method::GET, "/identity/b2cUserFlows", None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "AADB2C");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not an Azure AD B2C directory")
    );
    let r = e
        .send(Method::POST, &e.url(GraphVersion::V1, "/identity/b2xUserFlows"), Some(&json!({"id": "Contractors", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["id"], "B2X_1_Contractors");
    assert_eq!(
        r.header("location"),
        e.url(GraphVersion::V1, "/identity/b2xUserFlows/B2X_1_Contractors")
    );
    // b2x flows are always signUpOrSignIn.
    e.send(
        Method::POST,
        &e.url(GraphVersion::V1, "/identity/b2xUserFlows"),
        Some(&json!({"id": "X", "userFlowType": "signIn", "userFlowTypeVersion": 1})),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    e.send(
        Method::POST,
        &e.url(GraphVersion::V1, "/identity/b2xUserFlows"),
        Some(&json!({"userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1})),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    let ex = e
        .beta(
            Method::GET,
            "/identity/b2xUserFlows/B2X_1_PartnerSignUp?$expand=identityProviders",
            None,
        )
        .await
        .json();
    assert_eq!(ex["identityProviders"], json!([]));
}

#[tokio::test]
async fn ref_put_binds_and_unbinds_steps_and_expand_shows_them() {
    let e = Emu::b2c().await;
    let a = create_basic(&e, "Validate loyalty number").await;
    let flow = "/identity/b2cUserFlows/B2C_1_SignUpSignIn/apiConnectorConfiguration";
    let connector_url = e.url(GraphVersion::Beta, &format!("/identity/apiConnectors/{a}"));
    let r = e
        .beta(
            Method::PUT,
            &format!("{flow}/postFederationSignup/$ref"),
            Some(&json!({"@odata.id": connector_url})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    assert_eq!(
        e.emu
            .user_flow("B2C_1_SignUpSignIn")
            .unwrap()
            .api_connector_configuration
            .values()
            .collect::<Vec<_>>(),
        vec![&a]
    );

    // Without $expand only the context comes back.
    let plain = e.beta(Method::GET, flow, None).await.json();
    assert_eq!(
        plain,
        json!({"@odata.context": e.url(GraphVersion::Beta, "/$metadata#identity/b2cUserFlows('B2C_1_SignUpSignIn')/apiConnectorConfiguration")})
    );
    let ctx = e.url(
        GraphVersion::Beta,
        "/$metadata#identity/b2cUserFlows('B2C_1_SignUpSignIn')/apiConnectorConfiguration",
    );
    let expanded = e
        .beta(
            Method::GET,
            &format!("{flow}?$expand=postFederationSignup,postAttributeCollection"),
            None,
        )
        .await
        .json();
    assert_eq!(
        expanded["@odata.context"],
        format!("{ctx}(postFederationSignup(),postAttributeCollection())")
    );
    assert_eq!(expanded["postFederationSignup"]["id"], a);
    assert_eq!(
        expanded["postFederationSignup"]["authenticationConfiguration"]["password"],
        "******"
    );
    assert_eq!(
        expanded["postFederationSignup@odata.context"],
        format!(
            "{ctx}/microsoft.graph.userFlowApiConnectorConfiguration/postFederationSignup/$entity"
        )
    );
    assert_eq!(expanded["postAttributeCollection"], Value::Null);
    let all = e
        .beta(
            Method::GET,
            &format!("{flow}?$expand=preTokenIssuance"),
            None,
        )
        .await
        .json();
    assert_eq!(all["preTokenIssuance"], Value::Null);

    // A v1.0 URL binds too (any version segment); `{}` unbinds.
    let v1_url = e.url(GraphVersion::V1, &format!("/identity/apiConnectors/{a}"));
    let r = e
        .beta(
            Method::PUT,
            &format!("{flow}/postAttributeCollection/$ref"),
            Some(&json!({"@odata.id": v1_url})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = e
        .beta(
            Method::PUT,
            &format!("{flow}/postFederationSignup/$ref"),
            Some(&fixture("ref_unbind_request.json")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let expanded = e
        .beta(
            Method::GET,
            &format!("{flow}?$expand=postFederationSignup,postAttributeCollection"),
            None,
        )
        .await
        .json();
    assert_eq!(expanded["postFederationSignup"], Value::Null);
    assert_eq!(expanded["postAttributeCollection"]["id"], a);

    // Bad bodies: bare id, relative or malformed URL, wrong path: 400 with Graph's $ref wording.
    for bad in [
        json!({"@odata.id": a}),
        json!({"@odata.id": format!("/beta/identity/apiConnectors/{a}")}),
        json!({"@odata.id": "https://"}),
        json!({"@odata.id": format!("https://graph.microsoft.com/beta/identity/b2cUserFlows/{a}")}),
    ] {
        let r = e
            .beta(
                Method::PUT,
                &format!("{flow}/postFederationSignup/$ref"),
                Some(&bad),
            )
            .await;
        let err = r.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert_eq!(err["error"], {
            let mut want = fixture("error_bad_request_ref.json")["error"].clone();
            want["innerError"] = err["error"]["innerError"].clone();
            want
        });
    }
    // A well-formed URL to an unknown connector, or an unknown flow: 404.
    let unknown = e.url(
        GraphVersion::Beta,
        "/identity/apiConnectors/0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    );
    e.beta(
        Method::PUT,
        &format!("{flow}/postFederationSignup/$ref"),
        Some(&json!({"@odata.id": unknown})),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "itemNotFound");
    e.beta(
        Method::PUT,
        "/identity/b2cUserFlows/B2C_1_Nope/apiConnectorConfiguration/postFederationSignup/$ref",
        Some(&json!({"@odata.id": connector_url})),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "itemNotFound");
    // preTokenIssuance has no $ref path.
    e.beta(
        Method::PUT,
        &format!("{flow}/preTokenIssuance/$ref"),
        Some(&json!({"@odata.id": connector_url})),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    e.beta(Method::GET, &format!("{flow}?$expand=postSomething"), None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        e.emu
            .user_flow("B2C_1_SignUpSignIn")
            .unwrap()
            .api_connector_configuration
            .len(),
        1
    );

    // Deleting a bound connector removes the binding.
    assert_eq!(
        e.beta(
            Method::DELETE,
            &format!("/identity/apiConnectors/{a}"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let expanded = e
        .beta(
            Method::GET,
            &format!("{flow}?$expand=postAttributeCollection"),
            None,
        )
        .await
        .json();
    assert_eq!(expanded["postAttributeCollection"], Value::Null);
}

#[tokio::test]
async fn v1_b2x_configuration_has_two_steps_only() {
    let e = Emu::start(EmulatorConfig::new(TenantKind::Workforce)).await;
    let a = create_basic(&e, "A").await;
    let flow = e.url(
        GraphVersion::V1,
        "/identity/b2xUserFlows/B2X_1_PartnerSignUp/apiConnectorConfiguration",
    );
    let body =
        json!({"@odata.id": e.url(GraphVersion::V1, &format!("/identity/apiConnectors/{a}"))});
    assert_eq!(
        e.send(
            Method::PUT,
            &format!("{flow}/postAttributeCollection/$ref"),
            Some(&body)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let got = e
        .send(
            Method::GET,
            &format!("{flow}?$expand=postFederationSignup,postAttributeCollection"),
            None,
        )
        .await
        .json();
    assert_eq!(got["postAttributeCollection"]["displayName"], "A");
    e.send(
        Method::GET,
        &format!("{flow}?$expand=preTokenIssuance"),
        None,
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    let err = e
        .send(
            Method::PUT,
            &format!("{flow}/preTokenIssuance/$ref"),
            Some(&body),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        err["error"]["message"],
        "Resource not found for the segment 'preTokenIssuance'."
    );
    // DELETE $ref (OpenAPI only) unbinds as well.
    assert_eq!(
        e.send(
            Method::DELETE,
            &format!("{flow}/postAttributeCollection/$ref"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        e.emu
            .user_flow("B2X_1_PartnerSignUp")
            .unwrap()
            .api_connector_configuration
            .is_empty()
    );
}

// ------------------------------------------------------------------------------------------------
// Auth, token endpoint, unknown routes

#[tokio::test]
async fn graph_requires_the_accepted_bearer_token() {
    let e = Emu::b2c().await;
    let url = e.url(GraphVersion::Beta, "/identity/apiConnectors");
    for req in [
        e.http.get(&url),
        e.http.get(&url).bearer_auth("someone-else"),
        e.http.get(&url).header("authorization", "Basic abc"),
    ] {
        let r = Resp::read(req.send().await.unwrap()).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
        assert!(r.header("www-authenticate").starts_with("Bearer"));
    }
    let custom =
        Emu::start(EmulatorConfig::new(TenantKind::B2c).token(SecretString::from("t0k3n"))).await;
    let url = custom.url(GraphVersion::V1, "/identity/apiConnectors");
    assert_eq!(
        custom
            .http
            .get(&url)
            .bearer_auth("t0k3n")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        custom
            .http
            .get(&url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn token_endpoint_issues_the_accepted_token_and_rejects_bad_clients_like_entra() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::Workforce)
            .token(SecretString::from("issued-token"))
            .client_credentials(
                "11111111-2222-3333-4444-555555555555",
                SecretString::from("s3cret"),
            ),
    )
    .await;
    let token_url = e.emu.token_url(e.emu.tenant_id());
    let form = |secret: &str, grant: &str, scope: &str| {
        vec![
            ("grant_type", grant.to_owned()),
            (
                "client_id",
                "11111111-2222-3333-4444-555555555555".to_owned(),
            ),
            ("client_secret", secret.to_owned()),
            ("scope", scope.to_owned()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>, url: String| {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(f)
            .finish();
        e.http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let ok = post(
        form(
            "s3cret",
            "client_credentials",
            "https://graph.microsoft.com/.default",
        ),
        token_url.clone(),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    let token = body["access_token"].as_str().unwrap();
    let r = e
        .http
        .get(e.url(GraphVersion::V1, "/identity/b2xUserFlows"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let cases = [
        (
            form(
                "wrong",
                "client_credentials",
                "https://graph.microsoft.com/.default",
            ),
            token_url.clone(),
            401,
            "invalid_client",
            7000215,
        ),
        (
            form("s3cret", "password", "https://graph.microsoft.com/.default"),
            token_url.clone(),
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            form("s3cret", "client_credentials", "User.Read"),
            token_url.clone(),
            400,
            "invalid_scope",
            1002012,
        ),
        (
            form(
                "s3cret",
                "client_credentials",
                "https://graph.microsoft.com/.default",
            ),
            e.emu.token_url("contoso.onmicrosoft.com"),
            400,
            "invalid_request",
            90002,
        ),
    ];
    for (f, url, status, error, code) in cases {
        let r = post(f, url).await.unwrap();
        assert_eq!(r.status().as_u16(), status);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], error);
        assert_eq!(body["error_codes"], json!([code]));
        let desc = body["error_description"].as_str().unwrap();
        assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
        assert!(desc.contains("Trace ID: ") && desc.contains("Correlation ID: "));
        assert!(!desc.contains("wrong") && !desc.contains("s3cret"));
        for k in ["trace_id", "correlation_id", "timestamp"] {
            assert!(body[k].is_string(), "{k}");
        }
    }
}

#[tokio::test]
async fn unknown_routes_versions_and_methods_get_graph_errors() {
    let e = Emu::b2c().await;
    let err = e
        .beta(Method::GET, "/identity/apiConnectorz", None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        err["error"]["message"],
        "Resource not found for the segment 'apiConnectorz'."
    );
    let err = e
        .beta(Method::GET, "/users", None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        err["error"]["message"],
        "Resource not found for the segment 'users'."
    );
    let r = e
        .send(
            Method::GET,
            &format!("{}/v2.0/identity/apiConnectors", e.emu.base_url()),
            None,
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    e.beta(Method::PUT, "/identity/apiConnectors", Some(&json!({})))
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest");
}

// ------------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn throttling_answers_429_with_retry_after_and_leaves_state_untouched() {
    let e = Emu::b2c().await;
    let id = create_basic(&e, "keep").await;
    let before = e.emu.connectors();
    e.emu
        .set_faults(Faults::throttle(1.0, Duration::from_millis(250)));
    let body = basic_connector("new", "https://a.example", "u", "p");
    let writes = [
        (
            Method::POST,
            "/identity/apiConnectors".to_owned(),
            Some(body),
        ),
        (
            Method::PATCH,
            format!("/identity/apiConnectors/{id}"),
            Some(json!({"displayName": "changed"})),
        ),
        (
            Method::DELETE,
            format!("/identity/apiConnectors/{id}"),
            None,
        ),
    ];
    for (m, path, body) in &writes {
        let r = e.beta(m.clone(), path, body.as_ref()).await;
        let err = r.assert_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
        assert_eq!(r.header("retry-after"), "0.25");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Too many requests")
        );
    }
    assert_eq!(e.emu.connectors(), before);
    e.emu
        .set_faults(Faults::throttle(1.0, Duration::from_secs(5)));
    assert_eq!(
        e.beta(Method::GET, "/identity/apiConnectors", None)
            .await
            .header("retry-after"),
        "5"
    );
    e.emu.clear_faults();
    assert_eq!(
        e.beta(
            Method::DELETE,
            &format!("/identity/apiConnectors/{id}"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn per_route_503_hits_only_the_matching_route() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::B2c).fault_rule(FaultRule::new(
            "POST /identity/apiConnectors",
            Faults {
                unavailable_rate: 1.0,
                retry_after: Duration::from_secs(2),
                ..Faults::none()
            },
        )),
    )
    .await;
    let body = basic_connector("x", "https://a.example", "u", "p");
    let r = e
        .beta(Method::POST, "/identity/apiConnectors", Some(&body))
        .await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "serviceNotAvailable");
    assert_eq!(r.header("retry-after"), "2");
    assert!(e.emu.connectors().is_empty());
    assert_eq!(
        e.beta(Method::GET, "/identity/apiConnectors", None)
            .await
            .status,
        StatusCode::OK
    );
    // Rules added at run time come after the existing ones.
    e.emu
        .add_fault_rule(FaultRule::new("GET /identity/**", Faults::unavailable(1.0)));
    e.beta(Method::GET, "/identity/b2cUserFlows", None)
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "serviceNotAvailable");
}

#[tokio::test]
async fn dropped_connections_give_a_transport_error_and_write_nothing() {
    let e = Emu::b2c().await;
    e.emu.add_fault_rule(FaultRule::new(
        "POST /identity/apiConnectors",
        Faults::drop_connections(1.0),
    ));
    let body = basic_connector("x", "https://a.example", "u", "p");
    for _ in 0..3 {
        let err = create_without_answer(&e, &body).await;
        assert!(
            err.status().is_none() && (err.is_request() || err.is_connect()),
            "{err:?}"
        );
    }
    assert!(e.emu.connectors().is_empty());
    // Other routes and later requests still work.
    assert_eq!(
        e.beta(Method::GET, "/identity/apiConnectors", None)
            .await
            .status,
        StatusCode::OK
    );
    e.emu.clear_faults();
    assert_eq!(
        e.beta(Method::POST, "/identity/apiConnectors", Some(&body))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_lost_response_means_the_request_was_carried_out() {
    let e = Emu::b2c().await;
    e.emu.add_fault_rule(FaultRule::new(
        "POST /identity/apiConnectors",
        Faults {
            lose_response_rate: 1.0,
            ..Faults::none()
        },
    ));
    let body = basic_connector("lost", "https://a.example", "u", "p");
    let err = create_without_answer(&e, &body).await;
    assert!(err.status().is_none(), "{err:?}");
    let stored = e.emu.connectors();
    assert_eq!(stored.len(), 1, "the create happened");
    assert_eq!(stored[0].display_name.as_deref(), Some("lost"));
}

#[tokio::test]
async fn latency_and_seeded_rates_are_applied() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::B2c).faults(Faults::latency(Duration::from_millis(150))),
    )
    .await;
    let t = Instant::now();
    assert_eq!(
        e.beta(Method::GET, "/identity/apiConnectors", None)
            .await
            .status,
        StatusCode::OK
    );
    assert!(t.elapsed() >= Duration::from_millis(150));

    let run = || async {
        let e = Emu::start(
            EmulatorConfig::new(TenantKind::B2c)
                .seed(42)
                .faults(Faults::throttle(0.5, Duration::from_secs(1))),
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(
                e.beta(Method::GET, "/identity/apiConnectors", None)
                    .await
                    .status
                    .as_u16(),
            );
        }
        statuses
    };
    let (a, b) = (run().await, run().await);
    assert_eq!(a, b, "same seed, same faults");
    assert!(a.contains(&429) && a.contains(&200), "{a:?}");
}

// ------------------------------------------------------------------------------------------------
// State file and concurrency

#[tokio::test]
async fn state_file_is_saved_after_changes_and_reloaded() {
    let dir = std::env::temp_dir().join(format!("emulator-wire-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let e = Emu::start(EmulatorConfig::new(TenantKind::B2c).state_file(&path)).await;
    assert!(path.exists(), "the seeded state is written at start");
    let id = create_basic(&e, "persisted").await;
    let bind =
        json!({"@odata.id": e.url(GraphVersion::Beta, &format!("/identity/apiConnectors/{id}"))});
    e.beta(Method::PUT, "/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/postAttributeCollection/$ref", Some(&bind)).await;
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&id));
    assert!(
        !saved.contains("Secret-Pa55"),
        "no password in the state file"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left behind"
    );
    e.emu.shutdown().await;

    let again = Emu::start(EmulatorConfig::new(TenantKind::B2c).state_file(&path)).await;
    let got = again
        .beta(Method::GET, &format!("/identity/apiConnectors/{id}"), None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["displayName"], "persisted");
    assert_eq!(
        again
            .emu
            .connector(&id)
            .unwrap()
            .basic_password_matches("Secret-Pa55"),
        Some(true)
    );
    let cfg = again
        .beta(Method::GET, "/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration?$expand=postAttributeCollection", None)
        .await
        .json();
    assert_eq!(cfg["postAttributeCollection"]["id"], id);
    // New connectors after reload still page after the old ones.
    let second = create_basic(&again, "second").await;
    let ids: Vec<String> = again.emu.connectors().into_iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![id, second]);
    again.emu.shutdown().await;

    std::fs::write(&path, "{broken").unwrap();
    assert!(
        Emulator::start(EmulatorConfig::new(TenantKind::B2c).state_file(&path))
            .await
            .is_err()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_give_fifty_distinct_connectors() {
    let e = Emu::b2c().await;
    let url = e.url(GraphVersion::Beta, "/identity/apiConnectors");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let http = e.http.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let body = basic_connector(&format!("c{i}"), "https://a.example", "u", "p");
                let r = http
                    .post(url)
                    .bearer_auth(TOKEN)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
                r.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap());
    }
    assert_eq!(ids.len(), 50);
    let listed = e
        .beta(
            Method::GET,
            "/identity/apiConnectors?$count=true&$top=999",
            None,
        )
        .await
        .json();
    assert_eq!(listed["@odata.count"], 50);
    let listed: std::collections::HashSet<String> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, ids);
}
