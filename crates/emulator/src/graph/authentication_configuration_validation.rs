//! The checks of `validateAuthenticationConfiguration` (`docs/graph-behaviour.md` §7.3), shared
//! with the sign-up service, which fails a call with the matching troubleshooting code when a check
//! fails (`custom-extensions-contract.md` §6.1: 1003014, 1003015, 1003016, 1003019, 1003020,
//! 1003021).
//!
//! 1. `resourceId` is `api://{host}/{appId}`: `{host}` a DNS name (letters, digits, hyphens and
//!    dots; no port, no path), `{appId}` a GUID; otherwise `IncorrectResourceIdFormat`, and 2 and 3
//!    are skipped.
//! 2. `{host}` equals the `targetUrl`'s host, ASCII case-insensitively: `DomainNameDoesNotMatch`.
//! 3. `{appId}` is a service principal of the tenant: `ServicePrincipalNotFound`.
//! 4. Warning: that service principal lacks the receive-payload permission.
//! 5. `targetUrl` is an absolute `https` URL (emulator-only: or `http` to a loopback host):
//!    `IncorrectTargetUrlFormat`, a code of ours named after 1003020.

use crate::App;
use crate::signup::is_loopback;

/// A failed check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finding {
    IncorrectResourceIdFormat,
    DomainNameDoesNotMatch,
    ServicePrincipalNotFound,
    /// Runtime only (1003019): the validation does not report it.
    ServicePrincipalDisabled,
    IncorrectTargetUrlFormat,
    PermissionNotGrantedToServicePrincipal,
}

impl Finding {
    /// The code in `authenticationConfigurationValidation`.
    pub fn code(self) -> &'static str {
        match self {
            Finding::IncorrectResourceIdFormat => "IncorrectResourceIdFormat",
            Finding::DomainNameDoesNotMatch => "DomainNameDoesNotMatch",
            Finding::ServicePrincipalNotFound => "ServicePrincipalNotFound",
            Finding::ServicePrincipalDisabled => "ServicePrincipalDisabled",
            Finding::IncorrectTargetUrlFormat => "IncorrectTargetUrlFormat",
            Finding::PermissionNotGrantedToServicePrincipal => {
                "PermissionNotGrantedToServicePrincipal"
            }
        }
    }

    /// The message; the documented ones verbatim (validate page, both examples).
    pub fn message(self) -> &'static str {
        match self {
            Finding::IncorrectResourceIdFormat => {
                "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'"
            }
            Finding::DomainNameDoesNotMatch => {
                "The fully qualified domain name in resourceId should match that of the targetUrl"
            }
            Finding::ServicePrincipalNotFound => {
                "The appId of the resourceId should correspond to a real service principal in the tenant"
            }
            Finding::ServicePrincipalDisabled => {
                "The service principal of the resource app is disabled in the tenant"
            }
            Finding::IncorrectTargetUrlFormat => {
                "TargetUrl should be a valid URL that starts with https"
            }
            Finding::PermissionNotGrantedToServicePrincipal => {
                "The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service principal of the resource app"
            }
        }
    }
}

/// `(host, appId)` of a well-formed `resourceId`.
pub(crate) fn parse_resource_id(resource_id: &str) -> Option<(&str, &str)> {
    let rest = resource_id
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("api://"))
        .map(|_| &resource_id[6..])?;
    let (host, app_id) = rest.split_once('/')?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !host.split('.').all(label_ok) {
        return None;
    }
    let guid = app_id.len() == 36 && uuid::Uuid::parse_str(app_id).is_ok();
    guid.then_some((host, app_id))
}

/// Whether the service may call `target_url`.
fn target_url_ok(target_url: Option<&str>) -> bool {
    target_url
        .and_then(|u| url::Url::parse(u).ok())
        .is_some_and(|u| {
            u.host_str().is_some()
                && (u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)))
        })
}

/// Every finding for a configuration, in the order of the troubleshooting table (14, 15, 16,
/// 19, 20, 21).
pub(crate) fn check(
    app: &App,
    target_url: Option<&str>,
    resource_id: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    match resource_id.and_then(parse_resource_id) {
        None => out.push(Finding::IncorrectResourceIdFormat),
        Some((host, app_id)) => {
            let target_host = target_url
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned));
            if !target_host.is_some_and(|t| t.eq_ignore_ascii_case(host)) {
                out.push(Finding::DomainNameDoesNotMatch);
            }
            match app.service_principal(app_id) {
                None => out.push(Finding::ServicePrincipalNotFound),
                Some(sp) => {
                    if !sp.enabled {
                        out.push(Finding::ServicePrincipalDisabled);
                    }
                    if !sp.receive_payload_granted {
                        out.push(Finding::PermissionNotGrantedToServicePrincipal);
                    }
                }
            }
        }
    }
    if !target_url_ok(target_url) {
        let at = out
            .iter()
            .position(|f| *f == Finding::PermissionNotGrantedToServicePrincipal)
            .unwrap_or(out.len());
        out.insert(at, Finding::IncorrectTargetUrlFormat);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids() {
        let app = "a13d0fc1-04ab-4ede-b215-63de0174cbb4";
        assert_eq!(
            parse_resource_id(&format!("api://authenticationeventsAPI.contoso.com/{app}")),
            Some(("authenticationeventsAPI.contoso.com", app))
        );
        assert_eq!(
            parse_resource_id(&format!("API://localhost/{app}")),
            Some(("localhost", app))
        );
        for bad in [
            format!("https://contoso.com/{app}"),
            format!("api://contoso.com:443/{app}"),
            format!("api://contoso.com/x/{app}"),
            "api://contoso.com/not-a-guid".to_owned(),
            format!("api:///{app}"),
            format!("api://-bad.com/{app}"),
            "{functionApp_IdentifierUri}".to_owned(),
            app.to_owned(),
        ] {
            assert_eq!(parse_resource_id(&bad), None, "{bad}");
        }
    }
}
