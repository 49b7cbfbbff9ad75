//! Following `@odata.nextLink` and the client's limits, against wiremock servers on 127.0.0.1.
//!
//! Graph paging (<https://learn.microsoft.com/graph/paging>): a page with more results carries
//! `@odata.nextLink`, an absolute URL to request as it is until no link is returned; a page may
//! hold zero items. The client sends its token only to its own origin and bounds pages and
//! response sizes.

mod support;

use std::time::Duration;

use entra_api_connectors::Error;
use entra_api_connectors::connectors::ListOptions;
use futures::StreamExt;
use serde_json::{Value, json};
use support::requests;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "paging-test-token";

fn builder(server: &MockServer) -> entra_api_connectors::GraphClientBuilder {
    support::builder(
        &server.uri(),
        TOKEN,
        support::fast_retries(2, Duration::from_secs(5)),
    )
}

fn connector(n: usize) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "displayName": format!("Connector {n}"),
        "targetUrl": format!("https://api.contoso-test.example/{n}"),
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "svc",
            "password": "******"
        }
    })
}

fn page(items: std::ops::Range<usize>, next: Option<&str>) -> Value {
    let mut body = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors",
        "value": items.map(connector).collect::<Vec<_>>(),
    });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    body
}

fn ids(items: &[entra_api_connectors::beta::types::IdentityApiConnector]) -> Vec<String> {
    items.iter().map(|c| c.id.clone().unwrap()).collect()
}

fn expected_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range
        .map(|n| format!("00000000-0000-4000-8000-{n:012}"))
        .collect()
}

/// The absolute URL a request was sent to (wiremock rebuilds `url` with host `localhost`; the
/// `Host` header says where it went).
fn target(r: &Request) -> String {
    let host = r
        .headers
        .get("host")
        .expect("Host header")
        .to_str()
        .unwrap();
    let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("http://{host}{}{query}", r.url.path())
}

/// Serves `/{version}/identity/apiConnectors` in three pages: 0..2, 2..4 (via `$skiptoken=p2`),
/// then 4..5 (`$skiptoken=p3`). Returns the two next links.
async fn three_pages(server: &MockServer, version: &str) -> (String, String) {
    let list = format!("/{version}/identity/apiConnectors");
    let link2 = format!("{}{list}?$top=2&$skiptoken=p2", server.uri());
    let link3 = format!("{}{list}?$top=2&$skiptoken=p3", server.uri());
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..2, Some(&link2))))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(2..4, Some(&link3))))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("$skiptoken", "p3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(4..5, None)))
        .mount(server)
        .await;
    (link2, link3)
}

#[tokio::test]
async fn list_all_follows_next_links_in_order_with_the_token_on_every_page() {
    for version in ["beta", "v1.0"] {
        let server = MockServer::start().await;
        let (link2, link3) = three_pages(&server, version).await;
        let client = builder(&server).build().unwrap();
        let options = ListOptions::default().top(2);
        let all = if version == "beta" {
            ids(&client.beta().connectors().list_all(options).await.unwrap())
        } else {
            let v1 = client.v1().connectors().list_all(options).await.unwrap();
            v1.iter().map(|c| c.id.clone().unwrap()).collect()
        };
        assert_eq!(all, expected_ids(0..5), "{version}");
        let reqs = requests(&server).await;
        assert_eq!(reqs.len(), 3, "{version}");
        assert_eq!(reqs[0].url.query(), Some("%24top=2"));
        // The next links are requested exactly as Graph gave them.
        assert_eq!(target(&reqs[1]), link2);
        assert_eq!(target(&reqs[2]), link3);
        for r in &reqs {
            assert_eq!(r.method.as_str(), "GET");
            let auth = r.headers.get("authorization").map(|v| v.to_str().unwrap());
            assert_eq!(auth, Some(format!("Bearer {TOKEN}").as_str()), "{}", r.url);
            assert!(r.headers.get("client-request-id").is_some());
            assert!(r.headers.get("api-version").is_none());
        }
    }
}

