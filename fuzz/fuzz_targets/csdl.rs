//! CSDL parsing and OpenAPI conversion never panic on any input.
#![no_main]

use graph_csdl::openapi::{Options, convert};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = graph_csdl::parse(text) {
        for version in ["beta", "v1.0"] {
            let _ = convert(&doc, &Options::new(version));
        }
    }
});
