//! The one HTTP client every request goes through (Graph, the token endpoints of the credentials,
//! the emulator's simulate route): proxy, timeouts and user agent.
//!
//! reqwest reads `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case
//! forms) itself, with or without its `system-proxy` feature, which only adds the macOS and Windows
//! settings. `--proxy URL` replaces the three proxy variables; `NO_PROXY` still applies to it, as it
//! does for curl.

use std::time::Duration;

use url::Url;

use crate::Failure;
use crate::cli::Global;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("apiconn/", env!("CARGO_PKG_VERSION"));

/// The client for every request of this run.
pub fn http_client(global: &Global) -> Result<reqwest::Client, Failure> {
    // reqwest is built with `rustls-no-provider`: install ring unless a provider already is.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(100))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(USER_AGENT);
    if let Some(url) = &global.proxy {
        builder = builder.proxy(proxy(url)?);
    }
    builder
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot set up the HTTP client: {e}")))
}

/// `--proxy URL`: an `http` or `https` URL; `NO_PROXY` still applies.
fn proxy(text: &str) -> Result<reqwest::Proxy, Failure> {
    let url = Url::parse(text)
        .map_err(|e| Failure::Usage(format!("--proxy {}: not a URL: {e}", redact(text))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Failure::Usage(format!(
            "--proxy {}: an http:// or https:// URL is needed",
            redact(text)
        )));
    }
    let proxy = reqwest::Proxy::all(url.as_str())
        .map_err(|e| Failure::Usage(format!("--proxy {}: {e}", redact(text))))?;
    Ok(proxy.no_proxy(reqwest::NoProxy::from_env()))
}

/// The proxy requests to `target` go through, as `auth status` shows it (a password in the URL
/// masked), and the `NO_PROXY` list; `None` for a direct connection.
pub fn describe_proxy(
    global: &Global,
    target: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Option<String>, Option<String>) {
    let first = |names: &[&str]| names.iter().find_map(|n| env(n).filter(|v| !v.is_empty()));
    let no_proxy = first(&["NO_PROXY", "no_proxy"]);
    let proxy = match &global.proxy {
        Some(url) => Some(url.clone()),
        None if target.scheme() == "https" => {
            first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
        }
        None => first(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]),
    };
    (proxy.map(|p| redact(&p)), no_proxy)
}

/// A URL with the password of its user info replaced by `******`.
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) if url.has_host() && url.password().is_some() => {
            let _ = url.set_password(Some("******"));
            url.to_string()
        }
        Ok(url) if url.has_host() => text.to_owned(),
        // Not a URL with a host: show nothing before an `@`, which could be credentials.
        _ => match text.rsplit_once('@') {
            Some((_, host)) => format!("******@{host}"),
            None => text.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_passwords_are_masked() {
        assert_eq!(
            redact("http://alice:s3cret@proxy.example:3128"),
            "http://alice:******@proxy.example:3128/"
        );
        assert_eq!(
            redact("http://proxy.example:3128"),
            "http://proxy.example:3128"
        );
        assert_eq!(redact("alice:s3cret@proxy"), "******@proxy");
    }

    #[test]
    fn proxy_urls_must_be_http() {
        assert!(proxy("http://127.0.0.1:3128").is_ok());
        for bad in ["socks5://127.0.0.1:1080", "not a url", "ftp://x"] {
            match proxy(bad) {
                Err(Failure::Usage(m)) => assert!(m.starts_with("--proxy "), "{m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        match proxy("ftp://bob:pw@x") {
            Err(Failure::Usage(m)) => assert!(!m.contains(":pw@"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
