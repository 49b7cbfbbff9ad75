//! The tenant a credential is for: `GET /organization` (the collection of exactly one
//! organization), with its id, type and verified domains.
//!
//! Graph's reference (`organization-list`) needs `Organization.Read.All` (application) or
//! `User.Read` (delegated, which reads only `id`, `displayName` and `verifiedDomains`; the other
//! properties come back `null`). The spec slice has no `organization` type, so this call is
//! handwritten.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::version::Version;

/// The tenant's organization, as far as telling tenants apart needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The tenant id (a GUID).
    pub id: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `AAD` (workforce), `AAD B2C`, or `CIAM` (an External ID external tenant,
    /// `docs/graph-behaviour.md` §13); `null` with `User.Read` only.
    #[serde(default)]
    pub tenant_type: Option<String>,
    /// The verified domains.
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

/// One of the tenant's verified domains.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// The domain name, e.g. `contoso.onmicrosoft.com`.
    pub name: String,
    /// Whether it is the default domain.
    #[serde(default)]
    pub is_default: bool,
    /// Whether it is the initial `*.onmicrosoft.com` domain.
    #[serde(default)]
    pub is_initial: bool,
}

impl Organization {
    /// Whether this is an Azure AD B2C tenant (`tenantType` `AAD B2C`).
    pub fn is_b2c(&self) -> bool {
        self.tenant_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("AAD B2C"))
    }

    /// Whether this is a Microsoft Entra External ID external tenant (`tenantType` `CIAM`), which
    /// has events flows instead of user flows.
    pub fn is_external(&self) -> bool {
        self.tenant_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("CIAM"))
    }

    /// The default domain, else the initial one, else the first.
    pub fn default_domain(&self) -> Option<&str> {
        let by = |f: fn(&VerifiedDomain) -> bool| self.verified_domains.iter().find(|d| f(d));
        by(|d| d.is_default)
            .or_else(|| by(|d| d.is_initial))
            .or(self.verified_domains.first())
            .map(|d| d.name.as_str())
    }

    /// Whether `tenant` names this tenant: its id or one of its verified domains (ASCII case
    /// ignored).
    pub fn is_named(&self, tenant: &str) -> bool {
        let tenant = tenant.trim();
        self.id.eq_ignore_ascii_case(tenant)
            || self
                .verified_domains
                .iter()
                .any(|d| d.name.eq_ignore_ascii_case(tenant))
    }
}

#[derive(Deserialize)]
struct Collection {
    value: Vec<Organization>,
}

impl<V: Version> Graph<V> {
    /// The tenant's organization (`GET /organization?$select=id,displayName,tenantType,verifiedDomains`).
    pub async fn organization(&self) -> Result<Organization> {
        let mut url = self.entity_url(&["organization"]);
        url.query_pairs_mut()
            .append_pair("$select", "id,displayName,tenantType,verifiedDomains");
        let request = self
            .transport()
            .http()
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(Error::transport)?;
        let (status, body) = self.transport().send(request).await?;
        let decode = |message: String| Error::Decode {
            status: Some(status),
            message,
            excerpt: String::new(),
        };
        let collection: Collection =
            serde_json::from_slice(&body).map_err(|e| decode(e.to_string()))?;
        let mut value = collection.value;
        match value.len() {
            1 => Ok(value.remove(0)),
            n => Err(decode(format!(
                "expected exactly one organization, got {n}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_id_or_verified_domain() {
        let org: Organization = serde_json::from_value(serde_json::json!({
            "id": "0B7A7C4E-1F2D-4C3B-9A8E-5D6F7A8B9C0D",
            "tenantType": "AAD B2C",
            "verifiedDomains": [
                {"name": "contoso.onmicrosoft.com", "isInitial": true},
                {"name": "login.contoso.com", "isDefault": true}
            ]
        }))
        .unwrap();
        assert!(org.is_b2c());
        assert!(org.is_named("0b7a7c4e-1f2d-4c3b-9a8e-5d6f7a8b9c0d"));
        assert!(org.is_named("Contoso.onmicrosoft.com"));
        assert!(org.is_named("login.contoso.com"));
        assert!(!org.is_named("fabrikam.onmicrosoft.com"));
        assert_eq!(org.default_domain(), Some("login.contoso.com"));
        let plain: Organization =
            serde_json::from_value(serde_json::json!({"id": "x", "tenantType": null})).unwrap();
        assert!(!plain.is_b2c());
        assert!(!plain.is_external());
        assert_eq!(plain.default_domain(), None);
        for (value, external) in [
            ("CIAM", true),
            ("ciam", true),
            ("AAD", false),
            ("AAD B2C", false),
        ] {
            let org: Organization =
                serde_json::from_value(serde_json::json!({"id": "x", "tenantType": value}))
                    .unwrap();
            assert_eq!(org.is_external(), external, "{value}");
            assert_eq!(org.is_b2c(), value == "AAD B2C", "{value}");
        }
    }
}
