//! The External ID sections of the file: parsed, validated with line and column, written back.

use entra_api_connectors_desired_state::model::ExtensionEvent;
use entra_api_connectors_desired_state::write::to_yaml;
use entra_api_connectors_desired_state::{
    ConfigErrorKind, ConfigFile, FixedEnvironment, Format, validate,
};

const GOOD: &str = r#"tenant: contosoexternal.onmicrosoft.com
apiVersion: v1.0
customAuthenticationExtensions:
  Validate postal code:
    type: onAttributeCollectionSubmit
    targetUrl: https://api.contoso.com/validate
    resourceId: api://api.contoso.com/11111111-2222-3333-4444-555555555555
    timeoutInMilliseconds: 2000
    maximumRetries: 1
  Prefill:
    type: onAttributeCollectionStart
    targetUrl: https://api.contoso.com/prefill
    resourceId: api://api.contoso.com/11111111-2222-3333-4444-555555555555
  Claims:
    type: onTokenIssuanceStart
    targetUrl: https://api.contoso.com/claims
    resourceId: api://API.contoso.com/11111111-2222-3333-4444-555555555555
    claims: [loyaltyNumber, tier]
eventsFlows:
  Sign up:
    includeApplications: [aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee]
    onAttributeCollectionStart: Prefill
    onAttributeCollectionSubmit: Validate postal code
tokenIssuanceListeners:
  Web tokens:
    includeApplications: [aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee]
    extension: Claims
"#;

fn errors(text: &str) -> Vec<(String, ConfigErrorKind)> {
    let file = ConfigFile::parse(text, Format::Yaml, Some("x.yaml".as_ref()), ".").unwrap();
    validate(&file, &FixedEnvironment::new(0))
        .unwrap_err()
        .errors()
        .iter()
        .map(|e| (e.to_string(), e.kind.clone()))
        .collect()
}

#[test]
fn a_good_file_validates_and_writes_back_to_the_same_configuration() {
    let file = ConfigFile::parse(GOOD, Format::Yaml, None, ".").unwrap();
    let configuration = file.configuration().unwrap();
    let desired = validate(&file, &FixedEnvironment::new(0)).unwrap();
    let submit = &desired.custom_extensions["Validate postal code"];
    assert_eq!(submit.event, ExtensionEvent::OnAttributeCollectionSubmit);
    assert_eq!(submit.timeout_in_milliseconds, Some(2000));
    assert_eq!(desired.custom_extensions["Prefill"].maximum_retries, None);
    assert_eq!(
        desired.custom_extensions["Claims"].claims,
        ["loyaltyNumber", "tier"]
    );
    assert_eq!(
        desired.events_flows["Sign up"]
            .on_attribute_collection_start
            .as_deref(),
        Some("Prefill")
    );
    assert_eq!(
        desired.token_issuance_listeners["Web tokens"].extension,
        "Claims"
    );
    let written = to_yaml(&configuration);
    let again = ConfigFile::parse(&written, Format::Yaml, None, ".")
        .unwrap()
        .configuration()
        .unwrap();
    assert_eq!(again, configuration);
}

#[test]
fn each_value_out_of_bounds_is_reported_where_it_is() {
    let text = GOOD
        .replace(
            "targetUrl: https://api.contoso.com/validate",
            "targetUrl: http://api.contoso.com/validate",
        )
        .replace(
            "timeoutInMilliseconds: 2000",
            "timeoutInMilliseconds: 20000",
        )
        .replace("maximumRetries: 1", "maximumRetries: 2")
        .replace(
            "resourceId: api://api.contoso.com/11111111-2222-3333-4444-555555555555\n  Claims",
            "resourceId: api://other.contoso.com/11111111-2222-3333-4444-555555555555\n  Claims",
        )
        .replace(
            "resourceId: api://API.contoso.com/11111111-2222-3333-4444-555555555555",
            "resourceId: https://api.contoso.com/x",
        );
    let found: Vec<String> = errors(&text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        found,
        [
            "x.yaml:6:16: targetUrl http://api.contoso.com/validate uses http; Graph calls API connectors over https only",
            "x.yaml:8:28: timeoutInMilliseconds 20000 is outside 200..=2000",
            "x.yaml:9:21: maximumRetries 2 is outside 0..=1",
            "x.yaml:13:17: resourceId host other.contoso.com is not the target URL's host api.contoso.com (DomainNameDoesNotMatch)",
            "x.yaml:17:17: resourceId is not of the form api://{fully qualified domain name}/{appId} (IncorrectResourceIdFormat)",
        ]
    );
}