#[tokio::test]
async fn list_streams_items_page_by_page() {
    let server = MockServer::start().await;
    three_pages(&server, "beta").await;
    let client = builder(&server).build().unwrap();
    let mut stream = Box::pin(client.beta().connectors().list(ListOptions::default()));
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id.unwrap(), expected_ids(0..1)[0]);
    assert_eq!(
        requests(&server).await.len(),
        1,
        "the next page is fetched only when needed"
    );
    let rest: Vec<_> = stream.map(|r| r.unwrap().id.unwrap()).collect().await;
    assert_eq!(rest, expected_ids(1..5));
}

#[tokio::test]
async fn empty_pages_in_between_are_skipped() {
    let server = MockServer::start().await;
    let list = "/beta/identity/apiConnectors";
    let link2 = format!("{}{list}?$skiptoken=empty", server.uri());
    let link3 = format!("{}{list}?$skiptoken=last", server.uri());
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..1, Some(&link2))))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "empty"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..0, Some(&link3))))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "last"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1..2, None)))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let all = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap();
    assert_eq!(ids(&all), expected_ids(0..2));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn user_flow_listings_follow_next_links_too() {
    let server = MockServer::start().await;
    let next = format!("{}/v1.0/identity/b2xUserFlows?$skiptoken=f2", server.uri());
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "B2X_1_One", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}],
            "@odata.nextLink": next,
        })))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "f2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "B2X_1_Two", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1.0}],
        })))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let flows = client.v1().b2x_user_flows().list_all().await.unwrap();
    let names: Vec<_> = flows.iter().map(|f| f.id.clone().unwrap()).collect();
    assert_eq!(names, ["B2X_1_One", "B2X_1_Two"]);
    let reqs = requests(&server).await;
    assert_eq!(target(&reqs[1]), next);
    assert!(
        reqs.iter()
            .all(|r| r.headers.get("authorization").is_some())
    );
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_without_sending_the_token() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let foreign_links = [
        format!(
            "{}/beta/identity/apiConnectors?$skiptoken=x",
            elsewhere.uri()
        ),
        // Same port, other loopback address: another host.
        format!(
            "http://127.0.0.2:{}/beta/identity/apiConnectors?$skiptoken=x",
            server.address().port()
        ),
        format!(
            "https://127.0.0.1:{}/beta/identity/apiConnectors?$skiptoken=x",
            server.address().port()
        ),
        "/beta/identity/apiConnectors?$skiptoken=x".to_string(),
    ];
    let expected_origin = format!("http://127.0.0.1:{}", server.address().port());
    // Another origin is refused as such; a link that is not an absolute URL has no origin and
    // breaks Graph's paging contract: a decode error. Neither quotes the skip token.
    let refused = |link: &str, e: &Error| {
        let text = e.to_string();
        assert!(!text.contains("skiptoken"), "{link}: {text}");
        match e {
            Error::ForeignNextLink {
                link_origin,
                expected_origin: expected,
            } => {
                assert!(link.starts_with(link_origin.as_str()), "{link}: {e:?}");
                assert_eq!(expected, &expected_origin, "{link}");
            }
            Error::Decode { status: None, .. } => assert!(link.starts_with('/'), "{link}: {e:?}"),
            other => panic!("{link}: {other:?}"),
        }
    };
    for link in foreign_links {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(0..2, Some(&link))))
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        let results: Vec<_> = client
            .beta()
            .connectors()
            .list(ListOptions::default())
            .collect()
            .await;
        // The page that carried the link is yielded, then the listing ends with the error.
        assert_eq!(results.len(), 3, "{link}: two items, then the error");
        let ids: Vec<_> = results[..2]
            .iter()
            .map(|r| r.as_ref().expect("an item").id.clone().expect("an id"))
            .collect();
        assert_eq!(ids.len(), 2, "{link}");
        let e = results.last().expect("an item").as_ref().unwrap_err();
        refused(&link, e);
        let e = client
            .beta()
            .connectors()
            .list_all(ListOptions::default())
            .await
            .unwrap_err();
        refused(&link, &e);
        assert_eq!(
            requests(&server).await.len(),
            2,
            "{link}: only the first pages"
        );
    }
    assert!(
        requests(&elsewhere).await.is_empty(),
        "nothing was sent to the other server"
    );
}

