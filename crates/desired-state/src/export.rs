//! A tenant's state ([`Snapshot`]) written as a configuration file (YAML).
//!
//! Graph returns no secret, so the file refers to them:
//! - every connector's password (basic) or `.pfx` password (certificate) is `{env: VARIABLE}`, with the
//!   variable named by [`variable_names`];
//! - a certificate connector's `.pfx` is a placeholder path, `certificates/<name>.pfx`, and a comment
//!   lists its `certificateList` (thumbprints, validity, which is active) so the reader knows which
//!   `.pfx` to put there.
//!
//! With those variables set and the active certificate's `.pfx` at its placeholder, [`crate::plan()`] of
//! the exported file against the same tenant has no actions. What the format cannot hold is left out
//! with a comment saying so: a connector of an authentication type this crate does not know, a second
//! connector with a display name already used, a step calling a connector that is not exported, and a
//! step the version cannot bind. `prune` is never written.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::model::Cloud;
use crate::snapshot::{AuthenticationSnapshot, ConnectorSnapshot, Snapshot};
use crate::steps::{ApiVersion, bindable_steps};
use crate::tenant::{Tenant, families, read_snapshot};
use crate::tenant_check::TenantError;

/// What the exported file is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTarget {
    /// The tenant id or primary domain.
    pub tenant: String,
    /// Its cloud.
    pub cloud: Cloud,
    /// The Graph version the snapshot was read through.
    pub api_version: ApiVersion,
    /// A JSON Schema location for the `# yaml-language-server: $schema=` line, if any.
    pub schema: Option<String>,
}

/// The exported file and what it needs before it can be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The YAML text.
    pub text: String,
    /// The environment variables it refers to, one per exported connector.
    pub variables: Vec<ExportedSecret>,
    /// The `.pfx` placeholders, one per certificate connector.
    pub certificates: Vec<ExportedCertificate>,
    /// What was left out, and why (also written as comments).
    pub skipped: Vec<String>,
}

/// An environment variable the exported file refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedSecret {
    /// The connector.
    pub display_name: String,
    /// The variable: its password, or its `.pfx` password.
    pub variable: String,
}

/// A `.pfx` the exported file refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedCertificate {
    /// The connector.
    pub display_name: String,
    /// The placeholder, relative to the file's folder.
    pub pfx: PathBuf,
    /// The thumbprint of the active certificate, whose `.pfx` belongs there.
    pub active_thumbprint: Option<String>,
}

/// The name of a connector's secret variable, by connector id: `APICONN_<NAME>_PASSWORD`, where
/// `<NAME>` is the display name with ASCII letters upper-cased, digits kept, and every run of other
/// characters turned into one `_` (trimmed at both ends; `CONNECTOR` if nothing is left). Connectors
/// whose `<NAME>` would be the same get `_<ID>` after it, `<ID>` being the first 8 letters and digits of
/// their id upper-cased, or all of them when 8 are not enough. A name thus depends only on the
/// connector and on which others share its `<NAME>`, never on their order.
pub fn variable_names(connectors: &[&ConnectorSnapshot]) -> BTreeMap<String, String> {
    disambiguate(connectors, '_', true, |c| {
        let stem = stem(&c.display_name, '_', true);
        if stem.is_empty() {
            "CONNECTOR".to_owned()
        } else {
            stem
        }
    })
    .into_iter()
    .map(|(id, stem)| (id, format!("APICONN_{stem}_PASSWORD")))
    .collect()
}

/// The `.pfx` placeholder of each certificate connector, by id: `certificates/<name>.pfx` with
/// `<name>` the display name in lower case with `-` for other characters, disambiguated as in
/// [`variable_names`].
pub fn pfx_placeholders(connectors: &[&ConnectorSnapshot]) -> BTreeMap<String, PathBuf> {
    disambiguate(connectors, '-', false, |c| {
        let stem = stem(&c.display_name, '-', false);
        if stem.is_empty() {
            "connector".to_owned()
        } else {
            stem
        }
    })
    .into_iter()
    .map(|(id, stem)| (id, PathBuf::from(format!("certificates/{stem}.pfx"))))
    .collect()
}

fn stem(name: &str, separator: char, upper: bool) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(separator);
            }
            gap = false;
            out.push(if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            });
        } else {
            gap = true;
        }
    }
    out
}

