//! Faults injected on demand: throttling (`429` with `Retry-After`), `503`, added latency and dropped
//! connections. They are decided before a request touches the state, so a failed request never leaves
//! anything half-written.
//!
//! Graph's throttling answer is `429` with a `Retry-After` header in seconds
//! (<https://learn.microsoft.com/graph/throttling>); `503` may carry one too
//! (<https://learn.microsoft.com/graph/errors>).

use std::time::Duration;

/// What can go wrong with a request, and how often. Rates are probabilities from `0.0` to `1.0`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Share of requests answered `429 TooManyRequests`.
    pub throttle_rate: f64,
    /// Share of requests answered `503 serviceNotAvailable`.
    pub unavailable_rate: f64,
    /// Share of requests whose connection is closed without any response, before the request
    /// is handled (nothing changes).
    pub drop_rate: f64,
    /// Share of requests that are handled (the state changes) and whose response is then lost:
    /// the connection is closed without a byte sent. The client cannot tell whether a create
    /// happened; this is the case that must not lead to duplicates.
    pub lose_response_rate: f64,
    /// `Retry-After` sent with `429` and `503`, in seconds (fractions allowed, for fast tests;
    /// Graph sends whole seconds). Whole seconds are written without a fraction.
    pub retry_after: Duration,
    /// Delay added before every affected request is handled.
    pub latency: Duration,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Every request is throttled with the given `Retry-After`.
    pub fn throttle(rate: f64, retry_after: Duration) -> Self {
        Self {
            throttle_rate: rate,
            retry_after,
            ..Self::default()
        }
    }

    /// A share of requests get `503`.
    pub fn unavailable(rate: f64) -> Self {
        Self {
            unavailable_rate: rate,
            ..Self::default()
        }
    }

    /// A share of connections are dropped without a response.
    pub fn drop_connections(rate: f64) -> Self {
        Self {
            drop_rate: rate,
            ..Self::default()
        }
    }

    /// Every request is delayed.
    pub fn latency(latency: Duration) -> Self {
        Self {
            latency,
            ..Self::default()
        }
    }
}

/// Faults for the requests whose method and path match a pattern.
///
/// The pattern is `"[METHOD ]PATH"`. `PATH` is matched against the request path without its version
/// prefix (`/identity/apiConnectors/{id}`), segment by segment and case-insensitively: `*` matches one
/// segment and a final `**` any rest. Without a method, or with `*`, every method matches.
///
/// ```
/// use entra_api_connectors_emulator::{FaultRule, Faults};
/// let rule = FaultRule::new("POST /identity/apiConnectors", Faults::unavailable(1.0));
/// assert!(rule.matches("POST", "/identity/apiConnectors"));
/// assert!(!rule.matches("GET", "/identity/apiConnectors"));
/// let any = FaultRule::new("/identity/apiConnectors/*", Faults::unavailable(1.0));
/// assert!(any.matches("PATCH", "/identity/apiConnectors/42"));
/// assert!(!any.matches("GET", "/identity/apiConnectors"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    method: Option<String>,
    path: Vec<String>,
    /// What happens to matching requests (it replaces the global faults for them).
    pub faults: Faults,
}

impl FaultRule {
    /// A rule for `pattern` (see the type's docs).
    pub fn new(pattern: &str, faults: Faults) -> Self {
        let pattern = pattern.trim();
        let (method, path) = match pattern.split_once(' ') {
            Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
            None => (None, pattern),
        };
        let method = method.filter(|m| m != "*");
        let path = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Self {
            method,
            path,
            faults,
        }
    }

    /// Whether a request with `method` and version-less `path` matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut i = 0;
        for (n, pat) in self.path.iter().enumerate() {
            if pat == "**" && n + 1 == self.path.len() {
                return true;
            }
            match segments.get(i) {
                Some(seg) if pat == "*" || pat.eq_ignore_ascii_case(seg) => i += 1,
                _ => return false,
            }
        }
        i == segments.len()
    }
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Pass,
    Drop,
    LoseResponse,
    Throttle { retry_after: String },
    Unavailable { retry_after: String },
}