#[tokio::test]
async fn more_pages_than_max_pages_is_a_limit_error() {
    let server = MockServer::start().await;
    three_pages(&server, "beta").await;
    let client = builder(&server).max_pages(2).build().unwrap();
    let e = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::TooManyPages { limit: 2 }), "{e:?}");
    assert!(e.to_string().contains('2'), "{e}");
    assert_eq!(
        requests(&server).await.len(),
        2,
        "the third page is not fetched"
    );

    server.reset().await;
    three_pages(&server, "beta").await;
    let client = builder(&server).max_pages(3).build().unwrap();
    let all = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 5, "exactly max_pages pages are allowed");
}

#[tokio::test]
async fn a_response_larger_than_max_response_bytes_is_a_limit_error() {
    let server = MockServer::start().await;
    let link = format!(
        "{}/beta/identity/apiConnectors?$skiptoken=big",
        server.uri()
    );
    let small = page(0..1, Some(&link));
    let big = page(0..200, None);
    let limit = serde_json::to_vec(&small).unwrap().len() + 16;
    assert!(serde_json::to_vec(&big).unwrap().len() > limit);
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(small))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "big"))
        .respond_with(ResponseTemplate::new(200).set_body_json(big.clone()))
        .mount(&server)
        .await;
    let client = builder(&server).max_response_bytes(limit).build().unwrap();
    // A later page (fetched by the paging code).
    let e = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::ResponseTooLarge { limit: l } if *l == limit),
        "{e:?}"
    );
    assert!(e.to_string().contains(&limit.to_string()), "{e}");

    // A first page and a single entity (decoded by the generated code).
    let tiny = builder(&server).max_response_bytes(64).build().unwrap();
    let e = tiny
        .beta()
        .connectors()
        .list_page(&ListOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { limit: 64 }), "{e:?}");
    Mock::given(path("/v1.0/identity/apiConnectors/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(connector(1)))
        .mount(&server)
        .await;
    let e = tiny.v1().connectors().get("x", &[]).await.unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { limit: 64 }), "{e:?}");
    // The same entity fits a larger limit.
    let roomy = builder(&server).max_response_bytes(4096).build().unwrap();
    roomy.v1().connectors().get("x", &[]).await.unwrap();
}

#[tokio::test]
async fn an_error_on_a_later_page_ends_the_listing() {
    let server = MockServer::start().await;
    let link = format!(
        "{}/beta/identity/apiConnectors?$skiptoken=gone",
        server.uri()
    );
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..2, Some(&link))))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "gone"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"code": "BadRequest", "message": "The skip token is no longer valid.",
                      "innerError": {"request-id": "r-9", "client-request-id": "c-9", "date": "2025-03-14T09:26:53"}}
        })))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let results: Vec<_> = client
        .beta()
        .connectors()
        .list(ListOptions::default())
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    let g = results[2]
        .as_ref()
        .unwrap_err()
        .graph()
        .expect("Graph error")
        .clone();
    assert_eq!(
        (g.status, g.code.as_str(), g.request_id.as_deref()),
        (400, "BadRequest", Some("r-9"))
    );
}

#[tokio::test]
async fn a_later_page_that_is_not_json_is_a_decode_error() {
    let server = MockServer::start().await;
    let link = format!(
        "{}/beta/identity/apiConnectors?$skiptoken=html",
        server.uri()
    );
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..1, Some(&link))))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "html"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let e = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Decode {
                status: Some(200),
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_throttled_later_page_is_retried() {
    let server = MockServer::start().await;
    let link = format!("{}/beta/identity/apiConnectors?$skiptoken=p2", server.uri());
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..1, Some(&link))))
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1..2, None)))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let all = client
        .beta()
        .connectors()
        .list_all(ListOptions::default())
        .await
        .unwrap();
    assert_eq!(ids(&all), expected_ids(0..2));
    assert_eq!(requests(&server).await.len(), 3);
}