/// Each connector's stem, with `<separator><id part>` added where stems collide (see [`variable_names`]).
fn disambiguate(
    connectors: &[&ConnectorSnapshot],
    separator: char,
    upper: bool,
    stem_of: impl Fn(&ConnectorSnapshot) -> String,
) -> BTreeMap<String, String> {
    let stems: Vec<(String, String)> = connectors
        .iter()
        .map(|c| (c.id.clone(), stem_of(c)))
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, stem) in &stems {
        *count.entry(stem.as_str()).or_default() += 1;
    }
    let id_part = |id: &str, len: Option<usize>| {
        let alnum = id.chars().filter(char::is_ascii_alphanumeric);
        let part: String = match len {
            Some(n) => alnum.take(n).collect(),
            None => alnum.collect(),
        };
        if upper {
            part.to_ascii_uppercase()
        } else {
            part.to_ascii_lowercase()
        }
    };
    let short: Vec<(String, String)> = stems
        .iter()
        .map(|(id, stem)| {
            if count[stem.as_str()] > 1 {
                (
                    id.clone(),
                    format!("{stem}{separator}{}", id_part(id, Some(8))),
                )
            } else {
                (id.clone(), stem.clone())
            }
        })
        .collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, name) in &short {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    short
        .iter()
        .zip(&stems)
        .map(|((id, name), (_, stem))| {
            if seen[name.as_str()] > 1 {
                (
                    id.clone(),
                    format!("{stem}{separator}{}", id_part(id, None)),
                )
            } else {
                (id.clone(), name.clone())
            }
        })
        .collect()
}

/// A YAML double-quoted scalar: `"` and `\` escaped, and every character YAML cannot carry raw
/// (controls, line separators, the byte-order mark, non-characters) as an escape.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads `tenant` ([`read_snapshot`], at most `concurrency` requests at a time) and writes it as a
/// configuration file naming the tenant by its default domain (its id if it has none), the endpoint's
/// cloud and the tenant's Graph version. `schema` goes into the `$schema` comment.
pub async fn export_tenant<T: Tenant>(
    tenant: &T,
    schema: Option<String>,
    concurrency: usize,
) -> Result<Exported, TenantError> {
    let organization = tenant.organization().await?;
    let version = tenant.api_version();
    let snapshot = read_snapshot(tenant, &families(version, &organization), concurrency).await?;
    let target = ExportTarget {
        tenant: organization
            .default_domain()
            .unwrap_or(&organization.id)
            .to_owned(),
        cloud: tenant.cloud().unwrap_or_default(),
        api_version: version,
        schema,
    };
    Ok(export(&snapshot, &target))
}

