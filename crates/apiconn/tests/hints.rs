//! A 403 names the Graph permission the operation needs, next to Graph's own message: the binary
//! against a server on 127.0.0.1 that refuses every request as Graph does without the permission.

use serde_json::json;

mod support;

use support::recording_server::RecordingServer;

const ID: &str = "be1f769b-9b13-437e-b540-79a905c4932c";

#[test]
fn a_403_names_the_permission_of_the_operation() {
    let graph = RecordingServer::http_status(
        403,
        json!({"error": {
            "code": "Authorization_RequestDenied",
            "message": "Insufficient privileges to complete the operation.",
        }}),
    );
    let base = graph.url.trim_end_matches('/').to_string();
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "pw").unwrap();
    let pw = pw.to_str().unwrap();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["connectors", "list"],
            "listing API connectors",
            "APIConnectors.ReadWrite.All",
        ),
        (
            &["connectors", "get", ID],
            "reading an API connector",
            "APIConnectors.ReadWrite.All",
        ),
        (
            &[
                "connectors",
                "create",
                "--name",
                "x",
                "--target-url",
                "https://x.example",
                "--username",
                "u",
                "--password-file",
                pw,
                "--allow-duplicate",
            ],
            "creating an API connector",
            "APIConnectors.ReadWrite.All",
        ),
        (
            &["flows", "list"],
            "listing user flows",
            "IdentityUserFlow.Read.All",
        ),
        (
            &["flows", "show", "B2X_1_PartnerSignUp"],
            "reading a user flow's API connector configuration",
            "IdentityUserFlow.ReadWrite.All",
        ),
        (
            &[
                "flows",
                "detach",
                "B2X_1_PartnerSignUp",
                "--step",
                "postAttributeCollection",
            ],
            "changing a user flow's API connector configuration",
            "IdentityUserFlow.ReadWrite.All",
        ),
    ];
    for (args, what, permission) in cases {
        let assert = support::bare()
            .env("GRAPH_TOKEN", "t")
            .args(["--base-url", &base])
            .args(args)
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("apiconn: error: Graph error 403")
                && lines[0].contains("Authorization_RequestDenied")
                && lines[0].contains("Insufficient privileges"),
            "{err}"
        );
        assert!(
            lines[1].starts_with(&format!(
                "apiconn: hint: {what} needs the Microsoft Graph permission {permission}"
            )),
            "{args:?}: {err}"
        );
    }
    assert!(graph.requests().len() >= cases.len());
}
