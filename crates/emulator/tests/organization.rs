//! `GET /organization`: the tenant a credential is for (id, type, verified domains).

mod support;

use entra_api_connectors_emulator::{EmulatorConfig, GraphVersion, TenantKind};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::Emu;

const ID: &str = "0b7a7c4e-1f2d-4c3b-9a8e-5d6f7a8b9c0d";

#[tokio::test]
async fn the_collection_holds_the_one_organization_in_both_versions() {
    let e = Emu::start(EmulatorConfig::new(TenantKind::B2c).tenant(ID, "contoso.onmicrosoft.com"))
        .await;
    for version in [GraphVersion::Beta, GraphVersion::V1] {
        let r = e
            .send(Method::GET, &e.url(version, "/organization"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.header("content-type").starts_with("application/json"));
        let body = r.json();
        assert_eq!(
            body["@odata.context"],
            format!(
                "{}/{}/$metadata#organization",
                e.emu.base_url(),
                version.as_str()
            )
        );
        assert_eq!(
            body["value"],
            json!([{
                "id": ID,
                "displayName": "contoso",
                "tenantType": "AAD B2C",
                "verifiedDomains": [{
                    "capabilities": "Email, OfficeCommunicationsOnline",
                    "isDefault": true,
                    "isInitial": true,
                    "name": "contoso.onmicrosoft.com",
                    "type": "Managed",
                }],
            }])
        );
    }
}

#[tokio::test]
async fn select_by_id_and_errors() {
    let e = Emu::start(
        EmulatorConfig::new(TenantKind::Workforce).tenant(ID, "fabrikam.onmicrosoft.com"),
    )
    .await;
    let r = e
        .send(
            Method::GET,
            &e.url(GraphVersion::V1, "/organization?$select=id,tenantType"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["value"],
        json!([{ "id": ID, "tenantType": "AAD" }])
    );
    assert!(
        r.json()["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#organization(id,tenantType)")
    );

    let r = e
        .send(
            Method::GET,
            &e.url(GraphVersion::V1, &format!("/organization/{ID}")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["id"], ID);
    assert_eq!(
        r.json()["verifiedDomains"][0]["name"],
        "fabrikam.onmicrosoft.com"
    );

    let r = e
        .send(
            Method::GET,
            &e.url(
                GraphVersion::V1,
                "/organization/00000000-0000-0000-0000-000000000000",
            ),
            None,
        )
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    let r = e
        .send(
            Method::GET,
            &e.url(GraphVersion::V1, "/organization?$filter=id eq 'x'"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = e
        .send(
            Method::GET,
            &e.url(GraphVersion::V1, "/organization?$select=nope"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Without a token: 401, as every Graph route.
    let r = e
        .http
        .get(e.url(GraphVersion::V1, "/organization"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
