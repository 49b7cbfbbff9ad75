//! [`ValidityStatus`]: where a certificate's validity period stands at a given time, and
//! [`unix_now`].

use std::time::{SystemTime, UNIX_EPOCH};

/// Where a certificate's validity period stands relative to a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityStatus {
    /// `now < notBefore`.
    NotYetValid,
    /// `notBefore <= now <= notAfter` (RFC 5280 §4.1.2.5: both ends inclusive).
    Valid,
    /// `now > notAfter`.
    Expired,
}

impl ValidityStatus {
    /// Classifies `now` against a validity period given in Unix seconds.
    pub fn at(not_before: i64, not_after: i64, now: i64) -> Self {
        if now < not_before {
            Self::NotYetValid
        } else if now > not_after {
            Self::Expired
        } else {
            Self::Valid
        }
    }
}

/// The current time as Unix seconds (negative before 1970).
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
