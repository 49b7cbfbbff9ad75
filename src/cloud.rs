//! Microsoft Graph national cloud deployments.
//!
//! Hosts come from "Microsoft Graph national cloud deployments"
//! (<https://learn.microsoft.com/graph/deployments>): the Microsoft Graph service root and the
//! Microsoft Entra ID (token service) root for each cloud. The `.default` scope must use the
//! Graph host of the same cloud (<https://learn.microsoft.com/graph/sdks/national-clouds>).

use std::fmt;
use std::str::FromStr;

use url::Url;

/// A Microsoft Graph deployment: the Graph host and the Entra ID authority that issues its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// Microsoft Graph global service (`graph.microsoft.com`).
    #[default]
    Global,
    /// Microsoft Graph for US Government L4 (GCC High) (`graph.microsoft.us`).
    UsGovL4,
    /// Microsoft Graph for US Government L5 (DoD) (`dod-graph.microsoft.us`).
    UsGovDoD,
    /// Microsoft Graph China operated by 21Vianet (`microsoftgraph.chinacloudapi.cn`).
    China,
}

impl Cloud {
    /// Every cloud, in declaration order.
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::UsGovL4, Cloud::UsGovDoD, Cloud::China];

    /// Host name of the Microsoft Graph service root.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGovL4 => "graph.microsoft.us",
            Cloud::UsGovDoD => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// Host name of the Microsoft Entra ID token service (the "authority host").
    pub fn authority_host_name(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            // Both US Government clouds share one Entra ID endpoint.
            Cloud::UsGovL4 | Cloud::UsGovDoD => "login.microsoftonline.us",
            Cloud::China => "login.chinacloudapi.cn",
        }
    }

    /// Microsoft Graph service root, e.g. `https://graph.microsoft.com/`.
    pub fn graph_endpoint(self) -> Url {
        https_root(self.graph_host())
    }

    /// Entra ID authority host, e.g. `https://login.microsoftonline.com/`.
    pub fn authority_host(self) -> Url {
        https_root(self.authority_host_name())
    }

    /// The app-only scope for Microsoft Graph in this cloud, e.g.
    /// `https://graph.microsoft.com/.default`.
    pub fn default_scope(self) -> String {
        format!("https://{}/.default", self.graph_host())
    }

    /// Canonical name, as accepted by [`FromStr`] and printed by [`Display`](fmt::Display).
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "us-gov",
            Cloud::UsGovDoD => "us-gov-dod",
            Cloud::China => "china",
        }
    }
}

fn https_root(host: &str) -> Url {
    Url::parse(&format!("https://{host}/")).expect("static host names are valid URLs")
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error returned when parsing an unknown cloud name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud `{input}`; expected one of: global, us-gov, us-gov-dod, china")]
pub struct ParseCloudError {
    input: String,
}

impl FromStr for Cloud {
    type Err = ParseCloudError;

    /// Parses a canonical name or a common alias, ignoring case, `_` vs `-` and surrounding
    /// whitespace: `global` (`public`, `azure`, `commercial`), `us-gov` (`usgov`, `us-gov-l4`,
    /// `gcc-high`, `usgovernment`), `us-gov-dod` (`dod`, `us-gov-l5`), `china` (`cn`,
    /// `21vianet`, `azurechina`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let cloud = match key.as_str() {
            "global" | "public" | "azure" | "commercial" | "azurecloud" | "azure-public" => {
                Cloud::Global
            }
            "us-gov" | "usgov" | "us-gov-l4" | "usgovl4" | "gcc-high" | "gcchigh"
            | "usgovernment" | "azureusgovernment" => Cloud::UsGovL4,
            "us-gov-dod" | "usgovdod" | "dod" | "us-gov-l5" | "usgovl5" => Cloud::UsGovDoD,
            "china" | "cn" | "21vianet" | "azurechina" | "azurechinacloud" => Cloud::China,
            _ => {
                return Err(ParseCloudError {
                    input: s.to_owned(),
                });
            }
        };
        Ok(cloud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_match_national_cloud_table() {
        let table = [
            (
                Cloud::Global,
                "https://graph.microsoft.com/",
                "https://login.microsoftonline.com/",
            ),
            (
                Cloud::UsGovL4,
                "https://graph.microsoft.us/",
                "https://login.microsoftonline.us/",
            ),
            (
                Cloud::UsGovDoD,
                "https://dod-graph.microsoft.us/",
                "https://login.microsoftonline.us/",
            ),
            (
                Cloud::China,
                "https://microsoftgraph.chinacloudapi.cn/",
                "https://login.chinacloudapi.cn/",
            ),
        ];
        for (cloud, graph, authority) in table {
            assert_eq!(cloud.graph_endpoint().as_str(), graph, "{cloud}");
            assert_eq!(cloud.authority_host().as_str(), authority, "{cloud}");
            assert_eq!(cloud.default_scope(), format!("{graph}.default"), "{cloud}");
        }
    }

    #[test]
    fn display_round_trips_through_from_str() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(cloud));
        }
        assert_eq!(Cloud::default(), Cloud::Global);
    }

    #[test]
    fn aliases_are_accepted() {
        assert_eq!(" Public ".parse(), Ok(Cloud::Global));
        assert_eq!("US_GOV".parse(), Ok(Cloud::UsGovL4));
        assert_eq!("gcc-high".parse(), Ok(Cloud::UsGovL4));
        assert_eq!("dod".parse(), Ok(Cloud::UsGovDoD));
        assert_eq!("us-gov-l5".parse(), Ok(Cloud::UsGovDoD));
        assert_eq!("AzureChinaCloud".parse(), Ok(Cloud::China));
    }

    #[test]
    fn unknown_name_is_a_clear_error() {
        let err = "germany".parse::<Cloud>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown cloud `germany`; expected one of: global, us-gov, us-gov-dod, china"
        );
    }
}