/// The faults in force and the seeded random source that draws them.
pub(crate) struct FaultPlan {
    pub global: Faults,
    pub rules: Vec<FaultRule>,
    rng: fastrand::Rng,
}

fn hit(rng: &mut fastrand::Rng, rate: f64) -> bool {
    rate >= 1.0 || (rate > 0.0 && rng.f64() < rate)
}

/// `Retry-After` in seconds: whole seconds as an integer, else a decimal.
pub(crate) fn format_retry_after(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        s.trim_end_matches('0').to_owned()
    }
}

impl FaultPlan {
    pub fn new(global: Faults, rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            global,
            rules,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// The latency to add and the verdict for a request. Drawn in a fixed order (drop, 429, 503), so a
    /// given seed gives the same sequence for the same sequence of requests.
    pub fn decide(&mut self, method: &str, path: &str) -> (Duration, Verdict) {
        let faults = self
            .rules
            .iter()
            .find(|r| r.matches(method, path))
            .map_or(&self.global, |r| &r.faults)
            .clone();
        let verdict = if hit(&mut self.rng, faults.drop_rate) {
            Verdict::Drop
        } else if hit(&mut self.rng, faults.lose_response_rate) {
            Verdict::LoseResponse
        } else if hit(&mut self.rng, faults.throttle_rate) {
            Verdict::Throttle {
                retry_after: format_retry_after(faults.retry_after),
            }
        } else if hit(&mut self.rng, faults.unavailable_rate) {
            Verdict::Unavailable {
                retry_after: format_retry_after(faults.retry_after),
            }
        } else {
            Verdict::Pass
        };
        (faults.latency, verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_formats_whole_and_fractional_seconds() {
        assert_eq!(format_retry_after(Duration::from_secs(5)), "5");
        assert_eq!(format_retry_after(Duration::from_millis(250)), "0.25");
        assert_eq!(format_retry_after(Duration::from_millis(1500)), "1.5");
        assert_eq!(format_retry_after(Duration::ZERO), "0");
    }

    #[test]
    fn patterns_match_segments_methods_and_rest() {
        let r = FaultRule::new("get /identity/**", Faults::none());
        assert!(r.matches("GET", "/identity/apiConnectors/x/uploadClientCertificate"));
        assert!(r.matches("GET", "/identity"));
        assert!(!r.matches("POST", "/identity/apiConnectors"));
        let r = FaultRule::new("* /identity/APICONNECTORS", Faults::none());
        assert!(r.matches("DELETE", "/identity/apiConnectors"));
        assert!(!r.matches("DELETE", "/identity/apiConnectors/x"));
    }

    #[test]
    fn same_seed_same_sequence_and_rates_are_respected() {
        let faults = Faults {
            throttle_rate: 0.5,
            ..Faults::none()
        };
        let run = |seed| {
            let mut plan = FaultPlan::new(faults.clone(), vec![], seed);
            (0..200)
                .map(|_| plan.decide("GET", "/identity/apiConnectors").1 != Verdict::Pass)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let hits = run(7).into_iter().filter(|h| *h).count();
        assert!(
            (60..140).contains(&hits),
            "{hits} of 200 throttled at rate 0.5"
        );
        let mut never = FaultPlan::new(Faults::none(), vec![], 1);
        assert!((0..100).all(|_| never.decide("GET", "/x").1 == Verdict::Pass));
    }

    #[test]
    fn first_matching_rule_replaces_global_faults() {
        let mut plan = FaultPlan::new(
            Faults::unavailable(1.0),
            vec![FaultRule::new(
                "GET /identity/apiConnectors",
                Faults::none(),
            )],
            1,
        );
        assert_eq!(
            plan.decide("GET", "/identity/apiConnectors").1,
            Verdict::Pass
        );
        assert!(matches!(
            plan.decide("POST", "/identity/apiConnectors").1,
            Verdict::Unavailable { .. }
        ));
    }
}
