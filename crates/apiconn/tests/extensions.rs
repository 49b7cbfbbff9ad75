//! `apiconn extensions`, `apiconn flows events` and `apiconn listeners` against the emulator's
//! external tenant, started in the test on 127.0.0.1: what the binary prints (tables, JSON parsed
//! back), exits with, sends (the emulator's request log) and changes (the emulator's state).

use assert_cmd::Command;
use entra_api_connectors_emulator::{
    DEFAULT_TOKEN, Emulator, EmulatorConfig, ServicePrincipal, TenantKind,
};
use predicates::prelude::*;
use serde_json::{Value, json};

mod support;

/// The API's app: a service principal of the tenant with the receive-payload permission.
const API_APP: &str = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";
/// An app without that permission (validation warns).
const UNGRANTED_APP: &str = "0a8a3c1e-9d3a-4a55-9a3e-6f0c4c3f2b11";
/// The client app users sign in to.
const CLIENT_APP: &str = "63856651-13d9-4784-9abf-20758d509e19";
/// Another client app.
const OTHER_APP: &str = "3f6a2e1b-77c4-4c59-9c67-3b1bb0d7b0a2";
const HOST: &str = "api.contoso.example";

struct Env {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

impl Env {
    fn start() -> Env {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut ungranted = ServicePrincipal::new(UNGRANTED_APP, "Ungranted API");
        ungranted.receive_payload_granted = false;
        let config = EmulatorConfig::new(TenantKind::External)
            .service_principal(ServicePrincipal::new(API_APP, "Contoso API"))
            .service_principal(ungranted)
            .service_principal(ServicePrincipal::new(CLIENT_APP, "Contoso app"))
            .service_principal(ServicePrincipal::new(OTHER_APP, "Other app"));
        let emulator = runtime.block_on(Emulator::start(config)).unwrap();
        Env {
            emulator,
            _runtime: runtime,
        }
    }

    /// `apiconn --base-url <emulator>` (v1.0, the default) with the emulator's token.
    fn apiconn(&self) -> Command {
        let mut cmd = support::bare();
        cmd.env("GRAPH_TOKEN", DEFAULT_TOKEN)
            .args(["--base-url", &self.emulator.base_url()]);
        cmd
    }

    fn base(&self) -> String {
        self.emulator.base_url().trim_end_matches('/').to_owned()
    }

    /// `apiconn --json ARGS`, successful, parsed.
    fn json(&self, args: &[&str]) -> Value {
        let out = self
            .apiconn()
            .arg("--json")
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {args:?}"))
    }

    /// `apiconn ARGS` (table output), successful.
    fn table(&self, args: &[&str]) -> String {
        let out = self
            .apiconn()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }

    /// Create an extension through the CLI; returns its id.
    fn create(&self, kind: &str, name: &str, path: &str) -> String {
        let created = self.json(&[
            "extensions",
            "create",
            "--type",
            kind,
            "--name",
            name,
            "--target-url",
            &format!("https://{HOST}/{path}"),
            "--api-app-id",
            API_APP,
        ]);
        created["id"].as_str().unwrap().to_owned()
    }

    /// The number of requests that may change state.
    fn writes(&self) -> usize {
        self.emulator
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count()
    }
}

/// An empty list of findings (the typed validation leaves an empty list out).
fn no_findings(list: &Value) -> bool {
    list.is_null() || list.as_array().is_some_and(Vec::is_empty)
}

fn resource() -> String {
    format!("api://{HOST}/{API_APP}")
}

#[test]
fn extension_lifecycle_create_list_get_update_validate_delete() {
    let env = Env::start();

    // create, table output: one row with the type, URL, resource, timeout and retries
    let out = env.table(&[
        "extensions",
        "create",
        "--type",
        "onTokenIssuanceStart",
        "--name",
        "Claims from HR",
        "--description",
        "HR claims",
        "--target-url",
        &format!("https://{HOST}/claims"),
        "--api-app-id",
        API_APP,
        "--timeout-ms",
        "1500",
        "--max-retries",
        "1",
        "--claim",
        "DateOfBirth,CustomRoles",
    ]);
    let record = env.emulator.custom_extensions().pop().expect("created");
    assert_eq!(record.display_name.as_deref(), Some("Claims from HR"));
    assert_eq!(record.description.as_deref(), Some("HR claims"));
    assert_eq!(
        record.target_url.as_deref(),
        Some("https://api.contoso.example/claims")
    );
    assert_eq!(record.resource_id.as_deref(), Some(resource().as_str()));
    let id = record.id.clone();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("ID") && lines[0].contains("RESOURCE ID"));
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(cells[0], id);
    assert_eq!(cells[1], "onTokenIssuanceStart");
    assert!(lines[1].contains("Claims from HR"));
    assert!(lines[1].contains(&resource()));
    assert_eq!(&cells[cells.len() - 2..], ["1500", "1"]);