/// Writes the snapshot as a configuration file.
pub fn export(snapshot: &Snapshot, target: &ExportTarget) -> Exported {
    let mut skipped = Vec::new();

    // The connectors the format can hold: known authentication, first of each display name (by id).
    let mut sorted: Vec<&ConnectorSnapshot> = snapshot.connectors.iter().collect();
    sorted.sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    let mut exported: Vec<&ConnectorSnapshot> = Vec::new();
    let mut names = BTreeSet::new();
    for connector in sorted {
        if let AuthenticationSnapshot::Unknown { odata_type } = &connector.authentication {
            skipped.push(format!(
                "connector {} (id {}) uses an authentication type this format cannot describe ({})",
                quote(&connector.display_name),
                connector.id,
                odata_type.as_deref().unwrap_or("no @odata.type")
            ));
        } else if !names.insert(connector.display_name.as_str()) {
            skipped.push(format!(
                "connector {} (id {}) has the display name of another connector; display names must be unique",
                quote(&connector.display_name),
                connector.id
            ));
        } else {
            exported.push(connector);
        }
    }
    let variables = variable_names(&exported);
    let certificate_connectors: Vec<&ConnectorSnapshot> = exported
        .iter()
        .copied()
        .filter(|c| {
            matches!(
                c.authentication,
                AuthenticationSnapshot::ClientCertificate { .. }
            )
        })
        .collect();
    let placeholders = pfx_placeholders(&certificate_connectors);
    let by_id: BTreeMap<&str, &ConnectorSnapshot> =
        exported.iter().map(|c| (c.id.as_str(), *c)).collect();

    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Exported from tenant {} ({}, Graph {}).",
        target.tenant, target.cloud, target.api_version
    );
    text.push_str(
        "# Graph returns no secret: set the environment variables named below, and put each certificate\n\
         # connector's active .pfx at its path, before running plan.\n",
    );
    if let Some(schema) = &target.schema {
        let _ = writeln!(text, "# yaml-language-server: $schema={schema}");
    }
    let _ = writeln!(text, "tenant: {}", quote(&target.tenant));
    let _ = writeln!(text, "cloud: {}", target.cloud);
    let _ = writeln!(text, "apiVersion: {}", target.api_version);

    let mut secrets = Vec::new();
    let mut certificates = Vec::new();
    if exported.is_empty() {
        text.push_str("connectors: {}\n");
    } else {
        text.push_str("connectors:\n");
    }
    for connector in &exported {
        let variable = &variables[&connector.id];
        secrets.push(ExportedSecret {
            display_name: connector.display_name.clone(),
            variable: variable.clone(),
        });
        let _ = writeln!(text, "  {}:", quote(&connector.display_name));
        let _ = writeln!(text, "    targetUrl: {}", quote(&connector.target_url));
        match &connector.authentication {
            AuthenticationSnapshot::Basic { username } => {
                text.push_str("    authentication:\n      basic:\n");
                let _ = writeln!(text, "        username: {}", quote(username));
                let _ = writeln!(text, "        password: {{env: {variable}}}");
            }
            AuthenticationSnapshot::ClientCertificate { certificate_list } => {
                let pfx = &placeholders[&connector.id];
                let active = certificate_list.iter().find(|c| c.is_active);
                if certificate_list.is_empty() {
                    text.push_str("    # certificateList is empty.\n");
                } else {
                    text.push_str("    # certificateList:\n");
                    for c in certificate_list {
                        let _ = writeln!(
                            text,
                            "    #   {} notBefore {} notAfter {}{}",
                            c.thumbprint,
                            crate::time::iso8601(c.not_before),
                            crate::time::iso8601(c.not_after),
                            if c.is_active { " (active)" } else { "" }
                        );
                    }
                }
                match active {
                    Some(c) => {
                        let _ = writeln!(
                            text,
                            "    # Put the .pfx of the active certificate ({}) at {}.",
                            c.thumbprint,
                            pfx.display()
                        );
                    }
                    None => text.push_str(
                        "    # No certificate is active: plan will upload the .pfx put here.\n",
                    ),
                }
                text.push_str("    authentication:\n      clientCertificate:\n");
                let _ = writeln!(text, "        pfx: {}", quote(&pfx.to_string_lossy()));
                let _ = writeln!(text, "        password: {{env: {variable}}}");
                certificates.push(ExportedCertificate {
                    display_name: connector.display_name.clone(),
                    pfx: pfx.clone(),
                    active_thumbprint: active.map(|c| c.thumbprint.clone()),
                });
            }
            AuthenticationSnapshot::Unknown { .. } => unreachable!("not exported"),
        }
    }

    let mut flows: Vec<_> = snapshot.user_flows.iter().collect();
    flows.sort_by(|a, b| (&a.id, a.family).cmp(&(&b.id, b.family)));
    let mut flow_text = String::new();
    for flow in flows {
        let Ok(bindable) = bindable_steps(target.api_version, flow.family) else {
            skipped.push(format!(
                "user flow {} is of family {}, which Graph {} does not have",
                quote(&flow.id),
                flow.family,
                target.api_version
            ));
            continue;
        };
        let _ = writeln!(flow_text, "  {}:", quote(&flow.id));
        let _ = writeln!(flow_text, "    family: {}", flow.family);
        let mut steps = String::new();
        for (&step, bound) in &flow.steps {
            let id = bound.as_deref();
            if !bindable.contains(&step) {
                if let Some(id) = id {
                    skipped.push(format!(
                        "step {step} of user flow {} calls connector {id}, but Graph {} cannot bind it; it is left as it is",
                        quote(&flow.id),
                        target.api_version
                    ));
                }
                continue;
            }
            match id {
                None => {
                    let _ = writeln!(steps, "      {step}: null");
                }
                Some(id) => match by_id.get(id) {
                    Some(connector) => {
                        let _ = writeln!(steps, "      {step}: {}", quote(&connector.display_name));
                    }
                    None => skipped.push(format!(
                        "step {step} of user flow {} calls connector {id}, which is not exported; it is left as it is",
                        quote(&flow.id)
                    )),
                },
            }
        }
        if steps.is_empty() {
            flow_text.push_str("    steps: {}\n");
        } else {
            flow_text.push_str("    steps:\n");
            flow_text.push_str(&steps);
        }
    }
    if flow_text.is_empty() {
        text.push_str("userFlows: {}\n");
    } else {
        text.push_str("userFlows:\n");
        text.push_str(&flow_text);
    }
    if !skipped.is_empty() {
        text.push_str("# Left out:\n");
        for reason in &skipped {
            let _ = writeln!(text, "# - {reason}");
        }
    }
    Exported {
        text,
        variables: secrets,
        certificates,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector(id: &str, name: &str) -> ConnectorSnapshot {
        ConnectorSnapshot {
            id: id.into(),
            display_name: name.into(),
            target_url: "https://a.example".into(),
            authentication: AuthenticationSnapshot::Basic {
                username: "u".into(),
            },
        }
    }

    #[test]
    fn variable_names_follow_the_rule_and_never_collide() {
        let list = [
            connector(
                "0a1b2c3d-0000-0000-0000-000000000001",
                "Validate postal code",
            ),
            connector("1111aaaa-0000-0000-0000-000000000002", "A-B"),
            connector("2222bbbb-0000-0000-0000-000000000003", "a b"),
            connector("3333cccc-0000-0000-0000-000000000004", "日本"),
            connector(
                "4444dddd-0000-0000-0000-000000000005",
                "  Ünïcode -- check!  ",
            ),
            connector("5555eeee-0000-0000-0000-000000000006", "x PASSWORD"),
            connector("6666ffff-0000-0000-0000-000000000007", "x"),
            // Two whose ids share their first 8 letters and digits.
            connector("77777777-aaaa-0000-0000-000000000008", "Same"),
            connector("77777777-bbbb-0000-0000-000000000009", "SAME"),
        ];
        let refs: Vec<&ConnectorSnapshot> = list.iter().collect();
        let names = variable_names(&refs);
        let by_name = |i: usize| names[&list[i].id].as_str();
        assert_eq!(by_name(0), "APICONN_VALIDATE_POSTAL_CODE_PASSWORD");
        assert_eq!(by_name(1), "APICONN_A_B_1111AAAA_PASSWORD");
        assert_eq!(by_name(2), "APICONN_A_B_2222BBBB_PASSWORD");
        assert_eq!(by_name(3), "APICONN_CONNECTOR_PASSWORD");
        assert_eq!(by_name(4), "APICONN_N_CODE_CHECK_PASSWORD");
        assert_eq!(by_name(5), "APICONN_X_PASSWORD_PASSWORD");
        assert_eq!(by_name(6), "APICONN_X_PASSWORD");
        assert_eq!(
            by_name(7),
            "APICONN_SAME_77777777AAAA00000000000000000008_PASSWORD"
        );
        assert_eq!(
            by_name(8),
            "APICONN_SAME_77777777BBBB00000000000000000009_PASSWORD"
        );
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), list.len());
        // Order does not matter.
        let reversed: Vec<&ConnectorSnapshot> = list.iter().rev().collect();
        assert_eq!(variable_names(&reversed), names);

        let pfx = pfx_placeholders(&refs);
        assert_eq!(
            pfx[&list[0].id],
            PathBuf::from("certificates/validate-postal-code.pfx")
        );
        assert_eq!(
            pfx[&list[1].id],
            PathBuf::from("certificates/a-b-1111aaaa.pfx")
        );
        assert_eq!(
            pfx[&list[3].id],
            PathBuf::from("certificates/connector.pfx")
        );
    }

    #[test]
    fn quoting_escapes_what_yaml_cannot_carry() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote("line\nbreak\ttab"), r#""line\nbreak\ttab""#);
        assert_eq!(
            quote("\u{7}\u{85}\u{2028}\u{feff}"),
            r#""\u0007\u0085\u2028\uFEFF""#
        );
        assert_eq!(quote("é 🔑"), "\"é 🔑\"");
    }
}
