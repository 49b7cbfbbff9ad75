//! When and how long to wait before sending a request again.
//!
//! Graph asks clients to retry `429 Too Many Requests`, `503 Service Unavailable` and
//! `504 Gateway Timeout`, honouring `Retry-After`, which Graph sends in seconds, sometimes with a
//! fraction (`2.128`), and which HTTP also allows as a date. Without it the policy backs off
//! exponentially with full jitter.
//!
//! A retry must not duplicate work: a `POST` (create, certificate upload) is retried only when
//! Graph certainly did not act on it — a `429`, a `503`, or a connection that was never
//! established. A `504` or a connection lost after sending leaves a `POST`'s outcome unknown, so
//! it is returned to the caller rather than sent again.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};

/// Limits on retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3). `0` disables retries.
    pub max_retries: u32,
    /// The most time spent waiting between attempts, summed over all retries (default 60 s).
    /// A `Retry-After` that would exceed it ends the retries.
    pub max_total_delay: Duration,
    /// First backoff step when Graph gives no `Retry-After` (default 500 ms).
    pub initial_backoff: Duration,
    /// Largest single backoff (default 30 s).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_delay: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Exponential backoff with full jitter for retry number `retry` (0-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.max_backoff);
        cap.mul_f64(fastrand::f64())
    }
}

/// Whether a request method can be sent twice without changing the outcome.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::PATCH | Method::OPTIONS
    )
}

/// Whether a status says the failure is transient: `429`, `503` or `504`.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// Whether a response status asks for a retry of a request with `method`: a transient status,
/// except a `504` for a method that is not idempotent.
pub fn retryable_status(status: StatusCode, method: &Method) -> bool {
    let status = status.as_u16();
    is_transient_status(status) && (status != 504 || is_idempotent(method))
}

/// Whether a transport error allows a retry of a request with `method`.
pub fn retryable_error(error: &reqwest::Error, method: &Method) -> bool {
    error.is_connect()
        || (is_idempotent(method) && (error.is_request() || error.is_timeout() || error.is_body()))
}

/// The longest `Retry-After` taken as meaningful (about 31 years); a longer one is ignored.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(1_000_000_000);

/// Parse `Retry-After`: decimal seconds (`2`, `2.128`) or an HTTP date, relative to `now`.
/// Returns `None` for anything else (a negative, non-finite or unparsable value) and for a delay
/// of a billion seconds or more, in either form.
pub fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (0.0..MAX_RETRY_AFTER.as_secs_f64())
            .contains(&secs)
            .then(|| Duration::from_secs_f64(secs));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    let delay = date.duration_since(now).unwrap_or(Duration::ZERO);
    (delay < MAX_RETRY_AFTER).then_some(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_decimal_integer_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(
            parse_retry_after(&v("2.128"), now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            parse_retry_after(&v("7"), now),
            Some(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&v(&date), now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&v(&past), now), Some(Duration::ZERO));
        for bad in ["-1", "soon", "NaN", "inf", "1e30", ""] {
            assert_eq!(parse_retry_after(&v(bad), now), None, "{bad}");
        }
    }

    /// Found by the `retry_after` fuzz target: a date far ahead gave a delay of 4.3e9 s, where the
    /// same delay in seconds is refused.
    #[test]
    fn retry_after_far_future_date_is_ignored_like_huge_seconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(
            parse_retry_after(&v("Wed, 22 Oct 2160 07:28:00 GMT"), now),
            None
        );
        assert_eq!(parse_retry_after(&v("1000000000"), now), None);
        assert_eq!(
            parse_retry_after(&v("999999999"), now),
            Some(Duration::from_secs(999_999_999))
        );
        let edge = httpdate::fmt_http_date(now + Duration::from_secs(999_999_999));
        assert_eq!(
            parse_retry_after(&v(&edge), now),
            Some(Duration::from_secs(999_999_999))
        );
        let over = httpdate::fmt_http_date(now + Duration::from_secs(1_000_000_000));
        assert_eq!(parse_retry_after(&v(&over), now), None);
    }

    #[test]
    fn post_is_retried_only_when_graph_did_not_act() {
        let post = Method::POST;
        assert!(retryable_status(StatusCode::TOO_MANY_REQUESTS, &post));
        assert!(retryable_status(StatusCode::SERVICE_UNAVAILABLE, &post));
        assert!(!retryable_status(StatusCode::GATEWAY_TIMEOUT, &post));
        assert!(retryable_status(StatusCode::GATEWAY_TIMEOUT, &Method::GET));
        for s in [400, 401, 403, 404, 409, 500, 502] {
            assert!(
                !retryable_status(StatusCode::from_u16(s).unwrap(), &Method::GET),
                "{s}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for retry in 0..20 {
            let d = p.backoff(retry);
            let cap = p
                .initial_backoff
                .saturating_mul(2u32.saturating_pow(retry.min(16)))
                .min(p.max_backoff);
            assert!(d <= cap, "{retry}: {d:?} > {cap:?}");
        }
    }
}