    // the create sent the documented body
    let got = env.json(&["extensions", "get", &id]);
    assert_eq!(
        got["@odata.type"],
        "#microsoft.graph.onTokenIssuanceStartCustomExtension"
    );
    assert_eq!(
        got["endpointConfiguration"]["targetUrl"],
        "https://api.contoso.example/claims"
    );
    assert_eq!(got["authenticationConfiguration"]["resourceId"], resource());
    assert_eq!(got["clientConfiguration"]["timeoutInMilliseconds"], 1500);
    assert_eq!(got["clientConfiguration"]["maximumRetries"], 1);
    assert_eq!(
        got["claimsForTokenConfiguration"],
        json!([{"claimIdInApiResponse": "DateOfBirth"}, {"claimIdInApiResponse": "CustomRoles"}])
    );

    // get by display name, YAML parses back to the same object
    let yaml = env
        .apiconn()
        .args(["--output", "yaml", "extensions", "get", "Claims from HR"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let from_yaml: Value = serde_norway::from_slice(&yaml).unwrap();
    assert_eq!(from_yaml, got);

    // list: JSON and a --type filter
    let submit = env.create("onAttributeCollectionSubmit", "Check postal code", "submit");
    let all = env.json(&["extensions", "list"]);
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&id.as_str()) && ids.contains(&submit.as_str()));
    let only = env.json(&[
        "extensions",
        "list",
        "--type",
        "onAttributeCollectionSubmit",
    ]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert_eq!(only[0]["id"], submit);
    let table = env.table(&["extensions", "list"]);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.contains("onAttributeCollectionSubmit") && table.contains("Check postal code"));

    // update by name: only what is given, with the stored @odata.type; shows the result
    env.emulator.clear_requests();
    let updated = env.json(&[
        "extensions",
        "update",
        "Claims from HR",
        "--name",
        "HR claims",
        "--timeout-ms",
        "2000",
    ]);
    assert_eq!(updated["displayName"], "HR claims");
    assert_eq!(
        updated["clientConfiguration"]["timeoutInMilliseconds"],
        2000
    );
    // the retries given at creation are kept (sent again with the new timeout)
    assert_eq!(updated["clientConfiguration"]["maximumRetries"], 1);
    assert_eq!(
        updated["endpointConfiguration"]["targetUrl"],
        "https://api.contoso.example/claims"
    );
    let patches: Vec<_> = env
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].path,
        format!("/v1.0/identity/customAuthenticationExtensions/{id}")
    );

    // validate by id: valid; a configuration of an unknown app: an error and exit 1
    let v = env.json(&["extensions", "validate", &id]);
    assert!(
        no_findings(&v["errors"]) && no_findings(&v["warnings"]),
        "{v}"
    );
    assert_eq!(
        env.table(&["extensions", "validate", "HR claims"]),
        "valid: no errors, no warnings\n"
    );
    let unknown = "f5ea8f8e-6c9a-4f0b-8a4c-2d5c0d39a0b7";
    let assert = env
        .apiconn()
        .args(["extensions", "validate", "--target-url"])
        .arg(format!("https://{HOST}/x"))
        .args(["--api-app-id", unknown])
        .assert()
        .code(1);
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        out.starts_with("LEVEL") && out.contains("\nerror  ServicePrincipalNotFound  "),
        "{out}"
    );
    assert!(
        err.contains("the configuration has 1 error(s): ServicePrincipalNotFound"),
        "{err}"
    );
    // JSON: Graph's object; warnings do not fail
    let v = env.json(&[
        "extensions",
        "validate",
        "--target-url",
        &format!("https://{HOST}/x"),
        "--resource-id",
        &format!("api://{HOST}/{UNGRANTED_APP}"),
    ]);
    assert!(no_findings(&v["errors"]), "{v}");
    assert_eq!(
        v["warnings"][0]["code"],
        "PermissionNotGrantedToServicePrincipal"
    );
    let last = env.emulator.requests().pop().unwrap();
    assert_eq!(last.method, "POST");
    assert_eq!(
        last.path,
        "/v1.0/identity/customAuthenticationExtensions/validateAuthenticationConfiguration"
    );

    // delete by name
    let deleted = env.json(&["extensions", "delete", "HR claims"]);
    assert_eq!(
        deleted,
        json!({"id": id, "displayName": "HR claims", "deleted": true})
    );
    assert_eq!(env.emulator.custom_extensions().len(), 1);
    assert_eq!(
        env.table(&["extensions", "delete", &submit]),
        format!("deleted custom extension {submit}\n")
    );
    assert!(env.emulator.custom_extensions().is_empty());
}

