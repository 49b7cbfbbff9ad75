//! What commands print: the data in the `--output` format (an aligned table or text for people,
//! JSON or YAML for scripts) on standard output; messages, warnings and a progress line on
//! standard error, so that pipes get the data only.

use std::io::{IsTerminal as _, Write as _};

use entra_api_connectors_certificate::CertificateSummary;
use serde::Serialize;

use crate::cli::Format;
use crate::{Failure, Outcome};

/// Print `value` as `format` asks: JSON or YAML of `value`, or the text `table` makes.
pub fn emit<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
    table: impl FnOnce() -> String,
) -> Outcome {
    match format {
        Format::Table => {
            print!("{}", table());
            Ok(())
        }
        Format::Json => print_json(value),
        Format::Yaml => print_yaml(value),
    }
}

/// A message for people on standard error, prefixed `apiconn: `.
pub fn note(message: impl std::fmt::Display) {
    eprintln!("apiconn: {message}");
}

/// A warning on standard error.
pub fn warning(message: impl std::fmt::Display) {
    eprintln!("apiconn: warning: {message}");
}

/// A connector as the table shows it, the same for every Graph version.
#[derive(Debug, Clone)]
pub struct ConnectorRow {
    /// `id`
    pub id: String,
    /// `displayName`
    pub display_name: String,
    /// `targetUrl`
    pub target_url: String,
    /// Short name of the `@odata.type` of `authenticationConfiguration`.
    pub auth: String,
    /// The certificate Graph presents now, if any.
    pub active_certificate: Option<CertificateSummary>,
}

/// The short name of an authentication `@odata.type`: `basic`, `certificate`, `pkcs12`, or the
/// type's own name for a type unknown to this tool.
pub fn auth_kind(odata_type: Option<&str>) -> String {
    match odata_type.map(|t| {
        t.trim_start_matches('#')
            .trim_start_matches("microsoft.graph.")
    }) {
        None => "-".into(),
        Some("basicAuthentication") => "basic".into(),
        Some("clientCertificateAuthentication") => "certificate".into(),
        Some("pkcs12Certificate") => "pkcs12".into(),
        Some(other) => other.into(),
    }
}

/// A Unix time as an ISO 8601 UTC date and time (`2034-01-15T00:00:00Z`).
pub fn timestamp(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

/// The connectors table: id, display name, target URL, authentication, active certificate.
pub fn connectors_table(rows: &[ConnectorRow]) -> String {
    let headers = [
        "ID",
        "DISPLAY NAME",
        "TARGET URL",
        "AUTH",
        "ACTIVE CERT",
        "CERT EXPIRES",
    ];
    let cells = rows
        .iter()
        .map(|r| {
            let (thumbprint, expires) = match &r.active_certificate {
                Some(c) => (c.thumbprint.clone(), timestamp(c.not_after)),
                None => ("-".into(), "-".into()),
            };
            vec![
                r.id.clone(),
                r.display_name.clone(),
                r.target_url.clone(),
                r.auth.clone(),
                thumbprint,
                expires,
            ]
        })
        .collect();
    table(&headers, cells)
}

/// Columns padded to their widest cell, separated by two spaces, without trailing blanks.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header_row).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Print a value as pretty JSON on standard output.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Outcome {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Runtime(format!("JSON output: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Print a value as YAML on standard output.
pub fn print_yaml<T: Serialize + ?Sized>(value: &T) -> Outcome {
    let text = serde_norway::to_string(value)
        .map_err(|e| Failure::Runtime(format!("YAML output: {e}")))?;
    print!("{text}");
    Ok(())
}

/// A value as JSON, for output built from several parts.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Runtime(format!("JSON output: {e}")))
}

/// A count of items fetched so far, on standard error, only when it is a terminal.
pub struct Progress {
    what: &'static str,
    count: usize,
    shown: bool,
}

impl Progress {
    /// Progress of fetching `what` (e.g. "connectors").
    pub fn new(what: &'static str) -> Self {
        Progress {
            what,
            count: 0,
            shown: std::io::stderr().is_terminal(),
        }
    }

    /// One more item.
    pub fn tick(&mut self) {
        self.count += 1;
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rfetching {}: {}", self.what, self.count);
            let _ = err.flush();
        }
    }

    /// Erase the progress line.
    pub fn finish(self) {
        if self.shown && self.count > 0 {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_trims_trailing_blanks() {
        let t = table(
            &["ID", "NAME"],
            vec![
                vec!["a".into(), "x".into()],
                vec!["long-id".into(), String::new()],
            ],
        );
        assert_eq!(t, "ID       NAME\na        x\nlong-id\n");
    }

    #[test]
    fn timestamps_are_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(2_020_896_000), "2034-01-15T00:00:00Z");
    }

    #[test]
    fn auth_kinds() {
        assert_eq!(
            auth_kind(Some("#microsoft.graph.basicAuthentication")),
            "basic"
        );
        assert_eq!(
            auth_kind(Some("microsoft.graph.clientCertificateAuthentication")),
            "certificate"
        );
        assert_eq!(
            auth_kind(Some(
                "#microsoft.graph.oAuth2ClientCredentialsAuthentication"
            )),
            "oAuth2ClientCredentialsAuthentication"
        );
        assert_eq!(auth_kind(None), "-");
    }
}
