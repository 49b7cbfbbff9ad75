//! Lists as Graph pages them: `$top` (server page size otherwise), `$skip`, an opaque
//! `$skiptoken` in `@odata.nextLink` that repeats the other options, `$count=true` as
//! `@odata.count` on the first page (`docs/graph-behaviour.md` §5), and the `/$count` segment's
//! plain-text count.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use serde_json::Value;

use super::request::Ctx;
use super::response::{Obj, json_response};
use crate::error::GraphError;
use crate::odata;

/// The paging options of a list request.
pub(super) struct Paging {
    page_size: usize,
    skip: usize,
    after: Option<u64>,
    count: bool,
}

impl Paging {
    /// Reads `$top`, `$skip`, `$skiptoken` and `$count`.
    pub fn parse(ctx: &Ctx<'_>) -> Result<Self, GraphError> {
        Ok(Paging {
            page_size: match ctx.query.get("$top") {
                Some(v) => odata::parse_top(v)?,
                None => ctx.app.page_size,
            },
            skip: ctx
                .query
                .get("$skip")
                .map(odata::parse_skip)
                .transpose()?
                .unwrap_or(0),
            after: ctx
                .query
                .get("$skiptoken")
                .map(odata::decode_skiptoken)
                .transpose()?,
            count: ctx
                .query
                .get("$count")
                .map(odata::parse_count)
                .transpose()?
                .unwrap_or(false),
        })
    }

    /// One page of `items` (`(creation sequence, JSON)`, already filtered, in creation order) as a
    /// collection answer of `path` (below the version) with `@odata.context` `context`.
    pub fn respond(
        &self,
        ctx: &Ctx<'_>,
        path: &str,
        context: String,
        items: Vec<(u64, Value)>,
    ) -> Response<Body> {
        let total = items.len();
        let mut rest = items
            .into_iter()
            .filter(|(seq, _)| self.after.is_none_or(|a| *seq > a))
            .skip(if self.after.is_some() { 0 } else { self.skip });
        let page: Vec<(u64, Value)> = rest.by_ref().take(self.page_size).collect();
        let more = rest.next().is_some();
        let mut o = Obj::new();
        o.push("@odata.context", context);
        if self.count && self.after.is_none() {
            o.push("@odata.count", total);
        }
        if more {
            let last = page.last().map_or(0, |(seq, _)| *seq);
            let mut link = format!("{}{path}?", ctx.base());
            for (name, value) in &ctx.query.options {
                if name == "$skip" || name == "$skiptoken" {
                    continue;
                }
                let value: String =
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                link.push_str(&format!("{name}={value}&"));
            }
            link.push_str(&format!("$skiptoken={}", odata::encode_skiptoken(last)));
            o.push("@odata.nextLink", link);
        }
        o.push(
            "value",
            page.into_iter().map(|(_, v)| v).collect::<Vec<Value>>(),
        );
        json_response(StatusCode::OK, &o)
    }
}

/// `GET …/$count`: the number as `text/plain` (OData's `$count` segment).
pub(super) fn count_response(n: usize) -> Response<Body> {
    let mut resp = Response::new(Body::from(n.to_string()));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    resp
}
