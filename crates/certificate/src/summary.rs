//! [`CertificateSummary`]: Graph's view of one uploaded certificate
//! (`pkcs12CertificateInformation`), and the rules over a connector's `certificateList`.

use std::time::Duration;

use crate::ValidityStatus;

/// Graph's public information about one uploaded certificate (`pkcs12CertificateInformation`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateSummary {
    /// Upper-case hex SHA-1 of the certificate DER.
    pub thumbprint: String,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// Whether Graph uses this certificate when calling the API.
    pub is_active: bool,
}

impl CertificateSummary {
    /// Where this certificate's validity period stands at `now`.
    pub fn validity_at(&self, now: i64) -> ValidityStatus {
        ValidityStatus::at(self.not_before, self.not_after, now)
    }
}

/// Computes `isActive` for each certificate of a `certificateList` in upload order (oldest first): the
/// active certificate is the most recently uploaded one that is not expired and whose `notBefore` is in
/// the past (<https://learn.microsoft.com/graph/api/resources/pkcs12certificateinformation>). At most one
/// entry is `true`; none is when no certificate is valid at `now`.
pub fn is_active_by_graph_rule(list: &[CertificateSummary], now: i64) -> Vec<bool> {
    let active = list
        .iter()
        .rposition(|c| c.validity_at(now) == ValidityStatus::Valid);
    (0..list.len()).map(|i| Some(i) == active).collect()
}

/// Sets `is_active` on every entry according to [`is_active_by_graph_rule`].
pub fn apply_graph_active_rule(list: &mut [CertificateSummary], now: i64) {
    let flags = is_active_by_graph_rule(list, now);
    for (cert, flag) in list.iter_mut().zip(flags) {
        cert.is_active = flag;
    }
}

/// The certificate the list marks as active (the first one, should several be marked).
pub fn active(list: &[CertificateSummary]) -> Option<&CertificateSummary> {
    list.iter().find(|c| c.is_active)
}

/// Certificates still valid at `now` whose `notAfter` falls within `within` from `now`
/// (`now <= notAfter <= now + within`), in list order.
pub fn expiring_within(
    list: &[CertificateSummary],
    now: i64,
    within: Duration,
) -> Vec<&CertificateSummary> {
    let horizon = now.saturating_add(i64::try_from(within.as_secs()).unwrap_or(i64::MAX));
    list.iter()
        .filter(|c| c.not_after >= now && c.not_after <= horizon)
        .collect()
}
