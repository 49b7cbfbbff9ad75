//! The request log: every Graph request the emulator received, in arrival order, with the fault it
//! was given and the status it was answered with, so that a test can assert what was sent (or that
//! nothing was) and count retries and faults. The log never holds a body, a header value other than
//! `client-request-id`, or a query string, so it holds no secret.
//!
//! It keeps the last [`REQUEST_LOG_CAPACITY`] records; [`Emulator::request_count`](crate::Emulator::request_count)
//! counts every request since the start (or the last clear).

use std::collections::VecDeque;

use crate::faults::Verdict;

/// How many records the log keeps (the oldest go first).
pub const REQUEST_LOG_CAPACITY: usize = 100_000;

/// A fault the emulator injected into a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InjectedFault {
    /// Answered `429 TooManyRequests` with `Retry-After`; nothing was handled.
    Throttled,
    /// Answered `503 serviceNotAvailable` with `Retry-After`; nothing was handled.
    Unavailable,
    /// The connection was closed before the request was handled; nothing changed.
    Dropped,
    /// The request was handled (the state may have changed), then the connection was closed
    /// without an answer.
    ResponseLost,
}

impl InjectedFault {
    pub(crate) fn of(verdict: &Verdict) -> Option<Self> {
        match verdict {
            Verdict::Pass => None,
            Verdict::Drop => Some(Self::Dropped),
            Verdict::LoseResponse => Some(Self::ResponseLost),
            Verdict::Throttle { .. } => Some(Self::Throttled),
            Verdict::Unavailable { .. } => Some(Self::Unavailable),
        }
    }
}

/// One Graph request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path as sent, version prefix included, without the query (`/beta/identity/apiConnectors`).
    pub path: String,
    /// The caller's `client-request-id` header, if any (the client crate keeps it across retries).
    pub client_request_id: Option<String>,
    /// The fault injected, if any.
    pub fault: Option<InjectedFault>,
    /// The status answered; `None` when the connection was closed without an answer.
    pub status: Option<u16>,
}

impl RequestRecord {
    /// Whether the method may change the state (anything but `GET` and `HEAD`).
    pub fn is_write(&self) -> bool {
        !matches!(self.method.as_str(), "GET" | "HEAD")
    }
}

/// The records kept and the count of every request.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    records: VecDeque<RequestRecord>,
    total: u64,
}

impl RequestLog {
    pub fn push(&mut self, record: RequestRecord) {
        if self.records.len() == REQUEST_LOG_CAPACITY {
            self.records.pop_front();
        }
        self.records.push_back(record);
        self.total += 1;
    }

    pub fn records(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn clear(&mut self) {
        self.records.clear();
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(method: &str) -> RequestRecord {
        RequestRecord {
            method: method.into(),
            path: "/beta/identity/apiConnectors".into(),
            client_request_id: None,
            fault: None,
            status: Some(200),
        }
    }

    #[test]
    fn keeps_the_newest_records_and_counts_all() {
        let mut log = RequestLog::default();
        for _ in 0..REQUEST_LOG_CAPACITY {
            log.push(record("GET"));
        }
        log.push(record("POST"));
        assert_eq!(log.total(), REQUEST_LOG_CAPACITY as u64 + 1);
        let records = log.records();
        assert_eq!(records.len(), REQUEST_LOG_CAPACITY);
        assert_eq!(records.last().unwrap().method, "POST");
        log.clear();
        assert_eq!((log.total(), log.records().len()), (0, 0));
    }

    #[test]
    fn writes_are_every_method_but_get_and_head() {
        for (method, write) in [
            ("GET", false),
            ("HEAD", false),
            ("POST", true),
            ("PATCH", true),
            ("PUT", true),
            ("DELETE", true),
        ] {
            assert_eq!(record(method).is_write(), write, "{method}");
        }
        assert_eq!(
            InjectedFault::of(&Verdict::Throttle {
                retry_after: "1".into()
            }),
            Some(InjectedFault::Throttled)
        );
        assert_eq!(InjectedFault::of(&Verdict::Pass), None);
    }
}
