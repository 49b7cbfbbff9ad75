//! PKCS#12 decoding (`certificate::Pkcs12Bundle::from_der`) never panics, and no error shows the
//! password. The first byte picks the password, so that mutations of the fixtures get past the MAC.
#![no_main]

use entra_api_connectors::certificate::Pkcs12Bundle;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

/// The passwords of `crates/certificate/tests/fixtures` (and none).
const PASSWORDS: [&str; 3] = ["", "fixture-pass", "clé-🔑-x9"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, der)) = data.split_first() else {
        return;
    };
    let password = PASSWORDS[usize::from(pick) % PASSWORDS.len()];
    match Pkcs12Bundle::from_der(der, &SecretString::from(password)) {
        Ok(bundle) => {
            let _ = bundle.summary();
            let _ = bundle.tls_identity();
        }
        Err(e) if !password.is_empty() => {
            let text = format!("{e} {e:?}");
            assert!(!text.contains(password), "password in {text}");
        }
        Err(_) => {}
    }
});
