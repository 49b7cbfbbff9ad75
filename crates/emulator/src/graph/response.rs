//! How Graph answers: JSON objects in Graph's key order with its content type, `204`, `Location`.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use serde_json::Value;

/// A JSON object that keeps its keys in insertion order (Graph puts `@odata.*` first).
pub(super) struct Obj(Vec<(String, Value)>);

impl Obj {
    pub fn new() -> Self {
        Obj(Vec::new())
    }
    pub fn push(&mut self, k: impl Into<String>, v: impl Into<Value>) {
        self.0.push((k.into(), v.into()));
    }
    /// As a `Value` (its map sorts the keys; for nesting inside another [`Obj`]).
    pub fn into_value(self) -> Value {
        Value::Object(self.0.into_iter().collect())
    }
}

impl Serialize for Obj {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The content type Graph sends with JSON answers.
const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A JSON answer with Graph's content type and `OData-Version`.
pub(super) fn json_response(status: StatusCode, body: &Obj) -> Response<Body> {
    let mut resp = Response::new(Body::from(
        serde_json::to_vec(body).expect("JSON values serialize"),
    ));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    h.insert(
        HeaderName::from_static("odata-version"),
        HeaderValue::from_static("4.0"),
    );
    resp
}

/// `204 No Content`.
pub(super) fn no_content() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

/// Adds a `Location` header (creates).
pub(super) fn with_location(mut resp: Response<Body>, location: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}
