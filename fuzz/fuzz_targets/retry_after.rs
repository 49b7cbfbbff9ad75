//! `Retry-After` parsing never panics and never returns a delay of a billion seconds or more.
#![no_main]

use std::time::{Duration, SystemTime};

use entra_api_connectors::retry::parse_retry_after;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        if let Some(delay) = parse_retry_after(&value, now) {
            assert!(delay < Duration::from_secs(1_000_000_000), "{delay:?}");
        }
    }
});
