//! Client-certificate authentication of the call: Graph's thumbprints and their comparison
//! (<https://learn.microsoft.com/azure/active-directory-b2c/secure-rest-api>).

/// A SHA-1 thumbprint in upper-case hex, from any case and with optional `:` or space
/// separators (`ab:cd:…`, `AB CD …`). `None` if it is not 20 bytes of hex.
pub fn normalize_thumbprint(thumbprint: &str) -> Option<String> {
    let hex: String = thumbprint
        .trim()
        .chars()
        .filter(|c| *c != ':' && *c != ' ')
        .collect();
    (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_uppercase())
}

/// Whether the thumbprint of the certificate the caller presented is one of the accepted ones
/// (for example the current and the next certificate while rolling it over). Case and `:`/space
/// separators do not matter; malformed thumbprints never match.
pub fn certificate_thumbprint_matches<I>(presented: &str, accepted: I) -> bool
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let Some(presented) = normalize_thumbprint(presented) else {
        return false;
    };
    accepted.into_iter().any(|candidate| {
        normalize_thumbprint(candidate.as_ref()).is_some_and(|candidate| candidate == presented)
    })
}

/// Whether a client certificate (DER, as a TLS stack hands it over) has one of the accepted
/// thumbprints (Graph's form: upper-case hex SHA-1 of the DER, see [`thumbprint_of`]).
pub fn client_certificate_matches<I>(der: &[u8], accepted: I) -> bool
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    certificate_thumbprint_matches(&thumbprint_of(der), accepted)
}

/// Graph's certificate thumbprint of a DER certificate: upper-case hex SHA-1, as Graph lists it in
/// a connector's `certificateList`.
pub fn thumbprint_of(certificate_der: &[u8]) -> String {
    use sha1::Digest as _;
    sha1::Sha1::digest(certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
