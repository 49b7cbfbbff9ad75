//! The JSON Schema of [`ConnectorResponse`] (feature `schemars`): its serde implementation is
//! handwritten, so the schema is derived from a wire-shaped twin that is never built.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::{Claims, ConnectorResponse};

/// The body of an API connector response: a continuation (HTTP 200) with the claims to return,
/// a blocking page (HTTP 200) or a validation error (HTTP 400).
#[derive(JsonSchema)]
#[serde(tag = "action")]
#[allow(dead_code)]
enum ConnectorResponseWire {
    /// Continue the user flow; every other property is a claim to return.
    Continue {
        version: String,
        #[serde(flatten)]
        claims: Claims,
    },
    /// End the sign-up and show `userMessage`.
    ShowBlockPage {
        version: String,
        #[serde(rename = "userMessage")]
        user_message: String,
    },
    /// Stay on the attribute collection page and show `userMessage` (HTTP status 400 too).
    ValidationError {
        version: String,
        status: ValidationStatusWire,
        #[serde(rename = "userMessage")]
        user_message: String,
    },
}

/// `status` of a validation error: `400` or `"400"`.
struct ValidationStatusWire;

impl JsonSchema for ValidationStatusWire {
    fn schema_name() -> Cow<'static, str> {
        "ValidationErrorStatus".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                { "type": "integer", "const": 400 },
                { "type": "string", "const": "400" }
            ]
        })
    }
}

impl JsonSchema for ConnectorResponse {
    fn schema_name() -> Cow<'static, str> {
        "ConnectorResponse".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        ConnectorResponseWire::json_schema(generator)
    }
}