#[test]
fn bad_extension_input_is_refused_before_anything_is_sent() {
    let env = Env::start();
    let id = env.create("onAttributeCollectionStart", "Prefill", "start");
    env.emulator.clear_requests();
    let before = env.emulator.custom_extensions();
    let refused = |args: &[&str], code: i32, message: &str| {
        env.apiconn()
            .args(args)
            .assert()
            .code(code)
            .stderr(predicate::str::contains(message));
    };
    let create = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "extensions",
            "create",
            "--type",
            "onTokenIssuanceStart",
            "--name",
            "X",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let url = format!("https://{HOST}/x");
    let check = |extra: &[&str], code: i32, message: &str| {
        let args = create(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, code, message);
    };
    // plain http
    check(
        &[
            "--target-url",
            "http://api.contoso.example/x",
            "--api-app-id",
            API_APP,
        ],
        1,
        "https",
    );
    // resourceId of another host
    check(
        &[
            "--target-url",
            &url,
            "--resource-id",
            &format!("api://other.example/{API_APP}"),
        ],
        1,
        "DomainNameDoesNotMatch",
    );
    // resourceId not of the form api://{fqdn}/{appId}
    check(
        &[
            "--target-url",
            &url,
            "--resource-id",
            "https://api.contoso.example",
        ],
        1,
        "IncorrectResourceIdFormat",
    );
    check(
        &["--target-url", &url, "--api-app-id", "not-a-guid"],
        1,
        "IncorrectResourceIdFormat",
    );
    // ranges
    check(
        &[
            "--target-url",
            &url,
            "--api-app-id",
            API_APP,
            "--timeout-ms",
            "100",
        ],
        1,
        "outside 200..=2000",
    );
    check(
        &[
            "--target-url",
            &url,
            "--api-app-id",
            API_APP,
            "--max-retries",
            "2",
        ],
        1,
        "not 0 or 1",
    );
    // no resource at all: a usage error
    check(
        &["--target-url", &url],
        2,
        "give --resource-id or --api-app-id",
    );
    // claims only for token issuance start
    refused(
        &[
            "extensions",
            "create",
            "--type",
            "onOtpSend",
            "--name",
            "OTP",
            "--target-url",
            &url,
            "--api-app-id",
            API_APP,
            "--claim",
            "x",
        ],
        1,
        "only for token issuance start",
    );
    // an unknown type is clap's usage error
    refused(
        &[
            "extensions",
            "create",
            "--type",
            "onSomething",
            "--name",
            "x",
        ],
        2,
        "invalid value",
    );
    // update: the type cannot change, nothing to update, host against the stored URL
    refused(
        &[
            "extensions",
            "update",
            &id,
            "--type",
            "onOtpSend",
            "--name",
            "y",
        ],
        1,
        "a type cannot change",
    );
    refused(&["extensions", "update", &id], 2, "nothing to update");
    refused(
        &[
            "extensions",
            "update",
            &id,
            "--resource-id",
            &format!("api://other.example/{API_APP}"),
        ],
        1,
        "DomainNameDoesNotMatch",
    );
    // validate needs an extension or a configuration
    refused(&["extensions", "validate"], 2, "required");
    // beta: a clear usage error
    refused(
        &["--api-version", "beta", "extensions", "list"],
        2,
        "Graph v1.0",
    );
    refused(
        &["--api-version", "beta", "listeners", "list"],
        2,
        "Graph v1.0",
    );
    refused(
        &["--api-version", "beta", "flows", "events", "list"],
        2,
        "Graph v1.0",
    );

    // nothing was written; only the reads of the update's lookups
    assert_eq!(env.writes(), 0, "{:?}", env.emulator.requests());
    assert_eq!(env.emulator.custom_extensions(), before);
}