#[test]
fn handlers_and_listeners_must_name_a_defined_extension_of_their_event() {
    let text = GOOD
        .replace(
            "onAttributeCollectionStart: Prefill",
            "onAttributeCollectionStart: Validate postal code",
        )
        .replace(
            "onAttributeCollectionSubmit: Validate postal code",
            "onAttributeCollectionSubmit: Missing",
        )
        .replace("extension: Claims", "extension: Prefill");
    let found = errors(&text);
    let kinds: Vec<&ConfigErrorKind> = found.iter().map(|(_, k)| k).collect();
    assert!(
        matches!(
            kinds[..],
            [
                ConfigErrorKind::ExtensionEventMismatch {
                    expected: ExtensionEvent::OnAttributeCollectionStart,
                    found: ExtensionEvent::OnAttributeCollectionSubmit,
                    ..
                },
                ConfigErrorKind::UndefinedExtension { .. },
                ConfigErrorKind::ExtensionEventMismatch {
                    expected: ExtensionEvent::OnTokenIssuanceStart,
                    found: ExtensionEvent::OnAttributeCollectionStart,
                    ..
                },
            ]
        ),
        "{found:?}"
    );
    assert_eq!(
        found[1].0,
        "x.yaml:23:34: handler onAttributeCollectionSubmit of events flow \"Sign up\" names custom extension \"Missing\", which the file does not define"
    );
    assert_eq!(
        found[2].0,
        "x.yaml:27:16: token issuance listener \"Web tokens\" needs an extension of type onTokenIssuanceStart, but \"Prefill\" is of type onAttributeCollectionStart"
    );
}

#[test]
fn applications_claims_and_the_graph_version_are_checked() {
    let text = GOOD
        .replace(
            "    includeApplications: [aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee]\n    onAttributeCollectionStart",
            "    includeApplications: [web-app]\n    onAttributeCollectionStart",
        )
        .replace(
            "    includeApplications: [aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee]\n    extension",
            "    includeApplications: []\n    extension",
        )
        .replace(
            "    maximumRetries: 1\n",
            "    maximumRetries: 1\n    claims: [x]\n",
        );
    let found: Vec<String> = errors(&text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        found,
        [
            "x.yaml:10:5: claims are for onTokenIssuanceStart extensions only, not onAttributeCollectionSubmit",
            "x.yaml:22:27: application id \"web-app\" is not a GUID",
            "x.yaml:27:26: a token issuance listener needs at least one application",
        ]
    );

    let beta = GOOD.replace("apiVersion: v1.0", "apiVersion: beta");
    let found: Vec<String> = errors(&beta).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        found,
        [
            "x.yaml:3:1: customAuthenticationExtensions needs apiVersion v1.0 (the client has no custom extensions, events flows or listeners on Graph beta)",
            "x.yaml:19:1: eventsFlows needs apiVersion v1.0 (the client has no custom extensions, events flows or listeners on Graph beta)",
            "x.yaml:24:1: tokenIssuanceListeners needs apiVersion v1.0 (the client has no custom extensions, events flows or listeners on Graph beta)",
        ]
    );
}

#[test]
fn structure_errors_in_the_new_sections_have_positions() {
    let text = GOOD
        .replace("type: onAttributeCollectionStart", "type: onOtpSend")
        .replace("timeoutInMilliseconds: 2000", "timeout: 2000");
    let file = ConfigFile::parse(&text, Format::Yaml, Some("x.yaml".as_ref()), ".").unwrap();
    let errors = file.configuration().unwrap_err();
    let messages: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("x.yaml:8:5:"), "{messages:?}");
    assert!(messages[0].contains("timeout"), "{messages:?}");
    assert!(messages[1].starts_with("x.yaml:11:11:"), "{messages:?}");
    assert!(messages[1].contains("onOtpSend"), "{messages:?}");
}

#[test]
fn a_flow_lists_each_attribute_once_and_none_empty() {
    let text = GOOD.replace(
        "    onAttributeCollectionSubmit: Validate postal code\n",
        "    onAttributeCollectionSubmit: Validate postal code\n    attributes: [email, postalCode, \"\", PostalCode, \" city\", \"..\"]\n",
    );
    let messages: Vec<String> = errors(&text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        messages,
        [
            "x.yaml:24:37: attribute id is empty (at eventsFlows.\"Sign up\".attributes[2])",
            "x.yaml:24:41: attribute PostalCode is listed twice (at eventsFlows.\"Sign up\".attributes[3])",
            "x.yaml:24:53: attribute id \" city\" is not a valid id (at eventsFlows.\"Sign up\".attributes[4])",
            "x.yaml:24:62: attribute id \"..\" is not a valid id (at eventsFlows.\"Sign up\".attributes[5])",
        ]
    );
    // A good list is kept in order and written back.
    let text = GOOD.replace(
        "    onAttributeCollectionSubmit: Validate postal code\n",
        "    onAttributeCollectionSubmit: Validate postal code\n    attributes: [email, postalCode]\n",
    );
    let file = ConfigFile::parse(&text, Format::Yaml, None, ".").unwrap();
    let desired = validate(&file, &FixedEnvironment::new(0)).unwrap();
    assert_eq!(
        desired.events_flows["Sign up"].attributes,
        ["email", "postalCode"]
    );
    let written = to_yaml(&file.configuration().unwrap());
    assert!(written.contains("attributes:"), "{written}");
    let again = ConfigFile::parse(&written, Format::Yaml, None, ".").unwrap();
    assert_eq!(
        again.configuration().unwrap(),
        file.configuration().unwrap()
    );
}
