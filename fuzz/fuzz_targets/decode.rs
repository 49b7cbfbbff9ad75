//! Decoding Graph responses from any bytes never panics, and what decodes re-encodes to JSON that
//! decodes to the same value.
#![no_main]

use entra_api_connectors::beta::types as beta;
use entra_api_connectors::v1::types as v1;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn stable<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let bytes = serde_json::to_vec(&value).expect("a decoded value encodes");
        let again: T = serde_json::from_slice(&bytes).expect("re-encoded JSON decodes");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    stable::<beta::IdentityApiConnector>(data);
    stable::<beta::IdentityApiConnectorCollectionResponse>(data);
    stable::<beta::UserFlowApiConnectorConfiguration>(data);
    stable::<beta::ODataError>(data);
    stable::<v1::IdentityApiConnector>(data);
    stable::<v1::IdentityApiConnectorCollectionResponse>(data);
    stable::<v1::UserFlowApiConnectorConfiguration>(data);
});