#[test]
fn names_that_match_several_extensions_are_errors_that_list_them() {
    let env = Env::start();
    let a = env.create("onAttributeCollectionSubmit", "Check", "a");
    let b = env.create("onAttributeCollectionSubmit", "Check", "b");
    env.emulator.clear_requests();
    let assert = env
        .apiconn()
        .args(["extensions", "delete", "Check"])
        .assert()
        .code(1);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("2 custom extensions have the display name 'Check'"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{a}  onAttributeCollectionSubmit  https://{HOST}/a"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{b}  onAttributeCollectionSubmit  https://{HOST}/b"
        )),
        "{err}"
    );
    assert!(err.contains("name the custom extension by its id"), "{err}");
    // a name that differs in case is suggested; an unknown one points at the list
    env.apiconn()
        .args(["extensions", "get", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 'Check'"));
    env.apiconn()
        .args(["extensions", "get", "Nothing"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`apiconn extensions list` shows the custom extensions",
        ));
    // an unknown id: Graph's 404
    env.apiconn()
        .args(["extensions", "get", "f5ea8f8e-6c9a-4f0b-8a4c-2d5c0d39a0b7"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));
    assert_eq!(env.writes(), 0);
    assert_eq!(env.emulator.custom_extensions().len(), 2);
}

#[test]
fn extension_dry_runs_print_the_exact_request_and_send_nothing() {
    let env = Env::start();
    let id = env.create("onTokenIssuanceStart", "Claims", "claims");
    env.emulator.clear_requests();
    let base = env.base();
    let url = format!("https://{HOST}/new");

    // create, as text: the request exactly
    let out = env.table(&[
        "extensions",
        "create",
        "--type",
        "onAttributeCollectionStart",
        "--name",
        "New",
        "--target-url",
        &url,
        "--api-app-id",
        API_APP,
        "--timeout-ms",
        "500",
        "--dry-run",
    ]);
    assert_eq!(
        out,
        format!(
            "POST {base}/v1.0/identity/customAuthenticationExtensions\nAccept: application/json\n\
             Content-Type: application/json\nUser-Agent: apiconn/{}\n\n{}\n",
            env!("CARGO_PKG_VERSION"),
            serde_json::to_string_pretty(&json!({
                "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                    "resourceId": resource(),
                },
                "clientConfiguration": {"timeoutInMilliseconds": 500},
                "displayName": "New",
                "endpointConfiguration": {
                    "@odata.type": "#microsoft.graph.httpRequestEndpoint",
                    "targetUrl": url,
                },
            }))
            .unwrap()
        )
    );

    // update and delete as JSON; a dry run needs no credential
    let plan = |args: &[&str]| {
        let out = support::bare()
            .args(["--base-url", &env.emulator.base_url(), "--json"])
            .args(args)
            .arg("--dry-run")
            .assert()
            .success()
            .stderr(predicate::str::contains("dry run: nothing was sent"))
            .get_output()
            .stdout
            .clone();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["dryRun"], true);
        assert_eq!(v["requests"].as_array().unwrap().len(), 1);
        v["requests"][0].clone()
    };
    let r = plan(&[
        "extensions",
        "update",
        &id,
        "--type",
        "onTokenIssuanceStart",
        "--claim",
        "Role",
    ]);
    assert_eq!(r["method"], "PATCH");
    assert_eq!(
        r["url"],
        format!("{base}/v1.0/identity/customAuthenticationExtensions/{id}")
    );
    assert_eq!(
        r["body"],
        json!({
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
            "claimsForTokenConfiguration": [{"claimIdInApiResponse": "Role"}],
        })
    );
    assert!(r["headers"].get("Authorization").is_none());
    let r = plan(&["extensions", "delete", &id]);
    assert_eq!(r["method"], "DELETE");
    assert_eq!(
        r["url"],
        format!("{base}/v1.0/identity/customAuthenticationExtensions/{id}")
    );
    assert_eq!(r["body"], Value::Null);

    // a dry run cannot look up a name, nor read the type
    env.apiconn()
        .args(["extensions", "delete", "Claims", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "give its id (`apiconn extensions list` shows it)",
        ));
    env.apiconn()
        .args(["extensions", "update", &id, "--name", "x", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs its --type"));
    // validation runs in a dry run too
    env.apiconn()
        .args([
            "extensions",
            "update",
            &id,
            "--type",
            "onTokenIssuanceStart",
        ])
        .args(["--max-retries", "3", "--dry-run"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not 0 or 1"));

    assert!(
        env.emulator.requests().is_empty(),
        "{:?}",
        env.emulator.requests()
    );
    assert_eq!(env.emulator.custom_extensions().len(), 1);
}

#[test]
fn events_flows_create_attach_detach_and_applications() {
    let env = Env::start();
    let start = env.create("onAttributeCollectionStart", "Prefill", "start");
    let submit = env.create("onAttributeCollectionSubmit", "Validate", "submit");

    // create with an application; table and JSON
    let created = env.json(&[
        "flows", "events", "create", "--name", "Sign up", "--app", CLIENT_APP,
    ]);
    let flow = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["displayName"], "Sign up");
    let record = env.emulator.events_flows().pop().unwrap();
    assert_eq!(record.id, flow);
    assert_eq!(record.include_applications, [CLIENT_APP]);

    // attach by names, to start and submit
    let attached = env.json(&[
        "flows",
        "events",
        "attach",
        "Sign up",
        "--step",
        "start",
        "--extension",
        "Prefill",
    ]);
    assert_eq!(
        attached,
        json!({
            "flow": flow,
            "step": "onAttributeCollectionStart",
            "extension": start,
            "extensionDisplayName": "Prefill",
            "attached": true,
        })
    );
    assert_eq!(
        env.table(&[
            "flows",
            "events",
            "attach",
            &flow,
            "--step",
            "submit",
            "--extension",
            &submit
        ]),
        format!("{flow}: onAttributeCollectionSubmit now calls custom extension {submit}\n")
    );
    let record = env.emulator.events_flows().pop().unwrap();
    assert_eq!(
        record
            .on_attribute_collection_start
            .unwrap()
            .handler
            .custom_extension_id
            .as_deref(),
        Some(start.as_str())
    );
    assert_eq!(
        record
            .on_attribute_collection_submit
            .unwrap()
            .handler
            .custom_extension_id
            .as_deref(),
        Some(submit.as_str())
    );

    // get and list show the steps' extensions
    let got = env.json(&["flows", "events", "get", "Sign up"]);
    assert_eq!(
        got["onAttributeCollectionSubmit"]["customExtension"]["id"],
        submit
    );
    let table = env.table(&["flows", "events", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].contains("START EXTENSION") && lines[0].contains("SUBMIT EXTENSION"));
    assert!(lines[1].starts_with(&flow) && lines[1].contains(&start) && lines[1].contains(&submit));
    let listed = env.json(&["flows", "events", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], flow);

    // an extension of the wrong type is refused before sending
    env.emulator.clear_requests();
    env.apiconn()
        .args([
            "flows",
            "events",
            "attach",
            &flow,
            "--step",
            "start",
            "--extension",
            "Validate",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "onAttributeCollectionStartCustomExtension",
        ));
    assert_eq!(env.writes(), 0);

    // detach
    let detached = env.json(&["flows", "events", "detach", &flow, "--step", "start"]);
    assert_eq!(
        detached,
        json!({"flow": flow, "step": "onAttributeCollectionStart", "extension": null, "detached": true})
    );
    let record = env.emulator.events_flows().pop().unwrap();
    assert!(record.on_attribute_collection_start.is_none());
    assert!(record.on_attribute_collection_submit.is_some());

    // applications
    assert_eq!(
        env.json(&["flows", "events", "add-app", "Sign up", "--app", OTHER_APP]),
        json!({"flow": flow, "appId": OTHER_APP, "added": true})
    );
    assert_eq!(
        env.emulator
            .events_flows()
            .pop()
            .unwrap()
            .include_applications,
        [CLIENT_APP, OTHER_APP]
    );
    assert_eq!(
        env.table(&["flows", "events", "remove-app", &flow, "--app", CLIENT_APP]),
        format!("{flow}: no longer applies to application {CLIENT_APP}\n")
    );
    assert_eq!(
        env.emulator
            .events_flows()
            .pop()
            .unwrap()
            .include_applications,
        [OTHER_APP]
    );
    env.apiconn()
        .args(["flows", "events", "add-app", &flow, "--app", "not-a-guid"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a GUID"));

    // delete
    assert_eq!(
        env.json(&["flows", "events", "delete", "Sign up"]),
        json!({"id": flow, "displayName": "Sign up", "deleted": true})
    );
    assert!(env.emulator.events_flows().is_empty());
}

#[test]
fn events_flow_dry_runs_print_the_exact_requests() {
    let env = Env::start();
    let ext = env.create("onAttributeCollectionSubmit", "Validate", "submit");
    let flow = env.json(&["flows", "events", "create", "--name", "Sign up"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.emulator.clear_requests();
    let base = env.base();
    let flows = format!("{base}/v1.0/identity/authenticationEventsFlows");
    let plan = |args: &[&str]| {
        let v = env.json(&[args, &["--dry-run"]].concat());
        assert_eq!(v["requests"].as_array().unwrap().len(), 1, "{v}");
        let r = &v["requests"][0];
        (
            r["method"].as_str().unwrap().to_owned(),
            r["url"].as_str().unwrap().to_owned(),
            r["body"].clone(),
        )
    };
    let flow_type = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow";
    assert_eq!(
        plan(&[
            "flows",
            "events",
            "create",
            "--name",
            "New",
            "--app",
            CLIENT_APP,
            "--identity-provider",
            "EmailPassword-OAUTH",
            "--identity-provider",
            "EmailOtpSignup-OAUTH"
        ]),
        (
            "POST".into(),
            flows.clone(),
            json!({
                "@odata.type": flow_type,
                "displayName": "New",
                "conditions": {"applications": {"includeApplications": [{"appId": CLIENT_APP}]}},
                "onAuthenticationMethodLoadStart": {
                    "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                    "identityProviders": [{"id": "EmailPassword-OAUTH"}, {"id": "EmailOtpSignup-OAUTH"}],
                },
                "onInteractiveAuthFlowStart": {
                    "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                    "isSignUpAllowed": true,
                },
            })
        )
    );
    assert_eq!(
        plan(&[
            "flows",
            "events",
            "attach",
            &flow,
            "--step",
            "submit",
            "--extension",
            &ext
        ]),
        (
            "PATCH".into(),
            format!("{flows}/{flow}"),
            json!({
                "@odata.type": flow_type,
                "onAttributeCollectionSubmit": {
                    "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
                    "customExtension": {"id": ext},
                },
            })
        )
    );
    assert_eq!(
        plan(&["flows", "events", "detach", &flow, "--step", "start"]),
        (
            "PATCH".into(),
            format!("{flows}/{flow}"),
            json!({"@odata.type": flow_type, "onAttributeCollectionStart": null})
        )
    );
    assert_eq!(
        plan(&["flows", "events", "add-app", &flow, "--app", OTHER_APP]),
        (
            "POST".into(),
            format!("{flows}/{flow}/conditions/applications/includeApplications"),
            json!({"appId": OTHER_APP})
        )
    );
    assert_eq!(
        plan(&["flows", "events", "remove-app", &flow, "--app", OTHER_APP]),
        (
            "DELETE".into(),
            format!("{flows}/{flow}/conditions/applications/includeApplications/{OTHER_APP}"),
            Value::Null
        )
    );
    assert_eq!(
        plan(&["flows", "events", "delete", &flow]),
        ("DELETE".into(), format!("{flows}/{flow}"), Value::Null)
    );
    env.apiconn()
        .args([
            "flows",
            "events",
            "attach",
            "Sign up",
            "--step",
            "submit",
            "--extension",
            &ext,
            "--dry-run",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`apiconn flows events list` shows it",
        ));
    assert!(
        env.emulator.requests().is_empty(),
        "{:?}",
        env.emulator.requests()
    );
    assert!(
        env.emulator.events_flows()[0]
            .on_attribute_collection_submit
            .is_none()
    );
}

#[test]
fn token_issuance_listeners_create_list_get_delete() {
    let env = Env::start();
    let ext = env.create("onTokenIssuanceStart", "Claims", "claims");
    let base = env.base();

    // dry run first: the exact body, nothing sent
    env.emulator.clear_requests();
    let v = env.json(&[
        "listeners",
        "create",
        "--extension",
        &ext,
        "--app",
        CLIENT_APP,
        "--priority",
        "500",
        "--dry-run",
    ]);
    assert_eq!(v["requests"][0]["method"], "POST");
    assert_eq!(
        v["requests"][0]["url"],
        format!("{base}/v1.0/identity/authenticationEventListeners")
    );
    assert_eq!(
        v["requests"][0]["body"],
        json!({
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "conditions": {"applications": {"includeApplications": [{"appId": CLIENT_APP}]}},
            "handler": {
                "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
                "customExtension": {"id": ext},
            },
            "priority": 500,
        })
    );
    assert!(env.emulator.requests().is_empty());

    // create by the extension's name
    let created = env.json(&[
        "listeners",
        "create",
        "--extension",
        "Claims",
        "--app",
        CLIENT_APP,
    ]);
    let id = created["id"].as_str().unwrap().to_owned();
    let record = env.emulator.listeners().pop().unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.include_applications, [CLIENT_APP]);

    // list and get
    let table = env.table(&["listeners", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[1].starts_with(&id) && lines[1].contains("onTokenIssuanceStart"));
    assert!(lines[1].contains(&ext) && lines[1].contains(CLIENT_APP));
    assert_eq!(env.json(&["listeners", "list"])[0]["id"], id);
    assert_eq!(
        env.json(&["listeners", "get", &id])["handler"]["customExtension"]["id"],
        ext
    );

    // refused before sending: no app, a priority out of range, an extension of another type
    env.emulator.clear_requests();
    env.apiconn()
        .args(["listeners", "create", "--extension", &ext])
        .assert()
        .code(2);
    env.apiconn()
        .args([
            "listeners",
            "create",
            "--extension",
            &ext,
            "--app",
            CLIENT_APP,
            "--priority",
            "1001",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("outside 0..=1000"));
    env.create("onOtpSend", "OTP", "otp");
    env.emulator.clear_requests();
    env.apiconn()
        .args([
            "listeners",
            "create",
            "--extension",
            "OTP",
            "--app",
            CLIENT_APP,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "onTokenIssuanceStartCustomExtension",
        ));
    assert_eq!(env.writes(), 0);

    // delete: dry run, then for real
    let v = env.json(&["listeners", "delete", &id, "--dry-run"]);
    assert_eq!(v["requests"][0]["method"], "DELETE");
    assert_eq!(
        v["requests"][0]["url"],
        format!("{base}/v1.0/identity/authenticationEventListeners/{id}")
    );
    assert_eq!(env.listeners_len(), 1);
    assert_eq!(
        env.table(&["listeners", "delete", &id]),
        format!("deleted event listener {id}\n")
    );
    assert_eq!(env.listeners_len(), 0);
}

impl Env {
    fn listeners_len(&self) -> usize {
        self.emulator.listeners().len()
    }
}
