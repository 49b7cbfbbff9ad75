//! `@odata.nextLink` checking never panics, and an accepted link is on the base URL's origin.
#![no_main]

use entra_api_connectors::paging::check_next_link;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = url::Url::parse("https://graph.microsoft.com/beta/").expect("base");
    if let Ok(next) = check_next_link(&base, text) {
        assert_eq!(next.origin(), base.origin(), "{text:?}");
    }
});
