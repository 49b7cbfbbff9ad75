//! A [`Configuration`] written as YAML that [`ConfigFile::parse`](crate::ConfigFile::parse) reads
//! back to the same value: every string double-quoted, keys in the configuration's order, sections
//! that are empty and optional left out.

use std::fmt::Write as _;

use crate::export::quote;
use crate::model::{Authentication, Configuration, SecretRef, StepTarget};

/// The configuration as YAML text.
///
/// ```
/// use entra_api_connectors_desired_state::{ConfigFile, Format, write::to_yaml};
/// let text = "tenant: contoso.onmicrosoft.com\napiVersion: v1.0\n";
/// let configuration = ConfigFile::parse(text, Format::Yaml, None, ".")?.configuration()?;
/// let written = to_yaml(&configuration);
/// let again = ConfigFile::parse(&written, Format::Yaml, None, ".")?.configuration()?;
/// assert_eq!(again, configuration);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_yaml(configuration: &Configuration) -> String {
    let mut text = String::new();
    if let Some(schema) = &configuration.schema {
        let _ = writeln!(text, "$schema: {}", quote(schema));
    }
    let _ = writeln!(text, "tenant: {}", quote(&configuration.tenant));
    let _ = writeln!(text, "cloud: {}", configuration.cloud);
    let _ = writeln!(text, "apiVersion: {}", configuration.api_version);
    if configuration.prune {
        text.push_str("prune: true\n");
    }
    if !configuration.connectors.is_empty() || !configuration.has_external_id() {
        section(&mut text, "connectors", configuration.connectors.is_empty());
    }
    for (name, connector) in &configuration.connectors {
        let _ = writeln!(text, "  {}:", quote(name));
        let _ = writeln!(text, "    targetUrl: {}", quote(&connector.target_url));
        text.push_str("    authentication:\n");
        match &connector.authentication {
            Authentication::Basic(basic) => {
                text.push_str("      basic:\n");
                let _ = writeln!(text, "        username: {}", quote(&basic.username));
                let _ = writeln!(text, "        password: {}", secret(&basic.password));
            }
            Authentication::ClientCertificate(certificate) => {
                text.push_str("      clientCertificate:\n");
                let _ = writeln!(
                    text,
                    "        pfx: {}",
                    quote(&certificate.pfx.to_string_lossy())
                );
                let _ = writeln!(text, "        password: {}", secret(&certificate.password));
            }
        }
    }
    if !configuration.user_flows.is_empty() || !configuration.has_external_id() {
        section(&mut text, "userFlows", configuration.user_flows.is_empty());
    }
    for (id, flow) in &configuration.user_flows {
        let _ = writeln!(text, "  {}:", quote(id));
        let _ = writeln!(text, "    family: {}", flow.family);
        if flow.steps.iter().next().is_none() {
            text.push_str("    steps: {}\n");
            continue;
        }
        text.push_str("    steps:\n");
        for (step, target) in flow.steps.iter() {
            match target {
                StepTarget::Connector(name) => {
                    let _ = writeln!(text, "      {step}: {}", quote(name));
                }
                StepTarget::Nothing => {
                    let _ = writeln!(text, "      {step}: null");
                }
            }
        }
    }
    external_sections(configuration, &mut text);
    text
}

/// The External ID sections (`customAuthenticationExtensions`, `eventsFlows`,
/// `tokenIssuanceListeners`), each left out when empty.
pub(crate) fn external_sections(configuration: &Configuration, text: &mut String) {
    let extensions = &configuration.custom_authentication_extensions;
    if !extensions.is_empty() {
        section(text, "customAuthenticationExtensions", false);
    }
    for (name, extension) in extensions {
        let _ = writeln!(text, "  {}:", quote(name));
        let _ = writeln!(text, "    type: {}", extension.event);
        let _ = writeln!(text, "    targetUrl: {}", quote(&extension.target_url));
        let _ = writeln!(text, "    resourceId: {}", quote(&extension.resource_id));
        if let Some(timeout) = extension.timeout_in_milliseconds {
            let _ = writeln!(text, "    timeoutInMilliseconds: {timeout}");
        }
        if let Some(retries) = extension.maximum_retries {
            let _ = writeln!(text, "    maximumRetries: {retries}");
        }
        if !extension.claims.is_empty() {
            let _ = writeln!(text, "    claims: {}", list(&extension.claims));
        }
    }
    if !configuration.events_flows.is_empty() {
        section(text, "eventsFlows", false);
    }
    for (name, flow) in &configuration.events_flows {
        let _ = writeln!(text, "  {}:", quote(name));
        let _ = writeln!(
            text,
            "    includeApplications: {}",
            list(&flow.include_applications)
        );
        for (event, extension) in flow.handlers() {
            let _ = writeln!(text, "    {event}: {}", quote(extension));
        }
        if !flow.attributes.is_empty() {
            let _ = writeln!(text, "    attributes: {}", list(&flow.attributes));
        }
    }
    if !configuration.token_issuance_listeners.is_empty() {
        section(text, "tokenIssuanceListeners", false);
    }
    for (name, listener) in &configuration.token_issuance_listeners {
        let _ = writeln!(text, "  {}:", quote(name));
        let _ = writeln!(
            text,
            "    includeApplications: {}",
            list(&listener.include_applications)
        );
        let _ = writeln!(text, "    extension: {}", quote(&listener.extension));
    }
}

fn section(text: &mut String, key: &str, empty: bool) {
    if empty {
        let _ = writeln!(text, "{key}: {{}}");
    } else {
        let _ = writeln!(text, "{key}:");
    }
}

/// A flow sequence of quoted strings: `["a", "b"]`.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn secret(reference: &SecretRef) -> String {
    match reference {
        SecretRef::Env(name) => format!("{{env: {}}}", quote(name)),
        SecretRef::File(path) => format!("{{file: {}}}", quote(&path.to_string_lossy())),
    }
}
